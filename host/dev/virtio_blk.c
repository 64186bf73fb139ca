/* virtio_blk.c - virtio block device and its virtio-mmio transport (see virtio_blk.h). */
#include "dev/virtio_blk.h"

#include "ckpt/section.h"

#include <stdlib.h>
#include <string.h>

#include "disk/disk.h"
#include "sim/eventq.h"
#include "mem/bus.h"
#include "util/log.h"

/* virtio-mmio registers (virtio 1.1, 4.2.2). */
enum {
    VM_MAGIC = 0x000, VM_VERSION = 0x004, VM_DEVICE_ID = 0x008, VM_VENDOR_ID = 0x00c,
    VM_DEVICE_FEATURES = 0x010, VM_DEVICE_FEATURES_SEL = 0x014,
    VM_DRIVER_FEATURES = 0x020, VM_DRIVER_FEATURES_SEL = 0x024,
    VM_QUEUE_SEL = 0x030, VM_QUEUE_NUM_MAX = 0x034, VM_QUEUE_NUM = 0x038, VM_QUEUE_READY = 0x044,
    VM_QUEUE_NOTIFY = 0x050, VM_INTERRUPT_STATUS = 0x060, VM_INTERRUPT_ACK = 0x064, VM_STATUS = 0x070,
    VM_QUEUE_DESC_LOW = 0x080, VM_QUEUE_DESC_HIGH = 0x084, VM_QUEUE_DRIVER_LOW = 0x090,
    VM_QUEUE_DRIVER_HIGH = 0x094, VM_QUEUE_DEVICE_LOW = 0x0a0, VM_QUEUE_DEVICE_HIGH = 0x0a4,
    VM_CONFIG_GENERATION = 0x0fc, VM_CONFIG = 0x100,
};

#define VIRTIO_MAGIC 0x74726976u
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)
#define VIRTIO_BLK_F_BLK_SIZE (1ull << 6)
#define VIRTIO_BLK_F_SEG_MAX (1ull << 2)
#define DEVICE_FEATURES (VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_SEG_MAX)

#define STATUS_NEEDS_RESET 0x40
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4

enum { BLK_T_IN = 0, BLK_T_OUT = 1, BLK_T_FLUSH = 4, BLK_T_GET_ID = 8 };
enum { BLK_S_OK = 0, BLK_S_IOERR = 1, BLK_S_UNSUPP = 2 };
#define SEG_MAX 126

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

struct seg {
    uint64_t addr;
    uint32_t len;
    bool write;
};

static void update_irq(struct virtio_blk *v)
{
    irq_set(&v->irq, v->interrupt_status != 0);
}

static void needs_reset(struct virtio_blk *v, const char *why)
{
    if (!(v->status & STATUS_NEEDS_RESET))
        warn("virtio-blk", "%s: device needs reset (guest driver bug or hostile guest)", why);
    v->status |= STATUS_NEEDS_RESET;
    v->interrupt_status |= 2;  /* configuration change notifies the driver */
    update_irq(v);
}

/* Collect a descriptor chain into segments; false if the chain is malformed. */
static bool read_chain(struct virtio_blk *v, uint16_t head, struct seg *segs, unsigned *nseg)
{
    unsigned n = 0;
    uint16_t i = head;
    for (unsigned steps = 0;; steps++) {
        if (i >= v->q.num || steps >= v->q.num || n >= SEG_MAX + 2)
            return false;
        struct vring_desc d;
        if (bus_read_phys(v->bus, v->q.desc + 16ull * i, &d, sizeof d) != 0)
            return false;
        if (d.flags & VRING_DESC_F_INDIRECT)
            return false;  /* not negotiated */
        segs[n++] = (struct seg){ d.addr, d.len, (d.flags & VRING_DESC_F_WRITE) != 0 };
        if (!(d.flags & VRING_DESC_F_NEXT))
            break;
        i = d.next;
    }
    *nseg = n;
    return true;
}

/* Perform one request; returns the virtio-blk status and the bytes written to guest memory. */
static uint8_t do_request(struct virtio_blk *v, const struct seg *segs, unsigned n, uint32_t *written)
{
    struct { uint32_t type, reserved; uint64_t sector; } hdr;
    if (n < 2 || segs[0].write || segs[0].len < sizeof hdr ||
        bus_read_phys(v->bus, segs[0].addr, &hdr, sizeof hdr) != 0)
        return BLK_S_IOERR;

    uint64_t off = hdr.sector * 512;
    static uint8_t buf[1 << 20];
    switch (hdr.type) {
    case BLK_T_IN:
    case BLK_T_OUT: {
        /* One request moves at most REQUEST_MAX bytes (Linux's default requests stay far below it). */
        uint64_t total = 0;
        for (unsigned i = 1; i + 1 < n; i++)
            total += segs[i].len;
        if (total > VIRTIO_BLK_REQUEST_MAX)
            return BLK_S_IOERR;
        for (unsigned i = 1; i + 1 < n; i++) {
            const struct seg *s = &segs[i];
            if (s->write != (hdr.type == BLK_T_IN) || s->len > sizeof buf || s->len % 512)
                return BLK_S_IOERR;
            if (hdr.sector > v->disk->size / 512 || off + s->len > v->disk->size)
                return BLK_S_IOERR;
            if (hdr.type == BLK_T_IN) {
                if (disk_read(v->disk, off, buf, s->len) != 0 || bus_write_phys(v->bus, s->addr, buf, s->len) != 0)
                    return BLK_S_IOERR;
                *written += s->len;
                v->bytes_read += s->len;
            } else {
                if (bus_read_phys(v->bus, s->addr, buf, s->len) != 0 || disk_write(v->disk, off, buf, s->len) != 0)
                    return BLK_S_IOERR;
                v->bytes_written += s->len;
            }
            off += s->len;
        }
        if (hdr.type == BLK_T_IN)
            v->reads++;
        else
            v->writes++;
        return BLK_S_OK;
    }
    case BLK_T_FLUSH:
        v->flushes++;
        return BLK_S_OK;
    case BLK_T_GET_ID: {
        const struct seg *s = &segs[1];
        if (n < 3 || !s->write)
            return BLK_S_IOERR;  /* no buffer for the answer (segs[1] would be the status byte) */
        uint32_t len = s->len < sizeof v->serial ? s->len : sizeof v->serial;
        if (bus_write_phys(v->bus, s->addr, v->serial, len) != 0)
            return BLK_S_IOERR;
        *written += len;
        return BLK_S_OK;
    }
    default:
        return BLK_S_UNSUPP;
    }
}

static void process_queue(struct virtio_blk *v)
{
    struct virtio_queue *q = &v->q;
    if (!q->ready || (v->status & STATUS_NEEDS_RESET))
        return;
    uint64_t moved_before = v->bytes_read + v->bytes_written;
    uint16_t avail_idx;
    if (bus_read_phys(v->bus, q->avail + 2, &avail_idx, 2) != 0) {
        needs_reset(v, "avail ring outside guest RAM");
        return;
    }
    if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
        needs_reset(v, "avail index runs ahead of the ring");
        return;
    }
    bool completed = false;
    while (q->last_avail != avail_idx) {
        uint16_t head;
        if (bus_read_phys(v->bus, q->avail + 4 + 2ull * (q->last_avail % q->num), &head, 2) != 0) {
            needs_reset(v, "avail ring outside guest RAM");
            return;
        }
        q->last_avail++;
        struct seg segs[SEG_MAX + 2];
        unsigned n = 0;
        if (!read_chain(v, head, segs, &n)) {
            needs_reset(v, "malformed descriptor chain");
            return;
        }
        uint32_t written = 0;
        uint8_t status = do_request(v, segs, n, &written);
        const struct seg *st = &segs[n - 1];
        if (status != BLK_S_OK)
            v->errors++;
        if (!st->write || st->len < 1 || bus_write_phys(v->bus, st->addr, &status, 1) != 0) {
            needs_reset(v, "request without a writable status byte");
            return;
        }
        written += 1;
        struct { uint32_t id, len; } elem = { head, written };
        uint64_t slot = q->used + 4 + 8ull * (q->used_idx % q->num);
        q->used_idx++;
        if (bus_write_phys(v->bus, slot, &elem, sizeof elem) != 0 ||
            bus_write_phys(v->bus, q->used + 2, &q->used_idx, 2) != 0) {
            needs_reset(v, "used ring outside guest RAM");
            return;
        }
        completed = true;
        if (q->last_avail != avail_idx &&
            v->bytes_read + v->bytes_written - moved_before >= v->pass_bytes) {
            /* The rest waits for the next pass: a guest cannot buy unbounded host work with one notify. */
            v->continue_at = eventq_now(v->eq) + VIRTIO_BLK_PASS_DELAY;
            eventq_schedule(v->eq, &v->continue_event, v->continue_at);
            break;
        }
    }
    if (completed) {
        v->interrupt_status |= 1;
        update_irq(v);
    }
}

uint64_t virtio_blk_config_read(const struct virtio_blk *v, uint64_t off, unsigned size)
{
    uint8_t cfg[64] = { 0 };
    uint64_t capacity = v->disk->size / 512;
    uint32_t seg_max = SEG_MAX, blk_size = 512;
    memcpy(cfg + 0, &capacity, 8);
    memcpy(cfg + 12, &seg_max, 4);
    memcpy(cfg + 20, &blk_size, 4);
    if (off + size > sizeof cfg)
        return 0;
    uint64_t v64 = 0;
    memcpy(&v64, cfg + off, size);
    return v64;
}

/* ------------------------------------------- the transports' interface -- */

uint32_t virtio_blk_device_features(uint32_t sel)
{
    return sel == 0 ? (uint32_t)DEVICE_FEATURES : sel == 1 ? (uint32_t)(DEVICE_FEATURES >> 32) : 0;
}

void virtio_blk_set_driver_features(struct virtio_blk *v, uint32_t val)
{
    if (v->driver_features_sel == 0)
        v->driver_features = (v->driver_features & ~0xffffffffull) | val;
    else if (v->driver_features_sel == 1)
        v->driver_features = (v->driver_features & 0xffffffffull) | (uint64_t)val << 32;
}

uint32_t virtio_blk_driver_features(const struct virtio_blk *v)
{
    return v->driver_features_sel == 0 ? (uint32_t)v->driver_features
         : v->driver_features_sel == 1 ? (uint32_t)(v->driver_features >> 32) : 0;
}

void virtio_blk_set_queue_num(struct virtio_blk *v, uint32_t val)
{
    if (v->queue_sel != 0)
        return;
    if (val && val <= VIRTIO_QUEUE_MAX && !(val & (val - 1)))
        v->q.num = val;
    else
        needs_reset(v, "queue size is not a power of two up to 256");
}

void virtio_blk_set_status(struct virtio_blk *v, uint32_t val)
{
    if (val == 0)
        virtio_blk_reset(v);
    else
        v->status = val;
}

void virtio_blk_notify(struct virtio_blk *v, uint32_t queue)
{
    /* While a pass is pending it will find the new buffers too. */
    if (queue == 0 && !v->continue_at)
        process_queue(v);
}

static void continue_event_fn(void *arg)
{
    struct virtio_blk *v = arg;
    v->continue_at = 0;
    process_queue(v);
}

void virtio_blk_ack_interrupt(struct virtio_blk *v, uint32_t bits)
{
    v->interrupt_status &= ~bits;
    update_irq(v);
}

/* ---------------------------------------------------------- virtio-mmio -- */

static uint64_t vblk_read(void *dev, uint64_t off, unsigned size, struct cpu *initiator)
{
    (void)initiator;
    struct virtio_blk *v = dev;
    if (off >= VM_CONFIG)
        return virtio_blk_config_read(v, off - VM_CONFIG, size);
    switch (off) {
    case VM_MAGIC: return VIRTIO_MAGIC;
    case VM_VERSION: return 2;
    case VM_DEVICE_ID: return VIRTIO_ID_BLOCK;
    case VM_VENDOR_ID: return 0x554d4551;  /* "QEMU": what Linux expects of no one in particular */
    case VM_DEVICE_FEATURES: return virtio_blk_device_features(v->device_features_sel);
    case VM_QUEUE_NUM_MAX: return v->queue_sel == 0 ? VIRTIO_QUEUE_MAX : 0;
    case VM_QUEUE_READY: return v->queue_sel == 0 ? v->q.ready : 0;
    case VM_INTERRUPT_STATUS: return v->interrupt_status;
    case VM_STATUS: return v->status;
    case VM_CONFIG_GENERATION: return v->config_generation;
    default: return 0;
    }
}

void virtio_blk_set_low(uint64_t *r, uint32_t val) { *r = (*r & ~0xffffffffull) | val; }
void virtio_blk_set_high(uint64_t *r, uint32_t val) { *r = (*r & 0xffffffffull) | (uint64_t)val << 32; }
#define set_low(r, val) virtio_blk_set_low(r, (uint32_t)(val))
#define set_high(r, val) virtio_blk_set_high(r, (uint32_t)(val))

static void vblk_write(void *dev, uint64_t off, unsigned size, uint64_t val, struct cpu *initiator)
{
    (void)initiator, (void)size;
    struct virtio_blk *v = dev;
    struct virtio_queue *q = &v->q;
    bool q0 = v->queue_sel == 0;
    switch (off) {
    case VM_DEVICE_FEATURES_SEL: v->device_features_sel = (uint32_t)val; break;
    case VM_DRIVER_FEATURES_SEL: v->driver_features_sel = (uint32_t)val; break;
    case VM_DRIVER_FEATURES: virtio_blk_set_driver_features(v, (uint32_t)val); break;
    case VM_QUEUE_SEL: v->queue_sel = (uint32_t)val; break;
    case VM_QUEUE_NUM: virtio_blk_set_queue_num(v, (uint32_t)val); break;
    case VM_QUEUE_READY:
        if (q0)
            q->ready = (uint32_t)val & 1;
        break;
    case VM_QUEUE_NOTIFY: virtio_blk_notify(v, (uint32_t)val); break;
    case VM_INTERRUPT_ACK: virtio_blk_ack_interrupt(v, (uint32_t)val); break;
    case VM_STATUS: virtio_blk_set_status(v, (uint32_t)val); break;
    case VM_QUEUE_DESC_LOW: if (q0) set_low(&q->desc, val); break;
    case VM_QUEUE_DESC_HIGH: if (q0) set_high(&q->desc, val); break;
    case VM_QUEUE_DRIVER_LOW: if (q0) set_low(&q->avail, val); break;
    case VM_QUEUE_DRIVER_HIGH: if (q0) set_high(&q->avail, val); break;
    case VM_QUEUE_DEVICE_LOW: if (q0) set_low(&q->used, val); break;
    case VM_QUEUE_DEVICE_HIGH: if (q0) set_high(&q->used, val); break;
    default: break;  /* read-only registers and config space: writes ignored */
    }
}

void virtio_blk_reset(struct virtio_blk *v)
{
    if (v->eq)
        eventq_deschedule(v->eq, &v->continue_event);
    v->continue_at = 0;
    v->status = 0;
    v->device_features_sel = v->driver_features_sel = 0;
    v->driver_features = 0;
    v->queue_sel = 0;
    v->interrupt_status = 0;
    memset(&v->q, 0, sizeof v->q);
    update_irq(v);
}

void virtio_blk_init(struct virtio_blk *v, struct disk *disk, struct bus *bus, struct eventq *eq,
                     struct irq_line irq, const char *serial)
{
    memset(v, 0, sizeof(*v));
    v->eq = eq;
    v->pass_bytes = VIRTIO_BLK_PASS_BYTES;
    event_init(&v->continue_event, "virtio_blk.pass", continue_event_fn, v);
    v->disk = disk;
    v->bus = bus;
    v->irq = irq;
    memcpy(v->serial, serial, strnlen(serial, sizeof v->serial));  /* not NUL-terminated when 20 bytes: virtio allows that */
    virtio_blk_reset(v);
}

void virtio_blk_attach(struct virtio_blk *v, struct bus *bus, uint64_t base)
{
    v->base = base;
    bus_add_mmio(bus, "virtio-blk", base, 0x1000, vblk_read, vblk_write, v);
}

/* ------------------------------------------------------- checkpoints -- */

#define VB struct virtio_blk
static const struct ckpt_field virtio_blk_fields[] = {
    CKPT_U32F("status", VB, status, 0, UINT32_MAX),
    CKPT_U32F("device_features_sel", VB, device_features_sel, 0, UINT32_MAX),
    CKPT_U32F("driver_features_sel", VB, driver_features_sel, 0, UINT32_MAX),
    CKPT_U64F("driver_features", VB, driver_features, 0, UINT64_MAX),
    CKPT_U32F("queue_sel", VB, queue_sel, 0, UINT32_MAX),
    CKPT_U32F("interrupt_status", VB, interrupt_status, 0, 3),
    CKPT_U32F("config_generation", VB, config_generation, 0, UINT32_MAX),
    CKPT_U32F("q.num", VB, q.num, 0, VIRTIO_QUEUE_MAX),
    CKPT_U32F("q.ready", VB, q.ready, 0, 1),
    CKPT_U64F("q.desc", VB, q.desc, 0, UINT64_MAX),
    CKPT_U64F("q.avail", VB, q.avail, 0, UINT64_MAX),
    CKPT_U64F("q.used", VB, q.used, 0, UINT64_MAX),
    CKPT_U16F("q.last_avail", VB, q.last_avail, 0, 0xffff),
    CKPT_U16F("q.used_idx", VB, q.used_idx, 0, 0xffff),
    CKPT_U64F("reads", VB, reads, 0, UINT64_MAX),
    CKPT_U64F("writes", VB, writes, 0, UINT64_MAX),
    CKPT_U64F("flushes", VB, flushes, 0, UINT64_MAX),
    CKPT_U64F("errors", VB, errors, 0, UINT64_MAX),
    CKPT_U64F("bytes_read", VB, bytes_read, 0, UINT64_MAX),
    CKPT_U64F("bytes_written", VB, bytes_written, 0, UINT64_MAX),
    { "continue_at", CKPT_U64, offsetof(VB, continue_at), 1, 0, 0, CKPT_TIME_MAX, 4 },
};
#undef VB

static bool virtio_blk_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    const struct virtio_blk *v = state;
    if (v->continue_at && v->continue_at < r->tick) {
        snprintf(why, len, "continue_at = %llu is before the checkpoint's tick %llu",
                 (unsigned long long)v->continue_at, (unsigned long long)r->tick);
        return false;
    }
    if (v->q.num & (v->q.num - 1)) {
        snprintf(why, len, "q.num = %u is not a power of two", v->q.num);
        return false;
    }
    if (v->q.ready && !v->q.num) {
        snprintf(why, len, "q.ready = 1 with q.num = 0 (an empty ring)");
        return false;
    }
    return true;
}

/* Version 1 wrote these same keys: no blob. */
static const struct ckpt_layout virtio_blk_layout = CKPT_LAYOUT(virtio_blk_fields, virtio_blk_validate, 0);

void virtio_blk_save(const struct virtio_blk *d, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &virtio_blk_layout, d);
}

bool virtio_blk_load(struct virtio_blk *d, struct ckpt_reader *r, const char *section)
{
    struct virtio_blk s = *d;   /* the wiring stays; only the declared fields change */
    if (!ckpt_section_load(r, section, &virtio_blk_layout, &s))
        return false;
    eventq_deschedule(d->eq, &d->continue_event);
    s.continue_event = d->continue_event;
    *d = s;
    if (d->continue_at)
        eventq_schedule(d->eq, &d->continue_event, d->continue_at);
    return true;
}
