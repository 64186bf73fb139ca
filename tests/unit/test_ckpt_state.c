/*
 * test_ckpt_state.c - every component's checkpoint section (ckpt/section.h):
 * each device, the CPU and the m5 device survive save -> load unchanged;
 * out-of-range, malformed and missing fields are refused with one message
 * naming the section and field; and the version 1 index kept in
 * tests/fixtures/ckpt-v1 (written by m5sim before format version 2) still
 * opens and loads into the state it held.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ckpt/ckpt.h"
#include "ckpt/cpu_state.h"
#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "dev/m5dev_ckpt.h"
#include "dev/pc_misc.h"
#include "dev/pic8259.h"
#include "dev/pit8254.h"
#include "dev/rtc_cmos.h"
#include "dev/uart8250.h"
#include "dev/virtio_blk.h"
#include "mem/bus.h"
#include "sim/eventq.h"

#include "ckpt_roundtrip.h"

static struct ckpt_reader *reopen(struct ckpt_writer *w, const char *edit)
{
    return reopen_as(w, edit, CKPT_FORMAT_VERSION);
}

static struct eventq eq;
static struct irq_line no_irq;

/* ------------------------------------------------------ round trips -- */

static void test_pic_round_trip(void **st)
{
    (void)st;
    struct pic8259 a, b;
    pic_init(&a);
    pic_init(&b);
    a.s.chip[0].imr = 0xca;
    a.s.chip[1].irr = 0x21;
    a.s.chip[1].priority_add = 5;
    a.s.chip[0].init_state = 2;
    struct ckpt_writer w;
    begin(&w);
    pic_save(&a, &w, "pic");
    assert_true(pic_load(&b, reopen(&w, NULL), "pic"));
    assert_memory_equal(&a.s, &b.s, sizeof a.s);
    done();
}

static void test_pit_round_trip(void **st)
{
    (void)st;
    struct pit8254 a, b;
    eventq_init(&eq);
    pit_init(&a, &eq, no_irq);
    pit_init(&b, &eq, no_irq);
    a.s.ch[0].count = 11932;
    a.s.ch[0].mode = 2;
    a.s.ch[0].counting = 1;
    a.s.ch[1].load_tick = 123456789;
    a.s.ch[2].latched_count = 0xbeef;
    a.s.port61 = 0x3;
    a.s.irq0_next = 5000000;
    struct ckpt_writer w;
    begin(&w);
    pit_save(&a, &w, "pit");
    assert_true(pit_load(&b, reopen(&w, NULL), "pit"));
    assert_memory_equal(&a.s, &b.s, sizeof a.s);
    assert_true(event_scheduled(&b.irq0_event));           /* re-armed from the restored state */
    assert_int_equal(b.irq0_event.when, 5000000);
    done();
    eventq_free(&eq);
}

static void test_lapic_round_trip(void **st)
{
    (void)st;
    struct lapic a, b;
    eventq_init(&eq);
    lapic_init(&a, &eq, 0, LAPIC_DEFAULT_TIMER_HZ);
    lapic_init(&b, &eq, 0, LAPIC_DEFAULT_TIMER_HZ);
    a.s.tpr = 0x10;
    a.s.irr[7] = 0x80000001u;
    a.s.lvt[LVT_TIMER] = 0x200ef;
    a.s.tmict = 1000;
    a.s.timer_running = 1;
    a.s.timer_next = 77777;
    a.s.timer_fired = 99;
    struct ckpt_writer w;
    begin(&w);
    lapic_save(&a, &w, "lapic");
    assert_true(lapic_load(&b, reopen(&w, NULL), "lapic"));
    assert_memory_equal(&a.s, &b.s, sizeof a.s);
    assert_true(event_scheduled(&b.timer_event));
    done();
    eventq_free(&eq);
}

static void test_ioapic_round_trip(void **st)
{
    (void)st;
    struct ioapic a, b;
    ioapic_init(&a, NULL);
    ioapic_init(&b, NULL);
    a.s.id = 2;
    a.s.regsel = 0x13;
    a.s.redir[23] = 0xff00000000010031ull;
    struct ckpt_writer w;
    begin(&w);
    ioapic_save(&a, &w, "ioapic");
    assert_true(ioapic_load(&b, reopen(&w, NULL), "ioapic"));
    assert_memory_equal(&a.s, &b.s, sizeof a.s);
    done();
}

static void test_rtc_round_trip(void **st)
{
    (void)st;
    struct rtc_cmos a, b;
    eventq_init(&eq);
    rtc_init(&a, &eq, RTC_DEFAULT_START);
    rtc_init(&b, &eq, 0);
    a.s.index = 0x7f;
    a.s.ram[0x40] = 0x5a;
    a.s.offset = -3600;
    a.s.frozen = (struct rtc_date){ 2025, 3, 14, 15, 9, 26, 5 };
    struct ckpt_writer w;
    begin(&w);
    rtc_save(&a, &w, "rtc");
    assert_true(rtc_load(&b, reopen(&w, NULL), "rtc"));
    assert_memory_equal(&a.s, &b.s, sizeof a.s);
    done();
    eventq_free(&eq);
}

static void test_uart_round_trip(void **st)
{
    (void)st;
    struct uart8250 a, b;
    uart_init(&a, no_irq, NULL, NULL);
    uart_init(&b, no_irq, NULL, NULL);
    a.s.lcr = 0x03;
    a.s.rx_head = UART_RX_QUEUE - 2;
    a.s.rx_count = 5;
    for (unsigned i = 0; i < UART_RX_QUEUE; i++)
        a.s.rx[i] = (uint8_t)(i * 7);
    a.s.tx_bytes = 123456;
    struct ckpt_writer w;
    begin(&w);
    uart_save(&a, &w, "com1");
    assert_true(uart_load(&b, reopen(&w, NULL), "com1"));
    assert_memory_equal(&a.s, &b.s, sizeof a.s);
    done();
}

static void test_pc_misc_round_trip(void **st)
{
    (void)st;
    struct pc_misc a, b;
    pc_misc_init(&a, NULL, NULL);
    pc_misc_init(&b, NULL, NULL);
    a.s.post_code = 0x55;
    a.s.port92 = 2;
    a.s.resets = 3;
    struct ckpt_writer w;
    begin(&w);
    pc_misc_save(&a, &w, "misc");
    assert_true(pc_misc_load(&b, reopen(&w, NULL), "misc"));
    assert_memory_equal(&a.s, &b.s, sizeof a.s);
    done();
}

static void test_virtio_blk_round_trip(void **st)
{
    (void)st;
    struct virtio_blk a, b;
    virtio_blk_init(&a, NULL, NULL, &eq, no_irq, "");
    virtio_blk_init(&b, NULL, NULL, &eq, no_irq, "");
    a.status = 0xf;
    a.driver_features = 1ull << 32 | 1u << 9;
    a.q.num = 256;
    a.q.ready = 1;
    a.q.desc = 0x1000;
    a.q.avail = 0x2000;
    a.q.used = 0x3000;
    a.q.last_avail = 0xfff0;
    a.q.used_idx = 0xfff0;
    a.reads = 49;
    a.bytes_written = 1 << 20;
    a.continue_at = 5000;   /* a pass pending after the checkpoint's tick (1000) */
    b.base = 0xd0000000;   /* wiring survives a load */
    struct ckpt_writer w;
    begin(&w);
    virtio_blk_save(&a, &w, "virtio_blk0");
    assert_true(virtio_blk_load(&b, reopen(&w, NULL), "virtio_blk0"));
    assert_int_equal(b.base, 0xd0000000);
    b.base = 0;
    /* The pending pass is scheduled again, at its tick. */
    assert_true(event_scheduled(&b.continue_event));
    assert_int_equal(eventq_next(&eq), 5000);
    eventq_deschedule(&eq, &b.continue_event);
    b.continue_event = a.continue_event;   /* its place in the queue is not state */
    assert_memory_equal(&a, &b, sizeof a);
    done();

    /* A pass before the checkpoint's own tick cannot be pending. */
    a.continue_at = 999;
    begin(&w);
    virtio_blk_save(&a, &w, "virtio_blk0");
    assert_false(virtio_blk_load(&b, reopen(&w, NULL), "virtio_blk0"));
    refused("[virtio_blk0] continue_at = 999 is before the checkpoint's tick 1000");
}

static struct m5dev m5a, m5b;

static void test_m5dev_round_trip(void **st)
{
    (void)st;
    eventq_init(&eq);
    struct m5dev_hooks hooks = { 0 };
    m5dev_init(&m5a, &eq, "/tmp", NULL, 0, &hooks);
    m5dev_init(&m5b, &eq, "/tmp", NULL, 0, &hooks);
    m5a.scripts_started = 2;
    m5a.work_begin = 7;
    /* A pending delayed `m5 fail 3`, periodic statistics and periodic checkpoints. */
    m5a.pending_status = 3;
    snprintf(m5a.pending_why, sizeof m5a.pending_why, "m5 fail 3");
    eventq_schedule(&eq, &m5a.exit_event, 5000000);
    m5a.stats_dump = true;
    m5a.stats_period = 1000000;
    eventq_schedule(&eq, &m5a.stats_event, 2000000);
    m5a.ckpt_period = 9000000;
    eventq_schedule(&eq, &m5a.ckpt_event, 9000000);
    struct ckpt_writer w;
    begin(&w);
    m5dev_save(&m5a, &w, "m5dev");
    eventq_deschedule(&eq, &m5a.exit_event);
    eventq_deschedule(&eq, &m5a.stats_event);
    eventq_deschedule(&eq, &m5a.ckpt_event);
    assert_true(m5dev_load(&m5b, reopen(&w, NULL), "m5dev"));
    assert_int_equal(m5b.scripts_started, 2);
    assert_int_equal(m5b.work_begin, 7);
    assert_int_equal(m5b.pending_status, 3);
    assert_string_equal(m5b.pending_why, "m5 fail 3");
    assert_true(event_scheduled(&m5b.exit_event));
    assert_int_equal(m5b.exit_event.when, 5000000);
    assert_true(event_scheduled(&m5b.stats_event));
    assert_int_equal(m5b.stats_event.when, 2000000);
    assert_true(m5b.stats_dump && !m5b.stats_reset);
    assert_int_equal(m5b.stats_period, 1000000);
    assert_true(event_scheduled(&m5b.ckpt_event));
    assert_int_equal(m5b.ckpt_period, 9000000);
    done();
    m5dev_free(&m5a);
    m5dev_free(&m5b);
    eventq_free(&eq);
}

/* --------------------------------------------------------- refusals -- */

/* Save a fresh PIT, apply `edit` to the index, load: the reader's verdict. */
static void pit_edited(const char *edit)
{
    struct pit8254 p;
    eventq_init(&eq);
    pit_init(&p, &eq, no_irq);
    struct ckpt_writer w;
    begin(&w);
    pit_save(&p, &w, "pit");
    assert_false(pit_load(&p, reopen(&w, edit), "pit"));
    eventq_free(&eq);
}

static void test_pit_count_zero_refused(void **st)
{
    (void)st;
    pit_edited("s/^ch0.count=.*/ch0.count=0/");     /* a divisor of zero */
    refused("[pit] ch0.count = 0 is out of range 1..65536");
}

static void test_malformed_and_missing_refused(void **st)
{
    (void)st;
    pit_edited("s/^ch1.mode=.*/ch1.mode=two/");
    refused("[pit] ch1.mode = 'two' is not a number");
    pit_edited("s/^ch1.mode=.*/ch1.mode=-1/");
    refused("[pit] ch1.mode = '-1' is not a number");
    pit_edited("/^ch2.gate=/d");
    refused("[pit] ch2.gate is missing");
    pit_edited("s/^ch0.stopped_count=.*/ch0.stopped_count=0x10000/");   /* does not fit 16 bits */
    refused("[pit] ch0.stopped_count = 0x10000 is out of range 0..65535");
    pit_edited("s/^irq0_next=.*/irq0_next=0xfffffffffffffff0/");       /* a deadline near 2^64 */
    refused("[pit] irq0_next = 18446744073709551600 is neither never nor a reachable tick");
    pit_edited("s/^\\[pit\\]/[other]/");
    refused("[pit] is missing");
}

static void test_uart_rx_head_refused(void **st)
{
    (void)st;
    struct uart8250 u;
    uart_init(&u, no_irq, NULL, NULL);
    struct ckpt_writer w;
    begin(&w);
    uart_save(&u, &w, "com1");
    assert_false(uart_load(&u, reopen(&w, "s/^rx_head=.*/rx_head=0xffff/"), "com1"));
    refused("[com1] rx_head = 65535 is out of range 0..4095");
    begin(&w);
    uart_save(&u, &w, "com1");
    assert_false(uart_load(&u, reopen(&w, "s/^rx=\\(..\\)/rx=/"), "com1"));   /* a short blob */
    refused("[com1] rx is not 4096 bytes of hex");
}

static void test_rtc_index_refused(void **st)
{
    (void)st;
    struct rtc_cmos r;
    eventq_init(&eq);
    rtc_init(&r, &eq, RTC_DEFAULT_START);
    struct ckpt_writer w;
    begin(&w);
    rtc_save(&r, &w, "rtc");
    assert_false(rtc_load(&r, reopen(&w, "s/^index=.*/index=0xff/"), "rtc"));
    refused("[rtc] index = 255 is out of range 0..127");
    eventq_free(&eq);
}

static void test_lapic_divisor_refused(void **st)
{
    (void)st;
    struct lapic a;
    eventq_init(&eq);
    lapic_init(&a, &eq, 0, LAPIC_DEFAULT_TIMER_HZ);
    struct ckpt_writer w;
    begin(&w);
    lapic_save(&a, &w, "lapic");
    assert_false(lapic_load(&a, reopen(&w, "s/^timer_hz=.*/timer_hz=0/"), "lapic"));
    refused("[lapic] timer_hz = 0 is out of range 1000..1000000000000");
    begin(&w);
    lapic_save(&a, &w, "lapic");
    assert_false(lapic_load(&a, reopen(&w, "s/^timer_running=.*/timer_running=1/"), "lapic"));
    refused("[lapic] timer_running = 1 with tmict = 0 (the period would be zero)");
    eventq_free(&eq);
}

static void test_virtio_ring_refused(void **st)
{
    (void)st;
    struct virtio_blk v;
    virtio_blk_init(&v, NULL, NULL, &eq, no_irq, "");
    struct ckpt_writer w;
    begin(&w);
    virtio_blk_save(&v, &w, "virtio_blk0");
    assert_false(virtio_blk_load(&v, reopen(&w, "s/^q.ready=.*/q.ready=1/"), "virtio_blk0"));
    refused("[virtio_blk0] q.ready = 1 with q.num = 0 (an empty ring)");
    begin(&w);
    virtio_blk_save(&v, &w, "virtio_blk0");
    assert_false(virtio_blk_load(&v, reopen(&w, "s/^q.num=.*/q.num=4096/"), "virtio_blk0"));
    refused("[virtio_blk0] q.num = 4096 is out of range 0..256");
}

static void test_cpu_refused(void **st)
{
    (void)st;
    struct bus bus;
    struct cpu cpu;
    bus_init(&bus);
    cpu_init(&cpu, &bus, 0);
    cpu_reset(&cpu);
    struct ckpt_writer w;
    begin(&w);
    ckpt_cpu_save(&w, "cpu0", &cpu);
    /* An instruction count near 2^64 would wrap every budget computed from it. */
    assert_false(ckpt_cpu_load(reopen(&w, "s/^instructions=.*/instructions=0xfffffffffffffff0/"), "cpu0", &cpu));
    refused("[cpu0] instructions = 18446744073709551600 is out of range 0..4611686018427387904");
    begin(&w);
    ckpt_cpu_save(&w, "cpu0", &cpu);
    assert_false(ckpt_cpu_load(reopen(&w, "s/^cpl=.*/cpl=4/"), "cpu0", &cpu));
    refused("[cpu0] cpl = 4 is out of range 0..3");
    cpu_free(&cpu);
}

static void test_m5dev_refused(void **st)
{
    (void)st;
    eventq_init(&eq);
    struct m5dev_hooks hooks = { 0 };
    m5dev_init(&m5a, &eq, "/tmp", NULL, 0, &hooks);
    struct ckpt_writer w;
    begin(&w);
    m5dev_save(&m5a, &w, "m5dev");
    assert_false(m5dev_load(&m5a, reopen(&w, "s/^exit.why=00/exit.why=0a/"), "m5dev"));
    refused("[m5dev] exit.why holds a control character");
    begin(&w);
    m5dev_save(&m5a, &w, "m5dev");
    assert_false(m5dev_load(&m5a, reopen(&w, "s/^stats.period=.*/stats.period=0xffffffffffffffff/"), "m5dev"));
    refused("[m5dev] stats.period = 18446744073709551615 is out of range 0..9223372036854775807");
    m5dev_free(&m5a);
    eventq_free(&eq);
}

/* ------------------------------------------------ version 1 fixture -- */

/*
 * tests/fixtures/ckpt-v1/m5.cpt is the index of the checkpoint the system
 * tests' boot made with m5sim at format version 1 (devices as hex blobs of
 * their structs). Its memory image (hundreds of MB) is not kept; the index
 * holds every piece of CPU and device state, and loading it must give the
 * values it held.
 */
static void test_version1_fixture_loads(void **st)
{
    (void)st;
    struct ckpt_image img;
    ckpt_open(&img, SRCDIR "/tests/fixtures/ckpt-v1");   /* version, fingerprint, fixed sections */
    assert_int_equal(img.version, 1);
    assert_int_equal(img.tick, 18732093822ull);
    assert_int_equal(img.mem_size, 512u << 20);
    assert_int_equal(img.ndisks, 1);
    struct ckpt_reader r;
    ckpt_reader_for(&r, &img);

    struct bus bus;
    struct cpu cpu;
    bus_init(&bus);
    cpu_init(&cpu, &bus, 0);
    eventq_init(&eq);
    eq.now = img.tick;
    struct pic8259 pic;
    struct ioapic io;
    struct lapic lapic;
    struct pit8254 pit;
    struct rtc_cmos rtc;
    struct uart8250 com1;
    struct pc_misc misc;
    struct virtio_blk vblk;
    struct m5dev_hooks hooks = { 0 };
    pic_init(&pic);
    lapic_init(&lapic, &eq, 0, LAPIC_DEFAULT_TIMER_HZ);
    ioapic_init(&io, &lapic);
    pit_init(&pit, &eq, no_irq);
    rtc_init(&rtc, &eq, 0);
    uart_init(&com1, no_irq, NULL, NULL);
    pc_misc_init(&misc, NULL, NULL);
    virtio_blk_init(&vblk, NULL, NULL, &eq, no_irq, "");
    m5dev_init(&m5a, &eq, "/tmp", NULL, 0, &hooks);

    assert_true(ckpt_cpu_load(&r, "cpu0", &cpu));
    assert_true(pic_load(&pic, &r, "pic"));
    assert_true(ioapic_load(&io, &r, "ioapic"));
    assert_true(lapic_load(&lapic, &r, "lapic"));
    assert_true(pit_load(&pit, &r, "pit"));
    assert_true(rtc_load(&rtc, &r, "rtc"));
    assert_true(uart_load(&com1, &r, "com1"));
    assert_true(pc_misc_load(&misc, &r, "misc"));
    assert_true(virtio_blk_load(&vblk, &r, "device.virtio_blk0"));
    assert_true(m5dev_load(&m5a, &r, "m5dev"));
    assert_false(r.failed);

    /* What the fixture holds (read from it when it was committed). */
    assert_int_equal(cpu.icount, 56252534);
    assert_int_equal(cpu.s.rip, 0x40260a);
    assert_int_equal(cpu.s.cpl, 3);
    assert_int_equal(pic.s.chip[0].imr, 0xca);
    assert_int_equal(pit.s.ch[0].count, 11932);
    assert_int_equal(lapic.s.timer_hz, LAPIC_DEFAULT_TIMER_HZ);
    assert_int_equal(rtc.s.start, RTC_DEFAULT_START);
    assert_int_equal(com1.s.tx_bytes, 0x1769);
    assert_int_equal(vblk.q.num, 256);
    assert_int_equal(vblk.reads, 0x31);
    assert_int_equal(m5a.scripts_started, 0);
    assert_false(event_scheduled(&m5a.exit_event));   /* version 1 saved no pending ops */

    m5dev_free(&m5a);
    cpu_free(&cpu);
    eventq_free(&eq);
    ckpt_close(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pic_round_trip),
        cmocka_unit_test(test_pit_round_trip),
        cmocka_unit_test(test_lapic_round_trip),
        cmocka_unit_test(test_ioapic_round_trip),
        cmocka_unit_test(test_rtc_round_trip),
        cmocka_unit_test(test_uart_round_trip),
        cmocka_unit_test(test_pc_misc_round_trip),
        cmocka_unit_test(test_virtio_blk_round_trip),
        cmocka_unit_test(test_m5dev_round_trip),
        cmocka_unit_test(test_pit_count_zero_refused),
        cmocka_unit_test(test_malformed_and_missing_refused),
        cmocka_unit_test(test_uart_rx_head_refused),
        cmocka_unit_test(test_rtc_index_refused),
        cmocka_unit_test(test_lapic_divisor_refused),
        cmocka_unit_test(test_virtio_ring_refused),
        cmocka_unit_test(test_cpu_refused),
        cmocka_unit_test(test_m5dev_refused),
        cmocka_unit_test(test_version1_fixture_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
