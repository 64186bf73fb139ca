/*
 * exec_legacy.c - the instructions whose meaning outside 64-bit mode differs
 * from what their 64-bit handlers do: the stack (PUSH, POP, PUSHF, POPF,
 * near CALL and RET, IRET in real mode), near JMP with 16-bit targets, far
 * JMP, MOV Sreg, LGDT and LIDT.
 *
 * The decoder calls exec_legacy_choose() for every instruction it decodes in
 * real, protected or compatibility mode (mode.h), after the usual handler
 * was chosen; it replaces the handler of these forms and leaves every other
 * instruction to its family, whose operands outside 64-bit mode already
 * resolve through op_ea_legacy() (operand.h). 64-bit decoding never comes
 * here, so the 64-bit handlers stay as they are.
 *
 * The stack is SS.base + SP (SS.B = 0) or ESP (SS.B = 1). Instructions with
 * implicit memory operands that these modes would need otherwise (string
 * instructions, ENTER/LEAVE, LOOP/JCXZ, far CALL/RET, PUSHA/POPA, ...) stop
 * the CPU with CPU_EXIT_UNSUPPORTED and a message: Linux's trampoline uses
 * none of them (docs/cpu-model.md, "Modes").
 */
#include "cpu/exec.h"
#include "cpu/exec_system.h"
#include "cpu/mode.h"
#include "util/log.h"

static inline uint64_t sp_mask(const struct cpu *cpu)
{
    return (cpu->s.seg[SEG_SS].attr & SEG_ATTR_DB) ? 0xffffffffull : 0xffffull;
}

static inline uint64_t stack_la(const struct cpu *cpu, uint64_t sp)
{
    return (uint32_t)(cpu->s.seg[SEG_SS].base + (sp & sp_mask(cpu)));
}

static inline void set_sp(struct cpu *cpu, uint64_t sp)
{
    uint64_t m = sp_mask(cpu);
    cpu->s.gpr[RSP] = (cpu->s.gpr[RSP] & ~m) | (sp & m);
}

/* Store `size` bytes below the stack pointer; returns the new SP (not yet committed). */
static uint64_t push_at(struct cpu *cpu, uint64_t sp, unsigned size, uint64_t v)
{
    sp = (sp - size) & sp_mask(cpu);
    mem_write(cpu, stack_la(cpu, sp), size, v);
    return sp;
}

static uint64_t pop_at(struct cpu *cpu, uint64_t *sp, unsigned size)
{
    uint64_t v = mem_read(cpu, stack_la(cpu, *sp), size);
    *sp = (*sp + size) & sp_mask(cpu);
    return v;
}

static inline uint64_t opsize_mask(unsigned size)
{
    return size == 2 ? 0xffffull : 0xffffffffull;
}

static void legacy_push(struct cpu *cpu, const struct insn *in)
{
    const struct operand *o = &in->op[0];
    unsigned size = in->opsize;
    uint64_t v;
    switch (o->kind) {
    case OPK_GPR: v = cpu->s.gpr[o->reg]; break;
    case OPK_IMM: v = o->imm; break;
    case OPK_MEM: v = mem_read(cpu, op_ea(cpu, in, 0), size); break;
    case OPK_SEG: v = cpu->s.seg[o->reg].selector; break;
    default: cpu_raise_ud(cpu);
    }
    set_sp(cpu, push_at(cpu, cpu->s.gpr[RSP], size, v));
}

static void legacy_pop(struct cpu *cpu, const struct insn *in)
{
    const struct operand *o = &in->op[0];
    unsigned size = in->opsize;
    uint64_t sp = cpu->s.gpr[RSP];
    uint64_t v = pop_at(cpu, &sp, size);
    switch (o->kind) {
    case OPK_GPR:
        set_sp(cpu, sp);   /* first: POP SP loads the popped value */
        gpr_write(cpu, o->reg, size, 0, v);
        break;
    case OPK_MEM: {
        uint64_t old = cpu->s.gpr[RSP];
        set_sp(cpu, sp);   /* an SP-based destination uses the incremented SP */
        uint64_t ea = op_ea(cpu, in, 0);
        cpu->s.gpr[RSP] = old;
        mem_write(cpu, ea, size, v);
        set_sp(cpu, sp);
        break;
    }
    case OPK_SEG:
        legacy_load_sreg(cpu, o->reg, (uint16_t)v);
        set_sp(cpu, sp);
        if (o->reg == SEG_SS) {
            cpu->s.intr_shadow = 1;
            cpu->block_exit = 1;
        }
        break;
    default:
        cpu_raise_ud(cpu);
    }
}

static void legacy_pushf(struct cpu *cpu, const struct insn *in)
{
    uint64_t v = cpu_get_rflags(cpu) & ~(uint64_t)(FL_RF | FL_VM);
    set_sp(cpu, push_at(cpu, cpu->s.gpr[RSP], in->opsize, v));
}

/* POPF/POPFD with a 16- or 32-bit stack pointer; the flags rule is popf_flags (exec_stack.c). */
static void legacy_popf(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->opsize;
    uint64_t sp = cpu->s.gpr[RSP];
    uint64_t v = pop_at(cpu, &sp, size);
    uint64_t old = cpu_get_rflags(cpu);
    uint64_t nf = popf_flags(old, v, size, cpu->s.cpl);
    set_sp(cpu, sp);
    cpu_set_rflags(cpu, nf);
    if ((nf ^ old) & (FL_IF | FL_TF | FL_AC))
        cpu->block_exit = 1;
}

/* A near target of operand size `size`: relative, register or memory. */
static uint64_t near_target(struct cpu *cpu, const struct insn *in)
{
    const struct operand *o = &in->op[0];
    unsigned size = in->opsize;
    switch (o->kind) {
    case OPK_REL: return (cpu->next_rip + o->imm) & opsize_mask(size);
    case OPK_GPR: return cpu->s.gpr[o->reg] & opsize_mask(size);
    default: return mem_read(cpu, op_ea(cpu, in, 0), size);
    }
}

static void stop_unsupported(struct cpu *cpu, const struct insn *in, const char *why)
{
    warn("cpu", "%s %s at %04x:%llx outside 64-bit mode (CPU mode %u): not supported",
         ZydisMnemonicGetString((ZydisMnemonic)in->mnemonic), why, cpu->s.seg[SEG_CS].selector,
         (unsigned long long)cpu->s.rip, cpu->mode);
    cpu_request_exit(cpu, CPU_EXIT_UNSUPPORTED);
    cpu->next_rip = cpu->s.rip;
}

static void legacy_unsupported(struct cpu *cpu, const struct insn *in)
{
    stop_unsupported(cpu, in, "");
}

/* FF /3 and FF /5 with memory: m16:16 or m16:32. */
static inline bool far_indirect(const struct insn *in)
{
    return in->opcode == 0xff && in->op[0].kind == OPK_MEM && (in->modrm_reg == 3 || in->modrm_reg == 5);
}

static void legacy_jmp(struct cpu *cpu, const struct insn *in)
{
    const struct operand *o = &in->op[0];
    if (o->kind == OPK_PTR) {
        legacy_far_jump(cpu, o->seg_sel, o->imm);
        return;
    }
    if (far_indirect(in)) {
        uint64_t ea = op_ea(cpu, in, 0);
        uint64_t off = mem_read(cpu, ea, in->opsize);
        uint16_t sel = mem_read16(cpu, (uint32_t)(ea + in->opsize));
        legacy_far_jump(cpu, sel, off);
        return;
    }
    cpu->next_rip = near_target(cpu, in);
}

static void legacy_call(struct cpu *cpu, const struct insn *in)
{
    if (in->op[0].kind == OPK_PTR || far_indirect(in)) {
        stop_unsupported(cpu, in, "(far)");
        return;
    }
    uint64_t target = near_target(cpu, in);
    set_sp(cpu, push_at(cpu, cpu->s.gpr[RSP], in->opsize, cpu->next_rip));
    cpu->next_rip = target;
}

static void legacy_ret(struct cpu *cpu, const struct insn *in)
{
    if (in->opcode == 0xcb || in->opcode == 0xca) {
        stop_unsupported(cpu, in, "(far)");
        return;
    }
    uint64_t sp = cpu->s.gpr[RSP];
    uint64_t t = pop_at(cpu, &sp, in->opsize);
    if (in->nops)
        sp += in->op[0].imm & 0xffff;
    set_sp(cpu, sp);
    cpu->next_rip = t;
}

/* IRET in real mode: pop IP, CS, FLAGS (as POPF at CPL 0). */
static void legacy_iret(struct cpu *cpu, const struct insn *in)
{
    if (cpu->mode != CPU_MODE_REAL) {
        stop_unsupported(cpu, in, "(protected mode)");
        return;
    }
    unsigned size = in->opsize;
    uint64_t sp = cpu->s.gpr[RSP];
    uint64_t ip = pop_at(cpu, &sp, size);
    uint16_t cs = (uint16_t)pop_at(cpu, &sp, size);
    uint64_t fl = pop_at(cpu, &sp, size);
    uint64_t mask = FL_ARITH | FL_TF | FL_IF | FL_DF | FL_IOPL | FL_NT | FL_AC | FL_ID;
    if (size == 2)
        mask &= 0xffff;
    uint64_t old = cpu_get_rflags(cpu);
    set_sp(cpu, sp);
    cpu_set_rflags(cpu, (old & ~mask) | (fl & mask));
    legacy_far_jump(cpu, cs, ip);
}

static void legacy_mov(struct cpu *cpu, const struct insn *in)
{
    const struct operand *d = &in->op[0], *src = &in->op[1];
    if (d->kind != OPK_SEG) {
        exec_mov_sreg(cpu, in);   /* MOV r/m, Sreg */
        return;
    }
    uint16_t sel = src->kind == OPK_MEM ? mem_read16(cpu, op_ea(cpu, in, 1)) : (uint16_t)cpu->s.gpr[src->reg];
    if (d->reg == SEG_CS)
        cpu_raise_ud(cpu);
    legacy_load_sreg(cpu, d->reg, sel);
    if (d->reg == SEG_SS) {
        cpu->s.intr_shadow = 1;
        cpu->block_exit = 1;
    }
}

/* LGDT/LIDT: 16-bit limit, then a 24-bit (16-bit operand size) or 32-bit base. */
static void load_dtable(struct cpu *cpu, const struct insn *in, struct dtable *t)
{
    if (cpu->s.cpl != 0)
        cpu_raise_gp0(cpu);
    uint64_t ea = op_ea(cpu, in, 0);
    uint16_t limit = mem_read16(cpu, ea);
    uint32_t base = mem_read32(cpu, (uint32_t)(ea + 2));
    if (in->opsize == 2)
        base &= 0xffffff;
    *t = (struct dtable){ base, limit };
}

static void legacy_lgdt(struct cpu *cpu, const struct insn *in) { load_dtable(cpu, in, &cpu->s.gdtr); }
static void legacy_lidt(struct cpu *cpu, const struct insn *in) { load_dtable(cpu, in, &cpu->s.idtr); }

static bool unsupported_mnemonic(const struct insn *in)
{
    ZydisMnemonic m = (ZydisMnemonic)in->mnemonic;
    if ((m == ZYDIS_MNEMONIC_MOVSD || m == ZYDIS_MNEMONIC_CMPSD) && in->opcode_map != 0)
        return false;   /* the SSE2 instructions of the same name */
    switch (m) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD:
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD:
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD:
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD:
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD:
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
    case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
    case ZYDIS_MNEMONIC_ENTER: case ZYDIS_MNEMONIC_LEAVE:
    case ZYDIS_MNEMONIC_LOOP: case ZYDIS_MNEMONIC_LOOPE: case ZYDIS_MNEMONIC_LOOPNE:
    case ZYDIS_MNEMONIC_JCXZ: case ZYDIS_MNEMONIC_JECXZ:
    case ZYDIS_MNEMONIC_PUSHA: case ZYDIS_MNEMONIC_PUSHAD: case ZYDIS_MNEMONIC_POPA: case ZYDIS_MNEMONIC_POPAD:
    case ZYDIS_MNEMONIC_XLAT: case ZYDIS_MNEMONIC_SYSCALL: case ZYDIS_MNEMONIC_SYSRET:
    case ZYDIS_MNEMONIC_SYSENTER: case ZYDIS_MNEMONIC_SYSEXIT:
    case ZYDIS_MNEMONIC_LDS: case ZYDIS_MNEMONIC_LES: case ZYDIS_MNEMONIC_LSS:
    case ZYDIS_MNEMONIC_LFS: case ZYDIS_MNEMONIC_LGS: case ZYDIS_MNEMONIC_SGDT: case ZYDIS_MNEMONIC_SIDT:
    case ZYDIS_MNEMONIC_LLDT: case ZYDIS_MNEMONIC_LTR:
        return true;
    default:
        return false;
    }
}

void exec_legacy_choose(struct insn *in, unsigned mode)
{
    (void)mode;
    exec_fn fn = NULL;
    switch ((ZydisMnemonic)in->mnemonic) {
    case ZYDIS_MNEMONIC_PUSH: fn = legacy_push; break;
    case ZYDIS_MNEMONIC_POP: fn = legacy_pop; break;
    case ZYDIS_MNEMONIC_PUSHF: case ZYDIS_MNEMONIC_PUSHFD: fn = legacy_pushf; break;
    case ZYDIS_MNEMONIC_POPF: case ZYDIS_MNEMONIC_POPFD: fn = legacy_popf; break;
    case ZYDIS_MNEMONIC_JMP: fn = legacy_jmp; break;
    case ZYDIS_MNEMONIC_CALL: fn = legacy_call; break;
    case ZYDIS_MNEMONIC_RET: fn = legacy_ret; break;
    case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: fn = legacy_iret; break;
    case ZYDIS_MNEMONIC_LGDT: fn = legacy_lgdt; break;
    case ZYDIS_MNEMONIC_LIDT: fn = legacy_lidt; break;
    case ZYDIS_MNEMONIC_MOV:
        if (in->op[0].kind == OPK_SEG || in->op[1].kind == OPK_SEG)
            fn = legacy_mov;
        break;
    default:
        if (unsupported_mnemonic(in))
            fn = legacy_unsupported;
        break;
    }
    if (fn) {
        in->fn = fn;
        in->run = exec_run_generic;
    }
}
