/*
 * mmu.h - linear-address memory access through the software TLB.
 *
 * All guest memory accesses of the interpreter go through these functions.
 * The fast path is one TLB compare and a host load or store; misses,
 * page-crossing accesses, MMIO, non-canonical addresses, first writes to a
 * page (dirty bit) and writes to pages holding decoded code take the slow
 * path in mmu.c, which walks the 4-level page tables and raises #PF/#GP.
 *
 * Addresses here are linear (segment base already added: see op_ea()).
 */
#ifndef M5SIM_CPU_MMU_H
#define M5SIM_CPU_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu.h"

/* Access kinds. */
#define ACC_READ  0
#define ACC_WRITE 1
#define ACC_EXEC  2
#define ACC_SUPER 4   /* implicit supervisor access (descriptor tables, TSS) even at CPL 3 */
#define ACC_SET_AD 8  /* mmu_probe only: set accessed/dirty bits as the access would */

uint64_t mmu_read_slow(struct cpu *cpu, uint64_t la, unsigned size, int acc);
void mmu_write_slow(struct cpu *cpu, uint64_t la, unsigned size, uint64_t value, int acc);

/*
 * Translate a linear address; on failure raise #PF (or #GP for non-canonical).
 * Returns the physical address. Fills the TLB.
 */
uint64_t mmu_translate(struct cpu *cpu, uint64_t la, int acc);
/*
 * Translate without raising (for host-side helpers like m5 readfile): returns
 * 0 and sets *pa, or returns the #PF error code | 0x100. A/D bits change only
 * with ACC_SET_AD (a host write into guest memory must mark the page dirty,
 * or the guest kernel could lose it).
 */
int mmu_probe(struct cpu *cpu, uint64_t la, int acc, uint64_t *pa);

/* Drop all TLB entries (CR3 write without PGE keeps global ones unless `all`). */
void mmu_flush(struct cpu *cpu, bool all);
void mmu_flush_page(struct cpu *cpu, uint64_t la);

static inline struct tlb_entry *tlb_entry_for(struct cpu *cpu, uint64_t la)
{
    return &cpu->tlb[cpu->s.cpl == 3][(la >> 12) & (TLB_SIZE - 1)];
}

#define MMU_FAST_READ(bits)                                                             \
    static inline uint##bits##_t mem_read##bits(struct cpu *cpu, uint64_t la)          \
    {                                                                                   \
        struct tlb_entry *e = tlb_entry_for(cpu, la);                                   \
        if (__builtin_expect(e->tag_read == (la & ~0xfffull) &&                         \
                                 (la & 0xfff) <= 4096 - (bits) / 8, 1)) {                \
            uint##bits##_t v;                                                           \
            memcpy(&v, (void *)(e->addend + la), sizeof v);                             \
            return v;                                                                   \
        }                                                                               \
        return (uint##bits##_t)mmu_read_slow(cpu, la, (bits) / 8, ACC_READ);            \
    }
#define MMU_FAST_WRITE(bits)                                                            \
    static inline void mem_write##bits(struct cpu *cpu, uint64_t la, uint##bits##_t v)  \
    {                                                                                   \
        struct tlb_entry *e = tlb_entry_for(cpu, la);                                   \
        if (__builtin_expect(e->tag_write == (la & ~0xfffull) &&                        \
                                 (la & 0xfff) <= 4096 - (bits) / 8, 1)) {                \
            memcpy((void *)(e->addend + la), &v, sizeof v);                             \
            return;                                                                     \
        }                                                                               \
        mmu_write_slow(cpu, la, (bits) / 8, v, ACC_WRITE);                              \
    }
MMU_FAST_READ(8)
MMU_FAST_READ(16)
MMU_FAST_READ(32)
MMU_FAST_READ(64)
MMU_FAST_WRITE(8)
MMU_FAST_WRITE(16)
MMU_FAST_WRITE(32)
MMU_FAST_WRITE(64)
#undef MMU_FAST_READ
#undef MMU_FAST_WRITE

/* Sized access, size in {1,2,4,8}; value zero-extended. */
static inline uint64_t mem_read(struct cpu *cpu, uint64_t la, unsigned size)
{
    switch (size) {
    case 1: return mem_read8(cpu, la);
    case 2: return mem_read16(cpu, la);
    case 4: return mem_read32(cpu, la);
    default: return mem_read64(cpu, la);
    }
}

static inline void mem_write(struct cpu *cpu, uint64_t la, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: mem_write8(cpu, la, (uint8_t)v); break;
    case 2: mem_write16(cpu, la, (uint16_t)v); break;
    case 4: mem_write32(cpu, la, (uint32_t)v); break;
    default: mem_write64(cpu, la, v); break;
    }
}

/*
 * Block copies between guest linear memory and host buffers (x87 80-bit
 * values, XMM, FXSAVE, descriptor tables). A write checks every page before
 * storing a byte, so a faulting write leaves memory unchanged.
 */
void mem_read_bytes(struct cpu *cpu, uint64_t la, void *dst, unsigned n);
void mem_write_bytes(struct cpu *cpu, uint64_t la, const void *src, unsigned n);
/* Raise now if a write of n bytes at la would fault (for multi-step stores like PUSH sequences). */
void mem_check_write(struct cpu *cpu, uint64_t la, unsigned n);

#endif
