/* session.c - the checkpoints and history of an --interactive session (see session.h). */
#include "machine/session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt/ckpt.h"
#include "ckpt/ini.h"
#include "machine/machine.h"

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void add(struct session *s, const char *path, uint64_t tick, enum session_origin origin, char *history)
{
    if (s->nck == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->ck = realloc(s->ck, (size_t)s->cap * sizeof(*s->ck));
    }
    s->ck[s->nck++] = (struct session_checkpoint){ strdup(path), tick, origin, history };
}

/* What a checkpoint found on disk says about how it was reached. */
static char *found_history(const char *dir)
{
    char index[4096], err[256];
    struct ini ini;
    snprintf(index, sizeof index, "%s/" CKPT_INDEX, dir);
    if (!ini_load(&ini, index, err, sizeof err))
        return strdup("unreadable index");
    const char *n = ini_get(&ini, "m5dev", "scripts_started");
    char *h;
    if (!n)
        h = strdup("before this session");
    else if (!strcmp(n, "0"))
        h = strdup("boot, before any script (before this session)");
    else
        h = dup_printf("boot and %s script%s (before this session)", n, strcmp(n, "1") ? "s" : "");
    ini_free(&ini);
    return h;
}

void session_init(struct session *s, const struct machine_config *cfg)
{
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    snprintf(s->outdir, sizeof s->outdir, "%s", cfg->outdir);
    if (!cfg->checkpoint_dir)
        return;
    struct ckpt_entry *list;
    int n = ckpt_list(cfg->checkpoint_dir, &list);
    for (int i = 0; i < n; i++)
        add(s, list[i].path, list[i].tick, ORIGIN_DIR, found_history(list[i].path));
    free(list);
}

void session_free(struct session *s)
{
    for (int i = 0; i < s->nck; i++) {
        free(s->ck[i].path);
        free(s->ck[i].history);
    }
    free(s->ck);
    free(s->trail);
    free(s->last_script);
    if (s->control)
        fclose(s->control);
}

void session_run_started(struct session *s, int restored, const char *outdir)
{
    free(s->trail);
    s->trail = restored ? dup_printf("#%d", restored) : strdup("boot");
    s->here = restored;
    s->restore_request = 0;
    s->rerun_script = NULL;
    if (outdir != s->outdir)
        snprintf(s->outdir, sizeof s->outdir, "%s", outdir);
}

void session_checkpoint_written(struct session *s, const char *path, uint64_t tick)
{
    add(s, path, tick, s->at_prompt ? ORIGIN_PROMPT : ORIGIN_RUN, strdup(s->trail));
    s->here = s->nck;
}

void session_script_started(struct session *s, const char *path)
{
    if (!path)
        return;
    char *t = dup_printf("%s -> %s", s->trail, base_name(path));
    free(s->trail);
    s->trail = t;
    free(s->last_script);
    s->last_script = strdup(path);
    s->last_start = s->here;
    s->here = 0;
}

static const char *origin_name(enum session_origin o)
{
    switch (o) {
    case ORIGIN_DIR: return "--checkpoint-dir";
    case ORIGIN_PROMPT: return "prompt";
    case ORIGIN_RUN: return "guest";
    }
    return "?";
}

void session_list(const struct session *s, FILE *f)
{
    if (!s->nck) {
        fprintf(f, "m5sim: no checkpoints yet ('checkpoint' takes one)\n");
        return;
    }
    fprintf(f, "m5sim: checkpoints of this session ('restore N'):\n");
    fprintf(f, "   N  %-16s %-16s %-s\n", "tick", "origin", "path; history");
    for (int i = 0; i < s->nck; i++) {
        const struct session_checkpoint *c = &s->ck[i];
        fprintf(f, "%4d  %-16llu %-16s %s; %s%s\n", i + 1, (unsigned long long)c->tick, origin_name(c->origin),
                c->path, c->history, s->here == i + 1 ? " (the machine is here now)" : "");
    }
}

static struct machine_config restore_config(struct session *s, int n, const char *script, const char *outdir)
{
    struct machine_config c = s->cfg;
    c.checkpoint_dir = s->ck[n - 1].path;
    c.restore = 1;
    c.nscripts = 0;
    if (script) {
        c.scripts[0] = script;
        c.nscripts = 1;
    }
    c.outdir = outdir;
    return c;
}

int session_check_restore(struct session *s, int n, const char *script)
{
    if (n < 1 || n > s->nck) {
        if (s->nck)
            fprintf(stderr, "m5sim: restore: there is no checkpoint %d; this session has %d (1-%d, see 'list')\n", n,
                    s->nck, s->nck);
        else
            fprintf(stderr, "m5sim: restore: this session has no checkpoints yet ('checkpoint' takes one)\n");
        return -1;
    }
    /*
     * The checks of a restore end the process on the first problem (with one
     * line naming it), so they run in a child: this machine stays as it is
     * until the checkpoint is known to be good.
     */
    struct machine_config c = restore_config(s, n, script, s->outdir);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "m5sim: restore: cannot check checkpoint %d: %s\n", n, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        machine_check_inputs(&c);
        _exit(0);
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
        return 0;
    if (WIFSIGNALED(ws))
        fprintf(stderr, "m5sim: restore: checking checkpoint %d (%s) failed: signal %d\n", n, s->ck[n - 1].path,
                WTERMSIG(ws));
    return -1;
}

struct machine_config session_next_config(struct session *s)
{
    snprintf(s->outdir, sizeof s->outdir, "%s/restore%d", s->cfg.outdir, ++s->run);
    return restore_config(s, s->restore_request, s->rerun_script, s->outdir);
}
