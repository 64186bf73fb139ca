/* pagetable.c - host-built 4-level page tables (see pagetable.h). */
#include "mem/pagetable.h"

#include <string.h>

static uint64_t *table_at(const struct pagetable *pt, uint64_t pa)
{
    return (uint64_t *)bus_ram_ptr(pt->bus, pa & PTE_ADDR_MASK);
}

uint64_t pt_alloc_page(struct pagetable *pt)
{
    if (pt->next_free + 4096 > pt->limit)
        return 0;
    uint64_t pa = pt->next_free;
    pt->next_free += 4096;
    memset(bus_ram_ptr(pt->bus, pa), 0, 4096);
    return pa;
}

void pt_init(struct pagetable *pt, struct bus *bus, uint64_t alloc_base, uint64_t alloc_limit)
{
    pt->bus = bus;
    pt->next_free = (alloc_base + 4095) & ~4095ull;
    pt->limit = alloc_limit;
    pt->root = pt_alloc_page(pt);
}

/* The leaf PTE slot for va, creating intermediate tables when `create`. */
static uint64_t *leaf_slot(struct pagetable *pt, uint64_t va, bool create)
{
    uint64_t table = pt->root;
    for (int level = 3; level > 0; level--) {
        uint64_t *t = table_at(pt, table);
        uint64_t *e = &t[(va >> (12 + 9 * level)) & 511];
        if (!(*e & PTE_P)) {
            if (!create)
                return NULL;
            uint64_t page = pt_alloc_page(pt);
            if (!page)
                return NULL;
            /* Intermediate entries are permissive; the leaf decides access. */
            *e = page | PTE_P | PTE_W | PTE_U;
        }
        table = *e & PTE_ADDR_MASK;
    }
    return &table_at(pt, table)[(va >> 12) & 511];
}

bool pt_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *e = leaf_slot(pt, va, true);
    if (!e)
        return false;
    *e = (pa & PTE_ADDR_MASK) | flags | PTE_P;
    return true;
}

uint64_t pt_unmap(struct pagetable *pt, uint64_t va)
{
    uint64_t *e = leaf_slot(pt, va, false);
    if (!e)
        return 0;
    uint64_t old = *e;
    *e = 0;
    return old;
}

uint64_t pt_lookup(const struct pagetable *pt, uint64_t va)
{
    uint64_t *e = leaf_slot((struct pagetable *)pt, va, false);
    return e ? *e : 0;
}

bool pt_protect(struct pagetable *pt, uint64_t va, uint64_t flags)
{
    uint64_t *e = leaf_slot(pt, va, false);
    if (!e || !(*e & PTE_P))
        return false;
    *e = (*e & PTE_ADDR_MASK) | flags | PTE_P;
    return true;
}
