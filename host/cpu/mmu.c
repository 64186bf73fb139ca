/*
 * mmu.c - 4-level page walk, permission checks, accessed/dirty bits, the
 * software TLB fill, and the slow paths of the memory accessors (mmu.h).
 */
#include "cpu/mmu.h"

#include "cpu/block.h"
#include "cpu/exception.h"
#include "mem/bus.h"
#include "mem/pagetable.h"

#define MAXPHYADDR 40
#define PTE_RSVD_HIGH (((1ull << 52) - 1) & ~((1ull << MAXPHYADDR) - 1))

struct walk {
    uint64_t pa;        /* physical address of the byte */
    uint64_t page_pa;   /* physical address of its 4 KiB page */
    bool user, write, nx, global, dirty;
};

static inline bool canonical(uint64_t la)
{
    return (uint64_t)((int64_t)(la << 16) >> 16) == la;
}

static inline bool is_user_access(const struct cpu *cpu, int acc)
{
    return cpu->s.cpl == 3 && !(acc & ACC_SUPER);
}

/*
 * Walk the page tables for la. Returns 0 on success or a #PF error code
 * (with bit 31 set so that 0 is never a valid error). With `commit`, sets the
 * accessed bits and, for writes, the dirty bit.
 */
static uint32_t page_walk(struct cpu *cpu, uint64_t la, int acc, bool commit, struct walk *w)
{
    int kind = acc & 3;
    bool user = is_user_access(cpu, acc);
    uint32_t err = (kind == ACC_WRITE ? PFERR_W : 0) | (user ? PFERR_U : 0) |
                   (kind == ACC_EXEC && (cpu->s.efer & EFER_NXE) ? PFERR_I : 0);

    if (!(cpu->s.cr0 & CR0_PG)) {
        *w = (struct walk){ la, la & ~0xfffull, true, true, false, false, true };
        return 0;
    }

    uint64_t table = cpu->s.cr3 & PTE_ADDR_MASK;
    uint64_t *entries[4];
    bool w_ok = true, u_ok = true, nx = false;
    uint64_t rsvd_nx = (cpu->s.efer & EFER_NXE) ? 0 : PTE_NX;
    uint64_t leaf = 0, page_pa = 0;
    int levels = 0;

    for (int level = 3; level >= 0; level--) {
        uint64_t *t = (uint64_t *)bus_ram_ptr(cpu->bus, table);
        if (!t)
            return err | (1u << 31) | PFERR_RSVD;  /* page table outside RAM */
        unsigned index = (unsigned)(la >> (12 + 9 * level)) & 511;
        uint64_t *e = &t[index];
        if (cpu->port && commit)   /* the walk of a real access, not a host-side probe */
            cpu->port->access(cpu->port->opaque, cpu, MEM_ACCESS_WALK, table + index * 8, 8, false);
        uint64_t v = *e;
        entries[levels++] = e;
        if (!(v & PTE_P))
            return err | (1u << 31);
        if (v & (PTE_RSVD_HIGH | rsvd_nx))
            return err | (1u << 31) | PFERR_P | PFERR_RSVD;
        w_ok &= (v & PTE_W) != 0;
        u_ok &= (v & PTE_U) != 0;
        nx |= (v & PTE_NX) != 0 && !rsvd_nx;
        if (level == 0) {
            leaf = v;
            page_pa = v & PTE_ADDR_MASK;
            break;
        }
        if (v & PTE_PS) {
            if (level == 3)
                return err | (1u << 31) | PFERR_P | PFERR_RSVD;
            uint64_t span = 1ull << (12 + 9 * level);
            uint64_t base = v & PTE_ADDR_MASK & ~(span - 1);
            if ((v & PTE_ADDR_MASK) & (span - 1) & ~0x1000ull)  /* reserved low address bits (bit 12 is PAT) */
                return err | (1u << 31) | PFERR_P | PFERR_RSVD;
            leaf = v;
            page_pa = base + (la & (span - 1) & ~0xfffull);
            break;
        }
        table = v & PTE_ADDR_MASK;
    }

    /* Permission checks (no SMEP/SMAP: not advertised). */
    if (user && !u_ok)
        return err | (1u << 31) | PFERR_P;
    if (kind == ACC_WRITE && !w_ok && (user || (cpu->s.cr0 & CR0_WP)))
        return err | (1u << 31) | PFERR_P;
    if (kind == ACC_EXEC && nx)
        return err | (1u << 31) | PFERR_P;

    if (commit) {
        for (int i = 0; i < levels; i++)
            if (!(*entries[i] & PTE_A))
                __atomic_fetch_or(entries[i], PTE_A, __ATOMIC_RELAXED);
        if (kind == ACC_WRITE && !(leaf & PTE_D)) {
            __atomic_fetch_or(entries[levels - 1], PTE_D, __ATOMIC_RELAXED);
            leaf |= PTE_D;
        }
    }
    w->page_pa = page_pa;
    w->pa = page_pa | (la & 0xfff);
    w->user = u_ok;
    w->write = w_ok || (!user && !(cpu->s.cr0 & CR0_WP));
    w->nx = nx;
    w->global = (leaf & PTE_G) && (cpu->s.cr4 & CR4_PGE);
    w->dirty = (leaf & PTE_D) != 0;
    return 0;
}

/* Install a TLB entry for the page of la after a successful walk (not for implicit supervisor accesses). */
static void tlb_fill(struct cpu *cpu, uint64_t la, const struct walk *w)
{
    unsigned i = tlb_index(la);
    struct tlb_entry *e = &cpu->tlb[i];
    struct tlb_info *info = &cpu->tlb_info[i];
    uint64_t page = la & ~0xfffull, tag = tlb_tag(cpu, la);
    uint8_t *host = bus_ram_ptr(cpu->bus, w->page_pa);
    bool user = cpu->s.cpl == 3;

    e->tag_read = e->tag_write = e->tag_exec = TLB_NONE;
    info->xlate_read = info->xlate_write = TLB_NONE;
    info->pa = w->page_pa;
    info->global = w->global;
    if (!info->listed) {
        info->listed = 1;
        cpu->tlb_used[cpu->tlb_nused++] = (uint16_t)i;
    }
    if (user && !w->user)
        return;
    if (!w->nx)
        e->tag_exec = tag;
    info->xlate_read = tag;
    if (w->write && w->dirty)
        info->xlate_write = tag;
    info->ram = host != NULL;
    if (!host)
        return;  /* MMIO: the slow path */
    e->addend = (uintptr_t)host - (uintptr_t)page;   /* the slow paths' too (mmu_load_slowN, mmu_store_slowN) */
    if (cpu->port)
        return;  /* a timing model that must see every access: the slow path */
    e->tag_read = tag;
    if (w->write && w->dirty && !bus_is_code_page(cpu->bus, w->page_pa))
        e->tag_write = tag;
}

static int pf_error(uint32_t e)
{
    return (int)(e & 0x1f);
}

/* mmu_translate without a TLB hit: the walk, its faults and the TLB fill. */
static __attribute__((noinline)) uint64_t translate_walk(struct cpu *cpu, uint64_t la, int acc)
{
    if (!canonical(la))
        cpu_raise_err(cpu, EXC_GP, 0);
    struct walk w;
    uint32_t err = page_walk(cpu, la, acc, true, &w);
    if (err) {
        cpu->s.cr2 = la;
        cpu_raise_err(cpu, EXC_PF, (uint32_t)pf_error(err));
    }
    if (!(acc & ACC_SUPER))
        tlb_fill(cpu, la, &w);
    return w.pa;
}

/*
 * The TLB's translation (kept even while a port is attached, when the TLB
 * hands out no host pointers), else the walk. Inlined in the slow paths of
 * loads and stores, which every access of a timed CPU takes.
 */
static inline __attribute__((always_inline)) uint64_t translate(struct cpu *cpu, uint64_t la, int acc)
{
    if (!(acc & ACC_SUPER)) {
        unsigned i = tlb_index(la);
        const struct tlb_info *info = &cpu->tlb_info[i];
        uint64_t tag = (acc & 3) == ACC_WRITE ? info->xlate_write
                     : (acc & 3) == ACC_EXEC  ? cpu->tlb[i].tag_exec : info->xlate_read;
        if (tag == tlb_tag(cpu, la))
            return info->pa | (la & 0xfff);
    }
    return translate_walk(cpu, la, acc);
}

uint64_t mmu_translate(struct cpu *cpu, uint64_t la, int acc)
{
    return translate(cpu, la, acc);
}

int mmu_probe(struct cpu *cpu, uint64_t la, int acc, uint64_t *pa)
{
    if (!canonical(la))
        return 0x100 | PFERR_RSVD;
    struct walk w;
    uint32_t err = page_walk(cpu, la, acc & ~ACC_SET_AD, (acc & ACC_SET_AD) != 0, &w);
    if (err)
        return 0x100 | pf_error(err);
    *pa = w.pa;
    return 0;
}

/* A TLB flush also drops the jump cache (cpu.h), whose entries stand for translations. */
/* Flush TLB slot i (unless all is false and it is global, which then stays listed). */
static void flush_slot(struct cpu *cpu, unsigned i, bool all)
{
    struct tlb_entry *e = &cpu->tlb[i];
    struct tlb_info *info = &cpu->tlb_info[i];
    info->listed = 0;
    if (all || !info->global) {
        e->tag_read = e->tag_write = e->tag_exec = TLB_NONE;
        info->xlate_read = info->xlate_write = TLB_NONE;
    } else {
        info->listed = 1;
        cpu->tlb_used[cpu->tlb_nused++] = (uint16_t)i;
    }
}

void mmu_flush(struct cpu *cpu, bool all)
{
    jc_invalidate(cpu, !all);
    unsigned n = cpu->tlb_nused;
    cpu->tlb_nused = 0;
    if (!cpu->tlb_tracked) {   /* the first flush: every slot, whatever it holds */
        for (unsigned i = 0; i < TLB_SIZE; i++)
            flush_slot(cpu, i, all);
        cpu->tlb_tracked = 1;
        return;
    }
    for (unsigned k = 0; k < n; k++)   /* rewrites tlb_used[0..k] only: safe in place */
        flush_slot(cpu, cpu->tlb_used[k], all);
}

/*
 * A port was attached or detached (cpu_set_port): the translations stay,
 * as gem5's TLBs stay across a switch of CPU models (a flush here would
 * give the model switched to page walks of its own, and functional warming
 * would not leave the state a timed run would). Only which of them the
 * fast paths may use changes: none while a port must see every access.
 */
void mmu_port_changed(struct cpu *cpu)
{
    if (!cpu->tlb_tracked) {
        mmu_flush(cpu, true);
        return;
    }
    for (unsigned k = 0; k < cpu->tlb_nused; k++) {
        unsigned i = cpu->tlb_used[k];
        struct tlb_entry *e = &cpu->tlb[i];
        const struct tlb_info *info = &cpu->tlb_info[i];
        e->tag_read = e->tag_write = TLB_NONE;
        if (cpu->port || !info->ram)
            continue;
        e->tag_read = info->xlate_read;
        if (info->xlate_write != TLB_NONE && !bus_is_code_page(cpu->bus, info->pa))
            e->tag_write = info->xlate_write;
    }
}

void mmu_flush_page(struct cpu *cpu, uint64_t la)
{
    jc_invalidate_page(cpu, la);
    uint64_t page = la & ~0xfffull;
    struct tlb_entry *e = tlb_entry_for(cpu, la);   /* tags: page | CPL, or TLB_NONE */
    struct tlb_info *info = &cpu->tlb_info[tlb_index(la)];
    if ((e->tag_read & ~0xfffull) == page || (e->tag_write & ~0xfffull) == page ||
        (e->tag_exec & ~0xfffull) == page || (info->xlate_read & ~0xfffull) == page ||
        (info->xlate_write & ~0xfffull) == page) {
        e->tag_read = e->tag_write = e->tag_exec = TLB_NONE;
        info->xlate_read = info->xlate_write = TLB_NONE;
    }
}

/* Physical read/write of up to 8 bytes within one page (inlined: every access of a timed CPU comes here). */
static inline __attribute__((always_inline)) uint64_t phys_read(struct cpu *cpu, uint64_t pa, unsigned size,
                                                                enum mem_access_kind kind)
{
    uint8_t *p = bus_ram_ptr(cpu->bus, pa);
    if (cpu->port)
        cpu->port->access(cpu->port->opaque, cpu, kind, pa, size, p == NULL);
    if (p) {
        if (size == 1 || size == 2 || size == 4 || size == 8)
            return host_load(p, size);   /* inline loads; memcpy of a variable size is a call */
        uint64_t v = 0;
        memcpy(&v, p, size);             /* the part of an access that crosses a page */
        return v;
    }
    cpu->intr_quiet = 0;   /* a device may change what the interrupt controller says */
    return bus_mmio_read(cpu->bus, pa, size, cpu);
}

static inline __attribute__((always_inline)) void phys_write(struct cpu *cpu, uint64_t pa, unsigned size, uint64_t v,
                                                             enum mem_access_kind kind)
{
    uint8_t *p = bus_ram_ptr(cpu->bus, pa);
    if (cpu->port)
        cpu->port->access(cpu->port->opaque, cpu, kind, pa, size, p == NULL);
    if (p) {
        if (bus_is_code_page(cpu->bus, pa)) {
            bus_code_written(cpu->bus, pa, size);
            cpu->block_exit = 1;  /* the running block may have been decoded from this page */
        }
        if (size == 1 || size == 2 || size == 4 || size == 8)
            host_store(p, size, v);
        else
            memcpy(p, &v, size);
        return;
    }
    cpu->intr_quiet = 0;
    bus_mmio_write(cpu->bus, pa, size, v, cpu);
}

uint64_t mmu_read_slow(struct cpu *cpu, uint64_t la, unsigned size, int acc)
{
    unsigned first = 4096 - (unsigned)(la & 0xfff);
    if (size <= first)
        return phys_read(cpu, translate(cpu, la, acc), size, MEM_ACCESS_READ);
    /* Crosses a page: translate both halves before reading either. */
    uint64_t pa0 = mmu_translate(cpu, la, acc);
    uint64_t pa1 = mmu_translate(cpu, la + first, acc);
    uint64_t lo = phys_read(cpu, pa0, first, MEM_ACCESS_READ);
    uint64_t hi = phys_read(cpu, pa1, size - first, MEM_ACCESS_READ_MORE);
    return lo | hi << (8 * first);
}

void mmu_write_slow(struct cpu *cpu, uint64_t la, unsigned size, uint64_t value, int acc)
{
    unsigned first = 4096 - (unsigned)(la & 0xfff);
    if (size <= first) {
        phys_write(cpu, translate(cpu, la, acc), size, value, MEM_ACCESS_WRITE);
        return;
    }
    uint64_t pa0 = mmu_translate(cpu, la, acc);
    uint64_t pa1 = mmu_translate(cpu, la + first, acc);
    phys_write(cpu, pa0, first, value, MEM_ACCESS_WRITE);
    phys_write(cpu, pa1, size - first, value >> (8 * first), MEM_ACCESS_WRITE_MORE);
}

/*
 * The slow paths of mem_readN/mem_writeN, one per size. Their usual case
 * while a port is attached (every access of a timed CPU: a TLB hit on RAM,
 * within a page, not a code page for a store) comes first, small enough to
 * need almost no stack frame; the rest goes to mmu_read_slow/mmu_write_slow.
 */
#define MMU_SLOW_SIZED(bits)                                                            \
    uint64_t mmu_load_slow##bits(struct cpu *cpu, uint64_t la)                          \
    {                                                                                   \
        unsigned i = tlb_index(la);                                                     \
        const struct tlb_info *info = &cpu->tlb_info[i];                                \
        if (__builtin_expect((la & 0xfff) <= 4096 - (bits) / 8 &&                       \
                             info->xlate_read == tlb_tag(cpu, la) && info->ram, 1)) {   \
            const uint8_t *p = (const uint8_t *)(uintptr_t)(cpu->tlb[i].addend + la);   \
            struct cpu_mem_port *port = cpu->port;                                      \
            uint64_t pa = info->pa | (la & 0xfff);                                      \
            if (port && !cpu_port_quiet(&port->quiet_read, pa, (bits) / 8))             \
                port->data(port->opaque, cpu, pa, (bits) / 8, false);                   \
            return host_load(p, (bits) / 8);                                            \
        }                                                                               \
        return mmu_read_slow(cpu, la, (bits) / 8, ACC_READ);                            \
    }                                                                                   \
    void mmu_store_slow##bits(struct cpu *cpu, uint64_t la, uint64_t value)             \
    {                                                                                   \
        unsigned i = tlb_index(la);                                                     \
        const struct tlb_info *info = &cpu->tlb_info[i];                                \
        if (__builtin_expect((la & 0xfff) <= 4096 - (bits) / 8 &&                       \
                             info->xlate_write == tlb_tag(cpu, la) && info->ram &&      \
                             !bus_is_code_page(cpu->bus, info->pa), 1)) {               \
            uint8_t *p = (uint8_t *)(uintptr_t)(cpu->tlb[i].addend + la);               \
            struct cpu_mem_port *port = cpu->port;                                      \
            uint64_t pa = info->pa | (la & 0xfff);                                      \
            if (port && !cpu_port_quiet(&port->quiet_write, pa, (bits) / 8))            \
                port->data(port->opaque, cpu, pa, (bits) / 8, true);                    \
            host_store(p, (bits) / 8, value);                                           \
            return;                                                                     \
        }                                                                               \
        mmu_write_slow(cpu, la, (bits) / 8, value, ACC_WRITE);                          \
    }
MMU_SLOW_SIZED(8)
MMU_SLOW_SIZED(16)
MMU_SLOW_SIZED(32)
MMU_SLOW_SIZED(64)
#undef MMU_SLOW_SIZED

void mem_read_bytes(struct cpu *cpu, uint64_t la, void *dst, unsigned n)
{
    uint8_t *d = dst;
    while (n) {
        unsigned chunk = 4096 - (unsigned)(la & 0xfff);
        if (chunk > n)
            chunk = n;
        uint64_t pa = mmu_translate(cpu, la, ACC_READ);
        uint8_t *p = bus_ram_ptr(cpu->bus, pa);
        if (cpu->port)
            cpu->port->access(cpu->port->opaque, cpu, d == dst ? MEM_ACCESS_READ : MEM_ACCESS_READ_MORE, pa,
                              chunk, p == NULL);
        if (p) {
            memcpy(d, p, chunk);
        } else {
            cpu->intr_quiet = 0;
            for (unsigned i = 0; i < chunk; i++)
                d[i] = (uint8_t)bus_mmio_read(cpu->bus, pa + i, 1, cpu);
        }
        d += chunk, la += chunk, n -= chunk;
    }
}

void mem_check_write(struct cpu *cpu, uint64_t la, unsigned n)
{
    if (!n)
        return;
    uint64_t end = la + n - 1;
    for (uint64_t p = la & ~0xfffull; ; p += 4096) {
        mmu_translate(cpu, p < la ? la : p, ACC_WRITE);
        if (p >= (end & ~0xfffull))
            break;
    }
}

void mem_write_bytes(struct cpu *cpu, uint64_t la, const void *src, unsigned n)
{
    mem_check_write(cpu, la, n);
    const uint8_t *s = src;
    while (n) {
        unsigned chunk = 4096 - (unsigned)(la & 0xfff);
        if (chunk > n)
            chunk = n;
        uint64_t pa = mmu_translate(cpu, la, ACC_WRITE);
        uint8_t *p = bus_ram_ptr(cpu->bus, pa);
        if (cpu->port)
            cpu->port->access(cpu->port->opaque, cpu, s == src ? MEM_ACCESS_WRITE : MEM_ACCESS_WRITE_MORE, pa,
                              chunk, p == NULL);
        if (p) {
            if (bus_is_code_page(cpu->bus, pa)) {
                bus_code_written(cpu->bus, pa, chunk);
                cpu->block_exit = 1;
            }
            memcpy(p, s, chunk);
        } else {
            cpu->intr_quiet = 0;
            for (unsigned i = 0; i < chunk; i++)
                bus_mmio_write(cpu->bus, pa + i, 1, s[i], cpu);
        }
        s += chunk, la += chunk, n -= chunk;
    }
}
