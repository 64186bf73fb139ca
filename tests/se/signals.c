/*
 * signals.c - signal handlers in `m5sim se`: raise and kill run a handler
 * (SA_SIGINFO reads si_signo and si_code), the signal is blocked inside its
 * handler, SA_ONSTACK runs it on the sigaltstack, alarm() interrupts pause()
 * (simulated time), a handler's FPU use does not leak into the interrupted
 * code, a blocked signal waits for sigprocmask, and sigsuspend.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t hits, last_sig, last_code, blocked_inside, on_alt;
static char altstack[65536];

static void info_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    blocked_inside = sigismember(&now, sig);
    last_sig = si->si_signo;
    last_code = si->si_code == SI_USER ? 1 : si->si_code == SI_TKILL ? 2 : 3;
    hits++;
    volatile double x = 1.5;   /* touches the FPU state the handler gets fresh */
    x *= x;
}

static void alt_handler(int sig)
{
    char here;
    (void)sig;
    on_alt = (uintptr_t)&here >= (uintptr_t)altstack && (uintptr_t)&here < (uintptr_t)altstack + sizeof altstack;
    hits++;
}

static void alarm_handler(int sig)
{
    (void)sig;
    hits++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);

    volatile double keep = 3.25;
    raise(SIGUSR1);
    printf("raise: hits %d signo %d code %s blocked-inside %d fp %.2f\n", (int)hits, (int)last_sig,
           last_code == 2 ? "SI_TKILL" : last_code == 1 ? "SI_USER" : "other", (int)blocked_inside, keep);
    kill(getpid(), SIGUSR1);
    printf("kill: hits %d code %s\n", (int)hits, last_code == 1 ? "SI_USER" : "other");

    /* Blocked: pending until unblocked. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("blocked: hits %d pending %d\n", (int)hits, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("unblocked: hits %d\n", (int)hits);

    /* SA_ONSTACK on the alternate stack. */
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = alt_handler;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("sigaltstack: hits %d on alternate stack %d\n", (int)hits, (int)on_alt);

    /* alarm interrupts pause after simulated time passes. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = alarm_handler;
    sigaction(SIGALRM, &sa, NULL);
    time_t t0 = time(NULL);
    alarm(1);
    pause();
    time_t t1 = time(NULL);
    printf("alarm: hits %d, %s\n", (int)hits, t1 - t0 >= 1 && t1 - t0 <= 2 ? "about 1 s later" : "wrong time");

    /* sigsuspend with the signal blocked outside it. */
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    sigset_t empty;
    sigemptyset(&empty);
    sigsuspend(&empty);
    sigprocmask(SIG_BLOCK, NULL, &pend);
    printf("sigsuspend: hits %d, mask restored %d\n", (int)hits, sigismember(&pend, SIGUSR1));

    /* A default-action signal still kills: SIGTERM after a handler is reset. */
    signal(SIGUSR1, SIG_DFL);
    fflush(stdout);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
