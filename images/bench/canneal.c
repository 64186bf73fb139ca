/*
 * canneal: a small simulated-annealing placement in the spirit of PARSEC's
 * canneal. Elements of a netlist sit on a square grid; each is wired to
 * NFAN random other elements. Every move picks two random elements and swaps
 * their locations if that shortens the total Manhattan wire length (or, with
 * a probability that falls with the temperature, even if it does not).
 * Evaluating a move reads the locations of both elements' neighbours, which
 * are scattered over the whole array: the workload is random, cache-unfriendly
 * memory access with data-dependent branches.
 *
 *   canneal [ELEMENTS [MOVES]]   default 32768 elements (1 MiB of netlist),
 *                                100000 moves over 8 temperature steps
 *
 * Like canneal's, the cost of a move is approximate: it counts only the two
 * elements' own (fan-out) wires, so the total wire length printed at the end
 * can fall less than the accepted moves suggest (or even rise on tiny inputs).
 *
 * Integer arithmetic and a fixed-seed xorshift generator only: the final wire
 * length and checksum are deterministic. Region of interest: the annealing
 * (m5 resetstats/dumpstats).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "m5.h"

#define NFAN 6
#define TEMP_STEPS 8

struct elem {
    int32_t x, y;            /* location on the grid */
    uint32_t fan[NFAN];      /* indices of connected elements */
};



static inline int32_t iabs32(int32_t v) { return v < 0 ? -v : v; }

/* Wire length of element e if it sat at (x, y). */
static int64_t cost_at(const struct elem *el, uint32_t e, int32_t x, int32_t y)
{
    int64_t c = 0;
    for (int k = 0; k < NFAN; k++) {
        const struct elem *o = &el[el[e].fan[k]];
        c += iabs32(o->x - x) + iabs32(o->y - y);
    }
    return c;
}

static int64_t total_cost(const struct elem *el, size_t n)
{
    int64_t c = 0;
    for (size_t e = 0; e < n; e++)
        c += cost_at(el, (uint32_t)e, el[e].x, el[e].y);
    return c;
}

int main(int argc, char **argv)
{
    unsigned long n = 32768, moves = 100000;
    if (argc > 3 ||
        (argc >= 2 && parse_arg(argv[1], 2, 1UL << 26, &n) != 0) ||
        (argc >= 3 && parse_arg(argv[2], 1, 1UL << 40, &moves) != 0)) {
        fprintf(stderr, "usage: canneal [ELEMENTS [MOVES]]   (elements 2..67108864, default 32768;"
                        " moves default 100000)\n");
        return 2;
    }

    struct elem *el = malloc(n * sizeof *el);
    uint32_t *slot = malloc(n * sizeof *slot);
    if (!el || !slot) {
        fprintf(stderr, "canneal: out of memory for %lu elements\n", n);
        return 1;
    }
    uint64_t seed = 0x63616e6e65616c01ULL;
    uint32_t side = 1;
    while ((uint64_t)side * side < n)
        side++;
    /* A random placement: a shuffled list of the first n grid slots. */
    for (uint32_t i = 0; i < n; i++)
        slot[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(xorshift64(&seed) % (i + 1));
        uint32_t t = slot[i];
        slot[i] = slot[j];
        slot[j] = t;
    }
    for (uint32_t e = 0; e < n; e++) {
        el[e].x = (int32_t)(slot[e] % side);
        el[e].y = (int32_t)(slot[e] / side);
        for (int k = 0; k < NFAN; k++) {
            uint32_t o;
            do
                o = (uint32_t)(xorshift64(&seed) % n);
            while (o == e);
            el[e].fan[k] = o;
        }
    }
    free(slot);
    int64_t before = total_cost(el, n);

    /* Temperature in wire-length units, lowered geometrically. */
    uint64_t temp = side, accepted = 0, uphill = 0;
    unsigned long per_step = moves / TEMP_STEPS, done = 0;

    m5_reset_stats(0, 0);
    bench_roi_begin();
    for (int t = 0; t < TEMP_STEPS; t++) {
        unsigned long m = (t == TEMP_STEPS - 1) ? moves - done : per_step;
        for (unsigned long i = 0; i < m; i++) {
            uint64_t r = xorshift64(&seed);
            uint32_t a = (uint32_t)((r & 0xffffffffu) % n);
            uint32_t b = (uint32_t)((r >> 32) % n);
            if (a == b)
                continue;
            int32_t ax = el[a].x, ay = el[a].y, bx = el[b].x, by = el[b].y;
            int64_t delta = cost_at(el, a, bx, by) + cost_at(el, b, ax, ay)
                          - cost_at(el, a, ax, ay) - cost_at(el, b, bx, by);
            int take = delta <= 0;
            if (!take && temp > 0 && (uint64_t)delta < temp)
                take = (xorshift64(&seed) % temp) > (uint64_t)delta * 4;
            if (take) {
                el[a].x = bx; el[a].y = by;
                el[b].x = ax; el[b].y = ay;
                accepted++;
                uphill += delta > 0;
            }
        }
        done += m;
        temp = temp * 6 / 10;
    }
    bench_roi_end();
    m5_dump_stats(0, 0);

    int64_t after = total_cost(el, n);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t e = 0; e < n; e++)
        h = (h ^ ((uint64_t)(uint32_t)el[e].x << 32 | (uint32_t)el[e].y)) * 0x100000001b3ULL;
    printf("canneal elements=%lu moves=%lu cost=%lld->%lld accepted=%llu uphill=%llu checksum=0x%016llx\n",
           n, moves, (long long)before, (long long)after, (unsigned long long)accepted,
           (unsigned long long)uphill, (unsigned long long)h);
    free(el);
    return 0;
}
