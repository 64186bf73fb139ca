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
/* The same for a data load or store of 8, 16, 32 or 64 bits (mem_readN, mem_writeN). */
uint64_t mmu_load_slow8(struct cpu *cpu, uint64_t la);
uint64_t mmu_load_slow16(struct cpu *cpu, uint64_t la);
uint64_t mmu_load_slow32(struct cpu *cpu, uint64_t la);
uint64_t mmu_load_slow64(struct cpu *cpu, uint64_t la);
void mmu_store_slow8(struct cpu *cpu, uint64_t la, uint64_t value);
void mmu_store_slow16(struct cpu *cpu, uint64_t la, uint64_t value);
void mmu_store_slow32(struct cpu *cpu, uint64_t la, uint64_t value);
void mmu_store_slow64(struct cpu *cpu, uint64_t la, uint64_t value);

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
/* A memory port was attached or detached: keep the translations, change what the fast paths may use. */
void mmu_port_changed(struct cpu *cpu);

static inline unsigned tlb_index(uint64_t la)
{
    return (unsigned)(la >> 12) & (TLB_SIZE - 1);
}

static inline struct tlb_entry *tlb_entry_for(struct cpu *cpu, uint64_t la)
{
    return &cpu->tlb[tlb_index(la)];
}

/* The tag an access by the current CPL to the page of la must find. */
static inline uint64_t tlb_tag(const struct cpu *cpu, uint64_t la)
{
    return (la & ~0xfffull) | cpu->s.cpl;
}

/*
 * Host address of `size` bytes at la if the TLB allows reading (writing)
 * them directly at the current CPL, else NULL. Comparing the tag with the
 * page of the *last* byte also rejects an access that crosses into the next
 * page: that page has another TLB index, so it can never be this entry's
 * tag. A writable entry is readable too.
 */
static inline void *tlb_read_ptr(struct cpu *cpu, uint64_t la, unsigned size)
{
    struct tlb_entry *e = tlb_entry_for(cpu, la);
    if (__builtin_expect(e->tag_read == tlb_tag(cpu, la + size - 1), 1))
        return (void *)(e->addend + la);
    return NULL;
}

static inline void *tlb_write_ptr(struct cpu *cpu, uint64_t la, unsigned size)
{
    struct tlb_entry *e = tlb_entry_for(cpu, la);
    if (__builtin_expect(e->tag_write == tlb_tag(cpu, la + size - 1), 1))
        return (void *)(e->addend + la);
    return NULL;
}

/* Loads and stores of 1..8 bytes through a host pointer from tlb_*_ptr. */
static inline uint64_t host_load(const void *p, unsigned size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static inline void host_store(void *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: *(uint8_t *)p = (uint8_t)v; break;
    case 2: { uint16_t w = (uint16_t)v; memcpy(p, &w, 2); break; }
    case 4: { uint32_t w = (uint32_t)v; memcpy(p, &w, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

#define MMU_FAST_READ(bits)                                                             \
    static inline __attribute__((always_inline)) uint##bits##_t                         \
    mem_read##bits(struct cpu *cpu, uint64_t la)                                        \
    {                                                                                   \
        const void *p = tlb_read_ptr(cpu, la, (bits) / 8);                              \
        if (__builtin_expect(p != NULL, 1))                                             \
            return (uint##bits##_t)host_load(p, (bits) / 8);                            \
        return (uint##bits##_t)mmu_load_slow##bits(cpu, la);                            \
    }
#define MMU_FAST_WRITE(bits)                                                            \
    static inline __attribute__((always_inline)) void                                   \
    mem_write##bits(struct cpu *cpu, uint64_t la, uint##bits##_t v)                     \
    {                                                                                   \
        void *p = tlb_write_ptr(cpu, la, (bits) / 8);                                   \
        if (__builtin_expect(p != NULL, 1)) {                                           \
            host_store(p, (bits) / 8, v);                                               \
            return;                                                                     \
        }                                                                               \
        mmu_store_slow##bits(cpu, la, v);                                               \
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
