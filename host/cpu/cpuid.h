/*
 * cpuid.h - the CPU model the guest sees through CPUID (docs/cpu-model.md).
 *
 * One table for every CPU model (atomic, timing, later kvm): a deliberately
 * plain x86-64, "GenuineIntel" family 6, with the SSE2 baseline and nothing
 * newer (no SSE3, AVX, XSAVE, PCID, SMEP, SMAP, FSGSBASE, x2APIC). The TSC
 * frequency is reported in leaves 0x15/0x16, so Linux reads it instead of
 * calibrating against a timer.
 *
 * The machine sets cpuid_tsc_hz (the CPU clock: the TSC counts simulated
 * cycles) and cpuid_ncpus before the guest runs. The local APIC timer must
 * count at CPUID_CRYSTAL_HZ (before its divider): Linux takes its period
 * from leaf 0x15 instead of calibrating it.
 */
#ifndef M5SIM_CPU_CPUID_H
#define M5SIM_CPU_CPUID_H

#include <stdint.h>

struct cpu;

/* Leaf numbers and sizes the rest of the simulator relies on. */
#define CPUID_MAX_BASIC     0x16u
#define CPUID_MAX_EXTENDED  0x80000008u
#define CPUID_PHYS_BITS     40u          /* MAXPHYADDR: PTE bits above this are reserved */
#define CPUID_LINEAR_BITS   48u
#define CPUID_CRYSTAL_HZ    25000000u    /* core crystal clock = local APIC timer input */
#define CPUID_BUS_MHZ       100u         /* leaf 0x16 ECX, informational */
#define CPUID_CLFLUSH_LINE  64u

/* Leaf 1 EDX. */
#define CPUID_1_EDX_FPU    (1u << 0)
#define CPUID_1_EDX_DE     (1u << 2)
#define CPUID_1_EDX_PSE    (1u << 3)
#define CPUID_1_EDX_TSC    (1u << 4)
#define CPUID_1_EDX_MSR    (1u << 5)
#define CPUID_1_EDX_PAE    (1u << 6)
#define CPUID_1_EDX_MCE    (1u << 7)
#define CPUID_1_EDX_CX8    (1u << 8)
#define CPUID_1_EDX_APIC   (1u << 9)
#define CPUID_1_EDX_SEP    (1u << 11)
#define CPUID_1_EDX_MTRR   (1u << 12)
#define CPUID_1_EDX_PGE    (1u << 13)
#define CPUID_1_EDX_MCA    (1u << 14)
#define CPUID_1_EDX_CMOV   (1u << 15)
#define CPUID_1_EDX_PAT    (1u << 16)
#define CPUID_1_EDX_CLFSH  (1u << 19)
#define CPUID_1_EDX_MMX    (1u << 23)
#define CPUID_1_EDX_FXSR   (1u << 24)
#define CPUID_1_EDX_SSE    (1u << 25)
#define CPUID_1_EDX_SSE2   (1u << 26)
#define CPUID_1_EDX_HTT    (1u << 28)
/* Leaf 1 ECX. */
#define CPUID_1_ECX_SSE3      (1u << 0)
#define CPUID_1_ECX_PCLMUL    (1u << 1)
#define CPUID_1_ECX_MONITOR   (1u << 3)
#define CPUID_1_ECX_VMX       (1u << 5)
#define CPUID_1_ECX_SSSE3     (1u << 9)
#define CPUID_1_ECX_FMA       (1u << 12)
#define CPUID_1_ECX_CX16      (1u << 13)
#define CPUID_1_ECX_PCID      (1u << 17)
#define CPUID_1_ECX_SSE41     (1u << 19)
#define CPUID_1_ECX_SSE42     (1u << 20)
#define CPUID_1_ECX_X2APIC    (1u << 21)
#define CPUID_1_ECX_MOVBE     (1u << 22)
#define CPUID_1_ECX_POPCNT    (1u << 23)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_AES       (1u << 25)
#define CPUID_1_ECX_XSAVE     (1u << 26)
#define CPUID_1_ECX_OSXSAVE   (1u << 27)
#define CPUID_1_ECX_AVX       (1u << 28)
#define CPUID_1_ECX_RDRAND    (1u << 30)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
/* Leaf 6 EAX. */
#define CPUID_6_EAX_ARAT   (1u << 2)
/* Leaf 7 subleaf 0 EBX/ECX (all reported as zero; named for the tests). */
#define CPUID_7_EBX_FSGSBASE (1u << 0)
#define CPUID_7_EBX_TSC_ADJUST (1u << 1)
#define CPUID_7_EBX_BMI1   (1u << 3)
#define CPUID_7_EBX_AVX2   (1u << 5)
#define CPUID_7_EBX_SMEP   (1u << 7)
#define CPUID_7_EBX_ERMS   (1u << 9)
#define CPUID_7_EBX_INVPCID (1u << 10)
#define CPUID_7_EBX_SMAP   (1u << 20)
#define CPUID_7_ECX_UMIP   (1u << 2)
#define CPUID_7_ECX_RDPID  (1u << 22)
/* Leaf 0x80000001. */
#define CPUID_81_ECX_LAHF_LM (1u << 0)
#define CPUID_81_ECX_ABM     (1u << 5)
#define CPUID_81_ECX_PREFETCHW (1u << 8)
#define CPUID_81_EDX_SYSCALL (1u << 11)
#define CPUID_81_EDX_NX      (1u << 20)
#define CPUID_81_EDX_PAGE1GB (1u << 26)
#define CPUID_81_EDX_RDTSCP  (1u << 27)
#define CPUID_81_EDX_LM      (1u << 29)
/* Leaf 0x80000007 EDX. */
#define CPUID_87_EDX_INVARIANT_TSC (1u << 8)

/* What the machine configures (defaults: 3 GHz, one CPU). */
extern uint64_t cpuid_tsc_hz;
extern unsigned cpuid_ncpus;

/*
 * The four registers CPUID returns for (leaf, subleaf): out = {EAX, EBX,
 * ECX, EDX}. `cpu` gives the APIC ID (NULL: APIC ID 0). Leaves above the
 * maximum return the highest basic leaf, as Intel processors do.
 */
void cpuid_query(const struct cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
