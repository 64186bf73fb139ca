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
    X(O, 0) X(NO, 1) X(B, 2) X(NB, 3) X(Z, 4) X(NZ, 5) X(BE, 6) X(NBE, 7)              \
    X(S, 8) X(NS, 9) X(P, 10) X(NP, 11) X(L, 12) X(NL, 13) X(LE, 14) X(NLE, 15)

/* MOV forms that are not ours (segment, control, debug registers). */
static exec_fn mov_system;

static void exec_mov(struct cpu *cpu, const struct insn *in)
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

/* Source operand op[1] (register or memory) at its own size, zero-extended. */
static inline uint64_t src_rm(struct cpu *cpu, const struct insn *in)
{
    const struct operand *s = &in->op[1];
    if (s->kind == OPK_GPR)
        return gpr_read(cpu, s->reg, s->size, s->hi8);
    return mem_read(cpu, op_ea(cpu, in, 1), s->size);
}

static void exec_movzx(struct cpu *cpu, const struct insn *in)
{
    const struct operand *d = &in->op[0];
    gpr_write(cpu, d->reg, d->size, 0, src_rm(cpu, in));
}

/* MOVSX and MOVSXD (MOVSXD without REX.W is a plain 32-bit move). */
static void exec_movsx(struct cpu *cpu, const struct insn *in)
{
    const struct operand *d = &in->op[0];
    unsigned shift = 64 - in->op[1].size * 8;
    int64_t v = (int64_t)(src_rm(cpu, in) << shift) >> shift;
    gpr_write(cpu, d->reg, d->size, 0, (uint64_t)v);
}

/* LEA: the effective address without segment base, truncated to the address then operand size. */
static void exec_lea(struct cpu *cpu, const struct insn *in)
{
    const struct operand *d = &in->op[0], *m = &in->op[1];
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

/* XCHG: always atomic with memory, which a single-threaded interpreter gets for free. */
static void exec_xchg(struct cpu *cpu, const struct insn *in)
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

#define CC_HANDLERS(name, cc)                                                                  \
    static void exec_cmov##name(struct cpu *cpu, const struct insn *in) { cmov(cpu, in, cc); } \
    static void exec_set##name(struct cpu *cpu, const struct insn *in) { setcc(cpu, in, cc); }
CC_LIST(CC_HANDLERS)
#undef CC_HANDLERS

/* Sign extension of the accumulator: CBW CWDE CDQE, and into RDX: CWD CDQ CQO. */
static void exec_cbw(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    gpr_write(cpu, RAX, 2, 0, (uint64_t)(int64_t)(int8_t)cpu->s.gpr[RAX]);
}

static void exec_cwde(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    gpr_write(cpu, RAX, 4, 0, (uint64_t)(int64_t)(int16_t)cpu->s.gpr[RAX]);
}

static void exec_cdqe(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu->s.gpr[RAX] = (uint64_t)(int64_t)(int32_t)cpu->s.gpr[RAX];
}

static void exec_cwd(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    gpr_write(cpu, RDX, 2, 0, (uint64_t)((int64_t)(int16_t)cpu->s.gpr[RAX] >> 15));
}

static void exec_cdq(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    gpr_write(cpu, RDX, 4, 0, (uint64_t)((int64_t)(int32_t)cpu->s.gpr[RAX] >> 31));
}

static void exec_cqo(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu->s.gpr[RDX] = (uint64_t)((int64_t)cpu->s.gpr[RAX] >> 63);
}

/* LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.  SAHF: the reverse for those five flags. */
#define LAHF_MASK (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)

static void exec_lahf(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint64_t f = (cpu_get_rflags(cpu) & LAHF_MASK) | FL_FIXED1;
    gpr_write(cpu, RAX, 1, 1, f);
}

static void exec_sahf(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    flags_write(cpu, LAHF_MASK, (cpu->s.gpr[RAX] >> 8) & LAHF_MASK);
}

static void exec_cmc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    flags_write(cpu, FL_CF, flags_cf(cpu) ? 0 : FL_CF);
}

static void exec_clc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    flags_write(cpu, FL_CF, 0);
}

static void exec_stc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    flags_write(cpu, FL_CF, FL_CF);
}

/* DF is not an arithmetic flag: it always lives in cpu->s.rflags. */
static void exec_cld(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu->s.rflags &= ~(uint64_t)FL_DF;
}

static void exec_std(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu->s.rflags |= FL_DF;
}

/* XLAT: AL = [RBX + AL] (EBX with an address-size prefix). */
static void exec_xlat(struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = cpu->s.gpr[RBX] + (cpu->s.gpr[RAX] & 0xff);
    if (in->addrsize == 4)
        ea = (uint32_t)ea;
    uint8_t v = mem_read8(cpu, ea);
    gpr_write(cpu, RAX, 1, 0, v);
}

/* NOP, NOP r/m (no memory access), PAUSE, ENDBR32/64. */
static void exec_nop(struct cpu *cpu, const struct insn *in)
{
    (void)cpu;
    (void)in;
}

void exec_mov_register(void)
{
    /* Keep the system family's MOV (segment/CR/DR forms) to hand the non-GPR forms to. */
    exec_fn prev = exec_lookup(ZYDIS_MNEMONIC_MOV);
    if (prev != exec_mov)
        mov_system = prev ? prev : exec_unimplemented;
    exec_register(ZYDIS_MNEMONIC_MOV, exec_mov);

    exec_register(ZYDIS_MNEMONIC_MOVZX, exec_movzx);
    exec_register(ZYDIS_MNEMONIC_MOVSX, exec_movsx);
    exec_register(ZYDIS_MNEMONIC_MOVSXD, exec_movsx);
    exec_register(ZYDIS_MNEMONIC_LEA, exec_lea);
    exec_register(ZYDIS_MNEMONIC_XCHG, exec_xchg);
#define CC_REGISTER(name, cc)                                          \
    exec_register(ZYDIS_MNEMONIC_CMOV##name, exec_cmov##name);         \
    exec_register(ZYDIS_MNEMONIC_SET##name, exec_set##name);
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
