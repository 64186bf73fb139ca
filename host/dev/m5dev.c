/* m5dev.c - the m5 pseudo-device (see m5dev.h and shared/m5ops.h). */
#include "dev/m5dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "cpu/mmu.h"
#include "m5ops.h"
#include "mem/bus.h"
#include "util/log.h"

#define SCRIPT_MAX (64u << 20)

static void report_once(struct m5dev *d, unsigned func, const char *what)
{
    if (d->reported[func & 0xff])
        return;
    d->reported[func & 0xff] = 1;
    warn("m5", "%s (op 0x%02x) is not supported; ignored", what, func);
}

/* ------------------------------------------------------- guest memory -- */

/*
 * Copy between a host buffer and guest virtual memory, through the calling
 * CPU's page tables and with its privileges; returns the bytes copied before
 * the first page the guest could not access itself.
 */
static uint64_t copy_guest(struct cpu *cpu, uint64_t va, uint8_t *buf, uint64_t len, bool to_guest)
{
    uint64_t done = 0;
    while (done < len) {
        uint64_t pa;
        uint64_t chunk = 4096 - ((va + done) & 0xfff);
        if (chunk > len - done)
            chunk = len - done;
        if (mmu_probe(cpu, va + done, to_guest ? ACC_WRITE | ACC_SET_AD : ACC_READ, &pa) != 0)
            break;
        int rc = to_guest ? bus_write_phys(cpu->bus, pa, buf + done, chunk)
                          : bus_read_phys(cpu->bus, pa, buf + done, chunk);
        if (rc != 0)
            break;
        done += chunk;
    }
    return done;
}

static uint64_t copy_to_guest(struct cpu *cpu, uint64_t va, const uint8_t *src, uint64_t len)
{
    return copy_guest(cpu, va, (uint8_t *)src, len, true);
}

static uint64_t copy_from_guest(struct cpu *cpu, uint64_t va, uint8_t *dst, uint64_t len)
{
    return copy_guest(cpu, va, dst, len, false);
}

/* A NUL-terminated guest string of at most max-1 bytes; false if unmapped or too long. */
static bool string_from_guest(struct cpu *cpu, uint64_t va, char *buf, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        uint8_t c;
        if (copy_from_guest(cpu, va + i, &c, 1) != 1)
            return false;
        buf[i] = (char)c;
        if (!c)
            return true;
    }
    return false;
}

/* ------------------------------------------------------------ scripts -- */

static char *load_script(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        warn("--script", "%s: %s; the guest gets an empty script", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(SCRIPT_MAX);
    size_t n = buf ? fread(buf, 1, SCRIPT_MAX, f) : 0;
    fclose(f);
    if (n == SCRIPT_MAX)
        warn("--script", "%s: longer than %u bytes; truncated", path, SCRIPT_MAX);
    char *fit = buf ? realloc(buf, n ? n : 1) : NULL;
    *len = n;
    return fit ? fit : buf;
}

void m5dev_queue_script(struct m5dev *d, const char *path)
{
    if (d->queue_len == d->queue_cap) {
        d->queue_cap = d->queue_cap ? d->queue_cap * 2 : 16;
        d->queue = realloc(d->queue, (size_t)d->queue_cap * sizeof(*d->queue));
        if (!d->queue)
            fatal("m5", "out of memory");
    }
    d->queue[d->queue_len++] = strdup(path);
    m5wf_protect(&d->guard, path);
}

void m5dev_protect(struct m5dev *d, const char *path)
{
    m5wf_protect(&d->guard, path);
}

/* A read_file at offset 0 starts the next script: the queue first, then the user (interactive). */
static void begin_next_script(struct m5dev *d, struct cpu *cpu)
{
    if (d->queue_pos >= d->queue_len && d->hooks.wait_for_script && d->hooks.wait_for_script(d->hooks.opaque))
        cpu_abort_instruction(cpu);  /* nothing changed yet: the load runs again when the user answered */
    free(d->script);
    d->script = NULL;
    d->script_len = 0;
    d->scripts_started++;
    if (d->hooks.script_request)
        d->hooks.script_request(d->hooks.opaque);
    if (d->queue_pos < d->queue_len) {
        d->script = load_script(d->queue[d->queue_pos++], &d->script_len);
    }
}

static uint64_t op_read_file(struct m5dev *d, struct cpu *cpu, uint64_t buf, uint64_t len, uint64_t offset)
{
    if (offset == 0)
        begin_next_script(d, cpu);
    if (!d->script || offset >= d->script_len)
        return 0;
    uint64_t n = d->script_len - offset;
    if (n > len)
        n = len;
    return copy_to_guest(cpu, buf, (const uint8_t *)d->script + offset, n);
}

/* ---------------------------------------------------------- writefile -- */

static uint64_t op_write_file(struct m5dev *d, struct cpu *cpu, uint64_t buf, uint64_t len,
                              uint64_t offset, uint64_t name_va)
{
    char name[M5OP_NAME_MAX];
    if (!string_from_guest(cpu, name_va, name, sizeof name)) {
        warn("m5 writefile", "the guest's file name at 0x%llx is unmapped or too long; nothing written",
             (unsigned long long)name_va);
        return M5OP_WRITE_FILE_FAILED;
    }
    int dirfd = open(d->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        warn("m5 writefile", "%s: %s", d->outdir, strerror(errno));
        return M5OP_WRITE_FILE_FAILED;
    }
    struct m5wf_file f;
    int rc = m5wf_open(&d->guard, dirfd, name, offset, len, &f);
    close(dirfd);
    if (rc < 0) {
        warn("m5 writefile", "'%.200s' refused: %s (see docs/guest-safety.md)", name,
             rc == -EFBIG ? "the file would exceed the 4 GiB limit" : strerror(-rc));
        return M5OP_WRITE_FILE_FAILED;
    }
    uint64_t written = 0;
    bool failed = false;
    uint8_t chunk[65536];
    while (written < len) {
        uint64_t want = len - written < sizeof chunk ? len - written : sizeof chunk;
        uint64_t got = copy_from_guest(cpu, buf + written, chunk, want);
        if (got && pwrite(f.fd, chunk, got, (off_t)(offset + written)) != (ssize_t)got) {
            warn("m5 writefile", "'%s': %s", name, strerror(errno));
            failed = true;
            break;
        }
        written += got;
        if (got < want)
            break;  /* unmapped guest buffer: a short count tells the guest */
    }
    /* Nothing written at all: the op failed, and a file it created goes away. */
    failed = failed || (len > 0 && written == 0);
    m5wf_close(&f, failed && written == 0);
    return failed && written == 0 ? M5OP_WRITE_FILE_FAILED : written;
}

/* ------------------------------------------------------ delayed ops -- */

static uint64_t ns_to_ticks(uint64_t ns)
{
    return ns > UINT64_MAX / 1000 ? UINT64_MAX / 2 : ns * 1000;
}

static void exit_event_fn(void *arg)
{
    struct m5dev *d = arg;
    if (d->hooks.exit)
        d->hooks.exit(d->hooks.opaque, d->pending_status, d->pending_why);
}

/*
 * As in gem5, every exit op is its own event and the earliest ends the run:
 * a later op with a later time does not replace a pending one (a delayed
 * `m5 fail` is not overwritten by a later `m5 exit`); at the same tick the
 * first one scheduled wins.
 */
static void schedule_exit(struct m5dev *d, uint64_t delay_ns, int status, const char *why)
{
    uint64_t when = eventq_now(d->eq) + ns_to_ticks(delay_ns);
    if (event_scheduled(&d->exit_event) && d->exit_event.when <= when)
        return;
    d->pending_status = status;
    snprintf(d->pending_why, sizeof d->pending_why, "%s", why);
    eventq_schedule(d->eq, &d->exit_event, when);
}

/* The next periodic stats event, unless the run has had its share (docs/guest-safety.md). */
static void schedule_stats_period(struct m5dev *d)
{
    if (!d->stats_period)
        return;
    if (d->stats_dumps_periodic >= M5DEV_MAX_PERIODIC_STATS) {
        warn("m5 dumpstats", "%u periodic statistics dumps in this run: the period stops here",
             M5DEV_MAX_PERIODIC_STATS);
        d->stats_period = 0;
        return;
    }
    d->stats_dumps_periodic++;
    eventq_schedule(d->eq, &d->stats_event, eventq_now(d->eq) + d->stats_period);
}

static void stats_event_fn(void *arg)
{
    struct m5dev *d = arg;
    if (d->hooks.stats)
        d->hooks.stats(d->hooks.opaque, d->stats_dump, d->stats_reset);
    schedule_stats_period(d);
}

static void schedule_stats(struct m5dev *d, bool dump, bool reset, uint64_t delay_ns, uint64_t period_ns)
{
    d->stats_dump = dump;
    d->stats_reset = reset;
    d->stats_period = ns_to_ticks(period_ns);
    if (d->stats_period && d->stats_period < M5DEV_MIN_STATS_PERIOD_TICKS) {
        report_once(d, M5OP_DUMP_STATS, "a statistics period shorter than 100 us (raised to 100 us)");
        d->stats_period = M5DEV_MIN_STATS_PERIOD_TICKS;
    }
    if (!delay_ns) {
        eventq_deschedule(d->eq, &d->stats_event);
        if (d->hooks.stats)
            d->hooks.stats(d->hooks.opaque, dump, reset);
        schedule_stats_period(d);
        return;
    }
    eventq_schedule(d->eq, &d->stats_event, eventq_now(d->eq) + ns_to_ticks(delay_ns));
}

static void ckpt_event_fn(void *arg)
{
    struct m5dev *d = arg;
    if (d->hooks.checkpoint && d->hooks.checkpoint(d->hooks.opaque) != 0)
        d->ckpt_period = 0;   /* a failed checkpoint ends its series */
    if (d->ckpt_period)
        eventq_schedule(d->eq, &d->ckpt_event, eventq_now(d->eq) + d->ckpt_period);
}

static void start_checkpoint_period(struct m5dev *d)
{
    if (d->ckpt_period)
        eventq_schedule(d->eq, &d->ckpt_event, eventq_now(d->eq) + d->ckpt_period);
}

bool m5dev_take_requested_checkpoint(struct m5dev *d)
{
    if (!d->ckpt_requested)
        return false;
    d->ckpt_requested = false;
    int rc = d->hooks.checkpoint ? d->hooks.checkpoint(d->hooks.opaque) : -ENOSYS;
    d->ckpt_result = rc == 0 ? 0 : M5OP_CHECKPOINT_FAILED;
    d->ckpt_result_ready = true;
    return true;
}

void m5dev_restored_at(struct m5dev *d, uint64_t rip)
{
    d->resume_armed = true;
    d->resume_rip = rip;
}

static uint64_t op_checkpoint(struct m5dev *d, struct cpu *cpu, uint64_t delay_ns, uint64_t period_ns)
{
    if (!d->hooks.checkpoint) {
        report_once(d, M5OP_CHECKPOINT, "checkpoint (this run cannot take checkpoints)");
        return M5OP_CHECKPOINT_FAILED;
    }
    d->ckpt_period = ns_to_ticks(period_ns);
    if (d->ckpt_period && d->ckpt_period < M5DEV_MIN_CHECKPOINT_PERIOD_TICKS) {
        report_once(d, M5OP_CHECKPOINT, "a checkpoint period shorter than 1 ms (raised to 1 ms)");
        d->ckpt_period = M5DEV_MIN_CHECKPOINT_PERIOD_TICKS;
    }
    if (delay_ns) {
        /* Later: the op returns now (as in gem5); a failure shows in the run's exit status. */
        eventq_schedule(d->eq, &d->ckpt_event, eventq_now(d->eq) + ns_to_ticks(delay_ns));
        return 0;
    }
    if (d->ckpt_result_ready) {   /* the second run of the load: the checkpoint was taken */
        d->ckpt_result_ready = false;
        if (d->ckpt_result != 0)
            d->ckpt_period = 0;
        start_checkpoint_period(d);
        return d->ckpt_result;
    }
    if (d->resume_armed && cpu->s.rip == d->resume_rip) {   /* restored on this very load */
        d->resume_armed = false;
        start_checkpoint_period(d);
        return 0;
    }
    /*
     * Take it at the boundary before this load, with nothing changed yet;
     * the load runs again afterwards and returns the result.
     */
    d->ckpt_requested = true;
    cpu_abort_instruction(cpu);
}

/* ----------------------------------------------------------------- ops -- */

uint64_t m5dev_op(struct m5dev *d, struct cpu *cpu, unsigned func)
{
    const uint64_t *r = cpu->s.gpr;
    uint64_t a0 = r[RDI], a1 = r[RSI], a2 = r[RDX], a3 = r[RCX], a4 = r[R8], a5 = r[R9];
    char why[64];
    if (func != M5OP_CHECKPOINT)
        d->resume_armed = false;   /* only the op a checkpoint stopped on resumes */

    switch (func) {
    case M5OP_READ_FILE: return op_read_file(d, cpu, a0, a1, a2);
    case M5OP_WRITE_FILE: return op_write_file(d, cpu, a0, a1, a2, a3);
    case M5OP_EXIT:
        schedule_exit(d, a0, 0, "m5 exit");
        return 0;
    case M5OP_FAIL:
        /* Exit status N; above 255 (which a status cannot hold) 255, never 0 by truncation. */
        snprintf(why, sizeof why, "m5 fail %llu", (unsigned long long)a1);
        schedule_exit(d, a0, a1 > M5DEV_FAIL_STATUS_MAX ? M5DEV_FAIL_STATUS_MAX : (int)a1, why);
        return 0;
    case M5OP_PANIC:
        schedule_exit(d, 0, 1, "m5 panic");
        return 0;
    case M5OP_SUM: return a0 + a1 + a2 + a3 + a4 + a5;
    case M5OP_INIT_PARAM: return 0;  /* no --init-param values: gem5 returns 0 too */
    case M5OP_RESET_STATS: schedule_stats(d, false, true, a0, a1); return 0;
    case M5OP_DUMP_STATS: schedule_stats(d, true, false, a0, a1); return 0;
    case M5OP_DUMP_RESET_STATS: schedule_stats(d, true, true, a0, a1); return 0;
    case M5OP_CHECKPOINT: return op_checkpoint(d, cpu, a0, a1);
    case M5OP_RPNS: return eventq_now(d->eq) / 1000;
    case M5OP_WORK_BEGIN: d->work_begin++; return 0;
    case M5OP_WORK_END: d->work_end++; return 0;
    case M5OP_SWITCH_CPU:
        if (d->hooks.switch_cpu)
            d->hooks.switch_cpu(d->hooks.opaque);
        return 0;
    case M5OP_DEBUG_BREAK:
    case M5OP_ADD_SYMBOL:
    case M5OP_LOAD_SYMBOL:
    case M5OP_ARM:
    case M5OP_QUIESCE:
    case M5OP_QUIESCE_NS:
    case M5OP_QUIESCE_CYCLE:
    case M5OP_QUIESCE_TIME:
    case M5OP_WAKE_CPU:
    case M5OP_DIST_TOGGLE_SYNC:
    case M5OP_WORKLOAD:
        return 0;  /* accepted and meaningless for this machine */
    default:
        report_once(d, func, "unknown m5 op");
        return 0;
    }
}

static uint64_t m5dev_mmio_read(void *dev, uint64_t offset, unsigned size, struct cpu *initiator)
{
    (void)size;
    if (!initiator)
        return 0;
    return m5dev_op(dev, initiator, M5OP_ADDR_FUNC(offset));
}

static void m5dev_mmio_write(void *dev, uint64_t offset, unsigned size, uint64_t value, struct cpu *initiator)
{
    (void)dev, (void)offset, (void)size, (void)value, (void)initiator;  /* gem5's ops are loads */
}

void m5dev_init(struct m5dev *d, struct eventq *eq, const char *outdir,
                const char *const *scripts, int nscripts, const struct m5dev_hooks *hooks)
{
    memset(d, 0, sizeof(*d));
    d->eq = eq;
    d->outdir = outdir;
    m5wf_guard_init(&d->guard);
    for (int i = 0; i < nscripts; i++)
        m5dev_queue_script(d, scripts[i]);
    d->hooks = *hooks;
    event_init(&d->exit_event, "m5.exit", exit_event_fn, d);
    event_init(&d->stats_event, "m5.stats", stats_event_fn, d);
    event_init(&d->ckpt_event, "m5.checkpoint", ckpt_event_fn, d);
}

void m5dev_free(struct m5dev *d)
{
    free(d->script);
    d->script = NULL;
    for (int i = 0; i < d->queue_len; i++)
        free(d->queue[i]);
    free(d->queue);
    d->queue = NULL;
    m5wf_guard_free(&d->guard);
    d->queue_len = d->queue_pos = d->queue_cap = 0;
}

void m5dev_attach(struct m5dev *d, struct bus *bus)
{
    bus_add_mmio(bus, "m5op", M5OP_ADDR_BASE, M5OP_ADDR_SIZE, m5dev_mmio_read, m5dev_mmio_write, d);
}
