/*
 * test_cpuid.c - the CPU model of docs/cpu-model.md, bit by bit: what is
 * advertised, what deliberately is not, the topology and cache leaves, and
 * the TSC frequency as Linux 6.1 computes it from leaves 0x15/0x16.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/cpu.h"
#include "cpu/cpuid.h"

enum { EAX, EBX, ECX, EDX };

static struct cpu the_cpu;

static uint32_t q(uint32_t leaf, uint32_t subleaf, int reg)
{
    uint32_t r[4];
    cpuid_query(&the_cpu, leaf, subleaf, r);
    return r[reg];
}

static int setup(void **state)
{
    (void)state;
    cpuid_tsc_hz = 3000000000ull;
    cpuid_ncpus = 1;
    memset(&the_cpu, 0, sizeof the_cpu);
    return 0;
}

static void test_vendor_and_limits(void **state)
{
    (void)state;
    uint32_t r[4];
    cpuid_query(&the_cpu, 0, 0, r);
    char vendor[13];
    memcpy(vendor, &r[EBX], 4);
    memcpy(vendor + 4, &r[EDX], 4);
    memcpy(vendor + 8, &r[ECX], 4);
    vendor[12] = 0;
    assert_string_equal(vendor, "GenuineIntel");
    assert_int_equal(r[EAX], 0x16);
    assert_int_equal(q(0x80000000u, 0, EAX), 0x80000008u);
}

static void test_signature(void **state)
{
    (void)state;
    uint32_t a = q(1, 0, EAX);
    unsigned family = (a >> 8) & 0xf, model = ((a >> 4) & 0xf) | ((a >> 12) & 0xf0);
    assert_int_equal(family, 6);
    assert_int_equal((a >> 20) & 0xff, 0);   /* extended family */
    assert_int_equal(model, 0x3b);
    assert_int_equal(a & 0xf, 1);
}

static void test_leaf1_present(void **state)
{
    (void)state;
    uint32_t d = q(1, 0, EDX);
    const uint32_t want = CPUID_1_EDX_FPU | CPUID_1_EDX_PSE | CPUID_1_EDX_TSC | CPUID_1_EDX_MSR |
                          CPUID_1_EDX_PAE | CPUID_1_EDX_CX8 | CPUID_1_EDX_APIC | CPUID_1_EDX_PGE |
                          CPUID_1_EDX_CMOV | CPUID_1_EDX_PAT | CPUID_1_EDX_CLFSH | CPUID_1_EDX_MMX |
                          CPUID_1_EDX_FXSR | CPUID_1_EDX_SSE | CPUID_1_EDX_SSE2;
    assert_int_equal(d, want);  /* exactly these with one CPU (no HTT) */
    assert_int_equal(q(1, 0, ECX), CPUID_1_ECX_CX16);
}

static void test_leaf1_absent(void **state)
{
    (void)state;
    uint32_t c = q(1, 0, ECX), d = q(1, 0, EDX);
    const uint32_t not_ecx[] = {
        CPUID_1_ECX_SSE3, CPUID_1_ECX_PCLMUL, CPUID_1_ECX_MONITOR, CPUID_1_ECX_VMX, CPUID_1_ECX_SSSE3,
        CPUID_1_ECX_FMA, CPUID_1_ECX_PCID, CPUID_1_ECX_SSE41, CPUID_1_ECX_SSE42, CPUID_1_ECX_X2APIC,
        CPUID_1_ECX_MOVBE, CPUID_1_ECX_POPCNT, CPUID_1_ECX_TSC_DEADLINE, CPUID_1_ECX_AES,
        CPUID_1_ECX_XSAVE, CPUID_1_ECX_OSXSAVE, CPUID_1_ECX_AVX, CPUID_1_ECX_RDRAND,
        CPUID_1_ECX_HYPERVISOR,
    };
    for (unsigned i = 0; i < sizeof not_ecx / sizeof not_ecx[0]; i++)
        assert_int_equal(c & not_ecx[i], 0);
    const uint32_t not_edx[] = { CPUID_1_EDX_DE, CPUID_1_EDX_MCE, CPUID_1_EDX_SEP, CPUID_1_EDX_MTRR,
                                 CPUID_1_EDX_MCA, CPUID_1_EDX_HTT, 1u << 1 /* VME */ };
    for (unsigned i = 0; i < sizeof not_edx / sizeof not_edx[0]; i++)
        assert_int_equal(d & not_edx[i], 0);
}

static void test_leaf1_ebx(void **state)
{
    (void)state;
    the_cpu.s.apic_id = 5;
    uint32_t b = q(1, 0, EBX);
    assert_int_equal((b >> 8) & 0xff, 8);     /* CLFLUSH line: 8 * 8 = 64 bytes */
    assert_int_equal((b >> 16) & 0xff, 1);    /* one logical processor */
    assert_int_equal(b >> 24, 5);             /* initial APIC ID */
    assert_int_equal(q(0xb, 0, EDX), 5);      /* x2APIC ID */
}

static void test_leaf7_empty(void **state)
{
    (void)state;
    for (uint32_t sub = 0; sub < 3; sub++)
        for (int reg = EAX; reg <= EDX; reg++)
            assert_int_equal(q(7, sub, reg), 0);  /* no SMEP SMAP FSGSBASE ERMS AVX2 BMI UMIP RDPID ... */
    assert_int_equal(q(0xd, 0, EAX), 0);          /* no XSAVE state */
    assert_int_equal(q(0xd, 1, EAX), 0);
    assert_int_equal(q(0xa, 0, EAX), 0);          /* no architectural PMU */
    assert_int_equal(q(5, 0, EAX), 0);            /* no MONITOR/MWAIT */
}

static void test_extended(void **state)
{
    (void)state;
    assert_int_equal(q(0x80000001u, 0, EDX),
                     CPUID_81_EDX_SYSCALL | CPUID_81_EDX_NX | CPUID_81_EDX_RDTSCP | CPUID_81_EDX_LM);
    assert_int_equal(q(0x80000001u, 0, EDX) & CPUID_81_EDX_PAGE1GB, 0);
    assert_int_equal(q(0x80000001u, 0, ECX), CPUID_81_ECX_LAHF_LM);   /* no ABM/LZCNT, no PREFETCHW */
    assert_int_equal(q(0x80000007u, 0, EDX), CPUID_87_EDX_INVARIANT_TSC);
    uint32_t a = q(0x80000008u, 0, EAX);
    assert_int_equal(a & 0xff, 40);
    assert_int_equal((a >> 8) & 0xff, 48);
}

static void test_brand(void **state)
{
    (void)state;
    char brand[49];
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t r[4];
        cpuid_query(&the_cpu, 0x80000002u + i, 0, r);
        memcpy(brand + 16 * i, r, 16);
    }
    brand[48] = 0;
    assert_string_equal(brand, "m5sim x86-64 CPU");
}

/* Linux 6.1 native_calibrate_tsc(), in its own 32-bit arithmetic. */
static unsigned linux_tsc_khz(void)
{
    unsigned den = q(0x15, 0, EAX), num = q(0x15, 0, EBX), hz = q(0x15, 0, ECX);
    if (!num || !den)
        return 0;
    unsigned crystal_khz = hz / 1000;
    return crystal_khz * num / den;
}

static void test_tsc_frequency(void **state)
{
    (void)state;
    /* Whole MHz (what --cpu-clock gives): exact. */
    static const uint64_t hz[] = { 3000000000ull, 1000000000ull, 2500000000ull, 3333000000ull,
                                   4321000000ull, 2000000ull, 65535000000ull };
    for (unsigned i = 0; i < sizeof hz / sizeof hz[0]; i++) {
        cpuid_tsc_hz = hz[i];
        assert_int_equal(linux_tsc_khz(), hz[i] / 1000);
        assert_int_equal(q(0x16, 0, EAX), hz[i] / 1000000);
    }
    /* Linux keeps kHz: the nearest kHz when the ratio fits its arithmetic ... */
    cpuid_tsc_hz = 2999999600ull;
    assert_int_equal(linux_tsc_khz(), 3000000);
    cpuid_tsc_hz = 2400500000ull;
    assert_int_equal(linux_tsc_khz(), 2400500);
    /* ... otherwise the nearest MHz. */
    cpuid_tsc_hz = 2399999123ull;
    assert_int_equal(linux_tsc_khz(), 2400000);
    cpuid_tsc_hz = 12345678000ull;
    assert_int_equal(linux_tsc_khz(), 12346000);
    /* The crystal is the local APIC timer clock; Linux derives lapic_timer_period from it. */
    assert_int_equal(q(0x15, 0, ECX), CPUID_CRYSTAL_HZ);
    assert_int_equal(q(0x16, 0, ECX), CPUID_BUS_MHZ);
    assert_true(q(6, 0, EAX) & CPUID_6_EAX_ARAT);
}

static void test_caches(void **state)
{
    (void)state;
    static const struct { unsigned type, level, size; } want[] = {
        { 1, 1, 32u << 10 }, { 2, 1, 32u << 10 }, { 3, 2, 2u << 20 },
    };
    unsigned i;
    for (i = 0; i < 3; i++) {
        uint32_t r[4];
        cpuid_query(&the_cpu, 4, i, r);
        assert_int_equal(r[EAX] & 0x1f, want[i].type);
        assert_int_equal((r[EAX] >> 5) & 7, want[i].level);
        unsigned ways = (r[EBX] >> 22) + 1, parts = ((r[EBX] >> 12) & 0x3ff) + 1;
        unsigned line = (r[EBX] & 0xfff) + 1, sets = r[ECX] + 1;
        assert_int_equal(line, 64);
        assert_int_equal(ways * parts * line * sets, want[i].size);
    }
    assert_int_equal(q(4, i, EAX) & 0x1f, 0);   /* end of the list */
    assert_int_equal(q(2, 0, EAX), 0x00ff0001u); /* leaf 2 defers to leaf 4 */
    assert_int_equal(q(0x80000006u, 0, ECX) >> 16, 2048);
    assert_int_equal(q(0x80000006u, 0, ECX) & 0xff, 64);
}

static void test_topology(void **state)
{
    (void)state;
    cpuid_ncpus = 4;
    the_cpu.s.apic_id = 3;
    assert_true(q(1, 0, EDX) & CPUID_1_EDX_HTT);
    assert_int_equal((q(1, 0, EBX) >> 16) & 0xff, 4);
    /* Leaf 0xB: SMT level with one thread, core level with 4 cores, then the end. */
    assert_int_equal(q(0xb, 0, EBX), 1);
    assert_int_equal((q(0xb, 0, ECX) >> 8) & 0xff, 1);
    assert_int_equal(q(0xb, 0, EAX) & 0x1f, 0);
    assert_int_equal(q(0xb, 1, EBX), 4);
    assert_int_equal((q(0xb, 1, ECX) >> 8) & 0xff, 2);
    assert_int_equal(q(0xb, 1, EAX) & 0x1f, 2);
    assert_int_equal(q(0xb, 1, EDX), 3);
    assert_int_equal((q(0xb, 2, ECX) >> 8) & 0xff, 0);
    assert_int_equal(q(0xb, 2, EBX), 0);
    /* Leaf 4: cores per package, and the L2 shared by all of them. */
    assert_int_equal(q(4, 0, EAX) >> 26, 3);
    assert_int_equal((q(4, 0, EAX) >> 14) & 0xfff, 0);
    assert_int_equal((q(4, 2, EAX) >> 14) & 0xfff, 3);
    cpuid_ncpus = 3;
    assert_int_equal(q(0xb, 1, EAX) & 0x1f, 2);
    assert_int_equal(q(0xb, 1, EBX), 3);
    cpuid_ncpus = 1;
    assert_int_equal(q(0xb, 1, EAX) & 0x1f, 0);
}

static void test_out_of_range(void **state)
{
    (void)state;
    static const uint32_t leaves[] = { 0x17, 0x40000000u, 0x40000010u, 0x80000009u, 0xffffffffu };
    uint32_t top[4];
    cpuid_query(&the_cpu, 0x16, 0, top);
    for (unsigned i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
        uint32_t r[4];
        cpuid_query(&the_cpu, leaves[i], 0, r);
        assert_memory_equal(r, top, sizeof r);
    }
    uint32_t r[4];
    cpuid_query(NULL, 1, 0, r);   /* no CPU: APIC ID 0 */
    assert_int_equal(r[EBX] >> 24, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_vendor_and_limits, setup),
        cmocka_unit_test_setup(test_signature, setup),
        cmocka_unit_test_setup(test_leaf1_present, setup),
        cmocka_unit_test_setup(test_leaf1_absent, setup),
        cmocka_unit_test_setup(test_leaf1_ebx, setup),
        cmocka_unit_test_setup(test_leaf7_empty, setup),
        cmocka_unit_test_setup(test_extended, setup),
        cmocka_unit_test_setup(test_brand, setup),
        cmocka_unit_test_setup(test_tsc_frequency, setup),
        cmocka_unit_test_setup(test_caches, setup),
        cmocka_unit_test_setup(test_topology, setup),
        cmocka_unit_test_setup(test_out_of_range, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
