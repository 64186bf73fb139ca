/* acpi_pm.c - ACPI PM1 event and control registers (see acpi_pm.h). */
#include "dev/acpi_pm.h"

#include <string.h>

#include "ckpt/section.h"
#include "mem/bus.h"
#include "util/log.h"

#define SCI_EN 0x0001

static uint16_t *reg(struct acpi_pm *pm, uint16_t port)
{
    switch (port & ~1u) {
    case ACPI_PM1_EVT_PORT: return &pm->s.pm1_status;
    case ACPI_PM1_EVT_PORT + 2: return &pm->s.pm1_enable;
    case ACPI_PM1_CNT_PORT: return &pm->s.pm1_control;
    default: return NULL;
    }
}

static uint32_t pm_in(void *opaque, uint16_t port, unsigned size)
{
    struct acpi_pm *pm = opaque;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint16_t *r = reg(pm, (uint16_t)(port + i));
        uint16_t val = r ? *r : 0;
        if (r == &pm->s.pm1_control)
            val |= SCI_EN;
        v |= (uint32_t)((val >> (8 * ((port + i) & 1))) & 0xff) << (8 * i);
    }
    return v;
}

static void pm_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct acpi_pm *pm = opaque;
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        uint16_t *r = reg(pm, p);
        if (!r)
            continue;
        unsigned shift = 8 * (p & 1);
        uint16_t b = (uint16_t)(((value >> (8 * i)) & 0xff) << shift);
        if (r == &pm->s.pm1_status)
            *r &= (uint16_t)~b;                      /* write one to clear */
        else
            *r = (uint16_t)((*r & ~(0xff << shift)) | b);
    }
}

void acpi_pm_init(struct acpi_pm *pm)
{
    memset(pm, 0, sizeof(*pm));
    pm->s.pm1_control = SCI_EN;
}

void acpi_pm_attach(struct acpi_pm *pm, struct bus *bus)
{
    bus_add_pio(bus, "acpi-pm1-evt", ACPI_PM1_EVT_PORT, 4, pm_in, pm_out, pm);
    bus_add_pio(bus, "acpi-pm1-cnt", ACPI_PM1_CNT_PORT, 2, pm_in, pm_out, pm);
}

/* ------------------------------------------------------- checkpoints -- */

static const struct ckpt_field acpi_pm_fields[] = {
    CKPT_U16F("pm1_status", struct acpi_pm_state, pm1_status, 0, 0xffff),
    CKPT_U16F("pm1_enable", struct acpi_pm_state, pm1_enable, 0, 0xffff),
    CKPT_U16F("pm1_control", struct acpi_pm_state, pm1_control, 0, 0xffff),
};

/* New in format version 3: never a version 1 blob. */
static const struct ckpt_layout acpi_pm_layout = CKPT_LAYOUT(acpi_pm_fields, NULL, 0);

void acpi_pm_save(const struct acpi_pm *pm, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &acpi_pm_layout, &pm->s);
}

bool acpi_pm_load(struct acpi_pm *pm, struct ckpt_reader *r, const char *section)
{
    struct acpi_pm_state s = pm->s;
    if (!ckpt_section_load(r, section, &acpi_pm_layout, &s))
        return false;
    pm->s = s;
    return true;
}
