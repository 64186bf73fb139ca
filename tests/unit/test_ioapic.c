/* test_ioapic.c - I/O APIC redirection into the local APIC, edge and level, and the ISA fan-out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/ioapic.h"
#include "dev/isa_irq.h"
#include "dev/lapic.h"
#include "dev/pic8259.h"
#include "mem/bus.h"

struct fixture {
    struct bus bus;
    struct eventq eq;
    struct lapic apic;
    struct ioapic io;
    struct pic8259 pic;
    struct isa_irq isa;
};

static struct fixture F;

static void io_write(unsigned reg, uint32_t v)
{
    bus_mmio_write(&F.bus, IOAPIC_BASE, 4, reg, NULL);
    bus_mmio_write(&F.bus, IOAPIC_BASE + 0x10, 4, v, NULL);
}

static uint32_t io_read(unsigned reg)
{
    bus_mmio_write(&F.bus, IOAPIC_BASE, 4, reg, NULL);
    return (uint32_t)bus_mmio_read(&F.bus, IOAPIC_BASE + 0x10, 4, NULL);
}

static void set_rte(unsigned pin, uint64_t e)
{
    io_write(0x11 + 2 * pin, (uint32_t)(e >> 32));
    io_write(0x10 + 2 * pin, (uint32_t)e);
}

static uint64_t get_rte(unsigned pin)
{
    return io_read(0x10 + 2 * pin) | (uint64_t)io_read(0x11 + 2 * pin) << 32;
}

static bool irr(unsigned v)
{
    return (bus_mmio_read(&F.bus, LAPIC_BASE + 0x200 + (v / 32) * 0x10, 4, NULL) >> (v % 32)) & 1;
}

static bool tmr(unsigned v)
{
    return (bus_mmio_read(&F.bus, LAPIC_BASE + 0x180 + (v / 32) * 0x10, 4, NULL) >> (v % 32)) & 1;
}

static int ack(void) { return lapic_intr_ack(&F.apic, NULL); }
static void eoi(void) { bus_mmio_write(&F.bus, LAPIC_BASE + 0xb0, 4, 0, NULL); }

static int setup(void **state)
{
    (void)state;
    F = (struct fixture){ 0 };
    bus_init(&F.bus);
    eventq_init(&F.eq);
    lapic_init(&F.apic, &F.eq, 0, 0);
    lapic_attach(&F.apic, &F.bus);
    ioapic_init(&F.io, &F.apic);
    ioapic_attach(&F.io, &F.bus);
    lapic_set_eoi_callback(&F.apic, ioapic_eoi, &F.io);
    pic_init(&F.pic);
    pic_attach(&F.pic, &F.bus);
    lapic_connect_pic(&F.apic, &F.pic);
    F.isa = (struct isa_irq){ .pic = &F.pic, .ioapic = &F.io };
    bus_mmio_write(&F.bus, LAPIC_BASE + 0xf0, 4, 0x1ff, NULL);   /* software-enable the LAPIC */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eventq_free(&F.eq);
    return 0;
}

static void test_identification(void **state)
{
    (void)state;
    assert_int_equal(io_read(0x01), 0x00170011);    /* version 0x11, 24 entries */
    assert_int_equal(io_read(0x00), 0);
    io_write(0x00, 0x02000000);
    assert_int_equal(io_read(0x00), 0x02000000);
    assert_int_equal(bus_mmio_read(&F.bus, IOAPIC_BASE, 4, NULL), 0x00);  /* IOREGSEL reads back */
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
        assert_int_equal(get_rte(pin), IOAPIC_RTE_MASKED);
}

static void test_edge_delivery(void **state)
{
    (void)state;
    set_rte(4, 0x24);                               /* fixed, physical, dest 0, edge, unmasked */
    assert_int_equal(get_rte(4), 0x24);
    ioapic_set_irq(&F.io, 4, true);
    assert_true(irr(0x24));
    assert_false(tmr(0x24));
    assert_int_equal(ack(), 0x24);
    ioapic_set_irq(&F.io, 4, true);                 /* no new edge while held high */
    assert_false(irr(0x24));
    ioapic_set_irq(&F.io, 4, false);
    ioapic_set_irq(&F.io, 4, true);
    assert_true(irr(0x24));
    eoi();
    /* Masked: the edge is lost. */
    set_rte(5, IOAPIC_RTE_MASKED | 0x25);
    ioapic_set_irq(&F.io, 5, true);
    set_rte(5, 0x25);
    assert_false(irr(0x25));
    /* Another destination: not ours. */
    set_rte(6, 0x26 | 3ull << 56);
    ioapic_set_irq(&F.io, 6, true);
    assert_false(irr(0x26));
}

static void test_level_remote_irr(void **state)
{
    (void)state;
    set_rte(10, IOAPIC_RTE_LEVEL | IOAPIC_RTE_POLARITY_LOW | 0x50);
    ioapic_set_irq(&F.io, 10, true);
    assert_true(irr(0x50));
    assert_true(tmr(0x50));
    assert_true(get_rte(10) & IOAPIC_RTE_REMOTE_IRR);
    assert_int_equal(ack(), 0x50);
    /* Still asserted, remote IRR set: nothing new. */
    ioapic_set_irq(&F.io, 10, true);
    assert_false(irr(0x50));
    /* EOI with the line still high: remote IRR cleared and the interrupt delivered again. */
    eoi();
    assert_true(irr(0x50));
    assert_true(get_rte(10) & IOAPIC_RTE_REMOTE_IRR);
    assert_int_equal(ack(), 0x50);
    /* The device deasserts (its handler ran) before the EOI: no redelivery. */
    ioapic_set_irq(&F.io, 10, false);
    eoi();
    assert_false(irr(0x50));
    assert_false(get_rte(10) & IOAPIC_RTE_REMOTE_IRR);
    /* Remote IRR is read-only. */
    io_write(0x10 + 2 * 10, (uint32_t)(IOAPIC_RTE_LEVEL | IOAPIC_RTE_REMOTE_IRR | 0x50));
    assert_false(get_rte(10) & IOAPIC_RTE_REMOTE_IRR);
}

/* Linux __eoi_ioapic_pin() for version < 0x20: mask + edge, then restore, clears remote IRR. */
static void test_linux_edge_toggle_clears_remote_irr(void **state)
{
    (void)state;
    uint64_t e = IOAPIC_RTE_LEVEL | 0x51;
    set_rte(11, e);
    ioapic_set_irq(&F.io, 11, true);
    assert_int_equal(ack(), 0x51);
    assert_true(get_rte(11) & IOAPIC_RTE_REMOTE_IRR);
    set_rte(11, (e | IOAPIC_RTE_MASKED) & ~IOAPIC_RTE_LEVEL);
    assert_false(get_rte(11) & IOAPIC_RTE_REMOTE_IRR);
    ioapic_set_irq(&F.io, 11, false);
    set_rte(11, e);
    assert_false(irr(0x51));
    /* Unmasking an asserted level pin delivers it. */
    set_rte(11, e | IOAPIC_RTE_MASKED);
    ioapic_set_irq(&F.io, 11, true);
    assert_false(irr(0x51));
    set_rte(11, e);
    assert_true(irr(0x51));
}

static void test_logical_flat(void **state)
{
    (void)state;
    bus_mmio_write(&F.bus, LAPIC_BASE + 0xd0, 4, 0x01000000, NULL);   /* LDR: bit 0 */
    set_rte(3, 0x33 | 1ull << 11 | 0x01ull << 56);  /* logical, dest 0x01 */
    ioapic_set_irq(&F.io, 3, true);
    assert_true(irr(0x33));
    set_rte(7, 0x37 | 1ull << 11 | 0x02ull << 56);
    ioapic_set_irq(&F.io, 7, true);
    assert_false(irr(0x37));
}

static void test_isa_fanout(void **state)
{
    (void)state;
    struct irq_line irq0 = isa_irq_line(&F.isa, 0), irq4 = isa_irq_line(&F.isa, 4);
    set_rte(2, 0x30);                               /* IRQ0 arrives on pin 2 */
    set_rte(4, 0x34);
    irq_pulse(&irq0);
    assert_true(irr(0x30));
    irq_set(&irq4, true);
    assert_true(irr(0x34));
    /* The PIC saw both too (latched in its IRR; masked there since reset). */
    bus_pio_out(&F.bus, 0x20, 1, 0x0a);
    assert_int_equal(bus_pio_in(&F.bus, 0x20, 1) & 0x11, 0x11);
    assert_int_equal(isa_irq_ioapic_pin(0), 2);
    assert_int_equal(isa_irq_ioapic_pin(9), 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edge_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_remote_irr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linux_edge_toggle_clears_remote_irr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logical_flat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isa_fanout, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
