/*
 * kvm.c - the KVM CPU model (gem5's X86KvmCPU) behind the model interface.
 *
 * The guest runs on /dev/kvm; everything else stays in m5sim. Guest RAM is
 * the bus's RAM ranges registered as user memory regions (the same host
 * memory, so a checkpoint's copy-on-write mapping is shared, not copied).
 * There is no in-kernel irqchip: the local APIC and I/O APIC are m5sim's
 * devices, reached through MMIO exits, and their interrupts are injected
 * with KVM_INTERRUPT when the guest can take one (request_interrupt_window
 * asks KVM to exit as soon as it can). Port I/O and MMIO exits go to the
 * bus; the m5 device in address mode is an MMIO region like any other.
 *
 * cpu->s is current between runs: a run puts it into KVM first and takes
 * it back at the end, so the machine, checkpoints and other models see one
 * state whatever ran. Time: a run of `budget` cycles lets the guest run for
 * the host time those cycles take at the guest's clock (cpuid_tsc_hz),
 * stopped by a timer signal, and the CPU's clock advances by the host time
 * that passed, scaled the same way. Host time is not deterministic, so
 * neither is a KVM run.
 */
#include "cpu/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cpu/block.h"
#include "cpu/cpuid.h"
#include "cpu/kvm_icount.h"
#include "cpu/msr.h"
#include "mem/bus.h"
#include "util/log.h"

#define KVM_MAX_CPUID 64
/* A run longer than this is cut into several: kicks from the machine come between them. */
#define KVM_MAX_RUN_NS 10000000ull
/*
 * A run shorter than this is lengthened: entering and leaving KVM moves the
 * whole state (tens of ioctls), so runs of a few hundred cycles (several
 * CPUs at the default --quantum of 1000) would cost far more than they run.
 * The turn then overshoots its end, as a timing model's stall does, and the
 * scheduler lets the CPU sit out the rounds it is ahead of.
 */
#define KVM_MIN_RUN_NS 100000ull
#define KVM_TIMER_SIGNAL (SIGRTMIN + 5)

/* MSRs of struct msrs that KVM holds (FS/GS base, EFER and APIC base travel in the sregs). */
static const uint32_t kvm_msr_index[] = {
    0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,   /* STAR, LSTAR, CSTAR, SFMASK */
    0xc0000102,                                       /* KERNEL_GS_BASE */
    0x174, 0x175, 0x176,                              /* SYSENTER_CS/ESP/EIP */
    0x277,                                            /* PAT */
    0xc0000103,                                       /* TSC_AUX */
    0x1a0,                                            /* MISC_ENABLE */
    0x3b,                                             /* TSC_ADJUST */
};
#define KVM_NMSRS (sizeof kvm_msr_index / sizeof kvm_msr_index[0])
#define MSR_TSC 0x10u

static uint64_t *msr_field(struct msrs *m, unsigned i)
{
    uint64_t *f[KVM_NMSRS] = {
        &m->star, &m->lstar, &m->cstar, &m->sfmask, &m->kernel_gs_base, &m->sysenter_cs,
        &m->sysenter_esp, &m->sysenter_eip, &m->pat, &m->tsc_aux, &m->misc_enable, &m->tsc_adjust,
    };
    return f[i];
}

/*
 * One VM per machine: guest RAM registered once, one vCPU per CPU. Each
 * model holds a reference; the last one closes it.
 */
struct kvm_vm {
    int kvm_fd, vm_fd;
    unsigned refs;
    size_t run_size;          /* of a vCPU's run structure */
    bool xsave;               /* KVM_CAP_XSAVE: the FPU state travels as an XSAVE image */
};

struct kvm_model {
    struct cpu_model base;
    struct kvm_vm *vm;
    int vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    uint32_t msr_ok;          /* bit i: KVM accepts kvm_msr_index[i] */
    bool put_tsc;             /* the TSC is written at the next put (activation, restore) */
    uint64_t last_cr8;
    enum cpu_exit kicked;
    timer_t timer;
    bool have_timer;
    struct kvm_icount icount; /* guest-instruction stops, where the host counts them (kvm_icount.h) */
};

/* The run structure of the vCPU running now, which the timer and counter signals stop (one at a time in this thread). */
static struct kvm_run *volatile kvm_running;

static void kvm_timer_handler(int sig)
{
    (void)sig;
    if (kvm_running)
        kvm_running->immediate_exit = 1;
}

static uint64_t guest_hz(void)
{
    return cpuid_tsc_hz ? cpuid_tsc_hz : 2000000000ull;
}

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- state in and out ---- */

static void seg_to_kvm(const struct segment *s, struct kvm_segment *k)
{
    memset(k, 0, sizeof *k);
    k->base = s->base;
    k->limit = s->limit;
    k->selector = s->selector;
    k->type = SEG_ATTR_TYPE(s->attr);
    k->s = (s->attr & SEG_ATTR_S) != 0;
    k->dpl = SEG_ATTR_DPL(s->attr);
    k->present = (s->attr & SEG_ATTR_P) != 0;
    k->avl = (s->attr >> 12) & 1;
    k->l = (s->attr & SEG_ATTR_L) != 0;
    k->db = (s->attr & SEG_ATTR_DB) != 0;
    k->g = (s->attr & SEG_ATTR_G) != 0;
    k->unusable = !k->present;
}

static void seg_from_kvm(const struct kvm_segment *k, struct segment *s)
{
    s->base = k->base;
    s->limit = k->limit;
    s->selector = k->selector;
    s->attr = (uint16_t)((k->type & 0xf) | (k->s ? SEG_ATTR_S : 0) | (k->dpl & 3) << 5 |
                         (k->present && !k->unusable ? SEG_ATTR_P : 0) | (k->avl & 1) << 12 |
                         (k->l ? SEG_ATTR_L : 0) | (k->db ? SEG_ATTR_DB : 0) | (k->g ? SEG_ATTR_G : 0));
}

static int kvm_ioctl(struct kvm_model *k, unsigned long req, void *arg, const char *what)
{
    int r = ioctl(k->vcpu_fd, req, arg);
    if (r < 0)
        warn("kvm", "%s: %s", what, strerror(errno));
    return r;
}

/* struct kvm_msrs with room for its entries (the header's own array is flexible). */
struct kvm_msr_buf {
    uint32_t nmsrs, pad;
    struct kvm_msr_entry e[KVM_NMSRS + 1];
};
_Static_assert(offsetof(struct kvm_msr_buf, e) == offsetof(struct kvm_msrs, entries), "kvm_msrs layout");

/*
 * The x87/SSE state. With XSAVE support it travels as the legacy region of
 * an XSAVE image with the x87 and SSE components marked present (m5sim's
 * model has no AVX: that is the whole FXSAVE image); otherwise through
 * KVM_GET/SET_FPU, which has no MXCSR_MASK (the model's constant stays).
 */
#define XSTATE_BV_OFFSET 512
static void kvm_put_fpu(struct kvm_model *k)
{
    const struct fxsave_area *fx = &k->base.cpu->s.fx;
    if (k->vm->xsave) {
        struct kvm_xsave x;
        memset(&x, 0, sizeof x);
        memcpy(x.region, fx, sizeof *fx);
        uint64_t bv = 3;   /* x87 | SSE */
        memcpy((uint8_t *)x.region + XSTATE_BV_OFFSET, &bv, 8);
        kvm_ioctl(k, KVM_SET_XSAVE, &x, "KVM_SET_XSAVE");
        return;
    }
    struct kvm_fpu f;
    memset(&f, 0, sizeof f);
    memcpy(f.fpr, fx->st, sizeof f.fpr);
    f.fcw = fx->fcw;
    f.fsw = fx->fsw;
    f.ftwx = fx->ftw;
    f.last_opcode = fx->fop;
    f.last_ip = fx->fip;
    f.last_dp = fx->fdp;
    memcpy(f.xmm, fx->xmm, sizeof f.xmm);
    f.mxcsr = fx->mxcsr;
    kvm_ioctl(k, KVM_SET_FPU, &f, "KVM_SET_FPU");
}

static void kvm_get_fpu(struct kvm_model *k)
{
    struct fxsave_area *fx = &k->base.cpu->s.fx;
    if (k->vm->xsave) {
        struct kvm_xsave x;
        if (kvm_ioctl(k, KVM_GET_XSAVE, &x, "KVM_GET_XSAVE") < 0)
            return;
        struct fxsave_area got;
        memcpy(&got, x.region, sizeof got);
        uint64_t bv;
        memcpy(&bv, (uint8_t *)x.region + XSTATE_BV_OFFSET, 8);
        /* A component not marked present is in its initial state (SDM vol. 1, 13.6). */
        if (!(bv & 1)) {
            got.fcw = 0x37f, got.fsw = 0, got.ftw = 0, got.fop = 0, got.fip = 0, got.fdp = 0;
            memset(got.st, 0, sizeof got.st);
        }
        if (!(bv & 2))
            memset(got.xmm, 0, sizeof got.xmm);
        got.mxcsr_mask = fx->mxcsr_mask;
        got.reserved1 = fx->reserved1;
        memcpy(got.reserved2, fx->reserved2, sizeof got.reserved2);
        *fx = got;
        return;
    }
    struct kvm_fpu f;
    if (kvm_ioctl(k, KVM_GET_FPU, &f, "KVM_GET_FPU") < 0)
        return;
    memcpy(fx->st, f.fpr, sizeof f.fpr);
    fx->fcw = f.fcw;
    fx->fsw = f.fsw;
    fx->ftw = f.ftwx;
    fx->fop = f.last_opcode;
    fx->fip = f.last_ip;
    fx->fdp = f.last_dp;
    memcpy(fx->xmm, f.xmm, sizeof f.xmm);
    fx->mxcsr = f.mxcsr;
}

static void kvm_put_regs(struct kvm_model *k)
{
    const struct cpu_state *s = &k->base.cpu->s;
    struct kvm_regs r = {
        .rax = s->gpr[RAX], .rbx = s->gpr[RBX], .rcx = s->gpr[RCX], .rdx = s->gpr[RDX],
        .rsi = s->gpr[RSI], .rdi = s->gpr[RDI], .rsp = s->gpr[RSP], .rbp = s->gpr[RBP],
        .r8 = s->gpr[R8], .r9 = s->gpr[R9], .r10 = s->gpr[R10], .r11 = s->gpr[R11],
        .r12 = s->gpr[R12], .r13 = s->gpr[R13], .r14 = s->gpr[R14], .r15 = s->gpr[R15],
        .rip = s->rip, .rflags = s->rflags,
    };
    kvm_ioctl(k, KVM_SET_REGS, &r, "KVM_SET_REGS");
}

static void kvm_put_state(struct kvm_model *k)
{
    struct cpu *cpu = k->base.cpu;
    struct cpu_state *s = &cpu->s;
    kvm_put_regs(k);

    struct kvm_sregs sr;
    memset(&sr, 0, sizeof sr);
    seg_to_kvm(&s->seg[SEG_CS], &sr.cs);
    seg_to_kvm(&s->seg[SEG_DS], &sr.ds);
    seg_to_kvm(&s->seg[SEG_ES], &sr.es);
    seg_to_kvm(&s->seg[SEG_FS], &sr.fs);
    seg_to_kvm(&s->seg[SEG_GS], &sr.gs);
    seg_to_kvm(&s->seg[SEG_SS], &sr.ss);
    seg_to_kvm(&s->tr, &sr.tr);
    seg_to_kvm(&s->ldtr, &sr.ldt);
    sr.gdt.base = s->gdtr.base;
    sr.gdt.limit = s->gdtr.limit;
    sr.idt.base = s->idtr.base;
    sr.idt.limit = s->idtr.limit;
    sr.cr0 = s->cr0;
    sr.cr2 = s->cr2;
    sr.cr3 = s->cr3;
    sr.cr4 = s->cr4;
    sr.cr8 = cpu->hooks.cr8_read ? cpu->hooks.cr8_read(cpu->hooks.opaque, cpu) : 0;
    sr.efer = s->efer;
    sr.apic_base = s->msr.apic_base;
    if (cpu->hooks.apic_enabled)
        sr.apic_base = (sr.apic_base & ~APIC_BASE_ENABLE) |
                       (cpu->hooks.apic_enabled(cpu->hooks.opaque, cpu) ? APIC_BASE_ENABLE : 0);
    k->last_cr8 = sr.cr8;
    k->run->cr8 = sr.cr8;
    kvm_ioctl(k, KVM_SET_SREGS, &sr, "KVM_SET_SREGS");

    kvm_put_fpu(k);

    struct kvm_msr_buf m;
    memset(&m, 0, sizeof m);
    for (unsigned i = 0; i < KVM_NMSRS; i++)
        if (k->msr_ok >> i & 1)
            m.e[m.nmsrs++] = (struct kvm_msr_entry){ .index = kvm_msr_index[i], .data = *msr_field(&s->msr, i) };
    if (k->put_tsc)   /* after TSC_ADJUST: a host write of the TSC leaves TSC_ADJUST alone */
        m.e[m.nmsrs++] = (struct kvm_msr_entry){ .index = MSR_TSC, .data = cpu_tsc(cpu) };
    k->put_tsc = false;
    if (ioctl(k->vcpu_fd, KVM_SET_MSRS, &m) != (int)m.nmsrs)
        warn("kvm", "KVM_SET_MSRS did not take every MSR");

    struct kvm_vcpu_events ev;
    memset(&ev, 0, sizeof ev);
    ev.interrupt.shadow = s->intr_shadow ? KVM_X86_SHADOW_INT_STI : 0;
    ev.nmi.masked = s->nmi_blocked;
    ev.flags = KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_NMI_PENDING;
    kvm_ioctl(k, KVM_SET_VCPU_EVENTS, &ev, "KVM_SET_VCPU_EVENTS");

    /* Without an in-kernel local APIC KVM's vCPU is always runnable: a halt is m5sim's (kvm_run). */
    struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
    kvm_ioctl(k, KVM_SET_MP_STATE, &mp, "KVM_SET_MP_STATE");
}

static void kvm_get_regs(struct kvm_model *k)
{
    struct cpu_state *s = &k->base.cpu->s;
    struct kvm_regs r;
    if (kvm_ioctl(k, KVM_GET_REGS, &r, "KVM_GET_REGS") < 0)
        return;
    s->gpr[RAX] = r.rax, s->gpr[RBX] = r.rbx, s->gpr[RCX] = r.rcx, s->gpr[RDX] = r.rdx;
    s->gpr[RSI] = r.rsi, s->gpr[RDI] = r.rdi, s->gpr[RSP] = r.rsp, s->gpr[RBP] = r.rbp;
    s->gpr[R8] = r.r8, s->gpr[R9] = r.r9, s->gpr[R10] = r.r10, s->gpr[R11] = r.r11;
    s->gpr[R12] = r.r12, s->gpr[R13] = r.r13, s->gpr[R14] = r.r14, s->gpr[R15] = r.r15;
    s->rip = r.rip;
    s->rflags = r.rflags;
}

static void kvm_get_state(struct kvm_model *k)
{
    struct cpu *cpu = k->base.cpu;
    struct cpu_state *s = &cpu->s;
    kvm_get_regs(k);

    struct kvm_sregs sr;
    if (kvm_ioctl(k, KVM_GET_SREGS, &sr, "KVM_GET_SREGS") == 0) {
        seg_from_kvm(&sr.cs, &s->seg[SEG_CS]);
        seg_from_kvm(&sr.ds, &s->seg[SEG_DS]);
        seg_from_kvm(&sr.es, &s->seg[SEG_ES]);
        seg_from_kvm(&sr.fs, &s->seg[SEG_FS]);
        seg_from_kvm(&sr.gs, &s->seg[SEG_GS]);
        seg_from_kvm(&sr.ss, &s->seg[SEG_SS]);
        seg_from_kvm(&sr.tr, &s->tr);
        seg_from_kvm(&sr.ldt, &s->ldtr);
        s->gdtr = (struct dtable){ sr.gdt.base, sr.gdt.limit };
        s->idtr = (struct dtable){ sr.idt.base, sr.idt.limit };
        s->cr0 = sr.cr0, s->cr2 = sr.cr2, s->cr3 = sr.cr3, s->cr4 = sr.cr4;
        s->efer = sr.efer;
        s->cpl = sr.cs.dpl & 3;
        if (!(s->cr0 & CR0_PE))
            s->cpl = 0;
        if (cpu->hooks.cr8_write && sr.cr8 != k->last_cr8)
            cpu->hooks.cr8_write(cpu->hooks.opaque, cpu, sr.cr8);
        k->last_cr8 = sr.cr8;
        if (cpu->hooks.apic_set_enabled) {
            bool en = (sr.apic_base & APIC_BASE_ENABLE) != 0;
            if (!cpu->hooks.apic_enabled || cpu->hooks.apic_enabled(cpu->hooks.opaque, cpu) != en)
                cpu->hooks.apic_set_enabled(cpu->hooks.opaque, cpu, en);
            s->msr.apic_base = (sr.apic_base & ~APIC_BASE_ENABLE) | (s->msr.apic_base & APIC_BASE_ENABLE);
        } else {
            s->msr.apic_base = sr.apic_base;
        }
    }

    kvm_get_fpu(k);

    struct kvm_msr_buf m;
    memset(&m, 0, sizeof m);
    unsigned which[KVM_NMSRS];
    for (unsigned i = 0; i < KVM_NMSRS; i++)
        if (k->msr_ok >> i & 1) {
            which[m.nmsrs] = i;
            m.e[m.nmsrs++].index = kvm_msr_index[i];
        }
    int got = ioctl(k->vcpu_fd, KVM_GET_MSRS, &m);
    for (int j = 0; j < got; j++)
        *msr_field(&s->msr, which[j]) = m.e[j].data;

    struct kvm_vcpu_events ev;
    if (kvm_ioctl(k, KVM_GET_VCPU_EVENTS, &ev, "KVM_GET_VCPU_EVENTS") == 0) {
        s->intr_shadow = ev.interrupt.shadow != 0;
        s->nmi_blocked = ev.nmi.masked != 0;
    }
}

/* ---- setup ---- */

static void kvm_set_cpuid(struct kvm_model *k)
{
    struct {   /* struct kvm_cpuid2 with room for its entries */
        uint32_t nent, padding;
        struct kvm_cpuid_entry2 e[KVM_MAX_CPUID];
    } c;
    _Static_assert(offsetof(__typeof__(c), e) == offsetof(struct kvm_cpuid2, entries), "kvm_cpuid2 layout");
    memset(&c, 0, sizeof c);
    uint32_t out[4];
    const uint32_t bases[] = { 0, 0x80000000u };
    for (unsigned b = 0; b < 2; b++) {
        cpuid_query(k->base.cpu, bases[b], 0, out);
        uint32_t max = out[0];
        for (uint32_t leaf = bases[b]; leaf <= max && c.nent < KVM_MAX_CPUID; leaf++) {
            bool indexed = leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd;
            for (uint32_t sub = 0; sub < (indexed ? 4u : 1u) && c.nent < KVM_MAX_CPUID; sub++) {
                cpuid_query(k->base.cpu, leaf, sub, out);
                c.e[c.nent++] = (struct kvm_cpuid_entry2){
                    .function = leaf, .index = sub,
                    .flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
                    .eax = out[0], .ebx = out[1], .ecx = out[2], .edx = out[3],
                };
            }
        }
    }
    kvm_ioctl(k, KVM_SET_CPUID2, &c, "KVM_SET_CPUID2");
}

/* Which MSRs of kvm_msr_index this KVM reads back. */
static void kvm_find_msrs(struct kvm_model *k)
{
    for (unsigned i = 0; i < KVM_NMSRS; i++) {
        struct kvm_msr_buf m;
        memset(&m, 0, sizeof m);
        m.nmsrs = 1;
        m.e[0].index = kvm_msr_index[i];
        if (ioctl(k->vcpu_fd, KVM_GET_MSRS, &m) == 1)
            k->msr_ok |= 1u << i;
    }
}

static void kvm_vm_close(struct kvm_vm *vm)
{
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    free(vm);
}

void kvm_vm_put(struct kvm_vm *vm)
{
    if (vm && --vm->refs == 0)
        kvm_vm_close(vm);
}

struct kvm_vm *kvm_vm_new(const struct bus *bus, char *why, size_t why_len)
{
    struct kvm_vm *vm = calloc(1, sizeof *vm);
    if (!vm)
        fatal("memory", "out of memory");
    vm->refs = 1;
    vm->vm_fd = -1;
    const char *step = "open /dev/kvm";
    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0)
        goto fail;
    step = "KVM_GET_API_VERSION";
    if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        errno = EINVAL;
        goto fail;
    }
    step = "KVM_CREATE_VM";
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0)
        goto fail;
    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);   /* VT-x real mode needs it; harmless elsewhere */
    step = "KVM_SET_USER_MEMORY_REGION";
    for (unsigned i = 0; i < bus->nram; i++) {
        struct kvm_userspace_memory_region r = {
            .slot = i,
            .guest_phys_addr = bus->ram[i].base,
            .memory_size = bus->ram[i].size,
            .userspace_addr = (uintptr_t)bus->ram[i].host,
        };
        if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
            goto fail;
    }
    step = "KVM_GET_VCPU_MMAP_SIZE";
    int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size <= 0)
        goto fail;
    vm->run_size = (size_t)size;
    vm->xsave = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0;
    return vm;
fail:
    snprintf(why, why_len, "%s: %s", step, strerror(errno));
    kvm_vm_close(vm);
    return NULL;
}

static void kvm_close(struct kvm_model *k)
{
    kvm_icount_close(&k->icount);
    if (k->have_timer)
        timer_delete(k->timer);
    if (k->run)
        munmap(k->run, k->vm->run_size);
    if (k->vcpu_fd >= 0)
        close(k->vcpu_fd);
    kvm_vm_put(k->vm);
    free(k);
}

static const struct cpu_model_ops kvm_ops;

struct cpu_model *cpu_model_kvm_new_on(struct kvm_vm *vm, struct cpu *cpu, char *why, size_t why_len)
{
    struct kvm_model *k = calloc(1, sizeof *k);
    if (!k)
        fatal("memory", "out of memory");
    k->base.ops = &kvm_ops;
    k->base.cpu = cpu;
    k->vm = vm;
    vm->refs++;
    k->vcpu_fd = -1;
    k->icount.fd = -1;
    const char *step = "KVM_CREATE_VCPU";
    k->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)cpu->id);
    if (k->vcpu_fd < 0)
        goto fail;
    step = "mmap of the vCPU's run structure";
    k->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, k->vcpu_fd, 0);
    if (k->run == MAP_FAILED) {
        k->run = NULL;
        goto fail;
    }
    step = "timer";
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = kvm_timer_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(KVM_TIMER_SIGNAL, &sa, NULL) < 0)
        goto fail;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = KVM_TIMER_SIGNAL;
    sev._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &sev, &k->timer) < 0)
        goto fail;
    k->have_timer = true;
    kvm_icount_open(&k->icount, gettid(), KVM_TIMER_SIGNAL);   /* where it cannot: time quanta */
    kvm_set_cpuid(k);
    kvm_find_msrs(k);
    return &k->base;
fail:
    snprintf(why, why_len, "%s: %s", step, strerror(errno));
    kvm_close(k);
    return NULL;
}

struct cpu_model *cpu_model_kvm_new(struct cpu *cpu, char *why, size_t why_len)
{
    struct kvm_vm *vm = kvm_vm_new(cpu->bus, why, why_len);
    if (!vm)
        return NULL;
    struct cpu_model *m = cpu_model_kvm_new_on(vm, cpu, why, why_len);
    kvm_vm_put(vm);   /* the model holds it */
    return m;
}

bool cpu_model_kvm_counts_instructions(const struct cpu_model *model)
{
    return ((const struct kvm_model *)model)->icount.fd >= 0;
}

void cpu_model_kvm_say_stops(const struct cpu_model *model)
{
    kvm_icount_say(&((const struct kvm_model *)model)->icount);
}

/* ---- running ---- */

static void kvm_activate(struct cpu_model *model)
{
    struct kvm_model *k = (struct kvm_model *)model;
    cpu_set_port(model->cpu, NULL);
    k->put_tsc = true;
}

static void kvm_deactivate(struct cpu_model *model)
{
    /* cpu->s is current (kvm_run took it back); KVM wrote RAM without telling the decoded-block cache. */
    cpu_state_changed(model->cpu);
}

static void kvm_state_changed(struct cpu_model *model)
{
    ((struct kvm_model *)model)->put_tsc = true;
}

static void kvm_kick(struct cpu_model *model, enum cpu_exit why)
{
    ((struct kvm_model *)model)->kicked = why;
}

/* An I/O exit's data must reach the guest before its state is read: run KVM without entering. */
static void kvm_complete_io(struct kvm_model *k)
{
    k->run->immediate_exit = 1;
    ioctl(k->vcpu_fd, KVM_RUN, 0);
    k->run->immediate_exit = 0;
}

static void kvm_do_io(struct kvm_model *k)
{
    struct kvm_run *r = k->run;
    uint8_t *data = (uint8_t *)r + r->io.data_offset;
    for (uint32_t i = 0; i < r->io.count; i++, data += r->io.size) {
        if (r->io.direction == KVM_EXIT_IO_OUT) {
            uint32_t v = 0;
            memcpy(&v, data, r->io.size);
            bus_pio_out(k->base.cpu->bus, r->io.port, r->io.size, v);
        } else {
            uint32_t v = bus_pio_in(k->base.cpu->bus, r->io.port, r->io.size);
            memcpy(data, &v, r->io.size);
        }
    }
}

/*
 * An MMIO exit, with the registers as before the access in cpu->s (the m5
 * device takes its arguments and the op's address from them). A device may
 * abort the instruction (cpu_abort_instruction: the m5 device's checkpoint
 * is taken before its load, which runs again afterwards): KVM then
 * completes the access with nothing and the registers are put back as they
 * were, so the instruction runs again at the next entry. Returns false then.
 */
static bool kvm_do_mmio(struct kvm_model *k)
{
    struct kvm_run *r = k->run;
    struct cpu *cpu = k->base.cpu;
    kvm_get_regs(k);
    if (setjmp(cpu->fault_jmp)) {
        memset(r->mmio.data, 0, sizeof r->mmio.data);
        kvm_complete_io(k);
        kvm_put_regs(k);
        return false;
    }
    if (r->mmio.is_write) {
        uint64_t v = 0;
        memcpy(&v, r->mmio.data, r->mmio.len <= 8 ? r->mmio.len : 8);
        bus_mmio_write(cpu->bus, r->mmio.phys_addr, r->mmio.len, v, cpu);
    } else {
        uint64_t v = bus_mmio_read(cpu->bus, r->mmio.phys_addr, r->mmio.len, cpu);
        memcpy(r->mmio.data, &v, r->mmio.len <= 8 ? r->mmio.len : 8);
    }
    return true;
}

static void kvm_arm_timer(struct kvm_model *k, uint64_t ns)
{
    struct itimerspec it = { .it_value = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) } };
    if (!ns)
        it.it_value.tv_nsec = 1;
    timer_settime(k->timer, 0, &it, NULL);
}

/*
 * The CPU's clock during a run. With an instruction counter: one cycle per
 * guest instruction retired since the run started (as the atomic model
 * counts), exactly what the counter read, a skid past the budget included.
 * With time quanta: the host time since it started, at the guest's clock,
 * never past the budget. Updated at every exit, so that devices reached by
 * an exit see time move.
 */
static void kvm_advance_clock(struct kvm_model *k, uint64_t icount0, uint64_t start, uint64_t budget, uint64_t hz)
{
    struct cpu *cpu = k->base.cpu;
    if (k->icount.fd >= 0) {
        cpu->icount = icount0 + kvm_icount_read(&k->icount);
        return;
    }
    uint64_t cycles = (host_ns() - start) * (hz / 1000000ull) / 1000ull;
    cpu->icount = icount0 + (cycles < budget ? cycles : budget);
}

static enum cpu_exit kvm_run_guest(struct kvm_model *k, uint64_t budget)
{
    struct cpu *cpu = k->base.cpu;
    struct kvm_run *r = k->run;
    bool (*pending)(void *, struct cpu *) = cpu->hooks.intr_pending;
    void *opaque = cpu->hooks.opaque;

    if (cpu->s.halted) {
        if (!pending || !pending(opaque, cpu))
            return CPU_EXIT_HALT;
        cpu->s.halted = 0;
    }
    uint64_t hz = guest_hz();
    uint64_t min_cycles = hz / 1000000ull * KVM_MIN_RUN_NS / 1000ull;
    if (budget < min_cycles)
        budget = min_cycles;
    uint64_t ns = budget > UINT64_MAX / 1000000000ull ? KVM_MAX_RUN_NS : budget * 1000000000ull / hz;
    if (ns > KVM_MAX_RUN_NS || k->icount.fd >= 0)   /* counted: the timer only bounds a run's host time */
        ns = KVM_MAX_RUN_NS;

    kvm_put_state(k);
    k->kicked = CPU_EXIT_NONE;
    uint64_t start = host_ns(), icount0 = cpu->icount;
    enum cpu_exit why = CPU_EXIT_NONE;
    bool io_open = false;
    kvm_running = r;
    r->immediate_exit = 0;
    kvm_arm_timer(k, ns);
    kvm_icount_arm(&k->icount, budget);
    while (why == CPU_EXIT_NONE) {
        if (k->kicked != CPU_EXIT_NONE) {
            why = k->kicked;
            break;
        }
        bool want = pending && pending(opaque, cpu);
        if (want && r->ready_for_interrupt_injection && r->if_flag) {
            struct kvm_interrupt irq = { .irq = (uint32_t)cpu->hooks.intr_ack(opaque, cpu) };
            kvm_ioctl(k, KVM_INTERRUPT, &irq, "KVM_INTERRUPT");
            want = false;
        }
        r->request_interrupt_window = want;
        if (cpu->hooks.cr8_read)
            r->cr8 = cpu->hooks.cr8_read(opaque, cpu);
        int rc = ioctl(k->vcpu_fd, KVM_RUN, 0);
        io_open = false;
        kvm_advance_clock(k, icount0, start, budget, hz);
        if (cpu->hooks.cr8_write && r->cr8 != k->last_cr8)
            cpu->hooks.cr8_write(opaque, cpu, r->cr8);
        k->last_cr8 = r->cr8;
        if (rc < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                why = CPU_EXIT_BUDGET;
                continue;
            }
            warn("kvm", "KVM_RUN: %s", strerror(errno));
            why = CPU_EXIT_UNSUPPORTED;
            break;
        }
        switch (r->exit_reason) {
        case KVM_EXIT_IO:
            kvm_do_io(k);
            io_open = true;
            break;
        case KVM_EXIT_MMIO:
            io_open = kvm_do_mmio(k);
            if (!io_open)
                why = CPU_EXIT_WAIT;   /* as the interpreter stops before an aborted instruction */
            break;
        case KVM_EXIT_IRQ_WINDOW_OPEN:
        case KVM_EXIT_INTR:
            break;
        case KVM_EXIT_HLT:
            if (!pending || !pending(opaque, cpu)) {
                cpu->s.halted = 1;
                why = CPU_EXIT_HALT;
            }
            break;
        case KVM_EXIT_SHUTDOWN:
            why = CPU_EXIT_TRIPLE_FAULT;
            break;
        default:
            warn("kvm", "the guest stopped with KVM exit %u (hardware reason 0x%llx)", r->exit_reason,
                 (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
            why = CPU_EXIT_UNSUPPORTED;
            break;
        }
        if (r->immediate_exit && why == CPU_EXIT_NONE)
            why = CPU_EXIT_BUDGET;
    }
    struct itimerspec off = { 0 };
    timer_settime(k->timer, 0, &off, NULL);
    kvm_icount_disarm(&k->icount);
    kvm_running = NULL;
    r->immediate_exit = 0;
    if (io_open)
        kvm_complete_io(k);
    kvm_get_state(k);

    kvm_advance_clock(k, icount0, start, budget, hz);
    if (cpu->icount == icount0 && why != CPU_EXIT_HALT)
        cpu->icount++;   /* the guest ran: time moves */
    return why;
}

static enum cpu_exit kvm_model_run(struct cpu_model *model, uint64_t budget)
{
    if (!budget)
        return CPU_EXIT_BUDGET;
    return kvm_run_guest((struct kvm_model *)model, budget);
}

static void kvm_free(struct cpu_model *model)
{
    kvm_close((struct kvm_model *)model);
}

static const struct cpu_model_ops kvm_ops = {
    .name = "kvm",
    .gem5_name = "X86KvmCPU",
    .activate = kvm_activate,
    .deactivate = kvm_deactivate,
    .run = kvm_model_run,
    .state_changed = kvm_state_changed,
    .kick = kvm_kick,
    .free = kvm_free,
};
