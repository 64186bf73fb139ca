/*
 * virtio_blk.h - a virtio block device on the virtio-mmio transport
 * (virtio 1.1, sections 4.2 and 5.2), backed by a struct disk.
 *
 * Requests complete at the queue notification (the guest sees them done
 * before its notify instruction retires): deterministic and simple. Every
 * guest-supplied address, length and descriptor index is checked; a bad
 * request completes with VIRTIO_BLK_S_IOERR, a malformed ring puts the device
 * in DEVICE_NEEDS_RESET; neither can touch host memory outside guest RAM.
 */
#ifndef M5SIM_DEV_VIRTIO_BLK_H
#define M5SIM_DEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"

struct bus;
struct disk;

#define VIRTIO_QUEUE_MAX 256
/*
 * The most data one request may move (bytes): one notify then costs the host
 * at most VIRTIO_QUEUE_MAX * VIRTIO_BLK_REQUEST_MAX = 1 GiB of copying
 * instead of 32 GiB (126 segments of 1 MiB per request). Larger requests
 * complete with VIRTIO_BLK_S_IOERR; Linux's default max_sectors_kb (1280)
 * stays below it.
 */
#define VIRTIO_BLK_REQUEST_MAX (4u << 20)

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

    /* Wiring. */
    struct disk *disk;
    struct bus *bus;
    struct irq_line irq;
    uint64_t base;
    char serial[20];          /* VIRTIO_BLK_T_GET_ID answer */
};

void virtio_blk_init(struct virtio_blk *v, struct disk *disk, struct bus *bus, struct irq_line irq,
                     const char *serial);
void virtio_blk_reset(struct virtio_blk *v);
void virtio_blk_attach(struct virtio_blk *v, struct bus *bus, uint64_t base);

/*
 * Checkpoint state (ckpt/section.h): [section] with every field of the state
 * by name; a load range-checks every field before the device sees it.
 */
struct ckpt_writer;
struct ckpt_reader;
void virtio_blk_save(const struct virtio_blk *d, struct ckpt_writer *w, const char *section);
bool virtio_blk_load(struct virtio_blk *d, struct ckpt_reader *r, const char *section);

#endif
