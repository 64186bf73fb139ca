/*
 * cpu_state.h - the architectural state of a CPU in a checkpoint, one named,
 * range-checked key per register (ckpt/section.h).
 */
#ifndef M5SIM_CKPT_CPU_STATE_H
#define M5SIM_CKPT_CPU_STATE_H

#include <stdbool.h>

#include "ckpt/section.h"
#include "cpu/cpu.h"

void ckpt_cpu_save(struct ckpt_writer *w, const char *section, struct cpu *cpu);
/* Load [section] into cpu; false with r->error set when a field is missing or out of range. */
bool ckpt_cpu_load(struct ckpt_reader *r, const char *section, struct cpu *cpu);

#endif
