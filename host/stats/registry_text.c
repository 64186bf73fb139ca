/*
 * registry_text.c - gem5 v24's stats.txt text format (facts from gem5's
 * src/base/stats/text.cc, with the options gem5 uses for stats.txt:
 * descriptions and units on, alignment spaces on):
 *
 * - A dump is "\n---------- Begin Simulation Statistics ----------\n", the
 *   lines, then "\n---------- End Simulation Statistics   ----------\n"
 *   (note the three spaces after "Statistics" in the end banner); so a
 *   blank line precedes each banner and the file starts with one.
 * - A line is the name left-aligned in 40 columns, a space, the value
 *   right-aligned in 12, then two share columns, each a space and 10
 *   columns right-aligned ("45.00%", empty for most statistics), then
 *   " # <description>" when there is one and " (<unit>)" when there is one.
 *   Longer names or values simply push the rest to the right.
 * - Values: nan prints "nan". With a precision set, fixed notation with that
 *   many decimals. Otherwise a value that is whole prints with no decimals
 *   (which also makes infinities "inf" and "-inf") and any other with 6.
 * - Rate units are written in parentheses ("(Cycle/Count)"), so the comment
 *   ends "((Cycle/Count))".
 */
#include "stats/registry_impl.h"

#include <inttypes.h>
#include <math.h>

static void format_value(char *buf, size_t size, const struct stat_row *r, int precision)
{
    if (r->exact && precision <= 0)
        snprintf(buf, size, "%" PRIu64, r->count);
    else if (isnan(r->value))
        snprintf(buf, size, "nan");
    else if (precision >= 0)
        snprintf(buf, size, "%.*f", precision, r->value);
    else if (r->value == rint(r->value))
        snprintf(buf, size, "%.0f", r->value);
    else
        snprintf(buf, size, "%.6f", r->value);
}

static void format_share(char *buf, size_t size, double share)
{
    if (isnan(share))
        buf[0] = 0;
    else
        snprintf(buf, size, "%.2f%%", share * 100.0);
}

struct text_out {
    FILE *f;
    const struct stats_group *g;
};

static void print_row(void *out, const struct stat *s, const struct stat_row *r)
{
    struct text_out *t = out;
    char name[512], full[600], value[64], pdf[32], cdf[32];
    stat_full_name(t->g, s, name, sizeof name);
    if (r->sub)
        snprintf(full, sizeof full, "%s::%s", name, r->sub);
    else
        snprintf(full, sizeof full, "%s", name);
    format_value(value, sizeof value, r, s->precision);
    format_share(pdf, sizeof pdf, r->pdf);
    format_share(cdf, sizeof cdf, r->cdf);
    fprintf(t->f, "%-40s %12s %10s %10s", full, value, pdf, cdf);
    if (s->desc[0])
        fprintf(t->f, " # %s", s->desc);
    if (s->unit[0])
        fprintf(t->f, " (%s)", s->unit);
    fputc('\n', t->f);
}

static void print_group(void *out, const struct stats_group *g)
{
    struct text_out *t = out;
    t->g = g;
    for (unsigned i = 0; i < g->nstats; i++)
        stat_rows(&g->stats[i], print_row, t);
}

void stats_dump_text(struct stats_group *g, FILE *f)
{
    struct text_out t = { .f = f };
    fprintf(f, "\n---------- Begin Simulation Statistics ----------\n");
    stats_walk_groups(g, print_group, &t);
    fprintf(f, "\n---------- End Simulation Statistics   ----------\n");
    fflush(f);
}
