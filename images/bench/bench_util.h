/*
 * bench_util.h - what the benchmark programs share: deterministic pseudo-random
 * generators (never rand() or time: outputs must be identical on every run, native
 * or simulated) and strict parsing of the size argument.
 */
#ifndef M5SIM_BENCH_UTIL_H
#define M5SIM_BENCH_UTIL_H

#include <stdint.h>
#include <stdlib.h>

static inline uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* A whole decimal or 0x number in [lo, hi]: 0, or -1 when malformed or out of range. */
static inline int parse_arg(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    char *end;
    unsigned long v;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    v = strtoul(s, &end, 0);
    if (*end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/*
 * The edges of the region of interest, as functions that do nothing. The
 * m5 ops mark it for a full-system run (m5 resetstats/dumpstats); these
 * mark the same instructions for tools that watch function entries:
 * `m5sim se --stats-reset-at bench_roi_begin --stats-dump-at bench_roi_end`
 * and valgrind's `callgrind --zero-before=bench_roi_begin
 * --dump-before=bench_roi_end` count exactly the instructions between the
 * two entries (tests/system/16_cachegrind_cpu.sh).
 */
static __attribute__((noinline, used)) void bench_roi_begin(void)
{
    __asm__ volatile("");
}

static __attribute__((noinline, used)) void bench_roi_end(void)
{
    __asm__ volatile("");
}

#endif
