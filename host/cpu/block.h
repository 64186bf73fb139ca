/*
 * block.h - the decoded-instruction cache: straight-line blocks of decoded
 * instructions keyed by the guest-physical address of their first byte.
 *
 * Blocks never span a page (an instruction that straddles a page boundary is
 * decoded on every execution instead), so dropping the blocks of one page on
 * a write to it (self-modifying code, page reuse by the guest kernel) keeps
 * the cache exact. Blocks live in an arena that is emptied as a whole when
 * full; an invalidated block is unlinked but its memory stays valid until the
 * next flush, so the block being executed may safely finish its instruction.
 */
#ifndef M5SIM_CPU_BLOCK_H
#define M5SIM_CPU_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "cpu/insn.h"

struct bus;
struct cpu;

#define BLOCK_MAX_INSNS 64

struct block {
    uint64_t pa;               /* physical address of the first instruction; ~0 once invalidated */
    struct block *hash_next;
    struct block *page_next;   /* other blocks decoded from the same page */
    uint32_t n;                /* instructions */
    uint32_t bytes;            /* their length in all (the block's fetch: pa .. pa + bytes - 1) */
    uint8_t machine;           /* one of them may reach the machine (insn.machine) */
    uint8_t mode;              /* the CPU mode it was decoded for (mode.h): part of its key */
    struct insn insns[] __attribute__((aligned(64)));  /* each record exactly two cache lines */
};

struct block_cache;

/* The cache shared by every CPU on `bus` (created on first use). */
struct block_cache *block_cache_for_bus(struct bus *bus);
void block_cache_free(struct block_cache *bc);
/* Register a CPU whose TLB must lose write permission on pages that become code pages. */
void block_cache_add_cpu(struct block_cache *bc, struct cpu *cpu);
void block_cache_flush(struct block_cache *bc);
void block_cache_invalidate_page(struct block_cache *bc, uint64_t page_pa);

/*
 * The block starting at linear address `rip` (translated for execution,
 * which may raise #PF), in 64-bit mode. Decodes and caches it on a miss.
 *
 * The jump cache (cpu.h) answers most lookups without translating `rip` or
 * searching the physical hash; block_get_slow() does both and refills it.
 */
const struct block *block_get_slow(struct cpu *cpu, uint64_t rip);
const struct jc_entry *block_lookup_slow(struct cpu *cpu, uint64_t rip);
/*
 * Outside 64-bit mode (cpu->mode, mode.h): the block at CS.base + IP,
 * decoded for the current mode. The jump cache is not used: these modes
 * only run start-up code, through the run loop's general path.
 */
const struct block *block_get_legacy(struct cpu *cpu);

static inline struct jc_entry *jc_entry_for(struct cpu *cpu, uint64_t rip)
{
    unsigned i = ((unsigned)rip ^ (unsigned)(rip >> JC_BITS)) & (JC_SIZE - 1);
    return &cpu->jc[i | (unsigned)(cpu->s.cpl == 3) << JC_BITS];
}

static inline const struct block *block_get(struct cpu *cpu, uint64_t rip)
{
    const struct jc_entry *e = jc_entry_for(cpu, rip);
    uint64_t gen = e->gen;
    if (__builtin_expect(e->rip == rip && (gen == cpu->jc_gen || gen == cpu->jc_gen_global), 1))
        return e->b;
    return block_get_slow(cpu, rip);
}

/* The same, as the jump cache entry that holds the block (for the run loop). */
static inline const struct jc_entry *block_lookup(struct cpu *cpu, uint64_t rip)
{
    const struct jc_entry *e = jc_entry_for(cpu, rip);
    uint64_t gen = e->gen;
    if (__builtin_expect(e->rip == rip && (gen == cpu->jc_gen || gen == cpu->jc_gen_global), 1))
        return e;
    return block_lookup_slow(cpu, rip);
}

/*
 * Invalidate the jump cache (cpu.h): all of it, or with keep_global only the
 * entries reached through non-global translations; or only if it may hold a
 * block from the page of `la` (INVLPG).
 */
void jc_invalidate(struct cpu *cpu, bool keep_global);
void jc_invalidate_page(struct cpu *cpu, uint64_t la);

struct block_cache_stats { uint64_t blocks, insns, flushes, invalidations, straddlers; };
struct block_cache_stats block_cache_stats(const struct block_cache *bc);

#endif
