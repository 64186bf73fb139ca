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

#endif
