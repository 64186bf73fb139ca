/*
 * threads.c - pthreads in `m5sim se`: create and join, a mutex-protected
 * shared counter, a condition variable handing work between threads, a
 * timed condition wait that times out, and thread IDs. The output does not
 * depend on scheduling, so native and simulated runs print the same.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define NTHREADS 4
#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int turn;           /* whose turn it is in the ping-pong */
static long handed[NTHREADS];

static void *add(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter += id + 1;
        pthread_mutex_unlock(&lock);
    }
    /* Take turns in thread order, 10 times each, through the condition variable. */
    for (int r = 0; r < 10; r++) {
        pthread_mutex_lock(&lock);
        while (turn % NTHREADS != id)
            pthread_cond_wait(&cond, &lock);
        handed[id] += turn;
        turn++;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
    }
    return (void *)(id * 100 + (syscall(SYS_gettid) != getpid()));
}

int main(void)
{
    pthread_t t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        if (pthread_create(&t[i], NULL, add, (void *)i) != 0) {
            printf("pthread_create failed\n");
            return 1;
        }
    long sum = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        sum += (long)ret;
    }
    printf("counter %ld (want %ld)\n", counter, (long)ROUNDS * (1 + 2 + 3 + 4));
    printf("turns %d, handed %ld %ld %ld %ld, joined %ld\n", turn, handed[0], handed[1], handed[2],
           handed[3], sum);

    /* A timed wait nobody signals times out. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&lock);
    int r = pthread_cond_timedwait(&cond, &lock, &ts);
    pthread_mutex_unlock(&lock);
    printf("timedwait: %s\n", r == ETIMEDOUT ? "timed out" : "woke");
    printf("main is pid %s\n", syscall(SYS_gettid) == getpid() ? "= tid" : "!= tid");
    return 0;
}
