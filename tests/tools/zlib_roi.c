/*
 * zlib_roi.c - a program whose behaviour the tests do not control: it
 * compresses and uncompresses a megabyte of deterministic text with
 * Debian's static zlib (libz.a). tests/system/16_cachegrind_cpu.sh measures
 * deflate() (from its entry to deflateEnd()'s) on m5sim's timing CPU and
 * under valgrind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

int main(void)
{
    static const char *const words[] = { "cache ", "miss ", "the ", "simulator ", "restores ",
                                         "checkpoint ", "of ", "a " };
    size_t n = 1 << 20;
    unsigned char *src = malloc(n), *back = malloc(n);
    uLongf clen = compressBound(n), blen = n;
    unsigned char *dst = malloc(clen);
    if (!src || !back || !dst)
        return 1;
    unsigned long long s = 88172645463325252ull;
    for (size_t i = 0; i < n;) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        for (const char *w = words[s % 8]; *w && i < n; w++)
            src[i++] = (unsigned char)*w;
    }
    /* deflate() itself allocates nothing: the region (deflate's entry to deflateEnd's) makes no system call. */
    z_stream z = { 0 };
    if (deflateInit(&z, 6) != Z_OK)
        return 1;
    z.next_in = src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)clen;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        return 1;
    clen = z.total_out;
    deflateEnd(&z);
    if (uncompress(back, &blen, dst, clen) != Z_OK)
        return 1;
    unsigned h = 0;
    for (size_t i = 0; i < blen; i++)
        h = h * 31 + back[i];
    printf("%lu %lu %08x\n", (unsigned long)clen, (unsigned long)blen, h);
    return 0;
}
