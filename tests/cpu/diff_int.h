/*
 * diff_int.h - table-driven differential cases for the integer families
 * (diff_alu.c, diff_muldiv.c, diff_shift.c, diff_bit.c).
 *
 * Each row is one instruction form: its assembly text (Intel syntax, as
 * given to `as`), its bytes, the flags the Intel SDM leaves undefined for it,
 * an optional input fixup (memory operands, divisor ranges, ...) and the
 * registers that get every edge value (diff_fuzz; the first two in register
 * number order get all pairs).
 *
 * Undefined flags are not compared by default, so the suite holds on any
 * x86-64 host. With M5SIM_DIFF_STRICT=1 they are compared too: the handlers
 * imitate what Intel hardware does there, and strict mode checks that on an
 * Intel host. Forms whose whole result the SDM leaves undefined (such as
 * BSWAP r16) have a model function with the model's definition.
 */
#ifndef M5SIM_TESTS_CPU_DIFF_INT_H
#define M5SIM_TESTS_CPU_DIFF_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

/* Table rows leave the optional trailing fields (fixup, model) out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct int_case {
    const char *name;
    const char *code;
    unsigned len;
    uint64_t undefined_flags;
    void (*fixup)(struct diff_state *st);
    uint32_t edge_regs;         /* bit i: register i gets edge values */
    diff_model_fn model;        /* vendor-dependent or undefined: the model's definition (diff.h) */
};

#define R_(r) (1u << (r))

/* Memory operands use [rsi+disp]; the operand at [rsi] and [rsi+8] holds RDI (an edge register). */
#define INT_MEM_OFF 0x100u

static inline void int_fix_mem(struct diff_state *st)
{
    st->gpr[RSI] = DIFF_DATA_VA + INT_MEM_OFF;
    memcpy(&st->data[INT_MEM_OFF], &st->gpr[RDI], 8);
    memcpy(&st->data[INT_MEM_OFF + 8], &st->gpr[RDI], 8);
}

static inline bool int_strict(void)
{
    const char *e = getenv("M5SIM_DIFF_STRICT");
    return e && *e && *e != '0';
}

/* Run every row with `random_inputs` random states plus the edge values; returns failures. */
static inline unsigned int_run_table(const struct int_case *t, unsigned n, unsigned random_inputs)
{
    bool strict = int_strict();
    unsigned failures = 0;
    for (unsigned i = 0; i < n; i++) {
        struct diff_case c = {
            .name = t[i].name,
            .code = (const uint8_t *)t[i].code,
            .len = t[i].len,
            .undefined_flags = strict ? 0 : t[i].undefined_flags,
            .compare_fx = false,
            .model = t[i].model,
        };
        failures += diff_fuzz(&c, random_inputs, t[i].edge_regs, t[i].fixup);
    }
    return failures;
}

#endif
