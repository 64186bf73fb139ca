/*
 * m5_stats.c - the statistics m5 ops from an SE program, through libm5 in
 * instruction mode (run with --env M5_MODE=inst): work, dumpresetstats,
 * more work, workbegin/workend around it, dumpstats; then a delayed and
 * periodic dumpstats while it works on. tests/system/20_se_programs.sh
 * checks the blocks of stats.txt. Natively (no M5_MODE) the ops do nothing.
 *
 * Usage: m5_stats [PERIODIC_NS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "m5.h"

static volatile uint64_t sink;

static void work(unsigned rounds)
{
    uint64_t x = 1;
    for (unsigned i = 0; i < rounds; i++)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    sink = x;
}

int main(int argc, char **argv)
{
    work(200000);
    m5_dump_reset_stats(0, 0);        /* block 1: the first work; then counting starts again */
    m5_work_begin(0, 0);
    work(100000);
    m5_work_end(0, 0);
    m5_dump_stats(0, 0);              /* block 2: the second work only */
    if (argc > 1) {
        uint64_t period = strtoull(argv[1], NULL, 0);
        m5_dump_stats(period, period);  /* blocks every PERIOD ns of simulated time from now on */
        work(2000000);
        m5_reset_stats(0, 0);         /* replaces the periodic dumps */
        work(100000);
    }
    printf("done\n");
    return 0;
}
