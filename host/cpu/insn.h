/*
 * insn.h - a decoded instruction, as cached by the decoder.
 *
 * Zydis decodes each instruction once (decode.c); the result is reduced to
 * this compact record with the handler chosen and the operands pre-resolved,
 * so executing a cached instruction never looks at Zydis structures again.
 */
#ifndef M5SIM_CPU_INSN_H
#define M5SIM_CPU_INSN_H

#include <stdint.h>

struct cpu;
struct insn;
typedef void (*exec_fn)(struct cpu *cpu, const struct insn *in);

enum op_kind {
    OPK_NONE,
    OPK_GPR,    /* reg = 0..15, size 1/2/4/8; hi8 = AH/CH/DH/BH */
    OPK_MEM,    /* effective address from base/index/scale/disp, segment */
    OPK_IMM,    /* imm (already sign- or zero-extended as Zydis defines it) */
    OPK_SEG,    /* reg = enum sreg */
    OPK_XMM,    /* reg = 0..15 */
    OPK_MMX,    /* reg = 0..7 */
    OPK_ST,     /* reg = 0..7, relative to TOP */
    OPK_CR,     /* reg = 0..15 */
    OPK_DR,     /* reg = 0..7 */
    OPK_REL,    /* imm = branch displacement, relative to the next instruction */
    OPK_PTR,    /* far pointer: imm = offset, seg_sel = selector */
};

/* struct operand.ea_fast */
#define EA_FAST     1   /* disp + base + (index << scale) */
#define EA_FAST_SEG 2   /* disp + base + FS/GS base (in the index slot, scale 0) */

#define REG_NONE 0xff
#define MEMBASE_RIP  0xfe   /* memory base: RIP-relative (disp is relative to the next instruction) */

struct operand {
    uint8_t kind;      /* enum op_kind */
    uint8_t size;      /* bytes accessed: 1, 2, 4, 8, 10, 16, or 0 for LEA-like/agen */
    uint8_t reg;       /* register number, or memory base */
    uint8_t hi8;       /* OPK_GPR size 1: AH/CH/DH/BH (reg = 0..3 for A/C/D/B) */
    uint8_t index;     /* memory index register or REG_NONE */
    uint8_t scale;     /* memory index shift: 0..3 */
    uint8_t seg;       /* memory segment (enum sreg) */
    uint8_t write;     /* operand is written */
    uint16_t seg_sel;  /* OPK_PTR selector */
    /*
     * OPK_MEM with ea_fast set: the linear address is
     *   disp + slot(base_off) + (slot(index_off) << scale)
     * where slot(off) is the uint64_t at byte offset `off` in struct cpu: a
     * general register, next_rip (RIP-relative), the FS/GS base (EA_FAST_SEG),
     * or an always-zero slot. Set by the decoder for 64-bit addressing; see
     * op_ea_fast() in operand.h.
     */
    uint16_t base_off, index_off;
    uint8_t ea_fast;
    /*
     * OPK_MEM decoded outside 64-bit mode (mode.h): the segment's base
     * applies whatever the segment, and 16-bit addresses wrap (op_ea).
     */
    uint8_t legacy;
    union {
        int64_t disp;  /* OPK_MEM displacement */
        uint64_t imm;  /* OPK_IMM / OPK_REL / OPK_PTR value */
    };
};

/* Prefix flags (struct insn.prefix). */
#define PFX_LOCK  0x01
#define PFX_REP   0x02   /* REP / REPE / REPZ */
#define PFX_REPNE 0x04   /* REPNE / REPNZ */
#define PFX_66    0x08   /* operand-size override present */
#define PFX_F3    0x10
#define PFX_F2    0x20
#define PFX_REXW  0x40

struct insn {
    exec_fn fn;           /* executes this one instruction */
    /*
     * Threaded form of fn (exec.h, exec_next): executes this instruction,
     * retires it, and unless it is the block's last one or it ended the
     * block, tail-calls the next instruction's `run`. Set by the decoder.
     */
    exec_fn run;
    uint16_t mnemonic;    /* ZydisMnemonic */
    uint16_t opcode;      /* primary opcode byte (0x0f38/0x0f3a maps folded into opcode_map) */
    uint8_t len;          /* bytes */
    uint8_t opsize;       /* effective operand size in bytes: 2, 4 or 8 (1 for byte forms) */
    uint8_t addrsize;     /* effective address size in bytes: 2 (outside 64-bit mode), 4 or 8 */
    uint8_t prefix;       /* PFX_* */
    uint8_t nops;         /* visible operands */
    uint8_t ends_block;   /* control transfer or state change: the block ends after it */
    uint8_t opcode_map;   /* 0: one byte, 1: 0F, 2: 0F38, 3: 0F3A */
    uint8_t modrm_reg;    /* ModRM.reg (for group opcodes) */
    uint8_t cc;           /* condition code for jcc/setcc/cmovcc (0..15), or handler-private */
    uint8_t last;         /* the last instruction of its decoded block (set by block.c) */
    uint8_t machine;      /* may reach the machine other than by a memory access (see decode.c) */
    uint8_t cls;          /* instruction class for the statistics: index into insn_class.h's table */
    struct operand op[4];
};
/* Two cache lines: blocks keep their records 64-byte aligned (block.c). */
_Static_assert(sizeof(struct insn) == 128, "struct insn is 128 bytes");

#endif
