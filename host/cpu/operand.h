/*
 * operand.h - reading and writing the pre-resolved operands of a decoded
 * instruction (insn.h). Shared by every instruction family.
 */
#ifndef M5SIM_CPU_OPERAND_H
#define M5SIM_CPU_OPERAND_H

#include <stdint.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/mmu.h"

/* General registers by size; 32-bit writes zero-extend, 8/16-bit writes merge. */
static inline uint64_t gpr_read(const struct cpu *cpu, unsigned reg, unsigned size, unsigned hi8)
{
    uint64_t v = cpu->s.gpr[reg];
    if (hi8)
        return (v >> 8) & 0xff;
    return v & size_mask(size);
}

static inline void gpr_write(struct cpu *cpu, unsigned reg, unsigned size, unsigned hi8, uint64_t v)
{
    uint64_t *r = &cpu->s.gpr[reg];
    switch (size) {
    case 1:
        if (hi8)
            *r = (*r & ~0xff00ull) | ((v & 0xff) << 8);
        else
            *r = (*r & ~0xffull) | (v & 0xff);
        break;
    case 2: *r = (*r & ~0xffffull) | (v & 0xffff); break;
    case 4: *r = (uint32_t)v; break;
    default: *r = v; break;
    }
}

static inline uint64_t cpu_slot(const struct cpu *cpu, unsigned off)
{
    uint64_t v;
    memcpy(&v, (const char *)cpu + off, sizeof v);
    return v;
}

/* Linear address of a memory operand the decoder pre-resolved (o->ea_fast, insn.h). */
static inline uint64_t op_ea_fast(const struct cpu *cpu, const struct operand *o)
{
    return (uint64_t)o->disp + cpu_slot(cpu, o->base_off) + (cpu_slot(cpu, o->index_off) << o->scale);
}

/*
 * Linear address of a memory operand outside 64-bit mode (o->legacy): the
 * offset wraps at the address size, every segment's base applies, and the
 * linear address is 32 bits.
 */
static inline uint64_t op_ea_legacy(const struct cpu *cpu, const struct insn *in, const struct operand *o)
{
    uint64_t ea = (uint64_t)o->disp;
    if (o->reg != REG_NONE)
        ea += cpu->s.gpr[o->reg];
    if (o->index != REG_NONE)
        ea += cpu->s.gpr[o->index] << o->scale;
    ea &= in->addrsize == 2 ? 0xffffull : 0xffffffffull;
    return (uint32_t)(ea + cpu->s.seg[o->seg].base);
}

/* Linear address of a memory operand (FS/GS bases apply; others are 0 in 64-bit mode). */
static inline uint64_t op_ea(const struct cpu *cpu, const struct insn *in, unsigned i)
{
    const struct operand *o = &in->op[i];
    if (__builtin_expect(o->ea_fast, 1))
        return op_ea_fast(cpu, o);
    if (__builtin_expect(o->legacy, 0))
        return op_ea_legacy(cpu, in, o);
    uint64_t ea = (uint64_t)o->disp;
    if (o->reg == MEMBASE_RIP)
        ea += cpu->next_rip;
    else if (o->reg != REG_NONE)
        ea += cpu->s.gpr[o->reg];
    if (o->index != REG_NONE)
        ea += cpu->s.gpr[o->index] << o->scale;
    if (in->addrsize == 4)
        ea = (uint32_t)ea;
    if (o->seg >= SEG_FS)
        ea += cpu->s.seg[o->seg].base;
    return ea;
}

/* Value of operand i (GPR, memory, immediate), zero-extended from its size. */
static inline uint64_t op_read(struct cpu *cpu, const struct insn *in, unsigned i)
{
    const struct operand *o = &in->op[i];
    switch (o->kind) {
    case OPK_GPR: return gpr_read(cpu, o->reg, o->size, o->hi8);
    case OPK_MEM: return mem_read(cpu, op_ea(cpu, in, i), o->size);
    case OPK_IMM: return o->imm & size_mask(o->size);
    case OPK_SEG: return cpu->s.seg[o->reg].selector;
    default: return 0;
    }
}

/* Value of operand i sign-extended to 64 bits. */
static inline int64_t op_read_signed(struct cpu *cpu, const struct insn *in, unsigned i)
{
    uint64_t v = op_read(cpu, in, i);
    unsigned bits = in->op[i].size * 8;
    return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}

static inline void op_write(struct cpu *cpu, const struct insn *in, unsigned i, uint64_t v)
{
    const struct operand *o = &in->op[i];
    switch (o->kind) {
    case OPK_GPR: gpr_write(cpu, o->reg, o->size, o->hi8, v); break;
    case OPK_MEM: mem_write(cpu, op_ea(cpu, in, i), o->size, v); break;
    default: break;
    }
}

/* Stack helpers (64-bit mode: SS base 0). Each checks the write before changing RSP. */
static inline void push64(struct cpu *cpu, uint64_t v)
{
    uint64_t sp = cpu->s.gpr[RSP] - 8;
    mem_write64(cpu, sp, v);
    cpu->s.gpr[RSP] = sp;
}

static inline uint64_t pop64(struct cpu *cpu)
{
    uint64_t v = mem_read64(cpu, cpu->s.gpr[RSP]);
    cpu->s.gpr[RSP] += 8;
    return v;
}

#endif
