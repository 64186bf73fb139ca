/*
 * test_schedule.c - the order of CPU turns (host/machine/schedule.c), with
 * fake CPUs whose turns do what each test says: run to the round's end,
 * stop early, halt, overshoot. Checks the order, the end each turn was
 * given, the cut of a round by an early stop, CPUs ahead sitting a round
 * out, idle CPUs costing no turn, idle-cycle accounting and the result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine/schedule.h"
#include "sim/eventq.h"

#define NCPU 4
#define PERIOD 10

enum behaviour { RUN, STOP_AT, HALT_AT, OVERSHOOT };

struct fake {
    enum behaviour b[NCPU];
    uint64_t arg[NCPU];          /* STOP_AT/HALT_AT: the tick; OVERSHOOT: ticks past the end */
    bool idle[NCPU];
    unsigned order[64], nturns;  /* the CPUs that had turns, in order */
    uint64_t ends[64];           /* the end each was given */
    unsigned prepared;           /* CPUs prepare() saw, one bit each */
    bool done_after_first;
};

static struct fake X;
static struct machine_cpu_run R[NCPU];
static struct sched S;

static enum cpu_exit turn(void *opaque, unsigned i, uint64_t end)
{
    (void)opaque;
    X.order[X.nturns] = i;
    X.ends[X.nturns++] = end;
    switch (X.b[i]) {
    case STOP_AT:
        R[i].tick = X.arg[i];
        return CPU_EXIT_BUDGET;
    case HALT_AT:
        R[i].tick = X.arg[i];
        return CPU_EXIT_HALT;
    case OVERSHOOT:
        R[i].tick = end + X.arg[i];
        return CPU_EXIT_BUDGET;
    default:
        R[i].tick = end;
        return CPU_EXIT_BUDGET;
    }
}

static bool idle(void *opaque, unsigned i) { (void)opaque; return X.idle[i]; }
static void prepare(void *opaque, unsigned i) { (void)opaque; X.prepared |= 1u << i; }
static bool done(void *opaque) { (void)opaque; return X.done_after_first && X.nturns > 0; }

static int setup(void **state)
{
    (void)state;
    X = (struct fake){ 0 };
    S = (struct sched){ .n = NCPU, .period = PERIOD, .skip_idle = true, .prepare = prepare, .idle = idle,
                        .turn = turn, .done = done };
    for (unsigned i = 0; i < NCPU; i++) {
        R[i] = (struct machine_cpu_run){ .tick = 1000 };
        S.cpu[i] = &R[i];
    }
    return 0;
}

static void test_turns_in_index_order_to_the_round_end(void **state)
{
    (void)state;
    struct sched_round r = sched_run_round(&S, 1000, 2000);
    assert_int_equal(X.nturns, NCPU);
    for (unsigned i = 0; i < NCPU; i++) {
        assert_int_equal(X.order[i], i);
        assert_int_equal(X.ends[i], 2000);
        assert_int_equal(R[i].tick, 2000);
    }
    assert_int_equal(X.prepared, 0xf);
    assert_int_equal(r.reached, 2000);
    assert_int_equal(r.end, 2000);
}

static void test_an_early_stop_cuts_the_round_for_later_cpus(void **state)
{
    (void)state;
    X.b[1] = STOP_AT;
    X.arg[1] = 1300;
    struct sched_round r = sched_run_round(&S, 1000, 2000);
    assert_int_equal(X.ends[0], 2000);
    assert_int_equal(X.ends[1], 2000);
    assert_int_equal(X.ends[2], 1300);
    assert_int_equal(X.ends[3], 1300);
    assert_int_equal(r.end, 1300);
    assert_int_equal(r.reached, 1300);   /* events run to where every busy CPU got */
    /* The next round: CPU 0 is ahead up to 2000 and sits out rounds that end before. */
    X = (struct fake){ 0 };
    r = sched_run_round(&S, 1300, 1800);
    assert_int_equal(X.nturns, 3);
    assert_int_equal(X.order[0], 1);
    assert_int_equal(r.reached, 1800);
    assert_int_equal(R[0].tick, 2000);
}

static void test_an_overshoot_sits_the_next_round_out(void **state)
{
    (void)state;
    X.b[2] = OVERSHOOT;
    X.arg[2] = 500;   /* a timing stall past the end */
    struct sched_round r = sched_run_round(&S, 1000, 2000);
    assert_int_equal(R[2].tick, 2500);
    assert_int_equal(X.ends[3], 2000);   /* an overshoot does not cut */
    assert_int_equal(r.reached, 2000);
    X = (struct fake){ 0 };
    r = sched_run_round(&S, 2000, 2400);
    assert_int_equal(X.nturns, 3);
    for (unsigned k = 0; k < X.nturns; k++)
        assert_int_not_equal(X.order[k], 2);
    assert_int_equal(r.reached, 2400);
}

static void test_idle_cpus_take_no_turn_and_count_idle_cycles(void **state)
{
    (void)state;
    X.idle[1] = X.idle[3] = true;
    struct sched_round r = sched_run_round(&S, 1000, 2000);
    assert_int_equal(X.nturns, 2);
    assert_int_equal(X.order[0], 0);
    assert_int_equal(X.order[1], 2);
    assert_true(R[1].idle);
    assert_false(R[0].idle);
    assert_int_equal(r.reached, 2000);
    /* Next round: CPU 1 woke (an interrupt arrived); it catches up from 1000, counting the idle time. */
    X.idle[1] = false;
    X.nturns = 0;
    sched_run_round(&S, 2000, 3000);
    assert_int_equal(R[1].idle_cycles, (2000 - 1000) / PERIOD);
    assert_false(R[1].idle);
    assert_int_equal(R[1].tick, 3000);
    assert_int_equal(R[0].idle_cycles, 0);
}

static void test_a_halt_leaves_the_cpu_idle_without_cutting(void **state)
{
    (void)state;
    X.b[0] = HALT_AT;
    X.arg[0] = 1200;
    struct sched_round r = sched_run_round(&S, 1000, 2000);
    assert_int_equal(X.ends[1], 2000);
    assert_true(R[0].idle);
    assert_int_equal(r.reached, 2000);
    sched_catch_up(&S, 0, 2000);
    assert_int_equal(R[0].idle_cycles, (2000 - 1200) / PERIOD);
}

static void test_all_idle(void **state)
{
    (void)state;
    for (unsigned i = 0; i < NCPU; i++) {
        X.b[i] = HALT_AT;
        X.arg[i] = 1000 + 100 * i;
    }
    struct sched_round r = sched_run_round(&S, 1000, 2000);
    assert_int_equal(r.reached, TICK_NEVER);
    assert_int_equal(r.idle_reached, 1300);
    /* Now they cannot wake: no turns at all. */
    for (unsigned i = 0; i < NCPU; i++)
        X.idle[i] = true;
    X.nturns = 0;
    r = sched_run_round(&S, 5000, 6000);
    assert_int_equal(X.nturns, 0);
    assert_int_equal(r.reached, TICK_NEVER);
    assert_int_equal(r.idle_reached, 5000);
    assert_int_equal(R[3].idle_cycles, (5000 - 1300) / PERIOD);
}

static void test_one_cpu_runs_even_when_halted(void **state)
{
    (void)state;
    S.n = 1;
    S.skip_idle = false;   /* one CPU finds out by running (its model may be KVM) */
    X.idle[0] = true;
    X.b[0] = HALT_AT;
    X.arg[0] = 1000;
    struct sched_round r = sched_run_round(&S, 1000, 2000);
    assert_int_equal(X.nturns, 1);
    assert_int_equal(r.reached, TICK_NEVER);
}

static void test_a_stop_ends_the_round(void **state)
{
    (void)state;
    X.done_after_first = true;
    sched_run_round(&S, 1000, 2000);
    assert_int_equal(X.nturns, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_turns_in_index_order_to_the_round_end, setup),
        cmocka_unit_test_setup(test_an_early_stop_cuts_the_round_for_later_cpus, setup),
        cmocka_unit_test_setup(test_an_overshoot_sits_the_next_round_out, setup),
        cmocka_unit_test_setup(test_idle_cpus_take_no_turn_and_count_idle_cycles, setup),
        cmocka_unit_test_setup(test_a_halt_leaves_the_cpu_idle_without_cutting, setup),
        cmocka_unit_test_setup(test_all_idle, setup),
        cmocka_unit_test_setup(test_one_cpu_runs_even_when_halted, setup),
        cmocka_unit_test_setup(test_a_stop_ends_the_round, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
