/*
 * kvm_icount.h - how a KVM run stops after a number of guest instructions.
 *
 * Where the host lets m5sim count the guest's retired instructions (a
 * hardware PERF_COUNT_HW_INSTRUCTIONS counter on the vCPU thread that
 * counts guest mode only, exclude_host), a run is stopped by the counter's
 * overflow after the instructions its budget allows: the overflow is a
 * signal to the thread, KVM_RUN returns EINTR, and the counter says exactly
 * how many instructions the guest retired. Where it does not (no hardware
 * PMU, as in this project's VMs; perf_event_paranoid too strict; a kernel
 * without perf events) a run is a time quantum: the guest runs for the host
 * time its budget takes at the guest's clock. Which one is in use is said
 * once, in one line; a refusal is never fatal.
 */
#ifndef M5SIM_CPU_KVM_ICOUNT_H
#define M5SIM_CPU_KVM_ICOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kvm_icount {
    int fd;                /* the counter, or -1: time quanta */
    uint64_t at_start;     /* the count when the current run started */
    int err;               /* why there is no counter: perf_event_open's errno, -1 for KVM_ICOUNT_DISABLE_ENV */
};

/*
 * Open a guest-instruction counter on thread `tid` whose overflow sends
 * `signo` to that thread. Returns false (fd -1, errno and ic->err set)
 * where the host refuses. Says nothing: kvm_icount_say does, once.
 */
bool kvm_icount_open(struct kvm_icount *ic, pid_t tid, int signo);
/* Say which method runs (kvm_icount_describe), once per process. */
void kvm_icount_say(const struct kvm_icount *ic);
void kvm_icount_close(struct kvm_icount *ic);

/* Arm the counter to overflow after `insns` more guest instructions; the run counts from here. */
void kvm_icount_arm(struct kvm_icount *ic, uint64_t insns);
/* Guest instructions retired since kvm_icount_arm. */
uint64_t kvm_icount_read(struct kvm_icount *ic);
/* Stop counting (the run is over). */
void kvm_icount_disarm(struct kvm_icount *ic);

/*
 * The one line that says how instruction stops work: `err` 0 when the
 * counter opened, else perf_event_open's errno; `paranoid` the host's
 * kernel.perf_event_paranoid (or INT_MIN when unknown). Pure: the tests
 * give it errnos the host here cannot produce.
 */
void kvm_icount_describe(int err, int paranoid, char *buf, size_t len);

/* The host's kernel.perf_event_paranoid, INT_MIN when it cannot be read. */
int kvm_icount_paranoid(void);

/* M5SIM_KVM_NO_PERF=1 (any value but 0) forces time quanta: tests and comparisons. */
#define KVM_ICOUNT_DISABLE_ENV "M5SIM_KVM_NO_PERF"

#endif
