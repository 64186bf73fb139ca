/*
 * test_x87_soft.c - the x87 and SSE results m5sim computes in software
 * (host/cpu/x87_soft.c), against known bits: correctly rounded values
 * (computed independently with mpmath at 300 bits), Intel's documented
 * behaviour (the 66-bit pi reduction, the rounded constants), and the SDM's
 * special cases (out-of-range operands, FPTAN's 1.0, invalid operations,
 * division by zero).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/x87_soft.h"

#define IE 0x0001u
#define DE 0x0002u
#define ZE 0x0004u
#define PE 0x0020u
#define C0 0x0100u
#define C1 0x0200u
#define C2 0x0400u
#define C3 0x4000u

#define CW_NEAREST 0x037fu
#define CW_DOWN    0x077fu
#define CW_UP      0x0b7fu
#define CW_PC24    0x007fu

struct v { uint8_t b[10]; };

static struct v f80(unsigned se, uint64_t m)
{
    struct v r;
    memcpy(r.b, &m, 8);
    r.b[8] = (uint8_t)se;
    r.b[9] = (uint8_t)(se >> 8);
    return r;
}

static void assert_f80(const uint8_t *got, unsigned se, uint64_t m)
{
    uint64_t gm;
    memcpy(&gm, got, 8);
    assert_int_equal(got[8] | got[9] << 8, se);
    assert_int_equal(gm, m);
}

static unsigned run(unsigned modrm, unsigned cw, struct v a, struct v b, uint8_t *r0, uint8_t *r1)
{
    return x87_soft_run(modrm, cw, 0, a.b, b.b, r0, r1);
}

static const struct v one = { { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f } };

/* FSIN/FCOS of 1: correctly rounded (sin 1 = ...7020 + 0.777 ulp: rounded up, C1). */
static void test_sin_cos_of_one(void **state)
{
    (void)state;
    uint8_t r0[10], r1[10];
    unsigned sw = run(0xfe, CW_NEAREST, one, one, r0, r1);
    assert_f80(r0, 0x3ffe, 0xd76aa47848677021ull);
    assert_int_equal(sw & (C1 | C2 | PE | IE), C1 | PE);
    sw = run(0xfe, CW_DOWN, one, one, r0, r1);   /* rounded down: no C1 */
    assert_f80(r0, 0x3ffe, 0xd76aa47848677020ull);
    assert_int_equal(sw & (C1 | PE), PE);
    sw = run(0xff, CW_NEAREST, one, one, r0, r1);
    assert_f80(r0, 0x3ffe, 0x8a51407da8345c92ull);
    /* Precision control does not apply to the transcendental instructions. */
    run(0xfe, CW_PC24, one, one, r0, r1);
    assert_f80(r0, 0x3ffe, 0xd76aa47848677021ull);
}

/* sin(double pi) is Intel's famous 1.2246063538223773e-16 (66-bit pi), not 1.2246467991473532e-16. */
static void test_sin_of_double_pi_matches_intel(void **state)
{
    (void)state;
    uint8_t r0[10], r1[10];
    struct v pid = f80(0x4000, 0xc90fdaa22168c000ull);   /* 0x400921FB54442D18 */
    unsigned sw = run(0xfe, CW_NEAREST, pid, one, r0, r1);
    assert_f80(r0, 0x3fca, 0x8d30000000000000ull);
    assert_int_equal(sw & (C1 | C2 | PE), C1 | PE);
}

/* |x| >= 2^63: C2 set, the operand unchanged, nothing raised; FSINCOS/FPTAN push nothing (C2). */
static void test_out_of_range(void **state)
{
    (void)state;
    uint8_t r0[10], r1[10];
    struct v big = f80(0x403e, 0x8000000000000000ull);
    static const unsigned ops[] = { 0xfe, 0xff, 0xf2, 0xfb };
    for (unsigned i = 0; i < 4; i++) {
        unsigned sw = x87_soft_run(ops[i], CW_NEAREST, C0 | C3, big.b, one.b, r0, r1);
        assert_int_equal(sw, C0 | C3 | C2);   /* C0 C3 kept, no flags */
        if (ops[i] == 0xfe || ops[i] == 0xff)
            assert_memory_equal(r0, big.b, 10);
    }
    /* Just below 2^63 is reduced and computed. */
    struct v below = f80(0x403d, ~0ull);
    assert_int_equal(run(0xfe, CW_NEAREST, below, one, r0, r1) & C2, 0);
}

/* FPTAN pushes 1.0 above tan(x); tan(0.5) = ...5218 + 0.737 ulp. */
static void test_fptan_pushes_one(void **state)
{
    (void)state;
    uint8_t r0[10], r1[10];
    struct v half = f80(0x3ffe, 0x8000000000000000ull);
    unsigned sw = run(0xf2, CW_NEAREST, half, one, r0, r1);
    assert_f80(r0, 0x3fff, 0x8000000000000000ull);
    assert_f80(r1, 0x3ffe, 0x8bda7adf9a3a5219ull);
    assert_int_equal(sw & (C2 | PE | IE), PE);
}

static void test_invalid_and_zero_divide(void **state)
{
    (void)state;
    uint8_t r0[10], r1[10];
    struct v inf = f80(0x7fff, 0x8000000000000000ull), zero = f80(0, 0);
    /* FCOS(+inf): #IA, the QNaN indefinite. */
    assert_int_equal(run(0xff, CW_NEAREST, inf, one, r0, r1) & (IE | C2), IE);
    assert_f80(r0, 0xffff, 0xc000000000000000ull);
    /* FYL2X with x = +0, y = 1: #Z, -inf. */
    assert_int_equal(run(0xf1, CW_NEAREST, zero, one, r0, r1) & (IE | ZE), ZE);
    assert_f80(r0, 0xffff, 0x8000000000000000ull);
    /* FYL2X of a negative x: #IA. */
    struct v m1 = f80(0xbfff, 0x8000000000000000ull);
    assert_int_equal(run(0xf1, CW_NEAREST, m1, one, r0, r1) & IE, IE);
    /* An SNaN operand: #IA, quieted. */
    struct v snan = f80(0x7fff, 0xa000000000000000ull);
    assert_int_equal(run(0xfe, CW_NEAREST, snan, one, r0, r1) & IE, IE);
    assert_f80(r0, 0x7fff, 0xe000000000000000ull);
    /* FSQRT of a denormal: DE. */
    struct v den = f80(0, 1);
    assert_int_equal(run(0xfa, CW_NEAREST, den, one, r0, r1) & (DE | IE), DE);
}

/*
 * FSCALE with OE/UE unmasked: the result with its exponent adjusted by
 * 24576, or, when even that is out of range (massive overflow/underflow), a
 * signed infinity or zero (SDM vol. 1, 8.5.4 and 8.5.5).
 */
static void test_fscale_unmasked_overflow(void **state)
{
    (void)state;
    uint8_t r0[10], r1[10];
    struct v p20000 = f80(0x400d, 0x9c40000000000000ull), p50000 = f80(0x400e, 0xc350000000000000ull);
    struct v m50000 = f80(0xc00e, 0xc350000000000000ull), mone = f80(0xbfff, 0x8000000000000000ull);
    /* 1 * 2^20000 (OE unmasked): 2^(20000 - 24576), exact. */
    assert_int_equal(run(0xfd, 0x377, one, p20000, r0, r1) & (0x3fu | C1), 0x08u);
    assert_f80(r0, 0x3fff + 20000 - 24576, 0x8000000000000000ull);
    /* -1 * 2^50000: -infinity, OE. */
    assert_int_equal(run(0xfd, 0x377, mone, p50000, r0, r1) & 0x08u, 0x08u);
    assert_f80(r0, 0xffff, 0x8000000000000000ull);
    /* 1 * 2^-50000 (UE unmasked): +0, UE. */
    assert_int_equal(run(0xfd, 0x36f, one, m50000, r0, r1) & 0x10u, 0x10u);
    assert_f80(r0, 0, 0);
}

/* FPATAN(1, 1) = pi/4; FYL2X(10, 1) = log2(10); F2XM1(-0) = -0 exactly. */
static void test_atan_log_exp(void **state)
{
    (void)state;
    uint8_t r0[10], r1[10];
    run(0xf3, CW_NEAREST, one, one, r0, r1);
    assert_f80(r0, 0x3ffe, 0xc90fdaa22168c235ull);
    struct v ten = f80(0x4002, 0xa000000000000000ull);
    run(0xf1, CW_NEAREST, ten, one, r0, r1);
    assert_f80(r0, 0x4000, 0xd49a784bcd1b8afeull);
    struct v mz = f80(0x8000, 0);
    assert_int_equal(run(0xf0, CW_NEAREST, mz, one, r0, r1) & PE, 0);
    assert_f80(r0, 0x8000, 0);
}

/* FLDPI: Intel's 66-bit pi rounded by RC, no flags. */
static void test_constants_follow_rc(void **state)
{
    (void)state;
    uint8_t r0[10], r1[10];
    assert_int_equal(run(0xeb, CW_NEAREST, one, one, r0, r1), 0);
    assert_f80(r0, 0x4000, 0xc90fdaa22168c235ull);
    run(0xeb, CW_DOWN, one, one, r0, r1);
    assert_f80(r0, 0x4000, 0xc90fdaa22168c234ull);
    run(0xeb, CW_UP, one, one, r0, r1);
    assert_f80(r0, 0x4000, 0xc90fdaa22168c235ull);
}

/* RCP/RSQRT: 12 significant bits, within the SDM's 1.5 * 2^-12, special values. */
static void test_sse_approximations(void **state)
{
    (void)state;
    assert_int_equal(sse_soft_rcp(0x3f800000u), 0x3f800000u);        /* 1 -> 1 */
    assert_int_equal(sse_soft_rcp(0x40400000u), 0x3eaab000u);        /* 1/3 = 0.333333 -> 0x3eaab000 */
    assert_int_equal(sse_soft_rsqrt(0x40800000u), 0x3f000000u);      /* 1/sqrt(4) = 0.5 */
    assert_int_equal(sse_soft_rcp(0x80000000u), 0xff800000u);        /* -0 -> -inf */
    assert_int_equal(sse_soft_rcp(0x00000001u), 0x7f800000u);        /* denormal -> +inf */
    assert_int_equal(sse_soft_rcp(0x7f7fffffu), 0u);                 /* below the normal range -> 0 */
    assert_int_equal(sse_soft_rsqrt(0xbf800000u), 0xffc00000u);      /* negative -> default NaN */
    assert_int_equal(sse_soft_rsqrt(0x7f800000u), 0u);               /* +inf -> +0 */
    for (uint32_t x = 0x00800000u; x < 0x7f000000u; x += 0x00012345u) {
        union { uint32_t u; float f; } in = { x }, r = { sse_soft_rcp(x) }, s = { sse_soft_rsqrt(x) };
        double e1 = (double)r.f * (double)in.f - 1.0;
        assert_true(r.u == 0 || (e1 < 1.5 / 4096 && e1 > -1.5 / 4096));
        double e2 = (double)s.f * (double)s.f * (double)in.f - 1.0;   /* (1 + e)^2 - 1 ~ 2e */
        assert_true(e2 < 3.0 / 4096 && e2 > -3.0 / 4096);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sin_cos_of_one),
        cmocka_unit_test(test_sin_of_double_pi_matches_intel),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_fptan_pushes_one),
        cmocka_unit_test(test_invalid_and_zero_divide),
        cmocka_unit_test(test_fscale_unmasked_overflow),
        cmocka_unit_test(test_atan_log_exp),
        cmocka_unit_test(test_constants_follow_rc),
        cmocka_unit_test(test_sse_approximations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
