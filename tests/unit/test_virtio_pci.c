/*
 * test_virtio_pci.c - virtio-blk on the modern virtio-pci transport
 * (host/dev/virtio_pci.c) behind the PCI host bridge, driven as Linux's
 * virtio_pci_modern driver does: find the function, walk its vendor
 * capabilities to the common, ISR, device and notify structures in BAR 0,
 * negotiate features, set up queue 0, read a sector through the ring, take
 * the INTA interrupt (level, routed to its I/O APIC pin) and lower it by
 * reading the ISR. The virtqueue's request checks are virtio-mmio's
 * (test_virtio_blk.c): the same device code runs behind both transports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dev/pci.h"
#include "dev/virtio_pci.h"
#include "disk/disk.h"
#include "mem/bus.h"

#define RAM_SIZE (2u << 20)
#define SLOT 2u
#define DISK_SECTORS 64u
#define DISK_SIZE (DISK_SECTORS * 512u)
#define DESC   0x1000ull
#define AVAIL  0x3000ull
#define USED   0x4000ull
#define HDR    0x6000ull
#define STATUS 0x7000ull
#define DATA   0x10000ull

struct fx {
    struct bus bus;
    uint8_t *ram;
    char dir[64], base[96], overlay[96];
    struct disk *disk;
    struct pci_host pci;
    struct virtio_pci_blk d;
    struct eventq eq;
    unsigned irq_pin;
    bool irq_level;
    uint64_t common, isr, device, notify;   /* guest-physical addresses of the structures */
    uint32_t notify_mult;
};

static void intx(void *ctx, unsigned ioapic_pin, unsigned isa_irq, bool level)
{
    (void)isa_irq;
    struct fx *f = ctx;
    f->irq_pin = ioapic_pin;
    f->irq_level = level;
}

static uint32_t cfg_rd(struct fx *f, unsigned off, unsigned size)
{
    return pci_host_config_read(&f->pci, 0x80000000u | SLOT << 11 | off, size);
}

static void cfg_wr(struct fx *f, unsigned off, unsigned size, uint32_t v)
{
    pci_host_config_write(&f->pci, 0x80000000u | SLOT << 11 | off, size, v);
}

static uint32_t mrd(struct fx *f, uint64_t pa, unsigned size) { return (uint32_t)bus_mmio_read(&f->bus, pa, size, NULL); }
static void mwr(struct fx *f, uint64_t pa, unsigned size, uint32_t v) { bus_mmio_write(&f->bus, pa, size, v, NULL); }

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(f->ram != MAP_FAILED);
    bus_init(&f->bus);
    bus_add_ram(&f->bus, 0, RAM_SIZE, f->ram);
    strcpy(f->dir, "/tmp/m5sim-test-vpci-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->base, sizeof f->base, "%s/base.img", f->dir);
    snprintf(f->overlay, sizeof f->overlay, "%s/overlay.img", f->dir);
    static uint8_t img[DISK_SIZE];
    for (unsigned i = 0; i < DISK_SIZE; i++)
        img[i] = (uint8_t)(i / 512 * 7 + i);
    int fd = open(f->base, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(write(fd, img, DISK_SIZE), DISK_SIZE);
    close(fd);
    f->disk = disk_open(f->base, f->overlay);
    pci_host_init(&f->pci, intx, f);
    pci_host_attach(&f->pci, &f->bus);
    eventq_init(&f->eq);
    virtio_pci_blk_init(&f->d, f->disk, &f->bus, &f->eq, "m5sim-disk0");
    virtio_pci_blk_attach(&f->d, &f->pci, SLOT);
    pci_assign_bars(&f->pci);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    disk_close(f->disk);
    unlink(f->base);
    unlink(f->overlay);
    rmdir(f->dir);
    munmap(f->ram, RAM_SIZE);
    free(f);
    return 0;
}

/* Walk the capability list as virtio_pci_modern does; every structure must be found in BAR 0. */
static void find_structures(struct fx *f)
{
    assert_int_equal(cfg_rd(f, PCI_VENDOR_ID, 2), 0x1af4);
    assert_int_equal(cfg_rd(f, PCI_DEVICE_ID, 2), 0x1042);
    assert_true(cfg_rd(f, PCI_STATUS, 2) & 0x10);
    uint32_t bar = cfg_rd(f, PCI_BAR0, 4);
    assert_int_equal(bar & 1, 0);                    /* memory BAR */
    uint64_t base = bar & ~15u;
    assert_true(base >= PCI_MEM_WINDOW_BASE);
    assert_true(cfg_rd(f, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
    unsigned found = 0;
    for (unsigned at = cfg_rd(f, PCI_CAP_PTR, 1), n = 0; at; at = cfg_rd(f, at + 1, 1), n++) {
        assert_true(n < 48 && at >= 0x40);
        assert_int_equal(cfg_rd(f, at, 1), 0x09);    /* vendor-specific */
        unsigned type = cfg_rd(f, at + 3, 1);
        assert_int_equal(cfg_rd(f, at + 4, 1), 0);   /* BAR 0 */
        uint32_t off = cfg_rd(f, at + 8, 4), len = cfg_rd(f, at + 12, 4);
        assert_true(len > 0 && off + len <= VIRTIO_PCI_BAR_SIZE);
        found |= 1u << type;
        switch (type) {
        case 1: f->common = base + off; assert_true(len >= 0x38); break;
        case 2: f->notify = base + off; f->notify_mult = cfg_rd(f, at + 16, 4); assert_true(cfg_rd(f, at + 2, 1) >= 20); break;
        case 3: f->isr = base + off; break;
        case 4: f->device = base + off; break;
        default: break;
        }
    }
    assert_int_equal(found & 0x1e, 0x1e);
}

static void test_capabilities_and_identity(void **state)
{
    struct fx *f = *state;
    find_structures(f);
    assert_int_equal(cfg_rd(f, PCI_INTERRUPT_PIN, 1), 1);
    assert_int_equal(mrd(f, f->device, 4), DISK_SECTORS);   /* capacity, low half */
    assert_int_equal(mrd(f, f->device + 4, 4), 0);
    assert_int_equal(mrd(f, f->common + 0x12, 2), 1);       /* num_queues */
    /* The capabilities are read-only to the guest. */
    cfg_wr(f, 0x40, 4, 0);
    assert_int_equal(cfg_rd(f, 0x40, 1), 0x09);
}

static void test_read_through_queue(void **state)
{
    struct fx *f = *state;
    find_structures(f);
    uint64_t c = f->common;
    mwr(f, c + 0x14, 1, 0);                        /* reset */
    assert_int_equal(mrd(f, c + 0x14, 1), 0);
    mwr(f, c + 0x14, 1, 1 | 2);                    /* ACKNOWLEDGE | DRIVER */
    mwr(f, c + 0x00, 4, 1);
    assert_true(mrd(f, c + 0x04, 4) & 1);          /* VIRTIO_F_VERSION_1 */
    mwr(f, c + 0x08, 4, 1);
    mwr(f, c + 0x0c, 4, 1);
    mwr(f, c + 0x08, 4, 0);
    mwr(f, c + 0x0c, 4, 1u << 9);
    mwr(f, c + 0x14, 1, 1 | 2 | 8);                /* FEATURES_OK */
    assert_int_equal(mrd(f, c + 0x14, 1), 1 | 2 | 8);
    mwr(f, c + 0x16, 2, 0);
    assert_int_equal(mrd(f, c + 0x18, 2), 256);    /* the largest size, before the driver chooses */
    assert_int_equal(mrd(f, c + 0x1a, 2), 0xffff); /* no MSI-X vector */
    mwr(f, c + 0x18, 2, 8);
    mwr(f, c + 0x20, 4, (uint32_t)DESC);
    mwr(f, c + 0x24, 4, 0);
    mwr(f, c + 0x28, 4, (uint32_t)AVAIL);
    mwr(f, c + 0x2c, 4, 0);
    mwr(f, c + 0x30, 4, (uint32_t)USED);
    mwr(f, c + 0x34, 4, 0);
    mwr(f, c + 0x1c, 2, 1);
    assert_int_equal(mrd(f, c + 0x1c, 2), 1);
    mwr(f, c + 0x14, 1, 1 | 2 | 4 | 8);            /* DRIVER_OK */

    /* IN request for sector 5: header, 512-byte buffer, status. */
    struct { uint32_t type, reserved; uint64_t sector; } hdr = { 0, 0, 5 };
    memcpy(f->ram + HDR, &hdr, sizeof hdr);
    f->ram[STATUS] = 0xff;
    struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d[3] = {
        { HDR, 16, 1, 1 }, { DATA, 512, 1 | 2, 2 }, { STATUS, 1, 2, 0 } };
    memcpy(f->ram + DESC, d, sizeof d);
    uint16_t head = 0, idx = 1;
    memcpy(f->ram + AVAIL + 4, &head, 2);
    memcpy(f->ram + AVAIL + 2, &idx, 2);
    assert_false(f->irq_level);
    uint16_t notify_off = (uint16_t)mrd(f, c + 0x1e, 2);
    mwr(f, f->notify + (uint64_t)notify_off * f->notify_mult, 2, 0);

    assert_int_equal(f->ram[STATUS], 0);
    uint16_t used;
    memcpy(&used, f->ram + USED + 2, 2);
    assert_int_equal(used, 1);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(f->ram[DATA + i], (uint8_t)(5 * 7 + 5 * 512 + i));
    /* INTA, level, on the I/O APIC pin the MP table names for the slot; reading the ISR lowers it. */
    assert_true(f->irq_level);
    assert_int_equal(f->irq_pin, PCI_IRQ_PIN(SLOT, 1));
    assert_int_equal(mrd(f, f->isr, 1), 1);
    assert_false(f->irq_level);
    assert_int_equal(mrd(f, f->isr, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_capabilities_and_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_through_queue, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
