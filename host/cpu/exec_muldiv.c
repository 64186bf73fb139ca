/*
 * exec_muldiv.c - MUL, IMUL (one, two and three operands), DIV, IDIV.
 *
 * The one-operand forms use the implicit AL/AX/EAX/RAX and AH/DX/EDX/RDX
 * (Intel SDM vol. 2, MUL/IMUL/DIV/IDIV). 64-bit products and dividends use
 * 128-bit host arithmetic. Flags are computed eagerly: CF = OF = "the upper
 * half is significant". The SDM leaves SF ZF AF PF undefined; we do what the
 * (Intel) host does: SF and PF from the low half of the result, ZF and AF
 * cleared. DIV and IDIV leave every
 * flag unchanged (all undefined) and raise #DE on a zero divisor or a
 * quotient that does not fit, before changing any register.
 */
#include "cpu/exec.h"

/* Replace all six arithmetic flags (no need to evaluate the pending lazy record first). */
static inline void flags_replace(struct cpu *cpu, uint64_t value)
{
    cpu->lf.op = LF_NONE;
    cpu->s.rflags = (cpu->s.rflags & ~(uint64_t)FL_ARITH) | value;
}

typedef unsigned __int128 u128;
typedef __int128 s128;

static inline int64_t sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - size * 8;
    return (int64_t)(v << sh) >> sh;
}

/* Source of the one-operand forms (op[0]: register or memory). */
static inline uint64_t md_src(struct cpu *cpu, const struct insn *in)
{
    const struct operand *o = &in->op[0];
    if (o->kind == OPK_GPR)
        return gpr_read(cpu, o->reg, o->size, o->hi8);
    return mem_read(cpu, op_ea(cpu, in, 0), o->size);
}

static inline void mul_flags(struct cpu *cpu, bool overflow, uint64_t low, unsigned size)
{
    flags_replace(cpu, (flags_szp(low, size) & ~(uint64_t)FL_ZF) |
                                   (overflow ? FL_CF | FL_OF : 0));
}

/* Store a double-width result in the implicit registers (AX, DX:AX, EDX:EAX, RDX:RAX). */
static inline void md_store_pair(struct cpu *cpu, unsigned size, uint64_t lo, uint64_t hi)
{
    if (size == 1) {
        gpr_write(cpu, RAX, 2, 0, (lo & 0xff) | (hi & 0xff) << 8);
    } else {
        gpr_write(cpu, RAX, size, 0, lo);
        gpr_write(cpu, RDX, size, 0, hi);
    }
}

EXEC_BODY(exec_mul)
{
    unsigned size = in->op[0].size;
    uint64_t b = md_src(cpu, in);
    uint64_t a = gpr_read(cpu, RAX, size, 0);
    uint64_t lo, hi;

    if (size == 8) {
        u128 p = (u128)a * b;
        lo = (uint64_t)p;
        hi = (uint64_t)(p >> 64);
    } else {
        uint64_t p = a * b;
        lo = p & size_mask(size);
        hi = p >> (size * 8);
    }
    md_store_pair(cpu, size, lo, hi);
    mul_flags(cpu, hi != 0, lo, size);
}
EXEC_THREADED(exec_mul)

/* Signed product of a and b at `size`; *lo gets the low half, returns the high half. */
static inline uint64_t imul_full(int64_t a, int64_t b, unsigned size, uint64_t *lo, bool *overflow)
{
    if (size == 8) {
        s128 p = (s128)a * b;
        *lo = (uint64_t)p;
        *overflow = p != (s128)(int64_t)*lo;
        return (uint64_t)((u128)p >> 64);
    }
    int64_t p = a * b;  /* |a|, |b| < 2^31: fits */
    *lo = (uint64_t)p & size_mask(size);
    *overflow = p != sext((uint64_t)p, size);
    return (uint64_t)(p >> (size * 8));
}

EXEC_BODY(exec_imul)
{
    const struct operand *d = &in->op[0];
    unsigned size = d->size;
    uint64_t lo;
    bool ovf;

    if (in->nops == 1) {
        int64_t b = sext(md_src(cpu, in), size);
        int64_t a = sext(gpr_read(cpu, RAX, size, 0), size);
        uint64_t hi = imul_full(a, b, size, &lo, &ovf);
        md_store_pair(cpu, size, lo, hi);
        mul_flags(cpu, ovf, lo, size);
        return;
    }

    /* imul r, r/m (two operands) or imul r, r/m, imm (three). */
    const struct operand *s = &in->op[1];
    uint64_t bv = s->kind == OPK_GPR ? gpr_read(cpu, s->reg, size, 0)
                                      : mem_read(cpu, op_ea(cpu, in, 1), size);
    int64_t a, b;
    if (in->nops == 3) {
        a = sext(bv, size);
        b = sext(in->op[2].imm & size_mask(size), size);
    } else {
        a = sext(gpr_read(cpu, d->reg, size, 0), size);
        b = sext(bv, size);
    }
    imul_full(a, b, size, &lo, &ovf);
    gpr_write(cpu, d->reg, size, 0, lo);
    mul_flags(cpu, ovf, lo, size);
}
EXEC_THREADED(exec_imul)

/*
 * Specialized two- and three-operand IMUL of 32/64-bit registers, chosen by
 * the decoder: register or pre-resolved memory source, flags as mul_flags().
 */
static inline __attribute__((always_inline)) bool fast_imul(struct cpu *cpu, const struct insn *in,
                                                            unsigned size, bool mem, bool three)
{
    const struct operand *s = &in->op[1];
    uint64_t bv, lo;
    bool ovf;
    if (mem) {
        const void *p = tlb_read_ptr(cpu, op_ea_fast(cpu, s), size);
        if (__builtin_expect(!p, 0))
            return false;
        bv = host_load(p, size);
    } else {
        bv = cpu->s.gpr[s->reg] & size_mask(size);
    }
    int64_t a = sext(three ? bv : cpu->s.gpr[in->op[0].reg] & size_mask(size), size);
    int64_t b = sext(three ? in->op[2].imm & size_mask(size) : bv, size);
    imul_full(a, b, size, &lo, &ovf);
    cpu->s.gpr[in->op[0].reg] = lo;   /* lo is zero-extended from `size` */
    mul_flags(cpu, ovf, lo, size);
    return true;
}

#define FAST_IMUL(name, size, mem, three)                                 \
    EXEC_FAST_BODY(name) { return fast_imul(cpu, in, size, mem, three); } \
    EXEC_FAST(name, exec_imul)
FAST_IMUL(imul_rr4, 4, false, false)
FAST_IMUL(imul_rr8, 8, false, false)
FAST_IMUL(imul_rm4, 4, true, false)
FAST_IMUL(imul_rm8, 8, true, false)
FAST_IMUL(imul_rri4, 4, false, true)
FAST_IMUL(imul_rri8, 8, false, true)
FAST_IMUL(imul_rmi4, 4, true, true)
FAST_IMUL(imul_rmi8, 8, true, true)
#undef FAST_IMUL

static exec_fn imul_select(const struct insn *in)
{
    static exec_fn const t[2][2][2] = {   /* [three][mem][size 8] */
        { { imul_rr4, imul_rr8 }, { imul_rm4, imul_rm8 } },
        { { imul_rri4, imul_rri8 }, { imul_rmi4, imul_rmi8 } },
    };
    const struct operand *d = &in->op[0], *s = &in->op[1];
    unsigned size = d->size;
    if (in->nops < 2 || (size != 4 && size != 8) || d->kind != OPK_GPR || s->size != size)
        return NULL;
    if (in->nops == 3 && in->op[2].kind != OPK_IMM)
        return NULL;
    bool mem;
    if (s->kind == OPK_GPR && !s->hi8)
        mem = false;
    else if (s->kind == OPK_MEM && s->ea_fast)
        mem = true;
    else
        return NULL;
    return t[in->nops == 3][mem][size == 8];
}

EXEC_BODY(exec_div)
{
    unsigned size = in->op[0].size;
    uint64_t d = md_src(cpu, in);
    uint64_t q, r;

    if (d == 0)
        cpu_raise(cpu, EXC_DE);
    switch (size) {
    case 1: {
        uint64_t n = cpu->s.gpr[RAX] & 0xffff;
        q = n / d;
        r = n % d;
        break;
    }
    case 2:
    case 4: {
        unsigned bits = size * 8;
        uint64_t n = (gpr_read(cpu, RDX, size, 0) << bits) | gpr_read(cpu, RAX, size, 0);
        q = n / d;
        r = n % d;
        break;
    }
    default: {
        uint64_t nh = cpu->s.gpr[RDX], nl = cpu->s.gpr[RAX];
        if (nh == 0) {
            q = nl / d;
            r = nl % d;
        } else {
            if (nh >= d)
                cpu_raise(cpu, EXC_DE);
            u128 n = (u128)nh << 64 | nl;
            q = (uint64_t)(n / d);
            r = (uint64_t)(n % d);
        }
        break;
    }
    }
    if (q > size_mask(size))
        cpu_raise(cpu, EXC_DE);
    md_store_pair(cpu, size, q, r);
}
EXEC_THREADED(exec_div)

EXEC_BODY(exec_idiv)
{
    unsigned size = in->op[0].size;
    int64_t d = sext(md_src(cpu, in), size);
    int64_t q, r;

    if (d == 0)
        cpu_raise(cpu, EXC_DE);
    if (size == 8) {
        uint64_t nh = cpu->s.gpr[RDX], nl = cpu->s.gpr[RAX];
        if (nh == (uint64_t)((int64_t)nl >> 63)) {
            /* The dividend fits in 64 bits; INT64_MIN / -1 overflows. */
            int64_t n = (int64_t)nl;
            if (n == INT64_MIN && d == -1)
                cpu_raise(cpu, EXC_DE);
            q = n / d;
            r = n % d;
        } else {
            s128 n = (s128)((u128)nh << 64 | nl);
            s128 q128, r128;
            if (d == -1) {
                /* Negate in unsigned arithmetic: -2^127 must not trap the host. */
                q128 = (s128)(0 - (u128)n);
                r128 = 0;
            } else {
                q128 = n / d;
                r128 = n % d;
            }
            if (q128 != (s128)(int64_t)q128)
                cpu_raise(cpu, EXC_DE);
            q = (int64_t)q128;
            r = (int64_t)r128;
        }
    } else {
        int64_t n;
        if (size == 1)
            n = (int16_t)cpu->s.gpr[RAX];
        else
            n = sext((gpr_read(cpu, RDX, size, 0) << (size * 8)) | gpr_read(cpu, RAX, size, 0),
                     size * 2);
        if (d == -1) {
            /* INT64_MIN / -1 would trap the host; its quotient never fits anyway. */
            q = (int64_t)(0 - (uint64_t)n);
            r = 0;
        } else {
            q = n / d;
            r = n % d;
        }
        if (q != sext((uint64_t)q, size))
            cpu_raise(cpu, EXC_DE);
    }
    md_store_pair(cpu, size, (uint64_t)q, (uint64_t)r);
}
EXEC_THREADED(exec_idiv)

void exec_muldiv_register(void)
{
    exec_register_select(ZYDIS_MNEMONIC_IMUL, imul_select);
    exec_register(ZYDIS_MNEMONIC_MUL, exec_mul);
    exec_register(ZYDIS_MNEMONIC_IMUL, exec_imul);
    exec_register(ZYDIS_MNEMONIC_DIV, exec_div);
    exec_register(ZYDIS_MNEMONIC_IDIV, exec_idiv);
}
