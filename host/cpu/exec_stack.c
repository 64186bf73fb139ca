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

static void exec_push(struct cpu *cpu, const struct insn *in)
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

static void exec_pop(struct cpu *cpu, const struct insn *in)
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

/* PUSHF/PUSHFQ: the image has RF and VM clear. */
static void exec_pushf(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->opsize;
    uint64_t v = cpu_get_rflags(cpu) & ~(uint64_t)(FL_RF | FL_VM);
    uint64_t sp = cpu->s.gpr[RSP] - size;
    mem_write(cpu, sp, size, v);
    cpu->s.gpr[RSP] = sp;
}

/*
 * POPF/POPFQ (Intel SDM vol. 2, POPF, protected/long mode): VM, VIF, VIP and
 * the reserved bits never change; IOPL changes only at CPL 0; IF only when
 * CPL <= IOPL. The 16-bit form changes only bits 15:0; the wider forms clear RF.
 */
static void exec_popf(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->opsize;
    uint64_t sp = cpu->s.gpr[RSP];
    uint64_t v = mem_read(cpu, sp, size);
    uint64_t old = cpu_get_rflags(cpu);
    uint64_t mask = FL_ARITH | FL_TF | FL_IF | FL_DF | FL_IOPL | FL_NT | FL_AC | FL_ID;
    unsigned cpl = cpu->s.cpl, iopl = (unsigned)(old & FL_IOPL) >> 12;

    if (cpl > 0)
        mask &= ~(uint64_t)FL_IOPL;
    if (cpl > iopl)
        mask &= ~(uint64_t)FL_IF;
    if (size == 2)
        mask &= 0xffff;
    uint64_t nf = (old & ~mask) | (v & mask);
    if (size != 2)
        nf &= ~(uint64_t)FL_RF;

    cpu->s.gpr[RSP] = sp + size;
    cpu_set_rflags(cpu, nf);
    /* Interrupts may have been enabled, or single-stepping changed. */
    if ((nf ^ old) & (FL_IF | FL_TF | FL_AC))
        cpu->block_exit = 1;
}

/*
 * ENTER alloc, level: push RBP, copy level-1 frame pointers from the old
 * frame, push the new frame pointer, then reserve `alloc` bytes. All stores
 * happen before RSP and RBP change; the SDM also has ENTER fault when the
 * final stack pointer is not writable.
 */
static void exec_enter(struct cpu *cpu, const struct insn *in)
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

/* LEAVE: RSP = RBP, then pop RBP (BP for the 16-bit form). */
static void exec_leave(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->opsize;
    uint64_t bp = cpu->s.gpr[RBP];
    uint64_t v = mem_read(cpu, bp, size);
    cpu->s.gpr[RSP] = bp + size;
    gpr_write(cpu, RBP, size, 0, v);
}

void exec_stack_register(void)
{
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
