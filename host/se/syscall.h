/*
 * syscall.h - the system calls syscall emulation services.
 *
 * Each system call is a function `int64_t se_sys_<name>(struct se *, const uint64_t a[6])`
 * receiving the six argument registers (rdi, rsi, rdx, r10, r8, r9) and
 * returning the result or a negative errno. The list below is the dispatch
 * table (syscall.c): adding a call means adding it here and writing its function.
 * Numbers are the x86-64 Linux ones (<sys/syscall.h>: host and guest agree).
 */
#ifndef M5SIM_SE_SYSCALL_H
#define M5SIM_SE_SYSCALL_H

#include <stdint.h>

struct se;

/* Files, descriptors, directories (syscall_fs.c). */
#define SE_SYSCALLS_FS(X)                                                                   \
    X(read) X(write) X(readv) X(writev) X(pread64) X(pwrite64) X(preadv) X(pwritev)         \
    X(open) X(openat) X(creat) X(close) X(close_range) X(lseek)                              \
    X(fstat) X(stat) X(lstat) X(newfstatat) X(statx) X(statfs) X(fstatfs)                   \
    X(access) X(faccessat) X(faccessat2) X(getdents64) X(getcwd) X(chdir) X(fchdir)          \
    X(fcntl) X(dup) X(dup2) X(dup3) X(pipe) X(pipe2) X(ioctl) X(flock)                      \
    X(unlink) X(unlinkat) X(mkdir) X(mkdirat) X(rmdir) X(rename) X(renameat) X(renameat2)    \
    X(readlink) X(readlinkat) X(symlink) X(symlinkat) X(link) X(linkat)                     \
    X(chmod) X(fchmod) X(fchmodat) X(chown) X(fchown) X(lchown) X(fchownat) X(umask)        \
    X(truncate) X(ftruncate) X(fsync) X(fdatasync) X(sync) X(fadvise64) X(utimensat)         \
    X(poll) X(ppoll) X(select) X(pselect6) X(sendfile) X(copy_file_range)                    \
    X(socket) X(socketpair)

/* Memory (syscall_mm.c). */
#define SE_SYSCALLS_MM(X)                                                                   \
    X(mmap) X(munmap) X(mprotect) X(mremap) X(brk) X(madvise) X(msync) X(mlock) X(munlock)   \
    X(mlockall) X(munlockall) X(mincore)

/* Process, time, signals (syscall.c). */
#define SE_SYSCALLS_PROC(X)                                                                 \
    X(exit) X(exit_group) X(getpid) X(gettid) X(getppid) X(getuid) X(geteuid) X(getgid)     \
    X(getegid) X(getresuid) X(getresgid) X(getgroups) X(getpgrp) X(getpgid) X(getsid)       \
    X(setpgid) X(setsid) X(uname) X(sethostname) X(clock_gettime) X(clock_getres)           \
    X(gettimeofday) X(time) X(nanosleep) X(clock_nanosleep) X(getrandom) X(prlimit64)        \
    X(getrlimit) X(setrlimit) X(sysinfo) X(rt_sigaction) X(rt_sigprocmask) X(rt_sigpending)   \
    X(sigaltstack) X(rt_sigreturn) X(rt_sigsuspend) X(kill) X(tkill) X(tgkill) X(pause) X(alarm) X(setitimer)  \
    X(getitimer) X(arch_prctl) X(set_tid_address) X(set_robust_list) X(get_robust_list)      \
    X(rseq) X(futex) X(sched_getaffinity) X(sched_setaffinity) X(sched_yield) X(getcpu)      \
    X(sched_getparam) X(sched_getscheduler) X(getrusage) X(times) X(prctl) X(wait4)          \
    X(membarrier) X(getpriority) X(setpriority) X(clone) X(clone3)

#define SE_SYSCALLS(X) SE_SYSCALLS_FS(X) SE_SYSCALLS_MM(X) SE_SYSCALLS_PROC(X)

#define SE_SYSCALL_DECLARE(name) int64_t se_sys_##name(struct se *se, const uint64_t *a);
SE_SYSCALLS(SE_SYSCALL_DECLARE)
#undef SE_SYSCALL_DECLARE

/* The x86-64 name of a system call number ("unknown" if unassigned). */
const char *se_syscall_name(uint64_t nr);

#endif
