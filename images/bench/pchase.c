/*
 * pchase: dependent-load pointer chase (memory latency), one cache line per
 * element, over a single random cycle through the working set.
 *
 *   pchase [KIB [STEPS]]   working set in KiB (default 4096),
 *                          loads to chase (default 4194304)
 *
 * Each step loads the index of the next line from the current one, so every
 * load depends on the previous one and (once the set exceeds a cache level)
 * misses it: time per step is the load-to-use latency of the level that holds
 * the working set. Sweep KIB (16, 64, 256, 1024, 8192, ...) to map a cache
 * hierarchy. The cycle is built with Sattolo's algorithm from a fixed-seed
 * xorshift generator, so the walk and the checksum are deterministic.
 * Region of interest: the chase (m5 resetstats/dumpstats).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "m5.h"

struct line {
    uint32_t next;       /* index of the next line in the cycle */
    uint32_t pad[15];    /* fill the 64-byte cache line */
};



int main(int argc, char **argv)
{
    unsigned long kib = 4096, steps = 4194304;
    if (argc > 3 ||
        (argc >= 2 && parse_arg(argv[1], 1, 1UL << 22, &kib) != 0) ||
        (argc >= 3 && parse_arg(argv[2], 1, 1UL << 40, &steps) != 0)) {
        fprintf(stderr, "usage: pchase [KIB [STEPS]]   (working set 1..4194304 KiB, default 4096;"
                        " steps default 4194304)\n");
        return 2;
    }

    size_t n = (size_t)kib * 1024 / sizeof(struct line);
    if (n < 2)
        n = 2;
    struct line *v = malloc(n * sizeof *v);
    if (!v) {
        fprintf(stderr, "pchase: out of memory for %lu KiB\n", kib);
        return 1;
    }
    /* Sattolo: a uniformly random permutation with a single cycle. */
    for (size_t i = 0; i < n; i++) {
        v[i].next = (uint32_t)i;
        for (int k = 0; k < 15; k++)
            v[i].pad[k] = 0;
    }
    uint64_t seed = 0x7063686173650001ULL;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(xorshift64(&seed) % i);   /* j < i */
        uint32_t t = v[i].next;
        v[i].next = v[j].next;
        v[j].next = t;
    }

    uint32_t p = 0;
    uint64_t h = 0xcbf29ce484222325ULL;   /* FNV-1a over the visited indices */
    m5_reset_stats(0, 0);
    bench_roi_begin();
    for (unsigned long s = 0; s < steps; s++) {
        p = v[p].next;
        h = (h ^ p) * 0x100000001b3ULL;
    }
    bench_roi_end();
    m5_dump_stats(0, 0);

    printf("pchase kib=%lu lines=%zu steps=%lu checksum=0x%016llx\n",
           kib, n, steps, (unsigned long long)h);
    free(v);
    return 0;
}
