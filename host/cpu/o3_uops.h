/*
 * o3_uops.h - x86 instructions as micro-ops for the O3 model, in the
 * manner of gem5's x86 microcode (src/arch/x86/isa/insts/): what each
 * instruction's micro-ops compute, which registers they read and write,
 * and where its loads and stores fall among them (o3_uops.c; the mapping
 * per family is in docs/o3.md).
 *
 * Functional first, the memory micro-ops are the accesses the interpreter
 * made (one load per read, one store per write, observed through the
 * memory port); this record gives their register operands and the
 * micro-ops that compute: `pre` before the first store (everything when
 * there is none), `post` after it.
 */
#ifndef M5SIM_CPU_O3_UOPS_H
#define M5SIM_CPU_O3_UOPS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/insn.h"

/* Renamed registers: architectural ones, then gem5's microcode temporaries. */
enum o3_reg {
    O3R_GPR = 0,           /* 16 general registers */
    O3R_FLAGS = 16,
    O3R_XMM = 17,          /* 16 */
    O3R_X87 = 33,          /* the x87 stack as one register */
    O3R_MMX = 34,          /* 8 */
    O3R_TLD = 42,          /* a load's result (gem5's t1) */
    O3R_TOP = 43,          /* a computation's result for a store */
    O3R_TMP = 44,          /* microcode chains (mul1 -> mulel, div1 -> div2 ...) */
    O3R_TIP = 45,          /* rdip/limm results */
    O3_REGS = 46,
    O3R_NONE = 0xff,
};

#define O3_SRCS 4
#define O3_DSTS 3
#define O3_MAX_COMPUTE 6

struct o3_uop {
    uint8_t opc;           /* gem5 OpClass (enum op_class) */
    uint8_t repeat;        /* issued this many times in a dependent chain (div2's loop) */
    uint8_t branch;        /* the macro-op's control transfer */
    uint8_t src[O3_SRCS];  /* O3R_NONE: unused */
    uint8_t dst[O3_DSTS];
};

struct o3_crack {
    struct o3_uop pre[O3_MAX_COMPUTE], post[O3_MAX_COMPUTE];
    uint8_t npre, npost;
    struct o3_uop ld, st;  /* the templates of its loads and stores (opc MemRead/MemWrite...) */
    uint8_t string;        /* a string instruction: each element adds a pointer update */
    uint8_t serialize;     /* gem5's IsSerializing: waits for an empty ROB, holds younger ones */
    uint8_t branch_kind;   /* enum o3_branch_kind when it is a control transfer */
    uint8_t is_branch;
};

/* Crack a decoded instruction (its class is insn_class_get(in->cls)). */
void o3_crack(const struct insn *in, struct o3_crack *c);

#endif
