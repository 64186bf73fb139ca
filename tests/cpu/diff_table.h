/*
 * diff_table.h - differential test cases written as tables of hex strings
 * ("48 89 c3"), run through diff_fuzz(). Used by the data-movement and
 * control-flow families (diff_mov.c, diff_stack.c, diff_branch.c,
 * diff_string.c, diff_atomic.c).
 */
#ifndef M5SIM_TESTS_CPU_DIFF_TABLE_H
#define M5SIM_TESTS_CPU_DIFF_TABLE_H

#include <stdio.h>
#include <stdlib.h>

#include "diff.h"

/* Table rows leave the optional trailing fields (fixup, model) out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct diff_test {
    const char *name;
    const char *hex;                        /* instruction bytes, e.g. "48 0f b1 0e" */
    uint64_t undefined_flags;
    unsigned n;                             /* random inputs (0: 200) */
    uint32_t regs;                          /* registers that also get every edge value */
    void (*fixup)(struct diff_state *st);   /* point memory operands into the data buffer, ... */
    diff_model_fn model;                    /* vendor-dependent or undefined: the model's definition (diff.h) */
};

/* Register bits for diff_test.regs. */
#define R_(r) (1u << (r))

static inline unsigned diff_hex_parse(const char *hex, uint8_t *out, unsigned max)
{
    unsigned n = 0;
    while (*hex) {
        if (*hex == ' ') {
            hex++;
            continue;
        }
        char b[3] = { hex[0], hex[1], 0 };
        char *end;
        unsigned long v = strtoul(b, &end, 16);
        if (end != b + 2 || n == max) {
            fprintf(stderr, "diff_table: bad hex near \"%s\"\n", hex);
            exit(2);
        }
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

/* Run every test of a table; returns the number of failures. */
static inline unsigned diff_table_run(const struct diff_test *t, unsigned count)
{
    unsigned failures = 0;
    for (unsigned i = 0; i < count; i++) {
        uint8_t code[256];
        struct diff_case c = {
            .name = t[i].name,
            .code = code,
            .len = diff_hex_parse(t[i].hex, code, sizeof code),
            .undefined_flags = t[i].undefined_flags,
            .compare_fx = false,
            .model = t[i].model,
        };
        failures += diff_fuzz(&c, t[i].n ? t[i].n : 200, t[i].regs, t[i].fixup);
    }
    return failures;
}

#define DIFF_TABLE_RUN(t) diff_table_run((t), sizeof(t) / sizeof((t)[0]))

#endif
