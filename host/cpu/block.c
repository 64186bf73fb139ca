/* block.c - the decoded-instruction cache (see block.h). */
#include "cpu/block.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/exception.h"
#include "cpu/mmu.h"
#include "cpu/mode.h"
#include "mem/bus.h"
#include "util/log.h"

#define HASH_BITS 16
#define ARENA_SIZE (64u << 20)
#define MAX_CPUS 64

struct block_cache {
    struct bus *bus;
    struct block *hash[1u << HASH_BITS];
    struct block **page_head;  /* per physical page: blocks decoded from it */
    uint64_t npages;
    uint8_t *arena;
    size_t arena_used;
    struct cpu *cpus[MAX_CPUS];
    unsigned ncpus;
    struct block_cache_stats stats;
    /* A block for an instruction that straddles two pages: decoded on each execution, never cached. */
    struct block *scratch;
};

static unsigned hash_pa(uint64_t pa)
{
    return (unsigned)((pa * 0x9e3779b97f4a7c15ull) >> (64 - HASH_BITS));
}

static void code_written(void *opaque, uint64_t page_pa)
{
    block_cache_invalidate_page(opaque, page_pa);
}

struct block_cache *block_cache_for_bus(struct bus *bus)
{
    if (bus->block_cache)
        return bus->block_cache;
    struct block_cache *bc = calloc(1, sizeof(*bc));
    if (!bc)
        fatal("cpu", "out of memory for the block cache");
    bc->bus = bus;
    bc->npages = (bus->ram_top + 4095) >> 12;
    bc->page_head = calloc(bc->npages ? bc->npages : 1, sizeof(*bc->page_head));
    bc->arena = aligned_alloc(64, ARENA_SIZE);
    bc->scratch = aligned_alloc(64, sizeof(struct block) + sizeof(struct insn));
    bus->code_bitmap = calloc((bc->npages + 7) / 8 + 1, 1);
    if (!bc->page_head || !bc->arena || !bc->scratch || !bus->code_bitmap)
        fatal("cpu", "out of memory for the block cache");
    bus->code_written = code_written;
    bus->code_opaque = bc;
    bus->block_cache = bc;
    return bc;
}

void block_cache_free(struct block_cache *bc)
{
    if (!bc)
        return;
    bc->bus->block_cache = NULL;
    bc->bus->code_written = NULL;
    free(bc->bus->code_bitmap);
    bc->bus->code_bitmap = NULL;
    free(bc->page_head);
    free(bc->arena);
    free(bc->scratch);
    free(bc);
}

void block_cache_add_cpu(struct block_cache *bc, struct cpu *cpu)
{
    for (unsigned i = 0; i < bc->ncpus; i++)
        if (bc->cpus[i] == cpu)
            return;
    if (bc->ncpus == MAX_CPUS)
        fatal("cpu", "too many CPUs");
    bc->cpus[bc->ncpus++] = cpu;
}

static unsigned jc_page_bit(uint64_t la)
{
    return (unsigned)(((la >> 12) * 0x9e3779b97f4a7c15ull) >> (64 - JC_PAGE_BITS));
}

void jc_invalidate(struct cpu *cpu, bool keep_global)
{
    cpu->jc_gen = ++cpu->jc_counter;
    if (!keep_global) {
        cpu->jc_gen_global = ++cpu->jc_counter;
        memset(cpu->jc_pages, 0, sizeof(cpu->jc_pages));
    }
}

void jc_invalidate_page(struct cpu *cpu, uint64_t la)
{
    unsigned bit = jc_page_bit(la);
    if (cpu->jc_pages[bit / 64] & (1ull << (bit % 64)))
        jc_invalidate(cpu, false);
}

/* Every CPU's jump cache forgets its blocks (they were invalidated or their memory is reused). */
static void forget_blocks(struct block_cache *bc)
{
    for (unsigned i = 0; i < bc->ncpus; i++) {
        bc->cpus[i]->block_exit = 1;
        jc_invalidate(bc->cpus[i], false);
    }
}

void block_cache_flush(struct block_cache *bc)
{
    /* An empty cache (the flushes of CPU reset and setup) need not clear its tables again. */
    if (bc->arena_used) {
        memset(bc->hash, 0, sizeof(bc->hash));
        memset(bc->page_head, 0, bc->npages * sizeof(*bc->page_head));
        memset(bc->bus->code_bitmap, 0, (bc->npages + 7) / 8 + 1);
        bc->arena_used = 0;
    }
    bc->stats.flushes++;
    forget_blocks(bc);
}

void block_cache_invalidate_page(struct block_cache *bc, uint64_t page_pa)
{
    uint64_t pfn = page_pa >> 12;
    if (pfn >= bc->npages)
        return;
    for (struct block *b = bc->page_head[pfn]; b; b = b->page_next)
        b->pa = ~0ull;  /* unlinked lazily from its hash chain */
    bc->page_head[pfn] = NULL;
    bc->bus->code_bitmap[pfn >> 3] &= (uint8_t)~(1u << (pfn & 7));
    bc->stats.invalidations++;
    forget_blocks(bc);
}

/* A page starts holding decoded code: no CPU may keep a fast write path to it. */
static void mark_code_page(struct block_cache *bc, uint64_t pfn)
{
    uint8_t bit = (uint8_t)(1u << (pfn & 7));
    if (bc->bus->code_bitmap[pfn >> 3] & bit)
        return;
    bc->bus->code_bitmap[pfn >> 3] |= bit;
    for (unsigned c = 0; c < bc->ncpus; c++) {
        struct cpu *cpu = bc->cpus[c];
        if (!cpu->tlb_tracked) {
            for (unsigned i = 0; i < TLB_SIZE; i++)
                if (cpu->tlb_info[i].pa == pfn << 12)
                    cpu->tlb[i].tag_write = TLB_NONE;
            continue;
        }
        for (unsigned k = 0; k < cpu->tlb_nused; k++) {   /* the slots filled since their last flush */
            unsigned i = cpu->tlb_used[k];
            if (cpu->tlb_info[i].pa == pfn << 12)
                cpu->tlb[i].tag_write = TLB_NONE;
        }
    }
}

static struct block *lookup(struct block_cache *bc, uint64_t pa, unsigned mode)
{
    struct block **link = &bc->hash[hash_pa(pa)];
    for (struct block *b = *link; b; b = *link) {
        if (b->pa == pa && b->mode == mode)
            return b;
        if (b->pa == ~0ull) {
            *link = b->hash_next;  /* drop an invalidated block from the chain */
            continue;
        }
        link = &b->hash_next;
    }
    return NULL;
}

/*
 * Decode an instruction that continues past the end of its page: fetch the
 * next page (which may raise #PF, as the CPU would when it needs those bytes).
 */
static void decode_straddler(struct cpu *cpu, uint64_t rip, const uint8_t *p, unsigned avail,
                             unsigned mode, struct insn *out)
{
    uint8_t buf[16];
    memcpy(buf, p, avail);
    uint64_t pa2 = mmu_translate(cpu, rip + avail, ACC_EXEC);
    uint8_t *p2 = bus_ram_ptr(cpu->bus, pa2);
    if (!p2)
        cpu_raise_gp0(cpu);
    memcpy(buf + avail, p2, 16 - avail);
    decode_insn_mode(buf, 16, mode, out);
}

/* Enter b in the jump cache, under the generation of the translation of rip just used (in the TLB). */
static struct block *remember(struct cpu *cpu, uint64_t rip, struct block *b)
{
    struct jc_entry *e = jc_entry_for(cpu, rip);
    unsigned bit = jc_page_bit(rip);
    e->rip = rip;
    e->gen = cpu->tlb_info[tlb_index(rip)].global ? cpu->jc_gen_global : cpu->jc_gen;
    e->b = b;
    e->n = b->n;
    e->machine = b->machine;
    cpu->jc_pages[bit / 64] |= 1ull << (bit % 64);
    return b;
}

/* The block at linear address la (pa) decoded for `mode`, from the cache or decoded now. */
static struct block *block_find(struct cpu *cpu, uint64_t la, uint64_t pa, unsigned mode)
{
    struct block_cache *bc = cpu->bc;
    struct block *b = lookup(bc, pa, mode);
    if (b)
        return b;

    uint8_t *p = bus_ram_ptr(cpu->bus, pa);
    if (!p)
        cpu_raise_gp0(cpu);  /* executing from MMIO: not supported */

    size_t need = sizeof(struct block) + BLOCK_MAX_INSNS * sizeof(struct insn);
    if (bc->arena_used + need > ARENA_SIZE)
        block_cache_flush(bc);
    b = (struct block *)(bc->arena + bc->arena_used);

    unsigned off = (unsigned)(pa & 0xfff), n = 0;
    while (n < BLOCK_MAX_INSNS && off < 4096) {
        struct insn *in = &b->insns[n];
        const uint8_t *at = p - (pa & 0xfff) + off;
        if (decode_insn_mode(at, 4096 - off, mode, in) == DECODE_NEED_MORE) {
            if (n > 0)
                break;  /* end the block before it; it will start a block of its own */
            /* Executed alone and never cached: its bytes live on two pages. */
            decode_straddler(cpu, la, at, 4096 - off, mode, &bc->scratch->insns[0]);
            bc->scratch->pa = ~0ull;
            bc->scratch->n = 1;
            bc->scratch->bytes = bc->scratch->insns[0].len;
            bc->scratch->machine = bc->scratch->insns[0].machine;
            bc->scratch->insns[0].last = 1;
            bc->stats.straddlers++;
            return bc->scratch;
        }
        n++;
        off += in->len;
        if (in->ends_block)
            break;
    }

    b->pa = pa;
    b->n = n;
    b->bytes = off - (unsigned)(pa & 0xfff);
    b->mode = (uint8_t)mode;
    b->machine = 0;
    for (unsigned i = 0; i < n; i++)
        b->machine |= b->insns[i].machine;
    b->insns[n - 1].last = 1;
    bc->arena_used += sizeof(struct block) + n * sizeof(struct insn);   /* stays 64-byte aligned */
    uint64_t pfn = pa >> 12;
    unsigned h = hash_pa(pa);
    b->hash_next = bc->hash[h];
    bc->hash[h] = b;
    b->page_next = bc->page_head[pfn];
    bc->page_head[pfn] = b;
    mark_code_page(bc, pfn);
    bc->stats.blocks++;
    bc->stats.insns += n;
    return b;
}

const struct block *block_get_slow(struct cpu *cpu, uint64_t rip)
{
    uint64_t pa = mmu_translate(cpu, rip, ACC_EXEC);
    struct block *b = block_find(cpu, rip, pa, CPU_MODE_64);
    return b == cpu->bc->scratch ? b : remember(cpu, rip, b);
}

const struct block *block_get_legacy(struct cpu *cpu)
{
    uint64_t la = (uint32_t)(cpu->s.seg[SEG_CS].base + cpu->s.rip);
    return block_find(cpu, la, mmu_translate(cpu, la, ACC_EXEC), cpu->mode);
}

struct block_cache_stats block_cache_stats(const struct block_cache *bc)
{
    return bc->stats;
}

/*
 * For the run loop: the jump cache entry of the block at rip, after
 * block_get_slow(). A block that is not cached (it holds an instruction that
 * straddles two pages) comes in a scratch entry.
 */
const struct jc_entry *block_lookup_slow(struct cpu *cpu, uint64_t rip)
{
    static struct jc_entry scratch;   /* one CPU runs at a time */
    const struct block *b = block_get_slow(cpu, rip);
    const struct jc_entry *e = jc_entry_for(cpu, rip);
    if (e->b == b && e->rip == rip)
        return e;
    scratch = (struct jc_entry){ .rip = rip, .b = b, .n = b->n, .machine = b->machine };
    return &scratch;
}
