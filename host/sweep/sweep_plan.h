/*
 * sweep_plan.h - a sweep description file and the runs it expands to.
 *
 *   [sweep]                      everything optional
 *   outdir = results             where the run directories go (default: FILE without .ini, + ".out")
 *   restore = 1                  -r N for every checkpoint directory (default 1)
 *   jobs = 2                     local runs at once (-j overrides)
 *   flags = --max-insts 1000000  m5sim flags for every run
 *   [checkpoints]                NAME = a --checkpoint-dir (holding cpt.<tick>/)
 *   boot = ../build/tests/fs/ckpt
 *   [scripts]                    NAME = a guest script (--script)
 *   matmul = scripts/matmul.sh
 *   [configurations]             NAME = m5sim flags, split at blanks
 *   timing-l2 = --cpu-type timing --caches --l2cache
 *   [slurm]                      sbatch options for `--slurm`, see sweep_slurm.c
 *
 * Relative paths are relative to the file's directory. The runs are the
 * cross product in file order (checkpoint outermost, configuration
 * innermost); run i is the same run on every machine that reads the same
 * file, which is what lets a Slurm array task find its run by index.
 */
#ifndef M5SIM_SWEEP_SWEEP_PLAN_H
#define M5SIM_SWEEP_SWEEP_PLAN_H

#include <stdbool.h>

#include "ckpt/ini.h"

struct sweep_axis_value {
    const char *name;    /* the key in the file */
    const char *value;   /* path (absolute) or flags */
};

struct sweep_axis {
    struct sweep_axis_value *v;
    int n;
};

struct sweep_run {
    int index;                 /* in the cross product, from 0 */
    char name[512];            /* <checkpoint>-<script>-<configuration>, sanitized */
    char dir[4096];            /* outdir/name */
    const struct sweep_axis_value *ckpt, *script, *config;
};

struct sweep_plan {
    struct ini ini;
    char file[4096];            /* absolute */
    char outdir[4096];          /* absolute */
    const char *restore;        /* -r N */
    const char *flags;          /* for every run, may be empty */
    int jobs;
    struct sweep_axis ckpts, scripts, configs;
    struct sweep_run *runs;
    int nruns;
};

/* Read and expand FILE; fatal with file and reason on a malformed one. */
void sweep_plan_load(struct sweep_plan *p, const char *file);
void sweep_plan_free(struct sweep_plan *p);

/* The [section] key's value, or def. */
const char *sweep_plan_get(const struct sweep_plan *p, const char *section, const char *key, const char *def);

/* A run is complete when its run.ini says exit_status=0 and stats.txt exists: a rerun skips it. */
bool sweep_run_complete(const struct sweep_run *r);

/*
 * The m5sim arguments of a run (argv[0] "m5sim", NULL-terminated): the
 * restore, -d, --script and the sweep's and configuration's flags. Made for
 * an exec: the memory is not freed.
 */
char **sweep_run_argv(const struct sweep_plan *p, const struct sweep_run *r, int *argc);

/* Write <run dir>/sweep.ini: the run's parameters ([params]), read back by `m5sim stats`. */
void sweep_run_write_record(const struct sweep_plan *p, const struct sweep_run *r);

#endif
