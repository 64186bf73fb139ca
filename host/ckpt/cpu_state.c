/* cpu_state.c - CPU state <-> checkpoint index (see cpu_state.h). */
#include "ckpt/cpu_state.h"

#include <stddef.h>

#include "cpu/flags.h"

/* What the [cpuN] section holds: the retired-instruction count and the architectural state. */
struct cpu_ckpt {
    uint64_t instructions;
    struct cpu_state s;
};

#define CC struct cpu_ckpt
#define REG(name, F) CKPT_U64F(name, CC, F, 0, UINT64_MAX)
#define SEG(name, F)                                                    \
    CKPT_U16F(name ".selector", CC, F.selector, 0, 0xffff),             \
    CKPT_U16F(name ".attr", CC, F.attr, 0, 0xffff),                     \
    CKPT_U32F(name ".limit", CC, F.limit, 0, UINT32_MAX),               \
    CKPT_U64F(name ".base", CC, F.base, 0, UINT64_MAX)

/*
 * Indexes written before CR8 and the TSC offset lost their copies in the CPU
 * also hold `cr8` and `tsc_offset`; they are ignored: the TPR is in the local
 * APIC's state and the offset always equalled msr.tsc_adjust.
 */
static const struct ckpt_field cpu_fields[] = {
    /* A count near 2^64 would make --maxinsts and the statistics wrap. */
    CKPT_U64F("instructions", CC, instructions, 0, CKPT_TIME_MAX),
    REG("rax", s.gpr[0]), REG("rcx", s.gpr[1]), REG("rdx", s.gpr[2]), REG("rbx", s.gpr[3]),
    REG("rsp", s.gpr[4]), REG("rbp", s.gpr[5]), REG("rsi", s.gpr[6]), REG("rdi", s.gpr[7]),
    REG("r8", s.gpr[8]), REG("r9", s.gpr[9]), REG("r10", s.gpr[10]), REG("r11", s.gpr[11]),
    REG("r12", s.gpr[12]), REG("r13", s.gpr[13]), REG("r14", s.gpr[14]), REG("r15", s.gpr[15]),
    REG("rip", s.rip), REG("rflags", s.rflags),
    REG("cr0", s.cr0), REG("cr2", s.cr2), REG("cr3", s.cr3), REG("cr4", s.cr4), REG("efer", s.efer),
    REG("msr.star", s.msr.star), REG("msr.lstar", s.msr.lstar), REG("msr.cstar", s.msr.cstar),
    REG("msr.sfmask", s.msr.sfmask), REG("msr.kernel_gs_base", s.msr.kernel_gs_base),
    REG("msr.sysenter_cs", s.msr.sysenter_cs), REG("msr.sysenter_esp", s.msr.sysenter_esp),
    REG("msr.sysenter_eip", s.msr.sysenter_eip), REG("msr.pat", s.msr.pat),
    REG("msr.apic_base", s.msr.apic_base), REG("msr.tsc_aux", s.msr.tsc_aux),
    REG("msr.misc_enable", s.msr.misc_enable), REG("msr.tsc_adjust", s.msr.tsc_adjust),
    REG("gdtr.base", s.gdtr.base), CKPT_U16F("gdtr.limit", CC, s.gdtr.limit, 0, 0xffff),
    REG("idtr.base", s.idtr.base), CKPT_U16F("idtr.limit", CC, s.idtr.limit, 0, 0xffff),
    CKPT_U8F("cpl", CC, s.cpl, 0, 3),
    CKPT_U8F("halted", CC, s.halted, 0, 1),
    CKPT_U8F("intr_shadow", CC, s.intr_shadow, 0, 1),
    CKPT_U8F("nmi_blocked", CC, s.nmi_blocked, 0, 1),
    CKPT_U32F("apic_id", CC, s.apic_id, 0, 0xff),
    SEG("es", s.seg[SEG_ES]), SEG("cs", s.seg[SEG_CS]), SEG("ss", s.seg[SEG_SS]),
    SEG("ds", s.seg[SEG_DS]), SEG("fs", s.seg[SEG_FS]), SEG("gs", s.seg[SEG_GS]),
    SEG("ldtr", s.ldtr), SEG("tr", s.tr),
    CKPT_BYTESF("fxsave", CC, s.fx),
};
#undef CC
#undef REG
#undef SEG

/* Version 1 wrote the same keys: no blob. */
static const struct ckpt_layout cpu_layout = CKPT_LAYOUT(cpu_fields, NULL, 0);

void ckpt_cpu_save(struct ckpt_writer *w, const char *section, struct cpu *cpu)
{
    cpu_sync_state(cpu);
    struct cpu_ckpt c = { .instructions = cpu->icount, .s = cpu->s };
    ckpt_section_save(w, section, &cpu_layout, &c);
}

bool ckpt_cpu_load(struct ckpt_reader *r, const char *section, struct cpu *cpu)
{
    struct cpu_ckpt c = { .s = cpu->s };
    if (!ckpt_section_load(r, section, &cpu_layout, &c))
        return false;
    cpu->icount = c.instructions;
    cpu->s = c.s;
    cpu->lf.op = LF_NONE;
    cpu_state_changed(cpu);
    return true;
}
