/*
 * se.h - syscall-emulation mode: `m5sim se [OPTIONS] PROGRAM [ARGS...]` runs
 * one static x86-64 Linux program on the interpreted CPU, with the host
 * servicing its system calls (like gem5's SE mode). See docs/se-mode.md.
 */
#ifndef M5SIM_SE_SE_H
#define M5SIM_SE_SE_H

/* argv[0] is "se"; returns the exit status for m5sim (the guest's, or 128+signal, or 2). */
int se_main(int argc, char **argv);

#endif
