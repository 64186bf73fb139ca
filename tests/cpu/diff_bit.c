/*
 * diff_bit.c - differential tests of BT BTS BTR BTC, BSF BSR, TZCNT LZCNT
 * POPCNT and BSWAP (host/cpu/exec_bit.c): 16/32/64-bit register and memory
 * operands, imm8 bit offsets (masked to the width), register bit offsets
 * that address memory beyond the operand in both directions, LOCK forms,
 * zero and sparse sources for the scans and counts.
 *
 * Undefined flags (SDM), not compared unless M5SIM_DIFF_STRICT=1: OF SF AF
 * PF after BTx; CF OF SF AF PF after BSF/BSR.
 *
 * The model advertises neither BMI1/ABM nor POPCNT (docs/cpu-model.md), so
 * these rows are checked against its definition, not the host's extensions:
 * F3 0F BC/BD execute as BSF/BSR with the F3 ignored (the expectation is the
 * host's run with the F3 replaced by an inert prefix), POPCNT raises #UD.
 * BSWAP of a 16-bit register (undefined result) is checked against the
 * model's definition: the register's low word is cleared (docs/cpu-model.md).
 */
#include "diff_int.h"

/* BSWAP r16 (66 [REX] 0F C8+r): the low word of the register cleared, nothing else changes. */
static bool model_bswap16(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    unsigned i = 1, reg = 0;
    if ((c->code[i] & 0xf0) == 0x40)
        reg = (c->code[i++] & 1u) << 3;
    reg |= c->code[i + 1] & 7u;
    diff_expect_exception(in, -1, expect);   /* the input state, ran to the end */
    expect->out.gpr[reg] = in->gpr[reg] & ~0xffffull;
    return true;
}

/*
 * Register bit offsets into memory: RSI points at the middle of the data
 * buffer and the offset registers are brought within +-4080 bytes of it.
 */
#define BT_MID 4096u

static int64_t bt_clamp(int64_t off)
{
    return off % (int64_t)((BT_MID - 16) * 8);
}

static void fix_bt16(struct diff_state *st)
{
    /* CX spans the whole +-4096 bytes; R9W (used with a displacement) is clamped. */
    st->gpr[RSI] = DIFF_DATA_VA + BT_MID;
    st->gpr[R9] = (st->gpr[R9] & ~0xffffull) | ((uint64_t)bt_clamp((int16_t)st->gpr[R9]) & 0xffff);
}

static void fix_bt32(struct diff_state *st)
{
    st->gpr[RSI] = DIFF_DATA_VA + BT_MID;
    st->gpr[RCX] = (st->gpr[RCX] & ~0xffffffffull) | (uint32_t)bt_clamp((int32_t)st->gpr[RCX]);
    st->gpr[R9] = (st->gpr[R9] & ~0xffffffffull) | (uint32_t)bt_clamp((int32_t)st->gpr[R9]);
}

static void fix_bt64(struct diff_state *st)
{
    st->gpr[RSI] = DIFF_DATA_VA + BT_MID;
    st->gpr[RCX] = (uint64_t)bt_clamp((int64_t)st->gpr[RCX]);
    st->gpr[R9] = (uint64_t)bt_clamp((int64_t)st->gpr[R9]);
}

/* Sources with few bits set, often none in the low 16 or 32 bits, sometimes zero. */
static void sparsify(uint64_t *v, uint64_t sel)
{
    switch (sel & 3) {
    case 0: *v = 0; break;
    case 1: *v &= ~0xffffull; break;
    case 2: *v &= ~0xffffffffull; *v &= *v >> 7; break;
    default: *v = 1ull << ((sel >> 2) & 63); break;
    }
}

static void fix_sparse(struct diff_state *st)
{
    sparsify(&st->gpr[RCX], st->gpr[R15]);
    sparsify(&st->gpr[R10], st->gpr[R15] >> 8);
    sparsify(&st->gpr[RDI], st->gpr[R15] >> 16);
    int_fix_mem(st);
}

static const struct int_case bit_cases[] = {
    { "bt bx, cx", "\x66\x0f\xa3\xcb", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "bt ebx, ecx", "\x0f\xa3\xcb", 3, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "bt rbx, rcx", "\x48\x0f\xa3\xcb", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "bt r9, r10", "\x4d\x0f\xa3\xd1", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "bt r9d, r10d", "\x45\x0f\xa3\xd1", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "bt r9w, r10w", "\x66\x45\x0f\xa3\xd1", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "bt bx, 5", "\x66\x0f\xba\xe3\x05", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bt bx, 0x15", "\x66\x0f\xba\xe3\x15", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bt ebx, 31", "\x0f\xba\xe3\x1f", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bt ebx, 0x45", "\x0f\xba\xe3\x45", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bt rbx, 63", "\x48\x0f\xba\xe3\x3f", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bt rbx, 0x7f", "\x48\x0f\xba\xe3\x7f", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bt rbx, 0xff", "\x48\x0f\xba\xe3\xff", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bt r11, 32", "\x49\x0f\xba\xe3\x20", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R11) },
    { "bt word ptr [rsi], 13", "\x66\x0f\xba\x26\x0d", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bt word ptr [rsi], 0x1f", "\x66\x0f\xba\x26\x1f", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bt dword ptr [rsi], 0x27", "\x0f\xba\x26\x27", 4, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bt qword ptr [rsi], 60", "\x48\x0f\xba\x26\x3c", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bt qword ptr [rsi+8], 0x80", "\x48\x0f\xba\x66\x08\x80", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bt dword ptr [rsi+3], 0", "\x0f\xba\x66\x03\x00", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bt word ptr [rsi], cx", "\x66\x0f\xa3\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RCX) | R_(RDI) },
    { "bt word ptr [rsi+2], r9w", "\x66\x44\x0f\xa3\x4e\x02", 6, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RDI) | R_(R9) },
    { "bt dword ptr [rsi], ecx", "\x0f\xa3\x0e", 3, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RCX) | R_(RDI) },
    { "bt dword ptr [rsi+8], r9d", "\x44\x0f\xa3\x4e\x08", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RDI) | R_(R9) },
    { "bt qword ptr [rsi], rcx", "\x48\x0f\xa3\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RCX) | R_(RDI) },
    { "bt qword ptr [rsi-8], r9", "\x4c\x0f\xa3\x4e\xf8", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RDI) | R_(R9) },
    { "bts bx, cx", "\x66\x0f\xab\xcb", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "bts ebx, ecx", "\x0f\xab\xcb", 3, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "bts rbx, rcx", "\x48\x0f\xab\xcb", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "bts r9, r10", "\x4d\x0f\xab\xd1", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "bts r9d, r10d", "\x45\x0f\xab\xd1", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "bts r9w, r10w", "\x66\x45\x0f\xab\xd1", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "bts bx, 5", "\x66\x0f\xba\xeb\x05", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bts bx, 0x15", "\x66\x0f\xba\xeb\x15", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bts ebx, 31", "\x0f\xba\xeb\x1f", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bts ebx, 0x45", "\x0f\xba\xeb\x45", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bts rbx, 63", "\x48\x0f\xba\xeb\x3f", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bts rbx, 0x7f", "\x48\x0f\xba\xeb\x7f", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bts rbx, 0xff", "\x48\x0f\xba\xeb\xff", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "bts r11, 32", "\x49\x0f\xba\xeb\x20", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R11) },
    { "bts word ptr [rsi], 13", "\x66\x0f\xba\x2e\x0d", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bts word ptr [rsi], 0x1f", "\x66\x0f\xba\x2e\x1f", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bts dword ptr [rsi], 0x27", "\x0f\xba\x2e\x27", 4, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bts qword ptr [rsi], 60", "\x48\x0f\xba\x2e\x3c", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bts qword ptr [rsi+8], 0x80", "\x48\x0f\xba\x6e\x08\x80", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bts dword ptr [rsi+3], 0", "\x0f\xba\x6e\x03\x00", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bts word ptr [rsi], cx", "\x66\x0f\xab\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RCX) | R_(RDI) },
    { "bts word ptr [rsi+2], r9w", "\x66\x44\x0f\xab\x4e\x02", 6, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RDI) | R_(R9) },
    { "bts dword ptr [rsi], ecx", "\x0f\xab\x0e", 3, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RCX) | R_(RDI) },
    { "bts dword ptr [rsi+8], r9d", "\x44\x0f\xab\x4e\x08", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RDI) | R_(R9) },
    { "bts qword ptr [rsi], rcx", "\x48\x0f\xab\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RCX) | R_(RDI) },
    { "bts qword ptr [rsi-8], r9", "\x4c\x0f\xab\x4e\xf8", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RDI) | R_(R9) },
    { "lock bts word ptr [rsi], cx", "\x66\xf0\x0f\xab\x0e", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RCX) | R_(RDI) },
    { "lock bts dword ptr [rsi], ecx", "\xf0\x0f\xab\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RCX) | R_(RDI) },
    { "lock bts qword ptr [rsi], rcx", "\xf0\x48\x0f\xab\x0e", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RCX) | R_(RDI) },
    { "lock bts word ptr [rsi], 15", "\x66\xf0\x0f\xba\x2e\x0f", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "lock bts dword ptr [rsi], 7", "\xf0\x0f\xba\x2e\x07", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "lock bts qword ptr [rsi], 63", "\xf0\x48\x0f\xba\x2e\x3f", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btr bx, cx", "\x66\x0f\xb3\xcb", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "btr ebx, ecx", "\x0f\xb3\xcb", 3, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "btr rbx, rcx", "\x48\x0f\xb3\xcb", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "btr r9, r10", "\x4d\x0f\xb3\xd1", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "btr r9d, r10d", "\x45\x0f\xb3\xd1", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "btr r9w, r10w", "\x66\x45\x0f\xb3\xd1", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "btr bx, 5", "\x66\x0f\xba\xf3\x05", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btr bx, 0x15", "\x66\x0f\xba\xf3\x15", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btr ebx, 31", "\x0f\xba\xf3\x1f", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btr ebx, 0x45", "\x0f\xba\xf3\x45", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btr rbx, 63", "\x48\x0f\xba\xf3\x3f", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btr rbx, 0x7f", "\x48\x0f\xba\xf3\x7f", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btr rbx, 0xff", "\x48\x0f\xba\xf3\xff", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btr r11, 32", "\x49\x0f\xba\xf3\x20", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R11) },
    { "btr word ptr [rsi], 13", "\x66\x0f\xba\x36\x0d", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btr word ptr [rsi], 0x1f", "\x66\x0f\xba\x36\x1f", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btr dword ptr [rsi], 0x27", "\x0f\xba\x36\x27", 4, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btr qword ptr [rsi], 60", "\x48\x0f\xba\x36\x3c", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btr qword ptr [rsi+8], 0x80", "\x48\x0f\xba\x76\x08\x80", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btr dword ptr [rsi+3], 0", "\x0f\xba\x76\x03\x00", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btr word ptr [rsi], cx", "\x66\x0f\xb3\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RCX) | R_(RDI) },
    { "btr word ptr [rsi+2], r9w", "\x66\x44\x0f\xb3\x4e\x02", 6, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RDI) | R_(R9) },
    { "btr dword ptr [rsi], ecx", "\x0f\xb3\x0e", 3, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RCX) | R_(RDI) },
    { "btr dword ptr [rsi+8], r9d", "\x44\x0f\xb3\x4e\x08", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RDI) | R_(R9) },
    { "btr qword ptr [rsi], rcx", "\x48\x0f\xb3\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RCX) | R_(RDI) },
    { "btr qword ptr [rsi-8], r9", "\x4c\x0f\xb3\x4e\xf8", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RDI) | R_(R9) },
    { "lock btr word ptr [rsi], cx", "\x66\xf0\x0f\xb3\x0e", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RCX) | R_(RDI) },
    { "lock btr dword ptr [rsi], ecx", "\xf0\x0f\xb3\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RCX) | R_(RDI) },
    { "lock btr qword ptr [rsi], rcx", "\xf0\x48\x0f\xb3\x0e", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RCX) | R_(RDI) },
    { "lock btr word ptr [rsi], 15", "\x66\xf0\x0f\xba\x36\x0f", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "lock btr dword ptr [rsi], 7", "\xf0\x0f\xba\x36\x07", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "lock btr qword ptr [rsi], 63", "\xf0\x48\x0f\xba\x36\x3f", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btc bx, cx", "\x66\x0f\xbb\xcb", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "btc ebx, ecx", "\x0f\xbb\xcb", 3, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "btc rbx, rcx", "\x48\x0f\xbb\xcb", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) | R_(RBX) },
    { "btc r9, r10", "\x4d\x0f\xbb\xd1", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "btc r9d, r10d", "\x45\x0f\xbb\xd1", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "btc r9w, r10w", "\x66\x45\x0f\xbb\xd1", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R9) | R_(R10) },
    { "btc bx, 5", "\x66\x0f\xba\xfb\x05", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btc bx, 0x15", "\x66\x0f\xba\xfb\x15", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btc ebx, 31", "\x0f\xba\xfb\x1f", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btc ebx, 0x45", "\x0f\xba\xfb\x45", 4, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btc rbx, 63", "\x48\x0f\xba\xfb\x3f", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btc rbx, 0x7f", "\x48\x0f\xba\xfb\x7f", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btc rbx, 0xff", "\x48\x0f\xba\xfb\xff", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RBX) },
    { "btc r11, 32", "\x49\x0f\xba\xfb\x20", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R11) },
    { "btc word ptr [rsi], 13", "\x66\x0f\xba\x3e\x0d", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btc word ptr [rsi], 0x1f", "\x66\x0f\xba\x3e\x1f", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btc dword ptr [rsi], 0x27", "\x0f\xba\x3e\x27", 4, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btc qword ptr [rsi], 60", "\x48\x0f\xba\x3e\x3c", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btc qword ptr [rsi+8], 0x80", "\x48\x0f\xba\x7e\x08\x80", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btc dword ptr [rsi+3], 0", "\x0f\xba\x7e\x03\x00", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "btc word ptr [rsi], cx", "\x66\x0f\xbb\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RCX) | R_(RDI) },
    { "btc word ptr [rsi+2], r9w", "\x66\x44\x0f\xbb\x4e\x02", 6, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RDI) | R_(R9) },
    { "btc dword ptr [rsi], ecx", "\x0f\xbb\x0e", 3, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RCX) | R_(RDI) },
    { "btc dword ptr [rsi+8], r9d", "\x44\x0f\xbb\x4e\x08", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RDI) | R_(R9) },
    { "btc qword ptr [rsi], rcx", "\x48\x0f\xbb\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RCX) | R_(RDI) },
    { "btc qword ptr [rsi-8], r9", "\x4c\x0f\xbb\x4e\xf8", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RDI) | R_(R9) },
    { "lock btc word ptr [rsi], cx", "\x66\xf0\x0f\xbb\x0e", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt16, R_(RCX) | R_(RDI) },
    { "lock btc dword ptr [rsi], ecx", "\xf0\x0f\xbb\x0e", 4, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt32, R_(RCX) | R_(RDI) },
    { "lock btc qword ptr [rsi], rcx", "\xf0\x48\x0f\xbb\x0e", 5, FL_OF | FL_SF | FL_AF | FL_PF, fix_bt64, R_(RCX) | R_(RDI) },
    { "lock btc word ptr [rsi], 15", "\x66\xf0\x0f\xba\x3e\x0f", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "lock btc dword ptr [rsi], 7", "\xf0\x0f\xba\x3e\x07", 5, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "lock btc qword ptr [rsi], 63", "\xf0\x48\x0f\xba\x3e\x3f", 6, FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "add eax, ebx; bt ecx, edx", "\x01\xd8\x0f\xa3\xd1", 5, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RCX) | R_(RDX) | R_(RBX) },
    { "sub eax, ebx; bts ecx, 3", "\x29\xd8\x0f\xba\xe9\x03", 6, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RCX) | R_(RBX) },
    { "inc eax; btc rcx, rdx", "\xff\xc0\x48\x0f\xbb\xd1", 6, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RCX) | R_(RDX) },
    { "cmp al, bl; btr dx, cx", "\x38\xd8\x66\x0f\xb3\xca", 6, FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RAX) | R_(RCX) | R_(RDX) | R_(RBX) },
    { "bsf bx, cx", "\x66\x0f\xbc\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) },
    { "bsf bx, cx (sparse source)", "\x66\x0f\xbc\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX) },
    { "bsf ebx, ecx", "\x0f\xbc\xd9", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) },
    { "bsf ebx, ecx (sparse source)", "\x0f\xbc\xd9", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX) },
    { "bsf rbx, rcx", "\x48\x0f\xbc\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) },
    { "bsf rbx, rcx (sparse source)", "\x48\x0f\xbc\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX) },
    { "bsf r9, r10", "\x4d\x0f\xbc\xca", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10) },
    { "bsf r9, r10 (sparse source)", "\x4d\x0f\xbc\xca", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10) },
    { "bsf r9d, r10d", "\x45\x0f\xbc\xca", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10) },
    { "bsf r9d, r10d (sparse source)", "\x45\x0f\xbc\xca", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10) },
    { "bsf r9w, r10w", "\x66\x45\x0f\xbc\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10) },
    { "bsf r9w, r10w (sparse source)", "\x66\x45\x0f\xbc\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10) },
    { "bsf bx, word ptr [rsi]", "\x66\x0f\xbc\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bsf bx, word ptr [rsi] (sparse source)", "\x66\x0f\xbc\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI) },
    { "bsf ebx, dword ptr [rsi]", "\x0f\xbc\x1e", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bsf ebx, dword ptr [rsi] (sparse source)", "\x0f\xbc\x1e", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI) },
    { "bsf rbx, qword ptr [rsi]", "\x48\x0f\xbc\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bsf rbx, qword ptr [rsi] (sparse source)", "\x48\x0f\xbc\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI) },
    { "bsf ecx, ecx (sparse source)", "\x0f\xbc\xc9", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX) },
    { "bsr bx, cx", "\x66\x0f\xbd\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) },
    { "bsr bx, cx (sparse source)", "\x66\x0f\xbd\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX) },
    { "bsr ebx, ecx", "\x0f\xbd\xd9", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) },
    { "bsr ebx, ecx (sparse source)", "\x0f\xbd\xd9", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX) },
    { "bsr rbx, rcx", "\x48\x0f\xbd\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX) },
    { "bsr rbx, rcx (sparse source)", "\x48\x0f\xbd\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX) },
    { "bsr r9, r10", "\x4d\x0f\xbd\xca", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10) },
    { "bsr r9, r10 (sparse source)", "\x4d\x0f\xbd\xca", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10) },
    { "bsr r9d, r10d", "\x45\x0f\xbd\xca", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10) },
    { "bsr r9d, r10d (sparse source)", "\x45\x0f\xbd\xca", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10) },
    { "bsr r9w, r10w", "\x66\x45\x0f\xbd\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10) },
    { "bsr r9w, r10w (sparse source)", "\x66\x45\x0f\xbd\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10) },
    { "bsr bx, word ptr [rsi]", "\x66\x0f\xbd\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bsr bx, word ptr [rsi] (sparse source)", "\x66\x0f\xbd\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI) },
    { "bsr ebx, dword ptr [rsi]", "\x0f\xbd\x1e", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bsr ebx, dword ptr [rsi] (sparse source)", "\x0f\xbd\x1e", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI) },
    { "bsr rbx, qword ptr [rsi]", "\x48\x0f\xbd\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI) },
    { "bsr rbx, qword ptr [rsi] (sparse source)", "\x48\x0f\xbd\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI) },
    { "bsr ecx, ecx (sparse source)", "\x0f\xbd\xc9", 3, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX) },
    { "tzcnt bx, cx", "\x66\xf3\x0f\xbc\xd9", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX), diff_model_no_f3 },
    { "tzcnt bx, cx (sparse source)", "\x66\xf3\x0f\xbc\xd9", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX), diff_model_no_f3 },
    { "tzcnt ebx, ecx", "\xf3\x0f\xbc\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX), diff_model_no_f3 },
    { "tzcnt ebx, ecx (sparse source)", "\xf3\x0f\xbc\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX), diff_model_no_f3 },
    { "tzcnt rbx, rcx", "\xf3\x48\x0f\xbc\xd9", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX), diff_model_no_f3 },
    { "tzcnt rbx, rcx (sparse source)", "\xf3\x48\x0f\xbc\xd9", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX), diff_model_no_f3 },
    { "tzcnt r9, r10", "\xf3\x4d\x0f\xbc\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10), diff_model_no_f3 },
    { "tzcnt r9, r10 (sparse source)", "\xf3\x4d\x0f\xbc\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10), diff_model_no_f3 },
    { "tzcnt r9d, r10d", "\xf3\x45\x0f\xbc\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10), diff_model_no_f3 },
    { "tzcnt r9d, r10d (sparse source)", "\xf3\x45\x0f\xbc\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10), diff_model_no_f3 },
    { "tzcnt r9w, r10w", "\x66\xf3\x45\x0f\xbc\xca", 6, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10), diff_model_no_f3 },
    { "tzcnt r9w, r10w (sparse source)", "\x66\xf3\x45\x0f\xbc\xca", 6, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10), diff_model_no_f3 },
    { "tzcnt bx, word ptr [rsi]", "\x66\xf3\x0f\xbc\x1e", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI), diff_model_no_f3 },
    { "tzcnt bx, word ptr [rsi] (sparse source)", "\x66\xf3\x0f\xbc\x1e", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI), diff_model_no_f3 },
    { "tzcnt ebx, dword ptr [rsi]", "\xf3\x0f\xbc\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI), diff_model_no_f3 },
    { "tzcnt ebx, dword ptr [rsi] (sparse source)", "\xf3\x0f\xbc\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI), diff_model_no_f3 },
    { "tzcnt rbx, qword ptr [rsi]", "\xf3\x48\x0f\xbc\x1e", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI), diff_model_no_f3 },
    { "tzcnt rbx, qword ptr [rsi] (sparse source)", "\xf3\x48\x0f\xbc\x1e", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI), diff_model_no_f3 },
    { "tzcnt ecx, ecx (sparse source)", "\xf3\x0f\xbc\xc9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX), diff_model_no_f3 },
    { "lzcnt bx, cx", "\x66\xf3\x0f\xbd\xd9", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX), diff_model_no_f3 },
    { "lzcnt bx, cx (sparse source)", "\x66\xf3\x0f\xbd\xd9", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX), diff_model_no_f3 },
    { "lzcnt ebx, ecx", "\xf3\x0f\xbd\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX), diff_model_no_f3 },
    { "lzcnt ebx, ecx (sparse source)", "\xf3\x0f\xbd\xd9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX), diff_model_no_f3 },
    { "lzcnt rbx, rcx", "\xf3\x48\x0f\xbd\xd9", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(RCX), diff_model_no_f3 },
    { "lzcnt rbx, rcx (sparse source)", "\xf3\x48\x0f\xbd\xd9", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX), diff_model_no_f3 },
    { "lzcnt r9, r10", "\xf3\x4d\x0f\xbd\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10), diff_model_no_f3 },
    { "lzcnt r9, r10 (sparse source)", "\xf3\x4d\x0f\xbd\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10), diff_model_no_f3 },
    { "lzcnt r9d, r10d", "\xf3\x45\x0f\xbd\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10), diff_model_no_f3 },
    { "lzcnt r9d, r10d (sparse source)", "\xf3\x45\x0f\xbd\xca", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10), diff_model_no_f3 },
    { "lzcnt r9w, r10w", "\x66\xf3\x45\x0f\xbd\xca", 6, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, NULL, R_(R10), diff_model_no_f3 },
    { "lzcnt r9w, r10w (sparse source)", "\x66\xf3\x45\x0f\xbd\xca", 6, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(R10), diff_model_no_f3 },
    { "lzcnt bx, word ptr [rsi]", "\x66\xf3\x0f\xbd\x1e", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI), diff_model_no_f3 },
    { "lzcnt bx, word ptr [rsi] (sparse source)", "\x66\xf3\x0f\xbd\x1e", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI), diff_model_no_f3 },
    { "lzcnt ebx, dword ptr [rsi]", "\xf3\x0f\xbd\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI), diff_model_no_f3 },
    { "lzcnt ebx, dword ptr [rsi] (sparse source)", "\xf3\x0f\xbd\x1e", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI), diff_model_no_f3 },
    { "lzcnt rbx, qword ptr [rsi]", "\xf3\x48\x0f\xbd\x1e", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, int_fix_mem, R_(RDI), diff_model_no_f3 },
    { "lzcnt rbx, qword ptr [rsi] (sparse source)", "\xf3\x48\x0f\xbd\x1e", 5, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RDI), diff_model_no_f3 },
    { "lzcnt ecx, ecx (sparse source)", "\xf3\x0f\xbd\xc9", 4, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF, fix_sparse, R_(RCX), diff_model_no_f3 },
    { "popcnt bx, cx", "\x66\xf3\x0f\xb8\xd9", 5, 0, NULL, R_(RCX), diff_model_ud },
    { "popcnt bx, cx (sparse source)", "\x66\xf3\x0f\xb8\xd9", 5, 0, fix_sparse, R_(RCX), diff_model_ud },
    { "popcnt ebx, ecx", "\xf3\x0f\xb8\xd9", 4, 0, NULL, R_(RCX), diff_model_ud },
    { "popcnt ebx, ecx (sparse source)", "\xf3\x0f\xb8\xd9", 4, 0, fix_sparse, R_(RCX), diff_model_ud },
    { "popcnt rbx, rcx", "\xf3\x48\x0f\xb8\xd9", 5, 0, NULL, R_(RCX), diff_model_ud },
    { "popcnt rbx, rcx (sparse source)", "\xf3\x48\x0f\xb8\xd9", 5, 0, fix_sparse, R_(RCX), diff_model_ud },
    { "popcnt r9, r10", "\xf3\x4d\x0f\xb8\xca", 5, 0, NULL, R_(R10), diff_model_ud },
    { "popcnt r9, r10 (sparse source)", "\xf3\x4d\x0f\xb8\xca", 5, 0, fix_sparse, R_(R10), diff_model_ud },
    { "popcnt r9d, r10d", "\xf3\x45\x0f\xb8\xca", 5, 0, NULL, R_(R10), diff_model_ud },
    { "popcnt r9d, r10d (sparse source)", "\xf3\x45\x0f\xb8\xca", 5, 0, fix_sparse, R_(R10), diff_model_ud },
    { "popcnt r9w, r10w", "\x66\xf3\x45\x0f\xb8\xca", 6, 0, NULL, R_(R10), diff_model_ud },
    { "popcnt r9w, r10w (sparse source)", "\x66\xf3\x45\x0f\xb8\xca", 6, 0, fix_sparse, R_(R10), diff_model_ud },
    { "popcnt bx, word ptr [rsi]", "\x66\xf3\x0f\xb8\x1e", 5, 0, int_fix_mem, R_(RDI), diff_model_ud },
    { "popcnt bx, word ptr [rsi] (sparse source)", "\x66\xf3\x0f\xb8\x1e", 5, 0, fix_sparse, R_(RDI), diff_model_ud },
    { "popcnt ebx, dword ptr [rsi]", "\xf3\x0f\xb8\x1e", 4, 0, int_fix_mem, R_(RDI), diff_model_ud },
    { "popcnt ebx, dword ptr [rsi] (sparse source)", "\xf3\x0f\xb8\x1e", 4, 0, fix_sparse, R_(RDI), diff_model_ud },
    { "popcnt rbx, qword ptr [rsi]", "\xf3\x48\x0f\xb8\x1e", 5, 0, int_fix_mem, R_(RDI), diff_model_ud },
    { "popcnt rbx, qword ptr [rsi] (sparse source)", "\xf3\x48\x0f\xb8\x1e", 5, 0, fix_sparse, R_(RDI), diff_model_ud },
    { "popcnt ecx, ecx (sparse source)", "\xf3\x0f\xb8\xc9", 4, 0, fix_sparse, R_(RCX), diff_model_ud },
    { "bswap eax", "\x0f\xc8", 2, 0, NULL, R_(RAX) },
    { "bswap ebx", "\x0f\xcb", 2, 0, NULL, R_(RBX) },
    { "bswap r9d", "\x41\x0f\xc9", 3, 0, NULL, R_(R9) },
    { "bswap rax", "\x48\x0f\xc8", 3, 0, NULL, R_(RAX) },
    { "bswap rbx", "\x48\x0f\xcb", 3, 0, NULL, R_(RBX) },
    { "bswap r10", "\x49\x0f\xca", 3, 0, NULL, R_(R10) },
    { "bswap r15", "\x49\x0f\xcf", 3, 0, NULL, R_(R15) },
    { "bswap ax (undefined result)", "\x66\x0f\xc8", 3, 0, NULL, R_(RAX), model_bswap16 },
    { "bswap r9w (undefined result)", "\x66\x41\x0f\xc9", 4, 0, NULL, R_(R9), model_bswap16 },
    { "lock bt dword ptr [rsi], ecx (#UD)", "\xf0\x0f\xa3\x0e", 4, 0, int_fix_mem, R_(RCX) },
    { "lock bts ebx, ecx (#UD)", "\xf0\x0f\xab\xcb", 4, 0, int_fix_mem, R_(RCX) },

};

unsigned diff_bit_run(void)
{
    return int_run_table(bit_cases, sizeof bit_cases / sizeof bit_cases[0], 200);
}
