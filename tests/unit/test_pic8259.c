/* test_pic8259.c - the 8259A pair driven through the I/O port bus as Linux drives it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/pic8259.h"
#include "mem/bus.h"

struct fixture {
    struct bus bus;
    struct pic8259 pic;
};

static struct fixture F;

static void outb(uint16_t port, uint8_t v) { bus_pio_out(&F.bus, port, 1, v); }
static uint8_t inb(uint16_t port) { return (uint8_t)bus_pio_in(&F.bus, port, 1); }

/* arch/x86/kernel/i8259.c init_8259A(0): vectors 0x30 and 0x38, cascade on IRQ2. */
static void linux_init(bool auto_eoi)
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    outb(0x20, 0x11);
    outb(0x21, 0x30);
    outb(0x21, 1u << 2);
    outb(0x21, auto_eoi ? 0x03 : 0x01);
    outb(0xa0, 0x11);
    outb(0xa1, 0x38);
    outb(0xa1, 2);
    outb(0xa1, 0x01);
}

static uint8_t read_isr(uint16_t cmd)
{
    outb(cmd, 0x0b);
    uint8_t v = inb(cmd);
    outb(cmd, 0x0a);
    return v;
}

static int setup(void **state)
{
    (void)state;
    bus_init(&F.bus);
    pic_init(&F.pic);
    pic_attach(&F.pic, &F.bus);
    return 0;
}

static void test_reset_state_and_probe(void **state)
{
    (void)state;
    assert_int_equal(inb(0x21), 0xff);          /* everything masked at power-on */
    assert_int_equal(inb(0xa1), 0xff);
    assert_false(pic_intr_pending(&F.pic));
    /* probe_8259A: the mask register reads back what was written. */
    outb(0xa1, 0xff);
    outb(0x21, 0xfb);
    assert_int_equal(inb(0x21), 0xfb);
}

static void test_init_mask_ack_eoi(void **state)
{
    (void)state;
    linux_init(false);
    outb(0x21, 0xff & ~(1u << 4) & ~(1u << 2));  /* unmask IRQ4 and the cascade */
    pic_set_irq(&F.pic, 3, true);               /* masked: latched in IRR, not delivered */
    assert_false(pic_intr_pending(&F.pic));
    assert_int_equal(inb(0x20) & 0x08, 0x08);   /* OCW3 default: IRR */
    pic_set_irq(&F.pic, 4, true);
    assert_true(pic_intr_pending(&F.pic));
    assert_int_equal(pic_intr_ack(&F.pic), 0x34);
    assert_int_equal(read_isr(0x20), 0x10);
    assert_false(pic_intr_pending(&F.pic));     /* IRQ4 in service, IRQ3 masked */
    /* The line stays high: no new edge, no new request after EOI. */
    outb(0x20, 0x60 + 4);                       /* specific EOI */
    assert_int_equal(read_isr(0x20), 0);
    assert_false(pic_intr_pending(&F.pic));
    pic_set_irq(&F.pic, 4, false);
    pic_set_irq(&F.pic, 4, true);
    assert_true(pic_intr_pending(&F.pic));
    /* Unmasking IRQ3 (higher priority) delivers it first. */
    outb(0x21, 0xff & ~(1u << 4) & ~(1u << 3) & ~(1u << 2));
    assert_int_equal(pic_intr_ack(&F.pic), 0x33);
    assert_false(pic_intr_pending(&F.pic));     /* IRQ4 has lower priority than IRQ3 in service */
    outb(0x20, 0x20);                           /* non-specific EOI clears IRQ3 */
    assert_int_equal(pic_intr_ack(&F.pic), 0x34);
    outb(0x20, 0x20);
    assert_int_equal(read_isr(0x20), 0);
}

static void test_nesting_priority(void **state)
{
    (void)state;
    linux_init(false);
    outb(0x21, 0xea);                           /* IRQ0, 2, 4 unmasked */
    pic_set_irq(&F.pic, 4, true);
    assert_int_equal(pic_intr_ack(&F.pic), 0x34);
    pic_set_irq(&F.pic, 0, true);               /* higher priority preempts */
    assert_true(pic_intr_pending(&F.pic));
    assert_int_equal(pic_intr_ack(&F.pic), 0x30);
    assert_int_equal(read_isr(0x20), 0x11);
    outb(0x20, 0x20);                           /* non-specific EOI: highest in service (IRQ0) */
    assert_int_equal(read_isr(0x20), 0x10);
    outb(0x20, 0x20);
    assert_int_equal(read_isr(0x20), 0x00);
}

static void test_cascade(void **state)
{
    (void)state;
    linux_init(false);
    outb(0x21, 0xfb);                           /* cascade only */
    outb(0xa1, 0xef);                           /* IRQ12 */
    pic_set_irq(&F.pic, 12, true);
    assert_true(pic_intr_pending(&F.pic));
    assert_int_equal(pic_intr_ack(&F.pic), 0x3c);
    assert_int_equal(read_isr(0x20), 0x04);
    assert_int_equal(read_isr(0xa0), 0x10);
    /* A second slave request while IRQ12 is in service waits for both EOIs. */
    outb(0xa1, 0xee);                           /* also IRQ8 (higher priority on the slave) */
    pic_set_irq(&F.pic, 12, false);
    pic_set_irq(&F.pic, 8, true);
    assert_false(pic_intr_pending(&F.pic));     /* master IRQ2 still in service */
    /* Linux mask_and_ack_8259A: specific EOI to the slave, then to the master's IRQ2. */
    outb(0xa0, 0x60 + (12 & 7));
    outb(0x20, 0x60 + 2);
    assert_true(pic_intr_pending(&F.pic));
    assert_int_equal(pic_intr_ack(&F.pic), 0x38);
    outb(0xa0, 0x60);
    outb(0x20, 0x62);
    assert_false(pic_intr_pending(&F.pic));
}

static void test_slave_auto_eoi_keeps_second_request(void **state)
{
    (void)state;
    linux_init(true);
    outb(0xa0, 0x11);                           /* slave in auto-EOI too */
    outb(0xa1, 0x38);
    outb(0xa1, 2);
    outb(0xa1, 0x03);
    outb(0x21, 0xfb);
    outb(0xa1, 0x00);
    pic_set_irq(&F.pic, 9, true);
    pic_set_irq(&F.pic, 11, true);
    assert_int_equal(pic_intr_ack(&F.pic), 0x39);
    assert_int_equal(read_isr(0x20), 0);        /* auto-EOI: nothing in service */
    assert_true(pic_intr_pending(&F.pic));      /* the cascade still carries IRQ11 */
    assert_int_equal(pic_intr_ack(&F.pic), 0x3b);
    assert_false(pic_intr_pending(&F.pic));
}

static void test_spurious(void **state)
{
    (void)state;
    linux_init(false);
    assert_int_equal(pic_intr_ack(&F.pic), 0x37);
    assert_int_equal(read_isr(0x20), 0);        /* spurious IRQ7 is not put in service */
}

static void test_level_via_elcr(void **state)
{
    (void)state;
    linux_init(false);
    outb(0x4d1, 0xff);                          /* only writable bits stick */
    assert_int_equal(inb(0x4d1), 0xde);
    outb(0x4d0, 0x07);
    assert_int_equal(inb(0x4d0), 0x00);         /* IRQ0-2 are always edge */
    outb(0x4d1, 1u << 2);                       /* IRQ10 level triggered */
    outb(0x21, 0xfb);
    outb(0xa1, 0xfb);
    pic_set_irq(&F.pic, 10, true);
    assert_int_equal(pic_intr_ack(&F.pic), 0x3a);
    outb(0xa0, 0x62);
    outb(0x20, 0x62);
    assert_true(pic_intr_pending(&F.pic));      /* still high: requests again */
    assert_int_equal(pic_intr_ack(&F.pic), 0x3a);
    pic_set_irq(&F.pic, 10, false);             /* device deasserts before EOI */
    outb(0xa0, 0x62);
    outb(0x20, 0x62);
    assert_false(pic_intr_pending(&F.pic));
}

static void test_poll_and_rotation(void **state)
{
    (void)state;
    linux_init(false);
    outb(0x21, 0xdc);                           /* IRQ0, 1 and 5 unmasked */
    outb(0x20, 0xc0 | 3);                       /* set priority: IRQ3 lowest, IRQ4 highest */
    pic_set_irq(&F.pic, 1, true);
    pic_set_irq(&F.pic, 5, true);
    assert_int_equal(pic_intr_ack(&F.pic), 0x35);
    outb(0x20, 0x20);
    outb(0x20, 0x0c);                           /* poll command */
    assert_int_equal(inb(0x20), 0x81);          /* IRQ1, acknowledged by the poll */
    assert_int_equal(read_isr(0x20), 0x02);
    outb(0x20, 0x61);
    outb(0x20, 0x0c);
    assert_int_equal(inb(0x20), 0x00);          /* nothing left */
}

static void test_icw1_resets_edge_sense(void **state)
{
    (void)state;
    linux_init(false);
    pic_set_irq(&F.pic, 4, true);
    linux_init(false);                          /* re-init drops the latched edge */
    outb(0x21, 0xeb);
    assert_false(pic_intr_pending(&F.pic));
    pic_set_irq(&F.pic, 4, false);
    pic_set_irq(&F.pic, 4, true);
    assert_int_equal(pic_intr_ack(&F.pic), 0x34);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_state_and_probe, setup),
        cmocka_unit_test_setup(test_init_mask_ack_eoi, setup),
        cmocka_unit_test_setup(test_nesting_priority, setup),
        cmocka_unit_test_setup(test_cascade, setup),
        cmocka_unit_test_setup(test_slave_auto_eoi_keeps_second_request, setup),
        cmocka_unit_test_setup(test_spurious, setup),
        cmocka_unit_test_setup(test_level_via_elcr, setup),
        cmocka_unit_test_setup(test_poll_and_rotation, setup),
        cmocka_unit_test_setup(test_icw1_resets_edge_sense, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
