/* config.c - the full-system command line, with gem5's fs.py option names. */
#include "machine/config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"
#include "util/log.h"
#include "version.h"

void config_usage(FILE *out)
{
    fprintf(out,
            "usage: m5sim --kernel VMLINUX --disk-image IMG [options]\n"
            "       m5sim se [options] PROGRAM [ARGS...]   (syscall emulation)\n"
            "\n"
            "full-system options (gem5 fs.py names):\n"
            "  --kernel PATH            kernel: ELF vmlinux or bzImage\n"
            "  --disk-image PATH        disk image, repeatable (first is /dev/sda, or /dev/vda on virtio);\n"
            "                           never written\n"
            "  --disk-controller C      piix (default: PCI IDE as on gem5's PC, /dev/sda, ...) or\n"
            "                           virtio-mmio or virtio-pci (/dev/vda, ...); a restore uses the\n"
            "                           checkpoint's\n"
            "  --initrd PATH            initial ramdisk for the kernel (Linux boot protocol)\n"
            "  --run-decompressor       run a bzImage's own decompressor in the guest (default: m5sim\n"
            "                           decompresses it and starts at the kernel proper)\n"
            "  --script PATH            script for the guest's m5 readfile, repeatable (a queue)\n"
            "  -d, --outdir DIR         output directory (default m5out)\n"
            "  --mem-size SIZE          guest memory (default 512MB)\n"
            "  --num-cpus N             number of CPUs, 1..16 (default 1; a restore: the checkpoint's)\n"
            "  --quantum N              with several CPUs, cycles each runs before the next one's turn (default 1000)\n"
            "  --cpu-clock FREQ         CPU clock (default 3GHz)\n"
            "  --maxinsts N             stop after N instructions\n"
            "  --max-ticks N            stop at simulated tick N (1 tick = 1 ps), even while the guest idles\n"
            "  --max-seconds N          stop after N seconds of host (wall-clock) time\n"
            "  --no-sandbox             do not install the system-call allowlist (for debugging m5sim)\n"
            "  --cmdline STRING         kernel command line (replaces the default)\n"
            "  --rng-seed N             seed of the guest kernel's random number generator (default 0;\n"
            "                           the same seed gives the same random numbers, run after run)\n"
            "\n"
            "checkpoints:\n"
            "  --checkpoint-dir DIR     where checkpoints go; with -r, where to find them (DIR holds\n"
            "                           cpt.<tick>/ directories; a cpt.<tick>/ directory itself works too)\n"
            "  -r, --checkpoint-restore N  restore the N-th checkpoint of --checkpoint-dir (1 = oldest)\n"
            "  --take-checkpoints T[,P] checkpoint at tick T (and every P ticks after)\n"
            "  --checkpoint-at-end      checkpoint when the run ends\n"
            "  --max-checkpoints N      at most N checkpoints per run (default 16; 0: no limit)\n"
            "  --interactive            when the guest wants a script and none is queued, ask on the\n"
            "                           terminal: a script path, list, restore N, again, checkpoint,\n"
            "                           help or quit (line editing, history in ~/.m5sim_history)\n"
            "  --control PATH           read those answers from PATH (e.g. a FIFO) instead of the terminal\n"
            "  --batch                  run each --script from its own fresh restore of the checkpoint,\n"
            "                           outputs in <outdir>/<n>-<script>/\n"
            "  --script-dir DIR         queue every file of DIR (sorted by name) as a --script\n"
            "  -j, --jobs N             with --batch: N restores at once (sharing memory copy-on-write)\n"
            "  -q, --quiet              no console echo or status line on the terminal\n"
            "  -h, --help               this text\n"
            "  --version                the version, and the checkpoint formats it reads and writes\n");
    config_hierarchy_usage(out);
}

void config_print_version(FILE *out)
{
    fprintf(out, "m5sim %s\ncheckpoint format: reads version %d, writes version %d\n", M5SIM_VERSION,
            CKPT_FORMAT_VERSION, CKPT_FORMAT_VERSION);
}

static bool parse_scaled(const char *s, uint64_t *out, const char *const *units, const uint64_t *scales)
{
    char *end;
    if (!s || !*s || !(isdigit((unsigned char)*s) || *s == '.'))
        return false;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        return false;
    while (*end == ' ')
        end++;
    uint64_t scale = 1;
    if (*end) {
        bool found = false;
        for (int i = 0; units[i]; i++)
            if (!strcasecmp(end, units[i])) {
                scale = scales[i];
                found = true;
                break;
            }
        if (!found)
            return false;
    }
    double r = v * (double)scale;
    if (r >= 18446744073709551615.0)
        return false;
    *out = (uint64_t)(r + 0.5);
    return true;
}

bool config_parse_size(const char *s, uint64_t *out)
{
    static const char *const units[] = { "B", "kB", "KiB", "K", "MB", "MiB", "M", "GB", "GiB", "G", NULL };
    static const uint64_t scales[] = { 1, 1ull << 10, 1ull << 10, 1ull << 10, 1ull << 20, 1ull << 20,
                                       1ull << 20, 1ull << 30, 1ull << 30, 1ull << 30 };
    return parse_scaled(s, out, units, scales);  /* gem5 treats MB as MiB for memory sizes */
}

bool config_parse_freq(const char *s, uint64_t *out)
{
    static const char *const units[] = { "Hz", "kHz", "MHz", "GHz", NULL };
    static const uint64_t scales[] = { 1, 1000, 1000000, 1000000000 };
    return parse_scaled(s, out, units, scales) && *out > 0;
}

const char *config_cpu_name(enum cpu_kind m)
{
    switch (m) {
    case CPU_TIMING: return "timing";
    case CPU_KVM: return "kvm";
    case CPU_O3: return "o3";
    default: return "atomic";
    }
}

static uint64_t parse_u64(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *end || s[0] == '-' || isspace((unsigned char)s[0]))
        fatal(opt, "'%s' is not a number", s);
    if (errno == ERANGE)
        fatal(opt, "'%s' is too large (at most %llu)", s, (unsigned long long)UINT64_MAX);
    return v;
}

/* A number checked against [lo, hi] before it is narrowed to an int. */
static int parse_int_range(const char *opt, const char *s, uint64_t lo, uint64_t hi, const char *what)
{
    uint64_t v = parse_u64(opt, s);
    if (v < lo || v > hi)
        fatal(opt, "'%s': %s", s, what);
    return (int)v;
}

uint64_t config_parse_u64(const char *opt, const char *s)
{
    return parse_u64(opt, s);
}


enum { OPT_KERNEL = 256, OPT_INITRD, OPT_RUN_DECOMPRESSOR, OPT_DISK_CONTROLLER, OPT_DISK, OPT_SCRIPT, OPT_MEM, OPT_NCPU, OPT_CLOCK,
       OPT_MAXINSTS, OPT_CMDLINE, OPT_CKPT_DIR,
       OPT_TAKE_CKPT, OPT_CKPT_END, OPT_INTERACTIVE, OPT_CONTROL, OPT_BATCH, OPT_SCRIPT_DIR, OPT_RNG_SEED,
       OPT_VERSION, OPT_MAX_TICKS, OPT_MAX_SECONDS, OPT_NO_SANDBOX, OPT_MAX_CKPTS, OPT_QUANTUM };

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --script-dir: every regular file of DIR, in name order, joins the script queue. */
static void add_script_dir(struct machine_config *cfg, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        fatal("--script-dir", "%s: %s", dir, strerror(errno));
    char *names[CONFIG_MAX_SCRIPTS];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == CONFIG_MAX_SCRIPTS || cfg->nscripts + n >= CONFIG_MAX_SCRIPTS)
            fatal("--script-dir", "%s: more than %d scripts", dir, CONFIG_MAX_SCRIPTS);
        names[n++] = strdup(path);
    }
    closedir(d);
    if (n == 0)
        fatal("--script-dir", "%s holds no files", dir);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    for (int i = 0; i < n; i++)
        cfg->scripts[cfg->nscripts++] = names[i];
}

void config_parse(struct machine_config *cfg, int argc, char **argv)
{
    static const struct option opts[] = {
        { "kernel", required_argument, 0, OPT_KERNEL },
        { "initrd", required_argument, 0, OPT_INITRD },
        { "run-decompressor", no_argument, 0, OPT_RUN_DECOMPRESSOR },
        { "disk-controller", required_argument, 0, OPT_DISK_CONTROLLER },
        { "disk-image", required_argument, 0, OPT_DISK },
        { "disk", required_argument, 0, OPT_DISK },
        { "script", required_argument, 0, OPT_SCRIPT },
        { "outdir", required_argument, 0, 'd' },
        { "mem-size", required_argument, 0, OPT_MEM },
        { "num-cpus", required_argument, 0, OPT_NCPU },
        { "quantum", required_argument, 0, OPT_QUANTUM },
        { "cpu-clock", required_argument, 0, OPT_CLOCK },
        { "maxinsts", required_argument, 0, OPT_MAXINSTS },
        { "max-ticks", required_argument, 0, OPT_MAX_TICKS },
        { "max-seconds", required_argument, 0, OPT_MAX_SECONDS },
        { "max-checkpoints", required_argument, 0, OPT_MAX_CKPTS },
        { "no-sandbox", no_argument, 0, OPT_NO_SANDBOX },
        { "cmdline", required_argument, 0, OPT_CMDLINE },
        { "quiet", no_argument, 0, 'q' },
        { "checkpoint-dir", required_argument, 0, OPT_CKPT_DIR },
        { "checkpoint-restore", required_argument, 0, 'r' },
        { "take-checkpoints", required_argument, 0, OPT_TAKE_CKPT },
        { "checkpoint-at-end", no_argument, 0, OPT_CKPT_END },
        { "interactive", no_argument, 0, OPT_INTERACTIVE },
        { "control", required_argument, 0, OPT_CONTROL },
        { "batch", no_argument, 0, OPT_BATCH },
        { "script-dir", required_argument, 0, OPT_SCRIPT_DIR },
        { "jobs", required_argument, 0, 'j' },
        { "rng-seed", required_argument, 0, OPT_RNG_SEED },
        { "help", no_argument, 0, 'h' },
        { "version", no_argument, 0, OPT_VERSION },
        { 0, 0, 0, 0 },
    };
    memset(cfg, 0, sizeof(*cfg));
    cfg->outdir = "m5out";
    cfg->mem_size = 512ull << 20;
    cfg->num_cpus = 1;
    cfg->quantum = CONFIG_DEFAULT_QUANTUM;
    cfg->cpu_clock_hz = 3000000000ull;
    config_hierarchy_defaults(cfg);
    cfg->max_checkpoints = CONFIG_DEFAULT_MAX_CHECKPOINTS;

    int c;
    opterr = 0;
    optind = 1;
    cfg->jobs = 1;
    cfg->disk_controller = DISK_CONTROLLER_DEFAULT;
    struct option all[sizeof opts / sizeof opts[0] + CONFIG_HIERARCHY_NOPTS];
    config_merge_options(all, opts, sizeof opts / sizeof opts[0]);
    while ((c = getopt_long(argc, argv, "d:qhr:j:F:", all, NULL)) != -1) {
        switch (c) {
        case OPT_KERNEL: cfg->kernel = optarg; break;
        case OPT_INITRD: cfg->initrd = optarg; break;
        case OPT_RUN_DECOMPRESSOR: cfg->run_decompressor = true; break;
        case OPT_DISK_CONTROLLER:
            if (!strcmp(optarg, "virtio-mmio") || !strcmp(optarg, "virtio"))
                cfg->disk_controller = DISK_VIRTIO_MMIO;
            else if (!strcmp(optarg, "piix") || !strcmp(optarg, "ide"))
                cfg->disk_controller = DISK_PIIX;
            else if (!strcmp(optarg, "virtio-pci"))
                cfg->disk_controller = DISK_VIRTIO_PCI;
            else
                fatal("--disk-controller", "'%s' is not a controller: piix, virtio-mmio or virtio-pci", optarg);
            break;
        case OPT_DISK:
            if (cfg->ndisks == CONFIG_MAX_DISKS)
                fatal("--disk-image", "at most %d disk images", CONFIG_MAX_DISKS);
            cfg->disks[cfg->ndisks++] = optarg;
            break;
        case OPT_SCRIPT:
            if (cfg->nscripts == CONFIG_MAX_SCRIPTS)
                fatal("--script", "at most %d scripts", CONFIG_MAX_SCRIPTS);
            cfg->scripts[cfg->nscripts++] = optarg;
            break;
        case 'd': cfg->outdir = optarg; break;
        case OPT_MEM:
            if (!config_parse_size(optarg, &cfg->mem_size) || cfg->mem_size < (64ull << 20))
                fatal("--mem-size", "'%s' is not a memory size of at least 64MB (e.g. 512MB, 2GB)", optarg);
            if (cfg->mem_size > (64ull << 30))
                fatal("--mem-size", "'%s' is more than the 64GB supported", optarg);
            cfg->mem_size &= ~0xfffull;
            cfg->mem_size_set = true;
            break;
        case OPT_NCPU:
            cfg->num_cpus = parse_int_range("--num-cpus", optarg, 1, CONFIG_MAX_CPUS, "m5sim simulates 1 to 16 CPUs");
            cfg->num_cpus_set = true;
            break;
        case OPT_QUANTUM:
            cfg->quantum = parse_u64("--quantum", optarg);
            if (cfg->quantum < 1 || cfg->quantum > 1000000)
                fatal("--quantum", "'%s' is not a number of cycles between 1 and 1000000", optarg);
            break;
        case OPT_CLOCK:
            if (!config_parse_freq(optarg, &cfg->cpu_clock_hz) || cfg->cpu_clock_hz < 1000000 ||
                cfg->cpu_clock_hz > 100000000000ull)
                fatal("--cpu-clock", "'%s' is not a clock frequency between 1MHz and 100GHz (e.g. 3GHz)", optarg);
            cfg->cpu_clock_set = true;
            break;
        case OPT_CKPT_DIR: cfg->checkpoint_dir = optarg; break;
        case 'r':
            if (parse_u64("-r", optarg) < 1)
                fatal("-r", "checkpoints are counted from 1 (the oldest)");
            cfg->restore = parse_int_range("-r", optarg, 1, CONFIG_MAX_RESTORE, "no checkpoint directory holds "
                                           "that many checkpoints (at most " CONFIG_MAX_RESTORE_TEXT ")");
            break;
        case OPT_TAKE_CKPT: {
            char *comma = strchr(optarg, ',');
            if (comma)
                *comma = 0;
            cfg->take_checkpoint_tick = parse_u64("--take-checkpoints", optarg);
            cfg->take_checkpoint_period = comma ? parse_u64("--take-checkpoints", comma + 1) : 0;
            cfg->take_checkpoints = true;
            break;
        }
        case OPT_CKPT_END: cfg->checkpoint_at_end = true; break;
        case OPT_INTERACTIVE: cfg->interactive = true; break;
        case OPT_CONTROL: cfg->control = optarg; cfg->interactive = true; break;
        case OPT_BATCH: cfg->batch = true; break;
        case OPT_SCRIPT_DIR: add_script_dir(cfg, optarg); break;
        case 'j':
            cfg->jobs = parse_int_range("-j", optarg, 1, 256, "choose 1 to 256 parallel restores");
            break;
        case OPT_MAXINSTS: cfg->maxinsts = parse_u64("--maxinsts", optarg); break;
        case OPT_MAX_TICKS: cfg->max_ticks = parse_u64("--max-ticks", optarg); break;
        case OPT_MAX_SECONDS: cfg->max_seconds = parse_u64("--max-seconds", optarg); break;
        case OPT_MAX_CKPTS: cfg->max_checkpoints = parse_u64("--max-checkpoints", optarg); break;
        case OPT_NO_SANDBOX: cfg->no_sandbox = true; break;
        case OPT_RNG_SEED: cfg->rng_seed = parse_u64("--rng-seed", optarg); break;
        case OPT_CMDLINE: cfg->cmdline = optarg; break;
        case 'q': cfg->quiet = true; break;
        case 'h': config_usage(stdout); exit(0);
        case OPT_VERSION: config_print_version(stdout); exit(0);
        default:
            if (config_hierarchy_option(cfg, c, optarg))
                break;
            fatal("usage", "unknown or incomplete option '%s' (see m5sim --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        fatal("usage", "unexpected argument '%s' (see m5sim --help)", argv[optind]);
    for (int i = 0; i < cfg->nscripts; i++) {
        struct stat st;
        if (stat(cfg->scripts[i], &st) == 0 && !S_ISREG(st.st_mode))
            fatal(cfg->scripts[i], "%s, not a script file (a directory of scripts is --script-dir)",
                  S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
    }
    if (cfg->take_checkpoints && cfg->take_checkpoint_period &&
        cfg->take_checkpoint_period < CONFIG_MIN_CHECKPOINT_PERIOD)
        fatal("--take-checkpoints", "a period of %llu ticks is shorter than the minimum of %llu (1 ms simulated)",
              (unsigned long long)cfg->take_checkpoint_period, (unsigned long long)CONFIG_MIN_CHECKPOINT_PERIOD);
    if (cfg->restore && !cfg->checkpoint_dir)
        fatal("-r", "restoring needs --checkpoint-dir (the directory holding cpt.<tick>/)");
    if (!cfg->kernel && !cfg->restore)
        fatal("usage", "--kernel is required unless restoring a checkpoint (see m5sim --help)");
    if (cfg->batch && !cfg->restore)
        fatal("--batch", "batch mode restores a checkpoint for each script: give --checkpoint-dir and -r");
    if (cfg->batch && cfg->interactive)
        fatal("--batch", "batch mode and --interactive do not mix");
    config_hierarchy_check(cfg);
}

void config_write_ini(const struct machine_config *cfg, FILE *f)
{
    fprintf(f, "[system]\nmem_size=%llu\nnum_cpus=%d\ncpu_type=%s\ncpu_clock=%llu\nkernel=%s\n",
            (unsigned long long)cfg->mem_size, cfg->num_cpus, config_cpu_name(cfg->cpu_type),
            (unsigned long long)cfg->cpu_clock_hz, cfg->kernel ? cfg->kernel : "(from checkpoint)");
    fprintf(f, "cmdline=%s\nmaxinsts=%llu\nrng_seed=%llu\n", cfg->cmdline ? cfg->cmdline : "(default)",
            (unsigned long long)cfg->maxinsts, (unsigned long long)cfg->rng_seed);
    fprintf(f, "checkpoint_dir=%s\nrestore=%d\nrestore_with_cpu=%s\n", cfg->checkpoint_dir ? cfg->checkpoint_dir : "",
            cfg->restore, config_cpu_name(cfg->restore_with_cpu));
    fprintf(f, "disk_controller=%s\ninitrd=%s\nrun_decompressor=%d\n",
            config_disk_controller_name(cfg->disk_controller), cfg->initrd ? cfg->initrd : "",
            cfg->run_decompressor);
    for (int i = 0; i < cfg->ndisks; i++)
        fprintf(f, "disk%d=%s\n", i, cfg->disks[i]);
    for (int i = 0; i < cfg->nscripts; i++)
        fprintf(f, "script%d=%s\n", i, cfg->scripts[i]);
    fprintf(f, "fast_forward=%llu\nwarmup_insts=%llu\n", (unsigned long long)cfg->fast_forward,
            (unsigned long long)cfg->warmup_insts);
    if (cfg->num_cpus > 1)
        fprintf(f, "quantum=%llu\n", (unsigned long long)cfg->quantum);
}

const char *config_disk_controller_name(enum disk_controller c)
{
    switch (c) {
    case DISK_PIIX: return "piix";
    case DISK_VIRTIO_MMIO: return "virtio-mmio";
    case DISK_VIRTIO_PCI: return "virtio-pci";
    default: return "default";
    }
}
