/*
 * m5ops.c - the m5 ops of an SE program (libm5 in instruction mode, or the
 * 0F 04 instruction itself), as gem5's SE mode has them: exit, fail, sum,
 * rpns, checkpoint, switchcpu, the statistics ops and the work markers.
 *
 * The statistics ops mean what the full-system m5 device makes of them
 * (host/dev/m5dev.c): resetstats, dumpstats and dumpresetstats take a
 * delay and a period in simulated ns; with no delay the dump or reset
 * happens once the op has retired, otherwise when simulated time reaches
 * it, and then every period (at least 100 us, at most
 * M5DEV_MAX_PERIODIC_STATS times). A new statistics op replaces a pending
 * one. SE mode has no event queue: the run loop (se.c) asks
 * se_m5_stats_due() between CPU runs and stops the CPU at the due time
 * (se_m5_stats_ns_until()); the dump appends a block to the outdir's
 * stats.txt and stats.json exactly as --stats-dump-at does.
 */
#include "se/process.h"

#include "cpu/exception.h"
#include "dev/m5dev.h"     /* the limits on statistics periods, shared with full-system mode */
#include "m5ops.h"
#include "util/log.h"

#define MIN_PERIOD_NS (M5DEV_MIN_STATS_PERIOD_TICKS / 1000)

static void request_now(struct se *se, unsigned what)
{
    se->stats_request |= what;
    cpu_request_exit(se->cpu, CPU_EXIT_BUDGET);   /* after this instruction, between CPU runs */
}

/* The next periodic event from now, unless the run has had its share. */
static void schedule_period(struct se *se)
{
    struct se_stats_event *e = &se->stats_event;
    e->at_ns = 0;
    if (!e->period_ns)
        return;
    if (e->periodic >= M5DEV_MAX_PERIODIC_STATS) {
        warn("m5 dumpstats", "%u periodic statistics dumps in this run: the period stops here",
             M5DEV_MAX_PERIODIC_STATS);
        e->period_ns = 0;
        return;
    }
    e->periodic++;
    e->at_ns = se_now_ns(se) + e->period_ns;
}

static void schedule_stats(struct se *se, unsigned what, uint64_t delay_ns, uint64_t period_ns)
{
    struct se_stats_event *e = &se->stats_event;
    e->what = what;
    e->period_ns = period_ns;
    if (period_ns && period_ns < MIN_PERIOD_NS) {
        if (!e->warned_period)
            warn("m5", "a statistics period shorter than 100 us (raised to 100 us)");
        e->warned_period = true;
        e->period_ns = MIN_PERIOD_NS;
    }
    if (!delay_ns) {
        request_now(se, what);
        schedule_period(se);
        return;
    }
    uint64_t now = se_now_ns(se);
    e->at_ns = delay_ns > UINT64_MAX / 2 - now ? UINT64_MAX / 2 : now + delay_ns;
    cpu_request_exit(se->cpu, CPU_EXIT_BUDGET);   /* the run loop bounds the next CPU run by it */
}

void se_m5_stats_due(struct se *se)
{
    struct se_stats_event *e = &se->stats_event;
    if (e->at_ns && se_now_ns(se) >= e->at_ns) {
        se->stats_request |= e->what;
        schedule_period(se);
    }
}

uint64_t se_m5_stats_ns_until(const struct se *se)
{
    const struct se_stats_event *e = &se->stats_event;
    if (!e->at_ns)
        return UINT64_MAX;
    uint64_t now = se_now_ns(se);
    return e->at_ns > now ? e->at_ns - now : 0;
}

uint64_t se_m5op(void *opaque, struct cpu *cpu, unsigned func)
{
    struct se *se = opaque;
    const uint64_t a0 = cpu->s.gpr[RDI], a1 = cpu->s.gpr[RSI];
    switch (func) {
    case M5OP_EXIT:
        se_exit(se, 0);
        return 0;
    case M5OP_FAIL:
        se_exit(se, (int)(a1 & 0xff));
        return 0;
    case M5OP_SUM: {
        const enum gpr r[6] = { RDI, RSI, RDX, RCX, R8, R9 };
        uint64_t sum = 0;
        for (int i = 0; i < 6; i++)
            sum += cpu->s.gpr[r[i]];
        return sum;
    }
    case M5OP_RPNS:
        return se_now_ns(se);
    case M5OP_CHECKPOINT:
        /* Taken by the run loop once this instruction has retired (se.c). */
        se->ckpt_request = true;
        cpu_request_exit(cpu, CPU_EXIT_STOP);
        return 0;
    case M5OP_SWITCH_CPU:
        se->switch_request = true;
        cpu_request_exit(cpu, CPU_EXIT_BUDGET);   /* after this instruction */
        return 0;
    case M5OP_RESET_STATS:
        schedule_stats(se, SE_STATS_RESET, a0, a1);
        return 0;
    case M5OP_DUMP_STATS:
        schedule_stats(se, SE_STATS_DUMP, a0, a1);
        return 0;
    case M5OP_DUMP_RESET_STATS:
        schedule_stats(se, SE_STATS_DUMP | SE_STATS_RESET, a0, a1);
        return 0;
    case M5OP_WORK_BEGIN:
        se->work_begin++;
        return 0;
    case M5OP_WORK_END:
        se->work_end++;
        return 0;
    default:
        return 0;  /* the rest (quiesce, symbols, files of a full system) mean nothing to one process */
    }
}
