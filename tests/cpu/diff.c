/*
 * diff.c - differential testing harness (see diff.h): the same instruction
 * bytes run natively and in the interpreter from the same state.
 */
#include "diff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <ucontext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "cpu/flags.h"
#include "cpu/mmu.h"
#include "mem/bus.h"
#include "mem/pagetable.h"

struct diff_stats diff_stats;

/* ----------------------------------------------------------- native side -- */

struct native_ctx {
    struct fxsave_area fx;     /* offset 0, 16-aligned */
    uint64_t gpr[16];          /* offset 512 */
    uint64_t rflags;           /* offset 640 */
};
_Static_assert(__builtin_offsetof(struct native_ctx, gpr) == 512, "layout used by the trampoline");
_Static_assert(__builtin_offsetof(struct native_ctx, rflags) == 640, "layout used by the trampoline");

__attribute__((visibility("hidden"), aligned(16))) struct native_ctx diff_native_in, diff_native_out;
__attribute__((visibility("hidden"))) uint64_t diff_native_host_rsp, diff_native_code;
__attribute__((visibility("hidden"))) uint32_t diff_native_host_mxcsr;

void diff_native_enter(void);
void diff_native_exit(void);

/*
 * Enter: save callee-saved registers and the host RSP, load the x87/SSE image,
 * flags and all sixteen GPRs (RSP included), jump to the code. The code page
 * ends with a jump to diff_native_exit, which stores everything back.
 */
__asm__(
    ".text\n"
    ".globl diff_native_enter\n"
    "diff_native_enter:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rsp, diff_native_host_rsp(%rip)\n"
    "  stmxcsr diff_native_host_mxcsr(%rip)\n"
    "  fxrstor64 diff_native_in(%rip)\n"
    "  push diff_native_in+640(%rip)\n  popfq\n"
    "  mov diff_native_in+512+0*8(%rip), %rax\n"
    "  mov diff_native_in+512+1*8(%rip), %rcx\n"
    "  mov diff_native_in+512+2*8(%rip), %rdx\n"
    "  mov diff_native_in+512+3*8(%rip), %rbx\n"
    "  mov diff_native_in+512+5*8(%rip), %rbp\n"
    "  mov diff_native_in+512+6*8(%rip), %rsi\n"
    "  mov diff_native_in+512+7*8(%rip), %rdi\n"
    "  mov diff_native_in+512+8*8(%rip), %r8\n"
    "  mov diff_native_in+512+9*8(%rip), %r9\n"
    "  mov diff_native_in+512+10*8(%rip), %r10\n"
    "  mov diff_native_in+512+11*8(%rip), %r11\n"
    "  mov diff_native_in+512+12*8(%rip), %r12\n"
    "  mov diff_native_in+512+13*8(%rip), %r13\n"
    "  mov diff_native_in+512+14*8(%rip), %r14\n"
    "  mov diff_native_in+512+15*8(%rip), %r15\n"
    "  mov diff_native_in+512+4*8(%rip), %rsp\n"
    "  jmp *diff_native_code(%rip)\n"
    ".globl diff_native_exit\n"
    "diff_native_exit:\n"
    "  mov %rax, diff_native_out+512+0*8(%rip)\n"
    "  mov %rcx, diff_native_out+512+1*8(%rip)\n"
    "  mov %rdx, diff_native_out+512+2*8(%rip)\n"
    "  mov %rbx, diff_native_out+512+3*8(%rip)\n"
    "  mov %rsp, diff_native_out+512+4*8(%rip)\n"
    "  mov %rbp, diff_native_out+512+5*8(%rip)\n"
    "  mov %rsi, diff_native_out+512+6*8(%rip)\n"
    "  mov %rdi, diff_native_out+512+7*8(%rip)\n"
    "  mov %r8, diff_native_out+512+8*8(%rip)\n"
    "  mov %r9, diff_native_out+512+9*8(%rip)\n"
    "  mov %r10, diff_native_out+512+10*8(%rip)\n"
    "  mov %r11, diff_native_out+512+11*8(%rip)\n"
    "  mov %r12, diff_native_out+512+12*8(%rip)\n"
    "  mov %r13, diff_native_out+512+13*8(%rip)\n"
    "  mov %r14, diff_native_out+512+14*8(%rip)\n"
    "  mov %r15, diff_native_out+512+15*8(%rip)\n"
    "  mov diff_native_host_rsp(%rip), %rsp\n"
    "  pushfq\n  pop diff_native_out+640(%rip)\n"
    "  fxsave64 diff_native_out(%rip)\n"
    "  fninit\n"
    "  ldmxcsr diff_native_host_mxcsr(%rip)\n"
    "  cld\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n");

static sigjmp_buf native_jmp;
static volatile int native_vector;

static void native_signal(int sig, siginfo_t *si, void *uc)
{
    switch (sig) {
    case SIGFPE:
        /* The kernel records the hardware vector: #DE 0, #MF 16 (x87), #XM 19 (SSE). */
        native_vector = (int)((ucontext_t *)uc)->uc_mcontext.gregs[REG_TRAPNO];
        (void)si;
        break;
    case SIGILL: native_vector = EXC_UD; break;
    case SIGTRAP: native_vector = EXC_BP; break;
    case SIGBUS: native_vector = EXC_AC; break;
    default: native_vector = si->si_code == SI_KERNEL ? EXC_GP : EXC_PF; break;
    }
    siglongjmp(native_jmp, 1);
}

static uint8_t *native_code, *native_data, *native_stack;

static void *map_fixed(uint64_t va, size_t len, int prot)
{
    void *p = mmap((void *)va, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED || (uint64_t)p != va) {
        fprintf(stderr, "diff: cannot map 0x%llx\n", (unsigned long long)va);
        exit(2);
    }
    return p;
}

void diff_run_native(const struct diff_case *c, const struct diff_state *in, struct diff_result *r)
{
    static const uint8_t tail[6] = { 0xff, 0x25, 0, 0, 0, 0 };  /* jmp *0(%rip) */
    uint64_t exit_addr = (uint64_t)(uintptr_t)diff_native_exit;
    memcpy(native_code, c->code, c->len);
    memcpy(native_code + c->len, tail, sizeof tail);
    memcpy(native_code + c->len + sizeof tail, &exit_addr, 8);
    __builtin___clear_cache((char *)native_code, (char *)native_code + 4096);
    memcpy(native_data, in->data, DIFF_DATA_SIZE);

    uint8_t stack_init[DIFF_STACK_BYTES];
    memcpy(stack_init, r->stack, DIFF_STACK_BYTES);  /* caller seeds r->stack */
    memcpy(native_stack, stack_init, DIFF_STACK_BYTES);

    diff_native_in.fx = in->fx;
    memcpy(diff_native_in.gpr, in->gpr, sizeof in->gpr);
    diff_native_in.gpr[RSP] = in->gpr[RSP];
    diff_native_in.rflags = (in->rflags & (FL_ARITH | FL_DF)) | FL_FIXED1 | FL_IF;
    diff_native_code = DIFF_CODE_VA;

    native_vector = -1;
    if (sigsetjmp(native_jmp, 1) == 0) {
        diff_native_enter();
        r->vector = -1;
        memcpy(r->out.gpr, diff_native_out.gpr, sizeof r->out.gpr);
        r->out.rflags = diff_native_out.rflags;
        r->out.fx = diff_native_out.fx;
    } else {
        __asm__ volatile("fninit\n\tldmxcsr %0\n\tcld" : : "m"(diff_native_host_mxcsr));
        r->vector = native_vector;
        r->out = *in;
    }
    memcpy(r->out.data, native_data, DIFF_DATA_SIZE);
    memcpy(r->stack, native_stack, DIFF_STACK_BYTES);
}

/* ------------------------------------------------------ interpreter side -- */

#define RAM_SIZE (16u << 20)
static struct bus bus;
static struct cpu cpu;
static uint8_t *ram;
static uint64_t code_pa, data_pa, stack_pa;
static int interp_vector;

static bool interp_exception(void *opaque, struct cpu *c, int vector, uint32_t error)
{
    (void)opaque, (void)error;
    interp_vector = vector;
    cpu_request_exit(c, CPU_EXIT_STOP);
    return true;
}

static void interp_setup(void)
{
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED) {
        perror("diff: mmap");
        exit(2);
    }
    bus_init(&bus);
    bus_add_ram(&bus, 0, RAM_SIZE, ram);
    struct pagetable pt;
    pt_init(&pt, &bus, 0x100000, RAM_SIZE);
    code_pa = pt_alloc_page(&pt);
    pt_alloc_page(&pt);  /* room for code that runs into a second page */
    data_pa = pt_alloc_page(&pt);
    pt_alloc_page(&pt);
    stack_pa = pt_alloc_page(&pt);
    pt_map(&pt, DIFF_CODE_VA, code_pa, PTE_U);
    pt_map(&pt, DIFF_CODE_VA + 4096, code_pa + 4096, PTE_U);
    for (unsigned i = 0; i < DIFF_DATA_SIZE / 4096; i++)
        pt_map(&pt, DIFF_DATA_VA + i * 4096ull, data_pa + i * 4096ull, PTE_U | PTE_W | PTE_NX);
    pt_map(&pt, DIFF_STACK_TOP - 4096, stack_pa, PTE_U | PTE_W | PTE_NX);
    cpu_init(&cpu, &bus, 0);
    cpu_enter_long_mode(&cpu, pt.root, 3);
    cpu.hooks.exception = interp_exception;
}

void diff_run_interp(const struct diff_case *c, const struct diff_state *in, struct diff_result *r)
{
    uint8_t code[8192] = { 0 };
    memcpy(code, c->code, c->len);
    bus_write_phys(&bus, code_pa, code, sizeof code);
    bus_write_phys(&bus, data_pa, in->data, DIFF_DATA_SIZE);
    bus_write_phys(&bus, stack_pa, r->stack, DIFF_STACK_BYTES);

    memcpy(cpu.s.gpr, in->gpr, sizeof in->gpr);
    cpu_set_rflags(&cpu, (in->rflags & (FL_ARITH | FL_DF)) | FL_FIXED1 | FL_IF);
    cpu.s.fx = in->fx;
    cpu.s.rip = DIFF_CODE_VA;
    cpu.s.intr_shadow = 0;
    cpu.s.halted = 0;
    mmu_flush(&cpu, true);

    interp_vector = -1;
    uint64_t end = DIFF_CODE_VA + c->len;
    for (unsigned steps = 0; steps < 1000000 && cpu.s.rip != end && interp_vector < 0; steps++) {
        enum cpu_exit e = cpu_run(&cpu, 1);
        if (e == CPU_EXIT_TRIPLE_FAULT || e == CPU_EXIT_UNSUPPORTED)
            break;
    }
    r->vector = interp_vector;
    if (interp_vector >= 0) {
        r->out = *in;
    } else {
        memcpy(r->out.gpr, cpu.s.gpr, sizeof r->out.gpr);
        r->out.rflags = cpu_get_rflags(&cpu);
        r->out.fx = cpu.s.fx;
    }
    bus_read_phys(&bus, data_pa, r->out.data, DIFF_DATA_SIZE);
    bus_read_phys(&bus, stack_pa, r->stack, DIFF_STACK_BYTES);
}

/* ------------------------------------------------------------- compare -- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t name_seed(const char *name)
{
    uint64_t h = 1469598103934665603ull;
    for (; *name; name++)
        h = (h ^ (uint8_t)*name) * 1099511628211ull;
    return h;
}

void diff_random_state(struct diff_state *st, uint64_t seed)
{
    uint64_t s = seed;
    memset(st, 0, sizeof(*st));
    for (int i = 0; i < 16; i++)
        st->gpr[i] = rng_next(&s);
    st->gpr[RSP] = DIFF_STACK_TOP - 512;
    st->rflags = rng_next(&s) & FL_ARITH;
    st->fx.fcw = 0x37f;
    st->fx.mxcsr = 0x1f80;
    st->fx.mxcsr_mask = 0;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j += 8) {
            uint64_t v = rng_next(&s);
            memcpy(&st->fx.xmm[i][j], &v, 8);
        }
    for (unsigned i = 0; i < DIFF_DATA_SIZE; i += 8) {
        uint64_t v = rng_next(&s);
        memcpy(&st->data[i], &v, 8);
    }
}

static const uint64_t edges[] = {
    0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0x81, 0xff, 0x100,
    0x7fff, 0x8000, 0x8001, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff,
    0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
    0xfffffffffffffffeull, 0xffffffffffffffffull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull,
    0x0123456789abcdefull, 0xffffffff80000000ull, 0xffffffff7fffffffull,
};

uint64_t diff_edge_value(unsigned i) { return edges[i % (sizeof edges / sizeof edges[0])]; }
unsigned diff_edge_count(void) { return sizeof edges / sizeof edges[0]; }

static const char *gpr_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

static void print_bytes(const char *what, const uint8_t *b, unsigned n)
{
    fprintf(stderr, "  %s:", what);
    for (unsigned i = 0; i < n; i++)
        fprintf(stderr, " %02x", b[i]);
    fprintf(stderr, "\n");
}

static void report_input(const struct diff_case *c, const struct diff_state *in)
{
    fprintf(stderr, "FAIL %s\n", c->name);
    print_bytes("code", c->code, c->len);
    for (int i = 0; i < 16; i++)
        fprintf(stderr, "  in %s=0x%016llx%s", gpr_names[i], (unsigned long long)in->gpr[i], i % 4 == 3 ? "\n" : "");
    fprintf(stderr, "  in rflags=0x%llx mxcsr=0x%x fcw=0x%x\n", (unsigned long long)in->rflags,
            in->fx.mxcsr, in->fx.fcw);
}

static int fx_differs(const struct fxsave_area *a, const struct fxsave_area *b, char *what, size_t n)
{
    if (a->fcw != b->fcw) return snprintf(what, n, "fcw 0x%x vs 0x%x", a->fcw, b->fcw), 1;
    if (a->fsw != b->fsw) return snprintf(what, n, "fsw 0x%x vs 0x%x", a->fsw, b->fsw), 1;
    if (a->ftw != b->ftw) return snprintf(what, n, "ftw 0x%x vs 0x%x", a->ftw, b->ftw), 1;
    if (a->mxcsr != b->mxcsr) return snprintf(what, n, "mxcsr 0x%x vs 0x%x", a->mxcsr, b->mxcsr), 1;
    for (int i = 0; i < 8; i++)
        if (memcmp(a->st[i], b->st[i], 10))
            return snprintf(what, n, "st%d", i), 1;
    for (int i = 0; i < 16; i++)
        if (memcmp(a->xmm[i], b->xmm[i], 16))
            return snprintf(what, n, "xmm%d", i), 1;
    return 0;
}

/* The initial stack of the input being checked (for the model functions). */
static uint8_t stack_in[DIFF_STACK_BYTES];

void diff_run_native_ref(const uint8_t *code, unsigned len, const struct diff_state *in,
                         struct diff_result *r)
{
    struct diff_case ref = { .name = "reference", .code = code, .len = len };
    memcpy(r->stack, stack_in, DIFF_STACK_BYTES);
    diff_run_native(&ref, in, r);
}

void diff_expect_exception(const struct diff_state *in, int vector, struct diff_result *expect)
{
    expect->vector = vector;
    expect->out = *in;
    memcpy(expect->stack, stack_in, DIFF_STACK_BYTES);
}

/* Set by diff_model_fail() during the current input's model function. */
static char model_failure[256];

void diff_model_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(model_failure, sizeof model_failure, fmt, ap);
    va_end(ap);
}

bool diff_check(const struct diff_case *c, const struct diff_state *in)
{
    static struct diff_result native, interp;
    uint64_t s = name_seed(c->name) ^ in->gpr[RAX];
    for (unsigned i = 0; i < DIFF_STACK_BYTES; i += 8) {
        uint64_t v = rng_next(&s);
        memcpy(&stack_in[i], &v, 8);
    }
    memcpy(native.stack, stack_in, DIFF_STACK_BYTES);
    memcpy(interp.stack, stack_in, DIFF_STACK_BYTES);
    diff_run_native(c, in, &native);
    model_failure[0] = 0;
    bool model = c->model && c->model(c, in, &native);
    diff_run_interp(c, in, &interp);
    diff_stats.cases++;
    if (model)
        diff_stats.model++;
    else
        diff_stats.host++;

    /* "native" is the host's result, "model" the model's definition of this input. */
    const char *exp = model ? "model" : "native";
    bool ok = true;
    unsigned shown = 0;
    char buf[160];
#define MISMATCH(...) do { if (ok) report_input(c, in); ok = false; fprintf(stderr, "  " __VA_ARGS__); } while (0)
    if (model_failure[0])
        MISMATCH("model's property check: %s\n", model_failure);
    if (native.vector != interp.vector)
        MISMATCH("exception: %s %d, interpreter %d\n", exp, native.vector, interp.vector);
    if (native.vector < 0 && interp.vector < 0) {
        for (int i = 0; i < 16; i++)
            if (native.out.gpr[i] != interp.out.gpr[i])
                MISMATCH("%s: %s 0x%016llx, interpreter 0x%016llx\n", gpr_names[i], exp,
                         (unsigned long long)native.out.gpr[i], (unsigned long long)interp.out.gpr[i]);
        uint64_t mask = (FL_ARITH | FL_DF) & ~c->undefined_flags;
        if ((native.out.rflags & mask) != (interp.out.rflags & mask))
            MISMATCH("rflags: %s 0x%llx, interpreter 0x%llx (compared bits 0x%llx)\n", exp,
                     (unsigned long long)(native.out.rflags & mask),
                     (unsigned long long)(interp.out.rflags & mask), (unsigned long long)mask);
        if (c->compare_fx && fx_differs(&native.out.fx, &interp.out.fx, buf, sizeof buf))
            MISMATCH("fx state: %s\n", buf);
    }
    for (unsigned i = 0; i < DIFF_DATA_SIZE && shown < 8; i++)
        if (native.out.data[i] != interp.out.data[i]) {
            MISMATCH("data[0x%x]: %s %02x, interpreter %02x\n", i, exp, native.out.data[i], interp.out.data[i]);
            shown++;
        }
    for (unsigned i = 0; i < DIFF_STACK_BYTES; i++)
        if (native.stack[i] != interp.stack[i]) {
            MISMATCH("stack[0x%x]: %s %02x, interpreter %02x\n", i, exp, native.stack[i], interp.stack[i]);
            break;
        }
#undef MISMATCH
    if (!ok)
        diff_stats.failures++;
    return ok;
}

unsigned diff_fuzz(const struct diff_case *c, unsigned n, uint32_t regs_mask,
                   void (*fixup)(struct diff_state *st))
{
    static struct diff_state st;
    unsigned failures = 0, reported = 0;
    uint64_t seed = name_seed(c->name);
    int regs[16], nregs = 0;
    for (int i = 0; i < 16; i++)
        if (regs_mask & (1u << i))
            regs[nregs++] = i;

#define RUN() do { if (fixup) fixup(&st); if (!diff_check(c, &st)) { failures++; if (++reported >= 3) return failures; } } while (0)
    for (unsigned i = 0; i < n; i++) {
        diff_random_state(&st, seed + i);
        RUN();
    }
    unsigned ne = diff_edge_count();
    if (nregs == 1) {
        for (unsigned a = 0; a < ne; a++) {
            diff_random_state(&st, seed + 1000003 + a);
            st.gpr[regs[0]] = diff_edge_value(a);
            RUN();
        }
    } else if (nregs >= 2) {
        for (unsigned a = 0; a < ne; a++)
            for (unsigned b = 0; b < ne; b++) {
                diff_random_state(&st, seed + 2000003 + a * ne + b);
                st.gpr[regs[0]] = diff_edge_value(a);
                st.gpr[regs[1]] = diff_edge_value(b);
                for (int k = 2; k < nregs; k++)
                    st.gpr[regs[k]] = diff_edge_value(a + b + (unsigned)k);
                RUN();
            }
    }
#undef RUN
    return failures;
}

void diff_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    native_code = map_fixed(DIFF_CODE_VA, 8192, PROT_READ | PROT_WRITE | PROT_EXEC);
    native_data = map_fixed(DIFF_DATA_VA, DIFF_DATA_SIZE, PROT_READ | PROT_WRITE);
    native_stack = map_fixed(DIFF_STACK_TOP - 4096, 4096, PROT_READ | PROT_WRITE);

    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = native_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    interp_setup();
}
