/*
 * registry.h - named, hierarchical statistics owned by the components that count them.
 *
 * A component keeps its counters as plain uint64_t fields (incrementing one
 * costs nothing more than an add) and, once at setup, registers each with a
 * name, a unit and a description under its own group ("system.cpu.dcache").
 * Dump and reset walk the registry: reset zeroes every registered counter,
 * dump prints them in gem5 v24's stats.txt text format (and as JSON for
 * tools). Formulas (miss rates, IPC) are computed at dump time from the
 * counters. Statistics are not checkpoint state.
 *
 * Units are gem5's spellings: "Count", "Cycle", "Tick", "Second", "Byte",
 * "Ratio", "(Cycle/Count)", "(Tick/Count)", "(Byte/Second)", ...
 */
#ifndef M5SIM_STATS_REGISTRY_H
#define M5SIM_STATS_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct stats_group;

/* The root has the empty name; a child's full name is "<parent>.<name>" ("system.l2"). */
struct stats_group *stats_root_new(void);
struct stats_group *stats_group_new(struct stats_group *parent, const char *name);
/* Frees the group, its children and their registrations (never the counters). */
void stats_group_free(struct stats_group *g);
const char *stats_group_path(const struct stats_group *g);

/* A counter. Reset sets *counter to 0. */
void stats_add_scalar(struct stats_group *g, const char *name, uint64_t *counter,
                      const char *unit, const char *desc);

/*
 * A vector of n counters printed as name::sub[i]; with `total`, also
 * name::total (their sum). Subnames are e.g. { "cpu.inst", "cpu.data" }.
 * Entries that are zero are printed too (gem5 prints every subname), unless
 * STATS_NOZERO is set. As in gem5, a vector of one entry prints as a plain
 * `name` line, without subname or total.
 */
void stats_add_vector(struct stats_group *g, const char *name, uint64_t *counters, unsigned n,
                      const char *const *subnames, bool total, const char *unit, const char *desc);

/*
 * A value computed at dump time: fn(ctx). Printed with 6 decimals, or as
 * "nan" / "inf" as gem5 prints them. Formulas are not reset.
 */
typedef double (*stats_formula_fn)(const void *ctx);
void stats_add_formula(struct stats_group *g, const char *name, stats_formula_fn fn,
                       const void *ctx, const char *unit, const char *desc);

/*
 * A vector formula: fn(ctx, i) for i < n, printed as name::sub[i], plus
 * name::total = fn(ctx, n) when `total` is set (fn decides what a total
 * means for a ratio).
 */
typedef double (*stats_vformula_fn)(const void *ctx, unsigned i);
void stats_add_vformula(struct stats_group *g, const char *name, stats_vformula_fn fn,
                        const void *ctx, unsigned n, const char *const *subnames, bool total,
                        const char *unit, const char *desc);

/*
 * A distribution of samples in `buckets` buckets of `bucket_size` starting
 * at `min`; printed as gem5 prints a Distribution (samples, mean, stdev,
 * underflows, buckets "lo-hi", overflows, min_value, max_value, total).
 * The storage belongs to the registry; the owner samples through the handle.
 */
struct stats_dist;
struct stats_dist *stats_add_distribution(struct stats_group *g, const char *name, uint64_t min,
                                          uint64_t bucket_size, unsigned buckets,
                                          const char *unit, const char *desc);
void stats_dist_sample(struct stats_dist *d, uint64_t value, uint64_t count);

/*
 * gem5's display options for one statistic already registered in g, found by
 * name (a name that is not there is a programming error and aborts).
 *   STATS_NOZERO  leave out lines whose value is 0 (a vector whose entries are
 *                 all 0 prints nothing but a non-zero ::total; a distribution
 *                 without samples prints nothing)
 *   STATS_NONAN   leave out lines whose value is nan
 *   STATS_PDF     a vector's entries also show their share of the sum and the
 *                 running share ("45.00%   80.00%"), as gem5's pdf/cdf flags
 * Precision: digits after the point; -1 (the default) prints whole values
 * without decimals and others with 6, as gem5 does.
 */
#define STATS_NOZERO 0x1u
#define STATS_NONAN  0x2u
#define STATS_PDF    0x4u
void stats_set_flags(struct stats_group *g, const char *name, unsigned flags);
void stats_set_precision(struct stats_group *g, const char *name, int digits);

/* Zero every counter and distribution under g (formulas follow their inputs). */
void stats_reset(struct stats_group *g);

/*
 * One gem5 stats.txt block: "---------- Begin Simulation Statistics ----------",
 * every statistic under g in registration order (groups in the order they were
 * created), "---------- End Simulation Statistics   ----------".
 */
void stats_dump_text(struct stats_group *g, FILE *f);
/* The same data as one JSON object per dump, one line each (JSON Lines). */
void stats_dump_json(struct stats_group *g, FILE *f);

#endif
