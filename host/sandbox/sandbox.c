/*
 * sandbox.c - the seccomp allowlist (see sandbox.h, docs/guest-safety.md).
 *
 * What m5sim needs after setup, measured with strace -f -c on boots,
 * restores (atomic and timing), checkpoints, batches, interactive sessions
 * and SE runs of the test programs and busybox:
 *
 *   files        everything SE mode forwards for the guest (open, read,
 *                write, stat, getdents, rename, link, chmod, ...) and what
 *                the simulator writes itself (outputs, checkpoints,
 *                writefile through openat2, the outdir lock, history)
 *   memory       brk, mmap, munmap, mremap, mprotect, madvise
 *   time         clock_gettime and friends (host seconds in run.ini);
 *                simulated sleeps never sleep on the host
 *   signals      sigaction, sigprocmask, sigreturn; kill and tgkill only
 *                to this process (abort(), libedit passing ^C on)
 *   processes    fork-style clone (no threads, no namespaces) and wait4,
 *                for the checks of an interactive restore
 *   terminal     ioctl with the terminal requests the prompt and SE mode
 *                use (TCGETS, TCSETS*, TIOCGWINSZ, ...), never TIOCSTI
 *   KVM          ioctl with KVM's requests (type 0xAE) and the run timer
 *                (timer_settime/gettime/delete) of the KVM CPU model
 *
 * Two calls fail quietly instead of ending the run, because their failure
 * is a normal path: socket (glibc's user lookup for libedit's ~ completion
 * tries nscd first) gets EAFNOSUPPORT, clone3 gets ENOSYS (glibc falls back
 * to clone). Everything else traps: a SIGSYS handler names the call and
 * exits 2, rather than letting a call fail silently and corrupt an output.
 */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <seccomp.h>

#include "se/syscall.h"
#include "util/log.h"

static bool active;

bool sandbox_active(void)
{
    return active;
}

/* Async-signal-safe: write(2) and _exit only; the name comes from a static table. */
static void on_refused(int sig, siginfo_t *si, void *ctx)
{
    (void)sig, (void)ctx;
    static const char pre[] = "m5sim: sandbox: system call ";
    static const char post[] = " refused (--no-sandbox turns the allowlist off)\n";
    const char *name = se_syscall_name((uint64_t)(unsigned)si->si_syscall);
    char msg[160];
    size_t n = 0, len = strlen(name);
    memcpy(msg + n, pre, sizeof pre - 1);
    n += sizeof pre - 1;
    if (len > 40)
        len = 40;
    memcpy(msg + n, name, len);
    n += len;
    memcpy(msg + n, post, sizeof post - 1);
    n += sizeof post - 1;
    ssize_t w = write(STDERR_FILENO, msg, n);
    (void)w;
    _exit(SANDBOX_EXIT_REFUSED);
}

/* The calls allowed whatever their arguments. */
static const int allowed[] = {
    /* descriptors and file contents */
    SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(pread64),
    SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev), SCMP_SYS(preadv2), SCMP_SYS(pwritev2),
    SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(close_range), SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3),
    SCMP_SYS(fcntl), SCMP_SYS(pipe), SCMP_SYS(pipe2), SCMP_SYS(sendfile), SCMP_SYS(copy_file_range),
    SCMP_SYS(flock), SCMP_SYS(ftruncate), SCMP_SYS(truncate), SCMP_SYS(fallocate), SCMP_SYS(fsync),
    SCMP_SYS(fdatasync), SCMP_SYS(sync), SCMP_SYS(fadvise64),
    /* names: opening, looking up, creating, removing */
    SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat), SCMP_SYS(stat), SCMP_SYS(fstat),
    SCMP_SYS(lstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(statfs), SCMP_SYS(fstatfs),
    SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(getdents64), SCMP_SYS(getcwd),
    SCMP_SYS(chdir), SCMP_SYS(fchdir), SCMP_SYS(mkdir), SCMP_SYS(mkdirat), SCMP_SYS(unlink),
    SCMP_SYS(unlinkat), SCMP_SYS(rmdir), SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
    SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(link),
    SCMP_SYS(linkat), SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(fchmodat), SCMP_SYS(chown),
    SCMP_SYS(fchown), SCMP_SYS(fchownat), SCMP_SYS(lchown), SCMP_SYS(umask), SCMP_SYS(utimensat),
    /* waiting for descriptors */
    SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select), SCMP_SYS(pselect6),
    /* memory */
    SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect),
    SCMP_SYS(madvise), SCMP_SYS(mincore), SCMP_SYS(futex),
    /* time */
    SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(time),
    SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
    /* signals */
    SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
    SCMP_SYS(restart_syscall),
    /* the process itself */
    SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(wait4), SCMP_SYS(set_robust_list),
    SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid), SCMP_SYS(getpgrp), SCMP_SYS(getuid),
    SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(getresuid), SCMP_SYS(getresgid),
    SCMP_SYS(getgroups), SCMP_SYS(getpgid), SCMP_SYS(getsid), SCMP_SYS(uname), SCMP_SYS(getrandom),
    SCMP_SYS(getrusage), SCMP_SYS(sysinfo), SCMP_SYS(times), SCMP_SYS(getrlimit), SCMP_SYS(sched_yield),
};

/* Terminal requests: the interactive prompt (libedit) and SE mode's terminal ioctls. */
static const unsigned long tty_requests[] = {
    TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCSWINSZ, FIONREAD, FIONBIO, TIOCGPGRP, FIOCLEX, FIONCLEX,
};

/* What a clone may not ask for: m5sim forks, it never makes threads or namespaces. */
#define CLONE_REFUSED                                                                                           \
    (CLONE_VM | CLONE_THREAD | CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |   \
     CLONE_NEWUTS | CLONE_NEWCGROUP)

static void add(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned nargs, const struct scmp_arg_cmp *args)
{
    int rc = seccomp_rule_add_array(ctx, action, nr, nargs, args);
    if (rc < 0) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        fatal("sandbox", "cannot add the rule for %s: %s", name ? name : "?", strerror(-rc));
    }
}

static void install(void)
{
    struct sigaction sa = { .sa_sigaction = on_refused, .sa_flags = SA_SIGINFO };
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) != 0)
        fatal("sandbox", "cannot install the SIGSYS handler: %s", strerror(errno));
    sigset_t sys;
    sigemptyset(&sys);
    sigaddset(&sys, SIGSYS);
    sigprocmask(SIG_UNBLOCK, &sys, NULL);

    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx)
        fatal("sandbox", "cannot create the seccomp filter");
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        add(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
    for (size_t i = 0; i < sizeof tty_requests / sizeof tty_requests[0]; i++) {
        struct scmp_arg_cmp req = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, tty_requests[i]);
        add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &req);
    }
    /* Signals only to this process, or to its process group (kill(0, sig): libedit passing ^C on). */
    scmp_datum_t self = (scmp_datum_t)getpid();
    struct scmp_arg_cmp to_self = SCMP_A0(SCMP_CMP_EQ, self), to_group = SCMP_A0(SCMP_CMP_EQ, 0);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1, &to_self);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1, &to_group);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, &to_self);
    struct scmp_arg_cmp fork_like = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_REFUSED, 0);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, &fork_like);
    /* Reading a limit, never setting one (prlimit64's new_limit is NULL). */
    struct scmp_arg_cmp get_only = SCMP_A2(SCMP_CMP_EQ, 0);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, &get_only);
    /*
     * The KVM CPU model (cpu/kvm.c), created before the sandbox: its ioctls
     * on the VM and vCPU (type byte KVMIO, 0xAE) and the per-thread timer
     * that ends a run. The descriptors are m5sim's own; a guest reaches none.
     */
    struct scmp_arg_cmp kvm_request = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00u, 0xAE00u);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &kvm_request);
    /* Its guest-instruction counter (cpu/kvm_icount.c): perf event ioctls, type byte '$'. */
    struct scmp_arg_cmp perf_request = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00u, 0x2400u);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &perf_request);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(timer_settime), 0, NULL);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(timer_gettime), 0, NULL);
    add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(timer_delete), 0, NULL);
    add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 0, NULL);
    add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, NULL);

    int rc = seccomp_load(ctx);   /* sets no_new_privs first */
    seccomp_release(ctx);
    if (rc < 0)
        fatal("sandbox", "cannot install the system-call allowlist: %s (--no-sandbox runs without it)",
              strerror(-rc));
}

/* M5SIM_SANDBOX_SELFTEST=1: try a call the allowlist refuses (execve of a path that does not exist). */
static void self_test(void)
{
    char *const argv[] = { "m5sim-sandbox-selftest", NULL };
    execve("/nonexistent/m5sim-sandbox-selftest", argv, argv + 1);
    info("sandbox self-test: execve() allowed (no sandbox): %s", strerror(errno));
}

void sandbox_enter(bool disabled)
{
    const char *t = getenv("M5SIM_SANDBOX_SELFTEST");
    bool test = t && !strcmp(t, "1");
    if (!disabled && !active) {
        install();
        active = true;
    }
    if (test)
        self_test();
}
