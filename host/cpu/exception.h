/*
 * exception.h - raising and delivering exceptions and interrupts.
 *
 * Inside an instruction, a fault is raised with cpu_raise*(): it records the
 * vector and longjmps back to the run loop, which leaves RIP at the faulting
 * instruction and delivers the event through the long-mode IDT (exception.c).
 * Handlers therefore perform every access that can fault before they change
 * any architectural state (write memory first, registers last).
 */
#ifndef M5SIM_CPU_EXCEPTION_H
#define M5SIM_CPU_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "cpu/cpu.h"

enum exc_vector {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13,
    EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
};

/* Page-fault error code bits. */
#define PFERR_P    (1u << 0)
#define PFERR_W    (1u << 1)
#define PFERR_U    (1u << 2)
#define PFERR_RSVD (1u << 3)
#define PFERR_I    (1u << 4)

noreturn void cpu_raise(struct cpu *cpu, int vector);
noreturn void cpu_raise_err(struct cpu *cpu, int vector, uint32_t error);
/* #GP(0), the most common fault. */
noreturn void cpu_raise_gp0(struct cpu *cpu);
/* #UD for an instruction we decoded but cannot or do not execute here. */
noreturn void cpu_raise_ud(struct cpu *cpu);

/*
 * Abandon the current instruction without an exception: nothing it did is
 * kept, RIP stays on it, and cpu_run returns CPU_EXIT_WAIT. For host-side
 * waits inside an instruction (an m5 op waiting for the user's next script);
 * only valid while the instruction has changed no state.
 */
noreturn void cpu_abort_instruction(struct cpu *cpu);

/*
 * Deliver an event now through the IDT: switch stacks (TSS RSP0 / IST), push
 * the frame, load CS:RIP from the gate. `return_rip` is what the frame saves
 * (the faulting instruction for faults, the next one for traps and INT n).
 * `soft` marks INT n / INT3 / INTO, whose gate DPL is checked against CPL.
 */
void cpu_deliver(struct cpu *cpu, int vector, bool has_error, uint32_t error,
                 uint64_t return_rip, bool soft);

/* Take a pending external interrupt if IF=1 and no interrupt shadow (called at block boundaries). */
bool cpu_check_interrupts(struct cpu *cpu);

#endif
