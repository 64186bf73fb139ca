/* pc.c - TEMPORARY: a write-only console on COM1 until the PC devices land. */
#include <stdio.h>

#include "machine/machine.h"

static uint32_t com1_in(void *dev, uint16_t port, unsigned size)
{
    (void)dev, (void)size;
    return port == 0x3fd ? 0x60 : 0;
}

static void com1_out(void *dev, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    struct machine *m = dev;
    if (port == 0x3f8) {
        fputc((int)(value & 0xff), m->console);
        if (!m->cfg.quiet)
            fputc((int)(value & 0xff), stdout);
    }
}

void pc_devices_attach(struct machine *m)
{
    bus_add_pio(&m->bus, "com1", 0x3f8, 8, com1_in, com1_out, m);
}

void pc_devices_free(struct machine *m)
{
    (void)m;
}
