/*
 * interactive.c - --interactive: when the guest asks for a script and none is
 * queued, ask the user, between instructions, what to do next. Answers come
 * from the terminal or, with --control PATH, from a file or FIFO that another
 * program writes (one command per line):
 *
 *   PATH        run this script next
 *   checkpoint  write a checkpoint now (a restore of it asks again here)
 *   restore N   continue from the N-th checkpoint this run wrote (or -r's directory)
 *   quit        end the simulation now
 *   (end of input)  no more scripts: the guest's rcS loop ends with m5 exit
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/machine.h"
#include "util/log.h"

static FILE *input(struct machine *m)
{
    if (m->control)
        return m->control;
    if (m->cfg.control) {
        m->control = fopen(m->cfg.control, "r");  /* a FIFO blocks here until a writer opens it */
        if (!m->control)
            fatal("--control", "%s: %s", m->cfg.control, strerror(errno));
        return m->control;
    }
    return stdin;
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
    return m->cfg.interactive && !m->input_done;
}

void interactive_prompt(struct machine *m)
{
    FILE *in = input(m);
    bool tty = !m->cfg.control && isatty(STDIN_FILENO);
    char line[4096];
    fflush(stdout);
    fprintf(stderr, "\nm5sim: the guest asks for a script: give a script path, 'checkpoint', 'restore N' or "
                    "'quit' (end of input: no more scripts)\n");
    for (;;) {
        if (tty)
            fprintf(stderr, "m5sim> ");
        if (!fgets(line, sizeof line, in)) {
            info("end of input: no more scripts");
            m->input_done = true;
            return;
        }
        char *cmd = trim(line);
        if (!*cmd || *cmd == '#')
            continue;
        if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) {
            machine_stop(m, 0, "quit by the user");
            return;
        }
        if (!strcmp(cmd, "checkpoint")) {
            machine_checkpoint(m);
            continue;
        }
        if (!strncmp(cmd, "restore", 7) && (cmd[7] == ' ' || !cmd[7])) {
            char *end;
            long n = strtol(cmd + 7, &end, 10);
            if (n < 1 || *trim(end)) {
                fprintf(stderr, "m5sim: usage: restore N (N counts checkpoints from 1, oldest first)\n");
                continue;
            }
            m->restore_request = (int)n;
            machine_stop(m, 0, "restore requested by the user");
            return;
        }
        if (!strcmp(cmd, "help")) {
            fprintf(stderr, "m5sim: PATH | checkpoint | restore N | quit\n");
            continue;
        }
        if (access(cmd, R_OK) != 0) {
            fprintf(stderr, "m5sim: %s: %s (a script path, 'checkpoint', 'restore N', 'quit' or 'help')\n", cmd,
                    strerror(errno));
            continue;
        }
        m5dev_queue_script(&m->m5, cmd);
        return;
    }
}
