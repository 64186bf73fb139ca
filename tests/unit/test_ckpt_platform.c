/*
 * test_ckpt_platform.c - the checkpoint sections format version 3 added
 * with the PC platform (machine/pc_platform.h): [platform], [pci_host],
 * [acpi_pm] and [piix_ide] survive save -> load unchanged; values the
 * devices never hold and configuration spaces of other functions are
 * refused with one message naming the section and field; and an index of
 * version 2 (main's format before the PCI bus, which has none of these
 * sections) loads as a virtio-mmio PC.
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

#include "ckpt/section.h"
#include "dev/acpi_pm.h"
#include "dev/pci.h"
#include "dev/piix_ide.h"
#include "machine/pc_platform.h"

#include "ckpt_roundtrip.h"

static struct ckpt_reader *reopen(struct ckpt_writer *w, const char *edit)
{
    return reopen_as(w, edit, PC_PLATFORM_FORMAT);
}

/* An interrupt line that remembers its level. */
static int irq_level[2] = { -1, -1 };
static void record_irq(void *controller, unsigned line, bool level)
{
    (void)controller;
    irq_level[line] = level;
}

static void pci_intx(void *ctx, unsigned ioapic_pin, unsigned isa_irq, bool level)
{
    (void)ctx, (void)ioapic_pin, (void)isa_irq, (void)level;
}

/* A PIIX with two lines that record, and a busy-looking state. */
static struct piix_ide ide_a, ide_b;
static void piix_pair(void)
{
    struct irq_line p = { record_irq, NULL, 0 }, s = { record_irq, NULL, 1 };
    piix_ide_init(&ide_a, NULL, p, s);
    piix_ide_init(&ide_b, NULL, p, s);
}

/* ------------------------------------------------------ round trips -- */

static void test_platform_round_trip(void **st)
{
    (void)st;
    struct pc_platform_state a = { .disk_controller = DISK_PIIX }, b = { 0 };
    struct ckpt_writer w;
    begin(&w);
    pc_platform_save(&a, &w, "platform");
    assert_true(pc_platform_load(&b, reopen(&w, NULL), "platform"));
    assert_int_equal(b.disk_controller, DISK_PIIX);
    done();
}

static void test_pci_host_round_trip(void **st)
{
    (void)st;
    struct pci_host a, b;
    pci_host_init(&a, pci_intx, NULL);
    pci_host_init(&b, pci_intx, NULL);
    a.s.config_address = 0x80000804u;
    a.s.bridge_config[PCI_COMMAND] = 0x07;
    a.s.bridge_config[0x0d] = 0x40;         /* latency timer */
    a.s.bridge_config[0x90] = 0x5a;         /* device-specific */
    struct ckpt_writer w;
    begin(&w);
    pci_host_save(&a, &w, "pci_host");
    assert_true(pci_host_load(&b, reopen(&w, NULL), "pci_host"));
    assert_memory_equal(&a.s, &b.s, sizeof a.s);
    assert_ptr_equal(b.bridge.config, b.s.bridge_config);   /* the wiring still points at the state */
    done();
}

static void test_acpi_pm_round_trip(void **st)
{
    (void)st;
    struct acpi_pm a, b;
    acpi_pm_init(&a);
    acpi_pm_init(&b);
    a.s.pm1_status = 0x8001;
    a.s.pm1_enable = 0x0120;
    a.s.pm1_control = 0x2c01;
    struct ckpt_writer w;
    begin(&w);
    acpi_pm_save(&a, &w, "acpi_pm");
    assert_true(acpi_pm_load(&b, reopen(&w, NULL), "acpi_pm"));
    assert_memory_equal(&a.s, &b.s, sizeof a.s);
    done();
}

static void test_piix_ide_round_trip(void **st)
{
    (void)st;
    piix_pair();
    struct piix_ide_channel *c0 = &ide_a.s.ch[0], *c1 = &ide_a.s.ch[1];
    ide_a.s.pci_config[PCI_COMMAND] = 0x05;
    ide_a.s.pci_config[PCI_BAR0 + 16] = 0x01;
    ide_a.s.pci_config[PCI_BAR0 + 17] = 0xc0;
    c0->device = 0x40;
    c0->command = 0x24;
    c0->hob_lbal = 0x12;
    c0->lba = (1ull << 40) + 7;
    c0->sectors_left = 65535;
    c0->buf_len = 512;
    c0->buf_pos = 300;
    for (unsigned i = 0; i < 512; i++)
        c0->buf[i] = (uint8_t)(i * 7);
    c0->intrq = 1;                           /* asserted, NIEN clear: the line must be high after a load */
    c1->control = 0x02;                      /* NIEN */
    c1->intrq = 1;
    c1->dma_pending = 1;
    c1->dma_write = 1;
    c1->bm_command = 0x08;
    c1->bm_status = 0x65;
    c1->bm_prd = 0x0009f000u;
    ide_a.s.reads = 3;
    ide_a.s.bytes_written = 1ull << 33;
    struct ckpt_writer w;
    begin(&w);
    piix_ide_save(&ide_a, &w, "piix_ide");
    irq_level[0] = irq_level[1] = -1;
    assert_true(piix_ide_load(&ide_b, reopen(&w, NULL), "piix_ide"));
    assert_memory_equal(&ide_a.s, &ide_b.s, sizeof ide_a.s);
    assert_int_equal(irq_level[0], 1);       /* interrupt lines follow the restored state */
    assert_int_equal(irq_level[1], 0);
    assert_ptr_equal(ide_b.pci.config, ide_b.s.pci_config);
    done();
}

/* ---------------------------------------------------- older indexes -- */

/*
 * A version 2 index (main's format before the PCI bus): no [platform] and
 * no device sections of version 3. It is a virtio-mmio PC.
 */
static void test_version2_is_virtio_mmio(void **st)
{
    (void)st;
    struct ckpt_writer w;
    begin(&w);
    fprintf(w.f, "[pit]\nport61=0x0\n");
    struct pc_platform_state p = { .disk_controller = DISK_PIIX };
    assert_true(pc_platform_load(&p, reopen_as(&w, NULL, 2), "platform"));
    assert_false(reader.failed);
    assert_int_equal(p.disk_controller, DISK_VIRTIO_MMIO);
    done();
    /* Version 1 too. */
    begin(&w);
    p.disk_controller = DISK_PIIX;
    assert_true(pc_platform_load(&p, reopen_as(&w, NULL, 1), "platform"));
    assert_int_equal(p.disk_controller, DISK_VIRTIO_MMIO);
    done();
}

/* ----------------------------------------------------------- refusals -- */

static void platform_edited(const char *edit)
{
    struct pc_platform_state p = { .disk_controller = DISK_VIRTIO_MMIO };
    struct ckpt_writer w;
    begin(&w);
    pc_platform_save(&p, &w, "platform");
    assert_false(pc_platform_load(&p, reopen(&w, edit), "platform"));
}

static void test_platform_refused(void **st)
{
    (void)st;
    platform_edited("s/^disk_controller=.*/disk_controller=3/");   /* 0 virtio-mmio, 1 piix, 2 virtio-pci */
    refused("[platform] disk_controller = 3 is out of range 0..2");
    platform_edited("s/^disk_controller=.*/disk_controller=piix/");
    refused("[platform] disk_controller = 'piix' is not a number");
    platform_edited("s/^\\[platform\\]/[other]/");   /* version 3 must have it */
    refused("[platform] is missing");
}

static void pci_host_edited(const char *edit)
{
    struct pci_host h;
    pci_host_init(&h, pci_intx, NULL);
    struct ckpt_writer w;
    begin(&w);
    pci_host_save(&h, &w, "pci_host");
    assert_false(pci_host_load(&h, reopen(&w, edit), "pci_host"));
}

static void test_pci_host_refused(void **st)
{
    (void)st;
    pci_host_edited("s/^config_address=.*/config_address=0x80000003/");
    refused("[pci_host] config_address = 0x80000003 has bits CONFIG_ADDRESS never holds (0x3)");
    pci_host_edited("s/^config_address=.*/config_address=0x100000000/");
    refused("[pci_host] config_address = 0x100000000 is out of range 0..4294967295");
    pci_host_edited("s/^bridge_config=8680/bridge_config=f41a/");   /* another vendor's bridge */
    refused("[pci_host] configuration space vendor and device ID = 0x12371af4 is not this m5sim's (0x12378086)");
    pci_host_edited("s/^bridge_config=\\(.\\{22\\}\\)06/bridge_config=\\107/");   /* class: not a bridge */
    refused("[pci_host] configuration space revision and class = 0x07000002 is not this m5sim's (0x06000002)");
    pci_host_edited("s/^bridge_config=../bridge_config=/");
    refused("[pci_host] bridge_config is not 256 bytes of hex");
}

static void test_acpi_pm_refused(void **st)
{
    (void)st;
    struct acpi_pm pm;
    acpi_pm_init(&pm);
    struct ckpt_writer w;
    begin(&w);
    acpi_pm_save(&pm, &w, "acpi_pm");
    assert_false(acpi_pm_load(&pm, reopen(&w, "s/^pm1_enable=.*/pm1_enable=0x10000/"), "acpi_pm"));
    refused("[acpi_pm] pm1_enable = 0x10000 is out of range 0..65535");
    begin(&w);
    acpi_pm_save(&pm, &w, "acpi_pm");
    assert_false(acpi_pm_load(&pm, reopen(&w, "/^pm1_control=/d"), "acpi_pm"));
    refused("[acpi_pm] pm1_control is missing");
}

/* Save a fresh PIIX, apply `edit`, load: the reader's verdict (and the device unchanged). */
static void piix_edited(const char *edit)
{
    piix_pair();
    struct ckpt_writer w;
    begin(&w);
    piix_ide_save(&ide_a, &w, "piix_ide");
    struct piix_ide_state before = ide_b.s;
    assert_false(piix_ide_load(&ide_b, reopen(&w, edit), "piix_ide"));
    assert_memory_equal(&before, &ide_b.s, sizeof before);
}

static void test_piix_ide_refused(void **st)
{
    (void)st;
    piix_edited("s/^ch0.buf_pos=.*/ch0.buf_pos=0x201/");        /* past the 512-byte buffer */
    refused("[piix_ide] ch0.buf_pos = 513 is out of range 0..512");
    piix_edited("s/^ch1.buf_pos=.*/ch1.buf_pos=0x10/");         /* past an empty buffer */
    refused("[piix_ide] ch1.buf_pos = 16 is past buf_len = 0");
    piix_edited("s/^ch0.buf_len=.*/ch0.buf_len=0x100/");
    refused("[piix_ide] ch0.buf_len = 256 is neither 0 nor one sector");
    piix_edited("s/^ch1.sectors_left=.*/ch1.sectors_left=0x10001/");
    refused("[piix_ide] ch1.sectors_left = 65537 is out of range 0..65536");
    piix_edited("s/^ch0.lba=.*/ch0.lba=0xffffffffffffffff/");   /* would wrap lba * 512 */
    refused("[piix_ide] ch0.lba = 18446744073709551615 is out of range 0..281474976776192");
    piix_edited("s/^ch0.lba=.*/ch0.lba=0x1000000000000/;s/^ch0.sectors_left=.*/ch0.sectors_left=0x10001/");
    refused("[piix_ide] ch0.sectors_left = 65537 is out of range 0..65536");
    piix_edited("s/^ch0.lba=.*/ch0.lba=0x1000000000001/;s/^ch0.sectors_left=.*/ch0.sectors_left=0x10000/");
    refused("[piix_ide] ch0.lba + sectors_left = 281474976776193 is past the last LBA48 sector");
    piix_edited("s/^ch0.device=.*/ch0.device=0xa0/");
    refused("[piix_ide] ch0.device = 160 is out of range 0..95");
    piix_edited("s/^ch1.intrq=.*/ch1.intrq=0x2/");
    refused("[piix_ide] ch1.intrq = 2 is out of range 0..1");
    piix_edited("s/^ch0.bm_command=.*/ch0.bm_command=0x10/");
    refused("[piix_ide] ch0.bm_command = 16 is out of range 0..9");
    piix_edited("s/^ch0.bm_command=.*/ch0.bm_command=0x2/");
    refused("[piix_ide] ch0 bus-master bm_command = 0x2, bm_status = 0x0, bm_prd = 0x0 hold bits the controller "
            "never sets");
    piix_edited("s/^ch1.bm_prd=.*/ch1.bm_prd=0x1002/");
    refused("[piix_ide] ch1 bus-master bm_command = 0x0, bm_status = 0x0, bm_prd = 0x1002 hold bits the controller "
            "never sets");
    piix_edited("s/^pci_config=86801171/pci_config=86801070/");  /* a PIIX3 IDE's IDs */
    refused("[piix_ide] configuration space vendor and device ID = 0x70108086 is not this m5sim's (0x71118086)");
    piix_edited("/^ch1.buf=/d");
    refused("[piix_ide] ch1.buf is missing");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_platform_round_trip),
        cmocka_unit_test(test_pci_host_round_trip),
        cmocka_unit_test(test_acpi_pm_round_trip),
        cmocka_unit_test(test_piix_ide_round_trip),
        cmocka_unit_test(test_version2_is_virtio_mmio),
        cmocka_unit_test(test_platform_refused),
        cmocka_unit_test(test_pci_host_refused),
        cmocka_unit_test(test_acpi_pm_refused),
        cmocka_unit_test(test_piix_ide_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
