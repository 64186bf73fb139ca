/*
 * flags.h - lazy arithmetic flags.
 *
 * Flag-setting instructions record their operands and result (flags_set_*);
 * the six arithmetic flags are computed only when something reads them: a
 * conditional jump/set/move (flags_cond), PUSHF, LAHF, ADC/SBB, or saving the
 * state. Instructions whose flag rules are irregular (shifts, rotates,
 * multiplies, bit tests) compute flags eagerly with flags_write().
 */
#ifndef M5SIM_CPU_FLAGS_H
#define M5SIM_CPU_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static inline uint64_t sign_bit(unsigned size)
{
    return 1ull << (size * 8 - 1);
}

static inline void flags_set(struct cpu *cpu, enum lf_op op, unsigned size,
                             uint64_t src1, uint64_t src2, uint64_t res)
{
    cpu->lf.op = (uint8_t)op;
    cpu->lf.size = (uint8_t)size;
    cpu->lf.src1 = src1;
    cpu->lf.src2 = src2;
    cpu->lf.res = res & size_mask(size);
}

/* Compute CF, PF, AF, ZF, SF, OF from the lazy record (flags.c). */
uint64_t flags_compute(const struct cpu *cpu);

/* Materialize lazy flags into cpu->s.rflags. */
static inline void flags_materialize(struct cpu *cpu)
{
    if (cpu->lf.op != LF_NONE) {
        cpu->s.rflags = (cpu->s.rflags & ~(uint64_t)FL_ARITH) | flags_compute(cpu);
        cpu->lf.op = LF_NONE;
    }
}

/* Replace the arithmetic flags in `mask` with `value` (eager flag setting). */
static inline void flags_write(struct cpu *cpu, uint64_t mask, uint64_t value)
{
    flags_materialize(cpu);
    cpu->s.rflags = (cpu->s.rflags & ~mask) | (value & mask);
}

static inline bool flags_cf(struct cpu *cpu)
{
    const struct lazy_flags *lf = &cpu->lf;
    uint64_t m = size_mask(lf->size);
    switch (lf->op) {
    case LF_NONE: return cpu->s.rflags & FL_CF;
    case LF_ADD: return lf->res < (lf->src1 & m);
    case LF_SUB: return (lf->src1 & m) < (lf->src2 & m);
    case LF_LOGIC: return false;
    default: return flags_compute(cpu) & FL_CF;
    }
}

static inline bool flags_zf(struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->s.rflags & FL_ZF) != 0 : cpu->lf.res == 0;
}

static inline bool flags_sf(struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->s.rflags & FL_SF) != 0
                                 : (cpu->lf.res & sign_bit(cpu->lf.size)) != 0;
}

static inline bool flags_of(struct cpu *cpu)
{
    return cpu->lf.op == LF_LOGIC ? false : (flags_compute(cpu) & FL_OF) != 0;
}

/* Condition code cc from the complete flags (flags.c): the general case of flags_cond. */
bool flags_cond_slow(const struct cpu *cpu, unsigned cc);

/*
 * Evaluate condition code cc (0..15, the low nibble of Jcc/SETcc/CMOVcc
 * opcodes). Handlers pass a constant, so this folds to the few tests of one
 * condition. Answered straight from the lazy record where that is cheap:
 * every record has ZF = (res == 0) and SF = the sign of res (res is kept
 * masked to the operation size, and src1/src2 zero-extended); compares
 * (LF_SUB) give all the orderings; logic operations have CF = OF = 0.
 * Anything else computes the flags: flags_cond_try() answers -1 for those,
 * so that a caller can keep the slow call out of its fast path.
 */
static inline int flags_cond_try(const struct cpu *cpu, unsigned cc)
{
    const struct lazy_flags *lf = &cpu->lf;
    unsigned op = lf->op, neg = cc & 1;
    bool zf, sf;

    if (op == LF_NONE) {
        switch (cc >> 1) {
        case 2: return ((cpu->s.rflags & FL_ZF) != 0) ^ neg;
        case 4: return ((cpu->s.rflags & FL_SF) != 0) ^ neg;
        default: return -1;
        }
    }
    zf = lf->res == 0;
    sf = (lf->res >> (lf->size * 8 - 1)) & 1;
    switch (cc >> 1) {
    case 2: return zf ^ neg;                                   /* E */
    case 4: return sf ^ neg;                                   /* S */
    case 1:                                                    /* B */
        if (op == LF_SUB)
            return (lf->src1 < lf->src2) ^ neg;
        if (op == LF_ADD)
            return (lf->res < lf->src1) ^ neg;
        if (op == LF_LOGIC)
            return neg;
        break;
    case 3:                                                    /* BE */
        if (op == LF_SUB)
            return (lf->src1 <= lf->src2) ^ neg;
        if (op == LF_LOGIC)
            return zf ^ neg;
        break;
    case 6:                                                    /* L */
    case 7: {                                                  /* LE */
        if (op == LF_SUB) {
            unsigned sh = 64 - lf->size * 8;
            int64_t a = (int64_t)(lf->src1 << sh), b = (int64_t)(lf->src2 << sh);
            return ((cc >> 1) == 6 ? a < b : a <= b) ^ neg;
        }
        if (op == LF_LOGIC)
            return ((cc >> 1) == 6 ? sf : (zf || sf)) ^ neg;
        break;
    }
    case 0:                                                    /* O */
        if (op == LF_LOGIC)
            return neg;
        break;
    default:
        break;
    }
    return -1;
}

static inline bool flags_cond(struct cpu *cpu, unsigned cc)
{
    int r = flags_cond_try(cpu, cc);
    return r >= 0 ? r : flags_cond_slow(cpu, cc);
}

/* Parity flag of the low byte (PF = 1 when an even number of bits are set). */
static inline bool parity_even(uint64_t v)
{
    return !__builtin_parity((unsigned)(v & 0xff));
}

/* SZP flags of a result (for eager flag computation). */
static inline uint64_t flags_szp(uint64_t res, unsigned size)
{
    res &= size_mask(size);
    return (res == 0 ? FL_ZF : 0) | ((res & sign_bit(size)) ? FL_SF : 0) |
           (parity_even(res) ? FL_PF : 0);
}

#endif
