/*
 * rtc_cmos.c - MC146818 RTC: date registers computed from simulated time.
 *
 * Register values are encoded per register B: BCD or binary (DM, bit 2),
 * 24-hour or 12-hour with bit 7 = PM (bit 1). The century byte at 0x32 is
 * where PC BIOSes (and the ACPI FADT's default) keep it.
 */
#include "dev/rtc_cmos.h"

#include "ckpt/section.h"

#include <stdbool.h>

#include "mem/bus.h"

/* ---------------------------------------------------------- date arithmetic */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void rtc_date_from_seconds(int64_t t, struct rtc_date *d)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    d->hour = (int)(secs / 3600);
    d->min = (int)(secs / 60 % 60);
    d->sec = (int)(secs % 60);
    d->wday = (int)(((days + 4) % 7 + 7) % 7);     /* 1970-01-01 was a Thursday */

    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    d->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    d->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d->year = (int)(yoe + era * 400 + (d->month <= 2));
}

int64_t rtc_seconds_from_date(const struct rtc_date *d)
{
    return days_from_civil(d->year, d->month, d->mday) * 86400 + d->hour * 3600 + d->min * 60 + d->sec;
}

/* ---------------------------------------------------------------- registers */

int64_t rtc_now(const struct rtc_cmos *rtc)
{
    return rtc->s.start + rtc->s.offset + (int64_t)(eventq_now(rtc->eq) / TICKS_PER_SECOND);
}

static bool binary(const struct rtc_cmos *rtc)
{
    return rtc->s.ram[RTC_REG_B] & RTC_B_DM;
}

static uint8_t encode(const struct rtc_cmos *rtc, int v)
{
    return binary(rtc) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static int decode(const struct rtc_cmos *rtc, uint8_t v)
{
    return binary(rtc) ? v : (v >> 4) * 10 + (v & 0xf);
}

static void current_date(const struct rtc_cmos *rtc, struct rtc_date *d)
{
    if (rtc->s.ram[RTC_REG_B] & RTC_B_SET)
        *d = rtc->s.frozen;
    else
        rtc_date_from_seconds(rtc_now(rtc), d);
}

/* Make the clock show date d now. */
static void commit_date(struct rtc_cmos *rtc, const struct rtc_date *d)
{
    int64_t elapsed = (int64_t)(eventq_now(rtc->eq) / TICKS_PER_SECOND);
    rtc->s.offset = rtc_seconds_from_date(d) - rtc->s.start - elapsed;
}

static uint8_t read_reg(struct rtc_cmos *rtc, unsigned idx)
{
    struct rtc_date d;
    switch (idx) {
    case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH: case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
        current_date(rtc, &d);
        break;
    default:
        break;
    }
    switch (idx) {
    case RTC_SECONDS: return encode(rtc, d.sec);
    case RTC_MINUTES: return encode(rtc, d.min);
    case RTC_HOURS:
        if (rtc->s.ram[RTC_REG_B] & RTC_B_2412)
            return encode(rtc, d.hour);
        return encode(rtc, d.hour % 12 ? d.hour % 12 : 12) | (d.hour >= 12 ? 0x80 : 0);
    case RTC_DAY_OF_WEEK: return encode(rtc, d.wday + 1);      /* 1 = Sunday */
    case RTC_DAY_OF_MONTH: return encode(rtc, d.mday);
    case RTC_MONTH: return encode(rtc, d.month);
    case RTC_YEAR: return encode(rtc, d.year % 100);
    case RTC_CENTURY: return encode(rtc, d.year / 100);
    case RTC_REG_A: return rtc->s.ram[RTC_REG_A] & 0x7f;      /* UIP never set */
    case RTC_REG_C: {
        uint8_t v = rtc->s.ram[RTC_REG_C];
        rtc->s.ram[RTC_REG_C] = 0;                              /* read clears */
        return v;
    }
    case RTC_REG_D: return 0x80;                                /* VRT: RAM and time valid */
    default: return rtc->s.ram[idx];
    }
}

static void write_reg(struct rtc_cmos *rtc, unsigned idx, uint8_t v)
{
    struct rtc_date d;
    switch (idx) {
    case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_DAY_OF_MONTH:
    case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
        current_date(rtc, &d);
        switch (idx) {
        case RTC_SECONDS: d.sec = decode(rtc, v & 0x7f); break;
        case RTC_MINUTES: d.min = decode(rtc, v & 0x7f); break;
        case RTC_HOURS:
            if (rtc->s.ram[RTC_REG_B] & RTC_B_2412)
                d.hour = decode(rtc, v & 0x3f);
            else
                d.hour = decode(rtc, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
            break;
        case RTC_DAY_OF_MONTH: d.mday = decode(rtc, v); break;
        case RTC_MONTH: d.month = decode(rtc, v); break;
        case RTC_YEAR: d.year = d.year / 100 * 100 + decode(rtc, v); break;
        default: d.year = decode(rtc, v) * 100 + d.year % 100; break;
        }
        if (rtc->s.ram[RTC_REG_B] & RTC_B_SET)
            rtc->s.frozen = d;
        else
            commit_date(rtc, &d);
        break;
    case RTC_DAY_OF_WEEK:
        break;                                  /* computed from the date */
    case RTC_REG_A:
        rtc->s.ram[RTC_REG_A] = v & 0x7f;
        break;
    case RTC_REG_B: {
        uint8_t old = rtc->s.ram[RTC_REG_B];
        if (!(old & RTC_B_SET) && (v & RTC_B_SET))
            rtc_date_from_seconds(rtc_now(rtc), &rtc->s.frozen);
        rtc->s.ram[RTC_REG_B] = v;
        if ((old & RTC_B_SET) && !(v & RTC_B_SET))
            commit_date(rtc, &rtc->s.frozen);
        break;
    }
    case RTC_REG_C:
    case RTC_REG_D:
        break;                                  /* read-only */
    default:
        rtc->s.ram[idx] = v;
        break;
    }
}

uint32_t rtc_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct rtc_cmos *rtc = opaque;
    (void)size;
    if (port == 0x70)
        return 0xff;                            /* the index register is write-only */
    return read_reg(rtc, rtc->s.index);
}

void rtc_io_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct rtc_cmos *rtc = opaque;
    (void)size;
    if (port == 0x70)
        rtc->s.index = value & 0x7f;            /* bit 7 masks NMI: ignored */
    else
        write_reg(rtc, rtc->s.index, (uint8_t)value);
}

void rtc_set_ram(struct rtc_cmos *rtc, unsigned index, uint8_t value)
{
    if (index >= 0x0e && index < 128 && index != RTC_CENTURY)
        rtc->s.ram[index] = value;
}

void rtc_init(struct rtc_cmos *rtc, struct eventq *eq, int64_t start)
{
    *rtc = (struct rtc_cmos){ .eq = eq };
    rtc->s.start = start;
    rtc_reset(rtc);
}

void rtc_reset(struct rtc_cmos *rtc)
{
    int64_t start = rtc->s.start;
    rtc->s = (struct rtc_cmos_state){ .start = start };
    rtc->s.ram[RTC_REG_A] = 0x26;               /* 32.768 kHz time base, 1024 Hz rate */
    rtc->s.ram[RTC_REG_B] = RTC_B_2412;         /* 24-hour, BCD, no interrupts */
    rtc->s.ram[RTC_REG_D] = 0x80;
}

void rtc_attach(struct rtc_cmos *rtc, struct bus *bus)
{
    bus_add_pio(bus, "rtc", 0x70, 2, rtc_io_in, rtc_io_out, rtc);
}

/* ------------------------------------------------------- checkpoints -- */

#define RS struct rtc_cmos_state
#define RTC_SECONDS_MAX (INT64_C(1) << 40)   /* dates far beyond any guest's, far from overflow */
static const struct ckpt_field rtc_fields[] = {
    CKPT_U8F("index", RS, index, 0, 0x7f),   /* indexes ram[128] */
    CKPT_BYTESF("ram", RS, ram),
    CKPT_I64F("start", RS, start, -RTC_SECONDS_MAX, RTC_SECONDS_MAX),
    CKPT_I64F("offset", RS, offset, -RTC_SECONDS_MAX, RTC_SECONDS_MAX),
    CKPT_I32F("frozen.year", RS, frozen.year, 0, 9999),
    CKPT_I32F("frozen.month", RS, frozen.month, 0, 12),
    CKPT_I32F("frozen.mday", RS, frozen.mday, 0, 31),
    CKPT_I32F("frozen.hour", RS, frozen.hour, 0, 23),
    CKPT_I32F("frozen.min", RS, frozen.min, 0, 59),
    CKPT_I32F("frozen.sec", RS, frozen.sec, 0, 59),
    CKPT_I32F("frozen.wday", RS, frozen.wday, 0, 6),
};
#undef RS

static bool rtc_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    const struct rtc_cmos_state *s = state;
    (void)r;
    if ((s->ram[RTC_REG_B] & RTC_B_SET) && (s->frozen.month < 1 || s->frozen.mday < 1)) {
        snprintf(why, len, "register B has SET on but the date being set (frozen.*) is not a date");
        return false;
    }
    return true;
}

static const struct ckpt_layout rtc_layout = CKPT_LAYOUT(rtc_fields, rtc_validate, sizeof(struct rtc_cmos_state));

void rtc_save(const struct rtc_cmos *d, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &rtc_layout, &d->s);
}

bool rtc_load(struct rtc_cmos *d, struct ckpt_reader *r, const char *section)
{
    struct rtc_cmos_state s = d->s;   /* fields not declared keep their values */
    if (!ckpt_section_load(r, section, &rtc_layout, &s))
        return false;
    d->s = s;
    return true;
}
