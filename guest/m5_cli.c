/*
 * m5_cli.c - argument parsing and command execution of the m5 agent.
 *
 * The whole command line is checked before any device is touched, so a typo
 * gives the usage text even where no m5 device exists. Output goes straight
 * to file descriptors with write(2): readfile data is binary, and no stdio
 * buffer may hold back a line when the simulator exits right after an op.
 */
#include "m5_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "m5.h"
#include "m5op.h"

#define PAGE_GUESS 4096u

/* Page-aligned so that fault-in touches exactly the pages the host uses. */
static _Alignas(PAGE_GUESS) unsigned char data_buf[M5_CLI_CHUNK];
static _Alignas(PAGE_GUESS) char name_buf[M5OP_NAME_MAX];

/* The parsed arguments of one command. */
struct call {
    uint64_t num[6];
    const char *str[2];
};

/* parse: 0 ok, PARSE_USAGE for the usage text, PARSE_REPORTED when the
 * parser already printed a specific message (exit 1 without usage). */
enum { PARSE_OK = 0, PARSE_USAGE = -1, PARSE_REPORTED = -2 };

struct command {
    const char *name;
    int min_args, max_args;
    int (*parse)(char **args, int n, struct call *c, const struct m5_cli_io *io);
    int (*exec)(const struct call *c, const struct m5_cli_io *io);
    const char *synopsis;
    const char *help;
};

/* ------------------------------------------------------------ helpers -- */

/* A whole-string number in any C base (0x.., 0.., decimal); 0 on success. */
static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Fill buf unless end of file comes first (pipes and /proc files return
 * short reads); returns the byte count or -1. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

static size_t chunk_of(const struct m5_cli_io *io)
{
    if (io->chunk == 0 || io->chunk > M5_CLI_CHUNK)
        return M5_CLI_CHUNK;
    return io->chunk;
}

void m5_cli_fault_in(void *buf, size_t len)
{
    volatile unsigned char *p = buf;
    long page = sysconf(_SC_PAGESIZE);
    size_t step = page > 0 ? (size_t)page : PAGE_GUESS;

    if (len == 0)
        return;
    /* Touch points one page apart plus the last byte: every page of the
     * range holds at least one of them. */
    for (size_t off = 0; off < len; off += step)
        p[off] = p[off];
    p[len - 1] = p[len - 1];
}

int m5_cli_pack_key(const char *key, uint64_t regs[2])
{
    size_t len = strlen(key);
    regs[0] = regs[1] = 0;
    if (len > 2 * sizeof(uint64_t))
        return -1;
    for (size_t i = 0; i < len; i++)
        regs[i / 8] |= (uint64_t)(unsigned char)key[i] << (8 * (i % 8));
    return 0;
}

/* Copy a string the host will read into name_buf and fault it in. */
static int stage_name(const char *s)
{
    size_t len = strlen(s);
    if (len >= sizeof(name_buf))
        return -1;
    memcpy(name_buf, s, len + 1);
    m5_cli_fault_in(name_buf, len + 1);
    return 0;
}

/* ------------------------------------------------------------ parsers -- */

/* All arguments are numbers; omitted ones are 0 (gem5's defaults). */
static int parse_numbers(char **args, int n, struct call *c, const struct m5_cli_io *io)
{
    (void)io;
    for (int i = 0; i < n; i++)
        if (parse_u64(args[i], &c->num[i]) != 0)
            return PARSE_USAGE;
    return PARSE_OK;
}

static int parse_none(char **args, int n, struct call *c, const struct m5_cli_io *io)
{
    (void)args; (void)n; (void)c; (void)io;
    return PARSE_OK;
}

static int name_fits(const char *s, const struct m5_cli_io *io)
{
    if (strlen(s) < M5OP_NAME_MAX)
        return 1;
    dprintf(io->err_fd, "m5: name too long (at most %d bytes): %.40s...\n",
            M5OP_NAME_MAX - 1, s);
    return 0;
}

static int parse_initparam(char **args, int n, struct call *c, const struct m5_cli_io *io)
{
    (void)n; (void)io;
    return m5_cli_pack_key(args[0], c->num) == 0 ? PARSE_OK : PARSE_USAGE;
}

/* writefile FILE [HOSTNAME]: the host name defaults to FILE as given. */
static int parse_writefile(char **args, int n, struct call *c, const struct m5_cli_io *io)
{
    c->str[0] = args[0];
    c->str[1] = n > 1 ? args[1] : args[0];
    return name_fits(c->str[1], io) ? PARSE_OK : PARSE_REPORTED;
}

static int parse_addsymbol(char **args, int n, struct call *c, const struct m5_cli_io *io)
{
    (void)n;
    if (parse_u64(args[0], &c->num[0]) != 0)
        return PARSE_USAGE;
    c->str[0] = args[1];
    return name_fits(c->str[0], io) ? PARSE_OK : PARSE_REPORTED;
}

/* ----------------------------------------------------------- commands -- */

static int exec_checkpoint(const struct call *c, const struct m5_cli_io *io)
{
    if (m5_checkpoint(c->num[0], c->num[1]) == M5OP_CHECKPOINT_FAILED) {
        dprintf(io->err_fd, "m5: checkpoint: the host could not write the checkpoint (the simulator's log says why)\n");
        return M5_CLI_EXIT_IO;
    }
    return M5_CLI_EXIT_OK;
}

static int exec_resetstats(const struct call *c, const struct m5_cli_io *io)
{
    (void)io;
    m5_reset_stats(c->num[0], c->num[1]);
    return M5_CLI_EXIT_OK;
}

static int exec_dumpstats(const struct call *c, const struct m5_cli_io *io)
{
    (void)io;
    m5_dump_stats(c->num[0], c->num[1]);
    return M5_CLI_EXIT_OK;
}

static int exec_dumpresetstats(const struct call *c, const struct m5_cli_io *io)
{
    (void)io;
    m5_dump_reset_stats(c->num[0], c->num[1]);
    return M5_CLI_EXIT_OK;
}

static int exec_exit(const struct call *c, const struct m5_cli_io *io)
{
    (void)io;
    m5_exit(c->num[0]);
    return M5_CLI_EXIT_OK;
}

/* fail CODE [DELAY] on the command line, m5_fail(delay, code) in the ABI. */
static int exec_fail(const struct call *c, const struct m5_cli_io *io)
{
    (void)io;
    m5_fail(c->num[1], c->num[0]);
    return M5_CLI_EXIT_OK;
}

static int exec_workbegin(const struct call *c, const struct m5_cli_io *io)
{
    (void)io;
    m5_work_begin(c->num[0], c->num[1]);
    return M5_CLI_EXIT_OK;
}

static int exec_workend(const struct call *c, const struct m5_cli_io *io)
{
    (void)io;
    m5_work_end(c->num[0], c->num[1]);
    return M5_CLI_EXIT_OK;
}

static int exec_loadsymbol(const struct call *c, const struct m5_cli_io *io)
{
    (void)c; (void)io;
    m5_load_symbol();
    return M5_CLI_EXIT_OK;
}

static int exec_switchcpu(const struct call *c, const struct m5_cli_io *io)
{
    (void)c; (void)io;
    m5_switch_cpu();
    return M5_CLI_EXIT_OK;
}

static int exec_addsymbol(const struct call *c, const struct m5_cli_io *io)
{
    (void)io;
    stage_name(c->str[0]); /* length checked by the parser */
    m5_add_symbol(c->num[0], name_buf);
    return M5_CLI_EXIT_OK;
}

/* gem5's m5 prints the sum as a 32-bit unsigned in this sentence. */
static int exec_sum(const struct call *c, const struct m5_cli_io *io)
{
    unsigned s = m5_sum((unsigned)c->num[0], (unsigned)c->num[1], (unsigned)c->num[2],
                        (unsigned)c->num[3], (unsigned)c->num[4], (unsigned)c->num[5]);
    dprintf(io->out_fd, "Sum is %u.\n", s);
    return M5_CLI_EXIT_OK;
}

/* gem5's m5 prints the value with no newline, for $(m5 initparam KEY). */
static int exec_initparam(const struct call *c, const struct m5_cli_io *io)
{
    uint64_t v = m5_init_param(c->num[0], c->num[1]);
    dprintf(io->out_fd, "%" PRIu64, v);
    return M5_CLI_EXIT_OK;
}

/*
 * Copy the host's script to out_fd chunk by chunk until the host answers 0.
 * The buffer is faulted in before every op, not once: the host writes into
 * guest virtual memory and can only use pages that are present right then.
 */
static int exec_readfile(const struct call *c, const struct m5_cli_io *io)
{
    size_t chunk = chunk_of(io);
    uint64_t offset = 0;
    (void)c;

    for (;;) {
        m5_cli_fault_in(data_buf, chunk);
        uint64_t n = m5_read_file(data_buf, chunk, offset);
        if (n == 0)
            return M5_CLI_EXIT_OK;
        if (n > chunk) {
            dprintf(io->err_fd,
                    "m5: readfile: host returned %" PRIu64 " bytes for a %zu-byte buffer\n",
                    n, chunk);
            return M5_CLI_EXIT_USAGE;
        }
        if (write_all(io->out_fd, data_buf, (size_t)n) != 0) {
            dprintf(io->err_fd, "m5: readfile: cannot write output: %s\n", strerror(errno));
            return M5_CLI_EXIT_IO;
        }
        offset += n;
    }
}

/* Hand len bytes at *offset to the host, which may accept fewer per op. */
static int send_chunk(const unsigned char *buf, size_t len, uint64_t *offset,
                      const struct m5_cli_io *io)
{
    size_t done = 0;
    do {
        m5_cli_fault_in((void *)(buf + done), len - done);
        uint64_t w = m5_write_file((void *)(buf + done), len - done, *offset, name_buf);
        if (w == M5OP_WRITE_FILE_FAILED) {
            dprintf(io->err_fd, "m5: writefile: the host refused to write \"%s\" (the simulator's log says why)\n",
                    name_buf);
            return -1;
        }
        if (len > 0 && (w == 0 || w > len - done)) {
            dprintf(io->err_fd,
                    "m5: writefile: host accepted %" PRIu64 " of %zu bytes at offset %" PRIu64 "\n",
                    w, len - done, *offset);
            return -1;
        }
        done += (size_t)w;
        *offset += w;
    } while (done < len);
    return 0;
}

/*
 * Send FILE to the host in chunks with increasing offsets (offset 0 makes the
 * host truncate). An empty file still gets one zero-length op at offset 0 so
 * that the host creates (or truncates) it.
 */
static int exec_writefile(const struct call *c, const struct m5_cli_io *io)
{
    const char *file = c->str[0];
    size_t chunk = chunk_of(io);
    uint64_t offset = 0;
    int status = M5_CLI_EXIT_OK;

    dprintf(io->out_fd, "Opening \"%s\".\n", file);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        dprintf(io->err_fd, "m5: writefile: cannot open \"%s\": %s\n", file, strerror(errno));
        return M5_CLI_EXIT_IO;
    }
    stage_name(c->str[1]); /* length checked by the parser */

    for (;;) {
        ssize_t n = read_full(fd, data_buf, chunk);
        if (n < 0) {
            dprintf(io->err_fd, "m5: writefile: cannot read \"%s\": %s\n", file, strerror(errno));
            status = M5_CLI_EXIT_IO;
            break;
        }
        if (n == 0 && offset > 0)
            break;
        if (send_chunk(data_buf, (size_t)n, &offset, io) != 0) {
            status = M5_CLI_EXIT_USAGE;
            break;
        }
        if ((size_t)n < chunk)
            break; /* short read: end of file */
    }
    close(fd);
    if (status == M5_CLI_EXIT_OK)
        dprintf(io->out_fd, "Wrote %" PRIu64 " bytes.\n", offset);
    return status;
}

/* Sorted by name: the usage text lists them in this order. */
static const struct command commands[] = {
    { "addsymbol", 2, 2, parse_addsymbol, exec_addsymbol, "ADDRESS SYMBOL",
      "Add SYMBOL at ADDRESS to the simulator's symbol table" },
    { "checkpoint", 0, 2, parse_numbers, exec_checkpoint, "[DELAY [PERIOD]]",
      "Take a checkpoint after DELAY (default 0), then every PERIOD if nonzero" },
    { "dumpresetstats", 0, 2, parse_numbers, exec_dumpresetstats, "[DELAY [PERIOD]]",
      "Dump and then reset the statistics after DELAY, then every PERIOD" },
    { "dumpstats", 0, 2, parse_numbers, exec_dumpstats, "[DELAY [PERIOD]]",
      "Dump the statistics after DELAY, then every PERIOD" },
    { "exit", 0, 1, parse_numbers, exec_exit, "[DELAY]",
      "End the simulation after DELAY (default: now)" },
    { "fail", 1, 2, parse_numbers, exec_fail, "CODE [DELAY]",
      "End the simulation with failure CODE after DELAY (default: now)" },
    { "initparam", 1, 1, parse_initparam, exec_initparam, "KEY",
      "Print the simulator's init parameter for KEY (at most 16 bytes)" },
    { "loadsymbol", 0, 0, parse_none, exec_loadsymbol, "",
      "Load the host's preselected symbol file into the symbol table" },
    { "readfile", 0, 0, parse_none, exec_readfile, "",
      "Copy the host's current script to standard output" },
    { "resetstats", 0, 2, parse_numbers, exec_resetstats, "[DELAY [PERIOD]]",
      "Reset the statistics after DELAY, then every PERIOD" },
    { "sum", 2, 6, parse_numbers, exec_sum, "A B [C [D [E [F]]]]",
      "Print the sum the simulator computes (missing terms are 0), a self-test" },
    { "switchcpu", 0, 0, parse_none, exec_switchcpu, "",
      "Switch from the restore or fast-forward CPU model to --cpu-type now" },
    { "workbegin", 0, 2, parse_numbers, exec_workbegin, "[WORKID [THREADID]]",
      "Mark the beginning of a work item (ids default to 0)" },
    { "workend", 0, 2, parse_numbers, exec_workend, "[WORKID [THREADID]]",
      "Mark the end of a work item (ids default to 0)" },
    { "writefile", 1, 2, parse_writefile, exec_writefile, "FILE [HOSTNAME]",
      "Copy FILE to the host's output directory as HOSTNAME (default: FILE)" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* ------------------------------------------------------- command line -- */

static int usage(const char *progname, const struct m5_cli_io *io)
{
    int fd = io->err_fd;
    dprintf(fd, "Usage: %s [--addr [ADDRESS] | --inst] COMMAND [ARGUMENTS]\n\n", progname);
    dprintf(fd, "Call types:\n"
                "    --addr [ADDRESS], --addr=ADDRESS (default)\n"
                "        Perform each op as a load from the m5 window, mapped through\n"
                "        /dev/mem at ADDRESS (default 0x%llx).\n"
                "    --inst\n"
                "        Perform each op with the 0F 04 instruction (interpreted CPUs only;\n"
                "        it raises SIGILL natively and under KVM).\n\n",
            (unsigned long long)M5OP_ADDR_BASE);
    dprintf(fd, "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        dprintf(fd, "    %s%s%s\n        %s\n", commands[i].name,
                *commands[i].synopsis ? " " : "", commands[i].synopsis, commands[i].help);
    dprintf(fd, "\nAll times are in nanoseconds.\n");
    return M5_CLI_EXIT_USAGE;
}

struct mode_choice {
    enum m5op_mode mode;
    uint64_t base;
};

/* Consume --addr [ADDR] / --addr=ADDR / --inst at argv[*i]; 0 or -1 (usage).
 * As in gem5, a word after --addr is taken as the address only if it is a
 * number, so "m5 --addr exit" uses the default address. */
static int parse_mode(int argc, char **argv, int *i, struct mode_choice *m)
{
    static const char addr_opt[] = "--addr";
    const char *arg = argv[*i];

    if (strcmp(arg, "--inst") == 0) {
        m->mode = M5OP_MODE_INST;
        (*i)++;
        return 0;
    }
    if (strncmp(arg, addr_opt, sizeof(addr_opt) - 1) != 0)
        return 0; /* no call-type option: the default */

    const char *rest = arg + sizeof(addr_opt) - 1;
    m->mode = M5OP_MODE_ADDR;
    (*i)++;
    if (*rest)
        return (*rest == '=' && parse_u64(rest + 1, &m->base) == 0) ? 0 : -1;
    if (*i < argc && parse_u64(argv[*i], &m->base) == 0)
        (*i)++;
    return 0;
}

/* Map the device (or pick instruction mode); prints the one-line reason on
 * failure. */
static int select_mode(const struct mode_choice *m, const struct m5_cli_io *io)
{
    if (m->mode == M5OP_MODE_INST) {
        m5op_use_inst();
        return 0;
    }
    int rc = m5op_use_addr(m->base);
    if (rc < 0) {
        dprintf(io->err_fd, "m5: no m5 device: cannot map %s at 0x%llx: %s\n",
                m5op_devmem_path(), (unsigned long long)m->base, strerror(-rc));
        return -1;
    }
    uint64_t answer;
    if (m5op_probe(&answer) != 0) {
        dprintf(io->err_fd, "m5: no m5 device: sum probe at 0x%llx returned %llu, expected 21\n",
                (unsigned long long)m->base, (unsigned long long)answer);
        m5op_reset();
        return -1;
    }
    return 0;
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int m5_cli_run(int argc, char **argv, const struct m5_cli_io *io)
{
    const char *progname = (argc > 0 && argv[0]) ? argv[0] : "m5";
    struct mode_choice m = { M5OP_MODE_ADDR, M5OP_ADDR_BASE };
    struct call c;
    int i = 1;

    if (i < argc && parse_mode(argc, argv, &i, &m) != 0)
        return usage(progname, io);
    if (i >= argc)
        return usage(progname, io);

    const struct command *cmd = find_command(argv[i]);
    int nargs = argc - i - 1;
    if (!cmd || nargs < cmd->min_args || nargs > cmd->max_args)
        return usage(progname, io);

    memset(&c, 0, sizeof(c));
    int rc = cmd->parse(argv + i + 1, nargs, &c, io);
    if (rc == PARSE_USAGE)
        return usage(progname, io);
    if (rc == PARSE_REPORTED)
        return M5_CLI_EXIT_USAGE;

    if (select_mode(&m, io) != 0)
        return M5_CLI_EXIT_USAGE;
    return cmd->exec(&c, io);
}

int m5_cli_main(int argc, char **argv)
{
    const struct m5_cli_io io = { STDOUT_FILENO, STDERR_FILENO, M5_CLI_CHUNK };
    return m5_cli_run(argc, argv, &io);
}
