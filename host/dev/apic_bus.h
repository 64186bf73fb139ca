/*
 * apic_bus.h - the interrupt messages between the local APICs of several
 * CPUs and from the I/O APIC: who a message reaches and what each receiver
 * does with it.
 *
 * A message carries a delivery mode (fixed, lowest priority, NMI, INIT,
 * start-up), a vector, a destination (an 8-bit APIC ID in physical mode, a
 * logical mask in the flat or cluster model) or a shorthand (self, all
 * including self, all excluding self). The local APIC's ICR and the I/O
 * APIC's redirection entries both reduce to one; apic_bus_targets() decodes
 * the destination the way every receiving APIC would (lapic_match_dest),
 * and apic_bus_send() delivers it:
 *
 * - fixed: to every target (lapic_accept);
 * - lowest priority: to one target, chosen deterministically: the lowest
 *   task priority (TPR), ties going to the lowest CPU index (no focus
 *   processor, no arbitration IDs);
 * - NMI, INIT, start-up: the CPU's business, not the APIC's: the bus hands
 *   them to `signal` (the machine), which applies them to the target CPU
 *   before its next turn. INIT also resets the target's local APIC (keeping
 *   its ID). An INIT "level de-assert" (trigger level, level 0) does
 *   nothing, as on every processor since the Pentium 4;
 * - SMI and ExtINT: not modelled (reported once, dropped).
 *
 * CPUs run one at a time, so a message is delivered at once; the receiver
 * sees it when it next runs (machine/machine.c, "the run loop").
 */
#ifndef M5SIM_DEV_APIC_BUS_H
#define M5SIM_DEV_APIC_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct lapic;

#define APIC_BUS_MAX 16

enum apic_delivery {
    APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
    APIC_DM_INIT = 5, APIC_DM_STARTUP = 6, APIC_DM_EXTINT = 7,
};

enum apic_shorthand { APIC_SH_NONE = 0, APIC_SH_SELF = 1, APIC_SH_ALL = 2, APIC_SH_OTHERS = 3 };

struct apic_msg {
    uint8_t vector;
    uint8_t mode;          /* enum apic_delivery */
    uint8_t dest;          /* APIC ID (physical) or logical mask; 0xff: everyone */
    uint8_t shorthand;     /* enum apic_shorthand (the I/O APIC sends none) */
    bool logical;          /* destination mode */
    bool level_trigger;    /* trigger mode: level */
    bool assert;           /* level: assert (INIT with level_trigger and !assert is a de-assert) */
};

struct apic_bus {
    struct lapic *lapic[APIC_BUS_MAX];   /* CPU i's local APIC */
    unsigned n;
    /* NMI, INIT and start-up for CPU `cpu` (mode: enum apic_delivery; vector for start-up). */
    void (*signal)(void *opaque, unsigned cpu, unsigned mode, unsigned vector);
    void *signal_opaque;
    unsigned warned;                     /* delivery modes already reported as not modelled */
};

void apic_bus_init(struct apic_bus *bus, void (*signal)(void *opaque, unsigned cpu, unsigned mode, unsigned vector),
                   void *opaque);
/* CPU bus->n's local APIC joins the bus (lapic_join_bus: it sends its IPIs here). */
void apic_bus_add(struct apic_bus *bus, struct lapic *lapic);
/*
 * The CPUs `msg` reaches, one bit per CPU index, from the APIC of CPU `src`
 * (or src < 0: the I/O APIC, which uses no shorthand).
 */
uint32_t apic_bus_targets(const struct apic_bus *bus, int src, const struct apic_msg *msg);
/* Deliver `msg` from CPU `src` (< 0: the I/O APIC) to its targets. */
void apic_bus_send(struct apic_bus *bus, int src, const struct apic_msg *msg);

/* Map the local APIC page at LAPIC_BASE: each access reaches the accessing CPU's own APIC. */
struct bus;
void apic_bus_attach(struct apic_bus *abus, struct bus *bus);

/* The message an ICR value (low and high words) sends. */
struct apic_msg apic_msg_from_icr(uint32_t icr_lo, uint32_t icr_hi);

#endif
