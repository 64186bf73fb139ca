/*
 * sim_stats.c - gem5's root and committed-instruction statistics (see
 * sim_stats.h). Names, descriptions, units and display options follow gem5
 * v24 (src/sim/root.cc, src/cpu/base.cc):
 * - hostSeconds prints with 2 decimals; hostTickRate, hostInstRate and
 *   hostOpRate with none; cpi and ipc always with 6.
 * - hostMemory, simInsts, simOps and commitStats0.numInsts are left out of a
 *   dump while they are 0 (gem5 makes each its own prerequisite), and so are
 *   the instruction rates with them.
 * - hostMemory here is the peak resident set in bytes; gem5 prints the
 *   process's current virtual size, read in kilobytes, under the same unit.
 */
#include "stats/sim_stats.h"

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/eventq.h"   /* TICKS_PER_SECOND */

double sim_stats_host_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t peak_rss_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (uint64_t)ru.ru_maxrss * 1024;   /* Linux reports kilobytes */
}

static double ratio(uint64_t a, uint64_t b)
{
    return (double)a / (double)b;   /* 0/0 is nan and x/0 inf, as gem5 prints them */
}

static double sim_seconds(const void *ctx)
{
    const struct sim_stats *s = ctx;
    return ratio(s->sim_ticks, s->sim_freq);
}

static double host_seconds(const void *ctx)
{
    return ((const struct sim_stats *)ctx)->host_seconds;
}

static double host_tick_rate(const void *ctx)
{
    const struct sim_stats *s = ctx;
    return (double)s->sim_ticks / s->host_seconds;
}

static double host_inst_rate(const void *ctx)
{
    const struct sim_stats *s = ctx;
    return (double)s->sim_insts / s->host_seconds;
}

static double host_op_rate(const void *ctx)
{
    const struct sim_stats *s = ctx;
    return (double)s->sim_ops / s->host_seconds;
}

static double cpi(const void *ctx)
{
    const struct sim_cpu_stats *c = ctx;
    return ratio(c->num_cycles, c->commit_insts);
}

static double ipc(const void *ctx)
{
    const struct sim_cpu_stats *c = ctx;
    return ratio(c->commit_insts, c->num_cycles);
}

static void register_cpu(struct sim_cpu_stats *c, struct stats_group *cpu)
{
    stats_add_scalar(cpu, "numCycles", &c->num_cycles, "Cycle", "Number of cpu cycles simulated");
    stats_add_formula(cpu, "cpi", cpi, c, "(Cycle/Count)", "CPI: cycles per instruction (core level)");
    stats_set_precision(cpu, "cpi", 6);
    stats_add_formula(cpu, "ipc", ipc, c, "(Count/Cycle)", "IPC: instructions per cycle (core level)");
    stats_set_precision(cpu, "ipc", 6);

    struct stats_group *commit = stats_group_new(cpu, "commitStats0");
    stats_add_scalar(commit, "numInsts", &c->commit_insts, "Count", "Number of instructions committed (thread level)");
    stats_set_flags(commit, "numInsts", STATS_NOZERO);
    stats_add_scalar(commit, "numOps", &c->commit_ops, "Count",
                     "Number of ops (including micro ops) committed (thread level)");
    stats_add_formula(commit, "cpi", cpi, c, "(Cycle/Count)", "CPI: cycles per instruction (thread level)");
    stats_set_precision(commit, "cpi", 6);
    stats_add_formula(commit, "ipc", ipc, c, "(Count/Cycle)", "IPC: instructions per cycle (thread level)");
    stats_set_precision(commit, "ipc", 6);
    c->commit_group = commit;
}

void sim_cpu_stats_register(struct sim_cpu_stats *c, struct stats_group *cpu, uint64_t insts, uint64_t cycles)
{
    register_cpu(c, cpu);
    sim_cpu_stats_reset(c, insts, cycles);
}

void sim_cpu_stats_sample(struct sim_cpu_stats *c, uint64_t insts, uint64_t cycles)
{
    c->commit_insts = c->commit_ops = insts - c->insts_at_reset;
    c->num_cycles = cycles - c->cycles_at_reset;
    commit_stats_sample(&c->commit, c->num_cycles);
}

void sim_cpu_stats_reset(struct sim_cpu_stats *c, uint64_t insts, uint64_t cycles)
{
    c->insts_at_reset = c->ops_at_reset = insts;
    c->cycles_at_reset = cycles;
    commit_stats_reset(&c->commit);
}

void sim_stats_register(struct sim_stats *s, struct stats_group *root, struct stats_group *cpu,
                        struct sim_totals now)
{
    stats_add_formula(root, "simSeconds", sim_seconds, s, "Second", "Number of seconds simulated");
    stats_add_scalar(root, "simTicks", &s->sim_ticks, "Tick", "Number of ticks simulated");
    stats_add_scalar(root, "finalTick", &s->final_tick, "Tick",
                     "Number of ticks from beginning of simulation (restored from checkpoints and never reset)");
    stats_add_scalar(root, "simFreq", &s->sim_freq, "(Tick/Second)", "The number of ticks per simulated second");
    stats_add_formula(root, "hostSeconds", host_seconds, s, "Second", "Real time elapsed on the host");
    stats_set_precision(root, "hostSeconds", 2);
    stats_add_formula(root, "hostTickRate", host_tick_rate, s, "(Tick/Second)",
                      "The number of ticks simulated per host second (ticks/s)");
    stats_set_precision(root, "hostTickRate", 0);
    stats_add_scalar(root, "hostMemory", &s->host_memory, "Byte", "Number of bytes of host memory used");
    stats_set_flags(root, "hostMemory", STATS_NOZERO);
    stats_add_scalar(root, "simInsts", &s->sim_insts, "Count", "Number of instructions simulated");
    stats_set_flags(root, "simInsts", STATS_NOZERO);
    stats_add_scalar(root, "simOps", &s->sim_ops, "Count", "Number of ops (including micro ops) simulated");
    stats_set_flags(root, "simOps", STATS_NOZERO);
    stats_add_formula(root, "hostInstRate", host_inst_rate, s, "(Count/Second)", "Simulator instruction rate (inst/s)");
    stats_set_precision(root, "hostInstRate", 0);
    stats_set_flags(root, "hostInstRate", STATS_NOZERO);
    stats_add_formula(root, "hostOpRate", host_op_rate, s, "(Count/Second)",
                      "Simulator op (including micro ops) rate (op/s)");
    stats_set_precision(root, "hostOpRate", 0);
    stats_set_flags(root, "hostOpRate", STATS_NOZERO);

    if (cpu) {
        register_cpu(&s->cpu, cpu);
        s->has_cpu = true;
    }

    sim_stats_reset(s, now);
}

void sim_stats_sample(struct sim_stats *s, struct sim_totals now)
{
    s->sim_ticks = now.tick - s->at_reset.tick;
    s->final_tick = now.tick;
    s->sim_freq = TICKS_PER_SECOND;
    s->host_seconds = sim_stats_host_seconds() - s->host_at_reset;
    s->host_memory = peak_rss_bytes();
    s->sim_insts = now.insts - s->at_reset.insts;
    s->sim_ops = now.ops - s->at_reset.ops;
    if (s->has_cpu) {   /* one CPU: its counts are the totals (ops = insts: m5sim does not split instructions) */
        s->cpu.commit_ops = s->sim_ops;
        s->cpu.commit_insts = s->sim_insts;
        s->cpu.num_cycles = now.cycles - s->at_reset.cycles;
        commit_stats_sample(&s->cpu.commit, s->cpu.num_cycles);
    }
}

void sim_stats_reset(struct sim_stats *s, struct sim_totals now)
{
    s->at_reset = now;
    s->host_at_reset = sim_stats_host_seconds();
    if (s->has_cpu)
        commit_stats_reset(&s->cpu.commit);
}
