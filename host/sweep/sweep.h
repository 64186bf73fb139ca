/*
 * sweep.h - studies of many runs: `m5sim sweep` runs the cross product of
 * checkpoints x scripts x configurations (locally or as a Slurm job array),
 * `m5sim stats` gathers their statistics into one table (docs/sweeps.md).
 */
#ifndef M5SIM_SWEEP_SWEEP_H
#define M5SIM_SWEEP_SWEEP_H

/* The subcommands; argv[0] is the mode name. */
int sweep_main(int argc, char **argv);
int stats_main(int argc, char **argv);

#endif
