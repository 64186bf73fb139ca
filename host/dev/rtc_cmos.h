/*
 * rtc_cmos.h - the MC146818 real-time clock and CMOS RAM at ports 0x70/0x71.
 *
 * The clock shows a fixed, deterministic start date plus the simulated time
 * elapsed since tick 0 (never the host's clock), so every run of the same
 * inputs sees the same dates. Default start: 2025-01-01 00:00:00 UTC.
 * The guest may set the clock (register B SET bit, or writes to the time
 * registers); that is kept as an offset. Register A's UIP bit always reads
 * 0; register D reports valid RAM. Alarm, periodic and update interrupts
 * (IRQ8) are not modelled: register C reads 0.
 */
#ifndef M5SIM_DEV_RTC_CMOS_H
#define M5SIM_DEV_RTC_CMOS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/eventq.h"

struct bus;

#define RTC_DEFAULT_START 1735689600ll      /* 2025-01-01 00:00:00 UTC, seconds since the epoch */

/* Register indexes. */
enum {
    RTC_SECONDS = 0x00, RTC_SECONDS_ALARM = 0x01, RTC_MINUTES = 0x02, RTC_MINUTES_ALARM = 0x03,
    RTC_HOURS = 0x04, RTC_HOURS_ALARM = 0x05, RTC_DAY_OF_WEEK = 0x06, RTC_DAY_OF_MONTH = 0x07,
    RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0a, RTC_REG_B = 0x0b, RTC_REG_C = 0x0c,
    RTC_REG_D = 0x0d, RTC_CENTURY = 0x32,
};

#define RTC_B_SET  0x80
#define RTC_B_DM   0x04     /* 1 = binary, 0 = BCD */
#define RTC_B_2412 0x02     /* 1 = 24-hour */

/* A broken-down date (UTC). */
struct rtc_date {
    int year, month, mday, hour, min, sec, wday;   /* month 1..12, wday 0 = Sunday */
};

struct rtc_cmos_state {
    uint8_t index;              /* last value written to port 0x70, bit 7 (NMI mask) dropped */
    uint8_t ram[128];           /* CMOS RAM; time registers 0x00-0x09 and 0x32 are computed */
    int64_t start;              /* date shown at tick 0, seconds since the epoch */
    int64_t offset;             /* seconds the guest moved the clock by */
    struct rtc_date frozen;     /* the date being set while register B's SET bit is on */
};

struct rtc_cmos {
    struct rtc_cmos_state s;
    struct eventq *eq;          /* wiring: the simulated clock */
};

/* start: seconds since the epoch shown at tick 0 (RTC_DEFAULT_START). */
void rtc_init(struct rtc_cmos *rtc, struct eventq *eq, int64_t start);
/* Register A = 0x26, B = 0x02 (24-hour, BCD), C = 0, D = 0x80; RAM and guest offset cleared. */
void rtc_reset(struct rtc_cmos *rtc);
void rtc_attach(struct rtc_cmos *rtc, struct bus *bus);

/* Seconds since the epoch the clock shows now. */
int64_t rtc_now(const struct rtc_cmos *rtc);
/* For the machine: preset CMOS RAM bytes (index 0x0e..0x7f). */
void rtc_set_ram(struct rtc_cmos *rtc, unsigned index, uint8_t value);

void rtc_date_from_seconds(int64_t t, struct rtc_date *d);
int64_t rtc_seconds_from_date(const struct rtc_date *d);

uint32_t rtc_io_in(void *rtc, uint16_t port, unsigned size);
void rtc_io_out(void *rtc, uint16_t port, unsigned size, uint32_t value);

/*
 * Checkpoint state (ckpt/section.h): [section] with every field of the state
 * by name; a load range-checks every field before the device sees it.
 */
struct ckpt_writer;
struct ckpt_reader;
void rtc_save(const struct rtc_cmos *d, struct ckpt_writer *w, const char *section);
bool rtc_load(struct rtc_cmos *d, struct ckpt_reader *r, const char *section);

#endif
