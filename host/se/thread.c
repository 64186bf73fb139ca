/*
 * thread.c - the threads of an SE process and their deterministic
 * scheduling on the one simulated CPU: clone, exit of a thread, futex,
 * nanosleep and pause as blocking calls, and the scheduler the run loop
 * calls after every CPU run.
 *
 * Threads run round-robin in quanta of SE_QUANTUM cycles; a thread that
 * blocks (futex wait, sleep, pause) or yields gives the CPU to the next
 * runnable one at once. When every thread is blocked, simulated time jumps
 * to the earliest timeout (or alarm). Everything depends only on the
 * instruction stream, so a threaded program runs the same way every time.
 * A switch moves the registers only (struct se_thread): all threads share
 * the address space, so the CPU's TLB and decoded blocks stay valid.
 */
#include "se/process.h"
#include "se/syscall.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

static struct se_thread *thread_new(struct se *se)
{
    struct se_thread *t = calloc(1, sizeof(*t));
    struct se_thread **thr = realloc(se->thr, (se->nthreads + 1) * sizeof(*thr));
    if (!t || !thr)
        fatal("se", "out of host memory");
    se->thr = thr;
    se->thr[se->nthreads++] = t;
    se->live++;
    t->tid = se->next_tid++;
    t->wake_at = SE_NO_WAKE;
    return t;
}

void se_threads_init(struct se *se)
{
    se->next_tid = SE_PID;
    thread_new(se);
    se->cur = 0;
}

struct se_thread *se_thread_by_tid(struct se *se, int64_t tid)
{
    for (unsigned i = 0; i < se->nthreads; i++)
        if (se->thr[i]->tid == tid && se->thr[i]->state != SE_T_EXITED)
            return se->thr[i];
    return NULL;
}

/* ------------------------------------------------------ register switch ---- */

static void save(struct se *se, struct se_thread *t)
{
    struct cpu *cpu = se->cpu;
    cpu_sync_state(cpu);
    memcpy(t->gpr, cpu->s.gpr, sizeof(t->gpr));
    t->rip = cpu->s.rip;
    t->rflags = cpu_get_rflags(cpu);
    t->fs_base = cpu->s.seg[SEG_FS].base;
    t->gs_base = cpu->s.seg[SEG_GS].base;
    t->fx = cpu->s.fx;
}

static void load(struct se *se, const struct se_thread *t)
{
    struct cpu *cpu = se->cpu;
    memcpy(cpu->s.gpr, t->gpr, sizeof(t->gpr));
    cpu->s.rip = t->rip;
    cpu_set_rflags(cpu, t->rflags);
    cpu->s.seg[SEG_FS].base = t->fs_base;
    cpu->s.seg[SEG_GS].base = t->gs_base;
    cpu->s.fx = t->fx;
}

void se_thread_sync(struct se *se)
{
    save(se, se_cur(se));
}

void se_thread_resume(struct se *se)
{
    load(se, se_cur(se));
}

/* ------------------------------------------------------------ blocking ---- */

void se_block(struct se *se, int state, uint64_t wake_at, int64_t timeout_result)
{
    struct se_thread *t = se_cur(se);
    t->state = state;
    t->wake_at = wake_at;
    t->timeout_result = timeout_result;
    t->interrupted = false;
    se->resched = true;
    cpu_request_exit(se->cpu, CPU_EXIT_STOP);
}

void se_wake(struct se *se, struct se_thread *t, int64_t result)
{
    (void)se;
    t->state = SE_T_RUNNABLE;
    t->wake_at = SE_NO_WAKE;
    t->gpr[RAX] = (uint64_t)result;
}

/* --------------------------------------------------------------- clone ---- */

#define CLONE_THREAD_FLAGS_OK                                                                     \
    (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |           \
     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED)

static int64_t clone_thread(struct se *se, uint64_t flags, uint64_t sp, uint64_t parent_tid,
                            uint64_t child_tid, uint64_t tls)
{
    const uint64_t need = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
    if ((flags & need) != need) {
        if (!se->warned_fork) {
            se->warned_fork = true;
            fprintf(stderr, "m5sim se: clone of a new process (fork, vfork, posix_spawn) is not "
                            "supported in se mode, returning -ENOSYS\n");
        }
        return -ENOSYS;
    }
    if (flags & ~(uint64_t)(CLONE_THREAD_FLAGS_OK | 0xff))
        return -EINVAL;
    struct cpu *cpu = se->cpu;
    struct se_thread *parent = se_cur(se);
    struct se_thread *t = thread_new(se);
    parent = se_cur(se);   /* thread_new may move the table, not the threads */
    /* The child returns 0 from the same system call, on its own stack. */
    memcpy(t->gpr, cpu->s.gpr, sizeof(t->gpr));
    t->gpr[RAX] = 0;
    if (sp)
        t->gpr[RSP] = sp;
    t->rip = cpu->next_rip;
    t->rflags = cpu_get_rflags(cpu);
    t->fs_base = (flags & CLONE_SETTLS) ? tls : cpu->s.seg[SEG_FS].base;
    t->gs_base = cpu->s.seg[SEG_GS].base;
    t->fx = cpu->s.fx;
    t->sigmask = parent->sigmask;
    int32_t tid = t->tid;
    if ((flags & CLONE_PARENT_SETTID) && se_copy_to_guest(se, parent_tid, &tid, 4) < 0)
        return -EFAULT;
    if ((flags & CLONE_CHILD_SETTID) && se_copy_to_guest(se, child_tid, &tid, 4) < 0)
        return -EFAULT;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = child_tid;
    return tid;
}

int64_t se_sys_clone(struct se *se, const uint64_t *a)
{
    return clone_thread(se, a[0], a[1], a[2], a[3], a[4]);
}

/* struct clone_args of clone3 (the fields m5sim reads). */
struct clone_args_head {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

int64_t se_sys_clone3(struct se *se, const uint64_t *a)
{
    struct clone_args_head c;
    if (a[1] < 64)
        return -EINVAL;
    if (se_copy_from_guest(se, a[0], &c, sizeof(c)) < 0)
        return -EFAULT;
    if ((c.flags & CLONE_THREAD) && c.exit_signal)
        return -EINVAL;
    return clone_thread(se, c.flags | c.exit_signal, c.stack ? c.stack + c.stack_size : 0,
                        c.parent_tid, c.child_tid, c.tls);
}

/* ---------------------------------------------------------------- exit ---- */

int64_t se_sys_exit(struct se *se, const uint64_t *a)
{
    if (se->live == 1) {
        se_exit(se, (int)(a[0] & 0xff));
        return 0;
    }
    struct se_thread *t = se_cur(se);
    /* CLONE_CHILD_CLEARTID: zero the TID word and wake one waiter (pthread_join). */
    if (t->clear_child_tid) {
        uint32_t zero = 0;
        if (se_copy_to_guest(se, t->clear_child_tid, &zero, 4) == 0)
            se_futex_wake(se, t->clear_child_tid, ~0u, 1);
    }
    t->state = SE_T_EXITED;
    se->live--;
    se->resched = true;
    cpu_request_exit(se->cpu, CPU_EXIT_STOP);
    return 0;
}

int64_t se_sys_exit_group(struct se *se, const uint64_t *a)
{
    se_exit(se, (int)(a[0] & 0xff));
    return 0;
}

int64_t se_sys_gettid(struct se *se, const uint64_t *a)
{
    (void)a;
    return se_cur(se)->tid;
}

int64_t se_sys_set_tid_address(struct se *se, const uint64_t *a)
{
    se_cur(se)->clear_child_tid = a[0];
    return se_cur(se)->tid;
}

int64_t se_sys_set_robust_list(struct se *se, const uint64_t *a)
{
    if (a[1] != 24)
        return -EINVAL;
    se_cur(se)->robust_list = a[0];
    return 0;
}

int64_t se_sys_get_robust_list(struct se *se, const uint64_t *a)
{
    struct se_thread *t = a[0] ? se_thread_by_tid(se, (int64_t)a[0]) : se_cur(se);
    uint64_t len = 24;
    if (!t)
        return -ESRCH;
    if (se_copy_to_guest(se, a[1], &t->robust_list, 8) < 0 || se_copy_to_guest(se, a[2], &len, 8) < 0)
        return -EFAULT;
    return 0;
}

int64_t se_sys_sched_yield(struct se *se, const uint64_t *a)
{
    (void)a;
    if (se->live > 1) {
        se->resched = true;
        cpu_request_exit(se->cpu, CPU_EXIT_STOP);
    }
    return 0;
}

/* --------------------------------------------------------------- sleep ---- */

struct ktimespec { int64_t sec, nsec; };

/* A relative or absolute timeout as the simulated ns it ends at, or -errno. */
static int64_t timeout_end(struct se *se, uint64_t va, int64_t clk, bool absolute)
{
    struct ktimespec ts;
    if (se_copy_from_guest(se, va, &ts, sizeof(ts)) < 0)
        return -EFAULT;
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return -EINVAL;
    if (ts.sec > INT64_MAX / 1000000000 - 100)
        ts.sec = INT64_MAX / 1000000000 - 100;
    uint64_t ns = (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
    uint64_t now = se_now_ns(se);
    if (!absolute)
        return (int64_t)(now + ns);
    /* Absolute: convert the clock's value to the program's simulated time. */
    uint64_t origin = clk == CLOCK_REALTIME || clk == CLOCK_TAI ? SE_EPOCH_SEC * 1000000000ull : SE_BOOT_NS;
    return (int64_t)(ns > origin ? ns - origin : 0);
}

static int64_t sleep_until(struct se *se, int64_t end, uint64_t rem)
{
    if (end < 0)
        return end;
    if ((uint64_t)end <= se_now_ns(se))
        return 0;
    se_block(se, SE_T_SLEEP, (uint64_t)end, 0);
    se_cur(se)->sleep_rem = rem;
    return 0;
}

int64_t se_sys_nanosleep(struct se *se, const uint64_t *a)
{
    return sleep_until(se, timeout_end(se, a[0], CLOCK_MONOTONIC, false), a[1]);
}

int64_t se_sys_clock_nanosleep(struct se *se, const uint64_t *a)
{
    int64_t clk = (int64_t)a[0];
    if (clk == CLOCK_THREAD_CPUTIME_ID || clk == CLOCK_PROCESS_CPUTIME_ID || clk < 0 || clk > 11)
        return -EINVAL;
    bool abs = a[1] & TIMER_ABSTIME;
    return sleep_until(se, timeout_end(se, a[2], clk, abs), abs ? 0 : a[3]);
}

int64_t se_sys_pause(struct se *se, const uint64_t *a)
{
    (void)a;
    se_block(se, SE_T_PAUSE, SE_NO_WAKE, 0);
    return -EINTR;
}

/* --------------------------------------------------------------- futex ---- */

#define FUTEX_CMD_MASK 0x7f
#define FUTEX_CLOCK_RT 256

int se_futex_wake(struct se *se, uint64_t addr, uint32_t bitset, int n)
{
    int woken = 0;
    while (woken < n) {
        struct se_thread *first = NULL;
        for (unsigned i = 0; i < se->nthreads; i++) {
            struct se_thread *t = se->thr[i];
            if (t->state == SE_T_FUTEX && t->futex_addr == addr && (t->futex_bitset & bitset) &&
                (!first || t->wait_seq < first->wait_seq))
                first = t;
        }
        if (!first)
            break;
        se_wake(se, first, 0);
        woken++;
    }
    return woken;
}

/* Move up to n waiters from addr to addr2 (oldest first); returns how many. */
static int futex_requeue(struct se *se, uint64_t addr, uint64_t addr2, int64_t n)
{
    int moved = 0;
    for (uint64_t seq = 0; moved < n;) {
        struct se_thread *first = NULL;
        for (unsigned i = 0; i < se->nthreads; i++) {
            struct se_thread *t = se->thr[i];
            if (t->state == SE_T_FUTEX && t->futex_addr == addr && t->wait_seq >= seq &&
                (!first || t->wait_seq < first->wait_seq))
                first = t;
        }
        if (!first)
            break;
        first->futex_addr = addr2;
        seq = first->wait_seq + 1;
        moved++;
    }
    return moved;
}

static int64_t futex_wait(struct se *se, const uint64_t *a, bool bitset)
{
    uint32_t v, mask = bitset ? (uint32_t)a[5] : ~0u;
    if (!mask)
        return -EINVAL;
    if (se_copy_from_guest(se, a[0], &v, 4) < 0)
        return -EFAULT;
    if (v != (uint32_t)a[2])
        return -EAGAIN;
    uint64_t wake_at = SE_NO_WAKE;
    if (a[3]) {
        int64_t end = timeout_end(se, a[3], (a[1] & FUTEX_CLOCK_RT) ? CLOCK_REALTIME : CLOCK_MONOTONIC,
                                  bitset);
        if (end < 0)
            return end;
        wake_at = (uint64_t)end;
    }
    struct se_thread *t = se_cur(se);
    se_block(se, SE_T_FUTEX, wake_at, -ETIMEDOUT);
    t->futex_addr = a[0];
    t->futex_bitset = mask;
    t->wait_seq = se->wait_seq++;
    t->restartable = !a[3];
    return -ETIMEDOUT;
}

static int64_t futex_wake_op(struct se *se, const uint64_t *a)
{
    uint32_t enc = (uint32_t)a[5], old;
    unsigned op = (enc >> 28) & 7, cmp = (enc >> 24) & 15;
    int32_t oparg = (int32_t)(enc << 8) >> 20, cmparg = (int32_t)(enc << 20) >> 20;
    if (enc & (8u << 28))
        oparg = (int32_t)(1u << (oparg & 31));
    if (se_copy_from_guest(se, a[4], &old, 4) < 0)
        return -EFAULT;
    uint32_t nv;
    switch (op) {
    case 0: nv = (uint32_t)oparg; break;
    case 1: nv = old + (uint32_t)oparg; break;
    case 2: nv = old | (uint32_t)oparg; break;
    case 3: nv = old & ~(uint32_t)oparg; break;
    case 4: nv = old ^ (uint32_t)oparg; break;
    default: return -ENOSYS;
    }
    bool hit;
    int32_t o = (int32_t)old;
    switch (cmp) {
    case 0: hit = o == cmparg; break;
    case 1: hit = o != cmparg; break;
    case 2: hit = o < cmparg; break;
    case 3: hit = o <= cmparg; break;
    case 4: hit = o > cmparg; break;
    case 5: hit = o >= cmparg; break;
    default: return -ENOSYS;
    }
    if (se_copy_to_guest(se, a[4], &nv, 4) < 0)
        return -EFAULT;
    int n = se_futex_wake(se, a[0], ~0u, (int)(a[2] > INT32_MAX ? INT32_MAX : a[2]));
    if (hit)
        n += se_futex_wake(se, a[4], ~0u, (int)(a[3] > INT32_MAX ? INT32_MAX : a[3]));
    return n;
}

/*
 * One process, one address space: private and shared futexes are both keyed
 * by virtual address.
 */
int64_t se_sys_futex(struct se *se, const uint64_t *a)
{
    if (a[0] & 3)
        return -EINVAL;
    int n = (int)((uint32_t)a[2] > INT32_MAX ? INT32_MAX : (uint32_t)a[2]);
    switch (a[1] & FUTEX_CMD_MASK) {
    case 0: /* FUTEX_WAIT */
        return futex_wait(se, a, false);
    case 9: /* FUTEX_WAIT_BITSET */
        return futex_wait(se, a, true);
    case 1: /* FUTEX_WAKE */
        return se_futex_wake(se, a[0], ~0u, n);
    case 10: /* FUTEX_WAKE_BITSET */
        return a[5] ? se_futex_wake(se, a[0], (uint32_t)a[5], n) : -EINVAL;
    case 4: /* FUTEX_CMP_REQUEUE */ {
        uint32_t v;
        if (se_copy_from_guest(se, a[0], &v, 4) < 0)
            return -EFAULT;
        if (v != (uint32_t)a[5])
            return -EAGAIN;
    } /* fall through */
    case 3: /* FUTEX_REQUEUE */ {
        if (a[4] & 3)
            return -EINVAL;
        int woken = se_futex_wake(se, a[0], ~0u, n);
        return woken + futex_requeue(se, a[0], a[4], (int64_t)(a[3] > INT32_MAX ? INT32_MAX : a[3]));
    }
    case 5: /* FUTEX_WAKE_OP */
        return futex_wake_op(se, a);
    default:
        return -ENOSYS;
    }
}

/* ----------------------------------------------------------- scheduler ---- */

static uint64_t earliest_wake(const struct se *se)
{
    uint64_t w = se->alarm_at ? se->alarm_at : SE_NO_WAKE;
    for (unsigned i = 0; i < se->nthreads; i++) {
        const struct se_thread *t = se->thr[i];
        if (t->state != SE_T_RUNNABLE && t->state != SE_T_EXITED && t->wake_at < w)
            w = t->wake_at;
    }
    return w;
}

uint64_t se_sched_budget(struct se *se)
{
    uint64_t budget = UINT64_MAX, cycles = cpu_cycles(se->cpu);
    if (se->live > 1) {
        uint64_t used = cycles - se->quantum_start;
        budget = used < SE_QUANTUM ? SE_QUANTUM - used : 1;
    }
    uint64_t w = earliest_wake(se);
    if (w != SE_NO_WAKE) {
        uint64_t now = se_now_ns(se);
        uint64_t c = w > now ? (w - now) * (SE_CPU_HZ / 1000000000ull) : 1;
        if (c < budget)
            budget = c;
    }
    return budget;
}

/* Timeouts and the alarm that are due. */
static void fire_timers(struct se *se)
{
    uint64_t now = se_now_ns(se);
    for (unsigned i = 0; i < se->nthreads; i++) {
        struct se_thread *t = se->thr[i];
        if (t->state != SE_T_RUNNABLE && t->state != SE_T_EXITED && t->wake_at <= now)
            se_wake(se, t, t->timeout_result);
    }
    if (se->alarm_at && se->alarm_at <= now) {
        se->alarm_at = se->alarm_interval ? se->alarm_at + se->alarm_interval : 0;
        se_signal_send(se, NULL, SIGALRM, 0x80 /* SI_KERNEL */);
    }
}

void se_sched(struct se *se)
{
    if (se->exited)
        return;
    struct se_thread *cur = se_cur(se);
    /* The running thread's registers are saved first: timers and signals may change them. */
    save(se, cur);
    fire_timers(se);
    bool expired = se->live > 1 && cpu_cycles(se->cpu) - se->quantum_start >= SE_QUANTUM;
    if (cur->state == SE_T_RUNNABLE && !se->resched && !expired) {
        load(se, cur);
        se_signal_deliver(se);
        return;
    }
    se->resched = false;
    for (;;) {
        if (se->exited)
            return;
        for (unsigned k = 1; k <= se->nthreads; k++) {
            unsigned i = (se->cur + k) % se->nthreads;
            if (se->thr[i]->state == SE_T_RUNNABLE) {
                se->cur = i;
                load(se, se->thr[i]);
                se->quantum_start = cpu_cycles(se->cpu);
                se_signal_deliver(se);
                return;
            }
        }
        /* Everyone is blocked: time passes until the earliest timeout. */
        uint64_t w = earliest_wake(se);
        if (w == SE_NO_WAKE) {
            se_kill(se, SIGKILL, se->live > 1 ? "every thread is blocked with nothing left to wake it (deadlock)"
                                              : "the program waits for something that can never happen");
            return;
        }
        uint64_t now = se_now_ns(se);
        if (w > now)
            se->sleep_ns += w - now;
        fire_timers(se);
    }
}
