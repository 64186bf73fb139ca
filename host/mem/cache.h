/*
 * cache.h - one set-associative cache's tag store: which lines it holds,
 * which are dirty, and the replacement state that picks a victim.
 *
 * No data and no timing here: the data lives in guest RAM (caches in m5sim
 * only decide *when* an access completes, never *what* it reads), and the
 * hierarchy (memsys.c) composes latencies. Kept apart so that the same tag
 * store serves timed accesses, functional warming and the Cachegrind oracle
 * harness, and so that a checkpoint can save it as plain arrays.
 *
 * Replacement policies follow gem5's (src/mem/cache/replacement_policies):
 * an invalid way is always chosen first; LRU evicts the way touched longest
 * ago, FIFO the way filled longest ago, Random a way drawn from a seeded
 * xorshift generator (deterministic across runs and hosts).
 */
#ifndef M5SIM_MEM_CACHE_H
#define M5SIM_MEM_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum cache_repl { CACHE_REPL_LRU, CACHE_REPL_FIFO, CACHE_REPL_RANDOM };

/*
 * A line's tag word: shared << 63 | line address (paddr / line_size) << 2 |
 * dirty << 1 | valid. With gem5's coherence flags: a line without SHARED is
 * writable (Exclusive when clean, Modified when dirty); with SHARED another
 * cache may hold a copy (Shared when clean, Owned when dirty), so a write must
 * first invalidate the others (memsys.c). A cache alone (one CPU) never sets it.
 */
#define CACHE_VALID 1ull
#define CACHE_DIRTY 2ull
#define CACHE_SHARED (1ull << 63)
#define CACHE_LINE_OF_TAG(t) (((t) & ~CACHE_SHARED) >> 2)

struct cache {
    uint64_t size;            /* bytes */
    unsigned assoc, line_size;
    unsigned sets;
    unsigned line_shift;      /* log2(line_size) */
    uint64_t set_mask;        /* sets - 1 */
    enum cache_repl repl;
    uint64_t *tag;            /* sets * assoc tag words */
    uint64_t *stamp;          /* LRU: last touch; FIFO: fill order */
    uint64_t clock;           /* the replacement clock (one per touch) */
    uint64_t rng;             /* Random: xorshift64 state */
};

/* What an access did: hit, or the victim it displaced (valid/dirty, its line address). */
struct cache_result {
    bool hit;
    bool evicted;             /* a valid line was displaced */
    bool evicted_dirty;
    uint64_t evicted_line;    /* line address (paddr >> line_shift) of the victim */
};

/* Parse "LRU" / "LRURP", "FIFO" / "FIFORP", "Random" / "RandomRP"; false if unknown. */
bool cache_repl_parse(const char *name, enum cache_repl *out);
const char *cache_repl_name(enum cache_repl r);   /* gem5's class name: "LRURP", ... */

/*
 * Geometry must be powers of two with size >= assoc * line_size; returns
 * false with a message in *why (static text) otherwise.
 */
bool cache_init(struct cache *c, uint64_t size, unsigned assoc, unsigned line_size,
                enum cache_repl repl, const char **why);
void cache_destroy(struct cache *c);
/* Invalidate everything and restart the replacement state. */
void cache_clear(struct cache *c);

static inline uint64_t cache_line_of(const struct cache *c, uint64_t paddr)
{
    return paddr >> c->line_shift;
}

/* Find a line; returns its index in tag[] or -1. */
static inline long cache_find(const struct cache *c, uint64_t line)
{
    const uint64_t *t = c->tag + (line & c->set_mask) * c->assoc;
    const uint64_t want = line << 2 | CACHE_VALID;
    for (unsigned w = 0; w < c->assoc; w++)
        if ((t[w] & ~(CACHE_DIRTY | CACHE_SHARED)) == want)
            return (long)((line & c->set_mask) * c->assoc + w);
    return -1;
}

/*
 * A demand access to `line`: on a hit, touch it (LRU); on a miss, allocate
 * it (write-allocate), reporting the victim. `write` marks the line dirty.
 */
struct cache_result cache_access(struct cache *c, uint64_t line, bool write);
/*
 * Allocate `line`, known to be absent (a miss whose request went below):
 * the victim as cache_access reports it; *index (if not NULL) gets the
 * line's index in tag[].
 */
struct cache_result cache_insert(struct cache *c, uint64_t line, bool dirty, size_t *index);
/*
 * Insert a line written back from above (gem5: a WritebackDirty/Clean
 * allocates when absent). Returns the victim as cache_access does; `hit`
 * says the line was already present.
 */
struct cache_result cache_fill(struct cache *c, uint64_t line, bool dirty);

/* Checkpoints: geometry line then the arrays in hex; load refuses another geometry. */
void cache_save(const struct cache *c, const char *name, FILE *f);
/* Returns false with a message in why[] (what differs) when the saved cache does not fit. */
bool cache_load(struct cache *c, const char *name, FILE *f, char *why, size_t why_len);

#endif
