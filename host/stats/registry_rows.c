/*
 * registry_rows.c - which lines gem5 v24 prints for each kind of statistic,
 * and in what order (facts from gem5's src/base/stats/text.cc and
 * storage.{hh,cc}; the text and JSON writers both print these rows):
 *
 * - A line is left out when the statistic has `nozero` and its value is 0,
 *   or `nonan` and its value is nan.
 * - A scalar or a formula is one line under its plain name.
 * - A vector of one entry is one line under its plain name: no subname, no
 *   total. A longer vector prints "name::sub" for each entry (entries whose
 *   subname is empty are skipped; without subnames the index is the
 *   subname), but with `nozero` and a total of 0 it prints no entries at
 *   all; then "name::total" if it has a total. With pdf/cdf, entries show
 *   their share of the sum and the running share; the total line never does.
 * - A distribution prints ::samples, ::mean, ::stdev, ::underflows, one line
 *   per bucket named "lo-hi" (just "lo" when the bucket holds one value;
 *   bounds written as C++ streams write a double, i.e. like printf's %g),
 *   ::overflows, ::min_value, ::max_value, ::total. Underflows, buckets and
 *   overflows always show their share of the samples once there are any.
 *   The mean and stdev are nan without samples; the stdev is
 *   sqrt((n*squares - sum^2) / (n*(n-1))), nan for a single sample too.
 *   min_value and max_value are 0 without samples. With `nozero`, a
 *   distribution without samples prints nothing.
 */
#include "stats/registry_impl.h"

#include <math.h>
#include <stdio.h>

static void emit(const struct stat *s, stat_row_fn fn, void *out, struct stat_row row)
{
    double v = row.exact ? (double)row.count : row.value;
    if ((s->flags & STATS_NOZERO) && v == 0.0)
        return;
    if ((s->flags & STATS_NONAN) && isnan(v))
        return;
    fn(out, s, &row);
}

static struct stat_row count_row(const char *sub, uint64_t count)
{
    return (struct stat_row){ .sub = sub, .exact = true, .count = count, .value = (double)count,
                              .pdf = NAN, .cdf = NAN };
}

static struct stat_row value_row(const char *sub, double value)
{
    return (struct stat_row){ .sub = sub, .value = value, .pdf = NAN, .cdf = NAN };
}

static struct stat_row entry_row(const struct stat *s, unsigned i, const char *sub)
{
    if (s->kind == STAT_VECTOR)
        return count_row(sub, s->counters[i]);
    return value_row(sub, s->vformula(s->ctx, i));
}

static void vector_rows(const struct stat *s, stat_row_fn fn, void *out)
{
    if (s->n == 1) {
        struct stat_row r = entry_row(s, 0, NULL);
        emit(s, fn, out, r);
        return;
    }
    double sum = 0;
    uint64_t sum_exact = 0;
    for (unsigned i = 0; i < s->n; i++) {
        struct stat_row r = entry_row(s, i, NULL);
        sum += r.value;
        sum_exact += r.count;
    }
    struct stat_row total = s->kind == STAT_VECTOR ? count_row("total", sum_exact)
                            : value_row("total", s->total ? s->vformula(s->ctx, s->n) : sum);
    double total_value = total.exact ? (double)total.count : total.value;

    if (!(s->flags & STATS_NOZERO) || total_value != 0) {
        bool shares = (s->flags & STATS_PDF) && sum != 0;
        double cdf = 0;
        char index[16];
        for (unsigned i = 0; i < s->n; i++) {
            snprintf(index, sizeof index, "%u", i);
            const char *sub = s->subnames ? s->subnames[i] : index;
            if (!sub[0])
                continue;
            struct stat_row r = entry_row(s, i, sub);
            if (shares) {
                r.pdf = r.value / sum;
                cdf += r.pdf;
                r.cdf = cdf;
            }
            emit(s, fn, out, r);
        }
    }
    if (s->total)
        emit(s, fn, out, total);
}

static void dist_rows(const struct stat *s, stat_row_fn fn, void *out)
{
    const struct stats_dist *d = s->dist;
    if ((s->flags & STATS_NOZERO) && d->samples == 0)
        return;
    double n = (double)d->samples;
    emit(s, fn, out, count_row("samples", d->samples));
    emit(s, fn, out, value_row("mean", d->samples ? d->sum / n : NAN));
    double stdev = d->samples ? sqrt((n * d->squares - d->sum * d->sum) / (n * (n - 1.0))) : NAN;
    emit(s, fn, out, value_row("stdev", stdev));

    uint64_t total = d->underflows + d->overflows;
    for (unsigned i = 0; i < d->buckets; i++)
        total += d->bucket[i];
    double cdf = 0;
    struct stat_row r = count_row("underflows", d->underflows);
    if (total) {
        r.pdf = (double)r.count / (double)total;
        r.cdf = cdf += r.pdf;
    }
    emit(s, fn, out, r);
    for (unsigned i = 0; i < d->buckets; i++) {
        double lo = (double)i * (double)d->bucket_size + (double)d->min;
        double hi = lo + (double)d->bucket_size - 1.0;
        char sub[64];
        if (lo < hi)
            snprintf(sub, sizeof sub, "%g-%g", lo, hi);
        else
            snprintf(sub, sizeof sub, "%g", lo);
        r = count_row(sub, d->bucket[i]);
        if (total) {
            r.pdf = (double)r.count / (double)total;
            r.cdf = cdf += r.pdf;
        }
        emit(s, fn, out, r);
    }
    r = count_row("overflows", d->overflows);
    if (total) {
        r.pdf = (double)r.count / (double)total;
        r.cdf = cdf += r.pdf;
    }
    emit(s, fn, out, r);
    emit(s, fn, out, count_row("min_value", d->min_value));
    emit(s, fn, out, count_row("max_value", d->max_value));
    emit(s, fn, out, count_row("total", total));
}

void stat_rows(const struct stat *s, stat_row_fn fn, void *out)
{
    switch (s->kind) {
    case STAT_SCALAR:
        emit(s, fn, out, count_row(NULL, *s->counters));
        break;
    case STAT_FORMULA:
        emit(s, fn, out, value_row(NULL, s->formula(s->ctx)));
        break;
    case STAT_VECTOR:
    case STAT_VFORMULA:
        vector_rows(s, fn, out);
        break;
    case STAT_DIST:
        dist_rows(s, fn, out);
        break;
    }
}
