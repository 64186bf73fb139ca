/*
 * test_isa_walk.c - the CPU executes exactly what CPUID advertises: walk
 * the opcode space (legacy maps with every mandatory prefix and REX.W, VEX,
 * EVEX and XOP maps) with a plain Zydis decoder, keep the first encoding of
 * every ISA set found, and check that m5sim's decoder rejects (#UD) each one
 * the model does not advertise, or gives it a different, advertised legacy
 * meaning (LZCNT -> BSR, TZCNT -> BSF, CET/MPX hints -> NOP). The sets that
 * exist only outside 64-bit mode are listed as not reached.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <Zydis/Zydis.h>

#include "cpu/decode.h"

struct sample {
    int found;
    uint8_t bytes[16];
    ZydisMnemonic mnemonic;
};

static struct sample samples[ZYDIS_ISA_SET_MAX_VALUE + 1];
static ZydisDecoder plain;

static void try_bytes(const uint8_t *b, unsigned n)
{
    uint8_t buf[16] = { 0 };
    memcpy(buf, b, n);
    ZydisDecodedInstruction zi;
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&plain, NULL, buf, sizeof buf - 1, &zi)))
        return;
    struct sample *s = &samples[zi.meta.isa_set];
    if (s->found)
        return;
    s->found = 1;
    memcpy(s->bytes, buf, sizeof buf);
    s->mnemonic = zi.mnemonic;
}

static void walk(void)
{
    static const uint8_t pfx[4] = { 0, 0x66, 0xf3, 0xf2 };
    ZydisDecoderInit(&plain, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    for (unsigned map = 0; map < 4; map++)
        for (unsigned p = 0; p < 4; p++)
            for (unsigned w = 0; w < 2; w++)
                for (unsigned op = 0; op < 256; op++)
                    for (unsigned m = 0; m < 256; m++) {
                        uint8_t b[8];
                        unsigned n = 0;
                        if (pfx[p])
                            b[n++] = pfx[p];
                        if (w)
                            b[n++] = 0x48;
                        if (map)
                            b[n++] = 0x0f;
                        if (map == 2)
                            b[n++] = 0x38;
                        if (map == 3)
                            b[n++] = 0x3a;
                        b[n++] = (uint8_t)op;
                        b[n++] = (uint8_t)m;
                        try_bytes(b, n);
                    }
    /* VEX (C4, maps 1-3) and XOP (8F, maps 8-10): W, L, pp, register and memory ModRM forms. */
    static const uint8_t modrms[] = { 0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0xc0, 0xc8, 0xd0,
                                      0xd8, 0xe0, 0xe8, 0xf0, 0xf8 };
    for (unsigned esc = 0; esc < 2; esc++)
        for (unsigned map = 1; map <= 3; map++)
            for (unsigned w = 0; w < 2; w++)
                for (unsigned l = 0; l < 2; l++)
                    for (unsigned pp = 0; pp < 4; pp++)
                        for (unsigned op = 0; op < 256; op++)
                            for (unsigned m = 0; m < sizeof modrms; m++) {
                                uint8_t b[6] = { esc ? 0x8f : 0xc4, (uint8_t)(0xe0 | (esc ? map + 7 : map)),
                                                 (uint8_t)(w << 7 | 0x78 | l << 2 | pp), (uint8_t)op,
                                                 modrms[m], 0 };
                                try_bytes(b, 6);
                            }
    /* EVEX (62, maps 1-6): W, L'L, pp. */
    for (unsigned map = 1; map <= 6; map++)
        for (unsigned w = 0; w < 2; w++)
            for (unsigned ll = 0; ll < 3; ll++)
                for (unsigned pp = 0; pp < 4; pp++)
                    for (unsigned op = 0; op < 256; op++)
                        for (unsigned m = 0; m < sizeof modrms; m++) {
                            uint8_t b[7] = { 0x62, (uint8_t)(0xf0 | map), (uint8_t)(w << 7 | 0x7c | pp),
                                             (uint8_t)(ll << 5 | 0x08), (uint8_t)op, modrms[m], 0 };
                            try_bytes(b, 7);
                        }
}

static void every_isa_set_not_advertised_is_ud_or_legacy(void **state)
{
    (void)state;
    walk();
    unsigned found = 0, advertised = 0, ud = 0, legacy = 0, bad = 0;
    for (int set = 1; set <= ZYDIS_ISA_SET_MAX_VALUE; set++) {
        struct sample *s = &samples[set];
        if (!s->found) {
            printf("  not reached in 64-bit mode: %s\n", ZydisISASetGetString((ZydisISASet)set));
            continue;
        }
        found++;
        if (decode_isa_set_advertised(set)) {
            advertised++;
            continue;
        }
        struct insn in;
        enum decode_status st = decode_insn(s->bytes, sizeof s->bytes - 1, &in);
        if (st == DECODE_INVALID) {
            ud++;
        } else if (st == DECODE_OK && in.mnemonic != s->mnemonic) {
            legacy++;
            printf("  %s: %s executes as %s\n", ZydisISASetGetString((ZydisISASet)set),
                   ZydisMnemonicGetString(s->mnemonic), ZydisMnemonicGetString((ZydisMnemonic)in.mnemonic));
        } else {
            bad++;
            printf("  RUNS although not advertised: %s (%s)\n", ZydisISASetGetString((ZydisISASet)set),
                   ZydisMnemonicGetString(s->mnemonic));
        }
    }
    printf("  %u ISA sets found: %u advertised, %u raise #UD, %u take their legacy meaning\n", found,
           advertised, ud, legacy);
    assert_int_equal(bad, 0);
    assert_true(found > 100);
    assert_true(ud > 50);
}

/* The cases the issue names, byte for byte. */
static void named_cases(void **state)
{
    (void)state;
    struct insn in;
    static const uint8_t lzcnt[] = { 0xf3, 0x0f, 0xbd, 0xd9, 0 }, tzcnt[] = { 0xf3, 0x0f, 0xbc, 0xd9, 0 };
    static const uint8_t popcnt[] = { 0xf3, 0x0f, 0xb8, 0xd9, 0 }, fisttp[] = { 0xdb, 0x0e, 0 };
    assert_int_equal(decode_insn(lzcnt, sizeof lzcnt, &in), DECODE_OK);
    assert_int_equal(in.mnemonic, ZYDIS_MNEMONIC_BSR);
    assert_int_equal(decode_insn(tzcnt, sizeof tzcnt, &in), DECODE_OK);
    assert_int_equal(in.mnemonic, ZYDIS_MNEMONIC_BSF);
    assert_int_equal(decode_insn(popcnt, sizeof popcnt, &in), DECODE_INVALID);
    assert_int_equal(decode_insn(fisttp, sizeof fisttp, &in), DECODE_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(named_cases),
        cmocka_unit_test(every_isa_set_not_advertised_is_ud_or_legacy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
