/*
 * lapic.c - local APIC (xAPIC mode) for one CPU.
 *
 * Facts from the Intel SDM vol. 3A ch. 10 (register layout, PPR rule, LVT
 * masks, timer divider encoding) and from what Linux 6.1 (arch/x86/kernel/
 * apic/apic.c) does with them. Not modelled: x2APIC, TSC-deadline timer
 * mode (CPUID must not advertise it), SMI IPIs, LINT0/LINT1 in fixed or NMI mode,
 * the thermal and performance-counter interrupts (their LVTs are registers
 * only), arbitration priority, EOI-broadcast suppression.
 */
#include "dev/lapic.h"

#include "ckpt/section.h"
#include "dev/apic_bus.h"

#include "dev/pic8259.h"
#include "mem/bus.h"
#include "util/log.h"

/* ---------------------------------------------------------------- helpers */

static int highest_bit(const uint32_t r[8])
{
    for (int i = 7; i >= 0; i--)
        if (r[i])
            return i * 32 + 31 - __builtin_clz(r[i]);
    return -1;
}

static void set_bit256(uint32_t r[8], unsigned v) { r[v >> 5] |= 1u << (v & 31); }
static void clear_bit256(uint32_t r[8], unsigned v) { r[v >> 5] &= ~(1u << (v & 31)); }
static bool test_bit256(const uint32_t r[8], unsigned v) { return (r[v >> 5] >> (v & 31)) & 1; }

static bool sw_enabled(const struct lapic *a) { return a->s.svr & APIC_SVR_ENABLE; }
static bool active(const struct lapic *a) { return a->s.hw_enabled && sw_enabled(a); }

static uint32_t ppr(const struct lapic *a)
{
    int isrv = highest_bit(a->s.isr);
    uint32_t tpr = a->s.tpr & 0xff;
    if (isrv < 0 || (tpr >> 4) >= ((unsigned)isrv >> 4))
        return tpr;
    return (unsigned)isrv & 0xf0;
}

/* The vector the APIC would deliver now, or -1. */
static int deliverable(const struct lapic *a)
{
    int v = highest_bit(a->s.irr);
    if (v < 0 || ((unsigned)v & 0xf0) <= (ppr(a) & 0xf0))
        return -1;
    return v;
}

/* May the 8259's INT reach the CPU? Virtual wire, or the APIC is out of the way. */
static bool extint_allowed(const struct lapic *a)
{
    uint32_t lint0 = a->s.lvt[LVT_LINT0];
    return !active(a) || (!(lint0 & APIC_LVT_MASKED) && ((lint0 >> 8) & 7) == 7);
}

/* ------------------------------------------------------------------ timer */

static unsigned timer_divisor(uint32_t tdcr)
{
    unsigned v = (tdcr & 3) | ((tdcr >> 1) & 4);
    return v == 7 ? 1 : 2u << v;
}

static uint64_t timer_counts(const struct lapic *a, uint64_t from, uint64_t to)
{
    if (to <= from)
        return 0;
    unsigned __int128 den = (unsigned __int128)TICKS_PER_SECOND * timer_divisor(a->s.tdcr);
    return (uint64_t)((unsigned __int128)(to - from) * a->s.timer_hz / den);
}

/* Ticks until n timer counts have elapsed (rounded up to a whole tick). */
static uint64_t timer_ticks(const struct lapic *a, uint64_t n)
{
    unsigned __int128 num = (unsigned __int128)n * timer_divisor(a->s.tdcr) * TICKS_PER_SECOND;
    return (uint64_t)((num + a->s.timer_hz - 1) / a->s.timer_hz);
}

static uint32_t timer_current(const struct lapic *a)
{
    const struct lapic_state *s = &a->s;
    if (!s->timer_running)
        return 0;
    uint64_t d = timer_counts(a, s->timer_base_tick, eventq_now(a->eq));
    if (d < s->timer_base_count)
        return (uint32_t)(s->timer_base_count - d);
    if (((s->lvt[LVT_TIMER] >> 17) & 3) == 1 && s->tmict)
        return s->tmict - (uint32_t)((d - s->timer_base_count) % s->tmict);
    return 0;
}

static void timer_schedule(struct lapic *a)
{
    struct lapic_state *s = &a->s;
    eventq_deschedule(a->eq, &a->timer_event);
    if (!s->timer_running) {
        s->timer_next = TICK_NEVER;
        return;
    }
    s->timer_next = s->timer_base_tick + timer_ticks(a, s->timer_base_count);
    eventq_schedule(a->eq, &a->timer_event, s->timer_next);
}

static void timer_event_fn(void *arg)
{
    struct lapic *a = arg;
    struct lapic_state *s = &a->s;
    uint32_t lvt = s->lvt[LVT_TIMER];
    s->timer_fired++;
    if (!(lvt & APIC_LVT_MASKED))
        lapic_accept(a, lvt & 0xff, false);
    if (((lvt >> 17) & 3) == 1 && s->tmict) {      /* periodic: reload at the tick it reached 0 */
        s->timer_base_tick = s->timer_next;
        s->timer_base_count = s->tmict;
    } else {
        s->timer_running = 0;
    }
    timer_schedule(a);
}

static void timer_write_initial(struct lapic *a, uint32_t v)
{
    struct lapic_state *s = &a->s;
    s->tmict = v;
    s->timer_running = v != 0;
    s->timer_base_tick = eventq_now(a->eq);
    s->timer_base_count = v;
    timer_schedule(a);
}

static void timer_write_divide(struct lapic *a, uint32_t v)
{
    struct lapic_state *s = &a->s;
    if (s->timer_running) {
        uint32_t cur = timer_current(a);       /* keep counting from here at the new rate */
        s->timer_base_tick = eventq_now(a->eq);
        s->timer_base_count = cur;
        s->timer_running = cur != 0;
    }
    s->tdcr = v & 0xb;
    timer_schedule(a);
}

/* ------------------------------------------------------------- interrupts */

void lapic_accept(struct lapic *a, unsigned vector, bool level_triggered)
{
    vector &= 0xff;
    if (vector < 16) {
        a->s.esr_pending |= 1u << 6;        /* received illegal vector */
        return;
    }
    if (!active(a))
        return;                             /* a disabled APIC drops fixed interrupts */
    set_bit256(a->s.irr, vector);
    if (level_triggered)
        set_bit256(a->s.tmr, vector);
    else
        clear_bit256(a->s.tmr, vector);
}

bool lapic_match_dest(const struct lapic *a, uint8_t dest, bool logical)
{
    if (dest == 0xff)
        return true;                        /* broadcast */
    if (!logical)
        return dest == (a->s.id & 0xff);
    uint8_t ldr = a->s.ldr >> 24;
    if ((a->s.dfr >> 28) == 0xf)            /* flat model: one bit per APIC */
        return (dest & ldr) != 0;
    return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);   /* cluster model */
}

static void eoi(struct lapic *a)
{
    int v = highest_bit(a->s.isr);
    if (v < 0)
        return;
    clear_bit256(a->s.isr, (unsigned)v);
    if (test_bit256(a->s.tmr, (unsigned)v) && a->eoi_cb)
        a->eoi_cb(a->eoi_opaque, (unsigned)v);
}

/*
 * A write of the ICR's low word sends its message: over the APIC bus to the
 * other CPUs (dev/apic_bus.h), or, for an APIC on no bus (one CPU, unit
 * tests), to a bus of one.
 */
static void send_ipi(struct lapic *a)
{
    struct apic_msg msg = apic_msg_from_icr(a->s.icr_lo, a->s.icr_hi);
    if ((msg.mode == APIC_DM_FIXED || msg.mode == APIC_DM_LOWEST) && msg.vector < 16) {
        a->s.esr_pending |= 1u << 5;        /* send illegal vector */
        return;
    }
    if (a->bus) {
        apic_bus_send(a->bus, (int)a->index, &msg);
        return;
    }
    static unsigned solo_warned;   /* report each mode it cannot take once per run */
    struct apic_bus solo = { .lapic = { a }, .n = 1, .warned = solo_warned };
    apic_bus_send(&solo, 0, &msg);
    solo_warned = solo.warned;
}

bool lapic_intr_pending(void *opaque, struct cpu *cpu)
{
    struct lapic *a = opaque;
    (void)cpu;
    if (active(a) && deliverable(a) >= 0)
        return true;
    return a->pic && extint_allowed(a) && pic_intr_pending(a->pic);
}

int lapic_intr_ack(void *opaque, struct cpu *cpu)
{
    struct lapic *a = opaque;
    (void)cpu;
    if (active(a)) {
        int v = deliverable(a);
        if (v >= 0) {
            clear_bit256(a->s.irr, (unsigned)v);
            set_bit256(a->s.isr, (unsigned)v);
            return v;
        }
    }
    if (a->pic && extint_allowed(a))
        return pic_intr_ack(a->pic);        /* its spurious IRQ7 vector if nothing is pending */
    return a->s.svr & 0xff;                 /* spurious interrupt */
}

void lapic_cr8_write(void *opaque, struct cpu *cpu, uint64_t value)
{
    struct lapic *a = opaque;
    (void)cpu;
    a->s.tpr = (uint32_t)(value & 0xf) << 4;
}

uint64_t lapic_cr8_read(void *opaque, struct cpu *cpu)
{
    const struct lapic *a = opaque;
    (void)cpu;
    return (a->s.tpr >> 4) & 0xf;
}

bool lapic_hw_enabled(void *opaque, struct cpu *cpu)
{
    const struct lapic *a = opaque;
    (void)cpu;
    return a->s.hw_enabled;
}

void lapic_set_hw_enabled(void *opaque, struct cpu *cpu, bool enabled)
{
    struct lapic *a = opaque;
    (void)cpu;
    a->s.hw_enabled = enabled;
}

/* -------------------------------------------------------------- registers */

static const uint32_t lvt_writable[LVT_COUNT] = {
    [LVT_TIMER] = 0x000700ff,   /* vector, mask, timer mode */
    [LVT_THERMAL] = 0x000107ff, /* vector, delivery mode, mask */
    [LVT_PERF] = 0x000107ff,
    [LVT_LINT0] = 0x0001a7ff,   /* vector, delivery mode, polarity, trigger, mask */
    [LVT_LINT1] = 0x0001a7ff,
    [LVT_ERROR] = 0x000100ff,
};

static uint32_t reg_read(struct lapic *a, unsigned reg)
{
    const struct lapic_state *s = &a->s;
    if (reg >= 0x100 && reg < 0x180)
        return s->isr[(reg - 0x100) >> 4];
    if (reg >= 0x180 && reg < 0x200)
        return s->tmr[(reg - 0x180) >> 4];
    if (reg >= 0x200 && reg < 0x280)
        return s->irr[(reg - 0x200) >> 4];
    if (reg >= 0x320 && reg < 0x380)
        return s->lvt[(reg - 0x320) >> 4];
    switch (reg) {
    case 0x020: return s->id << 24;
    case 0x030: return LAPIC_VERSION;
    case 0x080: return s->tpr;
    case 0x0a0: return ppr(a);
    case 0x0d0: return s->ldr;
    case 0x0e0: return s->dfr | 0x0fffffff;
    case 0x0f0: return s->svr;
    case 0x280: return s->esr;
    case 0x300: return s->icr_lo;           /* delivery status (bit 12) always idle */
    case 0x310: return s->icr_hi;
    case 0x380: return s->tmict;
    case 0x390: return timer_current(a);
    case 0x3e0: return s->tdcr;
    default: return 0;                      /* APR, EOI, RRD, reserved */
    }
}

static void reg_write(struct lapic *a, unsigned reg, uint32_t v)
{
    struct lapic_state *s = &a->s;
    if (reg >= 0x320 && reg < 0x380) {
        unsigned i = (reg - 0x320) >> 4;
        v &= lvt_writable[i];
        if (!sw_enabled(a))
            v |= APIC_LVT_MASKED;           /* masks cannot be cleared while software-disabled */
        s->lvt[i] = v;
        return;
    }
    switch (reg) {
    case 0x020:
        s->id = v >> 24;
        break;
    case 0x080:
        s->tpr = v & 0xff;
        break;
    case 0x0b0:
        eoi(a);
        break;
    case 0x0d0:
        s->ldr = v & 0xff000000u;
        break;
    case 0x0e0:
        s->dfr = v | 0x0fffffff;
        break;
    case 0x0f0:
        s->svr = v & 0x3ff;
        if (!sw_enabled(a))
            for (int i = 0; i < LVT_COUNT; i++)
                s->lvt[i] |= APIC_LVT_MASKED;
        break;
    case 0x280:
        s->esr = s->esr_pending;            /* a write latches the errors since the last one */
        s->esr_pending = 0;
        break;
    case 0x300:
        s->icr_lo = v & 0x000ccfff;
        send_ipi(a);
        break;
    case 0x310:
        s->icr_hi = v & 0xff000000u;
        break;
    case 0x380:
        timer_write_initial(a, v);
        break;
    case 0x3e0:
        timer_write_divide(a, v);
        break;
    default:                                /* read-only or reserved */
        break;
    }
}

uint64_t lapic_mmio_read(void *opaque, uint64_t offset, unsigned size, struct cpu *initiator)
{
    (void)initiator;
    unsigned inner = offset & 0xf;
    if (inner >= 4)
        return 0;
    uint64_t v = reg_read(opaque, offset & 0xff0) >> (inner * 8);
    return size >= 4 ? v : v & ((1ull << (size * 8)) - 1);
}

void lapic_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value,
                      struct cpu *initiator)
{
    (void)initiator;
    if ((offset & 0xf) || size < 4)
        return;                             /* registers are written as aligned dwords */
    reg_write(opaque, offset & 0xff0, (uint32_t)value);
}

/* ------------------------------------------------------------------ setup */

void lapic_init(struct lapic *a, struct eventq *eq, uint32_t apic_id, uint64_t timer_hz)
{
    *a = (struct lapic){ .eq = eq };
    event_init(&a->timer_event, "lapic.timer", timer_event_fn, a);
    a->s.id = apic_id;
    a->s.timer_hz = timer_hz ? timer_hz : LAPIC_DEFAULT_TIMER_HZ;
    lapic_reset(a);
}

void lapic_reset(struct lapic *a)
{
    uint32_t id = a->s.id;
    uint64_t hz = a->s.timer_hz;
    eventq_deschedule(a->eq, &a->timer_event);
    a->s = (struct lapic_state){ 0 };
    a->s.id = id;
    a->s.timer_hz = hz;
    a->s.hw_enabled = 1;
    a->s.dfr = 0xffffffffu;
    a->s.svr = 0xff;
    for (int i = 0; i < LVT_COUNT; i++)
        a->s.lvt[i] = APIC_LVT_MASKED;
    a->s.timer_next = TICK_NEVER;
}

void lapic_post_load(struct lapic *a)
{
    eventq_deschedule(a->eq, &a->timer_event);
    if (a->s.timer_next != TICK_NEVER)
        eventq_schedule(a->eq, &a->timer_event, a->s.timer_next);
}

void lapic_join_bus(struct lapic *a, struct apic_bus *bus, unsigned index)
{
    a->bus = bus;
    a->index = index;
}

void lapic_connect_pic(struct lapic *a, struct pic8259 *pic)
{
    a->pic = pic;
}

void lapic_set_eoi_callback(struct lapic *a, void (*cb)(void *opaque, unsigned vector), void *opaque)
{
    a->eoi_cb = cb;
    a->eoi_opaque = opaque;
}

void lapic_attach(struct lapic *a, struct bus *bus)
{
    bus_add_mmio(bus, "lapic", LAPIC_BASE, LAPIC_SIZE, lapic_mmio_read, lapic_mmio_write, a);
}

/* ------------------------------------------------------- checkpoints -- */

#define LS struct lapic_state
static const struct ckpt_field lapic_fields[] = {
    CKPT_U32F("id", LS, id, 0, 0xff),
    CKPT_U32F("tpr", LS, tpr, 0, 0xff),
    CKPT_U32F("ldr", LS, ldr, 0, UINT32_MAX),
    CKPT_U32F("dfr", LS, dfr, 0, UINT32_MAX),
    CKPT_U32F("svr", LS, svr, 0, UINT32_MAX),
    CKPT_VECTOR("irr#", CKPT_U32, LS, irr, 0, UINT32_MAX),
    CKPT_VECTOR("isr#", CKPT_U32, LS, isr, 0, UINT32_MAX),
    CKPT_VECTOR("tmr#", CKPT_U32, LS, tmr, 0, UINT32_MAX),
    CKPT_U32F("esr", LS, esr, 0, UINT32_MAX),
    CKPT_U32F("esr_pending", LS, esr_pending, 0, UINT32_MAX),
    CKPT_U32F("icr_lo", LS, icr_lo, 0, UINT32_MAX),
    CKPT_U32F("icr_hi", LS, icr_hi, 0, UINT32_MAX),
    CKPT_VECTOR("lvt#", CKPT_U32, LS, lvt, 0, UINT32_MAX),
    CKPT_U32F("hw_enabled", LS, hw_enabled, 0, 1),
    CKPT_U64F("timer_hz", LS, timer_hz, 1000, 1000000000000ull),   /* a divisor: never 0 */
    CKPT_U32F("tmict", LS, tmict, 0, UINT32_MAX),
    CKPT_U32F("tdcr", LS, tdcr, 0, 0xb),
    CKPT_U32F("timer_running", LS, timer_running, 0, 1),
    CKPT_U32F("timer_base_count", LS, timer_base_count, 0, UINT32_MAX),
    CKPT_U64F("timer_base_tick", LS, timer_base_tick, 0, CKPT_TIME_MAX),
    CKPT_U64F("timer_next", LS, timer_next, 0, UINT64_MAX),
    CKPT_U64F("timer_fired", LS, timer_fired, 0, UINT64_MAX),
};

static bool lapic_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    const struct lapic_state *s = state;
    (void)r;
    if (s->timer_running && !s->tmict) {
        snprintf(why, len, "timer_running = 1 with tmict = 0 (the period would be zero)");
        return false;
    }
    if (!ckpt_deadline_ok(s->timer_next)) {
        snprintf(why, len, "timer_next = %llu is neither never nor a reachable tick",
                 (unsigned long long)s->timer_next);
        return false;
    }
    return true;
}
#undef LS

static const struct ckpt_layout lapic_layout = CKPT_LAYOUT(lapic_fields, lapic_validate, sizeof(struct lapic_state));

void lapic_save(const struct lapic *d, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &lapic_layout, &d->s);
}

bool lapic_load(struct lapic *d, struct ckpt_reader *r, const char *section)
{
    struct lapic_state s = d->s;   /* fields not declared keep their values */
    if (!ckpt_section_load(r, section, &lapic_layout, &s))
        return false;
    d->s = s;
    lapic_post_load(d);
    return true;
}
