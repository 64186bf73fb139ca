/*
 * signal.c - signals in SE mode: dispositions, masks, sending (kill, tkill,
 * tgkill, alarm, setitimer, a broken pipe), and delivery to a handler in the
 * frame Linux builds on x86-64, undone by rt_sigreturn.
 *
 * The frame (arch/x86/kernel/signal.c's struct rt_sigframe): below the
 * 128-byte red zone (or at the top of the alternate stack with SA_ONSTACK),
 * a 64-byte aligned FXSAVE image (the CPU model has no XSAVE), then the frame
 * itself at 16n-8 so that the handler starts as if called: the return
 * address (sa_restorer), struct ucontext (uc_flags, uc_link, uc_stack,
 * uc_mcontext = struct sigcontext with the fpstate pointer, uc_sigmask), and
 * siginfo. The handler runs with rdi = signal, rsi = &siginfo, rdx =
 * &ucontext, the mask widened by sa_mask and the signal itself, and a fresh
 * FPU state. A thread blocked in a call when a handled signal arrives
 * returns -EINTR, or restarts the call after the handler with SA_RESTART
 * (futex waits without a timeout, as Linux's -ERESTARTSYS).
 *
 * Faults (SIGSEGV, SIGFPE, SIGILL from the CPU) are always fatal: se.c
 * reports them without consulting handlers.
 */
#include "se/process.h"
#include "se/syscall.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cpu/flags.h"

#define SI_USER_CODE   0
#define SI_KERNEL_CODE 0x80
#define SI_TKILL_CODE  (-6)

/* struct sigcontext (64-bit), as in the kernel's uapi asm/sigcontext.h. */
struct k_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved1[8];
};
_Static_assert(sizeof(struct k_sigcontext) == 256, "struct sigcontext is 256 bytes");

struct k_ucontext {
    uint64_t uc_flags, uc_link;
    uint64_t ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
    struct k_sigcontext mc;
    uint64_t sigmask;
};
_Static_assert(sizeof(struct k_ucontext) == 304, "struct ucontext is 304 bytes");

struct k_siginfo {
    int32_t signo, errno_, code, pad;
    int32_t pid;
    uint32_t uid;
    uint8_t rest[128 - 24];
};

struct k_rt_sigframe {
    uint64_t pretcode;
    struct k_ucontext uc;
    struct k_siginfo info;
};
_Static_assert(sizeof(struct k_rt_sigframe) == 440, "struct rt_sigframe is 440 bytes");

#define SA_RESTORER_FLAG 0x04000000   /* the kernel's SA_RESTORER (not in libc headers) */
#define UC_SIGCONTEXT_SS     2
#define UC_STRICT_RESTORE_SS 4
#define FIX_EFLAGS (FL_AC | FL_OF | FL_DF | FL_TF | FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF | FL_RF)

static uint64_t sigbit(int sig)
{
    return 1ull << (sig - 1);
}

static const uint64_t unblockable = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));

uint64_t *se_pc(struct se *se)
{
    return se->in_syscall ? &se->cpu->next_rip : &se->cpu->s.rip;
}

static bool default_ignored(int sig)
{
    /* SIGCHLD, SIGCONT, SIGURG, SIGWINCH are ignored; stop signals have no one to stop us. */
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH ||
           sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static bool ignored(const struct se *se, int sig)
{
    uint64_t h = se->sigact[sig].handler;
    if (sig == SIGKILL)
        return false;
    return h == (uint64_t)(uintptr_t)SIG_IGN || (h == (uint64_t)(uintptr_t)SIG_DFL && default_ignored(sig));
}

static bool has_handler(const struct se *se, int sig)
{
    uint64_t h = se->sigact[sig].handler;
    return sig != SIGKILL && sig != SIGSTOP && h != (uint64_t)(uintptr_t)SIG_IGN &&
           h != (uint64_t)(uintptr_t)SIG_DFL;
}

/* A handled signal for a blocked thread ends its wait. */
static void interrupt(struct se *se, struct se_thread *t)
{
    if (t->state == SE_T_RUNNABLE || t->state == SE_T_EXITED)
        return;
    if (t->state == SE_T_SLEEP && t->sleep_rem) {
        uint64_t now = se_now_ns(se), left = t->wake_at > now ? t->wake_at - now : 0;
        int64_t ts[2] = { (int64_t)(left / 1000000000ull), (int64_t)(left % 1000000000ull) };
        se_copy_to_guest(se, t->sleep_rem, ts, sizeof(ts));
    }
    se_wake(se, t, -EINTR);
    t->interrupted = true;
}

void se_signal_send(struct se *se, struct se_thread *t, int sig, int code)
{
    if (sig == SIGKILL) {
        se_kill(se, sig, NULL);
        return;
    }
    if (!t) {
        /* Process-directed: the running thread if it takes it, else the first that does. */
        struct se_thread *cur = se_cur(se);
        if (!(cur->sigmask & sigbit(sig)))
            t = cur;
        for (unsigned i = 0; !t && i < se->nthreads; i++)
            if (se->thr[i]->state != SE_T_EXITED && !(se->thr[i]->sigmask & sigbit(sig)))
                t = se->thr[i];
        if (!t) {
            if (!ignored(se, sig)) {
                se->sigpending |= sigbit(sig);
                se->sicode[sig] = code;
            }
            return;
        }
    }
    bool blocked = t->sigmask & sigbit(sig);
    if (!blocked && ignored(se, sig))
        return;
    t->sigpending |= sigbit(sig);
    t->sicode[sig] = code;
    if (!blocked) {
        if (!has_handler(se, sig))
            se_kill(se, sig, NULL);   /* default action: the whole process dies */
        else if (t != se_cur(se) || t->state != SE_T_RUNNABLE)
            interrupt(se, t);
    }
}

void se_raise_signal(struct se *se, int sig)
{
    se_signal_send(se, se_cur(se), sig, SI_USER_CODE);
}

/* Build the frame for sig on the running thread and enter its handler. */
static void enter_handler(struct se *se, int sig, int code)
{
    struct cpu *cpu = se->cpu;
    struct se_thread *t = se_cur(se);
    struct se_sigaction *sa = &se->sigact[sig];
    uint64_t *pc = se_pc(se);

    if (t->interrupted) {
        t->interrupted = false;
        if ((sa->flags & SA_RESTART) && t->restartable) {
            cpu->s.gpr[RAX] = t->orig_nr;
            *pc -= 2;   /* SYSCALL is 0F 05 */
        }
    }
    uint64_t sp = cpu->s.gpr[RSP];
    uint64_t ss_sp = t->altstack[0], ss_size = t->altstack[2];
    bool on_alt = ss_size && sp > ss_sp && sp - ss_sp <= ss_size;
    int32_t ss_flags = !ss_size ? SS_DISABLE : on_alt ? SS_ONSTACK : 0;
    uint64_t fsp = sp - 128;   /* the red zone */
    if ((sa->flags & SA_ONSTACK) && ss_flags == 0)
        fsp = ss_sp + ss_size;
    uint64_t fx_at = (fsp - sizeof(struct fxsave_area)) & ~63ull;
    uint64_t frame_at = ((fx_at - sizeof(struct k_rt_sigframe)) & ~15ull) - 8;

    struct k_rt_sigframe f;
    memset(&f, 0, sizeof(f));
    f.pretcode = sa->restorer;
    f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    f.uc.ss_sp = ss_sp;
    f.uc.ss_flags = ss_flags;
    f.uc.ss_size = ss_size;
    const uint64_t *g = cpu->s.gpr;
    struct k_sigcontext *mc = &f.uc.mc;
    mc->r8 = g[R8], mc->r9 = g[R9], mc->r10 = g[R10], mc->r11 = g[R11];
    mc->r12 = g[R12], mc->r13 = g[R13], mc->r14 = g[R14], mc->r15 = g[R15];
    mc->rdi = g[RDI], mc->rsi = g[RSI], mc->rbp = g[RBP], mc->rbx = g[RBX];
    mc->rdx = g[RDX], mc->rax = g[RAX], mc->rcx = g[RCX], mc->rsp = g[RSP];
    mc->rip = *pc;
    mc->eflags = cpu_get_rflags(cpu);
    mc->cs = cpu->s.seg[SEG_CS].selector;
    mc->ss = cpu->s.seg[SEG_SS].selector;
    uint64_t old_mask = t->restore_mask ? t->saved_mask : t->sigmask;
    t->restore_mask = false;
    mc->oldmask = old_mask;
    mc->fpstate = fx_at;
    f.uc.sigmask = old_mask;
    f.info.signo = sig;
    f.info.code = code;
    if (code == SI_USER_CODE || code == SI_TKILL_CODE) {
        f.info.pid = SE_PID;
        f.info.uid = (uint32_t)getuid();
    }
    struct fxsave_area fx = cpu->s.fx;
    memset((uint8_t *)&fx + 464, 0, 48);   /* the software-reserved bytes: no XSAVE frame */
    if (!(sa->flags & SA_RESTORER_FLAG) || se_copy_to_guest(se, fx_at, &fx, sizeof(fx)) < 0 ||
        se_copy_to_guest(se, frame_at, &f, sizeof(f)) < 0) {
        se_kill(se, SIGSEGV, "cannot build a signal frame (no SA_RESTORER, or the stack is not writable)");
        return;
    }

    t->sigmask |= sa->mask | ((sa->flags & SA_NODEFER) ? 0 : sigbit(sig));
    t->sigmask &= ~unblockable;
    if (sa->flags & SA_RESETHAND)
        sa->handler = (uint64_t)(uintptr_t)SIG_DFL;
    cpu->s.gpr[RDI] = (uint64_t)sig;
    cpu->s.gpr[RSI] = frame_at + offsetof(struct k_rt_sigframe, info);
    cpu->s.gpr[RDX] = frame_at + offsetof(struct k_rt_sigframe, uc);
    cpu->s.gpr[RAX] = 0;
    cpu->s.gpr[RSP] = frame_at;
    *pc = sa->handler;
    cpu_set_rflags(cpu, mc->eflags & ~(uint64_t)(FL_DF | FL_TF | FL_RF));
    /* The handler starts with the FPU in its initial state. */
    uint32_t mxcsr_mask = cpu->s.fx.mxcsr_mask;
    memset(&cpu->s.fx, 0, sizeof(cpu->s.fx));
    cpu->s.fx.fcw = 0x37f;
    cpu->s.fx.mxcsr = 0x1f80;
    cpu->s.fx.mxcsr_mask = mxcsr_mask;
    cpu->block_exit = 1;
}

void se_signal_deliver(struct se *se)
{
    struct se_thread *t = se_cur(se);
    for (;;) {
        if (se->exited || t->state != SE_T_RUNNABLE)
            return;
        uint64_t ready = (t->sigpending | se->sigpending) & ~t->sigmask;
        if (!ready)
            break;
        int sig = __builtin_ctzll(ready) + 1;
        int code;
        if (t->sigpending & sigbit(sig)) {
            t->sigpending &= ~sigbit(sig);
            code = t->sicode[sig];
        } else {
            se->sigpending &= ~sigbit(sig);
            code = se->sicode[sig];
        }
        if (has_handler(se, sig))
            enter_handler(se, sig, code);
        else if (!ignored(se, sig))
            se_kill(se, sig, NULL);
    }
    /* A wait interrupted with no handler run (the signal went away): restart or EINTR. */
    if (t->interrupted) {
        t->interrupted = false;
        if (t->restartable) {
            se->cpu->s.gpr[RAX] = t->orig_nr;
            *se_pc(se) -= 2;
        }
    }
    if (t->restore_mask) {
        t->restore_mask = false;
        t->sigmask = t->saved_mask;
    }
}

/* ------------------------------------------------------------ syscalls ---- */

int64_t se_sys_rt_sigaction(struct se *se, const uint64_t *a)
{
    int sig = (int)a[0];
    if (sig < 1 || sig > SE_NSIG || a[3] != 8)
        return -EINVAL;
    struct se_sigaction new, old = se->sigact[sig];
    if (a[1]) {
        if (sig == SIGKILL || sig == SIGSTOP)
            return -EINVAL;
        if (se_copy_from_guest(se, a[1], &new, sizeof(new)) < 0)
            return -EFAULT;
    }
    if (a[2] && se_copy_to_guest(se, a[2], &old, sizeof(old)) < 0)
        return -EFAULT;
    if (a[1]) {
        se->sigact[sig] = new;
        /* A signal now ignored is discarded wherever it is pending. */
        if (ignored(se, sig)) {
            se->sigpending &= ~sigbit(sig);
            for (unsigned i = 0; i < se->nthreads; i++)
                se->thr[i]->sigpending &= ~sigbit(sig);
        }
    }
    return 0;
}

int64_t se_sys_rt_sigprocmask(struct se *se, const uint64_t *a)
{
    struct se_thread *t = se_cur(se);
    if (a[3] != 8)
        return -EINVAL;
    uint64_t old = t->sigmask, set;
    if (a[1]) {
        if (se_copy_from_guest(se, a[1], &set, 8) < 0)
            return -EFAULT;
        switch (a[0]) {
        case SIG_BLOCK: t->sigmask |= set; break;
        case SIG_UNBLOCK: t->sigmask &= ~set; break;
        case SIG_SETMASK: t->sigmask = set; break;
        default: return -EINVAL;
        }
        t->sigmask &= ~unblockable;
    }
    if (a[2] && se_copy_to_guest(se, a[2], &old, 8) < 0)
        return -EFAULT;
    return 0;
}

int64_t se_sys_rt_sigpending(struct se *se, const uint64_t *a)
{
    struct se_thread *t = se_cur(se);
    uint64_t p = (t->sigpending | se->sigpending) & t->sigmask;
    if (a[1] > 8)
        return -EINVAL;
    return se_copy_to_guest(se, a[0], &p, a[1]);
}

int64_t se_sys_rt_sigsuspend(struct se *se, const uint64_t *a)
{
    struct se_thread *t = se_cur(se);
    uint64_t set;
    if (a[1] != 8)
        return -EINVAL;
    if (se_copy_from_guest(se, a[0], &set, 8) < 0)
        return -EFAULT;
    t->saved_mask = t->sigmask;
    t->restore_mask = true;
    t->sigmask = set & ~unblockable;
    if ((t->sigpending | se->sigpending) & ~t->sigmask)
        return -EINTR;   /* delivered on the way out, then the old mask comes back */
    se_block(se, SE_T_PAUSE, SE_NO_WAKE, 0);
    t->restartable = false;
    return -EINTR;
}

int64_t se_sys_sigaltstack(struct se *se, const uint64_t *a)
{
    struct se_thread *t = se_cur(se);
    uint64_t old[3], new[3];
    uint64_t sp = se->cpu->s.gpr[RSP];
    bool on_alt = t->altstack[2] && sp > t->altstack[0] && sp - t->altstack[0] <= t->altstack[2];
    memcpy(old, t->altstack, sizeof(old));
    old[1] = !t->altstack[2] ? SS_DISABLE : on_alt ? SS_ONSTACK : 0;
    if (a[0] && se_copy_from_guest(se, a[0], new, sizeof(new)) < 0)
        return -EFAULT;
    if (a[1] && se_copy_to_guest(se, a[1], old, sizeof(old)) < 0)
        return -EFAULT;
    if (a[0]) {
        uint32_t flags = (uint32_t)new[1];
        if (on_alt)
            return -EPERM;
        if (flags & ~(uint32_t)(SS_DISABLE | SS_ONSTACK | (1u << 31) /* SS_AUTODISARM */))
            return -EINVAL;
        if (flags & SS_DISABLE)
            memset(t->altstack, 0, sizeof(t->altstack));
        else if (new[2] < 2048 /* MINSIGSTKSZ */)
            return -ENOMEM;
        else {
            t->altstack[0] = new[0];
            t->altstack[1] = 0;
            t->altstack[2] = new[2];
        }
    }
    return 0;
}

int64_t se_sys_rt_sigreturn(struct se *se, const uint64_t *a)
{
    (void)a;
    struct cpu *cpu = se->cpu;
    struct se_thread *t = se_cur(se);
    uint64_t frame_at = cpu->s.gpr[RSP] - 8;   /* the handler's RET popped the return address */
    struct k_ucontext uc;
    if (se_copy_from_guest(se, frame_at + offsetof(struct k_rt_sigframe, uc), &uc, sizeof(uc)) < 0) {
        se_kill(se, SIGSEGV, "rt_sigreturn without a readable signal frame");
        return 0;
    }
    const struct k_sigcontext *mc = &uc.mc;
    if (mc->fpstate) {
        struct fxsave_area fx;
        if (se_copy_from_guest(se, mc->fpstate, &fx, sizeof(fx)) < 0) {
            se_kill(se, SIGSEGV, "rt_sigreturn with an unreadable FPU state");
            return 0;
        }
        fx.mxcsr &= cpu->s.fx.mxcsr_mask ? cpu->s.fx.mxcsr_mask : 0xffff;
        fx.mxcsr_mask = cpu->s.fx.mxcsr_mask;
        cpu->s.fx = fx;
    }
    uint64_t *g = cpu->s.gpr;
    g[R8] = mc->r8, g[R9] = mc->r9, g[R10] = mc->r10, g[R11] = mc->r11;
    g[R12] = mc->r12, g[R13] = mc->r13, g[R14] = mc->r14, g[R15] = mc->r15;
    g[RDI] = mc->rdi, g[RSI] = mc->rsi, g[RBP] = mc->rbp, g[RBX] = mc->rbx;
    g[RDX] = mc->rdx, g[RCX] = mc->rcx, g[RSP] = mc->rsp;
    cpu_set_rflags(cpu, (cpu_get_rflags(cpu) & ~(uint64_t)FIX_EFLAGS) | (mc->eflags & FIX_EFLAGS));
    *se_pc(se) = mc->rip;
    t->sigmask = uc.sigmask & ~unblockable;
    /* The alternate stack as the frame recorded it (restore_altstack); errors are ignored. */
    uint64_t on_alt_sp = g[RSP];
    bool on_alt = t->altstack[2] && on_alt_sp > t->altstack[0] && on_alt_sp - t->altstack[0] <= t->altstack[2];
    if (!on_alt) {
        if (uc.ss_flags & SS_DISABLE)
            memset(t->altstack, 0, sizeof(t->altstack));
        else if (uc.ss_size >= 2048) {
            t->altstack[0] = uc.ss_sp;
            t->altstack[2] = uc.ss_size;
        }
    }
    cpu->block_exit = 1;
    return (int64_t)mc->rax;
}

int64_t se_sys_kill(struct se *se, const uint64_t *a)
{
    int64_t pid = (int64_t)a[0];
    if (pid != 0 && pid != -1 && pid != SE_PID && pid != -SE_PID)
        return -ESRCH;
    if (a[1] > SE_NSIG)
        return -EINVAL;
    if (a[1])
        se_signal_send(se, NULL, (int)a[1], SI_USER_CODE);
    return 0;
}

static int64_t thread_kill(struct se *se, int64_t tid, uint64_t sig)
{
    if (tid <= 0 || sig > SE_NSIG)
        return -EINVAL;
    struct se_thread *t = se_thread_by_tid(se, tid);
    if (!t)
        return -ESRCH;
    if (sig)
        se_signal_send(se, t, (int)sig, SI_TKILL_CODE);
    return 0;
}

int64_t se_sys_tkill(struct se *se, const uint64_t *a)
{
    return thread_kill(se, (int64_t)a[0], a[1]);
}

int64_t se_sys_tgkill(struct se *se, const uint64_t *a)
{
    if ((int64_t)a[0] <= 0)
        return -EINVAL;
    if (a[0] != SE_PID)
        return -ESRCH;
    return thread_kill(se, (int64_t)a[1], a[2]);
}

/* ----------------------------------------------------- alarm, itimers ---- */

static uint64_t alarm_left(const struct se *se)
{
    uint64_t now = se_now_ns(se);
    return se->alarm_at > now ? se->alarm_at - now : se->alarm_at ? 1 : 0;
}

/*
 * The CPU's current run was budgeted before the timer was set: end it after
 * this call, so that the scheduler budgets the next one to the new deadline
 * (else the signal would wait for whatever stops the CPU next).
 */
static void alarm_changed(struct se *se)
{
    cpu_request_exit(se->cpu, CPU_EXIT_STOP);
}

int64_t se_sys_alarm(struct se *se, const uint64_t *a)
{
    uint64_t left = alarm_left(se);
    /* Linux rounds the remaining time to the nearest second, and never says 0 for an armed alarm. */
    int64_t r = (int64_t)((left + 500000000ull) / 1000000000ull);
    if (se->alarm_at && r == 0)
        r = 1;
    se->alarm_interval = 0;
    se->alarm_at = a[0] ? se_now_ns(se) + (uint32_t)a[0] * 1000000000ull : 0;
    alarm_changed(se);
    return r;
}

struct k_itimerval { int64_t int_sec, int_usec, val_sec, val_usec; };

static void put_itimer(const struct se *se, struct k_itimerval *v)
{
    uint64_t left = alarm_left(se);
    v->int_sec = (int64_t)(se->alarm_interval / 1000000000ull);
    v->int_usec = (int64_t)(se->alarm_interval % 1000000000ull / 1000);
    v->val_sec = (int64_t)(left / 1000000000ull);
    v->val_usec = (int64_t)((left % 1000000000ull + 999) / 1000);
}

int64_t se_sys_setitimer(struct se *se, const uint64_t *a)
{
    struct k_itimerval old = { 0, 0, 0, 0 }, new;
    if (a[0] > 2)
        return -EINVAL;
    if (a[0] == ITIMER_REAL)
        put_itimer(se, &old);
    if (a[1] && se_copy_from_guest(se, a[1], &new, sizeof(new)) < 0)
        return -EFAULT;
    if (a[2] && se_copy_to_guest(se, a[2], &old, sizeof(old)) < 0)
        return -EFAULT;
    if (a[1] && a[0] == ITIMER_REAL) {
        if (new.val_usec < 0 || new.val_usec >= 1000000 || new.int_usec < 0 || new.int_usec >= 1000000)
            return -EINVAL;
        uint64_t val = (uint64_t)new.val_sec * 1000000000ull + (uint64_t)new.val_usec * 1000;
        se->alarm_interval = (uint64_t)new.int_sec * 1000000000ull + (uint64_t)new.int_usec * 1000;
        se->alarm_at = val ? se_now_ns(se) + val : 0;
        alarm_changed(se);
    }
    return 0;   /* ITIMER_VIRTUAL and ITIMER_PROF are accepted and never fire */
}

int64_t se_sys_getitimer(struct se *se, const uint64_t *a)
{
    struct k_itimerval v = { 0, 0, 0, 0 };
    if (a[0] > 2)
        return -EINVAL;
    if (a[0] == ITIMER_REAL)
        put_itimer(se, &v);
    return se_copy_to_guest(se, a[1], &v, sizeof(v));
}
