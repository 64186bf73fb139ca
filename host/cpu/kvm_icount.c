/*
 * kvm_icount.c - guest-instruction stops for the KVM model (kvm_icount.h).
 *
 * The counter is a hardware PERF_COUNT_HW_INSTRUCTIONS event on the vCPU
 * thread (pid = the thread, any CPU) with exclude_host set, so only what
 * the guest retires counts. It starts disabled; a run resets it, sets its
 * sample period to the instructions the run may execute and enables it for
 * one overflow (PERF_EVENT_IOC_REFRESH 1). The overflow is delivered as a
 * signal (O_ASYNC, F_SETSIG, owned by the thread through F_SETOWN_EX) to
 * the vCPU thread, whose handler stops the run (kvm.c); reading the counter
 * gives the exact count, skid past the period included.
 *
 * Changing the period of a disabled counter with PERF_EVENT_IOC_PERIOD
 * takes effect at once on current kernels (the period left is reset); the
 * kernels of gem5's early days applied it only after the next overflow,
 * which is why gem5 reopens its counter instead. A run must not open one:
 * perf_event_open is not on the sandbox's allowlist.
 */
#include "cpu/kvm_icount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/log.h"

int kvm_icount_paranoid(void)
{
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    int v = INT_MIN;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = INT_MIN;
        fclose(f);
    }
    return v;
}

void kvm_icount_describe(int err, int paranoid, char *buf, size_t len)
{
    if (err == 0) {
        snprintf(buf, len, "kvm: instruction stops by perf counters (guest instructions counted on the vCPU thread)");
        return;
    }
    const char *head = "kvm: instruction stops by time quanta (no guest instruction counter: ";
    if (err < 0) {
        snprintf(buf, len, "%s%s is set)", head, KVM_ICOUNT_DISABLE_ENV);
        return;
    }
    char p[96] = "";
    if ((err == EACCES || err == EPERM) && paranoid != INT_MIN)
        snprintf(p, sizeof p, "; kernel.perf_event_paranoid is %d, counting needs 1 or less, or CAP_PERFMON",
                 paranoid);
    else if (err == ENOENT || err == ENODEV || err == EOPNOTSUPP)
        snprintf(p, sizeof p, "; this host has no hardware instruction counter");
    snprintf(buf, len, "%sperf_event_open: %s%s)", head, strerror(err), p);
}

void kvm_icount_say(const struct kvm_icount *ic)
{
    static bool said;
    if (said)
        return;
    said = true;
    char line[256];
    kvm_icount_describe(ic->err, kvm_icount_paranoid(), line, sizeof line);
    info("%s", line);
}

bool kvm_icount_open(struct kvm_icount *ic, pid_t tid, int signo)
{
    ic->fd = -1;
    ic->at_start = 0;
    ic->err = 0;
    const char *off = getenv(KVM_ICOUNT_DISABLE_ENV);
    if (off && *off && strcmp(off, "0")) {
        ic->err = -1;
        errno = EPERM;
        return false;
    }
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_HARDWARE;
    a.config = PERF_COUNT_HW_INSTRUCTIONS;
    a.disabled = 1;
    a.exclude_host = 1;      /* the guest's instructions only */
    a.exclude_hv = 1;
    a.pinned = 1;            /* always on the PMU, never multiplexed: counts are exact */
    a.sample_period = 1ull << 62;
    a.wakeup_events = 1;
    int fd = (int)syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
        ic->err = errno;
        return false;
    }
    struct f_owner_ex owner = { .type = F_OWNER_TID, .pid = tid };
    if (fcntl(fd, F_SETOWN_EX, &owner) < 0 || fcntl(fd, F_SETSIG, signo) < 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) < 0) {
        ic->err = errno;
        close(fd);
        errno = ic->err;
        return false;
    }
    ic->fd = fd;
    return true;
}

void kvm_icount_close(struct kvm_icount *ic)
{
    if (ic->fd >= 0)
        close(ic->fd);
    ic->fd = -1;
}

static uint64_t raw_count(const struct kvm_icount *ic)
{
    uint64_t v = 0;
    if (read(ic->fd, &v, sizeof v) != (ssize_t)sizeof v)
        return 0;
    return v;
}

void kvm_icount_arm(struct kvm_icount *ic, uint64_t insns)
{
    if (ic->fd < 0)
        return;
    if (!insns)
        insns = 1;
    ioctl(ic->fd, PERF_EVENT_IOC_DISABLE, 0);
    ioctl(ic->fd, PERF_EVENT_IOC_RESET, 0);
    ioctl(ic->fd, PERF_EVENT_IOC_PERIOD, &insns);
    ic->at_start = raw_count(ic);
    ioctl(ic->fd, PERF_EVENT_IOC_REFRESH, 1);   /* enabled until one overflow */
}

uint64_t kvm_icount_read(struct kvm_icount *ic)
{
    if (ic->fd < 0)
        return 0;
    uint64_t v = raw_count(ic);
    return v > ic->at_start ? v - ic->at_start : 0;
}

void kvm_icount_disarm(struct kvm_icount *ic)
{
    if (ic->fd >= 0)
        ioctl(ic->fd, PERF_EVENT_IOC_DISABLE, 0);
}
