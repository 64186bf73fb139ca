/*
 * m5_cli.h - the m5 command line (a drop-in for gem5's util/m5), as a
 * library so that unit tests can run it in-process against a fake backend.
 *
 *   m5 [--addr [ADDR] | --addr=ADDR | --inst] COMMAND [ARGS]
 *
 * Exit statuses: 0 success; 1 bad usage, no m5 device, or a device answer
 * that makes no sense; 2 a local I/O error (readfile output, writefile input).
 */
#ifndef M5SIM_GUEST_M5_CLI_H
#define M5SIM_GUEST_M5_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Bytes per read_file / write_file op (gem5's m5 uses the same 256 KiB). */
#define M5_CLI_CHUNK (256u * 1024u)

#define M5_CLI_EXIT_OK    0
#define M5_CLI_EXIT_USAGE 1 /* also: no device, nonsensical device answer */
#define M5_CLI_EXIT_IO    2

struct m5_cli_io {
    int out_fd;   /* readfile data, sum/initparam results, writefile progress */
    int err_fd;   /* usage text and error messages */
    size_t chunk; /* bytes per file op; 0 means M5_CLI_CHUNK, capped at it */
};

/* Run one m5 command line (argv[0] is the program name); returns the exit
 * status. Never calls exit(). */
int m5_cli_run(int argc, char **argv, const struct m5_cli_io *io);

/* m5_cli_run on stdout/stderr with the default chunk size. */
int m5_cli_main(int argc, char **argv);

/* initparam: pack key (at most 16 bytes) little-endian into two registers,
 * zero padded, as gem5 does. 0 on success, -1 if the key is too long. */
int m5_cli_pack_key(const char *key, uint64_t regs[2]);

/* Make every page of [buf, buf+len) present and writable by rewriting one
 * byte per page: the host accesses guest virtual memory directly during an
 * op and cannot take the page fault that demand paging would need. */
void m5_cli_fault_in(void *buf, size_t len);

#endif
