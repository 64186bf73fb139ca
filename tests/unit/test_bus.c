/*
 * test_bus.c - the guest physical address space (host/mem/bus.c): RAM
 * ranges and their host pointers, physical copies that refuse any byte
 * outside RAM (gaps, ends, wrap-around), copies across adjacent ranges,
 * the decoded-code notification on writes, MMIO and port I/O dispatch with
 * all-ones for unbacked addresses, and the misuse that would make the host
 * touch memory it does not own (unaligned RAM, RAM added after the CPUs'
 * block cache was sized) refused with exit status 2.
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
#include <sys/wait.h>
#include <unistd.h>

#include "mem/bus.h"

struct fx {
    struct bus bus;
    uint8_t *a, *b;   /* [0, 64K) and [1M, 1M+64K) */
};

#define A_SIZE 0x10000u
#define B_BASE 0x100000u
#define B_SIZE 0x10000u

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->a = calloc(1, A_SIZE);
    f->b = calloc(1, B_SIZE);
    bus_init(&f->bus);
    bus_add_ram(&f->bus, 0, A_SIZE, f->a);
    bus_add_ram(&f->bus, B_BASE, B_SIZE, f->b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    free(f->bus.code_bitmap);
    free(f->a);
    free(f->b);
    free(f);
    return 0;
}

static void test_ram_ranges(void **state)
{
    struct fx *f = *state;
    assert_ptr_equal(bus_ram_ptr(&f->bus, 0x10), f->a + 0x10);
    assert_ptr_equal(bus_ram_ptr(&f->bus, A_SIZE - 1), f->a + A_SIZE - 1);
    assert_null(bus_ram_ptr(&f->bus, A_SIZE));
    assert_ptr_equal(bus_ram_ptr(&f->bus, B_BASE + 5), f->b + 5);
    assert_null(bus_ram_ptr(&f->bus, B_BASE - 1));
    assert_null(bus_ram_ptr(&f->bus, B_BASE + B_SIZE));
    assert_null(bus_ram_ptr(&f->bus, ~0ull));
    assert_int_equal(f->bus.ram_top, B_BASE + B_SIZE);
}

static void test_phys_copies(void **state)
{
    struct fx *f = *state;
    uint8_t src[0x3000], dst[0x3000];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 5 + 1);
    assert_int_equal(bus_write_phys(&f->bus, 0xf00, src, 0x2200), 0);   /* three pages */
    assert_memory_equal(f->a + 0xf00, src, 0x2200);
    assert_int_equal(bus_read_phys(&f->bus, 0xf00, dst, 0x2200), 0);
    assert_memory_equal(dst, src, 0x2200);
    assert_int_equal(bus_write_phys(&f->bus, B_BASE + B_SIZE - 0x10, src, 0x10), 0);
    assert_int_equal(bus_read_phys(&f->bus, 0, dst, 0), 0);

    /* Any byte outside RAM: refused. */
    assert_int_equal(bus_read_phys(&f->bus, A_SIZE - 0x10, dst, 0x20), -1);
    assert_int_equal(bus_write_phys(&f->bus, A_SIZE - 0x10, src, 0x20), -1);
    assert_int_equal(bus_read_phys(&f->bus, A_SIZE, dst, 1), -1);
    assert_int_equal(bus_read_phys(&f->bus, B_BASE + B_SIZE - 0x10, dst, 0x11), -1);
    assert_int_equal(bus_write_phys(&f->bus, B_BASE - 1, src, 2), -1);
    assert_int_equal(bus_read_phys(&f->bus, 0xfffffffffffff800ull, dst, 0x1000), -1);   /* would wrap to 0 */
    assert_int_equal(bus_write_phys(&f->bus, 0xfffffffffffffff0ull, src, 0x20), -1);
    for (int i = 0; i < 0x10; i++)
        assert_int_equal(f->a[i], 0);
}

/* Two RAM ranges that touch: a copy across the seam uses both host buffers. */
static void test_adjacent_ranges(void **state)
{
    (void)state;
    struct bus bus;
    uint8_t *lo = calloc(1, 0x2000), *hi = calloc(1, 0x2000);
    bus_init(&bus);
    bus_add_ram(&bus, 0, 0x2000, lo);
    bus_add_ram(&bus, 0x2000, 0x2000, hi);
    uint8_t src[0x1000], dst[0x1000];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i ^ 0x5a);
    assert_int_equal(bus_write_phys(&bus, 0x1800, src, 0x1000), 0);
    assert_memory_equal(lo + 0x1800, src, 0x800);
    assert_memory_equal(hi, src + 0x800, 0x800);
    assert_int_equal(bus_read_phys(&bus, 0x1800, dst, 0x1000), 0);
    assert_memory_equal(dst, src, 0x1000);
    free(lo);
    free(hi);
}

static uint64_t written_pages[16];
static int nwritten;

static void code_written(void *opaque, uint64_t page_pa)
{
    (void)opaque;
    written_pages[nwritten++] = page_pa;
}

static void test_code_written_notification(void **state)
{
    struct fx *f = *state;
    uint64_t npages = f->bus.ram_top >> 12;
    f->bus.code_bitmap = calloc((npages + 7) / 8 + 1, 1);
    f->bus.code_written = code_written;
    f->bus.code_bitmap[0] = 1u << 3;   /* page 0x3000 holds code */
    assert_true(bus_is_code_page(&f->bus, 0x3abc));
    assert_false(bus_is_code_page(&f->bus, 0x2fff));
    assert_false(bus_is_code_page(&f->bus, f->bus.ram_top + 0x3000));

    uint8_t buf[0x3000] = { 0 };
    nwritten = 0;
    assert_int_equal(bus_write_phys(&f->bus, 0x1000, buf, 0x2000), 0);   /* pages 1, 2 */
    assert_int_equal(nwritten, 0);
    assert_int_equal(bus_write_phys(&f->bus, 0x2ff0, buf, 0x20), 0);     /* pages 2, 3 */
    assert_int_equal(nwritten, 1);
    assert_int_equal(written_pages[0], 0x3000);
    assert_int_equal(bus_write_phys(&f->bus, 0x3fff, buf, 1), 0);
    assert_int_equal(nwritten, 2);
    /* Reads never notify. */
    assert_int_equal(bus_read_phys(&f->bus, 0x3000, buf, 0x1000), 0);
    assert_int_equal(nwritten, 2);
    /* bus_code_written itself, over a range. */
    f->bus.code_bitmap[0] |= 1u << 5;
    nwritten = 0;
    bus_code_written(&f->bus, 0x3800, 0x2000);   /* pages 3, 4, 5 */
    assert_int_equal(nwritten, 2);
    assert_int_equal(written_pages[0], 0x3000);
    assert_int_equal(written_pages[1], 0x5000);
}

struct dev {
    int reads, writes;
    uint64_t off;
    unsigned size;
    uint64_t val;
    uint16_t port;
};

static uint64_t dev_read(void *d, uint64_t off, unsigned size, struct cpu *cpu)
{
    (void)cpu;
    struct dev *v = d;
    v->reads++;
    v->off = off;
    v->size = size;
    return 0xabcd0000 | off;
}

static void dev_write(void *d, uint64_t off, unsigned size, uint64_t val, struct cpu *cpu)
{
    (void)cpu;
    struct dev *v = d;
    v->writes++;
    v->off = off;
    v->size = size;
    v->val = val;
}

static uint32_t dev_in(void *d, uint16_t port, unsigned size)
{
    struct dev *v = d;
    v->reads++;
    v->port = port;
    v->size = size;
    return 0x1000u + port;
}

static void dev_out(void *d, uint16_t port, unsigned size, uint32_t val)
{
    struct dev *v = d;
    v->writes++;
    v->port = port;
    v->size = size;
    v->val = val;
}

static void test_mmio_dispatch(void **state)
{
    struct fx *f = *state;
    struct dev d1 = { 0 }, d2 = { 0 }, ro = { 0 };
    bus_add_mmio(&f->bus, "d1", 0xfee00000ull, 0x1000, dev_read, dev_write, &d1);
    bus_add_mmio(&f->bus, "d2", 0xfec00000ull, 0x20, dev_read, dev_write, &d2);
    bus_add_mmio(&f->bus, "ro", 0xd0000000ull, 0x1000, dev_read, NULL, &ro);
    assert_string_equal(bus_find_mmio(&f->bus, 0xfee00fffull)->name, "d1");
    assert_null(bus_find_mmio(&f->bus, 0xfee01000ull));
    assert_null(bus_find_mmio(&f->bus, 0x1000));

    assert_int_equal(bus_mmio_read(&f->bus, 0xfee00300ull, 4, NULL), 0xabcd0300);
    assert_int_equal(d1.off, 0x300);
    assert_int_equal(d1.size, 4);
    bus_mmio_write(&f->bus, 0xfec00010ull, 4, 0x12345678, NULL);
    assert_int_equal(d2.writes, 1);
    assert_int_equal(d2.off, 0x10);
    assert_int_equal(d2.val, 0x12345678);
    assert_int_equal(d1.writes, 0);
    bus_mmio_write(&f->bus, 0xd0000000ull, 4, 1, NULL);   /* no write handler: ignored */
    assert_int_equal(ro.writes, 0);

    /* Nothing there: all ones of the access size, writes vanish. */
    assert_int_equal(bus_mmio_read(&f->bus, 0xe0000000ull, 1, NULL), 0xff);
    assert_int_equal(bus_mmio_read(&f->bus, 0xe0000000ull, 2, NULL), 0xffff);
    assert_int_equal(bus_mmio_read(&f->bus, 0xe0000000ull, 4, NULL), 0xffffffffu);
    assert_int_equal(bus_mmio_read(&f->bus, 0xe0000000ull, 8, NULL), ~0ull);
    bus_mmio_write(&f->bus, 0xe0000000ull, 8, 0, NULL);
    assert_int_equal(d1.writes + d2.writes, 1);
}

static void test_pio_dispatch(void **state)
{
    struct fx *f = *state;
    struct dev uart = { 0 }, pic = { 0 };
    bus_add_pio(&f->bus, "uart", 0x3f8, 8, dev_in, dev_out, &uart);
    bus_add_pio(&f->bus, "pic", 0x20, 2, dev_in, dev_out, &pic);
    assert_int_equal(bus_pio_in(&f->bus, 0x3fd, 1), 0x1000 + 0x3fd);
    assert_int_equal(uart.port, 0x3fd);
    assert_int_equal(uart.size, 1);
    bus_pio_out(&f->bus, 0x21, 1, 0xfb);
    assert_int_equal(pic.writes, 1);
    assert_int_equal(pic.port, 0x21);
    assert_int_equal(pic.val, 0xfb);
    assert_int_equal(bus_pio_in(&f->bus, 0x22, 1), 0xff);   /* just past the PIC */
    assert_int_equal(bus_pio_in(&f->bus, 0x3f7, 2), 0xffff);
    assert_int_equal(bus_pio_in(&f->bus, 0x80, 4), 0xffffffffu);
    bus_pio_out(&f->bus, 0x80, 1, 0);
    assert_int_equal(uart.writes + pic.writes, 1);
}

/* ----------------------------------------------------- misuse is fatal -- */

static int in_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        fn();
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static uint8_t scratch[0x4000];

static void unaligned_size(void)
{
    struct bus bus;
    bus_init(&bus);
    bus_add_ram(&bus, 0, 0x1800, scratch);
}

static void unaligned_base(void)
{
    struct bus bus;
    bus_init(&bus);
    bus_add_ram(&bus, 0x800, 0x1000, scratch);
}

static void ram_after_cpus(void)
{
    struct bus bus;
    bus_init(&bus);
    bus_add_ram(&bus, 0, 0x1000, scratch);
    bus.block_cache = &bus;   /* a block cache sized for the RAM above exists */
    bus_add_ram(&bus, 0x1000, 0x1000, scratch + 0x1000);
}

static void too_many_ranges(void)
{
    struct bus bus;
    bus_init(&bus);
    for (unsigned i = 0; i <= BUS_MAX_RAM; i++)
        bus_add_ram(&bus, 0x1000ull * i, 0x1000, scratch);
}

static void test_misuse_is_fatal(void **state)
{
    (void)state;
    /* bus_ram_ptr's pointer is valid to the end of its page only if ranges are whole pages. */
    assert_int_equal(in_child(unaligned_size), 2);
    assert_int_equal(in_child(unaligned_base), 2);
    /* The block cache's per-page tables are sized from the RAM present at cpu_init. */
    assert_int_equal(in_child(ram_after_cpus), 2);
    assert_int_equal(in_child(too_many_ranges), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ram_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phys_copies, setup, teardown),
        cmocka_unit_test(test_adjacent_ranges),
        cmocka_unit_test_setup_teardown(test_code_written_notification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mmio_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pio_dispatch, setup, teardown),
        cmocka_unit_test(test_misuse_is_fatal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
