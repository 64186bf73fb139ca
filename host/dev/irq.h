/*
 * irq.h - an interrupt request line from a device to an interrupt controller.
 * Devices only ever raise and lower lines; they never call a CPU model.
 */
#ifndef M5SIM_DEV_IRQ_H
#define M5SIM_DEV_IRQ_H

#include <stdbool.h>

struct irq_line {
    void (*set)(void *controller, unsigned line, bool level);
    void *controller;
    unsigned line;
};

static inline void irq_set(const struct irq_line *irq, bool level)
{
    if (irq->set)
        irq->set(irq->controller, irq->line, level);
}

/* An edge: raise then lower (for edge-triggered ISA interrupts). */
static inline void irq_pulse(const struct irq_line *irq)
{
    irq_set(irq, true);
    irq_set(irq, false);
}

#endif
