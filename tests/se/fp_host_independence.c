/*
 * fp_host_independence.c - prints, as hex, the results of every x87 and SSE
 * instruction whose result is implementation-defined (the transcendental
 * x87 instructions, FSCALE, FXTRACT, FRNDINT, FSQRT, the constants,
 * RCPPS/RCPSS/RSQRTPS/RSQRTSS) on thousands of inputs: special
 * values of every 80-bit class and pseudo-random values over many ranges,
 * under every rounding and precision control.
 *
 * tests/system/25_host_independence.sh runs it under `m5sim se` natively and
 * with m5sim itself under qemu-x86_64 (another x86 implementation): the two
 * outputs must be identical, since nothing the guest sees may depend on the
 * host. Natively the output is the host CPU's and differs between vendors;
 * that is expected.
 *
 * Each x87 case: FNINIT, FLDCW, load ST(1) = b and ST(0) = a, the
 * instruction, then FNSAVE; printed are the status word (condition codes,
 * flags, TOP), the tag word and ST(0)..ST(2). Every exception is masked.
 *
 * Build: musl-gcc -static -O1 -o fp_host_independence fp_host_independence.c
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint64_t m; uint16_t se; } f80;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static f80 mk(int sign, unsigned exp, uint64_t m)
{
    f80 v = { m, (uint16_t)((sign ? 0x8000 : 0) | (exp & 0x7fff)) };
    return v;
}

/* A normal value with unbiased exponent e and a random significand. */
static f80 rnd_normal(int e)
{
    return mk(next() & 1, (unsigned)(16383 + e), next() | 1ull << 63);
}

#define NSPECIAL 28
static f80 special(unsigned i)
{
    switch (i) {
    case 0: return mk(0, 0, 0);                              /* +0 */
    case 1: return mk(1, 0, 0);                              /* -0 */
    case 2: return mk(0, 0x7fff, 1ull << 63);                /* +inf */
    case 3: return mk(1, 0x7fff, 1ull << 63);                /* -inf */
    case 4: return mk(0, 0x7fff, 0xc000000000000000ull);     /* QNaN */
    case 5: return mk(1, 0x7fff, 0xc000000000000123ull);     /* -QNaN */
    case 6: return mk(0, 0x7fff, 0xa000000000000000ull);     /* SNaN */
    case 7: return mk(1, 0x7fff, 0x8000000000000001ull);     /* -SNaN */
    case 8: return mk(0, 0, 1);                              /* smallest denormal */
    case 9: return mk(1, 0, 0x7fffffffffffffffull);          /* largest denormal */
    case 10: return mk(0, 0, 0x8000000000000000ull);         /* pseudo-denormal */
    case 11: return mk(0, 0x3fff, 0x4000000000000000ull);    /* unnormal */
    case 12: return mk(0, 0x7fff, 0);                        /* pseudo-infinity */
    case 13: return mk(0, 0x3fff, 1ull << 63);               /* 1 */
    case 14: return mk(1, 0x3fff, 1ull << 63);               /* -1 */
    case 15: return mk(0, 0x3ffe, 1ull << 63);               /* 0.5 */
    case 16: return mk(0, 0x4000, 0xc90fdaa22168c235ull);    /* pi (rounded up) */
    case 17: return mk(0, 0x3fff, 0xc90fdaa22168c234ull);    /* pi/2 (rounded down) */
    case 18: return mk(0, 16383 + 63, 1ull << 63);           /* 2^63: out of FSIN's range */
    case 19: return mk(1, 16383 + 62, ~0ull);                /* just inside */
    case 20: return mk(0, 0x7ffe, ~0ull);                    /* largest */
    case 21: return mk(0, 1, 1ull << 63);                    /* smallest normal */
    case 22: return mk(0, 0x3ffe, 0xb504f333f9de6484ull);    /* sqrt(2)/2 */
    case 23: return mk(1, 0x3ffd, 0x95f619980c4336f7ull);    /* -(1 - sqrt(2)/2) */
    case 24: return mk(0, 0x4002, 0xa000000000000000ull);    /* 10 */
    case 25: return mk(1, 0x3ffe, 0xc000000000000000ull);    /* -0.75 */
    case 26: return mk(0, 16383 + 40, 0xc90fdaa22168c235ull); /* 2^39 pi */
    default: return mk(0, 0x3fbf, 1ull << 63);               /* 2^-64 */
    }
}

/* Inputs drawn from ranges that matter to the instruction families. */
static f80 random_input(unsigned k)
{
    switch (k % 8) {
    case 0: return rnd_normal((int)(next() % 8) - 4);          /* near 1 */
    case 1: return rnd_normal((int)(next() % 140) - 70);       /* wide */
    case 2: return rnd_normal((int)(next() % 64));             /* large, < 2^64 */
    case 3: {                                                  /* near a multiple of pi/2 */
        long double x = (long double)(next() % 200000) * 1.5707963267948966192313216916397514L;
        f80 v;
        memcpy(&v, &x, 10);
        v.m ^= next() & 0xff;
        return v;
    }
    case 4: return rnd_normal(-(int)(next() % 16400));         /* tiny, down to denormal */
    case 5: return rnd_normal((int)(next() % 16384));          /* huge */
    case 6: return mk(next() & 1, (unsigned)(next() % 3), next()); /* denormals */
    default: return rnd_normal(-1 - (int)(next() % 3));        /* |x| < 1 (F2XM1, FYL2XP1) */
    }
}

static void print_f80(const uint8_t *p)
{
    for (int i = 9; i >= 0; i--)
        printf("%02x", p[i]);
}

struct op { const char *name; void (*fn)(void); unsigned nargs; };

#define X87(name, insn)                                                  \
    static void op_##name(void) { __asm__ volatile(insn); }
X87(fsin, "fsin") X87(fcos, "fcos") X87(fsincos, "fsincos") X87(fptan, "fptan")
X87(f2xm1, "f2xm1") X87(fyl2x, "fyl2x") X87(fyl2xp1, "fyl2xp1") X87(fpatan, "fpatan")
X87(fscale, "fscale") X87(fxtract, "fxtract")
X87(frndint, "frndint") X87(fsqrt, "fsqrt") X87(fldpi, "fstp %st(0)\n\tfstp %st(0)\n\tfldpi")
X87(fldl2t, "fstp %st(0)\n\tfstp %st(0)\n\tfldl2t") X87(fldl2e, "fstp %st(0)\n\tfstp %st(0)\n\tfldl2e")
X87(fldlg2, "fstp %st(0)\n\tfstp %st(0)\n\tfldlg2") X87(fldln2, "fstp %st(0)\n\tfstp %st(0)\n\tfldln2")

static const struct op ops[] = {
    { "fsin", op_fsin, 1 }, { "fcos", op_fcos, 1 }, { "fsincos", op_fsincos, 1 },
    { "fptan", op_fptan, 1 }, { "f2xm1", op_f2xm1, 1 }, { "fyl2x", op_fyl2x, 2 },
    { "fyl2xp1", op_fyl2xp1, 2 }, { "fpatan", op_fpatan, 2 }, { "fscale", op_fscale, 2 },
    { "fxtract", op_fxtract, 1 }, { "frndint", op_frndint, 1 }, { "fsqrt", op_fsqrt, 1 },
};

/* One case: the instruction on ST(0) = a, ST(1) = b under control word cw. */
static void run(const struct op *o, const f80 *a, const f80 *b, uint16_t cw)
{
    uint8_t save[108];
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]"
                     : : [cw] "m"(cw), [a] "m"(*a), [b] "m"(*b));
    o->fn();
    __asm__ volatile("fnsave %0" : "=m"(save));
    uint16_t sw, tw;
    memcpy(&sw, save + 4, 2);
    memcpy(&tw, save + 8, 2);
    printf("%s %04x %04x%016llx %04x%016llx: %04x %04x ", o->name, cw, a->se,
           (unsigned long long)a->m, b->se, (unsigned long long)b->m, sw, tw);
    for (int i = 0; i < 3; i++) {
        print_f80(save + 28 + 10 * i);
        putchar(i < 2 ? ' ' : '\n');
    }
}

static void x87_cases(void)
{
    static const uint16_t cws[] = { 0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x007f, 0x027f, 0x0e7f, 0x0c7f };
    /* The constants under every rounding and precision control. */
    static const struct op consts[] = {
        { "fldpi", op_fldpi, 0 }, { "fldl2t", op_fldl2t, 0 }, { "fldl2e", op_fldl2e, 0 },
        { "fldlg2", op_fldlg2, 0 }, { "fldln2", op_fldln2, 0 },
    };
    f80 z = mk(0, 0, 0);
    for (unsigned c = 0; c < sizeof consts / sizeof consts[0]; c++)
        for (unsigned w = 0; w < 8; w++)
            run(&consts[c], &z, &z, cws[w]);

    for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; o++) {
        const struct op *op = &ops[o];
        /* Special values against each other, all control words. */
        for (unsigned i = 0; i < NSPECIAL; i++)
            for (unsigned j = 0; j < (op->nargs == 2 ? NSPECIAL : 1); j++) {
                f80 a = special(i), b = special(j);
                run(op, &a, &b, cws[(i + j) & 7]);
            }
        /* Random values. */
        for (unsigned k = 0; k < 2000; k++) {
            f80 a = random_input(k), b = random_input(k / 8 + k);
            if (op->fn == op_fyl2x && (k & 3))
                a.se &= 0x7fff;   /* mostly positive x */
            if (op->fn == op_fscale)
                b = rnd_normal((int)(next() % 16));
            run(op, &a, &b, cws[k & 7]);
        }
    }
}

static uint32_t rnd_f32(unsigned k)
{
    uint32_t r = (uint32_t)next();
    switch (k % 6) {
    case 0: return r;                                          /* anything */
    case 1: return (r & 0x807fffff) | 0x3f800000;              /* [1, 2) */
    case 2: return r & 0x807fffff;                             /* denormals */
    case 3: return (r & 0x80ffffff) | 0x7e000000;              /* near the top */
    case 4: return (r & 0x807fffff) | 0x00800000;              /* smallest normals */
    default: return (r & 0x83ffffff) | 0x3c000000;             /* around 1 */
    }
}

static void sse_cases(void)
{
    static const uint32_t specials[] = {
        0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0xff812345,
        1, 0x807fffff, 0x00800000, 0x3f800000, 0xbf800000, 0x7f7fffff, 0xff7fffff, 0x7e800000,
        0x7f000000, 0x00400000, 0x00200000, 0x00100000, 0x3f7fffff, 0x40800000, 0x3e800000, 0x01000000,
    };
    static const uint32_t mxcsrs[] = { 0x1f80, 0x9fc0, 0x3f80, 0x5f80 };
    unsigned n = sizeof specials / sizeof specials[0];
    for (unsigned k = 0; k < n + 4096; k += 4) {
        uint32_t in[4], rcp[4], rsq[4], rcpss[4], rsqss[4];
        uint32_t mx = mxcsrs[(k / 4) & 3], f0, f1, f2, f3, f4;
        for (unsigned l = 0; l < 4; l++)
            in[l] = k + l < n ? specials[k + l] : rnd_f32(k + l);
        uint32_t ones[4] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
        memcpy(rcpss, ones, 16);
        memcpy(rsqss, ones, 16);
        __asm__ volatile("ldmxcsr %[mx]\n\t"
                         "movups %[in], %%xmm1\n\trcpps %%xmm1, %%xmm0\n\tmovups %%xmm0, %[rcp]\n\t"
                         "stmxcsr %[f1]\n\tldmxcsr %[mx]\n\t"
                         "rsqrtps %%xmm1, %%xmm0\n\tmovups %%xmm0, %[rsq]\n\t"
                         "stmxcsr %[f2]\n\tldmxcsr %[mx]\n\t"
                         "movups %[rcpss], %%xmm0\n\trcpss %%xmm1, %%xmm0\n\tmovups %%xmm0, %[rcpss]\n\t"
                         "stmxcsr %[f3]\n\tldmxcsr %[mx]\n\t"
                         "movups %[rsqss], %%xmm0\n\trsqrtss %%xmm1, %%xmm0\n\tmovups %%xmm0, %[rsqss]\n\t"
                         "stmxcsr %[f4]\n\tmovl $0x1f80, %[f0]\n\tldmxcsr %[f0]"
                         : [rcp] "=m"(rcp), [rsq] "=m"(rsq), [rcpss] "+m"(rcpss), [rsqss] "+m"(rsqss),
                           [f1] "=m"(f1), [f2] "=m"(f2), [f3] "=m"(f3), [f4] "=m"(f4), [f0] "=m"(f0)
                         : [mx] "m"(mx), [in] "m"(in)
                         : "xmm0", "xmm1");
        for (unsigned l = 0; l < 4; l++)
            printf("sse %08x: rcpps %08x rsqrtps %08x\n", in[l], rcp[l], rsq[l]);
        printf("sse mxcsr %04x %04x  ss %08x %08x %08x %08x  %04x %04x\n", f1, f2, rcpss[0], rcpss[1],
               rsqss[0], rsqss[3], f3, f4);
    }
}

int main(void)
{
    x87_cases();
    sse_cases();
    return 0;
}
