/*
 * test_pagetable.c - host-built page tables (host/mem/pagetable.c): the
 * bump allocator (aligned, zeroed pages, exhaustion reported), pt_map's
 * table structure walked by hand exactly as the hardware indexes it (lower
 * and upper canonical halves), permissive intermediate entries, sharing of
 * tables between neighbouring pages, pt_lookup / pt_unmap / pt_protect, and
 * running out of table pages without corrupting anything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mem/bus.h"
#include "mem/pagetable.h"

#define RAM_SIZE (1u << 20)
#define POOL 0x10000ull

struct fx {
    struct bus bus;
    uint8_t *ram;
    struct pagetable pt;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->ram = malloc(RAM_SIZE);
    memset(f->ram, 0xcc, RAM_SIZE);   /* dirty: allocated pages must come back zeroed */
    bus_init(&f->bus);
    bus_add_ram(&f->bus, 0, RAM_SIZE, f->ram);
    pt_init(&f->pt, &f->bus, POOL + 0x123, POOL + 0x20000);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    free(f->ram);
    free(f);
    return 0;
}

static uint64_t entry(struct fx *f, uint64_t table, unsigned index)
{
    uint64_t v;
    memcpy(&v, f->ram + table + 8ull * index, 8);
    return v;
}

/* Walk like the MMU: PML4 index bits 47:39, PDPT 38:30, PD 29:21, PT 20:12. */
static uint64_t walk(struct fx *f, uint64_t va, uint64_t *pte_out)
{
    uint64_t table = f->pt.root;
    for (int level = 3; level > 0; level--) {
        uint64_t e = entry(f, table, (unsigned)((va >> (12 + 9 * level)) & 511));
        if (!(e & PTE_P))
            return ~0ull;
        assert_int_equal(e & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W | PTE_U);   /* permissive */
        assert_false(e & PTE_NX);
        table = e & PTE_ADDR_MASK;
    }
    uint64_t pte = entry(f, table, (unsigned)((va >> 12) & 511));
    *pte_out = pte;
    if (!(pte & PTE_P))
        return ~0ull;
    return (pte & PTE_ADDR_MASK) | (va & 0xfff);
}

static void test_init(void **state)
{
    struct fx *f = *state;
    assert_int_equal(f->pt.root, POOL + 0x1000);   /* rounded up to a page */
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(entry(f, f->pt.root, i), 0);
    assert_int_equal(f->pt.next_free, POOL + 0x2000);
    uint64_t p = pt_alloc_page(&f->pt);
    assert_int_equal(p, POOL + 0x2000);
    for (unsigned i = 0; i < 4096; i++)
        assert_int_equal(f->ram[p + i], 0);
    assert_int_equal(f->ram[p + 4096], 0xcc);   /* and nothing beyond it */
}

static void test_map_and_walk(void **state)
{
    struct fx *f = *state;
    uint64_t before = f->pt.next_free;
    assert_true(pt_map(&f->pt, 0x400000, 0x5000, PTE_W | PTE_U));
    assert_int_equal(f->pt.next_free, before + 3 * 4096);   /* PDPT, PD, PT */
    uint64_t pte = 0;
    assert_int_equal(walk(f, 0x400123, &pte), 0x5123);
    assert_int_equal(pte, 0x5000 | PTE_P | PTE_W | PTE_U);

    /* A neighbour shares every table; a page 2 MiB away needs a new PT only. */
    assert_true(pt_map(&f->pt, 0x401000, 0x9000, 0));
    assert_int_equal(f->pt.next_free, before + 3 * 4096);
    assert_int_equal(walk(f, 0x401fff, &pte), 0x9fff);
    assert_int_equal(pte, 0x9000 | PTE_P);
    assert_true(pt_map(&f->pt, 0x600000, 0xa000, PTE_NX));
    assert_int_equal(f->pt.next_free, before + 4 * 4096);
    assert_int_equal(walk(f, 0x600000, &pte), 0xa000);
    assert_true(pte & PTE_NX);

    /* The upper canonical half (PML4 index 511 for the top 512 GiB). */
    const uint64_t high = 0xffffffff80001000ull;
    assert_true(pt_map(&f->pt, high, 0xb000, PTE_W | PTE_G));
    assert_int_equal(walk(f, high + 0x10, &pte), 0xb010);
    assert_true(pte & PTE_G);
    assert_true(entry(f, f->pt.root, 511) & PTE_P);
    assert_true(entry(f, f->pt.root, 0) & PTE_P);
    for (unsigned i = 1; i < 511; i++)
        assert_int_equal(entry(f, f->pt.root, i), 0);

    /* Low address bits of pa never leak into the flags. */
    assert_true(pt_map(&f->pt, 0x402000, 0x7fff, 0));
    assert_int_equal(walk(f, 0x402000, &pte), 0x7000);
    assert_int_equal(pte, 0x7000 | PTE_P);
    /* Remapping replaces. */
    assert_true(pt_map(&f->pt, 0x400000, 0xc000, PTE_U));
    assert_int_equal(walk(f, 0x400000, &pte), 0xc000);
    assert_int_equal(pte, 0xc000 | PTE_P | PTE_U);
}

static void test_lookup_unmap_protect(void **state)
{
    struct fx *f = *state;
    assert_int_equal(pt_lookup(&f->pt, 0x400000), 0);   /* no tables at all */
    assert_true(pt_map(&f->pt, 0x400000, 0x5000, PTE_W | PTE_U | PTE_NX));
    assert_int_equal(pt_lookup(&f->pt, 0x400abc), 0x5000 | PTE_P | PTE_W | PTE_U | PTE_NX);
    assert_int_equal(pt_lookup(&f->pt, 0x401000), 0);   /* table exists, entry empty */

    assert_true(pt_protect(&f->pt, 0x400000, PTE_U));
    assert_int_equal(pt_lookup(&f->pt, 0x400000), 0x5000 | PTE_P | PTE_U);
    assert_false(pt_protect(&f->pt, 0x401000, PTE_W));
    assert_false(pt_protect(&f->pt, 0x7000000000ull, PTE_W));
    assert_int_equal(pt_lookup(&f->pt, 0x401000), 0);

    assert_int_equal(pt_unmap(&f->pt, 0x400000), 0x5000 | PTE_P | PTE_U);
    assert_int_equal(pt_lookup(&f->pt, 0x400000), 0);
    uint64_t pte;
    assert_int_equal(walk(f, 0x400000, &pte), ~0ull);
    assert_int_equal(pt_unmap(&f->pt, 0x400000), 0);
    assert_int_equal(pt_unmap(&f->pt, 0x7000000000ull), 0);
    assert_false(pt_protect(&f->pt, 0x400000, PTE_W));   /* not present any more */
}

static void test_exhaustion(void **state)
{
    struct fx *f = *state;
    struct pagetable small;
    pt_init(&small, &f->bus, 0x80000, 0x80000 + 3 * 4096);   /* root + 2 pages */
    assert_int_not_equal(small.root, 0);
    static uint8_t snapshot[RAM_SIZE - 0x80000];
    memcpy(snapshot, f->ram + 0x80000, sizeof snapshot);
    assert_false(pt_map(&small, 0x400000, 0x5000, PTE_W));   /* needs three */
    assert_int_equal(pt_alloc_page(&small), 0);
    assert_int_equal(pt_lookup(&small, 0x400000), 0);
    /* Nothing outside the allowed range was written. */
    assert_memory_equal(f->ram + 0x80000 + 3 * 4096, snapshot + 3 * 4096, sizeof snapshot - 3 * 4096);
    /* Still out of pages for the next one, and still no half-built mapping. */
    assert_false(pt_map(&small, 0x401000, 0x6000, 0));
    assert_int_equal(pt_lookup(&small, 0x401000), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_and_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_unmap_protect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
