/*
 * exec_sse_int.c - packed integer SIMD (SSE2 on XMM registers, and the same
 * mnemonics on MMX registers).
 *
 * PADD/PSUB B W D Q, PADDS/PSUBS B W, PADDUS/PSUBUS B W, PMULLW PMULHW
 * PMULHUW PMULUDQ PMADDWD PSADBW PAVGB PAVGW PMINUB PMAXUB PMINSW PMAXSW,
 * PCMPEQ/PCMPGT B W D, PAND PANDN POR PXOR, shifts PSLL/PSRL W D Q and PSRA W
 * D by an immediate or by a register/memory count, PSLLDQ PSRLDQ, PSHUFD
 * PSHUFLW PSHUFHW PSHUFW, PUNPCKL/H BW WD DQ QDQ, PACKSSWB PACKSSDW
 * PACKUSWB, PEXTRW PINSRW.
 *
 * Every handler works on a 128-bit value: an MMX operand occupies the low 64
 * bits (the upper half is zero and ignored), so lane-wise code serves both.
 * XMM memory operands are 16 bytes and must be aligned; MMX memory operands
 * are 8 bytes (4 for the unpack-low forms) with no alignment rule.
 */
#include "cpu/sse.h"

/*
 * Destination (op0) and source (op1) of a two-operand instruction. Returns the
 * register width in bytes: 16 (XMM) or 8 (MMX, which enters MMX mode here,
 * after the only access that can fault).
 */
static inline __attribute__((always_inline)) unsigned
pi_load(struct cpu *cpu, const struct insn *in, union xmm *d, union xmm *s)
{
    if (in->op[0].kind == OPK_XMM) {
        sse_check(cpu);
        *s = sse_src(cpu, in, 1, 16, false);
        *d = xmm_get(cpu, in->op[0].reg);
        return 16;
    }
    mmx_check(cpu);
    s->q[0] = mmx_src(cpu, in, 1);
    s->q[1] = 0;
    mmx_enter(cpu);
    d->q[0] = mmx_get(cpu, in->op[0].reg);
    d->q[1] = 0;
    return 8;
}

static inline void pi_store(struct cpu *cpu, const struct insn *in, const union xmm *r)
{
    if (in->op[0].kind == OPK_XMM)
        xmm_set(cpu, in->op[0].reg, r);
    else
        mmx_set(cpu, in->op[0].reg, r->q[0]);
}

static inline int8_t sat8(int v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static inline uint8_t satu8(int v) { return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v); }
static inline int16_t sat16(int32_t v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
static inline uint16_t satu16(int32_t v) { return (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v); }

/* dst.lane[i] = expr for every lane of a 128-bit value (MMX uses the low half). */
#define PI_OP(name, lane, expr)                                                 \
    EXEC_BODY(exec_##name)                                                      \
    {                                                                           \
        union xmm d, s;                                                         \
        pi_load(cpu, in, &d, &s);                                               \
        for (unsigned i = 0; i < sizeof d / sizeof d.lane[0]; i++)              \
            d.lane[i] = (expr);                                                 \
        pi_store(cpu, in, &d);                                                  \
    }                                                                           \
    EXEC_THREADED(exec_##name)

/* ----------------------------------------------------------- arithmetic -- */

PI_OP(paddb, b, (uint8_t)(d.b[i] + s.b[i]))
PI_OP(paddw, w, (uint16_t)(d.w[i] + s.w[i]))
PI_OP(paddd, d, d.d[i] + s.d[i])
PI_OP(paddq, q, d.q[i] + s.q[i])
PI_OP(psubb, b, (uint8_t)(d.b[i] - s.b[i]))
PI_OP(psubw, w, (uint16_t)(d.w[i] - s.w[i]))
PI_OP(psubd, d, d.d[i] - s.d[i])
PI_OP(psubq, q, d.q[i] - s.q[i])
PI_OP(paddsb, sb, sat8(d.sb[i] + s.sb[i]))
PI_OP(paddsw, sw, sat16(d.sw[i] + s.sw[i]))
PI_OP(psubsb, sb, sat8(d.sb[i] - s.sb[i]))
PI_OP(psubsw, sw, sat16(d.sw[i] - s.sw[i]))
PI_OP(paddusb, b, satu8(d.b[i] + s.b[i]))
PI_OP(paddusw, w, satu16(d.w[i] + s.w[i]))
PI_OP(psubusb, b, satu8(d.b[i] - s.b[i]))
PI_OP(psubusw, w, satu16(d.w[i] - s.w[i]))
PI_OP(pmullw, w, (uint16_t)((uint32_t)d.w[i] * s.w[i]))
PI_OP(pmulhw, sw, (int16_t)(((int32_t)d.sw[i] * s.sw[i]) >> 16))
PI_OP(pmulhuw, w, (uint16_t)(((uint32_t)d.w[i] * s.w[i]) >> 16))
/* Even doublewords multiplied into quadwords. */
PI_OP(pmuludq, q, (uint64_t)d.d[2 * i] * s.d[2 * i])
/* Adjacent signed word products summed into doublewords (wraps only for 4 x -32768). */
PI_OP(pmaddwd, d, (uint32_t)(d.sw[2 * i] * s.sw[2 * i]) + (uint32_t)(d.sw[2 * i + 1] * s.sw[2 * i + 1]))
PI_OP(pavgb, b, (uint8_t)((d.b[i] + s.b[i] + 1) >> 1))
PI_OP(pavgw, w, (uint16_t)((d.w[i] + s.w[i] + 1) >> 1))
PI_OP(pminub, b, d.b[i] < s.b[i] ? d.b[i] : s.b[i])
PI_OP(pmaxub, b, d.b[i] > s.b[i] ? d.b[i] : s.b[i])
PI_OP(pminsw, sw, d.sw[i] < s.sw[i] ? d.sw[i] : s.sw[i])
PI_OP(pmaxsw, sw, d.sw[i] > s.sw[i] ? d.sw[i] : s.sw[i])

/* PSADBW: sum of absolute byte differences per 8-byte group, in the group's low word. */
EXEC_BODY(exec_psadbw)
{
    union xmm d, s;
    pi_load(cpu, in, &d, &s);
    for (unsigned g = 0; g < 2; g++) {
        unsigned sum = 0;
        for (unsigned i = 8 * g; i < 8 * g + 8; i++)
            sum += d.b[i] > s.b[i] ? d.b[i] - s.b[i] : s.b[i] - d.b[i];
        d.q[g] = sum;
    }
    pi_store(cpu, in, &d);
}
EXEC_THREADED(exec_psadbw)

/* -------------------------------------------------------- compare, logic -- */

PI_OP(pcmpeqb, b, d.b[i] == s.b[i] ? 0xff : 0)
PI_OP(pcmpeqw, w, d.w[i] == s.w[i] ? 0xffff : 0)
PI_OP(pcmpeqd, d, d.d[i] == s.d[i] ? ~0u : 0)
PI_OP(pcmpgtb, sb, d.sb[i] > s.sb[i] ? -1 : 0)
PI_OP(pcmpgtw, sw, d.sw[i] > s.sw[i] ? -1 : 0)
PI_OP(pcmpgtd, sd, d.sd[i] > s.sd[i] ? -1 : 0)
PI_OP(pand, q, d.q[i] & s.q[i])
PI_OP(pandn, q, ~d.q[i] & s.q[i])
PI_OP(por, q, d.q[i] | s.q[i])
PI_OP(pxor, q, d.q[i] ^ s.q[i])

/* ---------------------------------------------------------------- shifts -- */

/*
 * Destination (op0) and shift count of PSLL/PSRL/PSRA: an immediate, or the
 * whole low quadword of an XMM/MMX register or memory operand.
 */
static inline __attribute__((always_inline)) void
pi_shift_load(struct cpu *cpu, const struct insn *in, union xmm *d, uint64_t *count)
{
    const struct operand *c = &in->op[1];
    if (in->op[0].kind == OPK_XMM) {
        sse_check(cpu);
        *count = c->kind == OPK_IMM ? (c->imm & 0xff) : sse_src(cpu, in, 1, 16, false).q[0];
        *d = xmm_get(cpu, in->op[0].reg);
        return;
    }
    mmx_check(cpu);
    *count = c->kind == OPK_IMM ? (c->imm & 0xff) : mmx_src(cpu, in, 1);
    mmx_enter(cpu);
    d->q[0] = mmx_get(cpu, in->op[0].reg);
    d->q[1] = 0;
}

/* Logical shifts: counts past the lane width clear it. Arithmetic: they fill it with the sign. */
#define PI_SHIFT(name, lane, bits, expr)                                        \
    EXEC_BODY(exec_##name)                                                      \
    {                                                                           \
        union xmm d;                                                            \
        uint64_t count;                                                         \
        pi_shift_load(cpu, in, &d, &count);                                     \
        if (count > (bits) - 1 && (name##_logical)) {                           \
            d.q[0] = d.q[1] = 0;                                                \
        } else {                                                                \
            unsigned n = count > (bits) - 1 ? (bits) - 1 : (unsigned)count;     \
            for (unsigned i = 0; i < sizeof d / sizeof d.lane[0]; i++)          \
                d.lane[i] = (expr);                                             \
        }                                                                       \
        pi_store(cpu, in, &d);                                                  \
    }                                                                           \
    EXEC_THREADED(exec_##name)

enum {
    psllw_logical = 1, pslld_logical = 1, psllq_logical = 1,
    psrlw_logical = 1, psrld_logical = 1, psrlq_logical = 1,
    psraw_logical = 0, psrad_logical = 0,
};

PI_SHIFT(psllw, w, 16, (uint16_t)(d.w[i] << n))
PI_SHIFT(pslld, d, 32, d.d[i] << n)
PI_SHIFT(psllq, q, 64, d.q[i] << n)
PI_SHIFT(psrlw, w, 16, (uint16_t)(d.w[i] >> n))
PI_SHIFT(psrld, d, 32, d.d[i] >> n)
PI_SHIFT(psrlq, q, 64, d.q[i] >> n)
PI_SHIFT(psraw, sw, 16, (int16_t)(d.sw[i] >> n))
PI_SHIFT(psrad, sd, 32, d.sd[i] >> n)

/* PSLLDQ / PSRLDQ xmm, imm8: whole-register byte shifts. */
EXEC_BODY(exec_pslldq)
{
    sse_check(cpu);
    unsigned n = (unsigned)(in->op[1].imm & 0xff);
    union xmm d = xmm_get(cpu, in->op[0].reg), r = { .q = { 0, 0 } };
    if (n < 16)
        memcpy(r.b + n, d.b, 16 - n);
    xmm_set(cpu, in->op[0].reg, &r);
}
EXEC_THREADED(exec_pslldq)

EXEC_BODY(exec_psrldq)
{
    sse_check(cpu);
    unsigned n = (unsigned)(in->op[1].imm & 0xff);
    union xmm d = xmm_get(cpu, in->op[0].reg), r = { .q = { 0, 0 } };
    if (n < 16)
        memcpy(r.b, d.b + n, 16 - n);
    xmm_set(cpu, in->op[0].reg, &r);
}
EXEC_THREADED(exec_psrldq)

/* ------------------------------------------------------------- shuffles -- */

EXEC_BODY(exec_pshufd)
{
    sse_check(cpu);
    union xmm s = sse_src(cpu, in, 1, 16, false), r;
    unsigned imm = (unsigned)in->op[2].imm;
    for (unsigned i = 0; i < 4; i++)
        r.d[i] = s.d[(imm >> (2 * i)) & 3];
    xmm_set(cpu, in->op[0].reg, &r);
}
EXEC_THREADED(exec_pshufd)

EXEC_BODY(exec_pshuflw)
{
    sse_check(cpu);
    union xmm s = sse_src(cpu, in, 1, 16, false), r = s;
    unsigned imm = (unsigned)in->op[2].imm;
    for (unsigned i = 0; i < 4; i++)
        r.w[i] = s.w[(imm >> (2 * i)) & 3];
    xmm_set(cpu, in->op[0].reg, &r);
}
EXEC_THREADED(exec_pshuflw)

EXEC_BODY(exec_pshufhw)
{
    sse_check(cpu);
    union xmm s = sse_src(cpu, in, 1, 16, false), r = s;
    unsigned imm = (unsigned)in->op[2].imm;
    for (unsigned i = 0; i < 4; i++)
        r.w[4 + i] = s.w[4 + ((imm >> (2 * i)) & 3)];
    xmm_set(cpu, in->op[0].reg, &r);
}
EXEC_THREADED(exec_pshufhw)

/* PSHUFW mm, mm/m64, imm8 */
EXEC_BODY(exec_pshufw)
{
    mmx_check(cpu);
    union xmm s = { .q = { mmx_src(cpu, in, 1), 0 } }, r;
    unsigned imm = (unsigned)in->op[2].imm;
    for (unsigned i = 0; i < 4; i++)
        r.w[i] = s.w[(imm >> (2 * i)) & 3];
    mmx_enter(cpu);
    mmx_set(cpu, in->op[0].reg, r.q[0]);
}
EXEC_THREADED(exec_pshufw)

/* ------------------------------------------------------- unpack and pack -- */

/*
 * PUNPCKL/H: interleave `lane`-byte elements from the low (or high) half of
 * dst and src: dst0 src0 dst1 src1 ...
 */
static inline __attribute__((always_inline)) void punpck(struct cpu *cpu, const struct insn *in,
                                                         unsigned lane, bool high)
{
    union xmm d, s, r;
    unsigned half = pi_load(cpu, in, &d, &s) / 2;
    unsigned base = high ? half : 0;
    for (unsigned i = 0; i < half / lane; i++) {
        memcpy(&r.b[2 * i * lane], &d.b[base + i * lane], lane);
        memcpy(&r.b[(2 * i + 1) * lane], &s.b[base + i * lane], lane);
    }
    pi_store(cpu, in, &r);
}

EXEC_BODY(exec_punpcklbw) { punpck(cpu, in, 1, false); }
EXEC_THREADED(exec_punpcklbw)
EXEC_BODY(exec_punpcklwd) { punpck(cpu, in, 2, false); }
EXEC_THREADED(exec_punpcklwd)
EXEC_BODY(exec_punpckldq) { punpck(cpu, in, 4, false); }
EXEC_THREADED(exec_punpckldq)
EXEC_BODY(exec_punpcklqdq) { punpck(cpu, in, 8, false); }
EXEC_THREADED(exec_punpcklqdq)
EXEC_BODY(exec_punpckhbw) { punpck(cpu, in, 1, true); }
EXEC_THREADED(exec_punpckhbw)
EXEC_BODY(exec_punpckhwd) { punpck(cpu, in, 2, true); }
EXEC_THREADED(exec_punpckhwd)
EXEC_BODY(exec_punpckhdq) { punpck(cpu, in, 4, true); }
EXEC_THREADED(exec_punpckhdq)
EXEC_BODY(exec_punpckhqdq) { punpck(cpu, in, 8, true); }
EXEC_THREADED(exec_punpckhqdq)

/* PACKSSWB / PACKUSWB: the words of dst then src, saturated to bytes. */
EXEC_BODY(exec_packsswb)
{
    union xmm d, s, r = { .q = { 0, 0 } };
    unsigned k = pi_load(cpu, in, &d, &s) / 2;
    for (unsigned i = 0; i < k; i++) {
        r.sb[i] = sat8(d.sw[i]);
        r.sb[k + i] = sat8(s.sw[i]);
    }
    pi_store(cpu, in, &r);
}
EXEC_THREADED(exec_packsswb)

EXEC_BODY(exec_packuswb)
{
    union xmm d, s, r = { .q = { 0, 0 } };
    unsigned k = pi_load(cpu, in, &d, &s) / 2;
    for (unsigned i = 0; i < k; i++) {
        r.b[i] = satu8(d.sw[i]);
        r.b[k + i] = satu8(s.sw[i]);
    }
    pi_store(cpu, in, &r);
}
EXEC_THREADED(exec_packuswb)

/* PACKSSDW: the doublewords of dst then src, saturated to words. */
EXEC_BODY(exec_packssdw)
{
    union xmm d, s, r = { .q = { 0, 0 } };
    unsigned k = pi_load(cpu, in, &d, &s) / 4;
    for (unsigned i = 0; i < k; i++) {
        r.sw[i] = sat16(d.sd[i]);
        r.sw[k + i] = sat16(s.sd[i]);
    }
    pi_store(cpu, in, &r);
}
EXEC_THREADED(exec_packssdw)

/* ----------------------------------------------------- word insert/extract -- */

/* PEXTRW r32/r64, xmm|mm, imm8: the selected word, zero-extended. */
EXEC_BODY(exec_pextrw)
{
    const struct operand *s = &in->op[1];
    unsigned imm = (unsigned)in->op[2].imm;
    union xmm v;
    if (s->kind == OPK_XMM) {
        sse_check(cpu);
        v = xmm_get(cpu, s->reg);
        imm &= 7;
    } else {
        mmx_check(cpu);
        v.q[0] = mmx_get(cpu, s->reg);
        imm &= 3;
        mmx_enter(cpu);
    }
    gpr_write(cpu, in->op[0].reg, in->op[0].size, 0, v.w[imm]);
}
EXEC_THREADED(exec_pextrw)

/* PINSRW xmm|mm, r32/m16, imm8: replace the selected word. */
EXEC_BODY(exec_pinsrw)
{
    const struct operand *d = &in->op[0];
    unsigned imm = (unsigned)in->op[2].imm;
    uint16_t w;
    if (d->kind == OPK_XMM) {
        sse_check(cpu);
        w = (uint16_t)op_read(cpu, in, 1);
        union xmm v = xmm_get(cpu, d->reg);
        v.w[imm & 7] = w;
        xmm_set(cpu, d->reg, &v);
    } else {
        mmx_check(cpu);
        w = (uint16_t)op_read(cpu, in, 1);
        mmx_enter(cpu);
        union xmm v = { .q = { mmx_get(cpu, d->reg), 0 } };
        v.w[imm & 3] = w;
        mmx_set(cpu, d->reg, v.q[0]);
    }
}
EXEC_THREADED(exec_pinsrw)

void exec_sse_int_register(void)
{
#define R(m, f) exec_register(ZYDIS_MNEMONIC_##m, exec_##f)
    R(PADDB, paddb); R(PADDW, paddw); R(PADDD, paddd); R(PADDQ, paddq);
    R(PSUBB, psubb); R(PSUBW, psubw); R(PSUBD, psubd); R(PSUBQ, psubq);
    R(PADDSB, paddsb); R(PADDSW, paddsw); R(PSUBSB, psubsb); R(PSUBSW, psubsw);
    R(PADDUSB, paddusb); R(PADDUSW, paddusw); R(PSUBUSB, psubusb); R(PSUBUSW, psubusw);
    R(PMULLW, pmullw); R(PMULHW, pmulhw); R(PMULHUW, pmulhuw); R(PMULUDQ, pmuludq);
    R(PMADDWD, pmaddwd); R(PSADBW, psadbw); R(PAVGB, pavgb); R(PAVGW, pavgw);
    R(PMINUB, pminub); R(PMAXUB, pmaxub); R(PMINSW, pminsw); R(PMAXSW, pmaxsw);
    R(PCMPEQB, pcmpeqb); R(PCMPEQW, pcmpeqw); R(PCMPEQD, pcmpeqd);
    R(PCMPGTB, pcmpgtb); R(PCMPGTW, pcmpgtw); R(PCMPGTD, pcmpgtd);
    R(PAND, pand); R(PANDN, pandn); R(POR, por); R(PXOR, pxor);
    R(PSLLW, psllw); R(PSLLD, pslld); R(PSLLQ, psllq);
    R(PSRLW, psrlw); R(PSRLD, psrld); R(PSRLQ, psrlq);
    R(PSRAW, psraw); R(PSRAD, psrad);
    R(PSLLDQ, pslldq); R(PSRLDQ, psrldq);
    R(PSHUFD, pshufd); R(PSHUFLW, pshuflw); R(PSHUFHW, pshufhw); R(PSHUFW, pshufw);
    R(PUNPCKLBW, punpcklbw); R(PUNPCKLWD, punpcklwd); R(PUNPCKLDQ, punpckldq);
    R(PUNPCKLQDQ, punpcklqdq);
    R(PUNPCKHBW, punpckhbw); R(PUNPCKHWD, punpckhwd); R(PUNPCKHDQ, punpckhdq);
    R(PUNPCKHQDQ, punpckhqdq);
    R(PACKSSWB, packsswb); R(PACKSSDW, packssdw); R(PACKUSWB, packuswb);
    R(PEXTRW, pextrw); R(PINSRW, pinsrw);
#undef R
}
