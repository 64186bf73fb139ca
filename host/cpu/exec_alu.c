/*
 * exec_alu.c - integer arithmetic and logic: ADD ADC SUB SBB CMP AND OR XOR
 * TEST INC DEC NEG NOT, every operand size, register and memory forms.
 *
 * All of them set flags lazily (flags.h): the handler records the operands
 * and result, and the six arithmetic flags are computed only when read.
 * A memory destination is written before the flag record changes, so a
 * faulting store leaves the instruction restartable. LOCK changes nothing in a
 * single-threaded interpreter.
 */
#include "cpu/exec.h"

enum alu_op { ALU_ADD, ALU_ADC, ALU_SUB, ALU_SBB, ALU_AND, ALU_OR, ALU_XOR };

/* Carry flag, answered from the lazy record without computing the other flags. */
static inline unsigned alu_cf(struct cpu *cpu)
{
    const struct lazy_flags *lf = &cpu->lf;
    switch (lf->op) {
    case LF_INC:
    case LF_DEC:
        return lf->cf_in;
    case LF_NEG:
        return (lf->src1 & size_mask(lf->size)) != 0;
    case LF_ADC: {
        uint64_t a = lf->src1 & size_mask(lf->size);
        return lf->cf_in ? lf->res <= a : lf->res < a;
    }
    case LF_SBB: {
        uint64_t m = size_mask(lf->size), a = lf->src1 & m, b = lf->src2 & m;
        return lf->cf_in ? a <= b : a < b;
    }
    default:
        return flags_cf(cpu);
    }
}

static inline uint64_t alu_value(enum alu_op op, uint64_t a, uint64_t b, unsigned cin)
{
    switch (op) {
    case ALU_ADD: return a + b;
    case ALU_ADC: return a + b + cin;
    case ALU_SUB: return a - b;
    case ALU_SBB: return a - b - cin;
    case ALU_AND: return a & b;
    case ALU_OR:  return a | b;
    default:      return a ^ b;
    }
}

static inline void alu_flags(struct cpu *cpu, enum alu_op op, unsigned size,
                             uint64_t a, uint64_t b, uint64_t r, unsigned cin)
{
    switch (op) {
    case ALU_ADD: flags_set(cpu, LF_ADD, size, a, b, r); break;
    case ALU_ADC: flags_set(cpu, LF_ADC, size, a, b, r); cpu->lf.cf_in = (uint8_t)cin; break;
    case ALU_SUB: flags_set(cpu, LF_SUB, size, a, b, r); break;
    case ALU_SBB: flags_set(cpu, LF_SBB, size, a, b, r); cpu->lf.cf_in = (uint8_t)cin; break;
    default:      flags_set(cpu, LF_LOGIC, size, a, b, r); break;
    }
}

/* Source operand (op[1]) at the destination's size: register, memory or immediate. */
static inline uint64_t alu_src(struct cpu *cpu, const struct insn *in, unsigned size)
{
    const struct operand *s = &in->op[1];
    if (s->kind == OPK_IMM)
        return s->imm & size_mask(size);
    if (s->kind == OPK_GPR)
        return gpr_read(cpu, s->reg, size, s->hi8);
    return mem_read(cpu, op_ea(cpu, in, 1), size);
}

/* dst = dst OP src (or only flags, when !store: CMP, TEST). */
static inline __attribute__((always_inline)) void alu_binop(struct cpu *cpu, const struct insn *in,
                                                            enum alu_op op, bool store)
{
    const struct operand *d = &in->op[0];
    unsigned size = d->size;
    uint64_t b = alu_src(cpu, in, size);
    unsigned cin = (op == ALU_ADC || op == ALU_SBB) ? alu_cf(cpu) : 0;
    uint64_t a, r;

    if (d->kind == OPK_GPR) {
        a = gpr_read(cpu, d->reg, size, d->hi8);
        r = alu_value(op, a, b, cin);
        if (store)
            gpr_write(cpu, d->reg, size, d->hi8, r);
    } else {
        uint64_t ea = op_ea(cpu, in, 0);
        a = mem_read(cpu, ea, size);
        r = alu_value(op, a, b, cin);
        if (store)
            mem_write(cpu, ea, size, r);
    }
    alu_flags(cpu, op, size, a, b, r, cin);
}

static void exec_add(struct cpu *cpu, const struct insn *in) { alu_binop(cpu, in, ALU_ADD, true); }
static void exec_adc(struct cpu *cpu, const struct insn *in) { alu_binop(cpu, in, ALU_ADC, true); }
static void exec_sub(struct cpu *cpu, const struct insn *in) { alu_binop(cpu, in, ALU_SUB, true); }
static void exec_sbb(struct cpu *cpu, const struct insn *in) { alu_binop(cpu, in, ALU_SBB, true); }
static void exec_and(struct cpu *cpu, const struct insn *in) { alu_binop(cpu, in, ALU_AND, true); }
static void exec_or(struct cpu *cpu, const struct insn *in)  { alu_binop(cpu, in, ALU_OR, true); }
static void exec_cmp(struct cpu *cpu, const struct insn *in) { alu_binop(cpu, in, ALU_SUB, false); }
static void exec_test(struct cpu *cpu, const struct insn *in) { alu_binop(cpu, in, ALU_AND, false); }

static void exec_xor(struct cpu *cpu, const struct insn *in)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    /* xor r32, r32 (same register): the zeroing idiom. */
    if (d->kind == OPK_GPR && s->kind == OPK_GPR && d->reg == s->reg && d->hi8 == s->hi8) {
        gpr_write(cpu, d->reg, d->size, d->hi8, 0);
        flags_set(cpu, LF_LOGIC, d->size, 0, 0, 0);
        return;
    }
    alu_binop(cpu, in, ALU_XOR, true);
}

/* INC, DEC, NEG, NOT: read-modify-write of op[0]. */
enum alu_unop { UN_INC, UN_DEC, UN_NEG, UN_NOT };

static inline __attribute__((always_inline)) void alu_unop(struct cpu *cpu, const struct insn *in,
                                                           enum alu_unop op)
{
    const struct operand *d = &in->op[0];
    unsigned size = d->size;
    uint64_t a, r, ea = 0;

    if (d->kind == OPK_GPR)
        a = gpr_read(cpu, d->reg, size, d->hi8);
    else
        a = mem_read(cpu, ea = op_ea(cpu, in, 0), size);

    switch (op) {
    case UN_INC: r = a + 1; break;
    case UN_DEC: r = a - 1; break;
    case UN_NEG: r = -a; break;
    default:     r = ~a; break;
    }

    unsigned cin = (op == UN_INC || op == UN_DEC) ? alu_cf(cpu) : 0;
    if (d->kind == OPK_GPR)
        gpr_write(cpu, d->reg, size, d->hi8, r);
    else
        mem_write(cpu, ea, size, r);

    switch (op) {
    case UN_INC: flags_set(cpu, LF_INC, size, a, 1, r); cpu->lf.cf_in = (uint8_t)cin; break;
    case UN_DEC: flags_set(cpu, LF_DEC, size, a, 1, r); cpu->lf.cf_in = (uint8_t)cin; break;
    case UN_NEG: flags_set(cpu, LF_NEG, size, a, 0, r); break;
    default: break;  /* NOT changes no flags */
    }
}

static void exec_inc(struct cpu *cpu, const struct insn *in) { alu_unop(cpu, in, UN_INC); }
static void exec_dec(struct cpu *cpu, const struct insn *in) { alu_unop(cpu, in, UN_DEC); }
static void exec_neg(struct cpu *cpu, const struct insn *in) { alu_unop(cpu, in, UN_NEG); }
static void exec_not(struct cpu *cpu, const struct insn *in) { alu_unop(cpu, in, UN_NOT); }

void exec_alu_register(void)
{
    exec_register(ZYDIS_MNEMONIC_ADD, exec_add);
    exec_register(ZYDIS_MNEMONIC_ADC, exec_adc);
    exec_register(ZYDIS_MNEMONIC_SUB, exec_sub);
    exec_register(ZYDIS_MNEMONIC_SBB, exec_sbb);
    exec_register(ZYDIS_MNEMONIC_CMP, exec_cmp);
    exec_register(ZYDIS_MNEMONIC_AND, exec_and);
    exec_register(ZYDIS_MNEMONIC_OR, exec_or);
    exec_register(ZYDIS_MNEMONIC_XOR, exec_xor);
    exec_register(ZYDIS_MNEMONIC_TEST, exec_test);
    exec_register(ZYDIS_MNEMONIC_INC, exec_inc);
    exec_register(ZYDIS_MNEMONIC_DEC, exec_dec);
    exec_register(ZYDIS_MNEMONIC_NEG, exec_neg);
    exec_register(ZYDIS_MNEMONIC_NOT, exec_not);
}
