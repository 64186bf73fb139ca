/*
 * diff_mov.c - differential tests of exec_mov.c: MOV (register, memory,
 * immediate, moffs, RIP-relative, imm64), MOVZX MOVSX MOVSXD, LEA, XCHG,
 * CMOVcc, SETcc, CBW..CQO, LAHF SAHF, CMC CLC STC CLD STD, XLAT, NOPs.
 */
#include <string.h>

#include "diff.h"
#include "diff_table.h"

/* RSI points into the data buffer (any alignment); RCX is a small index. */
static void mem_rsi(struct diff_state *st)
{
    st->gpr[RSI] = DIFF_DATA_VA + 0x100 + (st->gpr[RSI] & 0xfff);
    st->gpr[RCX] &= 0x3f;
}

/* XLAT: RBX is a table in the data buffer; with a 67 prefix its upper half is ignored. */
static void xlat_rbx(struct diff_state *st)
{
    st->gpr[RBX] = DIFF_DATA_VA + (st->gpr[RBX] & 0xf00);
}

static void xlat_ebx(struct diff_state *st)
{
    st->gpr[RBX] = (st->gpr[RBX] & ~0xffffffffull) | (DIFF_DATA_VA + (st->gpr[RBX] & 0xf00));
}

#define RR (R_(RAX) | R_(RBX))

static const struct diff_test mov_tests[] = {
    /* MOV register to register, every size, high-byte registers, REX registers. */
    { "mov al, bl", "88 d8", 0, 100, RR, NULL },
    { "mov ah, bh", "88 fc", 0, 100, RR, NULL },
    { "mov bl, ah", "88 e3", 0, 100, RR, NULL },
    { "mov al, sil", "40 88 f0", 0, 100, 0, NULL },
    { "mov r8b, r9b", "45 88 c8", 0, 100, 0, NULL },
    { "mov ax, bx", "66 89 d8", 0, 100, RR, NULL },
    { "mov eax, ebx", "89 d8", 0, 100, RR, NULL },
    { "mov eax, ebx (8b)", "8b c3", 0, 100, RR, NULL },
    { "mov rax, rbx", "48 89 d8", 0, 100, RR, NULL },
    { "mov r8, r9", "4d 89 c8", 0, 100, 0, NULL },
    { "mov r8d, r15d", "45 89 f8", 0, 100, 0, NULL },
    /* MOV from memory. */
    { "mov al, [rsi]", "8a 06", 0, 100, 0, mem_rsi },
    { "mov ah, [rsi]", "8a 26", 0, 100, 0, mem_rsi },
    { "mov ax, [rsi]", "66 8b 06", 0, 100, 0, mem_rsi },
    { "mov eax, [rsi]", "8b 06", 0, 100, 0, mem_rsi },
    { "mov rax, [rsi]", "48 8b 06", 0, 100, 0, mem_rsi },
    { "mov r8, [rsi+rcx*4+0x10]", "4c 8b 44 8e 10", 0, 100, 0, mem_rsi },
    { "mov r9w, [rsi-8]", "66 44 8b 4e f8", 0, 100, 0, mem_rsi },
    /* MOV to memory. */
    { "mov [rsi], al", "88 06", 0, 100, RR, mem_rsi },
    { "mov [rsi], ah", "88 26", 0, 100, RR, mem_rsi },
    { "mov [rsi], ax", "66 89 06", 0, 100, RR, mem_rsi },
    { "mov [rsi], eax", "89 06", 0, 100, RR, mem_rsi },
    { "mov [rsi], rax", "48 89 06", 0, 100, RR, mem_rsi },
    { "mov [rsi+rcx*8+0x10], r8", "4c 89 44 ce 10", 0, 100, 0, mem_rsi },
    /* MOV immediate to register and memory. */
    { "mov al, 0x7f", "b0 7f", 0, 50, RR, NULL },
    { "mov ah, 0x80", "b4 80", 0, 50, RR, NULL },
    { "mov r9b, 0x80", "41 b1 80", 0, 50, 0, NULL },
    { "mov ax, 0x1234", "66 b8 34 12", 0, 50, RR, NULL },
    { "mov eax, 0x12345678", "b8 78 56 34 12", 0, 50, RR, NULL },
    { "mov r8d, -1", "41 b8 ff ff ff ff", 0, 50, 0, NULL },
    { "mov rax, imm32 sign-extended", "48 c7 c0 00 00 00 80", 0, 50, RR, NULL },
    { "mov rax, imm64", "48 b8 88 77 66 55 44 33 22 11", 0, 50, RR, NULL },
    { "mov r15, imm64", "49 bf 00 00 00 00 00 00 00 80", 0, 50, 0, NULL },
    { "mov eax, imm32 (c7)", "c7 c0 00 00 00 80", 0, 50, RR, NULL },
    { "mov byte [rsi], 0xff", "c6 06 ff", 0, 50, 0, mem_rsi },
    { "mov word [rsi], 0x9234", "66 c7 06 34 92", 0, 50, 0, mem_rsi },
    { "mov dword [rsi], imm32", "c7 06 78 56 34 f2", 0, 50, 0, mem_rsi },
    { "mov qword [rsi], imm32 sext", "48 c7 06 00 00 00 80", 0, 50, 0, mem_rsi },
    { "mov qword [rsi+8], 0x7fff", "48 c7 46 08 ff 7f 00 00", 0, 50, 0, mem_rsi },
    /* moffs forms (absolute 64-bit address DIFF_DATA_VA + 0x40..). */
    { "mov al, [moffs]", "a0 40 00 00 10 00 00 00 00", 0, 50, RR, NULL },
    { "mov ax, [moffs]", "66 a1 40 00 00 10 00 00 00 00", 0, 50, RR, NULL },
    { "mov eax, [moffs]", "a1 41 00 00 10 00 00 00 00", 0, 50, RR, NULL },
    { "mov rax, [moffs]", "48 a1 43 00 00 10 00 00 00 00", 0, 50, RR, NULL },
    { "mov [moffs], al", "a2 40 00 00 10 00 00 00 00", 0, 50, RR, NULL },
    { "mov [moffs], ax", "66 a3 45 00 00 10 00 00 00 00", 0, 50, RR, NULL },
    { "mov [moffs], eax", "a3 47 00 00 10 00 00 00 00", 0, 50, RR, NULL },
    { "mov [moffs], rax", "48 a3 49 00 00 10 00 00 00 00", 0, 50, RR, NULL },
    /* RIP-relative (code at DIFF_CODE_VA, data 0x10000000 below it). */
    { "mov eax, [rip-disp]", "8b 05 7a 00 00 f0", 0, 50, RR, NULL },
    { "mov [rip-disp], rax", "48 89 05 79 00 00 f0", 0, 50, RR, NULL },

    /* MOVZX / MOVSX / MOVSXD. */
    { "movzx eax, bl", "0f b6 c3", 0, 50, RR, NULL },
    { "movzx eax, bh", "0f b6 c7", 0, 50, RR, NULL },
    { "movzx ax, bl", "66 0f b6 c3", 0, 50, RR, NULL },
    { "movzx rax, bl", "48 0f b6 c3", 0, 50, RR, NULL },
    { "movzx eax, bx", "0f b7 c3", 0, 50, RR, NULL },
    { "movzx rax, bx", "48 0f b7 c3", 0, 50, RR, NULL },
    { "movzx ax, bx", "66 0f b7 c3", 0, 50, RR, NULL },
    { "movzx r8d, sil", "44 0f b6 c6", 0, 50, 0, NULL },
    { "movsx eax, bl", "0f be c3", 0, 50, RR, NULL },
    { "movsx eax, ah", "0f be c4", 0, 50, RR, NULL },
    { "movsx ax, bl", "66 0f be c3", 0, 50, RR, NULL },
    { "movsx rax, bl", "48 0f be c3", 0, 50, RR, NULL },
    { "movsx eax, bx", "0f bf c3", 0, 50, RR, NULL },
    { "movsx rax, bx", "48 0f bf c3", 0, 50, RR, NULL },
    { "movsxd rax, ebx", "48 63 c3", 0, 50, RR, NULL },
    { "movsxd eax, ebx", "63 c3", 0, 50, RR, NULL },
    { "movsxd ax, bx", "66 63 c3", 0, 50, RR, NULL },
    { "movzx eax, byte [rsi]", "0f b6 06", 0, 50, 0, mem_rsi },
    { "movzx rax, word [rsi]", "48 0f b7 06", 0, 50, 0, mem_rsi },
    { "movsx rax, byte [rsi]", "48 0f be 06", 0, 50, 0, mem_rsi },
    { "movsx ax, byte [rsi]", "66 0f be 06", 0, 50, 0, mem_rsi },
    { "movsx rax, word [rsi]", "48 0f bf 06", 0, 50, 0, mem_rsi },
    { "movsxd rax, dword [rsi]", "48 63 06", 0, 50, 0, mem_rsi },

    /* LEA: address size, operand size, RIP-relative, absolute, segment prefix ignored. */
    { "lea eax, [rbx+rcx*4]", "8d 04 8b", 0, 50, R_(RBX) | R_(RCX), NULL },
    { "lea rax, [rbx+rcx*4]", "48 8d 04 8b", 0, 50, R_(RBX) | R_(RCX), NULL },
    { "lea ax, [rbx+rcx*4]", "66 8d 04 8b", 0, 50, R_(RBX) | R_(RCX), NULL },
    { "lea eax, [ebx+ecx*4]", "67 8d 04 8b", 0, 50, R_(RBX) | R_(RCX), NULL },
    { "lea rax, [ebx+ecx*4]", "67 48 8d 04 8b", 0, 50, R_(RBX) | R_(RCX), NULL },
    { "lea ax, [ebx+ecx*2-1]", "67 66 8d 44 4b ff", 0, 50, R_(RBX) | R_(RCX), NULL },
    { "lea rax, [rbx+rcx*4-0x80]", "48 8d 44 8b 80", 0, 50, R_(RBX) | R_(RCX), NULL },
    { "lea rax, [rbx+0x12345678]", "48 8d 83 78 56 34 12", 0, 50, R_(RBX), NULL },
    { "lea rax, [rip+0x100]", "48 8d 05 00 01 00 00", 0, 20, 0, NULL },
    { "lea eax, [eip+0x100]", "67 8d 05 00 01 00 00", 0, 20, 0, NULL },
    { "lea rax, [0x12345678]", "48 8d 04 25 78 56 34 12", 0, 20, 0, NULL },
    { "lea rax, [r9*8-0x10]", "4a 8d 04 cd f0 ff ff ff", 0, 50, R_(R9), NULL },
    { "lea rax, fs:[rbx]", "64 48 8d 03", 0, 50, R_(RBX), NULL },
    { "lea r12, [r13+r14*2]", "4f 8d 64 75 00", 0, 50, R_(R13) | R_(R14), NULL },

    /* XCHG. */
    { "xchg al, bl", "86 d8", 0, 50, RR, NULL },
    { "xchg bl, ah", "86 e3", 0, 50, RR, NULL },
    { "xchg ax, bx", "66 87 d8", 0, 50, RR, NULL },
    { "xchg eax, ebx", "87 d8", 0, 50, RR, NULL },
    { "xchg rax, rbx", "48 87 d8", 0, 50, RR, NULL },
    { "xchg eax, eax (87 c0)", "87 c0", 0, 50, RR, NULL },
    { "xchg ebx, ebx", "87 db", 0, 50, RR, NULL },
    { "nop (90)", "90", 0, 50, RR, NULL },
    { "xchg r8d, eax (41 90)", "41 90", 0, 50, RR, NULL },
    { "xchg r8, rax (49 90)", "49 90", 0, 50, RR, NULL },
    { "xchg eax, ebx (93)", "93", 0, 50, RR, NULL },
    { "xchg rax, rbx (48 93)", "48 93", 0, 50, RR, NULL },
    { "xchg ax, bx (66 93)", "66 93", 0, 50, RR, NULL },
    { "xchg r8, r9", "4d 87 c8", 0, 50, 0, NULL },
    { "xchg [rsi], al", "86 06", 0, 50, RR, mem_rsi },
    { "xchg [rsi], ah", "86 26", 0, 50, RR, mem_rsi },
    { "xchg [rsi], ax", "66 87 06", 0, 50, RR, mem_rsi },
    { "xchg [rsi], eax", "87 06", 0, 50, RR, mem_rsi },
    { "xchg [rsi], rax", "48 87 06", 0, 50, RR, mem_rsi },
    { "lock xchg [rsi], rax", "f0 48 87 06", 0, 50, RR, mem_rsi },

    /* CBW family. */
    { "cbw", "66 98", 0, 50, R_(RAX) | R_(RDX), NULL },
    { "cwde", "98", 0, 50, R_(RAX) | R_(RDX), NULL },
    { "cdqe", "48 98", 0, 50, R_(RAX) | R_(RDX), NULL },
    { "cwd", "66 99", 0, 50, R_(RAX) | R_(RDX), NULL },
    { "cdq", "99", 0, 50, R_(RAX) | R_(RDX), NULL },
    { "cqo", "48 99", 0, 50, R_(RAX) | R_(RDX), NULL },

    /* Flag moves. */
    { "lahf", "9f", 0, 200, R_(RAX), NULL },
    { "sahf", "9e", 0, 200, R_(RAX), NULL },
    { "sahf; lahf", "9e 9f", 0, 200, R_(RAX), NULL },
    { "cmp; lahf", "48 39 d8 9f", 0, 200, RR, NULL },
    { "add; lahf", "01 d8 9f", 0, 200, RR, NULL },
    { "cmc", "f5", 0, 50, 0, NULL },
    { "clc", "f8", 0, 50, 0, NULL },
    { "stc", "f9", 0, 50, 0, NULL },
    { "cmp; cmc", "48 39 d8 f5", 0, 100, RR, NULL },
    { "add; cmc", "00 d8 f5", 0, 100, RR, NULL },
    { "inc; stc", "ff c0 f9", 0, 100, RR, NULL },
    { "cld", "fc", 0, 50, 0, NULL },
    { "std", "fd", 0, 50, 0, NULL },
    { "std; cld", "fd fc", 0, 50, 0, NULL },

    /* XLAT. */
    { "xlat", "d7", 0, 100, R_(RAX), xlat_rbx },
    { "xlat (67: ebx)", "67 d7", 0, 100, R_(RAX), xlat_ebx },

    /* NOP family. */
    { "nop 66 90", "66 90", 0, 10, 0, NULL },
    { "nop [rax]", "0f 1f 00", 0, 10, 0, NULL },
    { "nop [rax+0]", "0f 1f 40 00", 0, 10, 0, NULL },
    { "nop [rax+rax]", "0f 1f 44 00 00", 0, 10, 0, NULL },
    { "nop word [rax+rax]", "66 0f 1f 44 00 00", 0, 10, 0, NULL },
    { "nop [rax+disp32]", "0f 1f 80 00 00 00 00", 0, 10, 0, NULL },
    { "nop cs: word [rax+rax+disp32]", "66 2e 0f 1f 84 00 00 00 00 00", 0, 10, 0, NULL },
    { "nop eax (0f 1f c0)", "0f 1f c0", 0, 10, 0, NULL },
    { "hint nop 0f 19", "0f 19 c0", 0, 10, 0, NULL },
    { "pause", "f3 90", 0, 10, 0, NULL },
    { "endbr64", "f3 0f 1e fa", 0, 10, 0, NULL },
    { "endbr32", "f3 0f 1e fb", 0, 10, 0, NULL },
};

/* CMOVcc and SETcc for all sixteen conditions, after flag producers of each lazy kind. */
static unsigned cc_tests(void)
{
    static const struct { const char *name, *hex; uint64_t undef; } pre[] = {
        { "", "", 0 },                          /* flags as loaded */
        { "cmp rcx,rbx; ", "48 39 d9 ", 0 },
        { "cmp cl,bl; ", "38 d9 ", 0 },
        { "add ecx,ebx; ", "01 d9 ", 0 },
        { "sub cx,bx; ", "66 29 d9 ", 0 },
        { "test ecx,ebx; ", "85 d9 ", FL_AF },
        { "inc ecx; ", "ff c1 ", 0 },
        { "dec rcx; ", "48 ff c9 ", 0 },
        { "neg rcx; ", "48 f7 d9 ", 0 },
        { "adc ecx,ebx; ", "11 d9 ", 0 },
    };
    static const char *ccn[16] = { "o", "no", "b", "nb", "z", "nz", "be", "nbe",
                                   "s", "ns", "p", "np", "l", "nl", "le", "nle" };
    static const struct { const char *fmt, *hexfmt; bool mem; } forms[] = {
        { "cmov%s eax, ebx", "0f 4%x c3", false },
        { "cmov%s rax, rbx", "48 0f 4%x c3", false },
        { "cmov%s ax, bx", "66 0f 4%x c3", false },
        { "cmov%s eax, [rsi]", "0f 4%x 06", true },
        { "cmov%s r8, [rsi]", "4c 0f 4%x 06", true },
        { "set%s al", "0f 9%x c0", false },
        { "set%s ah", "0f 9%x c4", false },
        { "set%s sil", "40 0f 9%x c6", false },
        { "set%s [rsi]", "0f 9%x 06", true },
    };
    unsigned failures = 0;
    for (unsigned p = 0; p < sizeof pre / sizeof pre[0]; p++)
        for (unsigned f = 0; f < sizeof forms / sizeof forms[0]; f++)
            for (unsigned cc = 0; cc < 16; cc++) {
                /* Memory forms once, after the loaded flags and one producer. */
                if (forms[f].mem && p > 1)
                    continue;
                char name[96], ins[64], hex[96];
                snprintf(ins, sizeof ins, forms[f].fmt, ccn[cc]);
                snprintf(name, sizeof name, "%s%s", pre[p].name, ins);
                snprintf(ins, sizeof ins, forms[f].hexfmt, cc);
                snprintf(hex, sizeof hex, "%s%s", pre[p].hex, ins);
                struct diff_test t = { name, hex, pre[p].undef, 40,
                                       p ? R_(RCX) | R_(RBX) : 0, forms[f].mem ? mem_rsi : NULL };
                /* Edge-value pairs (slow) for CMP with the first CMOV and SETcc forms only. */
                if (p != 1 || (f != 0 && f != 5))
                    t.regs = 0;
                failures += diff_table_run(&t, 1);
            }
    return failures;
}

unsigned diff_mov_run(void)
{
    return DIFF_TABLE_RUN(mov_tests) + cc_tests();
}
