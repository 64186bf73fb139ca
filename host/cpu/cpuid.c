/*
 * cpuid.c - the CPUID table of m5sim's CPU model. Every leaf and bit is
 * explained in docs/cpu-model.md; keep the two in step.
 */
#include "cpu/cpuid.h"

#include <string.h>

#include "cpu/cpu.h"

uint64_t cpuid_tsc_hz = 3000000000ull;
unsigned cpuid_ncpus = 1;

/* Family 6, model 0x3B (extended model 3, model 0xB), stepping 1: a model number no Linux or glibc table lists. */
#define SIGNATURE ((3u << 16) | (6u << 8) | (0xbu << 4) | 1u)

#define LEAF1_EDX (CPUID_1_EDX_FPU | CPUID_1_EDX_PSE | CPUID_1_EDX_TSC | CPUID_1_EDX_MSR |      \
                   CPUID_1_EDX_PAE | CPUID_1_EDX_CX8 | CPUID_1_EDX_APIC | CPUID_1_EDX_PGE |     \
                   CPUID_1_EDX_CMOV | CPUID_1_EDX_PAT | CPUID_1_EDX_CLFSH | CPUID_1_EDX_MMX |   \
                   CPUID_1_EDX_FXSR | CPUID_1_EDX_SSE | CPUID_1_EDX_SSE2)
#define LEAF1_ECX (CPUID_1_ECX_CX16)
#define EXT1_ECX  (CPUID_81_ECX_LAHF_LM)
#define EXT1_EDX  (CPUID_81_EDX_SYSCALL | CPUID_81_EDX_NX | CPUID_81_EDX_RDTSCP | CPUID_81_EDX_LM)

static const char brand[48] = "m5sim x86-64 CPU";

/* The cache hierarchy leaf 4 describes: fixed, whatever --caches configures for timing. */
struct cache_desc {
    unsigned type;       /* 1 data, 2 instruction, 3 unified */
    unsigned level;
    unsigned size;       /* bytes */
    unsigned ways;
    bool shared;         /* shared by every CPU of the package */
};

static const struct cache_desc caches[] = {
    { 1, 1, 32u << 10, 8, false },
    { 2, 1, 32u << 10, 8, false },
    { 3, 2, 2u << 20, 16, true },
};
#define LINE 64u

/* Bits of APIC ID that number the CPUs of the one package: ceil(log2(ncpus)). */
static unsigned core_bits(void)
{
    unsigned n = cpuid_ncpus ? cpuid_ncpus : 1, bits = 0;
    while ((1u << bits) < n)
        bits++;
    return bits;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/*
 * Leaf 0x15: TSC = crystal * EBX / EAX. Linux computes
 * crystal_khz * EBX / EAX in 32-bit arithmetic and keeps the TSC in kHz, so
 * the ratio is the TSC in kHz over the crystal in kHz, reduced. A TSC that is
 * a whole number of MHz is always exact; anything finer than 1 kHz is lost
 * by Linux anyway.
 */
static void tsc_ratio(uint32_t *num, uint32_t *den)
{
    const uint64_t crystal_khz = CPUID_CRYSTAL_HZ / 1000;
    uint64_t khz = (cpuid_tsc_hz + 500) / 1000;
    if (khz == 0)
        khz = 1;
    uint64_t g = gcd(khz, crystal_khz);
    uint64_t n = khz / g, d = crystal_khz / g;
    if (crystal_khz * n > UINT32_MAX) {
        /* Not representable in Linux's arithmetic: round the TSC to whole MHz. */
        uint64_t mhz = (khz + 500) / 1000;
        g = gcd(mhz * 1000, crystal_khz);
        n = mhz * 1000 / g;
        d = crystal_khz / g;
    }
    *num = (uint32_t)n;
    *den = (uint32_t)d;
}

static void leaf4(uint32_t subleaf, uint32_t r[4])
{
    if (subleaf >= sizeof caches / sizeof caches[0])
        return;  /* type 0: no more caches */
    const struct cache_desc *c = &caches[subleaf];
    unsigned cores = 1u << core_bits();
    unsigned sets = c->size / (c->ways * LINE);
    r[0] = c->type | c->level << 5 | 1u << 8 /* self-initializing */ |
           (c->shared ? cores - 1 : 0) << 14 | (cores - 1) << 26;
    r[1] = (LINE - 1) | 0u << 12 /* one partition */ | (c->ways - 1) << 22;
    r[2] = sets - 1;
    r[3] = 0;
}

static void leaf_b(const struct cpu *cpu, uint32_t subleaf, uint32_t r[4])
{
    uint32_t apic_id = cpu ? cpu->s.apic_id : 0;
    unsigned n = cpuid_ncpus ? cpuid_ncpus : 1;
    r[3] = apic_id;
    switch (subleaf) {
    case 0:  /* SMT level: one thread per core */
        r[0] = 0;
        r[1] = 1;
        r[2] = 1u << 8 | 0;
        break;
    case 1:  /* core level: every CPU is a core of one package */
        r[0] = core_bits();
        r[1] = n;
        r[2] = 2u << 8 | 1;
        break;
    default:
        r[0] = r[1] = 0;
        r[2] = subleaf & 0xff;  /* level type 0: invalid */
        break;
    }
}

void cpuid_query(const struct cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    uint32_t r[4] = { 0, 0, 0, 0 };
    uint32_t apic_id = cpu ? cpu->s.apic_id : 0;

    /* Out-of-range leaves return the highest basic leaf (Intel behaviour). */
    if ((leaf > CPUID_MAX_BASIC && leaf < 0x80000000u) || leaf > CPUID_MAX_EXTENDED)
        leaf = CPUID_MAX_BASIC;

    switch (leaf) {
    case 0:
        r[0] = CPUID_MAX_BASIC;
        memcpy(&r[1], "Genu", 4);
        memcpy(&r[3], "ineI", 4);
        memcpy(&r[2], "ntel", 4);
        break;
    case 1: {
        unsigned ids = 1u << core_bits();
        r[0] = SIGNATURE;
        r[1] = (CPUID_CLFLUSH_LINE / 8) << 8 | (ids > 255 ? 255 : ids) << 16 | (apic_id & 0xff) << 24;
        r[2] = LEAF1_ECX;
        r[3] = LEAF1_EDX | (cpuid_ncpus > 1 ? CPUID_1_EDX_HTT : 0);
        break;
    }
    case 2:
        /* One round; descriptor 0xFF: "no cache descriptors here, use leaf 4". */
        r[0] = 0x00ff0001u;
        break;
    case 4:
        leaf4(subleaf, r);
        break;
    case 6:
        r[0] = CPUID_6_EAX_ARAT;  /* the APIC timer keeps running in HLT */
        break;
    case 7:
        /* Subleaf 0 reports max subleaf 0 and no features; other subleaves are zero too. */
        break;
    case 0xb:
        leaf_b(cpu, subleaf, r);
        break;
    case 0x15:
        tsc_ratio(&r[1], &r[0]);
        r[2] = CPUID_CRYSTAL_HZ;
        break;
    case 0x16: {
        uint64_t mhz = (cpuid_tsc_hz + 500000) / 1000000;
        if (mhz > 0xffff)
            mhz = 0xffff;
        r[0] = (uint32_t)mhz;   /* base frequency */
        r[1] = (uint32_t)mhz;   /* maximum frequency */
        r[2] = CPUID_BUS_MHZ;   /* bus (reference) frequency */
        break;
    }
    case 0x80000000u:
        r[0] = CPUID_MAX_EXTENDED;
        break;
    case 0x80000001u:
        r[2] = EXT1_ECX;
        r[3] = EXT1_EDX;
        break;
    case 0x80000002u:
    case 0x80000003u:
    case 0x80000004u:
        memcpy(r, brand + (leaf - 0x80000002u) * 16, 16);
        break;
    case 0x80000006u: {
        const struct cache_desc *l2 = &caches[2];
        r[2] = (l2->size >> 10) << 16 | 0x8u << 12 /* 16-way */ | LINE;
        break;
    }
    case 0x80000007u:
        r[3] = CPUID_87_EDX_INVARIANT_TSC;
        break;
    case 0x80000008u:
        r[0] = CPUID_PHYS_BITS | CPUID_LINEAR_BITS << 8;
        break;
    default:
        /* 3, 5, 8-0xa, 0xc-0x14, 0x80000005: reserved or features we do not have. */
        break;
    }
    memcpy(out, r, sizeof r);
}
