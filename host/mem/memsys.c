/*
 * memsys.c - gem5 v24's classic memory hierarchy for a blocking CPU (see
 * memsys.h and docs/memory-system.md).
 *
 * Latency composition follows gem5's code (src/mem/cache/base.cc,
 * cache.cc, coherent_xbar.cc, mem_ctrl.cc), with parallel tag and data
 * access (gem5's default sequential_access = False):
 *   hit:   response at edge(arrival) + ceil(headerDelay) + max(tag, data) cycles (tag only for writes)
 *   miss:  forwarded at edge(arrival) + tag cycles + headerDelay; the
 *          response from below arrives through the crossbar; the line is
 *          filled and the response leaves response_latency cycles later.
 *   crossbar request: headerDelay = offset to its next clock edge + (frontend + forward + snoop filter) cycles
 *   crossbar response: delivered at its next clock edge + response cycles
 *   memory controller: response at readyTime + frontend + backend + the request's headerDelay + payloadDelay
 *
 * Coherence with several CPUs (gem5's Cache::handleSnoop, CoherentXBar,
 * SnoopFilter): a request leaving an L1 is checked against the other CPUs'
 * L1s on the crossbar below (the snoop filter is exact, as gem5's is when
 * caches report clean evictions). Snooped L1s that hold the line add their
 * tag latency to the request's headerDelay (gem5's snoopDelay). A read
 * leaves copies shared (Modified -> Owned, Exclusive -> Shared); a ReadExReq
 * or UpgradeReq invalidates them. A dirty copy (Modified or Owned) answers
 * itself: it sends the line tag-latency cycles after the snoop arrives, the
 * crossbar forwards it after its snoop response latency, and the request
 * goes no further (gem5 sinks it; an Owned responder's express snoop to
 * the L2 counts nothing there). A write to a Shared or Owned line is a miss
 * of the write in the L1 and an UpgradeReq below: the L2 answers it after its
 * tag latency, or the memory bus (the point of coherency) answers it itself.
 */
#include "mem/memsys.h"

#include <stdlib.h>
#include <string.h>

#include "stats/cpu_name.h"
#include "util/log.h"

const char *const memsys_cmd_names[CMD_COUNT] = {
    "ReadReq", "WriteReq", "ReadCleanReq", "ReadSharedReq", "ReadExReq",
    "WritebackDirty", "WritebackClean", "UpgradeReq",
};

/* gem5's crossbars (src/mem/XBar.py): cycles of their own clock. */
struct xbar_timing { unsigned frontend, forward, snoop_lookup, response, width, snoop_response; };
static const struct xbar_timing L2XBAR = { 1, 0, 0, 1, 32, 1 };     /* tol2bus, CPU clock */
static const struct xbar_timing SYSTEMXBAR = { 3, 4, 1, 2, 16, 4 }; /* membus, system clock */

void memsys_config_defaults(struct memsys_config *c)
{
    /* configs/common/Options.py, Caches.py (gem5 v24). */
    memset(c, 0, sizeof *c);
    c->num_cpus = 1;
    c->cpu_period_ticks = 500;      /* 2GHz */
    c->sys_period_ticks = 1000;     /* 1GHz */
    c->line_size = 64;
    c->l1i = (struct memsys_cache_config){ 32 << 10, 2, 2, 2, 2, 4, 20 };
    c->l1d = (struct memsys_cache_config){ 64 << 10, 2, 2, 2, 2, 4, 20 };
    c->l2 = (struct memsys_cache_config){ 2 << 20, 8, 20, 20, 20, 20, 12 };
    /* gem5 v24's configs have --l3_size 16MB and --l3_assoc 16 but no L3 cache class;
     * the latencies are ours (docs/memory-system.md). */
    c->l3 = (struct memsys_cache_config){ 16 << 20, 16, 40, 40, 40, 20, 12 };
    c->replacement = "LRU";
    c->mem_type = "DDR3_1600_8x8";
    c->mem_size = 512ull << 20;
    c->mem_channels = 1;
}

static uint64_t edge(uint64_t t, uint64_t period)
{
    return (t + period - 1) / period * period;
}

static uint64_t cycles_ceil(uint64_t ticks, uint64_t period)
{
    return (ticks + period - 1) / period;
}

/* ---------------------------------------------------------------- memory -- */

static unsigned channel_of(const struct memsys *ms, uint64_t paddr, uint64_t *local)
{
    /* configs/common/MemConfig.py: channels interleave every max(--mem-channels-intlv, line) bytes. */
    unsigned lb = ms->cfg.line_size ? (unsigned)__builtin_ctz(ms->cfg.line_size) : 6;
    unsigned bits = (unsigned)__builtin_ctz(ms->channels);
    unsigned ch = (unsigned)((paddr >> lb) & (ms->channels - 1));
    *local = ((paddr >> (lb + bits)) << lb) | (paddr & ((1ull << lb) - 1));
    return ch;
}

/*
 * A read or write arriving at the memory bus at `t`; returns when its
 * response is back at the requester (the bus's response latency included).
 */
static uint64_t memory_access(struct memsys *ms, uint64_t paddr, unsigned size, bool write,
                              bool needs_response, uint64_t t, uint64_t snoop_delay)
{
    const uint64_t ps = ms->cfg.sys_period_ticks;
    uint64_t hd = edge(t, ps) - t + snoop_delay +
                  (uint64_t)(SYSTEMXBAR.frontend + SYSTEMXBAR.forward + SYSTEMXBAR.snoop_lookup) * ps;
    uint64_t payload = write ? cycles_ceil(size, SYSTEMXBAR.width) * ps : 0;
    uint64_t local;
    unsigned ch = channel_of(ms, paddr, &local);
    uint64_t leave;
    if (ms->dram) {
        struct dram_channel *d = &ms->chan[ch];
        if (write) {
            dram_write(d, local, size, t);
            leave = t + d->p.frontend_latency + hd + payload;
        } else {
            leave = dram_read(d, local, size, t) + d->p.frontend_latency + d->p.backend_latency + hd +
                    payload;
        }
    } else {
        leave = simple_memory_access(&ms->smem[ch], write, size, t, hd + payload);
    }
    if (!needs_response)
        return t;
    return edge(leave, ps) + SYSTEMXBAR.response * ps;
}

/* ---------------------------------------------------------------- caches -- */

static inline uint64_t *stat_at(const struct memsys *ms, uint64_t *arr, enum memsys_cmd cmd,
                                unsigned req)
{
    return &arr[cmd * ms->nreq + req];
}

static inline unsigned cpu_of_requestor(unsigned req) { return (req - 1) / MEMSYS_REQS_PER_CPU; }

/*
 * The requests below are written once, with `timed` saying whether they
 * keep time and statistics (a timed access) or only change state
 * (functional warming); each is compiled twice, for either value, so that
 * warming runs none of the timing code.
 */
static uint64_t cache_request_timed(struct memsys *ms, struct memsys_level *lv, unsigned req,
                                    enum memsys_cmd cmd, uint64_t paddr, uint64_t t, uint64_t hd);
static uint64_t cache_request_warm(struct memsys *ms, struct memsys_level *lv, unsigned req,
                                   enum memsys_cmd cmd, uint64_t paddr);

static inline __attribute__((always_inline)) uint64_t
cache_request(struct memsys *ms, struct memsys_level *lv, unsigned req, enum memsys_cmd cmd, uint64_t paddr,
              uint64_t t, uint64_t hd, bool timed)
{
    return timed ? cache_request_timed(ms, lv, req, cmd, paddr, t, hd) : cache_request_warm(ms, lv, req, cmd, paddr);
}

/* ------------------------------------------------------------- coherence -- */

/* What the other CPUs' L1s did when a request snooped them. */
struct snoop_result {
    unsigned fanout;                          /* L1s that held the line (the snoop filter's targets) */
    unsigned lookup;                          /* the largest tag latency among them, CPU cycles */
    const struct memsys_level *responder;     /* a dirty copy (Modified or Owned) that answers */
    bool sharers;                             /* copies stay: the requester's line is not writable */
};

/*
 * The snoop filter's count for a request from an L1 (or, when some L1 holds
 * the line, from a walker): hits with one or with several holders, the
 * requester included (gem5's SnoopFilter::lookupRequest). `extra` holders:
 * an evicting L1 that no longer has the line in its tags.
 */
static void snoop_filter_request(struct memsys *ms, uint64_t line, unsigned extra, bool from_cache)
{
    unsigned holders = extra;
    for (unsigned c = 0; c < ms->cfg.num_cpus; c++)
        holders += (cache_find(&ms->icache[c].tags, line) >= 0) + (cache_find(&ms->dcache[c].tags, line) >= 0);
    if (!holders && !from_cache)
        return;
    ms->coh.sf_requests++;
    if (holders == 1)
        ms->coh.sf_hit_single_requests++;
    else if (holders > 1)
        ms->coh.sf_hit_multi_requests++;
}

/* Snoop every L1 of the CPUs other than `cpu` for `line`, as gem5's handleSnoop changes them. */
static void snoop_others(struct memsys *ms, unsigned cpu, uint64_t line, bool invalidate,
                         struct snoop_result *r)
{
    memset(r, 0, sizeof *r);
    for (unsigned c = 0; c < ms->cfg.num_cpus; c++) {
        if (c == cpu)
            continue;
        struct memsys_level *l1[2] = { &ms->icache[c], &ms->dcache[c] };
        for (int k = 0; k < 2; k++) {
            long i = cache_find(&l1[k]->tags, line);
            if (i < 0)
                continue;
            uint64_t *tag = &l1[k]->tags.tag[i];
            r->fanout++;
            if (l1[k]->cfg.tag_latency > r->lookup)
                r->lookup = l1[k]->cfg.tag_latency;
            if (*tag & CACHE_DIRTY)
                r->responder = l1[k];
            if (invalidate) {
                *tag = 0;
            } else {
                *tag |= CACHE_SHARED;   /* Modified -> Owned, Exclusive -> Shared */
                r->sharers = true;
            }
        }
    }
}

/*
 * A request leaving CPU `cpu`'s L1 (from_cache) or page-table walker at `t`
 * onto the crossbar below the L1s: the other L1s are snooped, then a dirty
 * copy answers or the request goes on to the L2 (or memory). Returns the
 * tick its response is back at the requester (0 untimed); *sharers says
 * other L1s keep copies, so the requester's line is not writable.
 */
static inline __attribute__((always_inline)) uint64_t
l1bus_request_body(struct memsys *ms, unsigned cpu, unsigned req, enum memsys_cmd cmd, uint64_t paddr,
                   unsigned size, bool write, uint64_t t, bool from_cache, bool timed, bool *sharers)
{
    const uint64_t p = ms->cfg.cpu_period_ticks;
    const uint64_t pb = ms->l2 ? p : ms->cfg.sys_period_ticks;
    const struct xbar_timing *x = ms->l2 ? &L2XBAR : &SYSTEMXBAR;
    struct snoop_result sr = { 0 };
    if (ms->cfg.num_cpus > 1) {
        uint64_t line = paddr >> ms->dcache[0].tags.line_shift;
        bool invalidate = cmd == CMD_READ_EX_REQ || cmd == CMD_UPGRADE_REQ || cmd == CMD_WRITE_REQ;
        if (timed)
            snoop_filter_request(ms, line, 0, from_cache);
        snoop_others(ms, cpu, line, invalidate, &sr);
        if (timed && ms->snoop_fanout)
            ms->dist_sample(ms->snoop_fanout, sr.fanout, 1);
    }
    *sharers = sr.sharers;
    uint64_t snoop_delay = (uint64_t)sr.lookup * p;
    if (sr.responder) {
        /* Cache to cache: the owner's response, then the crossbar's snoop response latency. */
        if (!timed)
            return 0;
        ms->coh.snoops++;
        ms->served_by = 2;   /* another L1: as near as the L2, for the O3 CPI stack */
        if (cmd != CMD_UPGRADE_REQ)
            ms->coh.snoop_traffic += ms->cfg.line_size;
        uint64_t hd = edge(t, pb) - t + (uint64_t)(x->frontend + x->forward + x->snoop_lookup) * pb;
        uint64_t leave = edge(t, p) + (uint64_t)sr.responder->cfg.tag_latency * p + hd;
        return edge(leave, pb) + (uint64_t)x->snoop_response * pb;
    }
    if (!ms->l2) {
        if (!timed)
            return 0;
        if (cmd == CMD_UPGRADE_REQ) {
            /* The memory bus is the point of coherency: it answers an upgrade itself. */
            ms->served_by = 4;
            return edge(t, pb) + edge(t, pb) - t + snoop_delay +
                   (uint64_t)(x->frontend + x->forward + x->snoop_lookup) * pb;
        }
        ms->served_by = 4;
        return memory_access(ms, paddr, size, write, true, t, snoop_delay);
    }
    uint64_t hd = timed ? edge(t, p) - t + snoop_delay +
                              (uint64_t)(L2XBAR.frontend + L2XBAR.forward + L2XBAR.snoop_lookup) * p
                        : 0;
    uint64_t r = cache_request(ms, ms->l2, req, cmd, paddr, t, hd, timed);
    return timed ? edge(r, p) + L2XBAR.response * p : 0;
}

static __attribute__((noinline)) uint64_t l1bus_request_timed(struct memsys *ms, unsigned cpu, unsigned req,
                                                               enum memsys_cmd cmd, uint64_t paddr, unsigned size,
                                                               bool write, uint64_t t, bool from_cache,
                                                               bool *sharers)
{
    return l1bus_request_body(ms, cpu, req, cmd, paddr, size, write, t, from_cache, true, sharers);
}

static __attribute__((noinline)) uint64_t l1bus_request_warm(struct memsys *ms, unsigned cpu, unsigned req,
                                                              enum memsys_cmd cmd, uint64_t paddr, unsigned size,
                                                              bool write, bool from_cache, bool *sharers)
{
    return l1bus_request_body(ms, cpu, req, cmd, paddr, size, write, 0, from_cache, false, sharers);
}

static inline __attribute__((always_inline)) uint64_t
l1bus_request(struct memsys *ms, unsigned cpu, unsigned req, enum memsys_cmd cmd, uint64_t paddr, unsigned size,
              bool write, uint64_t t, bool from_cache, bool timed, bool *sharers)
{
    return timed ? l1bus_request_timed(ms, cpu, req, cmd, paddr, size, write, t, from_cache, sharers)
                 : l1bus_request_warm(ms, cpu, req, cmd, paddr, size, write, from_cache, sharers);
}

static void handle_victim(struct memsys *ms, struct memsys_level *lv, const struct cache_result *r,
                          uint64_t t, bool timed);

/*
 * A line arriving from above into `lv` (a writeback): gem5 allocates it
 * when absent and counts a hit for requestor "writebacks".
 */
static void writeback_into(struct memsys *ms, struct memsys_level *lv, uint64_t line, bool dirty,
                           uint64_t t, bool timed)
{
    struct cache_result r = cache_fill(&lv->tags, line, dirty);
    if (timed)
        (*stat_at(ms, lv->st.hits, dirty ? CMD_WRITEBACK_DIRTY : CMD_WRITEBACK_CLEAN,
                  MEMSYS_REQ_WRITEBACKS))++;
    handle_victim(ms, lv, &r, t, timed);
}

/*
 * A victim leaves `lv`: dirty lines are written back (WritebackDirty);
 * the L1I writes back clean lines too (gem5's L1_ICache has
 * writeback_clean); other clean lines leave as a CleanEvict, which changes
 * nothing below (a mostly-inclusive cache does not allocate on it) but
 * tells the snoop filter.
 */
static void handle_victim(struct memsys *ms, struct memsys_level *lv, const struct cache_result *r,
                          uint64_t t, bool timed)
{
    if (!r->evicted)
        return;
    if (timed) {
        lv->st.replacements++;
        if (lv->is_l1 && ms->cfg.num_cpus > 1)
            snoop_filter_request(ms, r->evicted_line, 1, true);
    }
    bool dirty = r->evicted_dirty;
    if (!dirty && !lv->is_icache)
        return;
    if (timed)
        lv->st.writebacks[MEMSYS_REQ_WRITEBACKS]++;
    if (lv->below)
        writeback_into(ms, lv->below, r->evicted_line, dirty, t, timed);
    else if (dirty && timed)
        memory_access(ms, r->evicted_line << lv->tags.line_shift, ms->cfg.line_size, true, false, t, 0);
}

/*
 * A request packet arriving at cache `lv` at tick `t` with the crossbar's
 * headerDelay `hd`. Returns the tick this cache sends the response up.
 */
static inline __attribute__((always_inline)) uint64_t
cache_request_body(struct memsys *ms, struct memsys_level *lv, unsigned req, enum memsys_cmd cmd, uint64_t paddr,
                   uint64_t t, uint64_t hd, bool timed)
{
    const uint64_t p = ms->cfg.cpu_period_ticks;
    struct cache *c = &lv->tags;
    uint64_t line = paddr >> c->line_shift;
    bool writes = cmd == CMD_WRITE_REQ;
    long i = cache_find(c, line);
    /* A write to a line other L1s may share is a miss that upgrades it (gem5: not writable). */
    bool upgrade = i >= 0 && writes && (c->tag[i] & CACHE_SHARED);
    if (i >= 0 && !upgrade) {
        if (writes)
            c->tag[i] |= CACHE_DIRTY;
        if (c->repl == CACHE_REPL_LRU)
            c->stamp[i] = ++c->clock;
        if (!timed)
            return 0;
        if (lv->is_l1)
            ms->l1_missed = false;
        ms->served_by = lv->is_l1 ? 1 : lv == ms->l2 ? 2 : 3;
        (*stat_at(ms, lv->st.hits, cmd, req))++;
        unsigned work = writes || cmd == CMD_UPGRADE_REQ
                            ? lv->cfg.tag_latency
                            : (lv->cfg.tag_latency > lv->cfg.data_latency ? lv->cfg.tag_latency
                                                                          : lv->cfg.data_latency);
        return edge(t, p) + (cycles_ceil(hd, p) + work) * p;
    }

    /* Miss: forward the line request below, then fill. */
    enum memsys_cmd below_cmd = upgrade ? CMD_UPGRADE_REQ
                                : lv->is_l1 ? (lv->is_icache ? CMD_READ_CLEAN_REQ
                                               : writes ? CMD_READ_EX_REQ : CMD_READ_SHARED_REQ)
                                : cmd == CMD_UPGRADE_REQ ? CMD_READ_EX_REQ : cmd;
    uint64_t fwd = 0, back = 0, done = 0;
    if (timed) {
        if (lv->is_l1)
            ms->l1_missed = true;
        (*stat_at(ms, lv->st.misses, cmd, req))++;
        fwd = edge(t, p) + lv->cfg.tag_latency * p + hd;
    }
    uint64_t line_addr = line << c->line_shift;
    bool sharers = false;
    if (lv->is_l1) {
        back = l1bus_request(ms, cpu_of_requestor(req), req, below_cmd, line_addr, ms->cfg.line_size,
                             false, fwd, true, timed, &sharers);
    } else if (lv->below) {
        uint64_t hd2 = timed ? edge(fwd, p) - fwd +
                                   (uint64_t)(L2XBAR.frontend + L2XBAR.forward + L2XBAR.snoop_lookup) * p
                             : 0;
        uint64_t r = cache_request(ms, lv->below, req, below_cmd, line_addr, fwd, hd2, timed);
        if (timed)
            back = edge(r, p) + L2XBAR.response * p;
    } else if (timed) {
        ms->served_by = 4;
        back = memory_access(ms, line_addr, ms->cfg.line_size, false, true, fwd, 0);
    }
    if (timed) {
        done = edge(back, p) + lv->cfg.response_latency * p;
        (*stat_at(ms, lv->st.miss_latency, cmd, req)) += done - t;
    }
    if (upgrade) {
        /* The only copy now, and written (Modified). */
        c->tag[i] = (c->tag[i] & ~CACHE_SHARED) | CACHE_DIRTY;
        if (c->repl == CACHE_REPL_LRU)
            c->stamp[i] = ++c->clock;
        return done;
    }
    /* Still absent: nothing below fills this cache, and snoops pass over the requester's L1s. */
    size_t at;
    struct cache_result r = cache_insert(c, line, writes, &at);
    if (sharers)
        c->tag[at] |= CACHE_SHARED;
    handle_victim(ms, lv, &r, done, timed);
    return done;
}

static __attribute__((noinline)) uint64_t cache_request_timed(struct memsys *ms, struct memsys_level *lv,
                                                               unsigned req, enum memsys_cmd cmd, uint64_t paddr,
                                                               uint64_t t, uint64_t hd)
{
    return cache_request_body(ms, lv, req, cmd, paddr, t, hd, true);
}

static __attribute__((noinline)) uint64_t cache_request_warm(struct memsys *ms, struct memsys_level *lv,
                                                              unsigned req, enum memsys_cmd cmd, uint64_t paddr)
{
    return cache_request_body(ms, lv, req, cmd, paddr, 0, 0, false);
}

uint64_t memsys_access_slow(struct memsys *ms, unsigned cpu, enum mem_req req, enum mem_op op,
                            uint64_t paddr, unsigned size, uint64_t now)
{
    ms->now = now;
    ms->served_by = 1;
    bool write = op == MEM_OP_WRITE;
    if (!ms->icache) {
        /* No caches: the CPU's port is on the memory bus; writes get a response too. */
        ms->served_by = 4;
        uint64_t back = memory_access(ms, paddr, size, write, true, now, 0);
        return back - now;
    }
    if (req == MEM_REQ_WALK) {
        /* Below the L1s: through the L2's crossbar to the L2, or onto the memory bus. */
        bool sharers;
        return l1bus_request(ms, cpu, memsys_requestor(cpu, req), write ? CMD_WRITE_REQ : CMD_READ_REQ,
                             paddr, size, write, now, false, true, &sharers) - now;
    }
    struct memsys_level *l1 = req == MEM_REQ_INST ? &ms->icache[cpu] : &ms->dcache[cpu];
    uint64_t done = cache_request(ms, l1, memsys_requestor(cpu, req),
                                  write ? CMD_WRITE_REQ : CMD_READ_REQ, paddr, now, 0, true);
    return done - now;
}

void memsys_warm_slow(struct memsys *ms, unsigned cpu, enum mem_req req, enum mem_op op,
                      uint64_t paddr)
{
    if (!ms->icache)
        return;
    enum memsys_cmd cmd = op == MEM_OP_WRITE ? CMD_WRITE_REQ : CMD_READ_REQ;
    if (req == MEM_REQ_WALK) {
        bool sharers;
        l1bus_request(ms, cpu, memsys_requestor(cpu, req), cmd, paddr, 8, op == MEM_OP_WRITE, 0, false,
                      false, &sharers);
        return;
    }
    struct memsys_level *l1 = req == MEM_REQ_INST ? &ms->icache[cpu] : &ms->dcache[cpu];
    cache_request(ms, l1, memsys_requestor(cpu, req), cmd, paddr, 0, 0, false);
}

void memsys_stats_reset_at(struct memsys *ms, uint64_t tick)
{
    ms->stats_since = tick;
}

/* ------------------------------------------------------------ lifecycle -- */

static bool level_init(struct memsys *ms, struct memsys_level *lv, const char *name,
                       const char *stats_name, const struct memsys_cache_config *cfg,
                       enum cache_repl repl, struct memsys_level *below)
{
    const char *why;
    memset(lv, 0, sizeof *lv);
    lv->name = strdup(name);
    lv->stats_name = strdup(stats_name);
    lv->cfg = *cfg;
    lv->below = below;
    if (!cache_init(&lv->tags, cfg->size, cfg->assoc, ms->cfg.line_size, repl, &why)) {
        warn("memory system", "%s: %s (size %llu, assoc %u, line %u)", name, why,
             (unsigned long long)cfg->size, cfg->assoc, ms->cfg.line_size);
        return false;
    }
    size_t n = (size_t)CMD_COUNT * ms->nreq;
    lv->st.hits = calloc(n, sizeof(uint64_t));
    lv->st.misses = calloc(n, sizeof(uint64_t));
    lv->st.miss_latency = calloc(n, sizeof(uint64_t));
    lv->st.writebacks = calloc(ms->nreq, sizeof(uint64_t));
    return lv->st.hits && lv->st.misses && lv->st.miss_latency && lv->st.writebacks;
}

/* What memsys_access's inlined hit path needs of an L1 (its hit branch of cache_request, precomputed). */
static void l1_fast_path_init(struct memsys *ms, struct memsys_level *lv, unsigned req)
{
    const uint64_t p = ms->cfg.cpu_period_ticks;
    unsigned tag = lv->cfg.tag_latency, data = lv->cfg.data_latency;
    lv->hit_ticks[0] = (uint64_t)(tag > data ? tag : data) * p;
    lv->hit_ticks[1] = (uint64_t)tag * p;
    lv->hit_count[0] = stat_at(ms, lv->st.hits, CMD_READ_REQ, req);
    lv->hit_count[1] = stat_at(ms, lv->st.hits, CMD_WRITE_REQ, req);
}

static void level_destroy(struct memsys_level *lv)
{
    if (!lv->name)
        return;
    cache_destroy(&lv->tags);
    free((void *)lv->name);
    free((void *)lv->stats_name);
    free(lv->st.hits);
    free(lv->st.misses);
    free(lv->st.miss_latency);
    free(lv->st.writebacks);
}

struct memsys *memsys_new(const struct memsys_config *cfg, struct stats_group *system)
{
    struct memsys *ms = calloc(1, sizeof *ms);
    if (!ms)
        return NULL;
    ms->cfg = *cfg;
    const char *bad = NULL;
    enum cache_repl repl = CACHE_REPL_LRU;
    if (!cfg->num_cpus || cfg->num_cpus > MEMSYS_MAX_CPUS)
        bad = "the number of CPUs must be 1 to 64";
    else if (!cfg->cpu_period_ticks || !cfg->sys_period_ticks)
        bad = "clock periods must be positive";
    else if (cfg->replacement && !cache_repl_parse(cfg->replacement, &repl))
        bad = "unknown replacement policy (LRU, FIFO, Random)";
    else if (!cfg->mem_channels || cfg->mem_channels > MEMSYS_MAX_CHANNELS ||
             (cfg->mem_channels & (cfg->mem_channels - 1)))
        bad = "the number of memory channels must be a power of 2 up to 16";
    else if (cfg->mem_type && strcmp(cfg->mem_type, "DDR3_1600_8x8") &&
             strcmp(cfg->mem_type, "SimpleMemory"))
        bad = "unknown memory type (DDR3_1600_8x8, SimpleMemory)";
    else if ((cfg->l2cache || cfg->l3cache) && !cfg->caches)
        bad = "--l2cache and --l3cache need --caches";
    else if (cfg->l3cache && !cfg->l2cache)
        bad = "--l3cache needs --l2cache";
    if (bad) {
        warn("memory system", "%s", bad);
        free(ms);
        return NULL;
    }
    ms->cpu_period_recip = UINT64_MAX / cfg->cpu_period_ticks + 1;
    ms->nreq = 1 + MEMSYS_REQS_PER_CPU * cfg->num_cpus;
    ms->req_names = calloc(ms->nreq, sizeof *ms->req_names);
    ms->req_names[0] = strdup("writebacks");
    static const char *const port[MEMSYS_REQS_PER_CPU] = { "inst", "data", "mmu.walker" };
    for (unsigned c = 0; c < cfg->num_cpus; c++) {
        char b[32], cpu[16];
        sim_stats_cpu_name(c, cfg->num_cpus, cpu, sizeof cpu);
        for (unsigned k = 0; k < MEMSYS_REQS_PER_CPU; k++) {
            snprintf(b, sizeof b, "%s.%s", cpu, port[k]);
            ms->req_names[memsys_requestor(c, (enum mem_req)k)] = strdup(b);
        }
    }

    bool ok = true;
    if (cfg->caches) {
        ms->icache = calloc(cfg->num_cpus, sizeof *ms->icache);
        ms->dcache = calloc(cfg->num_cpus, sizeof *ms->dcache);
        if (cfg->l3cache) {
            ms->l3 = calloc(1, sizeof *ms->l3);
            ok = ok && level_init(ms, ms->l3, "system.l3", "l3", &cfg->l3, repl, NULL);
        }
        if (cfg->l2cache) {
            ms->l2 = calloc(1, sizeof *ms->l2);
            ok = ok && level_init(ms, ms->l2, "system.l2", "l2", &cfg->l2, repl, ms->l3);
        }
        for (unsigned c = 0; ok && c < cfg->num_cpus; c++) {
            char cpu[16], n[64], s[64];
            sim_stats_cpu_name(c, cfg->num_cpus, cpu, sizeof cpu);
            snprintf(n, sizeof n, "system.%s.icache", cpu);
            snprintf(s, sizeof s, "%s.icache", cpu);
            ok = level_init(ms, &ms->icache[c], n, s, &cfg->l1i, repl, ms->l2);
            ms->icache[c].is_icache = ms->icache[c].is_l1 = true;
            snprintf(n, sizeof n, "system.%s.dcache", cpu);
            snprintf(s, sizeof s, "%s.dcache", cpu);
            ok = ok && level_init(ms, &ms->dcache[c], n, s, &cfg->l1d, repl, ms->l2);
            ms->dcache[c].is_l1 = true;
            if (ok) {
                l1_fast_path_init(ms, &ms->icache[c], memsys_requestor(c, MEM_REQ_INST));
                l1_fast_path_init(ms, &ms->dcache[c], memsys_requestor(c, MEM_REQ_DATA));
            }
        }
    }
    ms->channels = cfg->mem_channels;
    ms->dram = !cfg->mem_type || !strcmp(cfg->mem_type, "DDR3_1600_8x8");
    if (ms->dram) {
        struct dram_params p = dram_ddr3_1600_8x8();
        ms->chan = calloc(ms->channels, sizeof *ms->chan);
        for (unsigned c = 0; c < ms->channels; c++)
            dram_init(&ms->chan[c], &p, cfg->mem_size / ms->channels);
    } else {
        ms->smem = calloc(ms->channels, sizeof *ms->smem);
        for (unsigned c = 0; c < ms->channels; c++)
            simple_memory_init(&ms->smem[c]);
    }
    if (!ok) {
        memsys_free(ms);
        return NULL;
    }
    if (system)
        memsys_stats_register(ms, system);
    return ms;
}

void memsys_free(struct memsys *ms)
{
    if (!ms)
        return;
    if (ms->stats_owner)
        memsys_stats_unregister(ms);
    for (unsigned c = 0; ms->icache && c < ms->cfg.num_cpus; c++) {
        level_destroy(&ms->icache[c]);
        level_destroy(&ms->dcache[c]);
    }
    free(ms->icache);
    free(ms->dcache);
    if (ms->l2) level_destroy(ms->l2);
    if (ms->l3) level_destroy(ms->l3);
    free(ms->l2);
    free(ms->l3);
    free(ms->chan);
    free(ms->smem);
    for (unsigned i = 0; ms->req_names && i < ms->nreq; i++)
        free(ms->req_names[i]);
    free(ms->req_names);
    free(ms);
}

/* ----------------------------------------------------------- checkpoints -- */

static unsigned level_count(const struct memsys *ms)
{
    if (!ms->icache)
        return 0;
    return 2 * ms->cfg.num_cpus + (ms->l2 != NULL) + (ms->l3 != NULL);
}

static struct memsys_level *level_at(struct memsys *ms, unsigned k)
{
    unsigned n = ms->cfg.num_cpus;
    if (k < 2 * n)
        return k & 1 ? &ms->dcache[k / 2] : &ms->icache[k / 2];
    if (k == 2 * n && ms->l2)
        return ms->l2;
    return ms->l3;
}

void memsys_save(const struct memsys *ms, FILE *f)
{
    unsigned n = level_count(ms);
    fprintf(f, "memsys 1 caches=%u\n", n);
    for (unsigned k = 0; k < n; k++) {
        const struct memsys_level *lv = level_at((struct memsys *)ms, k);
        cache_save(&lv->tags, lv->name, f);
    }
}

bool memsys_load(struct memsys *ms, FILE *f, char *why, size_t why_len)
{
    unsigned version, n;
    if (fscanf(f, " memsys %u caches=%u", &version, &n) != 2) {
        snprintf(why, why_len, "no memory-system record in the checkpoint");
        return false;
    }
    if (version != 1) {
        snprintf(why, why_len, "memory-system record version %u, this m5sim reads version 1", version);
        return false;
    }
    if (n != level_count(ms)) {
        snprintf(why, why_len, "the checkpoint holds %u caches, this run's hierarchy has %u "
                 "(give the same --caches/--l2cache/--l3cache/--num-cpus)", n, level_count(ms));
        return false;
    }
    for (unsigned k = 0; k < n; k++) {
        struct memsys_level *lv = level_at(ms, k);
        if (!cache_load(&lv->tags, lv->name, f, why, why_len))
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------- config -- */

static void config_cache(const struct memsys *ms, const struct memsys_level *lv, FILE *f)
{
    fprintf(f, "[%s]\ntype=Cache\nassoc=%u\nclusivity=mostly_incl\ndata_latency=%u\n"
            "is_read_only=%s\nmshrs=%u\nreplacement_policy=%s.replacement_policy\n"
            "response_latency=%u\nsequential_access=false\nsize=%llu\nsystem=system\n"
            "tag_latency=%u\ntags=%s.tags\ntgts_per_mshr=%u\nwrite_buffers=8\nwriteback_clean=%s\n\n",
            lv->name, lv->cfg.assoc, lv->cfg.data_latency, lv->is_icache ? "true" : "false",
            lv->cfg.mshrs, lv->name, lv->cfg.response_latency, (unsigned long long)lv->cfg.size,
            lv->cfg.tag_latency, lv->name, lv->cfg.tgts_per_mshr,
            lv->is_icache ? "true" : "false");
    fprintf(f, "[%s.replacement_policy]\ntype=%s\n\n", lv->name, cache_repl_name(lv->tags.repl));
    fprintf(f, "[%s.tags]\ntype=BaseSetAssoc\nassoc=%u\nblock_size=%u\nsize=%llu\n\n", lv->name,
            lv->cfg.assoc, ms->cfg.line_size, (unsigned long long)lv->cfg.size);
}

static void config_xbar(const char *name, const struct xbar_timing *x, FILE *f)
{
    fprintf(f, "[%s]\ntype=CoherentXBar\nforward_latency=%u\nfrontend_latency=%u\n"
            "response_latency=%u\nsnoop_filter=%s.snoop_filter\nwidth=%u\n\n"
            "[%s.snoop_filter]\ntype=SnoopFilter\nlookup_latency=%u\n\n",
            name, x->forward, x->frontend, x->response, name, x->width, name, x->snoop_lookup);
}

void memsys_write_config(const struct memsys *ms, FILE *f)
{
    fprintf(f, "[system]\ncache_line_size=%u\nmem_ranges=0:%llu\n\n", ms->cfg.line_size,
            (unsigned long long)ms->cfg.mem_size);
    for (unsigned c = 0; ms->icache && c < ms->cfg.num_cpus; c++) {
        config_cache(ms, &ms->icache[c], f);
        config_cache(ms, &ms->dcache[c], f);
    }
    if (ms->l2) {
        config_xbar("system.tol2bus", &L2XBAR, f);
        config_cache(ms, ms->l2, f);
    }
    if (ms->l3) {
        config_xbar("system.tol3bus", &L2XBAR, f);
        config_cache(ms, ms->l3, f);
    }
    config_xbar("system.membus", &SYSTEMXBAR, f);
    for (unsigned c = 0; c < ms->channels; c++) {
        char name[40];
        if (ms->channels == 1)
            snprintf(name, sizeof name, "system.mem_ctrls");
        else
            snprintf(name, sizeof name, "system.mem_ctrls%u", c);
        if (ms->dram) {
            const struct dram_params *p = &ms->chan[c].p;
            fprintf(f, "[%s]\ntype=MemCtrl\ndram=%s.dram\nmem_sched_policy=frfcfs\n"
                    "static_backend_latency=%llu\nstatic_frontend_latency=%llu\n"
                    "min_writes_per_switch=%u\nwrite_high_thresh_perc=85\nwrite_low_thresh_perc=50\n\n",
                    name, name, (unsigned long long)p->backend_latency,
                    (unsigned long long)p->frontend_latency, p->min_writes_per_switch);
            fprintf(f, "[%s.dram]\ntype=DRAMInterface\naddr_mapping=RoRaBaCoCh\nbanks_per_rank=%u\n"
                    "burst_length=8\ndevice_bus_width=8\ndevice_rowbuffer_size=1024\n"
                    "device_size=536870912\ndevices_per_rank=8\npage_policy=open_adaptive\n"
                    "ranks_per_channel=%u\nread_buffer_size=32\nwrite_buffer_size=%u\n"
                    "tBURST=%llu\ntCK=%llu\ntCL=%llu\ntCS=%llu\ntRAS=%llu\ntRCD=%llu\ntREFI=%llu\n"
                    "tRFC=%llu\ntRP=%llu\ntRRD=%llu\ntRTP=%llu\ntRTW=%llu\ntWR=%llu\ntWTR=%llu\n"
                    "tXAW=%llu\nactivation_limit=%u\n\n",
                    name, p->banks, p->ranks, p->write_buffer_size,
                    (unsigned long long)p->tBURST, (unsigned long long)p->tCK,
                    (unsigned long long)p->tCL, (unsigned long long)p->tCS,
                    (unsigned long long)p->tRAS, (unsigned long long)p->tRCD,
                    (unsigned long long)p->tREFI, (unsigned long long)p->tRFC,
                    (unsigned long long)p->tRP, (unsigned long long)p->tRRD,
                    (unsigned long long)p->tRTP, (unsigned long long)p->tRTW,
                    (unsigned long long)p->tWR, (unsigned long long)p->tWTR,
                    (unsigned long long)p->tXAW, p->activation_limit);
        } else {
            fprintf(f, "[%s]\ntype=SimpleMemory\nbandwidth=%.6f\nlatency=%llu\nlatency_var=0\n\n",
                    name, ms->smem[c].ticks_per_byte, (unsigned long long)ms->smem[c].latency);
        }
    }
}
