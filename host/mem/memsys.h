/*
 * memsys.h - the memory hierarchy a timing CPU sees: gem5 v24's classic
 * caches (private L1I/L1D per CPU, optional shared L2 and L3), the crossbars
 * between them, and main memory (DDR3_1600_8x8 behind a DRAM controller, or
 * SimpleMemory) behind the memory bus.
 *
 * The CPU is blocking (TimingSimpleCPU): it issues one packet, waits for its
 * response, and only then issues the next. So instead of gem5's events and
 * queues, memsys_access() follows the packet down and back up the
 * hierarchy, composing each component's latency with gem5's clock-edge
 * rules, and returns when the response reaches the CPU. Evictions and
 * writebacks change the state of the next level (and count there) but do
 * not delay the CPU. docs/memory-system.md has the composition, gem5's
 * parameters and what differs from gem5.
 *
 * With several CPUs the L1s are kept coherent as gem5's classic caches keep
 * them: a snooping protocol on the crossbar below the L1s (system.tol2bus, or
 * system.membus without an L2) with gem5's writable/dirty line states (MOESI,
 * cache.h), a snoop filter that knows exactly which L1s hold a line, dirty
 * lines supplied cache to cache, and writes to shared lines upgraded
 * (UpgradeReq) after invalidating the other copies. A CPU's requests snoop
 * the other CPUs' L1s only (docs/memory-system.md says what that leaves out).
 *
 * Counters are plain fields; memsys_stats.c registers them under gem5's
 * names. The tag stores are checkpoint state (memsys_save/memsys_load).
 */
#ifndef M5SIM_MEM_MEMSYS_H
#define M5SIM_MEM_MEMSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mem/cache.h"
#include "mem/dram.h"

struct stats_group;

/*
 * Who asks (gem5's requestors ::cpu.inst, ::cpu.data, ::cpu.mmu.walker).
 * gem5's x86 page-table walker has no L1 of its own (fs.py gives it no walk
 * cache): its port is on the bus below the L1s, so WALK requests enter at the
 * L2, or the memory bus when there is none.
 */
enum mem_req { MEM_REQ_INST, MEM_REQ_DATA, MEM_REQ_WALK };
enum mem_op { MEM_OP_READ, MEM_OP_WRITE };

#define MEMSYS_MAX_CPUS 64
#define MEMSYS_MAX_CHANNELS 16

struct memsys_cache_config {
    uint64_t size;
    unsigned assoc;
    unsigned tag_latency, data_latency, response_latency;   /* cycles of the CPU clock */
    unsigned mshrs, tgts_per_mshr;                           /* recorded; a blocking CPU uses one */
};

/* Filled by the machine from gem5-style flags; memsys_config_defaults() gives gem5 v24's values. */
struct memsys_config {
    unsigned num_cpus;
    uint64_t cpu_period_ticks;     /* --cpu-clock 2GHz: 500 */
    uint64_t sys_period_ticks;     /* --sys-clock 1GHz: 1000 (the memory bus) */
    bool caches, l2cache, l3cache;
    unsigned line_size;            /* --cacheline_size */
    struct memsys_cache_config l1i, l1d, l2, l3;
    const char *replacement;       /* "LRU" (gem5's LRURP), "FIFO", "Random" */
    const char *mem_type;          /* "DDR3_1600_8x8" or "SimpleMemory" */
    uint64_t mem_size;             /* bytes */
    unsigned mem_channels;         /* power of two; interleaved every max(line, 0) = line bytes */
};

void memsys_config_defaults(struct memsys_config *c);

/* gem5 packet commands that reach a cache, the per-command statistic groups. */
enum memsys_cmd {
    CMD_READ_REQ, CMD_WRITE_REQ, CMD_READ_CLEAN_REQ, CMD_READ_SHARED_REQ, CMD_READ_EX_REQ,
    CMD_WRITEBACK_DIRTY, CMD_WRITEBACK_CLEAN, CMD_UPGRADE_REQ, CMD_COUNT
};
extern const char *const memsys_cmd_names[CMD_COUNT];   /* "ReadReq", ... */

/*
 * Requestors, gem5's order: 0 = "writebacks", then per CPU its inst and
 * data ports ("cpu.inst", "cpu.data"; "cpu0.inst", ... with several CPUs).
 */
#define MEMSYS_REQ_WRITEBACKS 0
#define MEMSYS_REQS_PER_CPU 3
static inline unsigned memsys_requestor(unsigned cpu, enum mem_req r) { return 1 + MEMSYS_REQS_PER_CPU * cpu + r; }

/* One cache's statistics; arrays are [cmd * nreq + requestor]. */
struct memsys_cache_stats {
    uint64_t *hits, *misses, *miss_latency;   /* miss latency in ticks */
    uint64_t *writebacks;                     /* [requestor]; gem5 books them to "writebacks" */
    uint64_t replacements;
};

struct memsys_level {
    const char *name;              /* "system.cpu.icache", "system.l2", ... */
    const char *stats_name;        /* its group under "system": "cpu.icache", "l2" */
    struct memsys_cache_config cfg;
    struct cache tags;
    bool is_icache, is_l1;
    struct memsys_level *below;    /* NULL: the memory bus */
    struct memsys_cache_stats st;
    /* The L1 hit path inlined in memsys_access (set by memsys_new for the L1s). */
    size_t mru;                    /* tag[] index of the line last hit: checked before searching the set */
    uint64_t hit_ticks[2];         /* a read's, a write's hit work: max(tag, data) and tag cycles, in ticks */
    uint64_t *hit_count[2];        /* its ReadReq, WriteReq hits counter for this L1's requestor */
};

/*
 * The crossbar below the L1s with several CPUs (gem5's CoherentXBar and
 * SnoopFilter statistics, src/mem/coherent_xbar.cc, snoop_filter.cc).
 */
struct memsys_coherence_stats {
    uint64_t snoops;              /* snoop responses: a dirty L1 answered another's request */
    uint64_t snoop_traffic;       /* bytes those responses carried */
    uint64_t sf_requests, sf_hit_single_requests, sf_hit_multi_requests;
    uint64_t sf_snoops, sf_hit_single_snoops, sf_hit_multi_snoops;   /* from below: none modelled */
};

struct stats_dist;

struct memsys {
    struct memsys_config cfg;
    unsigned nreq;                 /* 1 + MEMSYS_REQS_PER_CPU * num_cpus */
    char **req_names;              /* nreq subnames for the statistics */
    struct memsys_level *icache, *dcache;   /* [num_cpus]; NULL without --caches */
    struct memsys_level *l2, *l3;
    bool dram;                     /* DDR3 (else SimpleMemory) */
    unsigned channels;
    struct dram_channel *chan;     /* [channels] */
    struct simple_memory *smem;    /* [channels] */
    uint64_t now;                  /* the latest access's tick (for bandwidth formulas) */
    uint64_t cpu_period_recip;     /* 2^64 / cpu_period_ticks, rounded up (memsys_cpu_edge) */
    bool l1_missed;                /* the latest memsys_access missed in its L1 */
    uint8_t served_by;             /* where it was served: 1 = L1, 2 = L2, 3 = L3, 4 = memory (the O3 CPI stack) */
    uint64_t stats_since;          /* tick of the last statistics reset */
    struct memsys_coherence_stats coh;   /* counted with more than one CPU */
    struct stats_dist *snoop_fanout;     /* L1s snooped per request; NULL when not registered */
    void (*dist_sample)(struct stats_dist *d, uint64_t value, uint64_t count);   /* the registry's, set with it */
    struct stats_group *stats_owner;   /* the groups we created, freed with us */
    void *stats_ctx;                   /* memsys_stats.c's formula contexts */
};

/* Returns NULL and prints "m5sim: memory system: <why>" for an impossible configuration. */
struct memsys *memsys_new(const struct memsys_config *cfg, struct stats_group *system);
void memsys_free(struct memsys *ms);

/*
 * One packet within one cache line, issued by a blocking CPU at tick `now`.
 * Returns the ticks until its response reaches the CPU. memsys_access
 * answers an L1 hit itself (most requests: the timing CPU's speed is this
 * path's) with exactly the state changes and statistics of the full
 * path, memsys_access_slow.
 */
uint64_t memsys_access_slow(struct memsys *ms, unsigned cpu, enum mem_req req, enum mem_op op,
                            uint64_t paddr, unsigned size, uint64_t now);

/*
 * The CPU clock edge at or after `t`: gem5's clockEdge, edge() in
 * memsys.c. The quotient comes from a multiplication by the period's
 * reciprocal (memsys_new sets it); where that is not exact (very large
 * ticks), the check sends it to the division.
 */
static inline uint64_t memsys_cpu_edge(const struct memsys *ms, uint64_t t)
{
    const uint64_t p = ms->cfg.cpu_period_ticks;
    uint64_t b = (uint64_t)(((unsigned __int128)t * ms->cpu_period_recip) >> 64) * p;
    if (__builtin_expect(t - b >= p, 0))   /* b > t wraps: also here */
        b = t / p * p;
    return t == b ? t : b + p;
}

/* Index in tag[] of `line` if `lv` holds it, trying the last line hit first; -1 if absent. */
static inline long memsys_l1_find(struct memsys_level *lv, uint64_t line)
{
    const struct cache *c = &lv->tags;
    if ((c->tag[lv->mru] & ~(CACHE_DIRTY | CACHE_SHARED)) == (line << 2 | CACHE_VALID))
        return (long)lv->mru;
    long i = cache_find(c, line);
    if (i >= 0)
        lv->mru = (size_t)i;
    return i;
}

/* The L1 that `req` (MEM_REQ_INST or MEM_REQ_DATA) of `cpu` enters; NULL without caches. */
static inline struct memsys_level *memsys_l1(struct memsys *ms, unsigned cpu, enum mem_req req)
{
    if (!ms->icache)
        return NULL;
    return req == MEM_REQ_INST ? &ms->icache[cpu] : &ms->dcache[cpu];
}

/*
 * A request that hits in its L1 `l1` (memsys_l1), answered in full: the
 * line's recency and dirty bit, the hit statistic, ms->now, served_by and
 * l1_missed as memsys_access_slow sets them, and its ticks in *ticks.
 * False when it is not a plain hit (a miss, or a write to a shared line),
 * with nothing changed but a hint: the caller then takes memsys_access_slow.
 */
static inline __attribute__((always_inline)) bool
memsys_l1_hit(struct memsys *ms, struct memsys_level *l1, uint64_t paddr, bool write, uint64_t now,
              uint64_t *ticks)
{
    struct cache *c = &l1->tags;
    long i = memsys_l1_find(l1, paddr >> c->line_shift);
    if (i < 0 || (write && (c->tag[i] & CACHE_SHARED)))
        return false;
    if (write)
        c->tag[i] |= CACHE_DIRTY;
    if (c->repl == CACHE_REPL_LRU)
        c->stamp[i] = ++c->clock;
    ms->now = now;
    ms->served_by = 1;
    ms->l1_missed = false;
    (*l1->hit_count[write])++;
    *ticks = memsys_cpu_edge(ms, now) - now + l1->hit_ticks[write];
    return true;
}

/*
 * n read requests to one line, each issued when the previous one's response
 * came back (a blocking CPU fetching an instruction's 8-byte chunks): the
 * same state changes and statistics as n calls of memsys_l1_hit, the ticks
 * of all of them in *ticks. False, with nothing changed but a hint, when the
 * line is not in `l1`. A hit's work is whole cycles, so after the first
 * response each request takes exactly that work.
 */
static inline __attribute__((always_inline)) bool
memsys_l1_read_hits(struct memsys *ms, struct memsys_level *l1, uint64_t paddr, unsigned n, uint64_t now,
                    uint64_t *ticks)
{
    struct cache *c = &l1->tags;
    long i = memsys_l1_find(l1, paddr >> c->line_shift);
    if (i < 0)
        return false;
    if (c->repl == CACHE_REPL_LRU) {
        c->clock += n;
        c->stamp[i] = c->clock;
    }
    const uint64_t hit = l1->hit_ticks[0], first = memsys_cpu_edge(ms, now) - now + hit;
    ms->now = n == 1 ? now : now + first + (uint64_t)(n - 2) * hit;
    ms->served_by = 1;
    ms->l1_missed = false;
    *l1->hit_count[0] += n;
    *ticks = first + (uint64_t)(n - 1) * hit;
    return true;
}

static inline __attribute__((always_inline)) uint64_t
memsys_access(struct memsys *ms, unsigned cpu, enum mem_req req, enum mem_op op, uint64_t paddr,
              unsigned size, uint64_t now)
{
    uint64_t ticks;
    if (ms->icache && req != MEM_REQ_WALK &&
        memsys_l1_hit(ms, memsys_l1(ms, cpu, req), paddr, op == MEM_OP_WRITE, now, &ticks))
        return ticks;
    return memsys_access_slow(ms, cpu, req, op, paddr, size, now);
}

/*
 * Functional warming: the same change of cache state (contents, recency,
 * dirty bits, writebacks into lower caches) with no timing, no DRAM state
 * and no statistics.
 */
void memsys_warm_slow(struct memsys *ms, unsigned cpu, enum mem_req req, enum mem_op op,
                      uint64_t paddr);

/* Warming's L1 hit (memsys_l1_hit without time and statistics); false: take memsys_warm_slow. */
static inline __attribute__((always_inline)) bool memsys_l1_warm_hit(struct memsys_level *l1,
                                                                     uint64_t paddr, bool write)
{
    struct cache *c = &l1->tags;
    long i = memsys_l1_find(l1, paddr >> c->line_shift);
    if (i < 0 || (write && (c->tag[i] & CACHE_SHARED)))   /* a miss, or an upgrade */
        return false;
    if (write)
        c->tag[i] |= CACHE_DIRTY;
    if (c->repl == CACHE_REPL_LRU)
        c->stamp[i] = ++c->clock;
    return true;
}

static inline void memsys_warm(struct memsys *ms, unsigned cpu, enum mem_req req, enum mem_op op,
                               uint64_t paddr)
{
    if (ms->icache &&
        (req == MEM_REQ_WALK || !memsys_l1_warm_hit(memsys_l1(ms, cpu, req), paddr, op == MEM_OP_WRITE)))
        memsys_warm_slow(ms, cpu, req, op, paddr);
}

/* Statistics were reset at `tick` (for the bandwidth formulas). */
void memsys_stats_reset_at(struct memsys *ms, uint64_t tick);

/* Warm caches in checkpoints: tags, valid/dirty bits, replacement state of every cache. */
void memsys_save(const struct memsys *ms, FILE *f);
/* False with why[] set ("system.l2: checkpoint has size=... this run has ...") when it does not fit. */
bool memsys_load(struct memsys *ms, FILE *f, char *why, size_t why_len);

/* The hierarchy as gem5 config.ini sections ([system.cpu.icache] size=..., ...). */
void memsys_write_config(const struct memsys *ms, FILE *f);

/* memsys_stats.c: register every counter under `system` (called by memsys_new). */
void memsys_stats_register(struct memsys *ms, struct stats_group *system);
void memsys_stats_unregister(struct memsys *ms);

#endif
