/* mptable.c - MP floating pointer and configuration table (see mptable.h). */
#include "firmware/mptable.h"

#include <string.h>

#include "dev/isa_irq.h"

enum { ENTRY_PROCESSOR = 0, ENTRY_BUS = 1, ENTRY_IOAPIC = 2, ENTRY_IO_INTR = 3, ENTRY_LOCAL_INTR = 4 };
enum { INT_INT = 0, INT_NMI = 1, INT_EXTINT = 3 };
#define FLAGS_CONFORMING 0x0
#define FLAGS_PCI        0xf      /* active low, level triggered */

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return (uint8_t)-sum;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static uint8_t *io_intr(uint8_t *e, unsigned type, unsigned flags, unsigned bus, unsigned irq, unsigned apic,
                        unsigned pin)
{
    e[0] = ENTRY_IO_INTR;
    e[1] = (uint8_t)type;
    put16(e + 2, (uint16_t)flags);
    e[4] = (uint8_t)bus;
    e[5] = (uint8_t)irq;
    e[6] = (uint8_t)apic;
    e[7] = (uint8_t)pin;
    return e + 8;
}

size_t mptable_build(uint8_t *buf, size_t max, uint64_t pa, const struct mp_config *cfg)
{
    size_t need = 16 + 44 + 20 * (cfg->n_cpus ? cfg->n_cpus : 1) + 2 * 8 + 8 + (15 + cfg->n_pci_irqs) * 8 + 2 * 8;
    if (max < need)
        return 0;
    memset(buf, 0, need);
    uint8_t *fp = buf, *hdr = buf + 16, *e = hdr + 44;
    unsigned isa_bus = cfg->pci ? 1 : 0;

    /* Processors: enabled, the first one the bootstrap processor. */
    unsigned n_cpus = cfg->n_cpus ? cfg->n_cpus : 1;
    for (unsigned i = 0; i < n_cpus; i++) {
        e[0] = ENTRY_PROCESSOR;
        e[1] = (uint8_t)(cfg->lapic_id + i);
        e[2] = 0x14;                              /* local APIC version */
        e[3] = i == 0 ? 0x03 : 0x01;              /* enabled (| bootstrap processor) */
        put32(e + 4, 0x00000600);                 /* CPU signature: family 6 */
        put32(e + 8, 0x00000201);                 /* features: FPU, APIC */
        e += 20;
    }
    unsigned entries = n_cpus;

    if (cfg->pci) {
        e[0] = ENTRY_BUS;
        e[1] = 0;
        memcpy(e + 2, "PCI   ", 6);
        e += 8;
        entries++;
    }
    e[0] = ENTRY_BUS;
    e[1] = (uint8_t)isa_bus;
    memcpy(e + 2, "ISA   ", 6);
    e += 8;
    entries++;

    e[0] = ENTRY_IOAPIC;
    e[1] = (uint8_t)cfg->ioapic_id;
    e[2] = (uint8_t)cfg->ioapic_version;
    e[3] = 0x01;                                  /* enabled */
    put32(e + 4, cfg->ioapic_addr);
    e += 8;
    entries++;

    /* ISA interrupts: IRQ n on pin n, except the PIT (0 -> 2); the 8259 reaches the CPU on LINT0. */
    for (unsigned irq = 0; irq < 16; irq++) {
        if (irq == 2)
            continue;
        e = io_intr(e, INT_INT, FLAGS_CONFORMING, isa_bus, irq, cfg->ioapic_id, isa_irq_ioapic_pin(irq));
        entries++;
    }
    /* PCI interrupts: source IRQ = slot << 2 | (INTx - 1). */
    for (unsigned i = 0; i < cfg->n_pci_irqs; i++) {
        const struct mp_pci_irq *p = &cfg->pci_irqs[i];
        e = io_intr(e, INT_INT, FLAGS_PCI, 0, p->slot << 2 | (p->pin - 1), cfg->ioapic_id, p->ioapic_pin);
        entries++;
    }
    /* Local interrupts: ExtINT on LINT0, NMI on LINT1, of every local APIC. */
    e[0] = ENTRY_LOCAL_INTR;
    e[1] = INT_EXTINT;
    e[4] = (uint8_t)isa_bus;
    e[6] = 0xff;
    e[7] = 0;
    e += 8;
    e[0] = ENTRY_LOCAL_INTR;
    e[1] = INT_NMI;
    e[4] = (uint8_t)isa_bus;
    e[6] = 0xff;
    e[7] = 1;
    e += 8;
    entries += 2;

    size_t table_len = (size_t)(e - hdr);
    memcpy(hdr, "PCMP", 4);
    put16(hdr + 4, (uint16_t)table_len);
    hdr[6] = 4;                                   /* specification revision 1.4 */
    memcpy(hdr + 8, "M5SIM   ", 8);
    memcpy(hdr + 16, "PC          ", 12);
    put16(hdr + 34, (uint16_t)entries);
    put32(hdr + 36, cfg->lapic_addr);
    hdr[7] = checksum(hdr, table_len);

    memcpy(fp, "_MP_", 4);
    put32(fp + 4, (uint32_t)(pa + 16));
    fp[8] = 1;                                    /* length in 16-byte units */
    fp[9] = 4;
    fp[10] = checksum(fp, 16);
    return (size_t)(e - buf);
}
