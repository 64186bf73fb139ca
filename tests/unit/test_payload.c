/*
 * test_payload.c - bzImage payloads decompressed on the host
 * (host/machine/payload.c). Each payload is made here with the format's own
 * library the way the kernel build lays it out (the compressor's stream, then
 * the uncompressed size as a little-endian u32), decompressed, and compared
 * with the original; a corrupted one is refused with one line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "machine/payload.h"

#define PLAIN_LEN (300u * 1024)   /* over one gzip window, and several lz4 blocks below */

static uint8_t plain[PLAIN_LEN];
static uint8_t packed[2 * PLAIN_LEN];

/* Text-like, compressible, not trivially repetitive: like a kernel, a mix of runs and noise. */
static void make_plain(void)
{
    uint32_t x = 12345;
    for (size_t i = 0; i < PLAIN_LEN; i++) {
        x = x * 1103515245u + 12345u;
        plain[i] = (i / 4096) % 2 ? (uint8_t)"m5sim kernel payload "[i % 21] : (uint8_t)(x >> 24 & 0x0f);
    }
}

static size_t append_size(size_t n, uint32_t size)
{
    for (int i = 0; i < 4; i++)
        packed[n++] = (uint8_t)(size >> (8 * i));
    return n;
}

static size_t pack_gzip(const uint8_t *in, size_t len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = packed;
    zs.avail_out = sizeof packed;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    return n;   /* gzip's own trailer ends with the size */
}

static size_t pack_xz(const uint8_t *in, size_t len)
{
    size_t n = 0;
    assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, packed, &n, sizeof packed), LZMA_OK);
    return append_size(n, (uint32_t)len);
}

/* With a content checksum, as the zstd command the kernel build runs writes by default. */
static size_t pack_zstd(const uint8_t *in, size_t len)
{
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 19)));
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1)));
    size_t n = ZSTD_compress2(cc, packed, sizeof packed, in, len);
    ZSTD_freeCCtx(cc);
    assert_false(ZSTD_isError(n));
    return append_size(n, (uint32_t)len);
}

/* `lz4 -l`: the legacy magic, then [u32 size][block] for each 8 MiB (here: 100 KiB, to have several). */
static size_t pack_lz4(const uint8_t *in, size_t len)
{
    size_t n = 0;
    static const uint8_t magic[4] = { 0x02, 0x21, 0x4c, 0x18 };
    memcpy(packed, magic, 4);
    n = 4;
    for (size_t off = 0; off < len; off += 100 * 1024) {
        size_t chunk = len - off < 100 * 1024 ? len - off : 100 * 1024;
        int c = LZ4_compress_default((const char *)in + off, (char *)packed + n + 4, (int)chunk,
                                     (int)(sizeof packed - n - 4));
        assert_true(c > 0);
        n = append_size(n, (uint32_t)c) + (size_t)c;
    }
    return append_size(n, (uint32_t)len);
}

static void round_trip(size_t (*pack)(const uint8_t *, size_t), const char *name)
{
    make_plain();
    size_t n = pack(plain, PLAIN_LEN);
    assert_true(n < PLAIN_LEN);
    assert_string_equal(payload_format(packed, n), name);
    uint8_t *out = NULL;
    size_t out_len = 0;
    char err[256] = "";
    assert_int_equal(payload_decompress(packed, n, &out, &out_len, err, sizeof err), 0);
    assert_int_equal(out_len, PLAIN_LEN);
    assert_memory_equal(out, plain, PLAIN_LEN);
    free(out);

    /* Corrupt the middle of the stream: refused, one line naming the format, nothing returned. */
    for (size_t i = n / 2; i < n / 2 + 64; i++)
        packed[i] ^= 0x5a;
    out = NULL;
    err[0] = 0;
    assert_int_equal(payload_decompress(packed, n, &out, &out_len, err, sizeof err), -1);
    assert_null(out);
    assert_non_null(strstr(err, name));
    assert_null(strchr(err, '\n'));
    assert_true(strlen(err) > strlen(name) + 2);
}

static void test_gzip(void **state) { (void)state; round_trip(pack_gzip, "gzip"); }
static void test_xz(void **state) { (void)state; round_trip(pack_xz, "xz"); }
static void test_zstd(void **state) { (void)state; round_trip(pack_zstd, "zstd"); }
static void test_lz4(void **state) { (void)state; round_trip(pack_lz4, "lz4"); }

/* A size field larger than the stream decompresses to: refused (a truncated or edited payload). */
static void test_size_field_mismatch(void **state)
{
    (void)state;
    make_plain();
    size_t n = pack_zstd(plain, PLAIN_LEN);
    packed[n - 4] ^= 1;
    uint8_t *out = NULL;
    size_t out_len;
    char err[256] = "";
    assert_int_equal(payload_decompress(packed, n, &out, &out_len, err, sizeof err), -1);
    assert_null(out);
    assert_non_null(strstr(err, "zstd"));
}

/* A size field above the limit is refused before any allocation of that size. */
static void test_huge_size_field(void **state)
{
    (void)state;
    make_plain();
    size_t n = pack_xz(plain, 1000);
    packed[n - 1] = 0xff;
    uint8_t *out = NULL;
    size_t out_len;
    char err[256] = "";
    assert_int_equal(payload_decompress(packed, n, &out, &out_len, err, sizeof err), -1);
    assert_non_null(strstr(err, "at most"));
}

/* Formats the kernel build knows but m5sim does not decompress, and no format at all. */
static void test_unknown_formats(void **state)
{
    (void)state;
    static const uint8_t bzip2[] = "BZh91AY&SY....";
    static const uint8_t junk[] = "\x7f" "ELF and more bytes";
    uint8_t *out = NULL;
    size_t out_len;
    char err[256] = "";
    assert_string_equal(payload_format(bzip2, sizeof bzip2), "bzip2");
    assert_int_equal(payload_decompress(bzip2, sizeof bzip2, &out, &out_len, err, sizeof err), -1);
    assert_non_null(strstr(err, "bzip2"));
    assert_null(payload_format(junk, sizeof junk));
    assert_int_equal(payload_decompress(junk, sizeof junk, &out, &out_len, err, sizeof err), -1);
    assert_non_null(strstr(err, "no compression format"));
    assert_int_equal(payload_decompress(junk, 0, &out, &out_len, err, sizeof err), -1);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_xz),
        cmocka_unit_test(test_zstd),
        cmocka_unit_test(test_lz4),
        cmocka_unit_test(test_size_field_mismatch),
        cmocka_unit_test(test_huge_size_field),
        cmocka_unit_test(test_unknown_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
