/*
 * ckpt_threads.c - threads in a process checkpoint: workers meet at a
 * barrier each round (futex waits), a mutex and condition variable hand the
 * main thread each round's total (computed by the last worker to arrive),
 * and the main thread prints it. Whatever
 * the interleaving, the output is the same; a checkpoint taken while some
 * threads wait on futexes must restore them waiting.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define WORKERS 4
#define ROUNDS 24

static pthread_barrier_t barrier;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static uint64_t part[WORKERS], total[ROUNDS + 1], finished_round;

static void *worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    uint64_t x = id + 1;
    for (unsigned r = 1; r <= ROUNDS; r++) {
        for (unsigned i = 0; i < 20000 * (id + 1); i++)
            x = x * 6364136223846793005ull + 1442695040888963407ull;
        part[id] = x;
        if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) {
            uint64_t sum = 0;
            for (unsigned i = 0; i < WORKERS; i++)
                sum ^= part[i];
            pthread_mutex_lock(&lock);
            total[r] = sum;
            finished_round = r;
            pthread_cond_signal(&done);
            pthread_mutex_unlock(&lock);
        }
        pthread_barrier_wait(&barrier);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];
    pthread_barrier_init(&barrier, NULL, WORKERS);
    for (unsigned i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
    for (unsigned r = 1; r <= ROUNDS; r++) {
        pthread_mutex_lock(&lock);
        while (finished_round < r)
            pthread_cond_wait(&done, &lock);
        uint64_t sum = total[r];
        pthread_mutex_unlock(&lock);
        printf("round %u total %016llx\n", r, (unsigned long long)sum);
        fflush(stdout);
    }
    for (unsigned i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("joined %d workers\n", WORKERS);
    return 0;
}
