/* payload.c - decompress a bzImage payload on the host (see payload.h). */
#include "machine/payload.h"

#include <limits.h>
#include <lz4.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20)   /* `lz4 -l` blocks decompress to at most 8 MiB */

static const struct {
    const char *name;
    uint8_t magic[6];
    size_t magic_len;
} formats[] = {
    { "gzip", { 0x1f, 0x8b }, 2 },
    { "xz", { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6 },
    { "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
    { "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4 },
    /* Known to the kernel build, not decompressed here. */
    { "bzip2", { 'B', 'Z', 'h' }, 3 },
    { "lzma", { 0x5d, 0, 0 }, 3 },
    { "lzo", { 0x89, 'L', 'Z', 'O' }, 4 },
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *payload_format(const uint8_t *in, size_t len)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (len >= formats[i].magic_len && memcmp(in, formats[i].magic, formats[i].magic_len) == 0)
            return formats[i].name;
    return NULL;
}

/* Each returns the bytes written to out (at most cap), or -1 with err set. */

static long gunzip(const uint8_t *in, size_t len, uint8_t *out, size_t cap, char *err, size_t errlen)
{
    if (len > UINT_MAX)
        return fail(err, errlen, "gzip payload of %zu bytes is too large", len);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return fail(err, errlen, "zlib: cannot start inflating");
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = inflate(&zs, Z_FINISH);
    long n = (long)zs.total_out;
    const char *msg = zs.msg;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return fail(err, errlen, "gzip: %s", msg ? msg : rc == Z_BUF_ERROR ? "truncated or larger than its size field"
                                                                           : "corrupt data");
    return n;
}

static long unxz(const uint8_t *in, size_t len, uint8_t *out, size_t cap, char *err, size_t errlen)
{
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&s, PAYLOAD_MAX_OUT, 0) != LZMA_OK)   /* one stream: the size field follows it */
        return fail(err, errlen, "liblzma: cannot start decoding");
    s.next_in = in;
    s.avail_in = len;
    s.next_out = out;
    s.avail_out = cap;
    lzma_ret rc;
    do
        rc = lzma_code(&s, LZMA_FINISH);
    while (rc == LZMA_OK);
    long n = (long)s.total_out;
    lzma_end(&s);
    if (rc != LZMA_STREAM_END)
        return fail(err, errlen, "xz: %s", rc == LZMA_DATA_ERROR ? "corrupt data"
                                           : rc == LZMA_FORMAT_ERROR ? "not an xz stream"
                                           : rc == LZMA_BUF_ERROR ? "truncated or larger than its size field"
                                           : rc == LZMA_MEMLIMIT_ERROR ? "needs too much memory"
                                           : rc == LZMA_OPTIONS_ERROR ? "unsupported options"
                                           : "decoding failed");
    return n;
}

static long unzstd(const uint8_t *in, size_t len, uint8_t *out, size_t cap, char *err, size_t errlen)
{
    size_t frame = ZSTD_findFrameCompressedSize(in, len);   /* the size field follows the frame */
    if (ZSTD_isError(frame))
        return fail(err, errlen, "zstd: %s", ZSTD_getErrorName(frame));
    size_t n = ZSTD_decompress(out, cap, in, frame);
    if (ZSTD_isError(n))
        return fail(err, errlen, "zstd: %s", ZSTD_getErrorName(n));
    return (long)n;
}

/* `lz4 -l`: the magic, then blocks of [u32 compressed size][LZ4 block]; a repeated magic starts another stream. */
static long unlz4(const uint8_t *in, size_t len, uint8_t *out, size_t cap, char *err, size_t errlen)
{
    size_t end = len - 4, pos = 4, n = 0;   /* the last 4 bytes are the kernel build's size field */
    while (pos < end) {
        if (end - pos < 4)
            return fail(err, errlen, "lz4: truncated block header at byte %zu", pos);
        uint32_t csize = le32(in + pos);
        pos += 4;
        if (csize == LZ4_LEGACY_MAGIC)
            continue;
        if (csize > end - pos || csize > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK))
            return fail(err, errlen, "lz4: block of %u bytes at byte %zu runs past the payload", csize, pos - 4);
        size_t room = cap - n < LZ4_LEGACY_BLOCK ? cap - n : LZ4_LEGACY_BLOCK;
        int got = LZ4_decompress_safe((const char *)in + pos, (char *)out + n, (int)csize, (int)room);
        if (got < 0)
            return fail(err, errlen, "lz4: corrupt block at byte %zu", pos - 4);
        n += (size_t)got;
        pos += csize;
    }
    return (long)n;
}

int payload_decompress(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
    const char *fmt = payload_format(in, len);
    if (!fmt)
        return fail(err, errlen, "payload is in no compression format m5sim knows (magic %02x %02x %02x %02x)",
                    len > 0 ? in[0] : 0, len > 1 ? in[1] : 0, len > 2 ? in[2] : 0, len > 3 ? in[3] : 0);
    long (*unpack)(const uint8_t *, size_t, uint8_t *, size_t, char *, size_t) =
        !strcmp(fmt, "gzip") ? gunzip : !strcmp(fmt, "xz") ? unxz : !strcmp(fmt, "zstd") ? unzstd
        : !strcmp(fmt, "lz4") ? unlz4 : NULL;
    if (!unpack)
        return fail(err, errlen, "payload is %s-compressed, which m5sim does not decompress", fmt);
    if (len < 8)
        return fail(err, errlen, "%s payload of %zu bytes is truncated", fmt, len);
    uint32_t size = le32(in + len - 4);
    if (size == 0 || size > PAYLOAD_MAX_OUT)
        return fail(err, errlen, "%s payload says it holds %u bytes (at most %u accepted)", fmt, size,
                    PAYLOAD_MAX_OUT);
    uint8_t *buf = malloc(size);
    if (!buf)
        return fail(err, errlen, "no memory for %u bytes", size);
    long n = unpack(in, len, buf, size, err, errlen);
    if (n < 0 || (uint32_t)n != size) {
        if (n >= 0)
            fail(err, errlen, "%s payload decompressed to %ld bytes, not the %u its size field says", fmt, n, size);
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = size;
    return 0;
}
