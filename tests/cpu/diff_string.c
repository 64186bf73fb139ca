/*
 * diff_string.c - differential tests of exec_string.c: MOVS STOS LODS CMPS
 * SCAS in every size, without and with REP/REPE/REPNE, both DF values
 * (random in the input flags), 64- and 32-bit address sizes (with random
 * upper halves in RSI/RDI/RCX), overlapping copies, page-crossing runs of
 * thousands of elements, and runs that fault part-way at the edge of the
 * data buffer (the stores before the fault must match).
 *
 * REP with a 67 prefix is vendor-dependent: the model (Intel, see
 * docs/cpu-model.md) writes back ECX and the pointers the instruction uses
 * zero-extended, like any 32-bit register write; with ECX = 0 it still
 * writes ECX, and MOVS/STOS their pointers, but LODS/CMPS/SCAS leave their
 * pointers alone. AMD keeps the upper halves. model_rep_a32() defines those
 * registers; the rest is the host's.
 */
#include <string.h>

#include "diff.h"
#include "diff_table.h"

enum str_mode {
    M_PLAIN,     /* RSI/RDI in the middle of the buffer, count 0..127 */
    M_EQ_CMPS,   /* [RDI] run equal to [RSI] run for a random number of elements */
    M_EQ_SCAS,   /* [RDI] run equal to the accumulator */
    M_NE_SCAS,   /* the accumulator appears at a random element of [RDI] */
    M_OVERLAP,   /* RDI within 24 bytes of RSI */
    M_BIG_UP,    /* DF=0, long runs crossing the page boundary */
    M_BIG_DOWN,  /* DF=1, long runs crossing the page boundary downwards */
    M_FAULT_UP,  /* DF=0, runs off the end of the buffer */
    M_FAULT_DOWN /* DF=1, runs off the start of the buffer */
};

static void str_fix(struct diff_state *st, unsigned size, enum str_mode mode, bool a32)
{
    uint64_t *g = st->gpr;
    uint64_t rnd = g[R15];               /* an extra random source */
    uint64_t si = 0x800 + (g[RSI] & 0x7ff), di = 0x800 + (g[RDI] & 0x7ff);
    uint64_t count = g[RCX] & 0x7f;

    switch (mode) {
    case M_OVERLAP:
        di = si + (rnd % 49) - 24;
        break;
    case M_BIG_UP:
        st->rflags &= ~(uint64_t)FL_DF;
        si = g[RSI] & 0xfff;
        di = g[RDI] & 0xfff;
        count = (g[RCX] & 0xfff) / size;
        if (rnd & 1)
            di = si + (rnd >> 1) % 64 - 32 + (si < 32 ? 32 : 0);
        if (count > (0x2000 - (si > di ? si : di)) / size)
            count = (0x2000 - (si > di ? si : di)) / size;
        break;
    case M_BIG_DOWN:
        st->rflags |= FL_DF;
        si = 0x1ff8 - (g[RSI] & 0xfff);
        di = 0x1ff8 - (g[RDI] & 0xfff);
        count = (g[RCX] & 0xfff) / size;
        break;
    case M_FAULT_UP:
        st->rflags &= ~(uint64_t)FL_DF;
        si = 0x1000 + (g[RSI] & 0xfff);
        di = 0x1000 + (g[RDI] & 0xfff);
        count = (0x2000 - (si > di ? si : di)) / size + 1 + (rnd & 0x1f);
        break;
    case M_FAULT_DOWN:
        st->rflags |= FL_DF;
        si = g[RSI] & 0xff8;
        di = g[RDI] & 0xff8;
        count = (si < di ? si : di) / size + 2 + (rnd & 0x1f);
        break;
    default:
        break;
    }

    int64_t step = (st->rflags & FL_DF) ? -(int64_t)size : (int64_t)size;
    unsigned run = (unsigned)((rnd >> 8) % (count + 2));
    for (unsigned i = 0; i < run; i++) {
        uint64_t ds = di + (uint64_t)(step * i), ss = si + (uint64_t)(step * i);
        if (ds > DIFF_DATA_SIZE - size || ss > DIFF_DATA_SIZE - size)
            break;
        if (mode == M_EQ_CMPS)
            memmove(st->data + ds, st->data + ss, size);
        else if (mode == M_EQ_SCAS)
            memcpy(st->data + ds, &g[RAX], size);
    }
    if (mode == M_NE_SCAS) {
        uint64_t ds = di + (uint64_t)(step * run);
        if (ds <= DIFF_DATA_SIZE - size)
            memcpy(st->data + ds, &g[RAX], size);
    }

    g[RSI] = DIFF_DATA_VA + si;
    g[RDI] = DIFF_DATA_VA + di;
    g[RCX] = count;
    if (a32) {
        g[RSI] |= g[R12] << 32;
        g[RDI] |= g[R13] << 32;
        g[RCX] |= g[R14] << 32;
    }
}

/* One fixup function per (size, mode, address size). */
#define FIX(size, mode)                                                                         \
    static void fix_##mode##_##size(struct diff_state *st) { str_fix(st, size, mode, false); }  \
    static void fix_##mode##_##size##_a32(struct diff_state *st) { str_fix(st, size, mode, true); }
#define FIX_SIZES(mode) FIX(1, mode) FIX(2, mode) FIX(4, mode) FIX(8, mode)
FIX_SIZES(M_PLAIN)
FIX_SIZES(M_EQ_CMPS)
FIX_SIZES(M_EQ_SCAS)
FIX_SIZES(M_NE_SCAS)
FIX_SIZES(M_OVERLAP)
FIX_SIZES(M_BIG_UP)
FIX_SIZES(M_BIG_DOWN)
FIX_SIZES(M_FAULT_UP)
FIX_SIZES(M_FAULT_DOWN)
#undef FIX_SIZES
#undef FIX

/* 67 [66] F3/F2 [REX.W] op: the registers the instruction uses get their upper halves cleared. */
static bool model_rep_a32(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    if (expect->vector >= 0)
        return false;
    uint8_t op = c->code[c->len - 1] & 0xfe;
    bool pointers = (uint32_t)in->gpr[RCX] != 0 || op == 0xa4 || op == 0xaa;
    bool uses_si = pointers && (op == 0xa4 || op == 0xa6 || op == 0xac);
    bool uses_di = pointers && op != 0xac;
    expect->out.gpr[RCX] &= 0xffffffffull;
    if (uses_si)
        expect->out.gpr[RSI] &= 0xffffffffull;
    if (uses_di)
        expect->out.gpr[RDI] &= 0xffffffffull;
    return true;
}

typedef void (*fixup_fn)(struct diff_state *);
#define FIX_ROW(mode) { { fix_##mode##_1, fix_##mode##_2, fix_##mode##_4, fix_##mode##_8 }, \
                        { fix_##mode##_1_a32, fix_##mode##_2_a32, fix_##mode##_4_a32, fix_##mode##_8_a32 } }
static const fixup_fn fixups[][2][4] = {
    FIX_ROW(M_PLAIN), FIX_ROW(M_EQ_CMPS), FIX_ROW(M_EQ_SCAS), FIX_ROW(M_NE_SCAS), FIX_ROW(M_OVERLAP),
    FIX_ROW(M_BIG_UP), FIX_ROW(M_BIG_DOWN), FIX_ROW(M_FAULT_UP), FIX_ROW(M_FAULT_DOWN),
};
#undef FIX_ROW

static unsigned run_one(const char *op, unsigned byte_opcode, unsigned size, const char *rep,
                        bool a32, enum str_mode mode, unsigned n)
{
    static const char *sfx[9] = { 0, "b", "w", 0, "d", 0, 0, 0, "q" };
    static const char *mode_names[] = { "", " (runs equal)", " (runs equal)", " (match later)",
                                        " (overlap)", " (long, up)", " (long, down)",
                                        " (faults at end)", " (faults at start)" };
    unsigned si = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    char name[96], hex[64];
    snprintf(name, sizeof name, "%s%s%s%s%s", *rep ? (rep[1] == '3' ? "rep " : "repne ") : "",
             a32 ? "addr32 " : "", op, sfx[size], mode_names[mode]);
    snprintf(hex, sizeof hex, "%s%s%s%s%02x", a32 ? "67 " : "", size == 2 ? "66 " : "", rep,
             size == 8 ? "48 " : "", byte_opcode + (size > 1));
    struct diff_test t = { name, hex, 0, n, 0, fixups[mode][a32][si], a32 && *rep ? model_rep_a32 : NULL };
    return diff_table_run(&t, 1);
}

unsigned diff_string_run(void)
{
    static const struct { const char *name; unsigned opcode; bool compare; } ops[] = {
        { "movs", 0xa4, false }, { "stos", 0xaa, false }, { "lods", 0xac, false },
        { "cmps", 0xa6, true }, { "scas", 0xae, true },
    };
    static const unsigned sizes[4] = { 1, 2, 4, 8 };
    unsigned failures = 0;

    for (unsigned o = 0; o < 5; o++)
        for (unsigned s = 0; s < 4; s++)
            for (unsigned a32 = 0; a32 < 2; a32++) {
                const char *op = ops[o].name;
                unsigned opc = ops[o].opcode, size = sizes[s];
                failures += run_one(op, opc, size, "", a32, M_PLAIN, 100);
                failures += run_one(op, opc, size, "f3 ", a32, M_PLAIN, 100);
                failures += run_one(op, opc, size, "f2 ", a32, M_PLAIN, 50);
                if (!strcmp(op, "cmps")) {
                    failures += run_one(op, opc, size, "f3 ", a32, M_EQ_CMPS, 200);
                    failures += run_one(op, opc, size, "f2 ", a32, M_EQ_CMPS, 50);
                } else if (!strcmp(op, "scas")) {
                    failures += run_one(op, opc, size, "f3 ", a32, M_EQ_SCAS, 200);
                    failures += run_one(op, opc, size, "f2 ", a32, M_NE_SCAS, 200);
                } else if (!a32) {
                    failures += run_one(op, opc, size, "f3 ", a32, M_BIG_UP, 50);
                    failures += run_one(op, opc, size, "f3 ", a32, M_BIG_DOWN, 30);
                    if (strcmp(op, "lods")) {
                        failures += run_one(op, opc, size, "f3 ", a32, M_FAULT_UP, 30);
                        failures += run_one(op, opc, size, "f3 ", a32, M_FAULT_DOWN, 30);
                    }
                }
                if (!strcmp(op, "movs"))
                    failures += run_one(op, opc, size, "f3 ", a32, M_OVERLAP, 200);
            }
    return failures;
}
