/*
 * cache_trace.c - feed a valgrind Lackey memory trace (--trace-mem=yes) into
 * m5sim's cache tag store configured like Cachegrind's I1 and D1, and print
 * the reference and miss counts Cachegrind prints (I refs, I1 misses, D refs,
 * D1 misses), for tests/system/15_cachegrind_oracle.sh.
 *
 * Usage: cache_trace I1_SIZE,ASSOC,LINE D1_SIZE,ASSOC,LINE < lackey-trace
 *
 * How Cachegrind counts, and so how we count here: an instruction fetch is
 * one I1 reference; each load, store or modify ('L', 'S', 'M') is one D1
 * reference (a modify reads and writes the same address and counts once);
 * a reference that crosses a line boundary touches both lines but is one
 * reference, and one miss if either line missed. Both caches are LRU and
 * write-allocate, as ours are. (Cachegrind, unlike lackey, also ignores
 * the size of a reference within a line.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/cache.h"

static void parse_geom(const char *s, struct cache *c)
{
    unsigned long long size;
    unsigned assoc, line;
    const char *why;
    if (sscanf(s, "%llu,%u,%u", &size, &assoc, &line) != 3 ||
        !cache_init(c, size, assoc, line, CACHE_REPL_LRU, &why)) {
        fprintf(stderr, "cache_trace: bad geometry %s\n", s);
        exit(2);
    }
}

static int ref(struct cache *c, uint64_t addr, unsigned size, int write)
{
    uint64_t first = cache_line_of(c, addr), last = cache_line_of(c, addr + (size ? size - 1 : 0));
    int miss = 0;
    for (uint64_t l = first; l <= last; l++)
        miss |= !cache_access(c, l, write).hit;
    return miss;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: cache_trace I1_SIZE,ASSOC,LINE D1_SIZE,ASSOC,LINE < trace\n");
        return 2;
    }
    struct cache i1, d1;
    parse_geom(argv[1], &i1);
    parse_geom(argv[2], &d1);
    uint64_t irefs = 0, imiss = 0, drefs = 0, dmiss = 0;
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        char kind;
        uint64_t addr;
        unsigned size;
        if (line[0] == '=')
            continue;   /* valgrind's own messages */
        if (sscanf(line, " %c %" SCNx64 ",%u", &kind, &addr, &size) != 3)
            continue;
        if (kind == 'I') {
            irefs++;
            imiss += ref(&i1, addr, size, 0);
        } else if (kind == 'L' || kind == 'S' || kind == 'M') {
            drefs++;
            dmiss += ref(&d1, addr, size, kind != 'L');
        }
    }
    printf("I refs %" PRIu64 "\nI1 misses %" PRIu64 "\nD refs %" PRIu64 "\nD1 misses %" PRIu64 "\n",
           irefs, imiss, drefs, dmiss);
    return 0;
}
