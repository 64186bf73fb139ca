/*
 * test_dram.c - the DDR3_1600_8x8 channel (host/mem/dram.c) against timings
 * worked out from gem5's parameters: tRCD = tCL = tRP = 13.75 ns, tBURST
 * 5 ns, tRAS 35 ns, tRRD 6 ns, tRFC 260 ns, tREFI 7.8 us; RoRaBaCoCh with
 * 64-byte bursts, 8 KiB rows, 8 banks, 2 ranks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mem/dram.h"

static struct dram_channel ch;

static int setup(void **s)
{
    (void)s;
    struct dram_params p = dram_ddr3_1600_8x8();
    dram_init(&ch, &p, 512u << 20);
    return 0;
}

static void decode_rorabacoch(void **s)
{
    (void)s;
    unsigned r, b;
    uint64_t row;
    dram_decode(&ch, 0x1fc0, &r, &b, &row);          /* last burst of the first row */
    assert_true(r == 0 && b == 0 && row == 0);
    dram_decode(&ch, 0x2000, &r, &b, &row);          /* next 8 KiB: bank 1 */
    assert_true(r == 0 && b == 1 && row == 0);
    dram_decode(&ch, 8 * 0x2000, &r, &b, &row);      /* after 8 banks: rank 1 */
    assert_true(r == 1 && b == 0 && row == 0);
    dram_decode(&ch, 16 * 0x2000, &r, &b, &row);     /* after 2 ranks: row 1 */
    assert_true(r == 0 && b == 0 && row == 1);
    assert_int_equal(ch.p.rows, 65536);              /* 4 GiB per rank / (8 KiB x 8 banks) */
}

static void row_miss_hit_conflict(void **s)
{
    (void)s;
    /* Precharged bank: ACT, tRCD, RD, tCL, tBURST. */
    assert_int_equal(dram_read(&ch, 0, 64, 0), 13750 + 13750 + 5000);
    /* Open row: RD, tCL, tBURST. */
    assert_int_equal(dram_read(&ch, 64, 64, 1000000) - 1000000, 13750 + 5000);
    /* Another row of the same bank: PRE, tRP, ACT, tRCD, RD, tCL, tBURST. */
    assert_int_equal(dram_read(&ch, 16 * 0x2000, 64, 2000000) - 2000000, 3 * 13750 + 5000);
    assert_int_equal(ch.st.readBursts, 3);
    assert_int_equal(ch.st.readRowHits, 1);
    assert_int_equal(ch.st.bytesReadSys, 192);
}

static void early_conflict_waits_for_tras(void **s)
{
    (void)s;
    dram_read(&ch, 0, 64, 0);                         /* ACT at 0: PRE not before tRAS = 35 ns */
    uint64_t t = 20000;
    assert_int_equal(dram_read(&ch, 16 * 0x2000, 64, t), 35000 + 13750 + 13750 + 13750 + 5000);
}

static void activations_respect_trrd_and_bus(void **s)
{
    (void)s;
    assert_int_equal(dram_read(&ch, 0, 64, 0), 32500);
    /* Bank 1 at once: ACT tRRD = 6 ns after the first; RD at 19.75 ns (after the first burst's 18.75). */
    assert_int_equal(dram_read(&ch, 0x2000, 64, 0), 6000 + 13750 + 13750 + 5000);
}

static void refresh_closes_rows_and_holds_the_rank(void **s)
{
    (void)s;
    dram_read(&ch, 0, 64, 0);
    uint64_t t = 7800000 + 1000;                    /* just after the first refresh began */
    /* Row closed by the refresh; the rank is busy until tREFI + tRFC. */
    assert_int_equal(dram_read(&ch, 64, 64, t), 7800000 + 260000 + 13750 + 13750 + 5000);
    assert_int_equal(ch.st.readRowHits, 0);
    assert_int_equal(ch.st.numRefreshes, 1);
}

static void writes_queue_then_drain(void **s)
{
    (void)s;
    for (unsigned i = 0; i < 32; i++)
        dram_write(&ch, (uint64_t)i * 64, 64, 1000 * i);
    assert_int_equal(ch.st.writeBursts, 0);          /* still queued (32 = write_low_thresh) */
    dram_write(&ch, 0, 64, 40000);                   /* merged with the queued burst */
    assert_int_equal(ch.st.mergedWrBursts, 1);
    assert_int_equal(dram_read(&ch, 64, 64, 41000), 41000);   /* served from the write queue */
    assert_int_equal(ch.st.servicedByWrQ, 1);
    dram_write(&ch, 32 * 64, 64, 50000);             /* 33 queued: drain to 15 */
    assert_int_equal(ch.st.writeBursts, 18);
    assert_int_equal(ch.wq_len, 15);
    assert_int_equal(ch.st.writeRowHits, 17);        /* one ACT, then the same row */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(decode_rorabacoch, setup),
        cmocka_unit_test_setup(row_miss_hit_conflict, setup),
        cmocka_unit_test_setup(early_conflict_waits_for_tras, setup),
        cmocka_unit_test_setup(activations_respect_trrd_and_bus, setup),
        cmocka_unit_test_setup(refresh_closes_rows_and_holds_the_rank, setup),
        cmocka_unit_test_setup(writes_queue_then_drain, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
