/*
 * msr.c - the model-specific registers (msr.h). Values live in cpu->s
 * (struct msrs, EFER, the FS/GS bases) and, for IA32_APIC_BASE's enable
 * bit, in the local APIC (cpu.h: hooks.apic_enabled); this file is their
 * RDMSR/WRMSR view with the reserved-bit and canonical checks of the Intel
 * SDM (vol. 4 lists the MSRs, vol. 3 chapter 2.2.1 EFER).
 */
#include "cpu/msr.h"

#include "cpu/cpuid.h"
#include "cpu/mmu.h"

static inline bool canonical(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* PAT entries: UC(0) WC(1) WT(4) WP(5) WB(6) UC-(7); 2, 3 and anything above 7 are reserved. */
static bool pat_valid(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        unsigned t = (v >> (8 * i)) & 0xff;
        if (t > 7 || t == 2 || t == 3)
            return false;
    }
    return true;
}

void msr_reset(struct cpu *cpu)
{
    struct msrs *m = &cpu->s.msr;
    m->pat = 0x0007040600070406ull;
    m->apic_base = 0xfee00000ull | APIC_BASE_ENABLE | (cpu->id == 0 ? APIC_BASE_BSP : 0);
    /* Fast strings on (Linux keeps REP_GOOD: rep movs/stos copies, which we run fast); no BTS/PEBS. */
    m->misc_enable = MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL;
}

/* IA32_APIC_BASE: base and BSP from cpu->s, the enable bit from the local APIC if there is one. */
static uint64_t apic_base_read(struct cpu *cpu)
{
    uint64_t v = cpu->s.msr.apic_base;
    if (!cpu->hooks.apic_enabled)
        return v;
    v &= ~APIC_BASE_ENABLE;
    return cpu->hooks.apic_enabled(cpu->hooks.opaque, cpu) ? v | APIC_BASE_ENABLE : v;
}

static void apic_base_write(struct cpu *cpu, uint64_t v)
{
    uint64_t *m = &cpu->s.msr.apic_base;
    *m = (v & ~APIC_BASE_BSP) | (*m & APIC_BASE_BSP);
    if (cpu->hooks.apic_set_enabled) {
        cpu->hooks.apic_set_enabled(cpu->hooks.opaque, cpu, v & APIC_BASE_ENABLE);
        *m &= ~APIC_BASE_ENABLE;   /* the APIC holds it */
    }
}

bool msr_read(struct cpu *cpu, uint32_t index, uint64_t *value)
{
    struct cpu_state *s = &cpu->s;
    uint64_t v;

    switch (index) {
    case MSR_IA32_TSC: v = cpu_tsc(cpu); break;
    case MSR_IA32_PLATFORM_ID: v = 0; break;
    case MSR_IA32_APIC_BASE: v = apic_base_read(cpu); break;
    case MSR_IA32_FEATURE_CONTROL: v = 1; break;   /* locked, VMX off */
    case MSR_IA32_TSC_ADJUST: v = s->msr.tsc_adjust; break;
    case MSR_IA32_UCODE_REV: v = (uint64_t)MSR_UCODE_REVISION << 32; break;
    case MSR_IA32_MTRRCAP: v = 0; break;            /* no variable or fixed ranges, no WC */
    case MSR_IA32_SYSENTER_CS: v = s->msr.sysenter_cs; break;
    case MSR_IA32_SYSENTER_ESP: v = s->msr.sysenter_esp; break;
    case MSR_IA32_SYSENTER_EIP: v = s->msr.sysenter_eip; break;
    case MSR_IA32_MISC_ENABLE: v = s->msr.misc_enable; break;
    case MSR_IA32_DEBUGCTL: v = 0; break;           /* no LBR or BTF */
    case MSR_IA32_PAT: v = s->msr.pat; break;
    case MSR_IA32_MTRR_DEF_TYPE: v = 0; break;      /* MTRRs disabled */
    case MSR_EFER: v = s->efer; break;
    case MSR_STAR: v = s->msr.star; break;
    case MSR_LSTAR: v = s->msr.lstar; break;
    case MSR_CSTAR: v = s->msr.cstar; break;
    case MSR_SFMASK: v = s->msr.sfmask; break;
    case MSR_FS_BASE: v = s->seg[SEG_FS].base; break;
    case MSR_GS_BASE: v = s->seg[SEG_GS].base; break;
    case MSR_KERNEL_GS_BASE: v = s->msr.kernel_gs_base; break;
    case MSR_TSC_AUX: v = s->msr.tsc_aux; break;
    default: return false;
    }
    *value = v;
    return true;
}

static bool efer_write(struct cpu *cpu, uint64_t v)
{
    struct cpu_state *s = &cpu->s;
    const uint64_t writable = EFER_SCE | EFER_LME | EFER_NXE;
    if (v & ~(writable | EFER_LMA))
        return false;
    /* LME cannot change while paging is on (and we only run in long mode). */
    if ((s->cr0 & CR0_PG) && ((v ^ s->efer) & EFER_LME))
        return false;
    uint64_t old = s->efer;
    s->efer = (v & writable) | (old & EFER_LMA);
    if ((old ^ s->efer) & EFER_NXE)
        mmu_flush(cpu, true);  /* the NX bit changes from reserved to meaningful */
    return true;
}

bool msr_write(struct cpu *cpu, uint32_t index, uint64_t v)
{
    struct cpu_state *s = &cpu->s;
    const uint64_t phys_mask = (1ull << CPUID_PHYS_BITS) - 1;

    switch (index) {
    case MSR_IA32_TSC:
        s->msr.tsc_adjust += v - cpu_tsc(cpu);   /* SDM: a TSC write moves TSC_ADJUST by the same amount */
        return true;
    case MSR_IA32_TSC_ADJUST:
        s->msr.tsc_adjust = v;
        return true;
    case MSR_IA32_APIC_BASE:
        /* Base within MAXPHYADDR, BSP read-only, no x2APIC mode. */
        if (v & (0x6ffull | ~phys_mask))
            return false;
        apic_base_write(cpu, v);
        return true;
    case MSR_IA32_UCODE_REV:
        return true;   /* Linux writes 0 before reading the revision */
    case MSR_IA32_SYSENTER_CS:
        s->msr.sysenter_cs = v;
        return true;
    case MSR_IA32_SYSENTER_ESP:
        if (!canonical(v))
            return false;
        s->msr.sysenter_esp = v;
        return true;
    case MSR_IA32_SYSENTER_EIP:
        if (!canonical(v))
            return false;
        s->msr.sysenter_eip = v;
        return true;
    case MSR_IA32_MISC_ENABLE:
        s->msr.misc_enable = v;
        return true;
    case MSR_IA32_DEBUGCTL:
        return (v & ~3ull) == 0;   /* LBR and BTF accepted and ignored */
    case MSR_IA32_PAT:
        if (!pat_valid(v))
            return false;
        s->msr.pat = v;
        return true;
    case MSR_IA32_MTRR_DEF_TYPE:
        return (v & ~0xcffull) == 0;   /* accepted, ignored: memory is write-back */
    case MSR_EFER:
        return efer_write(cpu, v);
    case MSR_STAR:
        s->msr.star = v;
        return true;
    case MSR_LSTAR:
        if (!canonical(v))
            return false;
        s->msr.lstar = v;
        return true;
    case MSR_CSTAR:
        if (!canonical(v))
            return false;
        s->msr.cstar = v;
        return true;
    case MSR_SFMASK:
        if (v >> 32)
            return false;
        s->msr.sfmask = v;
        return true;
    case MSR_FS_BASE:
        if (!canonical(v))
            return false;
        s->seg[SEG_FS].base = v;
        return true;
    case MSR_GS_BASE:
        if (!canonical(v))
            return false;
        s->seg[SEG_GS].base = v;
        return true;
    case MSR_KERNEL_GS_BASE:
        if (!canonical(v))
            return false;
        s->msr.kernel_gs_base = v;
        return true;
    case MSR_TSC_AUX:
        if (v >> 32)
            return false;
        s->msr.tsc_aux = v;
        return true;
    default:
        return false;  /* read-only (PLATFORM_ID, FEATURE_CONTROL locked, MTRRCAP) or absent */
    }
}
