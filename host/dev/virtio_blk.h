/*
 * virtio_blk.h - a virtio block device (virtio 1.1, section 5.2), backed by
 * a struct disk, with its virtio-mmio transport (section 4.2) here; the
 * virtio-pci transport (dev/virtio_pci.h) drives the same device through the
 * functions below. The device's state is the transport's registers too
 * (status, feature selectors, queue 0): a checkpoint's [virtio_blkN] is the
 * same on either transport.
 *
 * Requests complete at the queue notification (the guest sees them done
 * before its notify instruction retires): deterministic and simple. One pass
 * over the ring moves at most VIRTIO_BLK_PASS_BYTES; requests beyond that
 * wait for the next pass, VIRTIO_BLK_PASS_DELAY of simulated time later, so
 * that no guest instruction buys more host work than that. Every
 * guest-supplied address, length and descriptor index is checked; a bad
 * request completes with VIRTIO_BLK_S_IOERR, a malformed ring puts the device
 * in DEVICE_NEEDS_RESET; neither can touch host memory outside guest RAM.
 */
#ifndef M5SIM_DEV_VIRTIO_BLK_H
#define M5SIM_DEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"
#include "sim/eventq.h"

struct bus;
struct disk;

#define VIRTIO_QUEUE_MAX 256
/*
 * The most data one request may move (bytes): one notify then costs the host
 * at most VIRTIO_QUEUE_MAX * VIRTIO_BLK_REQUEST_MAX = 1 GiB of copying
 * instead of 32 GiB (126 segments of 1 MiB per request), and one pass at
 * most VIRTIO_BLK_PASS_BYTES + VIRTIO_BLK_REQUEST_MAX. Larger requests
 * complete with VIRTIO_BLK_S_IOERR; Linux's default max_sectors_kb (1280)
 * stays below it.
 */
#define VIRTIO_BLK_REQUEST_MAX (4u << 20)
/*
 * The data one pass over the ring moves before the rest waits for the next
 * pass (the pass that crosses it completes its request), and the simulated
 * time between passes: a bandwidth of 16 GiB/s, above any real disk, so a
 * driver's ordinary batches (Linux queues at most a few MiB at once) never
 * wait, while a hostile ring costs simulated time in proportion to the host
 * copying it asks for.
 */
#define VIRTIO_BLK_PASS_BYTES (16u << 20)
#define VIRTIO_BLK_PASS_DELAY (TICKS_PER_SECOND / 1000)

struct virtio_queue {
    uint32_t num;             /* size chosen by the driver */
    uint32_t ready;
    uint64_t desc, avail, used;
    uint16_t last_avail;      /* next avail ring entry to process */
    uint16_t used_idx;
};

struct virtio_blk {
    /* State (serializable). */
    uint32_t status;
    uint32_t device_features_sel, driver_features_sel;
    uint64_t driver_features;
    uint32_t queue_sel;
    uint32_t interrupt_status;
    uint32_t config_generation;
    struct virtio_queue q;
    uint64_t reads, writes, flushes, errors, bytes_read, bytes_written;
    uint64_t continue_at;     /* tick of the pending pass over the ring, 0: none */

    /* Wiring. */
    struct eventq *eq;
    struct event continue_event;
    uint64_t pass_bytes;      /* VIRTIO_BLK_PASS_BYTES (tests lower it) */
    struct disk *disk;
    struct bus *bus;
    struct irq_line irq;
    uint64_t base;
    char serial[20];          /* VIRTIO_BLK_T_GET_ID answer */
};

void virtio_blk_init(struct virtio_blk *v, struct disk *disk, struct bus *bus, struct eventq *eq,
                     struct irq_line irq, const char *serial);
void virtio_blk_reset(struct virtio_blk *v);
/* virtio-mmio: map the device's registers at base. */
void virtio_blk_attach(struct virtio_blk *v, struct bus *bus, uint64_t base);

/* What a transport's registers do, whatever their layout. */
uint32_t virtio_blk_device_features(uint32_t sel);              /* 32 feature bits from bit 32 * sel */
uint32_t virtio_blk_driver_features(const struct virtio_blk *v);  /* at driver_features_sel */
void virtio_blk_set_driver_features(struct virtio_blk *v, uint32_t val);
void virtio_blk_set_queue_num(struct virtio_blk *v, uint32_t val);   /* of queue_sel; a bad size: needs reset */
void virtio_blk_set_status(struct virtio_blk *v, uint32_t val);      /* 0 resets the device */
void virtio_blk_notify(struct virtio_blk *v, uint32_t queue);        /* the driver added buffers to `queue` */
void virtio_blk_ack_interrupt(struct virtio_blk *v, uint32_t bits);  /* clear interrupt_status bits */
uint64_t virtio_blk_config_read(const struct virtio_blk *v, uint64_t off, unsigned size);   /* device config */
void virtio_blk_set_low(uint64_t *reg, uint32_t val);    /* a 64-bit register written as two halves */
void virtio_blk_set_high(uint64_t *reg, uint32_t val);

/*
 * Checkpoint state (ckpt/section.h): [section] with every field of the state
 * by name; a load range-checks every field before the device sees it.
 */
struct ckpt_writer;
struct ckpt_reader;
void virtio_blk_save(const struct virtio_blk *d, struct ckpt_writer *w, const char *section);
bool virtio_blk_load(struct virtio_blk *d, struct ckpt_reader *r, const char *section);

#endif
