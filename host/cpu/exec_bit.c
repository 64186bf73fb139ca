/*
 * exec_bit.c - bit instructions: BT BTS BTR BTC, BSF BSR, TZCNT LZCNT POPCNT,
 * BSWAP.
 *
 * BTx with a register bit offset and a memory operand address the bit string
 * beyond the operand: the signed offset selects the operand-sized word at
 * ea + (offset >> log2(width)) * size (Intel SDM vol. 2, BT). Only CF changes;
 * the other flags keep their values (the SDM leaves OF SF AF PF undefined,
 * the host CPU leaves them alone).
 *
 * BSF/BSR with a zero source set ZF and leave the destination untouched, even
 * a 32-bit one (no zero-extension), as the host does; their other flags are
 * undefined in the SDM and follow the host: CF OF SF AF = 0, PF = parity of
 * the result (of 0 for a zero source). The CPU model advertises neither
 * BMI1/ABM nor POPCNT, so the decoder turns F3 0F BC/BD into BSF/BSR and
 * POPCNT into #UD (decode.c); the TZCNT/LZCNT/POPCNT handlers below give
 * those extensions' meaning (undefined OF SF AF PF cleared) and run only if
 * the model ever advertises them. BSWAP of a
 * 16-bit register (undefined) clears it, as the host does.
 */
#include "cpu/exec.h"

/* Replace all six arithmetic flags (no need to evaluate the pending lazy record first). */
static inline void flags_replace(struct cpu *cpu, uint64_t value)
{
    cpu->lf.op = LF_NONE;
    cpu->s.rflags = (cpu->s.rflags & ~(uint64_t)FL_ARITH) | value;
}

/* Source operand op[i] (register or memory) at `size`. */
static inline uint64_t bit_src(struct cpu *cpu, const struct insn *in, unsigned i, unsigned size)
{
    const struct operand *o = &in->op[i];
    if (o->kind == OPK_GPR)
        return gpr_read(cpu, o->reg, size, o->hi8);
    return mem_read(cpu, op_ea(cpu, in, i), size);
}

enum bt_op { BT_TEST, BT_SET, BT_RESET, BT_COMP };

static inline uint64_t bt_apply(enum bt_op op, uint64_t v, uint64_t m)
{
    switch (op) {
    case BT_SET:   return v | m;
    case BT_RESET: return v & ~m;
    case BT_COMP:  return v ^ m;
    default:       return v;
    }
}

static inline __attribute__((always_inline)) void bt_common(struct cpu *cpu, const struct insn *in,
                                                            enum bt_op op)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    unsigned size = d->size, bits = size * 8;
    uint64_t off = s->kind == OPK_IMM ? s->imm : gpr_read(cpu, s->reg, size, 0);
    uint64_t v, m;

    if (d->kind == OPK_GPR) {
        m = 1ull << (off & (bits - 1));
        v = gpr_read(cpu, d->reg, size, 0);
        if (op != BT_TEST)
            gpr_write(cpu, d->reg, size, 0, bt_apply(op, v, m));
    } else {
        uint64_t ea = op_ea(cpu, in, 0);
        if (s->kind == OPK_GPR) {
            /* Signed bit offset: floor(offset / width) words away from ea. */
            unsigned lg = size == 2 ? 4 : size == 4 ? 5 : 6;
            unsigned sh = 64 - bits;
            int64_t soff = (int64_t)(off << sh) >> sh;
            ea += (uint64_t)(soff >> lg) * size;
        }
        m = 1ull << (off & (bits - 1));
        v = mem_read(cpu, ea, size);
        if (op != BT_TEST)
            mem_write(cpu, ea, size, bt_apply(op, v, m));
    }
    flags_write(cpu, FL_CF, (v & m) ? FL_CF : 0);
}

EXEC_BODY(exec_bt) { bt_common(cpu, in, BT_TEST); }
EXEC_THREADED(exec_bt)
EXEC_BODY(exec_bts) { bt_common(cpu, in, BT_SET); }
EXEC_THREADED(exec_bts)
EXEC_BODY(exec_btr) { bt_common(cpu, in, BT_RESET); }
EXEC_THREADED(exec_btr)
EXEC_BODY(exec_btc) { bt_common(cpu, in, BT_COMP); }
EXEC_THREADED(exec_btc)

EXEC_BODY(exec_bsf)
{
    unsigned size = in->op[0].size;
    uint64_t v = bit_src(cpu, in, 1, size);
    if (v == 0) {
        flags_replace(cpu, FL_ZF | FL_PF);
        return;
    }
    unsigned r = (unsigned)__builtin_ctzll(v);
    gpr_write(cpu, in->op[0].reg, size, 0, r);
    flags_replace(cpu, parity_even(r) ? FL_PF : 0);
}
EXEC_THREADED(exec_bsf)

EXEC_BODY(exec_bsr)
{
    unsigned size = in->op[0].size;
    uint64_t v = bit_src(cpu, in, 1, size);
    if (v == 0) {
        flags_replace(cpu, FL_ZF | FL_PF);
        return;
    }
    unsigned r = 63 - (unsigned)__builtin_clzll(v);
    gpr_write(cpu, in->op[0].reg, size, 0, r);
    flags_replace(cpu, parity_even(r) ? FL_PF : 0);
}
EXEC_THREADED(exec_bsr)

EXEC_BODY(exec_tzcnt)
{
    unsigned size = in->op[0].size;
    uint64_t v = bit_src(cpu, in, 1, size);
    unsigned r = v ? (unsigned)__builtin_ctzll(v) : size * 8;
    gpr_write(cpu, in->op[0].reg, size, 0, r);
    flags_replace(cpu, (v == 0 ? FL_CF : 0) | (r == 0 ? FL_ZF : 0));
}
EXEC_THREADED(exec_tzcnt)

EXEC_BODY(exec_lzcnt)
{
    unsigned size = in->op[0].size;
    uint64_t v = bit_src(cpu, in, 1, size);
    unsigned r = v ? (unsigned)__builtin_clzll(v) - (64 - size * 8) : size * 8;
    gpr_write(cpu, in->op[0].reg, size, 0, r);
    flags_replace(cpu, (v == 0 ? FL_CF : 0) | (r == 0 ? FL_ZF : 0));
}
EXEC_THREADED(exec_lzcnt)

EXEC_BODY(exec_popcnt)
{
    unsigned size = in->op[0].size;
    uint64_t v = bit_src(cpu, in, 1, size);
    gpr_write(cpu, in->op[0].reg, size, 0, (uint64_t)__builtin_popcountll(v));
    flags_replace(cpu, v == 0 ? FL_ZF : 0);
}
EXEC_THREADED(exec_popcnt)

EXEC_BODY(exec_bswap)
{
    const struct operand *o = &in->op[0];
    uint64_t *r = &cpu->s.gpr[o->reg];
    switch (o->size) {
    case 8: *r = __builtin_bswap64(*r); break;
    case 4: *r = __builtin_bswap32((uint32_t)*r); break;
    default: *r &= ~0xffffull; break;  /* 16-bit: undefined; the host clears it */
    }
}
EXEC_THREADED(exec_bswap)

void exec_bit_register(void)
{
    exec_register(ZYDIS_MNEMONIC_BT, exec_bt);
    exec_register(ZYDIS_MNEMONIC_BTS, exec_bts);
    exec_register(ZYDIS_MNEMONIC_BTR, exec_btr);
    exec_register(ZYDIS_MNEMONIC_BTC, exec_btc);
    exec_register(ZYDIS_MNEMONIC_BSF, exec_bsf);
    exec_register(ZYDIS_MNEMONIC_BSR, exec_bsr);
    exec_register(ZYDIS_MNEMONIC_TZCNT, exec_tzcnt);
    exec_register(ZYDIS_MNEMONIC_LZCNT, exec_lzcnt);
    exec_register(ZYDIS_MNEMONIC_POPCNT, exec_popcnt);
    exec_register(ZYDIS_MNEMONIC_BSWAP, exec_bswap);
}
