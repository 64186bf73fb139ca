/*
 * decode_class.c - gem5's OpClass and instruction flags for an x86
 * instruction, decided once from what Zydis says of it: its category, its
 * mnemonic and its operands (docs/stats.md has the mapping).
 *
 * gem5 splits an x86 instruction into micro-ops and counts each (a load,
 * an ALU op, a store); m5sim retires whole instructions, so an instruction
 * has one OpClass, that of its main operation: a data movement that touches
 * memory is MemRead/MemWrite (FloatMemRead/FloatMemWrite when the register
 * side is x87, MMX or XMM); a computation is the class of its computation
 * whatever its operands; the flags still say that it reads and/or writes
 * memory (IsLoad, IsStore), so numLoadInsts and numStoreInsts count every
 * instruction that reads or writes data memory.
 */
#include "cpu/decode_class.h"

#include <stdbool.h>
#include <string.h>

#include "cpu/insn_class.h"

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool any_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* x87: the class of the arithmetic; loads and stores of the stack are FloatMemRead/FloatMemWrite. */
static enum op_class x87_class(const char *m, bool reads, bool writes)
{
    static const char *const moves[] = { "fld", "fild", "fbld", "fst", "fstp", "fist", "fistp",
                                         "fisttp", "fbstp", NULL };
    if (any_of(m, moves))
        return writes ? OPC_FloatMemWrite : reads ? OPC_FloatMemRead : OPC_FloatMisc;
    if (starts(m, "fadd") || starts(m, "fsub") || starts(m, "fiadd") || starts(m, "fisub"))
        return OPC_FloatAdd;
    if (starts(m, "fmul") || starts(m, "fimul"))
        return OPC_FloatMult;
    if (starts(m, "fdiv") || starts(m, "fidiv"))
        return OPC_FloatDiv;
    if (strcmp(m, "fsqrt") == 0)
        return OPC_FloatSqrt;
    if (starts(m, "fcom") || starts(m, "fucom") || starts(m, "ficom") || strcmp(m, "ftst") == 0 ||
        strcmp(m, "fxam") == 0)
        return OPC_FloatCmp;
    return OPC_FloatMisc;
}

/* SSE/SSE2 and MMX: scalar floating point is Float*, packed floating point SimdFloat*, packed integer Simd*. */
static enum op_class simd_class(const char *m, bool *fp)
{
    bool scalar = ends(m, "ss") || (ends(m, "sd") && !starts(m, "p"));
    bool packed_fp = ends(m, "ps") || ends(m, "pd");
    *fp = scalar || packed_fp || starts(m, "cvt");
    if (starts(m, "cvt"))
        return scalar || ends(m, "ss") || ends(m, "sd") || ends(m, "si") ? OPC_FloatCvt : OPC_SimdFloatCvt;
    if (scalar) {
        if (starts(m, "add") || starts(m, "sub"))
            return OPC_FloatAdd;
        if (starts(m, "mul"))
            return OPC_FloatMult;
        if (starts(m, "div"))
            return OPC_FloatDiv;
        if (starts(m, "sqrt"))
            return OPC_FloatSqrt;
        if (starts(m, "cmp") || starts(m, "comi") || starts(m, "ucomi") || starts(m, "min") ||
            starts(m, "max"))
            return OPC_FloatCmp;
        return OPC_FloatMisc;
    }
    if (packed_fp) {
        if (starts(m, "add") || starts(m, "sub"))
            return OPC_SimdFloatAdd;
        if (starts(m, "mul"))
            return OPC_SimdFloatMult;
        if (starts(m, "div"))
            return OPC_SimdFloatDiv;
        if (starts(m, "sqrt"))
            return OPC_SimdFloatSqrt;
        if (starts(m, "cmp") || starts(m, "min") || starts(m, "max"))
            return OPC_SimdFloatCmp;
        if (starts(m, "and") || starts(m, "or") || starts(m, "xor"))
            return OPC_SimdFloatAlu;
        return OPC_SimdFloatMisc;
    }
    if (starts(m, "padd") || starts(m, "psub") || starts(m, "pavg") || starts(m, "psad"))
        return OPC_SimdAdd;
    if (starts(m, "pmul") || starts(m, "pmadd"))
        return OPC_SimdMult;
    if (starts(m, "pcmp") || starts(m, "pmin") || starts(m, "pmax"))
        return OPC_SimdCmp;
    if (starts(m, "psll") || starts(m, "psrl") || starts(m, "psra"))
        return OPC_SimdShift;
    if (starts(m, "pand") || starts(m, "por") || starts(m, "pxor"))
        return OPC_SimdAlu;
    return OPC_SimdMisc;
}

uint8_t decode_classify(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zo)
{
    const char *m = ZydisMnemonicGetString(zi->mnemonic);
    ZydisInstructionCategory cat = zi->meta.category;
    bool reads = false, writes = false, gpr = false, x87 = false, vec = false;

    for (unsigned i = 0; i < zi->operand_count; i++) {
        const ZydisDecodedOperand *o = &zo[i];
        if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
            if (o->mem.type != ZYDIS_MEMOP_TYPE_MEM && o->mem.type != ZYDIS_MEMOP_TYPE_VSIB)
                continue;   /* LEA's address, MPX's MIB: no access */
            reads |= (o->actions & ZYDIS_OPERAND_ACTION_MASK_READ) != 0;
            writes |= (o->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) != 0;
        } else if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
            switch (ZydisRegisterGetClass(o->reg.value)) {
            case ZYDIS_REGCLASS_GPR8: case ZYDIS_REGCLASS_GPR16:
            case ZYDIS_REGCLASS_GPR32: case ZYDIS_REGCLASS_GPR64:
                gpr = true;
                break;
            case ZYDIS_REGCLASS_X87:
                x87 = true;
                break;
            case ZYDIS_REGCLASS_MMX: case ZYDIS_REGCLASS_XMM:
                vec = true;
                break;
            default:
                break;
            }
        }
    }
    /* Port I/O is a load or store to the I/O address space, as gem5's x86 micro-ops make it. */
    if (cat == ZYDIS_CATEGORY_IO || cat == ZYDIS_CATEGORY_IOSTRINGOP) {
        if (starts(m, "in"))
            reads = true;
        else
            writes = true;
    }
    if (cat == ZYDIS_CATEGORY_X87_ALU || cat == ZYDIS_CATEGORY_FCMOV)
        x87 = true;

    struct insn_class c = { .op_class = OPC_IntAlu };
    bool fp = x87;
    switch (cat) {
    case ZYDIS_CATEGORY_COND_BR:
    case ZYDIS_CATEGORY_UNCOND_BR:
    case ZYDIS_CATEGORY_CALL:
    case ZYDIS_CATEGORY_RET: {
        bool direct = zo[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE || zo[0].type == ZYDIS_OPERAND_TYPE_POINTER;
        if (cat == ZYDIS_CATEGORY_RET)
            direct = false;   /* the target comes from the stack */
        c.flags |= SIF(IsControl) | (direct ? SIF(IsDirectControl) : SIF(IsIndirectControl)) |
                   (cat == ZYDIS_CATEGORY_COND_BR ? SIF(IsCondControl) : SIF(IsUncondControl));
        if (cat == ZYDIS_CATEGORY_CALL)
            c.flags |= SIF(IsCall);
        if (cat == ZYDIS_CATEGORY_RET)
            c.flags |= SIF(IsReturn);
        c.op_class = OPC_IntAlu;
        break;
    }
    case ZYDIS_CATEGORY_NOP:
    case ZYDIS_CATEGORY_WIDENOP:
        c.op_class = OPC_No_OpClass;
        c.flags |= SIF(IsNop);
        reads = writes = false;   /* NOP r/m names memory it never reads */
        break;
    case ZYDIS_CATEGORY_PREFETCH:
        c.op_class = OPC_MemRead;
        c.flags |= SIF(IsDataPrefetch);
        break;
    case ZYDIS_CATEGORY_X87_ALU:
    case ZYDIS_CATEGORY_FCMOV:
        c.op_class = (uint8_t)x87_class(m, reads, writes);
        break;
    case ZYDIS_CATEGORY_SYSTEM:
    case ZYDIS_CATEGORY_SYSCALL:
    case ZYDIS_CATEGORY_SYSRET:
    case ZYDIS_CATEGORY_INTERRUPT:
    case ZYDIS_CATEGORY_SEGOP:
        c.op_class = OPC_IprAccess;
        break;
    case ZYDIS_CATEGORY_IO:
    case ZYDIS_CATEGORY_IOSTRINGOP:
        c.op_class = reads && !writes ? OPC_MemRead : OPC_MemWrite;
        break;
    case ZYDIS_CATEGORY_DATAXFER:
    case ZYDIS_CATEGORY_PUSH:
    case ZYDIS_CATEGORY_POP:
    case ZYDIS_CATEGORY_STRINGOP:
        if (vec && !reads && !writes) {
            bool dummy;
            c.op_class = (uint8_t)simd_class(m, &dummy);
            if (c.op_class != OPC_FloatCvt && c.op_class != OPC_SimdFloatCvt)
                c.op_class = OPC_SimdMisc;
        } else if (writes) {
            c.op_class = vec || x87 ? OPC_FloatMemWrite : OPC_MemWrite;
        } else if (reads) {
            c.op_class = vec || x87 ? OPC_FloatMemRead : OPC_MemRead;
        } else {
            c.op_class = OPC_IntAlu;
        }
        break;
    default:
        if (vec || cat == ZYDIS_CATEGORY_SSE || cat == ZYDIS_CATEGORY_MMX || cat == ZYDIS_CATEGORY_LOGICAL_FP) {
            bool is_fp;
            c.op_class = (uint8_t)simd_class(m, &is_fp);
            fp |= is_fp;
            vec = true;
        } else if (strcmp(m, "mul") == 0 || strcmp(m, "imul") == 0) {
            c.op_class = OPC_IntMult;
        } else if (strcmp(m, "div") == 0 || strcmp(m, "idiv") == 0) {
            c.op_class = OPC_IntDiv;
        }
        break;
    }
    if (reads)
        c.flags |= SIF(IsLoad);
    if (writes)
        c.flags |= SIF(IsStore);
    if (reads && writes && (zi->attributes & ZYDIS_ATTRIB_HAS_LOCK || zi->mnemonic == ZYDIS_MNEMONIC_XCHG))
        c.flags |= SIF(IsAtomic);
    if (gpr)
        c.flags |= SIF(IsInteger);
    if (fp)
        c.flags |= SIF(IsFloating);
    if (vec)
        c.flags |= SIF(IsVector);
    return insn_class_intern(c);
}
