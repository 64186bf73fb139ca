/*
 * process.h - the emulated process of syscall-emulation mode (`m5sim se`).
 *
 * One guest program (with its threads, thread.c) runs on one CPU at privilege level 3. The host plays the
 * kernel: it builds the address space (page tables in guest RAM), loads the
 * ELF, builds the initial stack, and services every SYSCALL instruction
 * through the CPU's syscall hook. Nothing the guest can observe depends on
 * the host's clock, PID or environment, so runs are reproducible.
 *
 * Files: se.c (options, setup, run loop, fault reports), elf_load.c,
 * stack.c, vm.c (address space and guest-memory access), syscall.c
 * (dispatch, process, time), thread.c (threads, futex, scheduler),
 * signal.c (signals and their frames), syscall_fs.c (files), syscall_mm.c
 * (memory mapping), syscall_names.c, checkpoint.c and ckpt_files.c
 * (process checkpoints, checkpoint.h).
 */
#ifndef M5SIM_SE_PROCESS_H
#define M5SIM_SE_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "cpu/cpu.h"
#include "mem/bus.h"
#include "mem/pagetable.h"

/* Guest virtual layout (Linux x86-64 without address-space randomization). */
#define SE_PAGE        4096ull
#define SE_USER_TOP    0x7ffffffff000ull   /* TASK_SIZE: first address above user space */
#define SE_STACK_TOP   0x7ffffffff000ull
#define SE_STACK_SIZE  (8ull << 20)        /* RLIMIT_STACK */
#define SE_MMAP_BASE   0x7ffff7fff000ull   /* mmap regions grow down from here */
#define SE_PIE_BASE    0x555555554000ull   /* where a static-pie executable is loaded */
#define SE_RAM_SIZE    (16ull << 30)       /* guest-physical address space (host memory on use) */

/* Simulated time: a 3 GHz CPU retiring one instruction per cycle. */
#define SE_CPU_HZ      3000000000ull
#define SE_EPOCH_SEC   1704067200ull       /* CLOCK_REALTIME at start: 2024-01-01 00:00:00 UTC */
#define SE_BOOT_NS     1000000000ull       /* CLOCK_MONOTONIC at start: 1 s after "boot" */

/* Deterministic identity of the process. */
#define SE_PID  100
#define SE_PPID 99

#define SE_MAX_FDS 1024
#define SE_NSIG    64

#define PAGE_DOWN(x) ((x) & ~(SE_PAGE - 1))
#define PAGE_UP(x)   (((x) + SE_PAGE - 1) & ~(SE_PAGE - 1))

/* Kinds of mappings (what /proc/self/maps would name; anonymous ones merge). */
enum se_vma_kind { VMA_ANON, VMA_FILE, VMA_ELF, VMA_HEAP, VMA_STACK };

struct se_vma {
    uint64_t start, end;   /* page-aligned, end exclusive */
    int prot;              /* PROT_* */
    int kind;              /* enum se_vma_kind */
    /*
     * A private file mapping (mmap of a file, the file-backed pages of an ELF
     * segment): a host descriptor of the file, owned by this mapping, and the
     * file offset of `start`. MADV_DONTNEED reads the pages from here again.
     * -1 for memory that is not backed by a file.
     */
    int fd;
    uint64_t off;
};

struct se_fd {
    int host;              /* host descriptor owned by this guest descriptor, -1 if closed */
    bool cloexec;
};

/* The kernel's struct sigaction for rt_sigaction on x86-64. */
struct se_sigaction {
    uint64_t handler, flags, restorer, mask;
};

/*
 * One thread of the process (thread.c). The running thread's registers are
 * the CPU's; the others' are saved here (the address space, CR3, privilege
 * level and segments are shared, so a switch moves only these and keeps the
 * CPU's TLB and decoded blocks). Signal mask, pending signals and the
 * alternate stack are per thread, as in Linux.
 */
enum se_thread_state { SE_T_RUNNABLE, SE_T_FUTEX, SE_T_SLEEP, SE_T_PAUSE, SE_T_EXITED };

struct se_thread {
    int tid;
    int state;                     /* enum se_thread_state */
    uint64_t gpr[16], rip, rflags, fs_base, gs_base;
    struct fxsave_area fx;
    uint64_t clear_child_tid;      /* set_tid_address / CLONE_CHILD_CLEARTID */
    uint64_t robust_list;
    uint64_t sigmask, sigpending;  /* thread-directed pending signals */
    int sicode[SE_NSIG + 1];       /* si_code of each pending thread-directed signal */
    uint64_t altstack[3];          /* stack_t: ss_sp, ss_flags (+pad), ss_size; size 0: none */
    bool restore_mask;             /* rt_sigsuspend: saved_mask comes back after the handler */
    uint64_t saved_mask;
    /* While blocked. */
    uint64_t futex_addr;
    uint32_t futex_bitset;
    uint64_t wait_seq;             /* FIFO order of futex waiters */
    uint64_t wake_at;              /* simulated ns of the timeout, UINT64_MAX for none */
    int64_t timeout_result;        /* what the call returns when the timeout passes */
    uint64_t sleep_rem;            /* nanosleep: where the remaining time goes on EINTR */
    uint64_t orig_nr;              /* the system call being serviced (restart after a handler) */
    bool restartable;              /* it restarts after an SA_RESTART handler */
    bool interrupted;              /* a signal woke it: EINTR, or a restart */
};

/* What the ELF loader found (elf_load.c), for the stack's auxiliary vector. */
struct se_image {
    uint64_t entry;
    uint64_t phdr, phent, phnum;   /* program headers as mapped in guest memory */
    uint64_t end;                  /* highest loaded address: the heap starts above */
    bool exec_stack;               /* PT_GNU_STACK asks for an executable stack */
};

struct se {
    struct cpu *cpu;
    /*
     * Statistics to dump or reset between CPU runs (SE_STATS_*): asked by
     * --stats-reset-at / --stats-dump-at or by the m5 ops (m5ops.c), whose
     * delayed and periodic requests wait in stats_event.
     */
    unsigned stats_request;
    struct se_stats_event {
        uint64_t at_ns;            /* simulated ns it is due (0: none pending) */
        uint64_t period_ns;        /* then again every period (0: once) */
        unsigned what;             /* SE_STATS_* */
        unsigned periodic;         /* periodic events so far (capped as in full-system mode) */
        bool warned_period;
    } stats_event;
    uint64_t work_begin, work_end; /* m5 workbegin / workend ops so far */
    /* The m5 op switchcpu (0x52) asked to switch to --cpu-type, done between CPU runs (models.c). */
    bool switch_request;
    uint64_t stack_pad;            /* --stack-pad: bytes left free above the initial stack pointer */
    struct bus bus;
    struct pagetable pt;
    uint8_t *ram;

    /* Address space (vm.c). */
    struct se_vma *vma;            /* sorted by start, non-overlapping */
    unsigned nvma, vma_cap;
    uint64_t *free_pages;          /* physical pages given back by munmap, reused LIFO */
    size_t nfree, free_cap;
    uint64_t pages_in_use;
    uint64_t brk_start, brk;
    uint64_t mmap_base;
    uint64_t last_fault_icount, last_fault_va;  /* the last page fault se_vm_fault() served */

    /* The program. */
    const char *path;              /* as given on the command line */
    char *exe_path;                /* absolute path: /proc/self/exe */
    struct se_image image;

    /* Files (syscall_fs.c). */
    struct se_fd fd[SE_MAX_FDS];

    /* Process state (syscall.c). */
    uint64_t sleep_ns;             /* simulated time spent in nanosleep and friends */
    uint64_t rng;                  /* getrandom / AT_RANDOM generator state */
    struct se_sigaction sigact[SE_NSIG + 1];
    uint64_t sigpending;           /* process-directed pending signals (kill, alarm) */
    int sicode[SE_NSIG + 1];
    uint64_t alarm_at, alarm_interval;  /* ITIMER_REAL in simulated ns (alarm_at 0: disarmed) */

    /* Threads (thread.c): thr[cur] runs on the CPU. */
    struct se_thread **thr;
    unsigned nthreads, cur, live;
    int next_tid;
    uint64_t wait_seq;
    uint64_t quantum_start;        /* cpu cycles when the running thread was switched in */
    bool resched;                  /* the running thread blocked, exited or yielded */
    bool in_syscall;               /* inside se_syscall: the return address is cpu->next_rip */
    uint64_t rlim[16][2];
    char comm[16];
    uint8_t warned[512];           /* unsupported system calls already reported */
    bool warned_shared, warned_fork;

    /* Checkpoints (checkpoint.c, ckpt_files.c). */
    bool ckpt_request;             /* the m5 checkpoint op asked for one: taken between CPU runs */
    struct se_stream_id {          /* what descriptors 0, 1, 2 were at the start: the std streams */
        uint64_t dev, ino;
        bool valid;
    } stream_id[3];

    /* Outcome. */
    bool exited;
    int exit_status;               /* the m5sim exit status: guest status or 128+signal */
    int killed_by;                 /* signal number when the guest died of a signal */
    bool verbose;
};

/* ---- se.c ---- */
/* Simulated nanoseconds since the program started (instructions at SE_CPU_HZ, plus sleeps). */
uint64_t se_now_ns(const struct se *se);
/* End the run: the guest exited with `status` (0..255). */
void se_exit(struct se *se, int status);
/* End the run: the guest died of signal `sig` (status 128+sig), with a one-line report. */
void se_kill(struct se *se, int sig, const char *why);
/* Next 64 bits of the deterministic random stream. */
uint64_t se_random64(struct se *se);

/* ---- elf_load.c ---- */
/* Load a static x86-64 ELF; a file that cannot run is a fatal error naming it (exit 2). */
void se_load_elf(struct se *se, const char *path, struct se_image *img);

/* ---- stack.c ---- */
/* Map the stack, write argv/envp/auxv, and return the initial RSP. */
uint64_t se_build_stack(struct se *se, int argc, char *const argv[], int envc, char *const envp[]);

/* ---- vm.c: address space ---- */
void se_vm_init(struct se *se);
/* PTE flags for PROT_* bits (PROT_NONE: present but supervisor-only, so user access faults). */
uint64_t se_prot_pte(int prot);
/*
 * Map [start, start+len) as a fresh zeroed mapping, replacing what was there.
 * VMA_ELF and VMA_FILE mappings are backed at once (PROT_NONE ones too, so the
 * caller can fill them); the others on first touch. 0 or -errno.
 */
int se_vm_map(struct se *se, uint64_t start, uint64_t len, int prot, int kind);
/* Unmap [start, start+len) (pages may be unmapped already). */
void se_vm_unmap(struct se *se, uint64_t start, uint64_t len);
/* Change protection of a fully mapped range; -ENOMEM if part of it is unmapped. */
int se_vm_protect(struct se *se, uint64_t start, uint64_t len, int prot);
/* Back the missing page at va if its mapping allows `access` (PROT_READ/WRITE/EXEC): 0 or -EFAULT. */
int se_vm_fault(struct se *se, uint64_t va, int access);
/* Is [start, start+len) free of mappings (and inside user space)? */
bool se_vm_is_free(const struct se *se, uint64_t start, uint64_t len);
/* Highest free range of len bytes below the mmap base, 0 if none. */
uint64_t se_vm_find_free(const struct se *se, uint64_t len);
/* The mapping containing va, or NULL. */
struct se_vma *se_vm_find(struct se *se, uint64_t va);
/*
 * Record that the mapped [start, start+len) is a private copy of the file
 * behind `host` from offset `off` (the descriptor is duplicated: the mapping
 * owns its copy). 0, or -EFAULT if part of the range is not mapped.
 */
int se_vm_set_file(struct se *se, uint64_t start, uint64_t len, int host, uint64_t off);
/* Fill the pages of [start, start+len) from their file (zero past its end, or without one). 0 or -errno. */
int se_vm_fill_file(struct se *se, uint64_t start, uint64_t len);
/*
 * Drop the private pages in the range, as MADV_DONTNEED does: anonymous
 * memory reads as zero again, a private file mapping the file's current
 * bytes. With `anon_only` (MADV_FREE), file-backed pages are left alone.
 */
void se_vm_discard(struct se *se, uint64_t start, uint64_t len, bool anon_only);
/* Host pointer to the backed page at va whatever its protection (loaders), or NULL. */
uint8_t *se_vm_host_page(struct se *se, uint64_t va);
/* Move the pages of [old, old+len) to [new, new+len) (both page-aligned, new free). */
void se_vm_move(struct se *se, uint64_t old, uint64_t new, uint64_t len);
/* Drop cached translations after page-table changes. */
void se_vm_flush(struct se *se);

/* ---- vm.c: guest memory access from the host ---- */
/*
 * Host pointer to the guest byte at va, valid to the end of its page, if a
 * user access of that kind is allowed (NULL otherwise). A write also drops
 * decoded code on the page.
 */
uint8_t *se_guest_ptr(struct se *se, uint64_t va, bool write);
int se_copy_from_guest(struct se *se, uint64_t va, void *buf, size_t len);
int se_copy_to_guest(struct se *se, uint64_t va, const void *buf, size_t len);
/* Copy a NUL-terminated string of at most max-1 bytes: its length, -EFAULT or -ENAMETOOLONG. */
long se_strncpy_from_guest(struct se *se, uint64_t va, char *buf, size_t max);
/*
 * Describe guest memory [va, va+len) as host iovecs (at most max, merging
 * contiguous pages). Returns the number used (which may cover less than len
 * when max runs out) or -EFAULT. `write`: the host will store into it.
 */
int se_guest_iov(struct se *se, uint64_t va, uint64_t len, bool write, struct iovec *iov, int max);

/* ---- syscall.c ---- */
void se_syscall(void *opaque, struct cpu *cpu);
uint64_t se_cycles(void *opaque, struct cpu *cpu);
/* The process sends itself signal `sig` (kill, tgkill, a write to a broken pipe). */
void se_raise_signal(struct se *se, int sig);
void se_process_init(struct se *se);

/* ---- m5ops.c ---- */
#define SE_STATS_RESET 1u
#define SE_STATS_DUMP  2u
uint64_t se_m5op(void *opaque, struct cpu *cpu, unsigned func);
/* Turn a due delayed or periodic statistics op into stats_request (between CPU runs). */
void se_m5_stats_due(struct se *se);
/* Simulated ns until the next delayed or periodic statistics op (UINT64_MAX: none). */
uint64_t se_m5_stats_ns_until(const struct se *se);

/* ---- thread.c ---- */
#define SE_QUANTUM 100000ull       /* cycles a thread runs before the next runnable one */
#define SE_NO_WAKE UINT64_MAX
void se_threads_init(struct se *se);
/* The running thread's registers into its struct se_thread (a checkpoint saves every thread from there). */
void se_thread_sync(struct se *se);
/* The running thread's struct se_thread into the CPU (a restore). */
void se_thread_resume(struct se *se);
static inline struct se_thread *se_cur(const struct se *se) { return se->thr[se->cur]; }
struct se_thread *se_thread_by_tid(struct se *se, int64_t tid);
/* The running thread blocks (state, timeout at simulated ns wake_at): it is switched out after this call. */
void se_block(struct se *se, int state, uint64_t wake_at, int64_t timeout_result);
/* Make a blocked thread runnable, its system call returning `result`. */
void se_wake(struct se *se, struct se_thread *t, int64_t result);
/* Wake up to n futex waiters on addr whose bitset meets `bitset`; returns how many. */
int se_futex_wake(struct se *se, uint64_t addr, uint32_t bitset, int n);
/* Cycles the CPU may run before the scheduler must look again (quantum, timeouts, alarm). */
uint64_t se_sched_budget(struct se *se);
/* After each CPU run: timers, preemption, switching, time jumps when all sleep, signals. */
void se_sched(struct se *se);

/* ---- signal.c ---- */
/* Send sig to thread t, or to the process (t NULL), with si_code `code`. */
void se_signal_send(struct se *se, struct se_thread *t, int sig, int code);
/* Deliver the running thread's deliverable signals (handler frames or default actions). */
void se_signal_deliver(struct se *se);
/* The running thread's return address: cpu->next_rip inside a system call, else rip. */
uint64_t *se_pc(struct se *se);

/* ---- syscall_fs.c ---- */
/* Give guest descriptors 0, 1 and 2 private duplicates of the host's. */
void se_fd_init(struct se *se);
/* Host descriptor behind a guest descriptor, or -EBADF. */
int se_fd_host(const struct se *se, uint64_t gfd);
/* Guest descriptor gfd now owns host descriptor `host` (-1: closed), replacing what it had. */
void se_fd_redirect(struct se *se, int gfd, int host);

#endif
