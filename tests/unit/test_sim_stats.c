/*
 * test_sim_stats.c - the statistics every run prints (host/stats/sim_stats.c):
 * gem5 v24's names, order, units and decimals for the root and the CPU's
 * committed-instruction statistics; values are differences since the last
 * reset except finalTick; a dump right after a reset leaves out simInsts,
 * simOps and the rates, as gem5 does; the JSON line carries the same numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/sim_stats.h"

/* The dump without the host* lines (host time and memory differ run to run). */
static char *dump_sim_lines(struct stats_group *root, bool json)
{
    char *buf = NULL, *out = NULL;
    size_t size = 0, out_size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (json)
        stats_dump_json(root, f);
    else
        stats_dump_text(root, f);
    fclose(f);
    if (json)
        return buf;
    FILE *o = open_memstream(&out, &out_size);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, "host", 4) != 0)
            fprintf(o, "%s\n", line);
    fclose(o);
    free(buf);
    return out;
}

static void names_values_and_reset(void **state)
{
    (void)state;
    struct stats_group *root = stats_root_new();
    struct stats_group *cpu = stats_group_new(stats_group_new(root, "system"), "cpu");
    struct sim_stats s = { 0 };
    sim_stats_register(&s, root, cpu, (struct sim_totals){ .tick = 1000, .insts = 10, .ops = 10, .cycles = 5 });
    sim_stats_sample(&s, (struct sim_totals){ .tick = 2000001000, .insts = 410, .ops = 410, .cycles = 805 });
    char *got = dump_sim_lines(root, false);
    assert_string_equal(got,
        "---------- Begin Simulation Statistics ----------\n"
        "simSeconds                                   0.002000                       # Number of seconds simulated (Second)\n"
        "simTicks                                   2000000000                       # Number of ticks simulated (Tick)\n"
        "finalTick                                  2000001000                       # Number of ticks from beginning of simulation (restored from checkpoints and never reset) (Tick)\n"
        "simFreq                                  1000000000000                       # The number of ticks per simulated second ((Tick/Second))\n"
        "simInsts                                          400                       # Number of instructions simulated (Count)\n"
        "simOps                                            400                       # Number of ops (including micro ops) simulated (Count)\n"
        "system.cpu.numCycles                              800                       # Number of cpu cycles simulated (Cycle)\n"
        "system.cpu.cpi                               2.000000                       # CPI: cycles per instruction (core level) ((Cycle/Count))\n"
        "system.cpu.ipc                               0.500000                       # IPC: instructions per cycle (core level) ((Count/Cycle))\n"
        "system.cpu.commitStats0.numInsts                  400                       # Number of instructions committed (thread level) (Count)\n"
        "system.cpu.commitStats0.numOps                    400                       # Number of ops (including micro ops) committed (thread level) (Count)\n"
        "system.cpu.commitStats0.cpi                  2.000000                       # CPI: cycles per instruction (thread level) ((Cycle/Count))\n"
        "system.cpu.commitStats0.ipc                  0.500000                       # IPC: instructions per cycle (thread level) ((Count/Cycle))\n"
        "---------- End Simulation Statistics   ----------\n");
    free(got);

    /* The host lines are there, with gem5's decimals. */
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    stats_dump_text(root, f);
    fclose(f);
    const char *hs = strstr(buf, "\nhostSeconds ");
    assert_non_null(hs);
    const char *dot = strchr(hs, '.');
    assert_true(dot[1] >= '0' && dot[1] <= '9' && dot[2] >= '0' && dot[2] <= '9' && dot[3] == ' ');
    assert_non_null(strstr(buf, "\nhostTickRate "));
    assert_non_null(strstr(buf, "\nhostMemory "));
    assert_non_null(strstr(buf, "\nhostInstRate "));
    assert_non_null(strstr(buf, "\nhostOpRate "));
    free(buf);

    /* After a reset nothing has run: simInsts, simOps, numInsts and the rates are left out. */
    struct sim_totals now = { .tick = 3000000000, .insts = 500, .ops = 500, .cycles = 1000 };
    stats_reset(root);
    sim_stats_reset(&s, now);
    sim_stats_sample(&s, now);
    got = dump_sim_lines(root, false);
    assert_null(strstr(got, "simInsts"));
    assert_null(strstr(got, "simOps"));
    assert_null(strstr(got, "numInsts"));
    assert_non_null(strstr(got, "\nsimTicks                                            0 "));
    assert_non_null(strstr(got, "\nfinalTick                                  3000000000 "));
    assert_non_null(strstr(got, "\nsystem.cpu.cpi                                    nan "));
    free(got);

    /* The JSON line has the same numbers; nan is null. */
    got = dump_sim_lines(root, true);
    assert_non_null(strstr(got, "\"simTicks\":0,\"finalTick\":3000000000,\"simFreq\":1000000000000,"));
    assert_non_null(strstr(got, "\"system.cpu.cpi\":null"));
    free(got);
    stats_group_free(root);
}

/* gem5 names the CPUs of a list cpu0.. or, from 11 on, cpu00..: SimObjectVector.set_parent. */
static void cpu_names_as_gem5(void **state)
{
    (void)state;
    char b[16];
    sim_stats_cpu_name(0, 1, b, sizeof b);
    assert_string_equal(b, "cpu");
    sim_stats_cpu_name(1, 2, b, sizeof b);
    assert_string_equal(b, "cpu1");
    sim_stats_cpu_name(9, 10, b, sizeof b);
    assert_string_equal(b, "cpu9");
    sim_stats_cpu_name(3, 11, b, sizeof b);
    assert_string_equal(b, "cpu03");
    sim_stats_cpu_name(15, 16, b, sizeof b);
    assert_string_equal(b, "cpu15");
}

/* Several CPUs: the root counts the sum, each CPU its own instructions and cycles. */
static void per_cpu_statistics(void **state)
{
    (void)state;
    struct stats_group *root = stats_root_new();
    struct stats_group *system = stats_group_new(root, "system");
    struct sim_stats s = { 0 };
    struct sim_cpu_stats c[2] = { 0 };
    sim_stats_register(&s, root, NULL, (struct sim_totals){ .tick = 0, .insts = 100, .ops = 100, .cycles = 0 });
    for (unsigned i = 0; i < 2; i++) {
        char name[16];
        sim_stats_cpu_name(i, 2, name, sizeof name);
        sim_cpu_stats_register(&c[i], stats_group_new(system, name), 50, 0);
    }
    sim_stats_sample(&s, (struct sim_totals){ .tick = 1000, .insts = 400, .ops = 400, .cycles = 10 });
    sim_cpu_stats_sample(&c[0], 50 + 100, 10);
    sim_cpu_stats_sample(&c[1], 50 + 200, 10);
    assert_int_equal(s.sim_insts, 300);
    assert_int_equal(c[0].commit_insts, 100);
    assert_int_equal(c[1].commit_insts, 200);
    assert_int_equal(c[1].num_cycles, 10);
    char *got = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&got, &len);
    stats_dump_text(root, f);
    fclose(f);
    assert_non_null(strstr(got, "system.cpu1.commitStats0.numInsts"));
    assert_non_null(strstr(got, "system.cpu0.numCycles"));
    assert_null(strstr(got, "system.cpu.numCycles"));
    free(got);
    stats_group_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_values_and_reset),
        cmocka_unit_test(cpu_names_as_gem5),
        cmocka_unit_test(per_cpu_statistics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
