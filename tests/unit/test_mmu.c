/*
 * test_mmu.c - the MMU (host/cpu/mmu.c) on a hand-built system: 4-level
 * walks, page-fault error codes and CR2 for every permission rule,
 * accessed/dirty bits, the software TLB (stale until INVLPG / CR3 write /
 * flush, global pages), large pages, page-crossing and MMIO accesses, and
 * mmu_probe. Most cases call the MMU directly with faults caught; the
 * important ones also run as real instructions with the exception hook.
 */
#include "sysguest.h"

#define VA   TG_TEST_VA
#define PA_A (TG_DATA + 0x0000)
#define PA_B (TG_DATA + 0x1000)
#define PA_C (TG_DATA + 0x5000)

static int setup(void **state)
{
    *state = tg_new();
    return 0;
}

static int teardown(void **state)
{
    tg_free(*state);
    return 0;
}

static void set_cpl(struct tg *t, int cpl)
{
    t->cpu->s.cpl = (uint8_t)cpl;
}

/* --------------------------------------------------------- translation -- */

static void test_translate_4k(void **state)
{
    struct tg *t = *state;
    tg_map(t, VA, PA_A, PTE_W);
    tg_map(t, VA + 0x1000, PA_C, PTE_W);
    tg_write64(t, PA_A + 0x10, 0x1122334455667788ull);
    tg_write64(t, PA_C + 0x20, 0x99aabbccddeeff00ull);

    uint64_t pa = 0, v = 0;
    assert_int_equal(tg_try_translate(t->cpu, VA + 0x123, ACC_READ, &pa), -1);
    assert_int_equal(pa, PA_A + 0x123);
    assert_int_equal(tg_try_translate(t->cpu, VA + 0x1fff, ACC_WRITE, &pa), -1);
    assert_int_equal(pa, PA_C + 0xfff);
    assert_int_equal(tg_try_read(t->cpu, VA + 0x10, 8, &v), -1);
    assert_int_equal(v, 0x1122334455667788ull);
    assert_int_equal(tg_try_read(t->cpu, VA + 0x1020, 8, &v), -1);
    assert_int_equal(v, 0x99aabbccddeeff00ull);
    assert_int_equal(tg_try_write(t->cpu, VA + 0x1028, 4, 0xcafef00d), -1);
    assert_int_equal(tg_read32(t, PA_C + 0x28), 0xcafef00d);
}

/* ------------------------------------------------- page-fault error codes -- */

struct pf_case {
    const char *what;
    uint64_t pte;       /* leaf flags, 0 = not mapped */
    int cpl;
    bool wp, nxe;
    int acc;
    int vector;         /* -1: the access succeeds */
    uint32_t error;
};

static const struct pf_case pf_cases[] = {
    { "not present, supervisor read", 0, 0, true, true, ACC_READ, EXC_PF, 0x0 },
    { "not present, supervisor write", 0, 0, true, true, ACC_WRITE, EXC_PF, 0x2 },
    { "not present, supervisor fetch", 0, 0, true, true, ACC_EXEC, EXC_PF, 0x10 },
    { "not present, user read", 0, 3, true, true, ACC_READ, EXC_PF, 0x4 },
    { "not present, user write", 0, 3, true, true, ACC_WRITE, EXC_PF, 0x6 },
    { "not present, user fetch", 0, 3, true, true, ACC_EXEC, EXC_PF, 0x14 },
    { "not present, fetch without NXE has no I bit", 0, 0, true, false, ACC_EXEC, EXC_PF, 0x0 },
    { "supervisor page, user read", PTE_P | PTE_W, 3, true, true, ACC_READ, EXC_PF, 0x5 },
    { "supervisor page, user write", PTE_P | PTE_W, 3, true, true, ACC_WRITE, EXC_PF, 0x7 },
    { "supervisor page, user fetch", PTE_P | PTE_W, 3, true, true, ACC_EXEC, EXC_PF, 0x15 },
    { "supervisor page, implicit supervisor access at CPL3", PTE_P, 3, true, true, ACC_READ | ACC_SUPER, -1, 0 },
    { "user read-only page, user write", PTE_P | PTE_U, 3, true, true, ACC_WRITE, EXC_PF, 0x7 },
    { "user read-only page, user read", PTE_P | PTE_U, 3, true, true, ACC_READ, -1, 0 },
    { "user read-only page, user write, WP=0 too", PTE_P | PTE_U, 3, false, true, ACC_WRITE, EXC_PF, 0x7 },
    { "read-only page, supervisor write, WP=1", PTE_P, 0, true, true, ACC_WRITE, EXC_PF, 0x3 },
    { "read-only page, supervisor write, WP=0", PTE_P, 0, false, true, ACC_WRITE, -1, 0 },
    { "read-only user page, supervisor write, WP=1", PTE_P | PTE_U, 0, true, true, ACC_WRITE, EXC_PF, 0x3 },
    { "user page, supervisor read (no SMAP)", PTE_P | PTE_U, 0, true, true, ACC_READ, -1, 0 },
    { "NX page, supervisor fetch", PTE_P | PTE_W | PTE_NX, 0, true, true, ACC_EXEC, EXC_PF, 0x11 },
    { "NX page, supervisor read", PTE_P | PTE_W | PTE_NX, 0, true, true, ACC_READ, -1, 0 },
    { "NX user page, user fetch", PTE_P | PTE_U | PTE_NX, 3, true, true, ACC_EXEC, EXC_PF, 0x15 },
    { "NX bit without EFER.NXE is reserved (read)", PTE_P | PTE_W | PTE_NX, 0, true, false, ACC_READ, EXC_PF, 0x9 },
    { "NX bit without EFER.NXE is reserved (fetch)", PTE_P | PTE_W | PTE_NX, 0, true, false, ACC_EXEC, EXC_PF, 0x9 },
    { "reserved bit 51, supervisor read", PTE_P | PTE_W | (1ull << 51), 0, true, true, ACC_READ, EXC_PF, 0x9 },
    { "reserved bit 51, supervisor write", PTE_P | PTE_W | (1ull << 51), 0, true, true, ACC_WRITE, EXC_PF, 0xb },
    { "reserved bit 40, user read", PTE_P | PTE_U | (1ull << 40), 3, true, true, ACC_READ, EXC_PF, 0xd },
    { "reserved bit, user fetch", PTE_P | PTE_U | (1ull << 45), 3, true, true, ACC_EXEC, EXC_PF, 0x1d },
};

static void test_pf_error_codes(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    for (size_t i = 0; i < sizeof pf_cases / sizeof pf_cases[0]; i++) {
        const struct pf_case *c = &pf_cases[i];
        uint64_t va = VA + 0x10000 * (i + 1) + 0x345;
        if (c->pte) {
            tg_map(t, va, PA_A, 0);
            *tg_pte(t, va) = PA_A | c->pte;
        }
        cpu->s.cr0 = c->wp ? cpu->s.cr0 | CR0_WP : cpu->s.cr0 & ~CR0_WP;
        cpu->s.efer = c->nxe ? cpu->s.efer | EFER_NXE : cpu->s.efer & ~EFER_NXE;
        set_cpl(t, c->cpl);
        mmu_flush(cpu, true);
        cpu->s.cr2 = 0x5a5a;

        uint64_t pa = 0;
        int got = tg_try_translate(cpu, va, c->acc, &pa);
        if (got != c->vector || (got >= 0 && cpu->fault_error != c->error))
            fail_msg("%s: got vector %d error 0x%x, want vector %d error 0x%x", c->what, got,
                     cpu->fault_error, c->vector, c->error);
        if (got == EXC_PF) {
            assert_true(cpu->fault_has_error);
            if (cpu->s.cr2 != va)
                fail_msg("%s: CR2 0x%llx, want 0x%llx", c->what, (unsigned long long)cpu->s.cr2,
                         (unsigned long long)va);
        } else {
            assert_int_equal(pa, PA_A + 0x345);
            assert_int_equal(cpu->s.cr2, 0x5a5a);
        }
    }
}

/* The U/S and R/W bits of every level count, not just the leaf's. */
static void test_pf_intermediate_levels(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    uint64_t va = VA + 0x200000 * 5;   /* its own page table */
    tg_map(t, va, PA_A, PTE_W | PTE_U);
    uint64_t *pde = tg_entry(t, va, 1);
    uint64_t pa;

    set_cpl(t, 3);
    mmu_flush(cpu, true);
    assert_int_equal(tg_try_translate(cpu, va, ACC_WRITE, &pa), -1);

    *pde &= ~PTE_U;
    mmu_flush(cpu, true);
    assert_int_equal(tg_try_translate(cpu, va, ACC_READ, &pa), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x5);

    *pde |= PTE_U;
    *pde &= ~PTE_W;
    mmu_flush(cpu, true);
    assert_int_equal(tg_try_translate(cpu, va, ACC_READ, &pa), -1);
    assert_int_equal(tg_try_translate(cpu, va, ACC_WRITE, &pa), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x7);

    set_cpl(t, 0);
    mmu_flush(cpu, true);
    assert_int_equal(tg_try_translate(cpu, va, ACC_WRITE, &pa), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x3);

    /* Not present in the middle of the walk. */
    *pde = 0;
    mmu_flush(cpu, true);
    assert_int_equal(tg_try_translate(cpu, va, ACC_READ, &pa), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x0);
    assert_int_equal(cpu->s.cr2, va);

    /* Reserved bit in a PDPTE. */
    uint64_t *pdpte = tg_entry(t, va, 2);
    *pdpte |= 1ull << 50;
    mmu_flush(cpu, true);
    assert_int_equal(tg_try_translate(cpu, va, ACC_READ, &pa), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x9);
    *pdpte &= ~(1ull << 50);
}

/* A paging-structure entry pointing outside RAM gives a page fault, never a host access. */
static void test_pf_table_outside_ram(void **state)
{
    struct tg *t = *state;
    uint64_t va = VA + 0x200000 * 7;
    tg_map(t, va, PA_A, PTE_W);
    *tg_entry(t, va, 1) = 0x3000000000ull | PTE_P | PTE_W;   /* 192 GiB: no RAM there */
    mmu_flush(t->cpu, true);
    uint64_t v;
    assert_int_equal(tg_try_read(t->cpu, va, 8, &v), EXC_PF);
    assert_true(t->cpu->fault_error & PFERR_RSVD);
    assert_int_equal(t->cpu->s.cr2, va);
}

static void test_noncanonical_is_gp(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    uint64_t v;
    cpu->s.cr2 = 0x1234;
    assert_int_equal(tg_try_read(cpu, 0x0000800000000000ull, 8, &v), EXC_GP);
    assert_int_equal(cpu->fault_error, 0);
    assert_int_equal(tg_try_write(cpu, 0xffff7fffffffffffull, 1, 0), EXC_GP);
    assert_int_equal(tg_try_read(cpu, 0x8000000000000000ull, 1, &v), EXC_GP);
    assert_int_equal(cpu->s.cr2, 0x1234);   /* #GP does not touch CR2 */
    /* The highest canonical lower-half address is a normal (here not-present) page. */
    assert_int_equal(tg_try_read(cpu, 0x00007ffffffff000ull, 1, &v), EXC_PF);
    assert_int_equal(cpu->s.cr2, 0x00007ffffffff000ull);
}

/* ---------------------------------------- the same rules, as instructions -- */

/* mov rax, [rbx]; hlt */
static const uint8_t LOAD_RBX[] = { 0x48, 0x8b, 0x03, 0xf4 };
/* mov [rbx], eax; hlt */
static const uint8_t STORE_RBX[] = { 0x89, 0x03, 0xf4 };

static void test_insn_pf_not_present(void **state)
{
    struct tg *t = *state;
    tg_catch(t);
    tg_code(t, TG_CODE, LOAD_RBX, sizeof LOAD_RBX);
    t->cpu->s.gpr[RBX] = VA + 0x1238;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_STOP);
    assert_int_equal(t->nexc, 1);
    assert_int_equal(t->exc_vector, EXC_PF);
    assert_int_equal(t->exc_error, 0x0);
    assert_int_equal(t->exc_cr2, VA + 0x1238);
    assert_int_equal(t->exc_rip, TG_CODE);
    assert_int_equal(t->cpu->s.rip, TG_CODE);
    assert_int_equal(t->cpu->icount, 0);   /* the faulting load did not retire */
}

static void test_insn_pf_user_write_readonly(void **state)
{
    struct tg *t = *state;
    tg_catch(t);
    uint64_t code_va = VA + 0x100000;
    tg_map(t, code_va, TG_CODE, PTE_U);
    tg_map(t, VA, PA_A, PTE_U);          /* read-only for the user */
    tg_map(t, VA + 0x2000, PA_B, PTE_W); /* supervisor-only */
    tg_code(t, TG_CODE, STORE_RBX, sizeof STORE_RBX);
    tg_enter(t, 3);
    t->cpu->s.gpr[RAX] = 0x77;
    t->cpu->s.gpr[RBX] = VA + 8;
    assert_int_equal(tg_run(t, code_va, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_PF);
    assert_int_equal(t->exc_error, PFERR_P | PFERR_W | PFERR_U);
    assert_int_equal(t->exc_cr2, VA + 8);
    assert_int_equal(t->exc_rip, code_va);
    assert_int_equal(tg_read32(t, PA_A + 8), 0);

    /* A load from the supervisor page: P|U. */
    tg_code(t, TG_CODE, LOAD_RBX, sizeof LOAD_RBX);
    t->cpu->s.gpr[RBX] = VA + 0x2010;
    assert_int_equal(tg_run(t, code_va, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_PF);
    assert_int_equal(t->exc_error, PFERR_P | PFERR_U);
    assert_int_equal(t->exc_cr2, VA + 0x2010);
}

static void test_insn_wp(void **state)
{
    struct tg *t = *state;
    tg_catch(t);
    tg_map(t, VA, PA_A, 0);   /* read-only, supervisor */
    tg_code(t, TG_CODE, STORE_RBX, sizeof STORE_RBX);
    t->cpu->s.gpr[RAX] = 0xabcdef01;
    t->cpu->s.gpr[RBX] = VA + 0x40;

    /* CR0.WP=1: the supervisor may not write it either. */
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_PF);
    assert_int_equal(t->exc_error, PFERR_P | PFERR_W);
    assert_int_equal(tg_read32(t, PA_A + 0x40), 0);

    /* CR0.WP=0: it may. */
    t->cpu->s.cr0 &= ~CR0_WP;
    cpu_state_changed(t->cpu);
    t->nexc = 0;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->nexc, 0);
    assert_int_equal(tg_read32(t, PA_A + 0x40), 0xabcdef01);
}

static void test_insn_nx_fetch(void **state)
{
    struct tg *t = *state;
    tg_catch(t);
    tg_map(t, VA, PA_A, PTE_W | PTE_NX);
    static const uint8_t nops[] = { 0x90, 0xf4 };
    tg_write(t, PA_A + 0x10, nops, sizeof nops);
    static const uint8_t jmp_rbx[] = { 0xff, 0xe3 };
    tg_code(t, TG_CODE, jmp_rbx, sizeof jmp_rbx);
    t->cpu->s.gpr[RBX] = VA + 0x10;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_PF);
    assert_int_equal(t->exc_error, PFERR_P | PFERR_I);
    assert_int_equal(t->exc_cr2, VA + 0x10);
    assert_int_equal(t->exc_rip, VA + 0x10);   /* the jump retired; the fetch at its target faulted */
    assert_int_equal(t->cpu->icount, 1);

    /* The same bytes without NX run. */
    *tg_pte(t, VA) &= ~PTE_NX;
    mmu_flush_page(t->cpu, VA);
    t->nexc = 0;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->nexc, 0);
    assert_int_equal(t->cpu->s.rip, VA + 0x12);
}

static void test_insn_noncanonical(void **state)
{
    struct tg *t = *state;
    tg_catch(t);
    tg_code(t, TG_CODE, LOAD_RBX, sizeof LOAD_RBX);
    t->cpu->s.gpr[RBX] = 0x0000800000000000ull;
    t->cpu->s.cr2 = 0x77;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_GP);
    assert_int_equal(t->exc_error, 0);
    assert_int_equal(t->exc_rip, TG_CODE);
    assert_int_equal(t->cpu->s.cr2, 0x77);
}

/* ------------------------------------------------------ accessed / dirty -- */

static void clear_ad(struct tg *t, uint64_t va)
{
    for (int level = 3; level >= 0; level--)
        *tg_entry(t, va, level) &= ~(PTE_A | PTE_D);
    mmu_flush(t->cpu, true);
}

static void test_accessed_dirty(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    uint64_t va = VA + 0x200000 * 9;
    tg_map(t, va, PA_A, PTE_W);
    clear_ad(t, va);

    /* mmu_probe (host helpers) leaves A/D alone. */
    uint64_t pa = 0, v;
    assert_int_equal(mmu_probe(cpu, va, ACC_WRITE, &pa), 0);
    assert_int_equal(pa, PA_A);
    assert_int_equal(*tg_pte(t, va) & (PTE_A | PTE_D), 0);

    /* A read sets A at every level, and not D. */
    assert_int_equal(tg_try_read(cpu, va + 8, 8, &v), -1);
    for (int level = 3; level >= 0; level--)
        assert_true(*tg_entry(t, va, level) & PTE_A);
    assert_false(*tg_pte(t, va) & PTE_D);

    /* A write after that read (TLB filled by the read) must still set D. */
    assert_int_equal(tg_try_write(cpu, va + 8, 8, 42), -1);
    assert_true(*tg_pte(t, va) & PTE_D);
    assert_false(*tg_entry(t, va, 1) & PTE_D);   /* D only in the leaf */

    /* The guest cleans D and flushes that page: the next write sets it again. */
    *tg_pte(t, va) &= ~PTE_D;
    mmu_flush_page(cpu, va);
    assert_int_equal(tg_try_read(cpu, va, 1, &v), -1);
    assert_false(*tg_pte(t, va) & PTE_D);
    assert_int_equal(tg_try_write(cpu, va + 16, 1, 1), -1);
    assert_true(*tg_pte(t, va) & PTE_D);

    /* A faulting write sets no D. */
    tg_map(t, va + 0x1000, PA_B, 0);
    clear_ad(t, va + 0x1000);
    assert_int_equal(tg_try_write(cpu, va + 0x1000, 1, 1), EXC_PF);
    assert_false(*tg_pte(t, va + 0x1000) & PTE_D);
}

static void test_accessed_dirty_by_instructions(void **state)
{
    struct tg *t = *state;
    tg_map(t, VA, PA_A, PTE_W);
    tg_map(t, VA + 0x1000, PA_B, PTE_W);
    clear_ad(t, VA);
    clear_ad(t, VA + 0x1000);
    /* mov rax, [rbx]; mov [rcx], eax; hlt */
    static const uint8_t prog[] = { 0x48, 0x8b, 0x03, 0x89, 0x01, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.gpr[RBX] = VA;
    t->cpu->s.gpr[RCX] = VA + 0x1000;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(*tg_pte(t, VA) & (PTE_A | PTE_D), PTE_A);
    assert_int_equal(*tg_pte(t, VA + 0x1000) & (PTE_A | PTE_D), PTE_A | PTE_D);
}

/* ------------------------------------------------------------------- TLB -- */

static void test_tlb_stale_until_flush_page(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    tg_write64(t, PA_A, 0xaaaa);
    tg_write64(t, PA_B, 0xbbbb);
    tg_map(t, VA, PA_A, PTE_W | PTE_D | PTE_A);
    uint64_t v = 0;
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    assert_int_equal(v, 0xaaaa);

    /* Remap without telling the TLB: the old translation is still used, for reads and writes. */
    tg_map(t, VA, PA_B, PTE_W | PTE_D | PTE_A);
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    assert_int_equal(v, 0xaaaa);
    assert_int_equal(tg_try_write(cpu, VA + 8, 8, 0x1111), -1);
    assert_int_equal(tg_read64(t, PA_A + 8), 0x1111);

    /* Flushing another page changes nothing; flushing this one (any offset in it) does. */
    mmu_flush_page(cpu, VA + 0x1000);
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    assert_int_equal(v, 0xaaaa);
    mmu_flush_page(cpu, VA + 0x800);
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    assert_int_equal(v, 0xbbbb);
    assert_int_equal(tg_try_write(cpu, VA + 8, 8, 0x2222), -1);
    assert_int_equal(tg_read64(t, PA_B + 8), 0x2222);
    assert_int_equal(tg_read64(t, PA_A + 8), 0x1111);

    /* Unmapping: stale until flushed, then #PF. */
    pt_unmap(&t->pt, VA);
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    mmu_flush_page(cpu, VA);
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), EXC_PF);
}

/* A permission downgrade needs a flush too; a user TLB entry is separate from the supervisor one. */
static void test_tlb_permission_change(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    tg_map(t, VA, PA_A, PTE_W | PTE_U | PTE_D | PTE_A);
    set_cpl(t, 3);
    assert_int_equal(tg_try_write(cpu, VA, 4, 1), -1);
    pt_protect(&t->pt, VA, PTE_U | PTE_D | PTE_A);   /* read-only now */
    assert_int_equal(tg_try_write(cpu, VA, 4, 2), -1);   /* stale, as on hardware */
    mmu_flush_page(cpu, VA);
    assert_int_equal(tg_try_write(cpu, VA, 4, 3), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x7);
    assert_int_equal(tg_read32(t, PA_A), 2);

    /* A supervisor-only page cached for CPL0 is not usable from CPL3. */
    tg_map(t, VA + 0x1000, PA_B, PTE_W | PTE_D | PTE_A);
    set_cpl(t, 0);
    uint64_t v;
    assert_int_equal(tg_try_read(cpu, VA + 0x1000, 4, &v), -1);
    set_cpl(t, 3);
    assert_int_equal(tg_try_read(cpu, VA + 0x1000, 4, &v), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x5);
}

static void test_tlb_global(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    tg_write64(t, PA_A, 0xaaaa);
    tg_write64(t, PA_B, 0xbbbb);
    tg_map(t, VA, PA_A, PTE_W | PTE_G);
    tg_map(t, VA + 0x1000, PA_A, PTE_W);
    uint64_t v;
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    assert_int_equal(tg_try_read(cpu, VA + 0x1000, 8, &v), -1);
    tg_map(t, VA, PA_B, PTE_W | PTE_G);
    tg_map(t, VA + 0x1000, PA_B, PTE_W);

    mmu_flush(cpu, false);   /* a CR3 write: global entries survive */
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    assert_int_equal(v, 0xaaaa);
    assert_int_equal(tg_try_read(cpu, VA + 0x1000, 8, &v), -1);
    assert_int_equal(v, 0xbbbb);

    mmu_flush(cpu, true);
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    assert_int_equal(v, 0xbbbb);

    /* Without CR4.PGE the G bit means nothing. */
    cpu->s.cr4 &= ~CR4_PGE;
    mmu_flush(cpu, true);
    tg_map(t, VA, PA_A, PTE_W | PTE_G);
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    tg_map(t, VA, PA_B, PTE_W | PTE_G);
    mmu_flush(cpu, false);
    assert_int_equal(tg_try_read(cpu, VA, 8, &v), -1);
    assert_int_equal(v, 0xbbbb);
}

/*
 * The guest itself rewrites a PTE: the old mapping stays until INVLPG.
 *   mov rax,[rbx]; mov [rcx],rdx; mov r8,[rbx]; invlpg [rbx]; mov r9,[rbx]; hlt
 */
static void test_invlpg_instruction(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0x48, 0x8b, 0x03, 0x48, 0x89, 0x11, 0x4c, 0x8b, 0x03,
                                    0x0f, 0x01, 0x3b, 0x4c, 0x8b, 0x0b, 0xf4 };
    tg_write64(t, PA_A, 0xaaaa);
    tg_write64(t, PA_B, 0xbbbb);
    tg_map(t, VA, PA_A, PTE_W);
    uint64_t pte_pa = (uint64_t)((uint8_t *)tg_pte(t, VA) - t->ram);   /* identity-mapped for the guest */
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.gpr[RBX] = VA;
    t->cpu->s.gpr[RCX] = pte_pa;
    t->cpu->s.gpr[RDX] = PA_B | PTE_P | PTE_W;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0xaaaa);
    assert_int_equal(t->cpu->s.gpr[R8], 0xaaaa);
    assert_int_equal(t->cpu->s.gpr[R9], 0xbbbb);
    assert_int_equal(*tg_pte(t, VA) & PTE_ADDR_MASK, PA_B);
}

/*
 * A CR3 write (same value) flushes non-global translations, and keeps global ones.
 *   mov rax,[rbx]; mov [rcx],rdx; mov r8,[rbx]; mov cr3,r10; mov r9,[rbx]; hlt
 */
static void run_cr3_program(struct tg *t, uint64_t flags)
{
    static const uint8_t prog[] = { 0x48, 0x8b, 0x03, 0x48, 0x89, 0x11, 0x4c, 0x8b, 0x03,
                                    0x41, 0x0f, 0x22, 0xda, 0x4c, 0x8b, 0x0b, 0xf4 };
    tg_write64(t, PA_A, 0xaaaa);
    tg_write64(t, PA_B, 0xbbbb);
    tg_map(t, VA, PA_A, PTE_W | flags);
    mmu_flush(t->cpu, true);
    uint64_t pte_pa = (uint64_t)((uint8_t *)tg_pte(t, VA) - t->ram);
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.gpr[RBX] = VA;
    t->cpu->s.gpr[RCX] = pte_pa;
    t->cpu->s.gpr[RDX] = PA_B | PTE_P | PTE_W | flags;
    t->cpu->s.gpr[R10] = t->cpu->s.cr3;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0xaaaa);
    assert_int_equal(t->cpu->s.gpr[R8], 0xaaaa);
}

static void test_cr3_write_flushes(void **state)
{
    struct tg *t = *state;
    run_cr3_program(t, 0);
    assert_int_equal(t->cpu->s.gpr[R9], 0xbbbb);
}

static void test_cr3_write_keeps_global(void **state)
{
    struct tg *t = *state;
    run_cr3_program(t, PTE_G);
    assert_int_equal(t->cpu->s.gpr[R9], 0xaaaa);
}

/* ------------------------------------------------------------ large pages -- */

static void test_large_pages(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    const uint64_t va = 0x80000000ull, big = 0x600000ull;   /* 2 MiB aligned both */
    tg_map(t, va + 0x200000, PA_A, PTE_W);   /* builds the PML4E, PDPTE and PD */
    uint64_t *pde = tg_entry(t, va, 1);
    *pde = big | PTE_P | PTE_W | PTE_PS;
    mmu_flush(cpu, true);
    tg_write64(t, big + 0x12348, 0x5151515151ull);
    tg_write64(t, big + 0x1ff000, 0x6262ull);

    uint64_t v = 0, pa = 0;
    assert_int_equal(tg_try_read(cpu, va + 0x12348, 8, &v), -1);
    assert_int_equal(v, 0x5151515151ull);
    assert_int_equal(tg_try_read(cpu, va + 0x1ff000, 8, &v), -1);
    assert_int_equal(v, 0x6262);
    assert_int_equal(tg_try_translate(cpu, va + 0x1abcde, ACC_READ, &pa), -1);
    assert_int_equal(pa, big + 0x1abcde);
    assert_true(*pde & PTE_A);
    assert_false(*pde & PTE_D);
    assert_int_equal(tg_try_write(cpu, va + 0x100000, 4, 7), -1);
    assert_true(*pde & PTE_D);
    assert_int_equal(tg_read32(t, big + 0x100000), 7);

    /* Read-only large page at CPL3 with U: user write faults with P|W|U. */
    *pde = big | PTE_P | PTE_U | PTE_PS;
    mmu_flush(cpu, true);
    set_cpl(t, 3);
    assert_int_equal(tg_try_write(cpu, va + 0x5000, 4, 7), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x7);
    assert_int_equal(cpu->s.cr2, va + 0x5000);
    set_cpl(t, 0);

    /* Address bits 13..20 of a 2 MiB PDE are reserved. */
    *pde = big | 0x2000 | PTE_P | PTE_W | PTE_PS;
    mmu_flush(cpu, true);
    assert_int_equal(tg_try_read(cpu, va + 0x10, 8, &v), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x9);

    /* PS in a PML4E is reserved. */
    uint64_t *pml4e = tg_entry(t, va, 3);
    uint64_t saved = *pml4e;
    *pml4e |= PTE_PS;
    mmu_flush(cpu, true);
    assert_int_equal(tg_try_read(cpu, va + 0x200000, 8, &v), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x9);
    *pml4e = saved;
}

/* ---------------------------------------------------- page-crossing, MMIO -- */

static void test_cross_page(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    tg_map(t, VA, PA_A, PTE_W);
    tg_map(t, VA + 0x1000, PA_C, PTE_W);   /* not physically adjacent */
    static const uint8_t lo[] = { 0x11, 0x22, 0x33, 0x44 }, hi[] = { 0x55, 0x66, 0x77, 0x88 };
    tg_write(t, PA_A + 0xffc, lo, 4);
    tg_write(t, PA_C, hi, 4);

    uint64_t v = 0;
    assert_int_equal(tg_try_read(cpu, VA + 0xffc, 8, &v), -1);
    assert_int_equal(v, 0x8877665544332211ull);
    assert_int_equal(tg_try_read(cpu, VA + 0xfff, 2, &v), -1);
    assert_int_equal(v, 0x5544);

    assert_int_equal(tg_try_write(cpu, VA + 0xffe, 8, 0x0102030405060708ull), -1);
    uint8_t got[16];
    assert_int_equal(bus_read_phys(&t->bus, PA_A + 0xffc, got, 4), 0);
    assert_int_equal(bus_read_phys(&t->bus, PA_C, got + 4, 6), 0);
    static const uint8_t want[] = { 0x11, 0x22, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
    assert_memory_equal(got, want, sizeof want);

    uint8_t buf[64];
    assert_int_equal(tg_try_read_bytes(cpu, VA + 0xff0, buf, 32), -1);
    assert_memory_equal(buf + 12, want, sizeof want);
}

/* A write that faults on its second page leaves the first page untouched. */
static void test_cross_page_fault_is_atomic(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    tg_map(t, VA, PA_A, PTE_W);           /* second page VA+0x1000 unmapped */
    tg_write64(t, PA_A + 0xff8, 0x1111111111111111ull);

    assert_int_equal(tg_try_write(cpu, VA + 0xffc, 8, ~0ull), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x2);
    assert_int_equal(cpu->s.cr2, VA + 0x1000);
    assert_int_equal(tg_read64(t, PA_A + 0xff8), 0x1111111111111111ull);

    uint8_t src[100];
    memset(src, 0xee, sizeof src);
    assert_int_equal(tg_try_write_bytes(cpu, VA + 0xfc0, src, sizeof src), EXC_PF);
    assert_int_equal(cpu->s.cr2, VA + 0x1000);
    assert_int_equal(tg_read64(t, PA_A + 0xff8), 0x1111111111111111ull);

    /* Second page read-only for the user: P|W|U at the second page. */
    tg_map(t, VA, PA_A, PTE_W | PTE_U);
    tg_map(t, VA + 0x1000, PA_B, PTE_U);
    mmu_flush(cpu, true);
    set_cpl(t, 3);
    assert_int_equal(tg_try_write(cpu, VA + 0xffe, 4, 0), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x7);
    assert_int_equal(cpu->s.cr2, VA + 0x1000);
    assert_int_equal(tg_read64(t, PA_A + 0xff8), 0x1111111111111111ull);

    /* Read across into an unmapped page: CR2 is the second page too. */
    set_cpl(t, 0);
    pt_unmap(&t->pt, VA + 0x1000);
    mmu_flush(cpu, true);
    uint64_t v;
    assert_int_equal(tg_try_read(cpu, VA + 0xff9, 8, &v), EXC_PF);
    assert_int_equal(cpu->fault_error, 0x0);
    assert_int_equal(cpu->s.cr2, VA + 0x1000);
}

struct mmio_log {
    int reads, writes;
    uint64_t offset;
    unsigned size;
    uint64_t value;
    struct cpu *initiator;
};

static uint64_t mmio_rd(void *dev, uint64_t offset, unsigned size, struct cpu *initiator)
{
    struct mmio_log *l = dev;
    l->reads++;
    l->offset = offset;
    l->size = size;
    l->initiator = initiator;
    return 0x1122334455667788ull;
}

static void mmio_wr(void *dev, uint64_t offset, unsigned size, uint64_t value, struct cpu *initiator)
{
    struct mmio_log *l = dev;
    l->writes++;
    l->offset = offset;
    l->size = size;
    l->value = value;
    l->initiator = initiator;
}

static void test_mmio(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    struct mmio_log log = { 0 };
    bus_add_mmio(&t->bus, "test", 0xe0000000ull, 0x1000, mmio_rd, mmio_wr, &log);
    tg_map(t, VA, 0xe0000000ull, PTE_W);
    tg_map(t, VA + 0x1000, 0xd0000000ull, PTE_W);   /* nothing there */

    uint64_t v = 0;
    assert_int_equal(tg_try_read(cpu, VA + 0x10, 4, &v), -1);
    assert_int_equal(v, 0x55667788);
    assert_int_equal(log.offset, 0x10);
    assert_int_equal(log.size, 4);
    assert_ptr_equal(log.initiator, cpu);
    /* Every access reaches the device (nothing cached in the TLB's host path). */
    assert_int_equal(tg_try_read(cpu, VA + 0x18, 8, &v), -1);
    assert_int_equal(v, 0x1122334455667788ull);
    assert_int_equal(log.reads, 2);

    assert_int_equal(tg_try_write(cpu, VA + 0x20, 2, 0xbeef), -1);
    assert_int_equal(tg_try_write(cpu, VA + 0x20, 2, 0xbeef), -1);
    assert_int_equal(log.writes, 2);
    assert_int_equal(log.offset, 0x20);
    assert_int_equal(log.size, 2);
    assert_int_equal(log.value, 0xbeef);

    /* Unbacked physical addresses read as all ones and ignore writes. */
    assert_int_equal(tg_try_read(cpu, VA + 0x1000, 4, &v), -1);
    assert_int_equal(v, 0xffffffffu);
    assert_int_equal(tg_try_write(cpu, VA + 0x1000, 4, 0), -1);

    /* A load instruction from MMIO. */
    tg_code(t, TG_CODE, LOAD_RBX, sizeof LOAD_RBX);
    t->cpu->s.gpr[RBX] = VA + 0x100;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x1122334455667788ull);
    assert_int_equal(log.offset, 0x100);
    assert_int_equal(log.size, 8);
}

static void test_probe(void **state)
{
    struct tg *t = *state;
    struct cpu *cpu = t->cpu;
    tg_map(t, VA, PA_A, PTE_U);
    clear_ad(t, VA);
    uint64_t pa = 0;
    assert_int_equal(mmu_probe(cpu, VA + 0x44, ACC_READ, &pa), 0);
    assert_int_equal(pa, PA_A + 0x44);
    assert_int_equal(mmu_probe(cpu, VA + 0x1000, ACC_READ, &pa), 0x100);
    set_cpl(t, 3);
    assert_int_equal(mmu_probe(cpu, VA, ACC_WRITE, &pa), 0x100 | 0x7);
    assert_int_equal(mmu_probe(cpu, VA + 0x1000, ACC_WRITE, &pa), 0x100 | 0x6);
    assert_int_not_equal(mmu_probe(cpu, 0x0000800000000000ull, ACC_READ, &pa), 0);
    assert_int_equal(*tg_pte(t, VA) & (PTE_A | PTE_D), 0);
    assert_int_equal(cpu->s.cr2, 0);   /* probing never sets CR2 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_translate_4k, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pf_error_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pf_intermediate_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pf_table_outside_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_noncanonical_is_gp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insn_pf_not_present, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insn_pf_user_write_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insn_wp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insn_nx_fetch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insn_noncanonical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accessed_dirty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accessed_dirty_by_instructions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tlb_stale_until_flush_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tlb_permission_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tlb_global, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invlpg_instruction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cr3_write_flushes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cr3_write_keeps_global, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_page_fault_is_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mmio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
