/* test_pit8254.c - PIT channels programmed through ports, IRQ0 edges at exact ticks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/pit8254.h"
#include "mem/bus.h"

#define MAX_EDGES 2048

struct fixture {
    struct bus bus;
    struct eventq eq;
    struct pit8254 pit;
    bool level;
    int edges;
    uint64_t edge_tick[MAX_EDGES];
};

static struct fixture F;

static void outb(uint16_t port, uint8_t v) { bus_pio_out(&F.bus, port, 1, v); }
static uint8_t inb(uint16_t port) { return (uint8_t)bus_pio_in(&F.bus, port, 1); }

/* The interrupt controller side of IRQ0: record rising edges. */
static void irq0_set(void *ctl, unsigned line, bool level)
{
    (void)ctl;
    assert_int_equal(line, 0);
    if (level && !F.level) {
        assert_true(F.edges < MAX_EDGES);
        F.edge_tick[F.edges++] = F.eq.now;
    }
    F.level = level;
}

/* Independent statement of the expected edge time: k*n PIT clocks after `start`, rounded up. */
static uint64_t tick_of(uint64_t start, uint64_t clocks)
{
    unsigned __int128 t = (unsigned __int128)clocks * TICKS_PER_SECOND;
    return start + (uint64_t)((t + PIT_HZ - 1) / PIT_HZ);
}

static int setup(void **state)
{
    (void)state;
    F = (struct fixture){ 0 };
    bus_init(&F.bus);
    eventq_init(&F.eq);
    pit_init(&F.pit, &F.eq, (struct irq_line){ .set = irq0_set, .line = 0 });
    pit_attach(&F.pit, &F.bus);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eventq_free(&F.eq);
    return 0;
}

static void test_silent_after_reset(void **state)
{
    (void)state;
    eventq_run_until(&F.eq, TICKS_PER_SECOND);
    assert_int_equal(F.edges, 0);
    assert_int_equal(eventq_next(&F.eq), TICK_NEVER);
}

/* clockevents_i8253 periodic: 0x34, LATCH lsb, msb (HZ=100). */
static void test_mode2_periodic_exact_edges(void **state)
{
    (void)state;
    const uint32_t latch = (PIT_HZ + 50) / 100;     /* 11932 */
    eventq_run_until(&F.eq, 12345);                 /* start at an odd tick */
    uint64_t start = F.eq.now;
    outb(0x43, 0x34);
    outb(0x40, latch & 0xff);
    outb(0x40, latch >> 8);
    assert_int_equal(F.edges, 0);                   /* programming does not raise an edge */
    uint64_t t100 = tick_of(start, 100ull * latch);
    eventq_run_until(&F.eq, t100 - 1);
    assert_int_equal(F.edges, 99);
    eventq_run_until(&F.eq, t100);
    assert_int_equal(F.edges, 100);
    for (int k = 1; k <= 100; k++)
        assert_int_equal(F.edge_tick[k - 1], tick_of(start, (uint64_t)k * latch));
    /* Long run: still exact after 10 simulated seconds (no drift). */
    uint64_t t1000 = tick_of(start, 1000ull * latch);
    eventq_run_until(&F.eq, t1000);
    assert_int_equal(F.edges, 1000);
    assert_int_equal(F.edge_tick[999], t1000);
}

static void test_mode2_counter_and_latch(void **state)
{
    (void)state;
    outb(0x43, 0x34);
    outb(0x40, 0x00);
    outb(0x40, 0x10);                               /* 4096 */
    eventq_run_until(&F.eq, tick_of(0, 1000));      /* exactly 1000 clocks later */
    outb(0x43, 0x00);                               /* counter latch, channel 0 */
    eventq_run_until(&F.eq, tick_of(0, 2000));      /* the latch holds its value */
    uint16_t v = inb(0x40);
    v |= (uint16_t)inb(0x40) << 8;
    assert_int_equal(v, 4096 - 1000);
    /* Unlatched reads follow time, lsb then msb. */
    v = inb(0x40);
    v |= (uint16_t)inb(0x40) << 8;
    assert_int_equal(v, 4096 - 2000);
    eventq_run_until(&F.eq, tick_of(0, 4096 + 10));
    assert_int_equal(pit_read_counter(&F.pit, 0), 4096 - 10);   /* reloaded */
    assert_int_equal(F.edges, 1);
}

static void test_readback_status(void **state)
{
    (void)state;
    outb(0x43, 0xb0);                               /* ch2, lsb+msb, mode 0 */
    outb(0x43, 0xe8);                               /* read-back status of ch2 */
    assert_int_equal(inb(0x42), 0x40 | 0x30 | 0x00);   /* null count, lsb+msb, mode 0, OUT low */
    outb(0x42, 100);
    outb(0x42, 0);
    outb(0x43, 0xc8);                               /* read-back count and status of ch2 */
    assert_int_equal(inb(0x42), 0x30);              /* status first: count loaded */
    assert_int_equal(inb(0x42), 100);
    assert_int_equal(inb(0x42), 0);
    eventq_run_until(&F.eq, tick_of(0, 100));
    outb(0x43, 0xe8);
    assert_int_equal(inb(0x42), 0x80 | 0x30);       /* OUT high at terminal count */
}

/* arch/x86/kernel/tsc.c pit_calibrate_tsc(): gate on, mode 0 on ch2, poll port 0x61 bit 5. */
static void test_ch2_gate_and_port61(void **state)
{
    (void)state;
    const uint32_t latch = PIT_HZ / (1000 / 50);    /* 50 ms */
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    assert_int_equal(inb(0x61) & 0x03, 0x01);
    outb(0x43, 0xb0);
    outb(0x42, latch & 0xff);
    outb(0x42, latch >> 8);
    uint64_t start = F.eq.now, end = tick_of(start, latch);
    eventq_run_until(&F.eq, end - 1);
    assert_int_equal(inb(0x61) & 0x20, 0);
    eventq_run_until(&F.eq, end);
    assert_int_equal(inb(0x61) & 0x20, 0x20);
    assert_int_equal(F.edges, 0);                   /* channel 2 has no IRQ */
}

/* tsc.c quick_pit_calibrate(): mode 0 from 0xffff, msb reads decrease with time. */
static void test_quick_calibrate_reads(void **state)
{
    (void)state;
    outb(0x61, 0x01);
    outb(0x43, 0xb0);
    outb(0x42, 0xff);
    outb(0x42, 0xff);
    inb(0x42);
    assert_int_equal(inb(0x42), 0xff);
    eventq_run_until(&F.eq, tick_of(0, 256 * 3 + 5));
    inb(0x42);
    assert_int_equal(inb(0x42), 0xfc);
}

/* Mode 0 one-shot: IRQ0 goes high once at terminal count and stays high. */
static void test_mode0_oneshot(void **state)
{
    (void)state;
    outb(0x43, 0x30);
    outb(0x40, 1000 & 0xff);
    outb(0x40, 1000 >> 8);
    eventq_run_until(&F.eq, TICKS_PER_SECOND);
    assert_int_equal(F.edges, 1);
    assert_int_equal(F.edge_tick[0], tick_of(0, 1000));
    assert_true(F.level);
    outb(0x43, 0x30);                               /* a control word drops OUT */
    assert_false(F.level);
}

/* clockevent_i8253_disable(): 0x30, 0, 0, 0x30 stops channel 0 for good. */
static void test_linux_shutdown_is_silent(void **state)
{
    (void)state;
    outb(0x43, 0x34);
    outb(0x40, 0x9c);
    outb(0x40, 0x2e);
    outb(0x43, 0x30);
    outb(0x40, 0);
    outb(0x40, 0);
    outb(0x43, 0x30);
    eventq_run_until(&F.eq, 10 * TICKS_PER_SECOND);
    assert_int_equal(F.edges, 0);
}

/* clockevents_i8253 one-shot: 0x38 (mode 4), then each next_event writes lsb, msb. */
static void test_mode4_oneshot_events(void **state)
{
    (void)state;
    outb(0x43, 0x38);
    outb(0x40, 500 & 0xff);
    outb(0x40, 500 >> 8);
    eventq_run_until(&F.eq, tick_of(0, 500));
    assert_int_equal(F.edges, 1);
    assert_int_equal(F.edge_tick[0], tick_of(0, 500));
    uint64_t t = F.eq.now + 777;
    eventq_run_until(&F.eq, t);
    outb(0x40, 300 & 0xff);
    outb(0x40, 300 >> 8);
    eventq_run_until(&F.eq, TICKS_PER_SECOND);
    assert_int_equal(F.edges, 2);
    assert_int_equal(F.edge_tick[1], tick_of(t, 300));
}

/* Mode 2: a new count written without a control word takes effect at the next reload. */
static void test_mode2_count_change_at_reload(void **state)
{
    (void)state;
    outb(0x43, 0x34);
    outb(0x40, 1000 & 0xff);
    outb(0x40, 1000 >> 8);
    eventq_run_until(&F.eq, tick_of(0, 1500));
    assert_int_equal(F.edges, 1);
    outb(0x40, 200 & 0xff);
    outb(0x40, 200 >> 8);
    eventq_run_until(&F.eq, tick_of(0, 2000) - 1);
    assert_int_equal(F.edges, 1);                   /* current period still 1000 */
    eventq_run_until(&F.eq, TICKS_PER_SECOND / 100);
    assert_true(F.edges >= 4);
    /* Periods are counted in PIT clocks from the original load: 1000, 1000, 200, 200... */
    assert_int_equal(F.edge_tick[1], tick_of(0, 2000));
    assert_int_equal(F.edge_tick[2], tick_of(0, 2200));
    assert_int_equal(F.edge_tick[3], tick_of(0, 2400));
}

/* Mode 3 square wave on ch2 (speaker): OUT high for the first half of each period. */
static void test_mode3_square_wave(void **state)
{
    (void)state;
    outb(0x61, 0x01);
    outb(0x43, 0xb6);                               /* ch2, lsb+msb, mode 3 */
    outb(0x42, 100);
    outb(0x42, 0);
    eventq_run_until(&F.eq, tick_of(0, 10));
    assert_true(pit_output(&F.pit, 2));
    eventq_run_until(&F.eq, tick_of(0, 60));
    assert_false(pit_output(&F.pit, 2));
    eventq_run_until(&F.eq, tick_of(0, 110));
    assert_true(pit_output(&F.pit, 2));
    /* Channel 0 in mode 3: one IRQ0 edge per period. */
    outb(0x43, 0x36);
    outb(0x40, 100);
    outb(0x40, 0);
    uint64_t start = F.eq.now;
    eventq_run_until(&F.eq, tick_of(start, 1000));
    assert_int_equal(F.edges, 10);
}

/* Mid-quantum reads: the counter follows eventq_now() (the running CPU's time), not q->now. */
static uint64_t fake_cpu_time;
static uint64_t current_time(void *opaque)
{
    (void)opaque;
    return fake_cpu_time;
}

static void test_reads_use_current_time(void **state)
{
    (void)state;
    outb(0x43, 0x34);
    outb(0x40, 0x00);
    outb(0x40, 0x10);
    F.eq.current = current_time;
    fake_cpu_time = tick_of(0, 100);
    assert_int_equal(pit_read_counter(&F.pit, 0), 4096 - 100);
    outb(0x43, 0x34);                               /* reprogrammed mid-quantum: counts from there */
    outb(0x40, 50);
    outb(0x40, 0);
    F.eq.current = NULL;
    eventq_run_until(&F.eq, TICKS_PER_SECOND / 1000);
    assert_int_equal(F.edge_tick[0], tick_of(tick_of(0, 100), 50));
}

static void test_post_load_reschedules(void **state)
{
    (void)state;
    outb(0x43, 0x34);
    outb(0x40, 100);
    outb(0x40, 0);
    eventq_run_until(&F.eq, tick_of(0, 150));
    struct pit8254_state saved = F.pit.s;
    uint64_t saved_now = F.eq.now;
    int edges = F.edges;
    /* A fresh machine restored from `saved` produces the same next edge. */
    eventq_free(&F.eq);
    eventq_init(&F.eq);
    eventq_run_until(&F.eq, saved_now);
    pit_init(&F.pit, &F.eq, (struct irq_line){ .set = irq0_set, .line = 0 });
    F.pit.s = saved;
    pit_post_load(&F.pit);
    eventq_run_until(&F.eq, tick_of(0, 200));
    assert_int_equal(F.edges, edges + 1);
    assert_int_equal(F.edge_tick[F.edges - 1], tick_of(0, 200));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_silent_after_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode2_periodic_exact_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode2_counter_and_latch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readback_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ch2_gate_and_port61, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quick_calibrate_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode0_oneshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linux_shutdown_is_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode4_oneshot_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode2_count_change_at_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode3_square_wave, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads_use_current_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_load_reschedules, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
