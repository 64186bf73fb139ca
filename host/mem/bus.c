/* bus.c - guest physical address space: RAM ranges, MMIO regions, I/O ports. */
#include "mem/bus.h"
#include "util/log.h"

#include <string.h>

void bus_init(struct bus *bus)
{
    memset(bus, 0, sizeof(*bus));
}

void bus_add_ram(struct bus *bus, uint64_t base, uint64_t size, uint8_t *host)
{
    if (bus->nram == BUS_MAX_RAM)
        fatal("bus", "too many RAM ranges");
    /* bus_ram_ptr() hands out pointers valid to the end of a page: ranges must be whole pages. */
    if ((base | size) & 0xfff)
        fatal("bus", "RAM range 0x%llx+0x%llx is not page-aligned",
              (unsigned long long)base, (unsigned long long)size);
    /* The decoded-block cache sized its per-page tables from the RAM present when the CPUs were made. */
    if (bus->block_cache)
        fatal("bus", "RAM added after the CPUs were created");
    bus->ram[bus->nram++] = (struct ram_range){ base, size, host };
    if (base + size > bus->ram_top)
        bus->ram_top = base + size;
}

void bus_add_mmio(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                  mmio_read_fn rd, mmio_write_fn wr, void *dev)
{
    if (bus->nmmio == BUS_MAX_MMIO)
        fatal("bus", "too many MMIO regions (adding %s)", name);
    bus->mmio[bus->nmmio++] = (struct mmio_region){ name, base, size, rd, wr, dev };
}

void bus_add_pio(struct bus *bus, const char *name, uint16_t base, uint16_t count,
                 pio_in_fn in, pio_out_fn out, void *dev)
{
    if (bus->npio == BUS_MAX_PIO)
        fatal("bus", "too many I/O port ranges (adding %s)", name);
    bus->pio[bus->npio++] = (struct pio_region){ name, base, count, in, out, dev };
}

const struct mmio_region *bus_find_mmio(const struct bus *bus, uint64_t pa)
{
    for (unsigned i = 0; i < bus->nmmio; i++)
        if (pa - bus->mmio[i].base < bus->mmio[i].size)
            return &bus->mmio[i];
    return NULL;
}

uint64_t bus_mmio_read(struct bus *bus, uint64_t pa, unsigned size, struct cpu *initiator)
{
    const struct mmio_region *r = bus_find_mmio(bus, pa);
    if (!r || !r->read)
        return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
    return r->read(r->dev, pa - r->base, size, initiator);
}

void bus_mmio_write(struct bus *bus, uint64_t pa, unsigned size, uint64_t value, struct cpu *initiator)
{
    const struct mmio_region *r = bus_find_mmio(bus, pa);
    if (r && r->write)
        r->write(r->dev, pa - r->base, size, value, initiator);
}

static const struct pio_region *find_pio(const struct bus *bus, uint16_t port)
{
    for (unsigned i = 0; i < bus->npio; i++)
        if ((uint16_t)(port - bus->pio[i].base) < bus->pio[i].count)
            return &bus->pio[i];
    return NULL;
}

uint32_t bus_pio_in(struct bus *bus, uint16_t port, unsigned size)
{
    const struct pio_region *r = find_pio(bus, port);
    if (!r || !r->in)
        return size >= 4 ? ~0u : (1u << (size * 8)) - 1;
    return r->in(r->dev, port, size);
}

void bus_pio_out(struct bus *bus, uint16_t port, unsigned size, uint32_t value)
{
    const struct pio_region *r = find_pio(bus, port);
    if (r && r->out)
        r->out(r->dev, port, size, value);
}

int bus_read_phys(const struct bus *bus, uint64_t pa, void *dst, size_t len)
{
    uint8_t *d = dst;
    while (len) {
        size_t chunk = 4096 - (pa & 4095);
        if (chunk > len)
            chunk = len;
        uint8_t *p = bus_ram_ptr(bus, pa);
        if (!p || !bus_ram_ptr(bus, pa + chunk - 1))
            return -1;
        memcpy(d, p, chunk);
        d += chunk, pa += chunk, len -= chunk;
    }
    return 0;
}

int bus_write_phys(struct bus *bus, uint64_t pa, const void *src, size_t len)
{
    const uint8_t *s = src;
    while (len) {
        size_t chunk = 4096 - (pa & 4095);
        if (chunk > len)
            chunk = len;
        uint8_t *p = bus_ram_ptr(bus, pa);
        if (!p || !bus_ram_ptr(bus, pa + chunk - 1))
            return -1;
        bus_code_written(bus, pa, chunk);
        memcpy(p, s, chunk);
        s += chunk, pa += chunk, len -= chunk;
    }
    return 0;
}
