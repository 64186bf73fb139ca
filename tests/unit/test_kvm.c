/*
 * test_kvm.c - the KVM CPU model (host/cpu/kvm.c) with hand-made long-mode
 * guests (sysguest.h) in supervisor mode: port I/O and MMIO exits reach the
 * bus, an interrupt is injected, the state round trip KVM -> cpu_state ->
 * atomic -> KVM is bit-exact, the Linux probe refuses a software KVM, the
 * choice between instruction counters and time quanta is said and safe,
 * and two vCPUs of one VM exchange an IPI through m5sim's local APICs.
 * Where /dev/kvm is missing or unusable every test says why and skips.
 */
#include "sysguest.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include "cpu/cpuid.h"
#include "cpu/kvm.h"
#include "cpu/kvm_icount.h"
#include "cpu/model.h"
#include <sys/wait.h>

#include "dev/apic_bus.h"
#include "dev/lapic.h"
#include "dev/m5dev.h"
#include "machine/schedule.h"
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

/* ---- instruction stops (kvm_icount.h) ---- */

/* The one line that says how runs stop, for every way perf_event_open can refuse. */
static void test_icount_messages(void **state)
{
    (void)state;
    char line[256];
    kvm_icount_describe(0, 2, line, sizeof line);
    assert_string_equal(line, "kvm: instruction stops by perf counters (guest instructions counted on the vCPU thread)");
    kvm_icount_describe(ENOENT, 2, line, sizeof line);
    assert_string_equal(line, "kvm: instruction stops by time quanta (no guest instruction counter: perf_event_open: "
                              "No such file or directory; this host has no hardware instruction counter)");
    kvm_icount_describe(EACCES, 3, line, sizeof line);
    assert_string_equal(line, "kvm: instruction stops by time quanta (no guest instruction counter: perf_event_open: "
                              "Permission denied; kernel.perf_event_paranoid is 3, counting needs 1 or less, or "
                              "CAP_PERFMON)");
    kvm_icount_describe(EPERM, INT_MIN, line, sizeof line);
    assert_string_equal(line, "kvm: instruction stops by time quanta (no guest instruction counter: perf_event_open: "
                              "Operation not permitted)");
    kvm_icount_describe(EOPNOTSUPP, 0, line, sizeof line);
    assert_non_null(strstr(line, "by time quanta"));
    assert_non_null(strstr(line, "no hardware instruction counter"));
    kvm_icount_describe(-1, 0, line, sizeof line);
    assert_string_equal(line, "kvm: instruction stops by time quanta (no guest instruction counter: "
                              "M5SIM_KVM_NO_PERF is set)");
}

/*
 * Which method a model uses follows what the host allows: a host without a
 * hardware PMU (no "cpu" event source, as in this project's VMs) or with
 * M5SIM_KVM_NO_PERF gets time quanta, and a time-quanta run still ends at
 * its budget with the clock moved. Never a panic, whatever the paranoia.
 */
static void test_icount_choice(void **state)
{
    (void)state;
    struct tg *t = tg_new();
    struct cpu_model *m = kvm_or_skip(t);
    bool pmu = access("/sys/bus/event_source/devices/cpu", F_OK) == 0 ||
               access("/sys/bus/event_source/devices/cpu_core", F_OK) == 0;
    printf("instruction stops: %s (hardware PMU: %s, perf_event_paranoid %d)\n",
           cpu_model_kvm_counts_instructions(m) ? "perf counters" : "time quanta", pmu ? "yes" : "no",
           kvm_icount_paranoid());
    if (!pmu)
        assert_false(cpu_model_kvm_counts_instructions(m));
    cpu_model_kvm_say_stops(m);   /* the machine's one line */
    struct kvm_icount ic;
    bool counted = kvm_icount_open(&ic, gettid(), SIGRTMIN + 5);
    assert_int_equal(counted, cpu_model_kvm_counts_instructions(m));
    if (!counted)
        assert_int_not_equal(ic.err, 0);
    kvm_icount_close(&ic);
    static const uint8_t spin[] = { 0xeb, 0xfe };   /* jmp $ */
    tg_code(t, TG_CODE, spin, sizeof spin);
    t->cpu->s.rip = TG_CODE;
    cpu_model_activate(m);
    uint64_t before = t->cpu->icount;
    assert_int_equal(cpu_model_run(m, 2000000), CPU_EXIT_BUDGET);
    cpu_model_deactivate(m);
    assert_true(t->cpu->icount > before);
    if (!cpu_model_kvm_counts_instructions(m))
        assert_true(t->cpu->icount - before <= 2000000);   /* a time quantum never runs past its budget */
    cpu_model_free(m);

    setenv(KVM_ICOUNT_DISABLE_ENV, "1", 1);
    assert_false(kvm_icount_open(&ic, gettid(), SIGRTMIN + 5));
    assert_int_equal(ic.err, -1);
    m = cpu_model_kvm_new(t->cpu, kvm_why, sizeof kvm_why);
    unsetenv(KVM_ICOUNT_DISABLE_ENV);
    assert_non_null(m);
    assert_false(cpu_model_kvm_counts_instructions(m));
    cpu_model_free(m);
    tg_free(t);
}

/* ---- several vCPUs on one VM ---- */

#define SMP_FLAG   (TG_DATA)            /* CPU1 writes 1 here once its APIC is enabled */
#define SMP_STACK1 (TG_DATA + 0x10000)  /* CPU1's stack top */
#define SMP_CODE1  (TG_CODE + 0x1000)
#define SMP_VECTOR 0x40

struct smp {
    struct tg *t;
    struct cpu *cpu[2];
    struct lapic apic[2];
    struct apic_bus abus;
    struct eventq eq;
    struct cpu_model *model[2];
    struct machine_cpu_run run[2];
    struct sched sched;
    struct devlog log;
    int reported[2];          /* what each CPU wrote to its report port */
    int reports[2];
};

static void smp_out(void *dev, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    struct smp *s = dev;
    unsigned who = port == 0x510 ? 1 : 0;
    s->reported[who] = (int)value;
    s->reports[who]++;
}

static void smp_signal(void *opaque, unsigned cpu, unsigned mode, unsigned vector)
{
    (void)opaque, (void)cpu, (void)mode, (void)vector;
}

/* The machine's rules (machine.c cpu_idle): halted with nothing it would take wakes it. */
static bool smp_idle(void *opaque, unsigned i)
{
    struct smp *s = opaque;
    struct cpu *cpu = s->cpu[i];
    if (!cpu->s.halted)
        return false;
    return !((cpu->s.rflags & FL_IF) && cpu->hooks.intr_pending(cpu->hooks.opaque, cpu));
}

/* A turn as machine.c's sched_turn: run the model for the cycles up to `end`, move the CPU's time. */
static enum cpu_exit smp_turn(void *opaque, unsigned i, uint64_t end)
{
    struct smp *s = opaque;
    uint64_t c0 = cpu_cycles(s->cpu[i]);
    enum cpu_exit why = cpu_model_run(s->model[i], end - s->run[i].tick);
    s->run[i].tick += cpu_cycles(s->cpu[i]) - c0;
    return why;
}

static bool smp_done(void *opaque)
{
    struct smp *s = opaque;
    return s->reports[0] && s->reports[1];
}

/*
 * Two vCPUs of one VM, run in turns by the machine's scheduler
 * (machine/schedule.c), their local APICs m5sim's on an APIC bus. CPU1
 * enables its APIC, says so in memory and halts with interrupts on; CPU0
 * waits for that, sends a fixed IPI through its ICR (MMIO exits to its own
 * APIC), reports and halts. The halted CPU1 is woken by the scheduler,
 * takes the interrupt through its IDT and reports the vector on a port.
 */
static void test_two_vcpus_ipi(void **state)
{
    (void)state;
    struct smp *s = calloc(1, sizeof *s);
    assert_non_null(s);
    struct tg *t = s->t = tg_new();
    bus_add_pio(&t->bus, "report", 0x500, 0x20, dev_in, smp_out, s);   /* CPU0 0x500, CPU1 0x510 */
    tg_map(t, LAPIC_BASE, LAPIC_BASE, PTE_W | PTE_PCD);
    eventq_init(&s->eq);
    apic_bus_init(&s->abus, smp_signal, s);
    s->cpu[0] = t->cpu;
    s->cpu[1] = calloc(1, sizeof *s->cpu[1]);
    assert_non_null(s->cpu[1]);
    cpu_init(s->cpu[1], &t->bus, 1);
    s->cpu[1]->s = t->cpu->s;   /* the same long-mode system state */
    s->cpu[1]->s.gpr[RSP] = SMP_STACK1;
    s->cpu[1]->s.rip = SMP_CODE1;
    cpu_state_changed(s->cpu[1]);
    for (unsigned i = 0; i < 2; i++) {
        lapic_init(&s->apic[i], &s->eq, i, 100000000);
        apic_bus_add(&s->abus, &s->apic[i]);
        struct cpu_hooks *h = &s->cpu[i]->hooks;
        h->opaque = &s->apic[i];
        h->intr_pending = lapic_intr_pending;
        h->intr_ack = lapic_intr_ack;
        h->cr8_read = lapic_cr8_read;
        h->cr8_write = lapic_cr8_write;
        h->apic_enabled = lapic_hw_enabled;
        h->apic_set_enabled = lapic_set_hw_enabled;
        h->exception = NULL;
        h->m5op = NULL;
    }
    apic_bus_attach(&s->abus, &t->bus);

    struct kvm_vm *vm = kvm_vm_new(&t->bus, kvm_why, sizeof kvm_why);
    if (!vm) {
        printf("SKIP: /dev/kvm is not usable here (%s)\n", kvm_why);
        tg_free(t);
        skip();
    }
    for (unsigned i = 0; i < 2; i++) {
        s->model[i] = cpu_model_kvm_new_on(vm, s->cpu[i], kvm_why, sizeof kvm_why);
        assert_non_null(s->model[i]);
    }
    kvm_vm_put(vm);   /* the models hold it */

    /* CPU0: wait for the flag, IPI vector 0x40 to APIC ID 1, report 0x500, halt. */
    struct tg_asm a = { .n = 0 };
    tg_mov_imm64(&a, RBX, LAPIC_BASE);
    size_t loop = a.n;
    tg_emit(&a, 2, 0x8b, 0x04), tg_emit(&a, 1, 0x25), tg_emit32(&a, (uint32_t)SMP_FLAG);   /* mov eax, [SMP_FLAG] */
    tg_emit(&a, 3, 0x83, 0xf8, 0x01);                                                   /* cmp eax, 1 */
    tg_emit(&a, 2, 0x75, (int)(loop - (a.n + 2)) & 0xff);                               /* jne loop */
    tg_emit(&a, 2, 0xc7, 0x83), tg_emit32(&a, 0x310), tg_emit32(&a, 1u << 24);         /* ICR high: dest 1 */
    tg_emit(&a, 2, 0xc7, 0x83), tg_emit32(&a, 0x300), tg_emit32(&a, SMP_VECTOR);       /* ICR low: fixed */
    tg_mov_eax(&a, 0x5e47);
    tg_emit(&a, 4, 0x66, 0xba, 0x00, 0x05);   /* mov dx, 0x500 */
    tg_emit(&a, 1, 0xef);                     /* out dx, eax */
    tg_emit(&a, 2, 0xf4, 0xf4);               /* hlt */
    tg_code(t, TG_CODE, a.b, a.n);
    t->cpu->s.rip = TG_CODE;

    /* CPU1: APIC software-enabled (SVR), flag set, sti; hlt. */
    struct tg_asm b = { .n = 0 };
    tg_mov_imm64(&b, RBX, LAPIC_BASE);
    tg_emit(&b, 2, 0xc7, 0x83), tg_emit32(&b, 0xf0), tg_emit32(&b, 0x1ff);              /* SVR */
    tg_emit(&b, 3, 0xc7, 0x04, 0x25), tg_emit32(&b, (uint32_t)SMP_FLAG), tg_emit32(&b, 1);  /* flag */
    tg_emit(&b, 3, 0xfb, 0xf4, 0xf4);         /* sti; hlt */
    tg_code(t, SMP_CODE1, b.b, b.n);
    /* Its handler: report the vector on port 0x510, halt with interrupts off. */
    static const uint8_t handler[] = {
        0xb8, SMP_VECTOR, 0, 0, 0,    /* mov eax, vector */
        0x66, 0xba, 0x10, 0x05,       /* mov dx, 0x510 */
        0xef, 0xf4,                   /* out dx, eax; hlt */
    };
    tg_set_handler_code(t, SMP_VECTOR, handler, sizeof handler);

    s->sched = (struct sched){ .n = 2, .period = 1, .skip_idle = true, .opaque = s, .idle = smp_idle,
                               .turn = smp_turn, .done = smp_done };
    for (unsigned i = 0; i < 2; i++) {
        s->sched.cpu[i] = &s->run[i];
        cpu_model_activate(s->model[i]);
    }
    uint64_t now = 0;
    int rounds = 0;
    for (; rounds < 2000 && !smp_done(s); rounds++) {
        struct sched_round r = sched_run_round(&s->sched, now, now + 1000000);
        now = r.reached != TICK_NEVER ? r.reached : r.idle_reached + 1;
    }
    for (unsigned i = 0; i < 2; i++)
        cpu_model_deactivate(s->model[i]);
    printf("two vCPUs: %d rounds, CPU0 at %llu cycles, CPU1 at %llu\n", rounds,
           (unsigned long long)s->run[0].tick, (unsigned long long)s->run[1].tick);
    assert_int_equal(s->reports[0], 1);
    assert_int_equal(s->reported[0], 0x5e47);
    assert_int_equal(s->reports[1], 1);
    assert_int_equal(s->reported[1], SMP_VECTOR);
    assert_int_equal(tg_read32(t, SMP_FLAG), 1);
    assert_int_equal(tg_halted_vector(t) == -1, 1);   /* CPU0 halted in its own code, not a stub */
    assert_true(s->cpu[1]->s.rip == tg_handler(SMP_VECTOR) + sizeof handler);

    for (unsigned i = 0; i < 2; i++)
        cpu_model_free(s->model[i]);
    cpu_free(s->cpu[1]);
    free(s->cpu[1]);
    tg_free(t);
    free(s);
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
        cmocka_unit_test(test_icount_messages),
        cmocka_unit_test(test_icount_choice),
        cmocka_unit_test(test_two_vcpus_ipi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
