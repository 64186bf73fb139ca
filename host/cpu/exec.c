/* exec.c - the mnemonic -> handler table that the decoder consults once per instruction. */
#include "cpu/exec.h"

#include <stdio.h>

#include "util/log.h"

static exec_fn table[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static exec_select_fn select_table[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static uint8_t reported[ZYDIS_MNEMONIC_MAX_VALUE + 1];

void exec_register(ZydisMnemonic mnemonic, exec_fn fn)
{
    table[mnemonic] = fn;
}

exec_fn exec_lookup(ZydisMnemonic mnemonic)
{
    exec_fn fn = (unsigned)mnemonic <= ZYDIS_MNEMONIC_MAX_VALUE ? table[mnemonic] : NULL;
    return fn ? fn : exec_unimplemented;
}

void exec_register_select(ZydisMnemonic mnemonic, exec_select_fn select)
{
    select_table[mnemonic] = select;
}

/* Threaded twins by handler: a small open-addressing table, consulted once per decoded instruction. */
#define RUN_BITS 11
static struct { exec_fn fn, run; } run_table[1u << RUN_BITS];

static unsigned run_slot(exec_fn fn)
{
    uintptr_t h = (uintptr_t)fn * 0x9e3779b97f4a7c15ull;
    return (unsigned)(h >> (64 - RUN_BITS));
}

void exec_register_run(exec_fn fn, exec_fn run)
{
    unsigned mask = (1u << RUN_BITS) - 1, used = 0;
    for (unsigned i = run_slot(fn); ; i = (i + 1) & mask) {
        if (!run_table[i].fn || run_table[i].fn == fn) {
            run_table[i].fn = fn;
            run_table[i].run = run;
            return;
        }
        if (++used > mask)
            fatal("cpu", "too many threaded handlers");
    }
}

static exec_fn run_for(exec_fn fn)
{
    unsigned mask = (1u << RUN_BITS) - 1;
    for (unsigned i = run_slot(fn); run_table[i].fn; i = (i + 1) & mask)
        if (run_table[i].fn == fn)
            return run_table[i].run;
    return exec_run_generic;
}

void exec_run_generic(struct cpu *cpu, const struct insn *in)
{
    in->fn(cpu, in);
    exec_next(cpu, in);
}

void exec_choose(struct insn *in)
{
    exec_select_fn select = in->mnemonic <= ZYDIS_MNEMONIC_MAX_VALUE ? select_table[in->mnemonic] : NULL;
    exec_fn fn = select ? select(in) : NULL;
    if (!fn)
        fn = exec_lookup((ZydisMnemonic)in->mnemonic);
    in->fn = fn;
    in->run = run_for(fn);
}

/*
 * An instruction Zydis knows but we do not implement behaves as on a CPU
 * without that extension: #UD. Reported once per mnemonic, because a guest
 * that meets it usually stops soon after and the report says why.
 */
void exec_unimplemented(struct cpu *cpu, const struct insn *in)
{
    if (!reported[in->mnemonic]) {
        reported[in->mnemonic] = 1;
        warn("cpu", "unimplemented instruction %s at rip=0x%llx, raising #UD",
             ZydisMnemonicGetString((ZydisMnemonic)in->mnemonic), (unsigned long long)cpu->s.rip);
    }
    cpu_raise_ud(cpu);
}

/*
 * Families are declared weak so that the interpreter links while a family is
 * being written; tests/cpu checks that every family is present.
 *
 * Order matters for mnemonics several families share (MOV with control
 * registers, far JMP/CALL/RET, MOVSD string vs SSE): a family registering a
 * shared mnemonic forwards the forms that are not its own to the handler
 * registered before it. The common forms belong to the later families, so
 * system and sse register first and the hot MOV/JMP/CALL/RET reach their
 * handler in one call.
 */
#define FAMILIES(X) X(system) X(sse) X(x87) X(alu) X(muldiv) X(shift) X(bit) X(mov) \
    X(stack) X(branch) X(string) X(atomic)
#define DECLARE_WEAK(f) __attribute__((weak)) void exec_##f##_register(void);
FAMILIES(DECLARE_WEAK)

void exec_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
#define CALL(f) if (exec_##f##_register) exec_##f##_register();
    FAMILIES(CALL)
#undef CALL
}

int exec_missing_families(void)
{
    int missing = 0;
#define CHECK(f) if (!exec_##f##_register) { fprintf(stderr, "missing family: %s\n", #f); missing++; }
    FAMILIES(CHECK)
#undef CHECK
    return missing;
}
