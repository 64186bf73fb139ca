/*
 * cpu.h - one simulated CPU: the architectural state plus what the
 * interpreter keeps beside it to run fast (lazy flags, software TLB, decoded
 * block cache) and the hooks that connect it to the machine.
 *
 * The interpreter's caches are derived data: cpu_sync_state() makes `s`
 * complete (flags materialized) before anyone else reads it, and
 * cpu_state_changed() drops the caches after someone else wrote it.
 */
#ifndef M5SIM_CPU_CPU_H
#define M5SIM_CPU_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpu/insn.h"
#include "cpu/insn_class.h"
#include "cpu/state.h"

struct bus;
struct block_cache;

/* Lazy arithmetic flags: the last flag-setting operation, evaluated on demand (flags.c). */
enum lf_op {
    LF_NONE,   /* arithmetic flags are in cpu->s.rflags */
    LF_ADD, LF_ADC, LF_SUB, LF_SBB,
    LF_LOGIC,  /* AND/OR/XOR/TEST: CF=OF=0, AF undefined (we give 0) */
    LF_INC, LF_DEC,
    LF_NEG,
    LF_SHL, LF_SHR, LF_SAR,  /* by src2 = count (1..size*8-1, already masked); src1 = operand */
};

struct lazy_flags {
    uint64_t res, src1, src2;  /* result and operands, zero-extended to 64 bits */
    uint8_t op;                /* enum lf_op */
    uint8_t size;              /* 1, 2, 4, 8 */
    uint8_t cf_in;             /* ADC/SBB carry in; INC/DEC preserved CF */
};

/*
 * Software TLB: direct-mapped by virtual page. A tag is the page's VA ORed
 * with the CPL the entry was filled at (so an entry never serves another
 * privilege level), or TLB_NONE; the fast path (mmu.h) compares one tag.
 */
#define TLB_BITS 11
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_NONE (~0ull)

struct tlb_entry {
    uint64_t tag_read;   /* page VA | CPL if reads may use `addend`, else TLB_NONE */
    uint64_t tag_write;  /* page VA | CPL if writes may use `addend` (writable, dirty, not code, RAM) */
    uintptr_t addend;    /* host address = addend + VA (RAM pages) */
    uint64_t tag_exec;   /* page VA | CPL if instruction fetch is allowed */
};

/*
 * What the fast path does not need, in a parallel array. The translation
 * tags say what the slow path (mmu_translate) may reuse without a walk:
 * unlike the fast tags they also cover MMIO and code pages, and they stay
 * set when a timing model leaves the fast tags empty so that every access
 * reaches it (mmu.c).
 */
struct tlb_info {
    uint64_t pa;         /* physical page address */
    uint64_t xlate_read;  /* page VA | CPL if a read may reuse `pa`, else TLB_NONE */
    uint64_t xlate_write; /* page VA | CPL if a write may (writable and already dirty) */
    uint8_t global;
    uint8_t listed;      /* in cpu->tlb_used */
    uint8_t ram;         /* the page is RAM: the entry's addend holds its host address */
};

/*
 * Jump cache (block.c): virtual RIP -> decoded block, direct-mapped, with
 * one half for supervisor code and one for user code (CPL 3). An entry is
 * valid while its generation equals
 * cpu->jc_gen, or cpu->jc_gen_global for a block reached through a global
 * translation. Generations are never reused: a TLB flush that keeps global
 * pages (CR3 write) renews jc_gen only; a full flush, an INVLPG of a page
 * that may hold cached blocks (jc_pages, a Bloom filter of their pages), and
 * any block invalidation renew both. A hit therefore stands for a
 * translation the TLB may still hold and a block that is still current.
 */
#define JC_BITS 12
#define JC_SIZE (1u << JC_BITS)
#define JC_PAGE_BITS 12

struct block;
struct jc_entry {
    uint64_t rip;
    uint64_t gen;
    const struct block *b;
    uint32_t n;        /* b->n and b->machine, so that a hit need not read the block's header */
    uint8_t machine;
    uint8_t unused[3]; /* 32 bytes: an entry is found with a shift */
};

/* Why cpu_run() returned. */
enum cpu_exit {
    CPU_EXIT_NONE,
    CPU_EXIT_BUDGET,      /* instruction budget used up */
    CPU_EXIT_HALT,        /* HLT with nothing to wake it before the next event */
    CPU_EXIT_STOP,        /* a hook asked to stop (m5 exit, SE exit, ...) */
    CPU_EXIT_TRIPLE_FAULT,
    CPU_EXIT_UNSUPPORTED, /* an instruction we do not implement (reported) */
    CPU_EXIT_WAIT,        /* an instruction was abandoned to wait for the host (cpu_abort_instruction) */
};

#define CPU_WATCHES 2

struct cpu_hooks {
    void *opaque;
    /* An armed watch address is about to run (cpu_set_watch); return true to stop the CPU before it. */
    bool (*watch)(void *opaque, struct cpu *cpu, unsigned which);
    /* The gem5 magic instruction 0F 04 imm16: func, with arguments in registers. */
    uint64_t (*m5op)(void *opaque, struct cpu *cpu, unsigned func);
    /* SE mode: SYSCALL is serviced by the host instead of jumping to LSTAR. */
    void (*syscall)(void *opaque, struct cpu *cpu);
    /* Interrupt controller: is a maskable interrupt pending, and acknowledge it (returns vector). */
    bool (*intr_pending)(void *opaque, struct cpu *cpu);
    int (*intr_ack)(void *opaque, struct cpu *cpu);
    /*
     * intr_pending's answer is a function of the machine's state alone, and
     * that state changes during cpu_run only through MMIO, port I/O and the
     * other hooks: after a "no" the CPU need not ask again until one of
     * those happened (atomic.c). Without it, it asks at every block boundary.
     */
    bool intr_pending_stable;
    /* Simulated time in CPU cycles, for RDTSC and timers. */
    uint64_t (*cycles)(void *opaque, struct cpu *cpu);
    /*
     * An exception is about to be delivered; return true to consume it
     * instead (SE mode has no guest kernel: it reports the fault and stops).
     */
    bool (*exception)(void *opaque, struct cpu *cpu, int vector, uint32_t error);
    /*
     * The local APIC owns the task priority (CR8 is TPR[7:4]) and its global
     * enable (IA32_APIC_BASE bit 11); the CPU keeps no copy of either, so an
     * MMIO write of the TPR is what the next MOV from CR8 reads. Without an
     * APIC (SE mode, bare test guests: the hooks are NULL) CR8 reads 0 and
     * writes are checked and dropped, and the enable bit lives in
     * cpu->s.msr.apic_base.
     */
    uint64_t (*cr8_read)(void *opaque, struct cpu *cpu);
    void (*cr8_write)(void *opaque, struct cpu *cpu, uint64_t value);
    bool (*apic_enabled)(void *opaque, struct cpu *cpu);
    void (*apic_set_enabled)(void *opaque, struct cpu *cpu, bool enabled);
};

/*
 * A timing model's view of memory (timing.c). While a port is attached,
 * the TLB hands out no host pointers, so every guest access takes the slow
 * path in mmu.c and reaches `access` with its physical address: data reads
 * and writes (split at page boundaries), page-table reads of the walker,
 * and instruction fetches, which the run loop reports before each
 * instruction executes (atomic.c). `device` marks MMIO. The port charges
 * the time an access takes with cpu_stall(). Without a port none of this
 * runs and the fast paths are as they were.
 */
enum mem_access_kind {
    MEM_ACCESS_FETCH,       /* the first (or only) piece of an instruction's bytes */
    MEM_ACCESS_FETCH_MORE,  /* the rest of an instruction that crosses a page */
    MEM_ACCESS_READ,
    MEM_ACCESS_WRITE,
    MEM_ACCESS_READ_MORE,   /* the next page's part of a read or write that crosses a page */
    MEM_ACCESS_WRITE_MORE,
    MEM_ACCESS_WALK,        /* a page-table entry read by the page walker */
};

struct cpu_mem_port {
    void *opaque;
    void (*access)(void *opaque, struct cpu *cpu, enum mem_access_kind kind, uint64_t pa,
                   unsigned size, bool device);
    /*
     * The usual case of `access`, in a call that needs no decoding: a load
     * or store (MEM_ACCESS_READ or MEM_ACCESS_WRITE) of RAM (not a device)
     * within one page, from the slow paths of mem_readN and mem_writeN.
     */
    void (*data)(void *opaque, struct cpu *cpu, uint64_t pa, unsigned size, bool write);
    /*
     * Optional, for a model that times the retired stream (o3_core.c): the
     * instruction at `rip` is about to run (before its fetch is reported),
     * and it retired (cpu->s.rip is where it went). An instruction that
     * faults never retires; the accesses of exception delivery come with
     * no instruction around them.
     */
    void (*begin)(void *opaque, struct cpu *cpu, const struct insn *in, uint64_t rip);
    void (*retire)(void *opaque, struct cpu *cpu, const struct insn *in, uint64_t rip);
    /*
     * Optional, for a model that wants fetches by block, not by instruction
     * (functional warming, timing.c): the CPU is then not stepped, and each
     * block the run loop runs whole reports its bytes in one call, at their
     * physical address, before its first instruction (a block lies within
     * one page; an instruction that straddles two pages comes as `access`
     * fetches). Blocks run in the general path (a budget ending inside
     * one, an interrupt shadow, a halt) report each instruction's fetch
     * through `access` as for any port. Without begin and retire only.
     */
    void (*fetch_block)(void *opaque, struct cpu *cpu, uint64_t pa, unsigned len);
    /*
     * For a port whose accesses only change state (functional warming):
     * per kind of access, the lines whose touch would change nothing now.
     * A line sits in its slot (line & mask) when the port touched it last
     * in its cache set (and, for stores, left it Modified): touching it
     * again leaves every set's lines, order and dirty bits as they are.
     * The CPU skips such block fetches, loads and stores (cpu_port_quiet).
     * The lines of one set share a slot (mask + 1 divides the number of
     * sets), so touching another line of the set replaces it. The port
     * keeps the slots, and empties them (~0) whenever anything else may
     * have changed its caches: its model does before each run. `line`
     * NULL: none (other ports).
     */
    struct cpu_port_quiet { uint64_t *line; uint64_t mask; unsigned shift; } quiet_fetch, quiet_read, quiet_write;
};

#define CPU_QUIET_SLOTS 64   /* per table of cpu_port_quiet: at most this many slots */

/* An access of [pa, pa + size) (one or two lines) that the port says would change nothing. */
static inline bool cpu_port_quiet(const struct cpu_port_quiet *q, uint64_t pa, unsigned size)
{
    if (!q->line)
        return false;
    uint64_t first = pa >> q->shift, last = (pa + size - 1) >> q->shift;
    return last - first <= 1 && q->line[first & q->mask] == first && q->line[last & q->mask] == last;
}

struct cpu {
    struct cpu_state s;
    struct lazy_flags lf;
    uint64_t zero;            /* always 0: the absent base or index of a fast address (insn.h) */

    /* Execution bookkeeping. */
    uint64_t next_rip;        /* set before each handler runs; branches overwrite it */
    uint64_t icount;          /* instructions retired */
    /*
     * Cycles beyond one per retired instruction, charged by a timing model:
     * the CPU's clock is cpu_cycles() = icount + stall_cycles, whatever
     * model ran. The atomic model never charges any.
     */
    uint64_t stall_cycles;
    /*
     * Micro-ops beyond one per retired instruction, counted by a model that
     * cracks instructions (o3): simOps = icount + extra_ops. The atomic and
     * timing models count none.
     */
    uint64_t extra_ops;
    uint64_t budget_end;      /* cpu_run stops when icount reaches this (cpu_stall moves it closer) */
    /*
     * REP string instructions: the elements they ran (a fault between
     * elements keeps those done), and how many REPE/REPNE CMPS/SCAS stopped
     * on their condition. valgrind counts an instruction executed per
     * element plus one for the final test that finds the count exhausted
     * (none when the condition stopped it): icount + rep_elements -
     * rep_cond_stops instructions.
     */
    uint64_t rep_elements, rep_cond_stops;
    uint8_t block_exit;       /* a handler changed state that ends the current block */
    uint8_t exit_reason;      /* enum cpu_exit when a hook stops the CPU */
    uint8_t in_delivery;      /* class of the event being delivered (atomic.c: benign, contributory, #PF, #DF) */
    uint8_t trace;            /* debugging: print each block's first RIP and each exception (M5SIM_TRACE) */
    /*
     * hooks.intr_pending (intr_pending_stable) said no, and nothing since
     * could have changed its answer: no MMIO access, no instruction that
     * reaches the machine otherwise (insn.machine), no interrupt taken, no
     * new quantum (atomic.c).
     */
    uint8_t intr_quiet;
    uint8_t timed;            /* a memory port is attached (cpu_set_port) */
    uint8_t watching;         /* watch_rip is armed (cpu_set_watch) */
    uint8_t stepped;          /* timed (unless by blocks) | watching | legacy mode: every instruction runs through the general path (atomic.c) */

    /* Exceptions: memory accessors and handlers raise with longjmp to the run loop. */
    jmp_buf fault_jmp;
    int fault_vector;
    uint32_t fault_error;
    bool fault_has_error;

    struct tlb_entry tlb[TLB_SIZE];
    struct tlb_info tlb_info[TLB_SIZE];
    /*
     * The TLB slots filled since they were last flushed, so that a flush
     * visits only those; valid once tlb_tracked.
     */
    uint16_t tlb_used[TLB_SIZE];
    uint16_t tlb_nused;
    uint8_t tlb_tracked;
    uint64_t jc_gen;          /* generation of valid non-global jump cache entries (never 0) */
    uint64_t jc_gen_global;   /* ... and of entries for global pages */
    uint64_t jc_counter;      /* the last generation handed out */
    uint64_t jc_pages[(1u << JC_PAGE_BITS) / 64];
    struct jc_entry jc[2 * JC_SIZE];   /* supervisor entries, then user (CPL 3) entries */
    struct block_cache *bc;
    struct bus *bus;
    struct cpu_hooks hooks;
    struct cpu_mem_port *port;  /* NULL unless a timing model drives this CPU */
    /*
     * Instruction addresses to stop at (cpu_set_watch): before the
     * instruction at one of them runs, hooks.watch is asked; the CPU stops
     * there if it says so, and resuming runs that instruction (the watch
     * fires once per visit: watch_fired holds the icount it fired at).
     */
    uint64_t watch_rip[CPU_WATCHES];
    uint64_t watch_fired;
    int id;

    /*
     * Statistics of the retired instructions (host/stats/commit_stats.c):
     * how many of each class (insn.cls, insn_class.h), counted as each
     * retires; and how many at CPL 3 and at CPL 0-2, counted in runs: the
     * run loop adds icount - priv_mark to the counter of priv_cpl whenever
     * it finds CPL changed (an instruction that changes CPL ends its block),
     * and cpu_settle_priv_counts() adds the run still open.
     */
    uint64_t class_count[INSN_CLASSES];
    uint64_t user_insts, kernel_insts;
    uint64_t priv_mark;
    uint8_t priv_cpl;
    uint8_t mode;             /* enum cpu_mode (mode.h), derived from s by cpu_mode_update() */
};

/* Count the instructions retired since priv_mark at priv_cpl, and start a new run at the current CPL. */
static inline void cpu_settle_priv_counts(struct cpu *cpu)
{
    if (cpu->priv_cpl == 3)
        cpu->user_insts += cpu->icount - cpu->priv_mark;
    else
        cpu->kernel_insts += cpu->icount - cpu->priv_mark;
    cpu->priv_mark = cpu->icount;
    cpu->priv_cpl = cpu->s.cpl;
}

/*
 * The CPU's clock in cycles: one per retired instruction plus the stalls a
 * timing model charged, less what an out-of-order model gave back.
 */
static inline uint64_t cpu_cycles(const struct cpu *cpu)
{
    return cpu->icount + cpu->stall_cycles;
}

/*
 * Give back `cycles` of the clock (an out-of-order model retires more than
 * one instruction a cycle): stall_cycles wraps below zero as a two's
 * complement adjustment, cpu_cycles() stays icount + stall_cycles modulo
 * 2^64, and the budget of cpu_run ends that much later. The caller keeps
 * the clock monotonic: it never gives back more than the running
 * instruction's own cycle after what it charged.
 */
static inline void cpu_unstall(struct cpu *cpu, uint64_t cycles)
{
    cpu->stall_cycles -= cycles;
    if (!cpu->exit_reason)   /* a requested stop stays where it was asked for */
        cpu->budget_end += cycles;
}

/*
 * Charge `cycles` of stall to the running instruction. The budget of
 * cpu_run is in cycles, so it ends that much sooner (never before the
 * current instruction completes).
 */
static inline void cpu_stall(struct cpu *cpu, uint64_t cycles)
{
    cpu->stall_cycles += cycles;
    if (cpu->budget_end > cpu->icount) {
        uint64_t room = cpu->budget_end - cpu->icount;
        cpu->budget_end -= cycles < room ? cycles : room;
    }
}

/*
 * Attach (or with NULL detach) a timing model's memory port. The TLB is
 * flushed, so that its fast entries are refilled with or without host
 * pointers as the port requires.
 */
void cpu_set_port(struct cpu *cpu, struct cpu_mem_port *port);
/* Arm watch `which` at linear address rip (~0: disarm); see watch_rip. */
void cpu_set_watch(struct cpu *cpu, unsigned which, uint64_t rip);

void cpu_init(struct cpu *cpu, struct bus *bus, int id);
void cpu_free(struct cpu *cpu);
/* Architectural reset into 64-bit long mode is the machine's job; this is the power-on state. */
void cpu_reset(struct cpu *cpu);
/*
 * Run until `budget` more cycles (cpu_cycles) pass or something stops the
 * CPU. Under the atomic model a cycle is an instruction.
 */
enum cpu_exit cpu_run(struct cpu *cpu, uint64_t budget);
/* Make cpu->s complete (materialize lazy flags) before it is saved or handed to another model. */
void cpu_sync_state(struct cpu *cpu);
/* cpu->s was changed from outside (restore, another model): drop TLB and decoded blocks. */
void cpu_state_changed(struct cpu *cpu);
/*
 * Put the CPU in 64-bit long mode with flat segments, paging on (CR3 = cr3),
 * SSE enabled and privilege level `cpl` (0 or 3): the state the Linux 64-bit
 * boot protocol, syscall emulation and synthetic test guests start from.
 */
void cpu_enter_long_mode(struct cpu *cpu, uint64_t cr3, int cpl);
/*
 * INIT (Intel SDM vol. 3, 9.1.1, table 9-1): the state a processor takes on
 * an INIT signal: real mode, CS = F000 with base FFFF0000, IP = FFF0, other
 * segments 0 with 64 KiB limits, CR0 = 60000010 (caches off, PE and PG
 * clear), CR3 = CR4 = EFER = 0, RFLAGS = 2, GPRs 0 but EDX (the CPUID
 * signature, as cpu_reset), GDTR/IDTR base 0 limit FFFF. Unlike power-on,
 * INIT keeps the x87/SSE state, the MSRs (but EFER) and the APIC ID. The
 * CPU is left halted with IF = 0, which stands for the wait-for-SIPI state:
 * cpu_run returns CPU_EXIT_HALT at once, and no maskable interrupt wakes it
 * (an NMI would: the machine should not deliver one to a CPU waiting for
 * SIPI). Decoded blocks are kept (they are keyed by mode).
 */
void cpu_init_reset(struct cpu *cpu);
/*
 * A start-up IPI with `vector` to a CPU in the wait-for-SIPI state: real
 * mode at CS:IP = (vector << 8):0000, CS base = vector << 12, everything
 * else as INIT left it (call cpu_init_reset() first: the machine's INIT).
 * The CPU runs Linux's real-mode trampoline from there (docs/cpu-model.md).
 */
void cpu_sipi_start(struct cpu *cpu, uint8_t vector);

/* Stop cpu_run at the next instruction boundary with this reason (for hooks). */
void cpu_request_exit(struct cpu *cpu, enum cpu_exit why);

/* RFLAGS with lazy flags materialized; setting replaces the arithmetic flags too. */
uint64_t cpu_get_rflags(struct cpu *cpu);
void cpu_set_rflags(struct cpu *cpu, uint64_t value);

#endif
