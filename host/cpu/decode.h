/* decode.h - Zydis-based decoding of one instruction into a struct insn. */
#ifndef M5SIM_CPU_DECODE_H
#define M5SIM_CPU_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/insn.h"

enum decode_status { DECODE_OK, DECODE_NEED_MORE, DECODE_INVALID };

/*
 * Decode the instruction at the start of `bytes` (`avail` bytes readable).
 * DECODE_NEED_MORE: the instruction continues past `avail` (fetch the next
 * page and retry with more bytes). DECODE_INVALID: `out` is a #UD instruction
 * of length 1 (it raises #UD when executed, so nothing faults at decode time).
 */
enum decode_status decode_insn(const uint8_t *bytes, unsigned avail, struct insn *out);
/* The same for code running in CPU mode `mode` (enum cpu_mode, mode.h); decode_insn is 64-bit mode. */
enum decode_status decode_insn_mode(const uint8_t *bytes, unsigned avail, unsigned mode, struct insn *out);
/* Whether the CPU model has the Zydis ISA set `set` (a ZydisISASet); the others decode as #UD. */
bool decode_isa_set_advertised(int set);

/* A short text form of a decoded instruction's bytes for error reports ("0f 0b"). */
void decode_format_bytes(const uint8_t *bytes, unsigned len, char *buf, unsigned bufsize);

#endif
