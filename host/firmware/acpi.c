/* acpi.c - RSDP, RSDT, XSDT, FADT, FACS, MADT, DSDT (see acpi.h). */
#include "firmware/acpi.h"

#include <string.h>

#include "dev/pci.h"

#define HEADER 36
#define PCI_MEM_BASE ((uint32_t)PCI_MEM_WINDOW_BASE)
#define PCI_MEM_SIZE ((uint32_t)PCI_MEM_WINDOW_SIZE)
#define OEM_ID "M5SIM "
#define OEM_TABLE "M5SIMPC "
#define DSDT_AML_MAX 1024     /* the root bridge (about 150 bytes) and up to ACPI_MAX_PCI_IRQS routes of 16 */

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return (uint8_t)-sum;
}

/* The common system description table header; the checksum is set by finish(). */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, OEM_ID, 6);
    memcpy(t + 16, OEM_TABLE, 8);
    put32(t + 24, 1);                 /* OEM revision */
    memcpy(t + 28, "M5SM", 4);        /* creator ID */
    put32(t + 32, 1);                 /* creator revision */
}

static void finish(uint8_t *t)
{
    uint32_t len;
    memcpy(&len, t + 4, 4);
    t[9] = 0;
    t[9] = checksum(t, len);
}

/* AML PkgLength of a package whose contents (after the PkgLength) are n bytes. */
static size_t pkg_length(uint8_t *out, size_t n)
{
    if (n + 1 < 64) {
        out[0] = (uint8_t)(n + 1);
        return 1;
    }
    size_t total = n + 2;             /* two-byte encoding: enough for our tables */
    out[0] = (uint8_t)(0x40 | (total & 0xf));
    out[1] = (uint8_t)(total >> 4);
    return 2;
}

static size_t word_space(uint8_t *p, uint8_t type, uint8_t type_flags, uint16_t min, uint16_t max)
{
    p[0] = 0x88;                                          /* Word Address Space Descriptor */
    put16(p + 1, 13);
    p[3] = type;                                          /* 1 I/O, 2 bus numbers */
    p[4] = 0x0c;                                          /* fixed min and max, positive decode, producer */
    p[5] = type_flags;
    put16(p + 6, 0);
    put16(p + 8, min);
    put16(p + 10, max);
    put16(p + 12, 0);
    put16(p + 14, (uint16_t)(max - min + 1));
    return 16;
}

static size_t dword_memory(uint8_t *p, uint32_t min, uint32_t max)
{
    p[0] = 0x87;                                          /* DWord Address Space Descriptor */
    put16(p + 1, 23);
    p[3] = 0;                                             /* memory */
    p[4] = 0x0c;
    p[5] = 0x03;                                          /* cacheable, read-write */
    put32(p + 6, 0);
    put32(p + 10, min);
    put32(p + 14, max);
    put32(p + 18, 0);
    put32(p + 22, max - min + 1);
    return 26;
}

/* The root bridge's _CRS: bus numbers, the configuration ports, I/O around them, VGA memory, the BAR window. */
static size_t root_bridge_resources(uint8_t *p)
{
    size_t n = 0;
    n += word_space(p + n, 2, 0, 0x00, 0xff);
    static const uint8_t config_ports[8] = { 0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08 };
    memcpy(p + n, config_ports, 8), n += 8;
    n += word_space(p + n, 1, 0x03, 0x0000, 0x0cf7);
    n += word_space(p + n, 1, 0x03, 0x0d00, 0xffff);
    n += dword_memory(p + n, 0x000a0000, 0x000bffff);
    n += dword_memory(p + n, PCI_MEM_BASE, PCI_MEM_BASE + PCI_MEM_SIZE - 1);
    p[n++] = 0x79;                                        /* End Tag */
    p[n++] = 0x00;
    return n;
}

/* An AML integer: ZeroOp, OneOp, or the shortest of BytePrefix, WordPrefix, DWordPrefix. */
static size_t aml_integer(uint8_t *p, uint32_t v)
{
    if (v <= 1) {
        p[0] = (uint8_t)v;                                /* ZeroOp, OneOp */
        return 1;
    }
    if (v <= 0xff) {
        p[0] = 0x0a, p[1] = (uint8_t)v;
        return 2;
    }
    if (v <= 0xffff) {
        p[0] = 0x0b, put16(p + 1, (uint16_t)v);
        return 3;
    }
    p[0] = 0x0c, put32(p + 1, v);
    return 5;
}

/*
 * Name (_PRT, Package () { Package () { 0xSSSSFFFF, pin, Zero, GSI }, ... }):
 * each INTx wired straight to a GSI, no link device, which Linux programs
 * level triggered, active low (the MP table's FLAGS_PCI).
 */
static size_t routing_table(uint8_t *p, const struct acpi_config *cfg)
{
    uint8_t entries[ACPI_MAX_PCI_IRQS * 16];
    size_t e = 0;
    for (unsigned i = 0; i < cfg->n_pci_irqs; i++) {
        const struct acpi_pci_irq *r = &cfg->pci_irqs[i];
        uint8_t one[16];
        size_t n = 0;
        one[n++] = 4;                                     /* NumElements */
        n += aml_integer(one + n, r->slot << 16 | 0xffffu);
        n += aml_integer(one + n, r->pin - 1u);           /* INTA = 0 */
        n += aml_integer(one + n, 0);                     /* Source: none, the GSI is fixed */
        n += aml_integer(one + n, r->gsi);
        entries[e++] = 0x12;                              /* PackageOp */
        e += pkg_length(entries + e, n);
        memcpy(entries + e, one, n), e += n;
    }
    size_t o = 0;
    p[o++] = 0x08;                                        /* NameOp */
    memcpy(p + o, "_PRT", 4), o += 4;
    p[o++] = 0x12;
    o += pkg_length(p + o, 1 + e);
    p[o++] = (uint8_t)cfg->n_pci_irqs;
    memcpy(p + o, entries, e), o += e;
    return o;
}

/*
 * The DSDT's AML: Scope (\_SB) { Device (PCI0) { Name (_HID, EisaId ("PNP0A03"))
 * Name (_ADR, 0) Name (_UID, 0) Name (_CRS, ResourceTemplate () { ... })
 * Name (_PRT, Package () { ... }) } }
 */
static size_t dsdt_aml(uint8_t *out, const struct acpi_config *cfg)
{
    uint8_t dev[DSDT_AML_MAX], body[DSDT_AML_MAX], res[160];
    size_t b = 0;
    memcpy(body + b, "PCI0", 4), b += 4;
    body[b++] = 0x08;                                     /* NameOp */
    memcpy(body + b, "_HID", 4), b += 4;
    body[b++] = 0x0c;                                     /* DWordPrefix: EISA ID PNP0A03 */
    put32(body + b, 0x030ad041), b += 4;
    body[b++] = 0x08;
    memcpy(body + b, "_ADR", 4), b += 4;
    body[b++] = 0x00;                                     /* ZeroOp */
    body[b++] = 0x08;
    memcpy(body + b, "_UID", 4), b += 4;
    body[b++] = 0x00;
    size_t r = root_bridge_resources(res);
    body[b++] = 0x08;
    memcpy(body + b, "_CRS", 4), b += 4;
    body[b++] = 0x11;                                     /* BufferOp */
    b += pkg_length(body + b, 2 + r);
    body[b++] = 0x0a;                                     /* BytePrefix: the buffer's size */
    body[b++] = (uint8_t)r;
    memcpy(body + b, res, r), b += r;
    b += routing_table(body + b, cfg);
    size_t d = 0;
    dev[d++] = 0x5b;                                      /* DeviceOp */
    dev[d++] = 0x82;
    d += pkg_length(dev + d, b);
    memcpy(dev + d, body, b), d += b;

    size_t o = 0;
    out[o++] = 0x10;                                      /* ScopeOp */
    o += pkg_length(out + o, 5 + d);
    memcpy(out + o, "\\_SB_", 5), o += 5;
    memcpy(out + o, dev, d), o += d;
    return o;
}

size_t acpi_build(uint8_t *buf, size_t max, uint64_t pa, const struct acpi_config *cfg)
{
    enum { RSDP = 0, FACS = 64, RSDT = 128, XSDT = 192, MADT = 256, FADT = 512, DSDT = 768, END = 2048 };
    if (max < END || (pa & 63) || cfg->n_pci_irqs > ACPI_MAX_PCI_IRQS || cfg->n_cpus > ACPI_MAX_CPUS)
        return 0;
    memset(buf, 0, END);

    /* DSDT */
    uint8_t *t = buf + DSDT;
    size_t aml = dsdt_aml(t + HEADER, cfg);
    if (DSDT + HEADER + aml > END)
        return 0;
    header(t, "DSDT", (uint32_t)(HEADER + aml), 2);
    finish(t);

    /* FACS: 64 bytes, no checksum. */
    t = buf + FACS;
    memcpy(t, "FACS", 4);
    put32(t + 4, 64);
    t[32] = 1;                                            /* version */

    /* FADT (ACPI 3.0 layout, 244 bytes) */
    t = buf + FADT;
    header(t, "FACP", 244, 3);
    put32(t + 36, (uint32_t)(pa + FACS));
    put32(t + 40, (uint32_t)(pa + DSDT));
    put16(t + 46, (uint16_t)cfg->sci_irq);
    put32(t + 56, cfg->pm1_evt_port);
    put32(t + 64, cfg->pm1_cnt_port);
    t[88] = 4;                                            /* PM1_EVT_LEN */
    t[89] = 2;                                            /* PM1_CNT_LEN */
    put16(t + 96, 101);                                   /* C2 latency > 100: no C2 */
    put16(t + 98, 1001);                                  /* C3 latency > 1000: no C3 */
    put16(t + 109, 0x0001);                               /* IAPC_BOOT_ARCH: legacy devices */
    put32(t + 112, 0x1u | 0x4u | 0x10u | 0x20u);          /* WBINVD, C1 on all CPUs, no fixed power/sleep buttons */
    put64(t + 140, pa + DSDT);
    finish(t);

    /* MADT */
    t = buf + MADT;
    uint8_t *e = t + 44;
    unsigned n_cpus = cfg->n_cpus ? cfg->n_cpus : 1;
    for (unsigned i = 0; i < n_cpus; i++) {   /* processor i: its local APIC, ID lapic_id + i, enabled */
        e[0] = 0; e[1] = 8; e[2] = (uint8_t)i; e[3] = (uint8_t)(cfg->lapic_id + i); put32(e + 4, 1);
        e += 8;
    }
    e[0] = 1; e[1] = 12; e[2] = (uint8_t)cfg->ioapic_id; put32(e + 4, cfg->ioapic_addr); put32(e + 8, 0);
    e += 12;
    e[0] = 2; e[1] = 10; e[2] = 0; e[3] = 0; put32(e + 4, 2); put16(e + 8, 0);     /* IRQ 0 -> GSI 2 */
    e += 10;
    e[0] = 2; e[1] = 10; e[2] = 0; e[3] = (uint8_t)cfg->sci_irq; put32(e + 4, cfg->sci_irq);
    put16(e + 8, 0x000d);                                 /* SCI: active high, level triggered */
    e += 10;
    e[0] = 4; e[1] = 6; e[2] = 0xff; put16(e + 3, 0); e[5] = 1;                      /* NMI on LINT1 */
    e += 6;
    header(t, "APIC", (uint32_t)(e - t), 3);
    put32(t + 36, cfg->lapic_addr);
    put32(t + 40, 1);                                     /* PCAT_COMPAT: 8259s present */
    finish(t);

    /* RSDT and XSDT: the FADT and the MADT. */
    t = buf + RSDT;
    header(t, "RSDT", HEADER + 8, 1);
    put32(t + 36, (uint32_t)(pa + FADT));
    put32(t + 40, (uint32_t)(pa + MADT));
    finish(t);
    t = buf + XSDT;
    header(t, "XSDT", HEADER + 16, 1);
    put64(t + 36, pa + FADT);
    put64(t + 44, pa + MADT);
    finish(t);

    /* RSDP (ACPI 2.0+, 36 bytes) */
    t = buf + RSDP;
    memcpy(t, "RSD PTR ", 8);
    memcpy(t + 9, OEM_ID, 6);
    t[15] = 2;
    put32(t + 16, (uint32_t)(pa + RSDT));
    put32(t + 20, 36);
    put64(t + 24, pa + XSDT);
    t[8] = checksum(t, 20);
    t[32] = checksum(t, 36);
    return END;
}
