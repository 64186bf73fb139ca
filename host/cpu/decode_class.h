/*
 * decode_class.h - the decoder's classification of an instruction for the
 * committed-instruction statistics (insn_class.h; the mapping is in
 * docs/stats.md).
 */
#ifndef M5SIM_CPU_DECODE_CLASS_H
#define M5SIM_CPU_DECODE_CLASS_H

#include <stdint.h>

#include <Zydis/Zydis.h>

/* The interned class (insn_class_intern) of a decoded instruction, from all its operands (hidden ones too). */
uint8_t decode_classify(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zo);

#endif
