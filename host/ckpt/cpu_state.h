/* cpu_state.h - the architectural state of a CPU in a checkpoint, one named key per register. */
#ifndef M5SIM_CKPT_CPU_STATE_H
#define M5SIM_CKPT_CPU_STATE_H

#include <stdio.h>

#include "ckpt/ini.h"
#include "cpu/cpu.h"

void ckpt_cpu_save(FILE *f, const char *section, struct cpu *cpu);
void ckpt_cpu_load(const struct ini *ini, const char *section, struct cpu *cpu);

#endif
