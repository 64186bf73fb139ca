/*
 * exec_sse_mov.c - SSE/SSE2 data movement.
 *
 * MOVAPS MOVAPD MOVDQA MOVNTPS MOVNTPD MOVNTDQ (16-byte aligned memory, else
 * #GP(0)), MOVUPS MOVUPD MOVDQU, MOVSS MOVSD (scalar: a load zeroes the rest
 * of the register, a register move keeps it), MOVLPS MOVLPD MOVHPS MOVHPD
 * MOVHLPS MOVLHPS, MOVD MOVQ (XMM, MMX, general register and memory forms),
 * MOVQ2DQ MOVDQ2Q, MOVNTI MOVNTQ, MOVMSKPS MOVMSKPD PMOVMSKB, MASKMOVDQU
 * MASKMOVQ, EMMS, and the prefetch hints (no-ops).
 *
 * Non-temporal hints change nothing in an interpreter without caches.
 */
#include "cpu/sse.h"

static inline uint64_t xmm_lo64(const struct cpu *cpu, unsigned r)
{
    uint64_t v;
    memcpy(&v, cpu->s.fx.xmm[r], 8);
    return v;
}

static inline uint64_t xmm_hi64(const struct cpu *cpu, unsigned r)
{
    uint64_t v;
    memcpy(&v, cpu->s.fx.xmm[r] + 8, 8);
    return v;
}

static inline uint32_t xmm_lo32(const struct cpu *cpu, unsigned r)
{
    uint32_t v;
    memcpy(&v, cpu->s.fx.xmm[r], 4);
    return v;
}

/* ------------------------------------------------------ full registers -- */

static inline __attribute__((always_inline)) void mov128(struct cpu *cpu, const struct insn *in,
                                                         bool unaligned)
{
    const struct operand *d = &in->op[0];
    sse_check(cpu);
    union xmm v = sse_src(cpu, in, 1, 16, unaligned);
    if (d->kind == OPK_XMM) {
        xmm_set(cpu, d->reg, &v);
        return;
    }
    sse_store128(cpu, unaligned ? op_ea(cpu, in, 0) : sse_ea_aligned(cpu, in, 0), &v);
}

/* MOVAPS MOVAPD MOVDQA MOVNTPS MOVNTPD MOVNTDQ */
EXEC_BODY(exec_mov_aligned)
{
    mov128(cpu, in, false);
}
EXEC_THREADED(exec_mov_aligned)

/* MOVUPS MOVUPD MOVDQU */
EXEC_BODY(exec_mov_unaligned)
{
    mov128(cpu, in, true);
}
EXEC_THREADED(exec_mov_unaligned)

/* ------------------------------------------------------------- scalars -- */

EXEC_BODY(exec_movss)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    sse_check(cpu);
    if (d->kind == OPK_MEM) {
        mem_write32(cpu, op_ea(cpu, in, 0), xmm_lo32(cpu, s->reg));
    } else if (s->kind == OPK_MEM) {
        union xmm v = { .q = { 0, 0 } };
        v.d[0] = mem_read32(cpu, op_ea(cpu, in, 1));
        xmm_set(cpu, d->reg, &v);
    } else {
        memcpy(cpu->s.fx.xmm[d->reg], cpu->s.fx.xmm[s->reg], 4);
    }
}
EXEC_THREADED(exec_movss)

/* MOVSD is also the string instruction (no visible operands): that one belongs to exec_string.c. */
static exec_fn string_movsd = exec_unimplemented;

EXEC_BODY(exec_movsd)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    if (in->nops == 0) {
        string_movsd(cpu, in);
        return;
    }
    sse_check(cpu);
    if (d->kind == OPK_MEM) {
        mem_write64(cpu, op_ea(cpu, in, 0), xmm_lo64(cpu, s->reg));
    } else if (s->kind == OPK_MEM) {
        union xmm v = { .q = { mem_read64(cpu, op_ea(cpu, in, 1)), 0 } };
        xmm_set(cpu, d->reg, &v);
    } else {
        memcpy(cpu->s.fx.xmm[d->reg], cpu->s.fx.xmm[s->reg], 8);
    }
}
EXEC_THREADED(exec_movsd)

/* MOVLPS MOVLPD: the low quadword from or to memory. */
EXEC_BODY(exec_movlp)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    sse_check(cpu);
    if (d->kind == OPK_MEM) {
        mem_write64(cpu, op_ea(cpu, in, 0), xmm_lo64(cpu, s->reg));
    } else {
        uint64_t v = mem_read64(cpu, op_ea(cpu, in, 1));
        memcpy(cpu->s.fx.xmm[d->reg], &v, 8);
    }
}
EXEC_THREADED(exec_movlp)

/* MOVHPS MOVHPD: the high quadword from or to memory. */
EXEC_BODY(exec_movhp)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    sse_check(cpu);
    if (d->kind == OPK_MEM) {
        mem_write64(cpu, op_ea(cpu, in, 0), xmm_hi64(cpu, s->reg));
    } else {
        uint64_t v = mem_read64(cpu, op_ea(cpu, in, 1));
        memcpy(cpu->s.fx.xmm[d->reg] + 8, &v, 8);
    }
}
EXEC_THREADED(exec_movhp)

/* MOVHLPS: low quadword of dst = high quadword of src. */
EXEC_BODY(exec_movhlps)
{
    sse_check(cpu);
    uint64_t v = xmm_hi64(cpu, in->op[1].reg);
    memcpy(cpu->s.fx.xmm[in->op[0].reg], &v, 8);
}
EXEC_THREADED(exec_movhlps)

/* MOVLHPS: high quadword of dst = low quadword of src. */
EXEC_BODY(exec_movlhps)
{
    sse_check(cpu);
    uint64_t v = xmm_lo64(cpu, in->op[1].reg);
    memcpy(cpu->s.fx.xmm[in->op[0].reg] + 8, &v, 8);
}
EXEC_THREADED(exec_movlhps)

/* ------------------------------------------------------------ MOVD/MOVQ -- */

/*
 * MOVD (width 4) and MOVQ (width 8) between any two of XMM, MMX, general
 * register and memory. A value written to XMM or MMX is zero-extended.
 */
static inline __attribute__((always_inline)) void movdq(struct cpu *cpu, const struct insn *in,
                                                        unsigned width)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    bool mmx = d->kind == OPK_MMX || s->kind == OPK_MMX;
    uint64_t v;

    if (mmx)
        mmx_check(cpu);
    if (d->kind == OPK_XMM || s->kind == OPK_XMM)
        sse_check(cpu);
    switch (s->kind) {
    case OPK_XMM: v = xmm_lo64(cpu, s->reg); break;
    case OPK_MMX: v = mmx_get(cpu, s->reg); break;
    case OPK_GPR: v = gpr_read(cpu, s->reg, width, 0); break;
    default: v = mem_read(cpu, op_ea(cpu, in, 1), width); break;
    }
    if (width == 4)
        v = (uint32_t)v;
    if (d->kind == OPK_MEM)
        mem_write(cpu, op_ea(cpu, in, 0), width, v);
    if (mmx)
        mmx_enter(cpu);
    switch (d->kind) {
    case OPK_XMM: {
        union xmm x = { .q = { v, 0 } };
        xmm_set(cpu, d->reg, &x);
        break;
    }
    case OPK_MMX: mmx_set(cpu, d->reg, v); break;
    case OPK_GPR: gpr_write(cpu, d->reg, width, 0, v); break;
    default: break;
    }
}

EXEC_BODY(exec_movd)
{
    movdq(cpu, in, 4);
}
EXEC_THREADED(exec_movd)

EXEC_BODY(exec_movq)
{
    movdq(cpu, in, 8);
}
EXEC_THREADED(exec_movq)

/* MOVQ2DQ xmm, mm */
EXEC_BODY(exec_movq2dq)
{
    mmx_check(cpu);
    sse_check(cpu);
    union xmm x = { .q = { mmx_get(cpu, in->op[1].reg), 0 } };
    mmx_enter(cpu);
    xmm_set(cpu, in->op[0].reg, &x);
}
EXEC_THREADED(exec_movq2dq)

/* MOVDQ2Q mm, xmm */
EXEC_BODY(exec_movdq2q)
{
    mmx_check(cpu);
    sse_check(cpu);
    uint64_t v = xmm_lo64(cpu, in->op[1].reg);
    mmx_enter(cpu);
    mmx_set(cpu, in->op[0].reg, v);
}
EXEC_THREADED(exec_movdq2q)

/* ------------------------------------------------------ other stores -- */

/* MOVNTI m32/m64, r32/r64 */
EXEC_BODY(exec_movnti)
{
    op_write(cpu, in, 0, op_read(cpu, in, 1));
}
EXEC_THREADED(exec_movnti)

/* MOVNTQ m64, mm */
EXEC_BODY(exec_movntq)
{
    mmx_check(cpu);
    mem_write64(cpu, op_ea(cpu, in, 0), mmx_get(cpu, in->op[1].reg));
    mmx_enter(cpu);
}
EXEC_THREADED(exec_movntq)

/*
 * MASKMOVDQU / MASKMOVQ: store the bytes of op0 whose mask byte (op1) has its
 * top bit set to DS:[RDI] (EDI with a 32-bit address size). All selected bytes
 * are checked for faults before the first is written; with an all-zero mask
 * nothing is accessed. An FS/GS override of the implicit operand is not
 * honoured (struct insn does not carry it for hidden operands).
 */
static void maskmov(struct cpu *cpu, const struct insn *in, const uint8_t *data,
                    const uint8_t *mask, unsigned n)
{
    uint64_t la = cpu->s.gpr[RDI];
    int first = -1, last = -1;
    if (in->addrsize == 4)
        la = (uint32_t)la;
    for (unsigned i = 0; i < n; i++) {
        if (mask[i] & 0x80) {
            if (first < 0)
                first = (int)i;
            last = (int)i;
        }
    }
    if (first < 0)
        return;
    mem_check_write(cpu, la + (unsigned)first, (unsigned)(last - first + 1));
    for (unsigned i = (unsigned)first; i <= (unsigned)last; i++)
        if (mask[i] & 0x80)
            mem_write8(cpu, la + i, data[i]);
}

EXEC_BODY(exec_maskmovdqu)
{
    sse_check(cpu);
    union xmm data = xmm_get(cpu, in->op[0].reg), mask = xmm_get(cpu, in->op[1].reg);
    maskmov(cpu, in, data.b, mask.b, 16);
}
EXEC_THREADED(exec_maskmovdqu)

EXEC_BODY(exec_maskmovq)
{
    mmx_check(cpu);
    uint64_t data = mmx_get(cpu, in->op[0].reg), mask = mmx_get(cpu, in->op[1].reg);
    maskmov(cpu, in, (const uint8_t *)&data, (const uint8_t *)&mask, 8);
    mmx_enter(cpu);
}
EXEC_THREADED(exec_maskmovq)

/* ----------------------------------------------------------- sign masks -- */

EXEC_BODY(exec_movmskps)
{
    sse_check(cpu);
    union xmm s = xmm_get(cpu, in->op[1].reg);
    uint64_t m = 0;
    for (unsigned i = 0; i < 4; i++)
        m |= (uint64_t)(s.d[i] >> 31) << i;
    gpr_write(cpu, in->op[0].reg, in->op[0].size, 0, m);
}
EXEC_THREADED(exec_movmskps)

EXEC_BODY(exec_movmskpd)
{
    sse_check(cpu);
    union xmm s = xmm_get(cpu, in->op[1].reg);
    uint64_t m = (s.q[0] >> 63) | (s.q[1] >> 63) << 1;
    gpr_write(cpu, in->op[0].reg, in->op[0].size, 0, m);
}
EXEC_THREADED(exec_movmskpd)

/* The top bits of the 8 bytes of q, byte 0's in bit 0 (one multiply gathers them in the top byte). */
static inline unsigned byte_signs(uint64_t q)
{
    return (unsigned)(((q & 0x8080808080808080ull) * 0x0002040810204081ull) >> 56);
}

/* PMOVMSKB r32/r64, xmm|mm: the top bit of every byte. */
EXEC_BODY(exec_pmovmskb)
{
    const struct operand *s = &in->op[1];
    uint64_t m;
    if (s->kind == OPK_MMX) {
        mmx_check(cpu);
        m = byte_signs(mmx_get(cpu, s->reg));
        mmx_enter(cpu);
    } else {
        sse_check(cpu);
        m = byte_signs(xmm_lo64(cpu, s->reg)) | byte_signs(xmm_hi64(cpu, s->reg)) << 8;
    }
    gpr_write(cpu, in->op[0].reg, in->op[0].size, 0, m);
}
EXEC_THREADED(exec_pmovmskb)

/* ---------------------------------------------------------------- misc -- */

/* EMMS: every x87 register empty, and TOP = 0 as after any MMX instruction. */
EXEC_BODY(exec_emms)
{
    (void)in;
    mmx_check(cpu);
    mmx_enter(cpu);
    cpu->s.fx.ftw = 0;
}
EXEC_THREADED(exec_emms)

/*
 * PREFETCHNTA/T0/T1/T2, and PREFETCH/PREFETCHW (0F 0D, a NOP on CPUs that do
 * not advertise them): hints that never fault.
 */
EXEC_BODY(exec_prefetch)
{
    (void)cpu;
    (void)in;
}
EXEC_THREADED(exec_prefetch)

void exec_sse_mov_register(void)
{
    exec_fn prev = exec_lookup(ZYDIS_MNEMONIC_MOVSD);
    if (prev != exec_movsd)
        string_movsd = prev;

    exec_register(ZYDIS_MNEMONIC_MOVAPS, exec_mov_aligned);
    exec_register(ZYDIS_MNEMONIC_MOVAPD, exec_mov_aligned);
    exec_register(ZYDIS_MNEMONIC_MOVDQA, exec_mov_aligned);
    exec_register(ZYDIS_MNEMONIC_MOVNTPS, exec_mov_aligned);
    exec_register(ZYDIS_MNEMONIC_MOVNTPD, exec_mov_aligned);
    exec_register(ZYDIS_MNEMONIC_MOVNTDQ, exec_mov_aligned);
    exec_register(ZYDIS_MNEMONIC_MOVUPS, exec_mov_unaligned);
    exec_register(ZYDIS_MNEMONIC_MOVUPD, exec_mov_unaligned);
    exec_register(ZYDIS_MNEMONIC_MOVDQU, exec_mov_unaligned);
    exec_register(ZYDIS_MNEMONIC_MOVSS, exec_movss);
    exec_register(ZYDIS_MNEMONIC_MOVSD, exec_movsd);
    exec_register(ZYDIS_MNEMONIC_MOVLPS, exec_movlp);
    exec_register(ZYDIS_MNEMONIC_MOVLPD, exec_movlp);
    exec_register(ZYDIS_MNEMONIC_MOVHPS, exec_movhp);
    exec_register(ZYDIS_MNEMONIC_MOVHPD, exec_movhp);
    exec_register(ZYDIS_MNEMONIC_MOVHLPS, exec_movhlps);
    exec_register(ZYDIS_MNEMONIC_MOVLHPS, exec_movlhps);
    exec_register(ZYDIS_MNEMONIC_MOVD, exec_movd);
    exec_register(ZYDIS_MNEMONIC_MOVQ, exec_movq);
    exec_register(ZYDIS_MNEMONIC_MOVQ2DQ, exec_movq2dq);
    exec_register(ZYDIS_MNEMONIC_MOVDQ2Q, exec_movdq2q);
    exec_register(ZYDIS_MNEMONIC_MOVNTI, exec_movnti);
    exec_register(ZYDIS_MNEMONIC_MOVNTQ, exec_movntq);
    exec_register(ZYDIS_MNEMONIC_MASKMOVDQU, exec_maskmovdqu);
    exec_register(ZYDIS_MNEMONIC_MASKMOVQ, exec_maskmovq);
    exec_register(ZYDIS_MNEMONIC_MOVMSKPS, exec_movmskps);
    exec_register(ZYDIS_MNEMONIC_MOVMSKPD, exec_movmskpd);
    exec_register(ZYDIS_MNEMONIC_PMOVMSKB, exec_pmovmskb);
    exec_register(ZYDIS_MNEMONIC_EMMS, exec_emms);
    exec_register(ZYDIS_MNEMONIC_PREFETCHNTA, exec_prefetch);
    exec_register(ZYDIS_MNEMONIC_PREFETCHT0, exec_prefetch);
    exec_register(ZYDIS_MNEMONIC_PREFETCHT1, exec_prefetch);
    exec_register(ZYDIS_MNEMONIC_PREFETCHT2, exec_prefetch);
    exec_register(ZYDIS_MNEMONIC_PREFETCH, exec_prefetch);
    exec_register(ZYDIS_MNEMONIC_PREFETCHW, exec_prefetch);
}
