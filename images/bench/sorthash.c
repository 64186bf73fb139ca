/*
 * sorthash: integer sorting and hashing, the two kernels of many data
 * processing jobs.
 *
 *   sorthash [N]     N keys (default 131072)
 *
 * Phase 1 sorts N pseudo-random 64-bit keys with a bottom-up merge sort
 * (branchy, streaming memory access). Phase 2 builds an open-addressing hash
 * table (linear probing, 2N slots) of the keys, counting distinct ones, then
 * looks up N probe keys drawn from the same range, so about 40% are present (irregular access,
 * unpredictable branches). Keys come from a fixed-seed splitmix64 generator,
 * so the output is deterministic. Region of interest: both phases
 * (m5 resetstats/dumpstats).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "m5.h"



/* Bottom-up merge sort of a[0..n) using tmp[0..n); returns the sorted buffer. */
static uint64_t *merge_sort(uint64_t *a, uint64_t *tmp, size_t n)
{
    uint64_t *src = a, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = src[i] <= src[j] ? src[i++] : src[j++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

static inline uint64_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

int main(int argc, char **argv)
{
    unsigned long n = 131072;
    if (argc > 2 || (argc == 2 && parse_arg(argv[1], 1, 1UL << 28, &n) != 0)) {
        fprintf(stderr, "usage: sorthash [N]   (keys 1..268435456, default 131072)\n");
        return 2;
    }

    size_t slots = 1;
    while (slots < 2 * (size_t)n)
        slots *= 2;
    uint64_t *keys = malloc(n * sizeof *keys);
    uint64_t *tmp = malloc(n * sizeof *tmp);
    uint64_t *table = malloc(slots * sizeof *table);   /* 0 = empty slot */
    if (!keys || !tmp || !table) {
        fprintf(stderr, "sorthash: out of memory for n=%lu\n", n);
        return 1;
    }
    /* Keys in [1, 2n]: about 1 - 1/e^0.5 of them repeat, none is 0. */
    uint64_t seed = 0x736f727468736801ULL;
    for (size_t i = 0; i < n; i++)
        keys[i] = 1 + splitmix64(&seed) % (2 * (uint64_t)n);
    memset(table, 0, slots * sizeof *table);
    const size_t mask = slots - 1;

    m5_reset_stats(0, 0);
    bench_roi_begin();
    uint64_t *sorted = merge_sort(keys, tmp, n);

    uint64_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = sorted[i];
        size_t s = hash64(k) & mask;
        while (table[s] != 0 && table[s] != k)
            s = (s + 1) & mask;
        if (table[s] == 0) {
            table[s] = k;
            distinct++;
        }
    }
    uint64_t hits = 0, probes = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = 1 + splitmix64(&seed) % (2 * (uint64_t)n);
        size_t s = hash64(k) & mask;
        while (table[s] != 0 && table[s] != k) {
            s = (s + 1) & mask;
            probes++;
        }
        hits += table[s] == k;
    }
    bench_roi_end();
    m5_dump_stats(0, 0);

    uint64_t h = 0xcbf29ce484222325ULL;
    int ordered = 1;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ sorted[i]) * 0x100000001b3ULL;
        if (i > 0 && sorted[i - 1] > sorted[i])
            ordered = 0;
    }
    printf("sorthash n=%lu sorted=%s distinct=%llu hits=%llu probes=%llu checksum=0x%016llx\n",
           n, ordered ? "yes" : "NO", (unsigned long long)distinct, (unsigned long long)hits,
           (unsigned long long)probes, (unsigned long long)h);
    free(keys);
    free(tmp);
    free(table);
    return ordered ? 0 : 1;
}
