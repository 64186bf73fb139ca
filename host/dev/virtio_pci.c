/* virtio_pci.c - virtio-blk on the modern virtio-pci transport (see virtio_pci.h). */
#include "dev/virtio_pci.h"

#include <string.h>

#include "ckpt/section.h"

/* struct virtio_pci_common_cfg (virtio 1.1, 4.1.4.3): offsets in the common structure. */
enum {
    CC_DEVICE_FEATURE_SELECT = 0x00, CC_DEVICE_FEATURE = 0x04, CC_DRIVER_FEATURE_SELECT = 0x08,
    CC_DRIVER_FEATURE = 0x0c, CC_MSIX_CONFIG = 0x10, CC_NUM_QUEUES = 0x12, CC_DEVICE_STATUS = 0x14,
    CC_CONFIG_GENERATION = 0x15, CC_QUEUE_SELECT = 0x16, CC_QUEUE_SIZE = 0x18, CC_QUEUE_MSIX_VECTOR = 0x1a,
    CC_QUEUE_ENABLE = 0x1c, CC_QUEUE_NOTIFY_OFF = 0x1e, CC_QUEUE_DESC = 0x20, CC_QUEUE_DRIVER = 0x28,
    CC_QUEUE_DEVICE = 0x30, CC_SIZE = 0x38,
};
#define NO_VECTOR 0xffffu
#define NOTIFY_OFF_MULTIPLIER 4u

/* Capability types (4.1.4). */
enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4 };
#define PCI_CAP_ID_VNDR 0x09
#define PCI_STATUS_CAP_LIST 0x0010u
#define CAPS_START 0x40u

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

/* The common structure as the driver reads it now. */
static void common_image(const struct virtio_blk *v, uint8_t *c)
{
    bool q0 = v->queue_sel == 0;
    memset(c, 0, CC_SIZE);
    put32(c + CC_DEVICE_FEATURE_SELECT, v->device_features_sel);
    put32(c + CC_DEVICE_FEATURE, virtio_blk_device_features(v->device_features_sel));
    put32(c + CC_DRIVER_FEATURE_SELECT, v->driver_features_sel);
    put32(c + CC_DRIVER_FEATURE, virtio_blk_driver_features(v));
    put16(c + CC_MSIX_CONFIG, NO_VECTOR);
    put16(c + CC_NUM_QUEUES, 1);
    c[CC_DEVICE_STATUS] = (uint8_t)v->status;
    c[CC_CONFIG_GENERATION] = (uint8_t)v->config_generation;
    put16(c + CC_QUEUE_SELECT, (uint16_t)v->queue_sel);
    /* Before the driver chooses, a queue's size reads as the largest it may have. */
    put16(c + CC_QUEUE_SIZE, !q0 ? 0 : v->q.num ? (uint16_t)v->q.num : VIRTIO_QUEUE_MAX);
    put16(c + CC_QUEUE_MSIX_VECTOR, NO_VECTOR);
    put16(c + CC_QUEUE_ENABLE, q0 ? (uint16_t)v->q.ready : 0);
    put16(c + CC_QUEUE_NOTIFY_OFF, 0);
    if (q0) {
        put64(c + CC_QUEUE_DESC, v->q.desc);
        put64(c + CC_QUEUE_DRIVER, v->q.avail);
        put64(c + CC_QUEUE_DEVICE, v->q.used);
    }
}

static void common_write(struct virtio_blk *v, uint64_t off, uint32_t val)
{
    bool q0 = v->queue_sel == 0;
    switch (off) {
    case CC_DEVICE_FEATURE_SELECT: v->device_features_sel = val; break;
    case CC_DRIVER_FEATURE_SELECT: v->driver_features_sel = val; break;
    case CC_DRIVER_FEATURE: virtio_blk_set_driver_features(v, val); break;
    case CC_DEVICE_STATUS: virtio_blk_set_status(v, val & 0xff); break;
    case CC_QUEUE_SELECT: v->queue_sel = val & 0xffff; break;
    case CC_QUEUE_SIZE: virtio_blk_set_queue_num(v, val & 0xffff); break;
    case CC_QUEUE_ENABLE:
        if (q0 && (val & 1)) {
            if (!v->q.num)
                v->q.num = VIRTIO_QUEUE_MAX;   /* the size it read */
            v->q.ready = 1;
        }
        break;
    case CC_QUEUE_DESC: if (q0) virtio_blk_set_low(&v->q.desc, val); break;
    case CC_QUEUE_DESC + 4: if (q0) virtio_blk_set_high(&v->q.desc, val); break;
    case CC_QUEUE_DRIVER: if (q0) virtio_blk_set_low(&v->q.avail, val); break;
    case CC_QUEUE_DRIVER + 4: if (q0) virtio_blk_set_high(&v->q.avail, val); break;
    case CC_QUEUE_DEVICE: if (q0) virtio_blk_set_low(&v->q.used, val); break;
    case CC_QUEUE_DEVICE + 4: if (q0) virtio_blk_set_high(&v->q.used, val); break;
    default: break;   /* read-only fields, MSI-X vectors (none) */
    }
}

uint32_t virtio_pci_blk_bar_read(struct virtio_pci_blk *d, uint64_t offset, unsigned size)
{
    struct virtio_blk *v = &d->blk;
    if (size > 4)
        size = 4;
    if (offset - VIRTIO_PCI_COMMON_OFF < CC_SIZE) {
        uint8_t c[CC_SIZE + 4] = { 0 };
        common_image(v, c);
        uint32_t val = 0;
        for (unsigned i = 0; i < size; i++)
            val |= (uint32_t)c[offset - VIRTIO_PCI_COMMON_OFF + i] << (8 * i);
        return val;
    }
    if (offset == VIRTIO_PCI_ISR_OFF) {   /* reading the ISR acknowledges the interrupt */
        uint32_t isr = v->interrupt_status;
        virtio_blk_ack_interrupt(v, isr);
        return isr;
    }
    if (offset - VIRTIO_PCI_DEVICE_OFF < 0x1000)
        return (uint32_t)virtio_blk_config_read(v, offset - VIRTIO_PCI_DEVICE_OFF, size);
    return 0;
}

void virtio_pci_blk_bar_write(struct virtio_pci_blk *d, uint64_t offset, unsigned size, uint32_t value)
{
    (void)size;
    if (offset - VIRTIO_PCI_COMMON_OFF < CC_SIZE)
        common_write(&d->blk, offset - VIRTIO_PCI_COMMON_OFF, value);
    else if (offset - VIRTIO_PCI_NOTIFY_OFF < NOTIFY_OFF_MULTIPLIER)
        virtio_blk_notify(&d->blk, value & 0xffff);   /* queue 0's notify_off is 0 */
}

static uint32_t bar_read(struct pci_function *fn, int bar, uint64_t offset, unsigned size)
{
    return bar == 0 ? virtio_pci_blk_bar_read(fn->owner, offset, size) : 0;
}

static void bar_write(struct pci_function *fn, int bar, uint64_t offset, unsigned size, uint32_t value)
{
    if (bar == 0)
        virtio_pci_blk_bar_write(fn->owner, offset, size, value);
}

static const struct pci_function_ops virtio_pci_ops = { .bar_read = bar_read, .bar_write = bar_write };

/* A struct virtio_pci_cap at `at` in configuration space; returns the offset after it. */
static unsigned add_cap(uint8_t *c, unsigned at, unsigned next, uint8_t type, uint32_t offset, uint32_t length,
                        unsigned len)
{
    c[at] = PCI_CAP_ID_VNDR;
    c[at + 1] = (uint8_t)next;
    c[at + 2] = (uint8_t)len;
    c[at + 3] = type;
    c[at + 4] = 0;                 /* BAR 0 */
    put32(c + at + 8, offset);
    put32(c + at + 12, length);
    return at + len;
}

void virtio_pci_blk_init(struct virtio_pci_blk *d, struct disk *disk, struct bus *bus, struct eventq *eq,
                         const char *serial)
{
    memset(d, 0, sizeof(*d));
    virtio_blk_init(&d->blk, disk, bus, eq, (struct irq_line){ 0 }, serial);
    uint8_t *c = d->pci_config;
    pci_config_set16(c, PCI_VENDOR_ID, 0x1af4);      /* virtio */
    pci_config_set16(c, PCI_DEVICE_ID, 0x1042);      /* 0x1040 + device type 2 (block): modern only */
    pci_config_set16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
    c[PCI_REVISION] = 0x01;                          /* 1: no legacy interface */
    c[PCI_SUBCLASS] = 0x00;
    c[PCI_CLASS] = 0x01;                             /* mass storage */
    pci_config_set16(c, PCI_SUBSYS_VENDOR, 0x1af4);
    pci_config_set16(c, PCI_SUBSYS_ID, 0x1100);
    c[PCI_INTERRUPT_PIN] = 1;                        /* INTA */
    c[PCI_CAP_PTR] = CAPS_START;
    unsigned at = CAPS_START;
    at = add_cap(c, at, at + 16, CAP_COMMON, VIRTIO_PCI_COMMON_OFF, CC_SIZE, 16);
    at = add_cap(c, at, at + 16, CAP_ISR, VIRTIO_PCI_ISR_OFF, 1, 16);
    at = add_cap(c, at, at + 16, CAP_DEVICE, VIRTIO_PCI_DEVICE_OFF, 64, 16);
    put32(c + at + 16, NOTIFY_OFF_MULTIPLIER);
    add_cap(c, at, 0, CAP_NOTIFY, VIRTIO_PCI_NOTIFY_OFF, NOTIFY_OFF_MULTIPLIER, 20);
    d->pci.config = c;
    d->pci.bar_size[0] = VIRTIO_PCI_BAR_SIZE;
    d->pci.ops = &virtio_pci_ops;
    d->pci.owner = d;
}

void virtio_pci_blk_attach(struct virtio_pci_blk *d, struct pci_host *pci, unsigned slot)
{
    pci_add_function(pci, &d->pci, slot);
    memset(d->pci.wmask + CAPS_START, 0, sizeof d->pci.wmask - CAPS_START);   /* the capabilities are read-only */
    d->blk.irq = d->pci.intx;
}

/* ------------------------------------------------------- checkpoints -- */

struct virtio_pci_state {
    uint8_t pci_config[256];
};
static const struct ckpt_field virtio_pci_fields[] = {
    CKPT_BYTESF("pci_config", struct virtio_pci_state, pci_config),
};
static const struct ckpt_layout virtio_pci_layout = CKPT_LAYOUT(virtio_pci_fields, NULL, 0);

void virtio_pci_blk_save(const struct virtio_pci_blk *d, struct ckpt_writer *w, const char *section)
{
    struct virtio_pci_state s;
    memcpy(s.pci_config, d->pci_config, sizeof s.pci_config);
    ckpt_section_save(w, section, &virtio_pci_layout, &s);
}

bool virtio_pci_blk_load(struct virtio_pci_blk *d, struct ckpt_reader *r, const char *section)
{
    struct virtio_pci_state s;
    memcpy(s.pci_config, d->pci_config, sizeof s.pci_config);
    if (!ckpt_section_load(r, section, &virtio_pci_layout, &s) ||
        !pci_config_same_function(s.pci_config, d->pci_config, r, section))
        return false;
    /* The capabilities are the device's, not the guest's: only what the guest may write comes back. */
    for (unsigned i = 0; i < sizeof s.pci_config; i++)
        d->pci_config[i] = (uint8_t)((d->pci_config[i] & ~d->pci.wmask[i]) | (s.pci_config[i] & d->pci.wmask[i]));
    for (int b = 0; b < PCI_BARS; b++)
        memcpy(d->pci_config + PCI_BAR0 + 4 * b, s.pci_config + PCI_BAR0 + 4 * b, 4);
    return true;
}
