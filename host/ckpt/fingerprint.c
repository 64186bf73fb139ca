/* fingerprint.c - fast content hash for the file table (see fingerprint.h). */
#include "ckpt/fingerprint.h"

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

bool file_fingerprint(const char *path, uint64_t *fp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const size_t chunk = 1u << 20;
    uint8_t *buf = malloc(chunk);
    uint64_t h = 0, total = 0;
    ssize_t n = 0;
    bool ok = buf != NULL;
    /* Hash 1 MiB chunks and chain them: the result depends on every byte and on their order. */
    while (ok && (n = read(fd, buf, chunk)) > 0) {
        h = fingerprint_bytes(buf, (uint64_t)n, h ^ total);
        total += (uint64_t)n;
    }
    if (n < 0)
        ok = false;
    free(buf);
    close(fd);
    *fp = h ^ total;
    return ok;
}
