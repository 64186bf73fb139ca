/*
 * stencil.c - a barrier-synchronised 2D Jacobi stencil on THREADS pthreads,
 * in the spirit of PARSEC's data-parallel kernels: each iteration every
 * thread updates its band of rows from the previous grid, then all meet at
 * a barrier before the grids swap. Every cell is computed by the same
 * expression from the same inputs whatever the number of threads, so the
 * checksum is the same for 1, 2, 4 or 8 threads: a check of the simulated
 * CPUs' memory, atomics and futexes as well as of their arithmetic.
 *
 * Usage: stencil [THREADS [N [ITERATIONS]]]   (4, 256, 60)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "m5.h"

#define MAX_THREADS 64

struct shared {
    size_t n, iterations;
    unsigned threads;
    double *grid[2];
    pthread_barrier_t barrier;
};

struct worker {
    struct shared *sh;
    unsigned id;
};

/* Rows [lo, hi) of the interior (1 .. n-2) for thread `id`. */
static void band(const struct shared *sh, unsigned id, size_t *lo, size_t *hi)
{
    size_t rows = sh->n - 2;
    *lo = 1 + rows * id / sh->threads;
    *hi = 1 + rows * (id + 1) / sh->threads;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    size_t n = sh->n, lo, hi;
    band(sh, w->id, &lo, &hi);
    for (size_t it = 0; it < sh->iterations; it++) {
        const double *src = sh->grid[it & 1];
        double *dst = sh->grid[(it + 1) & 1];
        for (size_t i = lo; i < hi; i++)
            for (size_t j = 1; j + 1 < n; j++)
                dst[i * n + j] = 0.2 * (src[i * n + j] + src[(i - 1) * n + j] + src[(i + 1) * n + j] +
                                        src[i * n + j - 1] + src[i * n + j + 1]);
        pthread_barrier_wait(&sh->barrier);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned long threads = 4, n = 256, iterations = 60;
    if (argc > 4 || (argc > 1 && parse_arg(argv[1], 1, MAX_THREADS, &threads) != 0) ||
        (argc > 2 && parse_arg(argv[2], 8, 4096, &n) != 0) ||
        (argc > 3 && parse_arg(argv[3], 1, 100000, &iterations) != 0)) {
        fprintf(stderr, "usage: stencil [THREADS (1..%d) [N (8..4096) [ITERATIONS]]]\n", MAX_THREADS);
        return 2;
    }
    struct shared sh = { .n = n, .iterations = iterations, .threads = (unsigned)threads };
    size_t nn = n * n;
    sh.grid[0] = malloc(nn * sizeof(double));
    sh.grid[1] = malloc(nn * sizeof(double));
    if (!sh.grid[0] || !sh.grid[1]) {
        fprintf(stderr, "stencil: out of memory\n");
        return 1;
    }
    uint64_t seed = 42;
    for (size_t i = 0; i < nn; i++)
        sh.grid[0][i] = (double)(splitmix64(&seed) % 1000) / 8.0;
    memcpy(sh.grid[1], sh.grid[0], nn * sizeof(double));   /* the border stays fixed in both */
    pthread_barrier_init(&sh.barrier, NULL, sh.threads);

    struct worker w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    m5_reset_stats(0, 0);
    bench_roi_begin();
    for (unsigned t = 1; t < sh.threads; t++) {
        w[t] = (struct worker){ &sh, t };
        if (pthread_create(&tid[t], NULL, work, &w[t]) != 0) {
            fprintf(stderr, "stencil: cannot create thread %u\n", t);
            return 1;
        }
    }
    w[0] = (struct worker){ &sh, 0 };
    work(&w[0]);
    for (unsigned t = 1; t < sh.threads; t++)
        pthread_join(tid[t], NULL);
    bench_roi_end();
    m5_dump_stats(0, 0);

    const double *g = sh.grid[iterations & 1];
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < nn; i++) {
        uint64_t bits;
        memcpy(&bits, &g[i], sizeof bits);
        h = (h ^ bits) * 0x100000001b3ULL;
    }
    printf("stencil n=%llu iterations=%llu checksum=0x%016llx\n", (unsigned long long)n,
           (unsigned long long)iterations, (unsigned long long)h);
    pthread_barrier_destroy(&sh.barrier);
    free(sh.grid[0]);
    free(sh.grid[1]);
    return 0;
}
