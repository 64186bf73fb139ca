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

/* Evaluate condition code cc (0..15, the low nibble of Jcc/SETcc/CMOVcc opcodes). */
static inline bool flags_cond(struct cpu *cpu, unsigned cc)
{
    const struct lazy_flags *lf = &cpu->lf;
    /* Fast path: compare-and-branch, the common case in every program. */
    if (lf->op == LF_SUB) {
        uint64_t m = size_mask(lf->size), sb = sign_bit(lf->size);
        uint64_t a = lf->src1 & m, b = lf->src2 & m;
        int64_t sa = (int64_t)((a ^ sb) - sb), sbv = (int64_t)((b ^ sb) - sb);
        bool r;
        switch (cc >> 1) {
        case 0: r = (flags_compute(cpu) & FL_OF) != 0; break;   /* O */
        case 1: r = a < b; break;                                 /* B */
        case 2: r = a == b; break;                                /* E */
        case 3: r = a <= b; break;                                /* BE */
        case 4: r = (lf->res & sb) != 0; break;                   /* S */
        case 5: r = (flags_compute(cpu) & FL_PF) != 0; break;    /* P */
        case 6: r = sa < sbv; break;                              /* L */
        default: r = sa <= sbv; break;                            /* LE */
        }
        return r ^ (cc & 1);
    }
    bool r;
    switch (cc >> 1) {
    case 0: r = flags_of(cpu); break;
    case 1: r = flags_cf(cpu); break;
    case 2: r = flags_zf(cpu); break;
    case 3: r = flags_cf(cpu) || flags_zf(cpu); break;
    case 4: r = flags_sf(cpu); break;
    case 5: {
        uint64_t f = lf->op == LF_NONE ? cpu->s.rflags : flags_compute(cpu);
        r = (f & FL_PF) != 0;
        break;
    }
    case 6: r = flags_sf(cpu) != flags_of(cpu); break;
    default: r = flags_zf(cpu) || (flags_sf(cpu) != flags_of(cpu)); break;
    }
    return r ^ (cc & 1);
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
