/* flags.c - evaluate lazy arithmetic flags (see flags.h). */
#include "cpu/flags.h"

uint64_t flags_compute(const struct cpu *cpu)
{
    const struct lazy_flags *lf = &cpu->lf;
    if (lf->op == LF_NONE)
        return cpu->s.rflags & FL_ARITH;

    unsigned size = lf->size;
    uint64_t m = size_mask(size), sb = sign_bit(size);
    uint64_t a = lf->src1 & m, b = lf->src2 & m, r = lf->res & m;
    uint64_t f = flags_szp(r, size);
    bool cf = false, of = false, af = false;

    switch (lf->op) {
    case LF_ADD:
        cf = r < a;
        of = ((a ^ r) & (b ^ r) & sb) != 0;
        af = ((a ^ b ^ r) & 0x10) != 0;
        break;
    case LF_ADC:
        cf = lf->cf_in ? r <= a : r < a;
        of = ((a ^ r) & (b ^ r) & sb) != 0;
        af = ((a ^ b ^ r) & 0x10) != 0;
        break;
    case LF_SUB:
        cf = a < b;
        of = ((a ^ b) & (a ^ r) & sb) != 0;
        af = ((a ^ b ^ r) & 0x10) != 0;
        break;
    case LF_SBB:
        cf = lf->cf_in ? a <= b : a < b;
        of = ((a ^ b) & (a ^ r) & sb) != 0;
        af = ((a ^ b ^ r) & 0x10) != 0;
        break;
    case LF_LOGIC:
        break;
    case LF_INC:  /* src1 = operand, src2 = 1 */
        cf = lf->cf_in;
        of = r == sb;
        af = (r & 0xf) == 0;
        break;
    case LF_DEC:
        cf = lf->cf_in;
        of = r == sb - 1;
        af = (r & 0xf) == 0xf;
        break;
    case LF_NEG:  /* src1 = operand; res = 0 - src1 */
        cf = a != 0;
        of = a == sb;
        af = ((a ^ r) & 0x10) != 0;
        break;
    /* Shifts by a nonzero count: as sh_flags() in exec_shift.c (OF as for a 1-bit count, AF clear). */
    case LF_SHL:
        cf = ((a << (lf->src2 - 1)) >> (size * 8 - 1)) & 1;
        of = (((a >> (size * 8 - 1)) ^ (a >> (size * 8 - 2))) & 1) != 0;
        break;
    case LF_SHR:
        cf = (a >> (lf->src2 - 1)) & 1;
        of = (a & sb) != 0;
        break;
    case LF_SAR: {
        unsigned sh = 64 - size * 8;
        cf = (uint64_t)(((int64_t)(a << sh) >> sh) >> (lf->src2 - 1)) & 1;
        break;
    }
    }
    return f | (cf ? FL_CF : 0) | (of ? FL_OF : 0) | (af ? FL_AF : 0);
}

bool flags_cond_slow(const struct cpu *cpu, unsigned cc)
{
    uint64_t f = flags_compute(cpu);
    bool cf = f & FL_CF, zf = f & FL_ZF, sf = f & FL_SF, of = f & FL_OF, pf = f & FL_PF, r;
    switch (cc >> 1) {
    case 0: r = of; break;
    case 1: r = cf; break;
    case 2: r = zf; break;
    case 3: r = cf || zf; break;
    case 4: r = sf; break;
    case 5: r = pf; break;
    case 6: r = sf != of; break;
    default: r = zf || (sf != of); break;
    }
    return r ^ (cc & 1);
}
