/*
 * pagetable.h - build x86-64 4-level page tables in guest physical memory.
 *
 * Used where the host constructs an address space itself: syscall emulation
 * (host/se/), the differential CPU tests, and synthetic guests. Physical pages
 * for tables and data come from a simple bump allocator over a RAM range.
 */
#ifndef M5SIM_MEM_PAGETABLE_H
#define M5SIM_MEM_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "mem/bus.h"

/* PTE bits. */
#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

struct pagetable {
    struct bus *bus;
    uint64_t root;          /* physical address of the PML4 (the CR3 value) */
    uint64_t next_free;     /* bump allocator: next free physical page */
    uint64_t limit;         /* end of the allocatable physical range */
};

/* Allocate physical pages from [alloc_base, alloc_limit) of RAM; allocates the PML4. */
void pt_init(struct pagetable *pt, struct bus *bus, uint64_t alloc_base, uint64_t alloc_limit);
/* A zeroed physical page; returns 0 when the range is exhausted. */
uint64_t pt_alloc_page(struct pagetable *pt);
/* Map one 4 KiB page va -> pa with PTE flags (P is implied). Returns false when out of memory. */
bool pt_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t flags);
/* Remove a 4 KiB mapping; returns the old PTE (0 if none). */
uint64_t pt_unmap(struct pagetable *pt, uint64_t va);
/* Current leaf PTE for va (4 KiB mappings only), or 0. */
uint64_t pt_lookup(const struct pagetable *pt, uint64_t va);
/* Change flags of an existing 4 KiB mapping, keeping its address; false if unmapped. */
bool pt_protect(struct pagetable *pt, uint64_t va, uint64_t flags);

#endif
