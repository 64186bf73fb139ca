/*
 * test_coherence.c - the L1s of several CPUs kept coherent (host/mem/memsys.c):
 * line states after sequences of reads and writes by two and four CPUs,
 * hits and misses, invalidations, upgrades, cache-to-cache transfers and
 * their latencies composed by hand from gem5's parameters, the snoop-filter
 * and crossbar statistics under gem5's names, coherence without an L2,
 * functional warming making the same states, and one CPU unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/cache.h"
#include "mem/memsys.h"
#include "stats/registry.h"

#define DATA MEM_REQ_DATA
#define INST MEM_REQ_INST
#define RD MEM_OP_READ
#define WR MEM_OP_WRITE
#define P 500ull   /* CPU clock period, ticks (2 GHz) */

static struct memsys *mk_sys(unsigned cpus, bool l2, struct stats_group *system)
{
    struct memsys_config cfg;
    memsys_config_defaults(&cfg);
    cfg.num_cpus = cpus;
    cfg.caches = true;
    cfg.l2cache = l2;
    struct memsys *ms = memsys_new(&cfg, system);
    assert_non_null(ms);
    return ms;
}

/* A line's state in an L1, as gem5 names them: I, S, E, O, M. */
static char state(struct memsys *ms, unsigned cpu, enum mem_req r, uint64_t paddr)
{
    struct cache *c = r == INST ? &ms->icache[cpu].tags : &ms->dcache[cpu].tags;
    long i = cache_find(c, paddr >> c->line_shift);
    if (i < 0)
        return 'I';
    bool dirty = c->tag[i] & CACHE_DIRTY, shared = c->tag[i] & CACHE_SHARED;
    return shared ? (dirty ? 'O' : 'S') : (dirty ? 'M' : 'E');
}

/* The L1D states of every CPU for one line, e.g. "SSI". */
static const char *dstates(struct memsys *ms, uint64_t paddr)
{
    static char s[MEMSYS_MAX_CPUS + 1];
    unsigned n = ms->cfg.num_cpus;
    for (unsigned c = 0; c < n; c++)
        s[c] = state(ms, c, DATA, paddr);
    s[n] = 0;
    return s;
}

static uint64_t st(struct memsys *ms, uint64_t *arr, enum memsys_cmd cmd, unsigned req)
{
    return arr[cmd * ms->nreq + req];
}

static unsigned cd(unsigned cpu) { return memsys_requestor(cpu, DATA); }

/* A tick far enough after everything before it, on a boundary of both clocks. */
static uint64_t now_at;
static uint64_t later(void) { return now_at += 10000000; }

static void two_cpus_share_a_read_line(void **s)
{
    (void)s;
    struct memsys *ms = mk_sys(2, true, NULL);
    const uint64_t a = 0x1000;
    /* CPU 0 alone: Exclusive. L1 miss, L2 miss, DRAM (the latency of test_cache). */
    assert_int_equal(memsys_access(ms, 0, DATA, RD, a, 8, later()), 86500);
    assert_string_equal(dstates(ms, a), "EI");
    /*
     * CPU 1: the snoop filter finds CPU 0's copy, so the request pays CPU 0's
     * tag lookup (2 cycles) on top of the usual L1 miss, L2 hit of 26 cycles.
     */
    assert_int_equal(memsys_access(ms, 1, DATA, RD, a, 8, later()), 28 * P);
    assert_string_equal(dstates(ms, a), "SS");
    /* Both hit now, 2 cycles each. */
    assert_int_equal(memsys_access(ms, 0, DATA, RD, a + 8, 8, later()), 2 * P);
    assert_int_equal(memsys_access(ms, 1, DATA, RD, a + 16, 8, later()), 2 * P);
    assert_int_equal(st(ms, ms->dcache[0].st.hits, CMD_READ_REQ, cd(0)), 1);
    assert_int_equal(st(ms, ms->dcache[1].st.hits, CMD_READ_REQ, cd(1)), 1);
    assert_int_equal(st(ms, ms->l2->st.misses, CMD_READ_SHARED_REQ, cd(0)), 1);
    assert_int_equal(st(ms, ms->l2->st.hits, CMD_READ_SHARED_REQ, cd(1)), 1);
    /* Snoop filter: two requests, the second found one holder; no dirty copy answered. */
    assert_int_equal(ms->coh.sf_requests, 2);
    assert_int_equal(ms->coh.sf_hit_single_requests, 1);
    assert_int_equal(ms->coh.sf_hit_multi_requests, 0);
    assert_int_equal(ms->coh.snoops, 0);
    memsys_free(ms);
}

static void write_upgrades_and_read_gets_the_dirty_line(void **s)
{
    (void)s;
    struct memsys *ms = mk_sys(2, true, NULL);
    const uint64_t a = 0x2040;
    memsys_access(ms, 0, DATA, RD, a, 8, later());
    memsys_access(ms, 1, DATA, RD, a, 8, later());
    assert_string_equal(dstates(ms, a), "SS");
    /*
     * CPU 0 writes its Shared copy: a miss of the WriteReq in its L1 and an
     * UpgradeReq that hits in the L2 (tag latency only), invalidating CPU 1:
     * L1 2 + bus 1 + snoop 2 + L2 20 + bus 1 + L1 2 = 28 cycles.
     */
    assert_int_equal(memsys_access(ms, 0, DATA, WR, a, 8, later()), 28 * P);
    assert_string_equal(dstates(ms, a), "MI");
    assert_int_equal(st(ms, ms->dcache[0].st.misses, CMD_WRITE_REQ, cd(0)), 1);
    assert_int_equal(st(ms, ms->l2->st.hits, CMD_UPGRADE_REQ, cd(0)), 1);
    assert_true(ms->l1_missed);
    /* Writing again: a hit. */
    assert_int_equal(memsys_access(ms, 0, DATA, WR, a + 8, 8, later()), 2 * P);
    assert_int_equal(st(ms, ms->dcache[0].st.hits, CMD_WRITE_REQ, cd(0)), 1);
    /*
     * CPU 1 reads: CPU 0's Modified copy answers (and becomes Owned); the L2
     * is not asked. L1 2 cycles, bus 1, CPU 0's tag 2, snoop response 1, L1 2.
     */
    uint64_t l2_reads = st(ms, ms->l2->st.hits, CMD_READ_SHARED_REQ, cd(1)) +
                        st(ms, ms->l2->st.misses, CMD_READ_SHARED_REQ, cd(1));
    assert_int_equal(memsys_access(ms, 1, DATA, RD, a, 8, later()), 8 * P);
    assert_string_equal(dstates(ms, a), "OS");
    assert_int_equal(st(ms, ms->l2->st.hits, CMD_READ_SHARED_REQ, cd(1)) +
                         st(ms, ms->l2->st.misses, CMD_READ_SHARED_REQ, cd(1)), l2_reads);
    assert_int_equal(st(ms, ms->dcache[1].st.misses, CMD_READ_REQ, cd(1)), 2);
    assert_int_equal(ms->coh.snoops, 1);
    assert_int_equal(ms->coh.snoop_traffic, 64);
    /*
     * CPU 1 writes its Shared copy: an UpgradeReq, which the Owned copy answers
     * (without data) as it invalidates itself; the L2 counts nothing.
     */
    assert_int_equal(memsys_access(ms, 1, DATA, WR, a, 8, later()), 8 * P);
    assert_string_equal(dstates(ms, a), "IM");
    assert_int_equal(st(ms, ms->l2->st.hits, CMD_UPGRADE_REQ, cd(1)), 0);
    assert_int_equal(st(ms, ms->l2->st.misses, CMD_UPGRADE_REQ, cd(1)), 0);
    assert_int_equal(ms->coh.snoops, 2);
    assert_int_equal(ms->coh.snoop_traffic, 64);
    memsys_free(ms);
}

static void write_ping_pong_misses_every_time(void **s)
{
    (void)s;
    struct memsys *ms = mk_sys(2, true, NULL);
    const uint64_t a = 0x3000;
    const int rounds = 10;
    for (int k = 0; k < 2 * rounds; k++) {
        unsigned cpu = (unsigned)k & 1;
        uint64_t lat = memsys_access(ms, cpu, DATA, WR, a, 8, later());
        assert_true(ms->l1_missed);
        assert_string_equal(dstates(ms, a), cpu ? "IM" : "MI");
        if (k) /* the other's Modified copy answers the ReadExReq: 8 cycles */
            assert_int_equal(lat, 8 * P);
    }
    for (unsigned c = 0; c < 2; c++) {
        assert_int_equal(st(ms, ms->dcache[c].st.misses, CMD_WRITE_REQ, cd(c)), rounds);
        assert_int_equal(st(ms, ms->dcache[c].st.hits, CMD_WRITE_REQ, cd(c)), 0);
    }
    /* Only the first write reached the L2; the others went cache to cache. */
    assert_int_equal(st(ms, ms->l2->st.misses, CMD_READ_EX_REQ, cd(0)), 1);
    assert_int_equal(st(ms, ms->l2->st.hits, CMD_READ_EX_REQ, cd(1)), 0);
    assert_int_equal(ms->coh.snoops, 2 * rounds - 1);
    assert_int_equal(ms->coh.snoop_traffic, 64 * (2 * rounds - 1));
    assert_int_equal(ms->coh.sf_requests, 2 * rounds);
    assert_int_equal(ms->coh.sf_hit_single_requests, 2 * rounds - 1);
    memsys_free(ms);
}

static void four_cpus(void **s)
{
    (void)s;
    struct memsys *ms = mk_sys(4, true, NULL);
    const uint64_t a = 0x4000, b = 0x4080;
    for (unsigned c = 0; c < 4; c++)
        memsys_access(ms, c, DATA, RD, a, 8, later());
    assert_string_equal(dstates(ms, a), "SSSS");
    /* Requests found 0, 1, 2, 3 holders. */
    assert_int_equal(ms->coh.sf_requests, 4);
    assert_int_equal(ms->coh.sf_hit_single_requests, 1);
    assert_int_equal(ms->coh.sf_hit_multi_requests, 2);
    /* CPU 2 writes: one upgrade invalidates three copies. */
    memsys_access(ms, 2, DATA, WR, a, 8, later());
    assert_string_equal(dstates(ms, a), "IIMI");
    assert_int_equal(st(ms, ms->l2->st.hits, CMD_UPGRADE_REQ, cd(2)), 1);
    /* CPU 3 reads it from CPU 2, then CPU 0 reads (from the Owned copy). */
    memsys_access(ms, 3, DATA, RD, a, 8, later());
    assert_string_equal(dstates(ms, a), "IIOS");
    memsys_access(ms, 0, DATA, RD, a, 8, later());
    assert_string_equal(dstates(ms, a), "SIOS");
    assert_int_equal(ms->coh.snoops, 2);
    /* A write miss by CPU 1 invalidates all three and takes the line from the owner. */
    assert_int_equal(memsys_access(ms, 1, DATA, WR, a, 8, later()), 8 * P);
    assert_string_equal(dstates(ms, a), "IMII");
    assert_int_equal(ms->coh.snoops, 3);
    /* Another line, written by CPU 0 alone then read by all: one owner, three sharers. */
    memsys_access(ms, 0, DATA, WR, b, 8, later());
    assert_string_equal(dstates(ms, b), "MIII");
    for (unsigned c = 1; c < 4; c++)
        memsys_access(ms, c, DATA, RD, b, 8, later());
    assert_string_equal(dstates(ms, b), "OSSS");
    /* Instruction fetches by another CPU are snooped too: CPU 3 fetching b shares it, a write by
     * CPU 1 invalidates CPU 3's L1I copy. */
    memsys_access(ms, 3, INST, RD, b, 4, later());
    assert_int_equal(state(ms, 3, INST, b), 'S');
    memsys_access(ms, 1, DATA, WR, b, 8, later());
    assert_string_equal(dstates(ms, b), "IMII");
    assert_int_equal(state(ms, 3, INST, b), 'I');
    memsys_free(ms);
}

static void without_an_l2(void **s)
{
    (void)s;
    struct memsys *ms = mk_sys(2, false, NULL);
    const uint64_t a = 0x5000;
    memsys_access(ms, 0, DATA, WR, a, 8, later());
    assert_string_equal(dstates(ms, a), "MI");
    /*
     * CPU 1 reads over the memory bus (1 GHz): L1 2 cycles (1 ns); membus
     * frontend 3 + forward 4 + snoop filter 1 ns; CPU 0 answers after its
     * tag latency (1 ns) at 10 ns; the membus's snoop response latency 4 ns;
     * L1 response 1 ns: 15 ns.
     */
    assert_int_equal(memsys_access(ms, 1, DATA, RD, a, 8, later()), 15000);
    assert_string_equal(dstates(ms, a), "OS");
    /* Memory served only CPU 0's write miss. */
    assert_int_equal(ms->chan[0].st.readReqs, 1);
    /*
     * A clean line both read: CPU 1 writes its Shared copy, and the memory
     * bus, the point of coherency, answers the UpgradeReq itself once it has
     * snooped CPU 0 (1 ns): L1 1 ns, membus 8 ns + snoop 1 ns, L1 1 ns.
     */
    const uint64_t c = 0x5400;
    memsys_access(ms, 0, DATA, RD, c, 8, later());
    memsys_access(ms, 1, DATA, RD, c, 8, later());
    assert_string_equal(dstates(ms, c), "SS");
    assert_int_equal(ms->chan[0].st.readReqs, 3);
    assert_int_equal(memsys_access(ms, 1, DATA, WR, c, 8, later()), 11000);
    assert_string_equal(dstates(ms, c), "IM");
    assert_int_equal(ms->chan[0].st.readReqs, 3);
    assert_int_equal(st(ms, ms->dcache[1].st.misses, CMD_WRITE_REQ, cd(1)), 1);
    assert_int_equal(ms->coh.snoops, 1);
    memsys_free(ms);
}

/* At most one writable copy among the CPUs' L1Ds, and none beside other copies; at most one dirty. */
static void check_invariant(struct memsys *ms, uint64_t paddr)
{
    unsigned holders = 0, writable = 0, dirty = 0;
    for (unsigned c = 0; c < ms->cfg.num_cpus; c++) {
        char x = state(ms, c, DATA, paddr);
        holders += x != 'I';
        writable += x == 'E' || x == 'M';
        dirty += x == 'M' || x == 'O';
    }
    assert_true(dirty <= 1);
    assert_true(writable == 0 || holders == 1);
}

/* Random data reads and writes of 4 CPUs over 48 lines; warming makes the same states, tags and stamps. */
static void warming_is_coherent_too(void **s)
{
    (void)s;
    for (int l2 = 0; l2 < 2; l2++) {
        struct memsys *a = mk_sys(4, l2, NULL), *b = mk_sys(4, l2, NULL);
        uint64_t x = 99;
        uint64_t upgrades = 0;
        for (int i = 0; i < 100000; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            unsigned cpu = (unsigned)(x >> 40) & 3;
            /* 48 lines in 3 L1 sets of a 2-way 64 KiB L1D, so lines also get evicted. */
            uint64_t addr = ((x >> 20) % 48) / 3 * (32 << 10) + ((x >> 20) % 3) * 64;
            enum mem_op op = (x >> 50) & 1 ? WR : RD;
            memsys_access(a, cpu, DATA, op, addr, 8, later());
            memsys_warm(b, cpu, DATA, op, addr);
            check_invariant(a, addr);
        }
        for (unsigned c = 0; c < 4; c++) {
            struct cache *ta = &a->dcache[c].tags, *tb = &b->dcache[c].tags;
            size_t n = (size_t)ta->sets * ta->assoc;
            assert_memory_equal(ta->tag, tb->tag, n * sizeof(uint64_t));
            assert_memory_equal(ta->stamp, tb->stamp, n * sizeof(uint64_t));
            upgrades += st(a, a->dcache[c].st.misses, CMD_WRITE_REQ, cd(c));
        }
        if (l2) {
            size_t n = (size_t)a->l2->tags.sets * a->l2->tags.assoc;
            assert_memory_equal(a->l2->tags.tag, b->l2->tags.tag, n * sizeof(uint64_t));
        }
        assert_true(upgrades > 1000);
        assert_true(a->coh.snoops > 1000);
        assert_int_equal(b->coh.snoops, 0);   /* warming counts nothing */
        memsys_free(a);
        memsys_free(b);
    }
}

/* Shared lines survive a checkpoint. */
static void states_in_checkpoints(void **s)
{
    (void)s;
    struct memsys *a = mk_sys(2, true, NULL), *b = mk_sys(2, true, NULL);
    memsys_access(a, 0, DATA, WR, 0x6000, 8, later());
    memsys_access(a, 1, DATA, RD, 0x6000, 8, later());
    memsys_access(a, 0, DATA, RD, 0x6040, 8, later());
    assert_string_equal(dstates(a, 0x6000), "OS");
    FILE *f = tmpfile();
    memsys_save(a, f);
    rewind(f);
    char why[256] = "";
    assert_true(memsys_load(b, f, why, sizeof why));
    fclose(f);
    assert_string_equal(dstates(b, 0x6000), "OS");
    assert_string_equal(dstates(b, 0x6040), "EI");
    memsys_free(a);
    memsys_free(b);
}

static char *dump(struct stats_group *root)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    stats_dump_text(root, f);
    fclose(f);
    return buf;
}

static void statistics_under_gem5_names(void **s)
{
    (void)s;
    struct stats_group *root = stats_root_new();
    struct stats_group *system = stats_group_new(root, "system");
    struct memsys *ms = mk_sys(2, true, system);
    for (int k = 0; k < 4; k++)
        memsys_access(ms, (unsigned)k & 1, DATA, WR, 0x7000, 8, later());
    memsys_access(ms, 0, DATA, RD, 0x7040, 8, later());
    memsys_access(ms, 1, DATA, RD, 0x7040, 8, later());
    memsys_access(ms, 1, DATA, WR, 0x7040, 8, later());
    memsys_access(ms, 1, INST, RD, 0x8000, 4, later());
    char *t = dump(root);
    static const struct { const char *name; long long value; } want[] = {
        { "system.cpu0.dcache.WriteReq.misses::cpu0.data", 2 },
        { "system.cpu1.dcache.WriteReq.misses::cpu1.data", 3 },
        { "system.cpu1.icache.ReadReq.misses::cpu1.inst", 1 },
        { "system.l2.ReadExReq.misses::cpu0.data", 1 },
        { "system.l2.UpgradeReq.hits::cpu1.data", 1 },
        { "system.tol2bus.snoops", 3 },
        { "system.tol2bus.snoopTraffic", 192 },
        { "system.tol2bus.snoopFanout::samples", 8 },
        { "system.tol2bus.snoopFanout::1", 5 },
        { "system.tol2bus.snoop_filter.totRequests", 8 },
        { "system.tol2bus.snoop_filter.hitSingleRequests", 4 },
        { "system.tol2bus.snoop_filter.hitMultiRequests", 1 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char key[128];
        snprintf(key, sizeof key, "\n%s ", want[i].name);
        const char *at = strstr(t, key);
        long long v = -1;
        if (!at || sscanf(at + strlen(key), "%lld", &v) != 1 || v != want[i].value) {
            fprintf(stderr, "%s: %lld, want %lld\n", want[i].name, v, want[i].value);
            fail();
        }
    }
    assert_null(strstr(t, "system.cpu.dcache"));
    free(t);
    stats_group_free(root);
    memsys_free(ms);

    /* One CPU: the names of today, and no coherence statistics. */
    root = stats_root_new();
    system = stats_group_new(root, "system");
    ms = mk_sys(1, true, system);
    memsys_access(ms, 0, DATA, RD, 0x7000, 8, later());
    memsys_access(ms, 0, DATA, WR, 0x7000, 8, later());
    t = dump(root);
    assert_non_null(strstr(t, "system.cpu.dcache.ReadReq.misses::cpu.data "));
    assert_non_null(strstr(t, "system.cpu.dcache.WriteReq.hits::cpu.data "));
    assert_null(strstr(t, "tol2bus"));
    assert_null(strstr(t, "Upgrade"));
    free(t);
    stats_group_free(root);
    memsys_free(ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_cpus_share_a_read_line),
        cmocka_unit_test(write_upgrades_and_read_gets_the_dirty_line),
        cmocka_unit_test(write_ping_pong_misses_every_time),
        cmocka_unit_test(four_cpus),
        cmocka_unit_test(without_an_l2),
        cmocka_unit_test(warming_is_coherent_too),
        cmocka_unit_test(states_in_checkpoints),
        cmocka_unit_test(statistics_under_gem5_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
