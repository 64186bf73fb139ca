/*
 * acpi_pm.h - the fixed-hardware registers an ACPI (non-reduced) FADT
 * points at: the PM1 event block (status and enable, 2 bytes each) and the
 * PM1 control block, whose SCI_EN bit always reads set: the machine is in
 * ACPI mode from reset (no SMI command port). Nothing here raises the SCI;
 * there are no fixed events to report (no buttons, no PM timer).
 */
#ifndef M5SIM_DEV_ACPI_PM_H
#define M5SIM_DEV_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct ckpt_reader;
struct ckpt_writer;

#define ACPI_PM1_EVT_PORT 0x600
#define ACPI_PM1_CNT_PORT 0x604
#define ACPI_SCI_IRQ      9

struct acpi_pm_state {
    uint16_t pm1_status, pm1_enable, pm1_control;
};

struct acpi_pm {
    struct acpi_pm_state s;
};

void acpi_pm_init(struct acpi_pm *pm);
void acpi_pm_attach(struct acpi_pm *pm, struct bus *bus);
/* Checkpoint state (ckpt/section.h): the three registers. */
void acpi_pm_save(const struct acpi_pm *pm, struct ckpt_writer *w, const char *section);
bool acpi_pm_load(struct acpi_pm *pm, struct ckpt_reader *r, const char *section);

#endif
