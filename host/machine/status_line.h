/*
 * status_line.h - the one-line progress report on the terminal ("12.3M insts
 * 45.6 MIPS guest 1.234 s"). It is written to stderr only when stderr is a
 * terminal, it is erased before the guest's console output reaches the
 * terminal (so the two never share a line), and its MIPS count only the
 * instructions this machine executed over the host time spent executing them
 * (not the instructions a restored checkpoint had already counted, not the
 * time the user spent at the prompt).
 */
#ifndef M5SIM_MACHINE_STATUS_LINE_H
#define M5SIM_MACHINE_STATUS_LINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Host monotonic time in seconds. */
double status_host_seconds(void);
/*
 * Show the status: `insts` executed in `busy_seconds` of host time, at
 * `guest_seconds` simulated time. `final` ends the line with a newline (it
 * stays on the screen).
 */
void status_line_show(uint64_t insts, double busy_seconds, double guest_seconds, bool final);
/* Erase the status line if one is showing. */
void status_line_clear(void);
/* stdout, wrapped so that writing to it first erases the status line: the console echo. */
FILE *status_line_console(void);

#endif
