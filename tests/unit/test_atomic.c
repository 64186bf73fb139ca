/*
 * test_atomic.c - the atomic CPU's run loop (host/cpu/atomic.c): the
 * instruction budget is exact across and inside blocks, HLT stops the run
 * and stays halted, hooks stop the CPU at an instruction boundary
 * (cpu_request_exit), interrupts are polled at block boundaries only while
 * IF=1, and a faulting instruction neither retires nor moves RIP.
 */
#include "sysguest.h"

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

/* inc ecx; jmp -4 */
static const uint8_t LOOP[] = { 0xff, 0xc1, 0xeb, 0xfc };

static void test_budget_exact(void **state)
{
    struct tg *t = *state;
    tg_code(t, TG_CODE, LOOP, sizeof LOOP);
    assert_int_equal(tg_run(t, TG_CODE, 1001), CPU_EXIT_BUDGET);
    assert_int_equal(t->cpu->icount, 1001);
    assert_int_equal(t->cpu->s.gpr[RCX], 501);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 2);   /* stopped between inc and jmp */

    assert_int_equal(cpu_run(t->cpu, 1), CPU_EXIT_BUDGET);
    assert_int_equal(t->cpu->icount, 1002);
    assert_int_equal(t->cpu->s.rip, TG_CODE);
    assert_int_equal(t->cpu->s.gpr[RCX], 501);

    assert_int_equal(cpu_run(t->cpu, 0), CPU_EXIT_BUDGET);
    assert_int_equal(t->cpu->icount, 1002);
    assert_int_equal(t->cpu->s.rip, TG_CODE);
}

static void test_budget_inside_block(void **state)
{
    struct tg *t = *state;
    uint8_t prog[11];
    memset(prog, 0x90, 10);
    prog[10] = 0xf4;
    tg_code(t, TG_CODE, prog, sizeof prog);
    assert_int_equal(tg_run(t, TG_CODE, 3), CPU_EXIT_BUDGET);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 3);
    assert_int_equal(t->cpu->icount, 3);
    assert_int_equal(cpu_run(t->cpu, 4), CPU_EXIT_BUDGET);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 7);
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 11);
    assert_int_equal(t->cpu->icount, 11);
}

/* Blocks longer than the decoder's block limit and a 200-instruction straight line. */
static void test_long_straight_line(void **state)
{
    struct tg *t = *state;
    struct tg_asm a = { .n = 0 };
    for (int i = 0; i < 200; i++)
        tg_emit(&a, 2, 0xff, 0xc0);   /* inc eax */
    tg_emit(&a, 1, 0xf4);
    tg_code(t, TG_CODE, a.b, a.n);
    assert_int_equal(tg_run(t, TG_CODE, 1000), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 200);
    assert_int_equal(t->cpu->icount, 201);
}

static void test_hlt(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0xb8, 4, 0, 0, 0, 0xf4, 0xb8, 5, 0, 0, 0, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 6);
    assert_true(t->cpu->s.halted);
    assert_int_equal(t->cpu->icount, 2);
    assert_int_equal(t->cpu->s.gpr[RAX], 4);
    /* Halted stays halted: nothing runs. */
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->icount, 2);
    /* Clearing the halt (what an interrupt does) continues after the hlt. */
    assert_int_equal(tg_resume(t, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 5);
    assert_int_equal(t->cpu->icount, 4);
}

/* ----------------------------------------------------- m5 op, request exit -- */

static int m5op_calls;
static unsigned m5op_func;
static uint64_t m5op_rdi;

static uint64_t stopping_m5op(void *opaque, struct cpu *cpu, unsigned func)
{
    (void)opaque;
    m5op_calls++;
    m5op_func = func;
    m5op_rdi = cpu->s.gpr[RDI];
    cpu_request_exit(cpu, CPU_EXIT_STOP);
    return 42;
}

static void test_m5op_stops_at_boundary(void **state)
{
    struct tg *t = *state;
    /* mov edi, 7; m5 exit (0F 04 21 00); mov ebx, 1; hlt */
    static const uint8_t prog[] = { 0xbf, 7, 0, 0, 0, 0x0f, 0x04, 0x21, 0x00, 0xbb, 1, 0, 0, 0, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->m5op = stopping_m5op;
    m5op_calls = 0;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_STOP);
    assert_int_equal(m5op_calls, 1);
    assert_int_equal(m5op_func, 0x21);
    assert_int_equal(m5op_rdi, 7);
    assert_int_equal(t->cpu->s.gpr[RAX], 42);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 9);
    assert_int_equal(t->cpu->s.gpr[RBX], 0);
    assert_int_equal(t->cpu->icount, 2);

    /* The stop reason does not stick: the next run continues. */
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RBX], 1);
    assert_int_equal(m5op_calls, 1);
}

static void test_m5op_without_hook_is_ud(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0x0f, 0x04, 0x23, 0x00, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->hooks.m5op = NULL;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_UD);
    assert_int_equal(tg_read64(t, t->cpu->s.gpr[RSP]), TG_CODE);
}

/* --------------------------------------------- interrupts at boundaries -- */

static int raise_at_poll;

static bool pending_after_polls(void *opaque, struct cpu *cpu)
{
    (void)cpu;
    struct tg *t = opaque;
    t->intr_polls++;
    if (t->intr_polls == raise_at_poll)
        t->intr_line = true;
    return t->intr_line;
}

static void test_intr_polled_per_block(void **state)
{
    struct tg *t = *state;
    tg_code(t, TG_CODE, LOOP, sizeof LOOP);
    t->cpu->hooks.intr_pending = pending_after_polls;
    raise_at_poll = 3;
    assert_int_equal(tg_run(t, TG_CODE, 1000), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), 0x20);
    assert_int_equal(t->cpu->s.gpr[RCX], 2);   /* two [inc, jmp] blocks ran */
    assert_int_equal(tg_read64(t, t->cpu->s.gpr[RSP]), TG_CODE);
}

static void test_cli_stops_polling(void **state)
{
    struct tg *t = *state;
    /* nop; cli; inc ecx; inc ecx; hlt */
    static const uint8_t prog[] = { 0x90, 0xfa, 0xff, 0xc1, 0xff, 0xc1, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->hooks.intr_pending = pending_after_polls;
    raise_at_poll = 2;
    assert_int_equal(tg_run(t, TG_CODE, 1000), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.rip, TG_CODE + sizeof prog);
    assert_int_equal(t->cpu->s.gpr[RCX], 2);
    assert_int_equal(t->intr_acks, 0);
    assert_int_equal(t->intr_polls, 1);   /* IF=0: the controller is not even asked */
}

/* A faulting instruction: RIP stays on it, icount does not count it, registers are unchanged. */
static void test_fault_does_not_retire(void **state)
{
    struct tg *t = *state;
    tg_catch(t);
    /* mov eax, 1; add eax, [rbx] (faults); mov eax, 9 */
    static const uint8_t prog[] = { 0xb8, 1, 0, 0, 0, 0x03, 0x03, 0xb8, 9, 0, 0, 0, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.gpr[RBX] = TG_TEST_VA;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_PF);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 5);
    assert_int_equal(t->cpu->icount, 1);
    assert_int_equal(t->cpu->s.gpr[RAX], 1);

    /* Map the page: the same instruction completes when resumed at RIP. */
    tg_map(t, TG_TEST_VA, TG_DATA, PTE_W);
    tg_write32(t, TG_DATA, 0x10);
    t->catch_exceptions = false;
    assert_int_equal(cpu_run(t->cpu, 1), CPU_EXIT_BUDGET);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x11);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 7);
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 9);
    assert_int_equal(t->cpu->icount, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_budget_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_inside_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_straight_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hlt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_m5op_stops_at_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_m5op_without_hook_is_ud, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intr_polled_per_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_stops_polling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_does_not_retire, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
