/*
 * exec_system.h - what the three files of the system family share:
 * exec_system.c (control and debug registers, MSRs, TSC, CPUID, HLT/CLI/STI,
 * INT n, fences, FXSAVE/FXRSTOR, ...), exec_segment.c (descriptor tables,
 * segment registers, far transfers, IRET, SYSCALL/SYSRET, SWAPGS) and
 * exec_io.c (port I/O). exec_system_register() in exec.h is the one entry.
 */
#ifndef M5SIM_CPU_EXEC_SYSTEM_H
#define M5SIM_CPU_EXEC_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/exec.h"

void exec_segment_register(void);
void exec_io_register(void);

/* MOV to and from a segment register (exec_segment.c), reached through the MOV dispatcher. */
void exec_mov_sreg(struct cpu *cpu, const struct insn *in);

/*
 * Outside 64-bit mode (exec_legacy.c, mode.h). Load a data segment register
 * or SS: in real mode base = selector << 4, else from its descriptor as
 * MOV Sreg does. A far JMP to sel:off: real mode sets CS's selector and
 * base; protected and compatibility mode load a code segment descriptor
 * (same privilege level, no gates), which may enter 32-bit, 16-bit or, with
 * EFER.LMA, 64-bit mode; the CPU's mode is updated and next_rip = off.
 */
void legacy_load_sreg(struct cpu *cpu, unsigned r, uint16_t sel);
void legacy_far_jump(struct cpu *cpu, uint16_t sel, uint64_t off);

static inline bool is_canonical(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* Privileged instructions: #GP(0) unless CPL 0. */
static inline void require_cpl0(struct cpu *cpu)
{
    if (__builtin_expect(cpu->s.cpl != 0, 0))
        cpu_raise_gp0(cpu);
}

static inline unsigned cpu_iopl(const struct cpu *cpu)
{
    return (unsigned)(cpu->s.rflags >> 12) & 3;
}

/*
 * Install `ours` for mnemonic m and return the handler it replaces, so that
 * families sharing a mnemonic (MOV, POP, JMP, CALL, RET) hand each other the
 * forms that are not theirs whatever order they register in.
 */
static inline exec_fn exec_chain(ZydisMnemonic m, exec_fn ours, exec_fn kept)
{
    exec_fn prev = exec_lookup(m);
    if (prev == ours)
        return kept;  /* registered twice: keep what we had */
    exec_register(m, ours);
    return prev ? prev : exec_unimplemented;
}

#endif
