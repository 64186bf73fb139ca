/*
 * test_exception.c - exception and interrupt delivery (host/cpu/exception.c
 * and the fault path of host/cpu/atomic.c) on a hand-built system: the
 * long-mode IDT frame (with and without error code), CR2, interrupt versus
 * trap gates, the stack switch to TSS.RSP0 from CPL3, IST stacks, gate
 * checks (DPL of INT n, not-present gates, IDT limit, bad selectors), double
 * fault to an IST stack, triple fault ending cpu_run, and external
 * interrupts through hooks.intr_pending / intr_ack (IF, the STI shadow, HLT).
 */
#include "sysguest.h"

#define VA   TG_TEST_VA
#define PA_A (TG_DATA + 0x0000)

static const uint8_t IRETQ[] = { 0x48, 0xcf };

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

/* The 64-bit frame at RSP: [error,] RIP, CS, RFLAGS, RSP, SS. */
struct frame {
    uint64_t error, rip, cs, rflags, rsp, ss;
};

static struct frame read_frame(struct tg *t, bool has_error)
{
    struct frame f = { 0 };
    uint64_t sp = t->cpu->s.gpr[RSP];
    if (has_error) {
        f.error = tg_read64(t, sp);
        sp += 8;
    }
    f.rip = tg_read64(t, sp);
    f.cs = tg_read64(t, sp + 8);
    f.rflags = tg_read64(t, sp + 16);
    f.rsp = tg_read64(t, sp + 24);
    f.ss = tg_read64(t, sp + 32);
    return f;
}

/* The handler runs in 64-bit kernel code: CS = 0x10 with the descriptor's attributes. */
static void assert_kernel_cs(struct tg *t)
{
    const struct segment *cs = &t->cpu->s.seg[SEG_CS];
    assert_int_equal(t->cpu->s.cpl, 0);
    assert_int_equal(cs->selector, TG_KCODE);
    assert_int_equal(cs->base, 0);
    assert_true(cs->attr & SEG_ATTR_P);
    assert_true(cs->attr & SEG_ATTR_S);
    assert_int_equal(SEG_ATTR_DPL(cs->attr), 0);
    assert_true(cs->attr & SEG_ATTR_L);      /* a 64-bit code segment */
    assert_false(cs->attr & SEG_ATTR_DB);
    assert_true(cs->attr & SEG_ATTR_G);
}

/* --------------------------------------------------------------- frames -- */

static void test_ud_frame(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0x90, 0x0f, 0x0b, 0xf4 };   /* nop; ud2 */
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.gpr[RSP] = TG_STACK_TOP - 0x18;   /* not 16-byte aligned */
    cpu_set_rflags(t->cpu, FL_IF | FL_CF | FL_ZF | FL_DF);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_UD);
    assert_int_equal(t->nexc, 1);
    assert_int_equal(t->exc_vector, EXC_UD);

    /* The frame starts at a 16-byte aligned address below the old RSP. */
    assert_int_equal(t->cpu->s.gpr[RSP], TG_STACK_TOP - 0x20 - 40);
    struct frame f = read_frame(t, false);
    assert_int_equal(f.rip, TG_CODE + 1);   /* the faulting ud2 */
    assert_int_equal(f.cs, TG_KCODE);
    assert_int_equal(f.rflags, FL_FIXED1 | FL_IF | FL_CF | FL_ZF | FL_DF);
    assert_int_equal(f.rsp, TG_STACK_TOP - 0x18);
    assert_int_equal(f.ss, TG_KDATA);

    /* Interrupt gate: IF cleared; other flags kept. */
    uint64_t fl = cpu_get_rflags(t->cpu);
    assert_false(fl & FL_IF);
    assert_true(fl & FL_CF);
    assert_true(fl & FL_DF);
    assert_kernel_cs(t);
    assert_int_equal(t->cpu->s.seg[SEG_SS].selector, TG_KDATA);  /* no privilege change: SS kept */
}

static void test_pf_frame_and_cr2(void **state)
{
    struct tg *t = *state;
    tg_map(t, VA, PA_A, 0);   /* read-only */
    static const uint8_t prog[] = { 0x90, 0x89, 0x03, 0xf4 };   /* nop; mov [rbx], eax */
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.gpr[RBX] = VA + 0x2c;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_PF);
    assert_int_equal(t->cpu->s.cr2, VA + 0x2c);
    assert_int_equal(t->cpu->s.gpr[RSP], TG_STACK_TOP - 48);
    struct frame f = read_frame(t, true);
    assert_int_equal(f.error, PFERR_P | PFERR_W);
    assert_int_equal(f.rip, TG_CODE + 1);
    assert_int_equal(f.cs, TG_KCODE);
    assert_int_equal(f.rsp, TG_STACK_TOP);
    assert_int_equal(t->cpu->icount, 2);   /* the nop and the handler's hlt; the faulting store did not retire */

    /* Not present, read: error 0, CR2 the address read. */
    static const uint8_t load[] = { 0x48, 0x8b, 0x03 };
    tg_code(t, TG_CODE, load, sizeof load);
    t->cpu->s.gpr[RSP] = TG_STACK_TOP;
    t->cpu->s.gpr[RBX] = VA + 0x5008;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_PF);
    f = read_frame(t, true);
    assert_int_equal(f.error, 0);
    assert_int_equal(f.rip, TG_CODE);
    assert_int_equal(t->cpu->s.cr2, VA + 0x5008);
}

static void test_trap_gate_keeps_if(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0xcc, 0xf4 };   /* int3 */
    tg_code(t, TG_CODE, prog, sizeof prog);

    /* Interrupt gate: IF cleared; the saved RIP is after int3 (a trap). */
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_BP);
    struct frame f = read_frame(t, false);
    assert_int_equal(f.rip, TG_CODE + 1);
    assert_true(f.rflags & FL_IF);
    assert_false(t->cpu->s.rflags & FL_IF);

    /* Trap gate: IF stays set. */
    tg_set_gate(t, EXC_BP, tg_handler(EXC_BP), TG_KCODE, 0, TG_TRAP_GATE, 0, true);
    t->cpu->s.gpr[RSP] = TG_STACK_TOP;
    cpu_set_rflags(t->cpu, FL_IF);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_BP);
    assert_true(t->cpu->s.rflags & FL_IF);
}

static void test_user_to_kernel_stack_switch(void **state)
{
    struct tg *t = *state;
    const uint64_t code_va = VA, stack_va = VA + 0x10000;
    tg_map(t, code_va, TG_CODE, PTE_U);
    tg_map(t, stack_va, PA_A, PTE_U | PTE_W);
    static const uint8_t prog[] = { 0x90, 0x0f, 0x0b };   /* nop; ud2 */
    tg_code(t, TG_CODE, prog, sizeof prog);
    tg_tss_set(t, TG_RSP0_TOP - 8, TG_IST1_TOP);   /* RSP0 is aligned down to 16 */
    tg_enter(t, 3);
    t->cpu->s.gpr[RSP] = stack_va + 0xff8;
    cpu_set_rflags(t->cpu, FL_IF | FL_SF);
    assert_int_equal(tg_run(t, code_va, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_UD);

    assert_int_equal(t->cpu->s.gpr[RSP], TG_RSP0_TOP - 16 - 40);
    struct frame f = read_frame(t, false);
    assert_int_equal(f.rip, code_va + 1);
    assert_int_equal(f.cs, TG_UCODE);
    assert_int_equal(f.rflags, FL_FIXED1 | FL_IF | FL_SF);
    assert_int_equal(f.rsp, stack_va + 0xff8);
    assert_int_equal(f.ss, TG_UDATA);
    assert_kernel_cs(t);
    assert_int_equal(t->cpu->s.seg[SEG_SS].selector, 0);   /* null SS at the new level */
    assert_false(t->cpu->s.rflags & FL_IF);
    /* Nothing was pushed on the user stack. */
    assert_int_equal(tg_read64(t, PA_A + 0xff0), 0);
}

static void test_ist_stack(void **state)
{
    struct tg *t = *state;
    tg_set_gate(t, EXC_UD, tg_handler(EXC_UD), TG_KCODE, 1, TG_INTR_GATE, 0, true);
    static const uint8_t prog[] = { 0x0f, 0x0b };
    tg_code(t, TG_CODE, prog, sizeof prog);

    /* Same privilege: the IST stack is used anyway. */
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_UD);
    assert_int_equal(t->cpu->s.gpr[RSP], TG_IST1_TOP - 40);
    struct frame f = read_frame(t, false);
    assert_int_equal(f.rsp, TG_STACK_TOP);
    assert_int_equal(f.rip, TG_CODE);

    /* From CPL3: IST wins over RSP0. */
    tg_map(t, VA, TG_CODE, PTE_U);
    tg_enter(t, 3);
    t->cpu->s.gpr[RSP] = 0x7000;
    assert_int_equal(tg_run(t, VA, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_UD);
    assert_int_equal(t->cpu->s.gpr[RSP], TG_IST1_TOP - 40);
    f = read_frame(t, false);
    assert_int_equal(f.rsp, 0x7000);
    assert_int_equal(f.cs, TG_UCODE);
}

/* --------------------------------------------------------------- gates -- */

static void test_soft_int_gate_dpl(void **state)
{
    struct tg *t = *state;
    tg_map(t, VA, TG_CODE, PTE_U);
    static const uint8_t prog[] = { 0x90, 0xcc };   /* nop; int3 */
    tg_code(t, TG_CODE, prog, sizeof prog);
    tg_enter(t, 3);
    t->cpu->s.gpr[RSP] = 0x7000;

    /* Gate DPL 0: INT3 from CPL3 is #GP(vector*8+2), a fault at the int3. */
    assert_int_equal(tg_run(t, VA, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_GP);
    struct frame f = read_frame(t, true);
    assert_int_equal(f.error, EXC_BP * 8 + 2);
    assert_int_equal(f.rip, VA + 1);
    assert_int_equal(f.cs, TG_UCODE);

    /* Gate DPL 3: delivered as #BP, the frame pointing after int3. */
    tg_set_gate(t, EXC_BP, tg_handler(EXC_BP), TG_KCODE, 0, TG_INTR_GATE, 3, true);
    tg_enter(t, 3);
    t->cpu->s.gpr[RSP] = 0x7000;
    assert_int_equal(tg_run(t, VA, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_BP);
    f = read_frame(t, false);
    assert_int_equal(f.rip, VA + 2);
}

/* INT n through bad gates: #NP for a not-present gate, #GP beyond the IDT limit or for a bad selector. */
static void test_bad_gates(void **state)
{
    struct tg *t = *state;
    static const uint8_t int40[] = { 0xcd, 0x40 }, int41[] = { 0xcd, 0x41 }, int42[] = { 0xcd, 0x42 },
                         int90[] = { 0xcd, 0x90 };
    tg_code(t, TG_CODE, int40, 2);
    tg_code(t, TG_CODE + 0x10, int41, 2);
    tg_code(t, TG_CODE + 0x20, int42, 2);
    tg_code(t, TG_CODE + 0x30, int90, 2);
    tg_set_gate(t, 0x40, tg_handler(0x40), TG_KCODE, 0, TG_INTR_GATE, 0, false);
    tg_set_gate(t, 0x41, tg_handler(0x41), 0, 0, TG_INTR_GATE, 0, true);         /* null selector */
    tg_set_gate(t, 0x42, tg_handler(0x42), TG_KDATA, 0, TG_INTR_GATE, 0, true);  /* a data segment */

    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_NP);
    struct frame f = read_frame(t, true);
    assert_int_equal(f.error, 0x40 * 8 + 2);
    assert_int_equal(f.rip, TG_CODE);

    t->cpu->s.gpr[RSP] = TG_STACK_TOP;
    assert_int_equal(tg_run(t, TG_CODE + 0x10, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_GP);
    assert_int_equal(read_frame(t, true).error, 0);

    t->cpu->s.gpr[RSP] = TG_STACK_TOP;
    assert_int_equal(tg_run(t, TG_CODE + 0x20, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_GP);
    assert_int_equal(read_frame(t, true).error, TG_KDATA);

    /* IDT limit covers vectors 0..0x8f only. */
    t->cpu->s.idtr.limit = 0x90 * 16 - 1;
    t->cpu->s.gpr[RSP] = TG_STACK_TOP;
    assert_int_equal(tg_run(t, TG_CODE + 0x30, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_GP);
    f = read_frame(t, true);
    assert_int_equal(f.error, 0x90 * 8 + 2);
    assert_int_equal(f.rip, TG_CODE + 0x30);
}

/* The exception hook sees the vector first and may consume it: nothing is pushed. */
static void test_hook_consumes(void **state)
{
    struct tg *t = *state;
    tg_catch(t);
    static const uint8_t prog[] = { 0x90, 0x0f, 0x0b };
    tg_code(t, TG_CODE, prog, sizeof prog);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_UD);
    assert_int_equal(t->exc_rip, TG_CODE + 1);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 1);
    assert_int_equal(t->cpu->s.gpr[RSP], TG_STACK_TOP);
    assert_int_equal(tg_read64(t, TG_STACK_TOP - 8), 0);
    assert_true(t->cpu->s.rflags & FL_IF);
}

/* ------------------------------------------------------ iretq round trip -- */

static void test_iretq_returns_same_level(void **state)
{
    struct tg *t = *state;
    tg_set_handler_code(t, EXC_BP, IRETQ, sizeof IRETQ);
    static const uint8_t prog[] = { 0xcc, 0xb8, 0x55, 0, 0, 0, 0xf4 };   /* int3; mov eax, 0x55; hlt */
    tg_code(t, TG_CODE, prog, sizeof prog);
    cpu_set_rflags(t->cpu, FL_IF | FL_CF);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 7);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x55);
    assert_int_equal(t->cpu->s.gpr[RSP], TG_STACK_TOP);
    uint64_t fl = cpu_get_rflags(t->cpu);
    assert_true(fl & FL_IF);
    assert_true(fl & FL_CF);
    assert_int_equal(t->cpu->icount, 4);   /* int3, iretq, mov, hlt */
}

static void test_iretq_returns_to_user(void **state)
{
    struct tg *t = *state;
    tg_set_gate(t, EXC_BP, tg_handler(EXC_BP), TG_KCODE, 0, TG_INTR_GATE, 3, true);
    tg_set_handler_code(t, EXC_BP, IRETQ, sizeof IRETQ);
    tg_map(t, VA, TG_CODE, PTE_U);
    static const uint8_t prog[] = { 0xcc, 0xb8, 0x66, 0, 0, 0, 0x0f, 0x0b };   /* int3; mov eax, 0x66; ud2 */
    tg_code(t, TG_CODE, prog, sizeof prog);
    tg_enter(t, 3);
    t->cpu->s.gpr[RSP] = 0x7008;
    /* int3 -> iretq back to CPL3 -> mov -> ud2, whose #UD frame shows the user state iretq restored. */
    assert_int_equal(tg_run(t, VA, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_UD);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x66);
    assert_int_equal(t->nexc, 2);
    assert_int_equal(t->exc_vectors[0], EXC_BP);
    assert_int_equal(t->exc_vectors[1], EXC_UD);
    struct frame f = read_frame(t, false);
    assert_int_equal(f.rip, VA + 6);
    assert_int_equal(f.cs, TG_UCODE);
    assert_int_equal(f.rsp, 0x7008);
    assert_int_equal(f.ss, TG_UDATA);
    assert_int_equal(t->cpu->s.gpr[RSP], TG_RSP0_TOP - 40);
}

/* ------------------------------------------------ double and triple fault -- */

/* mov rax, [rbx] with rbx unmapped, and the kernel stack unmapped too. */
static void setup_pf_with_bad_stack(struct tg *t)
{
    static const uint8_t prog[] = { 0x90, 0x48, 0x8b, 0x03, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.gpr[RBX] = VA + 0x123000;
    t->cpu->s.gpr[RSP] = VA + 0x200000;   /* nothing mapped below it */
}

static void test_double_fault(void **state)
{
    struct tg *t = *state;
    tg_set_gate(t, EXC_DF, tg_handler(EXC_DF), TG_KCODE, 1, TG_INTR_GATE, 0, true);
    setup_pf_with_bad_stack(t);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_DF);
    assert_int_equal(t->nexc, 2);
    assert_int_equal(t->exc_vectors[0], EXC_PF);
    assert_int_equal(t->exc_vectors[1], EXC_DF);

    assert_int_equal(t->cpu->s.gpr[RSP], TG_IST1_TOP - 48);
    struct frame f = read_frame(t, true);
    assert_int_equal(f.error, 0);
    assert_int_equal(f.rip, TG_CODE + 1);   /* the load that faulted first */
    assert_int_equal(f.rsp, VA + 0x200000);
    assert_int_equal(f.cs, TG_KCODE);
    /* CR2 names the stack that could not be written. */
    assert_true(t->cpu->s.cr2 >= VA + 0x200000 - 48 && t->cpu->s.cr2 < VA + 0x200000);
    assert_kernel_cs(t);
}

static void test_triple_fault(void **state)
{
    struct tg *t = *state;
    tg_set_gate(t, EXC_DF, tg_handler(EXC_DF), TG_KCODE, 0, TG_INTR_GATE, 0, false);
    setup_pf_with_bad_stack(t);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_TRIPLE_FAULT);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 1);
    assert_int_equal(t->cpu->icount, 1);
    assert_int_equal(t->cpu->s.gpr[RSP], VA + 0x200000);
    /* Running again faults again, the same way, and the host survives. */
    assert_int_equal(tg_run(t, TG_CODE + 1, 100), CPU_EXIT_TRIPLE_FAULT);
}

/* No IDT at all: #UD -> #GP (beyond limit) -> #DF (beyond limit) -> triple fault. */
static void test_triple_fault_empty_idt(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0x0f, 0x0b };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.idtr.limit = 0;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_TRIPLE_FAULT);
    assert_int_equal(t->cpu->s.rip, TG_CODE);
    assert_int_equal(t->cpu->s.gpr[RSP], TG_STACK_TOP);

    /* An IDT in unmapped memory, likewise. */
    t->cpu->s.idtr = (struct dtable){ VA + 0x300000, 0xfff };
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_TRIPLE_FAULT);
}

/*
 * Which second fault becomes #DF (Intel SDM vol. 3, table 6-5): only a
 * contributory fault (#DE #TS #NP #SS #GP) during a contributory one, or a
 * contributory fault or #PF during a #PF. A fault while delivering a benign
 * exception or an external interrupt is delivered on its own ("serially"),
 * and so is a #PF during a contributory exception.
 */
static void test_benign_then_np_is_serial(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0x90, 0x0f, 0x0b };
    tg_code(t, TG_CODE, prog, sizeof prog);
    tg_set_gate(t, EXC_UD, tg_handler(EXC_UD), TG_KCODE, 0, TG_INTR_GATE, 0, false);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_NP);
    struct frame f = read_frame(t, true);
    assert_int_equal(f.error, EXC_UD * 8 + 2 + 1);   /* IDT, EXT */
    assert_int_equal(f.rip, TG_CODE + 1);
}

static void test_contributory_then_contributory_is_df(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0x48, 0x8b, 0x03 };   /* mov rax, [rbx] (non-canonical: #GP) */
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.gpr[RBX] = 0x0000800000000000ull;
    tg_set_gate(t, EXC_GP, tg_handler(EXC_GP), TG_KCODE, 0, TG_INTR_GATE, 0, false);
    tg_set_gate(t, EXC_DF, tg_handler(EXC_DF), TG_KCODE, 1, TG_INTR_GATE, 0, true);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_DF);
    assert_int_equal(t->nexc, 2);
    assert_int_equal(t->exc_vectors[0], EXC_GP);
    assert_int_equal(t->exc_vectors[1], EXC_DF);
    assert_int_equal(read_frame(t, true).rip, TG_CODE);
}

static void test_contributory_then_pf_is_serial(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0x48, 0x8b, 0x03 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->s.gpr[RBX] = 0x0000800000000000ull;
    t->cpu->s.gpr[RSP] = VA + 0x200000;   /* #GP cannot push its frame here... */
    tg_set_gate(t, EXC_PF, tg_handler(EXC_PF), TG_KCODE, 1, TG_INTR_GATE, 0, true);   /* ...#PF can */
    tg_set_gate(t, EXC_DF, tg_handler(EXC_DF), TG_KCODE, 1, TG_INTR_GATE, 0, true);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_PF);
    assert_int_equal(t->nexc, 2);
    assert_int_equal(t->exc_vectors[0], EXC_GP);
    assert_int_equal(t->exc_vectors[1], EXC_PF);
    struct frame f = read_frame(t, true);
    assert_int_equal(f.error, PFERR_W);
    assert_int_equal(f.rip, TG_CODE);
    assert_true(t->cpu->s.cr2 >= VA + 0x200000 - 48 && t->cpu->s.cr2 < VA + 0x200000);
}

/* An external interrupt through a not-present gate: #NP with the EXT bit, not #DF. */
static void test_intr_gate_not_present(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0x90, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    tg_set_gate(t, 0x30, tg_handler(0x30), TG_KCODE, 0, TG_INTR_GATE, 0, false);
    t->intr_vector = 0x30;
    t->intr_line = true;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), EXC_NP);
    assert_int_equal(t->intr_acks, 1);
    struct frame f = read_frame(t, true);
    assert_int_equal(f.error, 0x30 * 8 + 2 + 1);
    assert_int_equal(f.rip, TG_CODE);
}

/* ------------------------------------------------- external interrupts -- */

static void test_intr_delivered_with_if(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0xb8, 1, 0, 0, 0, 0xbb, 2, 0, 0, 0, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->intr_line = true;
    t->intr_vector = 0x31;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), 0x31);
    assert_int_equal(t->intr_acks, 1);
    assert_int_equal(t->nexc, 0);   /* interrupts are not exceptions */
    struct frame f = read_frame(t, false);
    assert_int_equal(f.rip, TG_CODE);
    assert_true(f.rflags & FL_IF);
    assert_false(t->cpu->s.rflags & FL_IF);
    assert_int_equal(t->cpu->s.gpr[RAX], 0);
}

static void test_intr_blocked_without_if(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0xb8, 1, 0, 0, 0, 0xbb, 2, 0, 0, 0, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->intr_line = true;
    cpu_set_rflags(t->cpu, 0);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.rip, TG_CODE + sizeof prog);
    assert_int_equal(t->cpu->s.gpr[RAX], 1);
    assert_int_equal(t->cpu->s.gpr[RBX], 2);
    assert_int_equal(t->intr_acks, 0);
    /* Halted with IF=0: stays halted, nothing delivered. */
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(t->intr_acks, 0);
    assert_int_equal(t->cpu->s.rip, TG_CODE + sizeof prog);
}

/* STI blocks interrupts for one more instruction. */
static void test_intr_sti_shadow(void **state)
{
    struct tg *t = *state;
    /* sti; mov eax, 1; mov ebx, 2; hlt */
    static const uint8_t prog[] = { 0xfb, 0xb8, 1, 0, 0, 0, 0xbb, 2, 0, 0, 0, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->intr_line = true;
    cpu_set_rflags(t->cpu, 0);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), 0x20);
    assert_int_equal(t->intr_acks, 1);
    struct frame f = read_frame(t, false);
    assert_int_equal(f.rip, TG_CODE + 6);   /* after exactly one instruction past STI */
    assert_true(f.rflags & FL_IF);
    assert_int_equal(t->cpu->s.gpr[RAX], 1);
    assert_int_equal(t->cpu->s.gpr[RBX], 0);
}

/* The sti; hlt idiom: the interrupt wakes the HLT that sits in the shadow. */
static void test_intr_sti_hlt(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0xfb, 0xf4, 0xb8, 9, 0, 0, 0, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->intr_line = true;
    cpu_set_rflags(t->cpu, 0);
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(tg_halted_vector(t), 0x20);
    struct frame f = read_frame(t, false);
    assert_int_equal(f.rip, TG_CODE + 2);   /* returns after the hlt */
    assert_int_equal(t->cpu->s.gpr[RAX], 0);
}

static void test_intr_wakes_hlt(void **state)
{
    struct tg *t = *state;
    tg_set_handler_code(t, 0x20, IRETQ, sizeof IRETQ);
    static const uint8_t prog[] = { 0xf4, 0xb8, 7, 0, 0, 0, 0xf4 };   /* hlt; mov eax, 7; hlt */
    tg_code(t, TG_CODE, prog, sizeof prog);

    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 1);
    assert_true(t->cpu->s.halted);
    uint64_t icount = t->cpu->icount;
    /* Nothing pending: still halted, no instruction runs. */
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->icount, icount);

    t->intr_line = true;
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(t->intr_acks, 1);
    assert_int_equal(t->cpu->s.gpr[RAX], 7);
    assert_int_equal(t->cpu->s.rip, TG_CODE + 7);
    assert_int_equal(t->cpu->s.gpr[RSP], TG_STACK_TOP);
    assert_true(t->cpu->s.rflags & FL_IF);
}

/* The controller may take back a request (spurious): intr_ack < 0 delivers nothing. */
static int ack_spurious(void *opaque, struct cpu *cpu)
{
    (void)cpu;
    struct tg *t = opaque;
    t->intr_acks++;
    t->intr_line = false;
    return -1;
}

static void test_intr_spurious(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0xb8, 3, 0, 0, 0, 0xf4 };
    tg_code(t, TG_CODE, prog, sizeof prog);
    t->cpu->hooks.intr_ack = ack_spurious;
    t->intr_line = true;
    assert_int_equal(tg_run(t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(t->intr_acks, 1);
    assert_int_equal(t->cpu->s.rip, TG_CODE + sizeof prog);
    assert_int_equal(t->cpu->s.gpr[RAX], 3);
    assert_int_equal(t->cpu->s.gpr[RSP], TG_STACK_TOP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ud_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pf_frame_and_cr2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trap_gate_keeps_if, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_to_kernel_stack_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ist_stack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_soft_int_gate_dpl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_gates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_consumes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iretq_returns_same_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iretq_returns_to_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_triple_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_triple_fault_empty_idt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_benign_then_np_is_serial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contributory_then_contributory_is_df, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contributory_then_pf_is_serial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intr_gate_not_present, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intr_delivered_with_if, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intr_blocked_without_if, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intr_sti_shadow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intr_sti_hlt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intr_wakes_hlt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intr_spurious, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
