/*
 * interactive.c - --interactive: when the guest asks for a script and none is
 * queued, ask the user, between instructions, what to do next. Answers come
 * from the terminal (with line editing, history kept across sessions and
 * filename completion, through libedit) or, with --control PATH or when stdin
 * is not a terminal, plain lines from a file, pipe or FIFO:
 *
 *   PATH        run this script next
 *   list        the checkpoints of this session, numbered for 'restore'
 *   restore N   continue from checkpoint N (see 'list')
 *   again       restore the checkpoint the last script started from and run that script again
 *   checkpoint  write a checkpoint now (a restore of it asks again here)
 *   help        these lines
 *   quit        end the session now
 *   (end of input)  no more scripts: the guest's rcS loop ends with m5 exit
 *
 * Nothing else ends the session: a mistake (an unknown command, a missing
 * script, a bad number, a checkpoint that fails its checks) prints one line
 * and asks again, with the machine as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <editline/readline.h>

#include "machine/machine.h"
#include "machine/session.h"
#include "util/log.h"

static const char help_text[] =
    "m5sim: at this prompt:\n"
    "  PATH        run the script at PATH next (TAB completes file names)\n"
    "  list        the checkpoints you can return to, numbered, with tick, origin and history\n"
    "  restore N   continue from checkpoint N of 'list'; outputs go to <outdir>/restore<k>/\n"
    "  again       restore the checkpoint the last script started from and run that script again\n"
    "  checkpoint  write a checkpoint of the machine as it is now (it joins 'list')\n"
    "  help        this text\n"
    "  quit        end the session (so does end of input, Ctrl-D, after the guest exits cleanly)\n";

/* Where the line history is kept: $M5SIM_HISTORY, $XDG_STATE_HOME/m5sim_history or ~/.m5sim_history. */
static const char *history_path(void)
{
    static char path[4096];
    const char *e = getenv("M5SIM_HISTORY");
    if (e)
        return *e ? e : NULL;
    if ((e = getenv("XDG_STATE_HOME")) && *e)
        snprintf(path, sizeof path, "%s/m5sim_history", e);
    else if ((e = getenv("HOME")) && *e)
        snprintf(path, sizeof path, "%s/.m5sim_history", e);
    else
        return NULL;
    return path;
}

static void open_input(struct session *s)
{
    static bool ready;
    if (ready)
        return;
    ready = true;
    if (s->cfg.control) {
        s->control = fopen(s->cfg.control, "r");  /* a FIFO blocks here until a writer opens it */
        if (!s->control)
            fatal("--control", "%s: %s", s->cfg.control, strerror(errno));
        return;
    }
    s->tty = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
    if (!s->tty)
        return;
    rl_readline_name = "m5sim";
    rl_instream = stdin;
    rl_outstream = stderr;
    rl_initialize();
    stifle_history(1000);
    const char *h = history_path();
    if (h)
        read_history(h);
}

/* One line of input (malloc'd, without its newline), or NULL at end of input. */
static char *read_line(struct session *s)
{
    if (s->tty) {
        char *line = readline("m5sim> ");
        if (line && *line) {
            add_history(line);
            const char *h = history_path();
            if (h)
                write_history(h);
        }
        return line;
    }
    FILE *in = s->control ? s->control : stdin;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, in);
    if (n < 0) {
        free(line);
        return NULL;
    }
    return line;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    return s;
}

bool interactive_wants_script(struct machine *m)
{
    return m->cfg.interactive && m->session && !m->session->input_done;
}

/* 'restore N': true when the machine stops for the restore. */
static bool do_restore(struct machine *m, const char *arg)
{
    struct session *s = m->session;
    char *end;
    long n = strtol(arg, &end, 10);
    if (end == arg || *trim(end) || n < 1 || n > 1000000) {
        fprintf(stderr, "m5sim: usage: restore N (N as in 'list', from 1)\n");
        return false;
    }
    if (session_check_restore(s, (int)n, NULL) != 0)
        return false;
    s->restore_request = (int)n;
    machine_stop(m, 0, "restore requested by the user");
    return true;
}

static bool do_again(struct machine *m)
{
    struct session *s = m->session;
    if (!s->last_script) {
        fprintf(stderr, "m5sim: again: no script has run in this session yet\n");
        return false;
    }
    if (!s->last_start) {
        fprintf(stderr, "m5sim: again: %s did not start right at a checkpoint (another script ran before it); "
                        "'checkpoint' before a script makes it repeatable\n", s->last_script);
        return false;
    }
    if (access(s->last_script, R_OK) != 0) {
        fprintf(stderr, "m5sim: again: %s: %s\n", s->last_script, strerror(errno));
        return false;
    }
    if (session_check_restore(s, s->last_start, s->last_script) != 0)
        return false;
    s->restore_request = s->last_start;
    s->rerun_script = s->last_script;
    machine_stop(m, 0, "'again' asked by the user");
    return true;
}

static void do_checkpoint(struct machine *m)
{
    struct session *s = m->session;
    int before = s->nck;
    s->at_prompt = true;
    machine_checkpoint(m);
    s->at_prompt = false;
    if (s->nck > before)
        fprintf(stderr, "m5sim: this is checkpoint %d ('restore %d' returns here)\n", s->nck, s->nck);
}

/* A script path: true when it was queued. */
static bool do_script(struct machine *m, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
        fprintf(stderr, "m5sim: %s: %s (a script path, or 'help')\n", path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "m5sim: %s: not a regular file (a script path, or 'help')\n", path);
        return false;
    }
    m5dev_queue_script(&m->m5, path);
    return true;
}

void interactive_prompt(struct machine *m)
{
    struct session *s = m->session;
    open_input(s);
    fflush(NULL);
    fprintf(stderr, "m5sim: the guest waits for a script: give its path, or list, restore N, again, checkpoint, "
                    "help, quit\n");
    for (;;) {
        char *line = read_line(s);
        if (!line) {
            if (s->tty)
                fputc('\n', stderr);
            info("end of input: no more scripts");
            s->input_done = true;
            return;
        }
        char *cmd = trim(line);
        bool done = false;
        if (!*cmd || *cmd == '#') {
            /* nothing */
        } else if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) {
            machine_stop(m, 0, "quit by the user");
            done = true;
        } else if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
            fputs(help_text, stderr);
        } else if (!strcmp(cmd, "list")) {
            session_list(s, stderr);
        } else if (!strcmp(cmd, "checkpoint")) {
            do_checkpoint(m);
        } else if (!strncmp(cmd, "restore", 7) && (cmd[7] == ' ' || cmd[7] == '\t' || !cmd[7])) {
            done = do_restore(m, cmd + 7);
        } else if (!strcmp(cmd, "again")) {
            done = do_again(m);
        } else {
            done = do_script(m, cmd);
        }
        free(line);
        if (done)
            return;
    }
}
