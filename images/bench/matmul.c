/*
 * matmul: dense double-precision matrix multiply, C = A * B (n x n).
 *
 *   matmul [N]        N = matrix order, default 160
 *
 * The inputs are small multiples of 1/256, so every product and every partial
 * sum is exact in a double: the result does not depend on the summation
 * order, vectorisation or FMA contraction, only on correct arithmetic. The
 * checksum (FNV-1a over the bits of C) is the same on every correct x86-64.
 * The multiply alone is the region of interest (m5 resetstats/dumpstats).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "m5.h"



int main(int argc, char **argv)
{
    unsigned long n = 160;
    if (argc > 2 || (argc == 2 && parse_arg(argv[1], 1, 4096, &n) != 0)) {
        fprintf(stderr, "usage: matmul [N]   (matrix order 1..4096, default 160)\n");
        return 2;
    }

    size_t nn = (size_t)n * n;
    double *a = malloc(nn * sizeof *a);
    double *b = malloc(nn * sizeof *b);
    double *c = malloc(nn * sizeof *c);
    if (!a || !b || !c) {
        fprintf(stderr, "matmul: out of memory for n=%lu\n", n);
        return 1;
    }
    uint64_t seed = 0x6d61746d756c0001ULL;
    for (size_t i = 0; i < nn; i++) {
        a[i] = (double)((int)(splitmix64(&seed) % 2001) - 1000) / 256.0;
        b[i] = (double)((int)(splitmix64(&seed) % 2001) - 1000) / 256.0;
    }
    memset(c, 0, nn * sizeof *c);

    m5_reset_stats(0, 0);
    bench_roi_begin();
    for (size_t i = 0; i < n; i++) {
        double *ci = c + i * n;
        for (size_t k = 0; k < n; k++) {
            const double aik = a[i * n + k];
            const double *bk = b + k * n;
            for (size_t j = 0; j < n; j++)
                ci[j] += aik * bk[j];
        }
    }
    bench_roi_end();
    m5_dump_stats(0, 0);

    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < nn; i++) {
        uint64_t bits;
        memcpy(&bits, &c[i], sizeof bits);
        h = (h ^ bits) * 0x100000001b3ULL;
    }
    printf("matmul n=%lu checksum=0x%016llx\n", n, (unsigned long long)h);
    free(a);
    free(b);
    free(c);
    return 0;
}
