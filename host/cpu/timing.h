/* timing.h - the timing CPU model (gem5's TimingSimpleCPU): see timing.c. */
#ifndef M5SIM_CPU_TIMING_H
#define M5SIM_CPU_TIMING_H

#include <stdint.h>

#include "cpu/model.h"

struct memsys;

struct timing_cpu_config {
    struct memsys *memsys;          /* the hierarchy behind this CPU's L1I and L1D */
    unsigned line_size;             /* bytes: data accesses split at line boundaries */
    uint64_t period;                /* ticks per CPU cycle */
    uint64_t device_latency;        /* ticks of an MMIO or port access */
    uint64_t (*now)(void *opaque);  /* the machine's exact tick, for the memory system's state */
    void *now_opaque;
};

/*
 * The model's own counts. Besides the requests it sends, it counts accesses
 * as Cachegrind does, so that an independent tool can check the caches
 * (tests/system): one instruction access per instruction and one data
 * access per load or store, whatever the number of lines they touch, each
 * a miss if any of its lines missed in the L1.
 */
struct timing_cpu_stats {
    uint64_t fetch_requests;      /* icache requests (8-byte chunks) */
    uint64_t data_requests;       /* dcache requests (line pieces of loads and stores) */
    uint64_t walk_requests;       /* page-table entry reads */
    uint64_t device_accesses;     /* MMIO and port accesses */
    uint64_t inst_accesses, inst_access_misses;
    uint64_t data_accesses, data_access_misses;
};

struct cpu_model *cpu_model_timing_new(struct cpu *cpu, const struct timing_cpu_config *cfg);
/*
 * Functional warming (--warmup-insts): the atomic model's time, one cycle
 * per instruction, while every access updates the caches' contents and
 * recency as the timing model's would, without timing or statistics.
 */
struct cpu_model *cpu_model_warming_new(struct cpu *cpu, const struct timing_cpu_config *cfg);
/* The model's own counts, or NULL if `model` is not a timing model. */
const struct timing_cpu_stats *timing_cpu_stats(const struct cpu_model *model);
/* Register the model's statistics under `cpu` (system.cpu). */
struct stats_group;
void timing_cpu_register_stats(struct cpu_model *model, struct stats_group *cpu);

#endif
