/*
 * exec_sse.c - the SSE/SSE2 family's entry point and its shared slow paths.
 *
 * The instructions live in three files, by what they do:
 *   exec_sse_mov.c  data movement: MOVAPS/MOVDQU/MOVSS/MOVQ/..., non-temporal
 *                   stores, MOVMSK*, MASKMOV*, MMX<->XMM moves, EMMS, PREFETCH
 *   exec_sse_fp.c   floating point: arithmetic, compares, COMIS*, logic,
 *                   shuffles and unpacks of PS/PD, every CVT* conversion
 *   exec_sse_int.c  packed integer (XMM and MMX forms): arithmetic, compares,
 *                   logic, shifts, shuffles, packs and unpacks, PEXTRW/PINSRW
 * Shared helpers are in sse.h.
 */
#include "cpu/sse.h"

void exec_sse_register(void)
{
    exec_sse_mov_register();
    exec_sse_fp_register();
    exec_sse_int_register();
}

/* CR0.EM or !CR4.OSFXSR: #UD; CR0.TS: #NM; MMX with an x87 exception pending: #MF. */
void sse_unavailable(struct cpu *cpu, bool mmx)
{
    if ((cpu->s.cr0 & CR0_EM) || (!mmx && !(cpu->s.cr4 & CR4_OSFXSR)))
        cpu_raise(cpu, EXC_UD);
    if (cpu->s.cr0 & CR0_TS)
        cpu_raise(cpu, EXC_NM);
    cpu_raise(cpu, EXC_MF);
}

/*
 * An operation raised an exception the guest left unmasked: the destination
 * is not written, the flags are set, and #XM is raised (#UD when the OS has
 * not set CR4.OSXMMEXCPT). The host ran with everything masked, so its flags
 * are those of the masked computation; when a pre-computation exception
 * (invalid, denormal, divide by zero) is unmasked, the post-computation
 * checks are never made and only the pre-computation flags are kept. (An
 * unmasked underflow reports tininess even for exact results; that
 * difference from the masked flags is not modelled.)
 */
void sse_fp_exception(struct cpu *cpu, uint32_t raised)
{
    uint32_t mx = cpu->s.fx.mxcsr;
    uint32_t unmasked = raised & ~(mx >> 7) & MXCSR_FLAGS;
    uint32_t pre = raised & (MXCSR_IE | MXCSR_DE | MXCSR_ZE);
    if (pre & unmasked)
        raised = pre;
    cpu->s.fx.mxcsr = mx | raised;
    cpu_raise(cpu, (cpu->s.cr4 & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD);
}

/*
 * TOP becomes 0 without moving any physical register: the FXSAVE image keeps
 * the registers in stack order, so it rotates. The abridged tag word is
 * indexed by physical register already.
 */
void mmx_enter_slow(struct cpu *cpu)
{
    struct fxsave_area *fx = &cpu->s.fx;
    unsigned top = fpu_top(cpu);
    if (top) {
        uint8_t phys[8][16];
        for (unsigned i = 0; i < 8; i++)
            memcpy(phys[(top + i) & 7], fx->st[i], 16);
        memcpy(fx->st, phys, sizeof phys);
        fx->fsw &= (uint16_t)~0x3800;
    }
    fx->ftw = 0xff;
}
