/* schedule.c - one round of CPU turns (see schedule.h). */
#include "machine/schedule.h"

#include "sim/eventq.h"   /* TICK_NEVER */

void sched_catch_up(struct sched *s, unsigned i, uint64_t now)
{
    struct machine_cpu_run *r = s->cpu[i];
    if (r->tick >= now)
        return;
    if (r->idle)
        r->idle_cycles += now / s->period - r->tick / s->period;   /* the cycles numCycles gained */
    r->tick = now;
}

struct sched_round sched_run_round(struct sched *s, uint64_t now, uint64_t end)
{
    struct sched_round out = { .end = end, .reached = TICK_NEVER, .idle_reached = now };
    for (unsigned i = 0; i < s->n && !s->done(s->opaque); i++) {
        struct machine_cpu_run *r = s->cpu[i];
        if (s->prepare)
            s->prepare(s->opaque, i);
        sched_catch_up(s, i, now);
        if (r->tick >= out.end) {   /* ahead of this round */
            out.reached = r->tick < out.reached ? r->tick : out.reached;
            continue;
        }
        if (s->skip_idle && s->idle(s->opaque, i)) {
            r->idle = 1;
            continue;
        }
        enum cpu_exit why = s->turn(s->opaque, i, out.end);
        r->idle = why == CPU_EXIT_HALT;
        if (r->idle) {
            out.idle_reached = r->tick > out.idle_reached ? r->tick : out.idle_reached;
            continue;
        }
        out.reached = r->tick < out.reached ? r->tick : out.reached;
        if (r->tick < out.end)
            out.end = r->tick;   /* cut short: the CPUs after it stop there too */
    }
    return out;
}
