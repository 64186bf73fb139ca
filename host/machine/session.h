/*
 * session.h - an --interactive session: one machine after another (a boot or
 * a restore, then restores the user asks for), and what outlives each of
 * them: the numbered checkpoints the user can return to, where the answers
 * come from, and the last script (for 'again').
 *
 * The numbers 'restore N' and 'list' use are fixed for the whole session:
 * first the checkpoints of the --checkpoint-dir the session started from, by
 * ascending tick (the numbering of -r), then every checkpoint written during
 * the session, in the order written.
 */
#ifndef M5SIM_MACHINE_SESSION_H
#define M5SIM_MACHINE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/config.h"

enum session_origin {
    ORIGIN_DIR,      /* found in --checkpoint-dir when the session started */
    ORIGIN_PROMPT,   /* 'checkpoint' at the prompt */
    ORIGIN_RUN,      /* written by the running machine (m5 checkpoint, --take-checkpoints) */
};

struct session_checkpoint {
    char *path;                  /* the cpt.<tick> directory */
    uint64_t tick;
    enum session_origin origin;
    char *history;               /* how the guest got there: "boot -> a.sh", "#1 -> b.sh" */
};

struct session {
    struct machine_config cfg;   /* the command line's, for every restore */
    struct session_checkpoint *ck;
    int nck, cap;

    /* The machine running now. */
    int run;                     /* 0 for the first machine, k for <outdir>/restore<k>/ */
    char *trail;                 /* its history so far (what 'history' of a checkpoint written now says) */
    int here;                    /* the checkpoint its state is exactly at (no script started since), or 0 */
    bool at_prompt;              /* the user is being asked (a checkpoint now is ORIGIN_PROMPT) */

    /* What the user asked for when the machine stops. */
    int restore_request;         /* checkpoint number, or 0 */
    const char *rerun_script;    /* 'again': the script the restore starts with */

    /* The last script the guest started, and the checkpoint it started from (0: none). */
    char *last_script;
    int last_start;

    /* Input. */
    FILE *control;               /* --control, once opened */
    bool tty;                    /* editing, history and completion (libedit) */
    bool input_done;             /* end of input: no more scripts */
    char outdir[4096];           /* of the machine running now */
};

/* Start a session: number the checkpoints of cfg->checkpoint_dir. */
void session_init(struct session *s, const struct machine_config *cfg);
void session_free(struct session *s);

/* A machine starts: booted (restored 0) or restored from checkpoint `restored`. */
void session_run_started(struct session *s, int restored, const char *outdir);
/* The running machine wrote a checkpoint. */
void session_checkpoint_written(struct session *s, const char *path, uint64_t tick);
/* The guest starts a new script (path NULL: an empty answer, the rcS loop ends). */
void session_script_started(struct session *s, const char *path);

/* Print the numbered checkpoints (the 'list' command). */
void session_list(const struct session *s, FILE *f);
/*
 * Check checkpoint n as a restore would, without touching the running
 * machine: 0 when it is good; otherwise one line is printed and -1 returned.
 */
int session_check_restore(struct session *s, int n, const char *script);
/* The configuration of the next machine (restore_request, rerun_script); outdir storage is the session's. */
struct machine_config session_next_config(struct session *s);

#endif
