/*
 * ckpt_signals.c - signal state in a process checkpoint: a SIGALRM handler
 * driven by an interval timer (setitimer), a SIGUSR1 handler on an
 * alternate stack raised every few rounds, and a blocked signal left
 * pending. With "ticks" as argument it also prints how many timer signals
 * arrived (simulated time: the same in every run of m5sim, not natively);
 * with "pipe" it also holds a pipe, which a process checkpoint refuses.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks, usr, on_alt;
static char altstack[65536];

static void on_alarm(int sig)
{
    (void)sig;
    ticks++;
}

static void on_usr1(int sig)
{
    (void)sig;
    char here;
    on_alt = &here >= altstack && &here < altstack + sizeof altstack;
    usr++;
}

int main(int argc, char **argv)
{
    int show_ticks = argc > 1 && !strcmp(argv[1], "ticks");
    int fds[2];
    if (argc > 1 && !strcmp(argv[1], "pipe") && pipe(fds) != 0)
        return 2;
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR2);   /* pending until the end */
    struct itimerval it = { { 0, 500 }, { 0, 500 } };
    setitimer(ITIMER_REAL, &it, NULL);
    uint64_t x = 7;
    for (unsigned r = 0; r < 40; r++) {
        for (unsigned i = 0; i < 50000; i++)
            x = x * 2862933555777941757ull + 3037000493ull;
        if (r % 5 == 4)
            raise(SIGUSR1);
        printf("round %u x %016llx usr1 %d alt %d", r, (unsigned long long)x, (int)usr, (int)on_alt);
        if (show_ticks)
            printf(" ticks %d", (int)ticks);
        printf("\n");
    }
    sigset_t pend;
    sigpending(&pend);
    printf("usr2 pending %d\n", sigismember(&pend, SIGUSR2));
    return 0;
}
