/*
 * registry.c - the tree of statistic groups and what is registered in it
 * (see registry.h). Printing lives in registry_rows.c (what gem5 prints for
 * each kind), registry_text.c (stats.txt) and registry_json.c.
 *
 * Registrations are made once at setup, so misuse (a duplicate name, a
 * missing one) is a programming error and aborts with a message instead of
 * producing a stats file with holes.
 */
#include "stats/registry_impl.h"

#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "m5sim: statistics: out of host memory\n");
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = xcalloc(n, 1);
    memcpy(d, s ? s : "", n);
    return d;
}

static void misuse(const struct stats_group *g, const char *name, const char *why)
{
    fprintf(stderr, "m5sim: statistics: %s%s%s: %s\n", g->path, g->path[0] ? "." : "", name, why);
    abort();
}

struct stats_group *stats_root_new(void)
{
    struct stats_group *g = xcalloc(1, sizeof *g);
    g->name = xstrdup("");
    g->path = xstrdup("");
    return g;
}

struct stats_group *stats_group_new(struct stats_group *parent, const char *name)
{
    struct stats_group *g = xcalloc(1, sizeof *g);
    g->name = xstrdup(name);
    size_t n = strlen(parent->path) + strlen(name) + 2;
    g->path = xcalloc(n, 1);
    snprintf(g->path, n, "%s%s%s", parent->path, parent->path[0] ? "." : "", name);
    g->parent = parent;
    if (parent->last_child)
        parent->last_child->next_sibling = g;
    else
        parent->first_child = g;
    parent->last_child = g;
    return g;
}

static void free_tree(struct stats_group *g)
{
    struct stats_group *c = g->first_child;
    while (c) {
        struct stats_group *next = c->next_sibling;
        free_tree(c);
        c = next;
    }
    for (unsigned i = 0; i < g->nstats; i++) {
        struct stat *s = &g->stats[i];
        free(s->name);
        free(s->unit);
        free(s->desc);
        if (s->subnames)
            for (unsigned k = 0; k < s->n; k++)
                free(s->subnames[k]);
        free(s->subnames);
        if (s->dist)
            free(s->dist->bucket);
        free(s->dist);
    }
    free(g->stats);
    free(g->name);
    free(g->path);
    free(g);
}

void stats_group_free(struct stats_group *g)
{
    if (!g)
        return;
    struct stats_group *p = g->parent;
    if (p) {
        struct stats_group **link = &p->first_child, *prev = NULL;
        while (*link != g) {
            prev = *link;
            link = &(*link)->next_sibling;
        }
        *link = g->next_sibling;
        if (p->last_child == g)
            p->last_child = prev;
    }
    free_tree(g);
}

const char *stats_group_path(const struct stats_group *g)
{
    return g->path;
}

static struct stat *find(struct stats_group *g, const char *name)
{
    for (unsigned i = 0; i < g->nstats; i++)
        if (strcmp(g->stats[i].name, name) == 0)
            return &g->stats[i];
    return NULL;
}

static struct stat *add(struct stats_group *g, enum stat_kind kind, const char *name,
                        const char *unit, const char *desc)
{
    if (!name || !name[0])
        misuse(g, "", "a statistic needs a name");
    if (find(g, name))
        misuse(g, name, "registered twice");
    if (g->nstats == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        struct stat *grown = realloc(g->stats, g->cap * sizeof *grown);
        if (!grown)
            misuse(g, name, "out of host memory");
        g->stats = grown;
    }
    struct stat *s = &g->stats[g->nstats++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->name = xstrdup(name);
    s->unit = xstrdup(unit);
    s->desc = xstrdup(desc);
    s->precision = -1;
    return s;
}

static char **copy_subnames(const char *const *subnames, unsigned n)
{
    if (!subnames)
        return NULL;
    char **copy = xcalloc(n, sizeof *copy);
    for (unsigned i = 0; i < n; i++)
        copy[i] = xstrdup(subnames[i]);
    return copy;
}

void stats_add_scalar(struct stats_group *g, const char *name, uint64_t *counter,
                      const char *unit, const char *desc)
{
    struct stat *s = add(g, STAT_SCALAR, name, unit, desc);
    s->counters = counter;
    s->n = 1;
}

void stats_add_vector(struct stats_group *g, const char *name, uint64_t *counters, unsigned n,
                      const char *const *subnames, bool total, const char *unit, const char *desc)
{
    if (n == 0)
        misuse(g, name, "a vector needs at least one entry");
    struct stat *s = add(g, STAT_VECTOR, name, unit, desc);
    s->counters = counters;
    s->n = n;
    s->subnames = copy_subnames(subnames, n);
    s->total = total;
}

void stats_add_formula(struct stats_group *g, const char *name, stats_formula_fn fn,
                       const void *ctx, const char *unit, const char *desc)
{
    struct stat *s = add(g, STAT_FORMULA, name, unit, desc);
    s->formula = fn;
    s->ctx = ctx;
    s->n = 1;
}

void stats_add_vformula(struct stats_group *g, const char *name, stats_vformula_fn fn,
                        const void *ctx, unsigned n, const char *const *subnames, bool total,
                        const char *unit, const char *desc)
{
    if (n == 0)
        misuse(g, name, "a vector needs at least one entry");
    struct stat *s = add(g, STAT_VFORMULA, name, unit, desc);
    s->vformula = fn;
    s->ctx = ctx;
    s->n = n;
    s->subnames = copy_subnames(subnames, n);
    s->total = total;
}

static void dist_reset(struct stats_dist *d)
{
    memset(d->bucket, 0, d->buckets * sizeof *d->bucket);
    d->underflows = d->overflows = d->samples = 0;
    d->min_value = d->max_value = 0;
    d->sum = d->squares = 0;
}

struct stats_dist *stats_add_distribution(struct stats_group *g, const char *name, uint64_t min,
                                          uint64_t bucket_size, unsigned buckets,
                                          const char *unit, const char *desc)
{
    if (bucket_size == 0 || buckets == 0)
        misuse(g, name, "a distribution needs buckets of a size above 0");
    struct stat *s = add(g, STAT_DIST, name, unit, desc);
    struct stats_dist *d = xcalloc(1, sizeof *d);
    d->min = min;
    d->bucket_size = bucket_size;
    d->buckets = buckets;
    d->bucket = xcalloc(buckets, sizeof *d->bucket);
    dist_reset(d);
    s->dist = d;
    return d;
}

/*
 * As gem5's DistStor::sample: below min is an underflow, above the last
 * bucket's upper bound an overflow; the smallest and largest values, the sum
 * and the sum of squares cover every sample, in or out of range.
 */
void stats_dist_sample(struct stats_dist *d, uint64_t value, uint64_t count)
{
    if (count == 0)
        return;
    uint64_t index = value < d->min ? 0 : (value - d->min) / d->bucket_size;
    if (value < d->min)
        d->underflows += count;
    else if (index >= d->buckets)
        d->overflows += count;
    else
        d->bucket[index] += count;
    if (d->samples == 0 || value < d->min_value)
        d->min_value = value;
    if (d->samples == 0 || value > d->max_value)
        d->max_value = value;
    d->sum += (double)value * (double)count;
    d->squares += (double)value * (double)value * (double)count;
    d->samples += count;
}

void stats_set_flags(struct stats_group *g, const char *name, unsigned flags)
{
    struct stat *s = find(g, name);
    if (!s)
        misuse(g, name, "flags for a statistic that is not registered");
    s->flags = flags;
}

void stats_set_precision(struct stats_group *g, const char *name, int digits)
{
    struct stat *s = find(g, name);
    if (!s)
        misuse(g, name, "precision for a statistic that is not registered");
    s->precision = digits < 0 ? -1 : digits;
}

void stats_reset(struct stats_group *g)
{
    for (unsigned i = 0; i < g->nstats; i++) {
        struct stat *s = &g->stats[i];
        if (s->kind == STAT_SCALAR || s->kind == STAT_VECTOR)
            memset(s->counters, 0, s->n * sizeof *s->counters);
        else if (s->kind == STAT_DIST)
            dist_reset(s->dist);
    }
    for (struct stats_group *c = g->first_child; c; c = c->next_sibling)
        stats_reset(c);
}

void stats_walk_groups(const struct stats_group *g, void (*fn)(void *out, const struct stats_group *g), void *out)
{
    fn(out, g);
    for (const struct stats_group *c = g->first_child; c; c = c->next_sibling)
        stats_walk_groups(c, fn, out);
}

void stat_full_name(const struct stats_group *g, const struct stat *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", g->path, g->path[0] ? "." : "", s->name);
}
