/*
 * test_pc_interrupts.c - the whole interrupt path of the PC as the machine
 * wires it (devices -> ISA lines -> 8259 pair and I/O APIC -> local APIC ->
 * the CPU's intr_pending/intr_ack hooks), with a stand-in CPU that takes
 * every interrupt and EOIs it the way Linux does. Both of Linux's set-ups:
 * virtual wire (no MP table: PIC through LINT0 ExtINT) and symmetric I/O
 * (I/O APIC, PIC masked).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/ioapic.h"
#include "dev/isa_irq.h"
#include "dev/lapic.h"
#include "dev/pic8259.h"
#include "dev/pit8254.h"
#include "dev/uart8250.h"
#include "mem/bus.h"

struct fixture {
    struct bus bus;
    struct eventq eq;
    struct isa_irq isa;
    struct pic8259 pic;
    struct ioapic io;
    struct lapic apic;
    struct pit8254 pit;
    struct uart8250 uart;
    int count[256];
    bool via_pic;
};

static struct fixture F;

static void outb(uint16_t port, uint8_t v) { bus_pio_out(&F.bus, port, 1, v); }
static uint8_t inb(uint16_t port) { return (uint8_t)bus_pio_in(&F.bus, port, 1); }
static void apic_wr(unsigned reg, uint32_t v) { bus_mmio_write(&F.bus, LAPIC_BASE + reg, 4, v, NULL); }

static void io_rte(unsigned pin, uint32_t lo)
{
    bus_mmio_write(&F.bus, IOAPIC_BASE, 4, 0x11 + 2 * pin, NULL);
    bus_mmio_write(&F.bus, IOAPIC_BASE + 0x10, 4, 0, NULL);
    bus_mmio_write(&F.bus, IOAPIC_BASE, 4, 0x10 + 2 * pin, NULL);
    bus_mmio_write(&F.bus, IOAPIC_BASE + 0x10, 4, lo, NULL);
}

static int setup(void **state)
{
    (void)state;
    F = (struct fixture){ 0 };
    bus_init(&F.bus);
    eventq_init(&F.eq);
    pic_init(&F.pic);
    pic_attach(&F.pic, &F.bus);
    lapic_init(&F.apic, &F.eq, 0, 25000000);
    lapic_connect_pic(&F.apic, &F.pic);
    lapic_attach(&F.apic, &F.bus);
    ioapic_init(&F.io, &F.apic);
    ioapic_attach(&F.io, &F.bus);
    lapic_set_eoi_callback(&F.apic, ioapic_eoi, &F.io);
    F.isa = (struct isa_irq){ .pic = &F.pic, .ioapic = &F.io };
    pit_init(&F.pit, &F.eq, isa_irq_line(&F.isa, 0));
    pit_attach(&F.pit, &F.bus);
    uart_init(&F.uart, isa_irq_line(&F.isa, 4), NULL, NULL);
    uart_attach(&F.uart, &F.bus, UART_COM1_BASE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eventq_free(&F.eq);
    return 0;
}

/* The stand-in CPU: take and handle every pending interrupt, with interrupts enabled. */
static void take_interrupts(void)
{
    while (lapic_intr_pending(&F.apic, NULL)) {
        int v = lapic_intr_ack(&F.apic, NULL);
        F.count[v]++;
        if (v == 0x34 || v == 0x24) {               /* the 8250 handler */
            while (!(inb(UART_COM1_BASE + 2) & 1))
                ;
        }
        if (F.via_pic && v >= 0x30 && v < 0x38)
            outb(0x20, 0x60 | (v & 7));             /* specific EOI to the master */
        else
            apic_wr(0xb0, 0);
    }
}

static void run_until(uint64_t t)
{
    for (;;) {
        uint64_t next = eventq_next(&F.eq);
        if (next > t)
            break;
        eventq_run_until(&F.eq, next);
        take_interrupts();
    }
    eventq_run_until(&F.eq, t);
    take_interrupts();
}

static void pic_init_linux(void)
{
    static const uint8_t seq[][2] = {
        { 0x21, 0xff }, { 0xa1, 0xff },
        { 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
        { 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
    };
    for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
        outb(seq[i][0], seq[i][1]);
}

static void pit_periodic_hz100(void)
{
    outb(0x43, 0x34);
    outb(0x40, 11932 & 0xff);
    outb(0x40, 11932 >> 8);
}

static void test_virtual_wire(void **state)
{
    (void)state;
    F.via_pic = true;
    pic_init_linux();
    apic_wr(0xf0, 0x1ff);                           /* setup_local_APIC */
    apic_wr(0x350, 0x700);                          /* LINT0 ExtINT */
    outb(0x21, 0xff & ~0x01 & ~0x04 & ~0x10);       /* IRQ0, cascade, IRQ4 */
    pit_periodic_hz100();
    /* Local APIC timer, periodic 1 ms at 25 MHz / 16 (Linux: lapic_timer_period / 16 per jiffy). */
    apic_wr(0x3e0, 0x3);
    apic_wr(0x320, 0x20000 | 0xec);
    apic_wr(0x380, 25000000 / 16 / 1000 * 1);
    /* The console: THRE interrupts while "user space" writes. */
    outb(UART_COM1_BASE + 4, UART_MCR_OUT2);
    run_until(TICKS_PER_SECOND);
    assert_int_equal(F.count[0x30], 99);            /* 100 periods of 11932 clocks = 1.0000151 s */
    assert_int_equal(F.count[0xec], 1000);
    outb(UART_COM1_BASE + 1, UART_IER_THRI);        /* __start_tx */
    take_interrupts();
    assert_int_equal(F.count[0x34], 1);
    outb(UART_COM1_BASE, 'x');                      /* the handler would write; a new edge */
    take_interrupts();
    assert_int_equal(F.count[0x34], 2);
    outb(UART_COM1_BASE + 1, 0);
    run_until(2 * TICKS_PER_SECOND);
    assert_int_equal(F.count[0x30], 199);
    assert_int_equal(F.count[0xec], 2000);
    assert_int_equal(F.count[0x37] + F.count[0xff], 0);   /* no spurious interrupts */
}

static void test_symmetric_io(void **state)
{
    (void)state;
    F.via_pic = false;
    pic_init_linux();
    outb(0x21, 0xff);                               /* the PIC is masked in APIC mode */
    outb(0xa1, 0xff);
    apic_wr(0xf0, 0x1ff);
    apic_wr(0x350, 0x10700);                        /* LINT0 ExtINT, masked */
    io_rte(isa_irq_ioapic_pin(0), 0x30);            /* IRQ0 -> pin 2, edge */
    io_rte(isa_irq_ioapic_pin(4), 0x24);
    pit_periodic_hz100();
    outb(UART_COM1_BASE + 4, UART_MCR_OUT2);
    run_until(TICKS_PER_SECOND);
    assert_int_equal(F.count[0x30], 99);
    outb(UART_COM1_BASE + 1, UART_IER_THRI);
    take_interrupts();
    assert_int_equal(F.count[0x24], 1);
    outb(UART_COM1_BASE + 1, 0);
    assert_int_equal(F.count[0x37] + F.count[0xff], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_virtual_wire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symmetric_io, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
