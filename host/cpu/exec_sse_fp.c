/*
 * exec_sse_fp.c - SSE/SSE2 floating point.
 *
 * ADD SUB MUL DIV SQRT MIN MAX in PS/SS/PD/SD forms, RCPPS RCPSS RSQRTPS
 * RSQRTSS, CMPPS CMPSS CMPPD CMPSD (predicates 0-7; legacy encodings use
 * imm8[2:0]), COMISS COMISD UCOMISS UCOMISD, the bitwise ANDPS ANDNPS ORPS
 * XORPS and their PD forms, SHUFPS SHUFPD UNPCK{L,H}{PS,PD}, and every SSE/SSE2
 * conversion: CVTSI2SS/SD, CVT(T)SS2SI, CVT(T)SD2SI (32- and 64-bit),
 * CVTSS2SD CVTSD2SS CVTPS2PD CVTPD2PS CVTDQ2PS CVT(T)PS2DQ CVTDQ2PD
 * CVT(T)PD2DQ, and the MMX-operand forms CVTPI2PS CVT(T)PS2PI CVTPI2PD
 * CVT(T)PD2PI.
 *
 * Each arithmetic operation runs as the very same instruction on the host
 * (SSE_HOST in sse.h) under the guest's rounding mode, DAZ and FTZ, so the
 * result, the integer-indefinite value and the exception flags are those of
 * real hardware (these are IEEE-exact, the same on every host). RCP/RSQRT,
 * whose approximations differ between processors, are computed in software. Memory sources are loaded
 * first (16-byte packed operands must be aligned), the operation then runs
 * in register form; scalar forms only look at the low lane of the source.
 * The MMX-operand conversions run as their XMM equivalents on zero-filled
 * upper lanes, so the host's x87 state is never touched.
 */
#include "cpu/sse.h"
#include "cpu/x87_soft.h"

/* dst (op0) = dst OP src (op1, `bytes` wide: 16 packed and aligned, 8 or 4 scalar). */
#define FP_OP(name, opc, bytes)                                                 \
    EXEC_BODY(exec_##name)                                                      \
    {                                                                           \
        sse_check(cpu);                                                         \
        union xmm s = sse_src(cpu, in, 1, bytes, false);                        \
        union xmm d = xmm_get(cpu, in->op[0].reg);                              \
        sse_fp_flags(cpu, SSE_HOST(cpu, opc, d, s));                            \
        xmm_set(cpu, in->op[0].reg, &d);                                        \
    }                                                                           \
    EXEC_THREADED(exec_##name)

FP_OP(addps, "addps", 16)
FP_OP(addpd, "addpd", 16)
FP_OP(addss, "addss", 4)
FP_OP(addsd, "addsd", 8)
FP_OP(subps, "subps", 16)
FP_OP(subpd, "subpd", 16)
FP_OP(subss, "subss", 4)
FP_OP(subsd, "subsd", 8)
FP_OP(mulps, "mulps", 16)
FP_OP(mulpd, "mulpd", 16)
FP_OP(mulss, "mulss", 4)
FP_OP(mulsd, "mulsd", 8)
FP_OP(divps, "divps", 16)
FP_OP(divpd, "divpd", 16)
FP_OP(divss, "divss", 4)
FP_OP(divsd, "divsd", 8)
FP_OP(minps, "minps", 16)
FP_OP(minpd, "minpd", 16)
FP_OP(minss, "minss", 4)
FP_OP(minsd, "minsd", 8)
FP_OP(maxps, "maxps", 16)
FP_OP(maxpd, "maxpd", 16)
FP_OP(maxss, "maxss", 4)
FP_OP(maxsd, "maxsd", 8)
FP_OP(sqrtps, "sqrtps", 16)
FP_OP(sqrtpd, "sqrtpd", 16)
FP_OP(sqrtss, "sqrtss", 4)
FP_OP(sqrtsd, "sqrtsd", 8)
/*
 * RCPPS RCPSS RSQRTPS RSQRTSS: the approximations are implementation-defined,
 * so they are computed in software (x87_soft.c), the same on every host; no
 * exception, MXCSR ignored. The scalar forms keep dst's upper lanes.
 */
#define APPROX_OP(name, fn, lanes, bytes)                                       \
    EXEC_BODY(exec_##name)                                                      \
    {                                                                           \
        sse_check(cpu);                                                         \
        union xmm s = sse_src(cpu, in, 1, bytes, false);                        \
        union xmm d = xmm_get(cpu, in->op[0].reg);                              \
        for (unsigned l = 0; l < (lanes); l++)                                  \
            d.d[l] = fn(s.d[l]);                                                \
        xmm_set(cpu, in->op[0].reg, &d);                                        \
    }                                                                           \
    EXEC_THREADED(exec_##name)

APPROX_OP(rcpps, sse_soft_rcp, 4, 16)
APPROX_OP(rcpss, sse_soft_rcp, 1, 4)
APPROX_OP(rsqrtps, sse_soft_rsqrt, 4, 16)
APPROX_OP(rsqrtss, sse_soft_rsqrt, 1, 4)
/* Conversions between XMM registers: the same shape (dst keeps what the scalar forms keep). */
FP_OP(cvtss2sd, "cvtss2sd", 4)
FP_OP(cvtsd2ss, "cvtsd2ss", 8)
FP_OP(cvtps2pd, "cvtps2pd", 8)
FP_OP(cvtpd2ps, "cvtpd2ps", 16)
FP_OP(cvtdq2ps, "cvtdq2ps", 16)
FP_OP(cvtps2dq, "cvtps2dq", 16)
FP_OP(cvttps2dq, "cvttps2dq", 16)
FP_OP(cvtdq2pd, "cvtdq2pd", 8)
FP_OP(cvtpd2dq, "cvtpd2dq", 16)
FP_OP(cvttpd2dq, "cvttpd2dq", 16)

/* ------------------------------------------------------------- compares -- */

#define CMP_CASE(opc, k)                                                        \
    case k: raised = SSE_HOST_IMM(cpu, opc, k, d, s); break;

/* CMPccPS/PD/SS/SD: all-ones or all-zeros lanes by predicate imm8[2:0]. */
#define CMP_OP(name, opc, bytes)                                                \
    EXEC_BODY(exec_##name)                                                      \
    {                                                                           \
        sse_check(cpu);                                                         \
        union xmm s = sse_src(cpu, in, 1, bytes, false);                        \
        union xmm d = xmm_get(cpu, in->op[0].reg);                              \
        uint32_t raised = 0;                                                    \
        switch (in->op[2].imm & 7) {                                            \
            CMP_CASE(opc, 0) CMP_CASE(opc, 1) CMP_CASE(opc, 2) CMP_CASE(opc, 3) \
            CMP_CASE(opc, 4) CMP_CASE(opc, 5) CMP_CASE(opc, 6) CMP_CASE(opc, 7) \
        }                                                                       \
        sse_fp_flags(cpu, raised);                                              \
        xmm_set(cpu, in->op[0].reg, &d);                                        \
    }                                                                           \
    EXEC_THREADED(exec_##name)

CMP_OP(cmpps, "cmpps", 16)
CMP_OP(cmppd, "cmppd", 16)
CMP_OP(cmpss, "cmpss", 4)
CMP_OP(cmpsd_sse, "cmpsd", 8)

/* CMPSD is also the string instruction (no visible operands): that one belongs to exec_string.c. */
static exec_fn string_cmpsd = exec_unimplemented;

EXEC_BODY(exec_cmpsd)
{
    if (in->nops == 0)
        string_cmpsd(cpu, in);
    else
        exec_cmpsd_sse(cpu, in);
}
EXEC_THREADED(exec_cmpsd)

/* (U)COMISS/SD: ZF PF CF from an unordered/less/equal compare; OF SF AF cleared. */
#define COMI_OP(name, opc, bytes)                                                              \
    EXEC_BODY(exec_##name)                                                                     \
    {                                                                                          \
        sse_check(cpu);                                                                        \
        union xmm s = sse_src(cpu, in, 1, bytes, false);                                       \
        union xmm d = xmm_get(cpu, in->op[0].reg);                                             \
        bool zf, pf, cf;                                                                       \
        uint32_t raised = SSE_HOST_RUN(cpu, (void)0, opc " %[s_], %[d_]",                      \
                                       ([z_] "=@ccz"(zf), [p_] "=@ccp"(pf), [c_] "=@ccc"(cf)), \
                                       ([s_] "x"(s.v), [d_] "x"(d.v)));                        \
        sse_fp_flags(cpu, raised);                                                             \
        flags_write(cpu, FL_ARITH, (zf ? FL_ZF : 0) | (pf ? FL_PF : 0) | (cf ? FL_CF : 0));    \
    }                                                                                          \
    EXEC_THREADED(exec_##name)

COMI_OP(comiss, "comiss", 4)
COMI_OP(comisd, "comisd", 8)
COMI_OP(ucomiss, "ucomiss", 4)
COMI_OP(ucomisd, "ucomisd", 8)

/* --------------------------------------------------------- bitwise logic -- */

#define LOGIC_OP(name, expr)                                                    \
    EXEC_BODY(exec_##name)                                                      \
    {                                                                           \
        sse_check(cpu);                                                         \
        union xmm s = sse_src(cpu, in, 1, 16, false);                           \
        union xmm d = xmm_get(cpu, in->op[0].reg);                              \
        for (unsigned i = 0; i < 2; i++)                                        \
            d.q[i] = (expr);                                                    \
        xmm_set(cpu, in->op[0].reg, &d);                                        \
    }                                                                           \
    EXEC_THREADED(exec_##name)

LOGIC_OP(andp, d.q[i] & s.q[i])
LOGIC_OP(andnp, ~d.q[i] & s.q[i])
LOGIC_OP(orp, d.q[i] | s.q[i])
LOGIC_OP(xorp, d.q[i] ^ s.q[i])

/* ------------------------------------------------------ shuffle, unpack -- */

EXEC_BODY(exec_shufps)
{
    sse_check(cpu);
    union xmm s = sse_src(cpu, in, 1, 16, false);
    union xmm d = xmm_get(cpu, in->op[0].reg), r;
    unsigned imm = (unsigned)in->op[2].imm;
    r.d[0] = d.d[imm & 3];
    r.d[1] = d.d[(imm >> 2) & 3];
    r.d[2] = s.d[(imm >> 4) & 3];
    r.d[3] = s.d[(imm >> 6) & 3];
    xmm_set(cpu, in->op[0].reg, &r);
}
EXEC_THREADED(exec_shufps)

EXEC_BODY(exec_shufpd)
{
    sse_check(cpu);
    union xmm s = sse_src(cpu, in, 1, 16, false);
    union xmm d = xmm_get(cpu, in->op[0].reg), r;
    unsigned imm = (unsigned)in->op[2].imm;
    r.q[0] = d.q[imm & 1];
    r.q[1] = s.q[(imm >> 1) & 1];
    xmm_set(cpu, in->op[0].reg, &r);
}
EXEC_THREADED(exec_shufpd)

/* Interleave the low (half = 0) or high (half = 1) lanes of dst and src. */
static inline void unpck32(struct cpu *cpu, const struct insn *in, unsigned half)
{
    sse_check(cpu);
    union xmm s = sse_src(cpu, in, 1, 16, false);
    union xmm d = xmm_get(cpu, in->op[0].reg), r;
    r.d[0] = d.d[2 * half];
    r.d[1] = s.d[2 * half];
    r.d[2] = d.d[2 * half + 1];
    r.d[3] = s.d[2 * half + 1];
    xmm_set(cpu, in->op[0].reg, &r);
}

static inline void unpck64(struct cpu *cpu, const struct insn *in, unsigned half)
{
    sse_check(cpu);
    union xmm s = sse_src(cpu, in, 1, 16, false);
    union xmm d = xmm_get(cpu, in->op[0].reg), r;
    r.q[0] = d.q[half];
    r.q[1] = s.q[half];
    xmm_set(cpu, in->op[0].reg, &r);
}

EXEC_BODY(exec_unpcklps) { unpck32(cpu, in, 0); }
EXEC_THREADED(exec_unpcklps)
EXEC_BODY(exec_unpckhps) { unpck32(cpu, in, 1); }
EXEC_THREADED(exec_unpckhps)
EXEC_BODY(exec_unpcklpd) { unpck64(cpu, in, 0); }
EXEC_THREADED(exec_unpcklpd)
EXEC_BODY(exec_unpckhpd) { unpck64(cpu, in, 1); }
EXEC_THREADED(exec_unpckhpd)

/* -------------------------------------------- conversions with integers -- */

/* CVTSI2SS/SD xmm, r/m32|r/m64: the integer converted with the current rounding. */
#define CVTSI_OP(name, opc)                                                     \
    EXEC_BODY(exec_##name)                                                      \
    {                                                                           \
        sse_check(cpu);                                                         \
        uint64_t v = op_read(cpu, in, 1);                                       \
        union xmm d = xmm_get(cpu, in->op[0].reg);                              \
        sse_v2df orig = d.v;                                                    \
        uint32_t raised;                                                        \
        if (in->op[1].size == 8)                                                \
            raised = SSE_HOST_RUN(cpu, d.v = orig, opc "q %[v_], %[d_]",        \
                                  ([d_] "+x"(d.v)), ([v_] "r"(v)));             \
        else                                                                    \
            raised = SSE_HOST_RUN(cpu, d.v = orig, opc "l %[v_], %[d_]",        \
                                  ([d_] "+x"(d.v)), ([v_] "r"((uint32_t)v)));   \
        sse_fp_flags(cpu, raised);                                              \
        xmm_set(cpu, in->op[0].reg, &d);                                        \
    }                                                                           \
    EXEC_THREADED(exec_##name)

CVTSI_OP(cvtsi2ss, "cvtsi2ss")
CVTSI_OP(cvtsi2sd, "cvtsi2sd")

/* CVT(T)SS2SI / CVT(T)SD2SI r32|r64, xmm/m: 0x80000000(00000000) on overflow or NaN. */
#define CVT2SI_OP(name, opc, bytes)                                             \
    EXEC_BODY(exec_##name)                                                      \
    {                                                                           \
        sse_check(cpu);                                                         \
        union xmm s = sse_src(cpu, in, 1, bytes, false);                        \
        uint32_t raised, r32;                                                   \
        uint64_t r;                                                             \
        if (in->op[0].size == 8) {                                              \
            raised = SSE_HOST_RUN(cpu, (void)0, opc " %[s_], %[r_]",            \
                                  ([r_] "=r"(r)), ([s_] "x"(s.v)));             \
        } else {                                                                \
            raised = SSE_HOST_RUN(cpu, (void)0, opc " %[s_], %[r_]",            \
                                  ([r_] "=r"(r32)), ([s_] "x"(s.v)));           \
            r = r32;                                                            \
        }                                                                       \
        sse_fp_flags(cpu, raised);                                              \
        gpr_write(cpu, in->op[0].reg, in->op[0].size, 0, r);                    \
    }                                                                           \
    EXEC_THREADED(exec_##name)

CVT2SI_OP(cvtss2si, "cvtss2si", 4)
CVT2SI_OP(cvttss2si, "cvttss2si", 4)
CVT2SI_OP(cvtsd2si, "cvtsd2si", 8)
CVT2SI_OP(cvttsd2si, "cvttsd2si", 8)

/* ----------------------------------------------- MMX-operand conversions -- */

/* CVTPI2PS xmm, mm/m64: two int32 to the low two floats; the high half is kept. */
EXEC_BODY(exec_cvtpi2ps)
{
    bool mm = in->op[1].kind == OPK_MMX;
    if (mm)
        mmx_check(cpu);
    sse_check(cpu);
    union xmm t = { .q = { mmx_src(cpu, in, 1), 0 } };
    union xmm d = xmm_get(cpu, in->op[0].reg);
    sse_fp_flags(cpu, SSE_HOST(cpu, "cvtdq2ps", t, t));
    if (mm)
        mmx_enter(cpu);
    d.q[0] = t.q[0];
    xmm_set(cpu, in->op[0].reg, &d);
}
EXEC_THREADED(exec_cvtpi2ps)

/* CVTPI2PD xmm, mm/m64: exact. */
EXEC_BODY(exec_cvtpi2pd)
{
    bool mm = in->op[1].kind == OPK_MMX;
    if (mm)
        mmx_check(cpu);
    sse_check(cpu);
    union xmm t = { .q = { mmx_src(cpu, in, 1), 0 } };
    sse_fp_flags(cpu, SSE_HOST(cpu, "cvtdq2pd", t, t));
    if (mm)
        mmx_enter(cpu);
    xmm_set(cpu, in->op[0].reg, &t);
}
EXEC_THREADED(exec_cvtpi2pd)

/* CVT(T)PS2PI mm, xmm/m64 and CVT(T)PD2PI mm, xmm/m128: two int32 into an MMX register. */
#define CVT2PI_OP(name, opc, bytes)                                             \
    EXEC_BODY(exec_##name)                                                      \
    {                                                                           \
        mmx_check(cpu);                                                         \
        sse_check(cpu);                                                         \
        union xmm s = sse_src(cpu, in, 1, bytes, false);                        \
        union xmm t = s;                                                        \
        if (bytes == 8)                                                         \
            s.q[1] = 0;                                                         \
        sse_fp_flags(cpu, SSE_HOST(cpu, opc, t, s));                            \
        mmx_enter(cpu);                                                         \
        mmx_set(cpu, in->op[0].reg, t.q[0]);                                    \
    }                                                                           \
    EXEC_THREADED(exec_##name)

CVT2PI_OP(cvtps2pi, "cvtps2dq", 8)
CVT2PI_OP(cvttps2pi, "cvttps2dq", 8)
CVT2PI_OP(cvtpd2pi, "cvtpd2dq", 16)
CVT2PI_OP(cvttpd2pi, "cvttpd2dq", 16)

void exec_sse_fp_register(void)
{
    exec_fn prev = exec_lookup(ZYDIS_MNEMONIC_CMPSD);
    if (prev != exec_cmpsd)
        string_cmpsd = prev;

#define R(m, f) exec_register(ZYDIS_MNEMONIC_##m, exec_##f)
    R(ADDPS, addps); R(ADDPD, addpd); R(ADDSS, addss); R(ADDSD, addsd);
    R(SUBPS, subps); R(SUBPD, subpd); R(SUBSS, subss); R(SUBSD, subsd);
    R(MULPS, mulps); R(MULPD, mulpd); R(MULSS, mulss); R(MULSD, mulsd);
    R(DIVPS, divps); R(DIVPD, divpd); R(DIVSS, divss); R(DIVSD, divsd);
    R(MINPS, minps); R(MINPD, minpd); R(MINSS, minss); R(MINSD, minsd);
    R(MAXPS, maxps); R(MAXPD, maxpd); R(MAXSS, maxss); R(MAXSD, maxsd);
    R(SQRTPS, sqrtps); R(SQRTPD, sqrtpd); R(SQRTSS, sqrtss); R(SQRTSD, sqrtsd);
    R(RCPPS, rcpps); R(RCPSS, rcpss); R(RSQRTPS, rsqrtps); R(RSQRTSS, rsqrtss);
    R(CMPPS, cmpps); R(CMPPD, cmppd); R(CMPSS, cmpss); R(CMPSD, cmpsd);
    R(COMISS, comiss); R(COMISD, comisd); R(UCOMISS, ucomiss); R(UCOMISD, ucomisd);
    R(ANDPS, andp); R(ANDPD, andp); R(ANDNPS, andnp); R(ANDNPD, andnp);
    R(ORPS, orp); R(ORPD, orp); R(XORPS, xorp); R(XORPD, xorp);
    R(SHUFPS, shufps); R(SHUFPD, shufpd);
    R(UNPCKLPS, unpcklps); R(UNPCKHPS, unpckhps); R(UNPCKLPD, unpcklpd); R(UNPCKHPD, unpckhpd);
    R(CVTSS2SD, cvtss2sd); R(CVTSD2SS, cvtsd2ss); R(CVTPS2PD, cvtps2pd); R(CVTPD2PS, cvtpd2ps);
    R(CVTDQ2PS, cvtdq2ps); R(CVTPS2DQ, cvtps2dq); R(CVTTPS2DQ, cvttps2dq);
    R(CVTDQ2PD, cvtdq2pd); R(CVTPD2DQ, cvtpd2dq); R(CVTTPD2DQ, cvttpd2dq);
    R(CVTSI2SS, cvtsi2ss); R(CVTSI2SD, cvtsi2sd);
    R(CVTSS2SI, cvtss2si); R(CVTTSS2SI, cvttss2si); R(CVTSD2SI, cvtsd2si); R(CVTTSD2SI, cvttsd2si);
    R(CVTPI2PS, cvtpi2ps); R(CVTPI2PD, cvtpi2pd);
    R(CVTPS2PI, cvtps2pi); R(CVTTPS2PI, cvttps2pi); R(CVTPD2PI, cvtpd2pi); R(CVTTPD2PI, cvttpd2pi);
#undef R
}
