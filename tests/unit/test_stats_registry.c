/*
 * test_stats_registry.c - the statistics registry (host/stats/registry*.c):
 * its stats.txt output byte for byte against lines written out here by hand
 * from gem5 v24's text format (the simFreq line is exactly as gem5 prints
 * it) for scalars, formulas (whole, fractional, nan, inf, a set precision),
 * vectors (subnames, indices, one entry, nozero, shares, vector formulas),
 * distributions (shares, "%g" bucket bounds, empty and single-sample
 * stdev), the order of nested groups, reset, freeing a group, and the JSON
 * line of a dump.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/registry.h"

#define BEGIN "\n---------- Begin Simulation Statistics ----------\n"
#define END "\n---------- End Simulation Statistics   ----------\n"

static char *dump(struct stats_group *g, bool json)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    if (json)
        stats_dump_json(g, f);
    else
        stats_dump_text(g, f);
    fclose(f);
    return buf;
}

static void expect_text(struct stats_group *g, const char *want)
{
    char *got = dump(g, false);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "--- got:\n%s--- wanted:\n%s", got, want);
    assert_string_equal(got, want);
    free(got);
}

static double constant(const void *ctx)
{
    return *(const double *)ctx;
}

static void gem5_freq_line_exactly(void **state)
{
    (void)state;
    uint64_t freq = 1000000000000ull;
    struct stats_group *root = stats_root_new();
    stats_add_scalar(root, "simFreq", &freq, "(Tick/Second)", "The number of ticks per simulated second");
    expect_text(root, BEGIN
        "simFreq                                  1000000000000                       # The number of ticks per simulated second ((Tick/Second))\n"
        END);
    stats_group_free(root);
}

static void scalars_formulas_and_nesting(void **state)
{
    (void)state;
    static const double secs = 0.02, host = 18.876, three = 3.0, nan_ = NAN, inf = INFINITY, ninf = -INFINITY;
    uint64_t ticks = 20000000000ull, bare = 7, late = 1, cycles = 1000, hits = 2, reads = 4;
    struct stats_group *root = stats_root_new();
    stats_add_scalar(root, "simTicks", &ticks, "Tick", "Number of ticks simulated");
    stats_add_formula(root, "simSeconds", constant, &secs, "Second", "Number of seconds simulated");
    stats_add_formula(root, "hostSeconds", constant, &host, "Second", "Real time elapsed on the host");
    stats_set_precision(root, "hostSeconds", 2);
    stats_add_formula(root, "whole", constant, &three, "Ratio", "A formula with a whole value");
    stats_add_formula(root, "notANumber", constant, &nan_, "Ratio", "Zero by zero");
    stats_add_formula(root, "infinite", constant, &inf, "Ratio", "One by zero");
    stats_add_formula(root, "minusInfinite", constant, &ninf, "Ratio", "Minus one by zero");
    stats_add_scalar(root, "bare", &bare, "", "");
    struct stats_group *system = stats_group_new(root, "system");
    struct stats_group *cpu = stats_group_new(system, "cpu");
    struct stats_group *mem = stats_group_new(system, "mem");
    struct stats_group *dcache = stats_group_new(cpu, "dcache");
    assert_string_equal(stats_group_path(root), "");
    assert_string_equal(stats_group_path(dcache), "system.cpu.dcache");
    stats_add_scalar(mem, "reads", &reads, "Count", "Reads");
    stats_add_scalar(dcache, "hits", &hits, "Count", "Hits");
    stats_add_scalar(cpu, "numCycles", &cycles, "Cycle", "Number of cpu cycles simulated");
    stats_add_scalar(system, "late", &late, "Count", "Registered after the children");
    expect_text(root, BEGIN
        "simTicks                                  20000000000                       # Number of ticks simulated (Tick)\n"
        "simSeconds                                   0.020000                       # Number of seconds simulated (Second)\n"
        "hostSeconds                                     18.88                       # Real time elapsed on the host (Second)\n"
        "whole                                               3                       # A formula with a whole value (Ratio)\n"
        "notANumber                                        nan                       # Zero by zero (Ratio)\n"
        "infinite                                          inf                       # One by zero (Ratio)\n"
        "minusInfinite                                    -inf                       # Minus one by zero (Ratio)\n"
        "bare                                                7                      \n"
        "system.late                                         1                       # Registered after the children (Count)\n"
        "system.cpu.numCycles                             1000                       # Number of cpu cycles simulated (Cycle)\n"
        "system.cpu.dcache.hits                              2                       # Hits (Count)\n"
        "system.mem.reads                                    4                       # Reads (Count)\n"
        END);
    /* A group dumps alone with its full names. */
    expect_text(dcache, BEGIN
        "system.cpu.dcache.hits                              2                       # Hits (Count)\n"
        END);
    /* Freeing a group removes it from its parent's dumps. */
    stats_group_free(cpu);
    char *got = dump(root, false);
    assert_null(strstr(got, "system.cpu"));
    assert_non_null(strstr(got, "system.mem.reads "));
    free(got);
    stats_group_free(root);
}

struct ratio {
    uint64_t misses[2], accesses[2];
};

static double miss_rate(const void *ctx, unsigned i)
{
    const struct ratio *r = ctx;
    if (i == 2)
        return (double)(r->misses[0] + r->misses[1]) / (double)(r->accesses[0] + r->accesses[1]);
    return (double)r->misses[i] / (double)r->accesses[i];
}

static void vectors(void **state)
{
    (void)state;
    static const char *const requestors[] = { "cpu.inst", "cpu.data" };
    static const char *const classes[] = { "IntAlu", "MemRead" };
    uint64_t hits[2] = { 3, 0 }, idx[3] = { 1, 2, 3 }, one[1] = { 9 }, sparse[2] = { 0, 5 },
             empty[2] = { 0, 0 }, shares[2] = { 1, 3 };
    struct ratio r = { { 1, 0 }, { 4, 0 } };
    struct stats_group *root = stats_root_new();
    struct stats_group *g = stats_group_new(root, "g");
    stats_add_vector(g, "hits", hits, 2, requestors, true, "Count", "Hits");
    stats_add_vector(g, "idx", idx, 3, NULL, false, "Count", "Indexed");
    stats_add_vector(g, "one", one, 1, requestors, true, "Count", "A vector of one");
    stats_add_vector(g, "sparse", sparse, 2, requestors, true, "Count", "Zero entries hidden");
    stats_set_flags(g, "sparse", STATS_NOZERO);
    stats_add_vector(g, "empty", empty, 2, requestors, true, "Count", "All zero: nothing printed");
    stats_set_flags(g, "empty", STATS_NOZERO);
    stats_add_vector(g, "shares", shares, 2, classes, true, "Count", "Shares");
    stats_set_flags(g, "shares", STATS_PDF);
    stats_add_vformula(g, "missRate", miss_rate, &r, 2, requestors, true, "Ratio", "Miss rate");
    expect_text(root, BEGIN
        "g.hits::cpu.inst                                    3                       # Hits (Count)\n"
        "g.hits::cpu.data                                    0                       # Hits (Count)\n"
        "g.hits::total                                       3                       # Hits (Count)\n"
        "g.idx::0                                            1                       # Indexed (Count)\n"
        "g.idx::1                                            2                       # Indexed (Count)\n"
        "g.idx::2                                            3                       # Indexed (Count)\n"
        "g.one                                               9                       # A vector of one (Count)\n"
        "g.sparse::cpu.data                                  5                       # Zero entries hidden (Count)\n"
        "g.sparse::total                                     5                       # Zero entries hidden (Count)\n"
        "g.shares::IntAlu                                    1     25.00%     25.00% # Shares (Count)\n"
        "g.shares::MemRead                                   3     75.00%    100.00% # Shares (Count)\n"
        "g.shares::total                                     4                       # Shares (Count)\n"
        "g.missRate::cpu.inst                         0.250000                       # Miss rate (Ratio)\n"
        "g.missRate::cpu.data                              nan                       # Miss rate (Ratio)\n"
        "g.missRate::total                            0.250000                       # Miss rate (Ratio)\n"
        END);
    stats_group_free(root);
}

static void distributions(void **state)
{
    (void)state;
    struct stats_group *root = stats_root_new();
    struct stats_dist *lat = stats_add_distribution(root, "lat", 10, 10, 2, "Tick", "Latency");
    struct stats_dist *single = stats_add_distribution(root, "single", 0, 1, 3, "Count", "One sample");
    stats_add_distribution(root, "big", 0, 1000000, 2, "Byte", "Wide buckets");
    struct stats_dist *hidden = stats_add_distribution(root, "hidden", 0, 1, 2, "Count", "No samples: nothing");
    stats_set_flags(root, "hidden", STATS_NOZERO);
    (void)hidden;
    stats_dist_sample(lat, 5, 1);
    stats_dist_sample(lat, 12, 2);
    stats_dist_sample(lat, 25, 1);
    stats_dist_sample(lat, 100, 1);
    stats_dist_sample(lat, 50, 0);   /* no samples: changes nothing */
    stats_dist_sample(single, 2, 1);
    expect_text(root, BEGIN
        "lat::samples                                        5                       # Latency (Tick)\n"
        "lat::mean                                   30.800000                       # Latency (Tick)\n"
        "lat::stdev                                  39.353526                       # Latency (Tick)\n"
        "lat::underflows                                     1     20.00%     20.00% # Latency (Tick)\n"
        "lat::10-19                                          2     40.00%     60.00% # Latency (Tick)\n"
        "lat::20-29                                          1     20.00%     80.00% # Latency (Tick)\n"
        "lat::overflows                                      1     20.00%    100.00% # Latency (Tick)\n"
        "lat::min_value                                      5                       # Latency (Tick)\n"
        "lat::max_value                                    100                       # Latency (Tick)\n"
        "lat::total                                          5                       # Latency (Tick)\n"
        "single::samples                                     1                       # One sample (Count)\n"
        "single::mean                                        2                       # One sample (Count)\n"
        "single::stdev                                     nan                       # One sample (Count)\n"
        "single::underflows                                  0      0.00%      0.00% # One sample (Count)\n"
        "single::0                                           0      0.00%      0.00% # One sample (Count)\n"
        "single::1                                           0      0.00%      0.00% # One sample (Count)\n"
        "single::2                                           1    100.00%    100.00% # One sample (Count)\n"
        "single::overflows                                   0      0.00%    100.00% # One sample (Count)\n"
        "single::min_value                                   2                       # One sample (Count)\n"
        "single::max_value                                   2                       # One sample (Count)\n"
        "single::total                                       1                       # One sample (Count)\n"
        "big::samples                                        0                       # Wide buckets (Byte)\n"
        "big::mean                                         nan                       # Wide buckets (Byte)\n"
        "big::stdev                                        nan                       # Wide buckets (Byte)\n"
        "big::underflows                                     0                       # Wide buckets (Byte)\n"
        "big::0-999999                                       0                       # Wide buckets (Byte)\n"
        "big::1e+06-2e+06                                    0                       # Wide buckets (Byte)\n"
        "big::overflows                                      0                       # Wide buckets (Byte)\n"
        "big::min_value                                      0                       # Wide buckets (Byte)\n"
        "big::max_value                                      0                       # Wide buckets (Byte)\n"
        "big::total                                          0                       # Wide buckets (Byte)\n"
        END);
    stats_group_free(root);
}

static double twice(const void *ctx)
{
    return 2.0 * (double)*(const uint64_t *)ctx;
}

static void reset_zeroes_counters_and_distributions(void **state)
{
    (void)state;
    static const char *const sub[] = { "a", "b" };
    uint64_t n = 21, v[2] = { 1, 2 };
    struct stats_group *root = stats_root_new();
    struct stats_group *child = stats_group_new(root, "c");
    stats_add_scalar(root, "n", &n, "Count", "N");
    stats_add_formula(root, "twice", twice, &n, "Count", "2N");
    stats_add_vector(child, "v", v, 2, sub, true, "Count", "V");
    struct stats_dist *d = stats_add_distribution(child, "d", 0, 4, 1, "Count", "D");
    stats_dist_sample(d, 3, 2);
    stats_dist_sample(d, 9, 1);
    char *before = dump(root, false);
    assert_non_null(strstr(before, "twice                                              42 "));
    assert_non_null(strstr(before, "c.d::max_value                                      9 "));
    free(before);
    stats_reset(root);
    assert_int_equal(n, 0);
    assert_int_equal(v[0] + v[1], 0);
    n = 1;   /* counting goes on after the reset; formulas follow */
    expect_text(root, BEGIN
        "n                                                   1                       # N (Count)\n"
        "twice                                               2                       # 2N (Count)\n"
        "c.v::a                                              0                       # V (Count)\n"
        "c.v::b                                              0                       # V (Count)\n"
        "c.v::total                                          0                       # V (Count)\n"
        "c.d::samples                                        0                       # D (Count)\n"
        "c.d::mean                                         nan                       # D (Count)\n"
        "c.d::stdev                                        nan                       # D (Count)\n"
        "c.d::underflows                                     0                       # D (Count)\n"
        "c.d::0-3                                            0                       # D (Count)\n"
        "c.d::overflows                                      0                       # D (Count)\n"
        "c.d::min_value                                      0                       # D (Count)\n"
        "c.d::max_value                                      0                       # D (Count)\n"
        "c.d::total                                          0                       # D (Count)\n"
        END);
    /* A reset of one group leaves the others alone. */
    v[0] = 5;
    stats_reset(child);
    assert_int_equal(n, 1);
    assert_int_equal(v[0], 0);
    stats_group_free(root);
}

static void json_line(void **state)
{
    (void)state;
    static const char *const sub[] = { "cpu.inst", "cpu.data" };
    static const double tenth = 0.1, nan_ = NAN, inf = INFINITY, secs = 18.876;
    uint64_t insts = 1234, v[2] = { 3, 4 }, one[1] = { 8 }, zero = 0;
    struct stats_group *root = stats_root_new();
    stats_add_scalar(root, "simInsts", &insts, "Count", "Number of instructions simulated");
    stats_add_formula(root, "hostSeconds", constant, &secs, "Second", "Real time");
    stats_set_precision(root, "hostSeconds", 2);   /* the text's rounding, not JSON's */
    stats_add_scalar(root, "hidden", &zero, "Count", "nozero and 0: absent");
    stats_set_flags(root, "hidden", STATS_NOZERO);
    struct stats_group *cpu = stats_group_new(stats_group_new(root, "system"), "cpu");
    stats_add_formula(cpu, "ipc", constant, &tenth, "(Count/Cycle)", "IPC");
    stats_add_formula(cpu, "nan", constant, &nan_, "Ratio", "nan");
    stats_add_formula(cpu, "inf", constant, &inf, "Ratio", "inf");
    stats_add_vector(cpu, "hits", v, 2, sub, true, "Count", "Hits");
    stats_add_vector(cpu, "one", one, 1, sub, false, "Count", "One");
    stats_add_scalar(cpu, "quote\"d", &insts, "Count", "escaped");
    struct stats_dist *d = stats_add_distribution(cpu, "d", 0, 2, 1, "Count", "D");
    stats_dist_sample(d, 1, 1);
    char *got = dump(root, true);
    assert_string_equal(got,
        "{\"simInsts\":1234,\"hostSeconds\":18.876,"
        "\"system.cpu.ipc\":0.1,\"system.cpu.nan\":null,\"system.cpu.inf\":null,"
        "\"system.cpu.hits\":{\"cpu.inst\":3,\"cpu.data\":4,\"total\":7},"
        "\"system.cpu.one\":8,\"system.cpu.quote\\\"d\":1234,"
        "\"system.cpu.d\":{\"samples\":1,\"mean\":1,\"stdev\":null,\"underflows\":0,\"0-1\":1,"
        "\"overflows\":0,\"min_value\":1,\"max_value\":1,\"total\":1}}\n");
    free(got);
    /* An empty registry is an empty object; each dump is one line. */
    struct stats_group *empty = stats_root_new();
    got = dump(empty, true);
    assert_string_equal(got, "{}\n");
    free(got);
    stats_group_free(empty);
    stats_group_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gem5_freq_line_exactly),
        cmocka_unit_test(scalars_formulas_and_nesting),
        cmocka_unit_test(vectors),
        cmocka_unit_test(distributions),
        cmocka_unit_test(reset_zeroes_counters_and_distributions),
        cmocka_unit_test(json_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
