/* sweep_plan.c - a sweep description file and the runs it expands to (see sweep_plan.h). */
#include "sweep/sweep_plan.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/log.h"

const char *sweep_plan_get(const struct sweep_plan *p, const char *section, const char *key, const char *def)
{
    const char *v = ini_get(&p->ini, section, key);
    return v && *v ? v : def;
}

/* dir/rel unless rel is absolute; the file's directory anchors relative paths. */
static char *resolve(const char *dir, const char *rel)
{
    char buf[8192];
    if (rel[0] == '/')
        snprintf(buf, sizeof buf, "%s", rel);
    else
        snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    return strdup(buf);
}

static void load_axis(struct sweep_plan *p, struct sweep_axis *a, const char *section, const char *dir, bool paths)
{
    a->v = calloc(p->ini.n + 1, sizeof(*a->v));
    for (size_t i = 0; i < p->ini.n; i++) {
        const struct ini_entry *e = &p->ini.e[i];
        if (strcmp(e->section, section) != 0)
            continue;
        for (int j = 0; j < a->n; j++)
            if (!strcmp(a->v[j].name, e->key))
                fatal(p->file, "line %d: [%s] names '%s' twice", e->line, section, e->key);
        if (paths && !*e->value)
            fatal(p->file, "line %d: [%s] %s has no path", e->line, section, e->key);
        a->v[a->n].name = e->key;
        a->v[a->n].value = paths ? resolve(dir, e->value) : strdup(e->value);
        a->n++;
    }
}

/* Keep what is safe in a file name on any filesystem; everything else becomes '_'. */
static void sanitize(char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_' || *s == '.' || *s == '+' || *s == '='))
            *s = '_';
}

void sweep_plan_load(struct sweep_plan *p, const char *file)
{
    memset(p, 0, sizeof(*p));
    char real[PATH_MAX], err[1024];
    if (!realpath(file, real))
        fatal(file, "%s", strerror(errno));
    snprintf(p->file, sizeof p->file, "%s", real);
    if (!ini_load(&p->ini, p->file, err, sizeof err))
        fatal("sweep", "%s", err);
    static const char *const sections[] = { "", "sweep", "checkpoints", "scripts", "configurations", "slurm" };
    for (size_t i = 0; i < p->ini.n; i++) {
        bool known = false;
        for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++)
            known |= !strcmp(p->ini.e[i].section, sections[s]);
        if (!known || !*p->ini.e[i].section)
            fatal(p->file, "line %d: %s outside the known sections ([sweep] [checkpoints] [scripts] "
                  "[configurations] [slurm])", p->ini.e[i].line, p->ini.e[i].key);
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", p->file);
    *strrchr(dir, '/') = 0;

    char def_out[PATH_MAX];
    snprintf(def_out, sizeof def_out, "%s", p->file);
    size_t len = strlen(def_out);
    if (len > 4 && !strcmp(def_out + len - 4, ".ini"))
        def_out[len - 4] = 0;
    strncat(def_out, ".out", sizeof def_out - strlen(def_out) - 1);
    char *out = resolve(dir, sweep_plan_get(p, "sweep", "outdir", def_out));
    snprintf(p->outdir, sizeof p->outdir, "%s", out);
    free(out);
    p->restore = sweep_plan_get(p, "sweep", "restore", "1");
    p->flags = sweep_plan_get(p, "sweep", "flags", "");
    p->jobs = atoi(sweep_plan_get(p, "sweep", "jobs", "1"));
    if (p->jobs < 1)
        p->jobs = 1;

    load_axis(p, &p->ckpts, "checkpoints", dir, true);
    load_axis(p, &p->scripts, "scripts", dir, true);
    load_axis(p, &p->configs, "configurations", dir, false);
    if (p->ckpts.n == 0 || p->scripts.n == 0)
        fatal(p->file, "a sweep needs at least one entry in [checkpoints] and in [scripts]");
    if (p->configs.n == 0) {   /* no configurations: one, the default machine */
        p->configs.v[0] = (struct sweep_axis_value){ "default", strdup("") };
        p->configs.n = 1;
    }

    p->nruns = p->ckpts.n * p->scripts.n * p->configs.n;
    p->runs = calloc((size_t)p->nruns, sizeof(*p->runs));
    int i = 0;
    for (int c = 0; c < p->ckpts.n; c++)
        for (int s = 0; s < p->scripts.n; s++)
            for (int f = 0; f < p->configs.n; f++, i++) {
                struct sweep_run *r = &p->runs[i];
                r->index = i;
                r->ckpt = &p->ckpts.v[c];
                r->script = &p->scripts.v[s];
                r->config = &p->configs.v[f];
                snprintf(r->name, sizeof r->name, "%s-%s-%s", r->ckpt->name, r->script->name, r->config->name);
                sanitize(r->name);
                snprintf(r->dir, sizeof r->dir, "%s/%s", p->outdir, r->name);
                for (int j = 0; j < i; j++)
                    if (!strcmp(p->runs[j].name, r->name))
                        fatal(p->file, "runs %d and %d are both named %s once sanitized: rename one", j + 1, i + 1,
                              r->name);
            }
}

void sweep_plan_free(struct sweep_plan *p)
{
    struct sweep_axis *axes[] = { &p->ckpts, &p->scripts, &p->configs };
    for (int a = 0; a < 3; a++) {
        for (int i = 0; i < axes[a]->n; i++)
            free((char *)axes[a]->v[i].value);
        free(axes[a]->v);
    }
    free(p->runs);
    ini_free(&p->ini);
}

bool sweep_run_complete(const struct sweep_run *r)
{
    char path[4200], err[512];
    snprintf(path, sizeof path, "%s/stats.txt", r->dir);
    if (access(path, F_OK) != 0)
        return false;
    snprintf(path, sizeof path, "%s/run.ini", r->dir);
    struct ini ini;
    if (access(path, F_OK) != 0 || !ini_load(&ini, path, err, sizeof err))
        return false;
    const char *st = ini_get(&ini, "run", "exit_status");
    bool ok = st && !strcmp(st, "0");
    ini_free(&ini);
    return ok;
}

/* Append the blank-separated words of (a copy of) s to argv. */
static void add_words(char **argv, int *argc, const char *s)
{
    char *copy = strdup(s);
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        argv[(*argc)++] = w;
}

char **sweep_run_argv(const struct sweep_plan *p, const struct sweep_run *r, int *argc)
{
    size_t words = 16 + strlen(p->flags) + strlen(r->config->value);
    char **argv = calloc(words, sizeof(char *));
    int n = 0;
    argv[n++] = "m5sim";
    argv[n++] = "--checkpoint-dir";
    argv[n++] = (char *)r->ckpt->value;
    argv[n++] = "-r";
    argv[n++] = (char *)p->restore;
    argv[n++] = "-d";
    argv[n++] = (char *)r->dir;
    argv[n++] = "-q";
    argv[n++] = "--script";
    argv[n++] = (char *)r->script->value;
    add_words(argv, &n, p->flags);
    add_words(argv, &n, r->config->value);
    argv[n] = NULL;
    *argc = n;
    return argv;
}

void sweep_run_write_record(const struct sweep_plan *p, const struct sweep_run *r)
{
    if (mkdir_p(r->dir) != 0)
        fatal(r->dir, "cannot create the run's output directory: %s", strerror(errno));
    char path[4200];
    snprintf(path, sizeof path, "%s/sweep.ini", r->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        fatal(path, "cannot create: %s", strerror(errno));
    fprintf(f, "# written by m5sim sweep %s: this run's parameters (m5sim stats reads them)\n", p->file);
    fprintf(f, "[params]\ncheckpoint=%s\nscript=%s\nconfiguration=%s\n", r->ckpt->name, r->script->name,
            r->config->name);
    fprintf(f, "\n[run]\nindex=%d\nname=%s\ncheckpoint_dir=%s\nscript_path=%s\nflags=%s%s%s\n", r->index, r->name,
            r->ckpt->value, r->script->value, p->flags, *p->flags ? " " : "", r->config->value);
    if (fclose(f) != 0)
        fatal(path, "write error: %s", strerror(errno));
}
