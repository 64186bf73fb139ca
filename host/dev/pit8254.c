/*
 * pit8254.c - 8254 programmable interval timer.
 *
 * A channel that is counting remembers the tick at which it started
 * (load_tick); its value and its OUT pin at any later tick follow from the
 * number of input clocks elapsed since then, computed exactly with 128-bit
 * arithmetic (one PIT clock is 838095.3 ps, not a whole number of ticks), so
 * periodic interrupts never drift. Channel 0
 * schedules an event at the tick of each IRQ0 edge.
 *
 * Simplifications (see docs/devices.md): counting is always binary (the BCD
 * bit is stored and reported only); a count takes effect at the tick it is
 * written, not at the next input clock; gate low does not pause modes 0
 * and 4; in modes 2 and 3 IRQ0 is an edge (pulse) at the end of each period
 * rather than a square wave, so programming the PIT never raises a spurious
 * edge.
 */
#include "dev/pit8254.h"

#include "ckpt/section.h"

#include "mem/bus.h"

#define REFRESH_PERIOD_TICKS 15085000ull    /* port 0x61 bit 4 toggles every 15.085 us */

static uint64_t counts_elapsed(uint64_t from, uint64_t to)
{
    if (to <= from)
        return 0;
    return (uint64_t)((unsigned __int128)(to - from) * PIT_HZ / TICKS_PER_SECOND);
}

/* Ticks after load until n input clocks have elapsed (the first tick where counts_elapsed >= n). */
static uint64_t ticks_for_counts(uint64_t n)
{
    unsigned __int128 t = (unsigned __int128)n * TICKS_PER_SECOND;
    return (uint64_t)((t + PIT_HZ - 1) / PIT_HZ);
}

static uint64_t now_of(const struct pit8254 *pit)
{
    return eventq_now(pit->eq);
}

static bool periodic(const struct pit_channel *ch)
{
    return ch->mode == 2 || ch->mode == 3;
}

/* Modes 2 and 3: a count written while running takes effect at the end of the current period. */
static void catch_up(struct pit_channel *ch, uint64_t now)
{
    if (!ch->counting || !periodic(ch) || !ch->pending_count)
        return;
    if (counts_elapsed(ch->load_tick, now) - ch->base_clocks >= ch->count) {
        ch->base_clocks += ch->count;
        ch->count = ch->pending_count;
        ch->pending_count = 0;
    }
}

/* Input clocks since the current count started. */
static uint64_t clocks(const struct pit_channel *ch, uint64_t now)
{
    return counts_elapsed(ch->load_tick, now) - ch->base_clocks;
}

static uint16_t channel_count(struct pit_channel *ch, uint64_t now)
{
    if (!ch->counting)
        return ch->stopped_count;
    catch_up(ch, now);
    uint64_t d = clocks(ch, now);
    uint64_t v;
    switch (ch->mode) {
    case 2:
        v = ch->count - d % ch->count;
        break;
    case 3:
        v = ch->count - (2 * d) % ch->count;
        break;
    default:
        v = ch->count - d;
        break;
    }
    return (uint16_t)v;
}

static bool channel_out(struct pit_channel *ch, uint64_t now)
{
    if (!ch->counting)
        return ch->mode != 0;           /* after a control word: low in mode 0, high otherwise */
    catch_up(ch, now);
    uint64_t d = clocks(ch, now);
    switch (ch->mode) {
    case 0:
    case 1:
        return d >= ch->count;
    case 2:
        return d % ch->count != ch->count - 1;     /* low for the one clock before reload */
    case 3:
        return d % ch->count < (ch->count + 1) / 2;
    default:                                        /* 4, 5: low for one clock at terminal count */
        return d != ch->count;
    }
}

static void set_irq0(struct pit8254 *pit, bool level)
{
    if (pit->s.irq_level != level) {
        pit->s.irq_level = level;
        irq_set(&pit->irq0, level);
    }
}

/* Schedule the next IRQ0 edge of channel 0, if any. */
static void ch0_schedule(struct pit8254 *pit)
{
    struct pit_channel *ch = &pit->s.ch[0];
    uint64_t now = now_of(pit), next = TICK_NEVER;
    eventq_deschedule(pit->eq, &pit->irq0_event);
    if (ch->counting) {
        catch_up(ch, now);
        uint64_t d = clocks(ch, now);
        if (periodic(ch)) {
            uint64_t k = ch->pending_count ? 1 : d / ch->count + 1;
            next = ch->load_tick + ticks_for_counts(ch->base_clocks + k * ch->count);
        } else if (d < ch->count) {
            next = ch->load_tick + ticks_for_counts(ch->base_clocks + ch->count);
        }
    }
    pit->s.irq0_next = next;
    if (next != TICK_NEVER)
        eventq_schedule(pit->eq, &pit->irq0_event, next);
}

static void irq0_event_fn(void *arg)
{
    struct pit8254 *pit = arg;
    struct pit_channel *ch = &pit->s.ch[0];
    catch_up(ch, now_of(pit));
    if (ch->mode == 0 || ch->mode == 1) {
        set_irq0(pit, true);            /* OUT goes high at terminal count and stays */
    } else {
        set_irq0(pit, false);
        irq_pulse(&pit->irq0);          /* one edge per period / strobe */
    }
    ch0_schedule(pit);
}

static void load_count(struct pit8254 *pit, int idx, uint32_t value)
{
    struct pit_channel *ch = &pit->s.ch[idx];
    uint64_t now = now_of(pit);
    uint32_t n = value ? value : 65536;
    ch->null_count = 0;
    if (ch->counting && periodic(ch)) {
        /* Rebase to the start of the current period; the new count is used from the next one. */
        catch_up(ch, now);
        ch->base_clocks += clocks(ch, now) / ch->count * ch->count;
        ch->pending_count = n;
    } else {
        ch->count = n;
        ch->pending_count = 0;
        if (ch->mode == 1 || ch->mode == 5) {
            if (!ch->counting) {
                ch->armed = 1;          /* waits for a gate rising edge */
                ch->stopped_count = (uint16_t)n;
            }
        } else {
            ch->counting = 1;
            ch->load_tick = now;
            ch->base_clocks = 0;
        }
    }
    if (idx == 0) {
        if (ch->mode == 0)
            set_irq0(pit, false);       /* mode 0: OUT low until terminal count */
        ch0_schedule(pit);
    }
}

static void set_gate(struct pit8254 *pit, int idx, bool gate)
{
    struct pit_channel *ch = &pit->s.ch[idx];
    bool rising = gate && !ch->gate;
    ch->gate = gate;
    if (!rising)
        return;
    if ((ch->mode == 1 || ch->mode == 5) && (ch->armed || ch->counting)) {
        ch->armed = 0;
        ch->counting = 1;
        ch->load_tick = now_of(pit);
        ch->base_clocks = 0;
    } else if (periodic(ch) && ch->counting) {
        ch->load_tick = now_of(pit);    /* a rising gate restarts the period */
        ch->base_clocks = 0;
        if (ch->pending_count) {
            ch->count = ch->pending_count;
            ch->pending_count = 0;
        }
    }
    if (idx == 0)
        ch0_schedule(pit);
}

static void latch_count(struct pit8254 *pit, struct pit_channel *ch)
{
    if (!ch->count_latched) {
        ch->latched_count = channel_count(ch, now_of(pit));
        ch->count_latched = ch->rw_mode;
    }
}

static void latch_status(struct pit8254 *pit, struct pit_channel *ch)
{
    if (!ch->status_latched) {
        ch->status = (uint8_t)(channel_out(ch, now_of(pit)) << 7 | ch->null_count << 6 |
                               ch->rw_mode << 4 | ch->mode << 1 | ch->bcd);
        ch->status_latched = 1;
    }
}

static void control_word(struct pit8254 *pit, uint8_t v)
{
    unsigned sc = v >> 6;
    if (sc == 3) {                      /* read-back command */
        for (int i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            if (!(v & 0x20))
                latch_count(pit, &pit->s.ch[i]);
            if (!(v & 0x10))
                latch_status(pit, &pit->s.ch[i]);
        }
        return;
    }
    struct pit_channel *ch = &pit->s.ch[sc];
    unsigned access = (v >> 4) & 3;
    if (access == 0) {                  /* counter latch command */
        latch_count(pit, ch);
        return;
    }
    ch->stopped_count = channel_count(ch, now_of(pit));
    ch->counting = 0;
    ch->armed = 0;
    ch->pending_count = 0;
    ch->rw_mode = (uint8_t)access;
    ch->read_msb_next = 0;
    ch->write_msb_next = 0;
    ch->mode = (v >> 1) & 7;
    if (ch->mode >= 6)
        ch->mode -= 4;                  /* 6 and 7 are aliases of 2 and 3 */
    ch->bcd = v & 1;
    ch->null_count = 1;
    if (sc == 0) {
        set_irq0(pit, false);
        ch0_schedule(pit);              /* a control word stops the counter until a count is written */
    }
}

uint16_t pit_read_counter(struct pit8254 *pit, int channel)
{
    return channel_count(&pit->s.ch[channel], now_of(pit));
}

bool pit_output(struct pit8254 *pit, int channel)
{
    return channel_out(&pit->s.ch[channel], now_of(pit));
}

uint32_t pit_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct pit8254 *pit = opaque;
    (void)size;
    if (port == 0x61) {
        uint64_t now = now_of(pit);
        return (pit->s.port61 & 0x0f) | (uint32_t)((now / REFRESH_PERIOD_TICKS) & 1) << 4 |
               (uint32_t)channel_out(&pit->s.ch[2], now) << 5;
    }
    if (port == 0x43)
        return 0xff;                    /* the control word register is write-only */
    struct pit_channel *ch = &pit->s.ch[port - 0x40];
    if (ch->status_latched) {
        ch->status_latched = 0;
        return ch->status;
    }
    if (ch->count_latched) {
        uint16_t v = ch->latched_count;
        switch (ch->count_latched) {
        case 1:
            ch->count_latched = 0;
            return v & 0xff;
        case 2:
            ch->count_latched = 0;
            return v >> 8;
        default:
            ch->count_latched = 2;      /* lsb now, msb next */
            return v & 0xff;
        }
    }
    uint16_t v = channel_count(ch, now_of(pit));
    switch (ch->rw_mode) {
    case 1:
        return v & 0xff;
    case 2:
        return v >> 8;
    default:
        ch->read_msb_next ^= 1;
        return ch->read_msb_next ? (v & 0xffu) : (uint32_t)(v >> 8);
    }
}

void pit_io_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct pit8254 *pit = opaque;
    uint8_t v = (uint8_t)value;
    (void)size;
    if (port == 0x61) {
        pit->s.port61 = v & 0x0f;
        set_gate(pit, 2, v & 1);
        return;
    }
    if (port == 0x43) {
        control_word(pit, v);
        return;
    }
    int idx = port - 0x40;
    struct pit_channel *ch = &pit->s.ch[idx];
    switch (ch->rw_mode) {
    case 1:
        load_count(pit, idx, v);
        break;
    case 2:
        load_count(pit, idx, (uint32_t)v << 8);
        break;
    default:
        if (!ch->write_msb_next) {
            ch->write_lsb = v;
            ch->write_msb_next = 1;
        } else {
            ch->write_msb_next = 0;
            load_count(pit, idx, ch->write_lsb | (uint32_t)v << 8);
        }
        break;
    }
}

void pit_init(struct pit8254 *pit, struct eventq *eq, struct irq_line irq0)
{
    *pit = (struct pit8254){ .eq = eq, .irq0 = irq0 };
    event_init(&pit->irq0_event, "pit.irq0", irq0_event_fn, pit);
    pit_reset(pit);
}

void pit_reset(struct pit8254 *pit)
{
    eventq_deschedule(pit->eq, &pit->irq0_event);
    for (int i = 0; i < 3; i++)
        pit->s.ch[i] = (struct pit_channel){ .count = 65536, .rw_mode = 3, .gate = i != 2 };
    pit->s.port61 = 0;
    set_irq0(pit, false);
    pit->s.irq0_next = TICK_NEVER;
}

void pit_post_load(struct pit8254 *pit)
{
    eventq_deschedule(pit->eq, &pit->irq0_event);
    if (pit->s.irq0_next != TICK_NEVER)
        eventq_schedule(pit->eq, &pit->irq0_event, pit->s.irq0_next);
}

void pit_attach(struct pit8254 *pit, struct bus *bus)
{
    bus_add_pio(bus, "pit", 0x40, 4, pit_io_in, pit_io_out, pit);
    bus_add_pio(bus, "port61", 0x61, 1, pit_io_in, pit_io_out, pit);
}

/* ------------------------------------------------------- checkpoints -- */

#define PIT_CH(name, type, F, lo, hi) CKPT_ARRAY(name, type, struct pit8254_state, ch, F, lo, hi)
static const struct ckpt_field pit_fields[] = {
    PIT_CH("ch#.count", CKPT_U32, count, 1, 65536),
    PIT_CH("ch#.pending_count", CKPT_U32, pending_count, 0, 65536),
    PIT_CH("ch#.load_tick", CKPT_U64, load_tick, 0, CKPT_TIME_MAX),
    PIT_CH("ch#.base_clocks", CKPT_U64, base_clocks, 0, CKPT_TIME_MAX),
    PIT_CH("ch#.stopped_count", CKPT_U16, stopped_count, 0, 0xffff),
    PIT_CH("ch#.latched_count", CKPT_U16, latched_count, 0, 0xffff),
    PIT_CH("ch#.count_latched", CKPT_U8, count_latched, 0, 3),
    PIT_CH("ch#.status_latched", CKPT_U8, status_latched, 0, 1),
    PIT_CH("ch#.status", CKPT_U8, status, 0, 0xff),
    PIT_CH("ch#.rw_mode", CKPT_U8, rw_mode, 1, 3),
    PIT_CH("ch#.read_msb_next", CKPT_U8, read_msb_next, 0, 1),
    PIT_CH("ch#.write_msb_next", CKPT_U8, write_msb_next, 0, 1),
    PIT_CH("ch#.write_lsb", CKPT_U8, write_lsb, 0, 0xff),
    PIT_CH("ch#.mode", CKPT_U8, mode, 0, 5),
    PIT_CH("ch#.bcd", CKPT_U8, bcd, 0, 1),
    PIT_CH("ch#.gate", CKPT_U8, gate, 0, 1),
    PIT_CH("ch#.counting", CKPT_U8, counting, 0, 1),
    PIT_CH("ch#.armed", CKPT_U8, armed, 0, 1),
    PIT_CH("ch#.null_count", CKPT_U8, null_count, 0, 1),
    CKPT_U8F("port61", struct pit8254_state, port61, 0, 0x0f),
    CKPT_U8F("irq_level", struct pit8254_state, irq_level, 0, 1),
    CKPT_U64F("irq0_next", struct pit8254_state, irq0_next, 0, UINT64_MAX),
};

static bool pit_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    const struct pit8254_state *s = state;
    (void)r;
    if (!ckpt_deadline_ok(s->irq0_next)) {
        snprintf(why, len, "irq0_next = %llu is neither never nor a reachable tick", (unsigned long long)s->irq0_next);
        return false;
    }
    return true;
}

static const struct ckpt_layout pit_layout = CKPT_LAYOUT(pit_fields, pit_validate, sizeof(struct pit8254_state));

void pit_save(const struct pit8254 *d, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &pit_layout, &d->s);
}

bool pit_load(struct pit8254 *d, struct ckpt_reader *r, const char *section)
{
    struct pit8254_state s = d->s;   /* fields not declared keep their values */
    if (!ckpt_section_load(r, section, &pit_layout, &s))
        return false;
    d->s = s;
    pit_post_load(d);
    return true;
}
