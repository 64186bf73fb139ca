/*
 * test_block.c - the decoded-block cache (host/cpu/block.c) stays exact:
 * self-modifying code in the running block and in a loop body, device and
 * host writes through bus_write_phys, writes through another virtual alias
 * of a code page (also when that alias already had a fast write path in the
 * TLB), instructions straddling two pages (decoded fresh each time; #PF with
 * CR2 = the second page when it is missing), blocks shared by virtual
 * aliases, jumps into the middle of a cached block, the arena flush, and
 * code one CPU decoded rewritten by another CPU on the same bus.
 */
#include "sysguest.h"

#define VA TG_TEST_VA
#define PA_A (TG_DATA + 0x0000)
#define PA_B (TG_DATA + 0x1000)
#define PA_C (TG_DATA + 0x3000)

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

static struct block_cache_stats stats(struct tg *t)
{
    return block_cache_stats(t->cpu->bc);
}

/* --------------------------------------------------- self-modifying code -- */

/*
 *  +0: mov dword [rip+1], 0x22222222   C7 05 01 00 00 00 22 22 22 22
 * +10: mov eax, 0x11111111             B8 11 11 11 11   (immediate at +11)
 * +15: hlt
 * All three are one decoded block; the store rewrites the second one.
 */
static void test_smc_same_block(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0xc7, 0x05, 0x01, 0x00, 0x00, 0x00, 0x22, 0x22, 0x22, 0x22,
                                    0xb8, 0x11, 0x11, 0x11, 0x11, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x22222222);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 16);
    assert_int_equal(tg_read32(t, TG_CODE + 11), 0x22222222);
    assert_true(stats(t).invalidations >= 1);
}

/*
 * A loop whose body patches its own `mov eax, imm32`:
 *      xor edx, edx; xor ecx, ecx
 * top: mov eax, 1                         (imm at top+1)
 *      add edx, eax
 *      mov dword [rip+disp], 10           -> top+1
 *      inc ecx; cmp ecx, 3; jne top
 *      hlt
 * edx = 1 + 10 + 10 with a coherent cache, 3 with a stale one.
 */
static void test_smc_loop_body(void **state)
{
    struct tg *t = *state;
    struct tg_asm a = { .n = 0 };
    tg_emit(&a, 4, 0x31, 0xd2, 0x31, 0xc9);
    size_t top = a.n;
    tg_mov_eax(&a, 1);
    tg_emit(&a, 2, 0x01, 0xc2);
    size_t store = a.n;
    tg_emit(&a, 2, 0xc7, 0x05);
    int32_t disp = (int32_t)((top + 1) - (store + 10));
    tg_emit32(&a, (uint32_t)disp);
    tg_emit32(&a, 10);
    tg_emit(&a, 2, 0xff, 0xc1);
    tg_emit(&a, 3, 0x83, 0xf9, 0x03);
    tg_emit(&a, 2, 0x75, (uint8_t)(int8_t)(top - (a.n + 2)));
    tg_emit(&a, 1, 0xf4);
    tg_code(t, TG_CODE, a.b, a.n);
    assert_int_equal(tg_run(t, TG_CODE, 1000), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RCX], 3);
    assert_int_equal(t->cpu->s.gpr[RDX], 21);
}

/* ------------------------------------------------- cross-modifying code -- */

/* A second CPU on the test system's bus, in long mode with the same tables. */
static struct cpu *second_cpu(struct tg *t)
{
    struct cpu *c = calloc(1, sizeof *c);
    assert_non_null(c);
    cpu_init(c, &t->bus, 1);
    cpu_enter_long_mode(c, t->pt.root, 0);
    c->s.gdtr = t->cpu->s.gdtr;
    c->s.idtr = t->cpu->s.idtr;
    c->s.tr = t->cpu->s.tr;
    c->s.gpr[RSP] = TG_STACK_TOP - 0x800;
    cpu_state_changed(c);
    return c;
}

/* mov rax, pa; mov dword [rax], imm; hlt */
static void store_program(struct tg *t, uint64_t at, uint64_t pa, uint32_t imm)
{
    struct tg_asm a = { .n = 0 };
    tg_emit(&a, 2, 0x48, 0xb8);
    tg_emit32(&a, (uint32_t)pa);
    tg_emit32(&a, (uint32_t)(pa >> 32));
    tg_emit(&a, 2, 0xc7, 0x00);
    tg_emit32(&a, imm);
    tg_emit(&a, 1, 0xf4);
    tg_code(t, at, a.b, a.n);
}

/*
 * CPU 1 writes the immediate of `mov eax, imm; hlt` that CPU 0 runs: once
 * before CPU 0 decoded it (CPU 1's TLB then holds a fast write path to the
 * page, which the decode must take away), once after. CPU 0 sees each
 * value: the block cache is shared and a code page's writes reach it from
 * any CPU (the machine's CPUs share one cache per bus).
 */
static void test_code_rewritten_by_another_cpu(void **state)
{
    struct tg *t = *state;
    struct cpu *c1 = second_cpu(t);
    static const uint8_t prog[] = { 0xb8, 0x00, 0x00, 0x00, 0x00, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    store_program(t, PA_A, TG_CODE + 1, 0x11111111);
    store_program(t, PA_B, TG_CODE + 1, 0x22222222);

    c1->s.rip = PA_A;
    assert_int_equal(cpu_run(c1, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x11111111);

    uint64_t inval = stats(t).invalidations;
    c1->s.halted = 0;
    c1->s.rip = PA_B;
    assert_int_equal(cpu_run(c1, 100), CPU_EXIT_HALT);
    assert_true(stats(t).invalidations > inval);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x22222222);
    cpu_free(c1);
    free(c1);
}

/* ------------------------------------------ writes by devices and the host -- */

static void test_device_write_drops_blocks(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 1);

    /* A device (DMA) patches the immediate through the bus: the next run sees it. */
    uint64_t inval = stats(t).invalidations;
    uint32_t imm = 0xdeadbeef;
    tg_write(t, TG_CODE + 1, &imm, 4);
    assert_int_equal(stats(t).invalidations, inval + 1);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0xdeadbeef);

    /*
     * Control: a write that bypasses the bus is not seen, which shows the
     * block really is cached (and why every writer must use the bus).
     */
    imm = 0x12345678;
    memcpy(t->ram + TG_CODE + 1, &imm, 4);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0xdeadbeef);

    /* A bus write to another part of the same page also drops it. */
    uint8_t zero = 0;
    tg_write(t, TG_CODE + 0x800, &zero, 1);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x12345678);

    /* A bus write to a different page does not. */
    imm = 0x55555555;
    memcpy(t->ram + TG_CODE + 1, &imm, 4);
    inval = stats(t).invalidations;
    tg_write(t, TG_CODE + 0x1000, &zero, 1);
    assert_int_equal(stats(t).invalidations, inval);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x12345678);
}

/*
 * Page reuse through a second virtual mapping: the kernel writes new code
 * through a data alias. The alias's TLB entry had a fast write path before
 * the page held code; decoding code from the page must take that away.
 */
static void test_write_through_alias(void **state)
{
    struct tg *t = *state;
    const uint64_t code_va = VA, data_va = VA + 0x10000;
    tg_map(t, code_va, PA_A, 0);
    tg_map(t, data_va, PA_A, PTE_W);
    static const uint8_t target[] = { 0xb8, 0x00, 0x00, 0x00, 0x00, 0xf4 };   /* mov eax, imm; hlt */
    tg_write(t, PA_A, target, sizeof target);
    /* mov byte [rbx+1], imm8; hlt */
    static const uint8_t poke_aa[] = { 0xc6, 0x43, 0x01, 0xaa, 0xf4 };
    static const uint8_t poke_bb[] = { 0xc6, 0x43, 0x01, 0xbb, 0xf4 };
    tg_code(t, TG_CODE, poke_aa, sizeof poke_aa);
    tg_code(t, TG_CODE + 0x10, poke_bb, sizeof poke_bb);
    t->cpu->s.gpr[RBX] = data_va;

    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);   /* write: fills a writable TLB entry */
    assert_true(*tg_pte(t, data_va) & PTE_D);
    assert_int_equal(tg_run(t, code_va, 100), CPU_EXIT_HALT);   /* the page now holds decoded code */
    assert_int_equal(t->cpu->s.gpr[RAX], 0xaa);
    assert_int_equal(tg_run(t, TG_CODE + 0x10, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_run(t, code_va, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0xbb);

    /* And the same with the bulk write path (mem_write_bytes), from the host side of the CPU. */
    uint8_t imm[4] = { 0x11, 0x22, 0x33, 0x44 };
    if (setjmp(t->cpu->fault_jmp) == 0)
        mem_write_bytes(t->cpu, data_va + 1, imm, 4);
    else
        fail_msg("mem_write_bytes faulted");
    assert_int_equal(tg_run(t, code_va, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x44332211);
}

/* The same physical code reached through two virtual addresses is decoded once. */
static void test_block_shared_by_aliases(void **state)
{
    struct tg *t = *state;
    tg_map(t, VA, PA_A, 0);
    tg_map(t, VA + 0x5000, PA_A, 0);
    static const uint8_t prog[] = { 0xb8, 0x07, 0x00, 0x00, 0x00, 0xf4 };
    tg_write(t, PA_A, prog, sizeof prog);
    assert_int_equal(tg_run(t, VA, 100), CPU_EXIT_HALT);
    uint64_t blocks = stats(t).blocks;
    assert_int_equal(tg_run(t, VA + 0x5000, 100), CPU_EXIT_HALT);
    assert_int_equal(stats(t).blocks, blocks);
    assert_int_equal(t->cpu->s.gpr[RAX], 7);
    assert_int_equal(t->cpu->s.rip, VA + 0x5006);
}

/* Entering a cached block's bytes at another offset decodes them from there. */
static void test_jump_into_middle(void **state)
{
    struct tg *t = *state;
    /* from +0: mov eax, 0xf4b09090 ; hlt      from +1: nop; nop; mov al, 0xf4; hlt */
    static const uint8_t prog[] = { 0xb8, 0x90, 0x90, 0xb0, 0xf4, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0xf4b09090);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 6);
    t->cpu->s.gpr[RAX] = 0x11111100;
    assert_int_equal(tg_run(t, TG_CODE + 1, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x111111f4);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 6);
    assert_int_equal(t->cpu->icount, 2 + 4);
}

/* An invalid instruction (#UD) replaced by a valid one. */
static void test_invalid_then_patched(void **state)
{
    struct tg *t = *state;
    tg_catch(t);
    static const uint8_t bad[] = { 0x06, 0xf4 };   /* push es: invalid in 64-bit mode */
    tg_code(t, TG_CODE, bad, sizeof bad);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_UD);
    assert_int_equal(t->exc_rip, TG_CODE);
    static const uint8_t good[] = { 0xb8, 0x05, 0x00, 0x00, 0x00, 0xf4 };
    tg_code(t, TG_CODE, good, sizeof good);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 5);
}

/* ------------------------------------------------------------ straddling -- */

/* mov eax, 0x44332211 (B8 11 22 33 44) placed so that `split` bytes lie on the first page. */
static void place_straddler(struct tg *t, unsigned split, uint64_t first_pa, uint64_t second_pa)
{
    static const uint8_t insn[] = { 0xb8, 0x11, 0x22, 0x33, 0x44, 0xf4 };
    tg_write(t, first_pa + 0x1000 - split, insn, split);
    tg_write(t, second_pa, insn + split, sizeof insn - split);
}

static void test_straddle_runs(void **state)
{
    struct tg *t = *state;
    tg_map(t, VA, PA_A, 0);
    tg_map(t, VA + 0x1000, PA_C, 0);   /* not physically adjacent */
    const uint64_t rip = VA + 0x1000 - 2;
    place_straddler(t, 2, PA_A, PA_C);
    uint64_t before = stats(t).straddlers;
    assert_int_equal(tg_run(t, rip, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x44332211);
    assert_int_equal(t->cpu->s.rip, VA + 0x1004);
    assert_int_equal(stats(t).straddlers, before + 1);

    /* It is decoded on every execution: even a write that bypasses the bus is seen. */
    t->ram[PA_C + 2] = 0x99;
    assert_int_equal(tg_run(t, rip, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x99332211);
    t->ram[PA_A + 0xfff] = 0x77;
    assert_int_equal(tg_run(t, rip, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x99332277);
    assert_int_equal(stats(t).straddlers, before + 3);

    /* The second page remapped elsewhere (and the TLB told): the new bytes are used. */
    tg_map(t, VA + 0x1000, PA_B, 0);
    place_straddler(t, 2, PA_A, PA_B);
    mmu_flush_page(t->cpu, VA + 0x1000);
    assert_int_equal(tg_run(t, rip, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x44332211);
}

static void test_straddle_second_page_missing(void **state)
{
    struct tg *t = *state;
    tg_catch(t);
    tg_map(t, VA, PA_A, 0);
    /* nop; then mov eax, imm32 with its opcode byte alone on the first page */
    static const uint8_t nop = 0x90;
    tg_write(t, PA_A + 0xffe, &nop, 1);
    place_straddler(t, 1, PA_A, PA_C);
    t->cpu->s.cr2 = 0;
    assert_int_equal(tg_run(t, VA + 0xffe, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_PF);
    assert_int_equal(t->exc_error, PFERR_I);
    assert_int_equal(t->exc_cr2, VA + 0x1000);
    assert_int_equal(t->exc_rip, VA + 0xfff);   /* the instruction's first byte */
    assert_int_equal(t->cpu->icount, 1);        /* the nop */

    /* Mapped, but supervisor-only for a user: P|U|I, same CR2 and RIP. */
    tg_map(t, VA, PA_A, PTE_U);
    tg_map(t, VA + 0x1000, PA_C, 0);
    tg_enter(t, 3);
    assert_int_equal(tg_run(t, VA + 0xfff, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_PF);
    assert_int_equal(t->exc_error, PFERR_P | PFERR_U | PFERR_I);
    assert_int_equal(t->exc_cr2, VA + 0x1000);
    assert_int_equal(t->exc_rip, VA + 0xfff);

    /* And the #PF is delivered with that RIP in the frame when no hook takes it. */
    tg_enter(t, 0);
    t->catch_exceptions = false;
    pt_unmap(&t->pt, VA + 0x1000);
    mmu_flush(t->cpu, true);
    assert_int_equal(tg_run(t, VA + 0xfff, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_PF);
    assert_int_equal(tg_read64(t, t->cpu->s.gpr[RSP]), PFERR_I);
    assert_int_equal(tg_read64(t, t->cpu->s.gpr[RSP] + 8), VA + 0xfff);
    assert_int_equal(t->cpu->s.cr2, VA + 0x1000);
}

/* A block ends at the end of its page; the next page's code comes from that page's current mapping. */
static void test_page_boundary_remap(void **state)
{
    struct tg *t = *state;
    tg_map(t, VA, PA_A, 0);
    tg_map(t, VA + 0x1000, PA_B, 0);
    static const uint8_t nops[] = { 0x90, 0x90 };
    static const uint8_t one[] = { 0xb8, 1, 0, 0, 0, 0xf4 }, two[] = { 0xb8, 2, 0, 0, 0, 0xf4 };
    tg_write(t, PA_A + 0xffe, nops, 2);
    tg_write(t, PA_B, one, sizeof one);
    tg_write(t, PA_C, two, sizeof two);
    assert_int_equal(tg_run(t, VA + 0xffe, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 1);
    tg_map(t, VA + 0x1000, PA_C, 0);
    mmu_flush_page(t->cpu, VA + 0x1000);
    assert_int_equal(tg_run(t, VA + 0xffe, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 2);
    assert_int_equal(t->cpu->s.rip, VA + 0x1006);
}

/* ------------------------------------------------------------ arena flush -- */

/* Enough single-instruction blocks (jmp +0) to overflow the 64 MiB arena at least once. */
static void test_arena_flush(void **state)
{
    struct tg *t = *state;
    const size_t njmp = 600000;
    const uint64_t base = 0x500000;   /* up to 0x500000 + 1.2 MB, below the 8 MiB end */
    uint8_t *p = t->ram + base;
    for (size_t i = 0; i < njmp; i++) {
        p[2 * i] = 0xeb;
        p[2 * i + 1] = 0x00;
    }
    static const uint8_t tail[] = { 0xb8, 0x34, 0x12, 0x00, 0x00, 0xf4 };
    memcpy(p + 2 * njmp, tail, sizeof tail);
    block_cache_flush(t->cpu->bc);

    uint64_t flushes = stats(t).flushes;
    assert_int_equal(tg_run(t, base, 10 * njmp), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x1234);
    assert_int_equal(t->cpu->icount, njmp + 2);
    assert_true(stats(t).flushes > flushes);

    /* Everything still runs after the flush, twice. */
    for (int i = 0; i < 2; i++) {
        t->cpu->s.gpr[RAX] = 0;
        assert_int_equal(tg_run(t, base, 10 * njmp), CPU_EXIT_HALT);
        assert_int_equal(t->cpu->s.gpr[RAX], 0x1234);
        assert_int_equal(t->cpu->s.rip, base + 2 * njmp + 6);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_smc_same_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smc_loop_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_code_rewritten_by_another_cpu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_write_drops_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_through_alias, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_shared_by_aliases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jump_into_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_then_patched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_straddle_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_straddle_second_page_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_boundary_remap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena_flush, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
