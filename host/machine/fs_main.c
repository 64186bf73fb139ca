/*
 * fs_main.c - `m5sim --kernel ... | --checkpoint-dir ... -r N ...`:
 * full-system simulation, one run, an interactive session with restores,
 * or a batch of restores (one per script, -j at a time).
 */
#include "machine/fs_main.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "machine/machine.h"
#include "machine/session.h"
#include "sandbox/sandbox.h"
#include "util/fs.h"
#include "util/log.h"

static struct machine m;

static int finish_run(const struct machine_config *cfg)
{
    int status = machine_run(&m);
    double secs = (double)machine_now(&m) / TICKS_PER_SECOND;
    fprintf(stderr, "m5sim: %s after %llu instructions, at %.6f s simulated time; exit status %d; outputs in %s/\n",
            m.exit_why, (unsigned long long)machine_insts_this_run(&m), secs, status, cfg->outdir);
    return status;
}

static int run_once(const struct machine_config *cfg)
{
    machine_init(&m, cfg);
    sandbox_enter(cfg->no_sandbox);   /* set up: the guest runs under the allowlist */
    return finish_run(cfg);
}

/*
 * One run, then, in an interactive session, as many restores as the user asks
 * for (each checked before the machine before it is left).
 */
static int run_session(const struct machine_config *cfg)
{
    if (!cfg->interactive) {
        int status = run_once(cfg);
        machine_free(&m);
        return status;
    }
    static struct session s;
    session_init(&s, cfg);
    int restored = cfg->restore <= s.nck ? cfg->restore : 0;   /* -r numbers as 'list' does */
    struct machine_config c = *cfg;
    int status;
    for (;;) {
        machine_init(&m, &c);
        /* Installed before the first machine runs; the restores after it (machine_init
         * again, checked in forked children) only need what the allowlist allows. */
        sandbox_enter(c.no_sandbox);
        m.session = &s;
        session_run_started(&s, restored, c.outdir);
        status = finish_run(&c);
        if (!s.restore_request)
            break;
        machine_free(&m);
        restored = s.restore_request;
        c = session_next_config(&s);
        info("restoring checkpoint %d (%s)%s%s; outputs in %s/", restored, s.ck[restored - 1].path,
             c.nscripts ? " to run " : "", c.nscripts ? c.scripts[0] : "", c.outdir);
    }
    machine_free(&m);
    session_free(&s);
    return status;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/*
 * --batch: every script gets its own restore of the pristine checkpoint, in a
 * child process with its own output directory. Children map the checkpoint's
 * memory MAP_PRIVATE, so they share its pages until they write them.
 */
static int run_batch(const struct machine_config *cfg)
{
    int n = cfg->nscripts;
    if (n == 0)
        fatal("--batch", "no scripts: give --script (repeatable) or --script-dir");
    if (mkdir_p(cfg->outdir) != 0)
        fatal(cfg->outdir, "cannot create output directory: %s", strerror(errno));
    pid_t *pids = calloc((size_t)n, sizeof(*pids));
    int *status = calloc((size_t)n, sizeof(*status));
    char (*dirs)[4096] = calloc((size_t)n, sizeof(*dirs));
    int running = 0, next = 0, failed = 0;
    pid_t parent = getpid();
    bool forwarded = false;
    fflush(stdout);
    fflush(stderr);
    while (next < n || running > 0) {
        /* SIGTERM, SIGINT, SIGHUP: no new restores; the running ones are asked to stop and finish their outputs. */
        if (machine_stop_signal() && !forwarded) {
            forwarded = true;
            next = n;
            for (int i = 0; i < n; i++)
                if (pids[i] > 0 && !status[i])
                    kill(pids[i], machine_stop_signal());
        }
        if (next < n && running < cfg->jobs) {
            int i = next++;
            snprintf(dirs[i], sizeof dirs[i], "%s/%d-%s", cfg->outdir, i + 1, base_name(cfg->scripts[i]));
            pid_t pid = fork();
            if (pid < 0)
                fatal("--batch", "fork: %s", strerror(errno));
            if (pid == 0) {
                /* A parent that dies (kill -9 too) takes its children along. */
                if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
                    _exit(128 + SIGTERM);
                struct machine_config c = *cfg;
                c.batch = false;
                c.scripts[0] = cfg->scripts[i];
                c.nscripts = 1;
                c.outdir = dirs[i];
                c.quiet = true;
                machine_init(&m, &c);
                sandbox_enter(c.no_sandbox);   /* each child, once set up; the parent runs no guest */
                int st = machine_run(&m);
                machine_free(&m);
                _exit(st);
            }
            pids[i] = pid;
            running++;
            continue;
        }
        int ws;
        pid_t done = wait(&ws);
        if (done < 0 && errno == EINTR)
            continue;
        if (done < 0)
            break;
        for (int i = 0; i < n; i++)
            if (pids[i] == done) {
                status[i] = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
                pids[i] = -pids[i];
                fprintf(stderr, "m5sim: [%d/%d] %s: exit status %d, outputs in %s/\n", i + 1, n, cfg->scripts[i],
                        status[i], dirs[i]);
                failed += status[i] != 0;
            }
        running--;
    }
    fprintf(stderr, "m5sim: batch of %d script%s from one checkpoint: %d succeeded, %d failed\n", n,
            n == 1 ? "" : "s", n - failed, failed);
    free(pids);
    free(status);
    free(dirs);
    if (machine_stop_signal())
        return 128 + machine_stop_signal();
    return failed ? 1 : 0;
}

int fs_main(int argc, char **argv)
{
    struct machine_config cfg;
    config_parse(&cfg, argc, argv);
    machine_install_signal_handlers();
    return cfg.batch ? run_batch(&cfg) : run_session(&cfg);
}
