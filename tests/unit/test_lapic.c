/* test_lapic.c - local APIC registers, priorities, timer and ExtINT through MMIO as a guest does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/lapic.h"
#include "dev/pic8259.h"
#include "mem/bus.h"

/* Register offsets (arch/x86/include/asm/apicdef.h). */
enum {
    ID = 0x20, LVR = 0x30, TASKPRI = 0x80, PROCPRI = 0xa0, EOI = 0xb0, LDR = 0xd0, DFR = 0xe0,
    SPIV = 0xf0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, ICR = 0x300, ICR2 = 0x310,
    LVTT = 0x320, LVTTHMR = 0x330, LVTPC = 0x340, LVT0 = 0x350, LVT1 = 0x360, LVTERR = 0x370,
    TMICT = 0x380, TMCCT = 0x390, TDCR = 0x3e0,
};

struct fixture {
    struct bus bus;
    struct eventq eq;
    struct lapic apic;
    struct pic8259 pic;
    unsigned eoi_vectors[16];
    int eois;
};

static struct fixture F;

static uint32_t rd(unsigned reg) { return (uint32_t)bus_mmio_read(&F.bus, LAPIC_BASE + reg, 4, NULL); }
static void wr(unsigned reg, uint32_t v) { bus_mmio_write(&F.bus, LAPIC_BASE + reg, 4, v, NULL); }
static bool pending(void) { return lapic_intr_pending(&F.apic, NULL); }
static int ack(void) { return lapic_intr_ack(&F.apic, NULL); }
static bool bit(unsigned base, unsigned v) { return (rd(base + (v / 32) * 0x10) >> (v % 32)) & 1; }

static void record_eoi(void *opaque, unsigned vector)
{
    (void)opaque;
    F.eoi_vectors[F.eois++] = vector;
}

static int setup_hz(uint64_t hz)
{
    F = (struct fixture){ 0 };
    bus_init(&F.bus);
    eventq_init(&F.eq);
    lapic_init(&F.apic, &F.eq, 0, hz);
    lapic_attach(&F.apic, &F.bus);
    pic_init(&F.pic);
    bus_add_pio(&F.bus, "pic", 0x20, 2, pic_io_in, pic_io_out, &F.pic);
    bus_add_pio(&F.bus, "pic2", 0xa0, 2, pic_io_in, pic_io_out, &F.pic);
    lapic_connect_pic(&F.apic, &F.pic);
    lapic_set_eoi_callback(&F.apic, record_eoi, NULL);
    return 0;
}

static int setup(void **state) { (void)state; return setup_hz(1000000000); }   /* 1000 ps per count */
static int setup_25mhz(void **state) { (void)state; return setup_hz(25000000); }

static int teardown(void **state)
{
    (void)state;
    eventq_free(&F.eq);
    return 0;
}

static void enable(void) { wr(SPIV, 0x1ff); }

static void test_reset_values(void **state)
{
    (void)state;
    assert_int_equal(F.apic.s.timer_hz, 1000000000);
    struct lapic dflt;
    lapic_init(&dflt, &F.eq, 0, 0);
    assert_int_equal(dflt.s.timer_hz, LAPIC_DEFAULT_TIMER_HZ);
    assert_int_equal(rd(LVR), 0x00050014);
    assert_int_equal((rd(LVR) >> 16) & 0xff, 5);    /* lapic_get_maxlvt() */
    assert_int_equal(rd(ID), 0);
    assert_int_equal(rd(SPIV), 0xff);
    assert_int_equal(rd(DFR), 0xffffffff);
    for (unsigned r = LVTT; r <= LVTERR; r += 0x10)
        assert_int_equal(rd(r), 0x10000);
    assert_int_equal(rd(TMCCT), 0);
    assert_false(pending());
    /* Sub-dword reads see the register's bytes; odd offsets are reserved. */
    assert_int_equal(bus_mmio_read(&F.bus, LAPIC_BASE + LVR + 2, 1, NULL), 0x05);
    assert_int_equal(bus_mmio_read(&F.bus, LAPIC_BASE + LVR + 4, 4, NULL), 0);
}

static void test_priority_and_eoi(void **state)
{
    (void)state;
    enable();
    lapic_accept(&F.apic, 0x31, false);
    lapic_accept(&F.apic, 0x40, false);
    lapic_accept(&F.apic, 0x41, false);
    assert_true(bit(IRR, 0x31) && bit(IRR, 0x40) && bit(IRR, 0x41));
    assert_true(pending());
    assert_int_equal(ack(), 0x41);
    assert_false(bit(IRR, 0x41));
    assert_true(bit(ISR, 0x41));
    assert_int_equal(rd(PROCPRI), 0x40);
    assert_false(pending());                        /* 0x40 is in the same priority class */
    lapic_accept(&F.apic, 0x52, false);
    assert_int_equal(ack(), 0x52);                  /* a higher class nests */
    wr(EOI, 0);                                     /* ends 0x52 (highest in service) */
    assert_false(bit(ISR, 0x52));
    assert_true(bit(ISR, 0x41));
    wr(EOI, 0);
    assert_int_equal(rd(PROCPRI), 0);
    /* TPR holds back classes at or below it. */
    wr(TASKPRI, 0x40);
    assert_false(pending());
    wr(TASKPRI, 0x3f);
    assert_int_equal(rd(PROCPRI), 0x3f);
    assert_int_equal(ack(), 0x40);
    wr(EOI, 0);
    /* CR8 writes set TPR[7:4]. */
    lapic_cr8_write(&F.apic, NULL, 3);
    assert_int_equal(rd(TASKPRI), 0x30);
    assert_int_equal(lapic_cr8_read(&F.apic, NULL), 3);
    assert_false(pending());
    lapic_cr8_write(&F.apic, NULL, 2);
    assert_int_equal(ack(), 0x31);
    wr(EOI, 0);
    assert_int_equal(F.eois, 0);                    /* edge vectors are not broadcast */
    assert_int_equal(ack(), 0xff);                  /* nothing left: the spurious vector */
}

static void test_level_eoi_callback(void **state)
{
    (void)state;
    enable();
    lapic_accept(&F.apic, 0x61, true);
    assert_true(bit(TMR, 0x61));
    assert_int_equal(ack(), 0x61);
    wr(EOI, 0);
    assert_int_equal(F.eois, 1);
    assert_int_equal(F.eoi_vectors[0], 0x61);
}

static void test_disabled_apic(void **state)
{
    (void)state;
    /* Software-disabled (reset state): fixed interrupts are dropped, LVT masks stick. */
    lapic_accept(&F.apic, 0x40, false);
    assert_false(bit(IRR, 0x40));
    wr(LVTT, 0x000ec);
    assert_int_equal(rd(LVTT), 0x100ec);
    enable();
    wr(LVTT, 0x000ec);
    assert_int_equal(rd(LVTT), 0x000ec);
    wr(SPIV, 0x0ff);                                /* disabling masks every LVT */
    assert_int_equal(rd(LVTT), 0x100ec);
}

static void pic_linux_init(void)
{
    static const uint8_t seq[][2] = {
        { 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
        { 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
        { 0x21, 0xfe }, { 0xa1, 0xff },             /* only IRQ0 unmasked */
    };
    for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
        bus_pio_out(&F.bus, seq[i][0], 1, seq[i][1]);
}

static void test_extint_virtual_wire(void **state)
{
    (void)state;
    pic_linux_init();
    pic_set_irq(&F.pic, 0, true);
    /* Software-disabled APIC: the PIC reaches the CPU directly. */
    assert_true(pending());
    /* Enabled with LINT0 masked (IOAPIC mode): it does not. */
    enable();
    assert_false(pending());
    /* setup_local_APIC() in virtual-wire mode: LINT0 = ExtINT, unmasked. */
    wr(LVT0, 0x700);
    assert_true(pending());
    assert_int_equal(ack(), 0x30);                  /* the PIC's vector, via its INTA */
    assert_false(pending());
    bus_pio_out(&F.bus, 0x20, 1, 0x60);             /* EOI to the PIC, not the APIC */
    assert_int_equal(F.eois, 0);
    /* APIC vectors win over ExtINT when both are pending. */
    pic_set_irq(&F.pic, 0, false);
    pic_set_irq(&F.pic, 0, true);
    lapic_accept(&F.apic, 0xec, false);
    assert_int_equal(ack(), 0xec);
    assert_int_equal(ack(), 0x30);
    /* Globally disabled (IA32_APIC_BASE bit 11 clear): PIC only. */
    bus_pio_out(&F.bus, 0x20, 1, 0x60);
    pic_set_irq(&F.pic, 0, false);
    pic_set_irq(&F.pic, 0, true);
    wr(LVT0, 0x10700);
    assert_false(pending());
    lapic_set_hw_enabled(&F.apic, NULL, false);
    assert_true(pending());
    assert_int_equal(ack(), 0x30);
}

static void test_self_ipi_and_esr(void **state)
{
    (void)state;
    enable();
    wr(ICR, 0x40000 | 0x55);                        /* shorthand self, fixed */
    assert_true(bit(IRR, 0x55));
    assert_int_equal(rd(ICR) & (1u << 12), 0);      /* delivery status idle */
    wr(ICR2, 0u << 24);
    wr(ICR, 0x56);                                  /* physical destination 0 = us */
    assert_true(bit(IRR, 0x56));
    wr(ICR2, 5u << 24);
    wr(ICR, 0x57);                                  /* someone else */
    assert_false(bit(IRR, 0x57));
    wr(ICR, 0xc0000 | 0x58);                        /* all excluding self */
    assert_false(bit(IRR, 0x58));
    wr(ICR, 0x40000 | 0x05);                        /* illegal vector */
    assert_int_equal(rd(ESR), 0);
    wr(ESR, 0);                                     /* latch */
    assert_int_equal(rd(ESR), 0x20);
    wr(ESR, 0);
    assert_int_equal(rd(ESR), 0);
}

static void test_logical_destination(void **state)
{
    (void)state;
    enable();
    wr(DFR, 0xffffffff);                            /* flat */
    wr(LDR, 0x01000000);
    assert_true(lapic_match_dest(&F.apic, 0x01, true));
    assert_true(lapic_match_dest(&F.apic, 0x03, true));
    assert_false(lapic_match_dest(&F.apic, 0x02, true));
    assert_true(lapic_match_dest(&F.apic, 0x00, false));
    assert_false(lapic_match_dest(&F.apic, 0x01, false));
    assert_true(lapic_match_dest(&F.apic, 0xff, false));
    wr(DFR, 0x0fffffff);                            /* cluster */
    wr(LDR, 0x21000000);
    assert_true(lapic_match_dest(&F.apic, 0x23, true));
    assert_false(lapic_match_dest(&F.apic, 0x13, true));
}

/* Linux's lapic_next_event(): LVTT one-shot vector 0xec, divide by 16, TMICT = delta. */
static void test_timer_oneshot_exact_tick(void **state)
{
    (void)state;
    enable();
    eventq_run_until(&F.eq, 777);
    uint64_t start = F.eq.now;
    wr(TDCR, 0x3);                                  /* divide by 16 */
    wr(LVTT, 0xec);
    wr(TMICT, 1000);
    uint64_t fire = start + 1000ull * 16 * 1000;    /* 1 GHz: 1000 ps per count */
    eventq_run_until(&F.eq, start + 16000 * 250);
    assert_int_equal(rd(TMCCT), 750);
    eventq_run_until(&F.eq, fire - 1);
    assert_false(pending());
    assert_int_equal(rd(TMCCT), 1);
    eventq_run_until(&F.eq, fire);
    assert_true(bit(IRR, 0xec));
    assert_int_equal(rd(TMCCT), 0);
    assert_int_equal(ack(), 0xec);
    wr(EOI, 0);
    eventq_run_until(&F.eq, fire * 10);
    assert_false(pending());                        /* one-shot: once */
    assert_int_equal(F.apic.s.timer_fired, 1);
}

static void test_timer_periodic_and_mask(void **state)
{
    (void)state;
    enable();
    wr(TDCR, 0xb);                                  /* divide by 1 */
    wr(LVTT, 0x20000 | 0xef);                       /* periodic */
    wr(TMICT, 10000);                               /* 10 us */
    eventq_run_until(&F.eq, 10 * 10000 * 1000ull - 1);
    assert_int_equal(F.apic.s.timer_fired, 9);
    eventq_run_until(&F.eq, 10 * 10000 * 1000ull);
    assert_int_equal(F.apic.s.timer_fired, 10);
    assert_int_equal(rd(TMCCT), 10000);             /* reloaded */
    eventq_run_until(&F.eq, F.eq.now + 2500 * 1000);
    assert_int_equal(rd(TMCCT), 7500);
    /* Masked: keeps counting, no interrupts. */
    assert_int_equal(ack(), 0xef);
    wr(EOI, 0);
    wr(LVTT, 0x30000 | 0xef);
    eventq_run_until(&F.eq, F.eq.now + 100 * 10000 * 1000ull);
    assert_int_equal(F.apic.s.timer_fired, 110);
    assert_false(pending());
    /* TMICT = 0 stops it. */
    wr(TMICT, 0);
    assert_int_equal(eventq_next(&F.eq), TICK_NEVER);
    assert_int_equal(rd(TMCCT), 0);
}

static void test_timer_divide_change(void **state)
{
    (void)state;
    enable();
    wr(TDCR, 0x0);                                  /* divide by 2 */
    wr(LVTT, 0xec);
    wr(TMICT, 1000);
    eventq_run_until(&F.eq, 600 * 2 * 1000);        /* 600 counts done, 400 left */
    assert_int_equal(rd(TMCCT), 400);
    wr(TDCR, 0x8);                                  /* divide by 32 from here */
    eventq_run_until(&F.eq, F.eq.now + 400ull * 32 * 1000 - 1);
    assert_false(pending());
    eventq_run_until(&F.eq, F.eq.now + 1);
    assert_true(pending());
}

/* A 25 MHz timer clock (a CPUID 0x15 crystal): 40000 ps per count. */
static void test_timer_other_frequency(void **state)
{
    (void)state;
    enable();
    wr(TDCR, 0x3);
    wr(LVTT, 0xec);
    wr(TMICT, 250000 / 16);                         /* Linux: lapic_timer_period / 16 for one jiffy at HZ=100 */
    eventq_run_until(&F.eq, TICKS_PER_SECOND / 100 - 1);
    assert_false(pending());
    eventq_run_until(&F.eq, TICKS_PER_SECOND / 100);
    assert_true(pending());
}

static void test_post_load_reschedules(void **state)
{
    (void)state;
    enable();
    wr(TDCR, 0xb);
    wr(LVTT, 0x20000 | 0xef);
    wr(TMICT, 5000);
    eventq_run_until(&F.eq, 7000 * 1000);
    struct lapic_state saved = F.apic.s;
    uint64_t now = F.eq.now;
    eventq_free(&F.eq);
    eventq_init(&F.eq);
    eventq_run_until(&F.eq, now);
    lapic_init(&F.apic, &F.eq, 0, 1000000000);
    F.apic.s = saved;
    lapic_post_load(&F.apic);
    assert_int_equal(rd(TMCCT), 3000);
    eventq_run_until(&F.eq, 10000 * 1000);
    assert_int_equal(F.apic.s.timer_fired, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_and_eoi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_eoi_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_apic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extint_virtual_wire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_ipi_and_esr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logical_destination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_oneshot_exact_tick, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_periodic_and_mask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_divide_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_other_frequency, setup_25mhz, teardown),
        cmocka_unit_test_setup_teardown(test_post_load_reschedules, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
