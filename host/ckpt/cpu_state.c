/* cpu_state.c - CPU state <-> checkpoint index (see cpu_state.h). */
#include "ckpt/cpu_state.h"

#include <stdio.h>

#include "cpu/flags.h"

static const char *const gpr_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                           "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const seg_names[SEG_COUNT] = { "es", "cs", "ss", "ds", "fs", "gs" };

/*
 * Every 64-bit scalar of struct cpu_state except the GPRs, by name. Indexes
 * written before CR8 and the TSC offset lost their copies in the CPU also
 * hold `cr8` and `tsc_offset`; they are ignored: the TPR is in the local
 * APIC's state and the offset always equalled msr.tsc_adjust.
 */
#define CPU_SCALARS(X)                                                              \
    X(rip) X(rflags) X(cr0) X(cr2) X(cr3) X(cr4) X(efer)                             \
    X(msr.star) X(msr.lstar) X(msr.cstar) X(msr.sfmask) X(msr.kernel_gs_base)        \
    X(msr.sysenter_cs) X(msr.sysenter_esp) X(msr.sysenter_eip) X(msr.pat)            \
    X(msr.apic_base) X(msr.tsc_aux) X(msr.misc_enable) X(msr.tsc_adjust)             \
    X(gdtr.base) X(gdtr.limit) X(idtr.base) X(idtr.limit)                            \
    X(cpl) X(halted) X(intr_shadow) X(nmi_blocked) X(apic_id)

static void save_segment(FILE *f, const char *name, const struct segment *sg)
{
    char key[32];
    snprintf(key, sizeof key, "%s.selector", name);
    ini_u64(f, key, sg->selector);
    snprintf(key, sizeof key, "%s.attr", name);
    ini_u64(f, key, sg->attr);
    snprintf(key, sizeof key, "%s.limit", name);
    ini_u64(f, key, sg->limit);
    snprintf(key, sizeof key, "%s.base", name);
    ini_u64(f, key, sg->base);
}

static void load_segment(const struct ini *ini, const char *section, const char *name, struct segment *sg)
{
    char key[32];
    snprintf(key, sizeof key, "%s.selector", name);
    sg->selector = (uint16_t)ini_need_u64(ini, section, key);
    snprintf(key, sizeof key, "%s.attr", name);
    sg->attr = (uint16_t)ini_need_u64(ini, section, key);
    snprintf(key, sizeof key, "%s.limit", name);
    sg->limit = (uint32_t)ini_need_u64(ini, section, key);
    snprintf(key, sizeof key, "%s.base", name);
    sg->base = ini_need_u64(ini, section, key);
}

void ckpt_cpu_save(FILE *f, const char *section, struct cpu *cpu)
{
    cpu_sync_state(cpu);
    const struct cpu_state *s = &cpu->s;
    ini_section(f, "%s", section);
    ini_dec(f, "instructions", cpu->icount);
    for (int i = 0; i < 16; i++)
        ini_u64(f, gpr_names[i], s->gpr[i]);
#define SAVE(field) ini_u64(f, #field, (uint64_t)s->field);
    CPU_SCALARS(SAVE)
#undef SAVE
    for (int i = 0; i < SEG_COUNT; i++)
        save_segment(f, seg_names[i], &s->seg[i]);
    save_segment(f, "ldtr", &s->ldtr);
    save_segment(f, "tr", &s->tr);
    ini_hex(f, "fxsave", &s->fx, sizeof s->fx);
}

void ckpt_cpu_load(const struct ini *ini, const char *section, struct cpu *cpu)
{
    struct cpu_state *s = &cpu->s;
    cpu->icount = ini_need_u64(ini, section, "instructions");
    for (int i = 0; i < 16; i++)
        s->gpr[i] = ini_need_u64(ini, section, gpr_names[i]);
#define LOAD(field) s->field = (__typeof__(s->field))ini_need_u64(ini, section, #field);
    CPU_SCALARS(LOAD)
#undef LOAD
    for (int i = 0; i < SEG_COUNT; i++)
        load_segment(ini, section, seg_names[i], &s->seg[i]);
    load_segment(ini, section, "ldtr", &s->ldtr);
    load_segment(ini, section, "tr", &s->tr);
    ini_need_hex(ini, section, "fxsave", &s->fx, sizeof s->fx);
    cpu->lf.op = LF_NONE;
    cpu_state_changed(cpu);
}
