/*
 * exec_mov.c - data movement inside the general registers and memory: MOV
 * (register, memory, immediate, moffs, imm64), MOVZX MOVSX MOVSXD, LEA, XCHG,
 * CMOVcc, SETcc, CBW CWDE CDQE CWD CDQ CQO, LAHF SAHF, CMC CLC STC CLD STD,
 * XLAT, and the NOP family (NOP, multi-byte NOP, PAUSE, ENDBR32/64).
 *
 * Immediates are taken from operand.imm, which Zydis sign-extends to 64 bits,
 * and truncated to the destination size (Zydis reports the encoded size of a
 * sign-extended imm32, not the destination size). Writes of 32-bit registers
 * zero-extend (gpr_write), which covers MOV r32, XCHG r32 and CMOV r32.
 *
 * MOV to and from segment, control and debug registers shares the mnemonic
 * with the GPR forms; those forms are passed to the MOV handler that was
 * registered before ours (the system family), see exec_mov_register().
 */
#include "cpu/exec.h"

/* The condition codes in opcode order (the low nibble of Jcc/SETcc/CMOVcc). */
#define CC_LIST(X)                                                                      \
    X(O, 0) X(NO, 1) X(B, 2) X(NB, 3) X(Z, 4) X(NZ, 5) X(BE, 6) X(NBE, 7)               \
    X(S, 8) X(NS, 9) X(P, 10) X(NP, 11) X(L, 12) X(NL, 13) X(LE, 14) X(NLE, 15)

/* MOV forms that are not ours (segment, control, debug registers). */
static exec_fn mov_system;

EXEC_BODY(exec_mov)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    uint64_t v;

    if (d->kind == OPK_GPR) {
        switch (s->kind) {
        case OPK_GPR: v = gpr_read(cpu, s->reg, s->size, s->hi8); break;
        case OPK_MEM: v = mem_read(cpu, op_ea(cpu, in, 1), d->size); break;
        case OPK_IMM: v = s->imm; break;
        default: mov_system(cpu, in); return;
        }
        gpr_write(cpu, d->reg, d->size, d->hi8, v);
    } else if (d->kind == OPK_MEM) {
        switch (s->kind) {
        case OPK_GPR: v = gpr_read(cpu, s->reg, s->size, s->hi8); break;
        case OPK_IMM: v = s->imm; break;
        default: mov_system(cpu, in); return;
        }
        mem_write(cpu, op_ea(cpu, in, 0), d->size, v);
    } else {
        mov_system(cpu, in);
    }
}
EXEC_THREADED(exec_mov)

/* Source operand op[1] (register or memory) at its own size, zero-extended. */
static inline uint64_t src_rm(struct cpu *cpu, const struct insn *in)
{
    const struct operand *s = &in->op[1];
    if (s->kind == OPK_GPR)
        return gpr_read(cpu, s->reg, s->size, s->hi8);
    return mem_read(cpu, op_ea(cpu, in, 1), s->size);
}

EXEC_BODY(exec_movzx)
{
    const struct operand *d = &in->op[0];
    gpr_write(cpu, d->reg, d->size, 0, src_rm(cpu, in));
}
EXEC_THREADED(exec_movzx)

/* MOVSX and MOVSXD (MOVSXD without REX.W is a plain 32-bit move). */
EXEC_BODY(exec_movsx)
{
    const struct operand *d = &in->op[0];
    unsigned shift = 64 - in->op[1].size * 8;
    int64_t v = (int64_t)(src_rm(cpu, in) << shift) >> shift;
    gpr_write(cpu, d->reg, d->size, 0, (uint64_t)v);
}
EXEC_THREADED(exec_movsx)

/* LEA: the effective address without segment base, truncated to the address then operand size. */
EXEC_BODY(exec_lea)
{
    const struct operand *d = &in->op[0], *m = &in->op[1];
    if (m->ea_fast == EA_FAST) {
        gpr_write(cpu, d->reg, d->size, 0, op_ea_fast(cpu, m));
        return;
    }
    uint64_t ea = (uint64_t)m->disp;
    if (m->reg == MEMBASE_RIP)
        ea += cpu->next_rip;
    else if (m->reg != REG_NONE)
        ea += cpu->s.gpr[m->reg];
    if (m->index != REG_NONE)
        ea += cpu->s.gpr[m->index] << m->scale;
    if (in->addrsize == 4)
        ea = (uint32_t)ea;
    gpr_write(cpu, d->reg, d->size, 0, ea);
}
EXEC_THREADED(exec_lea)

/* XCHG: always atomic with memory, which a single-threaded interpreter gets for free. */
EXEC_BODY(exec_xchg)
{
    const struct operand *a = &in->op[0], *b = &in->op[1];
    unsigned size = a->size;

    if (a->kind == OPK_MEM || b->kind == OPK_MEM) {
        unsigned mi = a->kind == OPK_MEM ? 0 : 1;
        const struct operand *r = mi ? a : b;
        uint64_t ea = op_ea(cpu, in, mi);
        uint64_t mv = mem_read(cpu, ea, size);
        mem_write(cpu, ea, size, gpr_read(cpu, r->reg, size, r->hi8));
        gpr_write(cpu, r->reg, size, r->hi8, mv);
        return;
    }
    uint64_t va = gpr_read(cpu, a->reg, size, a->hi8);
    uint64_t vb = gpr_read(cpu, b->reg, size, b->hi8);
    gpr_write(cpu, a->reg, size, a->hi8, vb);
    gpr_write(cpu, b->reg, size, b->hi8, va);
}
EXEC_THREADED(exec_xchg)

/*
 * CMOVcc: the source is read (and may fault) whatever the condition; a
 * 32-bit destination is zero-extended even when the move does not happen.
 */
static inline __attribute__((always_inline)) void cmov(struct cpu *cpu, const struct insn *in,
                                                      unsigned cc)
{
    const struct operand *d = &in->op[0];
    uint64_t v = src_rm(cpu, in);
    if (flags_cond(cpu, cc))
        gpr_write(cpu, d->reg, d->size, 0, v);
    else if (d->size == 4)
        cpu->s.gpr[d->reg] = (uint32_t)cpu->s.gpr[d->reg];
}

static inline __attribute__((always_inline)) void setcc(struct cpu *cpu, const struct insn *in,
                                                       unsigned cc)
{
    const struct operand *d = &in->op[0];
    uint64_t v = flags_cond(cpu, cc);
    if (d->kind == OPK_GPR)
        gpr_write(cpu, d->reg, 1, d->hi8, v);
    else
        mem_write8(cpu, op_ea(cpu, in, 0), (uint8_t)v);
}

#define CC_HANDLERS(name, cc)                         \
    EXEC_BODY(exec_cmov##name) { cmov(cpu, in, cc); } \
    EXEC_THREADED(exec_cmov##name)                    \
    EXEC_BODY(exec_set##name) { setcc(cpu, in, cc); } \
    EXEC_THREADED(exec_set##name)
CC_LIST(CC_HANDLERS)
#undef CC_HANDLERS

/* Sign extension of the accumulator: CBW CWDE CDQE, and into RDX: CWD CDQ CQO. */
EXEC_BODY(exec_cbw)
{
    (void)in;
    gpr_write(cpu, RAX, 2, 0, (uint64_t)(int64_t)(int8_t)cpu->s.gpr[RAX]);
}
EXEC_THREADED(exec_cbw)

EXEC_BODY(exec_cwde)
{
    (void)in;
    gpr_write(cpu, RAX, 4, 0, (uint64_t)(int64_t)(int16_t)cpu->s.gpr[RAX]);
}
EXEC_THREADED(exec_cwde)

EXEC_BODY(exec_cdqe)
{
    (void)in;
    cpu->s.gpr[RAX] = (uint64_t)(int64_t)(int32_t)cpu->s.gpr[RAX];
}
EXEC_THREADED(exec_cdqe)

EXEC_BODY(exec_cwd)
{
    (void)in;
    gpr_write(cpu, RDX, 2, 0, (uint64_t)((int64_t)(int16_t)cpu->s.gpr[RAX] >> 15));
}
EXEC_THREADED(exec_cwd)

EXEC_BODY(exec_cdq)
{
    (void)in;
    gpr_write(cpu, RDX, 4, 0, (uint64_t)((int64_t)(int32_t)cpu->s.gpr[RAX] >> 31));
}
EXEC_THREADED(exec_cdq)

EXEC_BODY(exec_cqo)
{
    (void)in;
    cpu->s.gpr[RDX] = (uint64_t)((int64_t)cpu->s.gpr[RAX] >> 63);
}
EXEC_THREADED(exec_cqo)

/* LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.  SAHF: the reverse for those five flags. */
#define LAHF_MASK (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)

EXEC_BODY(exec_lahf)
{
    (void)in;
    uint64_t f = (cpu_get_rflags(cpu) & LAHF_MASK) | FL_FIXED1;
    gpr_write(cpu, RAX, 1, 1, f);
}
EXEC_THREADED(exec_lahf)

EXEC_BODY(exec_sahf)
{
    (void)in;
    flags_write(cpu, LAHF_MASK, (cpu->s.gpr[RAX] >> 8) & LAHF_MASK);
}
EXEC_THREADED(exec_sahf)

EXEC_BODY(exec_cmc)
{
    (void)in;
    flags_write(cpu, FL_CF, flags_cf(cpu) ? 0 : FL_CF);
}
EXEC_THREADED(exec_cmc)

EXEC_BODY(exec_clc)
{
    (void)in;
    flags_write(cpu, FL_CF, 0);
}
EXEC_THREADED(exec_clc)

EXEC_BODY(exec_stc)
{
    (void)in;
    flags_write(cpu, FL_CF, FL_CF);
}
EXEC_THREADED(exec_stc)

/* DF is not an arithmetic flag: it always lives in cpu->s.rflags. */
EXEC_BODY(exec_cld)
{
    (void)in;
    cpu->s.rflags &= ~(uint64_t)FL_DF;
}
EXEC_THREADED(exec_cld)

EXEC_BODY(exec_std)
{
    (void)in;
    cpu->s.rflags |= FL_DF;
}
EXEC_THREADED(exec_std)

/* XLAT: AL = [RBX + AL] (EBX with an address-size prefix). */
EXEC_BODY(exec_xlat)
{
    uint64_t ea = cpu->s.gpr[RBX] + (cpu->s.gpr[RAX] & 0xff);
    if (in->addrsize == 4)
        ea = (uint32_t)ea;
    uint8_t v = mem_read8(cpu, ea);
    gpr_write(cpu, RAX, 1, 0, v);
}
EXEC_THREADED(exec_xlat)

/* NOP, NOP r/m (no memory access), PAUSE, ENDBR32/64. */
EXEC_BODY(exec_nop)
{
    (void)cpu;
    (void)in;
}
EXEC_THREADED(exec_nop)

/*
 * Specialized forms, chosen by the decoder (exec_register_select): the
 * operand kinds and sizes are known, so each handler is a few loads and
 * stores. Register operands are never AH..BH here, memory operands always
 * have a pre-resolved address (operand.ea_fast), and a 32-bit register
 * destination is zero-extended.
 */
static inline void put32_64(struct cpu *cpu, unsigned reg, unsigned size, uint64_t v)
{
    cpu->s.gpr[reg] = size == 4 ? (uint32_t)v : v;
}

/*
 * A memory form takes the host pointer from the TLB before it changes
 * anything; without one (TLB miss, MMIO, page crossing, code page, first
 * write, and every access while a memory port is attached) it hands the
 * instruction to its slow twin, which does the same access through mmu.c's
 * slow path (a tail call: the fast path needs no stack frame).
 */
#define MOV_SIZED(sz, bits)                                                                   \
    EXEC_BODY(mov_rr##bits)                                                                   \
    {                                                                                         \
        put32_64(cpu, in->op[0].reg, sz, cpu->s.gpr[in->op[1].reg]);                          \
    }                                                                                         \
    EXEC_THREADED(mov_rr##bits)                                                               \
    EXEC_BODY(mov_rm##bits##_slow)                                                            \
    {                                                                                         \
        cpu->s.gpr[in->op[0].reg] = mmu_load_slow##bits(cpu, op_ea_fast(cpu, &in->op[1]));  \
    }                                                                                         \
    EXEC_THREADED(mov_rm##bits##_slow)                                                        \
    EXEC_FAST_BODY(mov_rm##bits)                                                              \
    {                                                                                         \
        const void *p = tlb_read_ptr(cpu, op_ea_fast(cpu, &in->op[1]), sz);                   \
        if (__builtin_expect(!p, 0))                                                          \
            return false;                                                                     \
        cpu->s.gpr[in->op[0].reg] = host_load(p, sz);                                         \
        return true;                                                                          \
    }                                                                                         \
    EXEC_FAST(mov_rm##bits, mov_rm##bits##_slow)
#define MOV_STORES(sz, bits)                                                                  \
    EXEC_BODY(mov_mr##bits##_slow)                                                            \
    {                                                                                         \
        mmu_store_slow##bits(cpu, op_ea_fast(cpu, &in->op[0]), cpu->s.gpr[in->op[1].reg]);     \
    }                                                                                         \
    EXEC_THREADED(mov_mr##bits##_slow)                                                        \
    EXEC_FAST_BODY(mov_mr##bits)                                                              \
    {                                                                                         \
        void *p = tlb_write_ptr(cpu, op_ea_fast(cpu, &in->op[0]), sz);                        \
        if (__builtin_expect(!p, 0))                                                          \
            return false;                                                                     \
        host_store(p, sz, cpu->s.gpr[in->op[1].reg]);                                         \
        return true;                                                                          \
    }                                                                                         \
    EXEC_FAST(mov_mr##bits, mov_mr##bits##_slow)                                              \
    EXEC_BODY(mov_mi##bits##_slow)                                                            \
    {                                                                                         \
        mmu_store_slow##bits(cpu, op_ea_fast(cpu, &in->op[0]), (uint64_t)in->op[1].imm);       \
    }                                                                                         \
    EXEC_THREADED(mov_mi##bits##_slow)                                                        \
    EXEC_FAST_BODY(mov_mi##bits)                                                              \
    {                                                                                         \
        void *p = tlb_write_ptr(cpu, op_ea_fast(cpu, &in->op[0]), sz);                        \
        if (__builtin_expect(!p, 0))                                                          \
            return false;                                                                     \
        host_store(p, sz, in->op[1].imm);                                                     \
        return true;                                                                          \
    }                                                                                         \
    EXEC_FAST(mov_mi##bits, mov_mi##bits##_slow)
MOV_SIZED(4, 32)
MOV_SIZED(8, 64)
MOV_STORES(1, 8)
MOV_STORES(2, 16)
MOV_STORES(4, 32)
MOV_STORES(8, 64)
#undef MOV_SIZED
#undef MOV_STORES

/* MOVZX/MOVSX/MOVSXD to a 32- or 64-bit register (the 32-bit result zero-extended). */
#define EXTEND(name, general, sz, ssz, ext)                                                   \
    EXEC_BODY(name##_r)                                                                       \
    {                                                                                         \
        uint64_t v = cpu->s.gpr[in->op[1].reg];                                               \
        put32_64(cpu, in->op[0].reg, sz, ext);                                                \
    }                                                                                         \
    EXEC_THREADED(name##_r)                                                                   \
    EXEC_FAST_BODY(name##_m)                                                                  \
    {                                                                                         \
        const void *p = tlb_read_ptr(cpu, op_ea_fast(cpu, &in->op[1]), ssz);                  \
        if (__builtin_expect(!p, 0))                                                          \
            return false;                                                                     \
        uint64_t v = host_load(p, ssz);                                                       \
        put32_64(cpu, in->op[0].reg, sz, ext);                                                \
        return true;                                                                          \
    }                                                                                         \
    EXEC_FAST(name##_m, general)
EXTEND(movzx8_32, exec_movzx, 4, 1, (uint8_t)v)
EXTEND(movzx16_32, exec_movzx, 4, 2, (uint16_t)v)
EXTEND(movzx8_64, exec_movzx, 8, 1, (uint8_t)v)
EXTEND(movzx16_64, exec_movzx, 8, 2, (uint16_t)v)
EXTEND(movsx8_32, exec_movsx, 4, 1, (uint64_t)(int8_t)v)
EXTEND(movsx16_32, exec_movsx, 4, 2, (uint64_t)(int16_t)v)
EXTEND(movsx8_64, exec_movsx, 8, 1, (uint64_t)(int8_t)v)
EXTEND(movsx16_64, exec_movsx, 8, 2, (uint64_t)(int16_t)v)
EXTEND(movsx32_64, exec_movsx, 8, 4, (uint64_t)(int32_t)v)
#undef EXTEND

EXEC_BODY(lea64)
{
    cpu->s.gpr[in->op[0].reg] = op_ea_fast(cpu, &in->op[1]);
}
EXEC_THREADED(lea64)

EXEC_BODY(lea32)
{
    cpu->s.gpr[in->op[0].reg] = (uint32_t)op_ea_fast(cpu, &in->op[1]);
}
EXEC_THREADED(lea32)

/*
 * CMOVcc with a 32/64-bit register destination and a register or fast memory
 * source, and SETcc of a byte register (not AH..BH): the condition is a
 * constant of each handler, so flags_cond folds to its few tests.
 */
static inline __attribute__((always_inline)) bool fast_cmov(struct cpu *cpu, const struct insn *in,
                                                            unsigned cc, bool mem, unsigned size)
{
    uint64_t v, *d = &cpu->s.gpr[in->op[0].reg];
    if (mem) {
        const void *p = tlb_read_ptr(cpu, op_ea_fast(cpu, &in->op[1]), size);
        if (__builtin_expect(!p, 0))
            return false;
        v = host_load(p, size);
    } else {
        v = cpu->s.gpr[in->op[1].reg];
    }
    if (flags_cond(cpu, cc))
        *d = size == 4 ? (uint32_t)v : v;
    else if (size == 4)
        *d = (uint32_t)*d;
    return true;
}

#define FAST_CC(name, cc)                                                                      \
    EXEC_FAST_BODY(cmov##name##_r4) { return fast_cmov(cpu, in, cc, false, 4); }               \
    EXEC_FAST(cmov##name##_r4, exec_cmov##name)                                                \
    EXEC_FAST_BODY(cmov##name##_r8) { return fast_cmov(cpu, in, cc, false, 8); }               \
    EXEC_FAST(cmov##name##_r8, exec_cmov##name)                                                \
    EXEC_FAST_BODY(cmov##name##_m4) { return fast_cmov(cpu, in, cc, true, 4); }                \
    EXEC_FAST(cmov##name##_m4, exec_cmov##name)                                                \
    EXEC_FAST_BODY(cmov##name##_m8) { return fast_cmov(cpu, in, cc, true, 8); }                \
    EXEC_FAST(cmov##name##_m8, exec_cmov##name)                                                \
    EXEC_BODY(set##name##_r) {                                                                 \
        uint64_t *d = &cpu->s.gpr[in->op[0].reg];                                              \
        *d = (*d & ~0xffull) | flags_cond(cpu, cc);                                            \
    }                                                                                          \
    EXEC_THREADED(set##name##_r)
CC_LIST(FAST_CC)
#undef FAST_CC

#define CC_ROW(name, cc) { cmov##name##_r4, cmov##name##_r8, cmov##name##_m4, cmov##name##_m8, set##name##_r },
static exec_fn const cc_table[16][5] = { CC_LIST(CC_ROW) };
#undef CC_ROW

/* A GPR operand of `size` bytes that is not AH..BH; a memory operand with a fast address. */
static inline bool is_reg(const struct operand *o, unsigned size)
{
    return o->kind == OPK_GPR && o->size == size && !o->hi8;
}

static inline bool is_mem(const struct operand *o, unsigned size)
{
    return o->kind == OPK_MEM && o->size == size && o->ea_fast;
}

/* MOV r, imm stays with exec_mov: it is already cheap there. */
static exec_fn mov_select(const struct insn *in)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    unsigned size = d->size;
    if (in->nops != 2)
        return NULL;
    if (size == 8 || size == 4) {
        bool q = size == 8;
        if (is_reg(d, size) && is_reg(s, size))
            return q ? mov_rr64 : mov_rr32;
        if (is_reg(d, size) && is_mem(s, size))
            return q ? mov_rm64 : mov_rm32;
        if (is_mem(d, size) && is_reg(s, size))
            return q ? mov_mr64 : mov_mr32;
        if (is_mem(d, size) && s->kind == OPK_IMM)
            return q ? mov_mi64 : mov_mi32;
    } else if (size == 2 || size == 1) {
        bool w = size == 2;
        if (is_mem(d, size) && is_reg(s, size))
            return w ? mov_mr16 : mov_mr8;
        if (is_mem(d, size) && s->kind == OPK_IMM)
            return w ? mov_mi16 : mov_mi8;
    }
    return NULL;
}

/* Which of a table [source size 1, 2, 4][register, memory] fits this MOVZX/MOVSX form. */
static exec_fn extend_pick(const struct insn *in, exec_fn const t[3][2])
{
    const struct operand *s = &in->op[1];
    unsigned ss = s->size, i = ss == 1 ? 0 : ss == 2 ? 1 : ss == 4 ? 2 : 3;
    if (i == 3)
        return NULL;
    if (is_reg(s, ss))
        return t[i][0];
    if (is_mem(s, ss))
        return t[i][1];
    return NULL;
}

static exec_fn movzx_select(const struct insn *in)
{
    static exec_fn const t32[3][2] = { { movzx8_32_r, movzx8_32_m }, { movzx16_32_r, movzx16_32_m } };
    static exec_fn const t64[3][2] = { { movzx8_64_r, movzx8_64_m }, { movzx16_64_r, movzx16_64_m } };
    const struct operand *d = &in->op[0];
    if (is_reg(d, 4))
        return extend_pick(in, t32);
    if (is_reg(d, 8))
        return extend_pick(in, t64);
    return NULL;
}

static exec_fn movsx_select(const struct insn *in)
{
    static exec_fn const t32[3][2] = { { movsx8_32_r, movsx8_32_m }, { movsx16_32_r, movsx16_32_m } };
    static exec_fn const t64[3][2] = { { movsx8_64_r, movsx8_64_m }, { movsx16_64_r, movsx16_64_m },
                                       { movsx32_64_r, movsx32_64_m } };
    const struct operand *d = &in->op[0];
    if (is_reg(d, 4))
        return extend_pick(in, t32);
    if (is_reg(d, 8))
        return extend_pick(in, t64);
    return NULL;
}

static exec_fn cmov_select(const struct insn *in)
{
    const struct operand *d = &in->op[0], *s = &in->op[1];
    unsigned size = d->size;
    if (in->nops != 2 || (size != 4 && size != 8) || !is_reg(d, size))
        return NULL;
    if (is_reg(s, size))
        return cc_table[in->cc][size == 8];
    if (is_mem(s, size))
        return cc_table[in->cc][2 + (size == 8)];
    return NULL;
}

static exec_fn setcc_select(const struct insn *in)
{
    return in->nops == 1 && is_reg(&in->op[0], 1) ? cc_table[in->cc][4] : NULL;
}

static exec_fn lea_select(const struct insn *in)
{
    const struct operand *d = &in->op[0], *m = &in->op[1];
    if (m->kind != OPK_MEM || m->ea_fast != EA_FAST || d->kind != OPK_GPR)
        return NULL;
    return d->size == 8 ? lea64 : d->size == 4 ? lea32 : NULL;
}

void exec_mov_register(void)
{
    /* Keep the system family's MOV (segment/CR/DR forms) to hand the non-GPR forms to. */
    exec_fn prev = exec_lookup(ZYDIS_MNEMONIC_MOV);
    if (prev != exec_mov)
        mov_system = prev ? prev : exec_unimplemented;
    exec_register(ZYDIS_MNEMONIC_MOV, exec_mov);

    exec_register_select(ZYDIS_MNEMONIC_MOV, mov_select);
    exec_register_select(ZYDIS_MNEMONIC_MOVZX, movzx_select);
    exec_register_select(ZYDIS_MNEMONIC_MOVSX, movsx_select);
    exec_register_select(ZYDIS_MNEMONIC_MOVSXD, movsx_select);
    exec_register_select(ZYDIS_MNEMONIC_LEA, lea_select);

    exec_register(ZYDIS_MNEMONIC_MOVZX, exec_movzx);
    exec_register(ZYDIS_MNEMONIC_MOVSX, exec_movsx);
    exec_register(ZYDIS_MNEMONIC_MOVSXD, exec_movsx);
    exec_register(ZYDIS_MNEMONIC_LEA, exec_lea);
    exec_register(ZYDIS_MNEMONIC_XCHG, exec_xchg);
#define CC_REGISTER(name, cc)                                          \
    exec_register(ZYDIS_MNEMONIC_CMOV##name, exec_cmov##name);         \
    exec_register(ZYDIS_MNEMONIC_SET##name, exec_set##name);           \
    exec_register_select(ZYDIS_MNEMONIC_CMOV##name, cmov_select);      \
    exec_register_select(ZYDIS_MNEMONIC_SET##name, setcc_select);
    CC_LIST(CC_REGISTER)
#undef CC_REGISTER
    exec_register(ZYDIS_MNEMONIC_CBW, exec_cbw);
    exec_register(ZYDIS_MNEMONIC_CWDE, exec_cwde);
    exec_register(ZYDIS_MNEMONIC_CDQE, exec_cdqe);
    exec_register(ZYDIS_MNEMONIC_CWD, exec_cwd);
    exec_register(ZYDIS_MNEMONIC_CDQ, exec_cdq);
    exec_register(ZYDIS_MNEMONIC_CQO, exec_cqo);
    exec_register(ZYDIS_MNEMONIC_LAHF, exec_lahf);
    exec_register(ZYDIS_MNEMONIC_SAHF, exec_sahf);
    exec_register(ZYDIS_MNEMONIC_CMC, exec_cmc);
    exec_register(ZYDIS_MNEMONIC_CLC, exec_clc);
    exec_register(ZYDIS_MNEMONIC_STC, exec_stc);
    exec_register(ZYDIS_MNEMONIC_CLD, exec_cld);
    exec_register(ZYDIS_MNEMONIC_STD, exec_std);
    exec_register(ZYDIS_MNEMONIC_XLAT, exec_xlat);
    exec_register(ZYDIS_MNEMONIC_NOP, exec_nop);
    exec_register(ZYDIS_MNEMONIC_PAUSE, exec_nop);
    exec_register(ZYDIS_MNEMONIC_ENDBR64, exec_nop);
    exec_register(ZYDIS_MNEMONIC_ENDBR32, exec_nop);
}
