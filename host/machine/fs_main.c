/* fs_main.c - `m5sim --kernel ... --disk-image ...`: full-system simulation. */
#include "machine/fs_main.h"

#include <stdio.h>

#include "machine/machine.h"

int fs_main(int argc, char **argv)
{
    static struct machine m;
    struct machine_config cfg;
    config_parse(&cfg, argc, argv);
    machine_init(&m, &cfg);
    int status = machine_run(&m);
    double secs = (double)machine_now(&m) / TICKS_PER_SECOND;
    fprintf(stderr, "m5sim: %s after %llu instructions, %.6f s simulated; exit status %d; outputs in %s/\n",
            m.exit_why, (unsigned long long)m.cpu.icount, secs, status, cfg.outdir);
    machine_free(&m);
    return status;
}
