/* stats.c - gem5 stats.txt text format. */
#include "stats/stats.h"

void stats_begin(FILE *f)
{
    fprintf(f, "\n---------- Begin Simulation Statistics ----------\n");
}

void stats_end(FILE *f)
{
    fprintf(f, "\n---------- End Simulation Statistics   ----------\n");
    fflush(f);
}

void stats_u64(FILE *f, const char *name, uint64_t value, const char *desc, const char *unit)
{
    fprintf(f, "%-48s %20llu   # %s (%s)\n", name, (unsigned long long)value, desc, unit);
}

void stats_f64(FILE *f, const char *name, double value, const char *desc, const char *unit)
{
    fprintf(f, "%-48s %20.6f   # %s (%s)\n", name, value, desc, unit);
}
