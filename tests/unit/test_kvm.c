/*
 * test_kvm.c - the KVM CPU model (host/cpu/kvm.c) with hand-made long-mode
 * guests (sysguest.h) in supervisor mode: port I/O and MMIO exits reach the
 * bus, an interrupt is injected, the state round trip KVM -> cpu_state ->
 * atomic -> KVM is bit-exact, and the Linux probe refuses a software KVM.
 * Where /dev/kvm is missing or unusable every test says why and skips.
 */
#include "sysguest.h"

#include <unistd.h>

#include "cpu/cpuid.h"
#include "cpu/kvm.h"
#include "cpu/model.h"
#include <sys/wait.h>

#include "dev/m5dev.h"
#include "m5ops.h"
#include "sandbox/sandbox.h"
#include "sim/eventq.h"

static char kvm_why[256];

/* The model for this guest, or a skip that says why. */
static struct cpu_model *kvm_or_skip(struct tg *t)
{
    struct cpu_model *m = cpu_model_kvm_new(t->cpu, kvm_why, sizeof kvm_why);
    if (!m) {
        printf("SKIP: /dev/kvm is not usable here (%s)\n", kvm_why);
        tg_free(t);
        skip();
    }
    return m;
}

static enum cpu_exit kvm_run_to_halt(struct cpu_model *m)
{
    enum cpu_exit e = CPU_EXIT_BUDGET;
    for (int i = 0; i < 1000 && e == CPU_EXIT_BUDGET; i++)
        e = cpu_model_run(m, 20000000);
    return e;
}

struct devlog {
    uint32_t out_value;
    uint16_t out_port;
    int outs, ins;
    uint64_t mmio_wvalue, mmio_woff;
    int mmio_reads, mmio_writes;
    uint64_t reader_rdi;
};

static uint32_t dev_in(void *dev, uint16_t port, unsigned size)
{
    (void)port, (void)size;
    ((struct devlog *)dev)->ins++;
    return 0x1234abcd;
}

static void dev_out(void *dev, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    struct devlog *d = dev;
    d->outs++;
    d->out_port = port;
    d->out_value = value;
}

static uint64_t dev_mmio_read(void *dev, uint64_t off, unsigned size, struct cpu *initiator)
{
    (void)size;
    struct devlog *d = dev;
    d->mmio_reads++;
    d->reader_rdi = initiator->s.gpr[RDI];   /* as the m5 device reads its arguments */
    return 0x5500000000000000ull | off;
}

static void dev_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t value, struct cpu *initiator)
{
    (void)size, (void)initiator;
    struct devlog *d = dev;
    d->mmio_writes++;
    d->mmio_woff = off;
    d->mmio_wvalue = value;
}

#define MMIO_BASE 0xfe000000ull

/* Supervisor code: IN, OUT of what came in plus one, an MMIO load and store; exits reach the bus. */
static void test_io_and_mmio_exits(void **state)
{
    (void)state;
    struct tg *t = tg_new();
    struct devlog d = { 0 };
    bus_add_pio(&t->bus, "test", 0x500, 4, dev_in, dev_out, &d);
    bus_add_mmio(&t->bus, "test", MMIO_BASE, 0x1000, dev_mmio_read, dev_mmio_write, &d);
    tg_map(t, MMIO_BASE, MMIO_BASE, PTE_W | PTE_PCD);
    struct cpu_model *m = kvm_or_skip(t);

    struct tg_asm a = { .n = 0 };
    tg_emit(&a, 4, 0x66, 0xba, 0x00, 0x05);   /* mov dx, 0x500 */
    tg_emit(&a, 1, 0xed);                     /* in eax, dx */
    tg_emit(&a, 2, 0xff, 0xc0);               /* inc eax */
    tg_emit(&a, 4, 0x66, 0xba, 0x02, 0x05);   /* mov dx, 0x502 */
    tg_emit(&a, 1, 0xef);                     /* out dx, eax */
    tg_mov_imm64(&a, RBX, MMIO_BASE);
    tg_mov_imm64(&a, RDI, 0x77);
    tg_emit(&a, 4, 0x48, 0x8b, 0x4b, 0x10);   /* mov rcx, [rbx+0x10] */
    tg_emit(&a, 4, 0x48, 0x89, 0x4b, 0x20);   /* mov [rbx+0x20], rcx */
    tg_emit(&a, 1, 0xf4);                     /* hlt */
    tg_code(t, TG_CODE, a.b, a.n);
    t->cpu->s.rip = TG_CODE;

    cpu_model_activate(m);
    assert_int_equal(kvm_run_to_halt(m), CPU_EXIT_HALT);
    cpu_model_deactivate(m);
    assert_int_equal(d.ins, 1);
    assert_int_equal(d.outs, 1);
    assert_int_equal(d.out_port, 0x502);
    assert_int_equal(d.out_value, 0x1234abce);
    assert_int_equal(d.mmio_reads, 1);
    assert_int_equal(d.reader_rdi, 0x77);
    assert_int_equal(d.mmio_writes, 1);
    assert_int_equal(d.mmio_woff, 0x20);
    assert_int_equal(d.mmio_wvalue, 0x5500000000000010ull);
    assert_int_equal(t->cpu->s.gpr[RCX], 0x5500000000000010ull);
    assert_int_equal(t->cpu->s.rip, TG_CODE + a.n);
    assert_true(t->cpu->s.halted);
    cpu_model_free(m);
    tg_free(t);
}

/*
 * The KVM model under m5sim's system-call sandbox (host/sandbox/): the run
 * loop's ioctls and run timer are on the allowlist, so the same guest runs
 * to its HLT in a child that installed the filter first (a refused call
 * would end the child with status 2, the sandbox's).
 */
static void test_runs_under_the_sandbox(void **state)
{
    (void)state;
    struct tg *t = tg_new();
    struct devlog d = { 0 };
    bus_add_pio(&t->bus, "test", 0x500, 4, dev_in, dev_out, &d);
    cpu_model_free(kvm_or_skip(t));   /* skips where KVM is not usable */
    struct tg_asm a = { .n = 0 };
    tg_emit(&a, 4, 0x66, 0xba, 0x02, 0x05);   /* mov dx, 0x502 */
    tg_emit(&a, 1, 0xef);                     /* out dx, eax */
    tg_emit(&a, 1, 0xf4);                     /* hlt */
    tg_code(t, TG_CODE, a.b, a.n);
    t->cpu->s.rip = TG_CODE;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* A VM belongs to the process that made it: the child makes its own, then enters the sandbox, as m5sim does. */
        struct cpu_model *m = cpu_model_kvm_new(t->cpu, kvm_why, sizeof kvm_why);
        if (!m)
            _exit(3);
        sandbox_enter(false);
        cpu_model_activate(m);
        enum cpu_exit e = kvm_run_to_halt(m);
        cpu_model_deactivate(m);
        _exit(e == CPU_EXIT_HALT && d.outs == 1 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    tg_free(t);
}

static int m5_exits, m5_exit_status;

static void on_m5_exit(void *opaque, int status, const char *why)
{
    (void)opaque, (void)why;
    m5_exits++;
    m5_exit_status = status;
}

/* The m5 device in address mode: loads from its window are MMIO exits that see the registers. */
static void test_m5_device_address_mode(void **state)
{
    (void)state;
    struct tg *t = tg_new();
    struct eventq eq;
    eventq_init(&eq);
    struct m5dev d;
    struct m5dev_hooks hooks = { .exit = on_m5_exit };
    m5dev_init(&d, &eq, "/nonexistent-m5sim-test", NULL, 0, &hooks);
    m5dev_attach(&d, &t->bus);
    for (uint64_t off = 0; off < M5OP_ADDR_SIZE; off += 4096)
        tg_map(t, M5OP_ADDR_BASE + off, M5OP_ADDR_BASE + off, PTE_W | PTE_PCD);
    struct cpu_model *m = cpu_model_kvm_new(t->cpu, kvm_why, sizeof kvm_why);
    if (!m) {
        printf("SKIP: /dev/kvm is not usable here (%s)\n", kvm_why);
        m5dev_free(&d);
        tg_free(t);
        skip();
    }
    struct tg_asm a = { .n = 0 };
    tg_mov_imm64(&a, RDI, 1);
    tg_mov_imm64(&a, RSI, 20);
    tg_mov_imm64(&a, RDX, 300);
    tg_mov_imm64(&a, RCX, 4000);
    tg_mov_imm64(&a, R8, 50000);
    tg_mov_imm64(&a, R9, 600000);
    tg_mov_imm64(&a, RBX, M5OP_ADDR_BASE + ((uint64_t)M5OP_SUM << M5OP_ADDR_FUNC_SHIFT));
    tg_emit(&a, 3, 0x48, 0x8b, 0x03);          /* mov rax, [rbx]: m5 sum */
    tg_emit(&a, 3, 0x49, 0x89, 0xc4);          /* mov r12, rax */
    tg_mov_imm64(&a, RDI, 0);                  /* m5 exit, no delay */
    tg_mov_imm64(&a, RBX, M5OP_ADDR_BASE + ((uint64_t)M5OP_EXIT << M5OP_ADDR_FUNC_SHIFT));
    tg_emit(&a, 3, 0x48, 0x8b, 0x03);          /* mov rax, [rbx]: m5 exit */
    tg_emit(&a, 1, 0xf4);                      /* hlt */
    tg_code(t, TG_CODE, a.b, a.n);
    t->cpu->s.rip = TG_CODE;
    cpu_model_activate(m);
    assert_int_equal(kvm_run_to_halt(m), CPU_EXIT_HALT);
    cpu_model_deactivate(m);
    assert_int_equal(t->cpu->s.gpr[R12], 654321);
    eventq_run_until(&eq, eventq_now(&eq) + 1000000000000ull);
    assert_int_equal(m5_exits, 1);
    assert_int_equal(m5_exit_status, 0);
    cpu_model_free(m);
    m5dev_free(&d);
    tg_free(t);
}

/* A pending interrupt is injected when IF allows, through the IDT to its stub. */
static void test_interrupt_injection(void **state)
{
    (void)state;
    struct tg *t = tg_new();
    struct cpu_model *m = kvm_or_skip(t);
    static const uint8_t code[] = { 0xfb, 0x90, 0xeb, 0xfe };   /* sti; nop; jmp $ */
    tg_code(t, TG_CODE, code, sizeof code);
    t->cpu->s.rip = TG_CODE;
    t->intr_vector = 0x41;
    t->intr_line = true;
    cpu_model_activate(m);
    assert_int_equal(kvm_run_to_halt(m), CPU_EXIT_HALT);
    cpu_model_deactivate(m);
    assert_int_equal(t->intr_acks, 1);
    assert_int_equal(tg_halted_vector(t), 0x41);
    cpu_model_free(m);
    tg_free(t);
}

/* Registers of every kind survive KVM -> cpu_state -> atomic -> KVM -> cpu_state unchanged. */
static void test_state_round_trip(void **state)
{
    (void)state;
    struct tg *t = tg_new();
    struct cpu_model *m = kvm_or_skip(t);
    struct cpu *cpu = t->cpu;
    for (int i = 0; i < 16; i++)
        cpu->s.gpr[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
    cpu->s.gpr[RSP] = TG_STACK_TOP - 64;
    cpu->s.cr2 = 0xdead000;
    cpu->s.msr.star = 0x0023001000000000ull;
    cpu->s.msr.lstar = 0xffffffff81000000ull;
    cpu->s.msr.cstar = 0xffffffff81000100ull;
    cpu->s.msr.sfmask = 0x47700;
    cpu->s.msr.kernel_gs_base = 0xffff888000001000ull;
    cpu->s.seg[SEG_FS].base = 0x7f0000001000ull;
    cpu->s.seg[SEG_GS].base = 0xffff888000002000ull;
    for (int i = 0; i < 16; i++)
        memset(cpu->s.fx.xmm[i], 0x10 + i, 16);
    cpu->s.fx.mxcsr = 0x1f80 | 0x6000;
    /* x87 state goes in through the state (kvm-pvm's emulator rejects x87 code in supervisor mode). */
    cpu->s.fx.fcw = 0x27f;
    cpu->s.fx.ftw = 0x3;
    memset(cpu->s.fx.st[0], 0x3c, 10);
    memset(cpu->s.fx.st[1], 0x40, 10);
    /* Guest code changes flags and a register. */
    static const uint8_t code[] = {
        0x48, 0x83, 0xc0, 0x05,    /* add rax, 5 */
        0xf4,                      /* hlt */
        0xeb, 0xfe,                /* jmp $: what runs after the round trip changes nothing */
    };
    tg_code(t, TG_CODE, code, sizeof code);
    cpu->s.rip = TG_CODE;
    cpu_model_activate(m);
    assert_int_equal(kvm_run_to_halt(m), CPU_EXIT_HALT);
    cpu_model_deactivate(m);
    assert_int_equal(cpu->s.gpr[RAX], 0x1111111111111111ull + 5);
    assert_int_equal(cpu->s.msr.lstar, 0xffffffff81000000ull);
    assert_int_equal(cpu->s.seg[SEG_GS].base, 0xffff888000002000ull);
    assert_int_equal(cpu->s.fx.xmm[7][3], 0x17);
    assert_int_equal(cpu->s.fx.st[1][9], 0x40);
    assert_int_equal(cpu->s.fx.fcw, 0x27f);
    assert_int_equal(cpu->s.fx.mxcsr, 0x1f80 | 0x6000);
    struct cpu_state a = cpu->s;

    /* On the atomic model (nothing to run: the CPU is halted), then back on KVM. */
    struct cpu_model *atomic = cpu_model_atomic_new(cpu);
    cpu_model_activate(atomic);
    assert_int_equal(cpu_model_run(atomic, 100), CPU_EXIT_HALT);
    cpu_model_deactivate(atomic);
    cpu_model_free(atomic);
    cpu->s.halted = 0;   /* resume after the HLT: a run puts the state in and takes it out */
    a.halted = 0;
    cpu_model_activate(m);
    assert_int_equal(cpu_model_run(m, 1000), CPU_EXIT_BUDGET);
    cpu_model_deactivate(m);
    if (memcmp(&a, &cpu->s, sizeof a)) {
        const uint8_t *x = (const uint8_t *)&a, *y = (const uint8_t *)&cpu->s;
        for (size_t i = 0; i < sizeof a; i++)
            if (x[i] != y[i])
                printf("differs at byte %zu: %02x -> %02x\n", i, x[i], y[i]);
    }
    assert_memory_equal(&a, &cpu->s, sizeof a);
    cpu_model_free(m);
    tg_free(t);
}

/* The Linux probe: refuses kvm-pvm (this project's machines) with what failed. */
static void test_probe(void **state)
{
    (void)state;
    char why[256];
    struct tg *t = tg_new();
    struct cpu_model *m = kvm_or_skip(t);
    cpu_model_free(m);
    tg_free(t);
    bool ok = kvm_can_run_linux(why, sizeof why);
    printf("probe: %s%s\n", ok ? "this KVM can run a Linux guest" : "refused: ", why);
    if (access("/sys/module/kvm_pvm", F_OK) == 0) {
        assert_false(ok);
        assert_non_null(strstr(why, "SYSCALL did not arrive at CPL 0"));
    } else {
        assert_true(ok || why[0]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_and_mmio_exits),
        cmocka_unit_test(test_m5_device_address_mode),
        cmocka_unit_test(test_interrupt_injection),
        cmocka_unit_test(test_state_round_trip),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_runs_under_the_sandbox),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
