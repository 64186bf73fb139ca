/*
 * test_sandbox.c - the system-call allowlist (host/sandbox/sandbox.c), in
 * child processes (a filter cannot be removed): what m5sim needs still works
 * under it (files, fork and wait, memory, terminal requests, signals to
 * itself); socket and clone3 fail quietly with their documented errors;
 * anything else (execve, TIOCSTI, a thread, kill of another process) ends the
 * process with "m5sim: sandbox: system call NAME refused" and status 2; and
 * sandbox_enter(true) (--no-sandbox) installs nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

/* Run fn in a child under the sandbox (or not); its exit status, its stderr in err. */
static int in_child(bool disabled, int (*fn)(void), char *err, size_t errsize)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], STDERR_FILENO);
        sandbox_enter(disabled);
        _exit(fn());
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while (n < errsize - 1 && (r = read(p[0], err + n, errsize - 1 - n)) > 0)
        n += (size_t)r;
    err[n] = 0;
    close(p[0]);
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* What a run does after setup: 0 when everything worked. */
static int needed_calls(void)
{
    if (!sandbox_active())
        return 10;
    char dir[] = "/tmp/m5sim-sandbox-XXXXXX";
    if (!mkdtemp(dir))
        return 11;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd < 0 || mkdirat(dfd, "sub", 0755) != 0)
        return 12;
    int fd = openat(dfd, "sub/f.tmp", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
    if (fd < 0 || write(fd, "abc", 3) != 3 || fsync(fd) != 0 || ftruncate(fd, 2) != 0 || close(fd) != 0)
        return 13;
    if (renameat(dfd, "sub/f.tmp", dfd, "sub/f") != 0 || unlinkat(dfd, "sub/f", 0) != 0
        || unlinkat(dfd, "sub", AT_REMOVEDIR) != 0 || rmdir(dir) != 0)
        return 14;
    void *mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED || madvise(mem, 1 << 20, MADV_DONTNEED) != 0 || munmap(mem, 1 << 20) != 0)
        return 15;
    free(malloc(1 << 24));
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 16;
    struct termios t;
    if (tcgetattr(dfd, &t) == 0 || errno != ENOTTY)   /* TCGETS allowed: a directory is no terminal */
        return 17;
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    int ws;
    if (pid < 0 || waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws) || WEXITSTATUS(ws) != 7)
        return 18;
    signal(SIGUSR1, SIG_IGN);
    if (kill(getpid(), SIGUSR1) != 0 || raise(SIGUSR1) != 0)
        return 19;
    if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EAFNOSUPPORT)
        return 20;
    if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
        return 21;
    return 0;
}

static void test_needed_calls_work(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(in_child(false, needed_calls, err, sizeof err), 0);
    assert_string_equal(err, "");
}

static int do_execve(void)
{
    char *const argv[] = { "true", NULL };
    execve("/bin/true", argv, argv + 1);
    return 0;
}

static int do_tiocsti(void)
{
    char c = 'x';
    ioctl(STDIN_FILENO, TIOCSTI, &c);
    return 0;
}

static int do_thread_clone(void)
{
    syscall(SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, NULL, NULL, NULL, 0);
    return 0;
}

static int do_kill_other(void)
{
    kill(1, 0);
    return 0;
}

static int do_ptrace(void)
{
    syscall(SYS_ptrace, 0, 0, 0, 0);
    return 0;
}

static void refused(int (*fn)(void), const char *name)
{
    char err[512], want[128];
    assert_int_equal(in_child(false, fn, err, sizeof err), SANDBOX_EXIT_REFUSED);
    snprintf(want, sizeof want, "m5sim: sandbox: system call %s refused", name);
    assert_non_null(strstr(err, want));
}

static void test_refused_calls_end_the_process(void **state)
{
    (void)state;
    refused(do_execve, "execve");
    refused(do_tiocsti, "ioctl");
    refused(do_thread_clone, "clone");
    refused(do_kill_other, "kill");
    refused(do_ptrace, "ptrace");
}

static int inactive(void)
{
    return sandbox_active() ? 1 : 0;
}

static void test_no_sandbox_installs_nothing(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(in_child(true, inactive, err, sizeof err), 0);
    assert_int_equal(in_child(true, do_kill_other, err, sizeof err), 0);   /* kill(1, 0) merely fails */
}

int main(void)
{
    unsetenv("M5SIM_SANDBOX_SELFTEST");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_needed_calls_work),
        cmocka_unit_test(test_refused_calls_end_the_process),
        cmocka_unit_test(test_no_sandbox_installs_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
