/*
 * pc_platform.h - the [platform] checkpoint section: how the PC was built,
 * which a restore must know before any device exists (the disk controller
 * decides which devices there are and which sections follow).
 *
 * Format version 3 added it with the PCI bus, the ACPI PM registers and the
 * PIIX IDE controller. An older index has none of these sections: its
 * machine had virtio-mmio disks only, and the PCI bridge and ACPI PM
 * registers it did not have start from reset.
 */
#ifndef M5SIM_MACHINE_PC_PLATFORM_H
#define M5SIM_MACHINE_PC_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/config.h"

struct ckpt_reader;
struct ckpt_writer;

/* The first format version with [platform], [pci_host], [acpi_pm] and [piix_ide]. */
#define PC_PLATFORM_FORMAT 3

struct pc_platform_state {
    uint8_t disk_controller;   /* enum disk_controller: 0 virtio-mmio, 1 piix, 2 virtio-pci */
};

void pc_platform_save(const struct pc_platform_state *s, struct ckpt_writer *w, const char *section);
/* An index older than PC_PLATFORM_FORMAT loads as virtio-mmio; a newer one must have the section. */
bool pc_platform_load(struct pc_platform_state *s, struct ckpt_reader *r, const char *section);

#endif
