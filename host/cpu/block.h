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

#include "cpu/insn.h"

struct bus;
struct cpu;

#define BLOCK_MAX_INSNS 64

struct block {
    uint64_t pa;               /* physical address of the first instruction; ~0 once invalidated */
    struct block *hash_next;
    struct block *page_next;   /* other blocks decoded from the same page */
    uint32_t n;                /* instructions */
    struct insn insns[];
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
 * which may raise #PF). Decodes and caches it on a miss.
 */
const struct block *block_get(struct cpu *cpu, uint64_t rip);

struct block_cache_stats { uint64_t blocks, insns, flushes, invalidations, straddlers; };
struct block_cache_stats block_cache_stats(const struct block_cache *bc);

#endif
