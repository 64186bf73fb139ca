/*
 * workload.c - the program an `m5sim se` run starts, in the terms of gem5's
 * se.py and its Process object: --cmd and --options make its argv, --env FILE
 * its environment, and --input, --output and --errout its descriptors 0, 1
 * and 2. gem5's rules are kept so that a se.py command line means the same
 * here: --options is split on whitespace, --input is relative to the working
 * directory, --output and --errout to the output directory, the names cin,
 * cout and cerr (stdin, stdout, stderr) stand for the simulator's own streams,
 * and equal --output and --errout share one file. The run's config.ini gets
 * the Process's parameters as gem5 records them.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se/process.h"
#include "se/se.h"
#include "util/log.h"

/* ';' separates the programs of a gem5 multi-program run; m5sim se runs one. */
static void refuse_multiprogram(const char *opt, const char *v)
{
    if (v && strchr(v, ';'))
        fatal(opt, "'%s': ';' separates the programs of a multi-program run, which m5sim se does not have", v);
}

void se_workload_argv(struct se_workload *w, int argc, char **argv, int prog)
{
    refuse_multiprogram("--cmd", w->cmd);
    refuse_multiprogram("--options", w->options);
    refuse_multiprogram("--input", w->input);
    refuse_multiprogram("--output", w->output);
    refuse_multiprogram("--errout", w->errout);
    if (!w->cmd) {
        if (w->options)
            fatal("--options", "needs --cmd (or give the arguments after PROGRAM)");
        if (prog >= argc) {
            fprintf(stderr, "m5sim: se: no program given (--cmd PROGRAM, or PROGRAM [ARGS...])\n");
            exit(2);
        }
        w->argc = argc - prog;
        w->argv = argv + prog;
        return;
    }
    if (prog < argc)
        fatal("--cmd", "'%s' and a PROGRAM argument '%s' both given: use one", w->cmd, argv[prog]);
    if (!*w->cmd)
        fatal("--cmd", "empty program name");
    /* As Python's str.split(): runs of whitespace separate, no quoting. */
    size_t len = w->options ? strlen(w->options) : 0;
    char *buf = malloc(len + 1);
    w->argv = calloc(len / 2 + 3, sizeof(*w->argv));
    if (!buf || !w->argv)
        fatal("se", "out of host memory");
    memcpy(buf, w->options ? w->options : "", len + 1);
    w->argc = 0;
    w->argv[w->argc++] = (char *)w->cmd;
    for (char *p = buf; *p;) {
        while (*p && isspace((unsigned char)*p))
            *p++ = '\0';
        if (!*p)
            break;
        w->argv[w->argc++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
    }
    w->argv[w->argc] = NULL;
}

bool se_env_is_assignment(const char *v)
{
    const char *eq = strchr(v, '=');
    return eq && eq != v && memchr(v, '/', (size_t)(eq - v)) == NULL;
}

int se_env_read(const char *path, char ***lines)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fatal("--env", "%s: %s (--env takes KEY=VALUE or a file of KEY=VALUE lines)", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int n = 0;
    *lines = NULL;
    while (getline(&line, &cap, f) >= 0) {
        size_t len = strlen(line);
        while (len && isspace((unsigned char)line[len - 1]))   /* gem5: line.rstrip() */
            line[--len] = '\0';
        if (!len)
            continue;
        *lines = realloc(*lines, ((size_t)n + 1) * sizeof(**lines));
        if (!*lines || !((*lines)[n] = strdup(line)))
            fatal("se", "out of host memory");
        n++;
    }
    free(line);
    fclose(f);
    return n;
}

/* A host descriptor above 2 for `stream`, which the guest descriptor will own. */
static int open_stream(const char *opt, const char *name, const char *outdir, int which)
{
    static const struct { const char *name; int host; } own[] = {
        { "cin", 0 }, { "stdin", 0 }, { "cout", 1 }, { "stdout", 1 }, { "cerr", 2 }, { "stderr", 2 },
    };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        if (strcmp(name, own[i].name) == 0 && (own[i].host == 0) == (which == 0))
            return fcntl(own[i].host, F_DUPFD_CLOEXEC, 3);   /* -1 if the simulator's is closed */
    }
    char path[4096];
    int fd;
    if (which == 0) {
        snprintf(path, sizeof path, "%s", name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
    } else {
        snprintf(path, sizeof path, "%s%s%s", name[0] == '/' ? "" : outdir, name[0] == '/' ? "" : "/", name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0664);
    }
    if (fd < 0)
        fatal(opt, "%s: %s", path, strerror(errno));
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    if (moved < 0)
        fatal(opt, "%s: %s", path, strerror(errno));
    return moved;
}

void se_workload_streams(struct se *se, const struct se_workload *w, const char *outdir)
{
    const char *names[3] = { w->input, w->output, w->errout };
    static const char *const opt[3] = { "--input", "--output", "--errout" };
    for (int g = 0; g < 3; g++) {
        if (!names[g] || !*names[g])
            continue;   /* gem5's default: the simulator's own stream */
        if (g == 2 && names[1] && strcmp(names[1], names[2]) == 0) {
            se_fd_redirect(se, 2, fcntl(se_fd_host(se, 1), F_DUPFD_CLOEXEC, 3));  /* one file, one offset */
            continue;
        }
        se_fd_redirect(se, g, open_stream(opt[g], names[g], outdir, g));
    }
}

static void write_list(FILE *config, const char *key, char *const *v, int n)
{
    fprintf(config, "%s=", key);
    for (int i = 0; i < n; i++)
        fprintf(config, "%s%s", i ? " " : "", v[i]);
    fputc('\n', config);
}

void se_workload_config(const struct se_workload *w, const struct se *se, char *const *env, FILE *config)
{
    int envc = 0;
    while (env[envc])
        envc++;
    char *cwd = getcwd(NULL, 0);
    fprintf(config, "\n[system.cpu.workload]\ntype=Process\n");
    write_list(config, "cmd", w->argv, w->argc);
    fprintf(config, "cwd=%s\n", cwd ? cwd : "");
    write_list(config, "env", env, envc);
    fprintf(config, "errout=%s\nexecutable=%s\ninput=%s\noutput=%s\npid=%d\nppid=%d\n",
            w->errout && *w->errout ? w->errout : "cerr", se->exe_path,
            w->input && *w->input ? w->input : "cin", w->output && *w->output ? w->output : "cout",
            SE_PID, SE_PID - 1);
    free(cwd);
}
