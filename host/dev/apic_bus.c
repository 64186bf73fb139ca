/*
 * apic_bus.c - interrupt messages between APICs (see apic_bus.h).
 *
 * Facts from the Intel SDM vol. 3A, 10.6 (ICR fields, shorthands, INIT
 * level de-assert) and 10.6.2 (physical and logical destinations).
 */
#include "dev/apic_bus.h"

#include "cpu/cpu.h"
#include "dev/lapic.h"
#include "mem/bus.h"
#include "util/log.h"

void apic_bus_init(struct apic_bus *bus, void (*signal)(void *opaque, unsigned cpu, unsigned mode, unsigned vector),
                   void *opaque)
{
    *bus = (struct apic_bus){ .signal = signal, .signal_opaque = opaque };
}

void apic_bus_add(struct apic_bus *bus, struct lapic *lapic)
{
    if (bus->n == APIC_BUS_MAX)
        fatal("apic", "more than %d local APICs", APIC_BUS_MAX);
    lapic_join_bus(lapic, bus, bus->n);
    bus->lapic[bus->n++] = lapic;
}

struct apic_msg apic_msg_from_icr(uint32_t lo, uint32_t hi)
{
    return (struct apic_msg){
        .vector = (uint8_t)lo,
        .mode = (uint8_t)((lo >> 8) & 7),
        .logical = (lo >> 11) & 1,
        .assert = (lo >> 14) & 1,
        .level_trigger = (lo >> 15) & 1,
        .shorthand = (uint8_t)((lo >> 18) & 3),
        .dest = (uint8_t)(hi >> 24),
    };
}

uint32_t apic_bus_targets(const struct apic_bus *bus, int src, const struct apic_msg *msg)
{
    uint32_t all = bus->n >= 32 ? ~0u : (1u << bus->n) - 1;
    uint32_t self = src >= 0 ? 1u << src : 0;
    switch (src >= 0 ? msg->shorthand : APIC_SH_NONE) {
    case APIC_SH_SELF:
        return self;
    case APIC_SH_ALL:
        return all;
    case APIC_SH_OTHERS:
        return all & ~self;
    default:
        break;
    }
    uint32_t t = 0;
    for (unsigned i = 0; i < bus->n; i++)
        if (lapic_match_dest(bus->lapic[i], msg->dest, msg->logical))
            t |= 1u << i;
    return t;
}

/* Lowest priority: the target with the lowest task priority, the lowest index among equals. */
static int lowest_priority(const struct apic_bus *bus, uint32_t targets)
{
    int best = -1;
    for (unsigned i = 0; i < bus->n; i++) {
        if (!(targets >> i & 1))
            continue;
        if (best < 0 || (bus->lapic[i]->s.tpr & 0xf0) < (bus->lapic[best]->s.tpr & 0xf0))
            best = (int)i;
    }
    return best;
}

void apic_bus_send(struct apic_bus *bus, int src, const struct apic_msg *msg)
{
    uint32_t targets = apic_bus_targets(bus, src, msg);
    switch (msg->mode) {
    case APIC_DM_LOWEST: {
        int i = lowest_priority(bus, targets);
        targets = i < 0 ? 0 : 1u << i;
    }
        __attribute__((fallthrough));
    case APIC_DM_FIXED:
        for (unsigned i = 0; i < bus->n; i++)
            if (targets >> i & 1)
                lapic_accept(bus->lapic[i], msg->vector, msg->level_trigger && src < 0);
        return;
    case APIC_DM_INIT:
        if (msg->level_trigger && !msg->assert)
            return;   /* INIT level de-assert: no effect */
        __attribute__((fallthrough));
    case APIC_DM_NMI:
    case APIC_DM_STARTUP:
        for (unsigned i = 0; i < bus->n; i++) {
            if (!(targets >> i & 1))
                continue;
            if (msg->mode == APIC_DM_INIT)
                lapic_reset(bus->lapic[i]);
            if (bus->signal)
                bus->signal(bus->signal_opaque, i, msg->mode, msg->vector);
            else if (!(bus->warned & (1u << msg->mode))) {
                bus->warned |= 1u << msg->mode;
                warn("apic", "delivery mode %u to a CPU that cannot take it (no machine), ignored", msg->mode);
            }
        }
        return;
    default:
        if (!(bus->warned & (1u << msg->mode))) {
            bus->warned |= 1u << msg->mode;
            warn("apic", "delivery mode %u not modelled, interrupt dropped", msg->mode);
        }
        return;
    }
}

/* 0xFEE00000 is every CPU's own local APIC: the one of the CPU that accesses it (CPU 0 for the host). */
static struct lapic *accessor_lapic(struct apic_bus *bus, const struct cpu *initiator)
{
    unsigned i = initiator && initiator->id > 0 ? (unsigned)initiator->id : 0;
    return bus->lapic[i < bus->n ? i : 0];
}

static uint64_t bus_lapic_read(void *opaque, uint64_t offset, unsigned size, struct cpu *initiator)
{
    return lapic_mmio_read(accessor_lapic(opaque, initiator), offset, size, initiator);
}

static void bus_lapic_write(void *opaque, uint64_t offset, unsigned size, uint64_t value, struct cpu *initiator)
{
    lapic_mmio_write(accessor_lapic(opaque, initiator), offset, size, value, initiator);
}

void apic_bus_attach(struct apic_bus *abus, struct bus *bus)
{
    bus_add_mmio(bus, "lapic", LAPIC_BASE, LAPIC_SIZE, bus_lapic_read, bus_lapic_write, abus);
}
