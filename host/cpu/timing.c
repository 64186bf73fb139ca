/*
 * timing.c - the timing CPU model (gem5's TimingSimpleCPU): in order,
 * blocking, one instruction at a time, each instruction as long as its
 * memory accesses take.
 *
 * The model attaches a memory port to the interpreter (cpu.h), so every
 * instruction fetch, data access and page-table read reaches it with its
 * physical address, and sends each to the memory hierarchy (mem/memsys.h)
 * as gem5's TimingSimpleCPU would:
 *  - fetch: x86 instructions are fetched 8 bytes at a time from the
 *    8-byte-aligned chunk holding the next byte (gem5's x86 decoder takes a
 *    uint64_t MachInst per fetch), one request per chunk the instruction
 *    touches, through the L1I;
 *  - data: one request per access, split in two where it crosses a cache
 *    line (gem5 splits such a request into two packets), through the L1D;
 *  - page-table walks: one 8-byte read per level, from below the L1s (the
 *    walker's port is on the L2's bus in gem5's x86 configurations);
 *  - MMIO and port I/O: a fixed device latency, not cached.
 * A blocking CPU waits for every response, and gem5 delays each until the
 * next CPU clock edge, so each request costs its latency rounded up to
 * whole cycles. An instruction costs the sum of its requests: the first
 * fetch's cycle is the one cpu_cycles() already counts for the retired
 * instruction, the rest are stall (cpu_stall).
 *
 * Architectural results are those of the atomic model: the port observes,
 * it never changes what an instruction does.
 */
#include "cpu/timing.h"

#include <stdlib.h>
#include <string.h>

#include "mem/memsys.h"
#include "stats/registry.h"
#include "util/log.h"

#define FETCH_CHUNK 8

struct timing_cpu {
    struct cpu_model model;
    bool fetch_missed;                    /* the running instruction's first fetch piece missed */
    bool data_missed;                     /* the running access's first page piece missed */
    struct cpu_mem_port port;
    struct memsys *ms;
    struct memsys_level *l1i, *l1d;       /* this CPU's L1s (their hits are answered inline); NULL without caches */
    unsigned line_size;
    uint64_t period;                      /* ticks per CPU cycle */
    uint64_t period_recip;                /* 2^64 / period, rounded up (ticks_to_cycles) */
    uint64_t device_latency;              /* ticks of an uncached device access */
    uint64_t (*now)(void *opaque);        /* the machine's exact tick */
    void *now_opaque;
    struct timing_cpu_stats stats;
    /* Warming: the quiet slots of the port (cpu.h, warm_line). */
    uint64_t quiet_fetch[CPU_QUIET_SLOTS], quiet_read[CPU_QUIET_SLOTS], quiet_write[CPU_QUIET_SLOTS];
};

/* Whole cycles, rounded up; the quotient by the period's reciprocal, checked (else divided). */
static uint64_t ticks_to_cycles(const struct timing_cpu *t, uint64_t ticks)
{
    const uint64_t p = t->period, n = ticks + p - 1;
    uint64_t q = (uint64_t)(((unsigned __int128)n * t->period_recip) >> 64);
    if (__builtin_expect(n - q * p >= p, 0))
        q = n / p;
    return q;
}

/*
 * One line touched by warming, and the quiet slots (cpu.h) it changes:
 * the line is now the last touched in its set of its L1 (and Modified
 * after a store); a load of another line of the set leaves the line a
 * store had left quiet no longer the set's last.
 *
 * Why skipping the quiet ones changes nothing: touching again the line
 * touched last in its set leaves LRU's order as it is (FIFO and Random do
 * not look at touches), and storing again to a Modified line changes no
 * bit. Only this CPU's fetches change its L1I and only its loads and
 * stores its L1D while it runs (its own requests' snoops pass over its own
 * L1s, and no level below invalidates an L1, memsys.c); other CPUs'
 * snoops and restores come between runs, and warm_run empties the slots
 * before each.
 */
static inline __attribute__((always_inline)) void warm_line(struct timing_cpu *t, unsigned id, bool fetch,
                                                            bool write, uint64_t at)
{
    if (!memsys_l1_warm_hit(fetch ? t->l1i : t->l1d, at, write))
        memsys_warm_slow(t->ms, id, fetch ? MEM_REQ_INST : MEM_REQ_DATA, write ? MEM_OP_WRITE : MEM_OP_READ, at);
    uint64_t line = at >> t->l1i->tags.line_shift;
    if (fetch) {
        t->quiet_fetch[line & t->port.quiet_fetch.mask] = line;
        return;
    }
    unsigned slot = (unsigned)(line & t->port.quiet_read.mask);
    t->quiet_read[slot] = line;
    if (write)
        t->quiet_write[slot] = line;
    else if (t->quiet_write[slot] != line)
        t->quiet_write[slot] = ~0ull;
}

static void quiet_none(struct timing_cpu *t)
{
    memset(t->quiet_fetch, 0xff, sizeof t->quiet_fetch);
    memset(t->quiet_read, 0xff, sizeof t->quiet_read);
    memset(t->quiet_write, 0xff, sizeof t->quiet_write);
}

/* The same requests as timing_access, for their effect on the caches only: one per line. */
static __attribute__((noinline)) void warm_lines(struct timing_cpu *t, unsigned id,
                                                 enum mem_access_kind kind, uint64_t pa, unsigned size)
{
    uint64_t end = pa + size, mask = ~(uint64_t)(t->line_size - 1);
    /* Fetches: one request per line: the chunks within a line change nothing more. */
    bool fetch = kind == MEM_ACCESS_FETCH || kind == MEM_ACCESS_FETCH_MORE;
    bool write = kind == MEM_ACCESS_WRITE || kind == MEM_ACCESS_WRITE_MORE;
    for (uint64_t at = pa & mask; at < end; at += t->line_size)
        warm_line(t, id, fetch, write, at);
}

/*
 * The warming model's port: each line an access touches, in order.
 * Devices are not cached; the walker's reads enter below the L1s, as timed.
 */
static void warm_access(void *opaque, struct cpu *cpu, enum mem_access_kind kind, uint64_t pa,
                        unsigned size, bool device)
{
    struct timing_cpu *t = opaque;
    if (device || !t->l1i)
        return;
    if (kind == MEM_ACCESS_WALK) {
        memsys_warm_slow(t->ms, (unsigned)cpu->id, MEM_REQ_WALK, MEM_OP_READ, pa);
        return;
    }
    warm_lines(t, (unsigned)cpu->id, kind, pa, size);
}

/* A load or store of RAM within one page (cpu.h, data): one line, or two. */
static void warm_data(void *opaque, struct cpu *cpu, uint64_t pa, unsigned size, bool write)
{
    struct timing_cpu *t = opaque;
    if (!t->l1i)
        return;
    uint64_t first = pa & ~(uint64_t)(t->line_size - 1), last = (pa + size - 1) & ~(uint64_t)(t->line_size - 1);
    warm_line(t, (unsigned)cpu->id, false, write, first);
    if (last != first)
        warm_line(t, (unsigned)cpu->id, false, write, last);
}

/*
 * A block's fetch at once (cpu.h, fetch_block): its lines in order, as its
 * instructions' fetches would touch them. The L1I sees the same lines in
 * the same order; below it, the block's fetch misses come before its data
 * misses rather than between them.
 */
static void warm_fetch_block(void *opaque, struct cpu *cpu, uint64_t pa, unsigned len)
{
    struct timing_cpu *t = opaque;
    if (!t->l1i)
        return;
    uint64_t first = pa & ~(uint64_t)(t->line_size - 1), last = (pa + len - 1) & ~(uint64_t)(t->line_size - 1);
    if (last - first > t->line_size) {
        warm_lines(t, (unsigned)cpu->id, MEM_ACCESS_FETCH, pa, len);
        return;
    }
    warm_line(t, (unsigned)cpu->id, true, false, first);   /* one or two lines: most blocks */
    if (last != first)
        warm_line(t, (unsigned)cpu->id, true, false, last);
}

/* One request of the timing CPU: an L1 hit answered inline, anything else by the whole hierarchy. */
static inline __attribute__((always_inline)) uint64_t
request(struct timing_cpu *t, struct memsys_level *l1, unsigned id, enum mem_req req, enum mem_op op,
        uint64_t pa, unsigned size, uint64_t now)
{
    uint64_t ticks;
    if (l1 && memsys_l1_hit(t->ms, l1, pa, op == MEM_OP_WRITE, now, &ticks))
        return ticks;
    return memsys_access_slow(t->ms, id, req, op, pa, size, now);
}

static void timing_access(void *opaque, struct cpu *cpu, enum mem_access_kind kind, uint64_t pa,
                          unsigned size, bool device)
{
    struct timing_cpu *t = opaque;
    unsigned id = (unsigned)cpu->id;
    uint64_t start = t->now(t->now_opaque), ticks = 0;

    if (device) {
        ticks = t->device_latency;
        t->stats.device_accesses++;
    } else if (kind == MEM_ACCESS_FETCH || kind == MEM_ACCESS_FETCH_MORE) {
        uint64_t end = pa + size;
        uint64_t first = pa & ~(uint64_t)(FETCH_CHUNK - 1), last = (end - 1) & ~(uint64_t)(FETCH_CHUNK - 1);
        unsigned chunks = (unsigned)((last - first) / FETCH_CHUNK) + 1;
        bool missed = false;
        if (t->l1i && !((first ^ last) >> t->l1i->tags.line_shift) &&
            memsys_l1_read_hits(t->ms, t->l1i, first, chunks, start, &ticks)) {
            t->stats.fetch_requests += chunks;   /* all of them hits in one line: the usual case */
        } else {
            for (uint64_t chunk = first; chunk < end; chunk += FETCH_CHUNK) {
                ticks += request(t, t->l1i, id, MEM_REQ_INST, MEM_OP_READ, chunk, FETCH_CHUNK, start + ticks);
                missed |= t->ms->l1_missed;
                t->stats.fetch_requests++;
            }
        }
        /* One access per instruction, a miss if any of its lines missed: Cachegrind's count. */
        if (kind == MEM_ACCESS_FETCH) {
            t->stats.inst_accesses++;
            t->fetch_missed = missed;
        } else {
            missed &= !t->fetch_missed;   /* the same instruction's first piece counted it already */
        }
        t->stats.inst_access_misses += missed;
    } else if (kind == MEM_ACCESS_WALK) {
        ticks = memsys_access_slow(t->ms, id, MEM_REQ_WALK, MEM_OP_READ, pa, size, start);
        t->stats.walk_requests++;
    } else {
        bool more = kind == MEM_ACCESS_READ_MORE || kind == MEM_ACCESS_WRITE_MORE;
        enum mem_op op = kind == MEM_ACCESS_WRITE || kind == MEM_ACCESS_WRITE_MORE ? MEM_OP_WRITE : MEM_OP_READ;
        uint64_t end = pa + size;
        bool missed = false;
        for (uint64_t at = pa; at < end;) {
            uint64_t line_end = (at | (t->line_size - 1)) + 1;
            unsigned piece = (unsigned)((line_end < end ? line_end : end) - at);
            ticks += request(t, t->l1d, id, MEM_REQ_DATA, op, at, piece, start + ticks);
            missed |= t->ms->l1_missed;
            at += piece;
            t->stats.data_requests++;
        }
        /* One access per load or store, a miss if any of its lines missed: Cachegrind's count. */
        if (!more) {
            t->stats.data_accesses++;
            t->data_missed = missed;
        } else {
            missed &= !t->data_missed;
        }
        t->stats.data_access_misses += missed;
    }
    uint64_t cycles = ticks_to_cycles(t, ticks);
    if (kind == MEM_ACCESS_FETCH && cycles)
        cycles--;   /* the instruction's own cycle, counted as it retires */
    cpu_stall(cpu, cycles);
}

static void timing_data(void *opaque, struct cpu *cpu, uint64_t pa, unsigned size, bool write)
{
    timing_access(opaque, cpu, write ? MEM_ACCESS_WRITE : MEM_ACCESS_READ, pa, size, false);
}

static void timing_activate(struct cpu_model *model)
{
    struct timing_cpu *t = (struct timing_cpu *)model;
    cpu_set_port(model->cpu, &t->port);
}

static void timing_deactivate(struct cpu_model *model)
{
    cpu_sync_state(model->cpu);
    cpu_set_port(model->cpu, NULL);
}

static enum cpu_exit timing_run(struct cpu_model *model, uint64_t budget)
{
    return cpu_run(model->cpu, budget);
}

/* Other CPUs' snoops, a restore of the caches, ... may have come since the last run. */
static enum cpu_exit warm_run(struct cpu_model *model, uint64_t budget)
{
    quiet_none((struct timing_cpu *)model);
    return cpu_run(model->cpu, budget);
}

static void timing_state_changed(struct cpu_model *model)
{
    cpu_state_changed(model->cpu);
}

static void timing_kick(struct cpu_model *model, enum cpu_exit why)
{
    cpu_request_exit(model->cpu, why);
}

static void timing_free(struct cpu_model *model)
{
    free(model);
}

static const struct cpu_model_ops timing_ops = {
    .name = "timing",
    .gem5_name = "TimingSimpleCPU",
    .activate = timing_activate,
    .deactivate = timing_deactivate,
    .run = timing_run,
    .state_changed = timing_state_changed,
    .kick = timing_kick,
    .free = timing_free,
};

/* The atomic model's time (one cycle per instruction) with the timing model's view of memory. */
static const struct cpu_model_ops warming_ops = {
    .name = "atomic",
    .gem5_name = "AtomicSimpleCPU",
    .activate = timing_activate,
    .deactivate = timing_deactivate,
    .run = warm_run,
    .state_changed = timing_state_changed,
    .kick = timing_kick,
    .free = timing_free,
};

static struct cpu_model *timing_new(struct cpu *cpu, const struct timing_cpu_config *cfg, bool warming)
{
    struct timing_cpu *t = calloc(1, sizeof *t);
    if (!t)
        fatal("memory", "out of memory");
    t->model.ops = warming ? &warming_ops : &timing_ops;
    t->model.cpu = cpu;
    t->port = warming ? (struct cpu_mem_port){ .opaque = t, .access = warm_access, .data = warm_data,
                                               .fetch_block = warm_fetch_block }
                      : (struct cpu_mem_port){ .opaque = t, .access = timing_access, .data = timing_data };
    t->ms = cfg->memsys;
    t->l1i = memsys_l1(t->ms, (unsigned)cpu->id, MEM_REQ_INST);
    t->l1d = memsys_l1(t->ms, (unsigned)cpu->id, MEM_REQ_DATA);
    if (warming && t->l1i) {
        /* One slot per set, or per CPU_QUIET_SLOTS-th set: the lines of one set always share a slot. */
        unsigned ni = t->l1i->tags.sets < CPU_QUIET_SLOTS ? t->l1i->tags.sets : CPU_QUIET_SLOTS;
        unsigned nd = t->l1d->tags.sets < CPU_QUIET_SLOTS ? t->l1d->tags.sets : CPU_QUIET_SLOTS;
        unsigned shift = t->l1i->tags.line_shift;
        t->port.quiet_fetch = (struct cpu_port_quiet){ t->quiet_fetch, ni - 1, shift };
        t->port.quiet_read = (struct cpu_port_quiet){ t->quiet_read, nd - 1, shift };
        t->port.quiet_write = (struct cpu_port_quiet){ t->quiet_write, nd - 1, shift };
        quiet_none(t);
    }
    t->line_size = cfg->line_size;
    t->period = cfg->period;
    t->period_recip = cfg->period ? UINT64_MAX / cfg->period + 1 : 0;
    t->device_latency = cfg->device_latency;
    t->now = cfg->now;
    t->now_opaque = cfg->now_opaque;
    return &t->model;
}

struct cpu_model *cpu_model_timing_new(struct cpu *cpu, const struct timing_cpu_config *cfg)
{
    return timing_new(cpu, cfg, false);
}

struct cpu_model *cpu_model_warming_new(struct cpu *cpu, const struct timing_cpu_config *cfg)
{
    return timing_new(cpu, cfg, true);
}

const struct timing_cpu_stats *timing_cpu_stats(const struct cpu_model *model)
{
    return model->ops == &timing_ops ? &((const struct timing_cpu *)model)->stats : NULL;
}

void timing_cpu_register_stats(struct cpu_model *model, struct stats_group *cpu)
{
    struct timing_cpu *t = (struct timing_cpu *)model;
    struct timing_cpu_stats *st = &t->stats;
    stats_add_scalar(cpu, "icacheRequests", &st->fetch_requests, "Count",
                     "Instruction fetch requests to the L1I (8-byte chunks, as gem5's x86 fetch)");
    stats_add_scalar(cpu, "dcacheRequests", &st->data_requests, "Count",
                     "Load and store requests to the L1D (a line-crossing access is two)");
    stats_add_scalar(cpu, "walkerRequests", &st->walk_requests, "Count", "Page-table entry reads of the page walker");
    stats_add_scalar(cpu, "deviceAccesses", &st->device_accesses, "Count", "MMIO and I/O port accesses");
    struct stats_group *cg = stats_group_new(cpu, "cachegrind");
    stats_add_scalar(cg, "instAccesses", &st->inst_accesses, "Count",
                     "Instruction accesses counted as Cachegrind does: one per instruction executed");
    stats_add_scalar(cg, "instMisses", &st->inst_access_misses, "Count",
                     "Instruction accesses that missed in the L1I (in any of their lines)");
    stats_add_scalar(cg, "dataAccesses", &st->data_accesses, "Count",
                     "Data accesses counted as Cachegrind does: one per load or store");
    stats_add_scalar(cg, "dataMisses", &st->data_access_misses, "Count",
                     "Data accesses that missed in the L1D (in any of their lines)");
    stats_add_scalar(cg, "repElements", &model->cpu->rep_elements, "Count",
                     "Elements run by REP string instructions (valgrind counts each as an instruction)");
    stats_add_scalar(cg, "repConditionStops", &model->cpu->rep_cond_stops, "Count",
                     "REPE/REPNE CMPS/SCAS stopped by their condition (valgrind counts no final test for them)");
}
