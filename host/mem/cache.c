/*
 * cache.c - the tag store of one set-associative cache (see cache.h).
 */
#include "mem/cache.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool pow2(uint64_t x) { return x && !(x & (x - 1)); }

bool cache_repl_parse(const char *name, enum cache_repl *out)
{
    static const struct { const char *a, *b; enum cache_repl r; } names[] = {
        { "LRU", "LRURP", CACHE_REPL_LRU },
        { "FIFO", "FIFORP", CACHE_REPL_FIFO },
        { "Random", "RandomRP", CACHE_REPL_RANDOM },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(name, names[i].a) || !strcasecmp(name, names[i].b)) {
            *out = names[i].r;
            return true;
        }
    return false;
}

const char *cache_repl_name(enum cache_repl r)
{
    switch (r) {
    case CACHE_REPL_FIFO: return "FIFORP";
    case CACHE_REPL_RANDOM: return "RandomRP";
    default: return "LRURP";
    }
}

bool cache_init(struct cache *c, uint64_t size, unsigned assoc, unsigned line_size,
                enum cache_repl repl, const char **why)
{
    memset(c, 0, sizeof *c);
    if (!pow2(line_size) || line_size < 4) { *why = "line size must be a power of two >= 4"; return false; }
    if (!pow2(assoc)) { *why = "associativity must be a power of two"; return false; }
    if (!pow2(size) || size < (uint64_t)assoc * line_size) {
        *why = "size must be a power of two of at least assoc * line size";
        return false;
    }
    c->size = size;
    c->assoc = assoc;
    c->line_size = line_size;
    c->sets = (unsigned)(size / ((uint64_t)assoc * line_size));
    c->set_mask = c->sets - 1;
    c->line_shift = (unsigned)__builtin_ctz(line_size);
    c->repl = repl;
    c->tag = calloc((size_t)c->sets * assoc, sizeof *c->tag);
    c->stamp = calloc((size_t)c->sets * assoc, sizeof *c->stamp);
    if (!c->tag || !c->stamp) { *why = "out of memory"; free(c->tag); free(c->stamp); return false; }
    cache_clear(c);
    return true;
}

void cache_destroy(struct cache *c)
{
    free(c->tag);
    free(c->stamp);
    c->tag = c->stamp = NULL;
}

void cache_clear(struct cache *c)
{
    memset(c->tag, 0, (size_t)c->sets * c->assoc * sizeof *c->tag);
    memset(c->stamp, 0, (size_t)c->sets * c->assoc * sizeof *c->stamp);
    c->clock = 0;
    c->rng = 0x9E3779B97F4A7C15ull;   /* fixed seed: runs are deterministic */
}

static uint64_t next_random(struct cache *c)
{
    uint64_t x = c->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return c->rng = x;
}

/*
 * The way a fill takes in the set at `base`: the first invalid way, else
 * the first way with the smallest stamp (LRU's and FIFO's victim), in one
 * pass; Random draws only when every way is valid.
 */
static unsigned victim_way(struct cache *c, size_t base)
{
    const uint64_t *t = c->tag + base, *st = c->stamp + base;
    unsigned oldest = 0;
    uint64_t oldest_stamp = UINT64_MAX;
    for (unsigned w = 0; w < c->assoc; w++) {
        if (!(t[w] & CACHE_VALID))
            return w;
        if (st[w] < oldest_stamp) {
            oldest_stamp = st[w];
            oldest = w;
        }
    }
    return c->repl == CACHE_REPL_RANDOM ? (unsigned)(next_random(c) % c->assoc) : oldest;
}

struct cache_result cache_insert(struct cache *c, uint64_t line, bool dirty, size_t *index)
{
    size_t base = (size_t)(line & c->set_mask) * c->assoc;
    size_t i = base + victim_way(c, base);
    struct cache_result r = { .hit = false };
    if (c->tag[i] & CACHE_VALID) {
        r.evicted = true;
        r.evicted_dirty = (c->tag[i] & CACHE_DIRTY) != 0;
        r.evicted_line = CACHE_LINE_OF_TAG(c->tag[i]);
    }
    c->tag[i] = line << 2 | CACHE_VALID | (dirty ? CACHE_DIRTY : 0);
    c->stamp[i] = ++c->clock;
    if (index)
        *index = i;
    return r;
}

struct cache_result cache_access(struct cache *c, uint64_t line, bool write)
{
    long i = cache_find(c, line);
    if (i >= 0) {
        if (write)
            c->tag[i] |= CACHE_DIRTY;
        if (c->repl == CACHE_REPL_LRU)
            c->stamp[i] = ++c->clock;
        return (struct cache_result){ .hit = true };
    }
    return cache_insert(c, line, write, NULL);
}

/* gem5 (BaseCache::access, writeback case) updates a present block in place: a demand access's change. */
struct cache_result cache_fill(struct cache *c, uint64_t line, bool dirty)
{
    return cache_access(c, line, dirty);
}

/*
 * Text, so that a checkpoint stays readable and portable:
 *   cache <name> size=<n> assoc=<n> line=<n> repl=<name> clock=<hex> rng=<hex> valid=<count>
 *   <index> <tag word> <stamp>          (hex, one line per valid way)
 */
void cache_save(const struct cache *c, const char *name, FILE *f)
{
    size_t n = (size_t)c->sets * c->assoc, valid = 0;
    for (size_t i = 0; i < n; i++)
        valid += (c->tag[i] & CACHE_VALID) != 0;
    fprintf(f, "cache %s size=%" PRIu64 " assoc=%u line=%u repl=%s clock=%" PRIx64 " rng=%" PRIx64
            " valid=%zu\n", name, c->size, c->assoc, c->line_size, cache_repl_name(c->repl),
            c->clock, c->rng, valid);
    for (size_t i = 0; i < n; i++)
        if (c->tag[i] & CACHE_VALID)
            fprintf(f, "%zx %" PRIx64 " %" PRIx64 "\n", i, c->tag[i], c->stamp[i]);
}

bool cache_load(struct cache *c, const char *name, FILE *f, char *why, size_t why_len)
{
    char sname[64], repl[32];
    uint64_t size, clock, rng;
    unsigned assoc, line;
    size_t valid;
    if (fscanf(f, " cache %63s size=%" SCNu64 " assoc=%u line=%u repl=%31s clock=%" SCNx64
               " rng=%" SCNx64 " valid=%zu", sname, &size, &assoc, &line, repl, &clock, &rng,
               &valid) != 8) {
        snprintf(why, why_len, "%s: no cache record where one was expected", name);
        return false;
    }
    if (strcmp(sname, name)) {
        snprintf(why, why_len, "expected the state of %s, found %s (the checkpoint's hierarchy differs)",
                 name, sname);
        return false;
    }
    if (size != c->size || assoc != c->assoc || line != c->line_size ||
        strcmp(repl, cache_repl_name(c->repl))) {
        snprintf(why, why_len,
                 "%s: checkpoint has size=%" PRIu64 " assoc=%u line=%u repl=%s, this run has "
                 "size=%" PRIu64 " assoc=%u line=%u repl=%s", name, size, assoc, line, repl,
                 c->size, c->assoc, c->line_size, cache_repl_name(c->repl));
        return false;
    }
    size_t n = (size_t)c->sets * c->assoc;
    memset(c->tag, 0, n * sizeof *c->tag);
    memset(c->stamp, 0, n * sizeof *c->stamp);
    for (size_t k = 0; k < valid; k++) {
        size_t i;
        uint64_t t, s;
        if (fscanf(f, " %zx %" SCNx64 " %" SCNx64, &i, &t, &s) != 3 || i >= n ||
            !(t & CACHE_VALID) || (CACHE_LINE_OF_TAG(t) & c->set_mask) != i / c->assoc) {
            snprintf(why, why_len, "%s: line record %zu of %zu is damaged", name, k, valid);
            return false;
        }
        c->tag[i] = t;
        c->stamp[i] = s;
    }
    c->clock = clock;
    c->rng = rng;
    return true;
}
