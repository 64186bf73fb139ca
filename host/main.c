/*
 * main.c - the m5sim command: dispatch to a mode.
 *
 *   m5sim se [OPTIONS] PROGRAM [ARGS...]   syscall emulation (host/se/)
 *   m5sim sweep [OPTIONS] FILE              many restores, locally or on Slurm (host/sweep/)
 *   m5sim stats [OPTIONS] DIR...            their statistics in one table (host/sweep/)
 *
 * Full-system mode (--kernel, --disk-image, checkpoints, ...) joins here when
 * the machine exists: add a row to `modes` and its entry function.
 */
#include <stdio.h>
#include <string.h>

#include "machine/config.h"
#include "machine/fs_main.h"
#include "se/se.h"
#include "sweep/sweep.h"

struct mode {
    const char *name;
    int (*main)(int argc, char **argv);   /* argv[0] is the mode name */
    const char *summary;
};

static const struct mode modes[] = {
    { "se", se_main, "run a static x86-64 Linux program with system calls emulated" },
    { "sweep", sweep_main, "run checkpoints x scripts x configurations, locally or as a Slurm array" },
    { "stats", stats_main, "gather statistics of many output directories into one CSV or JSON table" },
};

static int usage(FILE *f, int status)
{
    fprintf(f, "usage: m5sim MODE [OPTIONS] ...\n\nmodes:\n");
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        fprintf(f, "  %-5s %s (m5sim %s --help)\n", modes[i].name, modes[i].summary, modes[i].name);
    fprintf(f, "\n");
    config_usage(f);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr, 2);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
        return usage(stdout, 0);
    if (strcmp(argv[1], "--version") == 0) {
        config_print_version(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcmp(argv[1], modes[i].name) == 0)
            return modes[i].main(argc - 1, argv + 1);
    if (argv[1][0] == '-')
        return fs_main(argc, argv);   /* gem5 fs.py style: options only */
    fprintf(stderr, "m5sim: unknown mode '%s'\n", argv[1]);
    return usage(stderr, 2);
}
