/* disk.c - base image plus copy-on-write overlay (see disk.h). */
#include "disk/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/log.h"

struct disk *disk_open(const char *base, const char *overlay)
{
    struct disk *d = calloc(1, sizeof(*d));
    if (!d)
        fatal(base, "out of memory");
    d->base_fd = open(base, O_RDONLY | O_CLOEXEC);
    if (d->base_fd < 0)
        fatal(base, "cannot open disk image: %s", strerror(errno));
    struct stat st;
    if (fstat(d->base_fd, &st) != 0 || !S_ISREG(st.st_mode))
        fatal(base, "not a regular file");
    if (st.st_size < 512)
        fatal(base, "disk image is smaller than one sector (%lld bytes)", (long long)st.st_size);
    d->size = (uint64_t)st.st_size;
    d->nblocks = (d->size + DISK_BLOCK - 1) / DISK_BLOCK;
    d->present = calloc((d->nblocks + 7) / 8, 1);
    /* Not O_TRUNC: first make sure the overlay is not the base image under another name. */
    d->overlay_fd = open(overlay, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d->overlay_fd < 0)
        fatal(overlay, "cannot create disk overlay: %s", strerror(errno));
    struct stat ost;
    if (fstat(d->overlay_fd, &ost) != 0)
        fatal(overlay, "cannot stat disk overlay: %s", strerror(errno));
    if (ost.st_dev == st.st_dev && ost.st_ino == st.st_ino)
        fatal(overlay, "the disk overlay would overwrite the base image %s; use another output directory", base);
    if (ftruncate(d->overlay_fd, 0) != 0 || ftruncate(d->overlay_fd, (off_t)d->size) != 0)
        fatal(overlay, "cannot size disk overlay: %s", strerror(errno));
    d->base_path = strdup(base);
    d->overlay_path = strdup(overlay);
    return d;
}

void disk_close(struct disk *d)
{
    if (!d)
        return;
    close(d->base_fd);
    close(d->overlay_fd);
    free(d->present);
    free(d->base_path);
    free(d->overlay_path);
    free(d);
}

static bool present(const struct disk *d, uint64_t block)
{
    return (d->present[block >> 3] >> (block & 7)) & 1;
}

static int pread_all(int fd, void *buf, uint64_t len, uint64_t off)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {  /* past the end of a short file: zeros */
            memset(p, 0, len);
            return 0;
        }
        p += n, off += (uint64_t)n, len -= (uint64_t)n;
    }
    return 0;
}

static int pwrite_all(int fd, const void *buf, uint64_t len, uint64_t off)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n, off += (uint64_t)n, len -= (uint64_t)n;
    }
    return 0;
}

static bool in_range(const struct disk *d, uint64_t off, uint64_t len)
{
    return off <= d->size && len <= d->size - off;
}

int disk_read(struct disk *d, uint64_t off, void *buf, uint64_t len)
{
    if (!in_range(d, off, len)) {
        errno = EINVAL;
        return -1;
    }
    uint8_t *p = buf;
    while (len) {
        uint64_t block = off / DISK_BLOCK;
        uint64_t chunk = DISK_BLOCK - off % DISK_BLOCK;
        if (chunk > len)
            chunk = len;
        int fd = present(d, block) ? d->overlay_fd : d->base_fd;
        if (pread_all(fd, p, chunk, off) != 0)
            return -1;
        p += chunk, off += chunk, len -= chunk;
    }
    return 0;
}

int disk_write(struct disk *d, uint64_t off, const void *buf, uint64_t len)
{
    if (!in_range(d, off, len)) {
        errno = EINVAL;
        return -1;
    }
    const uint8_t *p = buf;
    while (len) {
        uint64_t block = off / DISK_BLOCK;
        uint64_t start = block * DISK_BLOCK;
        uint64_t chunk = DISK_BLOCK - off % DISK_BLOCK;
        if (chunk > len)
            chunk = len;
        if (!present(d, block)) {
            /* First write to this block: copy the base block into the overlay, then modify it there. */
            uint8_t tmp[DISK_BLOCK];
            uint64_t n = d->size - start < DISK_BLOCK ? d->size - start : DISK_BLOCK;
            if (chunk != n) {
                if (pread_all(d->base_fd, tmp, n, start) != 0 || pwrite_all(d->overlay_fd, tmp, n, start) != 0)
                    return -1;
            }
            d->present[block >> 3] |= (uint8_t)(1u << (block & 7));
            d->blocks_written++;
        }
        if (pwrite_all(d->overlay_fd, p, chunk, off) != 0)
            return -1;
        p += chunk, off += chunk, len -= chunk;
    }
    return 0;
}

static int copy_present_blocks(const struct disk *d, int from, int to)
{
    uint8_t buf[DISK_BLOCK];
    for (uint64_t b = 0; b < d->nblocks; b++) {
        if (!present(d, b))
            continue;
        uint64_t off = b * DISK_BLOCK;
        uint64_t n = d->size - off < DISK_BLOCK ? d->size - off : DISK_BLOCK;
        if (pread_all(from, buf, n, off) != 0 || pwrite_all(to, buf, n, off) != 0)
            return -1;
    }
    return 0;
}

int disk_snapshot(const struct disk *d, const char *overlay_copy, const char *map_path)
{
    int fd = fs_create_new(overlay_copy);
    if (fd < 0)
        return -1;
    int rc = ftruncate(fd, (off_t)d->size) == 0 && copy_present_blocks(d, d->overlay_fd, fd) == 0 &&
             fsync(fd) == 0 ? 0 : -1;
    close(fd);
    if (rc)
        return -1;
    int mfd = fs_create_new(map_path);
    if (mfd < 0)
        return -1;
    rc = pwrite_all(mfd, d->present, (d->nblocks + 7) / 8, 0) == 0 && fsync(mfd) == 0 ? 0 : -1;
    close(mfd);
    return rc;
}

struct disk *disk_open_snapshot(const char *base, const char *overlay, const char *snap_overlay,
                                const char *snap_map)
{
    struct disk *d = disk_open(base, overlay);
    size_t maplen = (d->nblocks + 7) / 8;
    int mfd = open(snap_map, O_RDONLY | O_CLOEXEC);
    if (mfd < 0)
        fatal(snap_map, "cannot open checkpoint disk map: %s", strerror(errno));
    struct stat st;
    if (fstat(mfd, &st) != 0 || (uint64_t)st.st_size != maplen)
        fatal(snap_map, "checkpoint disk map has %lld bytes, %zu expected for %s: truncated or corrupt",
              (long long)st.st_size, maplen, base);
    if (pread_all(mfd, d->present, maplen, 0) != 0)
        fatal(snap_map, "cannot read checkpoint disk map: %s", strerror(errno));
    close(mfd);
    int sfd = open(snap_overlay, O_RDONLY | O_CLOEXEC);
    if (sfd < 0)
        fatal(snap_overlay, "cannot open checkpoint disk overlay: %s", strerror(errno));
    if (fstat(sfd, &st) != 0 || (uint64_t)st.st_size != d->size)
        fatal(snap_overlay, "checkpoint disk overlay has %lld bytes, %llu expected: truncated or corrupt",
              (long long)st.st_size, (unsigned long long)d->size);
    if (copy_present_blocks(d, sfd, d->overlay_fd) != 0)
        fatal(snap_overlay, "cannot copy checkpoint disk overlay: %s", strerror(errno));
    close(sfd);
    for (uint64_t b = 0; b < d->nblocks; b++)
        d->blocks_written += present(d, b);
    return d;
}
