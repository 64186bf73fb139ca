/*
 * mptable.h - the Intel MultiProcessor Specification 1.4 tables a PC BIOS
 * leaves in memory: a floating pointer structure ("_MP_") and the MP
 * configuration table ("PCMP") describing the processors, the buses (ISA,
 * and PCI when present), the I/O APIC and how every interrupt source
 * reaches it. With them Linux routes interrupts through the I/O APIC
 * (without, it stays on the 8259 pair).
 */
#ifndef M5SIM_FIRMWARE_MPTABLE_H
#define M5SIM_FIRMWARE_MPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A PCI interrupt source: INTx (1..4) of a device slot on bus 0, arriving at an I/O APIC pin. */
struct mp_pci_irq {
    unsigned slot, pin, ioapic_pin;
};

struct mp_config {
    unsigned lapic_id, ioapic_id;      /* processor i has local APIC ID lapic_id + i; processor 0 is the BSP */
    unsigned n_cpus;                   /* processors (0: one) */
    uint32_t lapic_addr, ioapic_addr;
    unsigned ioapic_version;
    bool pci;                          /* bus 0 is PCI (the ISA bus is then bus 1) */
    const struct mp_pci_irq *pci_irqs;
    unsigned n_pci_irqs;
};

/* Build the tables into buf (at guest-physical address pa); returns the bytes used, 0 if max is too small. */
size_t mptable_build(uint8_t *buf, size_t max, uint64_t pa, const struct mp_config *cfg);

#endif
