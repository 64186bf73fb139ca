/*
 * exec_system.c - system instructions (Intel SDM vol. 2 and vol. 3 ch. 2):
 * MOV to/from CR0 CR2 CR3 CR4 CR8 and DR0-DR7, CLTS LMSW SMSW, RDMSR WRMSR
 * (msr.c), RDTSC RDTSCP RDPMC, CPUID (cpuid.c), HLT CLI STI, INT n INT3
 * INT1 INTO, UD0 UD1 UD2, RDSSPD/RDSSPQ (NOPs without CET), INVLPG INVD
 * WBINVD, LFENCE MFENCE SFENCE CLFLUSH,
 * FXSAVE FXRSTOR (and their 64-bit forms), LDMXCSR STMXCSR, and #UD for the
 * extensions the CPU model does not advertise (XSAVE, SMAP, FSGSBASE, ...).
 *
 * Segment and descriptor-table instructions are in exec_segment.c, port
 * I/O in exec_io.c; exec_system_register() registers all three files.
 *
 * Debug registers are not modelled: writes are accepted and ignored, DR0-3
 * read as 0, DR6 as FFFF0FF0h and DR7 as 400h (their reset values), and no
 * breakpoint ever fires.
 */
#include "cpu/exec_system.h"

#include "cpu/cpuid.h"
#include "cpu/mode.h"
#include "cpu/msr.h"

/* CR4 bits beyond state.h. */
#define CR4_TSD (1ull << 2)
#define CR4_DE  (1ull << 3)
#define CR4_PCE (1ull << 8)

/* The CR0 bits that exist; writes of the others are ignored (they read as 0). */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
                     CR0_NW | CR0_CD | CR0_PG)
/* The CR4 bits the CPU model supports; setting any other is #GP. */
#define CR4_SUPPORTED (CR4_TSD | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT)

#define MXCSR_MASK_VALUE 0xffffu   /* every MXCSR bit below 16 is defined (DAZ included) */

/* ------------------------------------------------ control registers -- */

static void cr0_write(struct cpu *cpu, uint64_t v)
{
    struct cpu_state *s = &cpu->s;
    if (v >> 32)
        cpu_raise_gp0(cpu);
    v = (v & CR0_DEFINED) | CR0_ET;
    if ((v & CR0_PG) && !(v & CR0_PE))
        cpu_raise_gp0(cpu);
    if ((v & CR0_NW) && !(v & CR0_CD))
        cpu_raise_gp0(cpu);
    /* Long mode is left only from compatibility mode, which we do not model: paging stays on. */
    if ((s->efer & EFER_LMA) && !(v & CR0_PG))
        cpu_raise_gp0(cpu);
    /* Turning paging on with EFER.LME activates long mode (PAE required); the mode changes. */
    bool activate = (v & CR0_PG) && !(s->cr0 & CR0_PG) && (s->efer & EFER_LME);
    if (activate && !(s->cr4 & CR4_PAE))
        cpu_raise_gp0(cpu);
    uint64_t changed = s->cr0 ^ v;
    s->cr0 = v;
    if (activate)
        s->efer |= EFER_LMA;
    if (changed & (CR0_PG | CR0_PE | CR0_WP))
        mmu_flush(cpu, true);
    if (changed & (CR0_PG | CR0_PE))
        cpu_mode_update(cpu);
}

static void cr3_write(struct cpu *cpu, uint64_t v)
{
    if (v >> CPUID_PHYS_BITS)
        cpu_raise_gp0(cpu);
    cpu->s.cr3 = v;
    mmu_flush(cpu, false);  /* global pages stay (CR4.PGE) */
}

static void cr4_write(struct cpu *cpu, uint64_t v)
{
    struct cpu_state *s = &cpu->s;
    if (v & ~CR4_SUPPORTED)
        cpu_raise_gp0(cpu);
    if ((s->efer & EFER_LMA) && !(v & CR4_PAE))
        cpu_raise_gp0(cpu);
    uint64_t changed = s->cr4 ^ v;
    s->cr4 = v;
    if (changed & (CR4_PGE | CR4_PAE | CR4_PSE))
        mmu_flush(cpu, true);
}

static void cr8_write(struct cpu *cpu, uint64_t v)
{
    if (v & ~0xfull)
        cpu_raise_gp0(cpu);
    if (cpu->hooks.cr8_write)
        cpu->hooks.cr8_write(cpu->hooks.opaque, cpu, v);
}

/* The TPR's priority class, from the local APIC that holds it (0 without one). */
static uint64_t cr8_read(struct cpu *cpu)
{
    return cpu->hooks.cr8_read ? cpu->hooks.cr8_read(cpu->hooks.opaque, cpu) & 0xf : 0;
}

/* MOV CRn, r64 and MOV r64, CRn (the operand size is always 64 bits in 64-bit mode). */
static void mov_cr(struct cpu *cpu, const struct insn *in)
{
    const struct operand *d = &in->op[0], *src = &in->op[1];
    bool to_cr = d->kind == OPK_CR;
    unsigned n = to_cr ? d->reg : src->reg;
    struct cpu_state *s = &cpu->s;

    if (n != 0 && n != 2 && n != 3 && n != 4 && n != 8)
        cpu_raise_ud(cpu);
    require_cpl0(cpu);

    if (!to_cr) {
        uint64_t v;
        switch (n) {
        case 0: v = s->cr0; break;
        case 2: v = s->cr2; break;
        case 3: v = s->cr3; break;
        case 4: v = s->cr4; break;
        default: v = cr8_read(cpu); break;
        }
        s->gpr[d->reg] = v;
        return;
    }
    uint64_t v = s->gpr[src->reg];
    if (cpu->mode != CPU_MODE_64)
        v = (uint32_t)v;   /* 32-bit operands outside 64-bit mode */
    switch (n) {
    case 0: cr0_write(cpu, v); break;
    case 2: s->cr2 = v; break;
    case 3: cr3_write(cpu, v); break;
    case 4: cr4_write(cpu, v); break;
    default: cr8_write(cpu, v); break;
    }
    cpu->block_exit = 1;
}

/* MOV DRn, r64 / MOV r64, DRn: accepted but not modelled (see the top of the file). */
static void mov_dr(struct cpu *cpu, const struct insn *in)
{
    const struct operand *d = &in->op[0], *src = &in->op[1];
    bool to_dr = d->kind == OPK_DR;
    unsigned n = to_dr ? d->reg : src->reg;

    if ((n == 4 || n == 5) && (cpu->s.cr4 & CR4_DE))
        cpu_raise_ud(cpu);
    require_cpl0(cpu);
    if (n == 4 || n == 5)
        n += 2;  /* DR4/DR5 alias DR6/DR7 when CR4.DE = 0 */

    if (!to_dr) {
        uint64_t v = n == 6 ? 0xffff0ff0ull : n == 7 ? 0x400ull : 0;
        cpu->s.gpr[d->reg] = v;
        return;
    }
    uint64_t v = cpu->s.gpr[src->reg];
    if ((n == 6 || n == 7) && (v >> 32))
        cpu_raise_gp0(cpu);
}

/* MOV with a segment, control or debug register; everything else goes to the data-movement family. */
static exec_fn mov_next;

static void exec_mov_system(struct cpu *cpu, const struct insn *in)
{
    unsigned k0 = in->op[0].kind, k1 = in->op[1].kind;
    if (k0 == OPK_CR || k1 == OPK_CR)
        mov_cr(cpu, in);
    else if (k0 == OPK_DR || k1 == OPK_DR)
        mov_dr(cpu, in);
    else if (k0 == OPK_SEG || k1 == OPK_SEG)
        exec_mov_sreg(cpu, in);
    else
        mov_next(cpu, in);
}

static void exec_clts(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    cpu->s.cr0 &= ~CR0_TS;
    cpu->block_exit = 1;
}

/* LMSW: loads CR0 bits 3:0 (PE MP EM TS); PE can be set but not cleared. */
static void exec_lmsw(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint64_t v = op_read(cpu, in, 0) & 0xf;
    cpu->s.cr0 = (cpu->s.cr0 & ~0xeull) | v;
    cpu->block_exit = 1;
    cpu_mode_update(cpu);   /* PE may have been set */
}

/* SMSW: CR0 into r16/r32/r64 (zero-extended) or m16. Not privileged (no UMIP). */
static void exec_smsw(struct cpu *cpu, const struct insn *in)
{
    op_write(cpu, in, 0, cpu->s.cr0);
}

/* ---------------------------------------------------------- MSRs, TSC -- */

static void exec_rdmsr(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    uint64_t v;
    if (!msr_read(cpu, (uint32_t)cpu->s.gpr[RCX], &v))
        cpu_raise_gp0(cpu);
    cpu->s.gpr[RAX] = (uint32_t)v;
    cpu->s.gpr[RDX] = v >> 32;
}

static void exec_wrmsr(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    uint64_t v = (uint32_t)cpu->s.gpr[RAX] | cpu->s.gpr[RDX] << 32;
    if (!msr_write(cpu, (uint32_t)cpu->s.gpr[RCX], v))
        cpu_raise_gp0(cpu);
    cpu->block_exit = 1;
}

static inline void tsc_check(struct cpu *cpu)
{
    if ((cpu->s.cr4 & CR4_TSD) && cpu->s.cpl != 0)
        cpu_raise_gp0(cpu);
}

static void exec_rdtsc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    tsc_check(cpu);
    uint64_t t = cpu_tsc(cpu);
    cpu->s.gpr[RAX] = (uint32_t)t;
    cpu->s.gpr[RDX] = t >> 32;
}

static void exec_rdtscp(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    tsc_check(cpu);
    uint64_t t = cpu_tsc(cpu);
    cpu->s.gpr[RAX] = (uint32_t)t;
    cpu->s.gpr[RDX] = t >> 32;
    cpu->s.gpr[RCX] = (uint32_t)cpu->s.msr.tsc_aux;
}

/* RDPMC: the model has no performance counters, so every counter index is invalid. */
static void exec_rdpmc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_raise_gp0(cpu);
}

static void exec_cpuid(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint32_t r[4];
    cpuid_query(cpu, (uint32_t)cpu->s.gpr[RAX], (uint32_t)cpu->s.gpr[RCX], r);
    cpu->s.gpr[RAX] = r[0];
    cpu->s.gpr[RBX] = r[1];
    cpu->s.gpr[RCX] = r[2];
    cpu->s.gpr[RDX] = r[3];
}

/* ------------------------------------------------- HLT, CLI, STI, INT -- */

/* HLT: the run loop sleeps until an interrupt; RIP already points past HLT, where the handler returns. */
static void exec_hlt(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    cpu->s.halted = 1;
    cpu->block_exit = 1;
}

/* CLI/STI: allowed when CPL <= IOPL (no VME/PVI). */
static void exec_cli(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->s.cpl > cpu_iopl(cpu))
        cpu_raise_gp0(cpu);
    cpu->s.rflags &= ~(uint64_t)FL_IF;
    cpu->block_exit = 1;
}

static void exec_sti(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->s.cpl > cpu_iopl(cpu))
        cpu_raise_gp0(cpu);
    if (!(cpu->s.rflags & FL_IF))
        cpu->s.intr_shadow = 1;  /* interrupts wait until after the next instruction */
    cpu->s.rflags |= FL_IF;
    cpu->block_exit = 1;
}

/*
 * A software interrupt or exception that traps after the instruction.
 * hooks.exception (SE mode, tests) sees it first with its own vector and
 * RIP already past the instruction (the trap's return address; a hook may
 * redirect it); otherwise it goes through the IDT now and execution
 * continues at the handler.
 */
static void soft_interrupt(struct cpu *cpu, int vector, bool soft)
{
    if (cpu->hooks.exception) {
        uint64_t rip = cpu->s.rip;
        cpu->s.rip = cpu->next_rip;
        if (cpu->hooks.exception(cpu->hooks.opaque, cpu, vector, 0)) {
            cpu->next_rip = cpu->s.rip;
            return;
        }
        cpu->s.rip = rip;
    }
    cpu_deliver(cpu, vector, false, 0, cpu->next_rip, soft);
    cpu->next_rip = cpu->s.rip;
}

static void exec_int(struct cpu *cpu, const struct insn *in)
{
    soft_interrupt(cpu, (int)(in->op[0].imm & 0xff), true);
}

static void exec_int3(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    soft_interrupt(cpu, EXC_BP, true);
}

/* INT1 (ICEBP, F1): #DB as a trap, without the gate DPL check of INT n. */
static void exec_int1(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    soft_interrupt(cpu, EXC_DB, false);
}

/* UD0 UD1 UD2, INTO (invalid in 64-bit mode), and the extensions the model does not have. */
static void exec_ud(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_raise_ud(cpu);
}

/*
 * RDSSPD/RDSSPQ (F3 0F 1E /1) sit in the reserved-NOP space: without CET
 * shadow stacks (not advertised) they execute as NOPs and leave the
 * register alone. Static glibc relies on it: setjmp/longjmp run
 * "xor %eax,%eax; rdsspq %rax" unconditionally and test for zero.
 */
static void exec_rdssp(struct cpu *cpu, const struct insn *in)
{
    (void)cpu;
    (void)in;
}

/* ----------------------------------------------------- caches and TLB -- */

static void exec_invlpg(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    mmu_flush_page(cpu, op_ea(cpu, in, 0));
    cpu->block_exit = 1;
}

/* INVD, WBINVD: caches are coherent with memory here; privileged no-ops. */
static void exec_wbinvd(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
}

/* LFENCE MFENCE SFENCE: one CPU executes at a time, in order. */
static void exec_fence(struct cpu *cpu, const struct insn *in)
{
    (void)cpu;
    (void)in;
}

/* CLFLUSH: no cache to flush, but the address must translate (it faults like a byte read). */
static void exec_clflush(struct cpu *cpu, const struct insn *in)
{
    mmu_translate(cpu, op_ea(cpu, in, 0), ACC_READ);
}

/* ---------------------------------------------------- FXSAVE, MXCSR -- */

#define FX_WRITTEN 416   /* FXSAVE stores bytes 0-415; 416-511 are left alone */

static inline uint64_t fx_address(struct cpu *cpu, const struct insn *in)
{
    if (cpu->s.cr0 & (CR0_TS | CR0_EM))
        cpu_raise(cpu, EXC_NM);
    uint64_t ea = op_ea(cpu, in, 0);
    if (ea & 15)
        cpu_raise_gp0(cpu);
    return ea;
}

/*
 * FXSAVE / FXSAVE64. The state keeps the 64-bit image; the legacy form
 * stores FIP and FDP as 32-bit offsets with zero FCS/FDS selectors (as
 * processors that deprecate FCS/FDS do). Reserved bytes are stored as 0.
 */
static void fxsave(struct cpu *cpu, const struct insn *in, bool wide)
{
    uint64_t ea = fx_address(cpu, in);
    struct fxsave_area img = cpu->s.fx;
    img.reserved1 = 0;
    img.fop &= 0x7ff;
    img.mxcsr_mask = MXCSR_MASK_VALUE;
    if (!wide) {
        img.fip = (uint32_t)img.fip;
        img.fdp = (uint32_t)img.fdp;
    }
    for (int i = 0; i < 8; i++)
        memset(&img.st[i][10], 0, 6);
    mem_write_bytes(cpu, ea, &img, FX_WRITTEN);
}

static void fxrstor(struct cpu *cpu, const struct insn *in, bool wide)
{
    uint64_t ea = fx_address(cpu, in);
    struct fxsave_area img;
    mem_read_bytes(cpu, ea, &img, FX_WRITTEN);
    if (img.mxcsr & ~MXCSR_MASK_VALUE)
        cpu_raise_gp0(cpu);

    /*
     * As Intel processors do: FCW reserved bits 13-15 and 6 read as 0 and 1;
     * FSW.ES and FSW.B are recomputed from the pending unmasked exceptions.
     */
    struct fxsave_area *fx = &cpu->s.fx;
    bool es = (img.fsw & ~img.fcw & 0x3f) != 0;
    fx->fcw = (uint16_t)((img.fcw & 0x1f3f) | 0x40);
    fx->fsw = (uint16_t)(es ? img.fsw | 0x8080 : img.fsw & ~0x8080);
    fx->ftw = img.ftw;
    fx->reserved1 = 0;
    fx->fop = img.fop & 0x7ff;
    fx->fip = wide ? img.fip : (uint32_t)img.fip;
    fx->fdp = wide ? img.fdp : (uint32_t)img.fdp;
    fx->mxcsr = img.mxcsr;
    fx->mxcsr_mask = MXCSR_MASK_VALUE;
    for (int i = 0; i < 8; i++) {
        memcpy(fx->st[i], img.st[i], 10);
        memset(&fx->st[i][10], 0, 6);
    }
    memcpy(fx->xmm, img.xmm, sizeof fx->xmm);
}

static void exec_fxsave(struct cpu *cpu, const struct insn *in) { fxsave(cpu, in, false); }
static void exec_fxsave64(struct cpu *cpu, const struct insn *in) { fxsave(cpu, in, true); }
static void exec_fxrstor(struct cpu *cpu, const struct insn *in) { fxrstor(cpu, in, false); }
static void exec_fxrstor64(struct cpu *cpu, const struct insn *in) { fxrstor(cpu, in, true); }

/* LDMXCSR/STMXCSR: #UD without OSFXSR or with CR0.EM, #NM with CR0.TS. */
static inline void mxcsr_check(struct cpu *cpu)
{
    if ((cpu->s.cr0 & CR0_EM) || !(cpu->s.cr4 & CR4_OSFXSR))
        cpu_raise_ud(cpu);
    if (cpu->s.cr0 & CR0_TS)
        cpu_raise(cpu, EXC_NM);
}

static void exec_ldmxcsr(struct cpu *cpu, const struct insn *in)
{
    mxcsr_check(cpu);
    uint32_t v = mem_read32(cpu, op_ea(cpu, in, 0));
    if (v & ~MXCSR_MASK_VALUE)
        cpu_raise_gp0(cpu);
    cpu->s.fx.mxcsr = v;
}

static void exec_stmxcsr(struct cpu *cpu, const struct insn *in)
{
    mxcsr_check(cpu);
    mem_write32(cpu, op_ea(cpu, in, 0), cpu->s.fx.mxcsr);
}

/* ------------------------------------------------------- registration -- */

/* Instructions of extensions the CPU model does not advertise: #UD, silently (it is the documented model). */
static const ZydisMnemonic not_advertised[] = {
    ZYDIS_MNEMONIC_XGETBV, ZYDIS_MNEMONIC_XSETBV,
    ZYDIS_MNEMONIC_XSAVE, ZYDIS_MNEMONIC_XSAVE64, ZYDIS_MNEMONIC_XSAVEC, ZYDIS_MNEMONIC_XSAVEC64,
    ZYDIS_MNEMONIC_XSAVEOPT, ZYDIS_MNEMONIC_XSAVEOPT64, ZYDIS_MNEMONIC_XSAVES, ZYDIS_MNEMONIC_XSAVES64,
    ZYDIS_MNEMONIC_XRSTOR, ZYDIS_MNEMONIC_XRSTOR64, ZYDIS_MNEMONIC_XRSTORS, ZYDIS_MNEMONIC_XRSTORS64,
    ZYDIS_MNEMONIC_STAC, ZYDIS_MNEMONIC_CLAC, ZYDIS_MNEMONIC_MONITOR, ZYDIS_MNEMONIC_MWAIT,
    ZYDIS_MNEMONIC_RDFSBASE, ZYDIS_MNEMONIC_RDGSBASE, ZYDIS_MNEMONIC_WRFSBASE, ZYDIS_MNEMONIC_WRGSBASE,
    ZYDIS_MNEMONIC_RDPID, ZYDIS_MNEMONIC_RDRAND, ZYDIS_MNEMONIC_RDSEED,
    ZYDIS_MNEMONIC_CLFLUSHOPT, ZYDIS_MNEMONIC_CLWB, ZYDIS_MNEMONIC_INVPCID,
    ZYDIS_MNEMONIC_SYSENTER, ZYDIS_MNEMONIC_SYSEXIT,
};

void exec_system_register(void)
{
    mov_next = exec_chain(ZYDIS_MNEMONIC_MOV, exec_mov_system, mov_next);

    exec_register(ZYDIS_MNEMONIC_CLTS, exec_clts);
    exec_register(ZYDIS_MNEMONIC_LMSW, exec_lmsw);
    exec_register(ZYDIS_MNEMONIC_SMSW, exec_smsw);
    exec_register(ZYDIS_MNEMONIC_RDMSR, exec_rdmsr);
    exec_register(ZYDIS_MNEMONIC_WRMSR, exec_wrmsr);
    exec_register(ZYDIS_MNEMONIC_RDTSC, exec_rdtsc);
    exec_register(ZYDIS_MNEMONIC_RDTSCP, exec_rdtscp);
    exec_register(ZYDIS_MNEMONIC_RDPMC, exec_rdpmc);
    exec_register(ZYDIS_MNEMONIC_CPUID, exec_cpuid);
    exec_register(ZYDIS_MNEMONIC_HLT, exec_hlt);
    exec_register(ZYDIS_MNEMONIC_CLI, exec_cli);
    exec_register(ZYDIS_MNEMONIC_STI, exec_sti);
    exec_register(ZYDIS_MNEMONIC_INT, exec_int);
    exec_register(ZYDIS_MNEMONIC_INT3, exec_int3);
    exec_register(ZYDIS_MNEMONIC_INT1, exec_int1);
    exec_register(ZYDIS_MNEMONIC_INTO, exec_ud);
    exec_register(ZYDIS_MNEMONIC_UD0, exec_ud);
    exec_register(ZYDIS_MNEMONIC_UD1, exec_ud);
    exec_register(ZYDIS_MNEMONIC_UD2, exec_ud);
    exec_register(ZYDIS_MNEMONIC_RDSSPD, exec_rdssp);
    exec_register(ZYDIS_MNEMONIC_RDSSPQ, exec_rdssp);
    exec_register(ZYDIS_MNEMONIC_INVLPG, exec_invlpg);
    exec_register(ZYDIS_MNEMONIC_INVD, exec_wbinvd);
    exec_register(ZYDIS_MNEMONIC_WBINVD, exec_wbinvd);
    exec_register(ZYDIS_MNEMONIC_LFENCE, exec_fence);
    exec_register(ZYDIS_MNEMONIC_MFENCE, exec_fence);
    exec_register(ZYDIS_MNEMONIC_SFENCE, exec_fence);
    exec_register(ZYDIS_MNEMONIC_CLFLUSH, exec_clflush);
    exec_register(ZYDIS_MNEMONIC_FXSAVE, exec_fxsave);
    exec_register(ZYDIS_MNEMONIC_FXSAVE64, exec_fxsave64);
    exec_register(ZYDIS_MNEMONIC_FXRSTOR, exec_fxrstor);
    exec_register(ZYDIS_MNEMONIC_FXRSTOR64, exec_fxrstor64);
    exec_register(ZYDIS_MNEMONIC_LDMXCSR, exec_ldmxcsr);
    exec_register(ZYDIS_MNEMONIC_STMXCSR, exec_stmxcsr);
    for (unsigned i = 0; i < sizeof not_advertised / sizeof not_advertised[0]; i++)
        exec_register(not_advertised[i], exec_ud);

    exec_segment_register();
    exec_io_register();
}
