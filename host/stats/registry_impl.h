/*
 * registry_impl.h - what the registry's files share (not for components):
 * the group tree, the registered statistics, and the walk that turns one
 * statistic into the rows gem5 would print for it, so that the text and the
 * JSON writers cannot disagree about what a dump contains.
 */
#ifndef M5SIM_STATS_REGISTRY_IMPL_H
#define M5SIM_STATS_REGISTRY_IMPL_H

#include "stats/registry.h"

enum stat_kind { STAT_SCALAR, STAT_VECTOR, STAT_FORMULA, STAT_VFORMULA, STAT_DIST };

struct stats_dist {
    uint64_t min, bucket_size;
    unsigned buckets;
    uint64_t *bucket;            /* [buckets] */
    uint64_t underflows, overflows, samples;
    uint64_t min_value, max_value;
    double sum, squares;         /* doubles, as gem5 keeps them: the stdev follows its rounding */
};

struct stat {
    enum stat_kind kind;
    char *name, *unit, *desc;
    unsigned flags;              /* STATS_NOZERO, ... */
    int precision;               /* -1: gem5's default */
    uint64_t *counters;          /* scalar: one; vector: n */
    unsigned n;
    char **subnames;             /* vector, vformula: n names, or NULL (printed as indices) */
    bool total;
    stats_formula_fn formula;
    stats_vformula_fn vformula;
    const void *ctx;
    struct stats_dist *dist;
};

struct stats_group {
    char *name, *path;
    struct stats_group *parent, *first_child, *last_child, *next_sibling;
    struct stat *stats;
    unsigned nstats, cap;
};

/*
 * One printed line of a statistic: its subname ("cpu.data", "total", "0-9",
 * or NULL for a statistic printed under its plain name) and its value. Counts
 * keep their exact integer (gem5 holds them as doubles, which is the same
 * below 2^53); pdf/cdf are NAN unless the line shows shares.
 */
struct stat_row {
    const char *sub;
    bool exact;
    uint64_t count;
    double value;
    double pdf, cdf;
};

typedef void (*stat_row_fn)(void *out, const struct stat *s, const struct stat_row *row);
/* Calls fn for every line gem5 would print for s, in gem5's order (display flags applied). */
void stat_rows(const struct stat *s, stat_row_fn fn, void *out);
/* Calls fn(out, group) for g and every group under it: own statistics before children, children in creation order. */
void stats_walk_groups(const struct stats_group *g, void (*fn)(void *out, const struct stats_group *g), void *out);
/* "<group path>.<name>", or the name alone at the root, into buf. */
void stat_full_name(const struct stats_group *g, const struct stat *s, char *buf, size_t size);

#endif
