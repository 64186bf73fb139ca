/*
 * ioapic.h - the I/O APIC (82093AA-style, version 0x11, 24 pins) at 0xFEC00000.
 *
 * IOREGSEL at offset 0x00, IOWIN at 0x10. Pins are driven like any
 * interrupt controller input (ioapic_set_irq is an irq_line.set); fixed and
 * lowest-priority redirections are delivered over the APIC bus to the CPUs
 * their destination names (or, without a bus, to the one local APIC). Level-triggered pins keep remote IRR until the local APIC
 * broadcasts the EOI of their vector (ioapic_eoi, installed with
 * lapic_set_eoi_callback).
 */
#ifndef M5SIM_DEV_IOAPIC_H
#define M5SIM_DEV_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct cpu;
struct apic_bus;
struct lapic;

#define IOAPIC_BASE    0xfec00000ull
#define IOAPIC_SIZE    0x1000u
#define IOAPIC_PINS    24
#define IOAPIC_VERSION 0x11u

/* Redirection table entry bits. */
#define IOAPIC_RTE_DELIVERY_STATUS (1ull << 12)
#define IOAPIC_RTE_POLARITY_LOW    (1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR      (1ull << 14)
#define IOAPIC_RTE_LEVEL           (1ull << 15)
#define IOAPIC_RTE_MASKED          (1ull << 16)

struct ioapic_state {
    uint32_t id;                    /* bits 27:24 of the ID register */
    uint32_t regsel;                /* IOREGSEL */
    uint32_t irr;                   /* asserted input pins */
    uint64_t redir[IOAPIC_PINS];
};

struct ioapic {
    struct ioapic_state s;
    /* Wiring, not state. */
    struct lapic *lapic;            /* the one local APIC behind it, if no bus */
    struct apic_bus *bus;           /* the local APICs of every CPU (dev/apic_bus.h), or NULL */
    unsigned warned;                /* unsupported delivery modes already reported */
};

void ioapic_init(struct ioapic *io, struct lapic *lapic);
/* All pins masked, edge, vector 0; ID 0 (the MP table / MADT must say the same). */
void ioapic_reset(struct ioapic *io);
void ioapic_attach(struct ioapic *io, struct bus *bus);
/* Deliver over `bus` (every CPU's local APIC) instead of to the one local APIC. */
void ioapic_connect_bus(struct ioapic *io, struct apic_bus *bus);

/* Pin (0..23) asserted or deasserted; signature of irq_line.set. */
void ioapic_set_irq(void *io, unsigned pin, bool level);
/* The local APIC's EOI of a level-triggered vector; signature for lapic_set_eoi_callback. */
void ioapic_eoi(void *io, unsigned vector);

uint64_t ioapic_mmio_read(void *io, uint64_t offset, unsigned size, struct cpu *initiator);
void ioapic_mmio_write(void *io, uint64_t offset, unsigned size, uint64_t value,
                       struct cpu *initiator);

/*
 * Checkpoint state (ckpt/section.h): [section] with every field of the state
 * by name; a load range-checks every field before the device sees it.
 */
struct ckpt_writer;
struct ckpt_reader;
void ioapic_save(const struct ioapic *d, struct ckpt_writer *w, const char *section);
bool ioapic_load(struct ioapic *d, struct ckpt_reader *r, const char *section);

#endif
