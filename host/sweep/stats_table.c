/*
 * stats_table.c - `m5sim stats`: chosen statistics of many runs in one table.
 *
 *   m5sim stats [--stat PATTERN]... [--param SECTION.KEY]... [--json] [-o FILE] DIR...
 *
 * One row per run directory and dump block of its stats.txt (gem5's text
 * format, docs/stats.md): a study's runs side by side, ready for a
 * spreadsheet, pandas or scripts/plot_stats.py. The columns are
 *   run       the directory as given,
 *   params    the run's parameters: the [params] of the sweep.ini that
 *             `m5sim sweep` leaves in each run directory, then every
 *             --param read from the run's config.ini,
 *   dump      1 for the first block of stats.txt, 2 for the next, ...
 *   stats     every statistic whose name matches a --stat pattern (fnmatch:
 *             `system.cpu.*cache.overallMisses::total`), in the order first
 *             seen; all statistics without --stat.
 * A run lacking a statistic leaves its cell empty (JSON: null).
 */
#include "sweep/sweep.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt/ini.h"
#include "util/log.h"

/* A growable list of strings, also the columns' names. */
struct names {
    char **v;
    size_t n, cap;
};

static size_t names_add(struct names *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n] = strdup(s);
    return l->n++;
}

static long names_find(const struct names *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return (long)i;
    return -1;
}

/* One row: a run's dump, its parameter and statistic values by column. */
struct row {
    const char *run;
    int dump;
    struct names param_keys, param_values;
    struct names stat_keys, stat_values;
};

struct table {
    struct row *rows;
    size_t n, cap;
    struct names params, stats;   /* the columns, in order */
};

static bool wanted(char **patterns, int npatterns, const char *name)
{
    if (npatterns == 0)
        return true;
    for (int i = 0; i < npatterns; i++)
        if (fnmatch(patterns[i], name, 0) == 0)
            return true;
    return false;
}

static void add_param(struct table *t, struct row *r, const char *key, const char *value)
{
    if (names_find(&t->params, key) < 0)
        names_add(&t->params, key);
    names_add(&r->param_keys, key);
    names_add(&r->param_values, value ? value : "");
}

/* The run's parameters, shared by its rows: sweep.ini's [params], then --param from config.ini. */
static void read_params(struct table *t, struct row *proto, const char *dir, char **want, int nwant)
{
    char path[4096], err[512];
    struct ini ini;
    snprintf(path, sizeof path, "%s/sweep.ini", dir);
    if (access(path, F_OK) == 0 && ini_load(&ini, path, err, sizeof err)) {
        for (size_t i = 0; i < ini.n; i++)
            if (!strcmp(ini.e[i].section, "params"))
                add_param(t, proto, ini.e[i].key, ini.e[i].value);
        ini_free(&ini);
    }
    if (nwant == 0)
        return;
    snprintf(path, sizeof path, "%s/config.ini", dir);
    bool have = access(path, F_OK) == 0 && ini_load(&ini, path, err, sizeof err);
    if (!have)
        warn(dir, "no readable config.ini: --param columns left empty");
    for (int i = 0; i < nwant; i++) {
        char section[512];
        snprintf(section, sizeof section, "%s", want[i]);
        char *dot = strrchr(section, '.');
        const char *v = NULL;
        if (have && dot) {
            *dot = 0;
            v = ini_get(&ini, section, dot + 1);
        }
        add_param(t, proto, want[i], v);
    }
    if (have)
        ini_free(&ini);
}

static struct row *new_row(struct table *t, const struct row *proto, int dump)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->rows = realloc(t->rows, t->cap * sizeof(*t->rows));
    }
    struct row *r = &t->rows[t->n++];
    memset(r, 0, sizeof(*r));
    r->run = proto->run;
    r->dump = dump;
    for (size_t i = 0; i < proto->param_keys.n; i++) {
        names_add(&r->param_keys, proto->param_keys.v[i]);
        names_add(&r->param_values, proto->param_values.v[i]);
    }
    return r;
}

/* Every dump block of DIR/stats.txt as a row; false if there is no stats.txt. */
static bool read_run(struct table *t, const char *dir, char **patterns, int npatterns, char **params, int nparams)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/stats.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        warn(dir, "no stats.txt: run skipped");
        return false;
    }
    struct row proto = { .run = dir };
    read_params(t, &proto, dir, params, nparams);
    struct row *r = NULL;
    int dumps = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        if (strstr(line, "Begin Simulation Statistics")) {
            r = new_row(t, &proto, ++dumps);
            continue;
        }
        if (strstr(line, "End Simulation Statistics")) {
            r = NULL;
            continue;
        }
        char name[1024], value[128];
        if (!r || sscanf(line, "%1023s %127s", name, value) != 2 || !wanted(patterns, npatterns, name))
            continue;
        if (names_find(&t->stats, name) < 0)
            names_add(&t->stats, name);
        names_add(&r->stat_keys, name);
        names_add(&r->stat_values, value);
    }
    free(line);
    fclose(f);
    for (size_t i = 0; i < proto.param_keys.n; i++) {
        free(proto.param_keys.v[i]);
        free(proto.param_values.v[i]);
    }
    free(proto.param_keys.v);
    free(proto.param_values.v);
    if (dumps == 0)
        warn(dir, "stats.txt holds no dump");
    return true;
}

static const char *cell(const struct names *keys, const struct names *values, const char *column)
{
    long i = names_find(keys, column);
    return i < 0 ? NULL : values->v[i];
}

/* A CSV field, quoted when it must be (RFC 4180). */
static void csv_field(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void write_csv(FILE *out, const struct table *t)
{
    fputs("run", out);
    for (size_t c = 0; c < t->params.n; c++) {
        fputc(',', out);
        csv_field(out, t->params.v[c]);
    }
    fputs(",dump", out);
    for (size_t c = 0; c < t->stats.n; c++) {
        fputc(',', out);
        csv_field(out, t->stats.v[c]);
    }
    fputc('\n', out);
    for (size_t i = 0; i < t->n; i++) {
        const struct row *r = &t->rows[i];
        csv_field(out, r->run);
        for (size_t c = 0; c < t->params.n; c++) {
            fputc(',', out);
            csv_field(out, cell(&r->param_keys, &r->param_values, t->params.v[c]));
        }
        fprintf(out, ",%d", r->dump);
        for (size_t c = 0; c < t->stats.n; c++) {
            fputc(',', out);
            csv_field(out, cell(&r->stat_keys, &r->stat_values, t->stats.v[c]));
        }
        fputc('\n', out);
    }
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* A statistic's value as a JSON number as printed in stats.txt; nan, inf or text become null. */
static void json_number(FILE *out, const char *s)
{
    char *end;
    double v = s ? strtod(s, &end) : NAN;
    if (!s || *end || end == s || !isfinite(v) || strpbrk(s, "xXnNiI"))
        fputs("null", out);
    else
        fputs(s, out);
}

/* JSON: an array of row objects, one per line; the keys as in the CSV header. */
static void write_json(FILE *out, const struct table *t)
{
    fputs("[\n", out);
    for (size_t i = 0; i < t->n; i++) {
        const struct row *r = &t->rows[i];
        fputs("{\"run\":", out);
        json_string(out, r->run);
        for (size_t c = 0; c < t->params.n; c++) {
            const char *v = cell(&r->param_keys, &r->param_values, t->params.v[c]);
            fputc(',', out);
            json_string(out, t->params.v[c]);
            fputc(':', out);
            if (v)
                json_string(out, v);
            else
                fputs("null", out);
        }
        fprintf(out, ",\"dump\":%d", r->dump);
        for (size_t c = 0; c < t->stats.n; c++) {
            fputc(',', out);
            json_string(out, t->stats.v[c]);
            fputc(':', out);
            json_number(out, cell(&r->stat_keys, &r->stat_values, t->stats.v[c]));
        }
        fputs(i + 1 < t->n ? "},\n" : "}\n", out);
    }
    fputs("]\n", out);
}

static void stats_usage(FILE *f)
{
    fprintf(f, "usage: m5sim stats [OPTIONS] DIR...\n"
               "Gather statistics of many output directories into one table (CSV, or JSON),\n"
               "one row per run and stats.txt dump block (docs/sweeps.md).\n\n"
               "  -s, --stat PATTERN     a statistic to gather, gem5's name, fnmatch patterns allowed\n"
               "                         (system.cpu.*cache.overallMisses::total); repeatable; default all\n"
               "  -p, --param SEC.KEY    a config.ini value as a parameter column (system.cpu.icache.size);\n"
               "                         repeatable; a sweep's runs carry their parameters already\n"
               "      --json             JSON (an array of row objects) instead of CSV\n"
               "      --last             only each run's last dump\n"
               "  -o, --output FILE      write the table to FILE instead of standard output\n");
}

int stats_main(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_LAST };
    static const struct option opts[] = {
        { "stat", required_argument, 0, 's' },  { "param", required_argument, 0, 'p' },
        { "json", no_argument, 0, OPT_JSON },   { "last", no_argument, 0, OPT_LAST },
        { "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    char **patterns = calloc((size_t)argc, sizeof(char *)), **params = calloc((size_t)argc, sizeof(char *));
    int npatterns = 0, nparams = 0;
    bool json = false, last = false;
    const char *output = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:p:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': patterns[npatterns++] = optarg; break;
        case 'p': params[nparams++] = optarg; break;
        case 'o': output = optarg; break;
        case OPT_JSON: json = true; break;
        case OPT_LAST: last = true; break;
        case 'h': stats_usage(stdout); return 0;
        default: stats_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        stats_usage(stderr);
        return 2;
    }
    struct table t = { 0 };
    int missing = 0;
    for (int i = optind; i < argc; i++) {
        size_t before = t.n;
        if (!read_run(&t, argv[i], patterns, npatterns, params, nparams))
            missing++;
        if (last && t.n > before + 1) {   /* keep only the run's last dump */
            t.rows[before] = t.rows[t.n - 1];
            t.n = before + 1;
        }
    }
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out)
        fatal(output, "cannot create: %s", strerror(errno));
    if (json)
        write_json(out, &t);
    else
        write_csv(out, &t);
    if (fflush(out) != 0 || (output && fclose(out) != 0))
        fatal(output ? output : "stdout", "write error: %s", strerror(errno));
    free(patterns);
    free(params);
    return missing ? 1 : 0;
}
