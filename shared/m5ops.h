/*
 * m5ops.h - the gem5 m5-op ABI, shared by the host simulator and the guest agent.
 *
 * Facts from gem5 v24 (include/gem5/asm/generic/m5ops.h, util/m5). Both the
 * host (host/dev/m5dev.c) and the guest (guest/) include this file, so the
 * function codes and the two calling conventions are written down exactly once.
 *
 * Calling conventions (x86-64):
 *  - address mode: an 8-byte load from M5OP_ADDR_BASE + (func << M5OP_ADDR_FUNC_SHIFT);
 *    arguments in rdi, rsi, rdx, rcx, r8, r9; the loaded value is the result.
 *  - instruction mode: the 4-byte opcode 0F 04 <func:u16 little-endian>, same
 *    registers, result in rax. Under KVM this opcode raises #UD.
 */
#ifndef M5SIM_SHARED_M5OPS_H
#define M5SIM_SHARED_M5OPS_H

#define M5OP_ARM              0x00
#define M5OP_QUIESCE          0x01
#define M5OP_QUIESCE_NS       0x02
#define M5OP_QUIESCE_CYCLE    0x03
#define M5OP_QUIESCE_TIME     0x04
#define M5OP_RPNS             0x07
#define M5OP_WAKE_CPU         0x09
#define M5OP_EXIT             0x21
#define M5OP_FAIL             0x22
#define M5OP_SUM              0x23
#define M5OP_INIT_PARAM       0x30
#define M5OP_LOAD_SYMBOL      0x31
#define M5OP_RESET_STATS      0x40
#define M5OP_DUMP_STATS       0x41
#define M5OP_DUMP_RESET_STATS 0x42
#define M5OP_CHECKPOINT       0x43
#define M5OP_WRITE_FILE       0x4F
#define M5OP_READ_FILE        0x50
#define M5OP_DEBUG_BREAK      0x51
#define M5OP_SWITCH_CPU       0x52
#define M5OP_ADD_SYMBOL       0x53
#define M5OP_PANIC            0x54
#define M5OP_WORK_BEGIN       0x5a
#define M5OP_WORK_END         0x5b
#define M5OP_DIST_TOGGLE_SYNC 0x62
#define M5OP_WORKLOAD         0x70

/* Address mode: the pseudo-device window (reserved in the guest's e820 map). */
#define M5OP_ADDR_BASE        0xFFFF0000ULL
#define M5OP_ADDR_SIZE        0x10000ULL
#define M5OP_ADDR_FUNC_SHIFT  8
#define M5OP_ADDR_FUNC(addr)  ((unsigned)(((addr) >> M5OP_ADDR_FUNC_SHIFT) & 0xff))

/* Instruction mode: 0F 04 followed by the function code as a little-endian u16. */
#define M5OP_INST_BYTE0       0x0F
#define M5OP_INST_BYTE1       0x04
#define M5OP_INST_LEN         4

/* Maximum length of a writefile name, host and guest agree on it. */
#define M5OP_NAME_MAX         4096

/*
 * write_file returns the number of bytes written (as gem5 does), or this
 * value when the host refused the name or could not write the file at all
 * (nothing was written or created; the simulator's log says why).
 */
#define M5OP_WRITE_FILE_FAILED 0xffffffffffffffffull

/*
 * checkpoint returns 0 (gem5 returns nothing, which its m5 utility ignores),
 * or this value when a checkpoint without a delay could not be written (disk
 * full, the run's checkpoint limit reached, checkpoints unsupported). A
 * delayed checkpoint returns 0 at once; its failure shows in the run's exit
 * status.
 */
#define M5OP_CHECKPOINT_FAILED 0xffffffffffffffffull

#endif
