/*
 * insn_class.h - what kind of instruction a decoded instruction is, for the
 * committed-instruction statistics (gem5's commitStats0.committedInstType,
 * committedControl, numLoadInsts, ...; docs/stats.md).
 *
 * The decoder classifies each instruction once (insn_class.c): its gem5
 * OpClass (the class of its main operation: m5sim does not split x86
 * instructions into micro-ops as gem5 does) and gem5's static-instruction
 * flags that the statistics count (memory read/write, integer / floating-point
 * / vector registers, control-transfer kind). The distinct combinations are
 * few, so each is interned once in a table of at most 256 entries and the
 * instruction keeps only its one-byte index (struct insn.cls). A CPU that
 * counts retirements per index (cpu->class_count) has every statistic above
 * as counts x table at dump time.
 */
#ifndef M5SIM_CPU_INSN_CLASS_H
#define M5SIM_CPU_INSN_CLASS_H

#include <stdint.h>

/* gem5 v24's OpClass, in its order (src/cpu/FuncUnit.py). */
enum op_class {
    OPC_No_OpClass, OPC_IntAlu, OPC_IntMult, OPC_IntDiv, OPC_FloatAdd, OPC_FloatCmp, OPC_FloatCvt,
    OPC_FloatMult, OPC_FloatMultAcc, OPC_FloatDiv, OPC_FloatMisc, OPC_FloatSqrt, OPC_SimdAdd,
    OPC_SimdAddAcc, OPC_SimdAlu, OPC_SimdCmp, OPC_SimdCvt, OPC_SimdMisc, OPC_SimdMult,
    OPC_SimdMultAcc, OPC_SimdMatMultAcc, OPC_SimdShift, OPC_SimdShiftAcc, OPC_SimdDiv, OPC_SimdSqrt,
    OPC_SimdFloatAdd, OPC_SimdFloatAlu, OPC_SimdFloatCmp, OPC_SimdFloatCvt, OPC_SimdFloatDiv,
    OPC_SimdFloatMisc, OPC_SimdFloatMult, OPC_SimdFloatMultAcc, OPC_SimdFloatMatMultAcc,
    OPC_SimdFloatSqrt, OPC_SimdReduceAdd, OPC_SimdReduceAlu, OPC_SimdReduceCmp,
    OPC_SimdFloatReduceAdd, OPC_SimdFloatReduceCmp, OPC_SimdAes, OPC_SimdAesMix, OPC_SimdSha1Hash,
    OPC_SimdSha1Hash2, OPC_SimdSha256Hash, OPC_SimdSha256Hash2, OPC_SimdShaSigma2,
    OPC_SimdShaSigma3, OPC_SimdPredAlu, OPC_Matrix, OPC_MatrixMov, OPC_MatrixOP, OPC_MemRead,
    OPC_MemWrite, OPC_FloatMemRead, OPC_FloatMemWrite, OPC_IprAccess, OPC_InstPrefetch,
    OPC_SimdUnitStrideLoad, OPC_SimdUnitStrideStore, OPC_SimdUnitStrideMaskLoad,
    OPC_SimdUnitStrideMaskStore, OPC_SimdStridedLoad, OPC_SimdStridedStore, OPC_SimdIndexedLoad,
    OPC_SimdIndexedStore, OPC_SimdWholeRegisterLoad, OPC_SimdWholeRegisterStore,
    OPC_SimdUnitStrideFaultOnlyFirstLoad, OPC_SimdUnitStrideSegmentedLoad,
    OPC_SimdUnitStrideSegmentedStore, OPC_SimdExt, OPC_SimdFloatExt, OPC_SimdConfig,
    OP_CLASSES
};
extern const char *const op_class_names[OP_CLASSES];

/* gem5 v24's StaticInstFlags, in its order (src/cpu/StaticInstFlags.py). */
enum static_inst_flag {
    SIF_IsNop, SIF_IsInteger, SIF_IsFloating, SIF_IsVector, SIF_IsVectorElem, SIF_IsMatrix,
    SIF_IsLoad, SIF_IsStore, SIF_IsAtomic, SIF_IsStoreConditional, SIF_IsInstPrefetch,
    SIF_IsDataPrefetch, SIF_IsControl, SIF_IsDirectControl, SIF_IsIndirectControl,
    SIF_IsCondControl, SIF_IsUncondControl, SIF_IsCall, SIF_IsReturn, SIF_IsSerializing,
    SIF_IsSerializeBefore, SIF_IsSerializeAfter, SIF_IsWriteBarrier, SIF_IsReadBarrier,
    SIF_IsNonSpeculative, SIF_IsQuiesce, SIF_IsUnverifiable, SIF_IsPseudo, SIF_IsSyscall,
    SIF_IsMacroop, SIF_IsMicroop, SIF_IsDelayedCommit, SIF_IsLastMicroop, SIF_IsFirstMicroop,
    SIF_IsSquashAfter, SIF_IsHtmStart, SIF_IsHtmStop, SIF_IsHtmCancel, SIF_IsInvalid,
    STATIC_INST_FLAGS
};
extern const char *const static_inst_flag_names[STATIC_INST_FLAGS];

/* The flags an instruction class carries (bit n = 1 << enum static_inst_flag n). */
#define SIF(f) (1ull << SIF_##f)

struct insn_class {
    uint8_t op_class;   /* enum op_class */
    uint64_t flags;     /* SIF(...) bits */
};

#define INSN_CLASSES 256
/* Index 0: an instruction the decoder did not classify (invalid bytes): No_OpClass, no flags. */
#define INSN_CLASS_NONE 0

/* The index of a class, interned on first use (an overflowing table gives INSN_CLASS_NONE and a warning). */
uint8_t insn_class_intern(struct insn_class c);
/* The class of an index; the table holds insn_class_count() entries. */
const struct insn_class *insn_class_get(uint8_t index);
unsigned insn_class_count(void);

#endif
