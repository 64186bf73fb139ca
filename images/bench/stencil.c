/*
 * stencil: a barrier-synchronised 2-D heat-diffusion stencil on THREADS
 * pthreads, in the spirit of PARSEC's data-parallel kernels.
 *
 *   stencil [THREADS [N [STEPS]]]     defaults 4 threads, 256 x 256 cells, 24 steps
 *
 * The grid is fixed-point integers (16 fractional bits) with a fixed hot
 * border. Each step every interior cell becomes a weighted average of itself
 * and its four neighbours (integer arithmetic, so exact): the new grid goes to
 * a second buffer, and a barrier separates the steps. Each thread owns a band
 * of rows, and every few steps the threads also reduce the grid's heat
 * (per-thread partial sums added in thread order: exact integers). Every cell's
 * value depends only on the previous step's grid, never on which thread
 * computed it or when, so the output is the same for any thread count, natively,
 * under QEMU and on any m5sim CPU model or number of CPUs. The line printed
 * does not name the thread count: runs with 1, 2 and 4 threads print the same.
 *
 * The band edges are shared lines between neighbouring threads (a thread reads
 * the rows just outside its band, which another thread wrote in the step
 * before): with several simulated CPUs, that is coherence traffic.
 * The steps are the region of interest (m5 resetstats/dumpstats).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "m5.h"

#define MAX_THREADS 64
#define REDUCE_EVERY 4

struct job {
    unsigned long n, steps, threads;
    int32_t *grid[2];
    pthread_barrier_t barrier;
    int64_t partial[MAX_THREADS];        /* per-thread heat of the latest reduction */
    uint64_t history;                    /* the reductions' sums, hashed (thread 0 only) */
};

struct worker {
    struct job *job;
    unsigned long id;
};

static void *run_band(void *arg)
{
    const struct worker *w = arg;
    struct job *j = w->job;
    const unsigned long n = j->n, inner = n - 2;
    const unsigned long lo = 1 + inner * w->id / j->threads;
    const unsigned long hi = 1 + inner * (w->id + 1) / j->threads;
    for (unsigned long s = 0; s < j->steps; s++) {
        const int32_t *src = j->grid[s & 1];
        int32_t *dst = j->grid[(s & 1) ^ 1];
        int64_t heat = 0;
        for (unsigned long r = lo; r < hi; r++) {
            const int32_t *up = src + (r - 1) * n, *mid = src + r * n, *down = src + (r + 1) * n;
            int32_t *out = dst + r * n;
            for (unsigned long c = 1; c + 1 < n; c++) {
                int32_t v = (int32_t)(((int64_t)mid[c] * 4 + up[c] + down[c] + mid[c - 1] + mid[c + 1]) >> 3);
                out[c] = v;
                heat += v;
            }
        }
        if (s % REDUCE_EVERY == REDUCE_EVERY - 1)
            j->partial[w->id] = heat;
        pthread_barrier_wait(&j->barrier);
        if (s % REDUCE_EVERY == REDUCE_EVERY - 1) {
            if (w->id == 0) {
                int64_t sum = 0;
                for (unsigned long t = 0; t < j->threads; t++)
                    sum += j->partial[t];
                j->history = (j->history ^ (uint64_t)sum) * 0x100000001b3ULL;
            }
            /* Nobody overwrites partial[] before thread 0 has read it. */
            pthread_barrier_wait(&j->barrier);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned long threads = 4, n = 256, steps = 24;
    if (argc > 4 || (argc > 1 && parse_arg(argv[1], 1, MAX_THREADS, &threads) != 0) ||
        (argc > 2 && parse_arg(argv[2], 3, 8192, &n) != 0) ||
        (argc > 3 && parse_arg(argv[3], 1, 1000000, &steps) != 0)) {
        fprintf(stderr, "usage: stencil [THREADS [N [STEPS]]]   (threads 1..64, default 4; "
                        "grid N x N, 3..8192, default 256; steps default 24)\n");
        return 2;
    }
    if (threads > n - 2)
        threads = n - 2;   /* every thread gets at least one row; the result is the same */

    static struct job job;
    job.n = n;
    job.steps = steps;
    job.threads = threads;
    job.history = 0xcbf29ce484222325ULL;
    size_t cells = (size_t)n * n;
    job.grid[0] = malloc(cells * sizeof(int32_t));
    job.grid[1] = malloc(cells * sizeof(int32_t));
    if (!job.grid[0] || !job.grid[1]) {
        fprintf(stderr, "stencil: out of memory for n=%lu\n", n);
        return 1;
    }
    /* Interior: random heat in [0, 16) (16.16 fixed point); border: hot top and left, cold elsewhere. */
    uint64_t seed = 0x7374656e63696c01ULL;
    for (unsigned long r = 0; r < n; r++)
        for (unsigned long c = 0; c < n; c++) {
            int32_t v;
            if (r == 0 || c == 0)
                v = 100 << 16;
            else if (r == n - 1 || c == n - 1)
                v = 0;
            else
                v = (int32_t)(splitmix64(&seed) & ((16 << 16) - 1));
            job.grid[0][r * n + c] = job.grid[1][r * n + c] = v;
        }
    pthread_barrier_init(&job.barrier, NULL, (unsigned)threads);
    static struct worker workers[MAX_THREADS];
    static pthread_t tid[MAX_THREADS];

    m5_reset_stats(0, 0);
    bench_roi_begin();
    for (unsigned long t = 0; t < threads; t++) {
        workers[t] = (struct worker){ &job, t };
        if (t && pthread_create(&tid[t], NULL, run_band, &workers[t]) != 0) {
            fprintf(stderr, "stencil: cannot create thread %lu\n", t);
            return 1;
        }
    }
    run_band(&workers[0]);   /* the main thread is thread 0 */
    for (unsigned long t = 1; t < threads; t++)
        pthread_join(tid[t], NULL);
    bench_roi_end();
    m5_dump_stats(0, 0);

    const int32_t *g = job.grid[steps & 1];
    uint64_t h = 0xcbf29ce484222325ULL;
    int64_t heat = 0;
    for (size_t i = 0; i < cells; i++) {
        h = (h ^ (uint32_t)g[i]) * 0x100000001b3ULL;
        heat += g[i];
    }
    printf("stencil n=%lu steps=%lu heat=%lld reductions=0x%016llx checksum=0x%016llx\n", n, steps,
           (long long)heat, (unsigned long long)job.history, (unsigned long long)h);
    pthread_barrier_destroy(&job.barrier);
    free(job.grid[0]);
    free(job.grid[1]);
    return 0;
}
