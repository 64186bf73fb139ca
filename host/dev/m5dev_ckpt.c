/* m5dev_ckpt.c - the m5 device's checkpoint state (see m5dev_ckpt.h). */
#include "dev/m5dev_ckpt.h"

#include <stddef.h>
#include <string.h>

#include "sim/eventq.h"

#define WHY_LEN 64
_Static_assert(sizeof(((struct m5dev *)0)->pending_why) == WHY_LEN, "[m5dev] exit.why is 64 bytes");

/* The section's fields; an event not scheduled has `when` = TICK_NEVER. */
struct m5dev_ckpt {
    uint64_t scripts_started, work_begin, work_end;
    uint64_t exit_when;
    int32_t exit_status;
    uint8_t exit_why[WHY_LEN];      /* NUL-terminated, printable */
    uint64_t stats_when, stats_period;
    bool stats_dump, stats_reset;
    uint64_t ckpt_when, ckpt_period;
};

/* Deadlines and periods: a period is at most what ns_to_ticks gives (m5dev.c), so now + period cannot wrap. */
#define PERIOD_MAX (UINT64_MAX / 2)
#define WHEN_MAX (CKPT_TIME_MAX + PERIOD_MAX)

#define MC struct m5dev_ckpt
/* A field new in format version 2 (absent from a version 1 index: reads as 0). */
#define V2(name, type, F, lo, hi) { name, type, offsetof(MC, F), 1, 0, (uint64_t)(lo), (uint64_t)(hi), 2 }
static const struct ckpt_field m5dev_fields[] = {
    CKPT_U64F("scripts_started", MC, scripts_started, 0, UINT64_MAX),
    CKPT_U64F("work_begin", MC, work_begin, 0, UINT64_MAX),
    CKPT_U64F("work_end", MC, work_end, 0, UINT64_MAX),
    V2("exit.when", CKPT_U64, exit_when, 0, UINT64_MAX),
    V2("exit.status", CKPT_I32, exit_status, (int64_t)INT32_MIN, INT32_MAX),
    { "exit.why", CKPT_BYTES, offsetof(MC, exit_why), WHY_LEN, 0, 0, 0, 2 },
    V2("stats.when", CKPT_U64, stats_when, 0, UINT64_MAX),
    V2("stats.period", CKPT_U64, stats_period, 0, PERIOD_MAX),
    V2("stats.dump", CKPT_BOOL, stats_dump, 0, 1),
    V2("stats.reset", CKPT_BOOL, stats_reset, 0, 1),
    V2("checkpoint.when", CKPT_U64, ckpt_when, 0, UINT64_MAX),
    V2("checkpoint.period", CKPT_U64, ckpt_period, 0, PERIOD_MAX),
};
#undef V2
#undef MC

static bool when_ok(uint64_t when)
{
    return when == TICK_NEVER || when <= WHEN_MAX;
}

static bool m5dev_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    const struct m5dev_ckpt *c = state;
    (void)r;
    const struct { const char *name; uint64_t when; } whens[] = {
        { "exit.when", c->exit_when }, { "stats.when", c->stats_when }, { "checkpoint.when", c->ckpt_when },
    };
    for (size_t i = 0; i < sizeof whens / sizeof whens[0]; i++)
        if (!when_ok(whens[i].when)) {
            snprintf(why, len, "%s = %llu is neither never nor a reachable tick", whens[i].name,
                     (unsigned long long)whens[i].when);
            return false;
        }
    const void *nul = memchr(c->exit_why, 0, WHY_LEN);
    if (!nul) {
        snprintf(why, len, "exit.why is not a terminated string");
        return false;
    }
    for (const uint8_t *p = c->exit_why; p < (const uint8_t *)nul; p++)
        if (*p < 0x20 || *p > 0x7e) {
            snprintf(why, len, "exit.why holds a control character");
            return false;
        }
    return true;
}

/* Version 1 wrote the counters under the same names: no blob. */
static const struct ckpt_layout m5dev_layout = CKPT_LAYOUT(m5dev_fields, m5dev_validate, 0);

static uint64_t when_of(const struct event *e)
{
    return event_scheduled(e) ? e->when : TICK_NEVER;
}

void m5dev_save(const struct m5dev *d, struct ckpt_writer *w, const char *section)
{
    struct m5dev_ckpt c = {
        .scripts_started = d->scripts_started, .work_begin = d->work_begin, .work_end = d->work_end,
        .exit_when = when_of(&d->exit_event), .exit_status = d->pending_status,
        .stats_when = when_of(&d->stats_event), .stats_period = d->stats_period,
        .stats_dump = d->stats_dump, .stats_reset = d->stats_reset,
        .ckpt_when = when_of(&d->ckpt_event), .ckpt_period = d->ckpt_period,
    };
    /*
     * A periodic checkpoint is written from inside its own event, which
     * re-schedules itself only afterwards: save the next one it will schedule.
     */
    if (c.ckpt_when == TICK_NEVER && d->ckpt_period)
        c.ckpt_when = eventq_now(d->eq) + d->ckpt_period;
    if (c.stats_when == TICK_NEVER && d->stats_period)
        c.stats_when = eventq_now(d->eq) + d->stats_period;
    memcpy(c.exit_why, d->pending_why, WHY_LEN);
    c.exit_why[WHY_LEN - 1] = 0;
    ckpt_section_save(w, section, &m5dev_layout, &c);
}

static void reschedule(struct eventq *eq, struct event *e, uint64_t when)
{
    eventq_deschedule(eq, e);
    if (when != TICK_NEVER)
        eventq_schedule(eq, e, when);
}

bool m5dev_load(struct m5dev *d, struct ckpt_reader *r, const char *section)
{
    struct m5dev_ckpt c = { .exit_when = TICK_NEVER, .stats_when = TICK_NEVER, .ckpt_when = TICK_NEVER };
    if (!ckpt_section_load(r, section, &m5dev_layout, &c))
        return false;
    if (r->version < 2)   /* absent fields read as 0: nothing was pending */
        c.exit_when = c.stats_when = c.ckpt_when = TICK_NEVER;
    d->scripts_started = c.scripts_started;
    d->work_begin = c.work_begin;
    d->work_end = c.work_end;
    d->pending_status = c.exit_status;
    memcpy(d->pending_why, c.exit_why, WHY_LEN);
    d->stats_period = c.stats_period;
    d->stats_dump = c.stats_dump;
    d->stats_reset = c.stats_reset;
    d->ckpt_period = c.ckpt_period;
    reschedule(d->eq, &d->exit_event, c.exit_when);
    reschedule(d->eq, &d->stats_event, c.stats_when);
    reschedule(d->eq, &d->ckpt_event, c.ckpt_when);
    return true;
}
