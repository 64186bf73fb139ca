/*
 * config.h - the machine's configuration, from the command line (gem5 fs.py
 * option names) and written to <outdir>/config.ini as the run's record.
 */
#ifndef M5SIM_MACHINE_CONFIG_H
#define M5SIM_MACHINE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#define CONFIG_MAX_DISKS   8
#define CONFIG_MAX_SCRIPTS 256
#define CONFIG_MAX_PARAMS  64
/* -r N: the largest N accepted (checked before narrowing to an int). */
#define CONFIG_MAX_RESTORE      1000000
#define CONFIG_MAX_RESTORE_TEXT "1000000"
/* Checkpoints one run may write unless --max-checkpoints says otherwise (docs/guest-safety.md). */
#define CONFIG_DEFAULT_MAX_CHECKPOINTS 16
/* The shortest period of a checkpoint series, in ticks: 1 ms simulated. */
#define CONFIG_MIN_CHECKPOINT_PERIOD 1000000000ull

enum cpu_kind { CPU_ATOMIC, CPU_TIMING, CPU_KVM, CPU_O3 };
/* Which controller the disks hang on (--disk-controller). */
enum disk_controller { DISK_VIRTIO_MMIO, DISK_PIIX, DISK_VIRTIO_PCI, DISK_CONTROLLER_DEFAULT };

#define CONFIG_MAX_CPUS 16
/* Cycles a CPU runs before the next CPU's turn (--quantum; docs/architecture.md, "The run loop"). */
#define CONFIG_DEFAULT_QUANTUM 1000ull

struct machine_config {
    const char *kernel;
    const char *disks[CONFIG_MAX_DISKS];
    int ndisks;
    const char *scripts[CONFIG_MAX_SCRIPTS];
    int nscripts;
    const char *cmdline;          /* NULL: the default command line */
    const char *initrd;           /* --initrd: loaded for the kernel's ramdisk (NULL: none) */
    bool run_decompressor;        /* --run-decompressor: a bzImage decompresses itself in the guest */
    enum disk_controller disk_controller;   /* DEFAULT: piix, or the checkpoint's when restoring */
    const char *outdir;
    uint64_t mem_size;
    int num_cpus;                 /* 1..CONFIG_MAX_CPUS; a restore takes the checkpoint's */
    uint64_t quantum;             /* --quantum: cycles each CPU runs before the next one's turn (N > 1) */
    uint64_t cpu_clock_hz;
    uint64_t maxinsts;            /* 0: unlimited */
    uint64_t max_ticks;           /* --max-ticks: stop at this simulated tick; 0: unlimited */
    uint64_t max_seconds;         /* --max-seconds: stop after this much host time; 0: unlimited */
    bool no_sandbox;              /* --no-sandbox: no seccomp allowlist */
    uint64_t rng_seed;            /* seed of the guest kernel's RNG (--rng-seed) */
    enum cpu_kind cpu_type;
    bool quiet;                   /* no console echo, no status line */
    bool mem_size_set, cpu_clock_set, num_cpus_set;

    /* Checkpoints. */
    const char *checkpoint_dir;   /* where checkpoints go, and where -r looks */
    int restore;                  /* -r N: restore the N-th checkpoint (1-based); 0: boot */
    enum cpu_kind restore_with_cpu;
    uint64_t take_checkpoint_tick, take_checkpoint_period;  /* --take-checkpoints T[,P] */
    bool take_checkpoints, checkpoint_at_end;
    uint64_t max_checkpoints;     /* at most this many per run; 0: no limit */

    /* Scripts beyond the queue. */
    bool interactive;             /* ask the user for the next script */
    const char *control;          /* FIFO or file to read commands from instead of the terminal */
    bool batch;                   /* one fresh restore per script */
    int jobs;                     /* -j N: batch runs at once */
    /* CPU models: -F/--fast-forward, --warmup-insts (gem5 names where gem5 has them). */
    uint64_t fast_forward;        /* instructions on the restoring model before switching to --cpu-type */
    uint64_t warmup_insts;        /* of those, the last N also warm the caches (functional warming) */
    bool cold_caches;             /* --cold-caches: ignore cache contents a checkpoint carries */

    /* The memory hierarchy of the timing model (gem5's Options.py names and defaults). */
    bool caches, l2cache, l3cache;
    uint64_t l1d_size, l1i_size, l2_size, l3_size;
    unsigned l1d_assoc, l1i_assoc, l2_assoc, l3_assoc;
    unsigned cacheline_size;
    const char *replacement_policy;  /* "LRU" (default), "Random", "FIFO", ... */
    const char *mem_type;            /* "DDR3_1600_8x8" (default) or "SimpleMemory" */
    unsigned mem_channels;
    /* --param NAME=VALUE: the O3 model's parameters by gem5's names (cpu/o3.h), checked when given. */
    const char *params[CONFIG_MAX_PARAMS];
    int nparams;
};

/* Parse the full-system command line (argv[0] is the program). Exits 2 with a clear message on error. */
void config_parse(struct machine_config *cfg, int argc, char **argv);
void config_usage(FILE *out);
/* `m5sim --version`: the release and the checkpoint format versions read and written. */
void config_print_version(FILE *out);
/* Parse "512MB", "1GiB", "4096" (bytes) and "3GHz", "2.5GHz", "1000MHz"; return false when malformed. */
bool config_parse_size(const char *s, uint64_t *out);
bool config_parse_freq(const char *s, uint64_t *out);
void config_write_ini(const struct machine_config *cfg, FILE *f);
const char *config_cpu_name(enum cpu_kind m);
const char *config_disk_controller_name(enum disk_controller c);
/* A non-negative number ("4096", "0x1000"), or exit 2 naming the option. */
uint64_t config_parse_u64(const char *opt, const char *s);

/* CPU-model and memory-hierarchy options shared by full-system and SE runs (config_cpu.c). */
#define CONFIG_HIERARCHY_NOPTS 21
extern const struct option config_hierarchy_options[CONFIG_HIERARCHY_NOPTS];
/* all[] = own[] (ending with its { 0 } entry, n_own entries with it) + the shared ones + { 0 }. */
void config_merge_options(struct option *all, const struct option *own, size_t n_own);
void config_hierarchy_defaults(struct machine_config *cfg);
/* Handle getopt_long's answer `opt` if it is a shared option; false if it is not one. */
bool config_hierarchy_option(struct machine_config *cfg, int opt, const char *arg);
/* Refuse combinations that make no sense (exit 2). */
void config_hierarchy_check(const struct machine_config *cfg);
void config_hierarchy_usage(FILE *out);
/* The timing model's memory hierarchy as the options chose it (gem5's defaults for the rest). */
struct memsys_config;
/* The O3 parameters: gem5's defaults with the run's --param assignments applied. */
struct o3_params;
void config_o3_params(const struct machine_config *cfg, struct o3_params *p);
void config_memsys(const struct machine_config *cfg, uint64_t cpu_period, uint64_t mem_size,
                   struct memsys_config *c);

#endif
