/*
 * fuzz_virtio.c - the virtio queue walker (host/dev/virtio_blk.c).
 *
 * The input is a guest: its first 64 bytes are what the driver writes to the
 * device's registers (queue size, the three ring addresses, how many
 * notifications and the interrupt acknowledgement), the rest is the start of
 * guest RAM (1 MiB: descriptors, rings, request headers and buffers) behind
 * them. The device must end every request in a status or DEVICE_NEEDS_RESET
 * and never touch host memory outside RAM or the disk outside its size.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "dev/virtio_blk.h"
#include "disk/disk.h"
#include "fuzz.h"
#include "mem/bus.h"

#define RAM_SIZE (1u << 20)
#define VBASE 0x10000000ull
#define DISK_SIZE (64u * 1024)
#define REGS 64

static void irq_ignore(void *controller, unsigned line, bool level)
{
    (void)controller, (void)line, (void)level;
}

static uint64_t take(const uint8_t *regs, unsigned at, unsigned n)
{
    uint64_t v = 0;
    memcpy(&v, regs + at, n);
    return v;
}

static void wr(struct bus *bus, uint64_t off, uint32_t v)
{
    bus_mmio_write(bus, VBASE + off, 4, v, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bus bus;
    static uint8_t *ram;
    static struct disk *disk;
    static struct virtio_blk v;
    static struct eventq eq;
    if (!ram) {
        ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (ram == MAP_FAILED)
            return 0;
        bus_init(&bus);
        bus_add_ram(&bus, 0, RAM_SIZE, ram);
        char base[128], overlay[128];
        static uint8_t image[DISK_SIZE];
        for (unsigned i = 0; i < DISK_SIZE; i++)
            image[i] = (uint8_t)(i / 512);
        snprintf(base, sizeof base, "%s/base.img", fuzz_tmpdir());
        snprintf(overlay, sizeof overlay, "%s/overlay.img", fuzz_tmpdir());
        fuzz_write_file(base, image, sizeof image);
        disk = disk_open(base, overlay);
        struct irq_line irq = { irq_ignore, NULL, 5 };
        eventq_init(&eq);
        virtio_blk_init(&v, disk, &bus, &eq, irq, "fuzz-serial");
        virtio_blk_attach(&v, &bus, VBASE);
    }
    uint8_t regs[REGS] = { 0 };
    memcpy(regs, data, size < REGS ? size : REGS);
    memset(ram, 0, RAM_SIZE);
    if (size > REGS)
        memcpy(ram, data + REGS, size - REGS < RAM_SIZE ? size - REGS : RAM_SIZE);

    /* Bring the device up as Linux's virtio_mmio driver does, with the fuzzed queue. */
    wr(&bus, 0x070, 0);
    wr(&bus, 0x070, 1 | 2);
    wr(&bus, 0x024, 1);
    wr(&bus, 0x020, 1);
    wr(&bus, 0x024, 0);
    wr(&bus, 0x020, (uint32_t)take(regs, 0, 4));          /* driver features, low word */
    wr(&bus, 0x070, 1 | 2 | 8);
    wr(&bus, 0x030, regs[4] & 1);                           /* queue select (only 0 exists) */
    wr(&bus, 0x038, (uint32_t)take(regs, 6, 2));            /* queue size */
    for (unsigned i = 0; i < 3; i++) {                      /* desc, avail, used: 64-bit each */
        uint64_t addr = take(regs, 8 + 8 * i, 8);
        wr(&bus, 0x080 + 0x10 * i, (uint32_t)addr);
        wr(&bus, 0x084 + 0x10 * i, (uint32_t)(addr >> 32));
    }
    wr(&bus, 0x044, 1);
    wr(&bus, 0x070, 1 | 2 | 4 | 8);
    unsigned notifies = 1 + regs[32] % 4;
    for (unsigned i = 0; i < notifies; i++) {
        wr(&bus, 0x050, regs[33 + i] & 1);
        wr(&bus, 0x064, (uint32_t)bus_mmio_read(&bus, VBASE + 0x060, 4, NULL));
        eventq_run_until(&eq, eventq_next(&eq) == TICK_NEVER ? eq.now : eventq_next(&eq));   /* a pending pass */
    }
    bus_mmio_read(&bus, VBASE + 0x070, 4, NULL);
    return 0;
}
