/*
 * schedule.h - the order in which the machine's CPUs run: one round of
 * turns at a time (machine.c's run loop drives it).
 *
 * CPUs run one at a time on one host thread. A round covers the simulated
 * time from `now` to `end` (now + --quantum cycles, or the next event if
 * sooner); every CPU, in index order, runs a turn from the time it has
 * reached to the round's end. Rules, each one deterministic:
 *
 * - a CPU behind `now` (it idled, or an earlier round was cut short before
 *   its turn) first catches up to now; if it was idle, the cycles it skips
 *   count as idle cycles (numIdleCycles);
 * - a CPU already at or past `end` (its last turn overshot: a timing stall)
 *   sits the round out;
 * - with skip_idle, a CPU that can do nothing (halted with nothing to wake
 *   it, waiting for a start-up IPI: the `idle` callback) takes no turn and
 *   costs nothing;
 * - a turn that ends halted leaves the CPU idle from there;
 * - a turn that ends early otherwise (an event it scheduled is due, a stop,
 *   a checkpoint request) pulls the round's end in to where it stopped, for
 *   the CPUs after it; the CPUs before it are then ahead.
 *
 * The result says how far the busy CPUs all got (`reached`: the machine runs
 * its events up to there) or, if none was busy, where the last idle one
 * stopped (the machine then jumps to the next event).
 */
#ifndef M5SIM_MACHINE_SCHEDULE_H
#define M5SIM_MACHINE_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

#define SCHED_MAX_CPUS 16

/*
 * A CPU's place in the schedule and its start-up signals: plain data that
 * a checkpoint of several CPUs saves ([cpuN.run], machine/checkpoint.c).
 */
struct machine_cpu_run {
    uint64_t tick;          /* simulated time this CPU has reached (the end of its last turn) */
    uint64_t idle_cycles;   /* cycles skipped while halted or waiting for a start-up IPI: numIdleCycles */
    uint8_t wait_sipi;      /* after INIT (and an AP's reset): does nothing until a start-up IPI */
    uint8_t init_pending;   /* an INIT IPI arrived: applied before the CPU's next turn */
    uint8_t sipi_pending;   /* a start-up IPI arrived, with sipi_vector */
    uint8_t sipi_vector;
    uint8_t nmi_pending;    /* an NMI IPI arrived: taken as vector 2 (docs/architecture.md) */
    uint8_t idle;           /* its last turn ended halted, or it had nothing to do: the time until its next is idle */
};

struct sched {
    unsigned n;
    struct machine_cpu_run *cpu[SCHED_MAX_CPUS];
    uint64_t period;        /* ticks per cycle */
    bool skip_idle;         /* ask `idle` before each turn (several CPUs; one CPU finds out by running) */
    void *opaque;
    /* Before CPU i's turn: apply what arrived for it (INIT, start-up). May be NULL. */
    void (*prepare)(void *opaque, unsigned i);
    /* Can CPU i do nothing now? */
    bool (*idle)(void *opaque, unsigned i);
    /* CPU i's turn, from cpu[i]->tick to `end` (a tick); moves cpu[i]->tick to where it stopped. */
    enum cpu_exit (*turn)(void *opaque, unsigned i, uint64_t end);
    /* The run is over: the round stops after the current turn. */
    bool (*done)(void *opaque);
};

struct sched_round {
    uint64_t end;           /* the round's end, as cut short by early turns */
    uint64_t reached;       /* the least time a busy CPU reached; TICK_NEVER: none was busy */
    uint64_t idle_reached;  /* the latest time a CPU that idled stopped at (at least now) */
};

/* CPU i catches up to `now` if it is behind (counting idle cycles if it idled). */
void sched_catch_up(struct sched *s, unsigned i, uint64_t now);
/* One round from now to end. */
struct sched_round sched_run_round(struct sched *s, uint64_t now, uint64_t end);

#endif
