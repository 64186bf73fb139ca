/* cpu_name.h - gem5's name for one of the machine's CPUs, shared by every component that names per-CPU statistics. */
#ifndef M5SIM_STATS_CPU_NAME_H
#define M5SIM_STATS_CPU_NAME_H

#include <stddef.h>
#include <stdio.h>

/*
 * gem5's name for CPU i of n (its SimObjectVector.set_parent): "cpu" when
 * alone, else "cpu<i>" zero-padded to the digits of n - 1 ("cpu0".."cpu9",
 * "cpu00".."cpu15"). Everything registered per CPU (system.<name>.*, the
 * caches' system.<name>.dcache, requestors <name>.data) uses it.
 */
static inline void sim_stats_cpu_name(unsigned i, unsigned n, char *buf, size_t len)
{
    if (n <= 1) {
        snprintf(buf, len, "cpu");
        return;
    }
    int width = 0;
    for (unsigned p = 1; p < n; p *= 10)   /* ceil(log10(n)), as gem5 computes it */
        width++;
    snprintf(buf, len, "cpu%0*u", width, i);
}

#endif
