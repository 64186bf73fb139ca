/*
 * msr.h - RDMSR/WRMSR semantics: the model-specific registers Linux 6.1
 * touches on the CPU we advertise (cpuid.h), by number. An MSR that is not
 * in the table does not exist: msr_read/msr_write return false and the
 * instruction raises #GP(0), which Linux's rdmsr_safe/wrmsr_safe expect
 * when they probe. See docs/cpu-model.md for the list and each value.
 */
#ifndef M5SIM_CPU_MSR_H
#define M5SIM_CPU_MSR_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

#define MSR_IA32_TSC               0x00000010u
#define MSR_IA32_PLATFORM_ID       0x00000017u
#define MSR_IA32_APIC_BASE         0x0000001bu
#define MSR_IA32_FEATURE_CONTROL   0x0000003au
#define MSR_IA32_TSC_ADJUST        0x0000003bu
#define MSR_IA32_UCODE_REV         0x0000008bu
#define MSR_IA32_MTRRCAP           0x000000feu
#define MSR_IA32_SYSENTER_CS       0x00000174u
#define MSR_IA32_SYSENTER_ESP      0x00000175u
#define MSR_IA32_SYSENTER_EIP      0x00000176u
#define MSR_IA32_MISC_ENABLE       0x000001a0u
#define MSR_IA32_DEBUGCTL          0x000001d9u
#define MSR_IA32_PAT               0x00000277u
#define MSR_IA32_MTRR_DEF_TYPE     0x000002ffu
#define MSR_EFER                   0xc0000080u
#define MSR_STAR                   0xc0000081u
#define MSR_LSTAR                  0xc0000082u
#define MSR_CSTAR                  0xc0000083u
#define MSR_SFMASK                 0xc0000084u
#define MSR_FS_BASE                0xc0000100u
#define MSR_GS_BASE                0xc0000101u
#define MSR_KERNEL_GS_BASE         0xc0000102u
#define MSR_TSC_AUX                0xc0000103u

/* IA32_MISC_ENABLE bits. */
#define MISC_ENABLE_FAST_STRING    (1ull << 0)
#define MISC_ENABLE_BTS_UNAVAIL    (1ull << 11)
#define MISC_ENABLE_PEBS_UNAVAIL   (1ull << 12)
#define MISC_ENABLE_LIMIT_CPUID    (1ull << 22)
#define MISC_ENABLE_XD_DISABLE     (1ull << 34)

/* IA32_APIC_BASE bits. */
#define APIC_BASE_BSP    (1ull << 8)
#define APIC_BASE_EXTD   (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)

/* The microcode revision IA32_UCODE_REV reports (bits 63:32). */
#define MSR_UCODE_REVISION 0x1u

/*
 * The guest TSC now: IA32_TSC_ADJUST plus simulated cycles (or retired
 * instructions without a clock). TSC_ADJUST starts at 0 and moves with every
 * TSC write (SDM vol. 3 17.17.3), so it is exactly the TSC's offset.
 */
static inline uint64_t cpu_tsc(struct cpu *cpu)
{
    uint64_t c = cpu->hooks.cycles ? cpu->hooks.cycles(cpu->hooks.opaque, cpu) : cpu->icount;
    return cpu->s.msr.tsc_adjust + c;
}

/* Power-on values of the MSRs in cpu->s.msr (PAT, APIC base with BSP for CPU 0, MISC_ENABLE). */
void msr_reset(struct cpu *cpu);

/* RDMSR: false if the MSR does not exist (the caller raises #GP(0)). */
bool msr_read(struct cpu *cpu, uint32_t index, uint64_t *value);
/*
 * WRMSR: false if the MSR does not exist or the value sets reserved bits or
 * is not canonical where an address is expected (#GP(0)). Flushes the TLB
 * when EFER.NXE changes; the caller ends the block.
 */
bool msr_write(struct cpu *cpu, uint32_t index, uint64_t value);

#endif
