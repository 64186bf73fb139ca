/*
 * insn_class.c - the table of instruction classes (insn_class.h) and gem5's
 * names for its OpClass and StaticInstFlags enumerations.
 */
#include "cpu/insn_class.h"

#include <stdbool.h>

#include "util/log.h"

const char *const op_class_names[OP_CLASSES] = {
    "No_OpClass", "IntAlu", "IntMult", "IntDiv", "FloatAdd", "FloatCmp", "FloatCvt", "FloatMult",
    "FloatMultAcc", "FloatDiv", "FloatMisc", "FloatSqrt", "SimdAdd", "SimdAddAcc", "SimdAlu",
    "SimdCmp", "SimdCvt", "SimdMisc", "SimdMult", "SimdMultAcc", "SimdMatMultAcc", "SimdShift",
    "SimdShiftAcc", "SimdDiv", "SimdSqrt", "SimdFloatAdd", "SimdFloatAlu", "SimdFloatCmp",
    "SimdFloatCvt", "SimdFloatDiv", "SimdFloatMisc", "SimdFloatMult", "SimdFloatMultAcc",
    "SimdFloatMatMultAcc", "SimdFloatSqrt", "SimdReduceAdd", "SimdReduceAlu", "SimdReduceCmp",
    "SimdFloatReduceAdd", "SimdFloatReduceCmp", "SimdAes", "SimdAesMix", "SimdSha1Hash",
    "SimdSha1Hash2", "SimdSha256Hash", "SimdSha256Hash2", "SimdShaSigma2", "SimdShaSigma3",
    "SimdPredAlu", "Matrix", "MatrixMov", "MatrixOP", "MemRead", "MemWrite", "FloatMemRead",
    "FloatMemWrite", "IprAccess", "InstPrefetch", "SimdUnitStrideLoad", "SimdUnitStrideStore",
    "SimdUnitStrideMaskLoad", "SimdUnitStrideMaskStore", "SimdStridedLoad", "SimdStridedStore",
    "SimdIndexedLoad", "SimdIndexedStore", "SimdWholeRegisterLoad", "SimdWholeRegisterStore",
    "SimdUnitStrideFaultOnlyFirstLoad", "SimdUnitStrideSegmentedLoad",
    "SimdUnitStrideSegmentedStore", "SimdExt", "SimdFloatExt", "SimdConfig",
};

const char *const static_inst_flag_names[STATIC_INST_FLAGS] = {
    "IsNop", "IsInteger", "IsFloating", "IsVector", "IsVectorElem", "IsMatrix", "IsLoad", "IsStore",
    "IsAtomic", "IsStoreConditional", "IsInstPrefetch", "IsDataPrefetch", "IsControl",
    "IsDirectControl", "IsIndirectControl", "IsCondControl", "IsUncondControl", "IsCall", "IsReturn",
    "IsSerializing", "IsSerializeBefore", "IsSerializeAfter", "IsWriteBarrier", "IsReadBarrier",
    "IsNonSpeculative", "IsQuiesce", "IsUnverifiable", "IsPseudo", "IsSyscall", "IsMacroop",
    "IsMicroop", "IsDelayedCommit", "IsLastMicroop", "IsFirstMicroop", "IsSquashAfter",
    "IsHtmStart", "IsHtmStop", "IsHtmCancel", "IsInvalid",
};

/* Entry 0 is INSN_CLASS_NONE (all zero). */
static struct insn_class classes[INSN_CLASSES];
static unsigned nclasses = 1;

uint8_t insn_class_intern(struct insn_class c)
{
    for (unsigned i = 0; i < nclasses; i++)
        if (classes[i].op_class == c.op_class && classes[i].flags == c.flags)
            return (uint8_t)i;
    if (nclasses == INSN_CLASSES) {
        static bool warned;
        if (!warned)
            warn("decoder", "more than %d instruction classes: the rest count as No_OpClass", INSN_CLASSES);
        warned = true;
        return INSN_CLASS_NONE;
    }
    classes[nclasses] = c;
    return (uint8_t)nclasses++;
}

const struct insn_class *insn_class_get(uint8_t index)
{
    return &classes[index];
}

unsigned insn_class_count(void)
{
    return nclasses;
}
