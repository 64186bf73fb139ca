/*
 * registry_json.c - a dump as one line of JSON (JSON Lines: one object per
 * dump), for tools that would rather not parse stats.txt.
 *
 * The object holds exactly the lines stats.txt holds for the same dump: a
 * statistic printed under its plain name is "name": number; one printed as
 * "name::sub" lines (vectors, distributions) is "name": {"sub": number, ...}
 * in the text's order. Counts are exact integers, other values carry full
 * double precision whatever the text's precision; nan and infinities, which
 * JSON cannot express, are null.
 */
#include "stats/registry_impl.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void put_number(FILE *f, const struct stat_row *r)
{
    if (r->exact) {
        fprintf(f, "%" PRIu64, r->count);
        return;
    }
    if (!isfinite(r->value)) {
        fputs("null", f);
        return;
    }
    /* The shortest of %.15g and %.17g that reads back as the same double. */
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", r->value);
    if (strtod(buf, NULL) != r->value)
        snprintf(buf, sizeof buf, "%.17g", r->value);
    fputs(buf, f);
}

struct json_out {
    FILE *f;
    const struct stats_group *g;
    bool first;                     /* no member written yet */
    const struct stat *open;        /* the statistic whose object is open, or NULL */
};

static void close_open(struct json_out *j)
{
    if (j->open)
        fputc('}', j->f);
    j->open = NULL;
}

static void put_row(void *out, const struct stat *s, const struct stat_row *r)
{
    struct json_out *j = out;
    char name[512];
    if (!r->sub || j->open != s) {
        close_open(j);
        if (!j->first)
            fputc(',', j->f);
        j->first = false;
        stat_full_name(j->g, s, name, sizeof name);
        put_string(j->f, name);
        fputc(':', j->f);
        if (!r->sub) {
            put_number(j->f, r);
            return;
        }
        fputc('{', j->f);
        j->open = s;
    } else {
        fputc(',', j->f);
    }
    put_string(j->f, r->sub);
    fputc(':', j->f);
    put_number(j->f, r);
}

static void put_group(void *out, const struct stats_group *g)
{
    struct json_out *j = out;
    j->g = g;
    for (unsigned i = 0; i < g->nstats; i++) {
        stat_rows(&g->stats[i], put_row, j);
        close_open(j);
    }
}

void stats_dump_json(struct stats_group *g, FILE *f)
{
    struct json_out j = { .f = f, .first = true };
    fputc('{', f);
    stats_walk_groups(g, put_group, &j);
    fputs("}\n", f);
    fflush(f);
}
