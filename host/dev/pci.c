/* pci.c - PCI host bridge, configuration mechanism 1, BAR windows (see pci.h). */
#include "dev/pci.h"

#include <string.h>

#include "ckpt/section.h"
#include "mem/bus.h"
#include "util/log.h"

#define CONFIG_ADDRESS_PORT 0xcf8
#define CONFIG_DATA_PORT    0xcfc
#define CONFIG_ENABLE       0x80000000u
#define CONFIG_ADDRESS_BITS 0x80fffffcu   /* what a CONFIG_ADDRESS write keeps */

void pci_config_set16(uint8_t *config, unsigned off, uint16_t v)
{
    config[off] = (uint8_t)v;
    config[off + 1] = (uint8_t)(v >> 8);
}

void pci_config_set32(uint8_t *config, unsigned off, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        config[off + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t config_get32(const uint8_t *config, unsigned off)
{
    return (uint32_t)config[off] | (uint32_t)config[off + 1] << 8 | (uint32_t)config[off + 2] << 16 |
           (uint32_t)config[off + 3] << 24;
}

uint64_t pci_bar_base(const struct pci_function *fn, int bar)
{
    uint32_t v = config_get32(fn->config, PCI_BAR0 + 4 * bar);
    return fn->bar_is_io[bar] ? (v & ~3u) : (v & ~15u);
}

/* The writable bits every function has: command, interrupt line, latency timer. */
static void default_wmask(struct pci_function *fn)
{
    memset(fn->wmask, 0, sizeof fn->wmask);
    fn->wmask[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    fn->wmask[PCI_COMMAND + 1] = 0x04;   /* interrupt disable */
    fn->wmask[0x0d] = 0xff;              /* latency timer */
    fn->wmask[PCI_INTERRUPT_LINE] = 0xff;
    for (unsigned off = 0x40; off < 256; off++)   /* device-specific registers: the function's own */
        fn->wmask[off] = 0xff;
}

static struct pci_function *function_at(struct pci_host *h, uint32_t address)
{
    unsigned bus = (address >> 16) & 0xff, slot = (address >> 11) & 0x1f, func = (address >> 8) & 7;
    if (bus != 0 || func != 0)
        return NULL;
    return h->slots[slot];
}

uint32_t pci_host_config_read(struct pci_host *h, uint32_t address, unsigned size)
{
    struct pci_function *fn = function_at(h, address);
    if (!fn)
        return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    unsigned off = (address & 0xfc) | (address & 3);
    uint32_t v = 0;
    for (unsigned i = 0; i < size && off + i < 256; i++)
        v |= (uint32_t)fn->config[off + i] << (8 * i);
    return v;
}

static void bar_write(struct pci_function *fn, int bar, uint32_t value)
{
    uint32_t size = fn->bar_size[bar];
    uint32_t v = 0;
    if (size) {
        uint32_t type_bits = fn->bar_is_io[bar] ? 1u : 0u;   /* I/O space; memory: 32-bit, not prefetchable */
        v = (value & ~(size - 1)) | type_bits;
    }
    pci_config_set32(fn->config, PCI_BAR0 + 4 * bar, v);
}

void pci_host_config_write(struct pci_host *h, uint32_t address, unsigned size, uint32_t value)
{
    struct pci_function *fn = function_at(h, address);
    if (!fn)
        return;
    unsigned off = (address & 0xfc) | (address & 3);
    for (unsigned i = 0; i < size && off + i < 256; i++) {
        unsigned o = off + i;
        uint8_t b = (uint8_t)(value >> (8 * i));
        if (o >= PCI_BAR0 && o < PCI_BAR0 + 4 * PCI_BARS) {
            /* BARs are written whole: merge this byte, then let the BAR keep its size alignment. */
            int bar = (int)(o - PCI_BAR0) / 4;
            uint32_t cur = config_get32(fn->config, PCI_BAR0 + 4 * bar);
            unsigned shift = 8 * ((o - PCI_BAR0) % 4);
            cur = (cur & ~(0xffu << shift)) | (uint32_t)b << shift;
            bar_write(fn, bar, cur);
            continue;
        }
        if (o == PCI_STATUS + 1) {   /* write-one-to-clear error bits */
            fn->config[o] &= (uint8_t)~(b & 0xf9);
            continue;
        }
        fn->config[o] = (uint8_t)((fn->config[o] & ~fn->wmask[o]) | (b & fn->wmask[o]));
    }
    if (fn->ops && fn->ops->config_written)
        fn->ops->config_written(fn, off, size);
}

/* ---------------------------------------------------------- ports -- */

static uint32_t config_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct pci_host *h = opaque;
    if (port >= CONFIG_ADDRESS_PORT && port < CONFIG_ADDRESS_PORT + 4) {
        if (port == CONFIG_ADDRESS_PORT && size == 4)
            return h->s.config_address;
        return (1u << (8 * size)) - 1;
    }
    if (!(h->s.config_address & CONFIG_ENABLE))
        return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    return pci_host_config_read(h, (h->s.config_address & ~3u) | (port & 3u), size);
}

static void config_io_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct pci_host *h = opaque;
    if (port >= CONFIG_ADDRESS_PORT && port < CONFIG_ADDRESS_PORT + 4) {
        /* Only whole-register writes set the address (byte writes to 0xCF8-0xCFB are other chipset ports). */
        if (port == CONFIG_ADDRESS_PORT && size == 4)
            h->s.config_address = value & CONFIG_ADDRESS_BITS;
        return;
    }
    if (h->s.config_address & CONFIG_ENABLE)
        pci_host_config_write(h, (h->s.config_address & ~3u) | (port & 3u), size, value);
}

/* The function and BAR that decode `addr` in I/O (io) or memory space. */
static struct pci_function *decode(struct pci_host *h, bool io, uint64_t addr, int *bar, uint64_t *offset)
{
    for (unsigned s = 0; s < PCI_SLOTS; s++) {
        struct pci_function *fn = h->slots[s];
        if (!fn)
            continue;
        uint8_t cmd = fn->config[PCI_COMMAND];
        if (!(cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
            continue;
        for (int b = 0; b < PCI_BARS; b++) {
            if (!fn->bar_size[b] || fn->bar_is_io[b] != io)
                continue;
            uint64_t base = pci_bar_base(fn, b);
            if (base && addr - base < fn->bar_size[b]) {
                *bar = b;
                *offset = addr - base;
                return fn;
            }
        }
    }
    return NULL;
}

static uint32_t window_io_in(void *opaque, uint16_t port, unsigned size)
{
    int bar;
    uint64_t off;
    struct pci_function *fn = decode(opaque, true, port, &bar, &off);
    if (!fn || !fn->ops || !fn->ops->bar_read)
        return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    return fn->ops->bar_read(fn, bar, off, size);
}

static void window_io_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    int bar;
    uint64_t off;
    struct pci_function *fn = decode(opaque, true, port, &bar, &off);
    if (fn && fn->ops && fn->ops->bar_write)
        fn->ops->bar_write(fn, bar, off, size, value);
}

static uint64_t window_mem_read(void *opaque, uint64_t offset, unsigned size, struct cpu *initiator)
{
    (void)initiator;
    int bar;
    uint64_t off;
    struct pci_function *fn = decode(opaque, false, PCI_MEM_WINDOW_BASE + offset, &bar, &off);
    if (!fn || !fn->ops || !fn->ops->bar_read)
        return ~0ull;
    if (size == 8)
        return fn->ops->bar_read(fn, bar, off, 4) | (uint64_t)fn->ops->bar_read(fn, bar, off + 4, 4) << 32;
    return fn->ops->bar_read(fn, bar, off, size);
}

static void window_mem_write(void *opaque, uint64_t offset, unsigned size, uint64_t value, struct cpu *initiator)
{
    (void)initiator;
    int bar;
    uint64_t off;
    struct pci_function *fn = decode(opaque, false, PCI_MEM_WINDOW_BASE + offset, &bar, &off);
    if (!fn || !fn->ops || !fn->ops->bar_write)
        return;
    if (size == 8) {
        fn->ops->bar_write(fn, bar, off, 4, (uint32_t)value);
        fn->ops->bar_write(fn, bar, off + 4, 4, (uint32_t)(value >> 32));
        return;
    }
    fn->ops->bar_write(fn, bar, off, size, (uint32_t)value);
}

/* ------------------------------------------------------------ setup -- */

static void intx_line_set(void *controller, unsigned line, bool level)
{
    struct pci_host *h = controller;
    unsigned slot = line >> 2, pin = (line & 3) + 1;
    if (h->intx_set)
        h->intx_set(h->intx_ctx, PCI_IRQ_PIN(slot, pin), PCI_ISA_IRQ(slot, pin), level);
}

void pci_host_init(struct pci_host *h, void (*intx_set)(void *ctx, unsigned ioapic_pin, unsigned isa_irq,
                                                        bool level), void *intx_ctx)
{
    memset(h, 0, sizeof(*h));
    h->intx_set = intx_set;
    h->intx_ctx = intx_ctx;
    h->io_next = PCI_IO_WINDOW_BASE;
    h->mem_next = PCI_MEM_WINDOW_BASE;
    uint8_t *c = h->s.bridge_config;
    pci_config_set16(c, PCI_VENDOR_ID, 0x8086);   /* Intel 82441FX (440FX) host bridge */
    pci_config_set16(c, PCI_DEVICE_ID, 0x1237);
    c[PCI_REVISION] = 0x02;
    c[PCI_SUBCLASS] = 0x00;
    c[PCI_CLASS] = 0x06;                          /* bridge: host */
    pci_config_set16(c, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    h->bridge.config = c;
    default_wmask(&h->bridge);
    h->slots[0] = &h->bridge;
}

void pci_add_function(struct pci_host *h, struct pci_function *fn, unsigned slot)
{
    if (slot == 0 || slot >= PCI_SLOTS || h->slots[slot])
        fatal("pci", "slot %u is taken or invalid", slot);
    fn->slot = slot;
    default_wmask(fn);
    uint8_t pin = fn->config[PCI_INTERRUPT_PIN];
    if (pin >= 1 && pin <= 4) {
        fn->intx = (struct irq_line){ .set = intx_line_set, .controller = h, .line = slot << 2 | (pin - 1u) };
        fn->config[PCI_INTERRUPT_LINE] = (uint8_t)PCI_ISA_IRQ(slot, pin);
    }
    h->slots[slot] = fn;
}

void pci_assign_bars(struct pci_host *h)
{
    for (unsigned s = 1; s < PCI_SLOTS; s++) {
        struct pci_function *fn = h->slots[s];
        if (!fn)
            continue;
        uint16_t cmd = 0;
        for (int b = 0; b < PCI_BARS; b++) {
            uint32_t size = fn->bar_size[b];
            if (!size)
                continue;
            if (fn->bar_is_io[b]) {
                uint32_t base = (h->io_next + size - 1) & ~(size - 1);
                if (base + size > PCI_IO_WINDOW_BASE + PCI_IO_WINDOW_SIZE)
                    fatal("pci", "I/O window full");
                h->io_next = base + size;
                bar_write(fn, b, base);
                cmd |= PCI_COMMAND_IO;
            } else {
                uint64_t base = (h->mem_next + size - 1) & ~(uint64_t)(size - 1);
                if (base + size > PCI_MEM_WINDOW_BASE + PCI_MEM_WINDOW_SIZE)
                    fatal("pci", "memory window full");
                h->mem_next = base + size;
                bar_write(fn, b, (uint32_t)base);
                cmd |= PCI_COMMAND_MEMORY;
            }
        }
        fn->config[PCI_COMMAND] |= (uint8_t)cmd;
    }
}

void pci_host_attach(struct pci_host *h, struct bus *bus)
{
    bus_add_pio(bus, "pci-config-address", CONFIG_ADDRESS_PORT, 4, config_io_in, config_io_out, h);
    bus_add_pio(bus, "pci-config-data", CONFIG_DATA_PORT, 4, config_io_in, config_io_out, h);
    bus_add_pio(bus, "pci-io-window", PCI_IO_WINDOW_BASE, PCI_IO_WINDOW_SIZE, window_io_in, window_io_out, h);
    bus_add_mmio(bus, "pci-mem-window", PCI_MEM_WINDOW_BASE, PCI_MEM_WINDOW_SIZE, window_mem_read,
                 window_mem_write, h);
}

/* ------------------------------------------------------- checkpoints -- */

static const struct ckpt_field pci_host_fields[] = {
    CKPT_U32F("config_address", struct pci_host_state, config_address, 0, UINT32_MAX),
    CKPT_BYTESF("bridge_config", struct pci_host_state, bridge_config),
};

static bool pci_host_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    const struct pci_host_state *s = state;
    (void)r;
    if (s->config_address & ~CONFIG_ADDRESS_BITS) {
        snprintf(why, len, "config_address = 0x%x has bits CONFIG_ADDRESS never holds (0x%x)",
                 s->config_address, s->config_address & ~CONFIG_ADDRESS_BITS);
        return false;
    }
    return true;
}

/* New in format version 3: never a version 1 blob. */
static const struct ckpt_layout pci_host_layout = CKPT_LAYOUT(pci_host_fields, pci_host_validate, 0);

void pci_host_save(const struct pci_host *h, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &pci_host_layout, &h->s);
}

/* The bytes that say which function this is: vendor and device IDs, revision, class. */
static const struct { unsigned off, len; const char *what; } identity[] = {
    { PCI_VENDOR_ID, 4, "vendor and device ID" },
    { PCI_REVISION, 4, "revision and class" },
};

bool pci_config_same_function(const uint8_t *saved, const uint8_t *now, struct ckpt_reader *r, const char *section)
{
    for (size_t i = 0; i < sizeof identity / sizeof identity[0]; i++) {
        unsigned off = identity[i].off;
        if (memcmp(saved + off, now + off, identity[i].len) != 0)
            return ckpt_reader_fail(r, "[%s] configuration space %s = 0x%08x is not this m5sim's (0x%08x)",
                                    section, identity[i].what, config_get32(saved, off), config_get32(now, off));
    }
    return true;
}

bool pci_host_load(struct pci_host *h, struct ckpt_reader *r, const char *section)
{
    struct pci_host_state s = h->s;
    if (!ckpt_section_load(r, section, &pci_host_layout, &s) ||
        !pci_config_same_function(s.bridge_config, h->s.bridge_config, r, section))
        return false;
    h->s = s;
    return true;
}
