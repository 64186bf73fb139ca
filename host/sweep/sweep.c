/*
 * sweep.c - `m5sim sweep FILE`: run a sweep's cross product of restores.
 *
 * Locally, each run is its own m5sim process (this executable, exec'd with
 * the run's arguments), -j at a time, its stdout and stderr in
 * <run dir>/m5sim.log. Restores map the checkpoint's memory MAP_PRIVATE, so
 * concurrent runs of one checkpoint share its pages through the page cache as
 * --batch's forked children do. With --slurm the same runs become one sbatch
 * job array whose task i runs `m5sim sweep FILE --task i` (sweep_slurm.c).
 * Complete runs (sweep_run_complete) are skipped either way.
 */
#include "sweep/sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sweep/sweep_plan.h"
#include "sweep/sweep_slurm.h"
#include "util/log.h"

/* This executable, for the runs (absolute: a Slurm task may start elsewhere). */
const char *sweep_self_exe(void)
{
    static char exe[PATH_MAX];
    if (!exe[0]) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            fatal("sweep", "cannot find this executable (/proc/self/exe): %s", strerror(errno));
        exe[n] = 0;
    }
    return exe;
}

/* Start one run: a child m5sim with its output in <run dir>/m5sim.log. */
static pid_t start_run(const struct sweep_plan *p, const struct sweep_run *r, char *log, size_t loglen)
{
    sweep_run_write_record(p, r);
    snprintf(log, loglen, "%s/m5sim.log", r->dir);
    pid_t parent = getpid();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        fatal("sweep", "fork: %s", strerror(errno));
    if (pid > 0)
        return pid;
    /* A sweep that dies takes its runs along. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
        _exit(128 + SIGTERM);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
        fprintf(stderr, "m5sim: %s: %s\n", log, strerror(errno));
        _exit(2);
    }
    int argc;
    char **argv = sweep_run_argv(p, r, &argc);
    execv(sweep_self_exe(), argv);
    fprintf(stderr, "m5sim: exec %s: %s\n", sweep_self_exe(), strerror(errno));
    _exit(127);
}

static int exit_code(int ws)
{
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* Run the selected runs, jobs at a time; 0 when every one succeeded. */
static int run_local(const struct sweep_plan *p, const bool *todo, int jobs)
{
    int n = p->nruns, total = 0, failed = 0, running = 0, next = 0;
    pid_t *pids = calloc((size_t)n, sizeof(*pids));
    char (*logs)[4200] = calloc((size_t)n, sizeof(*logs));
    for (int i = 0; i < n; i++)
        total += todo[i];
    for (;;) {
        while (next < n && !todo[next])
            next++;
        if (next < n && running < jobs) {
            pids[next] = start_run(p, &p->runs[next], logs[next], sizeof logs[next]);
            running++;
            next++;
            continue;
        }
        if (running == 0)
            break;
        int ws;
        pid_t done = wait(&ws);
        if (done < 0 && errno == EINTR)
            continue;
        if (done < 0)
            break;
        for (int i = 0; i < n; i++)
            if (pids[i] == done) {
                int st = exit_code(ws);
                if (st != 0) {
                    failed++;
                    fprintf(stderr, "m5sim: sweep: %s FAILED (exit status %d), log %s\n", p->runs[i].name, st,
                            logs[i]);
                } else {
                    fprintf(stderr, "m5sim: sweep: %s done, outputs in %s/\n", p->runs[i].name, p->runs[i].dir);
                }
                pids[i] = 0;
                running--;
            }
    }
    fprintf(stderr, "m5sim: sweep: %d run%s: %d succeeded, %d failed\n", total, total == 1 ? "" : "s",
            total - failed, failed);
    free(pids);
    free(logs);
    return failed ? 1 : 0;
}

/* --task I (a Slurm array task): run I in the foreground, its status ours. */
static int run_task(const struct sweep_plan *p, int i)
{
    if (i < 0 || i >= p->nruns)
        fatal("--task", "%d: the sweep has runs 0 to %d", i, p->nruns - 1);
    const struct sweep_run *r = &p->runs[i];
    if (sweep_run_complete(r)) {
        printf("m5sim: sweep: %s is complete, skipped\n", r->name);
        return 0;
    }
    char log[4200];
    pid_t pid = start_run(p, r, log, sizeof log);
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR)
            fatal("--task", "waitpid: %s", strerror(errno));
    int st = exit_code(ws);
    printf("m5sim: sweep: task %d, %s: exit status %d, log %s, outputs in %s/\n", i, r->name, st, log, r->dir);
    return st;
}

static void sweep_usage(FILE *f)
{
    fprintf(f, "usage: m5sim sweep [OPTIONS] FILE\n"
               "Run the cross product of FILE's [checkpoints] x [scripts] x [configurations]\n"
               "(docs/sweeps.md), one output directory per run; complete runs are skipped.\n\n"
               "  -j, --jobs N        N runs at once (default: [sweep] jobs, or 1)\n"
               "      --only PATTERN  only the runs whose names match (fnmatch); repeatable\n"
               "  -n, --list          print the runs and whether each is complete; run nothing\n"
               "      --force         run complete runs again too\n"
               "      --slurm         write one sbatch job-array script for the pending runs and submit\n"
               "                      it with sbatch if found (else print how); [slurm] in FILE sets\n"
               "                      partition, time, cpus-per-task, mem, throttle, account, extra\n"
               "      --wait          with --slurm: sbatch --wait (return when the array ends)\n"
               "      --task I        run run I (from 0) in the foreground: what an array task does\n");
}

int sweep_main(int argc, char **argv)
{
    enum { OPT_ONLY = 256, OPT_FORCE, OPT_SLURM, OPT_WAIT, OPT_TASK };
    static const struct option opts[] = {
        { "jobs", required_argument, 0, 'j' }, { "only", required_argument, 0, OPT_ONLY },
        { "list", no_argument, 0, 'n' },       { "force", no_argument, 0, OPT_FORCE },
        { "slurm", no_argument, 0, OPT_SLURM }, { "wait", no_argument, 0, OPT_WAIT },
        { "task", required_argument, 0, OPT_TASK }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    char **only = calloc((size_t)argc, sizeof(char *));
    int nonly = 0, jobs = 0, task = -1;
    bool list = false, force = false, slurm = false, wait_slurm = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:nh", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            jobs = atoi(optarg);
            if (jobs < 1)
                fatal("-j", "'%s': give a number of runs at once, 1 or more", optarg);
            break;
        case OPT_ONLY: only[nonly++] = optarg; break;
        case 'n': list = true; break;
        case OPT_FORCE: force = true; break;
        case OPT_SLURM: slurm = true; break;
        case OPT_WAIT: wait_slurm = true; break;
        case OPT_TASK: task = atoi(optarg); break;
        case 'h': sweep_usage(stdout); return 0;
        default: sweep_usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        sweep_usage(stderr);
        return 2;
    }
    struct sweep_plan p;
    sweep_plan_load(&p, argv[optind]);
    if (task >= 0) {
        int st = run_task(&p, task);
        sweep_plan_free(&p);
        return st;
    }
    bool *todo = calloc((size_t)p.nruns + 1, sizeof(bool));
    int pending = 0, skipped = 0;
    for (int i = 0; i < p.nruns; i++) {
        const struct sweep_run *r = &p.runs[i];
        bool match = nonly == 0;
        for (int k = 0; k < nonly; k++)
            match |= fnmatch(only[k], r->name, 0) == 0;
        if (!match)
            continue;
        bool complete = sweep_run_complete(r);
        if (list)
            printf("%d %s %s %s\n", i, r->name, complete ? "complete" : "pending", r->dir);
        if (complete && !force) {
            skipped++;
            continue;
        }
        todo[i] = true;
        pending++;
    }
    int st = 0;
    if (!list) {
        if (skipped)
            fprintf(stderr, "m5sim: sweep: %d complete run%s skipped\n", skipped, skipped == 1 ? "" : "s");
        if (slurm)
            st = sweep_slurm_submit(&p, todo, pending, wait_slurm);
        else if (pending)
            st = run_local(&p, todo, jobs ? jobs : p.jobs);
        else
            fprintf(stderr, "m5sim: sweep: nothing to run: every run is complete (--force runs them again)\n");
    }
    free(todo);
    free(only);
    sweep_plan_free(&p);
    return st;
}
