/*
 * acpi.h - the ACPI tables a PC BIOS leaves in memory, the least Linux needs
 * to configure this machine from ACPI without complaint: the RSDP (found by
 * the kernel's scan of 0xE0000-0xFFFFF), RSDT and XSDT, a FADT (ACPI 3.0;
 * PM1 event and control blocks of the small power-management device
 * dev/acpi_pm.h, SCI on IRQ 9, no PM timer, no sleep states), a FACS, a
 * MADT (the local APIC, the I/O APIC, the PIT's IRQ 0 -> GSI 2 override and
 * the SCI's level trigger, NMI on LINT1) and a DSDT (hand-assembled AML)
 * holding the PCI root bridge \_SB.PCI0 and its _PRT: the I/O APIC pin
 * (GSI) of each PCI INTx the machine wires, the routes the MP table gives a
 * kernel without ACPI. Linux programs a _PRT GSI without a link device level
 * triggered, active low, as the MP table says; the PCI GSIs are 16 and up,
 * so no MADT override touches them.
 */
#ifndef M5SIM_FIRMWARE_ACPI_H
#define M5SIM_FIRMWARE_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_PCI_IRQS 32
#define ACPI_MAX_CPUS 16

/* PCI INTx pin (1 = INTA .. 4 = INTD) of device slot wired to I/O APIC pin gsi. */
struct acpi_pci_irq {
    unsigned slot, pin, gsi;
};

struct acpi_config {
    unsigned lapic_id, ioapic_id;          /* processor i has local APIC ID lapic_id + i */
    unsigned n_cpus;                       /* processors in the MADT (0: one), at most ACPI_MAX_CPUS */
    uint32_t lapic_addr, ioapic_addr;
    unsigned sci_irq;
    uint16_t pm1_evt_port, pm1_cnt_port;
    const struct acpi_pci_irq *pci_irqs;   /* the _PRT, at most ACPI_MAX_PCI_IRQS */
    unsigned n_pci_irqs;
};

/* Build the tables into buf (at guest-physical address pa, 64-byte aligned); returns the bytes used, 0 if too small
 * or given more than ACPI_MAX_PCI_IRQS routes. */
size_t acpi_build(uint8_t *buf, size_t max, uint64_t pa, const struct acpi_config *cfg);

#endif
