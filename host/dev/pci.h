/*
 * pci.h - PCI bus 0 behind a host bridge with configuration mechanism 1
 * (CONFIG_ADDRESS at 0xCF8, CONFIG_DATA at 0xCFC), and the interface a PCI
 * function gives it: a 256-byte configuration space the function keeps in
 * its own state, the sizes of its BARs, and its INTx pin.
 *
 * BARs are decoded through two windows the bridge owns (I/O ports
 * PCI_IO_WINDOW, memory PCI_MEM_WINDOW): an access inside a window goes to
 * the function whose enabled BAR (command register I/O or memory bit)
 * covers it, so the guest may move BARs within a window. Firmware (the
 * machine) assigns BARs before boot with pci_assign_bars.
 *
 * INTx: a function's INTA..INTD pin on device slot D is routed to I/O APIC
 * pin PCI_IRQ_PIN(D, pin), and to ISA IRQ PCI_ISA_IRQ(...) for a guest on
 * the 8259 (Interrupt Line register); the MP table and ACPI _PRT say the same.
 */
#ifndef M5SIM_DEV_PCI_H
#define M5SIM_DEV_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dev/irq.h"

struct bus;
struct ckpt_reader;
struct ckpt_writer;

#define PCI_SLOTS 32
#define PCI_IO_WINDOW_BASE  0xc000u
#define PCI_IO_WINDOW_SIZE  0x1000u
#define PCI_MEM_WINDOW_BASE 0xe0000000ull
#define PCI_MEM_WINDOW_SIZE 0x10000000ull

/* Configuration space offsets. */
enum {
    PCI_VENDOR_ID = 0x00, PCI_DEVICE_ID = 0x02, PCI_COMMAND = 0x04, PCI_STATUS = 0x06,
    PCI_REVISION = 0x08, PCI_PROG_IF = 0x09, PCI_SUBCLASS = 0x0a, PCI_CLASS = 0x0b,
    PCI_HEADER_TYPE = 0x0e, PCI_BAR0 = 0x10, PCI_SUBSYS_VENDOR = 0x2c, PCI_SUBSYS_ID = 0x2e,
    PCI_CAP_PTR = 0x34, PCI_INTERRUPT_LINE = 0x3c, PCI_INTERRUPT_PIN = 0x3d,
};
#define PCI_COMMAND_IO     0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_BARS 6

/* I/O APIC pin and ISA IRQ of INTx (pin 1..4 = INTA..INTD) of device `slot`. */
#define PCI_IRQ_PIN(slot, pin) (16u + (((slot) + (pin) - 1u) & 3u))
#define PCI_ISA_IRQ(slot, pin) (((slot) + (pin) - 1u) & 1u ? 11u : 10u)

struct pci_function;

/* What a function implements; any callback may be NULL. */
struct pci_function_ops {
    /* BAR `bar` accessed at `offset` inside it. */
    uint32_t (*bar_read)(struct pci_function *fn, int bar, uint64_t offset, unsigned size);
    void (*bar_write)(struct pci_function *fn, int bar, uint64_t offset, unsigned size, uint32_t value);
    /* After a configuration write the bridge has applied to config[] (for side effects). */
    void (*config_written)(struct pci_function *fn, unsigned offset, unsigned size);
};

struct pci_function {
    uint8_t *config;                 /* 256 bytes, part of the owner's serializable state */
    uint32_t bar_size[PCI_BARS];     /* power of two; 0: not implemented */
    bool bar_is_io[PCI_BARS];
    uint8_t wmask[256];              /* writable bits of config[] (BARs are handled apart) */
    const struct pci_function_ops *ops;
    void *owner;
    unsigned slot;
    struct irq_line intx;            /* set by pci_add_function from the pin in config[] */
};

struct pci_host_state {
    uint32_t config_address;         /* CONFIG_ADDRESS (0xCF8) */
    uint8_t bridge_config[256];      /* the host bridge's own function 00:00.0 */
};

struct pci_host {
    struct pci_host_state s;
    /* Wiring. */
    struct pci_function bridge;
    struct pci_function *slots[PCI_SLOTS];
    uint32_t io_next;                /* pci_assign_bars: next free address in each window */
    uint64_t mem_next;
    void (*intx_set)(void *ctx, unsigned ioapic_pin, unsigned isa_irq, bool level);
    void *intx_ctx;
};

/* An empty bus with the host bridge (Intel 440FX IDs) at slot 0; INTx lines go through intx_set. */
void pci_host_init(struct pci_host *h, void (*intx_set)(void *ctx, unsigned ioapic_pin, unsigned isa_irq,
                                                        bool level), void *intx_ctx);
/* Map 0xCF8/0xCFC and the BAR windows. */
void pci_host_attach(struct pci_host *h, struct bus *bus);
/* Put a function in `slot` (1..31). Its config[] must already hold IDs, class, header and pin. */
void pci_add_function(struct pci_host *h, struct pci_function *fn, unsigned slot);
/* Firmware: give every implemented BAR an address in its window and enable decoding. */
void pci_assign_bars(struct pci_host *h);
/* Current base of a BAR (0 if unassigned). */
uint64_t pci_bar_base(const struct pci_function *fn, int bar);

/* Configuration-space helpers for building config[]. */
void pci_config_set16(uint8_t *config, unsigned off, uint16_t v);
void pci_config_set32(uint8_t *config, unsigned off, uint32_t v);

/*
 * Checkpoint state (ckpt/section.h): the bridge's CONFIG_ADDRESS and its
 * configuration space; the functions save their own config[]. A load
 * refuses a configuration space whose identity (vendor, device, revision,
 * class) is not the bridge this m5sim models.
 */
void pci_host_save(const struct pci_host *h, struct ckpt_writer *w, const char *section);
bool pci_host_load(struct pci_host *h, struct ckpt_reader *r, const char *section);
/*
 * For a function's load: false (reason in r, naming `section`) unless the
 * saved configuration space `saved` has the identity of `now` (the reset one).
 */
bool pci_config_same_function(const uint8_t *saved, const uint8_t *now, struct ckpt_reader *r, const char *section);

/* A configuration access as mechanism 1 addresses it (bus, device, function, register). */
uint32_t pci_host_config_read(struct pci_host *h, uint32_t address, unsigned size);
void pci_host_config_write(struct pci_host *h, uint32_t address, unsigned size, uint32_t value);

#endif
