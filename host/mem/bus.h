/*
 * bus.h - the guest physical address space and the I/O port space.
 *
 * RAM is one or more host-backed ranges; everything else is MMIO regions with
 * read/write callbacks, and port I/O handlers. Devices register here and know
 * nothing of which CPU model accesses them. The initiator's architectural
 * state is passed to MMIO callbacks because the m5 pseudo-device takes its
 * arguments from the calling CPU's registers.
 */
#ifndef M5SIM_MEM_BUS_H
#define M5SIM_MEM_BUS_H

#include <stddef.h>
#include <stdint.h>

struct cpu;

typedef uint64_t (*mmio_read_fn)(void *dev, uint64_t offset, unsigned size, struct cpu *initiator);
typedef void (*mmio_write_fn)(void *dev, uint64_t offset, unsigned size, uint64_t value,
                              struct cpu *initiator);
typedef uint32_t (*pio_in_fn)(void *dev, uint16_t port, unsigned size);
typedef void (*pio_out_fn)(void *dev, uint16_t port, unsigned size, uint32_t value);

struct ram_range {
    uint64_t base, size;
    uint8_t *host;
};

struct mmio_region {
    const char *name;
    uint64_t base, size;
    mmio_read_fn read;
    mmio_write_fn write;
    void *dev;
};

struct pio_region {
    const char *name;
    uint16_t base, count;
    pio_in_fn in;
    pio_out_fn out;
    void *dev;
};

#define BUS_MAX_RAM  4
#define BUS_MAX_MMIO 64
#define BUS_MAX_PIO  64

struct bus {
    struct ram_range ram[BUS_MAX_RAM];
    unsigned nram;
    struct mmio_region mmio[BUS_MAX_MMIO];
    unsigned nmmio;
    struct pio_region pio[BUS_MAX_PIO];
    unsigned npio;
    uint64_t ram_top;        /* highest RAM address + 1, sizes the code-page bitmap */

    /*
     * Pages holding decoded instructions (one bit per 4 KiB page of RAM).
     * Any write to such a page, by a CPU or by a device or host helper
     * (DMA, syscall emulation), must call bus_code_written() first so the
     * decoded-instruction cache drops what it decoded from that page.
     */
    uint8_t *code_bitmap;
    void (*code_written)(void *opaque, uint64_t page_pa);
    void *code_opaque;
    void *block_cache;       /* the decoded-block cache shared by the CPUs on this bus */
};

void bus_init(struct bus *bus);
/* Map host memory as guest RAM at [base, base+size). */
void bus_add_ram(struct bus *bus, uint64_t base, uint64_t size, uint8_t *host);
void bus_add_mmio(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                  mmio_read_fn rd, mmio_write_fn wr, void *dev);
void bus_add_pio(struct bus *bus, const char *name, uint16_t base, uint16_t count,
                 pio_in_fn in, pio_out_fn out, void *dev);

/* Host pointer for guest-physical RAM at pa, valid up to the end of its page; NULL if not RAM. */
static inline uint8_t *bus_ram_ptr(const struct bus *bus, uint64_t pa)
{
    for (unsigned i = 0; i < bus->nram; i++) {
        const struct ram_range *r = &bus->ram[i];
        if (pa - r->base < r->size)
            return r->host + (pa - r->base);
    }
    return NULL;
}

static inline int bus_is_code_page(const struct bus *bus, uint64_t pa)
{
    uint64_t pfn = pa >> 12;
    return bus->code_bitmap && pa < bus->ram_top && (bus->code_bitmap[pfn >> 3] >> (pfn & 7)) & 1;
}

/* A write is about to change [pa, pa+len): drop decoded code on those pages. */
static inline void bus_code_written(struct bus *bus, uint64_t pa, uint64_t len)
{
    if (!bus->code_bitmap || !len)
        return;
    for (uint64_t p = pa & ~0xfffull; p < pa + len; p += 4096)
        if (bus_is_code_page(bus, p))
            bus->code_written(bus->code_opaque, p);
}

const struct mmio_region *bus_find_mmio(const struct bus *bus, uint64_t pa);
/* Accesses to unmapped physical addresses read as all ones and ignore writes, as on a PC. */
uint64_t bus_mmio_read(struct bus *bus, uint64_t pa, unsigned size, struct cpu *initiator);
void bus_mmio_write(struct bus *bus, uint64_t pa, unsigned size, uint64_t value, struct cpu *initiator);
uint32_t bus_pio_in(struct bus *bus, uint16_t port, unsigned size);
void bus_pio_out(struct bus *bus, uint16_t port, unsigned size, uint32_t value);

/* Copy between host buffers and guest-physical memory (RAM only); return 0 or -1 if any byte is not RAM. */
int bus_read_phys(const struct bus *bus, uint64_t pa, void *dst, size_t len);
int bus_write_phys(struct bus *bus, uint64_t pa, const void *src, size_t len);

#endif
