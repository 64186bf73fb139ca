/*
 * sysguest.h - a small hand-built x86-64 system for the CPU unit tests
 * (test_mmu, test_exception, test_atomic, test_block, test_m5dev).
 *
 * 8 MiB of RAM at physical 0, every page identity-mapped for the supervisor
 * (read/write/execute), a GDT with Linux's selectors (kernel code 0x10, data
 * 0x18, user data 0x2b, user code 0x33), a TSS with RSP0 and IST1, and an IDT
 * whose 256 gates all point at one-byte `hlt` stubs, so a delivered exception
 * stops cpu_run with CPU_EXIT_HALT and the stub's address tells which vector
 * came. Tests map their own pages above TG_TEST_VA.
 *
 * The exception and interrupt hooks record what they see; tg_catch() makes
 * the exception hook consume every exception and stop the CPU, for tests
 * that only care about vector, error code and CR2.
 */
#ifndef M5SIM_TESTS_SYSGUEST_H
#define M5SIM_TESTS_SYSGUEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "cpu/block.h"
#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "cpu/mmu.h"
#include "mem/bus.h"
#include "mem/pagetable.h"

#define TG_UNUSED __attribute__((unused))

/* Physical (and identity-mapped virtual) layout. */
#define TG_RAM_SIZE     (8ull << 20)
#define TG_GDT          0x1000ull
#define TG_IDT          0x2000ull
#define TG_TSS          0x3000ull
#define TG_STACK_TOP    0x10000ull   /* kernel stack: 0x8000..0xffff */
#define TG_RSP0_TOP     0x20000ull   /* TSS.RSP0 stack: 0x18000..0x1ffff */
#define TG_IST1_TOP     0x28000ull   /* TSS.IST1 stack: 0x24000..0x27fff */
#define TG_PT_POOL      0x100000ull  /* page-table pages come from here */
#define TG_PT_POOL_END  0x200000ull
#define TG_CODE         0x200000ull  /* test programs */
#define TG_HANDLERS     0x300000ull  /* IDT stubs: vector v at TG_HANDLERS + 16 * v */
#define TG_DATA         0x400000ull  /* free physical pages for tests */
#define TG_TEST_VA      0x40000000ull  /* tests map their own pages here and above (not identity) */

/* Selectors. */
#define TG_KCODE 0x10
#define TG_KDATA 0x18
#define TG_UDATA 0x2b
#define TG_UCODE 0x33

/* Gate types. */
#define TG_INTR_GATE 0xe
#define TG_TRAP_GATE 0xf

struct tg {
    struct bus bus;
    uint8_t *ram;
    struct cpu *cpu;
    struct pagetable pt;

    /* exception hook */
    bool catch_exceptions;   /* consume every exception and stop the CPU */
    int nexc;
    int exc_vector;
    uint32_t exc_error;
    uint64_t exc_rip, exc_cr2;
    int exc_vectors[16];

    /* interrupt controller */
    bool intr_line;
    int intr_vector;
    int intr_acks;
    int intr_polls;

    /* m5 op hook */
    uint64_t (*m5op)(void *opaque, struct cpu *cpu, unsigned func);
    void *m5op_opaque;
};

TG_UNUSED static bool tg_exception_hook(void *opaque, struct cpu *cpu, int vector, uint32_t error)
{
    struct tg *t = opaque;
    if (t->nexc < 16)
        t->exc_vectors[t->nexc] = vector;
    t->nexc++;
    t->exc_vector = vector;
    t->exc_error = error;
    t->exc_rip = cpu->s.rip;
    t->exc_cr2 = cpu->s.cr2;
    if (!t->catch_exceptions)
        return false;
    cpu_request_exit(cpu, CPU_EXIT_STOP);
    return true;
}

TG_UNUSED static bool tg_intr_pending(void *opaque, struct cpu *cpu)
{
    (void)cpu;
    struct tg *t = opaque;
    t->intr_polls++;
    return t->intr_line;
}

TG_UNUSED static int tg_intr_ack(void *opaque, struct cpu *cpu)
{
    (void)cpu;
    struct tg *t = opaque;
    t->intr_acks++;
    t->intr_line = false;
    return t->intr_vector;
}

TG_UNUSED static uint64_t tg_m5op_hook(void *opaque, struct cpu *cpu, unsigned func)
{
    struct tg *t = opaque;
    return t->m5op ? t->m5op(t->m5op_opaque, cpu, func) : 0;
}

TG_UNUSED static void tg_write(struct tg *t, uint64_t pa, const void *src, size_t len)
{
    assert_int_equal(bus_write_phys(&t->bus, pa, src, len), 0);
}

TG_UNUSED static uint64_t tg_read64(struct tg *t, uint64_t pa)
{
    uint64_t v;
    assert_int_equal(bus_read_phys(&t->bus, pa, &v, 8), 0);
    return v;
}

TG_UNUSED static uint32_t tg_read32(struct tg *t, uint64_t pa)
{
    uint32_t v;
    assert_int_equal(bus_read_phys(&t->bus, pa, &v, 4), 0);
    return v;
}

TG_UNUSED static void tg_write64(struct tg *t, uint64_t pa, uint64_t v)
{
    tg_write(t, pa, &v, 8);
}

TG_UNUSED static void tg_write32(struct tg *t, uint64_t pa, uint32_t v)
{
    tg_write(t, pa, &v, 4);
}

/* One long-mode IDT gate. */
TG_UNUSED static void tg_set_gate(struct tg *t, int vector, uint64_t target, uint16_t sel, int ist,
                                  int type, int dpl, bool present)
{
    uint64_t lo = (target & 0xffff) | (uint64_t)sel << 16 | (uint64_t)(ist & 7) << 32 |
                  (uint64_t)(type & 0xf) << 40 | (uint64_t)(dpl & 3) << 45 |
                  (uint64_t)(present ? 1 : 0) << 47 | ((target >> 16) & 0xffff) << 48;
    uint64_t hi = target >> 32;
    tg_write64(t, TG_IDT + 16ull * (unsigned)vector, lo);
    tg_write64(t, TG_IDT + 16ull * (unsigned)vector + 8, hi);
}

TG_UNUSED static uint64_t tg_handler(int vector)
{
    return TG_HANDLERS + 16ull * (unsigned)vector;
}

/* Which IDT stub the CPU halted in (RIP is past its `hlt`), or -1. */
TG_UNUSED static int tg_halted_vector(const struct tg *t)
{
    uint64_t rip = t->cpu->s.rip;
    if (rip <= TG_HANDLERS || rip > TG_HANDLERS + 16 * 256 || (rip - 1 - TG_HANDLERS) % 16)
        return -1;
    return (int)((rip - 1 - TG_HANDLERS) / 16);
}

/* Replace the stub of `vector` with up to 16 bytes of code. */
TG_UNUSED static void tg_set_handler_code(struct tg *t, int vector, const void *code, size_t len)
{
    assert_true(len <= 16);
    tg_write(t, tg_handler(vector), code, len);
}

TG_UNUSED static void tg_map(struct tg *t, uint64_t va, uint64_t pa, uint64_t flags)
{
    assert_true(pt_map(&t->pt, va, pa, flags));
}

/* Host pointer to the leaf PTE of va (4 KiB mappings). */
TG_UNUSED static uint64_t *tg_pte(struct tg *t, uint64_t va)
{
    uint64_t table = t->pt.root;
    for (int level = 3; level > 0; level--) {
        uint64_t *tab = (uint64_t *)bus_ram_ptr(&t->bus, table);
        uint64_t e = tab[(va >> (12 + 9 * level)) & 511];
        assert_true(e & PTE_P);
        table = e & PTE_ADDR_MASK;
    }
    return &((uint64_t *)bus_ram_ptr(&t->bus, table))[(va >> 12) & 511];
}

/* Host pointer to the paging-structure entry of va at `level` (3 = PML4E ... 0 = PTE). */
TG_UNUSED static uint64_t *tg_entry(struct tg *t, uint64_t va, int level)
{
    uint64_t table = t->pt.root;
    for (int l = 3;; l--) {
        uint64_t *e = &((uint64_t *)bus_ram_ptr(&t->bus, table))[(va >> (12 + 9 * l)) & 511];
        if (l == level)
            return e;
        assert_true(*e & PTE_P);
        table = *e & PTE_ADDR_MASK;
    }
}

TG_UNUSED static void tg_gdt_init(struct tg *t)
{
    static const uint64_t gdt[] = {
        0,
        0,
        0x00af9b000000ffffull,  /* 0x10 kernel code, 64-bit */
        0x00cf93000000ffffull,  /* 0x18 kernel data */
        0x00cffb000000ffffull,  /* 0x20 user code, 32-bit */
        0x00cff3000000ffffull,  /* 0x28 user data */
        0x00affb000000ffffull,  /* 0x30 user code, 64-bit */
        0,
    };
    tg_write(t, TG_GDT, gdt, sizeof gdt);
    t->cpu->s.gdtr = (struct dtable){ TG_GDT, sizeof gdt - 1 };
}

TG_UNUSED static void tg_tss_set(struct tg *t, uint64_t rsp0, uint64_t ist1)
{
    tg_write64(t, TG_TSS + 4, rsp0);
    tg_write64(t, TG_TSS + 0x24, ist1);
}

/* Reset the CPU into long mode at privilege `cpl` with this system's tables. */
TG_UNUSED static void tg_enter(struct tg *t, int cpl)
{
    struct cpu *cpu = t->cpu;
    cpu_enter_long_mode(cpu, t->pt.root, cpl);
    tg_gdt_init(t);
    cpu->s.idtr = (struct dtable){ TG_IDT, 0xfff };
    cpu->s.tr = (struct segment){ 0, 0x8b, 0x67, TG_TSS };
    cpu->s.gpr[RSP] = TG_STACK_TOP;
    cpu_state_changed(cpu);
}

TG_UNUSED static struct tg *tg_new(void)
{
    struct tg *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->ram = mmap(NULL, TG_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(t->ram != MAP_FAILED);
    bus_init(&t->bus);
    bus_add_ram(&t->bus, 0, TG_RAM_SIZE, t->ram);
    t->cpu = calloc(1, sizeof *t->cpu);
    assert_non_null(t->cpu);
    cpu_init(t->cpu, &t->bus, 0);

    pt_init(&t->pt, &t->bus, TG_PT_POOL, TG_PT_POOL_END);
    for (uint64_t pa = 0; pa < TG_RAM_SIZE; pa += 4096)
        if (pa >= 0x1000)  /* page 0 stays unmapped: null pointers fault */
            tg_map(t, pa, pa, PTE_W);

    /* Every vector: an interrupt gate to a `hlt` stub. */
    uint8_t stubs[4096];
    memset(stubs, 0xf4, sizeof stubs);
    tg_write(t, TG_HANDLERS, stubs, sizeof stubs);
    for (int v = 0; v < 256; v++)
        tg_set_gate(t, v, tg_handler(v), TG_KCODE, 0, TG_INTR_GATE, 0, true);
    tg_tss_set(t, TG_RSP0_TOP, TG_IST1_TOP);

    struct cpu *cpu = t->cpu;
    cpu->hooks.opaque = t;
    cpu->hooks.exception = tg_exception_hook;
    cpu->hooks.intr_pending = tg_intr_pending;
    cpu->hooks.intr_ack = tg_intr_ack;
    cpu->hooks.m5op = tg_m5op_hook;
    t->intr_vector = 0x20;
    tg_enter(t, 0);
    return t;
}

TG_UNUSED static void tg_free(struct tg *t)
{
    cpu_free(t->cpu);
    block_cache_free(t->bus.block_cache);
    free(t->cpu);
    munmap(t->ram, TG_RAM_SIZE);
    free(t);
}

/* Consume every exception in the hook and stop the CPU there. */
TG_UNUSED static void tg_catch(struct tg *t)
{
    t->catch_exceptions = true;
}

/* Put code at physical (= identity virtual) address pa. */
TG_UNUSED static void tg_code(struct tg *t, uint64_t pa, const void *code, size_t len)
{
    tg_write(t, pa, code, len);
}

TG_UNUSED static enum cpu_exit tg_run(struct tg *t, uint64_t rip, uint64_t budget)
{
    t->cpu->s.rip = rip;
    t->cpu->s.halted = 0;
    return cpu_run(t->cpu, budget);
}

/* Continue from where the CPU stopped (clearing a halt). */
TG_UNUSED static enum cpu_exit tg_resume(struct tg *t, uint64_t budget)
{
    t->cpu->s.halted = 0;
    return cpu_run(t->cpu, budget);
}

/*
 * Direct MMU accesses with faults caught: return -1 on success or the
 * exception vector (error code in cpu->fault_error, CR2 in cpu->s.cr2).
 */
TG_UNUSED static int tg_try_read(struct cpu *cpu, uint64_t la, unsigned size, uint64_t *val)
{
    if (setjmp(cpu->fault_jmp))
        return cpu->fault_vector;
    *val = mem_read(cpu, la, size);
    return -1;
}

TG_UNUSED static int tg_try_write(struct cpu *cpu, uint64_t la, unsigned size, uint64_t val)
{
    if (setjmp(cpu->fault_jmp))
        return cpu->fault_vector;
    mem_write(cpu, la, size, val);
    return -1;
}

TG_UNUSED static int tg_try_translate(struct cpu *cpu, uint64_t la, int acc, uint64_t *pa)
{
    if (setjmp(cpu->fault_jmp))
        return cpu->fault_vector;
    *pa = mmu_translate(cpu, la, acc);
    return -1;
}

TG_UNUSED static int tg_try_write_bytes(struct cpu *cpu, uint64_t la, const void *src, unsigned n)
{
    if (setjmp(cpu->fault_jmp))
        return cpu->fault_vector;
    mem_write_bytes(cpu, la, src, n);
    return -1;
}

TG_UNUSED static int tg_try_read_bytes(struct cpu *cpu, uint64_t la, void *dst, unsigned n)
{
    if (setjmp(cpu->fault_jmp))
        return cpu->fault_vector;
    mem_read_bytes(cpu, la, dst, n);
    return -1;
}

/* Little helpers to assemble instruction bytes. */
struct tg_asm {
    uint8_t b[4096];
    size_t n;
};

TG_UNUSED static void tg_emit(struct tg_asm *a, int count, ...)
{
    va_list ap;
    va_start(ap, count);
    for (int i = 0; i < count; i++)
        a->b[a->n++] = (uint8_t)va_arg(ap, int);
    va_end(ap);
}

TG_UNUSED static void tg_emit32(struct tg_asm *a, uint32_t v)
{
    memcpy(&a->b[a->n], &v, 4);
    a->n += 4;
}

TG_UNUSED static void tg_emit64(struct tg_asm *a, uint64_t v)
{
    memcpy(&a->b[a->n], &v, 8);
    a->n += 8;
}

/* mov r64, imm64 (REX.W B8+r). */
TG_UNUSED static void tg_mov_imm64(struct tg_asm *a, int reg, uint64_t v)
{
    tg_emit(a, 2, 0x48 | (reg >= 8 ? 1 : 0), 0xb8 + (reg & 7));
    tg_emit64(a, v);
}

/* mov eax, imm32 */
TG_UNUSED static void tg_mov_eax(struct tg_asm *a, uint32_t v)
{
    tg_emit(a, 1, 0xb8);
    tg_emit32(a, v);
}

#endif
