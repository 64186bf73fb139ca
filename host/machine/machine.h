/*
 * machine.h - the simulated PC: RAM, the physical bus, CPUs, simulated time,
 * devices, and the run loop that advances them together.
 */
#ifndef M5SIM_MACHINE_MACHINE_H
#define M5SIM_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/block.h"
#include "cpu/cpu.h"
#include "cpu/model.h"
#include "dev/m5dev.h"
#include "machine/boot.h"
#include "machine/config.h"
#include "machine/schedule.h"
#include "mem/bus.h"
#include "sim/eventq.h"
#include "stats/sim_stats.h"

struct apic_bus;

struct pc_devices;
struct memsys;
struct stats_group;
struct disk;
struct ckpt_image;
struct session;

/* Physical address map. */
#define MACHINE_LOW_RAM_MAX   0xc0000000ull   /* RAM below the 32-bit MMIO hole */
#define MACHINE_HIGH_RAM_BASE 0x100000000ull
#define MACHINE_VIRTIO_BASE   0xd0000000ull   /* virtio-mmio devices, 4 KiB apart */
#define MACHINE_VIRTIO_STRIDE 0x1000ull
#define MACHINE_VIRTIO_IRQ0   5               /* ISA IRQ of the first virtio device */

/* One CPU: its architectural state and interpreter, the models that drive it, its schedule. */
struct machine_cpu {
    struct cpu cpu;                 /* the architectural state and the interpreter every model drives */
    struct cpu_model *model;        /* the model running this CPU now: one of those below */
    struct cpu_model *atomic_model, *timing_model;   /* created when first needed */
    struct cpu_model *kvm_model;    /* the KVM model, once the probe said this host's KVM can run the guest */
    struct cpu_model *warming_model;   /* atomic timing, warming the caches (--warmup-insts) */
    struct cpu_model *o3_model;     /* the out-of-order model (--cpu-type o3), created when first needed */
    struct machine_cpu_run r;
    uint64_t start_icount;          /* the count when this run started or switched models (--maxinsts) */
    struct stats_group *stats;      /* system.cpu (one CPU) or system.cpuN */
    struct sim_cpu_stats sim;       /* its cycle and commit statistics, with several CPUs */
};

struct machine {
    struct machine_config cfg;
    struct bus bus;
    uint8_t *ram;
    uint64_t ram_size;
    struct eventq eq;
    /*
     * The CPUs, cpus[i] with APIC ID i (cpus[0] the bootstrap processor).
     * They run one at a time in turns of --quantum cycles (machine.c);
     * `running` is the one whose turn it is, NULL between turns.
     */
    struct machine_cpu *cpus[CONFIG_MAX_CPUS];
    unsigned ncpus;
    struct machine_cpu *running;
    uint64_t quantum;               /* cycles of a turn */
    struct sched sched;             /* their order (machine/schedule.h) */
    bool turn_wait;                 /* a turn this round ended with CPU_EXIT_WAIT (a checkpoint, a prompt) */
    uint64_t clock_seen;            /* the latest cycle count any CPU's TSC read (several CPUs: machine.c) */
    struct stats_group *stats_system;  /* "system": components register their statistics under it */
    struct memsys *memsys;          /* the timing model's caches and memory (NULL until then) */
    enum cpu_kind model_kind;       /* of every CPU's model */
    bool kvm_said;                  /* the line saying KVM is replaced by the atomic model was printed */
    bool kvm_refused;               /* KVM was asked for and this host's KVM cannot run the guest */
    /*
     * Switching to --cpu-type: at once after a restore on --restore-with-cpu,
     * after -F instructions (switch_icount), or when the guest asks (m5
     * switchcpu). Done between quanta, at an instruction boundary.
     */
    bool switch_pending;
    uint64_t switch_icount;         /* switch when the CPU's count reaches this (0: no such limit) */
    uint64_t warm_icount;           /* from this count until the switch, warm the caches (0: no warming) */
    uint64_t switch_tick;           /* when the last switch happened */
    uint64_t period;                /* ticks per CPU cycle */

    /* The turn of the running CPU: lets devices see the exact time mid-turn. */
    uint64_t quantum_tick, quantum_cycles;
    uint64_t cpu_tick;   /* where the last turn ended: its retired instructions' time */

    struct m5dev m5;
    struct pc_devices *pc;
    struct disk *disks[CONFIG_MAX_DISKS];
    struct e820_entry e820[16];
    unsigned n_e820;

    FILE *console;                  /* <outdir>/system.pc.com_1.device */
    FILE *stats_file;               /* <outdir>/stats.txt */
    FILE *stats_json;               /* <outdir>/stats.json: the same dumps, one JSON object a line */

    struct ckpt_image *restore_img;  /* the checkpoint this run restored, or NULL after a boot */
    struct event take_ckpt_event;
    unsigned checkpoints_taken;
    int checkpoint_errno;           /* the last checkpoint that could not be written: its errno (or -1); 0: none */
    int output_errno;               /* an output file that could not be written: its errno; 0: none */
    int outdir_fd, lock_fd;         /* the output directory, and <outdir>/.m5sim.lock held for the run */

    /* --interactive: the session this machine belongs to (machine/session.h), or NULL. */
    struct session *session;
    double host_prompt_seconds;     /* host time spent asking the user (not simulating) */

    bool done;
    int exit_status;
    char exit_why[160];

    /* Statistics: the registry (root statistics, "system", "system.cpu" or "system.cpuN") and what they count from. */
    struct stats_group *stats_root;
    struct sim_stats sim_stats;
    uint64_t work_items_started, work_items_completed;
    uint64_t decoder_blocks, decoder_insts, decoder_invalidations;
    struct { uint64_t work_begin, work_end; struct block_cache_stats decoder; } stats_at_reset;
    double host_start;
    double host_first_readfile;     /* host seconds from start to the guest's first script request, or 0 */
    uint64_t icount_first_readfile;
    uint64_t stats_dumps;
};

/* Build the machine from its configuration: RAM, devices, kernel, outdir. Exits 2 on bad input. */
void machine_init(struct machine *m, const struct machine_config *cfg);
/*
 * Check what machine_init checks before it creates any output (kernel, disks,
 * scripts, and the checkpoint to restore with everything it records), without
 * building anything. Exits 2 with one line on the first problem.
 */
void machine_check_inputs(const struct machine_config *cfg);
/* Run until the guest ends the simulation or a limit is reached; returns the exit status. */
int machine_run(struct machine *m);
void machine_free(struct machine *m);

/* Current simulated time in ticks (exact, also in the middle of a CPU quantum). */
uint64_t machine_now(const struct machine *m);
/* End the run with this status at the next instruction boundary. */
void machine_stop(struct machine *m, int status, const char *why);
void machine_dump_stats(struct machine *m);
/*
 * Write a checkpoint now (the CPU must be between instructions: call from an
 * event or between quanta). 0, or -errno when it was not written (then the
 * run's exit status says so, MACHINE_EXIT_OUTPUT_FAILED).
 */
int machine_checkpoint(struct machine *m);
/*
 * Exit statuses of m5sim's own making (docs/user-guide.md): an output or a
 * checkpoint could not be written (a run the guest ended with 0); the
 * wall-clock limit --max-seconds; a signal N gives 128+N.
 */
#define MACHINE_EXIT_OUTPUT_FAILED 4
/* The lock file in every output directory (also out of m5 writefile's reach). */
#define MACHINE_LOCK_NAME ".m5sim.lock"
#define MACHINE_EXIT_MAX_SECONDS   3
/* A stop was requested by SIGTERM, SIGINT or SIGHUP (machine/machine.c installs the handler). */
void machine_install_signal_handlers(void);
/* The signal that asked the run to stop, or 0. */
int machine_stop_signal(void);
void machine_reset_stats(struct machine *m);
/* CPU models (machine/cpus.c). Switch to `kind` from the next instruction on (between quanta only). */
void machine_switch_cpu(struct machine *m, enum cpu_kind kind);
/* The CPU models' own config.ini sections (the O3 parameters when --cpu-type o3). */
void machine_cpus_write_config(struct machine *m, FILE *ini);
void machine_cpus_start(struct machine *m);
uint64_t machine_cpus_step(struct machine *m);
void machine_cpus_free(struct machine *m);
/* Kick the running CPU's model (an event is due, a stop): it stops at its next instruction boundary. */
void machine_kick(struct machine *m, enum cpu_exit why);
/* All instructions retired by every CPU (simInsts). */
uint64_t machine_icount(const struct machine *m);
/* Instructions every CPU retired since this run started (or since the CPUs switched models). */
uint64_t machine_insts_this_run(const struct machine *m);
/*
 * NMI, INIT and start-up IPIs for CPU `cpu` (the APIC bus's signal,
 * dev/apic_bus.h): recorded, and applied before that CPU's next turn.
 */
void machine_cpu_signal(void *machine, unsigned cpu, unsigned mode, unsigned vector);
/* Apply a CPU's pending INIT and start-up (between turns). */
void machine_cpu_apply_signals(struct machine *m, struct machine_cpu *c);

/* Where this run writes its checkpoints (the outdir when restoring: a checkpoint directory is never modified). */
const char *machine_checkpoint_parent(const struct machine *m);
/* --interactive (machine/interactive.c). */
bool interactive_wants_script(struct machine *m);
void interactive_prompt(struct machine *m);

/* The PC devices (machine/pc.c): interrupt controllers, timers, RTC, UART, and their CPU hooks. */
void pc_devices_attach(struct machine *m);
void pc_devices_free(struct machine *m);
/*
 * Their checkpoint sections: a device added to the PC adds its
 * <dev>_save/<dev>_load (ckpt/section.h) to the PC_DEVICES list in pc.c.
 * Load returns false with r->error set.
 */
struct ckpt_writer;
struct ckpt_reader;
void pc_devices_save(struct machine *m, struct ckpt_writer *w);
bool pc_devices_load(struct machine *m, struct ckpt_reader *r);

/* Checkpoints (machine/checkpoint.c): write one of this machine, restore one into it. */
int machine_ckpt_write(struct machine *m, const char *parent, char *path, size_t pathlen);
void machine_ckpt_restore(struct machine *m, const struct ckpt_image *img);
/* After the CPU models start: warm the timing model's caches from the checkpoint, if both have them. */
void machine_ckpt_restore_memsys(struct machine *m);
/* At boot: the BIOS tables (MP table, ACPI) describing the devices, in the reserved area at 0xF0000. */
void pc_firmware_setup(struct machine *m);
/*
 * The controller a checkpoint's disks are on, from its [platform] section
 * (exit 2 if that section is malformed). Indexes before format version 3
 * have none: virtio-mmio, the only controller then.
 */
enum disk_controller pc_checkpoint_disk_controller(const struct ckpt_image *img);

#endif
