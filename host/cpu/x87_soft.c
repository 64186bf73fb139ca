/*
 * x87_soft.c - implementation-defined x87 results, computed with GNU MPFR.
 *
 * Every result is the exact mathematical value rounded once to the
 * destination: the precision control's 24, 53 or 64 significant bits, the
 * x87 register's exponent range (denormals below 2^-16382, gradual down to
 * 2^-16445), the rounding control's direction. MPFR evaluates each function
 * directly at that precision and direction (deliver()), so the result is
 * correctly rounded and the ternary value gives PE and C1 (the round-up
 * indicator: the magnitude was rounded up). Tininess is detected before
 * rounding, as the x87 does; a masked underflow sets UE only when inexact;
 * unmasked OE/UE deliver the result with the exponent adjusted by 24576.
 *
 * Where Intel documents its algorithm, we follow it: FSIN FCOS FSINCOS FPTAN
 * reduce their argument with the 66-bit approximation of pi the SDM states
 * (vol. 1, 8.3.10), and the constants are Intel's 66-bit values rounded to
 * 64 bits by RC (precision control does not apply, no exception). The
 * reduced argument is exact (r = x - k * pi66/2 in 256 bits) and the
 * function of it is correctly rounded.
 *
 * FYL2X and FYL2XP1 compute log2 to 320 bits and round the product once: the
 * result is correctly rounded unless y*log2(x) lies within 2^-300 (relative)
 * of a rounding boundary.
 */
#include <stdint.h>   /* before mpfr.h: its intmax_t functions */
#include <string.h>

#include <mpfr.h>

#include "cpu/x87_soft.h"

#define S_IE 0x0001u
#define S_DE 0x0002u
#define S_ZE 0x0004u
#define S_OE 0x0008u
#define S_UE 0x0010u
#define S_PE 0x0020u
#define S_PRE_FAIL 0x10000u   /* internal: IE or ZE, no DE reported */
#define S_C0 0x0100u
#define S_C1 0x0200u
#define S_C2 0x0400u
#define S_C3 0x4000u

#define EXP_ADJUST 24576   /* unmasked overflow/underflow: the exponent bias adjustment */
#define EMIN (-16382)      /* smallest normal exponent */
#define ELSB (-16445)      /* exponent of the smallest denormal */
#define EMAX 16383

enum cls { C_ZERO, C_DENORM, C_NORMAL, C_INF, C_QNAN, C_SNAN, C_UNSUP };

struct f80v {
    uint64_t m;
    unsigned se;
    enum cls cls;
};

static struct f80v f80_unpack(const uint8_t p[10])
{
    struct f80v v;
    memcpy(&v.m, p, 8);
    v.se = p[8] | (unsigned)p[9] << 8;
    unsigned exp = v.se & 0x7fff;
    bool j = v.m >> 63;
    if (exp == 0)
        v.cls = v.m ? C_DENORM : C_ZERO;
    else if (exp == 0x7fff)
        v.cls = !j ? C_UNSUP : !(v.m << 1) ? C_INF : (v.m >> 62 & 1) ? C_QNAN : C_SNAN;
    else
        v.cls = j ? C_NORMAL : C_UNSUP;
    return v;
}

static void f80_pack(uint8_t p[10], bool neg, unsigned exp, uint64_t m)
{
    unsigned se = (neg ? 0x8000u : 0) | exp;
    memcpy(p, &m, 8);
    p[8] = (uint8_t)se;
    p[9] = (uint8_t)(se >> 8);
}

static void f80_indefinite(uint8_t p[10])
{
    f80_pack(p, true, 0x7fff, 0xc000000000000000ull);
}

static void f80_one(uint8_t p[10], bool neg)
{
    f80_pack(p, neg, 0x3fff, 1ull << 63);
}

/* A finite value (zero, denormal, pseudo-denormal, normal) into x (64 bits or more). */
static void f80_to_mpfr(mpfr_t x, const struct f80v *v)
{
    unsigned exp = v->se & 0x7fff;
    mpfr_set_uj(x, v->m, MPFR_RNDN);
    mpfr_mul_2si(x, x, (long)(exp ? exp : 1) - 16383 - 63, MPFR_RNDN);
    if (v->se & 0x8000)
        mpfr_neg(x, x, MPFR_RNDN);
}

/* x (at most 64 significant bits, within the register's range, or zero/inf) into p. */
static void mpfr_to_f80(uint8_t p[10], const mpfr_t x)
{
    bool neg = mpfr_signbit(x);
    if (mpfr_zero_p(x)) {
        f80_pack(p, neg, 0, 0);
        return;
    }
    if (mpfr_inf_p(x)) {
        f80_pack(p, neg, 0x7fff, 1ull << 63);
        return;
    }
    long e = mpfr_get_exp(x) - 1;
    mpfr_t t;
    mpfr_init2(t, 64);
    mpfr_abs(t, x, MPFR_RNDN);
    unsigned exp;
    if (e >= EMIN) {
        exp = (unsigned)(e + 16383);
        mpfr_mul_2si(t, t, 63 - e, MPFR_RNDN);
    } else {
        exp = 0;
        mpfr_mul_2si(t, t, -ELSB, MPFR_RNDN);
    }
    uint64_t m = mpfr_get_uj(t, MPFR_RNDZ);
    mpfr_clear(t);
    f80_pack(p, neg, exp, m);
}

static unsigned fcw_prec(unsigned fcw)
{
    switch ((fcw >> 8) & 3) {
    case 0: return 24;
    case 2: return 53;
    default: return 64;   /* 3, and the reserved 1 */
    }
}

static mpfr_rnd_t fcw_rnd(unsigned fcw)
{
    static const mpfr_rnd_t r[4] = { MPFR_RNDN, MPFR_RNDD, MPFR_RNDU, MPFR_RNDZ };
    return r[(fcw >> 10) & 3];
}

/* ------------------------------------------------------ rounding -- */

/* The operation's evaluation: r = f(...) at r's precision in direction rnd; returns the ternary value. */
struct eval {
    int (*fn)(mpfr_t r, const struct eval *e, mpfr_rnd_t rnd);
    mpfr_t x, y;
    long k;           /* FSIN ...: quadrant; F*: auxiliary */
    unsigned which;
};

/* The magnitude was rounded up: C1. */
static unsigned round_up(const mpfr_t r, int t)
{
    return (t > 0 && !mpfr_signbit(r)) || (t < 0 && mpfr_signbit(r)) ? S_C1 : 0;
}

/*
 * Evaluate e into out as the x87 delivers an arithmetic result under fcw;
 * returns IE (a NaN result: the indefinite), ZE, OE, UE, PE and C1.
 */
static unsigned deliver(const struct eval *e, unsigned fcw, uint8_t out[10])
{
    unsigned prec = fcw_prec(fcw);
    mpfr_rnd_t rnd = fcw_rnd(fcw);
    mpfr_t r;
    mpfr_init2(r, prec);
    mpfr_clear_flags();
    int t = e->fn(r, e, rnd);
    unsigned sw = mpfr_divby0_p() ? S_ZE : 0;
    if (mpfr_nan_p(r)) {
        f80_indefinite(out);
        mpfr_clear(r);
        return S_IE;
    }
    if (mpfr_inf_p(r) || mpfr_zero_p(r)) {   /* an exact infinity or zero, or FRNDINT's zero */
        mpfr_to_f80(out, r);
        if (t)
            sw |= S_PE | round_up(r, t);
        mpfr_clear(r);
        return sw;
    }
    long ex = mpfr_get_exp(r) - 1;
    if (ex > EMAX) {
        if (!(fcw & S_OE)) {   /* unmasked: the exponent-adjusted result */
            mpfr_mul_2si(r, r, -EXP_ADJUST, MPFR_RNDN);
            if (mpfr_get_exp(r) - 1 > EMAX) {
                /* FSCALE's massive overflow, too large even adjusted: a signed infinity (SDM 8.5.4). */
                f80_pack(out, mpfr_signbit(r), 0x7fff, 1ull << 63);
                sw |= S_OE | S_PE | S_C1;
            } else {
                mpfr_to_f80(out, r);
                sw |= S_OE | (t ? S_PE : 0) | round_up(r, t);
            }
        } else {
            bool neg = mpfr_signbit(r);
            bool to_inf = rnd == MPFR_RNDN || (rnd == MPFR_RNDU && !neg) || (rnd == MPFR_RNDD && neg);
            if (to_inf)
                f80_pack(out, neg, 0x7fff, 1ull << 63);
            else
                f80_pack(out, neg, 0x7ffe, ~0ull << (64 - prec));
            sw |= S_OE | S_PE | (to_inf ? S_C1 : 0);
        }
    } else if (ex < EMIN) {
        if (!(fcw & S_UE)) {
            mpfr_mul_2si(r, r, EXP_ADJUST, MPFR_RNDN);
            if (mpfr_get_exp(r) - 1 < EMIN) {
                /* FSCALE's massive underflow, too small even adjusted: a signed zero (SDM 8.5.5). */
                f80_pack(out, mpfr_signbit(r), 0, 0);
                sw |= S_UE | S_PE;
            } else {
                mpfr_to_f80(out, r);
                sw |= S_UE | (t ? S_PE : 0) | round_up(r, t);
            }
        } else {
            /* Tininess is before rounding: the exponent of the exact value (rounded toward zero). */
            t = e->fn(r, e, MPFR_RNDZ);
            ex = mpfr_get_exp(r) - 1;
            long bits = ex - ELSB + 1;   /* significant bits left above the smallest denormal */
            if (bits >= 1) {
                mpfr_set_prec(r, bits < (long)prec ? bits : (long)prec);
                t = e->fn(r, e, rnd);
                mpfr_to_f80(out, r);
                if (t)
                    sw |= S_UE | S_PE | round_up(r, t);
            } else {
                /* |exact| < 2^ELSB: zero or the smallest denormal. */
                bool neg = mpfr_signbit(r), up;
                if (rnd == MPFR_RNDN)   /* above half the smallest denormal */
                    up = ex == ELSB - 1 && (t != 0 || mpfr_cmp_si_2exp(r, neg ? -1 : 1, ELSB - 1) != 0);
                else
                    up = (rnd == MPFR_RNDU && !neg) || (rnd == MPFR_RNDD && neg);
                f80_pack(out, neg, 0, up ? 1 : 0);
                sw |= S_UE | S_PE | (up ? S_C1 : 0);
            }
        }
    } else {
        mpfr_to_f80(out, r);
        if (t)
            sw |= S_PE | round_up(r, t);
    }
    mpfr_clear(r);
    return sw;
}

/* ------------------------------------------------- special operands -- */

/*
 * NaN and unsupported operands of a one- or two-operand instruction: writes
 * the result and returns true when they decide it (IE for an SNaN or an
 * unsupported format). Two NaNs: the larger significand, quieted.
 */
static bool nan_operands(const uint8_t *a, const struct f80v *va, const uint8_t *b,
                         const struct f80v *vb, uint8_t out[10], unsigned *sw)
{
    if (va->cls == C_UNSUP || (vb && vb->cls == C_UNSUP)) {
        f80_indefinite(out);
        *sw |= S_IE;
        return true;
    }
    bool na = va->cls == C_QNAN || va->cls == C_SNAN;
    bool nb = vb && (vb->cls == C_QNAN || vb->cls == C_SNAN);
    if (!na && !nb)
        return false;
    if ((na && va->cls == C_SNAN) || (nb && vb->cls == C_SNAN))
        *sw |= S_IE;
    const uint8_t *src = a;
    if (na && nb)
        src = (vb->m << 1) > (va->m << 1) ? b : a;
    else if (nb)
        src = b;
    memcpy(out, src, 10);
    out[7] |= 0x40;   /* quiet */
    return true;
}

static unsigned denormal(const struct f80v *v)
{
    return v->cls == C_DENORM ? S_DE : 0;
}

/* ---------------------------------------------------- trigonometry -- */

enum { T_SIN, T_COS, T_TAN };

static mpfr_rnd_t rnd_neg(mpfr_rnd_t r)
{
    return r == MPFR_RNDU ? MPFR_RNDD : r == MPFR_RNDD ? MPFR_RNDU : r;
}

/* f(x + k pi/2) for the reduced, exact x: sin/cos/tan with their quadrant identities. */
static int trig_eval(mpfr_t r, const struct eval *e, mpfr_rnd_t rnd)
{
    unsigned q = (unsigned)e->k & 3;
    bool neg;
    int t;
    switch (e->which) {
    case T_SIN:
        neg = q >= 2;
        t = (q & 1) ? mpfr_cos(r, e->x, neg ? rnd_neg(rnd) : rnd)
                    : mpfr_sin(r, e->x, neg ? rnd_neg(rnd) : rnd);
        break;
    case T_COS:
        neg = q == 1 || q == 2;
        t = (q & 1) ? mpfr_sin(r, e->x, neg ? rnd_neg(rnd) : rnd)
                    : mpfr_cos(r, e->x, neg ? rnd_neg(rnd) : rnd);
        break;
    default:
        neg = q & 1;
        t = neg ? mpfr_cot(r, e->x, rnd_neg(rnd)) : mpfr_tan(r, e->x, rnd);
        break;
    }
    if (neg) {
        mpfr_neg(r, r, MPFR_RNDN);
        t = -t;
    }
    return t;
}

/* Intel's 66-bit pi: C90FDAA2 2168C234 C (the top 66 bits of pi, truncated), over 2^66. */
static void pi66_half(mpfr_t p)
{
    mpfr_set_str(p, "C90FDAA22168C234C", 16, MPFR_RNDN);
    mpfr_mul_2si(p, p, -67, MPFR_RNDN);
}

/* FSIN FCOS FSINCOS FPTAN. */
static unsigned trig(unsigned modrm, unsigned fcw, unsigned fsw, const uint8_t a[10], uint8_t r0[10],
                     uint8_t r1[10])
{
    struct f80v v = f80_unpack(a);
    unsigned sw = fsw & (S_C0 | S_C3);
    bool two = modrm == 0xf2 || modrm == 0xfb;
    if (nan_operands(a, &v, NULL, NULL, r0, &sw)) {
        if (two)
            memcpy(r1, r0, 10);
        return sw;
    }
    if (v.cls == C_INF) {
        f80_indefinite(r0);
        f80_indefinite(r1);
        return sw | S_IE;
    }
    if ((v.se & 0x7fff) >= 16383 + 63) {   /* |x| >= 2^63: out of range, nothing changes */
        memcpy(r0, a, 10);
        return sw | S_C2;
    }
    sw |= denormal(&v);
    struct eval e = { .fn = trig_eval };
    mpfr_inits2(256, e.x, e.y, (mpfr_ptr)0);
    f80_to_mpfr(e.x, &v);
    /* k = nearest integer to x / (pi66/2); x -= k pi66/2, exactly. */
    mpfr_t p, q;
    mpfr_inits2(256, p, q, (mpfr_ptr)0);
    pi66_half(p);
    mpfr_div(q, e.x, p, MPFR_RNDN);
    mpfr_rint(q, q, MPFR_RNDN);
    e.k = mpfr_get_si(q, MPFR_RNDN);
    if (e.k) {   /* (k = 0 keeps the sign of a zero) */
        mpfr_mul(q, q, p, MPFR_RNDN);
        mpfr_sub(e.x, e.x, q, MPFR_RNDN);
    }
    mpfr_clears(p, q, (mpfr_ptr)0);

    switch (modrm) {
    case 0xfe: e.which = T_SIN; sw |= deliver(&e, fcw, r0); break;
    case 0xff: e.which = T_COS; sw |= deliver(&e, fcw, r0); break;
    case 0xf2:   /* FPTAN: ST(0) = tan, push 1.0 */
        e.which = T_TAN;
        sw |= deliver(&e, fcw, r1);
        f80_one(r0, false);
        break;
    default: {   /* FSINCOS: ST(0) = sin, push cos; C1 from whichever rounded up */
        e.which = T_SIN;
        unsigned s = deliver(&e, fcw, r1);
        e.which = T_COS;
        unsigned c = deliver(&e, fcw, r0);
        sw |= s | c;   /* C1: either value rounded up */
        break;
    }
    }
    mpfr_clears(e.x, e.y, (mpfr_ptr)0);
    return sw;
}

/* ------------------------------------------------- log, exp, atan -- */

static int f2xm1_eval(mpfr_t r, const struct eval *e, mpfr_rnd_t rnd)
{
    return mpfr_exp2m1(r, e->x, rnd);
}

/* y * log2(x) (FYL2X) or y * log2(1 + x) (FYL2XP1), rounded once from a 320-bit log. */
static int ylog_eval(mpfr_t r, const struct eval *e, mpfr_rnd_t rnd)
{
    mpfr_t l;
    mpfr_init2(l, 320);
    int tl = e->which ? mpfr_log2p1(l, e->x, MPFR_RNDN) : mpfr_log2(l, e->x, MPFR_RNDN);
    int t = mpfr_mul(r, e->y, l, rnd);
    if (!t && tl && !mpfr_zero_p(r) && mpfr_number_p(r))   /* exact product of an inexact log */
        t = (tl > 0) == (mpfr_sgn(e->y) > 0) ? 1 : -1;
    mpfr_clear(l);
    return t;
}

static int atan_eval(mpfr_t r, const struct eval *e, mpfr_rnd_t rnd)
{
    return mpfr_atan2(r, e->y, e->x, rnd);
}

static int sqrt_eval(mpfr_t r, const struct eval *e, mpfr_rnd_t rnd)
{
    return mpfr_sqrt(r, e->x, rnd);
}

/* FRNDINT: to an integer by RC, then (exactly: at most 64 bits) to the destination. */
static int rint_eval(mpfr_t r, const struct eval *e, mpfr_rnd_t rnd)
{
    mpfr_t i;
    mpfr_init2(i, 64);
    int t = mpfr_rint(i, e->x, rnd);
    int t2 = mpfr_set(r, i, rnd);
    mpfr_clear(i);
    return t2 ? t2 : t;
}

static int scale_eval(mpfr_t r, const struct eval *e, mpfr_rnd_t rnd)
{
    return mpfr_mul_2si(r, e->x, e->k, rnd);
}

/* One operand (x = ST(0)), or two (y = ST(1)), through fn; IE/ZE as MPFR reports them. */
static unsigned compute(int (*fn)(mpfr_t, const struct eval *, mpfr_rnd_t), unsigned which, unsigned fcw,
                        const struct f80v *va, const struct f80v *vb, uint8_t out[10])
{
    struct eval e = { .fn = fn, .which = which };
    mpfr_inits2(64, e.x, e.y, (mpfr_ptr)0);
    if (va->cls == C_INF)
        mpfr_set_inf(e.x, (va->se & 0x8000) ? -1 : 1);
    else
        f80_to_mpfr(e.x, va);
    if (vb) {
        if (vb->cls == C_INF)
            mpfr_set_inf(e.y, (vb->se & 0x8000) ? -1 : 1);
        else
            f80_to_mpfr(e.y, vb);
    }
    unsigned sw = deliver(&e, fcw, out);
    if (vb && vb->cls == C_INF)
        sw &= ~S_ZE;   /* FYL2X of 0 with y infinite: an exact infinity */
    mpfr_clears(e.x, e.y, (mpfr_ptr)0);
    if (sw & (S_IE | S_ZE))
        sw |= S_PRE_FAIL;
    return sw;
}

/* ------------------------------------------------------ constants -- */

/* Intel's 66-bit constants rounded to 64 bits by RC: precision control and PE do not apply. */
static void constant(unsigned modrm, unsigned fcw, uint8_t out[10])
{
    static const char *const c66[] = {
        [0xe9 - 0xe9] = "D49A784BCD1B8AFE4",   /* log2(10), 2^1 */
        [0xea - 0xe9] = "B8AA3B295C17F0BBC",   /* log2(e), 2^0 */
        [0xeb - 0xe9] = "C90FDAA22168C234C",   /* pi, 2^1 */
        [0xec - 0xe9] = "9A209A84FBCFF798C",   /* log10(2), 2^-2 */
        [0xed - 0xe9] = "B17217F7D1CF79ABC",   /* ln(2), 2^-1 */
    };
    static const int exp2[] = { 1, 0, 1, -2, -1 };
    mpfr_t c, r;
    mpfr_init2(c, 68);
    mpfr_init2(r, 64);
    mpfr_set_str(c, c66[modrm - 0xe9], 16, MPFR_RNDN);
    mpfr_mul_2si(c, c, exp2[modrm - 0xe9] - 67, MPFR_RNDN);
    mpfr_set(r, c, fcw_rnd(fcw));
    mpfr_to_f80(out, r);
    mpfr_clears(c, r, (mpfr_ptr)0);
}

/* ---------------------------------------------------------- entry -- */

bool x87_soft_handles(unsigned modrm)
{
    switch (modrm) {
    case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed:
    case 0xf0: case 0xf1: case 0xf2: case 0xf3: case 0xf4:
    case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd: case 0xfe: case 0xff:
        return true;
    default:
        return false;
    }
}

static unsigned soft_run(unsigned modrm, unsigned fcw, unsigned fsw, const uint8_t a[10],
                         const uint8_t b[10], uint8_t r0[10], uint8_t r1[10]);

unsigned x87_soft_run(unsigned modrm, unsigned fcw, unsigned fsw, const uint8_t a[10],
                      const uint8_t b[10], uint8_t r0[10], uint8_t r1[10])
{
    unsigned sw = soft_run(modrm, fcw, fsw, a, b, r0, r1);
    if (sw & S_PRE_FAIL)   /* an invalid operation or division by zero reports no DE */
        sw &= ~(S_PRE_FAIL | S_DE);
    return sw;
}

static unsigned soft_run(unsigned modrm, unsigned fcw, unsigned fsw, const uint8_t a[10],
                         const uint8_t b[10], uint8_t r0[10], uint8_t r1[10])
{
    struct f80v va = f80_unpack(a), vb = f80_unpack(b);
    if (modrm != 0xfa)
        fcw |= 0x300;   /* precision control applies to FSQRT only (of these) */
    bool neg_a = va.se & 0x8000, neg_b = vb.se & 0x8000;
    unsigned sw = 0;
    switch (modrm) {
    case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed:
        constant(modrm, fcw, r0);
        return 0;
    case 0xf2: case 0xfb: case 0xfe: case 0xff:
        return trig(modrm, fcw, fsw, a, r0, r1);

    case 0xf0:   /* F2XM1: 2^x - 1 (computed outside -1..1 too) */
        if (nan_operands(a, &va, NULL, NULL, r0, &sw))
            return sw;
        return denormal(&va) | compute(f2xm1_eval, 0, fcw, &va, NULL, r0);

    case 0xf1: case 0xf9:   /* FYL2X, FYL2XP1: ST(1) * log2(ST(0)) or log2(ST(0) + 1) */
        if (nan_operands(a, &va, b, &vb, r0, &sw))
            return sw;
        sw = denormal(&va) | denormal(&vb);
        if (modrm == 0xf1 && neg_a && va.cls != C_ZERO) {   /* log of a negative number */
            f80_indefinite(r0);
            return S_IE;
        }
        return sw | compute(ylog_eval, modrm == 0xf9, fcw, &va, &vb, r0);

    case 0xf3:   /* FPATAN: atan2(ST(1), ST(0)) */
        if (nan_operands(a, &va, b, &vb, r0, &sw))
            return sw;
        return denormal(&va) | denormal(&vb) | compute(atan_eval, 0, fcw, &va, &vb, r0);

    case 0xfa:   /* FSQRT */
        if (nan_operands(a, &va, NULL, NULL, r0, &sw))
            return sw;
        if (neg_a && va.cls != C_ZERO) {
            f80_indefinite(r0);
            return S_IE;
        }
        return denormal(&va) | compute(sqrt_eval, 0, fcw, &va, NULL, r0);

    case 0xfc:   /* FRNDINT */
        if (nan_operands(a, &va, NULL, NULL, r0, &sw))
            return sw;
        if (va.cls == C_INF || va.cls == C_ZERO) {
            memcpy(r0, a, 10);
            return 0;
        }
        return denormal(&va) | compute(rint_eval, 0, fcw, &va, NULL, r0);

    case 0xfd: {   /* FSCALE: ST(0) * 2^trunc(ST(1)) */
        if (nan_operands(a, &va, b, &vb, r0, &sw))
            return sw;
        sw = denormal(&va) | denormal(&vb);
        if (vb.cls == C_INF) {
            bool bad = neg_b ? va.cls == C_INF : va.cls == C_ZERO;
            if (bad) {
                f80_indefinite(r0);
                return S_IE;
            }
            if (va.cls == C_ZERO || va.cls == C_INF)
                memcpy(r0, a, 10);
            else
                f80_pack(r0, neg_a, neg_b ? 0 : 0x7fff, neg_b ? 0 : 1ull << 63);
            return va.cls == C_DENORM ? S_DE : sw;
        }
        if (va.cls == C_INF || va.cls == C_ZERO) {
            memcpy(r0, a, 10);
            return sw;
        }
        /* trunc(ST(1)), limited to where every result overflows or underflows anyway */
        long n;
        mpfr_t t;
        mpfr_init2(t, 64);
        f80_to_mpfr(t, &vb);
        if (mpfr_cmpabs_ui(t, 1ul << 20) > 0)
            n = neg_b ? -(1l << 20) : 1l << 20;
        else
            n = mpfr_get_si(t, MPFR_RNDZ);
        mpfr_clear(t);
        struct eval e = { .fn = scale_eval, .k = n };
        mpfr_init2(e.x, 64);
        mpfr_init2(e.y, 64);
        f80_to_mpfr(e.x, &va);
        sw |= deliver(&e, fcw, r0);
        mpfr_clears(e.x, e.y, (mpfr_ptr)0);
        return sw;
    }

    case 0xf4:   /* FXTRACT: ST(0) = significand, push; r1 = exponent, r0 = significand */
        if (nan_operands(a, &va, NULL, NULL, r0, &sw)) {
            memcpy(r1, r0, 10);
            return sw;
        }
        if (va.cls == C_ZERO) {
            f80_pack(r1, true, 0x7fff, 1ull << 63);
            memcpy(r0, a, 10);
            return S_ZE;
        }
        if (va.cls == C_INF) {
            f80_pack(r1, false, 0x7fff, 1ull << 63);
            memcpy(r0, a, 10);
            return 0;
        }
        {
            mpfr_t x;
            mpfr_init2(x, 64);
            f80_to_mpfr(x, &va);
            long ex = mpfr_get_exp(x) - 1;
            mpfr_mul_2si(x, x, -ex, MPFR_RNDN);
            mpfr_to_f80(r0, x);
            mpfr_set_si(x, ex, MPFR_RNDN);
            mpfr_to_f80(r1, x);
            mpfr_clear(x);
        }
        return denormal(&va);
    }
    return 0;
}

/* ----------------------------------------------------- SSE approximations -- */

/* 1/x (rsqrt: 1/sqrt(x)) of a positive normal float, as a float with 12 significant bits. */
static uint32_t approx12(uint32_t x, bool rsqrt)
{
    mpfr_t v, r;
    mpfr_init2(v, 24);
    mpfr_init2(r, 12);
    uint32_t m = (x & 0x7fffff) | 0x800000;
    int e = (int)(x >> 23 & 0xff) - 127 - 23;
    mpfr_set_ui_2exp(v, m, e, MPFR_RNDN);
    if (rsqrt)
        mpfr_rec_sqrt(r, v, MPFR_RNDN);
    else
        mpfr_ui_div(r, 1, v, MPFR_RNDN);
    long ex = mpfr_get_exp(r) - 1;   /* r = 1.f * 2^ex */
    uint32_t out;
    if (ex < -126) {
        out = 0;   /* below the normal range: zero */
    } else if (ex > 127) {
        out = 0x7f800000;
    } else {
        mpfr_mul_2si(r, r, 23 - ex, MPFR_RNDN);
        uint32_t sig = (uint32_t)mpfr_get_ui(r, MPFR_RNDN);
        out = (uint32_t)(ex + 127) << 23 | (sig & 0x7fffff);
    }
    mpfr_clears(v, r, (mpfr_ptr)0);
    return out;
}

uint32_t sse_soft_rcp(uint32_t x)
{
    uint32_t sign = x & 0x80000000u, exp = x >> 23 & 0xff;
    if (exp == 0xff)
        return (x & 0x7fffff) ? x | 0x400000 : sign;   /* NaN: quieted; 1/inf = 0 */
    if (exp == 0)
        return sign | 0x7f800000;   /* zero and denormals: infinity */
    return sign | approx12(x & 0x7fffffff, false);
}

uint32_t sse_soft_rsqrt(uint32_t x)
{
    uint32_t sign = x & 0x80000000u, exp = x >> 23 & 0xff;
    if (exp == 0xff)
        return (x & 0x7fffff) ? x | 0x400000 : sign ? 0xffc00000u : 0;
    if (exp == 0)
        return sign | 0x7f800000;   /* zero and denormals: infinity of the same sign */
    if (sign)
        return 0xffc00000u;   /* negative: the default NaN */
    return approx12(x, true);
}
