/*
 * eventq.h - simulated time: one queue of events ordered by tick (1 tick = 1 ps).
 *
 * Timers, device completions, m5-op delays and statistics periods are events
 * here. Nothing in the simulation reads the host clock. Events with the same
 * tick run in the order they were scheduled, so runs are deterministic.
 */
#ifndef M5SIM_SIM_EVENTQ_H
#define M5SIM_SIM_EVENTQ_H

#include <stdbool.h>
#include <stdint.h>

#define TICKS_PER_SECOND 1000000000000ull
#define TICK_NEVER UINT64_MAX

struct event {
    uint64_t when;
    uint64_t seq;               /* tie-break: scheduling order */
    void (*fn)(void *arg);
    void *arg;
    const char *name;
    int heap_index;             /* -1 when not scheduled */
};

struct eventq {
    uint64_t now;               /* time of the last event boundary */
    uint64_t seq;
    struct event **heap;
    int n, cap;
    /*
     * The exact current time, for devices read in the middle of a CPU quantum
     * (a CPU runs ahead of `now` until the next event): the machine installs
     * a function computing it from the running CPU's retired instructions.
     */
    uint64_t (*current)(void *opaque);
    void *current_opaque;
    /*
     * While a CPU runs a quantum that ends at `horizon`, scheduling an event
     * before that calls preempt() so the CPU stops early and the event runs
     * on time (an m5 exit, a device completion, a timer reprogrammed shorter).
     */
    uint64_t horizon;
    void (*preempt)(void *opaque);
};

/* Current simulated time: devices use this, never `now` directly. */
static inline uint64_t eventq_now(const struct eventq *q)
{
    return q->current ? q->current(q->current_opaque) : q->now;
}

void eventq_init(struct eventq *q);
void eventq_free(struct eventq *q);
void event_init(struct event *e, const char *name, void (*fn)(void *), void *arg);
/* (Re)schedule e at absolute tick `when` (clamped to >= now). */
void eventq_schedule(struct eventq *q, struct event *e, uint64_t when);
void eventq_deschedule(struct eventq *q, struct event *e);
static inline bool event_scheduled(const struct event *e) { return e->heap_index >= 0; }
/* Tick of the earliest event, or TICK_NEVER. */
uint64_t eventq_next(const struct eventq *q);
/* Advance now to `until` (>= now), running every event due on the way, in order. */
void eventq_run_until(struct eventq *q, uint64_t until);

#endif
