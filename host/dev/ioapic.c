/*
 * ioapic.c - I/O APIC with 24 redirection entries, delivering to the local
 * APICs of the APIC bus (apic_bus.h) by each entry's destination, or to the
 * one local APIC it was made with.
 *
 * Delivery is instantaneous (delivery status always reads idle). Edge pins
 * deliver on a rising edge while unmasked (an edge on a masked pin is lost,
 * as on the 82093AA). Level pins deliver while asserted, unmasked and remote
 * IRR clear, set remote IRR, and are delivered again after the EOI if still
 * asserted. Polarity is stored but not applied: devices call
 * ioapic_set_irq(pin, true) to assert whatever the electrical level.
 * Not modelled: NMI, SMI, INIT and ExtINT delivery modes (reported once and
 * dropped), the EOI register of version 0x20 parts, MSI.
 */
#include "dev/ioapic.h"

#include "ckpt/section.h"

#include "dev/apic_bus.h"
#include "dev/lapic.h"
#include "mem/bus.h"
#include "util/log.h"

#define RTE_WRITABLE_LO 0x0001afffull   /* all but delivery status and remote IRR */

static void deliver(struct ioapic *io, unsigned pin)
{
    uint64_t e = io->s.redir[pin];
    unsigned mode = (e >> 8) & 7;
    bool level = e & IOAPIC_RTE_LEVEL;
    if (mode != 0 && mode != 1) {           /* only fixed and lowest priority */
        if (!(io->warned & (1u << mode))) {
            io->warned |= 1u << mode;
            warn("ioapic", "pin %u: delivery mode %u not modelled, interrupt dropped", pin, mode);
        }
        return;
    }
    struct apic_msg msg = { .vector = (uint8_t)e, .mode = (uint8_t)mode, .dest = (uint8_t)(e >> 56),
                            .logical = (e >> 11) & 1, .level_trigger = level, .assert = true };
    if (io->bus) {
        if (!apic_bus_targets(io->bus, -1, &msg))
            return;
        if (level)
            io->s.redir[pin] |= IOAPIC_RTE_REMOTE_IRR;
        apic_bus_send(io->bus, -1, &msg);
        return;
    }
    if (!io->lapic || !lapic_match_dest(io->lapic, msg.dest, msg.logical))
        return;
    if (level)
        io->s.redir[pin] |= IOAPIC_RTE_REMOTE_IRR;
    lapic_accept(io->lapic, msg.vector, level);
}

/* A level pin that is asserted, unmasked and not awaiting EOI is delivered. */
static void service_level(struct ioapic *io, unsigned pin)
{
    uint64_t e = io->s.redir[pin];
    if ((e & IOAPIC_RTE_LEVEL) && !(e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) &&
        (io->s.irr >> pin & 1))
        deliver(io, pin);
}

void ioapic_set_irq(void *opaque, unsigned pin, bool level)
{
    struct ioapic *io = opaque;
    if (pin >= IOAPIC_PINS)
        return;
    uint32_t m = 1u << pin;
    bool was = io->s.irr & m;
    io->s.irr = level ? io->s.irr | m : io->s.irr & ~m;
    uint64_t e = io->s.redir[pin];
    if (e & IOAPIC_RTE_LEVEL)
        service_level(io, pin);
    else if (level && !was && !(e & IOAPIC_RTE_MASKED))
        deliver(io, pin);
}

void ioapic_eoi(void *opaque, unsigned vector)
{
    struct ioapic *io = opaque;
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t e = io->s.redir[pin];
        if ((e & IOAPIC_RTE_LEVEL) && (e & 0xff) == vector && (e & IOAPIC_RTE_REMOTE_IRR)) {
            io->s.redir[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
            service_level(io, pin);
        }
    }
}

static uint32_t reg_read(struct ioapic *io)
{
    unsigned r = io->s.regsel & 0xff;
    switch (r) {
    case 0x00:
        return (io->s.id & 0xf) << 24;
    case 0x01:
        return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
    case 0x02:
        return (io->s.id & 0xf) << 24;      /* arbitration ID */
    default:
        if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_PINS) {
            uint64_t e = io->s.redir[(r - 0x10) >> 1];
            return r & 1 ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        return 0;
    }
}

static void reg_write(struct ioapic *io, uint32_t v)
{
    unsigned r = io->s.regsel & 0xff;
    if (r == 0x00) {
        io->s.id = (v >> 24) & 0xf;
        return;
    }
    if (r < 0x10 || r >= 0x10 + 2 * IOAPIC_PINS)
        return;                             /* version, arbitration: read-only */
    unsigned pin = (r - 0x10) >> 1;
    uint64_t e = io->s.redir[pin];
    if (r & 1) {
        e = (e & 0xffffffffull) | (uint64_t)(v & 0xff000000u) << 32;
    } else {
        e = (e & ~RTE_WRITABLE_LO) | (v & RTE_WRITABLE_LO);
        if (!(e & IOAPIC_RTE_LEVEL))
            e &= ~IOAPIC_RTE_REMOTE_IRR;    /* switching to edge clears remote IRR (Linux relies on it) */
    }
    io->s.redir[pin] = e;
    service_level(io, pin);                 /* unmasking an asserted level pin delivers it */
}

uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size, struct cpu *initiator)
{
    struct ioapic *io = opaque;
    (void)size;
    (void)initiator;
    switch (offset) {
    case 0x00:
        return io->s.regsel;
    case 0x10:
        return reg_read(io);
    default:
        return 0;
    }
}

void ioapic_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value,
                       struct cpu *initiator)
{
    struct ioapic *io = opaque;
    (void)size;
    (void)initiator;
    if (offset == 0x00)
        io->s.regsel = value & 0xff;
    else if (offset == 0x10)
        reg_write(io, (uint32_t)value);
}

void ioapic_connect_bus(struct ioapic *io, struct apic_bus *bus)
{
    io->bus = bus;
}

void ioapic_init(struct ioapic *io, struct lapic *lapic)
{
    *io = (struct ioapic){ .lapic = lapic };
    ioapic_reset(io);
}

void ioapic_reset(struct ioapic *io)
{
    uint32_t irr = io->s.irr;               /* input levels are the devices', not ours */
    io->s = (struct ioapic_state){ .irr = irr };
    for (unsigned i = 0; i < IOAPIC_PINS; i++)
        io->s.redir[i] = IOAPIC_RTE_MASKED;
}

void ioapic_attach(struct ioapic *io, struct bus *bus)
{
    bus_add_mmio(bus, "ioapic", IOAPIC_BASE, IOAPIC_SIZE, ioapic_mmio_read, ioapic_mmio_write, io);
}

/* ------------------------------------------------------- checkpoints -- */

static const struct ckpt_field ioapic_fields[] = {
    CKPT_U32F("id", struct ioapic_state, id, 0, 0xf),
    CKPT_U32F("regsel", struct ioapic_state, regsel, 0, 0xff),
    CKPT_U32F("irr", struct ioapic_state, irr, 0, (1u << IOAPIC_PINS) - 1),
    CKPT_VECTOR("redir#", CKPT_U64, struct ioapic_state, redir, 0, UINT64_MAX),
};
static const struct ckpt_layout ioapic_layout = CKPT_LAYOUT(ioapic_fields, NULL, sizeof(struct ioapic_state));

void ioapic_save(const struct ioapic *d, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &ioapic_layout, &d->s);
}

bool ioapic_load(struct ioapic *d, struct ckpt_reader *r, const char *section)
{
    struct ioapic_state s = d->s;   /* fields not declared keep their values */
    if (!ckpt_section_load(r, section, &ioapic_layout, &s))
        return false;
    d->s = s;
    return true;
}
