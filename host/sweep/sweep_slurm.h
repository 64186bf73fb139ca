/* sweep_slurm.h - a sweep as one Slurm job array (see sweep_slurm.c). */
#ifndef M5SIM_SWEEP_SWEEP_SLURM_H
#define M5SIM_SWEEP_SWEEP_SLURM_H

#include <stdbool.h>

#include "sweep/sweep_plan.h"

/*
 * Write <outdir>/sweep.sbatch for the runs marked in todo and submit it with
 * sbatch (--wait if asked) when sbatch is on PATH; otherwise print the
 * script's path and the command. Returns an exit status.
 */
int sweep_slurm_submit(const struct sweep_plan *p, const bool *todo, int pending, bool wait);

/* This executable's absolute path (sweep.c). */
const char *sweep_self_exe(void);

#endif
