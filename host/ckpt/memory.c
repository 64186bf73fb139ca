/* memory.c - sparse guest-memory image (see memory.h). */
#include "ckpt/memory.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/log.h"

#define PAGE 4096u
#define SPAN (64u * PAGE)   /* pages are checked for residency in spans */

static bool page_is_zero(const uint8_t *p)
{
    static const uint8_t zero[PAGE];
    return memcmp(p, zero, PAGE) == 0;
}

/*
 * The data ranges of the file RAM is mapped from. mincore() only says whether
 * a page is resident: for anonymous RAM a page that is not was never touched
 * and is zero, but for RAM mapped from a checkpoint's memory.img a page the
 * restored run never touched holds the file's data whether or not the host's
 * page cache still has it. Such pages must be read whatever mincore says.
 */
struct backing {
    int fd;              /* -1: anonymous RAM */
    uint64_t known;      /* [known, lo) is a hole of the file, [lo, hi) is data */
    uint64_t lo, hi;
};

static bool backing_has_data(struct backing *b, uint64_t pos)
{
    if (b->fd < 0)
        return false;
    if (pos >= b->lo && pos < b->hi)
        return true;
    if (pos >= b->known && pos < b->lo)
        return false;
    off_t d = lseek(b->fd, (off_t)pos, SEEK_DATA);
    if (d < 0) {
        if (errno != ENXIO)
            return true;  /* cannot tell: read the page */
        b->known = pos;   /* no data from pos to the end */
        b->lo = b->hi = UINT64_MAX;
        return false;
    }
    off_t h = lseek(b->fd, d, SEEK_HOLE);
    b->known = pos;
    b->lo = (uint64_t)d;
    b->hi = h < 0 ? UINT64_MAX : (uint64_t)h;
    return pos >= b->lo;
}

int64_t ckpt_memory_write(const uint8_t *ram, uint64_t size, const char *path, const char *backing)
{
    struct backing bk = { .fd = -1, .known = 0, .lo = 0, .hi = 0 };
    if (backing && (bk.fd = open(backing, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    int fd = fs_create_new(path);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        if (bk.fd >= 0)
            close(bk.fd);
        errno = saved;
        return -1;
    }
    int64_t written = 0;
    unsigned char vec[SPAN / PAGE];
    for (uint64_t off = 0; off < size; off += SPAN) {
        uint64_t len = size - off < SPAN ? size - off : SPAN;
        /* Pages never touched are not resident in anonymous memory: skip them without reading. */
        bool check_residency = mincore((void *)(ram + off), len, vec) == 0;
        for (uint64_t p = 0; p < len; p += PAGE) {
            if (check_residency && !(vec[p / PAGE] & 1) && !backing_has_data(&bk, off + p))
                continue;
            const uint8_t *page = ram + off + p;
            if (page_is_zero(page))
                continue;
            /* Write runs of non-zero pages at once. */
            uint64_t run = PAGE;
            while (p + run < len &&
                   (!check_residency || (vec[(p + run) / PAGE] & 1) || backing_has_data(&bk, off + p + run)) &&
                   !page_is_zero(page + run))
                run += PAGE;
            if (pwrite(fd, page, run, (off_t)(off + p)) != (ssize_t)run) {
                close(fd);
                if (bk.fd >= 0)
                    close(bk.fd);
                return -1;
            }
            written += (int64_t)run;
            p += run - PAGE;
        }
    }
    if (bk.fd >= 0)
        close(bk.fd);
    if (fsync(fd) != 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return written;
}

/*
 * RAM mapped from memory.img is MAP_PRIVATE: pages the guest writes are
 * copied into anonymous memory, so the file's filesystem never has to hold
 * them (a full or read-only filesystem is fine). A read of a page the file
 * no longer has (it was truncated or removed from a network filesystem
 * while the restore runs) raises SIGBUS: say so instead of dying silently.
 */
static const uint8_t *mapped_lo, *mapped_hi;
static char mapped_path[512];

static void sigbus_handler(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    const uint8_t *a = si->si_addr;
    if (a >= mapped_lo && a < mapped_hi) {
        static const char head[] = "m5sim: ";
        static const char tail[] = ": checkpoint memory can no longer be read (the file was truncated or its "
                                   "filesystem failed while the restore ran)\n";
        ssize_t r = write(2, head, sizeof head - 1);
        r = write(2, mapped_path, strlen(mapped_path));
        r = write(2, tail, sizeof tail - 1);
        (void)r;
        _exit(2);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

uint8_t *ckpt_memory_map(const char *path, uint64_t size)
{
    /* O_NONBLOCK: a FIFO in place of memory.img must not block the open. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        fatal(path, "cannot open checkpoint memory: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        fatal(path, "checkpoint memory is not a regular file");
    if ((uint64_t)st.st_size != size)
        fatal(path, "checkpoint memory is %lld bytes, the index says %llu: truncated or corrupt",
              (long long)st.st_size, (unsigned long long)size);
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        fatal(path, "cannot map checkpoint memory (its filesystem must support mmap): %s", strerror(errno));
    mapped_lo = p;
    mapped_hi = (const uint8_t *)p + size;
    snprintf(mapped_path, sizeof mapped_path, "%s", path);
    struct sigaction sa = { .sa_sigaction = sigbus_handler, .sa_flags = SA_SIGINFO };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, NULL);
    return p;
}
