/*
 * stats.h - statistics in gem5's stats.txt text format.
 *
 * Each component prints its statistics with a name, a value, a description
 * and a unit between the Begin/End markers, as gem5 does, so scripts written
 * for gem5's output parse ours.
 */
#ifndef M5SIM_STATS_STATS_H
#define M5SIM_STATS_STATS_H

#include <stdint.h>
#include <stdio.h>

void stats_begin(FILE *f);
void stats_end(FILE *f);
void stats_u64(FILE *f, const char *name, uint64_t value, const char *desc, const char *unit);
void stats_f64(FILE *f, const char *name, double value, const char *desc, const char *unit);

#endif
