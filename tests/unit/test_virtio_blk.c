/*
 * test_virtio_blk.c - the virtio-mmio block device (host/dev/virtio_blk.c),
 * driven like a guest driver through the bus: feature negotiation, a split
 * virtqueue in guest RAM, IN / OUT / FLUSH / GET_ID requests checked byte by
 * byte on the disk, in RAM and in the used ring, the interrupt line, ring
 * wrap-around; and hostile rings and requests (descriptor index out of
 * range, descriptor loops, addresses outside RAM, missing writable status,
 * sectors beyond the disk, bad queue sizes, runaway avail index, indirect
 * descriptors, oversized and misaligned buffers), each of which must end in
 * an IOERR status or DEVICE_NEEDS_RESET and never touch host memory (run it
 * under valgrind).
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

#include "dev/virtio_blk.h"
#include "disk/disk.h"
#include "mem/bus.h"

#define RAM_SIZE (2u << 20)
#define VBASE 0x10000000ull
#define DISK_SECTORS 128u
#define DISK_SIZE (DISK_SECTORS * 512u)

/* Guest-physical layout of the driver's structures. */
#define DESC   0x1000ull
#define AVAIL  0x3000ull
#define USED   0x4000ull
#define HDR    0x6000ull
#define STATUS 0x7000ull
#define DATA   0x10000ull
#define OUTSIDE 0x40000000ull   /* no RAM, no device */

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };
#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4
#define ST_NEEDS_RESET 0x40

struct fx {
    struct bus bus;
    uint8_t *ram;
    char dir[64], base[96], overlay[96];
    uint8_t orig[DISK_SIZE];
    struct disk *disk;
    struct virtio_blk v;
    struct eventq eq;
    int irq_level, irq_edges;
    unsigned num;
    uint16_t avail_idx;
    uint16_t used_at_kick;   /* used index before the last notification */
};

static void irq_set_fn(void *controller, unsigned line, bool level)
{
    struct fx *f = controller;
    assert_int_equal(line, 5);
    if (level && !f->irq_level)
        f->irq_edges++;
    f->irq_level = level;
}

static uint32_t rd(struct fx *f, uint64_t off)
{
    return (uint32_t)bus_mmio_read(&f->bus, VBASE + off, 4, NULL);
}

static void wr(struct fx *f, uint64_t off, uint32_t v)
{
    bus_mmio_write(&f->bus, VBASE + off, 4, v, NULL);
}

static void put(struct fx *f, uint64_t pa, const void *src, size_t n)
{
    assert_int_equal(bus_write_phys(&f->bus, pa, src, n), 0);
}

static void put16(struct fx *f, uint64_t pa, uint16_t v) { put(f, pa, &v, 2); }
static uint16_t get16(struct fx *f, uint64_t pa) { uint16_t v; memcpy(&v, f->ram + pa, 2); return v; }
static uint32_t get32(struct fx *f, uint64_t pa) { uint32_t v; memcpy(&v, f->ram + pa, 4); return v; }

static void desc(struct fx *f, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d = { addr, len, flags, next };
    put(f, DESC + 16ull * i, &d, 16);
}

static void header(struct fx *f, uint64_t pa, uint32_t type, uint64_t sector)
{
    struct { uint32_t type, reserved; uint64_t sector; } h = { type, 0, sector };
    put(f, pa, &h, 16);
}

/* Reset and bring the device up like Linux's virtio_mmio driver, with a queue of `num` entries. */
static void driver_init(struct fx *f, unsigned num)
{
    wr(f, 0x070, 0);
    assert_int_equal(rd(f, 0x070), 0);
    wr(f, 0x070, 1);
    wr(f, 0x070, 1 | 2);
    wr(f, 0x014, 1);
    assert_true(rd(f, 0x010) & 1);   /* VIRTIO_F_VERSION_1 */
    wr(f, 0x024, 1);
    wr(f, 0x020, 1);
    wr(f, 0x024, 0);
    wr(f, 0x020, (1u << 9) | (1u << 6));
    wr(f, 0x070, 1 | 2 | 8);
    assert_int_equal(rd(f, 0x070), 1 | 2 | 8);
    wr(f, 0x030, 0);
    assert_int_equal(rd(f, 0x034), 256);
    assert_int_equal(rd(f, 0x044), 0);
    wr(f, 0x038, num);
    wr(f, 0x080, (uint32_t)DESC);
    wr(f, 0x084, 0);
    wr(f, 0x090, (uint32_t)AVAIL);
    wr(f, 0x094, 0);
    wr(f, 0x0a0, (uint32_t)USED);
    wr(f, 0x0a4, 0);
    wr(f, 0x044, 1);
    wr(f, 0x070, 1 | 2 | 4 | 8);
    memset(f->ram + AVAIL, 0, 0x1000);
    memset(f->ram + USED, 0, 0x1000);
    f->num = num;
    f->avail_idx = 0;
}

/* Offer descriptor chain `head` and notify. */
static void kick(struct fx *f, uint16_t head)
{
    put16(f, AVAIL + 4 + 2ull * (f->avail_idx % f->num), head);
    f->avail_idx++;
    put16(f, AVAIL + 2, f->avail_idx);
    f->used_at_kick = get16(f, USED + 2);
    wr(f, 0x050, 0);
}

static uint16_t used_idx(struct fx *f) { return get16(f, USED + 2); }
static uint32_t used_id(struct fx *f, unsigned i) { return get32(f, USED + 4 + 8ull * (i % f->num)); }
static uint32_t used_len(struct fx *f, unsigned i) { return get32(f, USED + 8 + 8ull * (i % f->num)); }
static bool needs_reset(struct fx *f) { return (rd(f, 0x070) & ST_NEEDS_RESET) != 0; }

/* A three-part request: header, one data buffer, status; returns the status byte. */
static uint8_t request(struct fx *f, uint32_t type, uint64_t sector, uint64_t data, uint32_t len, bool data_writable)
{
    header(f, HDR, type, sector);
    f->ram[STATUS] = 0xff;
    desc(f, 0, HDR, 16, F_NEXT, 1);
    desc(f, 1, data, len, (uint16_t)(F_NEXT | (data_writable ? F_WRITE : 0)), 2);
    desc(f, 2, STATUS, 1, F_WRITE, 0);
    uint16_t before = used_idx(f);
    kick(f, 0);
    assert_int_equal(used_idx(f), (uint16_t)(before + 1));
    assert_int_equal(used_id(f, before), 0);
    return f->ram[STATUS];
}

static void read_base_file(struct fx *f, uint8_t *buf)
{
    int fd = open(f->base, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, buf, DISK_SIZE + 1), DISK_SIZE);
    close(fd);
}

static void assert_base_unchanged(struct fx *f)
{
    static uint8_t now[DISK_SIZE + 1];
    read_base_file(f, now);
    assert_memory_equal(now, f->orig, DISK_SIZE);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(f->ram != MAP_FAILED);
    bus_init(&f->bus);
    bus_add_ram(&f->bus, 0, RAM_SIZE, f->ram);
    strcpy(f->dir, "/tmp/m5sim-test-vblk-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->base, sizeof f->base, "%s/base.img", f->dir);
    snprintf(f->overlay, sizeof f->overlay, "%s/overlay.img", f->dir);
    for (unsigned i = 0; i < DISK_SIZE; i++)
        f->orig[i] = (uint8_t)(i / 512 + i * 3);
    int fd = open(f->base, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(write(fd, f->orig, DISK_SIZE), DISK_SIZE);
    close(fd);
    f->disk = disk_open(f->base, f->overlay);
    struct irq_line irq = { irq_set_fn, f, 5 };
    eventq_init(&f->eq);
    virtio_blk_init(&f->v, f->disk, &f->bus, &f->eq, irq, "m5sim-disk0");
    virtio_blk_attach(&f->v, &f->bus, VBASE);
    driver_init(f, 8);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    assert_base_unchanged(f);
    disk_close(f->disk);
    unlink(f->base);
    unlink(f->overlay);
    rmdir(f->dir);
    munmap(f->ram, RAM_SIZE);
    free(f);
    return 0;
}

/* ------------------------------------------------------------- normal use -- */

static void test_identity_and_config(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, 0x000), 0x74726976);
    assert_int_equal(rd(f, 0x004), 2);
    assert_int_equal(rd(f, 0x008), 2);
    wr(f, 0x014, 0);
    uint32_t feat = rd(f, 0x010);
    assert_true(feat & (1u << 9));   /* FLUSH */
    assert_true(feat & (1u << 6));   /* BLK_SIZE */
    assert_false(feat & (1u << 28)); /* no indirect descriptors offered */
    assert_int_equal(bus_mmio_read(&f->bus, VBASE + 0x100, 8, NULL), DISK_SECTORS);
    assert_int_equal(rd(f, 0x100), DISK_SECTORS);
    assert_int_equal(rd(f, 0x104), 0);
    assert_int_equal(rd(f, 0x114), 512);
    assert_true(rd(f, 0x10c) >= 1);   /* seg_max */
    assert_int_equal(rd(f, 0x044), 1);
    /* Only queue 0 exists. */
    wr(f, 0x030, 1);
    assert_int_equal(rd(f, 0x034), 0);
    assert_int_equal(rd(f, 0x044), 0);
    wr(f, 0x030, 0);
}

static void test_read(void **state)
{
    struct fx *f = *state;
    /* header, two data buffers (1024 + 512 bytes), status */
    header(f, HDR, T_IN, 2);
    desc(f, 3, HDR, 16, F_NEXT, 5);
    desc(f, 5, DATA, 1024, F_NEXT | F_WRITE, 6);
    desc(f, 6, DATA + 0x8000, 512, F_NEXT | F_WRITE, 7);
    desc(f, 7, STATUS, 1, F_WRITE, 0);
    f->ram[STATUS] = 0xff;
    kick(f, 3);
    assert_int_equal(used_idx(f), 1);
    assert_int_equal(used_id(f, 0), 3);
    assert_int_equal(used_len(f, 0), 1024 + 512 + 1);
    assert_int_equal(f->ram[STATUS], S_OK);
    assert_memory_equal(f->ram + DATA, f->orig + 1024, 1024);
    assert_memory_equal(f->ram + DATA + 0x8000, f->orig + 2048, 512);
    assert_int_equal(f->v.reads, 1);
    assert_int_equal(f->v.bytes_read, 1536);

    /* The interrupt: raised with bit 0, lowered by the acknowledgement. */
    assert_int_equal(f->irq_level, 1);
    assert_int_equal(rd(f, 0x060), 1);
    wr(f, 0x064, 1);
    assert_int_equal(rd(f, 0x060), 0);
    assert_int_equal(f->irq_level, 0);
}

static void test_write_then_read(void **state)
{
    struct fx *f = *state;
    for (unsigned i = 0; i < 1024; i++)
        f->ram[DATA + i] = (uint8_t)(0xa0 ^ i);
    assert_int_equal(request(f, T_OUT, 5, DATA, 1024, false), S_OK);
    assert_int_equal(used_len(f, 0), 1);   /* only the status byte was written to RAM */
    uint8_t got[1024];
    assert_int_equal(disk_read(f->disk, 5 * 512, got, 1024), 0);
    assert_memory_equal(got, f->ram + DATA, 1024);
    assert_int_equal(f->v.writes, 1);

    memset(f->ram + DATA + 0x4000, 0, 2048);
    assert_int_equal(request(f, T_IN, 4, DATA + 0x4000, 2048, true), S_OK);
    assert_memory_equal(f->ram + DATA + 0x4000, f->orig + 4 * 512, 512);
    assert_memory_equal(f->ram + DATA + 0x4000 + 512, got, 1024);
    assert_memory_equal(f->ram + DATA + 0x4000 + 1536, f->orig + 7 * 512, 512);
    /* teardown checks that the base image file is unchanged */
}

static void test_last_sector(void **state)
{
    struct fx *f = *state;
    assert_int_equal(request(f, T_IN, DISK_SECTORS - 1, DATA, 512, true), S_OK);
    assert_memory_equal(f->ram + DATA, f->orig + DISK_SIZE - 512, 512);
    assert_int_equal(request(f, T_OUT, DISK_SECTORS - 1, DATA, 512, false), S_OK);
}

static void test_flush_get_id_unsupported(void **state)
{
    struct fx *f = *state;
    header(f, HDR, T_FLUSH, 0);
    desc(f, 0, HDR, 16, F_NEXT, 1);
    desc(f, 1, STATUS, 1, F_WRITE, 0);
    f->ram[STATUS] = 0xff;
    kick(f, 0);
    assert_int_equal(used_idx(f), 1);
    assert_int_equal(f->ram[STATUS], S_OK);
    assert_int_equal(used_len(f, 0), 1);
    assert_int_equal(f->v.flushes, 1);

    memset(f->ram + DATA, 0xee, 64);
    assert_int_equal(request(f, T_GET_ID, 0, DATA, 20, true), S_OK);
    assert_int_equal(used_len(f, 1), 21);
    uint8_t want[20] = "m5sim-disk0";
    assert_memory_equal(f->ram + DATA, want, 20);
    assert_int_equal(f->ram[DATA + 20], 0xee);

    assert_int_equal(request(f, 99, 0, DATA, 512, true), S_UNSUPP);
    assert_int_equal(used_len(f, 2), 1);
    assert_false(needs_reset(f));
}

/* A GET_ID without a buffer for the answer must not scribble on the status byte and count it twice. */
static void test_get_id_without_buffer(void **state)
{
    struct fx *f = *state;
    header(f, HDR, T_GET_ID, 0);
    desc(f, 0, HDR, 16, F_NEXT, 1);
    desc(f, 1, STATUS, 1, F_WRITE, 0);
    kick(f, 0);
    assert_int_equal(used_idx(f), 1);
    assert_int_equal(f->ram[STATUS], S_IOERR);
    assert_int_equal(used_len(f, 0), 1);
}

static void test_batch_and_wraparound(void **state)
{
    struct fx *f = *state;
    driver_init(f, 4);
    /* queue of 4 descriptors: one request per kick, twenty times, reusing the ring */
    for (unsigned r = 0; r < 20; r++) {
        uint64_t data = DATA + 0x1000ull * (r % 8);
        memset(f->ram + data, 0, 512);
        header(f, HDR, T_IN, r);
        desc(f, 0, HDR, 16, F_NEXT, 1);
        desc(f, 1, data, 512, F_NEXT | F_WRITE, 2);
        desc(f, 2, STATUS + r, 1, F_WRITE, 0);
        kick(f, 0);
        assert_int_equal(used_idx(f), r + 1);
        assert_int_equal(f->ram[STATUS + r], S_OK);
        assert_memory_equal(f->ram + data, f->orig + 512 * r, 512);
        assert_int_equal(used_len(f, r), 513);
    }
    assert_int_equal(f->v.reads, 20);

    /* Several chains made available before a single notify are all served, in order. */
    driver_init(f, 16);
    for (unsigned r = 0; r < 3; r++) {
        unsigned d = 3 * r;
        header(f, HDR + 16 * r, T_IN, 10 + r);
        desc(f, d, HDR + 16 * r, 16, F_NEXT, (uint16_t)(d + 1));
        desc(f, d + 1, DATA + 0x1000ull * r, 512, F_NEXT | F_WRITE, (uint16_t)(d + 2));
        desc(f, d + 2, STATUS + r, 1, F_WRITE, 0);
        put16(f, AVAIL + 4 + 2ull * r, (uint16_t)d);
    }
    put16(f, AVAIL + 2, 3);
    f->avail_idx = 3;
    f->used_at_kick = 0;
    wr(f, 0x050, 0);
    assert_int_equal(used_idx(f), 3);
    for (unsigned r = 0; r < 3; r++) {
        assert_int_equal(used_id(f, r), 3 * r);
        assert_memory_equal(f->ram + DATA + 0x1000 * r, f->orig + 512 * (10 + r), 512);
    }
}

/* ---------------------------------------------------------------- hostile -- */

/* The device refuses to go on; then a reset brings it back. */
static void assert_needs_reset_then_recovers(struct fx *f)
{
    uint16_t used_before = f->used_at_kick;
    assert_true(needs_reset(f));
    assert_true(rd(f, 0x060) & 2);   /* configuration-change interrupt */
    assert_int_equal(f->irq_level, 1);
    assert_int_equal(used_idx(f), used_before);
    /* Further notifications do nothing. */
    wr(f, 0x050, 0);
    assert_int_equal(used_idx(f), used_before);
    driver_init(f, 8);
    assert_false(needs_reset(f));
    assert_int_equal(f->irq_level, 0);
    assert_int_equal(request(f, T_IN, 1, DATA, 512, true), S_OK);
    assert_memory_equal(f->ram + DATA, f->orig + 512, 512);
}

static void test_head_out_of_range(void **state)
{
    struct fx *f = *state;
    kick(f, 8);   /* queue has 8 entries: 0..7 */
    assert_needs_reset_then_recovers(f);
    kick(f, 0xffff);
    assert_needs_reset_then_recovers(f);
}

static void test_next_out_of_range(void **state)
{
    struct fx *f = *state;
    header(f, HDR, T_IN, 0);
    desc(f, 0, HDR, 16, F_NEXT, 200);
    kick(f, 0);
    assert_needs_reset_then_recovers(f);
}

static void test_descriptor_loops(void **state)
{
    struct fx *f = *state;
    header(f, HDR, T_IN, 0);
    desc(f, 0, HDR, 16, F_NEXT, 1);
    desc(f, 1, DATA, 512, F_NEXT | F_WRITE, 0);   /* 0 -> 1 -> 0 -> ... */
    kick(f, 0);
    assert_needs_reset_then_recovers(f);

    desc(f, 0, HDR, 16, F_NEXT, 0);   /* 0 -> 0 */
    kick(f, 0);
    assert_needs_reset_then_recovers(f);
}

static void test_chain_too_long(void **state)
{
    struct fx *f = *state;
    driver_init(f, 256);
    header(f, HDR, T_IN, 0);
    desc(f, 0, HDR, 16, F_NEXT, 1);
    for (unsigned i = 1; i < 255; i++)
        desc(f, i, DATA + 512ull * i, 512, F_NEXT | F_WRITE, (uint16_t)(i + 1));
    desc(f, 255, STATUS, 1, F_WRITE, 0);
    kick(f, 0);
    /* Either served or refused, but within bounds: here, beyond seg_max, refused. */
    assert_needs_reset_then_recovers(f);
}

static void test_indirect_refused(void **state)
{
    struct fx *f = *state;
    desc(f, 0, DATA, 48, F_INDIRECT, 0);
    kick(f, 0);
    assert_needs_reset_then_recovers(f);
}

static void test_data_outside_ram(void **state)
{
    struct fx *f = *state;
    assert_int_equal(request(f, T_IN, 0, OUTSIDE, 512, true), S_IOERR);
    assert_int_equal(request(f, T_IN, 0, RAM_SIZE - 512, 1024, true), S_IOERR);   /* runs off the end */
    assert_int_equal(request(f, T_IN, 0, 0xfffffffffffffe00ull, 1024, true), S_IOERR);   /* wraps */
    assert_int_equal(request(f, T_OUT, 0, OUTSIDE, 512, false), S_IOERR);
    assert_int_equal(request(f, T_OUT, 0, RAM_SIZE - 512, 1024, false), S_IOERR);
    uint8_t got[1024];
    assert_int_equal(disk_read(f->disk, 0, got, 1024), 0);
    assert_memory_equal(got, f->orig, 1024);   /* nothing half-written */
    assert_int_equal(f->v.errors, 5);
    assert_false(needs_reset(f));
}

static void test_bad_header(void **state)
{
    struct fx *f = *state;
    /* header outside RAM */
    desc(f, 0, OUTSIDE, 16, F_NEXT, 1);
    desc(f, 1, DATA, 512, F_NEXT | F_WRITE, 2);
    desc(f, 2, STATUS, 1, F_WRITE, 0);
    kick(f, 0);
    assert_int_equal(used_idx(f), 1);
    assert_int_equal(f->ram[STATUS], S_IOERR);
    /* header too short */
    header(f, HDR, T_IN, 0);
    desc(f, 0, HDR, 8, F_NEXT, 1);
    kick(f, 0);
    assert_int_equal(used_idx(f), 2);
    assert_int_equal(f->ram[STATUS], S_IOERR);
    /* header marked device-writable */
    desc(f, 0, HDR, 16, F_NEXT | F_WRITE, 1);
    kick(f, 0);
    assert_int_equal(f->ram[STATUS], S_IOERR);
    assert_false(needs_reset(f));
}

static void test_status_not_writable(void **state)
{
    struct fx *f = *state;
    header(f, HDR, T_IN, 0);
    desc(f, 0, HDR, 16, F_NEXT, 1);
    desc(f, 1, DATA, 512, F_NEXT | F_WRITE, 2);
    desc(f, 2, STATUS, 1, 0, 0);   /* read-only */
    f->ram[STATUS] = 0x77;
    kick(f, 0);
    assert_int_equal(f->ram[STATUS], 0x77);
    assert_needs_reset_then_recovers(f);

    desc(f, 0, HDR, 16, F_NEXT, 1);
    desc(f, 1, DATA, 512, F_NEXT | F_WRITE, 2);
    desc(f, 2, OUTSIDE, 1, F_WRITE, 0);   /* outside RAM */
    kick(f, 0);
    assert_needs_reset_then_recovers(f);

    desc(f, 0, HDR, 16, F_NEXT, 1);
    desc(f, 1, DATA, 512, F_NEXT | F_WRITE, 2);
    desc(f, 2, STATUS, 0, F_WRITE, 0);   /* zero length */
    kick(f, 0);
    assert_needs_reset_then_recovers(f);

    /* A lone descriptor: the header is also the (read-only) status. */
    header(f, HDR, T_IN, 0);
    desc(f, 0, HDR, 16, 0, 0);
    kick(f, 0);
    assert_needs_reset_then_recovers(f);
}

static void test_sector_beyond_disk(void **state)
{
    struct fx *f = *state;
    memset(f->ram + DATA, 0x5c, 1024);
    assert_int_equal(request(f, T_IN, DISK_SECTORS, DATA, 512, true), S_IOERR);
    assert_int_equal(request(f, T_IN, DISK_SECTORS - 1, DATA, 1024, true), S_IOERR);
    assert_int_equal(request(f, T_IN, 1ull << 63, DATA, 512, true), S_IOERR);
    assert_int_equal(request(f, T_IN, UINT64_MAX, DATA, 512, true), S_IOERR);
    assert_int_equal(request(f, T_IN, (UINT64_MAX / 512) + 1, DATA, 512, true), S_IOERR);   /* *512 wraps to 0 */
    assert_int_equal(f->ram[DATA], 0x5c);
    assert_int_equal(request(f, T_OUT, DISK_SECTORS, DATA, 512, false), S_IOERR);
    assert_int_equal(request(f, T_OUT, (UINT64_MAX / 512) + 1, DATA, 512, false), S_IOERR);
    uint8_t got[512];
    assert_int_equal(disk_read(f->disk, 0, got, 512), 0);
    assert_memory_equal(got, f->orig, 512);
    assert_int_equal(f->disk->blocks_written, 0);
}

static void test_bad_buffers(void **state)
{
    struct fx *f = *state;
    memset(f->ram + DATA, 0x5c, 1024);
    /* not a multiple of the sector size */
    assert_int_equal(request(f, T_IN, 0, DATA, 100, true), S_IOERR);
    /* IN into a buffer the driver marked read-only: refused, RAM untouched */
    assert_int_equal(request(f, T_IN, 0, DATA, 512, false), S_IOERR);
    assert_int_equal(f->ram[DATA], 0x5c);
    /* OUT from a device-writable buffer */
    assert_int_equal(request(f, T_OUT, 0, DATA, 512, true), S_IOERR);
    /* far larger than any request the device accepts */
    assert_int_equal(request(f, T_IN, 0, DATA, 0x80000000u, true), S_IOERR);
    assert_int_equal(request(f, T_OUT, 0, DATA, 0xfffffe00u, false), S_IOERR);
    assert_false(needs_reset(f));
}

static void test_bad_queue_size(void **state)
{
    struct fx *f = *state;
    static const uint32_t bad[] = { 6, 0, 512, 3, 0xffffffff };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wr(f, 0x070, 0);
        wr(f, 0x070, 1 | 2 | 8);
        wr(f, 0x030, 0);
        wr(f, 0x038, bad[i]);
        assert_true(needs_reset(f));
        /* Even if the driver goes on and makes the queue ready, nothing is processed. */
        wr(f, 0x080, (uint32_t)DESC);
        wr(f, 0x090, (uint32_t)AVAIL);
        wr(f, 0x0a0, (uint32_t)USED);
        wr(f, 0x044, 1);
        put16(f, AVAIL + 2, 1);
        put16(f, AVAIL + 4, 0);
        wr(f, 0x050, 0);
        assert_int_equal(used_idx(f), 0);
    }
    driver_init(f, 8);
    assert_int_equal(request(f, T_IN, 0, DATA, 512, true), S_OK);
}

/* The queue is made ready without a size: num stays 0 (no division by zero). */
static void test_ready_without_size(void **state)
{
    struct fx *f = *state;
    wr(f, 0x070, 0);
    wr(f, 0x070, 1 | 2 | 8);
    wr(f, 0x080, (uint32_t)DESC);
    wr(f, 0x090, (uint32_t)AVAIL);
    wr(f, 0x0a0, (uint32_t)USED);
    wr(f, 0x044, 1);
    memset(f->ram + USED, 0, 16);
    put16(f, AVAIL + 2, 1);
    put16(f, AVAIL + 4, 0);
    wr(f, 0x050, 0);
    assert_int_equal(used_idx(f), 0);
    assert_true(needs_reset(f));
}

static void test_avail_runs_ahead(void **state)
{
    struct fx *f = *state;
    put16(f, AVAIL + 2, 9);   /* 9 new entries in a ring of 8 */
    f->used_at_kick = 0;
    wr(f, 0x050, 0);
    assert_needs_reset_then_recovers(f);
}

static void test_rings_outside_ram(void **state)
{
    struct fx *f = *state;
    /* descriptor table */
    wr(f, 0x080, (uint32_t)OUTSIDE);
    kick(f, 0);
    assert_needs_reset_then_recovers(f);
    /* avail ring (high half set: far beyond RAM) */
    wr(f, 0x094, 0x100);
    kick(f, 0);
    assert_true(needs_reset(f));
    driver_init(f, 8);
    /* used ring */
    header(f, HDR, T_IN, 0);
    desc(f, 0, HDR, 16, F_NEXT, 1);
    desc(f, 1, DATA, 512, F_NEXT | F_WRITE, 2);
    desc(f, 2, STATUS, 1, F_WRITE, 0);
    wr(f, 0x0a0, (uint32_t)OUTSIDE);
    kick(f, 0);
    assert_true(needs_reset(f));
    driver_init(f, 8);
    assert_int_equal(request(f, T_IN, 0, DATA, 512, true), S_OK);
}

/* Random descriptor garbage: never a crash (valgrind watches), always a sane state. */
static void test_random_garbage(void **state)
{
    struct fx *f = *state;
    srand(99);
    for (int round = 0; round < 300; round++) {
        if (needs_reset(f) || round % 17 == 0)
            driver_init(f, 1u << (rand() % 9));
        for (unsigned i = 0; i < f->num; i++) {
            uint64_t addr;
            switch (rand() % 4) {
            case 0: addr = (uint64_t)(rand() % RAM_SIZE); break;
            case 1: addr = HDR; break;
            case 2: addr = ((uint64_t)rand() << 33) ^ (uint64_t)rand(); break;
            default: addr = RAM_SIZE - (uint64_t)(rand() % 2048); break;
            }
            desc(f, i, addr, (uint32_t)(rand() % 3 ? 512 * (rand() % 4) : rand()),
                 (uint16_t)(rand() % 8), (uint16_t)(rand() % (f->num + 2)));
        }
        header(f, HDR, (uint32_t)(rand() % 10), (uint64_t)(rand() % (DISK_SECTORS + 4)));
        kick(f, (uint16_t)(rand() % (f->num + 1)));
        uint16_t u = used_idx(f);
        assert_true((uint16_t)(f->avail_idx - u) <= f->num || needs_reset(f));
    }
}

/* Issue 13: one request moves at most VIRTIO_BLK_REQUEST_MAX bytes, refused before any copying. */
static void test_request_size_bounded(void **state)
{
    struct fx *f = *state;
    header(f, HDR, T_IN, 0);
    desc(f, 0, HDR, 16, F_NEXT, 1);
    desc(f, 1, DATA, 512, F_WRITE | F_NEXT, 2);
    for (unsigned i = 2; i < 7; i++)   /* 512 bytes + 5 x 1 MiB: over the 4 MiB cap */
        desc(f, i, DATA, 1u << 20, F_WRITE | F_NEXT, (uint16_t)(i + 1));
    desc(f, 7, STATUS, 1, F_WRITE, 0);
    f->ram[STATUS] = 0xff;
    kick(f, 0);
    assert_int_equal(used_idx(f), 1);
    assert_int_equal(f->ram[STATUS], S_IOERR);
    assert_int_equal(f->v.bytes_read, 0);   /* nothing was copied before the refusal */
    assert_int_equal(f->v.reads, 0);
    assert_false(needs_reset(f));
}

/*
 * Issue 13: one pass over the ring moves at most pass_bytes; the requests
 * after the one that crossed it wait for the next pass, which a notify does
 * not bring forward, and run at continue_at in simulated time.
 */
static void test_pass_budget(void **state)
{
    struct fx *f = *state;
    driver_init(f, 16);
    f->v.pass_bytes = 1024;
    for (unsigned r = 0; r < 4; r++) {
        unsigned d = 3 * r;
        header(f, HDR + 16 * r, T_IN, 20 + r);
        desc(f, d, HDR + 16 * r, 16, F_NEXT, (uint16_t)(d + 1));
        desc(f, d + 1, DATA + 0x1000ull * r, 512, F_NEXT | F_WRITE, (uint16_t)(d + 2));
        desc(f, d + 2, STATUS + r, 1, F_WRITE, 0);
        put16(f, AVAIL + 4 + 2ull * r, (uint16_t)d);
    }
    put16(f, AVAIL + 2, 4);
    f->avail_idx = 4;
    wr(f, 0x050, 0);
    assert_int_equal(used_idx(f), 2);                  /* 512 + 512 bytes reach the budget */
    assert_int_equal(f->irq_level, 1);                 /* the completed ones are signalled now */
    assert_int_equal(f->v.continue_at, VIRTIO_BLK_PASS_DELAY);
    wr(f, 0x050, 0);
    assert_int_equal(used_idx(f), 2);                  /* a notify does not bring the pass forward */
    eventq_run_until(&f->eq, VIRTIO_BLK_PASS_DELAY - 1);
    assert_int_equal(used_idx(f), 2);
    eventq_run_until(&f->eq, VIRTIO_BLK_PASS_DELAY);
    assert_int_equal(used_idx(f), 4);
    assert_int_equal(f->v.continue_at, 0);
    for (unsigned r = 0; r < 4; r++) {
        assert_int_equal(f->ram[STATUS + r], S_OK);
        assert_memory_equal(f->ram + DATA + 0x1000 * r, f->orig + 512 * (20 + r), 512);
    }
    /* A reset drops a pending pass. */
    for (unsigned r = 0; r < 4; r++)
        put16(f, AVAIL + 4 + 2ull * (4 + r), (uint16_t)(3 * r));
    put16(f, AVAIL + 2, 8);
    wr(f, 0x050, 0);
    assert_int_equal(used_idx(f), 6);
    assert_int_not_equal(f->v.continue_at, 0);
    wr(f, 0x070, 0);
    assert_int_equal(f->v.continue_at, 0);
    assert_false(event_scheduled(&f->v.continue_event));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identity_and_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pass_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_then_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_sector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_get_id_unsupported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_id_without_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_and_wraparound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_descriptor_loops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_outside_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_not_writable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sector_beyond_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_buffers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_queue_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ready_without_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_avail_runs_ahead, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rings_outside_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_size_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
