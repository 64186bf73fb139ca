/*
 * exec_branch.c - near control transfers: JMP (relative, register, memory),
 * Jcc, CALL (relative, register, memory), RET and RET imm16, LOOP LOOPE
 * LOOPNE, JRCXZ JECXZ.
 *
 * A branch assigns cpu->next_rip. In 64-bit mode near branches always use a
 * 64-bit operand size (Intel ignores the 66 prefix); LOOP and JrCXZ count in
 * RCX or, with an address-size prefix, in ECX. Indirect targets and return
 * addresses are checked for canonical form: #GP(0) on the branch itself with
 * RSP unchanged, as on Intel (whose CALL has already stored the return
 * address below RSP when it faults).
 *
 * Far JMP/CALL/RET share the mnemonics; they are passed to the handler
 * registered before ours for that mnemonic (the system family).
 */
#include "cpu/exec.h"

#define CC_LIST(X)                                                                      \
    X(O, 0) X(NO, 1) X(B, 2) X(NB, 3) X(Z, 4) X(NZ, 5) X(BE, 6) X(NBE, 7)               \
    X(S, 8) X(NS, 9) X(P, 10) X(NP, 11) X(L, 12) X(NL, 13) X(LE, 14) X(NLE, 15)

static exec_fn jmp_far, call_far, ret_far;

static inline bool is_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static inline uint64_t branch_target(struct cpu *cpu, const struct insn *in)
{
    const struct operand *o = &in->op[0];
    uint64_t t;
    switch (o->kind) {
    case OPK_REL: return cpu->next_rip + o->imm;
    case OPK_GPR: t = cpu->s.gpr[o->reg]; break;
    default: t = mem_read64(cpu, op_ea(cpu, in, 0)); break;
    }
    if (__builtin_expect(!is_canonical(t), 0))
        cpu_raise_gp0(cpu);
    return t;
}

/* A memory operand wider than 8 bytes is a far pointer (m16:32 or m16:64). */
static inline bool is_far(const struct insn *in)
{
    /* FF /3 and FF /5 are CALL/JMP m16:xx: far whatever their operand size (4, 6 or 10 bytes). */
    const struct operand *o = &in->op[0];
    return o->kind == OPK_PTR ||
           (o->kind == OPK_MEM && in->opcode == 0xff && (in->modrm_reg == 3 || in->modrm_reg == 5));
}

EXEC_BODY(exec_jmp)
{
    if (__builtin_expect(is_far(in), 0)) {
        jmp_far(cpu, in);
        return;
    }
    cpu->next_rip = branch_target(cpu, in);
}
EXEC_THREADED(exec_jmp)

/* Jcc whose condition needs the flags computed: kept out of line so the fast path needs no stack frame. */
static __attribute__((noinline)) void jcc_slow(struct cpu *cpu, const struct insn *in, unsigned cc)
{
    if (flags_cond_slow(cpu, cc))
        cpu->next_rip += in->op[0].imm;
}

#define JCC_HANDLER(name, cc)                                                   \
    EXEC_BODY(exec_j##name)                                                     \
    {                                                                           \
        int taken = flags_cond_try(cpu, cc);                                    \
        if (__builtin_expect(taken < 0, 0))                                     \
            jcc_slow(cpu, in, cc);                                              \
        else if (taken)                                                         \
            cpu->next_rip += in->op[0].imm;                                     \
    }                                                                           \
    EXEC_THREADED(exec_j##name)
CC_LIST(JCC_HANDLER)
#undef JCC_HANDLER

EXEC_BODY(exec_call)
{
    if (__builtin_expect(is_far(in), 0)) {
        call_far(cpu, in);
        return;
    }
    const struct operand *o = &in->op[0];
    uint64_t target;
    switch (o->kind) {
    case OPK_REL: target = cpu->next_rip + o->imm; break;
    case OPK_GPR: target = cpu->s.gpr[o->reg]; break;
    default: target = mem_read64(cpu, op_ea(cpu, in, 0)); break;   /* before the push */
    }
    uint64_t sp = cpu->s.gpr[RSP] - 8;
    mem_write64(cpu, sp, cpu->next_rip);
    /* Intel stores the return address, then faults on the CALL with RSP unchanged. */
    if (__builtin_expect(!is_canonical(target), 0))
        cpu_raise_gp0(cpu);
    cpu->s.gpr[RSP] = sp;
    cpu->next_rip = target;
}
EXEC_THREADED(exec_call)

EXEC_BODY(exec_ret)
{
    if (__builtin_expect(in->opcode == 0xcb || in->opcode == 0xca, 0)) {
        ret_far(cpu, in);
        return;
    }
    uint64_t sp = cpu->s.gpr[RSP];
    uint64_t t = mem_read64(cpu, sp);
    if (__builtin_expect(!is_canonical(t), 0))
        cpu_raise_gp0(cpu);
    sp += 8;
    if (in->nops)
        sp += in->op[0].imm & 0xffff;
    cpu->s.gpr[RSP] = sp;
    cpu->next_rip = t;
}
EXEC_THREADED(exec_ret)

/* Decrement the count register (RCX, or ECX with a 67 prefix); true if it is not zero. */
static inline bool loop_count(struct cpu *cpu, const struct insn *in)
{
    if (in->addrsize == 4) {
        uint32_t c = (uint32_t)cpu->s.gpr[RCX] - 1;
        cpu->s.gpr[RCX] = c;
        return c != 0;
    }
    return --cpu->s.gpr[RCX] != 0;
}

EXEC_BODY(exec_loop)
{
    if (loop_count(cpu, in))
        cpu->next_rip += in->op[0].imm;
}
EXEC_THREADED(exec_loop)

EXEC_BODY(exec_loope)
{
    if (loop_count(cpu, in) && flags_zf(cpu))
        cpu->next_rip += in->op[0].imm;
}
EXEC_THREADED(exec_loope)

EXEC_BODY(exec_loopne)
{
    if (loop_count(cpu, in) && !flags_zf(cpu))
        cpu->next_rip += in->op[0].imm;
}
EXEC_THREADED(exec_loopne)

EXEC_BODY(exec_jrcxz)
{
    uint64_t c = cpu->s.gpr[RCX];
    if (in->addrsize == 4)
        c = (uint32_t)c;
    if (c == 0)
        cpu->next_rip += in->op[0].imm;
}
EXEC_THREADED(exec_jrcxz)

/*
 * Specialized near forms, chosen by the decoder: JMP rel, CALL rel and RET
 * (no immediate). A stack access without a direct host pointer goes to the
 * general handler.
 */
EXEC_BODY(jmp_rel)
{
    cpu->next_rip += in->op[0].imm;
}
EXEC_THREADED(jmp_rel)

EXEC_FAST_BODY(call_rel)
{
    uint64_t sp = cpu->s.gpr[RSP] - 8, target = cpu->next_rip + in->op[0].imm;
    void *p = tlb_write_ptr(cpu, sp, 8);
    if (__builtin_expect(!p || !is_canonical(target), 0))
        return false;
    host_store(p, 8, cpu->next_rip);
    cpu->s.gpr[RSP] = sp;
    cpu->next_rip = target;
    return true;
}
EXEC_FAST(call_rel, exec_call)

EXEC_FAST_BODY(ret_near)
{
    uint64_t sp = cpu->s.gpr[RSP];
    const void *p = tlb_read_ptr(cpu, sp, 8);
    uint64_t t;
    if (__builtin_expect(!p || !is_canonical(t = host_load(p, 8)), 0))
        return false;
    cpu->s.gpr[RSP] = sp + 8;
    cpu->next_rip = t;
    return true;
}
EXEC_FAST(ret_near, exec_ret)

static exec_fn jmp_select(const struct insn *in)
{
    return in->op[0].kind == OPK_REL ? jmp_rel : NULL;
}

static exec_fn call_select(const struct insn *in)
{
    return in->op[0].kind == OPK_REL ? call_rel : NULL;
}

static exec_fn ret_select(const struct insn *in)
{
    return in->opcode == 0xc3 && in->nops == 0 ? ret_near : NULL;
}

static exec_fn keep_previous(ZydisMnemonic m, exec_fn ours, exec_fn current)
{
    exec_fn prev = exec_lookup(m);
    if (prev == ours)
        return current;
    return prev ? prev : exec_unimplemented;
}

void exec_branch_register(void)
{
    jmp_far = keep_previous(ZYDIS_MNEMONIC_JMP, exec_jmp, jmp_far);
    call_far = keep_previous(ZYDIS_MNEMONIC_CALL, exec_call, call_far);
    ret_far = keep_previous(ZYDIS_MNEMONIC_RET, exec_ret, ret_far);
    exec_register_select(ZYDIS_MNEMONIC_JMP, jmp_select);
    exec_register_select(ZYDIS_MNEMONIC_CALL, call_select);
    exec_register_select(ZYDIS_MNEMONIC_RET, ret_select);
    exec_register(ZYDIS_MNEMONIC_JMP, exec_jmp);
    exec_register(ZYDIS_MNEMONIC_CALL, exec_call);
    exec_register(ZYDIS_MNEMONIC_RET, exec_ret);
#define JCC_REGISTER(name, cc) exec_register(ZYDIS_MNEMONIC_J##name, exec_j##name);
    CC_LIST(JCC_REGISTER)
#undef JCC_REGISTER
    exec_register(ZYDIS_MNEMONIC_LOOP, exec_loop);
    exec_register(ZYDIS_MNEMONIC_LOOPE, exec_loope);
    exec_register(ZYDIS_MNEMONIC_LOOPNE, exec_loopne);
    exec_register(ZYDIS_MNEMONIC_JRCXZ, exec_jrcxz);
    exec_register(ZYDIS_MNEMONIC_JECXZ, exec_jrcxz);
}
