/*
 * sweep_slurm.c - a sweep as one Slurm job array.
 *
 * <outdir>/sweep.sbatch holds one array task per pending run; the array's
 * indices are the runs' indices in the sweep, and task i runs
 * `m5sim sweep FILE --task i`, which reads the same file and so finds the
 * same run. Every path in the script is absolute: the tasks read the
 * checkpoint in place from the shared filesystem (a restore never writes
 * its checkpoint directory) and write only their run directories.
 *
 * [slurm] keys, each optional: partition, time (sbatch --time), cpus-per-task
 * (default 1: a run is one host thread), mem (--mem, per task), throttle
 * (at most N tasks at once: --array=...%N), account, job-name, extra (more
 * #SBATCH lines' options, blank-separated).
 */
#include "sweep/sweep_slurm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/log.h"

/* A word for a bash script in single quotes. */
static void sh_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    fputc('\'', f);
}

/* A #SBATCH line's value must not break the line or the directive. */
static const char *directive_value(const char *key, const char *v)
{
    if (strpbrk(v, "\n\r"))
        fatal("[slurm]", "%s: one line only", key);
    return v;
}

static void write_script(FILE *f, const struct sweep_plan *p, const bool *todo, const char *path)
{
    const char *name = sweep_plan_get(p, "slurm", "job-name", "m5sim-sweep");
    fprintf(f, "#!/bin/bash\n# %s - written by m5sim sweep --slurm from %s\n", path, p->file);
    fprintf(f, "# Task i runs the sweep's run i (m5sim sweep FILE --list shows them).\n");
    fprintf(f, "#SBATCH --job-name=%s\n", directive_value("job-name", name));
    fputs("#SBATCH --array=", f);
    const char *sep = "";
    for (int i = 0; i < p->nruns; i++) {
        if (!todo[i])
            continue;
        /* runs of consecutive indices as ranges: 0-3,5 */
        int j = i;
        while (j + 1 < p->nruns && todo[j + 1])
            j++;
        if (j > i)
            fprintf(f, "%s%d-%d", sep, i, j);
        else
            fprintf(f, "%s%d", sep, i);
        sep = ",";
        i = j;
    }
    const char *throttle = sweep_plan_get(p, "slurm", "throttle", NULL);
    if (throttle)
        fprintf(f, "%%%d", atoi(throttle));
    fputc('\n', f);
    fprintf(f, "#SBATCH --cpus-per-task=%s\n", directive_value("cpus-per-task",
                                                               sweep_plan_get(p, "slurm", "cpus-per-task", "1")));
    fprintf(f, "#SBATCH --ntasks=1\n");
    static const char *const keys[] = { "partition", "time", "mem", "account" };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *v = sweep_plan_get(p, "slurm", keys[k], NULL);
        if (v)
            fprintf(f, "#SBATCH --%s=%s\n", keys[k], directive_value(keys[k], v));
    }
    const char *extra = sweep_plan_get(p, "slurm", "extra", NULL);
    if (extra) {
        char *copy = strdup(directive_value("extra", extra));
        for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
            fprintf(f, "#SBATCH %s\n", w);
        free(copy);
    }
    fprintf(f, "#SBATCH --output=%s/slurm-%%A_%%a.out\n", directive_value("outdir", p->outdir));
    fputs("set -eu\nexec ", f);
    sh_quote(f, sweep_self_exe());
    fputs(" sweep ", f);
    sh_quote(f, p->file);
    fputs(" --task \"$SLURM_ARRAY_TASK_ID\"\n", f);
}

/* sbatch's absolute path on PATH, or NULL. */
static char *find_sbatch(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return NULL;
    char *copy = strdup(path), *found = NULL;
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/sbatch", *d ? d : ".");
        if (access(probe, X_OK) == 0)
            found = strdup(probe);
    }
    free(copy);
    return found;
}

int sweep_slurm_submit(const struct sweep_plan *p, const bool *todo, int pending, bool wait)
{
    if (pending == 0) {
        fprintf(stderr, "m5sim: sweep: nothing to submit: every run is complete (--force submits them again)\n");
        return 0;
    }
    if (mkdir_p(p->outdir) != 0)
        fatal(p->outdir, "cannot create: %s", strerror(errno));
    for (int i = 0; i < p->nruns; i++)
        if (todo[i])
            sweep_run_write_record(p, &p->runs[i]);
    char path[4200];
    snprintf(path, sizeof path, "%s/sweep.sbatch", p->outdir);
    FILE *f = fopen(path, "w");
    if (!f)
        fatal(path, "cannot create: %s", strerror(errno));
    write_script(f, p, todo, path);
    if (fclose(f) != 0)
        fatal(path, "write error: %s", strerror(errno));
    char *sbatch = find_sbatch();
    if (!sbatch) {
        printf("m5sim: sweep: %d run%s in %s; no sbatch on PATH: submit with\n  sbatch --parsable %s%s\n", pending,
               pending == 1 ? "" : "s", path, wait ? "--wait " : "", path);
        return 0;
    }
    fprintf(stderr, "m5sim: sweep: submitting %d run%s: %s --parsable %s%s\n", pending, pending == 1 ? "" : "s",
            sbatch, wait ? "--wait " : "", path);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        fatal("sbatch", "fork: %s", strerror(errno));
    if (pid == 0) {
        if (wait)
            execl(sbatch, "sbatch", "--parsable", "--wait", path, (char *)NULL);
        else
            execl(sbatch, "sbatch", "--parsable", path, (char *)NULL);
        fprintf(stderr, "m5sim: exec %s: %s\n", sbatch, strerror(errno));
        _exit(127);
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR)
            fatal("sbatch", "waitpid: %s", strerror(errno));
    free(sbatch);
    int st = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    if (st != 0)
        fprintf(stderr, "m5sim: sweep: sbatch failed (exit status %d); the script is %s\n", st, path);
    return st;
}
