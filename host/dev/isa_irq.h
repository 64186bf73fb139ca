/*
 * isa_irq.h - the PC's ISA interrupt lines, each wired to both the 8259
 * pair and the I/O APIC, as on real boards.
 *
 * ISA IRQ n goes to PIC line n and to I/O APIC pin n, except IRQ0 (the PIT)
 * which goes to pin 2 - the usual "interrupt source override" an MP table
 * or MADT must then declare (bus IRQ 0 -> pin 2). Which of the two paths
 * the guest uses is its choice (Linux: the I/O APIC only if an MP table or
 * MADT describes it, otherwise the PIC through LINT0 virtual wire).
 */
#ifndef M5SIM_DEV_ISA_IRQ_H
#define M5SIM_DEV_ISA_IRQ_H

#include <stdbool.h>

#include "dev/irq.h"

struct pic8259;
struct ioapic;

struct isa_irq {
    struct pic8259 *pic;        /* may be NULL */
    struct ioapic *ioapic;      /* may be NULL */
};

/* irq_line.set for an ISA line 0..15; controller = the struct isa_irq. */
void isa_irq_set(void *isa, unsigned line, bool level);
/* The I/O APIC pin an ISA IRQ arrives on. */
unsigned isa_irq_ioapic_pin(unsigned line);

static inline struct irq_line isa_irq_line(struct isa_irq *isa, unsigned line)
{
    return (struct irq_line){ .set = isa_irq_set, .controller = isa, .line = line };
}

#endif
