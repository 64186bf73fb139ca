/*
 * memsys_stats.c - the memory hierarchy's counters under gem5 v24's names
 * (src/mem/cache/base.cc CacheStats / CacheCmdStats, src/mem/mem_ctrl.cc,
 * src/mem/dram_interface.cc). Kept apart from memsys.c so that the model
 * and its unit tests do not depend on the registry.
 *
 * Per cache (system.cpu.icache, system.cpu.dcache, system.l2, system.l3):
 * demand and overall Hits, Misses, MissLatency, Accesses, MissRate,
 * AvgMissLatency by requestor with ::total, replacements, writebacks, and a
 * group per packet command that can reach that cache (ReadReq.hits::cpu.data,
 * ...). "demand" is every command but writebacks; without prefetchers,
 * "overall" equals it, as in gem5.
 */
#include <stdlib.h>
#include <string.h>

#include "mem/memsys.h"
#include "stats/registry.h"

enum kind { K_HITS, K_MISSES, K_LAT, K_ACC, K_RATE, K_AVG };

struct fctx {
    const struct memsys *ms;
    const struct memsys_level *lv;
    int cmd;            /* a command, or -1 for demand */
    enum kind kind;
};

struct mctx {
    const struct memsys *ms;
    const struct dram_stats *st;
    int what;
};

struct stats_ctx {
    struct fctx *f;
    size_t nf, capf;
    struct mctx *m;
    size_t nm, capm;
    void **blocks;            /* the fctx/mctx arrays, freed at unregister */
    size_t nb;
};

/* gem5's demand commands (SUM_DEMAND in src/mem/cache/base.cc): not writebacks, not upgrades. */
static bool is_demand(int cmd)
{
    return cmd != CMD_WRITEBACK_DIRTY && cmd != CMD_WRITEBACK_CLEAN && cmd != CMD_UPGRADE_REQ;
}

/* Writebacks always hit (they allocate); every other command can miss. */
static bool can_miss(int cmd) { return cmd != CMD_WRITEBACK_DIRTY && cmd != CMD_WRITEBACK_CLEAN; }

static double sum_of(const struct fctx *c, const uint64_t *arr, unsigned i)
{
    const struct memsys *ms = c->ms;
    double s = 0;
    for (int cmd = 0; cmd < CMD_COUNT; cmd++) {
        if (c->cmd >= 0 ? cmd != c->cmd : !is_demand(cmd))
            continue;
        if (i < ms->nreq)
            s += (double)arr[cmd * ms->nreq + i];
        else
            for (unsigned r = 0; r < ms->nreq; r++)
                s += (double)arr[cmd * ms->nreq + r];
    }
    return s;
}

static double cache_formula(const void *ctx, unsigned i)
{
    const struct fctx *c = ctx;
    const struct memsys_cache_stats *st = &c->lv->st;
    double h = sum_of(c, st->hits, i), m = sum_of(c, st->misses, i);
    double l = sum_of(c, st->miss_latency, i);
    switch (c->kind) {
    case K_HITS: return h;
    case K_MISSES: return m;
    case K_LAT: return l;
    case K_ACC: return h + m;
    case K_RATE: return m / (h + m);     /* 0/0 prints nan, as gem5 */
    default: return l / m;
    }
}

static struct fctx *new_fctx(struct stats_ctx *s, const struct memsys *ms,
                             const struct memsys_level *lv, int cmd, enum kind k)
{
    /* Contexts are handed to the registry by address: allocate them in blocks that never move. */
    if (s->nf == s->capf) {
        s->capf = 64;
        s->f = calloc(s->capf, sizeof *s->f);
        s->nf = 0;
        s->blocks = realloc(s->blocks, (s->nb + 1) * sizeof *s->blocks);
        s->blocks[s->nb++] = s->f;
    }
    struct fctx *c = &s->f[s->nf++];
    *c = (struct fctx){ ms, lv, cmd, k };
    return c;
}

static void reg_kind(struct stats_ctx *s, struct stats_group *g, const struct memsys *ms,
                     const struct memsys_level *lv, int cmd, const char *name, enum kind k,
                     const char *unit, const char *desc)
{
    stats_add_vformula(g, name, cache_formula, new_fctx(s, ms, lv, cmd, k), ms->nreq,
                       (const char *const *)ms->req_names, true, unit, desc);
    stats_set_flags(g, name, STATS_NOZERO | STATS_NONAN);   /* gem5's cache statistics: total | nozero | nonan */
}

/* A per-requestor counter vector, printed as gem5 prints its cache counters. */
static void reg_vector(struct stats_group *g, const struct memsys *ms, const char *name, uint64_t *counters,
                       const char *unit, const char *desc)
{
    stats_add_vector(g, name, counters, ms->nreq, (const char *const *)ms->req_names, true, unit, desc);
    stats_set_flags(g, name, STATS_NOZERO | STATS_NONAN);
}

static void register_cache(struct stats_ctx *s, struct memsys *ms, struct memsys_level *lv,
                           struct stats_group *system)
{
    struct stats_group *g = stats_group_new(system, lv->stats_name);
    static const char *const pre[2] = { "demand", "overall" };
    char n[64];
    /* gem5's aggregates, each as demandX then overallX (the same sums: no prefetcher here). */
    static const struct { const char *name; enum kind k; const char *unit, *desc; } agg[] = {
        { "Hits", K_HITS, "Count", "number of hits" },
        { "Misses", K_MISSES, "Count", "number of misses" },
        { "MissLatency", K_LAT, "Tick", "number of miss ticks" },
        { "Accesses", K_ACC, "Count", "number of accesses(hits+misses)" },
        { "MissRate", K_RATE, "Ratio", "miss rate for accesses" },
        { "AvgMissLatency", K_AVG, "(Tick/Count)", "average overall miss latency" },
    };
    for (size_t a = 0; a < sizeof agg / sizeof agg[0]; a++)
        for (int o = 0; o < 2; o++) {
            snprintf(n, sizeof n, "%s%s", pre[o], agg[a].name);
            reg_kind(s, g, ms, lv, -1, n, agg[a].k, agg[a].unit, agg[a].desc);
        }
    stats_add_scalar(g, "replacements", &lv->st.replacements, "Count", "number of replacements");
    reg_vector(g, ms, "writebacks", lv->st.writebacks, "Count", "number of writebacks");

    static const int l1i_cmds[] = { CMD_READ_REQ, -1 };
    static const int l1d_cmds[] = { CMD_READ_REQ, CMD_WRITE_REQ, -1 };
    /* Below the L1s, ReadReq comes from the page-table walker. */
    static const int low_cmds[] = { CMD_READ_REQ, CMD_READ_CLEAN_REQ, CMD_READ_EX_REQ, CMD_READ_SHARED_REQ,
                                    CMD_UPGRADE_REQ, CMD_WRITEBACK_CLEAN, CMD_WRITEBACK_DIRTY, -1 };
    const int *cmds = lv->is_icache ? l1i_cmds : lv->is_l1 ? l1d_cmds : low_cmds;
    for (; *cmds >= 0; cmds++) {
        int c = *cmds;
        struct stats_group *cg = stats_group_new(g, memsys_cmd_names[c]);
        reg_vector(cg, ms, "hits", &lv->st.hits[c * ms->nreq], "Count", "number of hit requests");
        if (can_miss(c)) {
            reg_vector(cg, ms, "misses", &lv->st.misses[c * ms->nreq], "Count", "number of miss requests");
            reg_vector(cg, ms, "missLatency", &lv->st.miss_latency[c * ms->nreq], "Tick",
                       "number of miss ticks");
        }
        reg_kind(s, cg, ms, lv, c, "accesses", K_ACC, "Count", "number of accesses(hits+misses)");
        if (can_miss(c)) {
            reg_kind(s, cg, ms, lv, c, "missRate", K_RATE, "Ratio", "miss rate for accesses");
            reg_kind(s, cg, ms, lv, c, "avgMissLatency", K_AVG, "(Tick/Count)",
                     "average miss latency");
        }
    }
}

enum { M_RDBW, M_WRBW, M_RDHITRATE, M_WRHITRATE, M_AVGQ, M_AVGBUS, M_AVGACC };

static double mem_formula(const void *ctx)
{
    const struct mctx *c = ctx;
    const struct dram_stats *st = c->st;
    double secs = (double)(c->ms->now - c->ms->stats_since) / 1e12;
    switch (c->what) {
    case M_RDBW: return (double)st->bytesReadSys / secs;
    case M_WRBW: return (double)st->bytesWrittenSys / secs;
    case M_RDHITRATE: return (double)st->readRowHits / (double)st->readBursts * 100.0;
    case M_WRHITRATE: return (double)st->writeRowHits / (double)st->writeBursts * 100.0;
    case M_AVGQ: return (double)st->totQLat / (double)st->readBursts;
    case M_AVGBUS: return (double)st->totBusLat / (double)st->readBursts;
    default: return (double)st->totMemAccLat / (double)st->readBursts;
    }
}

static void reg_mem(struct stats_ctx *s, struct stats_group *g, const struct memsys *ms,
                    const struct dram_stats *st, int what, const char *name, const char *unit,
                    const char *desc)
{
    if (s->nm == s->capm) {
        s->capm = 16;
        s->m = calloc(s->capm, sizeof *s->m);
        s->nm = 0;
        s->blocks = realloc(s->blocks, (s->nb + 1) * sizeof *s->blocks);
        s->blocks[s->nb++] = s->m;
    }
    struct mctx *c = &s->m[s->nm++];
    *c = (struct mctx){ ms, st, what };
    stats_add_formula(g, name, mem_formula, c, unit, desc);
}

static void register_memory(struct stats_ctx *s, struct memsys *ms, struct stats_group *system)
{
    for (unsigned ch = 0; ch < ms->channels; ch++) {
        char name[32];
        snprintf(name, sizeof name, ms->channels == 1 ? "mem_ctrls" : "mem_ctrls%u", ch);
        struct stats_group *g = stats_group_new(system, name);
        struct dram_stats *st = ms->dram ? &ms->chan[ch].st : &ms->smem[ch].st;
        stats_add_scalar(g, "readReqs", &st->readReqs, "Count", "Number of read requests accepted");
        stats_add_scalar(g, "writeReqs", &st->writeReqs, "Count", "Number of write requests accepted");
        if (ms->dram) {
            stats_add_scalar(g, "readBursts", &st->readBursts, "Count",
                             "Number of controller read bursts, including those serviced by the write queue");
            stats_add_scalar(g, "writeBursts", &st->writeBursts, "Count",
                             "Number of controller write bursts, including those merged in the write queue");
            stats_add_scalar(g, "servicedByWrQ", &st->servicedByWrQ, "Count",
                             "Number of controller read bursts serviced by the write queue");
            stats_add_scalar(g, "mergedWrBursts", &st->mergedWrBursts, "Count",
                             "Number of controller write bursts merged with an existing one");
        }
        stats_add_scalar(g, "bytesReadSys", &st->bytesReadSys, "Byte",
                         "Total read bytes from the system interface side");
        stats_add_scalar(g, "bytesWrittenSys", &st->bytesWrittenSys, "Byte",
                         "Total written bytes from the system interface side");
        reg_mem(s, g, ms, st, M_RDBW, "avgRdBWSys", "(Byte/Second)",
                "Average system read bandwidth in Byte/s");
        reg_mem(s, g, ms, st, M_WRBW, "avgWrBWSys", "(Byte/Second)",
                "Average system write bandwidth in Byte/s");
        if (!ms->dram)
            continue;
        struct stats_group *d = stats_group_new(g, "dram");
        stats_add_scalar(d, "readBursts", &st->readBursts, "Count", "Number of DRAM read bursts");
        stats_add_scalar(d, "writeBursts", &st->writeBursts, "Count", "Number of DRAM write bursts");
        stats_add_scalar(d, "totQLat", &st->totQLat, "Tick", "Total ticks spent queuing");
        stats_add_scalar(d, "totBusLat", &st->totBusLat, "Tick", "Total ticks spent in databus transfers");
        stats_add_scalar(d, "totMemAccLat", &st->totMemAccLat, "Tick",
                         "Total ticks spent from burst creation until serviced by the DRAM");
        reg_mem(s, d, ms, st, M_AVGQ, "avgQLat", "(Tick/Count)", "Average queueing delay per DRAM burst");
        reg_mem(s, d, ms, st, M_AVGBUS, "avgBusLat", "(Tick/Count)", "Average bus latency per DRAM burst");
        reg_mem(s, d, ms, st, M_AVGACC, "avgMemAccLat", "(Tick/Count)",
                "Average memory access latency per DRAM burst");
        stats_add_scalar(d, "readRowHits", &st->readRowHits, "Count", "Number of row buffer hits during reads");
        stats_add_scalar(d, "writeRowHits", &st->writeRowHits, "Count", "Number of row buffer hits during writes");
        reg_mem(s, d, ms, st, M_RDHITRATE, "readRowHitRate", "Ratio", "Row buffer hit rate for reads");
        reg_mem(s, d, ms, st, M_WRHITRATE, "writeRowHitRate", "Ratio", "Row buffer hit rate for writes");
        stats_add_scalar(d, "bytesRead", &st->bytesRead, "Byte", "Total bytes read");
        stats_add_scalar(d, "bytesWritten", &st->bytesWritten, "Byte", "Total bytes written");
        stats_add_scalar(d, "numRefreshes", &st->numRefreshes, "Count", "Number of refreshes (m5sim)");
    }
}

/*
 * The crossbar below the L1s with several CPUs: system.tol2bus, or
 * system.membus without an L2 (gem5's CoherentXBar and SnoopFilter names).
 */
static void register_coherence(struct memsys *ms, struct stats_group *system)
{
    struct memsys_coherence_stats *c = &ms->coh;
    struct stats_group *g = stats_group_new(system, ms->l2 ? "tol2bus" : "membus");
    stats_add_scalar(g, "snoops", &c->snoops, "Count", "Total snoops");
    stats_add_scalar(g, "snoopTraffic", &c->snoop_traffic, "Byte", "Total snoop traffic");
    ms->snoop_fanout = stats_add_distribution(g, "snoopFanout", 0, 1, 2 * ms->cfg.num_cpus + 1, "Count",
                                              "Request fanout histogram");
    ms->dist_sample = stats_dist_sample;
    struct stats_group *f = stats_group_new(g, "snoop_filter");
    stats_add_scalar(f, "totRequests", &c->sf_requests, "Count",
                     "Total number of requests made to the snoop filter.");
    stats_add_scalar(f, "hitSingleRequests", &c->sf_hit_single_requests, "Count",
                     "Number of requests hitting in the snoop filter with a single holder of the requested data.");
    stats_add_scalar(f, "hitMultiRequests", &c->sf_hit_multi_requests, "Count",
                     "Number of requests hitting in the snoop filter with multiple (>1) holders of the requested data.");
    stats_add_scalar(f, "totSnoops", &c->sf_snoops, "Count", "Total number of snoops made to the snoop filter.");
    stats_add_scalar(f, "hitSingleSnoops", &c->sf_hit_single_snoops, "Count",
                     "Number of snoops hitting in the snoop filter with a single holder of the requested data.");
    stats_add_scalar(f, "hitMultiSnoops", &c->sf_hit_multi_snoops, "Count",
                     "Number of snoops hitting in the snoop filter with multiple (>1) holders of the requested data.");
}

void memsys_stats_register(struct memsys *ms, struct stats_group *system)
{
    struct stats_ctx *s = calloc(1, sizeof *s);
    ms->stats_ctx = s;
    ms->stats_owner = system;
    for (unsigned c = 0; ms->icache && c < ms->cfg.num_cpus; c++) {
        register_cache(s, ms, &ms->icache[c], system);
        register_cache(s, ms, &ms->dcache[c], system);
    }
    if (ms->l2)
        register_cache(s, ms, ms->l2, system);
    if (ms->l3)
        register_cache(s, ms, ms->l3, system);
    register_memory(s, ms, system);
    if (ms->icache && ms->cfg.num_cpus > 1)
        register_coherence(ms, system);
}

/*
 * The groups live under the caller's "system" group and are freed with it;
 * what we free here is the formula contexts, which the registry must not
 * use afterwards (free the system group first, or with the memsys).
 */
void memsys_stats_unregister(struct memsys *ms)
{
    struct stats_ctx *s = ms->stats_ctx;
    if (!s)
        return;
    for (size_t i = 0; i < s->nb; i++)
        free(s->blocks[i]);
    free(s->blocks);
    free(s);
    ms->stats_ctx = NULL;
    ms->stats_owner = NULL;
    ms->snoop_fanout = NULL;
}
