/*
 * exec_shift.c - shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR (by 1,
 * by CL, by imm8) and the double shifts SHLD SHRD, every operand size.
 *
 * The count is masked to 5 bits (6 for 64-bit operands). A masked count of 0
 * changes no flag, but the destination is still written back, so a 32-bit
 * register destination is zero-extended like any 32-bit write (as the host
 * CPU does). Flags are computed eagerly (Intel SDM vol. 2, SAL/SAR/SHL/SHR,
 * RCL/RCR/ROL/ROR, SHLD, SHRD). Where the SDM leaves a flag undefined we do
 * what Intel hardware does, measured against the host:
 *  - AF is cleared by every shift that changes flags;
 *  - OF, defined only for 1-bit counts, is computed for any count as for a
 *    1-bit count from the original operands (SHL, ROL, RCL: MSB ^ MSB-1;
 *    SHR: MSB; SAR: 0; ROR: MSB ^ LSB; RCR: MSB ^ CF; SHLD: MSB ^ MSB-1 of
 *    the destination; SHRD: MSB of the destination ^ LSB of the source),
 *    except that ROL/ROR of a register by an immediate other than 1 keep OF;
 *  - SHL/SHR with a count >= the operand width (8/16-bit) give CF = the last
 *    bit shifted out of the zero-extended value (0 beyond the width);
 *  - 16-bit SHLD/SHRD with counts 17..31 (result undefined) work on the
 *    48-bit value dst:src:dst: SHLD shifts it left and keeps the top word,
 *    SHRD shifts it right and keeps the low word; CF is the last bit out.
 * ROL/ROR change only CF and OF; RCL/RCR change CF and OF, and nothing at all
 * when the count modulo 9 (8-bit) or 17 (16-bit) is 0.
 */
#include "cpu/exec.h"

/* Replace all six arithmetic flags (no need to evaluate the pending lazy record first). */
static inline void flags_replace(struct cpu *cpu, uint64_t value)
{
    cpu->lf.op = LF_NONE;
    cpu->s.rflags = (cpu->s.rflags & ~(uint64_t)FL_ARITH) | value;
}

typedef unsigned __int128 u128;

/* The destination (op[0]) of a read-modify-write: register or memory. */
struct rmw {
    uint64_t ea;
    unsigned size;
};

static inline uint64_t rmw_read(struct cpu *cpu, const struct insn *in, struct rmw *d)
{
    const struct operand *o = &in->op[0];
    d->size = o->size;
    if (o->kind == OPK_GPR)
        return gpr_read(cpu, o->reg, o->size, o->hi8);
    d->ea = op_ea(cpu, in, 0);
    return mem_read(cpu, d->ea, o->size);
}

static inline void rmw_write(struct cpu *cpu, const struct insn *in, const struct rmw *d, uint64_t v)
{
    const struct operand *o = &in->op[0];
    if (o->kind == OPK_GPR)
        gpr_write(cpu, o->reg, o->size, o->hi8, v);
    else
        mem_write(cpu, d->ea, o->size, v);
}

/* Shift count from operand i (imm8, the implicit 1, or CL), masked for the operand size. */
static inline unsigned sh_count(const struct cpu *cpu, const struct insn *in, unsigned i, unsigned size)
{
    const struct operand *o = &in->op[i];
    uint64_t c = o->kind == OPK_IMM ? o->imm : cpu->s.gpr[RCX];
    return (unsigned)c & (size == 8 ? 63 : 31);
}

static inline uint64_t msb(uint64_t v, unsigned size)
{
    return (v >> (size * 8 - 1)) & 1;
}

static inline uint64_t msb1(uint64_t v, unsigned size)
{
    return (v >> (size * 8 - 2)) & 1;
}

/* CF, OF and the result's SF, ZF, PF; AF cleared. */
static inline void sh_flags(struct cpu *cpu, uint64_t r, unsigned size, uint64_t cf, uint64_t of)
{
    flags_replace(cpu, flags_szp(r, size) | (cf ? FL_CF : 0) | (of ? FL_OF : 0));
}

enum sh_op { SH_SHL, SH_SHR, SH_SAR };

static inline __attribute__((always_inline)) void shift(struct cpu *cpu, const struct insn *in,
                                                        enum sh_op op)
{
    struct rmw d;
    uint64_t a = rmw_read(cpu, in, &d);
    unsigned size = d.size, bits = size * 8;
    unsigned c = sh_count(cpu, in, 1, size);
    uint64_t r, cf, of;

    if (c == 0) {
        rmw_write(cpu, in, &d, a);
        return;
    }
    switch (op) {
    case SH_SHL:
        r = (a << c) & size_mask(size);
        cf = ((a << (c - 1)) >> (bits - 1)) & 1;
        of = msb(a, size) ^ msb1(a, size);
        break;
    case SH_SHR:
        r = a >> c;
        cf = (a >> (c - 1)) & 1;
        of = msb(a, size);
        break;
    default: {
        unsigned sh = 64 - bits;
        int64_t sa = (int64_t)(a << sh) >> sh;
        r = (uint64_t)(sa >> c) & size_mask(size);
        cf = (uint64_t)(sa >> (c - 1)) & 1;
        of = 0;
        break;
    }
    }
    rmw_write(cpu, in, &d, r);
    sh_flags(cpu, r, size, cf, of);
}

EXEC_BODY(exec_shl) { shift(cpu, in, SH_SHL); }
EXEC_THREADED(exec_shl)
EXEC_BODY(exec_shr) { shift(cpu, in, SH_SHR); }
EXEC_THREADED(exec_shr)
EXEC_BODY(exec_sar) { shift(cpu, in, SH_SAR); }
EXEC_THREADED(exec_sar)

/*
 * Flags ROL/ROR change: CF, and OF except that the host keeps OF when a
 * register is rotated by an immediate other than 1 (a memory operand, or a
 * count in CL, gets the 1-bit OF formula).
 */
static inline uint64_t rot_flag_mask(const struct insn *in, unsigned c)
{
    if (c != 1 && in->op[0].kind == OPK_GPR && in->op[1].kind == OPK_IMM)
        return FL_CF;
    return FL_CF | FL_OF;
}

EXEC_BODY(exec_rol)
{
    struct rmw d;
    uint64_t a = rmw_read(cpu, in, &d);
    unsigned size = d.size, bits = size * 8;
    unsigned c = sh_count(cpu, in, 1, size);
    unsigned e = c & (bits - 1);
    uint64_t r = e ? ((a << e) | (a >> (bits - e))) & size_mask(size) : a;

    rmw_write(cpu, in, &d, r);
    if (c != 0)
        flags_write(cpu, rot_flag_mask(in, c), ((r & 1) ? FL_CF : 0) |
                                                   ((msb(a, size) ^ msb1(a, size)) ? FL_OF : 0));
}
EXEC_THREADED(exec_rol)

EXEC_BODY(exec_ror)
{
    struct rmw d;
    uint64_t a = rmw_read(cpu, in, &d);
    unsigned size = d.size, bits = size * 8;
    unsigned c = sh_count(cpu, in, 1, size);
    unsigned e = c & (bits - 1);
    uint64_t r = e ? ((a >> e) | (a << (bits - e))) & size_mask(size) : a;

    rmw_write(cpu, in, &d, r);
    if (c != 0)
        flags_write(cpu, rot_flag_mask(in, c), (msb(r, size) ? FL_CF : 0) |
                                                   ((msb(a, size) ^ (a & 1)) ? FL_OF : 0));
}
EXEC_THREADED(exec_ror)

/* Effective rotate count of RCL/RCR: modulo 9 and 17 for the 8- and 16-bit forms. */
static inline unsigned rc_count(unsigned c, unsigned size)
{
    if (size == 1)
        return c % 9;
    if (size == 2)
        return c % 17;
    return c;
}

EXEC_BODY(exec_rcl)
{
    struct rmw d;
    uint64_t a = rmw_read(cpu, in, &d);
    unsigned size = d.size, bits = size * 8;
    unsigned e = rc_count(sh_count(cpu, in, 1, size), size);

    if (e == 0) {
        rmw_write(cpu, in, &d, a);
        return;
    }
    /* Rotate the (bits+1)-bit value CF:a left by e. */
    unsigned w = bits + 1;
    u128 wmask = ((u128)1 << w) - 1;
    u128 v = ((u128)(flags_cf(cpu) ? 1 : 0) << bits) | a;
    v = ((v << e) | (v >> (w - e))) & wmask;
    uint64_t r = (uint64_t)v & size_mask(size);
    uint64_t cf = (uint64_t)(v >> bits) & 1;

    rmw_write(cpu, in, &d, r);
    flags_write(cpu, FL_CF | FL_OF, (cf ? FL_CF : 0) |
                                        ((msb(a, size) ^ msb1(a, size)) ? FL_OF : 0));
}
EXEC_THREADED(exec_rcl)

EXEC_BODY(exec_rcr)
{
    struct rmw d;
    uint64_t a = rmw_read(cpu, in, &d);
    unsigned size = d.size, bits = size * 8;
    unsigned e = rc_count(sh_count(cpu, in, 1, size), size);

    if (e == 0) {
        rmw_write(cpu, in, &d, a);
        return;
    }
    unsigned w = bits + 1;
    u128 wmask = ((u128)1 << w) - 1;
    uint64_t cf_in = flags_cf(cpu) ? 1 : 0;
    u128 v = ((u128)cf_in << bits) | a;
    v = ((v >> e) | (v << (w - e))) & wmask;
    uint64_t r = (uint64_t)v & size_mask(size);
    uint64_t cf = (uint64_t)(v >> bits) & 1;

    rmw_write(cpu, in, &d, r);
    flags_write(cpu, FL_CF | FL_OF, (cf ? FL_CF : 0) | ((msb(a, size) ^ cf_in) ? FL_OF : 0));
}
EXEC_THREADED(exec_rcr)

/* SHLD / SHRD: op[0] destination, op[1] source register, op[2] count (imm8 or CL). */
EXEC_BODY(exec_shld)
{
    struct rmw d;
    uint64_t a = rmw_read(cpu, in, &d);
    unsigned size = d.size, bits = size * 8;
    uint64_t b = gpr_read(cpu, in->op[1].reg, size, 0);
    unsigned c = sh_count(cpu, in, 2, size);
    uint64_t r, cf;

    if (c == 0) {
        rmw_write(cpu, in, &d, a);
        return;
    }
    if (size == 2) {
        /* Counts up to 31: shift the 48-bit pattern a:b:a, keep its top word. */
        uint64_t t = a << 32 | b << 16 | a;
        r = (t >> (32 - c)) & 0xffff;
        cf = (t >> (48 - c)) & 1;
    } else {
        r = ((a << c) | (b >> (bits - c))) & size_mask(size);
        cf = (a >> (bits - c)) & 1;
    }
    rmw_write(cpu, in, &d, r);
    sh_flags(cpu, r, size, cf, msb(a, size) ^ msb1(a, size));
}
EXEC_THREADED(exec_shld)

EXEC_BODY(exec_shrd)
{
    struct rmw d;
    uint64_t a = rmw_read(cpu, in, &d);
    unsigned size = d.size, bits = size * 8;
    uint64_t b = gpr_read(cpu, in->op[1].reg, size, 0);
    unsigned c = sh_count(cpu, in, 2, size);
    uint64_t r, cf;

    if (c == 0) {
        rmw_write(cpu, in, &d, a);
        return;
    }
    if (size == 2) {
        /* Counts up to 31: shift the 48-bit pattern a:b:a right, keep its low word. */
        uint64_t t = a << 32 | b << 16 | a;
        r = (t >> c) & 0xffff;
        cf = (t >> (c - 1)) & 1;
    } else {
        r = ((a >> c) | (b << (bits - c))) & size_mask(size);
        cf = (a >> (c - 1)) & 1;
    }
    rmw_write(cpu, in, &d, r);
    sh_flags(cpu, r, size, cf, msb(a, size) ^ (b & 1));
}
EXEC_THREADED(exec_shrd)

/*
 * Specialized forms, chosen by the decoder: SHL SHR SAR of a 32/64-bit
 * register or pre-resolved memory operand by an immediate. A nonzero count
 * records its flags lazily (LF_SHL/LF_SHR/LF_SAR, evaluated in flags.c with
 * the formulas of sh_flags above); a memory operand without a direct host
 * pointer goes to the general handler.
 */
static inline __attribute__((always_inline)) bool fast_shift(struct cpu *cpu, const struct insn *in,
                                                             enum sh_op op, bool mem, unsigned size)
{
    unsigned c = (unsigned)in->op[1].imm & (size == 8 ? 63 : 31), bits = size * 8;
    uint64_t *reg = &cpu->s.gpr[in->op[0].reg];
    void *p = NULL;
    uint64_t a, r;

    if (mem) {
        p = tlb_write_ptr(cpu, op_ea_fast(cpu, &in->op[0]), size);
        if (__builtin_expect(!p, 0))
            return false;
        a = host_load(p, size);
    } else {
        a = *reg & size_mask(size);
    }
    switch (op) {
    case SH_SHL: r = (a << c) & size_mask(size); break;
    case SH_SHR: r = a >> c; break;
    default: {
        unsigned sh = 64 - bits;
        r = (uint64_t)(((int64_t)(a << sh) >> sh) >> c) & size_mask(size);
        break;
    }
    }
    if (mem)
        host_store(p, size, r);
    else
        *reg = r;
    if (c != 0)
        flags_set(cpu, op == SH_SHL ? LF_SHL : op == SH_SHR ? LF_SHR : LF_SAR, size, a, c, r);
    return true;
}

#define FAST_SHIFT(name, shop, general)                                                          \
    EXEC_FAST_BODY(name##_r4) { return fast_shift(cpu, in, shop, false, 4); }                    \
    EXEC_FAST(name##_r4, general)                                                                \
    EXEC_FAST_BODY(name##_r8) { return fast_shift(cpu, in, shop, false, 8); }                    \
    EXEC_FAST(name##_r8, general)                                                                \
    EXEC_FAST_BODY(name##_m4) { return fast_shift(cpu, in, shop, true, 4); }                     \
    EXEC_FAST(name##_m4, general)                                                                \
    EXEC_FAST_BODY(name##_m8) { return fast_shift(cpu, in, shop, true, 8); }                     \
    EXEC_FAST(name##_m8, general)                                                                \
    static exec_fn name##_select(const struct insn *in)                                          \
    {                                                                                            \
        const struct operand *d = &in->op[0];                                                    \
        unsigned size = d->size;                                                                 \
        if (in->nops != 2 || in->op[1].kind != OPK_IMM || (size != 4 && size != 8))              \
            return NULL;                                                                         \
        if (d->kind == OPK_GPR && !d->hi8)                                                       \
            return size == 8 ? name##_r8 : name##_r4;                                            \
        if (d->kind == OPK_MEM && d->ea_fast)                                                    \
            return size == 8 ? name##_m8 : name##_m4;                                            \
        return NULL;                                                                             \
    }
FAST_SHIFT(shl, SH_SHL, exec_shl)
FAST_SHIFT(shr, SH_SHR, exec_shr)
FAST_SHIFT(sar, SH_SAR, exec_sar)
#undef FAST_SHIFT

void exec_shift_register(void)
{
    exec_register_select(ZYDIS_MNEMONIC_SHL, shl_select);
    exec_register_select(ZYDIS_MNEMONIC_SHR, shr_select);
    exec_register_select(ZYDIS_MNEMONIC_SAR, sar_select);
    exec_register(ZYDIS_MNEMONIC_SHL, exec_shl);
    exec_register(ZYDIS_MNEMONIC_SHR, exec_shr);
    exec_register(ZYDIS_MNEMONIC_SAR, exec_sar);
    exec_register(ZYDIS_MNEMONIC_ROL, exec_rol);
    exec_register(ZYDIS_MNEMONIC_ROR, exec_ror);
    exec_register(ZYDIS_MNEMONIC_RCL, exec_rcl);
    exec_register(ZYDIS_MNEMONIC_RCR, exec_rcr);
    exec_register(ZYDIS_MNEMONIC_SHLD, exec_shld);
    exec_register(ZYDIS_MNEMONIC_SHRD, exec_shrd);
}
