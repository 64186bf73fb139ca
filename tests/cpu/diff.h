/*
 * diff.h - differential testing of the interpreter against the host CPU.
 *
 * A case is a short run of user-mode instruction bytes. diff_check() executes
 * it natively (in an RWX page, registers loaded from the input state) and in
 * the interpreter (same virtual addresses, same input state), then compares
 * general registers, RIP progress, the defined arithmetic flags, the data
 * buffer and the FXSAVE image (x87 + SSE), and any exception raised.
 *
 * Addresses: the data buffer lives at DIFF_DATA_VA in both worlds (a page
 * pair, DIFF_DATA_SIZE bytes), so memory operands use a register the case
 * loads with that address (e.g. state.gpr[RSI] = DIFF_DATA_VA). RSP points
 * into a private stack page in both worlds (RSP = DIFF_STACK_TOP - 512 at
entry, random initial contents) and the page is compared too. Code runs at
DIFF_CODE_VA with CPL 3 in the interpreter, as it does natively.
 */
#ifndef M5SIM_TESTS_CPU_DIFF_H
#define M5SIM_TESTS_CPU_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/state.h"

#define DIFF_CODE_VA   0x20000000ull
#define DIFF_DATA_VA   0x10000000ull
#define DIFF_DATA_SIZE 8192u
#define DIFF_STACK_TOP 0x10100000ull   /* RSP at entry; the page below is the stack */

struct diff_state {
    uint64_t gpr[16];                  /* gpr[RSP] is set by the harness */
    uint64_t rflags;                   /* only CF PF AF ZF SF OF DF are loaded */
    struct fxsave_area fx;             /* x87 + SSE, loaded with FXRSTOR natively */
    uint8_t data[DIFF_DATA_SIZE];      /* contents of the data buffer */
};

#define DIFF_STACK_BYTES 4096u         /* the stack page, compared after each case */

struct diff_result {
    struct diff_state out;
    uint8_t stack[DIFF_STACK_BYTES];
    int vector;                        /* -1: ran to the end; else the exception vector (#DE 0, #UD 6, #GP 13, #PF 14, ...) */
};

struct diff_case;

/*
 * The model's definition of a case whose outcome the host may not give:
 * behaviour that differs between Intel and AMD, results the SDM leaves
 * undefined, and extensions the model does not advertise (docs/cpu-model.md).
 * `expect` holds the host's result; the function rewrites what the model
 * defines differently (or recomputes it, e.g. with diff_run_native_ref() on
 * equivalent code) and returns true, so the input counts as checked against
 * the model's definition. It returns false when this input is not such a
 * case (then the host's result is the expectation). It decides by the case
 * and its input, never by the host's vendor, so the same expectation holds
 * on every host.
 */
typedef bool (*diff_model_fn)(const struct diff_case *c, const struct diff_state *in,
                              struct diff_result *expect);

/* Flags a case does not compare (undefined flags of the instruction). */
struct diff_case {
    const char *name;
    const uint8_t *code;
    unsigned len;
    uint64_t undefined_flags;          /* e.g. FL_AF for logic ops; FL_ARITH & ~FL_CF for MUL-like */
    bool compare_fx;                   /* compare the FXSAVE image (x87/SSE cases) */
    diff_model_fn model;               /* NULL: the host's result is the expectation */
};

/* Set up the harness once (maps the code, data and stack pages). */
void diff_init(void);
/* A deterministic pseudo-random state: random GPRs, flags, XMM, data; default x87/MXCSR control words. */
void diff_random_state(struct diff_state *st, uint64_t seed);
/* Interesting 64-bit values (0, 1, -1, sign boundaries, ...), indexed modulo the table size. */
uint64_t diff_edge_value(unsigned i);
unsigned diff_edge_count(void);

void diff_run_native(const struct diff_case *c, const struct diff_state *in, struct diff_result *r);
void diff_run_interp(const struct diff_case *c, const struct diff_state *in, struct diff_result *r);
/*
 * Run both and compare; on a mismatch print the case, the input and every
 * differing field to stderr and return false. Counts cases in diff_stats.
 */
bool diff_check(const struct diff_case *c, const struct diff_state *in);

/*
 * cases = host + model: `host` inputs were checked against the host CPU,
 * `model` inputs against the model's definition (diff_case.model).
 */
struct diff_stats { unsigned cases, failures, host, model; };
extern struct diff_stats diff_stats;

/*
 * For model functions, during diff_check() of the current input: run other
 * code natively from the same input (and the same initial stack), e.g. the
 * instruction without a prefix the model ignores.
 */
void diff_run_native_ref(const uint8_t *code, unsigned len, const struct diff_state *in,
                         struct diff_result *r);
/* The expectation "raises `vector`, nothing changes": registers, data and stack as in the input. */
void diff_expect_exception(const struct diff_state *in, int vector, struct diff_result *expect);
/*
 * For model functions that also check a property of the host's result (or
 * of the model's definition) independently, e.g. "within one ulp of the
 * host": the current input fails, with this message, whatever the
 * interpreter computes.
 */
void diff_model_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Model functions shared by several families (diff_model.c). */
bool diff_model_ud(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect);
/* The host's run with the first 66 (or F3) prefix made inert: a prefix the model ignores. */
bool diff_model_no_66(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect);
bool diff_model_no_f3(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect);

/*
 * The instructions m5sim computes in software (diff_softfp.c): x87 D9 E9..FF
 * (transcendentals, constants, FSQRT FRNDINT FSCALE FXTRACT) and
 * RCPPS/RCPSS/RSQRTPS/RSQRTSS; each input is also checked independently
 * against the host (one ulp) or the documented definition.
 */
bool diff_model_x87_soft(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect);
bool diff_model_sse_rcp(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect);

/*
 * Convenience: run `n` random inputs (seeded from the case name) plus every
 * edge value in each of the listed registers; returns the number of failures.
 * regs_mask: bit i set = register i gets edge values in turn.
 */
unsigned diff_fuzz(const struct diff_case *c, unsigned n, uint32_t regs_mask,
                   void (*fixup)(struct diff_state *st));

#endif
