/*
 * m5dev.h - the m5 pseudo-device: gem5's m5 ops, reached by a load from
 * 0xFFFF0000 + (func << 8) (address mode) or by the 0F 04 instruction.
 *
 * Arguments come from the calling CPU's registers (rdi, rsi, rdx, rcx, r8,
 * r9); the result is returned in rax. Guest buffers are guest *virtual*
 * addresses, translated through the caller's page tables; an unmapped buffer
 * is a contained guest error (a short count), never a host fault.
 */
#ifndef M5SIM_DEV_M5DEV_H
#define M5SIM_DEV_M5DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/m5_writefile.h"
#include "sim/eventq.h"

struct bus;
struct cpu;

struct m5dev_hooks {
    void *opaque;
    /* End the simulation with this exit status; `why` for the summary ("m5 exit", "m5 fail 3"). */
    void (*exit)(void *opaque, int status, const char *why);
    /* Statistics: dump and/or reset. */
    void (*stats)(void *opaque, bool dump, bool reset);
    /*
     * Take a checkpoint now (NULL: checkpoints unsupported in this run);
     * 0, or -errno when it could not be written (then a series stops).
     */
    int (*checkpoint)(void *opaque);
    /* The guest asks for a new script (a read_file at offset 0), before the queue is consulted. */
    void (*script_request)(void *opaque);
    /*
     * The guest wants a script and the queue is empty. Return true to make
     * the guest wait: the op is abandoned before its instruction retires
     * (cpu_abort_instruction), the machine asks its user between
     * instructions, and the guest's load runs again afterwards. Return false
     * (or leave NULL) for an empty script, which ends the rcS loop.
     */
    bool (*wait_for_script)(void *opaque);
    /* m5 switchcpu: switch to the detailed CPU model at the next instruction boundary (NULL: ignored). */
    void (*switch_cpu)(void *opaque);
};

struct m5dev {
    /* State (serializable). */
    char *script;                 /* current script contents (malloc'd), NULL = none */
    size_t script_len;
    uint64_t scripts_started;     /* how many read_file(offset 0) calls began a script */
    uint64_t work_begin, work_end;
    uint8_t reported[256];        /* unsupported ops reported once */

    /* Wiring. */
    char **queue;                 /* script paths (--script, then interactive answers), in order */
    int queue_len, queue_pos, queue_cap;
    const char *outdir;
    struct m5wf_guard guard;      /* files writefile must not touch (m5_writefile.h) */
    struct eventq *eq;
    struct m5dev_hooks hooks;
    struct event exit_event;
    int pending_status;
    char pending_why[64];
    struct event stats_event;
    bool stats_dump, stats_reset;
    uint64_t stats_period;
    struct event ckpt_event;
    uint64_t ckpt_period;
    /*
     * `m5 checkpoint` without a delay reports whether the checkpoint was
     * written: the op abandons its load (cpu_abort_instruction) with
     * ckpt_requested set, the machine takes the checkpoint at that
     * instruction boundary (m5dev_take_requested_checkpoint), and the load
     * runs again and returns ckpt_result. A restore of such a checkpoint
     * resumes on that load: the first m5 op after a restore, a checkpoint op
     * at resume_rip, returns success without another checkpoint.
     */
    bool ckpt_requested, ckpt_result_ready;
    uint64_t ckpt_result;
    bool resume_armed;
    uint64_t resume_rip;
    uint64_t stats_dumps_periodic; /* periodic dumps so far (capped: M5DEV_MAX_PERIODIC_STATS) */
};

/* Limits on what one guest command can cost (docs/guest-safety.md). */
#define M5DEV_MIN_CHECKPOINT_PERIOD_TICKS 1000000000ull   /* 1 ms simulated */
#define M5DEV_MIN_STATS_PERIOD_TICKS      100000000ull    /* 100 us simulated */
#define M5DEV_MAX_PERIODIC_STATS          10000u          /* periodic dumps or resets per run */
/* The largest `m5 fail N` status; larger N exit with this status (never 0). */
#define M5DEV_FAIL_STATUS_MAX             255

/*
 * Between instructions, after the CPU stopped with CPU_EXIT_WAIT: if the
 * guest's `m5 checkpoint` asked for one, take it and keep the result for the
 * op's second run; true when it did (false: the wait was for something else).
 */
bool m5dev_take_requested_checkpoint(struct m5dev *d);
/* The machine was restored with the CPU at rip: arm the resume rule above. */
void m5dev_restored_at(struct m5dev *d, uint64_t rip);

void m5dev_init(struct m5dev *d, struct eventq *eq, const char *outdir,
                const char *const *scripts, int nscripts, const struct m5dev_hooks *hooks);
void m5dev_free(struct m5dev *d);
/* Append a script path to the queue (interactive mode); writefile may not touch it. */
void m5dev_queue_script(struct m5dev *d, const char *path);
/* Another input or output of the run that writefile must not touch (a file, or each file in a directory). */
void m5dev_protect(struct m5dev *d, const char *path);
/* Map the address-mode window at M5OP_ADDR_BASE. */
void m5dev_attach(struct m5dev *d, struct bus *bus);
/* Perform op `func` for `cpu` (arguments in its registers); returns the value for rax. */
uint64_t m5dev_op(struct m5dev *d, struct cpu *cpu, unsigned func);

#endif
