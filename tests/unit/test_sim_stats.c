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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_values_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
