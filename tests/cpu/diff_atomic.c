/*
 * diff_atomic.c - differential tests of exec_atomic.c: CMPXCHG (every size,
 * register and memory destinations, LOCK, accumulator as source or
 * destination), CMPXCHG8B, CMPXCHG16B (with the misaligned #GP), XADD.
 * The inputs make the comparison succeed about half of the time, including
 * values that agree only in the low bytes.
 */
#include <string.h>

#include "diff.h"
#include "diff_table.h"

/* How RAX relates to the compared value, from a spare random register. */
static uint64_t related(uint64_t v, uint64_t rnd, uint64_t rax)
{
    switch (rnd % 6) {
    case 0: return rax;                            /* random: almost surely different */
    case 1: return v ^ 0xffffffff00000000ull;      /* equal in the low 32 bits */
    case 2: return v ^ 0xffffffffffff0000ull;      /* equal in the low 16 bits */
    case 3: return v ^ 0xffffffffffffff00ull;      /* equal in the low 8 bits */
    default: return v;                             /* equal */
    }
}

/* Register forms: destination RBX, accumulator RAX. */
static void acc_rbx(struct diff_state *st)
{
    st->gpr[RAX] = related(st->gpr[RBX], st->gpr[R15], st->gpr[RAX]);
}

/* AH destination (cmpxchg ah, cl): AL must equal AH for success. */
static void acc_ah(struct diff_state *st)
{
    if (st->gpr[R15] & 1)
        st->gpr[RAX] = (st->gpr[RAX] & ~0xffull) | ((st->gpr[RAX] >> 8) & 0xff);
}

static void mem_rsi(struct diff_state *st)
{
    uint64_t off = 0x100 + (st->gpr[RSI] & 0xfff);
    st->gpr[RSI] = DIFF_DATA_VA + off;
    uint64_t v;
    memcpy(&v, st->data + off, 8);
    st->gpr[RAX] = related(v, st->gpr[R15], st->gpr[RAX]);
}

/* CMPXCHG8B/16B: [RSI] (8- or 16-aligned) equals RDX:RAX half of the time. */
static void mem_pair(struct diff_state *st, unsigned size, bool misalign)
{
    uint64_t off = 0x100 + (st->gpr[RSI] & 0xff0) + (misalign ? 8 : 0);
    st->gpr[RSI] = DIFF_DATA_VA + off;
    uint64_t rnd = st->gpr[R15];
    if (rnd & 1) {
        if (size == 8) {
            uint64_t v;
            memcpy(&v, st->data + off, 8);
            st->gpr[RAX] = (rnd & 2 ? st->gpr[RAX] & ~0xffffffffull : 0) | (uint32_t)v;
            st->gpr[RDX] = (rnd & 4 ? st->gpr[RDX] & ~0xffffffffull : 0) | (v >> 32);
        } else {
            memcpy(&st->gpr[RAX], st->data + off, 8);
            memcpy(&st->gpr[RDX], st->data + off + 8, 8);
        }
    } else if (rnd & 2) {
        /* Only the low half equal. */
        if (size == 8)
            st->gpr[RAX] = (st->gpr[RAX] & ~0xffffffffull) | *(uint32_t *)(st->data + off);
        else
            memcpy(&st->gpr[RAX], st->data + off, 8);
    }
}

static void mem8b(struct diff_state *st) { mem_pair(st, 8, false); }
static void mem16b(struct diff_state *st) { mem_pair(st, 16, false); }
static void mem16b_misaligned(struct diff_state *st) { mem_pair(st, 16, true); }

static const struct diff_test atomic_tests[] = {
    /* CMPXCHG register destinations. */
    { "cmpxchg bl, cl", "0f b0 cb", 0, 300, 0, acc_rbx },
    { "cmpxchg bx, cx", "66 0f b1 cb", 0, 300, 0, acc_rbx },
    { "cmpxchg ebx, ecx", "0f b1 cb", 0, 300, 0, acc_rbx },
    { "cmpxchg rbx, rcx", "48 0f b1 cb", 0, 300, 0, acc_rbx },
    { "cmpxchg ah, cl", "0f b0 cc", 0, 200, 0, acc_ah },
    { "cmpxchg eax, ecx (dest = acc)", "0f b1 c8", 0, 100, 0, NULL },
    { "cmpxchg ebx, eax (src = acc)", "0f b1 c3", 0, 200, 0, acc_rbx },
    { "cmpxchg rbx, rax (src = acc)", "48 0f b1 c3", 0, 200, 0, acc_rbx },
    { "cmpxchg ebx, ebx", "0f b1 db", 0, 200, 0, acc_rbx },
    { "cmpxchg r8d, r9d", "45 0f b1 c8", 0, 100, 0, NULL },
    { "cmpxchg rbx, rcx (edges)", "48 0f b1 cb", 0, 0, R_(RAX) | R_(RBX), NULL },
    { "cmpxchg ebx, ecx (edges)", "0f b1 cb", 0, 0, R_(RAX) | R_(RBX), NULL },
    /* CMPXCHG memory destinations. */
    { "cmpxchg [rsi], cl", "0f b0 0e", 0, 300, 0, mem_rsi },
    { "cmpxchg [rsi], cx", "66 0f b1 0e", 0, 300, 0, mem_rsi },
    { "cmpxchg [rsi], ecx", "0f b1 0e", 0, 300, 0, mem_rsi },
    { "cmpxchg [rsi], rcx", "48 0f b1 0e", 0, 300, 0, mem_rsi },
    { "lock cmpxchg [rsi], cl", "f0 0f b0 0e", 0, 200, 0, mem_rsi },
    { "lock cmpxchg [rsi], ecx", "f0 0f b1 0e", 0, 200, 0, mem_rsi },
    { "lock cmpxchg [rsi], rcx", "f0 48 0f b1 0e", 0, 200, 0, mem_rsi },
    { "cmpxchg [rsi], eax (src = acc)", "0f b1 06", 0, 200, 0, mem_rsi },
    /* CMPXCHG8B / CMPXCHG16B. */
    { "cmpxchg8b [rsi]", "0f c7 0e", 0, 300, 0, mem8b },
    { "lock cmpxchg8b [rsi]", "f0 0f c7 0e", 0, 300, 0, mem8b },
    { "cmpxchg16b [rsi]", "48 0f c7 0e", 0, 300, 0, mem16b },
    { "lock cmpxchg16b [rsi]", "f0 48 0f c7 0e", 0, 300, 0, mem16b },
    { "cmpxchg16b [rsi] misaligned", "48 0f c7 0e", 0, 20, 0, mem16b_misaligned },
    /* XADD. */
    { "xadd bl, cl", "0f c0 cb", 0, 100, R_(RBX) | R_(RCX), NULL },
    { "xadd bx, cx", "66 0f c1 cb", 0, 100, R_(RBX) | R_(RCX), NULL },
    { "xadd ebx, ecx", "0f c1 cb", 0, 100, R_(RBX) | R_(RCX), NULL },
    { "xadd rbx, rcx", "48 0f c1 cb", 0, 100, R_(RBX) | R_(RCX), NULL },
    { "xadd eax, eax", "0f c1 c0", 0, 100, R_(RAX), NULL },
    { "xadd rax, rax", "48 0f c1 c0", 0, 100, R_(RAX), NULL },
    { "xadd al, ah", "0f c0 e0", 0, 100, R_(RAX), NULL },
    { "xadd r10, r11", "4d 0f c1 da", 0, 100, 0, NULL },
    { "xadd [rsi], cl", "0f c0 0e", 0, 100, 0, mem_rsi },
    { "xadd [rsi], cx", "66 0f c1 0e", 0, 100, 0, mem_rsi },
    { "xadd [rsi], ecx", "0f c1 0e", 0, 100, 0, mem_rsi },
    { "xadd [rsi], rcx", "48 0f c1 0e", 0, 100, 0, mem_rsi },
    { "lock xadd [rsi], rcx", "f0 48 0f c1 0e", 0, 100, 0, mem_rsi },
    { "lock xadd [rsi], cl", "f0 0f c0 0e", 0, 100, 0, mem_rsi },
};

unsigned diff_atomic_run(void)
{
    return DIFF_TABLE_RUN(atomic_tests);
}
