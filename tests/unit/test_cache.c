/*
 * test_cache.c - the tag store (host/mem/cache.c) and the hierarchy
 * (host/mem/memsys.c): hit/miss sequences for small geometries under LRU,
 * FIFO and Random, dirty evictions becoming writebacks into the L2, line
 * sizes, latencies composed from gem5's parameters by hand, functional
 * warming matching timed accesses, and checkpoint save/load.
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

/* memsys_stats.c needs the registry; these tests read the counters directly. */
void memsys_stats_register(struct memsys *ms, struct stats_group *system) { (void)ms; (void)system; }
void memsys_stats_unregister(struct memsys *ms) { (void)ms; }

static struct cache mk(uint64_t size, unsigned assoc, unsigned line, enum cache_repl r)
{
    struct cache c;
    const char *why;
    assert_true(cache_init(&c, size, assoc, line, r, &why));
    return c;
}

/* Run a sequence of line numbers (all in one set when the cache has one set); 'h'/'m' per access. */
static void seq(struct cache *c, const uint64_t *lines, size_t n, const char *expect)
{
    char got[64] = { 0 };
    for (size_t i = 0; i < n; i++)
        got[i] = cache_access(c, lines[i], false).hit ? 'h' : 'm';
    assert_string_equal(got, expect);
}

enum { A = 10, B = 11, C = 12 };

static void lru_sequence(void **s)
{
    (void)s;
    struct cache c = mk(128, 2, 64, CACHE_REPL_LRU);   /* one set, two ways */
    const uint64_t l[] = { A, B, A, C, B, A, C };
    /* A m, B m, A h, C m (evicts B, least recent), B m (evicts A), A m (evicts C), C m */
    seq(&c, l, 7, "mmhmmmm");
    cache_destroy(&c);
}

static void fifo_sequence(void **s)
{
    (void)s;
    struct cache c = mk(128, 2, 64, CACHE_REPL_FIFO);
    const uint64_t l[] = { A, B, A, C, B, A, C };
    /* A m, B m, A h (no reorder), C m (evicts A, first filled), B h, A m (evicts B), C h */
    seq(&c, l, 7, "mmhmhmh");
    cache_destroy(&c);
}

static void random_is_seeded_and_fills_invalid_first(void **s)
{
    (void)s;
    struct cache a = mk(256, 4, 64, CACHE_REPL_RANDOM), b = mk(256, 4, 64, CACHE_REPL_RANDOM);
    for (uint64_t i = 0; i < 4; i++)
        assert_false(cache_access(&a, i, false).evicted);   /* four invalid ways first */
    for (uint64_t i = 0; i < 4; i++)
        cache_access(&b, i, false);
    for (uint64_t i = 4; i < 200; i++) {
        struct cache_result ra = cache_access(&a, i * 7 % 13, false), rb = cache_access(&b, i * 7 % 13, false);
        assert_int_equal(ra.hit, rb.hit);
        assert_int_equal(ra.evicted_line, rb.evicted_line);
    }
    cache_destroy(&a);
    cache_destroy(&b);
}

static void sets_and_conflicts(void **s)
{
    (void)s;
    /* 512 B, 2-way, 64 B lines: 4 sets; lines 0, 4, 8 map to set 0, line 1 to set 1. */
    struct cache c = mk(512, 2, 64, CACHE_REPL_LRU);
    const uint64_t l[] = { 0, 4, 1, 8, 1, 0, 4 };
    /* 0 m, 4 m, 1 m (set 1), 8 m evicts 0, 1 h, 0 m evicts 4, 4 m evicts 8 */
    seq(&c, l, 7, "mmmmhmm");
    cache_destroy(&c);
}

static void dirty_victims(void **s)
{
    (void)s;
    struct cache c = mk(128, 2, 64, CACHE_REPL_LRU);
    cache_access(&c, A, true);
    cache_access(&c, B, false);
    struct cache_result r = cache_access(&c, C, false);   /* evicts A, written */
    assert_true(r.evicted && r.evicted_dirty);
    assert_int_equal(r.evicted_line, A);
    r = cache_access(&c, A, false);                        /* evicts B, clean */
    assert_true(r.evicted && !r.evicted_dirty);
    assert_int_equal(r.evicted_line, B);
    cache_destroy(&c);
}

static void line_sizes(void **s)
{
    (void)s;
    struct cache c32 = mk(1024, 2, 32, CACHE_REPL_LRU), c128 = mk(1024, 2, 128, CACHE_REPL_LRU);
    const uint64_t addr[] = { 0, 40, 100, 130 };
    char g32[5] = { 0 }, g128[5] = { 0 };
    for (int i = 0; i < 4; i++) {
        g32[i] = cache_access(&c32, cache_line_of(&c32, addr[i]), false).hit ? 'h' : 'm';
        g128[i] = cache_access(&c128, cache_line_of(&c128, addr[i]), false).hit ? 'h' : 'm';
    }
    assert_string_equal(g32, "mmmm");    /* lines 0, 1, 3, 4 */
    assert_string_equal(g128, "mhhm");   /* lines 0, 0, 0, 1 */
    cache_destroy(&c32);
    cache_destroy(&c128);
}

static void bad_geometry_refused(void **s)
{
    (void)s;
    struct cache c;
    const char *why = NULL;
    assert_false(cache_init(&c, 96, 2, 64, CACHE_REPL_LRU, &why));
    assert_non_null(why);
    assert_false(cache_init(&c, 1024, 3, 64, CACHE_REPL_LRU, &why));
    enum cache_repl r;
    assert_true(cache_repl_parse("FIFORP", &r) && r == CACHE_REPL_FIFO);
    assert_true(cache_repl_parse("random", &r) && r == CACHE_REPL_RANDOM);
    assert_false(cache_repl_parse("PLRU", &r));
}

/* ---------------------------------------------------------- hierarchy -- */

static struct memsys *mk_sys(bool caches, bool l2, const char *mem)
{
    struct memsys_config cfg;
    memsys_config_defaults(&cfg);
    cfg.caches = caches;
    cfg.l2cache = l2;
    cfg.mem_type = mem;
    struct memsys *ms = memsys_new(&cfg, NULL);
    assert_non_null(ms);
    return ms;
}

#define DATA MEM_REQ_DATA
#define RD MEM_OP_READ
#define WR MEM_OP_WRITE

static uint64_t st(struct memsys *ms, uint64_t *arr, enum memsys_cmd cmd, unsigned req)
{
    return arr[cmd * ms->nreq + req];
}

static void latency_composition(void **s)
{
    (void)s;
    struct memsys *ms = mk_sys(true, true, "DDR3_1600_8x8");
    const unsigned cd = memsys_requestor(0, DATA);
    /*
     * L1 miss, L2 miss, DRAM bank precharged, at tick 0 (2 GHz CPU, P = 500; 1 GHz membus):
     *   L1 forwards at 2P = 1000; tol2bus headerDelay 1P; L2 forwards at 1000 + 20P + 1P = 11500;
     *   membus headerDelay = 500 (to its edge) + (3 + 4 + 1) ns = 8500;
     *   DRAM: ACT 11500, RD at +tRCD 25250, data done +tCL +tBURST = 44000;
     *   controller responds at 44000 + 10 + 10 ns + 8500 = 72500; membus: edge 73000 + 2 ns = 75000;
     *   L2 responds 75000 + 20P = 85000; tol2bus +1P = 85500; L1 +2P = 86500.
     */
    assert_int_equal(memsys_access(ms, 0, DATA, RD, 0x0, 8, 0), 86500);
    /* L1 hit: max(tag, data) = 2 cycles. */
    assert_int_equal(memsys_access(ms, 0, DATA, RD, 0x8, 8, 100000), 1000);
    /* Write hit: tag latency only (2 cycles). */
    assert_int_equal(memsys_access(ms, 0, DATA, WR, 0x10, 8, 101000), 1000);
    /* The same line evicted from the L1 but in the L2: L1 2P, bus 1P, L2 1 + 20, bus 1P, L1 2P = 26P. */
    struct memsys_level *l1 = &ms->dcache[0];
    uint64_t set_stride = l1->tags.sets * 64ull;
    memsys_access(ms, 0, DATA, RD, 0x0 + set_stride, 8, 200000);        /* L2 miss, fills way 2 */
    memsys_access(ms, 0, DATA, RD, 0x0 + 2 * set_stride, 8, 400000);    /* evicts line 0 (dirty) */
    assert_int_equal(memsys_access(ms, 0, DATA, RD, 0x0, 8, 600000), 26 * 500);
    /* Row hit: another burst of the open row (bank 0, row 0) needs no ACT: the controller
     * answers 11500 + tCL + tBURST + 20 ns + 8500 = 58750 after `now`, which the membus rounds
     * up to its 1 GHz edge (59000, where the miss above rounded 72500 to 73000); then as above:
     * 59000 + 2 ns + 20P + 1P + 2P = 72500. */
    assert_int_equal(memsys_access(ms, 0, DATA, RD, 0x40, 8, 1000000), 72500);
    /* Bank conflict: row 1 of bank 0, rank 0 (8 KiB rows x 8 banks x 2 ranks = 128 KiB per row):
     * PRE, then tRP + tRCD + tCL + tBURST = 46250; 11500 + 46250 + 28500 = 86250, edge 87000. */
    assert_int_equal(memsys_access(ms, 0, DATA, RD, 128 << 10, 8, 2000000), 86500 + 13750 + 250);

    assert_int_equal(st(ms, l1->st.misses, CMD_READ_REQ, cd), 6);
    assert_int_equal(st(ms, l1->st.hits, CMD_READ_REQ, cd), 1);
    assert_int_equal(st(ms, l1->st.hits, CMD_WRITE_REQ, cd), 1);
    assert_int_equal(st(ms, ms->l2->st.misses, CMD_READ_SHARED_REQ, cd), 5);
    assert_int_equal(st(ms, ms->l2->st.hits, CMD_READ_SHARED_REQ, cd), 1);
    /* DRAM reads: 0x0; 32 KiB (bank 4) and 64 KiB (bank 0 of rank 1), both precharged;
     * 0x40 (the one row hit); the conflict. 0x0 again was an L2 hit. */
    assert_int_equal(ms->chan[0].st.readBursts, 5);
    assert_int_equal(ms->chan[0].st.readRowHits, 1);
    assert_int_equal(st(ms, ms->l2->st.hits, CMD_WRITEBACK_DIRTY, MEMSYS_REQ_WRITEBACKS), 1);
    uint64_t lat = st(ms, l1->st.miss_latency, CMD_READ_REQ, cd);
    assert_true(lat > 86500 + 26 * 500 + 72750 + 100750);
    memsys_free(ms);
}

static void writebacks_reach_the_l2(void **s)
{
    (void)s;
    struct memsys_config cfg;
    memsys_config_defaults(&cfg);
    cfg.caches = cfg.l2cache = true;
    cfg.l1d.size = 256;        /* 2 sets x 2 ways */
    struct memsys *ms = memsys_new(&cfg, NULL);
    assert_non_null(ms);
    struct memsys_level *l1 = &ms->dcache[0];
    const unsigned cd = memsys_requestor(0, DATA);
    memsys_access(ms, 0, DATA, WR, 0x000, 8, 0);        /* set 0 */
    memsys_access(ms, 0, DATA, RD, 0x080, 8, 1000000);  /* set 0 */
    memsys_access(ms, 0, DATA, RD, 0x100, 8, 2000000);  /* set 0: evicts 0x000, dirty */
    memsys_access(ms, 0, DATA, RD, 0x180, 8, 3000000);  /* set 0: evicts 0x080, clean */
    assert_int_equal(l1->st.replacements, 2);
    assert_int_equal(l1->st.writebacks[MEMSYS_REQ_WRITEBACKS], 1);
    assert_int_equal(st(ms, ms->l2->st.hits, CMD_WRITEBACK_DIRTY, MEMSYS_REQ_WRITEBACKS), 1);
    assert_int_equal(st(ms, l1->st.misses, CMD_WRITE_REQ, cd), 1);
    assert_int_equal(st(ms, ms->l2->st.misses, CMD_READ_EX_REQ, cd), 1);
    assert_int_equal(st(ms, ms->l2->st.misses, CMD_READ_SHARED_REQ, cd), 3);
    /* The L2 holds 0x000 dirty now. */
    long i = cache_find(&ms->l2->tags, 0);
    assert_true(i >= 0 && (ms->l2->tags.tag[i] & CACHE_DIRTY));
    /* The L1I writes back clean lines (gem5's writeback_clean). */
    memsys_access(ms, 0, MEM_REQ_INST, RD, 0x10000, 4, 4000000);
    assert_int_equal(st(ms, ms->icache[0].st.misses, CMD_READ_REQ, memsys_requestor(0, MEM_REQ_INST)), 1);
    assert_int_equal(st(ms, ms->l2->st.misses, CMD_READ_CLEAN_REQ, memsys_requestor(0, MEM_REQ_INST)), 1);
    memsys_free(ms);
}

static void no_caches_simple_memory(void **s)
{
    (void)s;
    struct memsys *ms = mk_sys(false, false, "SimpleMemory");
    /* membus headerDelay 8 ns, SimpleMemory 30 ns, membus response 2 ns. */
    assert_int_equal(memsys_access(ms, 0, DATA, RD, 0x1000, 8, 0), 40000);
    /* The bandwidth limit: 8 bytes at 12.8 GiB/s keep it busy 582 ticks, so a read arriving at 100
     * starts at 582: 582 + headerDelay (900 to the edge + 8000) + 30000 = 39482, edge 40000, +2 ns. */
    assert_int_equal(memsys_access(ms, 0, DATA, RD, 0x1000, 8, 100), 42000 - 100);
    assert_int_equal(ms->smem[0].st.readReqs, 2);
    assert_int_equal(ms->smem[0].st.bytesReadSys, 16);
    memsys_free(ms);
}

static void warming_matches_timed_state(void **s)
{
    (void)s;
    struct memsys *a = mk_sys(true, true, NULL), *b = mk_sys(true, true, NULL);
    uint64_t x = 12345;
    for (int i = 0; i < 200000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t addr = (x >> 20) & ((8u << 20) - 1);
        enum mem_req r = (x >> 8) & 1 ? MEM_REQ_INST : (x >> 10) % 8 == 0 ? MEM_REQ_WALK : MEM_REQ_DATA;
        enum mem_op op = r == MEM_REQ_DATA && ((x >> 9) & 1) ? WR : RD;
        memsys_access(a, 0, r, op, addr, 1, (uint64_t)i * 1000000);
        memsys_warm(b, 0, r, op, addr);
    }
    struct memsys_level *la[3] = { &a->icache[0], &a->dcache[0], a->l2 };
    struct memsys_level *lb[3] = { &b->icache[0], &b->dcache[0], b->l2 };
    for (int k = 0; k < 3; k++) {
        size_t n = (size_t)la[k]->tags.sets * la[k]->tags.assoc;
        assert_memory_equal(la[k]->tags.tag, lb[k]->tags.tag, n * sizeof(uint64_t));
        assert_memory_equal(la[k]->tags.stamp, lb[k]->tags.stamp, n * sizeof(uint64_t));
    }
    /* Warming counts nothing. */
    assert_int_equal(st(b, b->dcache[0].st.misses, CMD_READ_REQ, memsys_requestor(0, DATA)), 0);
    memsys_free(a);
    memsys_free(b);
}

static void save_load_round_trip(void **s)
{
    (void)s;
    struct memsys *a = mk_sys(true, true, NULL);
    for (uint64_t addr = 0; addr < (1u << 20); addr += 192)
        memsys_warm(a, 0, DATA, addr & 64 ? WR : RD, addr);
    FILE *f = tmpfile();
    memsys_save(a, f);
    rewind(f);
    struct memsys *b = mk_sys(true, true, NULL);
    char why[256] = "";
    assert_true(memsys_load(b, f, why, sizeof why));
    struct memsys_level *la[3] = { &a->icache[0], &a->dcache[0], a->l2 };
    struct memsys_level *lb[3] = { &b->icache[0], &b->dcache[0], b->l2 };
    for (int k = 0; k < 3; k++) {
        size_t n = (size_t)la[k]->tags.sets * la[k]->tags.assoc;
        assert_memory_equal(la[k]->tags.tag, lb[k]->tags.tag, n * sizeof(uint64_t));
        assert_memory_equal(la[k]->tags.stamp, lb[k]->tags.stamp, n * sizeof(uint64_t));
        assert_int_equal(la[k]->tags.clock, lb[k]->tags.clock);
    }
    /* Another L2 size: refused, saying what differs. */
    struct memsys_config cfg;
    memsys_config_defaults(&cfg);
    cfg.caches = cfg.l2cache = true;
    cfg.l2.size = 1 << 20;
    struct memsys *c = memsys_new(&cfg, NULL);
    rewind(f);
    assert_false(memsys_load(c, f, why, sizeof why));
    assert_non_null(strstr(why, "system.l2"));
    assert_non_null(strstr(why, "size=2097152"));
    /* Another hierarchy: refused. */
    struct memsys *d = mk_sys(true, false, NULL);
    rewind(f);
    assert_false(memsys_load(d, f, why, sizeof why));
    assert_non_null(strstr(why, "caches"));
    fclose(f);
    memsys_free(a);
    memsys_free(b);
    memsys_free(c);
    memsys_free(d);
}

static void config_ini_records_the_hierarchy(void **s)
{
    (void)s;
    struct memsys *ms = mk_sys(true, true, NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    memsys_write_config(ms, f);
    fclose(f);
    assert_non_null(strstr(buf, "[system.cpu.icache]\ntype=Cache\nassoc=2\n"));
    assert_non_null(strstr(buf, "size=32768\n"));
    assert_non_null(strstr(buf, "[system.l2]"));
    assert_non_null(strstr(buf, "tag_latency=20\n"));
    assert_non_null(strstr(buf, "[system.mem_ctrls.dram]"));
    assert_non_null(strstr(buf, "tRCD=13750\n"));
    assert_non_null(strstr(buf, "type=LRURP"));
    free(buf);
    memsys_free(ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lru_sequence),
        cmocka_unit_test(fifo_sequence),
        cmocka_unit_test(random_is_seeded_and_fills_invalid_first),
        cmocka_unit_test(sets_and_conflicts),
        cmocka_unit_test(dirty_victims),
        cmocka_unit_test(line_sizes),
        cmocka_unit_test(bad_geometry_refused),
        cmocka_unit_test(latency_composition),
        cmocka_unit_test(writebacks_reach_the_l2),
        cmocka_unit_test(no_caches_simple_memory),
        cmocka_unit_test(warming_matches_timed_state),
        cmocka_unit_test(save_load_round_trip),
        cmocka_unit_test(config_ini_records_the_hierarchy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
