/*
 * exec.h - instruction semantics: one file per family (exec_<family>.c).
 *
 * Each family file defines static handlers `void exec_<mnemonic>(struct cpu *, const struct insn *)`
 * and one `exec_<family>_register()` that maps Zydis mnemonics to them with
 * exec_register(). The decoder looks the handler up once per decoded
 * instruction. A handler:
 *  - reads operands with op_read()/op_ea(), writes with op_write() (operand.h);
 *  - performs every access that can fault before changing architectural state;
 *  - sets flags lazily with flags_set() or eagerly with flags_write() (flags.h);
 *  - branches by assigning cpu->next_rip (RIP is advanced to it afterwards);
 *  - sets cpu->block_exit = 1 after changing state that decoded blocks or the
 *    TLB depend on (CR0/CR3/CR4/EFER writes, mode or CPL changes, IF changes).
 */
#ifndef M5SIM_CPU_EXEC_H
#define M5SIM_CPU_EXEC_H

#include <Zydis/Zydis.h>

#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "cpu/flags.h"
#include "cpu/insn.h"
#include "cpu/mmu.h"
#include "cpu/operand.h"

void exec_register(ZydisMnemonic mnemonic, exec_fn fn);
exec_fn exec_lookup(ZydisMnemonic mnemonic);
/* Register every family (idempotent). */
void exec_init(void);

/* The families (one file each). */
void exec_alu_register(void);      /* add adc sub sbb cmp and or xor test inc dec neg not */
void exec_muldiv_register(void);   /* mul imul div idiv */
void exec_shift_register(void);    /* shl shr sar rol ror rcl rcr shld shrd */
void exec_bit_register(void);      /* bt bts btr btc bsf bsr tzcnt lzcnt popcnt bswap */
void exec_mov_register(void);      /* mov movzx movsx movsxd lea xchg cmovcc setcc cbw.. lahf sahf cmc clc stc cld std nop */
void exec_stack_register(void);    /* push pop pushfq popfq enter leave */
void exec_branch_register(void);   /* jmp jcc call ret loop jrcxz */
void exec_string_register(void);   /* movs stos lods cmps scas (rep) */
void exec_atomic_register(void);   /* cmpxchg cmpxchg8b cmpxchg16b xadd */
void exec_x87_register(void);      /* x87 */
void exec_sse_register(void);      /* SSE/SSE2 data movement, arithmetic, conversion, packed integer */
void exec_system_register(void);   /* system instructions, cpuid, fences, fxsave/fxrstor, port I/O */

/* Handlers shared across families. */
void exec_unimplemented(struct cpu *cpu, const struct insn *in);
/* Number of instruction families not linked in (reported on stderr). */
int exec_missing_families(void);

#endif
