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

EXEC_BODY(exec_add) { alu_binop(cpu, in, ALU_ADD, true); }
EXEC_THREADED(exec_add)
EXEC_BODY(exec_adc) { alu_binop(cpu, in, ALU_ADC, true); }
EXEC_THREADED(exec_adc)
EXEC_BODY(exec_sub) { alu_binop(cpu, in, ALU_SUB, true); }
EXEC_THREADED(exec_sub)
EXEC_BODY(exec_sbb) { alu_binop(cpu, in, ALU_SBB, true); }
EXEC_THREADED(exec_sbb)
EXEC_BODY(exec_and) { alu_binop(cpu, in, ALU_AND, true); }
EXEC_THREADED(exec_and)
EXEC_BODY(exec_or) { alu_binop(cpu, in, ALU_OR, true); }
EXEC_THREADED(exec_or)
EXEC_BODY(exec_cmp) { alu_binop(cpu, in, ALU_SUB, false); }
EXEC_THREADED(exec_cmp)
EXEC_BODY(exec_test) { alu_binop(cpu, in, ALU_AND, false); }
EXEC_THREADED(exec_test)

EXEC_BODY(exec_xor)
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
EXEC_THREADED(exec_xor)

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

EXEC_BODY(exec_inc) { alu_unop(cpu, in, UN_INC); }
EXEC_THREADED(exec_inc)
EXEC_BODY(exec_dec) { alu_unop(cpu, in, UN_DEC); }
EXEC_THREADED(exec_dec)
EXEC_BODY(exec_neg) { alu_unop(cpu, in, UN_NEG); }
EXEC_THREADED(exec_neg)
EXEC_BODY(exec_not) { alu_unop(cpu, in, UN_NOT); }
EXEC_THREADED(exec_not)

/*
 * Specialized forms, chosen by the decoder: ADD SUB AND OR XOR CMP TEST with
 * a register or pre-resolved memory destination and a register, memory or
 * immediate source, in 8-, 32- and 64-bit sizes (no AH..BH), and INC/DEC of
 * a 32/64-bit register or memory. Same semantics as alu_binop/alu_unop with
 * the operand kinds and size fixed at compile time; logic operations record
 * only their result, which is all their flags depend on.
 */
enum { FK_R, FK_M, FK_I };

static inline __attribute__((always_inline)) void fast_gpr_write(struct cpu *cpu, unsigned reg,
                                                                 unsigned size, uint64_t v)
{
    uint64_t *r = &cpu->s.gpr[reg];
    if (size == 8)
        *r = v;
    else if (size == 4)
        *r = (uint32_t)v;
    else
        *r = (*r & ~0xffull) | (v & 0xff);
}

/*
 * Memory operands come as host pointers from the TLB, taken before anything
 * changes; without one the general handler does the whole instruction.
 */
static inline __attribute__((always_inline)) bool fast_binop(struct cpu *cpu, const struct insn *in,
                                                             enum alu_op op, bool store, int dk, int sk,
                                                             unsigned size)
{
    const struct operand *s = &in->op[1];
    uint64_t m = size_mask(size), a, b, r;
    void *p = NULL;
    unsigned d = in->op[0].reg;

    if (dk == FK_M) {
        uint64_t ea = op_ea_fast(cpu, &in->op[0]);
        p = store ? tlb_write_ptr(cpu, ea, size) : tlb_read_ptr(cpu, ea, size);
        if (__builtin_expect(!p, 0))
            return false;
    }
    if (sk == FK_M) {
        const void *q = tlb_read_ptr(cpu, op_ea_fast(cpu, s), size);
        if (__builtin_expect(!q, 0))
            return false;
        b = host_load(q, size);
    } else if (sk == FK_R) {
        b = cpu->s.gpr[s->reg] & m;
    } else {
        b = s->imm & m;
    }
    a = dk == FK_M ? host_load(p, size) : cpu->s.gpr[d] & m;
    r = alu_value(op, a, b, 0);
    if (store) {
        if (dk == FK_M)
            host_store(p, size, r);
        else
            fast_gpr_write(cpu, d, size, r);
    }
    if (op == ALU_ADD || op == ALU_SUB) {
        flags_set(cpu, op == ALU_ADD ? LF_ADD : LF_SUB, size, a, b, r);
    } else {
        cpu->lf.op = LF_LOGIC;
        cpu->lf.size = (uint8_t)size;
        cpu->lf.res = r & m;
    }
    return true;
}

#define FAST_OPS(X) X(add, ALU_ADD, true) X(sub, ALU_SUB, true) X(and, ALU_AND, true) \
    X(or, ALU_OR, true) X(xor, ALU_XOR, true) X(cmp, ALU_SUB, false) X(test, ALU_AND, false)
/* The general handler of each fast operation, and its threaded twin. */
#define exec_fast_add exec_add
#define exec_fast_sub exec_sub
#define exec_fast_and exec_and
#define exec_fast_or exec_or
#define exec_fast_xor exec_xor
#define exec_fast_cmp exec_cmp
#define exec_fast_test exec_test
#define exec_fast_add_run exec_add_run
#define exec_fast_sub_run exec_sub_run
#define exec_fast_and_run exec_and_run
#define exec_fast_or_run exec_or_run
#define exec_fast_xor_run exec_xor_run
#define exec_fast_cmp_run exec_cmp_run
#define exec_fast_test_run exec_test_run
#define FAST_FORMS(X, name, op, store, size)                                                         \
    X(name, op, store, size, rr, FK_R, FK_R) X(name, op, store, size, ri, FK_R, FK_I)                \
    X(name, op, store, size, rm, FK_R, FK_M) X(name, op, store, size, mr, FK_M, FK_R)                \
    X(name, op, store, size, mi, FK_M, FK_I)
#define FAST_FN(name, op, store, size, form, dk, sk)                                                \
    EXEC_FAST_BODY(fast_##name##_##form##size)                                                      \
    {                                                                                               \
        return fast_binop(cpu, in, op, store, dk, sk, size);                                        \
    }                                                                                               \
    EXEC_FAST(fast_##name##_##form##size, exec_fast_##name)
#define FAST_SIZES(name, op, store) FAST_FORMS(FAST_FN, name, op, store, 1) \
    FAST_FORMS(FAST_FN, name, op, store, 4) FAST_FORMS(FAST_FN, name, op, store, 8)
FAST_OPS(FAST_SIZES)
#undef FAST_SIZES
#undef FAST_FN

/* fast_table[op][form][size 1, 4, 8], forms rr ri rm mr mi. */
enum { OP_ADD, OP_SUB, OP_AND, OP_OR, OP_XOR, OP_CMP, OP_TEST, NFAST_OPS };
#define FAST_ENTRY(name, op, store, size, form, dk, sk) fast_##name##_##form##size,
#define FAST_ROW(name, op, store)                                                                     \
    { { FAST_FORMS(FAST_ENTRY, name, op, store, 1) }, { FAST_FORMS(FAST_ENTRY, name, op, store, 4) }, \
      { FAST_FORMS(FAST_ENTRY, name, op, store, 8) } },
static exec_fn const fast_table[NFAST_OPS][3][5] = { FAST_OPS(FAST_ROW) };
#undef FAST_ROW
#undef FAST_ENTRY
#undef FAST_FORMS

static int fast_kind(const struct operand *o, unsigned size)
{
    if (o->kind == OPK_GPR && o->size == size && !o->hi8)
        return FK_R;
    if (o->kind == OPK_MEM && o->size == size && o->ea_fast)
        return FK_M;
    if (o->kind == OPK_IMM)
        return FK_I;
    return -1;
}

static exec_fn fast_select(const struct insn *in, int op)
{
    const struct operand *d = &in->op[0];
    unsigned size = d->size;
    int si = size == 1 ? 0 : size == 4 ? 1 : size == 8 ? 2 : -1;
    if (in->nops != 2 || si < 0)
        return NULL;
    int dk = fast_kind(d, size), sk = fast_kind(&in->op[1], size);
    int form = dk == FK_R ? (sk == FK_R ? 0 : sk == FK_I ? 1 : sk == FK_M ? 2 : -1)
             : dk == FK_M ? (sk == FK_R ? 3 : sk == FK_I ? 4 : -1) : -1;
    return form < 0 ? NULL : fast_table[op][si][form];
}

static exec_fn add_select(const struct insn *in) { return fast_select(in, OP_ADD); }
static exec_fn sub_select(const struct insn *in) { return fast_select(in, OP_SUB); }
static exec_fn and_select(const struct insn *in) { return fast_select(in, OP_AND); }
static exec_fn or_select(const struct insn *in) { return fast_select(in, OP_OR); }
static exec_fn xor_select(const struct insn *in) { return fast_select(in, OP_XOR); }
static exec_fn cmp_select(const struct insn *in) { return fast_select(in, OP_CMP); }
static exec_fn test_select(const struct insn *in) { return fast_select(in, OP_TEST); }

/*
 * One-operand read-modify-write (INC, DEC, NEG, NOT) of a 32/64-bit register
 * or a memory operand the TLB can reach directly: unary_load fetches the value
 * (false: no fast path, the general handler runs the instruction), and
 * unary_store writes the result back to the same place.
 */
static inline __attribute__((always_inline)) bool unary_load(struct cpu *cpu, const struct insn *in, bool mem,
                                                             unsigned size, void **p, uint64_t *a)
{
    if (mem) {
        *p = tlb_write_ptr(cpu, op_ea_fast(cpu, &in->op[0]), size);
        if (__builtin_expect(!*p, 0))
            return false;
        *a = host_load(*p, size);
    } else {
        *a = cpu->s.gpr[in->op[0].reg] & size_mask(size);
    }
    return true;
}

static inline __attribute__((always_inline)) void unary_store(struct cpu *cpu, const struct insn *in, bool mem,
                                                              unsigned size, void *p, uint64_t r)
{
    if (mem)
        host_store(p, size, r);
    else
        fast_gpr_write(cpu, in->op[0].reg, size, r);
}

/* INC/DEC: CF is kept, so the record carries it as cf_in. */
static inline __attribute__((always_inline)) bool fast_incdec(struct cpu *cpu, const struct insn *in,
                                                              bool inc, bool mem, unsigned size)
{
    uint64_t a;
    void *p = NULL;
    if (!unary_load(cpu, in, mem, size, &p, &a))
        return false;
    uint64_t r = inc ? a + 1 : a - 1;
    unsigned cin = alu_cf(cpu);
    unary_store(cpu, in, mem, size, p, r);
    flags_set(cpu, inc ? LF_INC : LF_DEC, size, a, 1, r);
    cpu->lf.cf_in = (uint8_t)cin;
    return true;
}

#define INCDEC_FN(name, inc, mem, size, general)                          \
    EXEC_FAST_BODY(name) { return fast_incdec(cpu, in, inc, mem, size); } \
    EXEC_FAST(name, general)
INCDEC_FN(inc_r4, true, false, 4, exec_inc)
INCDEC_FN(inc_r8, true, false, 8, exec_inc)
INCDEC_FN(inc_m4, true, true, 4, exec_inc)
INCDEC_FN(inc_m8, true, true, 8, exec_inc)
INCDEC_FN(dec_r4, false, false, 4, exec_dec)
INCDEC_FN(dec_r8, false, false, 8, exec_dec)
INCDEC_FN(dec_m4, false, true, 4, exec_dec)
INCDEC_FN(dec_m8, false, true, 8, exec_dec)
#undef INCDEC_FN

/* NEG and NOT of a 32/64-bit register or fast memory operand. */
static inline __attribute__((always_inline)) bool fast_negnot(struct cpu *cpu, const struct insn *in,
                                                              bool neg, bool mem, unsigned size)
{
    uint64_t a;
    void *p = NULL;
    if (!unary_load(cpu, in, mem, size, &p, &a))
        return false;
    uint64_t r = neg ? -a : ~a;
    unary_store(cpu, in, mem, size, p, r);
    if (neg)
        flags_set(cpu, LF_NEG, size, a, 0, r);
    return true;
}

#define NEGNOT_FN(name, neg, mem, size, general)                          \
    EXEC_FAST_BODY(name) { return fast_negnot(cpu, in, neg, mem, size); } \
    EXEC_FAST(name, general)
NEGNOT_FN(neg_r4, true, false, 4, exec_neg)
NEGNOT_FN(neg_r8, true, false, 8, exec_neg)
NEGNOT_FN(neg_m4, true, true, 4, exec_neg)
NEGNOT_FN(neg_m8, true, true, 8, exec_neg)
NEGNOT_FN(not_r4, false, false, 4, exec_not)
NEGNOT_FN(not_r8, false, false, 8, exec_not)
NEGNOT_FN(not_m4, false, true, 4, exec_not)
NEGNOT_FN(not_m8, false, true, 8, exec_not)
#undef NEGNOT_FN

static exec_fn incdec_select(const struct insn *in, exec_fn const t[2][2])
{
    const struct operand *d = &in->op[0];
    unsigned size = d->size;
    if (size != 4 && size != 8)
        return NULL;
    int k = fast_kind(d, size);
    if (k == FK_I || k < 0)
        return NULL;
    return t[k == FK_M][size == 8];
}

static exec_fn inc_select(const struct insn *in)
{
    static exec_fn const t[2][2] = { { inc_r4, inc_r8 }, { inc_m4, inc_m8 } };
    return incdec_select(in, t);
}

static exec_fn dec_select(const struct insn *in)
{
    static exec_fn const t[2][2] = { { dec_r4, dec_r8 }, { dec_m4, dec_m8 } };
    return incdec_select(in, t);
}

static exec_fn neg_select(const struct insn *in)
{
    static exec_fn const t[2][2] = { { neg_r4, neg_r8 }, { neg_m4, neg_m8 } };
    return incdec_select(in, t);
}

static exec_fn not_select(const struct insn *in)
{
    static exec_fn const t[2][2] = { { not_r4, not_r8 }, { not_m4, not_m8 } };
    return incdec_select(in, t);
}

void exec_alu_register(void)
{
    exec_register_select(ZYDIS_MNEMONIC_ADD, add_select);
    exec_register_select(ZYDIS_MNEMONIC_SUB, sub_select);
    exec_register_select(ZYDIS_MNEMONIC_AND, and_select);
    exec_register_select(ZYDIS_MNEMONIC_OR, or_select);
    exec_register_select(ZYDIS_MNEMONIC_XOR, xor_select);
    exec_register_select(ZYDIS_MNEMONIC_CMP, cmp_select);
    exec_register_select(ZYDIS_MNEMONIC_TEST, test_select);
    exec_register_select(ZYDIS_MNEMONIC_INC, inc_select);
    exec_register_select(ZYDIS_MNEMONIC_DEC, dec_select);
    exec_register_select(ZYDIS_MNEMONIC_NEG, neg_select);
    exec_register_select(ZYDIS_MNEMONIC_NOT, not_select);
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
