/*
 * exec_stack.c - the stack: PUSH and POP (register, memory, immediate; 64- and
 * 16-bit operand sizes), PUSH FS/GS, PUSHF(Q) and POPF(Q), ENTER and LEAVE.
 *
 * In 64-bit mode the stack is always addressed with RSP and SS has base 0.
 * Every handler performs its memory accesses before it changes RSP or any
 * other register, so a fault leaves the instruction restartable.
 *
 * POP FS/GS must load a segment descriptor, which is the system family's job:
 * POP with a segment operand goes to the POP handler registered before ours.
 */
#include "cpu/exec.h"

static exec_fn pop_system;

EXEC_BODY(exec_push)
{
    const struct operand *o = &in->op[0];
    unsigned size = in->opsize;
    uint64_t v;

    switch (o->kind) {
    case OPK_GPR: v = cpu->s.gpr[o->reg]; break;
    case OPK_IMM: v = o->imm; break;   /* sign-extended by the decoder */
    case OPK_MEM: v = mem_read(cpu, op_ea(cpu, in, 0), size); break;
    case OPK_SEG: v = cpu->s.seg[o->reg].selector; break;
    default: cpu_raise_ud(cpu);
    }
    uint64_t sp = cpu->s.gpr[RSP] - size;
    mem_write(cpu, sp, size, v);
    cpu->s.gpr[RSP] = sp;
}
EXEC_THREADED(exec_push)

EXEC_BODY(exec_pop)
{
    const struct operand *o = &in->op[0];
    unsigned size = in->opsize;
    uint64_t sp = cpu->s.gpr[RSP];

    switch (o->kind) {
    case OPK_GPR: {
        uint64_t v = mem_read(cpu, sp, size);
        /* RSP is incremented first, so POP RSP / POP SP load the popped value. */
        cpu->s.gpr[RSP] = sp + size;
        gpr_write(cpu, o->reg, size, 0, v);
        break;
    }
    case OPK_MEM: {
        uint64_t v = mem_read(cpu, sp, size);
        /* An RSP-based destination address uses the incremented RSP. */
        cpu->s.gpr[RSP] = sp + size;
        uint64_t ea = op_ea(cpu, in, 0);
        cpu->s.gpr[RSP] = sp;
        mem_write(cpu, ea, size, v);
        cpu->s.gpr[RSP] = sp + size;
        break;
    }
    default:
        pop_system(cpu, in);
        break;
    }
}
EXEC_THREADED(exec_pop)

/* PUSHF/PUSHFQ: the image has RF and VM clear. */
EXEC_BODY(exec_pushf)
{
    unsigned size = in->opsize;
    uint64_t v = cpu_get_rflags(cpu) & ~(uint64_t)(FL_RF | FL_VM);
    uint64_t sp = cpu->s.gpr[RSP] - size;
    mem_write(cpu, sp, size, v);
    cpu->s.gpr[RSP] = sp;
}
EXEC_THREADED(exec_pushf)

/*
 * POPF/POPFQ (Intel SDM vol. 2, POPF, protected/long mode): VM, VIF, VIP and
 * the reserved bits never change; IOPL changes only at CPL 0; IF only when
 * CPL <= IOPL. The 16-bit form changes only bits 15:0; the wider forms clear RF.
 */
uint64_t popf_flags(uint64_t old, uint64_t v, unsigned size, unsigned cpl)
{
    uint64_t mask = FL_ARITH | FL_TF | FL_IF | FL_DF | FL_IOPL | FL_NT | FL_AC | FL_ID;
    unsigned iopl = (unsigned)(old & FL_IOPL) >> 12;
    if (cpl > 0)
        mask &= ~(uint64_t)FL_IOPL;
    if (cpl > iopl)
        mask &= ~(uint64_t)FL_IF;
    if (size == 2)
        mask &= 0xffff;
    uint64_t nf = (old & ~mask) | (v & mask);
    if (size != 2)
        nf &= ~(uint64_t)FL_RF;
    return nf;
}

EXEC_BODY(exec_popf)
{
    unsigned size = in->opsize;
    uint64_t sp = cpu->s.gpr[RSP];
    uint64_t v = mem_read(cpu, sp, size);
    uint64_t old = cpu_get_rflags(cpu);
    uint64_t nf = popf_flags(old, v, size, cpu->s.cpl);

    cpu->s.gpr[RSP] = sp + size;
    cpu_set_rflags(cpu, nf);
    /* Interrupts may have been enabled, or single-stepping changed. */
    if ((nf ^ old) & (FL_IF | FL_TF | FL_AC))
        cpu->block_exit = 1;
}
EXEC_THREADED(exec_popf)

/*
 * ENTER alloc, level: push RBP, copy level-1 frame pointers from the old
 * frame, push the new frame pointer, then reserve `alloc` bytes. All stores
 * happen before RSP and RBP change; the SDM also has ENTER fault when the
 * final stack pointer is not writable.
 */
EXEC_BODY(exec_enter)
{
    unsigned size = in->opsize;
    uint64_t alloc = in->op[0].imm & 0xffff;
    unsigned level = (unsigned)in->op[1].imm & 31;
    uint64_t sp = cpu->s.gpr[RSP], bp = cpu->s.gpr[RBP];

    sp -= size;
    mem_write(cpu, sp, size, bp);
    uint64_t frame = sp;
    if (level > 0) {
        for (unsigned i = 1; i < level; i++) {
            bp -= size;
            uint64_t v = mem_read(cpu, bp, size);
            sp -= size;
            mem_write(cpu, sp, size, v);
        }
        sp -= size;
        mem_write(cpu, sp, size, frame);
    }
    sp -= alloc;
    if (alloc)
        mem_check_write(cpu, sp, size);

    gpr_write(cpu, RBP, size, 0, frame);
    cpu->s.gpr[RSP] = sp;
}
EXEC_THREADED(exec_enter)

/* LEAVE: RSP = RBP, then pop RBP (BP for the 16-bit form). */
EXEC_BODY(exec_leave)
{
    unsigned size = in->opsize;
    uint64_t bp = cpu->s.gpr[RBP];
    uint64_t v = mem_read(cpu, bp, size);
    cpu->s.gpr[RSP] = bp + size;
    gpr_write(cpu, RBP, size, 0, v);
}
EXEC_THREADED(exec_leave)

/* Specialized PUSH/POP of a 64-bit register, chosen by the decoder; no direct host pointer: general handler. */
EXEC_FAST_BODY(push_r64)
{
    uint64_t sp = cpu->s.gpr[RSP] - 8;
    void *p = tlb_write_ptr(cpu, sp, 8);
    if (__builtin_expect(!p, 0))
        return false;
    host_store(p, 8, cpu->s.gpr[in->op[0].reg]);
    cpu->s.gpr[RSP] = sp;
    return true;
}
EXEC_FAST(push_r64, exec_push)

EXEC_FAST_BODY(pop_r64)
{
    uint64_t sp = cpu->s.gpr[RSP];
    const void *p = tlb_read_ptr(cpu, sp, 8);
    if (__builtin_expect(!p, 0))
        return false;
    uint64_t v = host_load(p, 8);
    cpu->s.gpr[RSP] = sp + 8;
    cpu->s.gpr[in->op[0].reg] = v;   /* after RSP: POP RSP loads the popped value */
    return true;
}
EXEC_FAST(pop_r64, exec_pop)

static exec_fn push_select(const struct insn *in)
{
    const struct operand *o = &in->op[0];
    return in->opsize == 8 && o->kind == OPK_GPR ? push_r64 : NULL;
}

static exec_fn pop_select(const struct insn *in)
{
    const struct operand *o = &in->op[0];
    return in->opsize == 8 && o->kind == OPK_GPR ? pop_r64 : NULL;
}

void exec_stack_register(void)
{
    exec_register_select(ZYDIS_MNEMONIC_PUSH, push_select);
    exec_register_select(ZYDIS_MNEMONIC_POP, pop_select);
    exec_fn prev = exec_lookup(ZYDIS_MNEMONIC_POP);
    if (prev != exec_pop)
        pop_system = prev ? prev : exec_unimplemented;
    exec_register(ZYDIS_MNEMONIC_POP, exec_pop);
    exec_register(ZYDIS_MNEMONIC_PUSH, exec_push);
    exec_register(ZYDIS_MNEMONIC_PUSHF, exec_pushf);
    exec_register(ZYDIS_MNEMONIC_PUSHFQ, exec_pushf);
    exec_register(ZYDIS_MNEMONIC_POPF, exec_popf);
    exec_register(ZYDIS_MNEMONIC_POPFQ, exec_popf);
    exec_register(ZYDIS_MNEMONIC_ENTER, exec_enter);
    exec_register(ZYDIS_MNEMONIC_LEAVE, exec_leave);
}
