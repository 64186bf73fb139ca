/* fingerprint.c - fast content hash for the file table (see fingerprint.h). */
#include "ckpt/fingerprint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define P1 0x9e3779b185ebca87ull
#define P2 0xc2b2ae3d27d4eb4full

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static inline uint64_t lane(uint64_t acc, uint64_t v) { return rotl(acc + v * P2, 31) * P1; }

uint64_t fingerprint_bytes(const void *data, uint64_t len, uint64_t seed)
{
    const uint8_t *p = data;
    uint64_t a = seed + P1, b = seed ^ P2, c = seed, d = seed - P1;
    uint64_t i = 0;
    for (; i + 32 <= len; i += 32) {
        uint64_t w[4];
        memcpy(w, p + i, 32);
        a = lane(a, w[0]);
        b = lane(b, w[1]);
        c = lane(c, w[2]);
        d = lane(d, w[3]);
    }
    uint64_t h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18) + len;
    for (; i < len; i++)
        h = rotl(h ^ (p[i] * P1), 11) * P2;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    return h;
}

bool file_identity_of(const char *path, struct file_identity *id)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    id->size = (uint64_t)st.st_size;
    id->mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
    id->inode = st.st_ino;
    id->device = st.st_dev;
    return true;
}

static bool block_is_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w)
            return false;
    }
    return true;
}

/*
 * Content-defined: the hash covers every 4 KiB block that is not all zeros,
 * with its index, so a file and its sparse copy (holes instead of written
 * zeros) have the same fingerprint. Holes are skipped with SEEK_DATA without
 * being read, which keeps fingerprinting a mostly-empty overlay cheap.
 */
bool file_fingerprint(const char *path, uint64_t *fp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return false;
    }
    const uint64_t size = (uint64_t)st.st_size, chunk = 1u << 20;
    uint8_t *buf = malloc(chunk);
    uint64_t h = size * P1;
    bool ok = buf != NULL;
    uint64_t off = 0;
    while (ok && off < size) {
        off_t data = lseek(fd, (off_t)off, SEEK_DATA);
        if (data < 0) {
            if (errno == ENXIO)
                break;                       /* only a hole remains */
            data = (off_t)off;               /* no SEEK_DATA here: read everything */
        }
        off_t hole = lseek(fd, data, SEEK_HOLE);
        uint64_t end = hole < 0 ? size : (uint64_t)hole;
        uint64_t pos = (uint64_t)data & ~4095ull;
        while (ok && pos < end) {
            uint64_t want = end - pos < chunk ? end - pos : chunk;
            ssize_t n = pread(fd, buf, want, (off_t)pos);
            if (n <= 0) {
                ok = n == 0 && pos >= size;
                break;
            }
            for (uint64_t b = 0; b < (uint64_t)n; b += 4096) {
                size_t len = (uint64_t)n - b < 4096 ? (size_t)((uint64_t)n - b) : 4096;
                uint8_t block[4096] = { 0 };
                memcpy(block, buf + b, len);
                if (!block_is_zero(block, 4096))
                    h = rotl(h ^ fingerprint_bytes(block, 4096, (pos + b) / 4096), 27) * P1 + P2;
            }
            pos += (uint64_t)n;
        }
        off = end;
    }
    free(buf);
    close(fd);
    *fp = h;
    return ok;
}
