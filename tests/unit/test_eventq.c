/*
 * test_eventq.c - simulated time (host/sim/eventq.c): events run in tick
 * order and, at equal ticks, in scheduling order; deschedule and reschedule
 * (a rescheduled event counts as newly scheduled); scheduling in the past is
 * clamped to now; run_until advances now; events scheduled by events; the
 * preempt hook fires only for events before the running CPU's horizon; and
 * a randomized comparison against a reference model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sim/eventq.h"

#define MAXLOG 4096

static struct {
    int ids[MAXLOG];
    uint64_t ticks[MAXLOG];
    int n;
} trace;

static struct eventq *cur_q;

struct tev {
    struct event e;
    int id;
};

static void record(void *arg)
{
    struct tev *t = arg;
    trace.ids[trace.n] = t->id;
    trace.ticks[trace.n] = cur_q->now;
    trace.n++;
}

static void tev_init(struct tev *t, int id)
{
    t->id = id;
    event_init(&t->e, "test", record, t);
}

static int setup(void **state)
{
    struct eventq *q = calloc(1, sizeof *q);
    eventq_init(q);
    cur_q = q;
    memset(&trace, 0, sizeof trace);
    *state = q;
    return 0;
}

static int teardown(void **state)
{
    eventq_free(*state);
    free(*state);
    return 0;
}

static void test_tick_order(void **state)
{
    struct eventq *q = *state;
    struct tev a, b, c;
    tev_init(&a, 1);
    tev_init(&b, 2);
    tev_init(&c, 3);
    assert_int_equal(eventq_next(q), TICK_NEVER);
    assert_false(event_scheduled(&a.e));
    eventq_schedule(q, &a.e, 300);
    eventq_schedule(q, &b.e, 100);
    eventq_schedule(q, &c.e, 200);
    assert_true(event_scheduled(&a.e));
    assert_int_equal(eventq_next(q), 100);

    eventq_run_until(q, 150);
    assert_int_equal(trace.n, 1);
    assert_int_equal(trace.ids[0], 2);
    assert_int_equal(trace.ticks[0], 100);
    assert_int_equal(q->now, 150);
    assert_false(event_scheduled(&b.e));
    assert_int_equal(eventq_next(q), 200);

    eventq_run_until(q, 300);   /* inclusive */
    assert_int_equal(trace.n, 3);
    assert_int_equal(trace.ids[1], 3);
    assert_int_equal(trace.ticks[1], 200);
    assert_int_equal(trace.ids[2], 1);
    assert_int_equal(trace.ticks[2], 300);
    assert_int_equal(q->now, 300);
    assert_int_equal(eventq_next(q), TICK_NEVER);
}

static void test_same_tick_in_scheduling_order(void **state)
{
    struct eventq *q = *state;
    struct tev ev[20];
    for (int i = 0; i < 20; i++) {
        tev_init(&ev[i], i);
        eventq_schedule(q, &ev[i].e, i % 2 ? 500 : 400);
    }
    eventq_run_until(q, 1000);
    assert_int_equal(trace.n, 20);
    int k = 0;
    for (int i = 0; i < 20; i += 2)
        assert_int_equal(trace.ids[k++], i);
    for (int i = 1; i < 20; i += 2)
        assert_int_equal(trace.ids[k++], i);
}

static void test_deschedule(void **state)
{
    struct eventq *q = *state;
    struct tev ev[5];
    for (int i = 0; i < 5; i++) {
        tev_init(&ev[i], i);
        eventq_schedule(q, &ev[i].e, 10 * (uint64_t)(i + 1));
    }
    eventq_deschedule(q, &ev[2].e);
    eventq_deschedule(q, &ev[2].e);   /* twice: harmless */
    eventq_deschedule(q, &ev[0].e);   /* the head */
    eventq_deschedule(q, &ev[4].e);   /* the last slot */
    assert_false(event_scheduled(&ev[2].e));
    assert_int_equal(eventq_next(q), 20);
    eventq_run_until(q, 100);
    assert_int_equal(trace.n, 2);
    assert_int_equal(trace.ids[0], 1);
    assert_int_equal(trace.ids[1], 3);

    struct tev never;
    tev_init(&never, 9);
    eventq_deschedule(q, &never.e);   /* never scheduled: harmless */
    assert_int_equal(eventq_next(q), TICK_NEVER);
}

static void test_reschedule(void **state)
{
    struct eventq *q = *state;
    struct tev a, b;
    tev_init(&a, 1);
    tev_init(&b, 2);
    eventq_schedule(q, &a.e, 100);
    eventq_schedule(q, &b.e, 200);
    eventq_schedule(q, &a.e, 200);   /* later: now after b, which was scheduled first at 200 */
    assert_int_equal(eventq_next(q), 200);
    eventq_run_until(q, 1000);
    assert_int_equal(trace.n, 2);
    assert_int_equal(trace.ids[0], 2);
    assert_int_equal(trace.ids[1], 1);

    /* Earlier. */
    trace.n = 0;
    eventq_schedule(q, &a.e, 5000);
    eventq_schedule(q, &b.e, 4000);
    eventq_schedule(q, &a.e, 3000);
    eventq_run_until(q, 10000);
    assert_int_equal(trace.n, 2);
    assert_int_equal(trace.ids[0], 1);
    assert_int_equal(trace.ticks[0], 3000);
    assert_int_equal(trace.ids[1], 2);
}

static void test_past_is_clamped(void **state)
{
    struct eventq *q = *state;
    eventq_run_until(q, 1000);
    assert_int_equal(q->now, 1000);
    struct tev a;
    tev_init(&a, 1);
    eventq_schedule(q, &a.e, 10);
    assert_int_equal(a.e.when, 1000);
    assert_int_equal(eventq_next(q), 1000);
    eventq_run_until(q, 1000);
    assert_int_equal(trace.n, 1);
    assert_int_equal(trace.ticks[0], 1000);
    /* run_until never moves time backwards */
    eventq_run_until(q, 500);
    assert_int_equal(q->now, 1000);
}

/* Events that schedule events: a periodic timer and a same-tick follow-up. */
static struct eventq *chain_q;
static struct tev tick_ev, follow_ev;
static int ticks_left;

static void periodic(void *arg)
{
    record(arg);
    if (--ticks_left > 0)
        eventq_schedule(chain_q, &tick_ev.e, chain_q->now + 100);
    if (ticks_left == 2)
        eventq_schedule(chain_q, &follow_ev.e, chain_q->now);   /* same tick: runs in this run_until */
}

static void test_events_schedule_events(void **state)
{
    struct eventq *q = *state;
    chain_q = q;
    tick_ev.id = 1;
    event_init(&tick_ev.e, "periodic", periodic, &tick_ev);
    tev_init(&follow_ev, 2);
    ticks_left = 4;
    eventq_schedule(q, &tick_ev.e, 100);
    eventq_run_until(q, 250);
    /* 100, 200 ran; at 200 ticks_left became 2 and the follow-up ran at 200 too */
    assert_int_equal(trace.n, 3);
    assert_int_equal(trace.ids[0], 1);
    assert_int_equal(trace.ids[1], 1);
    assert_int_equal(trace.ids[2], 2);
    assert_int_equal(trace.ticks[2], 200);
    assert_int_equal(eventq_next(q), 300);
    eventq_run_until(q, 10000);
    assert_int_equal(trace.n, 5);
    assert_int_equal(trace.ticks[4], 400);
    assert_false(event_scheduled(&tick_ev.e));
}

/* An event can cancel another one due at the same tick. */
static struct tev victim;

static void cancel_victim(void *arg)
{
    record(arg);
    eventq_deschedule(cur_q, &victim.e);
}

static void test_event_cancels_same_tick(void **state)
{
    struct eventq *q = *state;
    struct tev killer = { .id = 1 };
    event_init(&killer.e, "killer", cancel_victim, &killer);
    tev_init(&victim, 2);
    eventq_schedule(q, &killer.e, 50);
    eventq_schedule(q, &victim.e, 50);
    eventq_run_until(q, 100);
    assert_int_equal(trace.n, 1);
    assert_int_equal(trace.ids[0], 1);
}

static int preempts;
static void *preempt_arg;

static void on_preempt(void *opaque)
{
    preempts++;
    preempt_arg = opaque;
}

static uint64_t fake_now(void *opaque)
{
    return *(uint64_t *)opaque;
}

static void test_preempt_and_current(void **state)
{
    struct eventq *q = *state;
    uint64_t exact = 0;
    q->preempt = on_preempt;
    q->current = fake_now;
    q->current_opaque = &exact;
    preempts = 0;

    /* No CPU running (horizon 0): no preemption. */
    struct tev a, b, c;
    tev_init(&a, 1);
    tev_init(&b, 2);
    tev_init(&c, 3);
    eventq_schedule(q, &a.e, 10);
    assert_int_equal(preempts, 0);

    /* A CPU runs a quantum up to 1000: only events before that preempt it. */
    q->horizon = 1000;
    exact = 400;
    assert_int_equal(eventq_now(q), 400);   /* devices see the exact time, not q->now */
    eventq_schedule(q, &b.e, 1000);
    assert_int_equal(preempts, 0);
    eventq_schedule(q, &c.e, 999);
    assert_int_equal(preempts, 1);
    assert_ptr_equal(preempt_arg, &exact);
    eventq_schedule(q, &c.e, 5000);   /* moved beyond the horizon: no new preemption */
    assert_int_equal(preempts, 1);
    eventq_deschedule(q, &a.e);
    eventq_schedule(q, &a.e, 500);
    assert_int_equal(preempts, 2);

    q->current = NULL;
    assert_int_equal(eventq_now(q), q->now);
}

/* Randomized: many schedules, reschedules and deschedules against a reference. */
struct ref {
    bool on;
    uint64_t when, seq;
};

static void test_random_against_reference(void **state)
{
    struct eventq *q = *state;
    enum { N = 300 };
    static struct tev ev[N];
    static struct ref ref[N];
    uint64_t seq = 0;
    srand(12345);
    for (int i = 0; i < N; i++) {
        tev_init(&ev[i], i);
        ref[i].on = false;
    }
    uint64_t now = 0;
    for (int round = 0; round < 50; round++) {
        for (int k = 0; k < 200; k++) {
            int i = rand() % N;
            if (rand() % 4 == 0) {
                eventq_deschedule(q, &ev[i].e);
                ref[i].on = false;
            } else {
                uint64_t when = now + (uint64_t)(rand() % 50);   /* many ties */
                eventq_schedule(q, &ev[i].e, when);
                ref[i] = (struct ref){ true, when, seq++ };
            }
        }
        uint64_t until = now + (uint64_t)(rand() % 60);
        trace.n = 0;
        eventq_run_until(q, until);
        /* expected: every ref with when <= until, ordered by (when, seq) */
        int expect[N], ne = 0;
        for (int i = 0; i < N; i++)
            if (ref[i].on && ref[i].when <= until)
                expect[ne++] = i;
        for (int a = 1; a < ne; a++)
            for (int b = a; b > 0; b--) {
                struct ref *x = &ref[expect[b - 1]], *y = &ref[expect[b]];
                if (x->when > y->when || (x->when == y->when && x->seq > y->seq)) {
                    int tmp = expect[b - 1];
                    expect[b - 1] = expect[b];
                    expect[b] = tmp;
                }
            }
        assert_int_equal(trace.n, ne);
        for (int j = 0; j < ne; j++) {
            assert_int_equal(trace.ids[j], expect[j]);
            assert_int_equal(trace.ticks[j], ref[expect[j]].when);
            ref[expect[j]].on = false;
        }
        for (int i = 0; i < N; i++)
            assert_int_equal(event_scheduled(&ev[i].e), ref[i].on);
        now = until;
        assert_int_equal(q->now, now);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tick_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_tick_in_scheduling_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deschedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reschedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_past_is_clamped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_schedule_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_cancels_same_tick, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preempt_and_current, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_against_reference, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
