/*
 * syscall.c - system call dispatch, and the calls about the process itself:
 * identity, time, randomness, limits, thread-area setup. Threads, exit and
 * blocking calls are in thread.c, signals in signal.c.
 *
 * The process is alone: its PID is SE_PID, its time is simulated
 * (se_now_ns(): instructions at SE_CPU_HZ plus simulated sleeps, from a
 * fixed epoch), its random bytes come from a fixed-seed generator. Signals
 * raised by a call are delivered on its way back (se_signal_deliver).
 */
#include "se/process.h"
#include "se/syscall.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cpu/exception.h"
#include "cpu/flags.h"
#include "util/log.h"


/* ---------------------------------------------------------- dispatch ---- */

typedef int64_t (*se_syscall_fn)(struct se *se, const uint64_t *a);

#define SE_SYSCALL_ENTRY(name) [SYS_##name] = se_sys_##name,
static const se_syscall_fn table[] = { SE_SYSCALLS(SE_SYSCALL_ENTRY) };
#undef SE_SYSCALL_ENTRY
#define TABLE_SIZE (sizeof(table) / sizeof(table[0]))

static int64_t unsupported(struct se *se, uint64_t nr)
{
    if (nr >= sizeof(se->warned) || !se->warned[nr]) {
        if (nr < sizeof(se->warned))
            se->warned[nr] = 1;
        fprintf(stderr, "m5sim se: unsupported system call %s (%llu), returning -ENOSYS\n",
                se_syscall_name(nr), (unsigned long long)nr);
    }
    return -ENOSYS;
}

void se_syscall(void *opaque, struct cpu *cpu)
{
    struct se *se = opaque;
    uint64_t nr = (uint32_t)cpu->s.gpr[RAX];  /* Linux looks at EAX only */
    const uint64_t a[6] = { cpu->s.gpr[RDI], cpu->s.gpr[RSI], cpu->s.gpr[RDX],
                            cpu->s.gpr[R10], cpu->s.gpr[R8], cpu->s.gpr[R9] };
    /* What the SYSCALL instruction itself does: RCX = return address, R11 = RFLAGS
     * (the instruction's handler does it too; done here so the hook stands alone). */
    cpu->s.gpr[RCX] = cpu->next_rip;
    cpu->s.gpr[R11] = cpu_get_rflags(cpu) & ~(uint64_t)FL_RF;
    se->in_syscall = true;
    se_cur(se)->orig_nr = nr;
    int64_t r = nr < TABLE_SIZE && table[nr] ? table[nr](se, a) : unsupported(se, nr);
    cpu->s.gpr[RAX] = (uint64_t)r;
    /* Signals raised by the call, or unblocked by it, are delivered on the way back to user mode. */
    if (!se->exited && se_cur(se)->state == SE_T_RUNNABLE && !se->resched)
        se_signal_deliver(se);
    se->in_syscall = false;
}

/* ------------------------------------------------------ time, random ---- */

uint64_t se_cycles(void *opaque, struct cpu *cpu)
{
    const struct se *se = opaque;
    return cpu_cycles(cpu) + se->sleep_ns * (SE_CPU_HZ / 1000000000ull);
}

static uint64_t cpu_ns(const struct se *se)
{
    return cpu_cycles(se->cpu) / (SE_CPU_HZ / 1000000000ull);
}

uint64_t se_random64(struct se *se)
{
    /* splitmix64 */
    uint64_t z = (se->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct ktimespec { int64_t sec, nsec; };

static int put_ns(struct se *se, uint64_t va, uint64_t ns)
{
    struct ktimespec ts = { (int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull) };
    return se_copy_to_guest(se, va, &ts, sizeof(ts));
}

/* A clock's value in ns, or -EINVAL. */
static int64_t clock_ns(const struct se *se, int64_t clk)
{
    switch (clk) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_TAI: case 8 /* REALTIME_ALARM */:
        return (int64_t)(SE_EPOCH_SEC * 1000000000ull + se_now_ns(se));
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: case 9 /* BOOTTIME_ALARM */:
        return (int64_t)(SE_BOOT_NS + se_now_ns(se));
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
        return (int64_t)cpu_ns(se);
    default:
        if (clk < 0)  /* a CPU-time clock of a process or thread: ours */
            return (int64_t)cpu_ns(se);
        return -EINVAL;
    }
}

int64_t se_sys_clock_gettime(struct se *se, const uint64_t *a)
{
    int64_t ns = clock_ns(se, (int64_t)a[0]);
    if (ns < 0)
        return ns;
    return put_ns(se, a[1], (uint64_t)ns);
}

int64_t se_sys_clock_getres(struct se *se, const uint64_t *a)
{
    int64_t ns = clock_ns(se, (int64_t)a[0]);
    if (ns < 0)
        return ns;
    return a[1] ? put_ns(se, a[1], 1) : 0;
}

int64_t se_sys_gettimeofday(struct se *se, const uint64_t *a)
{
    uint64_t ns = (uint64_t)clock_ns(se, CLOCK_REALTIME);
    if (a[0]) {
        int64_t tv[2] = { (int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull / 1000) };
        if (se_copy_to_guest(se, a[0], tv, sizeof(tv)) < 0)
            return -EFAULT;
    }
    if (a[1]) {
        int32_t tz[2] = { 0, 0 };
        if (se_copy_to_guest(se, a[1], tz, sizeof(tz)) < 0)
            return -EFAULT;
    }
    return 0;
}

int64_t se_sys_time(struct se *se, const uint64_t *a)
{
    int64_t t = clock_ns(se, CLOCK_REALTIME) / 1000000000;
    if (a[0] && se_copy_to_guest(se, a[0], &t, 8) < 0)
        return -EFAULT;
    return t;
}

int64_t se_sys_getrandom(struct se *se, const uint64_t *a)
{
    uint64_t len = a[1] > 33554431 ? 33554431 : a[1];
    uint8_t buf[256];
    for (uint64_t done = 0; done < len;) {
        size_t chunk = len - done < sizeof(buf) ? (size_t)(len - done) : sizeof(buf);
        for (size_t i = 0; i < chunk; i += 8) {
            uint64_t r = se_random64(se);
            memcpy(buf + i, &r, chunk - i < 8 ? chunk - i : 8);
        }
        if (se_copy_to_guest(se, a[0] + done, buf, chunk) < 0)
            return done ? (int64_t)done : -EFAULT;
        done += chunk;
    }
    return (int64_t)len;
}

/* ------------------------------------------------------------ identity ---- */

int64_t se_sys_getpid(struct se *se, const uint64_t *a) { (void)se, (void)a; return SE_PID; }
int64_t se_sys_getppid(struct se *se, const uint64_t *a) { (void)se, (void)a; return SE_PPID; }
int64_t se_sys_getpgrp(struct se *se, const uint64_t *a) { (void)se, (void)a; return SE_PID; }
int64_t se_sys_getuid(struct se *se, const uint64_t *a) { (void)se, (void)a; return getuid(); }
int64_t se_sys_geteuid(struct se *se, const uint64_t *a) { (void)se, (void)a; return geteuid(); }
int64_t se_sys_getgid(struct se *se, const uint64_t *a) { (void)se, (void)a; return getgid(); }
int64_t se_sys_getegid(struct se *se, const uint64_t *a) { (void)se, (void)a; return getegid(); }

static bool is_self(uint64_t pid)
{
    return pid == 0 || pid == SE_PID;
}

int64_t se_sys_getpgid(struct se *se, const uint64_t *a)
{
    (void)se;
    return is_self(a[0]) ? SE_PID : -ESRCH;
}

int64_t se_sys_getsid(struct se *se, const uint64_t *a)
{
    (void)se;
    return is_self(a[0]) ? SE_PID : -ESRCH;
}

int64_t se_sys_setpgid(struct se *se, const uint64_t *a)
{
    (void)se;
    return is_self(a[0]) && (a[1] == 0 || a[1] == SE_PID) ? 0 : -EPERM;
}

int64_t se_sys_setsid(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return -EPERM;  /* already a process-group leader */
}

static int64_t put_ids(struct se *se, const uint64_t *a, uint32_t r, uint32_t e)
{
    if (se_copy_to_guest(se, a[0], &r, 4) < 0 || se_copy_to_guest(se, a[1], &e, 4) < 0 ||
        se_copy_to_guest(se, a[2], &e, 4) < 0)
        return -EFAULT;
    return 0;
}

int64_t se_sys_getresuid(struct se *se, const uint64_t *a) { return put_ids(se, a, getuid(), geteuid()); }
int64_t se_sys_getresgid(struct se *se, const uint64_t *a) { return put_ids(se, a, getgid(), getegid()); }

int64_t se_sys_getgroups(struct se *se, const uint64_t *a)
{
    gid_t groups[256];
    int n = getgroups(256, groups);
    if (n < 0)
        return -errno;
    if (a[0] == 0)
        return n;
    if ((int64_t)a[0] < n)
        return -EINVAL;
    return se_copy_to_guest(se, a[1], groups, (size_t)n * sizeof(gid_t)) < 0 ? -EFAULT : n;
}

int64_t se_sys_uname(struct se *se, const uint64_t *a)
{
    struct utsname u;
    memset(&u, 0, sizeof(u));
    strcpy(u.sysname, "Linux");
    strcpy(u.nodename, "m5sim");
    strcpy(u.release, "6.1.0-m5sim");
    strcpy(u.version, "#1 SMP PREEMPT_DYNAMIC m5sim");
    strcpy(u.machine, "x86_64");
    strcpy(u.domainname, "(none)");
    return se_copy_to_guest(se, a[0], &u, sizeof(u));
}

int64_t se_sys_sethostname(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return -EPERM;
}

/* ---------------------------------------------------------------- exit ---- */

int64_t se_sys_wait4(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return -ECHILD;
}

/* -------------------------------------------------------------- limits ---- */

void se_process_init(struct se *se)
{
    se->rng = 0x6d3573696d2d7365ull;  /* "m5sim-se": the same random bytes every run */
    for (unsigned i = 0; i < 16; i++)
        se->rlim[i][0] = se->rlim[i][1] = RLIM_INFINITY;
    se->rlim[RLIMIT_STACK][0] = SE_STACK_SIZE;
    se->rlim[RLIMIT_CORE][0] = 0;
    se->rlim[RLIMIT_NOFILE][0] = se->rlim[RLIMIT_NOFILE][1] = SE_MAX_FDS;
    se->rlim[RLIMIT_NPROC][0] = se->rlim[RLIMIT_NPROC][1] = 4096;
    se->rlim[RLIMIT_MEMLOCK][0] = se->rlim[RLIMIT_MEMLOCK][1] = 8ull << 20;
    se->rlim[RLIMIT_SIGPENDING][0] = se->rlim[RLIMIT_SIGPENDING][1] = 4096;
    se->rlim[RLIMIT_MSGQUEUE][0] = se->rlim[RLIMIT_MSGQUEUE][1] = 819200;
    se->rlim[RLIMIT_NICE][0] = se->rlim[RLIMIT_NICE][1] = 0;
    se->rlim[RLIMIT_RTPRIO][0] = se->rlim[RLIMIT_RTPRIO][1] = 0;
    const char *base = se->path ? strrchr(se->path, '/') : NULL;
    snprintf(se->comm, sizeof(se->comm), "%s", base ? base + 1 : se->path ? se->path : "");
}

int64_t se_sys_prlimit64(struct se *se, const uint64_t *a)
{
    if (!is_self(a[0]))
        return -ESRCH;
    if (a[1] >= 16)
        return -EINVAL;
    uint64_t old[2] = { se->rlim[a[1]][0], se->rlim[a[1]][1] }, new[2];
    if (a[2]) {
        if (se_copy_from_guest(se, a[2], new, sizeof(new)) < 0)
            return -EFAULT;
        if (new[0] > new[1])
            return -EINVAL;
    }
    if (a[3] && se_copy_to_guest(se, a[3], old, sizeof(old)) < 0)
        return -EFAULT;
    if (a[2])
        memcpy(se->rlim[a[1]], new, sizeof(new));
    return 0;
}

int64_t se_sys_getrlimit(struct se *se, const uint64_t *a)
{
    const uint64_t b[4] = { 0, a[0], 0, a[1] };
    return se_sys_prlimit64(se, b);
}

int64_t se_sys_setrlimit(struct se *se, const uint64_t *a)
{
    const uint64_t b[4] = { 0, a[0], a[1], 0 };
    return se_sys_prlimit64(se, b);
}

int64_t se_sys_sysinfo(struct se *se, const uint64_t *a)
{
    struct sysinfo si;
    memset(&si, 0, sizeof(si));
    si.uptime = (long)((SE_BOOT_NS + se_now_ns(se)) / 1000000000ull);
    si.totalram = SE_RAM_SIZE;
    si.freeram = SE_RAM_SIZE - se->pages_in_use * SE_PAGE;
    si.procs = 1;
    si.mem_unit = 1;
    return se_copy_to_guest(se, a[0], &si, sizeof(si));
}

int64_t se_sys_getrusage(struct se *se, const uint64_t *a)
{
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    int64_t who = (int64_t)a[0];
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != 1 /* RUSAGE_THREAD */)
        return -EINVAL;
    if (who != RUSAGE_CHILDREN) {
        uint64_t ns = cpu_ns(se);
        ru.ru_utime.tv_sec = (time_t)(ns / 1000000000ull);
        ru.ru_utime.tv_usec = (suseconds_t)(ns % 1000000000ull / 1000);
        ru.ru_maxrss = (long)(se->pages_in_use * (SE_PAGE / 1024));
    }
    return se_copy_to_guest(se, a[1], &ru, sizeof(ru));
}

int64_t se_sys_times(struct se *se, const uint64_t *a)
{
    uint64_t ticks_per_ns = 1000000000ull / 100;
    if (a[0]) {
        int64_t t[4] = { (int64_t)(cpu_ns(se) / ticks_per_ns), 0, 0, 0 };
        if (se_copy_to_guest(se, a[0], t, sizeof(t)) < 0)
            return -EFAULT;
    }
    return (int64_t)((SE_BOOT_NS + se_now_ns(se)) / ticks_per_ns);
}

int64_t se_sys_getpriority(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return 20;  /* the kernel's encoding of nice 0 */
}

int64_t se_sys_setpriority(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return 0;
}

/* ----------------------------------------------------------- scheduler ---- */

int64_t se_sys_sched_getaffinity(struct se *se, const uint64_t *a)
{
    if (!is_self(a[0]))
        return -ESRCH;
    if (a[1] < 8 || (a[1] & 7))
        return -EINVAL;
    uint64_t mask = 1;  /* one CPU */
    return se_copy_to_guest(se, a[2], &mask, 8) < 0 ? -EFAULT : 8;
}

int64_t se_sys_sched_setaffinity(struct se *se, const uint64_t *a)
{
    (void)se;
    return is_self(a[0]) ? 0 : -ESRCH;
}

int64_t se_sys_getcpu(struct se *se, const uint64_t *a)
{
    uint32_t zero = 0;
    if ((a[0] && se_copy_to_guest(se, a[0], &zero, 4) < 0) ||
        (a[1] && se_copy_to_guest(se, a[1], &zero, 4) < 0))
        return -EFAULT;
    return 0;
}

int64_t se_sys_sched_getparam(struct se *se, const uint64_t *a)
{
    int32_t prio = 0;
    if (!is_self(a[0]))
        return -ESRCH;
    return se_copy_to_guest(se, a[1], &prio, 4);
}

int64_t se_sys_sched_getscheduler(struct se *se, const uint64_t *a)
{
    (void)se;
    return is_self(a[0]) ? 0 /* SCHED_OTHER */ : -ESRCH;
}

int64_t se_sys_membarrier(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return -ENOSYS;
}

int64_t se_sys_prctl(struct se *se, const uint64_t *a)
{
    switch (a[0]) {
    case 15: { /* PR_SET_NAME */
        char name[16];
        long n = se_strncpy_from_guest(se, a[1], name, sizeof(name));
        if (n == -EFAULT)
            return -EFAULT;
        name[15] = 0;
        memcpy(se->comm, name, sizeof(name));
        return 0;
    }
    case 16: /* PR_GET_NAME */
        return se_copy_to_guest(se, a[1], se->comm, sizeof(se->comm));
    case 1:  /* PR_SET_PDEATHSIG */
    case 4:  /* PR_SET_DUMPABLE */
    case 38: /* PR_SET_NO_NEW_PRIVS */
        return 0;
    case 3:  /* PR_GET_DUMPABLE */
        return 1;
    case 39: /* PR_GET_NO_NEW_PRIVS */
        return 0;
    default:
        return -EINVAL;
    }
}

/* ------------------------------------------------- thread area, futex ---- */

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

int64_t se_sys_arch_prctl(struct se *se, const uint64_t *a)
{
    struct cpu_state *s = &se->cpu->s;
    switch (a[0]) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (a[1] >= SE_USER_TOP)
            return -EPERM;
        s->seg[a[0] == ARCH_SET_FS ? SEG_FS : SEG_GS].base = a[1];
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS:
        return se_copy_to_guest(se, a[1], &s->seg[a[0] == ARCH_GET_FS ? SEG_FS : SEG_GS].base, 8);
    default:
        return -EINVAL;
    }
}

int64_t se_sys_rseq(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return -ENOSYS;  /* the C libraries carry on without restartable sequences */
}
