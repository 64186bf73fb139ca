/*
 * diff_branch.c - differential tests of exec_branch.c: Jcc (rel8, rel32,
 * after every kind of flag producer), JMP and CALL (relative, register,
 * memory, non-canonical targets), RET and RET imm16, LOOP/LOOPE/LOOPNE and
 * JRCXZ/JECXZ with both address sizes.
 *
 * Every case is one block run to its end: a taken branch skips a
 * "mov ecx/edx, 1" marker or lands at the end of the code; indirect targets
 * are computed with LEA RIP-relative so they are the same in both worlds.
 *
 * Vendor-dependent cases, checked against the model (Intel, docs/cpu-model.md):
 * a 66 prefix on a near branch is ignored in 64-bit mode (AMD truncates the
 * target to 16 bits); CALL to a non-canonical target raises #GP on the CALL
 * with RSP unchanged but the return address already stored below RSP (AMD
 * stores nothing).
 */
#include <string.h>

#include "cpu/exception.h"
#include "diff.h"
#include "diff_table.h"

/* CALL reg to a non-canonical address, the last instruction of the case. */
static bool model_call_noncanonical(const struct diff_case *c, const struct diff_state *in,
                                    struct diff_result *expect)
{
    uint64_t ret = DIFF_CODE_VA + c->len;
    diff_expect_exception(in, EXC_GP, expect);
    memcpy(&expect->stack[DIFF_STACK_BYTES - (DIFF_STACK_TOP - in->gpr[RSP]) - 8], &ret, 8);
    return true;
}

static void mem_rsi(struct diff_state *st)
{
    st->gpr[RSI] = DIFF_DATA_VA + 0x100 + (st->gpr[RSI] & 0xff8);
}

/* LOOP counts 1..64 (RCX, or ECX with the upper half random for the 67 forms). */
static void loop_rcx(struct diff_state *st)
{
    st->gpr[RCX] = (st->gpr[RCX] & 0x3f) + 1;
}

static void loop_ecx(struct diff_state *st)
{
    st->gpr[RCX] = (st->gpr[RCX] & ~0xffffffffull) | ((st->gpr[RCX] & 0x3f) + 1);
}

/* LOOPE/LOOPNE: RAX equals RBX half of the time, or is a little above it. */
static void loop_cmp(struct diff_state *st)
{
    loop_rcx(st);
    st->gpr[RAX] = st->gpr[RBX] + ((st->gpr[RAX] & 1) ? 0 : (st->gpr[RAX] >> 1) % 40);
}

static void loop_cmp32(struct diff_state *st)
{
    loop_cmp(st);
    st->gpr[RCX] |= st->gpr[RDX] << 32;
}

static const struct diff_test branch_tests[] = {
    /* JMP relative, register, memory. */
    { "jmp rel8", "eb 05 b9 01 00 00 00", 0, 10, 0, NULL },
    { "jmp rel8 +0", "eb 00", 0, 10, 0, NULL },
    { "jmp rel32", "e9 05 00 00 00 b9 01 00 00 00", 0, 10, 0, NULL },
    { "66 jmp rel8 (prefix ignored)", "66 eb 05 b9 01 00 00 00", 0, 10, 0, NULL, diff_model_no_66 },
    { "jmp back and forth", "eb 02 eb 07 eb fc b9 01 00 00 00", 0, 10, 0, NULL },
    { "lea; jmp rax", "48 8d 05 07 00 00 00 ff e0 b9 01 00 00 00", 0, 10, 0, NULL },
    { "lea; jmp r11", "4c 8d 1d 08 00 00 00 41 ff e3 b9 01 00 00 00", 0, 10, 0, NULL },
    { "lea; mov [rsi]; jmp [rsi]", "48 8d 05 0a 00 00 00 48 89 06 ff 26 b9 01 00 00 00", 0, 20, 0, mem_rsi },
    { "jmp rax non-canonical", "48 b8 00 00 00 00 00 80 00 00 ff e0", 0, 5, 0, NULL },
    { "jmp rax non-canonical high", "48 b8 00 00 00 00 00 00 ff 7f ff e0", 0, 5, 0, NULL },
    /* CALL. */
    { "call rel32; pop", "e8 05 00 00 00 b9 01 00 00 00 5a", 0, 10, 0, NULL },
    { "call next", "e8 00 00 00 00", 0, 10, 0, NULL },
    { "call; ret; jmp", "e8 02 00 00 00 eb 01 c3", 0, 10, 0, NULL },
    { "lea; call rax; pop", "48 8d 05 07 00 00 00 ff d0 b9 01 00 00 00 5a", 0, 10, 0, NULL },
    { "lea; call r9; pop", "4c 8d 0d 08 00 00 00 41 ff d1 b9 01 00 00 00 5a", 0, 10, 0, NULL },
    { "lea; mov [rsi]; call [rsi]", "48 8d 05 0a 00 00 00 48 89 06 ff 16 b9 01 00 00 00 5a", 0, 20, 0, mem_rsi },
    { "lea; push; call [rsp]", "48 8d 05 04 00 00 00 50 ff 14 24 48 83 c4 10", 0, 10, 0, NULL },
    { "call rax non-canonical", "48 b8 00 00 00 00 00 80 00 00 ff d0", 0, 5, 0, NULL, model_call_noncanonical },
    /* RET. */
    { "lea; push; ret", "48 8d 05 02 00 00 00 50 c3", 0, 10, 0, NULL },
    { "lea; push; ret 0x10", "48 8d 05 04 00 00 00 50 c2 10 00", 0, 10, 0, NULL },
    { "lea; push; ret 0xfff8", "48 8d 05 04 00 00 00 50 c2 f8 ff", 0, 10, 0, NULL },
    { "push non-canonical; ret", "48 b8 00 00 00 00 00 80 00 00 50 c3", 0, 5, 0, NULL },
    /* Backward conditional branch: count to 5. */
    { "count loop with jl", "31 c0 ff c0 83 f8 05 7c f9", 0, 10, 0, NULL },
    /* LOOP family. */
    { "inc; loop", "ff c0 e2 fc", 0, 100, 0, loop_rcx },
    { "inc; loop (67: ecx)", "ff c0 67 e2 fb", 0, 100, 0, loop_ecx },
    { "loop +0", "e2 00", 0, 20, R_(RCX), NULL },
    { "loop +0 (67)", "67 e2 00", 0, 20, R_(RCX), NULL },
    { "loope +0", "e1 00", 0, 50, R_(RCX), NULL },
    { "loopne +0", "e0 00", 0, 50, R_(RCX), NULL },
    { "loope +0 (67)", "67 e1 00", 0, 50, R_(RCX), NULL },
    { "loopne +0 (67)", "67 e0 00", 0, 50, R_(RCX), NULL },
    { "loop skip", "e2 05 ba 01 00 00 00", 0, 20, R_(RCX), NULL },
    { "loope skip", "e1 05 ba 01 00 00 00", 0, 50, R_(RCX), NULL },
    { "loopne skip", "e0 05 ba 01 00 00 00", 0, 50, R_(RCX), NULL },
    { "inc; inc; cmp; loope", "ff c0 ff c3 39 d8 e1 f8", 0, 200, 0, loop_cmp },
    { "inc; cmp; loopne", "ff c3 39 d8 e0 fa", 0, 200, 0, loop_cmp },
    { "inc; cmp; loopne (67)", "ff c3 39 d8 67 e0 f9", 0, 200, 0, loop_cmp32 },
    /* JRCXZ / JECXZ. */
    { "jrcxz", "e3 05 ba 01 00 00 00", 0, 20, R_(RCX), NULL },
    { "jecxz", "67 e3 05 ba 01 00 00 00", 0, 20, R_(RCX), NULL },
};

/* Jcc for all sixteen conditions, rel8 and rel32, after each kind of flag producer. */
static unsigned jcc_tests(void)
{
    static const struct { const char *name, *hex; uint64_t undef; } pre[] = {
        { "", "", 0 },
        { "cmp rcx,rbx; ", "48 39 d9 ", 0 },
        { "cmp ecx,ebx; ", "39 d9 ", 0 },
        { "cmp cl,bl; ", "38 d9 ", 0 },
        { "sub cx,bx; ", "66 29 d9 ", 0 },
        { "add rcx,rbx; ", "48 01 d9 ", 0 },
        { "and ecx,ebx; ", "21 d9 ", FL_AF },
        { "inc ecx; ", "ff c1 ", 0 },
        { "dec cx; ", "66 ff c9 ", 0 },
        { "neg rcx; ", "48 f7 d9 ", 0 },
        { "sbb ecx,ebx; ", "19 d9 ", 0 },
    };
    static const char *ccn[16] = { "o", "no", "b", "nb", "z", "nz", "be", "nbe",
                                   "s", "ns", "p", "np", "l", "nl", "le", "nle" };
    unsigned failures = 0;
    for (unsigned p = 0; p < sizeof pre / sizeof pre[0]; p++)
        for (unsigned cc = 0; cc < 16; cc++)
            for (unsigned wide = 0; wide < 2; wide++) {
                char name[96], hex[96];
                snprintf(name, sizeof name, "%sj%s %s", pre[p].name, ccn[cc], wide ? "rel32" : "rel8");
                if (wide)
                    snprintf(hex, sizeof hex, "%s0f 8%x 05 00 00 00 ba 01 00 00 00", pre[p].hex, cc);
                else
                    snprintf(hex, sizeof hex, "%s7%x 05 ba 01 00 00 00", pre[p].hex, cc);
                struct diff_test t = { name, hex, pre[p].undef, 60,
                                       (p == 1 || p == 3) && !wide ? R_(RCX) | R_(RBX) : 0, NULL };
                failures += diff_table_run(&t, 1);
            }
    return failures;
}

unsigned diff_branch_run(void)
{
    return DIFF_TABLE_RUN(branch_tests) + jcc_tests();
}
