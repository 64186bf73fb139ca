/*
 * fuzz.h - what every libFuzzer target in tests/fuzz/ shares.
 *
 * m5sim answers a bad input with fatal(): one line and exit(2). That is the
 * clean refusal the fuzzers look for, but libFuzzer counts an exit as a
 * crash. The targets link fuzz_log.c instead of host/util/log.c: while a
 * target has armed FUZZ_TRY, fatal() longjmps back to it, so a refusal ends
 * one input and the next one runs. What a refused input leaves behind (the
 * buffers and descriptors m5sim never frees because it is about to exit) is
 * not a bug: the targets run with -detect_leaks=0 and fuzz_close_fds_from()
 * closes the descriptors.
 */
#ifndef M5SIM_TESTS_FUZZ_H
#define M5SIM_TESTS_FUZZ_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern jmp_buf fuzz_fatal_jmp;
extern bool fuzz_fatal_armed;
extern unsigned long fuzz_fatal_count;

/* Run the statement after it; a fatal() inside ends it early (the `else` branch runs). */
#define FUZZ_TRY (fuzz_fatal_armed = true, setjmp(fuzz_fatal_jmp) == 0)
#define FUZZ_DONE() (fuzz_fatal_armed = false)

/* A fresh private directory (created once per process) and a file in it holding data. */
const char *fuzz_tmpdir(void);
void fuzz_write_file(const char *path, const void *data, size_t len);
/* The lowest free descriptor now; after a refusal, close what was opened since. */
int fuzz_next_fd(void);
void fuzz_close_fds_from(int fd);

#endif
