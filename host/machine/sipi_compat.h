/*
 * sipi_compat.h - until the interpreter's real-mode work (branch rmode)
 * is merged: the INIT and start-up functions it adds to cpu/cpu.h, with
 * weak stand-ins in sipi_compat.c. Removed at that merge.
 */
#ifndef M5SIM_MACHINE_SIPI_COMPAT_H
#define M5SIM_MACHINE_SIPI_COMPAT_H

#include <stdint.h>

struct cpu;
void cpu_init_reset(struct cpu *cpu);
void cpu_sipi_start(struct cpu *cpu, uint8_t vector);

#endif
