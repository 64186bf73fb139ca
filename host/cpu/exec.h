/*
 * exec.h - instruction semantics: one file per family (exec_<family>.c).
 *
 * Each family file defines static handlers `void exec_<mnemonic>(struct cpu *, const struct insn *)`
 * and one `exec_<family>_register()` that maps Zydis mnemonics to them with
 * exec_register(). The decoder looks the handler up once per decoded
 * instruction. A handler:
 *  - finds cpu->s.rip at its own instruction and cpu->next_rip at the next;
 *  - reads operands with op_read()/op_ea(), writes with op_write() (operand.h);
 *  - performs every access that can fault before changing architectural state;
 *  - sets flags lazily with flags_set() or eagerly with flags_write() (flags.h);
 *  - branches by assigning cpu->next_rip (RIP is advanced to it afterwards);
 *  - sets cpu->block_exit = 1 after changing state that decoded blocks or the
 *    TLB depend on (CR0/CR3/CR4/EFER writes, mode or CPL changes, IF changes),
 *    and whenever it changes cpu->next_rip without ending its block.
 *
 * For speed, a family may also give the decoder specialized handlers for the
 * hottest operand forms (exec_register_select) and threaded twins of its
 * handlers (EXEC_THREADED, EXEC_FAST): see below.
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
/*
 * Specialized handlers: a family may also register, for a mnemonic, a
 * selector that the decoder asks once per decoded instruction; it returns a
 * handler for that exact form (operand kinds and sizes known in advance) or
 * NULL to keep the general handler. exec_choose() is what the decoder calls.
 */
typedef exec_fn (*exec_select_fn)(const struct insn *in);
void exec_register_select(ZydisMnemonic mnemonic, exec_select_fn select);
/* Handler for a decoded instruction; sets in->fn and its threaded form in->run. */
void exec_choose(struct insn *in);

/*
 * Threaded execution of a block (atomic.c): each instruction's `run`
 * executes it and then, through exec_next(), retires it and tail-calls the
 * next one, so every handler has its own dispatch branch. A family may
 * register the threaded twin of a handler (EXEC_THREADED below); any other
 * handler runs through exec_run_generic().
 */
void exec_register_run(exec_fn fn, exec_fn run);
void exec_run_generic(struct cpu *cpu, const struct insn *in);

/* Retire `in` (RIP = next_rip, one more instruction) and continue with the next one of the block. */
static inline __attribute__((always_inline)) void exec_next(struct cpu *cpu, const struct insn *in)
{
    uint64_t rip = cpu->next_rip;
    cpu->s.rip = rip;
    cpu->icount++;
    if (__builtin_expect(in->last | cpu->block_exit, 0))
        return;
    in++;
    cpu->next_rip = rip + in->len;
    in->run(cpu, in);
}

/*
 * A handler with a threaded twin:
 *
 *     EXEC_BODY(name) { ...semantics... }
 *     EXEC_THREADED(name)
 *
 * defines `name` (the handler) and `name##_run` (the same, then
 * exec_next), and registers the pair at program start.
 */
#define EXEC_BODY(name)                                                         \
    static inline __attribute__((always_inline)) void name##_body(              \
        __attribute__((unused)) struct cpu *cpu, __attribute__((unused)) const struct insn *in)

#define EXEC_THREADED(name)                                                     \
    static void name(struct cpu *cpu, const struct insn *in)                    \
    {                                                                           \
        name##_body(cpu, in);                                                   \
    }                                                                           \
    static void name##_run(struct cpu *cpu, const struct insn *in)              \
    {                                                                           \
        name##_body(cpu, in);                                                   \
        exec_next(cpu, in);                                                     \
    }                                                                           \
    __attribute__((constructor)) static void name##_register_run(void)          \
    {                                                                           \
        exec_register_run(name, name##_run);                                    \
    }

/*
 * A specialized handler whose fast path may not apply (typically a memory
 * operand without a direct host pointer in the TLB): its body returns false
 * before it changes anything, and `general`, the family's general handler
 * for the mnemonic (itself EXEC_THREADED), then does the whole instruction.
 * The threaded twin hands over with a tail call, so the fast path needs no
 * stack frame:
 *
 *     EXEC_FAST_BODY(name) { ...; if (!p) return false; ...; return true; }
 *     EXEC_FAST(name, general)
 */
#define EXEC_FAST_BODY(name)                                                    \
    static inline __attribute__((always_inline)) bool name##_body(              \
        struct cpu *cpu, __attribute__((unused)) const struct insn *in)

#define EXEC_FAST(name, general)                                                \
    static void name(struct cpu *cpu, const struct insn *in)                    \
    {                                                                           \
        if (!name##_body(cpu, in))                                              \
            general(cpu, in);                                                   \
    }                                                                           \
    static void name##_run(struct cpu *cpu, const struct insn *in)              \
    {                                                                           \
        if (__builtin_expect(!name##_body(cpu, in), 0)) {                       \
            general##_run(cpu, in);                                             \
            return;                                                             \
        }                                                                       \
        exec_next(cpu, in);                                                     \
    }                                                                           \
    __attribute__((constructor)) static void name##_register_run(void)          \
    {                                                                           \
        exec_register_run(name, name##_run);                                    \
    }

/*
 * For an instruction decoded outside 64-bit mode (`mode`, mode.h): replace
 * its handler where the 64-bit one would be wrong (exec_legacy.c).
 */
void exec_legacy_choose(struct insn *in, unsigned mode);

/* Register every family (idempotent). */
void exec_init(void);

/* The families (one file each). */
void exec_alu_register(void);      /* add adc sub sbb cmp and or xor test inc dec neg not */
void exec_muldiv_register(void);   /* mul imul div idiv */
void exec_shift_register(void);    /* shl shr sar rol ror rcl rcr shld shrd */
void exec_bit_register(void);      /* bt bts btr btc bsf bsr tzcnt lzcnt popcnt bswap */
void exec_mov_register(void);      /* mov movzx movsx movsxd lea xchg cmovcc setcc cbw.. lahf sahf cmc clc stc cld std nop */
void exec_stack_register(void);    /* push pop pushfq popfq enter leave */
/*
 * POPF's new RFLAGS from the old ones and the popped value v (size 2, 4 or
 * 8 bytes) at CPL cpl: IOPL only at CPL 0, IF only at CPL <= IOPL, RF
 * cleared by the 32/64-bit forms; no VM86. Shared by every mode's POPF.
 */
uint64_t popf_flags(uint64_t old, uint64_t v, unsigned size, unsigned cpl);
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
