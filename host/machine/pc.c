/*
 * pc.c - the PC's devices and their wiring: 8259 PICs and I/O APIC on the
 * ISA interrupt lines, PIT, a local APIC per CPU (its interrupt controller;
 * all of them and the I/O APIC on one APIC bus, dev/apic_bus.h),
 * CMOS RTC, COM1, the miscellaneous ports, the PCI bus, and the disks:
 * drives on the PIIX IDE controller (the default, as on gem5's PC), or one
 * virtio-blk each on virtio-mmio or virtio-pci (--disk-controller). At boot,
 * the firmware tables that describe them.
 */
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"
#include "ckpt/section.h"
#include "cpu/cpuid.h"
#include "dev/acpi_pm.h"
#include "dev/apic_bus.h"
#include "dev/ioapic.h"
#include "dev/isa_irq.h"
#include "dev/lapic.h"
#include "dev/pc_misc.h"
#include "dev/pci.h"
#include "dev/piix_ide.h"
#include "dev/pic8259.h"
#include "dev/pit8254.h"
#include "dev/rtc_cmos.h"
#include "dev/uart8250.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_pci.h"
#include "disk/disk.h"
#include "firmware/acpi.h"
#include "firmware/mptable.h"
#include "firmware/smbios.h"
#include "machine/machine.h"
#include "machine/pc_platform.h"
#include "machine/status_line.h"
#include "util/log.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ  4
#define PIT_IRQ   0
#define IDE_PRIMARY_IRQ   14
#define IDE_SECONDARY_IRQ 15
#define IDE_PCI_SLOT      1
#define VIRTIO_PCI_SLOT0  2               /* --disk-controller virtio-pci: disk N in slot 2 + N */
#define FIRMWARE_TABLES_PA 0xf0000ull   /* BIOS area, reserved in the e820 map */
#define FIRMWARE_TABLES_SIZE 0x10000u
#define ACPI_TABLES_OFFSET 0x1000u      /* the RSDP and the ACPI tables, after the MP table */
#define SMBIOS_TABLES_OFFSET 0xe000u    /* the SMBIOS entry point and tables, last */

struct pc_devices {
    struct isa_irq isa;
    struct pic8259 pic;
    struct ioapic ioapic;
    struct lapic lapic[CONFIG_MAX_CPUS];   /* CPU i's */
    struct apic_bus apic_bus;
    struct pit8254 pit;
    struct rtc_cmos rtc;
    struct uart8250 com1;
    struct pc_misc misc;
    struct virtio_blk vblk[CONFIG_MAX_DISKS];
    struct virtio_pci_blk vpci[CONFIG_MAX_DISKS];
    struct pci_host pci;
    struct piix_ide ide;
    struct acpi_pm acpi_pm;
};

/* PCI INTx: level-triggered, to its I/O APIC pin and to the 8259 line in Interrupt Line. */
static void pc_pci_intx(void *ctx, unsigned ioapic_pin, unsigned isa_irq, bool level)
{
    struct pc_devices *pc = ctx;
    ioapic_set_irq(&pc->ioapic, ioapic_pin, level);
    pic_set_irq(&pc->pic, isa_irq, level);
}

/*
 * The CPUs' interrupt hooks share the machine as their opaque pointer and
 * reach the calling CPU's own local APIC. An NMI IPI waiting for the CPU
 * comes first, as vector 2 (taken like an interrupt: docs/architecture.md).
 */
static struct lapic *cpu_lapic(void *opaque, const struct cpu *cpu)
{
    struct machine *m = opaque;
    return &m->pc->lapic[cpu->id];
}

static bool pc_intr_pending(void *opaque, struct cpu *cpu)
{
    struct machine *m = opaque;
    return m->cpus[cpu->id]->r.nmi_pending || lapic_intr_pending(cpu_lapic(opaque, cpu), cpu);
}

static int pc_intr_ack(void *opaque, struct cpu *cpu)
{
    struct machine *m = opaque;
    struct machine_cpu_run *r = &m->cpus[cpu->id]->r;
    if (r->nmi_pending) {
        r->nmi_pending = 0;
        return 2;
    }
    return lapic_intr_ack(cpu_lapic(opaque, cpu), cpu);
}

/* CR8 and IA32_APIC_BASE's enable bit are the LAPIC's (cpu.h). */
static uint64_t pc_cr8_read(void *opaque, struct cpu *cpu)
{
    return lapic_cr8_read(cpu_lapic(opaque, cpu), cpu);
}

static void pc_cr8_write(void *opaque, struct cpu *cpu, uint64_t value)
{
    lapic_cr8_write(cpu_lapic(opaque, cpu), cpu, value);
}

static bool pc_apic_enabled(void *opaque, struct cpu *cpu)
{
    return lapic_hw_enabled(cpu_lapic(opaque, cpu), cpu);
}

static void pc_apic_set_enabled(void *opaque, struct cpu *cpu, bool enabled)
{
    lapic_set_hw_enabled(cpu_lapic(opaque, cpu), cpu, enabled);
}

static void pc_reset_request(void *opaque)
{
    machine_stop(opaque, 1, "guest requested a reset");
}

static void attach_disks(struct machine *m)
{
    struct pc_devices *pc = m->pc;
    if (m->cfg.disk_controller == DISK_PIIX) {
        piix_ide_init(&pc->ide, &m->bus, isa_irq_line(&pc->isa, IDE_PRIMARY_IRQ),
                      isa_irq_line(&pc->isa, IDE_SECONDARY_IRQ));
        if (m->cfg.ndisks > PIIX_IDE_DRIVES)
            fatal("--disk-image", "the piix controller takes at most %d disks", PIIX_IDE_DRIVES);
    }
    for (int i = 0; i < m->cfg.ndisks; i++) {
        char overlay[4096], serial[21];
        snprintf(overlay, sizeof overlay, "%s/disk%d.overlay", m->cfg.outdir, i);
        if (m->restore_img) {
            /* Start from the checkpoint's overlay, copied: the checkpoint itself is never written. */
            char snap[4096], map[4096], name[32];
            snprintf(name, sizeof name, "disk%d.overlay", i);
            ckpt_path(m->restore_img, name, snap, sizeof snap);
            snprintf(name, sizeof name, "disk%d.map", i);
            ckpt_path(m->restore_img, name, map, sizeof map);
            m->disks[i] = disk_open_snapshot(m->cfg.disks[i], overlay, snap, map);
        } else {
            m->disks[i] = disk_open(m->cfg.disks[i], overlay);
        }
        snprintf(serial, sizeof serial, "m5sim-disk%d", i);
        if (m->cfg.disk_controller == DISK_PIIX) {
            piix_ide_set_disk(&pc->ide, (unsigned)i, m->disks[i], serial);
            continue;
        }
        if (m->cfg.disk_controller == DISK_VIRTIO_PCI) {
            virtio_pci_blk_init(&pc->vpci[i], m->disks[i], &m->bus, &m->eq, serial);
            virtio_pci_blk_attach(&pc->vpci[i], &pc->pci, VIRTIO_PCI_SLOT0 + (unsigned)i);
            continue;
        }
        virtio_blk_init(&pc->vblk[i], m->disks[i], &m->bus, &m->eq, isa_irq_line(&pc->isa, MACHINE_VIRTIO_IRQ0 + i),
                        serial);
        virtio_blk_attach(&pc->vblk[i], &m->bus, MACHINE_VIRTIO_BASE + i * MACHINE_VIRTIO_STRIDE);
    }
    if (m->cfg.disk_controller == DISK_PIIX)
        piix_ide_attach(&pc->ide, &m->bus, &pc->pci, IDE_PCI_SLOT);
    pci_assign_bars(&pc->pci);   /* what a BIOS does; a restore loads the guest's own BARs over it */
}

void pc_devices_attach(struct machine *m)
{
    struct pc_devices *pc = calloc(1, sizeof(*pc));
    if (!pc)
        fatal("machine", "out of memory");
    m->pc = pc;

    pic_init(&pc->pic);
    pic_attach(&pc->pic, &m->bus);
    pc->isa.pic = &pc->pic;

    /* The 8259 pair's INT reaches the BSP's LINT0 (Linux's virtual wire); the APs' LINT0 stays masked. */
    apic_bus_init(&pc->apic_bus, machine_cpu_signal, m);
    for (unsigned i = 0; i < m->ncpus; i++) {
        lapic_init(&pc->lapic[i], &m->eq, i, CPUID_CRYSTAL_HZ);
        apic_bus_add(&pc->apic_bus, &pc->lapic[i]);
        lapic_set_eoi_callback(&pc->lapic[i], ioapic_eoi, &pc->ioapic);
    }
    lapic_connect_pic(&pc->lapic[0], &pc->pic);
    apic_bus_attach(&pc->apic_bus, &m->bus);

    ioapic_init(&pc->ioapic, &pc->lapic[0]);
    ioapic_connect_bus(&pc->ioapic, &pc->apic_bus);
    ioapic_attach(&pc->ioapic, &m->bus);
    pc->isa.ioapic = &pc->ioapic;

    pit_init(&pc->pit, &m->eq, isa_irq_line(&pc->isa, PIT_IRQ));
    pit_attach(&pc->pit, &m->bus);
    rtc_init(&pc->rtc, &m->eq, RTC_DEFAULT_START);
    rtc_attach(&pc->rtc, &m->bus);
    uart_init(&pc->com1, isa_irq_line(&pc->isa, COM1_IRQ), m->console, m->cfg.quiet ? NULL : status_line_console());
    uart_attach(&pc->com1, &m->bus, COM1_BASE);
    pc_misc_init(&pc->misc, pc_reset_request, m);
    pc_misc_attach(&pc->misc, &m->bus);
    acpi_pm_init(&pc->acpi_pm);
    acpi_pm_attach(&pc->acpi_pm, &m->bus);
    pci_host_init(&pc->pci, pc_pci_intx, pc);
    pci_host_attach(&pc->pci, &m->bus);
    attach_disks(m);

    cpuid_tsc_hz = m->cfg.cpu_clock_hz;
    cpuid_ncpus = m->ncpus;
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct cpu *cpu = &m->cpus[i]->cpu;
        cpu->hooks.intr_pending = pc_intr_pending;
        cpu->hooks.intr_pending_stable = true;   /* the LAPIC/8259 answer from their state (cpu.h) */
        cpu->hooks.intr_ack = pc_intr_ack;
        cpu->hooks.cr8_read = pc_cr8_read;
        cpu->hooks.cr8_write = pc_cr8_write;
        cpu->hooks.apic_enabled = pc_apic_enabled;
        cpu->hooks.apic_set_enabled = pc_apic_set_enabled;
    }
}

void pc_devices_free(struct machine *m)
{
    if (!m->pc)
        return;
    uart_flush(&m->pc->com1);
    for (int i = 0; i < m->cfg.ndisks; i++)
        disk_close(m->disks[i]);
    free(m->pc);
    m->pc = NULL;
}

/* ---------------------------------------------------- firmware tables -- */

/* The SMBIOS tables at FIRMWARE_TABLES_PA + SMBIOS_TABLES_OFFSET (fits: the MP and ACPI tables end before it). */
static void pc_smbios_setup(struct machine *m, uint8_t *buf, size_t max, bool fits)
{
    uint32_t id[4];
    cpuid_query(NULL, 1, 0, id);
    struct smbios_config sm = { .mem_bytes = m->cfg.mem_size, .n_cpus = (unsigned)m->cfg.num_cpus,
                                .cpuid_1_eax = id[0], .cpuid_1_edx = id[3],
                                .cpu_mhz = (unsigned)(m->cfg.cpu_clock_hz / 1000000u) };
    size_t n = fits ? smbios_build(buf, max, FIRMWARE_TABLES_PA + SMBIOS_TABLES_OFFSET, &sm) : 0;
    if (!n || bus_write_phys(&m->bus, FIRMWARE_TABLES_PA + SMBIOS_TABLES_OFFSET, buf, n) != 0)
        fatal("machine", "cannot place the SMBIOS tables");
}

void pc_firmware_setup(struct machine *m)
{
    static uint8_t tables[FIRMWARE_TABLES_SIZE];
    memset(tables, 0, sizeof tables);
    struct mp_config mp = { .lapic_id = 0, .n_cpus = m->ncpus, .ioapic_id = m->pc->ioapic.s.id, .lapic_addr = 0xfee00000u,
                            .ioapic_addr = (uint32_t)IOAPIC_BASE, .ioapic_version = IOAPIC_VERSION, .pci = true };
    /* The virtio-pci functions' INTA, for kernels that route PCI interrupts by the MP table. */
    struct mp_pci_irq irqs[CONFIG_MAX_DISKS];
    /* The same slots' INTA..INTD for the DSDT's _PRT, for kernels that route them by ACPI. */
    struct acpi_pci_irq routes[CONFIG_MAX_DISKS * 4];
    unsigned n_routes = 0;
    for (int i = 0; m->cfg.disk_controller == DISK_VIRTIO_PCI && i < m->cfg.ndisks; i++) {
        unsigned slot = VIRTIO_PCI_SLOT0 + (unsigned)i;
        irqs[i] = (struct mp_pci_irq){ .slot = slot, .pin = 1, .ioapic_pin = PCI_IRQ_PIN(slot, 1) };
        mp.n_pci_irqs++;
        for (unsigned pin = 1; pin <= 4; pin++)
            routes[n_routes++] = (struct acpi_pci_irq){ .slot = slot, .pin = pin, .gsi = PCI_IRQ_PIN(slot, pin) };
    }
    mp.pci_irqs = irqs;
    size_t n = mptable_build(tables, sizeof tables, FIRMWARE_TABLES_PA, &mp);
    struct acpi_config acpi = { .lapic_id = 0, .n_cpus = m->ncpus, .ioapic_id = m->pc->ioapic.s.id, .lapic_addr = 0xfee00000u,
                                .ioapic_addr = (uint32_t)IOAPIC_BASE, .sci_irq = ACPI_SCI_IRQ,
                                .pm1_evt_port = ACPI_PM1_EVT_PORT, .pm1_cnt_port = ACPI_PM1_CNT_PORT,
                                .pci_irqs = routes, .n_pci_irqs = n_routes };
    size_t a = n && n <= ACPI_TABLES_OFFSET ? acpi_build(tables + ACPI_TABLES_OFFSET, sizeof tables - ACPI_TABLES_OFFSET,
                                                        FIRMWARE_TABLES_PA + ACPI_TABLES_OFFSET, &acpi) : 0;
    if (!a || bus_write_phys(&m->bus, FIRMWARE_TABLES_PA, tables, ACPI_TABLES_OFFSET + a) != 0)
        fatal("machine", "cannot place the firmware tables");
    pc_smbios_setup(m, tables + SMBIOS_TABLES_OFFSET, FIRMWARE_TABLES_SIZE - SMBIOS_TABLES_OFFSET,
                    ACPI_TABLES_OFFSET + a <= SMBIOS_TABLES_OFFSET);
}

/* ------------------------------------------------------- checkpoints -- */

enum disk_controller pc_checkpoint_disk_controller(const struct ckpt_image *img)
{
    struct ckpt_reader r;
    ckpt_reader_for(&r, img);
    struct pc_platform_state p = { 0 };
    if (!pc_platform_load(&p, &r, "platform"))
        fatal(img->ini.path, "%s", r.error);
    return (enum disk_controller)p.disk_controller;
}

/*
 * Each device saves and loads its own section (ckpt/section.h): section
 * name, member of struct pc_devices, and the prefix of its _save/_load.
 * PC_DEVICES_V3 came with format version 3 (machine/pc_platform.h): an older
 * index has none of them and they keep their reset state. With several
 * CPUs, [lapic] is CPU 0's and [lapicN] CPU N's. The disks follow:
 * virtio_blkN (after virtio_pciN on virtio-pci), or piix_ide.
 */
#define PC_DEVICES(X) X(pic, pic, pic) X(ioapic, ioapic, ioapic) X(lapic, lapic[0], lapic) X(pit, pit, pit) \
    X(rtc, rtc, rtc) X(com1, com1, uart) X(misc, misc, pc_misc)
#define PC_DEVICES_V3(X) X(pci_host, pci, pci_host) X(acpi_pm, acpi_pm, acpi_pm)

void pc_devices_save(struct machine *m, struct ckpt_writer *w)
{
    struct pc_devices *pc = m->pc;
    uart_flush(&pc->com1);
    struct pc_platform_state platform = { .disk_controller = (uint8_t)m->cfg.disk_controller };
    pc_platform_save(&platform, w, "platform");
#define SAVE(section, member, prefix) prefix##_save(&pc->member, w, #section);
    PC_DEVICES(SAVE)
    PC_DEVICES_V3(SAVE)
#undef SAVE
    for (unsigned i = 1; i < m->ncpus; i++) {
        char section[32];
        snprintf(section, sizeof section, "lapic%u", i);
        lapic_save(&pc->lapic[i], w, section);
    }
    if (m->cfg.disk_controller == DISK_PIIX) {
        piix_ide_save(&pc->ide, w, "piix_ide");
        return;
    }
    for (int i = 0; i < m->cfg.ndisks; i++) {
        char section[32];
        bool pci = m->cfg.disk_controller == DISK_VIRTIO_PCI;
        if (pci) {
            snprintf(section, sizeof section, "virtio_pci%d", i);
            virtio_pci_blk_save(&pc->vpci[i], w, section);
        }
        snprintf(section, sizeof section, "virtio_blk%d", i);
        virtio_blk_save(pci ? &pc->vpci[i].blk : &pc->vblk[i], w, section);
    }
}

bool pc_devices_load(struct machine *m, struct ckpt_reader *r)
{
    struct pc_devices *pc = m->pc;
#define LOAD(section, member, prefix) if (!prefix##_load(&pc->member, r, #section)) return false;
    PC_DEVICES(LOAD)
    if (r->version >= PC_PLATFORM_FORMAT) {
        PC_DEVICES_V3(LOAD)
    }
#undef LOAD
    for (unsigned i = 1; i < m->ncpus; i++) {
        char section[32];
        snprintf(section, sizeof section, "lapic%u", i);
        if (!lapic_load(&pc->lapic[i], r, section))
            return false;
    }
    /* The controller came from [platform] when the run was set up (pc_checkpoint_disk_controller). */
    if (m->cfg.disk_controller == DISK_PIIX)
        return piix_ide_load(&pc->ide, r, "piix_ide");
    for (int i = 0; i < m->cfg.ndisks; i++) {
        char section[32];
        bool pci = m->cfg.disk_controller == DISK_VIRTIO_PCI;
        if (pci) {
            snprintf(section, sizeof section, "virtio_pci%d", i);
            if (!virtio_pci_blk_load(&pc->vpci[i], r, section))
                return false;
        }
        /* Version 1 named the section device.virtio_blkN, with the same keys. */
        snprintf(section, sizeof section, r->version == 1 ? "device.virtio_blk%d" : "virtio_blk%d", i);
        if (!virtio_blk_load(pci ? &pc->vpci[i].blk : &pc->vblk[i], r, section))
            return false;
    }
    return true;
}
