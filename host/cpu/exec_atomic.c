/*
 * exec_atomic.c - read-modify-write synchronization instructions: CMPXCHG
 * (all sizes), CMPXCHG8B, CMPXCHG16B, XADD (all sizes).
 *
 * The interpreter runs one instruction at a time, so LOCK needs no extra
 * work. Following the SDM, a memory destination is written whether or not
 * the comparison succeeds (with its old value on failure), so a read-only
 * page faults either way; the write happens before any register changes.
 *
 * CMPXCHG: flags as CMP accumulator, destination. On success the destination
 * gets the source; on failure the accumulator gets the destination (a 32-bit
 * accumulator write zero-extends RAX only then). A register destination is
 * written (a 32-bit one zero-extended) only on success, as the host CPU does.
 */
#include "cpu/exec.h"

EXEC_BODY(exec_cmpxchg)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    unsigned size = d->size;
    uint64_t acc = cpu->s.gpr[RAX] & size_mask(size);
    uint64_t src = gpr_read(cpu, s->reg, size, s->hi8);
    uint64_t old;

    if (d->kind == OPK_MEM) {
        uint64_t ea = op_ea(cpu, in, 0);
        old = mem_read(cpu, ea, size);
        mem_write(cpu, ea, size, old == acc ? src : old);
    } else {
        old = gpr_read(cpu, d->reg, size, d->hi8);
        if (old == acc)
            gpr_write(cpu, d->reg, size, d->hi8, src);
    }
    if (old != acc)
        gpr_write(cpu, RAX, size, 0, old);
    flags_set(cpu, LF_SUB, size, acc, old, acc - old);
}
EXEC_THREADED(exec_cmpxchg)

/* CMPXCHG8B m64: EDX:EAX against m64; on success store ECX:EBX. Only ZF changes. */
EXEC_BODY(exec_cmpxchg8b)
{
    uint64_t *g = cpu->s.gpr;
    uint64_t ea = op_ea(cpu, in, 0);
    uint64_t old = mem_read64(cpu, ea);
    uint64_t cmp = (uint32_t)g[RAX] | ((uint64_t)(uint32_t)g[RDX] << 32);
    bool eq = old == cmp;
    mem_write64(cpu, ea, eq ? ((uint32_t)g[RBX] | ((uint64_t)(uint32_t)g[RCX] << 32)) : old);
    if (!eq) {
        g[RAX] = (uint32_t)old;
        g[RDX] = old >> 32;
    }
    flags_write(cpu, FL_ZF, eq ? FL_ZF : 0);
}
EXEC_THREADED(exec_cmpxchg8b)

/* CMPXCHG16B m128: RDX:RAX against m128 (16-byte aligned or #GP(0)); on success store RCX:RBX. */
EXEC_BODY(exec_cmpxchg16b)
{
    uint64_t *g = cpu->s.gpr;
    uint64_t ea = op_ea(cpu, in, 0);
    if (ea & 15)
        cpu_raise_gp0(cpu);
    uint64_t lo = mem_read64(cpu, ea), hi = mem_read64(cpu, ea + 8);
    bool eq = lo == g[RAX] && hi == g[RDX];
    /* Aligned: both halves are in one page, so the first store faults if the second would. */
    if (eq) {
        mem_write64(cpu, ea, g[RBX]);
        mem_write64(cpu, ea + 8, g[RCX]);
    } else {
        mem_write64(cpu, ea, lo);
        mem_write64(cpu, ea + 8, hi);
        g[RAX] = lo;
        g[RDX] = hi;
    }
    flags_write(cpu, FL_ZF, eq ? FL_ZF : 0);
}
EXEC_THREADED(exec_cmpxchg16b)

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (the destination wins if both are one register). */
EXEC_BODY(exec_xadd)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    unsigned size = d->size;
    uint64_t b = gpr_read(cpu, s->reg, size, s->hi8);
    uint64_t a, r;

    if (d->kind == OPK_MEM) {
        uint64_t ea = op_ea(cpu, in, 0);
        a = mem_read(cpu, ea, size);
        r = a + b;
        mem_write(cpu, ea, size, r);
        gpr_write(cpu, s->reg, size, s->hi8, a);
    } else {
        a = gpr_read(cpu, d->reg, size, d->hi8);
        r = a + b;
        gpr_write(cpu, s->reg, size, s->hi8, a);
        gpr_write(cpu, d->reg, size, d->hi8, r);
    }
    flags_set(cpu, LF_ADD, size, a, b, r);
}
EXEC_THREADED(exec_xadd)

void exec_atomic_register(void)
{
    exec_register(ZYDIS_MNEMONIC_CMPXCHG, exec_cmpxchg);
    exec_register(ZYDIS_MNEMONIC_CMPXCHG8B, exec_cmpxchg8b);
    exec_register(ZYDIS_MNEMONIC_CMPXCHG16B, exec_cmpxchg16b);
    exec_register(ZYDIS_MNEMONIC_XADD, exec_xadd);
}
