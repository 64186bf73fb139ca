/*
 * test_disk.c - the copy-on-write disk (host/disk/disk.c): reads see the
 * base image until a block is written, then the overlay; partial-block,
 * block-spanning and tail-block writes merge with the base bytes around
 * them; out-of-range requests fail with EINVAL; and the base image file is
 * byte-for-byte unchanged after everything, including when the overlay path
 * names the base image itself. Fatal paths run in a child process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "disk/disk.h"

#define SIZE (3 * 4096 + 1000)   /* not a multiple of the block size */

struct fx {
    char dir[64];
    char base[128], overlay[128];
    uint8_t orig[SIZE];    /* the base image's bytes */
    uint8_t model[SIZE];   /* what the guest should read */
    struct disk *d;
};

static void write_file(const char *path, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
}

static size_t read_file(const char *path, void *buf, size_t max)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, buf, max);
    close(fd);
    assert_true(n >= 0);
    return (size_t)n;
}

static void assert_base_unchanged(struct fx *f)
{
    static uint8_t now[SIZE + 16];
    assert_int_equal(read_file(f->base, now, sizeof now), SIZE);
    assert_memory_equal(now, f->orig, SIZE);
}

static void assert_reads_model(struct fx *f)
{
    static uint8_t got[SIZE];
    assert_int_equal(disk_read(f->d, 0, got, SIZE), 0);
    assert_memory_equal(got, f->model, SIZE);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/m5sim-test-disk-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->base, sizeof f->base, "%s/base.img", f->dir);
    snprintf(f->overlay, sizeof f->overlay, "%s/overlay.img", f->dir);
    for (size_t i = 0; i < SIZE; i++)
        f->orig[i] = (uint8_t)(i * 7 + (i >> 9));
    memcpy(f->model, f->orig, SIZE);
    write_file(f->base, f->orig, SIZE);
    f->d = disk_open(f->base, f->overlay);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    disk_close(f->d);
    /* Everything a test may have left behind when an assertion stopped it early. */
    static const char *const names[] = { "base.img", "overlay.img", "link.img", "other.img",
                                         "snap.img", "snap.map", "next.img" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s/%s", f->dir, names[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(f->dir), 0);
    free(f);
    return 0;
}

static void test_open(void **state)
{
    struct fx *f = *state;
    assert_int_equal(f->d->size, SIZE);
    assert_int_equal(f->d->nblocks, 4);
    assert_int_equal(f->d->blocks_written, 0);
    struct stat st;
    assert_int_equal(stat(f->overlay, &st), 0);
    assert_int_equal(st.st_size, SIZE);
    assert_reads_model(f);
}

static void guest_write(struct fx *f, uint64_t off, const void *buf, uint64_t len)
{
    assert_int_equal(disk_write(f->d, off, buf, len), 0);
    memcpy(f->model + off, buf, len);
}

static void test_partial_block_write(void **state)
{
    struct fx *f = *state;
    uint8_t buf[50];
    memset(buf, 0xa5, sizeof buf);
    guest_write(f, 100, buf, sizeof buf);
    assert_int_equal(f->d->blocks_written, 1);
    assert_reads_model(f);   /* bytes 0..99 and 150..4095 still the base's */

    /* A second small write to the same block keeps the first one. */
    memset(buf, 0x5a, 10);
    guest_write(f, 4000, buf, 10);
    assert_int_equal(f->d->blocks_written, 1);
    assert_reads_model(f);

    uint8_t one;
    assert_int_equal(disk_read(f->d, 99, &one, 1), 0);
    assert_int_equal(one, f->orig[99]);
    assert_int_equal(disk_read(f->d, 100, &one, 1), 0);
    assert_int_equal(one, 0xa5);
    assert_base_unchanged(f);
}

static void test_spanning_and_full_writes(void **state)
{
    struct fx *f = *state;
    uint8_t buf[4096 + 300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(0xc0 ^ i);
    guest_write(f, 4096 - 150, buf, 300);   /* blocks 0 and 1 */
    assert_int_equal(f->d->blocks_written, 2);
    assert_reads_model(f);
    guest_write(f, 2 * 4096, buf, 4096);    /* exactly block 2 */
    assert_int_equal(f->d->blocks_written, 3);
    assert_reads_model(f);

    /* Reads spanning written and unwritten blocks. */
    uint8_t got[5000];
    assert_int_equal(disk_read(f->d, 4096 - 2000, got, 5000), 0);
    assert_memory_equal(got, f->model + 4096 - 2000, 5000);
    assert_base_unchanged(f);
}

static void test_tail_block(void **state)
{
    struct fx *f = *state;
    uint8_t buf[1000];
    memset(buf, 0x11, sizeof buf);
    guest_write(f, 3 * 4096 + 500, buf, 500);   /* the last 500 bytes of the short tail block */
    assert_reads_model(f);
    guest_write(f, 3 * 4096, buf, 1000);        /* the whole tail block */
    assert_reads_model(f);
    assert_int_equal(f->d->blocks_written, 1);
    assert_base_unchanged(f);
}

static void test_out_of_range(void **state)
{
    struct fx *f = *state;
    uint8_t buf[16] = { 0 };
    errno = 0;
    assert_int_equal(disk_read(f->d, SIZE - 8, buf, 16), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(disk_write(f->d, SIZE, buf, 1), -1);
    assert_int_equal(disk_write(f->d, UINT64_MAX - 4, buf, 8), -1);
    assert_int_equal(disk_read(f->d, 8, buf, UINT64_MAX - 4), -1);
    assert_int_equal(disk_read(f->d, SIZE - 8, buf, 8), 0);
    assert_memory_equal(buf, f->orig + SIZE - 8, 8);
    assert_int_equal(disk_read(f->d, SIZE, buf, 0), 0);
    assert_int_equal(f->d->blocks_written, 0);
    assert_reads_model(f);
    assert_base_unchanged(f);
}

/* Random writes of every shape against a byte model. */
static void test_random_writes(void **state)
{
    struct fx *f = *state;
    srand(7);
    uint8_t buf[9000];
    for (int k = 0; k < 300; k++) {
        uint64_t off = (uint64_t)rand() % SIZE;
        uint64_t len = (uint64_t)rand() % 9000;
        if (len > SIZE - off)
            len = SIZE - off;
        for (uint64_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rand();
        guest_write(f, off, buf, len);
        if (k % 25 == 0)
            assert_reads_model(f);
    }
    assert_reads_model(f);
    assert_base_unchanged(f);

    /* A second disk opened on the same base sees the base, not the first one's writes. */
    char other[160];
    snprintf(other, sizeof other, "%s/other.img", f->dir);
    struct disk *d2 = disk_open(f->base, other);
    static uint8_t got[SIZE];
    assert_int_equal(disk_read(d2, 0, got, SIZE), 0);
    assert_memory_equal(got, f->orig, SIZE);
    disk_close(d2);
    unlink(other);
}

/* A checkpoint's snapshot, reopened as a new overlay, reads exactly like the disk did. */
static void test_snapshot_roundtrip(void **state)
{
    struct fx *f = *state;
    uint8_t buf[6000];
    memset(buf, 0x3c, sizeof buf);
    guest_write(f, 10, buf, 20);
    guest_write(f, 2 * 4096 + 4000, buf, 6000 > SIZE - (2 * 4096 + 4000) ? SIZE - (2 * 4096 + 4000) : 6000);
    char snap[160], map[160], next[160];
    snprintf(snap, sizeof snap, "%s/snap.img", f->dir);
    snprintf(map, sizeof map, "%s/snap.map", f->dir);
    snprintf(next, sizeof next, "%s/next.img", f->dir);
    assert_int_equal(disk_snapshot(f->d, snap, map), 0);

    /* The running disk goes on changing; the snapshot does not. */
    uint8_t later[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint8_t snap_model[SIZE];
    memcpy(snap_model, f->model, SIZE);
    guest_write(f, 4096 + 8, later, 8);

    struct disk *d2 = disk_open_snapshot(f->base, next, snap, map);
    static uint8_t got[SIZE];
    assert_int_equal(disk_read(d2, 0, got, SIZE), 0);
    assert_memory_equal(got, snap_model, SIZE);
    assert_int_equal(d2->blocks_written, f->d->blocks_written - 1);
    /* Writes to the restored disk stay in its own overlay. */
    assert_int_equal(disk_write(d2, 0, later, 8), 0);
    assert_reads_model(f);
    disk_close(d2);
    assert_base_unchanged(f);
    unlink(snap);
    unlink(map);
    unlink(next);
}

/*
 * Issue 13: a checkpoint's files are created new in the directory being
 * written; a planted symbolic link or file there is refused, never
 * followed or truncated.
 */
static void test_snapshot_never_follows_or_truncates(void **state)
{
    struct fx *f = *state;
    char victim[160], snap[160], map[160];
    snprintf(victim, sizeof victim, "%s/victim", f->dir);
    snprintf(snap, sizeof snap, "%s/snap.img", f->dir);
    snprintf(map, sizeof map, "%s/snap.map", f->dir);
    int fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "keep", 4), 4);
    close(fd);
    struct stat st;

    assert_int_equal(symlink(victim, snap), 0);            /* a link where the overlay copy goes */
    assert_int_equal(disk_snapshot(f->d, snap, map), -1);
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_size, 4);
    unlink(snap);

    assert_int_equal(symlink(victim, map), 0);             /* a link where the map goes */
    assert_int_equal(disk_snapshot(f->d, snap, map), -1);
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_size, 4);
    unlink(snap);
    unlink(map);

    assert_int_equal(link(victim, snap), 0);               /* a hard link: an existing file */
    assert_int_equal(disk_snapshot(f->d, snap, map), -1);
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_size, 4);
    unlink(snap);

    assert_int_equal(disk_snapshot(f->d, snap, map), 0);   /* a clean directory: written */
    unlink(snap);
    unlink(map);
    unlink(victim);
}

/* Run fn in a child; return its exit status (or 128+signal). */
static int in_child(void (*fn)(struct fx *), struct fx *f)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        fn(f);
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void open_overlay_on_base(struct fx *f)
{
    struct disk *d = disk_open(f->base, f->base);
    uint8_t b = 0xff;
    disk_write(d, 0, &b, 1);
    disk_close(d);
}

static void open_overlay_via_symlink(struct fx *f)
{
    char link[160];
    snprintf(link, sizeof link, "%s/link.img", f->dir);
    if (symlink(f->base, link) != 0)
        _exit(99);
    struct disk *d = disk_open(f->base, link);
    disk_close(d);
}

static void open_missing(struct fx *f)
{
    char path[160];
    snprintf(path, sizeof path, "%s/missing.img", f->dir);
    disk_open(path, f->overlay);
}

/* The overlay must never be the base image, whatever path names it. */
static void test_overlay_is_never_the_base(void **state)
{
    struct fx *f = *state;
    int st = in_child(open_overlay_on_base, f);
    assert_base_unchanged(f);
    assert_int_equal(st, 2);   /* refused with a clear error */
    st = in_child(open_overlay_via_symlink, f);
    assert_base_unchanged(f);
    assert_int_equal(st, 2);
    char link[160];
    snprintf(link, sizeof link, "%s/link.img", f->dir);
    unlink(link);
}

static void test_missing_base_is_fatal(void **state)
{
    struct fx *f = *state;
    assert_int_equal(in_child(open_missing, f), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_block_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spanning_and_full_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tail_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_never_follows_or_truncates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlay_is_never_the_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_base_is_fatal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
