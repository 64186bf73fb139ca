/*
 * decode.c - Zydis decodes an instruction once; we keep only what execution
 * needs (struct insn): the handler, sizes, prefixes and pre-resolved operands.
 */
#include "cpu/decode.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "cpu/decode_class.h"
#include "cpu/exec.h"
#include "cpu/insn_class.h"
#include "cpu/mode.h"
#include "cpu/state.h"
#include "m5ops.h"

/* One decoder per CPU mode (mode.h): machine mode and default stack width. */
static ZydisDecoder decoders[CPU_MODES];
static int decoder_ready;

static void exec_m5op(struct cpu *cpu, const struct insn *in)
{
    if (!cpu->hooks.m5op)
        cpu_raise_ud(cpu);
    cpu->s.gpr[RAX] = cpu->hooks.m5op(cpu->hooks.opaque, cpu, (unsigned)in->op[0].imm);
}

static void exec_invalid(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_raise_ud(cpu);
}

/* General register number 0..15 and whether it is AH/CH/DH/BH. */
static int gpr_number(ZydisRegister r, uint8_t *hi8)
{
    *hi8 = 0;
    if (r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH) {
        *hi8 = 1;
        return r - ZYDIS_REGISTER_AH;
    }
    if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_BL)
        return r - ZYDIS_REGISTER_AL;
    if (r >= ZYDIS_REGISTER_SPL && r <= ZYDIS_REGISTER_DIL)
        return 4 + (r - ZYDIS_REGISTER_SPL);
    if (r >= ZYDIS_REGISTER_R8B && r <= ZYDIS_REGISTER_R15B)
        return 8 + (r - ZYDIS_REGISTER_R8B);
    return ZydisRegisterGetId(r);
}

static uint8_t sreg_number(ZydisRegister r)
{
    switch (r) {
    case ZYDIS_REGISTER_ES: return SEG_ES;
    case ZYDIS_REGISTER_CS: return SEG_CS;
    case ZYDIS_REGISTER_SS: return SEG_SS;
    case ZYDIS_REGISTER_FS: return SEG_FS;
    case ZYDIS_REGISTER_GS: return SEG_GS;
    default: return SEG_DS;
    }
}

static void convert_register(ZydisRegister r, struct operand *o)
{
    switch (ZydisRegisterGetClass(r)) {
    case ZYDIS_REGCLASS_GPR8:
    case ZYDIS_REGCLASS_GPR16:
    case ZYDIS_REGCLASS_GPR32:
    case ZYDIS_REGCLASS_GPR64:
        o->kind = OPK_GPR;
        o->reg = (uint8_t)gpr_number(r, &o->hi8);
        break;
    case ZYDIS_REGCLASS_SEGMENT: o->kind = OPK_SEG; o->reg = sreg_number(r); break;
    case ZYDIS_REGCLASS_XMM: o->kind = OPK_XMM; o->reg = (uint8_t)ZydisRegisterGetId(r); break;
    case ZYDIS_REGCLASS_MMX: o->kind = OPK_MMX; o->reg = (uint8_t)ZydisRegisterGetId(r); break;
    case ZYDIS_REGCLASS_X87: o->kind = OPK_ST; o->reg = (uint8_t)ZydisRegisterGetId(r); break;
    case ZYDIS_REGCLASS_CONTROL: o->kind = OPK_CR; o->reg = (uint8_t)ZydisRegisterGetId(r); break;
    case ZYDIS_REGCLASS_DEBUG: o->kind = OPK_DR; o->reg = (uint8_t)ZydisRegisterGetId(r); break;
    default: o->kind = OPK_NONE; break;
    }
}

static uint8_t mem_base(ZydisRegister r)
{
    uint8_t hi8;
    if (r == ZYDIS_REGISTER_NONE)
        return REG_NONE;
    if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP)
        return MEMBASE_RIP;
    return (uint8_t)gpr_number(r, &hi8);
}

static void convert_operand(const ZydisDecodedOperand *z, struct operand *o, unsigned operand_width)
{
    memset(o, 0, sizeof(*o));
    o->size = (uint8_t)(z->size / 8);
    o->write = (z->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) != 0;
    o->reg = o->index = REG_NONE;
    switch (z->type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
        convert_register(z->reg.value, o);
        break;
    case ZYDIS_OPERAND_TYPE_MEMORY:
        o->kind = OPK_MEM;
        o->reg = mem_base(z->mem.base);
        o->index = mem_base(z->mem.index);
        o->scale = (uint8_t)(z->mem.scale == 8 ? 3 : z->mem.scale == 4 ? 2 : z->mem.scale == 2 ? 1 : 0);
        o->seg = sreg_number(z->mem.segment);
        o->disp = z->mem.disp.has_displacement ? z->mem.disp.value : 0;
        break;
    case ZYDIS_OPERAND_TYPE_POINTER:
        o->kind = OPK_PTR;
        o->imm = z->ptr.offset;
        o->seg_sel = z->ptr.segment;
        break;
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        if (z->imm.is_relative) {
            o->kind = OPK_REL;
            o->imm = (uint64_t)z->imm.value.s;
        } else {
            o->kind = OPK_IMM;
            o->imm = z->imm.is_signed ? (uint64_t)z->imm.value.s : z->imm.value.u;
            /*
             * Zydis gives a sign-extended imm8/imm32 the size of its encoding; its value is that of
             * the instruction's operand size (add rax, -1 adds 0xffff...ffff), so size it so.
             */
            if (z->imm.is_signed && operand_width / 8 > o->size)
                o->size = (uint8_t)(operand_width / 8);
        }
        break;
    default:
        o->kind = OPK_NONE;
        break;
    }
}

/*
 * Pre-resolve a 64-bit memory address into byte offsets of struct cpu slots
 * (insn.h), so that op_ea() is three loads and two adds: no tests for an
 * absent base or index, RIP-relative addressing or a segment base.
 * 32-bit addressing, and an FS/GS base together with an index, keep the
 * general computation.
 */
_Static_assert(sizeof(struct cpu_state) + 1024 < 65536 && offsetof(struct cpu, next_rip) < 65536,
               "fast address slots are 16-bit offsets into struct cpu");

static void resolve_fast_ea(const struct insn *in, struct operand *o)
{
    uint16_t zero = offsetof(struct cpu, zero);
    uint16_t base, index;

    if (in->addrsize != 8)
        return;
    if (o->reg == MEMBASE_RIP)
        base = offsetof(struct cpu, next_rip);
    else if (o->reg == REG_NONE)
        base = zero;
    else
        base = (uint16_t)(offsetof(struct cpu, s.gpr) + o->reg * sizeof(uint64_t));
    if (o->index != REG_NONE)
        index = (uint16_t)(offsetof(struct cpu, s.gpr) + o->index * sizeof(uint64_t));
    else
        index = zero;
    uint8_t kind = EA_FAST;
    if (o->seg >= SEG_FS) {
        if (o->index != REG_NONE || o->scale != 0)
            return;
        index = (uint16_t)(offsetof(struct cpu, s.seg) + o->seg * sizeof(struct segment) +
                           offsetof(struct segment, base));
        kind = EA_FAST_SEG;
    }
    o->ea_fast = kind;
    o->base_off = base;
    o->index_off = index;
}

static bool category_ends_block(ZydisInstructionCategory c)
{
    switch (c) {
    case ZYDIS_CATEGORY_COND_BR:
    case ZYDIS_CATEGORY_UNCOND_BR:
    case ZYDIS_CATEGORY_CALL:
    case ZYDIS_CATEGORY_RET:
    case ZYDIS_CATEGORY_SYSCALL:
    case ZYDIS_CATEGORY_SYSRET:
    case ZYDIS_CATEGORY_INTERRUPT:
    case ZYDIS_CATEGORY_SYSTEM:
    case ZYDIS_CATEGORY_IO:
    case ZYDIS_CATEGORY_IOSTRINGOP:
    case ZYDIS_CATEGORY_SEGOP:
        return true;
    default:
        return false;
    }
}

/*
 * Instructions that may change what the interrupt controller would answer
 * by a route other than memory (MMIO is seen in mmu.c): port I/O, MSR
 * writes, CR8 (the TPR hook), system calls and software interrupts (hooks),
 * and the other system instructions. The run loop asks the controller again
 * after a block that holds one (atomic.c, cpu->intr_quiet).
 */
static bool reaches_machine(const ZydisDecodedInstruction *zi, const struct insn *in)
{
    switch (zi->meta.category) {
    case ZYDIS_CATEGORY_IO:
    case ZYDIS_CATEGORY_IOSTRINGOP:
    case ZYDIS_CATEGORY_SYSTEM:
    case ZYDIS_CATEGORY_SYSCALL:
    case ZYDIS_CATEGORY_SYSRET:
    case ZYDIS_CATEGORY_INTERRUPT:
    case ZYDIS_CATEGORY_SEGOP:
        return true;
    default:
        break;
    }
    for (unsigned i = 0; i < in->nops; i++)
        if (in->op[i].kind == OPK_CR || in->op[i].kind == OPK_DR)
            return true;
    return false;
}

/*
 * The CPU executes exactly what CPUID advertises (host/cpu/cpuid.c,
 * docs/cpu-model.md). Zydis names the ISA set of every instruction it
 * decodes; these are the sets of the model: the x86-64 baseline with x87,
 * MMX, SSE, SSE2, FXSAVE, CLFLUSH, CMPXCHG16B, RDTSCP and LAHF/SAHF. An
 * instruction of any other set raises #UD. Where the SDM gives an encoding
 * a legacy meaning on processors without the extension, the decoder is set
 * up to decode that meaning instead (init_decoder): F3 0F BD is BSR and
 * F3 0F BC is BSF (no LZCNT/BMI1), the CET and MPX encodings in the
 * reserved-NOP space are NOPs, and 0F 0D (PREFETCH/PREFETCHW) is a hint
 * that does nothing (PREFETCH_NOP).
 */
static bool isa_set_advertised(ZydisISASet set)
{
    switch (set) {
    case ZYDIS_ISA_SET_I86: case ZYDIS_ISA_SET_I186: case ZYDIS_ISA_SET_I286REAL:
    case ZYDIS_ISA_SET_I286PROTECTED: case ZYDIS_ISA_SET_I386: case ZYDIS_ISA_SET_I486REAL:
    case ZYDIS_ISA_SET_I486: case ZYDIS_ISA_SET_PENTIUMREAL: case ZYDIS_ISA_SET_PPRO:
    case ZYDIS_ISA_SET_LONGMODE: case ZYDIS_ISA_SET_X87: case ZYDIS_ISA_SET_FCMOV:
    case ZYDIS_ISA_SET_CMOV: case ZYDIS_ISA_SET_PENTIUMMMX: case ZYDIS_ISA_SET_SSE:
    case ZYDIS_ISA_SET_SSE2: case ZYDIS_ISA_SET_SSE2MMX: case ZYDIS_ISA_SET_SSEMXCSR:
    case ZYDIS_ISA_SET_SSE_PREFETCH: case ZYDIS_ISA_SET_FXSAVE: case ZYDIS_ISA_SET_FXSAVE64:
    case ZYDIS_ISA_SET_CLFSH: case ZYDIS_ISA_SET_CMPXCHG16B: case ZYDIS_ISA_SET_RDTSCP:
    case ZYDIS_ISA_SET_LAHF: case ZYDIS_ISA_SET_PAUSE: case ZYDIS_ISA_SET_RDPMC:
    case ZYDIS_ISA_SET_FAT_NOP: case ZYDIS_ISA_SET_PREFETCH_NOP:
        return true;
    default:
        return false;
    }
}

bool decode_isa_set_advertised(int set)
{
    return isa_set_advertised((ZydisISASet)set);
}

static void init_decoder(void)
{
    static const struct { ZydisMachineMode machine; ZydisStackWidth stack; } modes[CPU_MODES] = {
        [CPU_MODE_64] = { ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64 },
        [CPU_MODE_REAL] = { ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16 },
        [CPU_MODE_PROT16] = { ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16 },
        [CPU_MODE_PROT32] = { ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32 },
        [CPU_MODE_COMPAT16] = { ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16 },
        [CPU_MODE_COMPAT32] = { ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32 },
    };
    for (unsigned m = 0; m < CPU_MODES; m++) {
        ZydisDecoder *d = &decoders[m];
        ZydisDecoderInit(d, modes[m].machine, modes[m].stack);
        ZydisDecoderEnableMode(d, ZYDIS_DECODER_MODE_LZCNT, ZYAN_FALSE);
        ZydisDecoderEnableMode(d, ZYDIS_DECODER_MODE_TZCNT, ZYAN_FALSE);
        ZydisDecoderEnableMode(d, ZYDIS_DECODER_MODE_CET, ZYAN_FALSE);
        ZydisDecoderEnableMode(d, ZYDIS_DECODER_MODE_MPX, ZYAN_FALSE);
    }
    decoder_ready = 1;
}

/* gem5 runs its m5 ops as pseudo-instructions that reach the simulator, as an IprAccess. */
static uint8_t m5op_class(void)
{
    static int cls = -1;
    if (cls < 0)
        cls = insn_class_intern((struct insn_class){ .op_class = OPC_IprAccess, .flags = SIF(IsNonSpeculative) });
    return (uint8_t)cls;
}

enum decode_status decode_insn(const uint8_t *bytes, unsigned avail, struct insn *out)
{
    return decode_insn_mode(bytes, avail, CPU_MODE_64, out);
}

enum decode_status decode_insn_mode(const uint8_t *bytes, unsigned avail, unsigned mode, struct insn *out)
{
    memset(out, 0, sizeof(*out));
    if (!decoder_ready)
        init_decoder();

    /* gem5's magic instruction: 0F 04 imm16 (an undefined opcode on real CPUs). */
    if (avail >= 2 && bytes[0] == M5OP_INST_BYTE0 && bytes[1] == M5OP_INST_BYTE1) {
        if (avail < M5OP_INST_LEN)
            return DECODE_NEED_MORE;
        out->fn = exec_m5op;
        out->run = exec_run_generic;
        out->machine = 1;
        out->len = M5OP_INST_LEN;
        out->nops = 1;
        out->op[0].kind = OPK_IMM;
        out->op[0].size = 2;
        out->op[0].imm = (uint64_t)bytes[2] | (uint64_t)bytes[3] << 8;
        out->ends_block = 1;
        out->cls = m5op_class();
        return DECODE_OK;
    }

    ZydisDecodedInstruction zi;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
    ZyanStatus st = ZydisDecoderDecodeFull(&decoders[mode], bytes, avail, &zi, zo);
    if (st == ZYDIS_STATUS_NO_MORE_DATA && avail < ZYDIS_MAX_INSTRUCTION_LENGTH)
        return DECODE_NEED_MORE;
    if (!ZYAN_SUCCESS(st) || !isa_set_advertised(zi.meta.isa_set)) {
        out->fn = exec_invalid;
        out->run = exec_run_generic;
        out->len = 1;
        out->ends_block = 1;
        return DECODE_INVALID;
    }

    out->mnemonic = (uint16_t)zi.mnemonic;
    out->len = zi.length;
    out->opsize = (uint8_t)(zi.operand_width / 8);
    out->addrsize = (uint8_t)(zi.address_width / 8);
    out->opcode = zi.opcode;
    out->opcode_map = (uint8_t)zi.opcode_map;
    out->modrm_reg = zi.raw.modrm.reg;
    if (zi.attributes & ZYDIS_ATTRIB_HAS_LOCK)
        out->prefix |= PFX_LOCK;
    if (zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE))
        out->prefix |= PFX_REP;
    if (zi.attributes & ZYDIS_ATTRIB_HAS_REPNE)
        out->prefix |= PFX_REPNE;
    if (zi.attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE)
        out->prefix |= PFX_66;
    for (unsigned i = 0; i < zi.raw.prefix_count; i++) {
        if (zi.raw.prefixes[i].value == 0xf3)
            out->prefix |= PFX_F3;
        else if (zi.raw.prefixes[i].value == 0xf2)
            out->prefix |= PFX_F2;
    }
    if (zi.raw.rex.W)
        out->prefix |= PFX_REXW;

    /* Condition codes live in the low nibble of Jcc (70-7F, 0F 80-8F), SETcc (0F 90-9F), CMOVcc (0F 40-4F). */
    out->cc = zi.opcode & 0xf;

    unsigned n = zi.operand_count_visible;
    if (n > 4)
        n = 4;
    out->nops = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        convert_operand(&zo[i], &out->op[i], zi.operand_width);
        if (out->op[i].kind == OPK_MEM) {
            if (mode == CPU_MODE_64)
                resolve_fast_ea(out, &out->op[i]);
            else
                out->op[i].legacy = 1;
        }
    }

    out->ends_block = category_ends_block(zi.meta.category) || zi.mnemonic == ZYDIS_MNEMONIC_HLT;
    out->machine = reaches_machine(&zi, out);
    out->cls = decode_classify(&zi, zo);
    exec_choose(out);
    if (mode != CPU_MODE_64)
        exec_legacy_choose(out, mode);
    return DECODE_OK;
}

void decode_format_bytes(const uint8_t *bytes, unsigned len, char *buf, unsigned bufsize)
{
    unsigned pos = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < len && pos + 4 < bufsize; i++)
        pos += (unsigned)snprintf(buf + pos, bufsize - pos, i ? " %02x" : "%02x", bytes[i]);
}
