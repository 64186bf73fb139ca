/*
 * diff_stack.c - differential tests of exec_stack.c: PUSH/POP (register,
 * memory, immediate, 64- and 16-bit), PUSHF/POPF, ENTER, LEAVE. RSP starts
 * 512 bytes below the top of the harness stack page, whose contents are
 * compared, so pops read seeded data and pushes are checked directly.
 *
 * PUSH FS/GS is checked for its stack effect only (the harness's user-mode
 * selectors differ from the host's); POP FS/GS belongs to the system family.
 */
#include "diff.h"
#include "diff_table.h"

static void mem_rsi(struct diff_state *st)
{
    st->gpr[RSI] = DIFF_DATA_VA + 0x100 + (st->gpr[RSI] & 0xfff);
}

static void small_rax(struct diff_state *st)
{
    st->gpr[RAX] &= 0x1f;
}

/* POPF input: flags user mode may try to set, minus TF (trap) and AC (alignment checks). */
static void popf_rax(struct diff_state *st)
{
    st->gpr[RAX] &= FL_ARITH | FL_DF | FL_IF | FL_IOPL | FL_NT | FL_RF | FL_VM | FL_VIF | FL_VIP | FL_ID;
}

/* RBP inside the stack page, above RSP, for ENTER's frame copies and LEAVE. */
static void rbp_stack(struct diff_state *st)
{
    st->gpr[RBP] = DIFF_STACK_TOP - 0x100 - (st->gpr[RBP] & 0xff);
}

static const struct diff_test stack_tests[] = {
    /* PUSH register. */
    { "push rax", "50", 0, 50, R_(RAX), NULL },
    { "push r15", "41 57", 0, 50, 0, NULL },
    { "push ax", "66 50", 0, 50, R_(RAX), NULL },
    { "push r9w", "66 41 51", 0, 50, 0, NULL },
    { "push rsp", "54", 0, 20, 0, NULL },
    { "push sp", "66 54", 0, 20, 0, NULL },
    /* POP register (RSP incremented before POP RSP / POP SP writes). */
    { "pop rax", "58", 0, 50, 0, NULL },
    { "pop r15", "41 5f", 0, 50, 0, NULL },
    { "pop ax", "66 58", 0, 50, R_(RAX), NULL },
    { "pop r10w", "66 41 5a", 0, 50, 0, NULL },
    { "pop rsp", "5c", 0, 50, 0, NULL },
    { "pop sp", "66 5c", 0, 50, 0, NULL },
    { "push rax; pop rbx", "50 5b", 0, 50, R_(RAX), NULL },
    /* PUSH immediate (sign-extended). */
    { "push imm8", "6a 80", 0, 20, 0, NULL },
    { "push imm8 +", "6a 7f", 0, 20, 0, NULL },
    { "push imm32", "68 78 56 34 92", 0, 20, 0, NULL },
    { "push word imm8", "66 6a 80", 0, 20, 0, NULL },
    { "push word imm16", "66 68 34 92", 0, 20, 0, NULL },
    /* PUSH/POP memory, including RSP-relative forms. */
    { "push [rsi]", "ff 36", 0, 50, 0, mem_rsi },
    { "push word [rsi]", "66 ff 36", 0, 50, 0, mem_rsi },
    { "push [rsp]", "ff 34 24", 0, 20, 0, NULL },
    { "push [rsp+8]", "ff 74 24 08", 0, 20, 0, NULL },
    { "pop [rsi]", "8f 06", 0, 50, 0, mem_rsi },
    { "pop word [rsi]", "66 8f 06", 0, 50, 0, mem_rsi },
    { "pop [rsp]", "8f 04 24", 0, 20, 0, NULL },
    { "pop [rsp+8]", "8f 44 24 08", 0, 20, 0, NULL },
    { "pop [rsp-8]", "8f 44 24 f8", 0, 20, 0, NULL },
    { "pop word [rsp]", "66 8f 04 24", 0, 20, 0, NULL },
    { "pop [rsp+rax*8]", "8f 04 c4", 0, 50, 0, small_rax },
    /* PUSH FS/GS: the selector values differ between the harness worlds, so overwrite the slot. */
    { "push fs; mov qword [rsp], 0; pop rax", "0f a0 48 c7 04 24 00 00 00 00 58", 0, 10, 0, NULL },
    { "push gs; mov qword [rsp], 0; pop rax", "0f a8 48 c7 04 24 00 00 00 00 58", 0, 10, 0, NULL },
    { "push word fs; mov word [rsp], 0; pop ax", "66 0f a0 66 c7 04 24 00 00 66 58", 0, 10, 0, NULL },
    /* PUSHF/POPF. */
    { "pushfq", "9c", 0, 100, 0, NULL },
    { "pushf", "66 9c", 0, 100, 0, NULL },
    { "cmp; pushfq", "48 39 d8 9c", 0, 200, R_(RAX) | R_(RBX), NULL },
    { "add; pushfq", "00 d8 9c", 0, 200, R_(RAX) | R_(RBX), NULL },
    { "push; popfq; pushfq; pop", "50 9d 9c 5b", 0, 300, 0, popf_rax },
    { "push; popf; pushf; pop (16)", "66 50 66 9d 66 9c 66 5b", 0, 300, 0, popf_rax },
    { "push; popfq", "50 9d", 0, 300, 0, popf_rax },
    /* ENTER/LEAVE. */
    { "enter 0x10, 0", "c8 10 00 00", 0, 20, 0, NULL },
    { "enter 0, 1", "c8 00 00 01", 0, 20, 0, NULL },
    { "enter 0x18, 3", "c8 18 00 03", 0, 50, 0, rbp_stack },
    { "enter 0x20, 31", "c8 20 00 1f", 0, 50, 0, rbp_stack },
    { "enter 8, 32 (level mod 32)", "c8 08 00 20", 0, 20, 0, rbp_stack },
    { "enter 0xffff, 0", "c8 ff ff 00", 0, 20, 0, NULL },
    { "enter 0x1000, 0 (final rsp unmapped)", "c8 00 10 00", 0, 20, 0, NULL },
    { "enter word 0x10, 0", "66 c8 10 00 00", 0, 20, 0, NULL },
    { "enter word 0x10, 3", "66 c8 10 00 03", 0, 50, 0, rbp_stack },
    { "leave", "c9", 0, 50, 0, rbp_stack },
    { "leave word", "66 c9", 0, 50, 0, rbp_stack },
    { "enter 0x20, 2; leave", "c8 20 00 02 c9", 0, 50, 0, rbp_stack },
};

unsigned diff_stack_run(void)
{
    return DIFF_TABLE_RUN(stack_tests);
}
