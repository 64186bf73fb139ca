/*
 * fuzz_ckpt.c - the checkpoint index parser and the restore checks.
 *
 * The input is an m5.cpt index without its closing fingerprint: the target
 * appends a correct "[end] index_fingerprint" (a first byte 0xff writes the
 * rest as is, to reach the fingerprint check itself), so the fuzzer gets past
 * the integrity check to the part a forger controls. ckpt_open() parses and
 * checks the fixed sections; then the CPU, every PC device, a virtio disk and
 * the m5 device load their sections through ckpt_section_load, as a restore
 * does. An index every component accepts is then used: the devices' ports
 * are read and a millisecond of simulated time runs their events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ckpt/ckpt.h"
#include "ckpt/cpu_state.h"
#include "ckpt/fingerprint.h"
#include "cpu/cpu.h"
#include "cpu/cpuid.h"
#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "dev/m5dev.h"
#include "dev/m5dev_ckpt.h"
#include "dev/pc_misc.h"
#include "dev/pic8259.h"
#include "dev/pit8254.h"
#include "dev/rtc_cmos.h"
#include "dev/uart8250.h"
#include "dev/virtio_blk.h"
#include "fuzz.h"
#include "mem/bus.h"
#include "sim/eventq.h"

static void irq_ignore(void *controller, unsigned line, bool level)
{
    (void)controller, (void)line, (void)level;
}

static void reset_ignore(void *opaque)
{
    (void)opaque;
}

struct restored {
    struct eventq eq;
    struct bus bus;
    struct pic8259 pic;
    struct lapic lapic;
    struct ioapic ioapic;
    struct pit8254 pit;
    struct rtc_cmos rtc;
    struct uart8250 com1;
    struct pc_misc misc;
    struct virtio_blk vblk;
    struct m5dev m5;
};

/* One CPU for every input (its decoded-block cache is large): a load overwrites its state. */
static struct cpu cpu;

static void init(struct restored *m, FILE *console)
{
    memset(m, 0, sizeof *m);
    struct irq_line none = { irq_ignore, NULL, 0 };
    eventq_init(&m->eq);
    bus_init(&m->bus);
    pic_init(&m->pic);
    lapic_init(&m->lapic, &m->eq, 0, CPUID_CRYSTAL_HZ);
    ioapic_init(&m->ioapic, &m->lapic);
    pit_init(&m->pit, &m->eq, none);
    rtc_init(&m->rtc, &m->eq, RTC_DEFAULT_START);
    uart_init(&m->com1, none, console, NULL);
    pc_misc_init(&m->misc, reset_ignore, NULL);
    virtio_blk_init(&m->vblk, NULL, &m->bus, &m->eq, none, "fuzz");
    struct m5dev_hooks hooks = { 0 };
    m5dev_init(&m->m5, &m->eq, fuzz_tmpdir(), NULL, 0, &hooks);
    pic_attach(&m->pic, &m->bus);
    pit_attach(&m->pit, &m->bus);
    rtc_attach(&m->rtc, &m->bus);
    uart_attach(&m->com1, &m->bus, 0x3f8);
    pc_misc_attach(&m->misc, &m->bus);
}

static void fini(struct restored *m)
{
    m5dev_free(&m->m5);
    eventq_free(&m->eq);
}

static bool load_all(struct restored *m, struct ckpt_reader *r)
{
    const char *vblk = r->version == 1 ? "device.virtio_blk0" : "virtio_blk0";
    return ckpt_cpu_load(r, "cpu0", &cpu) && pic_load(&m->pic, r, "pic") &&
           ioapic_load(&m->ioapic, r, "ioapic") && lapic_load(&m->lapic, r, "lapic") &&
           pit_load(&m->pit, r, "pit") && rtc_load(&m->rtc, r, "rtc") && uart_load(&m->com1, r, "com1") &&
           pc_misc_load(&m->misc, r, "misc") && virtio_blk_load(&m->vblk, r, vblk) &&
           m5dev_load(&m->m5, r, "m5dev");
}

/* Use what was restored: every port of the legacy devices, then simulated time. */
static void exercise(struct restored *m, uint64_t tick)
{
    static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71,
                                      0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff };
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        for (int k = 0; k < 2; k++)
            bus_pio_in(&m->bus, ports[i], 1);
    for (unsigned reg = 0; reg < 128; reg++) {
        bus_pio_out(&m->bus, 0x70, 1, reg);
        bus_pio_in(&m->bus, 0x71, 1);
    }
    if (eventq_now(&m->eq) < tick)
        eventq_run_until(&m->eq, tick);
    eventq_run_until(&m->eq, eventq_now(&m->eq) + 1000000000ull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[128], index[160];
    static FILE *console;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/cpt.1", fuzz_tmpdir());
        snprintf(index, sizeof index, "%s/%s", dir, CKPT_INDEX);
        mkdir(dir, 0755);
        console = fopen("/dev/null", "w");
        static struct bus cpu_bus;
        bus_init(&cpu_bus);
        cpu_init(&cpu, &cpu_bus, 0);
    }
    if (size && data[0] == 0xff) {
        fuzz_write_file(index, data + 1, size - 1);
    } else {
        char trailer[64];
        int n = snprintf(trailer, sizeof trailer, "\n[end]\nindex_fingerprint=0x%016llx\n",
                         (unsigned long long)fingerprint_bytes(data, size, 0));
        char *buf = malloc(size + (size_t)n);
        memcpy(buf, data, size);
        memcpy(buf + size, trailer, (size_t)n);
        fuzz_write_file(index, buf, size + (size_t)n);
        free(buf);
    }

    static struct restored m;
    static struct ckpt_image img;
    int fd = fuzz_next_fd();
    init(&m, console);
    if (FUZZ_TRY) {
        ckpt_open(&img, dir);
        m.eq.now = img.tick;   /* as a restore does before the components load */
        struct ckpt_reader r;
        ckpt_reader_for(&r, &img);
        if (load_all(&m, &r))
            exercise(&m, img.tick);
        FUZZ_DONE();
    } else {
        fuzz_close_fds_from(fd);
    }
    ckpt_close(&img);
    fini(&m);
    return 0;
}
