/*
 * diff_softfp.c - model functions (diff_model_fn) for the instructions m5sim
 * computes in software so that they give the same bits on every host
 * (host/cpu/x87_soft.c, docs/cpu-model.md "Floating point: the same bits on
 * every host"): the x87 transcendentals, constants, FSQRT FRNDINT FSCALE
 * FXTRACT, and SSE RCPPS/RCPSS/RSQRTPS/RSQRTSS.
 *
 * Their exact bits are the model's definition, so the expectation is built
 * from x87_soft_run() / sse_soft_rcp() / sse_soft_rsqrt(). Since the
 * interpreter calls those same functions, each input is also checked
 * independently:
 *  - x87: the host's run agrees with the model's expectation in everything
 *    hardware defines: the stack (TOP, tags), the registers the instruction
 *    does not write, IE DE ZE OE SF and C0 C2 C3, and the result bits for the
 *    IEEE-exact ones (FSQRT FRNDINT FSCALE FXTRACT, the constants); the
 *    transcendental results are within one unit in the last place of the
 *    host's (Intel and AMD hardware are accurate to about one ulp). C1 (the
 *    round-up indicator), PE and UE are the model's alone: processors set PE
 *    and UE for exact transcendental results too. F2XM1 outside -1..1 and
 *    FYL2XP1 outside |x| < 1 - sqrt(2)/2, which the SDM leaves undefined, are
 *    checked against the model only.
 *  - SSE: every lane is the exact 1/x or 1/sqrt(x), computed here with the
 *    host's IEEE long double arithmetic, rounded to nearest at 12 significant
 *    bits (within the SDM's 1.5 x 2^-12 relative error, checked too), with
 *    the special cases docs/cpu-model.md lists.
 */
#include "diff.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cpu/x87_soft.h"

/* ------------------------------------------------------------------ x87 -- */

#define SW_IE 0x0001u
#define SW_DE 0x0002u
#define SW_ZE 0x0004u
#define SW_OE 0x0008u
#define SW_UE 0x0010u
#define SW_PE 0x0020u
#define SW_SF 0x0040u
#define SW_ES 0x0080u
#define SW_C0 0x0100u
#define SW_C1 0x0200u
#define SW_C2 0x0400u
#define SW_C3 0x4000u
#define SW_B  0x8000u
#define SW_EXC 0x003fu
#define SW_PRE (SW_IE | SW_DE | SW_ZE)
#define SW_TOP 0x3800u

/* What an instruction does with its results (x87_soft.h: r0, r1). */
enum soft_kind { K_ST0, K_ST1_POP, K_PUSH, K_CONST };

struct soft_op {
    uint8_t kind;       /* enum soft_kind */
    uint8_t nargs;      /* operands that must be valid: ST(0), ST(1) */
    bool cc;            /* FSIN FCOS FPTAN FSINCOS: C0 C2 C3 are the instruction's (C2 = out of range) */
    bool exact;         /* IEEE-exact or a constant: the host's bits are the same */
};

static bool soft_op(unsigned modrm, struct soft_op *op)
{
    switch (modrm) {
    case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed:
        *op = (struct soft_op){ K_CONST, 0, false, true }; return true;
    case 0xf0: *op = (struct soft_op){ K_ST0, 1, false, false }; return true;      /* F2XM1 */
    case 0xf1: *op = (struct soft_op){ K_ST1_POP, 2, false, false }; return true;  /* FYL2X */
    case 0xf2: *op = (struct soft_op){ K_PUSH, 1, true, false }; return true;      /* FPTAN */
    case 0xf3: *op = (struct soft_op){ K_ST1_POP, 2, false, false }; return true;  /* FPATAN */
    case 0xf4: *op = (struct soft_op){ K_PUSH, 1, false, true }; return true;      /* FXTRACT */
    case 0xf9: *op = (struct soft_op){ K_ST1_POP, 2, false, false }; return true;  /* FYL2XP1 */
    case 0xfa: *op = (struct soft_op){ K_ST0, 1, false, true }; return true;       /* FSQRT */
    case 0xfb: *op = (struct soft_op){ K_PUSH, 1, true, false }; return true;      /* FSINCOS */
    case 0xfc: *op = (struct soft_op){ K_ST0, 1, false, true }; return true;       /* FRNDINT */
    case 0xfd: *op = (struct soft_op){ K_ST0, 2, false, true }; return true;       /* FSCALE */
    case 0xfe: case 0xff: *op = (struct soft_op){ K_ST0, 1, true, false }; return true; /* FSIN FCOS */
    default: return false;
    }
}

static unsigned fx_top(const struct fxsave_area *fx) { return (fx->fsw >> 11) & 7; }

static bool fx_valid(const struct fxsave_area *fx, unsigned i)
{
    return fx->ftw >> ((fx_top(fx) + i) & 7) & 1;
}

static void fx_set_top(struct fxsave_area *fx, unsigned top)
{
    fx->fsw = (uint16_t)((fx->fsw & ~SW_TOP) | (top & 7) << 11);
}

/* Pop: ST(0) becomes empty, st[] (kept in stack order) rotates up. */
static void fx_pop(struct fxsave_area *fx)
{
    uint8_t old[8][16];
    memcpy(old, fx->st, sizeof old);
    fx->ftw &= (uint8_t)~(1u << fx_top(fx));
    fx_set_top(fx, fx_top(fx) + 1);
    for (unsigned i = 0; i < 8; i++)
        memcpy(fx->st[i], old[(i + 1) & 7], 10);
}

static void fx_push(struct fxsave_area *fx, const uint8_t v[10])
{
    uint8_t old[8][16];
    memcpy(old, fx->st, sizeof old);
    fx_set_top(fx, fx_top(fx) - 1);
    fx->ftw |= (uint8_t)(1u << fx_top(fx));
    for (unsigned i = 1; i < 8; i++)
        memcpy(fx->st[i], old[i - 1], 10);
    memcpy(fx->st[0], v, 10);
}

/* F2XM1 and FYL2XP1 operands outside the range where the SDM defines the result. */
static bool outside_domain(unsigned modrm, const uint8_t x[10])
{
    uint64_t mant;
    memcpy(&mant, x, 8);
    unsigned exp = (x[8] | x[9] << 8) & 0x7fff;
    if (exp == 0 || exp == 0x7fff || !(mant >> 63))
        return false;   /* zeros, denormals, infinities, NaNs, unsupported: the SDM's tables */
    long double v;
    memcpy(&v, x, 10);
    if (modrm == 0xf0)
        return fabsl(v) > 1.0L;
    if (modrm == 0xf9)
        return fabsl(v) >= 1.0L - sqrtl(2.0L) / 2;
    return false;
}

/* 80-bit values as a monotonic integer of their magnitude (finite, canonical or denormal). */
static unsigned __int128 f80_key(const uint8_t x[10])
{
    uint64_t mant;
    memcpy(&mant, x, 8);
    unsigned exp = (x[8] | x[9] << 8) & 0x7fff;
    unsigned __int128 k = (unsigned __int128)exp << 63;
    return exp ? k + (mant & ~(1ull << 63)) : mant;
}

/* Equal, or the same sign and finite and adjacent. */
static bool within_one_ulp(const uint8_t a[10], const uint8_t b[10])
{
    if (!memcmp(a, b, 10))
        return true;
    unsigned ea = (a[8] | a[9] << 8) & 0x7fff, eb = (b[8] | b[9] << 8) & 0x7fff;
    if ((a[9] ^ b[9]) & 0x80 || ea == 0x7fff || eb == 0x7fff)
        return false;
    unsigned __int128 ka = f80_key(a), kb = f80_key(b);
    return ka - kb == 1 || kb - ka == 1;
}

static void f80_hex(const uint8_t x[10], char out[24])
{
    uint64_t mant;
    memcpy(&mant, x, 8);
    snprintf(out, 24, "%04x:%016llx", x[8] | x[9] << 8, (unsigned long long)mant);
}

/*
 * D9 E9..FF computed by x87_soft_run(): the model's result, from the input.
 * A stack fault (an empty operand, a push onto a full register) is handled
 * before anything is computed, as the SDM defines: the host's result stands.
 */
bool diff_model_x87_soft(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    struct soft_op op;
    if (c->len != 2 || c->code[0] != 0xd9 || !x87_soft_handles(c->code[1]) || !soft_op(c->code[1], &op))
        return false;
    unsigned modrm = c->code[1];
    const struct fxsave_area *fi = &in->fx;
    bool push = op.kind == K_PUSH || op.kind == K_CONST;
    if ((op.nargs >= 1 && !fx_valid(fi, 0)) || (op.nargs >= 2 && !fx_valid(fi, 1)) ||
        (push && fx_valid(fi, 7)))
        return false;

    uint8_t r0[10], r1[10];
    unsigned sw = x87_soft_run(modrm, fi->fcw, fi->fsw, fi->st[0], fi->st[1], r0, r1);
    struct fxsave_area m = *fi;
    unsigned ccmask = op.cc ? SW_C0 | SW_C1 | SW_C2 | SW_C3 : SW_C1;
    bool stopped = sw & ~fi->fcw & SW_PRE;
    if (stopped)   /* an unmasked IE, DE or ZE: nothing is computed, no other flag, C1 = 0 */
        sw &= ~(unsigned)((SW_EXC & ~SW_PRE) | SW_C1);
    unsigned exc = sw & SW_EXC;
    m.fsw = (uint16_t)((m.fsw & ~ccmask) | (sw & ccmask) | exc | (exc & ~fi->fcw ? SW_ES | SW_B : 0));
    unsigned written = 0;   /* bit i: ST(i) afterwards holds a result */
    if (!stopped) {
        switch (op.kind) {
        case K_ST0: memcpy(m.st[0], r0, 10); written = 1; break;
        case K_ST1_POP: memcpy(m.st[1], r0, 10); fx_pop(&m); written = 1; break;
        case K_PUSH:
            if (op.cc && (sw & SW_C2))   /* FPTAN/FSINCOS out of range: nothing changes */
                break;
            memcpy(m.st[0], r1, 10);
            fx_push(&m, r0);
            written = 3;
            break;
        case K_CONST: fx_push(&m, r0); written = 1; break;
        }
    }

    /* Independent check: the host agrees in everything hardware defines. */
    const struct fxsave_area *h = &expect->out.fx;
    if (expect->vector < 0 && !outside_domain(modrm, fi->st[0])) {
        unsigned cmp = SW_TOP | SW_IE | SW_DE | SW_ZE | SW_OE | SW_SF | SW_C0 | SW_C2 | SW_C3;
        if ((fi->fcw & (SW_PE | SW_UE)) == (SW_PE | SW_UE))
            cmp |= SW_ES | SW_B;   /* else a PE or UE only one of them reports decides these */
        char a[24], b[24];
        if ((h->fsw ^ m.fsw) & cmp)
            diff_model_fail("host fsw 0x%04x, model 0x%04x (compared bits 0x%04x)", h->fsw, m.fsw, cmp);
        else if (h->ftw != m.ftw)
            diff_model_fail("host ftw 0x%02x, model 0x%02x", h->ftw, m.ftw);
        else
            for (unsigned i = 0; i < 8; i++) {
                bool ok = (written >> i & 1) && !op.exact ? within_one_ulp(h->st[i], m.st[i])
                                                          : !memcmp(h->st[i], m.st[i], 10);
                if (!ok) {
                    f80_hex(h->st[i], a);
                    f80_hex(m.st[i], b);
                    diff_model_fail("st%u: host %s, model %s%s", i, a, b,
                                    (written >> i & 1) && !op.exact ? " (more than one ulp apart)" : "");
                    break;
                }
            }
    }
    expect->out.fx.fsw = m.fsw;
    expect->out.fx.ftw = m.ftw;
    for (unsigned i = 0; i < 8; i++)
        memcpy(expect->out.fx.st[i], m.st[i], 10);
    return true;
}

/* ------------------------------------------------------------------ SSE -- */

/*
 * The documented RCP/RSQRT of one lane, with the host's long double
 * arithmetic: the exact value (1/x for a 24-bit x is within 2^-37 of no
 * 13-bit number but itself, 1/sqrt(x) within 2^-51, both far above the
 * 2^-63 error of the long double division and square root) rounded to
 * nearest at 12 significant bits; 0 below 2^-126.
 */
static uint32_t ref_approx(uint32_t x, bool rsqrt, long double *exact)
{
    uint32_t sign = x & 0x80000000u, exp = x >> 23 & 0xff;
    *exact = 0;
    if (exp == 0xff) {
        if (x & 0x7fffff)
            return x | 0x400000;
        return rsqrt && sign ? 0xffc00000u : sign;
    }
    if (exp == 0)
        return sign | 0x7f800000;
    if (rsqrt && sign)
        return 0xffc00000u;
    float f;
    memcpy(&f, &x, 4);
    long double v = fabsl((long double)f);
    *exact = rsqrt ? 1.0L / sqrtl(v) : 1.0L / v;
    int e;
    long double frac = frexpl(*exact, &e);              /* exact = frac * 2^e, 0.5 <= frac < 1 */
    long double r = ldexpl(roundl(ldexpl(frac, 12)), e - 12);
    if (r < 0x1p-126L)
        return sign;
    float rf = (float)r;                                 /* exact: 12 bits, normal range */
    uint32_t out;
    memcpy(&out, &rf, 4);
    return sign | out;
}

/* RCPPS RCPSS RSQRTPS RSQRTSS (optional F3, 0F 53/52, ModRM with a register or [rsi+disp8]). */
bool diff_model_sse_rcp(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    if (expect->vector >= 0)
        return false;   /* a misaligned operand: #GP as the SDM defines, the host's result */
    unsigned i = 0;
    bool scalar = c->code[0] == 0xf3;
    i += scalar;
    if (c->len < i + 3 || c->code[i] != 0x0f || (c->code[i + 1] != 0x53 && c->code[i + 1] != 0x52))
        return false;
    bool rsqrt = c->code[i + 1] == 0x52;
    unsigned modrm = c->code[i + 2], mod = modrm >> 6, reg = modrm >> 3 & 7;
    uint8_t src[16];
    if (mod == 3) {
        memcpy(src, in->fx.xmm[modrm & 7], 16);
    } else if ((modrm & 7) == 6 && mod <= 1) {
        uint64_t ea = in->gpr[RSI] + (mod == 1 ? (uint64_t)(int64_t)(int8_t)c->code[i + 3] : 0);
        unsigned n = scalar ? 4 : 16;
        if (ea < DIFF_DATA_VA || ea + n > DIFF_DATA_VA + DIFF_DATA_SIZE)
            return false;
        memcpy(src, &in->data[ea - DIFF_DATA_VA], n);
    } else {
        return false;
    }
    for (unsigned lane = 0; lane < (scalar ? 1u : 4u); lane++) {
        uint32_t x, model, ref;
        long double exact;
        memcpy(&x, src + 4 * lane, 4);
        model = rsqrt ? sse_soft_rsqrt(x) : sse_soft_rcp(x);
        ref = ref_approx(x, rsqrt, &exact);
        if (model != ref)
            diff_model_fail("lane %u: %s(0x%08x) model 0x%08x, exact rounded to 12 bits 0x%08x",
                            lane, rsqrt ? "rsqrt" : "rcp", x, model, ref);
        if (exact != 0 && (model & 0x7f800000) != 0) {
            float f;
            memcpy(&f, &model, 4);
            if (fabsl(fabsl((long double)f) - exact) > 1.5L * 0x1p-12L * exact)
                diff_model_fail("lane %u: %s(0x%08x) = 0x%08x beyond the SDM's 1.5 x 2^-12 relative error",
                                lane, rsqrt ? "rsqrt" : "rcp", x, model);
        }
        memcpy(&expect->out.fx.xmm[reg][4 * lane], &model, 4);
    }
    return true;
}
