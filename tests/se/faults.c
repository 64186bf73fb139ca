/*
 * faults.c - programs that end badly, for the se-mode system test: each
 * argument selects one way to die, and m5sim se must end the same way Linux
 * does (exit status 128+signal) with one line on stderr.
 *
 *   faults segv | abort | div | efault | ro | sigpipe-ignored | unsupported
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *what = argv[1];
    if (!strcmp(what, "segv")) {
        int *volatile null = (int *)16;
        *null = 1;                                       /* SIGSEGV: 139 */
    } else if (!strcmp(what, "abort")) {
        printf("before abort\n");
        fflush(stdout);
        abort();                                         /* SIGABRT: 134 */
    } else if (!strcmp(what, "div")) {
        volatile int zero = 0;
        printf("%d\n", 5 / zero);                        /* SIGFPE: 136 */
    } else if (!strcmp(what, "efault")) {
        void *volatile bad = (void *)8;
        long r = write(1, bad, 10);                      /* a bad pointer is -EFAULT, not a crash */
        printf("write -> %ld errno %d\n", r, errno);
        return 0;
    } else if (!strcmp(what, "ro")) {
        char *p = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("reads %d\n", p[5]);
        fflush(stdout);
        p[0] = 1;                                        /* write to read-only memory: 139 */
    } else if (!strcmp(what, "sigpipe-ignored")) {
        signal(SIGPIPE, SIG_IGN);
        int p[2];
        if (pipe(p) < 0)
            return 1;
        close(p[0]);
        long r = write(p[1], "x", 1);
        printf("write to broken pipe -> %ld, EPIPE %s\n", r, errno == EPIPE ? "yes" : "no");
        return 0;
    } else if (!strcmp(what, "unsupported")) {
        long r = syscall(1000);
        printf("syscall 1000 -> %ld ENOSYS %s\n", r, errno == ENOSYS ? "yes" : "no");
        return 0;
    }
    return 1;
}
