/*
 * test_apic_bus.c - interrupts between CPUs (host/dev/apic_bus.c): four
 * local APICs on one APIC bus and an I/O APIC, driven through MMIO as each
 * CPU would drive its own APIC. Who an IPI reaches (physical and logical
 * destinations, flat and cluster models, shorthands, lowest priority), what
 * NMI, INIT and start-up do, and the I/O APIC delivering to any CPU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpu/cpu.h"
#include "dev/apic_bus.h"
#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "mem/bus.h"

enum { ID = 0x20, TASKPRI = 0x80, EOI = 0xb0, LDR = 0xd0, DFR = 0xe0, SPIV = 0xf0, IRR = 0x200, ESR = 0x280,
       ICR = 0x300, ICR2 = 0x310 };
/* ICR low word fields. */
enum { DM_FIXED = 0 << 8, DM_LOWEST = 1 << 8, DM_NMI = 4 << 8, DM_INIT = 5 << 8, DM_STARTUP = 6 << 8,
       LOGICAL = 1 << 11, ASSERT = 1 << 14, LEVEL = 1 << 15,
       SH_SELF = 1 << 18, SH_ALL = 2 << 18, SH_OTHERS = 3 << 18 };

#define NCPU 4

struct signal_rec {
    unsigned cpu, mode, vector;
};

struct fixture {
    struct bus bus;
    struct eventq eq;
    struct lapic apic[NCPU];
    struct apic_bus abus;
    struct ioapic io;
    struct signal_rec sig[16];
    int nsig;
};

static struct fixture F;
static struct cpu cpus[NCPU];   /* only their ids matter: the initiator of each MMIO access */

static void record_signal(void *opaque, unsigned cpu, unsigned mode, unsigned vector)
{
    (void)opaque;
    F.sig[F.nsig++] = (struct signal_rec){ cpu, mode, vector };
}

static int setup(void **state)
{
    (void)state;
    F = (struct fixture){ 0 };
    bus_init(&F.bus);
    eventq_init(&F.eq);
    apic_bus_init(&F.abus, record_signal, NULL);
    for (unsigned i = 0; i < NCPU; i++) {
        cpus[i].id = (int)i;
        lapic_init(&F.apic[i], &F.eq, i, 0);
        apic_bus_add(&F.abus, &F.apic[i]);
        lapic_set_eoi_callback(&F.apic[i], ioapic_eoi, &F.io);
    }
    apic_bus_attach(&F.abus, &F.bus);
    ioapic_init(&F.io, &F.apic[0]);
    ioapic_connect_bus(&F.io, &F.abus);
    ioapic_attach(&F.io, &F.bus);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eventq_free(&F.eq);
    return 0;
}

/* CPU `c` reads or writes its own local APIC. */
static uint32_t rd(unsigned c, unsigned reg) { return (uint32_t)bus_mmio_read(&F.bus, LAPIC_BASE + reg, 4, &cpus[c]); }
static void wr(unsigned c, unsigned reg, uint32_t v) { bus_mmio_write(&F.bus, LAPIC_BASE + reg, 4, v, &cpus[c]); }
static void enable_all(void)
{
    for (unsigned c = 0; c < NCPU; c++)
        wr(c, SPIV, 0x1ff);
}
static bool in_irr(unsigned c, unsigned v) { return (rd(c, IRR + (v / 32) * 0x10) >> (v % 32)) & 1; }
/* Which CPUs have vector v pending, one bit each. */
static unsigned holders(unsigned v)
{
    unsigned m = 0;
    for (unsigned c = 0; c < NCPU; c++)
        m |= (unsigned)in_irr(c, v) << c;
    return m;
}
static void send(unsigned from, uint8_t dest, uint32_t lo)
{
    wr(from, ICR2, (uint32_t)dest << 24);
    wr(from, ICR, lo);
}

static void test_mmio_reaches_the_accessing_cpu(void **state)
{
    (void)state;
    for (unsigned c = 0; c < NCPU; c++)
        assert_int_equal(rd(c, ID), c << 24);
    wr(1, TASKPRI, 0x30);
    assert_int_equal(rd(1, TASKPRI), 0x30);
    assert_int_equal(rd(0, TASKPRI), 0);
    assert_int_equal(rd(2, TASKPRI), 0);
    /* The host (no initiator) reaches CPU 0's. */
    assert_int_equal(bus_mmio_read(&F.bus, LAPIC_BASE + ID, 4, NULL), 0);
}

static void test_physical_destination(void **state)
{
    (void)state;
    enable_all();
    send(0, 2, DM_FIXED | 0x40);
    assert_int_equal(holders(0x40), 1u << 2);
    send(3, 0, DM_FIXED | 0x41);
    assert_int_equal(holders(0x41), 1u << 0);
    send(1, 0xff, DM_FIXED | 0x42);   /* broadcast */
    assert_int_equal(holders(0x42), 0xf);
    send(1, 7, DM_FIXED | 0x43);      /* no such APIC */
    assert_int_equal(holders(0x43), 0);
}

static void test_shorthands(void **state)
{
    (void)state;
    enable_all();
    send(2, 0, SH_SELF | 0x50);
    assert_int_equal(holders(0x50), 1u << 2);
    send(2, 0, SH_ALL | 0x51);
    assert_int_equal(holders(0x51), 0xf);
    send(2, 0, SH_OTHERS | 0x52);
    assert_int_equal(holders(0x52), 0xf & ~(1u << 2));
    /* The shorthand wins over the destination field. */
    send(1, 3, SH_SELF | 0x53);
    assert_int_equal(holders(0x53), 1u << 1);
}

static void test_logical_flat_and_cluster(void **state)
{
    (void)state;
    enable_all();
    for (unsigned c = 0; c < NCPU; c++)
        wr(c, LDR, (1u << c) << 24);   /* flat: one bit per CPU, as Linux's flat driver sets it */
    send(0, 0x06, LOGICAL | DM_FIXED | 0x60);
    assert_int_equal(holders(0x60), 0x6);
    send(0, 0x09, LOGICAL | DM_FIXED | 0x61);
    assert_int_equal(holders(0x61), 0x9);
    /* Cluster model: cluster in the high nibble, members in the low one. */
    for (unsigned c = 0; c < NCPU; c++) {
        wr(c, DFR, 0x0fffffff);
        wr(c, LDR, ((c / 2) << 4 | 1u << (c % 2)) << 24);   /* CPUs 0,1 in cluster 0; 2,3 in cluster 1 */
    }
    send(0, 0x12, LOGICAL | DM_FIXED | 0x62);   /* cluster 1, member 1: CPU 3 */
    assert_int_equal(holders(0x62), 1u << 3);
    send(0, 0x03, LOGICAL | DM_FIXED | 0x63);   /* cluster 0, both members */
    assert_int_equal(holders(0x63), 0x3);
}

static void test_lowest_priority_is_deterministic(void **state)
{
    (void)state;
    enable_all();
    for (unsigned c = 0; c < NCPU; c++)
        wr(c, LDR, (1u << c) << 24);
    wr(1, TASKPRI, 0x20);
    wr(2, TASKPRI, 0x10);
    wr(3, TASKPRI, 0x10);
    send(0, 0x0e, LOGICAL | DM_LOWEST | 0x70);   /* CPUs 1-3: the lowest TPR, lowest index among equals */
    assert_int_equal(holders(0x70), 1u << 2);
    send(0, 0x0e, LOGICAL | DM_LOWEST | 0x71);
    assert_int_equal(holders(0x71), 1u << 2);   /* the same again */
    wr(2, TASKPRI, 0x30);
    send(0, 0x0e, LOGICAL | DM_LOWEST | 0x72);
    assert_int_equal(holders(0x72), 1u << 3);
}

static void test_fixed_ipi_to_a_disabled_apic_is_dropped(void **state)
{
    (void)state;
    wr(0, SPIV, 0x1ff);   /* only CPU 0 enabled, as while the APs wait for their start-up */
    send(0, 0, SH_ALL | 0x80);
    assert_int_equal(holders(0x80), 1u << 0);
}

static void test_illegal_vector_sets_send_error(void **state)
{
    (void)state;
    enable_all();
    send(0, 1, DM_FIXED | 0x05);
    assert_int_equal(holders(0x05), 0);
    wr(0, ESR, 0);
    assert_int_equal(rd(0, ESR) & (1u << 5), 1u << 5);
}

static void test_init_and_startup_as_linux_sends_them(void **state)
{
    (void)state;
    enable_all();
    wr(2, TASKPRI, 0x40);
    /* wakeup_secondary_cpu_via_init: INIT assert, INIT de-assert, two start-ups with the trampoline's page. */
    send(0, 2, LEVEL | ASSERT | DM_INIT);
    send(0, 2, LEVEL | DM_INIT);
    send(0, 2, DM_STARTUP | 0x9a);
    send(0, 2, DM_STARTUP | 0x9a);
    assert_int_equal(F.nsig, 3);
    assert_int_equal(F.sig[0].cpu, 2);
    assert_int_equal(F.sig[0].mode, APIC_DM_INIT);
    assert_int_equal(F.sig[1].mode, APIC_DM_STARTUP);
    assert_int_equal(F.sig[1].vector, 0x9a);
    assert_int_equal(F.sig[2].cpu, 2);
    /* INIT reset CPU 2's APIC, keeping its ID. */
    assert_int_equal(rd(2, TASKPRI), 0);
    assert_int_equal(rd(2, SPIV), 0xff);
    assert_int_equal(rd(2, ID), 2u << 24);
    assert_int_equal(rd(1, SPIV), 0x1ff);   /* the others keep theirs */
}

static void test_nmi_to_all_others(void **state)
{
    (void)state;
    send(1, 0, SH_OTHERS | DM_NMI);
    assert_int_equal(F.nsig, 3);
    unsigned seen = 0;
    for (int i = 0; i < F.nsig; i++) {
        assert_int_equal(F.sig[i].mode, APIC_DM_NMI);
        seen |= 1u << F.sig[i].cpu;
    }
    assert_int_equal(seen, 0xd);
}

static void test_icr_decoding(void **state)
{
    (void)state;
    struct apic_msg m = apic_msg_from_icr(LEVEL | ASSERT | LOGICAL | DM_INIT | SH_OTHERS | 0x12, 0x5a000000);
    assert_int_equal(m.vector, 0x12);
    assert_int_equal(m.mode, APIC_DM_INIT);
    assert_true(m.logical);
    assert_true(m.assert);
    assert_true(m.level_trigger);
    assert_int_equal(m.shorthand, APIC_SH_OTHERS);
    assert_int_equal(m.dest, 0x5a);
}

/* I/O APIC pin 10 routed by its redirection entry to APIC ID 3, level-triggered. */
static void set_rte(unsigned pin, uint64_t e)
{
    bus_mmio_write(&F.bus, IOAPIC_BASE, 4, 0x11 + 2 * pin, NULL);
    bus_mmio_write(&F.bus, IOAPIC_BASE + 0x10, 4, (uint32_t)(e >> 32), NULL);
    bus_mmio_write(&F.bus, IOAPIC_BASE, 4, 0x10 + 2 * pin, NULL);
    bus_mmio_write(&F.bus, IOAPIC_BASE + 0x10, 4, (uint32_t)e, NULL);
}

static void test_ioapic_delivers_to_any_cpu(void **state)
{
    (void)state;
    enable_all();
    set_rte(10, 3ull << 56 | IOAPIC_RTE_LEVEL | 0x90);
    ioapic_set_irq(&F.io, 10, true);
    assert_int_equal(holders(0x90), 1u << 3);
    assert_true(F.io.s.redir[10] & IOAPIC_RTE_REMOTE_IRR);
    assert_int_equal(lapic_intr_ack(&F.apic[3], &cpus[3]), 0x90);
    ioapic_set_irq(&F.io, 10, false);
    wr(3, EOI, 0);   /* CPU 3's EOI reaches the I/O APIC */
    assert_false(F.io.s.redir[10] & IOAPIC_RTE_REMOTE_IRR);
    /* Logical flat, fixed: every CPU in the mask. */
    for (unsigned c = 0; c < NCPU; c++)
        wr(c, LDR, (1u << c) << 24);
    set_rte(11, 0x05ull << 56 | 1u << 11 | 0x91);
    ioapic_set_irq(&F.io, 11, true);
    assert_int_equal(holders(0x91), 0x5);
    /* A destination nobody has: dropped, no remote IRR. */
    set_rte(12, 9ull << 56 | IOAPIC_RTE_LEVEL | 0x92);
    ioapic_set_irq(&F.io, 12, true);
    assert_int_equal(holders(0x92), 0);
    assert_false(F.io.s.redir[12] & IOAPIC_RTE_REMOTE_IRR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mmio_reaches_the_accessing_cpu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_physical_destination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shorthands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logical_flat_and_cluster, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lowest_priority_is_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fixed_ipi_to_a_disabled_apic_is_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_illegal_vector_sets_send_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_and_startup_as_linux_sends_them, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nmi_to_all_others, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icr_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ioapic_delivers_to_any_cpu, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
