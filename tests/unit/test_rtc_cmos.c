/* test_rtc_cmos.c - the MC146818 RTC: dates from simulated time, BCD/binary, 12/24 h, setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "dev/rtc_cmos.h"
#include "mem/bus.h"

struct fixture {
    struct bus bus;
    struct eventq eq;
    struct rtc_cmos rtc;
};

static struct fixture F;

static uint8_t cmos_read(uint8_t idx)
{
    bus_pio_out(&F.bus, 0x70, 1, idx);
    return (uint8_t)bus_pio_in(&F.bus, 0x71, 1);
}

static void cmos_write(uint8_t idx, uint8_t v)
{
    bus_pio_out(&F.bus, 0x70, 1, idx);
    bus_pio_out(&F.bus, 0x71, 1, v);
}

static int setup(void **state)
{
    (void)state;
    F = (struct fixture){ 0 };
    bus_init(&F.bus);
    eventq_init(&F.eq);
    rtc_init(&F.rtc, &F.eq, RTC_DEFAULT_START);
    rtc_attach(&F.rtc, &F.bus);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eventq_free(&F.eq);
    return 0;
}

static void advance_seconds(uint64_t s, uint64_t ps)
{
    eventq_run_until(&F.eq, F.eq.now + s * TICKS_PER_SECOND + ps);
}

static void test_start_date_bcd(void **state)
{
    (void)state;
    assert_int_equal(cmos_read(RTC_SECONDS), 0x00);
    assert_int_equal(cmos_read(RTC_MINUTES), 0x00);
    assert_int_equal(cmos_read(RTC_HOURS), 0x00);
    assert_int_equal(cmos_read(RTC_DAY_OF_MONTH), 0x01);
    assert_int_equal(cmos_read(RTC_MONTH), 0x01);
    assert_int_equal(cmos_read(RTC_YEAR), 0x25);
    assert_int_equal(cmos_read(RTC_CENTURY), 0x20);
    assert_int_equal(cmos_read(RTC_DAY_OF_WEEK), 4);    /* Wednesday (1 = Sunday) */
    assert_int_equal(cmos_read(RTC_REG_A), 0x26);       /* UIP clear */
    assert_int_equal(cmos_read(RTC_REG_B), 0x02);       /* 24 h, BCD */
    assert_int_equal(cmos_read(RTC_REG_C), 0x00);
    assert_int_equal(cmos_read(RTC_REG_D), 0x80);       /* valid RAM and time */
}

static void test_simulated_time_moves_the_clock(void **state)
{
    (void)state;
    advance_seconds(59, TICKS_PER_SECOND - 1);
    assert_int_equal(cmos_read(RTC_SECONDS), 0x59);     /* not a second early */
    advance_seconds(0, 1);
    assert_int_equal(cmos_read(RTC_SECONDS), 0x00);
    assert_int_equal(cmos_read(RTC_MINUTES), 0x01);
    /* 2025-03-01 23:45:07 is 59 days, 23:44:07 after 00:01:00 on Jan 1. */
    advance_seconds(59 * 86400ull + 23 * 3600 + 44 * 60 + 7, 0);
    assert_int_equal(cmos_read(RTC_SECONDS), 0x07);
    assert_int_equal(cmos_read(RTC_MINUTES), 0x45);
    assert_int_equal(cmos_read(RTC_HOURS), 0x23);
    assert_int_equal(cmos_read(RTC_DAY_OF_MONTH), 0x01);
    assert_int_equal(cmos_read(RTC_MONTH), 0x03);
    assert_int_equal(cmos_read(RTC_DAY_OF_WEEK), 7);    /* Saturday */
    assert_int_equal(rtc_now(&F.rtc), RTC_DEFAULT_START + 60 + 59 * 86400 + 23 * 3600 + 44 * 60 + 7);
}

static void test_binary_and_12_hour(void **state)
{
    (void)state;
    advance_seconds(13 * 3600 + 5 * 60 + 42, 0);        /* 13:05:42 */
    cmos_write(RTC_REG_B, RTC_B_DM | RTC_B_2412);
    assert_int_equal(cmos_read(RTC_HOURS), 13);
    assert_int_equal(cmos_read(RTC_MINUTES), 5);
    assert_int_equal(cmos_read(RTC_SECONDS), 42);
    assert_int_equal(cmos_read(RTC_YEAR), 25);
    assert_int_equal(cmos_read(RTC_CENTURY), 20);
    cmos_write(RTC_REG_B, RTC_B_DM);                    /* 12-hour, binary */
    assert_int_equal(cmos_read(RTC_HOURS), 0x80 | 1);   /* 1 PM */
    cmos_write(RTC_REG_B, 0);                           /* 12-hour, BCD */
    assert_int_equal(cmos_read(RTC_HOURS), 0x80 | 0x01);
    eventq_run_until(&F.eq, 0);                         /* (time does not go back) */
    advance_seconds(11 * 3600, 0);                      /* 00:05:42 next day: 12 AM */
    assert_int_equal(cmos_read(RTC_HOURS), 0x12);
}

/* drivers/rtc/rtc-mc146818-lib.c mc146818_get_time(): the sequence Linux reads at boot. */
static void test_linux_get_time(void **state)
{
    (void)state;
    advance_seconds(3 * 86400 + 7, 0);
    uint8_t sec = cmos_read(RTC_SECONDS);
    assert_false(cmos_read(RTC_REG_A) & 0x80);
    assert_int_equal(cmos_read(RTC_SECONDS), sec);
    uint8_t min = cmos_read(RTC_MINUTES), hour = cmos_read(RTC_HOURS);
    uint8_t mday = cmos_read(RTC_DAY_OF_MONTH), mon = cmos_read(RTC_MONTH), year = cmos_read(RTC_YEAR);
    uint8_t ctrl = cmos_read(RTC_REG_B);
    assert_false(cmos_read(RTC_REG_A) & 0x80);
    assert_int_equal(cmos_read(RTC_SECONDS), sec);
    assert_false(ctrl & RTC_B_DM);                      /* BCD: the driver converts */
    assert_int_equal(sec, 0x07);
    assert_int_equal(min, 0);
    assert_int_equal(hour, 0);
    assert_int_equal(mday, 0x04);
    assert_int_equal(mon, 0x01);
    assert_int_equal(year, 0x25);
}

/* mc146818_set_time(): SET on, write the fields, SET off. */
static void test_guest_sets_the_clock(void **state)
{
    (void)state;
    advance_seconds(100, 0);
    cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) | RTC_B_SET);
    cmos_write(RTC_YEAR, 0x28);
    cmos_write(RTC_MONTH, 0x02);
    cmos_write(RTC_DAY_OF_MONTH, 0x29);                 /* valid only together with the year */
    cmos_write(RTC_HOURS, 0x12);
    cmos_write(RTC_MINUTES, 0x34);
    cmos_write(RTC_SECONDS, 0x56);
    advance_seconds(5, 0);
    assert_int_equal(cmos_read(RTC_SECONDS), 0x56);     /* frozen while SET */
    cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) & ~RTC_B_SET);
    struct rtc_date d = { 2028, 2, 29, 12, 34, 56, 0 };
    int64_t set = rtc_seconds_from_date(&d);
    assert_int_equal(rtc_now(&F.rtc), set);
    advance_seconds(4, 0);
    assert_int_equal(cmos_read(RTC_SECONDS), 0x00);
    assert_int_equal(cmos_read(RTC_MINUTES), 0x35);
    assert_int_equal(cmos_read(RTC_DAY_OF_WEEK), 3);    /* 2028-02-29 is a Tuesday */
    /* Writing one field with SET clear takes effect at once. */
    cmos_write(RTC_HOURS, 0x08);
    assert_int_equal(cmos_read(RTC_HOURS), 0x08);
    assert_int_equal(cmos_read(RTC_MINUTES), 0x35);
}

static void test_cmos_ram(void **state)
{
    (void)state;
    cmos_write(0x40, 0xab);
    assert_int_equal(cmos_read(0x40), 0xab);
    assert_int_equal(cmos_read(0x80 | 0x40), 0xab);     /* NMI-disable bit ignored */
    rtc_set_ram(&F.rtc, 0x7f, 0x11);
    assert_int_equal(cmos_read(0x7f), 0x11);
    cmos_write(RTC_REG_D, 0);
    assert_int_equal(cmos_read(RTC_REG_D), 0x80);       /* read-only */
    cmos_write(RTC_REG_A, 0xa6);
    assert_int_equal(cmos_read(RTC_REG_A), 0x26);       /* UIP is read-only */
    assert_int_equal(bus_pio_in(&F.bus, 0x70, 1), 0xff);
}

/* The date arithmetic against the C library's, over 300 years in uneven steps. */
static void test_date_conversion_matches_libc(void **state)
{
    (void)state;
    for (int64_t t = -2208988800ll; t < 7258118400ll; t += 86400 * 13 + 3607) {
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        struct rtc_date d;
        rtc_date_from_seconds(t, &d);
        assert_int_equal(d.year, tm.tm_year + 1900);
        assert_int_equal(d.month, tm.tm_mon + 1);
        assert_int_equal(d.mday, tm.tm_mday);
        assert_int_equal(d.hour, tm.tm_hour);
        assert_int_equal(d.min, tm.tm_min);
        assert_int_equal(d.sec, tm.tm_sec);
        assert_int_equal(d.wday, tm.tm_wday);
        assert_int_equal(rtc_seconds_from_date(&d), t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_date_bcd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_simulated_time_moves_the_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_and_12_hour, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linux_get_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_sets_the_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmos_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_date_conversion_matches_libc, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
