/*
 * commit_stats.h - the committed-instruction statistics by kind (gem5 v24's
 * commitStats0.numLoadInsts, committedInstType, committedControl, ...), the
 * user/kernel split (m5sim only) and the idle/busy cycles of
 * exec_context.thread_0 (docs/stats.md).
 *
 * The sources are the CPU's running totals (cpu->class_count, user_insts,
 * kernel_insts) and the machine's halted cycles; a reset remembers them
 * and a sample before a dump computes the differences, as sim_stats does
 * (sim_stats_sample and sim_stats_reset call these).
 */
#ifndef M5SIM_STATS_COMMIT_STATS_H
#define M5SIM_STATS_COMMIT_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "stats/registry.h"

struct commit_stats {
    struct cpu *cpu;                 /* NULL until commit_stats_register */
    bool classes;                    /* the class statistics are registered */
    const uint64_t *idle_cycles;     /* running total of halted cycles, or NULL */
    /* The values of the dump being written (registered counters). */
    uint64_t mem_refs, loads, stores, ints, fps, vecs;
    uint64_t inst_type[OP_CLASSES];
    uint64_t control[STATIC_INST_FLAGS];
    uint64_t user, kernel;
    uint64_t num_idle, num_busy, num_cycles;
    /* The totals at the last reset. */
    uint64_t class_at_reset[INSN_CLASSES];
    uint64_t user_at_reset, kernel_at_reset, idle_at_reset;
};

/*
 * Registers under commit (system.cpu.commitStats0) and cpu (system.cpu):
 * with `classes`, the statistics counted by instruction class (only a
 * timing model counts them, atomic.c); always the user/kernel split; with
 * idle_cycles, exec_context.thread_0's idle and busy cycles.
 */
void commit_stats_register(struct commit_stats *c, struct stats_group *cpu_group, struct stats_group *commit,
                           struct cpu *cpu, bool classes, const uint64_t *idle_cycles);
void commit_stats_sample(struct commit_stats *c, uint64_t num_cycles);
void commit_stats_reset(struct commit_stats *c);

#endif
