/*
 * sim_stats.h - the statistics every run prints, full system or SE: gem5's
 * root statistics (simSeconds ... hostOpRate) and what the CPU commits
 * (system.cpu.numCycles, cpi, ipc, commitStats0.*), with gem5 v24's names,
 * descriptions, units and display options, registered once here so that the
 * two writers cannot drift apart.
 *
 * The owner reads its running totals (ticks, retired instructions, cycles)
 * and hands them over at each dump and each reset; the statistics are the
 * differences since the last reset, as gem5's are.
 */
#ifndef M5SIM_STATS_SIM_STATS_H
#define M5SIM_STATS_SIM_STATS_H

#include "stats/cpu_name.h"
#include "stats/commit_stats.h"
#include "stats/registry.h"

/* Running totals since the simulation began (a restore carries them on). */
struct sim_totals {
    uint64_t tick;      /* simulated time, in ticks of 1 ps */
    uint64_t insts;     /* instructions retired */
    uint64_t ops;       /* operations retired (m5sim does not split instructions: = insts) */
    uint64_t cycles;    /* CPU cycles */
};

/*
 * One CPU's cycle and commit statistics (system.cpu.numCycles, cpi, ipc,
 * commitStats0.*), the differences of its own totals since the last reset.
 * A machine with one CPU has them inside its sim_stats; one with several
 * registers one per CPU (system.cpu0, system.cpu1, ...).
 */
struct sim_cpu_stats {
    uint64_t num_cycles, commit_insts, commit_ops;   /* the dump being written */
    uint64_t insts_at_reset, ops_at_reset, cycles_at_reset;
    /* Committed instructions by kind (commit_stats.h): registered by commit_stats_register(&commit, ...). */
    struct commit_stats commit;
    struct stats_group *commit_group;   /* system.cpu.commitStats0 */
};

struct sim_stats {
    /* The values of the dump being written (registered counters). */
    uint64_t sim_ticks, final_tick, sim_freq, host_memory, sim_insts, sim_ops;
    double host_seconds;
    /* The totals and the host clock at the last reset. */
    struct sim_totals at_reset;
    double host_at_reset;
    /* The CPU's statistics, when sim_stats_register was given its group; they count from the totals. */
    struct sim_cpu_stats cpu;
    bool has_cpu;
};

/*
 * Registers the root statistics in root and, unless cpu is NULL, the CPU's
 * in cpu (and its group commitStats0), counted from the same totals; the
 * clocks start now.
 */
void sim_stats_register(struct sim_stats *s, struct stats_group *root, struct stats_group *cpu,
                        struct sim_totals now);
/* One CPU of several: its statistics in `cpu`, from its own totals (insts, cycles), which start now. */
void sim_cpu_stats_register(struct sim_cpu_stats *c, struct stats_group *cpu, uint64_t insts, uint64_t cycles);
void sim_cpu_stats_sample(struct sim_cpu_stats *c, uint64_t insts, uint64_t cycles);
void sim_cpu_stats_reset(struct sim_cpu_stats *c, uint64_t insts, uint64_t cycles);
/* Before a dump: fills the values from the totals now, the host clock and the peak RSS. */
void sim_stats_sample(struct sim_stats *s, struct sim_totals now);
/* After stats_reset: the totals now become the new zero. */
void sim_stats_reset(struct sim_stats *s, struct sim_totals now);
/* Seconds of the host's monotonic clock (host statistics only: the simulation never reads it). */
double sim_stats_host_seconds(void);

#endif
