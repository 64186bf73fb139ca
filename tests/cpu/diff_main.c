/*
 * diff_main.c - run every instruction family's differential tests
 * (tests/cpu/diff_<family>.c) and report totals. Exit status 1 on any failure
 * or when a family's tests or handlers are missing.
 */
#include <stdio.h>
#include <string.h>

#include "cpu/exec.h"
#include "diff.h"

#define FAMILIES(X) X(alu) X(muldiv) X(shift) X(bit) X(mov) X(stack) X(branch) \
    X(string) X(atomic) X(x87) X(sse) X(system)
#define DECLARE(f) __attribute__((weak)) unsigned diff_##f##_run(void);
FAMILIES(DECLARE)

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    unsigned failures = 0, missing = 0;
    diff_init();
#define RUN(f)                                                                        \
    if (!only || !strcmp(only, #f)) {                                                 \
        if (!diff_##f##_run) {                                                        \
            printf("MISSING %-8s no differential tests\n", #f);                       \
            missing++;                                                                \
        } else {                                                                      \
            struct diff_stats before = diff_stats;                                    \
            unsigned fails = diff_##f##_run();                                        \
            printf("%s %-8s %u cases (%u against the host, %u against the model's "  \
                   "definition), %u failures\n", fails ? "FAIL" : "PASS", #f,          \
                   diff_stats.cases - before.cases, diff_stats.host - before.host,    \
                   diff_stats.model - before.model, fails);                           \
            failures += fails;                                                        \
        }                                                                             \
    }
    FAMILIES(RUN)
#undef RUN
    missing += (unsigned)exec_missing_families();
    printf("%s cpu differential: %u cases (%u against the host, %u against the model's definition), "
           "%u failures, %u missing\n", failures || missing ? "FAIL" : "PASS", diff_stats.cases,
           diff_stats.host, diff_stats.model, failures, missing);
    return failures || missing ? 1 : 0;
}
