/*
 * se.c - `m5sim se`: options, building the process, the run loop, and what
 * happens when the guest faults.
 *
 * Guest-physical RAM is one large MAP_NORESERVE host mapping: only pages the
 * guest touches cost host memory. The CPU starts at CPL 3 in long mode at the
 * ELF entry point with the stack of stack.c; SYSCALL instructions come to
 * se_syscall() (syscall.c), exceptions to se_exception() below, which backs
 * anonymous memory on first touch and turns any other fault into the
 * signal death Linux would give the program (status 128+signal).
 */
#include "se/se.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "cpu/cpuid.h"
#include "cpu/exception.h"
#include "cpu/timing.h"
#include "machine/config.h"
#include "mem/memsys.h"
#include "sandbox/sandbox.h"
#include "se/checkpoint.h"
#include "se/process.h"
#include "stats/registry.h"
#include "stats/sim_stats.h"
#include "util/log.h"

/* The environment a guest gets unless told otherwise: fixed, so runs are reproducible. */
static const char *const default_env[] = {
    "PATH=/usr/local/bin:/usr/bin:/bin",
    "HOME=/",
    "LANG=C",
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: m5sim se [OPTIONS] PROGRAM [ARGS...]\n"
            "       m5sim se [OPTIONS] --cmd PROGRAM [--options \"ARGS\"]\n"
            "Run a static x86-64 Linux program on the simulated CPU, servicing its system\n"
            "calls on the host (syscall emulation, like gem5's SE mode).\n"
            "\n"
            "  --cmd PROGRAM    the program to run (gem5 se.py's form of PROGRAM)\n"
            "  --options \"ARGS\" its arguments, split on whitespace (no quoting, as se.py)\n"
            "  -i, --input FILE its standard input (relative to the working directory)\n"
            "  --output FILE    its standard output, --errout FILE its standard error (relative\n"
            "                   to the output directory; cin, cout, cerr: the simulator's own)\n"
            "  --maxinsts N     stop after N instructions (exit status 0); after -F, N on --cpu-type\n"
            "  --take-checkpoints T[,P]  checkpoint the process at tick T (and every P ticks after);\n"
            "                   with --at-instruction T and P count instructions\n"
            "  --checkpoint-at-end  checkpoint the process when the run stops (--maxinsts)\n"
            "  --checkpoint-dir DIR where checkpoints go (default: the outdir), or whence -r restores\n"
            "  -r, --checkpoint-restore N  restore the Nth checkpoint (by ascending tick) of\n"
            "                   --checkpoint-dir; PROGRAM may be left out (the checkpoint names it);\n"
            "                   --input gives the restored program a new stdin from its start\n"
            "  --allow-changed-inputs  restore even if a file the program reads has changed\n"
            "                   (a changed input is refused otherwise)\n"
            "  --env K=V        set K in the guest environment (repeatable); the default\n"
            "                   environment is PATH=/usr/local/bin:/usr/bin:/bin HOME=/ LANG=C\n"
            "  --env FILE       start from FILE's KEY=VALUE lines instead (gem5 se.py's --env)\n"
            "  --inherit-env    start from the host's environment instead of the default\n"
            "  -d, --outdir DIR where stats.txt, stats.json and config.ini go (default m5out)\n"
            "  --stats FILE     also write the statistics to FILE\n"
            "  --stats-reset-at F  reset the statistics each time the program reaches function F\n"
            "                   (a symbol of its symbol table, or an address such as 0x401000)\n"
            "  --stats-dump-at F   dump them each time it reaches F (as valgrind's callgrind\n"
            "                   --zero-before=F and --dump-before=F: before F's first instruction)\n"
            "  --stack-pad N    start the stack N bytes lower (a multiple of 16): to give the\n"
            "                   program the stack alignment it has under another tool\n"
            "  -v, --verbose    print instructions, MIPS and exit status to stderr at the end\n"
            "  --no-sandbox     do not install the system-call allowlist (for debugging m5sim)\n"
            "  -h, --help       this text\n"
            "\n"
            "m5sim se exits with the program's exit status, or 128+N when it dies of signal N.\n");
    config_hierarchy_usage(f);
}

/* ------------------------------------------------------------ outcome ---- */

uint64_t se_now_ns(const struct se *se)
{
    return cpu_cycles(se->cpu) / (SE_CPU_HZ / 1000000000ull) + se->sleep_ns;
}

void se_exit(struct se *se, int status)
{
    if (se->exited)
        return;
    se->exited = true;
    se->exit_status = status;
    cpu_request_exit(se->cpu, CPU_EXIT_STOP);
}

void se_kill(struct se *se, int sig, const char *why)
{
    if (se->exited)
        return;
    if (why)
        fprintf(stderr, "m5sim se: %s: %s\n", se->path, why);
    else if (sig != SIGPIPE)  /* as shells do: a broken pipe is how pipelines end */
        fprintf(stderr, "m5sim se: %s: terminated by signal %d (%s)\n", se->path, sig, strsignal(sig));
    se->killed_by = sig;
    se_exit(se, 128 + sig);
}

struct fault_kind {
    const char *name;
    int sig;
};

static struct fault_kind fault_kind(int vector)
{
    switch (vector) {
    case EXC_DE: return (struct fault_kind){ "divide error", SIGFPE };
    case EXC_DB: return (struct fault_kind){ "debug trap", SIGTRAP };
    case EXC_BP: return (struct fault_kind){ "breakpoint", SIGTRAP };
    case EXC_UD: return (struct fault_kind){ "invalid or unsupported instruction", SIGILL };
    case EXC_NP: return (struct fault_kind){ "segment not present", SIGBUS };
    case EXC_SS: return (struct fault_kind){ "stack-segment fault", SIGBUS };
    case EXC_GP: return (struct fault_kind){ "general protection fault", SIGSEGV };
    case EXC_PF: return (struct fault_kind){ "segmentation fault", SIGSEGV };
    case EXC_MF: return (struct fault_kind){ "x87 floating-point exception", SIGFPE };
    case EXC_AC: return (struct fault_kind){ "alignment check", SIGBUS };
    case EXC_XM: return (struct fault_kind){ "SIMD floating-point exception", SIGFPE };
    default: return (struct fault_kind){ "exception", SIGSEGV };
    }
}

/* The guest faulted with nothing to handle it: one line, then the signal's death. */
static void report_fault(struct se *se, int vector, uint32_t error)
{
    struct cpu *cpu = se->cpu;
    uint64_t rip = cpu->s.rip;
    char bytes[64] = "", what[160];
    unsigned len = 0;
    for (unsigned i = 0; i < 15; i++) {
        const uint8_t *p = se_guest_ptr(se, rip + i, false);
        if (!p)
            break;
        len += (unsigned)snprintf(bytes + len, sizeof(bytes) - len, "%s%02x", i ? " " : "", *p);
    }
    struct fault_kind k = fault_kind(vector);
    if (vector == EXC_PF) {
        const char *acc = (error & PFERR_I) ? "execute" : (error & PFERR_W) ? "write" : "read";
        snprintf(what, sizeof(what), "%s (%s at 0x%llx, %s)", k.name, acc,
                 (unsigned long long)cpu->s.cr2,
                 (error & PFERR_P) ? "protection violation" : "not mapped");
    } else if (vector == EXC_GP && error) {
        snprintf(what, sizeof(what), "%s (error code 0x%x)", k.name, error);
    } else {
        snprintf(what, sizeof(what), "%s", k.name);
    }
    char line[320];
    snprintf(line, sizeof(line), "%s at rip=0x%llx (bytes %s)", what, (unsigned long long)rip,
             len ? bytes : "unreadable");
    se_kill(se, k.sig, line);
}

static bool se_exception(void *opaque, struct cpu *cpu, int vector, uint32_t error)
{
    struct se *se = opaque;
    if (vector == EXC_PF && !(error & PFERR_P)) {
        int acc = (error & PFERR_W) ? PROT_WRITE : (error & PFERR_I) ? PROT_EXEC : PROT_READ;
        /* The same access faulting again right after its page was backed would loop forever. */
        bool again = cpu->icount == se->last_fault_icount && cpu->s.cr2 == se->last_fault_va;
        se->last_fault_icount = cpu->icount;
        se->last_fault_va = cpu->s.cr2;
        if (!again && se_vm_fault(se, cpu->s.cr2, acc) == 0)
            return true;  /* first touch of anonymous memory: run the instruction again */
    }
    report_fault(se, vector, error);
    return true;
}

/* ------------------------------------------------------------- options ---- */

/* The CPU watches SE mode arms (cpu_set_watch): where statistics are reset and dumped. */
enum { SE_WATCH_RESET, SE_WATCH_DUMP };

struct options {
    const char *watch[CPU_WATCHES];   /* --stats-reset-at, --stats-dump-at: a symbol or an address */
    uint64_t stack_pad;
    uint64_t maxinsts;
    const char *stats;
    const char *outdir;
    struct se_workload work;      /* --cmd, --options, --input, --output, --errout */
    struct machine_config hier;   /* CPU models and memory hierarchy: cpu_type, caches, ... */
    bool verbose;
    bool inherit_env;
    bool no_sandbox;
    char **env;
    int nenv;
    /* Process checkpoints (checkpoint.h), with se.py's names. */
    const char *checkpoint_dir;
    int restore;                  /* -r N: 1-based, 0: none */
    bool take, at_instruction, at_end, allow_changed;
    uint64_t take_first, take_period;
};

static void env_set(struct options *o, const char *kv)
{
    const char *eq = strchr(kv, '=');
    size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
    for (int i = 0; i < o->nenv; i++) {
        if (strncmp(o->env[i], kv, klen) == 0 && o->env[i][klen] == '=') {
            o->env[i] = (char *)kv;
            return;
        }
    }
    o->env = realloc(o->env, ((size_t)o->nenv + 2) * sizeof(*o->env));
    if (!o->env)
        fatal("se", "out of host memory");
    o->env[o->nenv++] = (char *)kv;
    o->env[o->nenv] = NULL;
}

/*
 * Parse options up to the program name (or take it from --cmd); the
 * program's argv ends in o->work. The CPU-model and memory-hierarchy options
 * are the full-system ones (machine/config_cpu.c).
 */
static void parse_options(int argc, char **argv, struct options *o)
{
    enum { OPT_MAXINSTS = 256, OPT_ENV, OPT_INHERIT_ENV, OPT_STATS, OPT_RESET_AT, OPT_DUMP_AT, OPT_STACK_PAD,
           OPT_NO_SANDBOX, OPT_CMD, OPT_OPTIONS, OPT_OUTPUT, OPT_ERROUT, OPT_CKPT_DIR, OPT_TAKE, OPT_AT_END,
           OPT_AT_INST, OPT_ALLOW_CHANGED };
    static const struct option own[] = {
        { "help", no_argument, 0, 'h' },
        { "verbose", no_argument, 0, 'v' },
        { "inherit-env", no_argument, 0, OPT_INHERIT_ENV },
        { "maxinsts", required_argument, 0, OPT_MAXINSTS },
        { "env", required_argument, 0, OPT_ENV },
        { "stats", required_argument, 0, OPT_STATS },
        { "outdir", required_argument, 0, 'd' },
        { "stats-reset-at", required_argument, 0, OPT_RESET_AT },
        { "stats-dump-at", required_argument, 0, OPT_DUMP_AT },
        { "stack-pad", required_argument, 0, OPT_STACK_PAD },
        { "no-sandbox", no_argument, 0, OPT_NO_SANDBOX },
        { "cmd", required_argument, 0, OPT_CMD },
        { "options", required_argument, 0, OPT_OPTIONS },
        { "input", required_argument, 0, 'i' },
        { "output", required_argument, 0, OPT_OUTPUT },
        { "errout", required_argument, 0, OPT_ERROUT },
        { "checkpoint-dir", required_argument, 0, OPT_CKPT_DIR },
        { "checkpoint-restore", required_argument, 0, 'r' },
        { "take-checkpoints", required_argument, 0, OPT_TAKE },
        { "checkpoint-at-end", no_argument, 0, OPT_AT_END },
        { "at-instruction", no_argument, 0, OPT_AT_INST },
        { "allow-changed-inputs", no_argument, 0, OPT_ALLOW_CHANGED },
        { 0, 0, 0, 0 },
    };
    struct option all[sizeof own / sizeof own[0] + CONFIG_HIERARCHY_NOPTS];
    config_merge_options(all, own, sizeof own / sizeof own[0]);
    config_hierarchy_defaults(&o->hier);
    o->outdir = "m5out";
    char **extra = calloc((size_t)argc + 1, sizeof(*extra));
    char **files = calloc((size_t)argc + 1, sizeof(*files));
    int nextra = 0, nfiles = 0, c;
    opterr = 0;
    optind = 1;
    /* "+": stop at the program's name; its own options are its arguments. */
    int li = -1;
    while ((c = getopt_long(argc, argv, "+hvd:F:i:r:", all, &li)) != -1) {
        const char *v = optarg;
        switch (c) {
        case 'h': usage(stdout); exit(0);
        case 'v': o->verbose = true; break;
        case 'd': o->outdir = v; break;
        case OPT_CMD: o->work.cmd = v; break;
        case OPT_OPTIONS: o->work.options = v; break;
        case 'i': o->work.input = v; break;
        case OPT_OUTPUT: o->work.output = v; break;
        case OPT_ERROUT: o->work.errout = v; break;
        case OPT_CKPT_DIR: o->checkpoint_dir = v; break;
        case 'r': {
            uint64_t n = config_parse_u64("-r", v);
            if (n < 1 || n > 1000000)
                fatal("-r", "'%s': checkpoints are counted from 1 (the oldest)", v);
            o->restore = (int)n;
            break;
        }
        case OPT_TAKE: {
            const char *comma = strchr(v, ',');
            char first[64];
            snprintf(first, sizeof first, "%.*s", comma ? (int)(comma - v) : (int)strlen(v), v);
            o->take_first = config_parse_u64("--take-checkpoints", first);
            o->take_period = comma ? config_parse_u64("--take-checkpoints", comma + 1) : 0;
            if (comma && !o->take_period)
                fatal("--take-checkpoints", "'%s': a period of 0 would checkpoint forever at one point", v);
            o->take = true;
            break;
        }
        case OPT_AT_END: o->at_end = true; break;
        case OPT_AT_INST: o->at_instruction = true; break;
        case OPT_ALLOW_CHANGED: o->allow_changed = true; break;
        case OPT_INHERIT_ENV: o->inherit_env = true; break;
        case OPT_NO_SANDBOX: o->no_sandbox = true; break;
        case OPT_MAXINSTS: {
            char *end;
            errno = 0;
            o->maxinsts = strtoull(v, &end, 0);
            if (errno || *end || !*v || v[0] == '-' || o->maxinsts == 0)
                fatal("se", "--maxinsts wants a positive instruction count, not '%s'", v);
            break;
        }
        case OPT_ENV:
            if (se_env_is_assignment(v))
                extra[nextra++] = (char *)v;
            else
                files[nfiles++] = (char *)v;
            break;
        case OPT_STATS: o->stats = v; break;
        case OPT_RESET_AT: o->watch[SE_WATCH_RESET] = v; break;
        case OPT_DUMP_AT: o->watch[SE_WATCH_DUMP] = v; break;
        case OPT_STACK_PAD:
            o->stack_pad = config_parse_u64("--stack-pad", v);
            if (o->stack_pad % 16 || o->stack_pad > (1u << 20))
                fatal("--stack-pad", "'%s': a multiple of 16 bytes up to 1MiB", v);
            break;
        default:
            if (config_hierarchy_option(&o->hier, c, v))
                break;
            fprintf(stderr, "m5sim: se: unknown or incomplete option '%s'\n", argv[optind - 1]);
            usage(stderr);
            exit(2);
        }
        li = -1;
    }
    config_hierarchy_check(&o->hier);
    if (o->hier.restore_with_cpu != CPU_ATOMIC && !o->hier.fast_forward)
        fatal("--restore-with-cpu", "SE mode restores no checkpoint: use -F N to run N instructions first");
    if (o->restore && !o->checkpoint_dir)
        fatal("-r", "restoring needs --checkpoint-dir (the directory holding cpt.<tick>/)");
    if (o->at_instruction && !o->take)
        fatal("--at-instruction", "counts the instructions of --take-checkpoints, which is not given");
    if (o->restore && !o->work.cmd && optind >= argc)
        o->work.argc = 0;   /* the checkpoint names the program */
    else
        se_workload_argv(&o->work, argc, argv, optind);

    o->env = calloc(1, sizeof(*o->env));
    if (nfiles && o->inherit_env)
        fatal("--env", "'%s' is a file, which replaces the environment: --inherit-env cannot go with it", files[0]);
    if (nfiles) {
        /* As gem5: the file is the environment (later KEY=VALUE entries still add to it). */
        for (int f = 0; f < nfiles; f++) {
            char **lines;
            int n = se_env_read(files[f], &lines);
            for (int k = 0; k < n; k++)
                env_set(o, lines[k]);
            free(lines);
        }
    } else if (o->inherit_env) {
        for (char **e = environ; *e; e++)
            env_set(o, *e);
    } else {
        for (size_t k = 0; k < sizeof(default_env) / sizeof(default_env[0]); k++)
            env_set(o, default_env[k]);
    }
    for (int k = 0; k < nextra; k++)
        env_set(o, extra[k]);
    free(extra);
    free(files);
}

/* ---------------------------------------------------------- statistics ---- */

/* The running totals of an SE run: the CPU's cycles; time also passes in sleeps. */
static struct sim_totals se_totals(const struct se *se)
{
    return (struct sim_totals){ .tick = se_now_ns(se) * 1000, .insts = se->cpu->icount,
                                .ops = se->cpu->icount + se->cpu->extra_ops, .cycles = se_cycles((void *)se, se->cpu) };
}

/* One gem5 stats.txt dump of the whole run: the statistics every run prints (stats/sim_stats.h). */
static void write_stats(const struct se *se, struct sim_stats *st, struct stats_group *root, FILE *f)
{
    sim_stats_sample(st, se_totals(se));
    stats_dump_text(root, f);
    fclose(f);
}

/* The statistics of the run and what dumping and resetting them takes. */
struct run_stats {
    struct se *se;
    struct stats_group *root;
    struct sim_stats *sim;
    struct memsys *memsys;
    uint64_t work_started, work_completed;     /* since the last reset: what a dump prints */
    uint64_t work_begin_at_reset, work_end_at_reset;
};

/* Append one dump block to stats.txt and stats.json in the outdir. */
static void dump_stats(struct run_stats *rs, struct se_outputs *out)
{
    sim_stats_sample(rs->sim, se_totals(rs->se));
    rs->work_started = rs->se->work_begin - rs->work_begin_at_reset;
    rs->work_completed = rs->se->work_end - rs->work_end_at_reset;
    stats_dump_text(rs->root, out->stats);
    stats_dump_json(rs->root, out->stats_json);
}

static void reset_stats(struct run_stats *rs)
{
    struct sim_totals now = se_totals(rs->se);
    stats_reset(rs->root);
    sim_stats_reset(rs->sim, now);
    if (rs->memsys)
        memsys_stats_reset_at(rs->memsys, now.tick);
    rs->work_begin_at_reset = rs->se->work_begin;
    rs->work_end_at_reset = rs->se->work_end;
}

/* ------------------------------------------------------ statistics points ---- */

static bool se_watch(void *opaque, struct cpu *cpu, unsigned which)
{
    (void)cpu;
    struct se *se = opaque;
    se->stats_request |= which == SE_WATCH_RESET ? SE_STATS_RESET : SE_STATS_DUMP;
    return true;   /* stop before the instruction: the statistics change between CPU runs */
}

/* Arm the watches the options name, resolving symbols in the program's symbol table. */
static void arm_watches(struct se *se, const struct options *o)
{
    static const char *const opt[CPU_WATCHES] = { "--stats-reset-at", "--stats-dump-at" };
    for (unsigned w = 0; w < CPU_WATCHES; w++) {
        const char *where = o->watch[w];
        if (!where)
            continue;
        uint64_t addr;
        char *end;
        errno = 0;
        if (where[0] == '0' && (where[1] == 'x' || where[1] == 'X')) {
            addr = strtoull(where, &end, 16);
            if (errno || *end || end == where + 2)
                fatal(opt[w], "'%s' is not an address", where);
        } else if (se_elf_symbol(se->exe_path, where, &addr) != 0) {
            fatal(opt[w], "%s has no symbol '%s' (is it stripped?)", se->path, where);
        }
        cpu_set_watch(se->cpu, w, addr);
    }
}

/* ---------------------------------------------------------------- main ---- */

static double host_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* -r N: the checkpoint to restore, checked; the program it holds becomes the one to run. */
static void open_restore(struct options *o, struct ckpt_image *img, struct se *se)
{
    char dir[4096];
    ckpt_locate(o->checkpoint_dir, o->restore, dir, sizeof dir);
    se_checkpoint_open(img, dir);
    /* Copies: the index is freed once the process is restored. */
    char *prog = strdup(se_checkpoint_program(img));
    if (o->work.argc) {
        char *given = realpath(o->work.argv[0], NULL);
        if (!given || strcmp(given, prog) != 0)
            fatal("-r", "the checkpoint %s holds %s, not %s (leave PROGRAM out to restore it)", dir, prog,
                  o->work.argv[0]);
        free(given);
    } else {
        static char *only[2];
        only[0] = prog;
        o->work.argv = only;
        o->work.argc = 1;
    }
    const char *argv0 = ini_get(&img->ini, "se.process", "argv0");
    se->path = argv0 ? strdup(argv0) : prog;
    se->exe_path = prog;
}

/* Write a checkpoint of the process now; the run goes on whatever happens. */
static void take_checkpoint(struct se *se, const struct options *o, const char *ram_backing)
{
    char path[4096];
    const char *parent = o->restore || !o->checkpoint_dir ? o->outdir : o->checkpoint_dir;
    if (se_checkpoint_save(se, parent, config_cpu_name(o->hier.cpu_type), ram_backing, path, sizeof path) == 0)
        info("se: checkpoint %s written (instruction %llu)", path, (unsigned long long)se->cpu->icount);
}

/* --take-checkpoints: is the next one due now, and how many cycles may the CPU run until it is? */
static bool checkpoint_due(const struct se *se, const struct options *o, uint64_t next)
{
    return o->at_instruction ? se->cpu->icount >= next : se_now_ns(se) * 1000 >= next;
}

static uint64_t cycles_until(const struct se *se, const struct options *o, uint64_t next)
{
    if (o->at_instruction)
        return next - se->cpu->icount;   /* a cycle retires at most one instruction */
    uint64_t ns = (next + 999) / 1000, now = se_now_ns(se);
    return ns > now ? (ns - now) * (SE_CPU_HZ / 1000000000ull) : 1;
}

int se_main(int argc, char **argv)
{
    struct options o = { 0 };
    parse_options(argc, argv, &o);

    struct se *se = calloc(1, sizeof(*se));
    struct cpu *cpu = calloc(1, sizeof(*cpu));
    if (!se || !cpu)
        fatal("se", "out of host memory");
    se->verbose = o.verbose;
    struct ckpt_image img;
    char ram_backing[4096] = "";
    if (o.restore) {
        open_restore(&o, &img, se);
        ckpt_path(&img, "memory.img", ram_backing, sizeof ram_backing);
    } else {
        se->path = o.work.argv[0];
        se->exe_path = realpath(se->path, NULL);
        if (!se->exe_path) {
            if (access(se->path, F_OK) < 0)
                fatal(se->path, "%s", strerror(errno));
            se->exe_path = strdup(se->path);
        }
    }

    /* Guest-physical memory (a checkpoint's, copy-on-write), page tables and the CPU. */
    if (o.restore)
        se->ram = se_checkpoint_map_ram(&img);
    else
        se->ram = mmap(NULL, SE_RAM_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (se->ram == MAP_FAILED)
        fatal("se", "cannot reserve %llu GiB of host address space for guest memory: %s",
              (unsigned long long)(SE_RAM_SIZE >> 30), strerror(errno));
    bus_init(&se->bus);
    bus_add_ram(&se->bus, 0, SE_RAM_SIZE, se->ram);
    if (!o.restore)
        pt_init(&se->pt, &se->bus, SE_PAGE, SE_RAM_SIZE);  /* physical page 0 stays unused */
    cpuid_tsc_hz = SE_CPU_HZ;  /* RDTSC counts simulated cycles at the same clock as se_now_ns() */
    cpu_init(cpu, &se->bus, 0);
    se->cpu = cpu;

    /* The process. */
    se_vm_init(se);
    se_process_init(se);
    se_threads_init(se);
    se_fd_init(se);
    uint64_t sp = 0;
    if (!o.restore) {
        se_load_elf(se, se->path, &se->image);
        se->brk_start = se->brk = PAGE_UP(se->image.end);
        int envc = 0;
        while (o.env[envc])
            envc++;
        se->stack_pad = o.stack_pad;
        sp = se_build_stack(se, o.work.argc, o.work.argv, envc, o.env);
        if (o.verbose)
            fprintf(stderr, "m5sim se: initial stack pointer 0x%llx\n", (unsigned long long)sp);
    }

    cpu_enter_long_mode(cpu, se->pt.root, 3);
    memset(cpu->s.gpr, 0, sizeof(cpu->s.gpr));
    cpu->s.gpr[RSP] = sp;
    cpu->s.rip = se->image.entry;
    cpu->s.idtr.base = 0;
    cpu->s.idtr.limit = 0;  /* no guest kernel: every exception comes to se_exception() */
    cpu->hooks = (struct cpu_hooks){
        .opaque = se,
        .syscall = se_syscall,
        .exception = se_exception,
        .cycles = se_cycles,
        .m5op = se_m5op,
        .watch = se_watch,
    };
    cpu_state_changed(cpu);

    /* A guest writing to a closed pipe gets SIGPIPE from us, not the simulator from the host. */
    signal(SIGPIPE, SIG_IGN);

    /* Opened now: the guest may change the working directory, and a bad path should fail early. */
    FILE *stats = NULL;
    if (o.stats && !(stats = fopen(o.stats, "w")))
        fatal(o.stats, "cannot write statistics: %s", strerror(errno));
    struct se_outputs out = se_outputs_open(o.outdir);
    se_workload_streams(se, &o.work, o.outdir);
    se_files_note_streams(se);
    if (o.restore) {
        /* The process as it was: registers, memory, files at their offsets (exits 2 on a refusal). */
        struct se_restore_opts ro = { .new_input = o.work.input && *o.work.input, .allow_changed = o.allow_changed };
        se_checkpoint_restore(se, &img, &ro);
        ckpt_close(&img);
    }

    struct stats_group *stats_root = stats_root_new();
    struct stats_group *system = stats_group_new(stats_root, "system");
    struct stats_group *cpu_group = stats_group_new(system, "cpu");
    struct sim_stats sim_stats = { 0 };
    sim_stats_register(&sim_stats, stats_root, cpu_group, se_totals(se));
    commit_stats_register(&sim_stats.cpu.commit, cpu_group, sim_stats.cpu.commit_group, se->cpu,
                          o.hier.cpu_type == CPU_TIMING || o.hier.cpu_type == CPU_O3, NULL);
    struct run_stats rs = { se, stats_root, &sim_stats, NULL, 0, 0, se->work_begin, se->work_end };
    stats_add_scalar(cpu_group, "numWorkItemsStarted", &rs.work_started, "Count",
                     "Number of work items this cpu started");
    stats_add_scalar(cpu_group, "numWorkItemsCompleted", &rs.work_completed, "Count",
                     "Number of work items this cpu completed");

    /* CPU models: atomic, or timing with its memory hierarchy (after -F N instructions on atomic). */
    struct se_models models = se_models_start(se, &o.hier, system, cpu_group, out.config);
    rs.memsys = models.memsys;
    se_workload_config(&o.work, se, o.env, out.config);
    fclose(out.config);

    arm_watches(se, &o);
    /* Set up: the program runs under the allowlist, which keeps what SE mode forwards for it. */
    sandbox_enter(o.no_sandbox);
    double t0 = host_now();
    /* As gem5 sets max_insts_any_thread on the CPUs switched to: after -F N, --maxinsts counts from the switch. */
    uint64_t limit = !o.maxinsts ? UINT64_MAX : models.switch_icount ? models.switch_icount + o.maxinsts : o.maxinsts;
    uint64_t next_ckpt = o.take_first;
    bool taking = o.take;
    while (!se->exited) {
        /* Checkpoints: between CPU runs, after the scheduler, where no system call is half done. */
        if (taking && checkpoint_due(se, &o, next_ckpt)) {
            take_checkpoint(se, &o, o.restore ? ram_backing : NULL);
            taking = o.take_period != 0;
            next_ckpt += o.take_period;
        }
        if (se->ckpt_request) {
            se->ckpt_request = false;
            if (!o.take)   /* as gem5: --take-checkpoints replaces the program's own requests */
                take_checkpoint(se, &o, o.restore ? ram_backing : NULL);
        }
        if (cpu->icount >= limit) {
            fprintf(stderr, "m5sim se: %s: stopped after --maxinsts %llu instructions\n", se->path,
                    (unsigned long long)o.maxinsts);
            se->exit_status = 0;
            break;
        }
        uint64_t budget = limit - cpu->icount;
        uint64_t until_switch = se_models_step(&models, stats_root, &sim_stats, se_totals(se));
        if (until_switch && until_switch < budget)
            budget = until_switch;
        uint64_t until_sched = se_sched_budget(se);
        if (until_sched < budget)
            budget = until_sched;
        if (taking && cycles_until(se, &o, next_ckpt) < budget)
            budget = cycles_until(se, &o, next_ckpt);
        uint64_t stats_ns = se_m5_stats_ns_until(se);
        if (stats_ns < budget / (SE_CPU_HZ / 1000000000ull))
            budget = stats_ns ? stats_ns * (SE_CPU_HZ / 1000000000ull) : 1;
        enum cpu_exit why = cpu_model_run(models.current, budget);
        se_m5_stats_due(se);
        if (se->stats_request & SE_STATS_DUMP)
            dump_stats(&rs, &out);
        if (se->stats_request & SE_STATS_RESET)
            reset_stats(&rs);
        se->stats_request = 0;
        if (se->exited)
            break;
        switch (why) {
        case CPU_EXIT_NONE:
        case CPU_EXIT_BUDGET:
        case CPU_EXIT_STOP:
            break;
        case CPU_EXIT_HALT:
            se_kill(se, SIGSEGV, "the CPU halted");
            break;
        case CPU_EXIT_TRIPLE_FAULT:
            report_fault(se, cpu->fault_vector, cpu->fault_error);
            break;
        case CPU_EXIT_UNSUPPORTED:
        case CPU_EXIT_WAIT:  /* no m5 device in SE mode: cannot happen */
            se_kill(se, SIGILL, "stopped at an unsupported instruction");
            break;
        }
        /* Threads, timeouts, the alarm, signals: between CPU runs, on the current instruction boundary. */
        se_sched(se);
    }
    double secs = host_now() - t0;
    if (o.at_end) {
        if (se->exited)
            warn("--checkpoint-at-end", "%s has exited: there is no process left to checkpoint", se->path);
        else
            take_checkpoint(se, &o, o.restore ? ram_backing : NULL);
    }

    if (o.verbose || o.stats)
        fprintf(stderr, "m5sim se: %llu instructions, %.1f MIPS, exit status %d\n",
                (unsigned long long)cpu->icount, secs > 0 ? (double)cpu->icount / secs / 1e6 : 0.0,
                se->exit_status);
    dump_stats(&rs, &out);
    if (stats)
        write_stats(se, &sim_stats, stats_root, stats);
    se_outputs_close(&out);
    stats_group_free(stats_root);
    se_models_free(&models);
    fflush(stdout);
    return se->exit_status;
}
