/*
 * diff_muldiv.c - differential tests of MUL, IMUL (one, two and three
 * operands), DIV and IDIV (host/cpu/exec_muldiv.c): every operand size,
 * register (including AH-style and REX byte registers) and memory sources,
 * imm8 and imm16/32 multipliers, and #DE on zero divisors and quotient
 * overflow.
 *
 * Random dividends almost always overflow, so each division also runs with
 * a fixup that brings the high half of the dividend near the valid range
 * (below the divisor for DIV, the sign extension of the low half for IDIV,
 * pushed just past it one time in four). Edge values reach zero divisors,
 * -1 and the most negative dividends.
 *
 * Undefined flags (SDM): SF ZF AF PF after multiplies, all six after divides.
 */
#include "diff_int.h"

static uint64_t size_mask_bits(unsigned bits)
{
    return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

static void set_part(uint64_t *r, unsigned bits, uint64_t v)
{
    uint64_t m = size_mask_bits(bits);
    *r = (*r & ~m) | (v & m);
}

/*
 * Dividend high half (AH, DX, EDX, RDX) in range for DIV: below the divisor,
 * or equal to it (overflow by the smallest margin) one time in four.
 */
static void udiv_fit(struct diff_state *st, unsigned bits, uint64_t divisor)
{
    uint64_t m = size_mask_bits(bits), d = divisor & m;
    bool edge = (st->gpr[R15] & 3) == 0;
    if (d == 0)
        return;
    if (bits == 8) {
        uint64_t ah = (st->gpr[RAX] >> 8) & 0xff;
        ah = edge ? d : ah % d;
        st->gpr[RAX] = (st->gpr[RAX] & ~0xff00ull) | ah << 8;
    } else {
        uint64_t hi = st->gpr[RDX] & m;
        set_part(&st->gpr[RDX], bits, edge ? d : hi % d);
    }
}

/* Dividend high half for IDIV: the sign extension of the low half, off by one bit one time in four. */
static void sdiv_fit(struct diff_state *st, unsigned bits)
{
    bool edge = (st->gpr[R15] & 3) == 0;
    if (bits == 8) {
        uint64_t ah = (st->gpr[RAX] & 0x80) ? 0xff : 0;
        if (edge)
            ah ^= 1;
        st->gpr[RAX] = (st->gpr[RAX] & ~0xff00ull) | ah << 8;
    } else {
        uint64_t sign = (st->gpr[RAX] >> (bits - 1)) & 1;
        uint64_t hi = sign ? ~0ull : 0;
        if (edge)
            hi ^= 1;
        set_part(&st->gpr[RDX], bits, hi);
    }
}

#define DIV_FIXUPS(bits)                                                                     \
    static void fix_udiv##bits(struct diff_state *st) { udiv_fit(st, bits, st->gpr[RBX]); }  \
    static void fix_sdiv##bits(struct diff_state *st) { sdiv_fit(st, bits); }                \
    static void fix_udiv##bits##_mem(struct diff_state *st)                                  \
    {                                                                                        \
        int_fix_mem(st);                                                                     \
        udiv_fit(st, bits, st->gpr[RDI]);                                                    \
    }                                                                                        \
    static void fix_sdiv##bits##_mem(struct diff_state *st)                                  \
    {                                                                                        \
        int_fix_mem(st);                                                                     \
        sdiv_fit(st, bits);                                                                  \
    }
DIV_FIXUPS(8)
DIV_FIXUPS(16)
DIV_FIXUPS(32)
DIV_FIXUPS(64)

static const struct int_case muldiv_cases[] = {
    { "mul bl", "\xf6\xe3", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "mul bh", "\xf6\xe7", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "mul r9b", "\x41\xf6\xe1", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(R9) },
    { "mul al", "\xf6\xe0", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "mul ah", "\xf6\xe4", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "mul bx", "\x66\xf7\xe3", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "mul ax", "\x66\xf7\xe0", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "mul dx", "\x66\xf7\xe2", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RDX) },
    { "mul ebx", "\xf7\xe3", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "mul eax", "\xf7\xe0", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "mul edx", "\xf7\xe2", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RDX) },
    { "mul r10d", "\x41\xf7\xe2", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(R10) },
    { "mul rbx", "\x48\xf7\xe3", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "mul rax", "\x48\xf7\xe0", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "mul rdx", "\x48\xf7\xe2", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RDX) },
    { "mul r10", "\x49\xf7\xe2", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(R10) },
    { "mul byte ptr [rsi]", "\xf6\x26", 2, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RAX) | R_(RDI) },
    { "mul word ptr [rsi]", "\x66\xf7\x26", 3, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RAX) | R_(RDI) },
    { "mul dword ptr [rsi]", "\xf7\x26", 2, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RAX) | R_(RDI) },
    { "mul qword ptr [rsi]", "\x48\xf7\x26", 3, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RAX) | R_(RDI) },
    { "imul bl", "\xf6\xeb", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "imul bh", "\xf6\xef", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "imul r9b", "\x41\xf6\xe9", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(R9) },
    { "imul al", "\xf6\xe8", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "imul ah", "\xf6\xec", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "imul bx", "\x66\xf7\xeb", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "imul ax", "\x66\xf7\xe8", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "imul dx", "\x66\xf7\xea", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RDX) },
    { "imul ebx", "\xf7\xeb", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "imul eax", "\xf7\xe8", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "imul edx", "\xf7\xea", 2, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RDX) },
    { "imul r10d", "\x41\xf7\xea", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(R10) },
    { "imul rbx", "\x48\xf7\xeb", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RBX) },
    { "imul rax", "\x48\xf7\xe8", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) },
    { "imul rdx", "\x48\xf7\xea", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RDX) },
    { "imul r10", "\x49\xf7\xea", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RAX) | R_(R10) },
    { "imul byte ptr [rsi]", "\xf6\x2e", 2, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RAX) | R_(RDI) },
    { "imul word ptr [rsi]", "\x66\xf7\x2e", 3, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RAX) | R_(RDI) },
    { "imul dword ptr [rsi]", "\xf7\x2e", 2, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RAX) | R_(RDI) },
    { "imul qword ptr [rsi]", "\x48\xf7\x2e", 3, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RAX) | R_(RDI) },
    { "imul bx, cx", "\x66\x0f\xaf\xd9", 4, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul ebx, ecx", "\x0f\xaf\xd9", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul rbx, rcx", "\x48\x0f\xaf\xd9", 4, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul r10, r10", "\x4d\x0f\xaf\xd2", 4, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(R10) },
    { "imul r10d, r11d", "\x45\x0f\xaf\xd3", 4, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(R10) | R_(R11) },
    { "imul bx, cx, 0x7f", "\x66\x6b\xd9\x7f", 4, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul bx, cx, -3", "\x66\x6b\xd9\xfd", 4, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul bx, cx, 0x1234", "\x66\x69\xd9\x34\x12", 5, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul bx, cx, -0x8000", "\x66\x69\xd9\x00\x80", 5, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul ebx, ecx, -0x80", "\x6b\xd9\x80", 3, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul ebx, ecx, 0x12345678", "\x69\xd9\x78\x56\x34\x12", 6, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul ebx, ecx, 0x10000", "\x69\xd9\x00\x00\x01\x00", 6, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul rbx, rcx, 5", "\x48\x6b\xd9\x05", 4, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul rbx, rcx, -0x12345678", "\x48\x69\xd9\x88\xa9\xcb\xed", 7, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul rbx, rcx, 0x7fffffff", "\x48\x69\xd9\xff\xff\xff\x7f", 7, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "imul rbx, rbx, -1", "\x48\x6b\xdb\xff", 4, FL_SF | FL_ZF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "imul bx, word ptr [rsi]", "\x66\x0f\xaf\x1e", 4, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RBX) | R_(RDI) },
    { "imul ebx, dword ptr [rsi]", "\x0f\xaf\x1e", 3, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RBX) | R_(RDI) },
    { "imul rbx, qword ptr [rsi]", "\x48\x0f\xaf\x1e", 4, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RBX) | R_(RDI) },
    { "imul bx, word ptr [rsi], 3", "\x66\x6b\x1e\x03", 4, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RBX) | R_(RDI) },
    { "imul ebx, dword ptr [rsi], -1", "\x6b\x1e\xff", 3, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RBX) | R_(RDI) },
    { "imul rbx, qword ptr [rsi], 0x7fffffff", "\x48\x69\x1e\xff\xff\xff\x7f", 7, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RBX) | R_(RDI) },
    { "imul rbx, qword ptr [rsi+8], -0x40", "\x48\x6b\x5e\x08\xc0", 5, FL_SF | FL_ZF | FL_AF | FL_PF, int_fix_mem, R_(RBX) | R_(RDI) },
    { "div bl", "\xf6\xf3", 2, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "div bl (dividend near range)", "\xf6\xf3", 2, FL_ARITH, fix_udiv8, R_(RAX) | R_(RBX) },
    { "div byte ptr [rsi]", "\xf6\x36", 2, FL_ARITH, fix_udiv8_mem, R_(RAX) | R_(RDI) },
    { "div bx", "\x66\xf7\xf3", 3, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "div bx (dividend near range)", "\x66\xf7\xf3", 3, FL_ARITH, fix_udiv16, R_(RAX) | R_(RBX) },
    { "div word ptr [rsi]", "\x66\xf7\x36", 3, FL_ARITH, fix_udiv16_mem, R_(RAX) | R_(RDI) },
    { "div ebx", "\xf7\xf3", 2, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "div ebx (dividend near range)", "\xf7\xf3", 2, FL_ARITH, fix_udiv32, R_(RAX) | R_(RBX) },
    { "div dword ptr [rsi]", "\xf7\x36", 2, FL_ARITH, fix_udiv32_mem, R_(RAX) | R_(RDI) },
    { "div rbx", "\x48\xf7\xf3", 3, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "div rbx (dividend near range)", "\x48\xf7\xf3", 3, FL_ARITH, fix_udiv64, R_(RAX) | R_(RBX) },
    { "div qword ptr [rsi]", "\x48\xf7\x36", 3, FL_ARITH, fix_udiv64_mem, R_(RAX) | R_(RDI) },
    { "div bh", "\xf6\xf7", 2, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "div r9b", "\x41\xf6\xf1", 3, FL_ARITH, NULL, R_(RAX) | R_(R9) },
    { "div r9", "\x49\xf7\xf1", 3, FL_ARITH, NULL, R_(RAX) | R_(R9) },
    { "div ecx", "\xf7\xf1", 2, FL_ARITH, NULL, R_(RAX) | R_(RCX) },
    { "div al", "\xf6\xf0", 2, FL_ARITH, NULL, R_(RAX) },
    { "div rax", "\x48\xf7\xf0", 3, FL_ARITH, NULL, R_(RAX) | R_(RDX) },
    { "div rdx", "\x48\xf7\xf2", 3, FL_ARITH, NULL, R_(RAX) | R_(RDX) },
    { "idiv bl", "\xf6\xfb", 2, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "idiv bl (dividend near range)", "\xf6\xfb", 2, FL_ARITH, fix_sdiv8, R_(RAX) | R_(RBX) },
    { "idiv byte ptr [rsi]", "\xf6\x3e", 2, FL_ARITH, fix_sdiv8_mem, R_(RAX) | R_(RDI) },
    { "idiv bx", "\x66\xf7\xfb", 3, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "idiv bx (dividend near range)", "\x66\xf7\xfb", 3, FL_ARITH, fix_sdiv16, R_(RAX) | R_(RBX) },
    { "idiv word ptr [rsi]", "\x66\xf7\x3e", 3, FL_ARITH, fix_sdiv16_mem, R_(RAX) | R_(RDI) },
    { "idiv ebx", "\xf7\xfb", 2, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "idiv ebx (dividend near range)", "\xf7\xfb", 2, FL_ARITH, fix_sdiv32, R_(RAX) | R_(RBX) },
    { "idiv dword ptr [rsi]", "\xf7\x3e", 2, FL_ARITH, fix_sdiv32_mem, R_(RAX) | R_(RDI) },
    { "idiv rbx", "\x48\xf7\xfb", 3, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "idiv rbx (dividend near range)", "\x48\xf7\xfb", 3, FL_ARITH, fix_sdiv64, R_(RAX) | R_(RBX) },
    { "idiv qword ptr [rsi]", "\x48\xf7\x3e", 3, FL_ARITH, fix_sdiv64_mem, R_(RAX) | R_(RDI) },
    { "idiv bh", "\xf6\xff", 2, FL_ARITH, NULL, R_(RAX) | R_(RBX) },
    { "idiv r9b", "\x41\xf6\xf9", 3, FL_ARITH, NULL, R_(RAX) | R_(R9) },
    { "idiv r9", "\x49\xf7\xf9", 3, FL_ARITH, NULL, R_(RAX) | R_(R9) },
    { "idiv ecx", "\xf7\xf9", 2, FL_ARITH, NULL, R_(RAX) | R_(RCX) },
    { "idiv al", "\xf6\xf8", 2, FL_ARITH, NULL, R_(RAX) },
    { "idiv rax", "\x48\xf7\xf8", 3, FL_ARITH, NULL, R_(RAX) | R_(RDX) },
    { "idiv rdx", "\x48\xf7\xfa", 3, FL_ARITH, NULL, R_(RAX) | R_(RDX) },

};

unsigned diff_muldiv_run(void)
{
    return int_run_table(muldiv_cases, sizeof muldiv_cases / sizeof muldiv_cases[0], 200);
}
