/*
 * test_cpu_modes.c - the interpreter outside 64-bit mode (host/cpu/mode.h,
 * exec_legacy.c, docs/cpu-model.md "Modes"): a CPU put in the SIPI start
 * state runs real-mode code with 16-bit addressing forms and segment bases,
 * its stack and near calls, real-mode interrupts through the IVT, and the
 * real -> 16-bit protected -> 32-bit protected -> compatibility -> 64-bit
 * sequence of Linux's AP trampoline (arch/x86/realmode/rm/trampoline_64.S
 * and verify_cpu.S, re-assembled here from its instructions); and decoded
 * blocks are keyed by mode, so the same bytes run in two modes mean two
 * different things.
 */
#include "sysguest.h"

#include "cpu/mode.h"

/* A little assembler: bytes, with 16- and 32-bit fields patched by label. */
struct code {
    uint8_t b[1024];
    unsigned n;
};

static unsigned emit(struct code *c, unsigned len, ...)
{
    va_list ap;
    va_start(ap, len);
    unsigned at = c->n;
    for (unsigned i = 0; i < len; i++)
        c->b[c->n++] = (uint8_t)va_arg(ap, int);
    va_end(ap);
    return at;
}

static void put16(struct code *c, unsigned at, uint16_t v)
{
    c->b[at] = (uint8_t)v;
    c->b[at + 1] = (uint8_t)(v >> 8);
}

static void put32(struct code *c, unsigned at, uint32_t v)
{
    put16(c, at, (uint16_t)v);
    put16(c, at + 2, (uint16_t)(v >> 16));
}

static unsigned emit32(struct code *c, uint32_t v)
{
    unsigned at = c->n;
    c->n += 4;
    put32(c, at, v);
    return at;
}

static void pad_to(struct code *c, unsigned off)
{
    while (c->n < off)
        c->b[c->n++] = 0xcc;
}

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

static uint16_t read16(struct tg *t, uint64_t pa)
{
    uint16_t v;
    assert_int_equal(bus_read_phys(&t->bus, pa, &v, 2), 0);
    return v;
}

/* INIT then SIPI with `vector`: real mode at (vector << 8):0000. */
static void start_ap(struct tg *t, uint8_t vector)
{
    cpu_init_reset(t->cpu);
    cpu_sipi_start(t->cpu, vector);
}

static void test_sipi_state(void **state)
{
    struct tg *t = *state;
    t->cpu->s.gpr[RAX] = 77;
    start_ap(t, 0x9a);
    const struct cpu_state *s = &t->cpu->s;
    assert_int_equal(t->cpu->mode, CPU_MODE_REAL);
    assert_int_equal(s->seg[SEG_CS].selector, 0x9a00);
    assert_int_equal(s->seg[SEG_CS].base, 0x9a000);
    assert_int_equal(s->seg[SEG_CS].limit, 0xffff);
    assert_int_equal(s->rip, 0);
    assert_int_equal(s->gpr[RAX], 0);
    assert_int_equal(s->gpr[RDX], 0x600);
    assert_int_equal(s->cr0, 0x60000010);
    assert_int_equal(s->efer, 0);
    assert_int_equal(s->cr4, 0);
    assert_int_equal(cpu_get_rflags(t->cpu), 2);
    assert_int_equal(s->seg[SEG_DS].base, 0);
    assert_int_equal(s->idtr.limit, 0xffff);
}

/* After INIT and before SIPI the CPU does not run (wait-for-SIPI), even with an interrupt pending. */
static void test_init_waits_for_sipi(void **state)
{
    struct tg *t = *state;
    cpu_init_reset(t->cpu);
    t->intr_line = true;
    uint64_t icount = t->cpu->icount;
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->icount, icount);
    assert_int_equal(t->intr_acks, 0);
    assert_int_equal(t->cpu->s.rip, 0xfff0);
    assert_int_equal(t->cpu->s.seg[SEG_CS].base, 0xffff0000);
}

/*
 * Real mode: segment bases from MOV Sreg, [BX+SI+disp] (DS) and [BP+disp]
 * (SS) addressing, a 16-bit stack with PUSH/POP/CALL/RET, a 32-bit operand
 * with 66, and IP-relative branches.
 */
static void test_real_mode(void **state)
{
    struct tg *t = *state;
    struct code c = { .n = 0 };
    emit(&c, 5, 0xb8, 0x00, 0x20, 0x8e, 0xd8);             /* mov ax,0x2000; mov ds,ax */
    emit(&c, 6, 0xbb, 0x10, 0x00, 0xbe, 0x04, 0x00);       /* mov bx,0x10; mov si,4 */
    emit(&c, 5, 0xc7, 0x40, 0x02, 0x34, 0x12);             /* mov word [bx+si+2],0x1234 */
    emit(&c, 3, 0x8b, 0x40, 0x02);                         /* mov ax,[bx+si+2] */
    emit(&c, 3, 0x05, 0x11, 0x11);                         /* add ax,0x1111 */
    emit(&c, 5, 0xb9, 0x00, 0x30, 0x8e, 0xd1);             /* mov cx,0x3000; mov ss,cx */
    emit(&c, 3, 0xbc, 0x00, 0x02);                         /* mov sp,0x200 */
    emit(&c, 3, 0xbd, 0x00, 0x02);                         /* mov bp,0x200 */
    emit(&c, 1, 0x50);                                     /* push ax */
    emit(&c, 3, 0x8b, 0x56, 0xfe);                         /* mov dx,[bp-2] (SS) */
    unsigned call = emit(&c, 3, 0xe8, 0, 0);               /* call sub */
    emit(&c, 1, 0x5f);                                     /* pop di */
    emit(&c, 6, 0x66, 0xb9, 0x78, 0x56, 0x34, 0x12);       /* mov ecx,0x12345678 */
    emit(&c, 1, 0xf4);                                     /* hlt */
    unsigned sub = emit(&c, 3, 0x83, 0xc6, 0x05);          /* sub: add si,5 */
    emit(&c, 1, 0xc3);                                     /* ret */
    put16(&c, call + 1, (uint16_t)(sub - (call + 3)));
    tg_write(t, 0x50000, c.b, c.n);

    start_ap(t, 0x50);
    t->cpu->s.gpr[RDI] = 0xabcd0000ffffull;   /* the 16-bit pop merges into it */
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    const struct cpu_state *s = &t->cpu->s;
    assert_int_equal(read16(t, 0x20000 + 0x16), 0x1234);
    assert_int_equal(s->gpr[RAX], 0x2345);
    assert_int_equal(s->gpr[RDX], 0x2345);
    assert_int_equal(s->gpr[RDI], 0xabcd00002345ull);
    assert_int_equal(s->gpr[RSI], 9);
    assert_int_equal(s->gpr[RSP], 0x200);
    assert_int_equal(read16(t, 0x30000 + 0x1fe), 0x2345);   /* SS base applied to the push */
    assert_int_equal(read16(t, 0x30000 + 0x1fc), call + 3);  /* the return IP */
    assert_int_equal(s->gpr[RCX], 0x12345678);
    assert_int_equal(s->seg[SEG_DS].base, 0x20000);
    assert_int_equal(s->seg[SEG_SS].base, 0x30000);
    assert_int_equal(s->rip, sub);   /* past the hlt, which is just before sub */
    assert_int_equal(t->cpu->icount, 19);
}

/* 16-bit offsets wrap: [bx+si] with BX+SI = 0x1000f reads DS:000f. */
static void test_real_mode_wrap(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = {
        0xbb, 0xff, 0xff,             /* mov bx,0xffff */
        0xbe, 0x10, 0x00,             /* mov si,0x10 */
        0x8a, 0x00,                   /* mov al,[bx+si] */
        0xf4,
    };
    tg_write(t, 0x60000, prog, sizeof prog);
    uint8_t marker = 0x5a, other = 0xa5;
    tg_write(t, 0x0f, &marker, 1);          /* DS = 0: wrapped offset 0x000f */
    tg_write(t, 0x1000f, &other, 1);        /* unwrapped would read here */
    start_ap(t, 0x60);
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX] & 0xff, 0x5a);
}

/* INT n in real mode goes through the IVT: FLAGS, CS, IP pushed, IF cleared; IRET returns. */
static void test_real_mode_int(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = {
        0xbc, 0x00, 0x08,             /* mov sp,0x800 */
        0xfb,                         /* sti */
        0xcd, 0x21,                   /* int 0x21 */
        0xf4,                         /* hlt (after iret) */
    };
    static const uint8_t handler[] = {
        0x9c,                         /* pushf */
        0x5b,                         /* pop bx: flags inside the handler */
        0xb8, 0x42, 0x00,             /* mov ax,0x42 */
        0xcf,                         /* iret */
    };
    tg_write(t, 0x70000, prog, sizeof prog);
    tg_write(t, 0x71000 + 0x10, handler, sizeof handler);
    tg_write32(t, 0x21 * 4, 0x7100u << 16 | 0x10);   /* IVT[0x21] = 7100:0010 */
    start_ap(t, 0x70);
    t->cpu->hooks.intr_pending = NULL;   /* STI must not take an interrupt here */
    assert_int_equal(cpu_run(t->cpu, 100), CPU_EXIT_HALT);
    const struct cpu_state *s = &t->cpu->s;
    assert_int_equal(s->gpr[RAX], 0x42);
    assert_int_equal(s->gpr[RBX] & FL_IF, 0);     /* IF cleared by delivery */
    assert_true(cpu_get_rflags(t->cpu) & FL_IF);  /* restored by IRET */
    assert_int_equal(s->seg[SEG_CS].selector, 0x7000);
    assert_int_equal(s->rip, 7);
    assert_int_equal(s->gpr[RSP], 0x800);
    assert_int_equal(read16(t, 0x7fa), 6);        /* the pushed return IP */
    assert_int_equal(read16(t, 0x7fc), 0x7000);   /* ... and CS */
}

/*
 * Linux's AP start-up: trampoline_start (real mode) checks the CPU with
 * verify_cpu's PUSHF/POPF and CPUID sequence, loads IDTR and GDTR with
 * 32-bit operands, sets CR0.PE and jumps far (ljmpl) to startup_32, which
 * loads the data segments, CR4.PAE, CR3 and EFER.LME, sets CR0.PG and
 * jumps far to a 64-bit code segment; the 64-bit code then uses RIP-relative
 * addressing and a 64-bit stack.
 */
#define TR_BASE 0x90000u
#define TR_GDT_DESC 0xf0u
#define TR_IDT_DESC 0xf8u
#define TR_GDT 0x100u
#define TR_STARTUP_32 0x200u
#define TR_STARTUP_64 0x280u
#define TR_CR4 0x300u
#define TR_STACK 0x1000u

static void build_trampoline(struct tg *t, struct code *c)
{
    /* trampoline_start */
    emit(c, 1, 0xfa);                                       /* cli */
    emit(c, 2, 0x0f, 0x09);                                 /* wbinvd */
    emit(c, 5, 0xea, 0x08, 0x00, 0, 0);                     /* ljmp $seg,$8 (segment patched) */
    put16(c, 6, (uint16_t)(TR_BASE >> 4));
    pad_to(c, 8);
    emit(c, 8, 0x8c, 0xc8, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0);   /* mov cs,ax; ds,es,ss = ax */
    emit(c, 2, 0x66, 0xbc);                                 /* mov $TR_STACK,%esp */
    emit32(c, TR_STACK);
    unsigned call = emit(c, 3, 0xe8, 0, 0);                 /* call verify_cpu */
    emit(c, 3, 0x66, 0x85, 0xc0);                           /* test %eax,%eax */
    unsigned jne = emit(c, 2, 0x75, 0);                     /* jne no_longmode */
    emit(c, 6, 0x66, 0x0f, 0x01, 0x1e, TR_IDT_DESC, 0);     /* lidtl tr_idt */
    emit(c, 6, 0x66, 0x0f, 0x01, 0x16, TR_GDT_DESC, 0);     /* lgdtl tr_gdt */
    emit(c, 3, 0xba, 0x18, 0x00);                           /* mov $__KERNEL_DS,%dx */
    emit(c, 6, 0x66, 0xb8, 0x33, 0x00, 0x05, 0x00);         /* mov $0x50033,%eax (PE|MP|ET|NE|WP|AM) */
    emit(c, 3, 0x0f, 0x22, 0xc0);                           /* mov %eax,%cr0 */
    emit(c, 2, 0x66, 0xea);                                 /* ljmpl $0x8,$startup_32 */
    emit32(c, TR_BASE + TR_STARTUP_32);
    emit(c, 2, 0x08, 0x00);
    unsigned no_lm = emit(c, 1, 0xf4);                      /* no_longmode: hlt */
    c->b[jne + 1] = (uint8_t)(no_lm - (jne + 2));

    /* verify_cpu (the part that matters here) */
    unsigned verify = c->n;
    put16(c, call + 1, (uint16_t)(verify - (call + 3)));
    emit(c, 4, 0x9c, 0x6a, 0x00, 0x9d);                     /* pushf; push $0; popf */
    emit(c, 4, 0x66, 0x9c, 0x66, 0x58);                     /* pushfl; pop %eax */
    emit(c, 3, 0x66, 0x89, 0xc3);                           /* mov %eax,%ebx */
    emit(c, 6, 0x66, 0x35, 0x00, 0x00, 0x20, 0x00);         /* xor $X86_EFLAGS_ID,%eax */
    emit(c, 4, 0x66, 0x50, 0x66, 0x9d);                     /* push %eax; popfl */
    emit(c, 4, 0x66, 0x9c, 0x66, 0x58);                     /* pushfl; pop %eax */
    emit(c, 3, 0x66, 0x39, 0xc3);                           /* cmp %eax,%ebx */
    unsigned je1 = emit(c, 4, 0x0f, 0x84, 0, 0);            /* je verify_cpu_no_longmode (rel16) */
    emit(c, 6, 0x66, 0xb8, 0x01, 0x00, 0x00, 0x80);         /* mov $0x80000001,%eax */
    emit(c, 2, 0x0f, 0xa2);                                 /* cpuid */
    emit(c, 7, 0x66, 0x81, 0xe2, 0x00, 0x00, 0x00, 0x20);   /* and $(1<<29),%edx (LM) */
    unsigned je2 = emit(c, 2, 0x74, 0);                     /* jz verify_cpu_no_longmode */
    emit(c, 1, 0x9d);                                       /* popf */
    emit(c, 3, 0x66, 0x31, 0xc0);                           /* xor %eax,%eax */
    emit(c, 1, 0xc3);                                       /* ret */
    unsigned bad = emit(c, 1, 0x9d);                        /* verify_cpu_no_longmode: popf */
    emit(c, 6, 0x66, 0xb8, 0x01, 0x00, 0x00, 0x00);         /* mov $1,%eax */
    emit(c, 1, 0xc3);                                       /* ret */
    put16(c, je1 + 2, (uint16_t)(bad - (je1 + 4)));
    c->b[je2 + 1] = (uint8_t)(bad - (je2 + 2));

    /* tr_gdt pseudo-descriptors, then the GDT: null, 32-bit code, 64-bit code, data. */
    pad_to(c, TR_GDT_DESC);
    emit(c, 2, 0x1f, 0x00);
    emit32(c, TR_BASE + TR_GDT);
    pad_to(c, TR_IDT_DESC);
    emit(c, 6, 0, 0, 0, 0, 0, 0);
    pad_to(c, TR_GDT);
    static const uint64_t gdt[4] = { 0, 0x00cf9a000000ffffull, 0x00af9a000000ffffull, 0x00cf92000000ffffull };
    memcpy(c->b + c->n, gdt, sizeof gdt);
    c->n += sizeof gdt;

    /* startup_32 */
    pad_to(c, TR_STARTUP_32);
    emit(c, 2, 0x8e, 0xd2);                                 /* mov %edx,%ss */
    emit(c, 2, 0x81, 0xc4);                                 /* addl $pa_trampoline_base,%esp */
    emit32(c, TR_BASE);
    emit(c, 8, 0x8e, 0xda, 0x8e, 0xc2, 0x8e, 0xe2, 0x8e, 0xea);   /* mov %edx,%ds/%es/%fs/%gs */
    emit(c, 1, 0xa1);                                       /* mov tr_cr4,%eax */
    emit32(c, TR_BASE + TR_CR4);
    emit(c, 3, 0x0f, 0x22, 0xe0);                           /* mov %eax,%cr4 */
    emit(c, 1, 0xb8);                                       /* mov $pa_trampoline_pgd,%eax */
    emit32(c, (uint32_t)t->pt.root);
    emit(c, 3, 0x0f, 0x22, 0xd8);                           /* mov %eax,%cr3 */
    emit(c, 5, 0xb9, 0x80, 0x00, 0x00, 0xc0);               /* mov $MSR_EFER,%ecx */
    emit(c, 2, 0x0f, 0x32);                                 /* rdmsr */
    emit(c, 5, 0x0d, 0x00, 0x09, 0x00, 0x00);               /* or $(EFER_LME|EFER_NX),%eax */
    emit(c, 2, 0x0f, 0x30);                                 /* wrmsr */
    emit(c, 5, 0xb8, 0x33, 0x00, 0x05, 0x80);               /* mov $(CR0_STATE),%eax: PG set */
    emit(c, 3, 0x0f, 0x22, 0xc0);                           /* mov %eax,%cr0 */
    emit(c, 1, 0xea);                                       /* ljmpl $__KERNEL_CS,$startup_64 */
    emit32(c, TR_BASE + TR_STARTUP_64);
    emit(c, 2, 0x10, 0x00);

    /* startup_64 */
    pad_to(c, TR_STARTUP_64);
    emit(c, 2, 0x48, 0xb8);                                 /* movabs $0x123456789abcdef0,%rax */
    emit32(c, 0x9abcdef0);
    emit32(c, 0x12345678);
    emit(c, 2, 0x50, 0x5b);                                 /* push %rax; pop %rbx */
    emit(c, 7, 0x48, 0x8b, 0x0d, 0, 0, 0, 0);               /* mov tr_cr4(%rip),%rcx */
    put32(c, c->n - 4, TR_CR4 - c->n);
    emit(c, 1, 0xf4);                                       /* hlt */

    pad_to(c, TR_CR4);
    emit32(c, (uint32_t)(CR4_PAE | CR4_PGE));
    emit32(c, 0);
    tg_write(t, TR_BASE, c->b, c->n);
}

static void test_trampoline_to_long_mode(void **state)
{
    struct tg *t = *state;
    struct code c = { .n = 0 };
    build_trampoline(t, &c);

    start_ap(t, TR_BASE >> 12);
    assert_int_equal(cpu_run(t->cpu, 1000), CPU_EXIT_HALT);
    const struct cpu_state *s = &t->cpu->s;
    assert_int_equal(t->cpu->mode, CPU_MODE_64);
    assert_int_equal(s->rip, TR_BASE + TR_STARTUP_64 + 10 + 2 + 7 + 1);
    assert_int_equal(s->gpr[RAX], 0x123456789abcdef0ull);
    assert_int_equal(s->gpr[RBX], 0x123456789abcdef0ull);
    assert_int_equal(s->gpr[RCX], CR4_PAE | CR4_PGE);
    assert_int_equal(s->gpr[RSP], TR_BASE + TR_STACK);
    assert_int_equal(s->efer & (EFER_LME | EFER_LMA | EFER_NXE), EFER_LME | EFER_LMA | EFER_NXE);
    assert_int_equal(s->cr0, 0x80050033);
    assert_int_equal(s->cr3, t->pt.root);
    assert_int_equal(s->cr4, CR4_PAE | CR4_PGE);
    assert_int_equal(s->gdtr.base, TR_BASE + TR_GDT);
    assert_int_equal(s->gdtr.limit, 0x1f);
    assert_int_equal(s->idtr.base, 0);
    assert_int_equal(s->idtr.limit, 0);
    assert_int_equal(s->seg[SEG_CS].selector, 0x10);
    assert_true(s->seg[SEG_CS].attr & SEG_ATTR_L);
    for (int r = 0; r < SEG_COUNT; r++) {
        if (r == SEG_CS)
            continue;
        assert_int_equal(s->seg[r].selector, 0x18);
        assert_int_equal(s->seg[r].base, 0);
        assert_int_equal(s->seg[r].limit, 0xffffffff);
    }
    /* verify_cpu set ID with POPFL; its final 16-bit POPF restores bits 15:0 only. */
    assert_int_equal(cpu_get_rflags(t->cpu) & (FL_IF | FL_ID), FL_ID);
    assert_int_equal(s->cpl, 0);
}

/* Without long mode in CPUID the trampoline stops at its hlt: verify_cpu's answer is used. */
static void test_trampoline_checks_the_answer(void **state)
{
    struct tg *t = *state;
    struct code c = { .n = 0 };
    build_trampoline(t, &c);
    /* Patch `and $(1<<29),%edx` to test a bit CPUID never sets (bit 31 of 80000001h EDX: 3DNow!). */
    for (unsigned i = 0; i + 7 <= c.n; i++)
        if (c.b[i] == 0x66 && c.b[i + 1] == 0x81 && c.b[i + 2] == 0xe2 && c.b[i + 6] == 0x20) {
            c.b[i + 6] = 0x80;
            break;
        }
    tg_write(t, TR_BASE, c.b, c.n);
    start_ap(t, TR_BASE >> 12);
    assert_int_equal(cpu_run(t->cpu, 1000), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->mode, CPU_MODE_REAL);
    assert_int_equal(t->cpu->s.gpr[RAX], 1);
    assert_int_equal(t->cpu->s.cr0 & CR0_PE, 0);
}

/*
 * The same bytes at the same physical address in two modes: 48 FF C0 is
 * INC RAX in 64-bit mode, DEC AX; INC AX in real mode. A block decoded for
 * one mode must not run in the other.
 */
static void test_blocks_keyed_by_mode(void **state)
{
    struct tg *t = *state;
    static const uint8_t prog[] = { 0x48, 0xff, 0xc0, 0xf4 };
    tg_write(t, 0x50000, prog, sizeof prog);
    t->cpu->s.gpr[RAX] = 5;
    assert_int_equal(tg_run(t, 0x50000, 10), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 6);
    assert_int_equal(t->cpu->icount, 2);

    start_ap(t, 0x50);
    t->cpu->s.gpr[RAX] = 5;
    assert_int_equal(cpu_run(t->cpu, 10), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 5);
    assert_int_equal(t->cpu->icount, 2 + 3);
    assert_int_equal(t->cpu->s.rip, 4);

    /* And back: 64-bit mode still finds its own block. */
    tg_enter(t, 0);
    t->cpu->s.gpr[RAX] = 5;
    assert_int_equal(tg_run(t, 0x50000, 10), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->s.gpr[RAX], 6);
}

/* An exception in protected mode stops the CPU before the instruction (no IDT delivery there). */
static void test_protected_mode_exception_stops(void **state)
{
    struct tg *t = *state;
    struct code c = { .n = 0 };
    build_trampoline(t, &c);
    /* startup_32's first instruction becomes UD2. */
    static const uint8_t ud2[] = { 0x0f, 0x0b };
    tg_write(t, TR_BASE + TR_STARTUP_32, ud2, sizeof ud2);
    start_ap(t, TR_BASE >> 12);
    assert_int_equal(cpu_run(t->cpu, 1000), CPU_EXIT_UNSUPPORTED);
    assert_int_equal(t->cpu->mode, CPU_MODE_PROT32);
    assert_int_equal(t->cpu->s.rip, TR_BASE + TR_STARTUP_32);
    assert_int_equal(t->cpu->s.seg[SEG_CS].selector, 0x08);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static uint8_t buf[1 << 16];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

/*
 * Optional: Linux's own real-mode blob (vmlinux's real_mode_blob ..
 * real_mode_blob_end in M5SIM_RM_BLOB, real_mode_relocs in M5SIM_RM_RELOCS;
 * docs/cpu-model.md tells how to extract them), relocated to 0x90000 as
 * arch/x86/realmode/init.c does, with a trampoline header asking for EFER
 * LME|NX and CR4 PAE|PGE and the test guest's page tables as its PGD. The
 * AP must reach the 64-bit `jmp *tr_start(%rip)` and land on tr_start.
 * Skipped without the files.
 */
static void test_linux_trampoline_blob(void **state)
{
    struct tg *t = *state;
    const char *blob_path = getenv("M5SIM_RM_BLOB"), *relocs_path = getenv("M5SIM_RM_RELOCS");
    if (!blob_path || !relocs_path)
        skip();
    size_t blob_len, relocs_len;
    uint8_t *p = read_file(blob_path, &blob_len);
    assert_non_null(p);
    static uint8_t blob[1 << 16];
    memcpy(blob, p, blob_len);
    uint32_t relocs[4096];
    p = read_file(relocs_path, &relocs_len);
    assert_non_null(p);
    memcpy(relocs, p, relocs_len < sizeof relocs ? relocs_len : sizeof relocs);

    const uint32_t base = 0x90000;
    unsigned r = 0, count = relocs[r++];
    while (count--) {
        uint16_t seg = base >> 4;
        memcpy(blob + relocs[r++], &seg, 2);
    }
    count = relocs[r++];
    while (count--) {
        uint32_t v;
        memcpy(&v, blob + relocs[r], 4);
        v += base;
        memcpy(blob + relocs[r++], &v, 4);
    }
    /* struct real_mode_header: text_start, ro_end, trampoline_start, trampoline_header, ..., trampoline_pgd */
    uint32_t hdr[6];
    memcpy(hdr, blob, sizeof hdr);
    uint32_t start = hdr[2], th = hdr[3] - base, pgd = hdr[5] - base;
    uint64_t tr_start = 0xffffffff81000123ull, efer = EFER_LME | EFER_NXE;
    uint32_t cr4 = (uint32_t)(CR4_PAE | CR4_PGE), flags = 0;
    memcpy(blob + th, &tr_start, 8);
    memcpy(blob + th + 8, &efer, 8);
    memcpy(blob + th + 16, &cr4, 4);
    memcpy(blob + th + 20, &flags, 4);
    tg_write(t, base, blob, blob_len);
    uint8_t root[4096];
    assert_int_equal(bus_read_phys(&t->bus, t->pt.root, root, sizeof root), 0);
    tg_write(t, base + pgd, root, sizeof root);

    assert_int_equal(start & 0xfff, 0);
    start_ap(t, (uint8_t)(start >> 12));
    t->catch_exceptions = true;   /* tr_start is not mapped: the fetch there faults */
    assert_int_equal(cpu_run(t->cpu, 100000), CPU_EXIT_STOP);
    assert_int_equal(t->exc_vector, EXC_PF);
    assert_int_equal(t->cpu->s.rip, tr_start);
    assert_int_equal(t->cpu->mode, CPU_MODE_64);
    assert_int_equal(t->cpu->s.efer & (EFER_LMA | EFER_NXE), EFER_LMA | EFER_NXE);
    assert_int_equal(t->cpu->s.seg[SEG_CS].selector, 0x10);
    assert_int_equal(t->cpu->s.cr3, base + pgd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sipi_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_waits_for_sipi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_mode_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_mode_int, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trampoline_to_long_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trampoline_checks_the_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks_keyed_by_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protected_mode_exception_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linux_trampoline_blob, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
