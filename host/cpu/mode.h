/*
 * mode.h - the CPU's operating mode, derived from architectural state.
 *
 * The interpreter decodes and runs 64-bit code on its fast paths; the other
 * modes exist so that a CPU started by INIT-SIPI can run Linux's real-mode
 * trampoline up to 64-bit mode (docs/cpu-model.md, "Modes"). The mode is a
 * function of CR0.PE, EFER.LMA and the CS descriptor's L and D bits:
 * cpu->mode caches it, recomputed by cpu_mode_update() whenever one of those
 * may have changed (CR0 writes, far transfers and CS loads, state restore).
 * Decoded blocks are keyed by mode (block.c), so a block decoded in one mode
 * never runs in another.
 */
#ifndef M5SIM_CPU_MODE_H
#define M5SIM_CPU_MODE_H

#include <stdint.h>

#include "cpu/state.h"

enum cpu_mode {
    CPU_MODE_64 = 0,    /* long mode, CS.L = 1: the fast paths */
    CPU_MODE_REAL,      /* CR0.PE = 0: 16-bit, segment base = selector << 4 */
    CPU_MODE_PROT16,    /* protected mode, CS.D = 0 */
    CPU_MODE_PROT32,    /* protected mode, CS.D = 1 */
    CPU_MODE_COMPAT16,  /* long mode, CS.L = 0, CS.D = 0 (decoded like PROT16) */
    CPU_MODE_COMPAT32,  /* long mode, CS.L = 0, CS.D = 1 (decoded like PROT32) */
    CPU_MODES
};

static inline enum cpu_mode cpu_mode_of(const struct cpu_state *s)
{
    if (!(s->cr0 & CR0_PE))
        return CPU_MODE_REAL;
    unsigned attr = s->seg[SEG_CS].attr;
    if (s->efer & EFER_LMA) {
        if (attr & SEG_ATTR_L)
            return CPU_MODE_64;
        return (attr & SEG_ATTR_DB) ? CPU_MODE_COMPAT32 : CPU_MODE_COMPAT16;
    }
    return (attr & SEG_ATTR_DB) ? CPU_MODE_PROT32 : CPU_MODE_PROT16;
}

/* Default operand/address size in bytes of code in `mode` (2 or 4; 8 for 64-bit mode's addresses). */
static inline unsigned cpu_mode_width(enum cpu_mode mode)
{
    switch (mode) {
    case CPU_MODE_64: return 8;
    case CPU_MODE_PROT32: case CPU_MODE_COMPAT32: return 4;
    default: return 2;
    }
}

/* Mask of IP/EIP: the instruction pointer wraps at the code segment's default size. */
static inline uint64_t cpu_mode_ip_mask(enum cpu_mode mode)
{
    switch (mode) {
    case CPU_MODE_64: return ~0ull;
    case CPU_MODE_PROT32: case CPU_MODE_COMPAT32: return 0xffffffffull;
    default: return 0xffffull;
    }
}

struct cpu;
/*
 * Recompute cpu->mode from cpu->s; on a change the jump cache is dropped,
 * the current block ends, and outside 64-bit mode every block runs through
 * the run loop's general path (cpu->stepped).
 */
void cpu_mode_update(struct cpu *cpu);

#endif
