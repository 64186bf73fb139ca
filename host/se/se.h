/*
 * se.h - syscall-emulation mode: `m5sim se [OPTIONS] PROGRAM [ARGS...]` runs
 * one static x86-64 Linux program on the interpreted CPU, with the host
 * servicing its system calls (like gem5's SE mode). See docs/se-mode.md.
 */
#ifndef M5SIM_SE_SE_H
#define M5SIM_SE_SE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/model.h"
#include "machine/config.h"
#include "stats/sim_stats.h"

struct se;
struct memsys;

/* argv[0] is "se"; returns the exit status for m5sim (the guest's, or 128+signal, or 2). */
int se_main(int argc, char **argv);

/* The output directory (models.c): stats.txt, stats.json and config.ini, as gem5's se.py writes them. */
struct se_outputs {
    FILE *stats, *stats_json, *config;
};
struct se_outputs se_outputs_open(const char *outdir);
void se_outputs_close(struct se_outputs *out);

/* The CPU models of an SE run (models.c). */
struct se_models {
    struct se *se;
    struct cpu_model *current, *atomic, *timing, *warming;
    struct memsys *memsys;
    uint64_t switch_icount;   /* -F: switch to timing when the count reaches this (0: no switch pending) */
    uint64_t warm_icount;     /* --warmup-insts: warm from this count on (0: not pending) */
};
/* Create the models the options ask for (memory hierarchy stats under `system`) and record them in config. */
struct se_models se_models_start(struct se *se, const struct machine_config *hier, struct stats_group *system,
                                 struct stats_group *cpu_group, FILE *config);
/* Between runs of the CPU: switch when due; returns the instructions until the next switch (0: none). */
uint64_t se_models_step(struct se_models *m, struct stats_group *root, struct sim_stats *st,
                        struct sim_totals now);
void se_models_free(struct se_models *m);

/*
 * The program to run, with gem5 se.py's names (workload.c): --cmd and --options, or the
 * PROGRAM [ARGS...] shortcut; --input, --output, --errout (NULL or "": the simulator's own).
 */
struct se_workload {
    const char *cmd, *options;
    const char *input, *output, *errout;
    int argc;            /* the program's argv, set by se_workload_argv() */
    char **argv;
};
/* Build w->argv from --cmd and --options, or from argv[prog..] (the shortcut); refuses mixes. */
void se_workload_argv(struct se_workload *w, int argc, char **argv, int prog);
/* Whether an --env argument is KEY=VALUE (no '/' before the '='), rather than a file. */
bool se_env_is_assignment(const char *v);
/* The lines of an --env file, trailing whitespace removed, blank lines skipped: their count. */
int se_env_read(const char *path, char ***lines);
/* Point the program's descriptors 0, 1, 2 at --input, --output, --errout (outputs under outdir). */
void se_workload_streams(struct se *se, const struct se_workload *w, const char *outdir);
/* Record the program as gem5 records its Process: a [system.cpu.workload] section. */
void se_workload_config(const struct se_workload *w, const struct se *se, char *const *env, FILE *config);

/* The address of function or object `name` in a static program's symbol table (elf_symbols.c): 0, or -1. */
int se_elf_symbol(const char *path, const char *name, uint64_t *addr);

#endif
