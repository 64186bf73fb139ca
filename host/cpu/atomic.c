/*
 * atomic.c - the atomic CPU model (gem5's AtomicSimpleCPU): execute decoded
 * blocks one instruction per cycle, take interrupts at block boundaries, and
 * turn faults raised inside instructions into exception delivery.
 */
#include <stdio.h>

#include "cpu/block.h"
#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "cpu/flags.h"
#include "cpu/mmu.h"
#include "cpu/mode.h"

/*
 * cpu->in_delivery holds the class of the event being delivered, so that a
 * fault raised during its delivery is combined as in Intel SDM vol. 3,
 * table 6-5: a contributory fault during a contributory one, or any fault
 * during a #PF, becomes #DF; any fault during #DF is a triple fault; a fault
 * while delivering a benign exception or an external interrupt, or a #PF
 * while delivering a contributory one, is simply delivered next.
 */
enum { CLASS_BENIGN, CLASS_CONTRIBUTORY, CLASS_PAGE_FAULT, CLASS_DOUBLE_FAULT };

static uint8_t exception_class(int vector)
{
    switch (vector) {
    case EXC_DE: case EXC_TS: case EXC_NP: case EXC_SS: case EXC_GP: return CLASS_CONTRIBUTORY;
    case EXC_PF: return CLASS_PAGE_FAULT;
    case EXC_DF: return CLASS_DOUBLE_FAULT;
    default: return CLASS_BENIGN;
    }
}

/* Deliver the fault recorded by cpu_raise*(); faults during delivery escalate to #DF, then triple fault. */
static void handle_fault(struct cpu *cpu)
{
    int vector = cpu->fault_vector;
    bool has_error = cpu->fault_has_error;
    uint32_t error = cpu->fault_error;

    if (vector < 0) {  /* cpu_abort_instruction: no exception, just stop before this instruction */
        cpu->exit_reason = CPU_EXIT_WAIT;
        cpu->budget_end = cpu->icount;
        return;
    }
    uint8_t first = cpu->in_delivery;   /* class of the event whose delivery faulted */

    if (first == CLASS_DOUBLE_FAULT) {
        cpu->in_delivery = CLASS_BENIGN;
        cpu->exit_reason = CPU_EXIT_TRIPLE_FAULT;
        cpu->budget_end = cpu->icount;
        return;
    }
    if (first == CLASS_PAGE_FAULT ||
        (first == CLASS_CONTRIBUTORY && exception_class(vector) == CLASS_CONTRIBUTORY)) {
        vector = EXC_DF;
        has_error = true;
        error = 0;
    }
    if (cpu->hooks.exception && cpu->hooks.exception(cpu->hooks.opaque, cpu, vector, error)) {
        cpu->in_delivery = CLASS_BENIGN;
        return;
    }
    if (cpu->trace)
        fprintf(stderr, "trace: exception %d error 0x%x at rip=0x%llx cr2=0x%llx icount=%llu\n", vector,
                error, (unsigned long long)cpu->s.rip, (unsigned long long)cpu->s.cr2,
                (unsigned long long)cpu->icount);
    cpu->in_delivery = exception_class(vector);
    cpu_deliver(cpu, vector, has_error, error, cpu->s.rip, false);
    cpu->in_delivery = CLASS_BENIGN;
}

static bool interrupt_deliverable(struct cpu *cpu)
{
    return cpu->hooks.intr_pending && !cpu->s.intr_shadow && (cpu->s.rflags & FL_IF) &&
           cpu->hooks.intr_pending(cpu->hooks.opaque, cpu);
}

/* External interrupts are benign: a fault while delivering one is delivered next, not as #DF. */
static void take_interrupt(struct cpu *cpu)
{
    cpu->intr_quiet = 0;
    cpu->in_delivery = CLASS_BENIGN;
    cpu_check_interrupts(cpu);
}

/*
 * A timing model sees each instruction's fetch before the instruction runs:
 * its bytes at their physical address, in two pieces if it crosses a page
 * (a block never spans pages, so the block's own address locates every
 * instruction but such a straddler, which is decoded alone).
 */
static void fetch_report(struct cpu *cpu, uint64_t pa, uint64_t rip, unsigned len)
{
    unsigned first = 4096 - (unsigned)(rip & 0xfff);
    struct cpu_mem_port *port = cpu->port;
    if (len <= first) {
        port->access(port->opaque, cpu, MEM_ACCESS_FETCH, pa, len, false);
        return;
    }
    port->access(port->opaque, cpu, MEM_ACCESS_FETCH, pa, first, false);
    uint64_t pa2 = mmu_translate(cpu, rip + first, ACC_EXEC);
    port->access(port->opaque, cpu, MEM_ACCESS_FETCH_MORE, pa2, len - first, false);
}

/* A whole block's fetch for a port that takes them by block; a straddler's as fetch_report's. */
static inline __attribute__((always_inline)) void fetch_block(struct cpu *cpu, const struct block *b, uint64_t rip)
{
    struct cpu_mem_port *port = cpu->port;
    if (__builtin_expect(b->pa != ~0ull, 1)) {
        if (!cpu_port_quiet(&port->quiet_fetch, b->pa, b->bytes))
            port->fetch_block(port->opaque, cpu, b->pa, b->bytes);
    }
    else
        fetch_report(cpu, mmu_translate(cpu, rip, ACC_EXEC), rip, b->insns[0].len);
}

/* Before the instruction at rip: does an armed watch fire there and stop the CPU? */
static bool watch_stops(struct cpu *cpu, uint64_t rip)
{
    for (unsigned w = 0; w < CPU_WATCHES; w++) {
        if (rip != cpu->watch_rip[w] || cpu->watch_fired == cpu->icount)
            continue;
        cpu->watch_fired = cpu->icount;
        if (cpu->hooks.watch && cpu->hooks.watch(cpu->hooks.opaque, cpu, w)) {
            cpu_request_exit(cpu, CPU_EXIT_BUDGET);
            return true;
        }
    }
    return false;
}

/*
 * run_block_general's loop in the usual timed case, small enough for its
 * state to stay in registers: a 64-bit block within one page (at physical
 * `pa`), a port without begin and retire (timing.c's), no watches. Each of
 * those changes only with a block_exit (see run_block_general), which sends
 * the instruction that raised it through the full bookkeeping.
 */
static __attribute__((noinline)) void run_insns_timed(struct cpu *cpu, const struct insn *in, uint64_t n,
                                                      uint64_t rip, uint64_t pa, const struct cpu_mem_port *port)
{
    void (*const access)(void *, struct cpu *, enum mem_access_kind, uint64_t, unsigned, bool) = port->access;
    void *const opaque = port->opaque;
    const uint64_t block_rip = rip;
    for (uint64_t i = 0; i < n; i++, in++) {
        /* The budget is in cycles: the previous instruction's stalls may have used it up. */
        if (i && cpu->icount >= cpu->budget_end)
            break;
        access(opaque, cpu, MEM_ACCESS_FETCH, pa + (rip - block_rip), in->len, false);
        cpu->next_rip = rip + in->len;
        in->fn(cpu, in);
        uint64_t from = rip;
        cpu->icount++;
        if (__builtin_expect(cpu->block_exit, 0)) {
            rip = cpu->s.rip = cpu->next_rip & cpu_mode_ip_mask(cpu->mode);
            if (cpu->timed) {
                cpu->class_count[in->cls]++;
                if (cpu->port->retire)
                    cpu->port->retire(cpu->port->opaque, cpu, in, from);
            }
            break;
        }
        rip = cpu->s.rip = cpu->next_rip;   /* 64-bit mode: no wrap */
        cpu->class_count[in->cls]++;
    }
}

/*
 * One block boundary in the general case: a halted CPU, an interrupt shadow
 * (STI, MOV SS: one instruction, then interrupts may come), tracing, a
 * budget that ends inside the block, or a CPU stepped one instruction at a
 * time (cpu->stepped): a timing model sees every instruction's fetch, and
 * watched addresses are checked before each instruction. Returns why the CPU stops, or
 * CPU_EXIT_NONE to go on.
 */
static __attribute__((noinline)) enum cpu_exit run_block_general(struct cpu *cpu)
{
    cpu->intr_quiet = 0;
    if (cpu->s.halted) {
        if (!interrupt_deliverable(cpu))
            return CPU_EXIT_HALT;
        take_interrupt(cpu);
        return CPU_EXIT_NONE;
    }
    if (interrupt_deliverable(cpu))
        take_interrupt(cpu);

    bool legacy = cpu->mode != CPU_MODE_64;
    const struct block *b = legacy ? block_get_legacy(cpu) : block_get(cpu, cpu->s.rip);
    if (__builtin_expect(cpu->trace, 0))
        fprintf(stderr, "trace: %llu rip=0x%llx n=%u\n", (unsigned long long)cpu->icount,
                (unsigned long long)cpu->s.rip, b->n);
    uint64_t n = b->n, left = cpu->budget_end - cpu->icount;
    bool shadow = cpu->s.intr_shadow;
    if (shadow)
        n = 1;
    if (n > left)
        n = left;

    cpu->block_exit = 0;
    uint64_t rip = cpu->s.rip, icount_start = cpu->icount;
    uint64_t block_rip = rip, block_pa = b->pa;   /* ~0: a straddler, decoded alone (block.c) */
    uint64_t ip_mask = cpu_mode_ip_mask(cpu->mode), cs_base = legacy ? cpu->s.seg[SEG_CS].base : 0;
    const struct insn *in = b->insns;
    /*
     * What comes before each instruction is read once: the flags and the
     * port change only through cpu_set_port, cpu_set_watch and a change of
     * mode, which all end the block (block_exit). A block that is not a
     * straddler lies in one page, so each of its fetches is one access at
     * block_pa + offset.
     */
    const bool stepped = cpu->stepped, watching = cpu->watching;
    struct cpu_mem_port *const port = cpu->timed ? cpu->port : NULL;
    void (*const begin)(void *, struct cpu *, const struct insn *, uint64_t) = port ? port->begin : NULL;
    const uint64_t la_mask = legacy ? 0xffffffffull : ~0ull;
    if (port && !begin && !port->retire && !watching && !legacy && block_pa != ~0ull)
        run_insns_timed(cpu, in, n, rip, block_pa, port);
    else for (uint64_t i = 0; i < n; i++, in++) {
        if (stepped || port) {   /* a port that fetches by block (not stepped) sees each fetch here */
            /* The budget is in cycles: the previous instruction's stalls may have used it up. */
            if (i && cpu->icount >= cpu->budget_end)
                break;
            if (watching && watch_stops(cpu, rip))
                break;
            if (port) {
                if (begin)
                    begin(port->opaque, cpu, in, rip);
                if (block_pa != ~0ull) {
                    port->access(port->opaque, cpu, MEM_ACCESS_FETCH, block_pa + (rip - block_rip), in->len, false);
                } else {
                    uint64_t la = (rip + cs_base) & la_mask;
                    fetch_report(cpu, mmu_translate(cpu, la, ACC_EXEC), la, in->len);
                }
            }
        }
        cpu->next_rip = rip + in->len;
        in->fn(cpu, in);
        uint64_t from = rip;
        /* Outside 64-bit mode IP/EIP wraps; an instruction that changed the mode ended the block. */
        if (__builtin_expect(cpu->block_exit, 0))
            ip_mask = cpu_mode_ip_mask(cpu->mode);
        rip = cpu->s.rip = cpu->next_rip & ip_mask;
        cpu->icount++;
        if (cpu->timed) {
            cpu->class_count[in->cls]++;   /* the atomic model's threaded path does not count them (docs/stats.md) */
            if (cpu->port->retire)
                cpu->port->retire(cpu->port->opaque, cpu, in, from);
        }
        if (__builtin_expect(cpu->block_exit, 0))
            break;
    }
    if (shadow && cpu->icount != icount_start)   /* a watch may stop before the shadowed instruction */
        cpu->s.intr_shadow = 0;
    return CPU_EXIT_NONE;
}

/*
 * The run loop: at each block boundary, stop when the budget is used up (a
 * stop request, cpu_request_exit(), also ends the budget), take a pending
 * interrupt, find the block of RIP and run it whole, threaded (exec.h):
 * each instruction's `run` retires it and tail-calls the next one. Anything
 * unusual goes through run_block_general().
 *
 * The interrupt controller's answer changes only when the machine runs: its
 * events run between quanta (between calls of cpu_run), and during one it
 * is reached only through MMIO (mmu.c) or instructions marked `machine` by
 * the decoder (port I/O, MSRs, CR8, m5 ops, ...). So after a "no", it is
 * asked again only once one of those has happened (cpu->intr_quiet): the
 * same answers at the same instruction boundaries, without the call. A
 * machine declares that its controller is of this kind with
 * hooks.intr_pending_stable.
 *
 * Kept out of cpu_run so that `cpu` lives in a register: cpu_run calls
 * setjmp, after which its locals must be reloaded from memory.
 */
static __attribute__((noinline)) enum cpu_exit run_blocks(struct cpu *cpu)
{
    for (;;) {
        uint64_t icount = cpu->icount, end = cpu->budget_end;
        if (__builtin_expect(icount >= end, 0))
            return cpu->exit_reason ? (enum cpu_exit)cpu->exit_reason : CPU_EXIT_BUDGET;
        if (__builtin_expect(cpu->s.cpl != cpu->priv_cpl, 0))
            cpu_settle_priv_counts(cpu);   /* the instructions so far ran at the old CPL */
        if (__builtin_expect(cpu->s.halted | cpu->s.intr_shadow | cpu->trace | cpu->stepped, 0)) {
            enum cpu_exit why = run_block_general(cpu);
            if (why != CPU_EXIT_NONE)
                return why;
            continue;
        }
        if (cpu->hooks.intr_pending && (cpu->s.rflags & FL_IF) && !cpu->intr_quiet) {
            if (cpu->hooks.intr_pending(cpu->hooks.opaque, cpu))
                take_interrupt(cpu);
            else
                cpu->intr_quiet = cpu->hooks.intr_pending_stable;
        }

        uint64_t rip = cpu->s.rip;
        const struct jc_entry *e = block_lookup(cpu, rip);
        if (__builtin_expect(e->n > end - icount, 0)) {
            run_block_general(cpu);   /* finds the same block: the budget ends inside it */
            continue;
        }
        if (e->machine)
            cpu->intr_quiet = 0;
        if (__builtin_expect(cpu->timed, 0))
            fetch_block(cpu, e->b, rip);   /* a port that takes fetches by block (cpu.h) */
        const struct insn *in = e->b->insns;
        cpu->block_exit = 0;
        cpu->next_rip = rip + in->len;
        in->run(cpu, in);
    }
}

enum cpu_exit cpu_run(struct cpu *cpu, uint64_t budget)
{
    cpu->budget_end = cpu->icount + budget;
    cpu->exit_reason = CPU_EXIT_NONE;
    cpu->in_delivery = 0;
    cpu->intr_quiet = 0;   /* the machine's events ran since the last call */
    if (setjmp(cpu->fault_jmp)) {
        cpu->intr_quiet = 0;
        handle_fault(cpu);  /* a nested fault longjmps back here with in_delivery set */
    }
    return run_blocks(cpu);
}
