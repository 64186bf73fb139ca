/*
 * o3_core.c - the out-of-order CPU model (gem5's DerivO3CPU), functional
 * first as ZSim's OOO core: the interpreter executes each instruction, and
 * the model gives every micro-op of the retired stream its cycles in a
 * dependency-driven pipeline, in program order, with no event queue:
 *
 *   fetch     the fetch buffer (fetchBufferSize bytes) is refilled through
 *             the L1I whenever the next instruction leaves it; fetchWidth
 *             micro-ops a cycle; a predicted-taken branch ends the cycle's
 *             fetch; a misprediction restarts fetch iewToFetchDelay after
 *             the branch executes (functional first cannot fetch the wrong
 *             path: the squashed work is the lost cycles, nothing more);
 *   rename    fetchToDecodeDelay + decodeToRenameDelay later, in order,
 *             renameWidth a cycle, when the micro-op finds a ROB entry, an
 *             IQ entry, an LQ or SQ entry and a physical register free
 *             (each a ring of the cycles the older occupants leave);
 *   issue     renameToIEWDelay later, once its sources are ready and a unit
 *             of its kind in the FU pool is free that cycle (issueWidth a
 *             cycle; unpipelined units stay busy for their latency);
 *   complete  issue + issueToExecuteDelay + the unit's latency; a load's
 *             latency is the memory hierarchy's (memsys), bounded by the
 *             L1D's MSHRs, or forwarding from an older store in the SQ;
 *   commit    in order, commitWidth a cycle, iewToCommitDelay after
 *             completion; a store writes the L1D after it commits and
 *             holds its SQ entry until the write completes.
 *
 * A load that executes before an older store to the same bytes has its
 * address is a memory-order violation (gem5 squashes and refetches from
 * the load); a store-set-like table of load addresses (SSITSize) then
 * makes that load wait for older stores.
 *
 * The CPU's clock follows commit: when an instruction retires the model
 * charges (or gives back) the cycles between its last micro-op's commit and
 * the clock (cpu_stall, cpu_unstall), so cpu_cycles() is the commit cycle
 * and IPC may exceed 1. docs/o3.md has the details and what is omitted.
 */
#include "cpu/o3.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/insn_class.h"
#include "cpu/o3_bpred.h"
#include "cpu/o3_uops.h"
#include "mem/memsys.h"
#include "stats/registry.h"
#include "util/log.h"

/* Functional-unit kinds of DefaultX86FUPool (FuncUnitConfig.py). */
enum fu_kind { FU_NONE, FU_INT_ALU, FU_INT_MD, FU_FP_ALU, FU_FP_MD, FU_SIMD, FU_MEM, FU_IPR, FU_KINDS };

/* Where a micro-op's time went, for the CPI stack (m5sim's; gem5 has none). */
enum cpi_reason {
    CPI_BASE, CPI_BRANCH, CPI_ICACHE, CPI_FRONTEND, CPI_DL1, CPI_DL2, CPI_DL3, CPI_DMEM, CPI_DEP,
    CPI_ROB, CPI_IQ, CPI_LSQ, CPI_REGS, CPI_SERIAL, CPI_MEMORDER, CPI_REASONS
};
static const char *const cpi_names[CPI_REASONS] = {
    "base", "branchMispredict", "icache", "frontend", "dcacheL1", "dcacheL2", "dcacheL3", "dcacheMem",
    "dependency", "robFull", "iqFull", "lsqFull", "physRegsFull", "serialize", "memOrderViolation",
};
static const char *const cpi_descs[CPI_REASONS] = {
    "Cycles committing at least one instruction",
    "Cycles lost to branch mispredictions (fetch redirected after the branch executed)",
    "Cycles waiting for instruction fetch from the L1I and below",
    "Cycles of front-end bandwidth: taken branches, fetch width, decode redirects",
    "Cycles waiting for loads served by the L1D",
    "Cycles waiting for loads served by the L2",
    "Cycles waiting for loads served by the L3",
    "Cycles waiting for loads served by memory",
    "Cycles waiting for operands and functional units (execution latency)",
    "Cycles rename stalled on a full ROB",
    "Cycles rename stalled on a full IQ",
    "Cycles rename stalled on a full LQ or SQ",
    "Cycles rename stalled on no free physical register",
    "Cycles of serializing instructions draining the pipeline",
    "Cycles lost to memory-order violations",
};

#define CAL_BITS 16   /* cycles the issue calendar tells apart: beyond a full IQ of memory misses */
#define CAL_SIZE (1u << CAL_BITS)
#define MAX_UNITS 16
#define MAX_MSHRS 64
#define STORE_SET_CLEAR_PERIOD 250000   /* gem5's store_set_clear_period */

struct cal_slot {
    uint64_t cycle;
    uint8_t total;
    uint8_t used[FU_KINDS];
};

struct reg_state {
    uint64_t ready;    /* cycle its value can feed an issuing micro-op */
    uint8_t why;       /* what made it late (enum cpi_reason) */
};

struct sq_entry {
    uint64_t pa;
    unsigned size;
    uint64_t exec;     /* address and data known */
    uint64_t free;     /* written to the L1D: the entry leaves the SQ */
};

struct mshr {
    uint64_t line;
    uint64_t free;
};

struct o3_stats {
    /* fetch / fetchStats0 */
    uint64_t fetch_insts, fetch_ops, fetch_branches, fetch_predicted, fetch_cache_lines, icache_stall;
    /* decode, rename */
    uint64_t decoded, decode_branch_mispred, renamed, rob_full, iq_full, lq_full, sq_full, regs_full,
        serializing;
    /* iew, iq (system.cpu.*), lsq0, rob */
    uint64_t dispatched, disp_loads, disp_stores, mem_order_violations, iew_branch_mispredicts,
        pred_taken_incorrect, pred_not_taken_incorrect, insts_added, insts_issued, int_issued, fp_issued,
        branch_issued, mem_issued, misc_issued, forw_loads, blocked_by_cache, rob_reads, rob_writes;
    uint64_t issued_type[OP_CLASSES];
    /* commit */
    uint64_t commit_branch_mispredicts, function_calls, committed_ops;
    /* branchPred */
    uint64_t bp_lookups, bp_cond_predicted, bp_cond_pred_taken, bp_cond_incorrect, bp_btb_lookups,
        bp_btb_hits, bp_btb_updates, bp_btb_mispredicted, bp_indirect_lookups, bp_indirect_mispredicted,
        bp_indirect_hits, bp_indirect_misses,
        bp_ras_used, bp_ras_incorrect, bp_mispredicted, bp_committed, bp_early_resteers, bp_target_wrong,
        bp_taken_mispredicted, bp_not_taken_mispredicted;
    uint64_t cpi[CPI_REASONS];
};

/*
 * Cracked instructions, direct-mapped by the address of their decoded
 * record; an entry serves only the record it was made from, compared in
 * full (a record freed and reused for other bytes misses), so what it
 * holds never depends on where the host put the record.
 */
#define CRACK_CACHE_BITS 12
#define CRACK_KEY_OFF offsetof(struct insn, mnemonic)
struct crack_entry {
    const struct insn *in;
    unsigned char key[sizeof(struct insn) - CRACK_KEY_OFF];
    struct o3_crack crack;
};

struct o3_cpu {
    struct cpu_model model;
    struct cpu_model warm_model;   /* functional warming of this model's caches and predictors */
    bool warming;
    struct cpu_mem_port port;
    struct o3_params p;
    struct o3_bpred bp;
    struct memsys *ms;
    unsigned line_size;
    uint64_t period, device_latency;
    uint64_t (*now)(void *opaque);
    void *now_opaque;
    uint64_t last_mem_tick;

    /* The FU pool. */
    uint8_t fu_of[OP_CLASSES], lat_of[OP_CLASSES], pipelined_of[OP_CLASSES];
    unsigned units[FU_KINDS];
    uint64_t unit_busy[FU_KINDS][MAX_UNITS];   /* unpipelined units: busy until */
    struct cal_slot cal[CAL_SIZE];

    /* Rings of the cycles older occupants leave, indexed by sequence number. */
    uint64_t *rob, *lq, *sqfree, *int_regs, *vec_regs, *fetchq;
    /* The IQ: a min-heap of the issue cycles of the micro-ops in it (they leave out of order). */
    uint64_t *iq;
    unsigned iq_n;
    struct sq_entry *sq;
    uint64_t seq;
    unsigned rob_i, fq_i, lq_i, sq_i, int_i, vec_i;   /* ring positions of the next occupant */
    unsigned sq_n;                 /* stores in the SQ ring (at most SQEntries) */
    uint64_t sq_max_free;          /* the latest cycle a store leaves the SQ */
    uint8_t *ssit;
    uint64_t loads_since_clear;
    struct mshr mshrs[MAX_MSHRS];
    unsigned nmshrs;

    struct reg_state regs[O3_REGS];

    /* Front end. */
    uint64_t fetch_cycle;
    unsigned fetch_slots;
    uint8_t fetch_why;
    uint64_t fetch_block;          /* the fetch buffer's address, ~0: empty */
    uint64_t walk_cycles;          /* page walks awaiting the access they serve */
    /* Rename and commit, in order. */
    uint64_t rename_cycle, commit_cycle, serial_barrier;
    unsigned rename_count, commit_count;

    /* The instruction being executed. */
    const struct insn *in;
    uint64_t rip;
    const struct o3_crack *crack;  /* its micro-ops (an entry of crack_cache) */
    bool pre_done;
    unsigned inst_uops;
    uint64_t inst_fetch;           /* the cycle its first byte reached the fetch buffer */
    uint64_t last_ready;           /* the latest micro-op's ready cycle (branches resolve then) */
    bool serial_pending;
    bool trace;                    /* M5SIM_O3_TRACE: print every micro-op's cycles (debugging) */

    struct o3_stats st;
    struct crack_entry *crack_cache;
};

/* ------------------------------------------------------------ set-up -- */

static void fu_table(struct o3_cpu *o)
{
    const struct o3_params *p = &o->p;
    for (unsigned c = 0; c < OP_CLASSES; c++) {
        o->fu_of[c] = FU_SIMD;   /* SIMD_Unit takes every Simd* class, latency 1 */
        o->lat_of[c] = 1;
        o->pipelined_of[c] = 1;
    }
    o->fu_of[OPC_No_OpClass] = FU_NONE;
    o->fu_of[OPC_IntAlu] = FU_INT_ALU;
    o->fu_of[OPC_IntMult] = FU_INT_MD;
    o->lat_of[OPC_IntMult] = (uint8_t)p->intMultLat;
    o->fu_of[OPC_IntDiv] = FU_INT_MD;
    o->lat_of[OPC_IntDiv] = (uint8_t)p->intDivLat;
    o->pipelined_of[OPC_IntDiv] = 0;
    static const struct { uint8_t opc, fu, lat, pipe; } fp[] = {
        { OPC_FloatAdd, FU_FP_ALU, 2, 1 }, { OPC_FloatCmp, FU_FP_ALU, 2, 1 }, { OPC_FloatCvt, FU_FP_ALU, 2, 1 },
        { OPC_FloatMult, FU_FP_MD, 4, 1 }, { OPC_FloatMultAcc, FU_FP_MD, 5, 1 }, { OPC_FloatMisc, FU_FP_MD, 3, 1 },
        { OPC_FloatDiv, FU_FP_MD, 12, 0 }, { OPC_FloatSqrt, FU_FP_MD, 24, 0 },
        { OPC_MemRead, FU_MEM, 1, 1 }, { OPC_MemWrite, FU_MEM, 1, 1 }, { OPC_FloatMemRead, FU_MEM, 1, 1 },
        { OPC_FloatMemWrite, FU_MEM, 1, 1 }, { OPC_IprAccess, FU_IPR, 3, 0 }, { OPC_InstPrefetch, FU_MEM, 1, 1 },
    };
    for (unsigned i = 0; i < sizeof fp / sizeof *fp; i++) {
        o->fu_of[fp[i].opc] = fp[i].fu;
        o->lat_of[fp[i].opc] = fp[i].lat;
        o->pipelined_of[fp[i].opc] = fp[i].pipe;
    }
    unsigned units[FU_KINDS] = { [FU_NONE] = 255, [FU_INT_ALU] = p->intAluCount, [FU_INT_MD] = p->intMultDivCount,
                                 [FU_FP_ALU] = p->fpAluCount, [FU_FP_MD] = p->fpMultDivCount,
                                 [FU_SIMD] = p->simdCount, [FU_MEM] = p->rdWrPortCount, [FU_IPR] = 1 };
    for (unsigned k = 0; k < FU_KINDS; k++)
        o->units[k] = units[k] > MAX_UNITS && k != FU_NONE ? MAX_UNITS : units[k];
}

static uint64_t *ring(unsigned n)
{
    uint64_t *r = calloc(n ? n : 1, sizeof *r);
    if (!r)
        fatal("memory", "out of memory");
    return r;
}

static unsigned int_ring_size(const struct o3_params *p)
{
    return p->numPhysIntRegs > 16 + 1 ? p->numPhysIntRegs - 16 : 1;
}

static unsigned vec_ring_size(const struct o3_params *p)
{
    return p->numPhysVecRegs > 32 + 1 ? p->numPhysVecRegs - 32 : 1;
}

/* An empty pipeline at the CPU's current cycle. */
static void pipeline_reset(struct o3_cpu *o)
{
    uint64_t now = cpu_cycles(o->model.cpu);
    const struct o3_params *p = &o->p;
    memset(o->rob, 0, p->numROBEntries * sizeof *o->rob);
    o->iq_n = 0;
    memset(o->lq, 0, p->LQEntries * sizeof *o->lq);
    memset(o->sqfree, 0, p->SQEntries * sizeof *o->sqfree);
    memset(o->sq, 0, p->SQEntries * sizeof *o->sq);
    memset(o->int_regs, 0, int_ring_size(p) * sizeof *o->int_regs);
    memset(o->vec_regs, 0, vec_ring_size(p) * sizeof *o->vec_regs);
    memset(o->fetchq, 0, p->fetchQueueSize * sizeof *o->fetchq);
    memset(o->cal, 0, sizeof o->cal);
    memset(o->unit_busy, 0, sizeof o->unit_busy);
    memset(o->mshrs, 0, sizeof o->mshrs);
    for (unsigned r = 0; r < O3_REGS; r++)
        o->regs[r] = (struct reg_state){ now, CPI_BASE };
    o->seq = 0;
    o->rob_i = o->fq_i = o->lq_i = o->sq_i = o->int_i = o->vec_i = o->sq_n = 0;
    o->sq_max_free = 0;
    o->fetch_cycle = o->rename_cycle = o->commit_cycle = o->serial_barrier = now;
    o->fetch_slots = o->rename_count = o->commit_count = 0;
    o->fetch_block = ~0ull;
    o->fetch_why = CPI_BASE;
    o->walk_cycles = 0;
    o->in = NULL;
}

/* ------------------------------------------------------------- memory -- */

static uint64_t ticks_to_cycles(const struct o3_cpu *o, uint64_t ticks)
{
    return (ticks + o->period - 1) / o->period;
}

/* The memory system's tick for a cycle of this CPU, never before an earlier request's. */
static uint64_t tick_of(struct o3_cpu *o, uint64_t cycle)
{
    uint64_t now_cycles = cpu_cycles(o->model.cpu), now = o->now(o->now_opaque);
    uint64_t t = cycle >= now_cycles ? now + (cycle - now_cycles) * o->period
                                     : (now > (now_cycles - cycle) * o->period ? now - (now_cycles - cycle) * o->period : 0);
    if (t < o->last_mem_tick)
        t = o->last_mem_tick;
    o->last_mem_tick = t;
    return t;
}

/* An access of the L1I/L1D at `cycle`: its latency in cycles; *level = where it was served. */
static uint64_t mem_cycles(struct o3_cpu *o, enum mem_req req, enum mem_op op, uint64_t pa, unsigned size,
                           uint64_t cycle, uint8_t *level)
{
    uint64_t ticks = 0, end = pa + size;
    uint8_t worst = 1;
    uint64_t start = tick_of(o, cycle);
    for (uint64_t at = pa; at < end;) {
        uint64_t line_end = (at | (o->line_size - 1)) + 1;
        unsigned piece = (unsigned)((line_end < end ? line_end : end) - at);
        uint64_t t = memsys_access(o->ms, (unsigned)o->model.cpu->id, req, op, at, piece, start);
        if (t > ticks)
            ticks = t;
        if (o->ms->served_by > worst)
            worst = o->ms->served_by;
        at += piece;
    }
    *level = worst;
    return ticks_to_cycles(o, ticks);
}

/* ------------------------------------------------------------ pipeline -- */

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static unsigned next_index(unsigned i, unsigned n)
{
    return i + 1 < n ? i + 1 : 0;
}

/* The first cycle at or after `t` with issue bandwidth and a free unit of kind fu. */
static uint64_t issue_slot(struct o3_cpu *o, uint64_t t, unsigned opc)
{
    unsigned fu = o->fu_of[opc];
    unsigned unit = 0;
    if (fu != FU_NONE && !o->pipelined_of[opc]) {
        for (unsigned u = 1; u < o->units[fu]; u++)
            if (o->unit_busy[fu][u] < o->unit_busy[fu][unit])
                unit = u;
        t = max64(t, o->unit_busy[fu][unit]);
    }
    for (;; t++) {
        struct cal_slot *s = &o->cal[t & (CAL_SIZE - 1)];
        if (s->cycle != t) {
            memset(s, 0, sizeof *s);
            s->cycle = t;
        }
        if (s->total >= o->p.issueWidth || (fu != FU_NONE && s->used[fu] >= o->units[fu]))
            continue;
        s->total++;
        if (fu != FU_NONE)
            s->used[fu]++;
        break;
    }
    if (fu != FU_NONE && !o->pipelined_of[opc])
        o->unit_busy[fu][unit] = t + o->lat_of[opc];
    return t;
}

static bool is_vec_reg(unsigned r)
{
    return r >= O3R_XMM && r < O3R_TLD;
}

/* A front-end slot for the next micro-op: its fetch cycle. */
static uint64_t fetch_uop(struct o3_cpu *o)
{
    if (o->fetch_cycle < o->inst_fetch) {
        o->fetch_cycle = o->inst_fetch;
        o->fetch_slots = 0;
    }
    if (o->fetch_slots >= o->p.fetchWidth) {
        o->fetch_cycle++;
        o->fetch_slots = 0;
        o->fetch_why = CPI_FRONTEND;
    }
    /* The fetch queue holds fetchQueueSize micro-ops: fetch waits for rename to drain it. */
    uint64_t q = o->fetchq[o->fq_i];
    if (q > o->fetch_cycle) {
        o->fetch_cycle = q;
        o->fetch_slots = 0;
    }
    o->fetch_slots++;
    return o->fetch_cycle;
}

static void iq_pop(struct o3_cpu *o)
{
    uint64_t *h = o->iq;
    uint64_t last = h[--o->iq_n];
    unsigned i = 0, n = o->iq_n;
    for (;;) {
        unsigned c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h[c + 1] < h[c])
            c++;
        if (h[c] >= last)
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
}

static void iq_push(struct o3_cpu *o, uint64_t issue)
{
    uint64_t *h = o->iq;
    unsigned i = o->iq_n++;
    while (i && h[(i - 1) / 2] > issue) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = issue;
}

/* The first cycle at or after r with an IQ entry free (rename times never decrease). */
static uint64_t iq_room(struct o3_cpu *o, uint64_t r)
{
    while (o->iq_n && o->iq[0] < r)
        iq_pop(o);
    if (o->iq_n < o->p.numIQEntries)
        return r;
    uint64_t t = o->iq[0] + 1;
    iq_pop(o);
    return t;
}

struct mem_info {
    bool load, store, device;
    uint64_t pa;
    unsigned size;
};

/*
 * Time one micro-op: rename, issue, complete, commit. Returns its ready
 * cycle (when dependants may issue).
 */
static uint64_t run_uop(struct o3_cpu *o, const struct o3_uop *u, const struct mem_info *m)
{
    const struct o3_params *p = &o->p;
    struct o3_stats *st = &o->st;
    uint64_t f = fetch_uop(o);
    uint8_t why = o->fetch_why;

    /* Rename: in order, renameWidth a cycle, with room in every structure. */
    uint64_t r = f + p->fetchToDecodeDelay + p->decodeToRenameDelay;
    struct { uint64_t at; uint8_t why; uint64_t *event; } limits[6];
    unsigned nl = 0;
    limits[nl++] = (typeof(limits[0])){ o->rob[o->rob_i] + 1, CPI_ROB, &st->rob_full };
    if (m && m->load)
        limits[nl++] = (typeof(limits[0])){ o->lq[o->lq_i] + 1, CPI_LSQ, &st->lq_full };
    if (m && m->store)
        limits[nl++] = (typeof(limits[0])){ o->sqfree[o->sq_i] + 1, CPI_LSQ, &st->sq_full };
    bool int_dst = false, vec_dst = false;
    for (unsigned i = 0; i < O3_DSTS && u->dst[i] != O3R_NONE; i++) {
        if (is_vec_reg(u->dst[i]))
            vec_dst = true;
        else if (u->dst[i] != O3R_FLAGS)
            int_dst = true;
    }
    if (int_dst)
        limits[nl++] = (typeof(limits[0])){ o->int_regs[o->int_i] + 1, CPI_REGS, &st->regs_full };
    if (vec_dst)
        limits[nl++] = (typeof(limits[0])){ o->vec_regs[o->vec_i] + 1, CPI_REGS, &st->regs_full };
    for (unsigned i = 0; i < nl; i++) {
        if (limits[i].at > r) {
            r = limits[i].at;
            why = limits[i].why;
            (*limits[i].event)++;
        }
    }
    if (o->serial_pending) {   /* serializing: the ROB drains first */
        o->serial_pending = false;
        if (o->commit_cycle + 1 > r) {
            r = o->commit_cycle + 1;
            why = CPI_SERIAL;
        }
    }
    if (o->serial_barrier + 1 > r && o->serial_barrier > o->rename_cycle) {
        r = o->serial_barrier + 1;
        why = CPI_SERIAL;
    }
    if (r < o->rename_cycle)
        r = o->rename_cycle;
    uint64_t iq_free = iq_room(o, r);
    if (iq_free > r) {
        r = iq_free;
        why = CPI_IQ;
        st->iq_full++;
    }
    if (r == o->rename_cycle && o->rename_count >= p->renameWidth)
        r++;
    if (r != o->rename_cycle) {
        o->rename_cycle = r;
        o->rename_count = 0;
    }
    o->rename_count++;
    o->fetchq[o->fq_i] = r;
    o->fq_i = next_index(o->fq_i, p->fetchQueueSize);
    st->renamed++;
    st->decoded++;
    st->dispatched++;
    st->insts_added++;
    st->rob_writes++;

    /* Issue: sources ready and a unit free. */
    uint64_t d = r + p->renameToIEWDelay;
    uint64_t ready_src = d;
    for (unsigned i = 0; i < O3_SRCS && u->src[i] != O3R_NONE; i++) {
        const struct reg_state *rs = &o->regs[u->src[i]];
        if (rs->ready > ready_src) {
            ready_src = rs->ready;
            why = rs->why == CPI_BASE ? CPI_DEP : rs->why;
        }
    }
    uint64_t issue = ready_src, ready = 0, complete;
    uint8_t ready_why = CPI_DEP;
    unsigned repeat = u->repeat ? u->repeat : 1;
    for (unsigned k = 0; k < repeat; k++) {
        issue = issue_slot(o, issue, u->opc);
        ready = issue + o->lat_of[u->opc];
        if (k + 1 < repeat)
            issue = ready;
    }
    st->insts_issued += repeat;
    st->issued_type[u->opc] += repeat;
    switch (o->fu_of[u->opc]) {
    case FU_FP_ALU: case FU_FP_MD: case FU_SIMD: st->fp_issued += repeat; break;
    case FU_MEM: st->mem_issued++; break;
    case FU_INT_ALU: case FU_INT_MD: if (u->branch) st->branch_issued++; else st->int_issued += repeat; break;
    default: st->misc_issued++; break;
    }
    iq_push(o, issue);

    if (m && m->load) {
        st->disp_loads++;
        uint64_t exec = issue + p->issueToExecuteDelay;
        unsigned ssit = (unsigned)((o->rip ^ (o->rip >> 12)) % p->SSITSize);
        if (++o->loads_since_clear >= STORE_SET_CLEAR_PERIOD) {
            memset(o->ssit, 0, p->SSITSize);
            o->loads_since_clear = 0;
        }
        /* The youngest older store still in the SQ that overlaps. */
        const struct sq_entry *hit = NULL;
        unsigned n = o->sq_max_free > exec ? o->sq_n : 0;
        for (unsigned i = 1, at = o->sq_i; i <= n; i++) {
            at = at ? at - 1 : p->SQEntries - 1;
            const struct sq_entry *s = &o->sq[at];
            if (s->free <= exec)
                continue;
            if (s->pa < m->pa + m->size && m->pa < s->pa + s->size) {
                hit = s;
                break;
            }
        }
        if (m->device) {
            ready = exec + ticks_to_cycles(o, o->device_latency);
            ready_why = CPI_DMEM;
        } else if (hit) {
            if (hit->exec > exec) {
                if (o->ssit[ssit]) {
                    exec = hit->exec;   /* predicted dependent: waits for the store */
                } else {
                    /* Violation: the load and younger ones refetch once the store executes. */
                    o->ssit[ssit] = 1;
                    st->mem_order_violations++;
                    uint64_t refetch = hit->exec + p->iewToFetchDelay;
                    exec = refetch + p->fetchToDecodeDelay + p->decodeToRenameDelay + p->renameToIEWDelay +
                           p->issueToExecuteDelay;
                    if (o->fetch_cycle < refetch) {
                        o->fetch_cycle = refetch;
                        o->fetch_slots = 0;
                    }
                    o->fetch_why = CPI_MEMORDER;
                    why = CPI_MEMORDER;
                }
            }
            bool covers = hit->pa <= m->pa && m->pa + m->size <= hit->pa + hit->size;
            if (covers) {
                st->forw_loads++;
                ready = exec + 1;
                ready_why = CPI_DL1;
            } else {
                /* Partly overlapping: wait until the store has written the cache. */
                uint8_t level;
                uint64_t t = max64(exec, hit->free);
                ready = t + mem_cycles(o, MEM_REQ_DATA, MEM_OP_READ, m->pa, m->size, t, &level);
                ready_why = CPI_DL1;
                st->blocked_by_cache++;
            }
        } else {
            /* The cache: an outstanding miss to the line serves it; a new miss needs an MSHR. */
            uint64_t line = m->pa / o->line_size;
            struct mshr *same = NULL;
            for (unsigned i = 0; i < o->nmshrs; i++)
                if (o->mshrs[i].line == line && o->mshrs[i].free > exec)
                    same = &o->mshrs[i];
            uint8_t level;
            uint64_t lat = mem_cycles(o, MEM_REQ_DATA, MEM_OP_READ, m->pa, m->size, exec, &level) + o->walk_cycles;
            o->walk_cycles = 0;
            if (same) {
                ready = max64(exec + lat, same->free);
                level = 2;
            } else if (level > 1 && o->nmshrs) {
                struct mshr *best = &o->mshrs[0];
                for (unsigned i = 1; i < o->nmshrs; i++)
                    if (o->mshrs[i].free < best->free)
                        best = &o->mshrs[i];
                uint64_t start = max64(exec, best->free);
                if (start > exec)
                    st->blocked_by_cache++;
                ready = start + lat;
                best->line = line;
                best->free = ready;
            } else {
                ready = exec + lat;
            }
            static const uint8_t level_why[] = { CPI_DL1, CPI_DL1, CPI_DL2, CPI_DL3, CPI_DMEM };
            ready_why = level_why[level <= 4 ? level : 4];
        }
    } else if (m && m->store) {
        st->disp_stores++;
        ready = issue + p->issueToExecuteDelay;
    }
    complete = ready;
    /* A load that waited for memory is late because of the level that served it. */
    if (m && m->load && (why == CPI_BASE || ready > issue + p->issueToExecuteDelay + 1))
        why = ready_why;

    /* Commit: in order, commitWidth a cycle. */
    uint64_t c = complete + p->iewToCommitDelay;
    if (c < o->commit_cycle)
        c = o->commit_cycle;
    if (c == o->commit_cycle && o->commit_count >= p->commitWidth)
        c++;
    if (c != o->commit_cycle) {
        uint64_t gap = c - o->commit_cycle;
        st->cpi[CPI_BASE]++;
        st->cpi[why == CPI_BASE ? CPI_DEP : why] += gap - 1;
        o->commit_cycle = c;
        o->commit_count = 0;
    }
    o->commit_count++;
    st->committed_ops++;
    st->rob_reads++;
    o->rob[o->rob_i] = c;
    o->rob_i = next_index(o->rob_i, p->numROBEntries);
    if (int_dst)
        o->int_regs[o->int_i] = c, o->int_i = next_index(o->int_i, int_ring_size(p));
    if (vec_dst)
        o->vec_regs[o->vec_i] = c, o->vec_i = next_index(o->vec_i, vec_ring_size(p));
    if (m && m->load)
        o->lq[o->lq_i] = c, o->lq_i = next_index(o->lq_i, p->LQEntries);
    if (m && m->store) {
        /* After commit the store writes the L1D; its entry leaves when the write completes. */
        uint64_t lat = 0;
        uint8_t level;
        if (m->device)
            lat = ticks_to_cycles(o, o->device_latency);
        else
            lat = mem_cycles(o, MEM_REQ_DATA, MEM_OP_WRITE, m->pa, m->size, c, &level);
        struct sq_entry *s = &o->sq[o->sq_i];
        *s = (struct sq_entry){ .pa = m->pa, .size = m->size, .exec = ready, .free = c + lat };
        o->sqfree[o->sq_i] = c + lat;
        o->sq_i = next_index(o->sq_i, p->SQEntries);
        if (o->sq_n < p->SQEntries)
            o->sq_n++;
        if (c + lat > o->sq_max_free)
            o->sq_max_free = c + lat;
    }
    if (__builtin_expect(o->trace, 0))
        fprintf(stderr, "o3: %llu rip=%llx opc=%u f=%llu r=%llu i=%llu rdy=%llu c=%llu why=%s%s%s\n",
                (unsigned long long)o->seq, (unsigned long long)o->rip, u->opc, (unsigned long long)f,
                (unsigned long long)r, (unsigned long long)issue, (unsigned long long)ready,
                (unsigned long long)c, cpi_names[why], m && m->load ? " ld" : "", m && m->store ? " st" : "");
    o->seq++;
    o->inst_uops++;

    /* The results. */
    for (unsigned i = 0; i < O3_DSTS && u->dst[i] != O3R_NONE; i++)
        o->regs[u->dst[i]] = (struct reg_state){ ready, ready_why == CPI_DEP ? CPI_BASE : ready_why };
    o->last_ready = ready;
    return ready;
}

static void run_list(struct o3_cpu *o, const struct o3_uop *list, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        run_uop(o, &list[i], NULL);
}

static void run_pre(struct o3_cpu *o)
{
    if (o->pre_done || !o->in)
        return;
    o->pre_done = true;
    run_list(o, o->crack->pre, o->crack->npre);
}

/* --------------------------------------------------------- the port -- */

/* The fetch of the instruction about to run: refill the fetch buffer if it leaves it. */
static void fetch_access(struct o3_cpu *o, uint64_t pa, unsigned size)
{
    uint64_t bs = o->p.fetchBufferSize;
    uint64_t first = pa & ~(bs - 1), last = (pa + size - 1) & ~(bs - 1);
    uint64_t t = o->fetch_cycle;
    if (o->fetch_slots >= o->p.fetchWidth) {
        t++;
    }
    for (uint64_t b = first; b <= last; b += bs) {
        if (b == o->fetch_block)
            continue;
        uint8_t level;
        uint64_t lat = mem_cycles(o, MEM_REQ_INST, MEM_OP_READ, b, 8, t, &level) + o->walk_cycles;
        o->walk_cycles = 0;
        o->st.fetch_cache_lines++;
        o->st.icache_stall += lat;
        t += lat;
        o->fetch_block = b;
        /* A refill after a redirect is part of that penalty; an L1I hit is front-end bandwidth. */
        if (o->fetch_why != CPI_BRANCH && o->fetch_why != CPI_MEMORDER)
            o->fetch_why = level > 1 ? CPI_ICACHE : CPI_FRONTEND;
        if (t > o->fetch_cycle) {
            o->fetch_cycle = t;
            o->fetch_slots = 0;
        }
    }
    o->inst_fetch = o->fetch_cycle;
}

/* Functional warming: the lines an access touches, for their effect on the caches only. */
static void warm_access(struct o3_cpu *o, enum mem_access_kind kind, uint64_t pa, unsigned size, bool device)
{
    if (device)
        return;
    unsigned id = (unsigned)o->model.cpu->id;
    enum mem_req req = kind == MEM_ACCESS_FETCH || kind == MEM_ACCESS_FETCH_MORE ? MEM_REQ_INST
                       : kind == MEM_ACCESS_WALK ? MEM_REQ_WALK : MEM_REQ_DATA;
    enum mem_op op = kind == MEM_ACCESS_WRITE || kind == MEM_ACCESS_WRITE_MORE ? MEM_OP_WRITE : MEM_OP_READ;
    for (uint64_t at = pa & ~(uint64_t)(o->line_size - 1); at < pa + size; at += o->line_size)
        memsys_warm(o->ms, id, req, op, at);
}

static void o3_access(void *opaque, struct cpu *cpu, enum mem_access_kind kind, uint64_t pa, unsigned size,
                      bool device)
{
    struct o3_cpu *o = opaque;
    (void)cpu;
    if (o->warming) {
        warm_access(o, kind, pa, size, device);
        return;
    }
    switch (kind) {
    case MEM_ACCESS_FETCH:
    case MEM_ACCESS_FETCH_MORE:
        if (!device)
            fetch_access(o, pa, size);
        return;
    case MEM_ACCESS_WALK: {
        uint8_t level;
        o->walk_cycles += mem_cycles(o, MEM_REQ_WALK, MEM_OP_READ, pa, size, o->fetch_cycle, &level);
        return;
    }
    case MEM_ACCESS_READ:
    case MEM_ACCESS_READ_MORE: {
        struct mem_info m = { .load = true, .device = device, .pa = pa, .size = size };
        struct o3_uop anon;
        const struct o3_uop *u = &o->crack->ld;
        if (!o->in) {   /* exception or interrupt delivery: no registers */
            memset(&anon, O3R_NONE, sizeof anon);
            anon.opc = OPC_MemRead;
            anon.repeat = 1;
            anon.branch = 0;
            u = &anon;
        }
        run_uop(o, u, &m);
        return;
    }
    case MEM_ACCESS_WRITE:
    case MEM_ACCESS_WRITE_MORE: {
        struct mem_info m = { .store = true, .device = device, .pa = pa, .size = size };
        struct o3_uop anon;
        const struct o3_uop *u = &o->crack->st;
        if (!o->in) {
            memset(&anon, O3R_NONE, sizeof anon);
            anon.opc = OPC_MemWrite;
            anon.repeat = 1;
            anon.branch = 0;
            u = &anon;
        }
        run_pre(o);
        run_uop(o, u, &m);
        if (o->in && o->crack->string && kind == MEM_ACCESS_WRITE) {
            struct o3_uop ptr = { .opc = OPC_IntAlu, .repeat = 1 };
            memset(ptr.src, O3R_NONE, sizeof ptr.src);
            memset(ptr.dst, O3R_NONE, sizeof ptr.dst);
            ptr.src[0] = ptr.dst[0] = O3R_GPR + 7;   /* rdi (and rsi) advance */
            run_uop(o, &ptr, NULL);
        }
        return;
    }
    }
}

static const struct o3_crack *crack_of(struct o3_cpu *o, const struct insn *in)
{
    uintptr_t h = (uintptr_t)in / sizeof(struct insn);
    struct crack_entry *e = &o->crack_cache[(h ^ (h >> CRACK_CACHE_BITS)) & ((1u << CRACK_CACHE_BITS) - 1)];
    const unsigned char *key = (const unsigned char *)in + CRACK_KEY_OFF;
    if (e->in != in || memcmp(e->key, key, sizeof e->key)) {
        e->in = in;
        memcpy(e->key, key, sizeof e->key);
        o3_crack(in, &e->crack);
    }
    return &e->crack;
}

static void o3_begin(void *opaque, struct cpu *cpu, const struct insn *in, uint64_t rip)
{
    struct o3_cpu *o = opaque;
    if (o->warming) {
        o->in = in;
        o->crack = crack_of(o, in);
        return;
    }
    /* Time the machine added (halted cycles) moves the pipeline forward. */
    uint64_t now = cpu_cycles(cpu);
    if (now > o->commit_cycle) {
        o->commit_cycle = now;
        o->commit_count = 0;
        if (o->fetch_cycle < now) {
            o->fetch_cycle = now;
            o->fetch_slots = 0;
        }
    }
    o->in = in;
    o->rip = rip;
    o->pre_done = false;
    o->inst_uops = 0;
    o->inst_fetch = o->fetch_cycle;
    o->crack = crack_of(o, in);
    if (o->crack->serialize) {
        o->serial_pending = true;
        o->st.serializing++;
    }
    o->st.fetch_insts++;
}

static void branch_resolve(struct o3_cpu *o, const struct insn *in, uint64_t rip, uint64_t next)
{
    struct o3_stats *st = &o->st;
    uint64_t fall = rip + in->len;
    bool taken = next != fall;
    enum o3_branch_kind kind = (enum o3_branch_kind)o->crack->branch_kind;
    if (kind != BR_COND)
        taken = true;
    struct o3_branch_outcome b = o3_bpred_branch(&o->bp, kind, rip, fall, taken, next);
    st->fetch_branches++;
    st->bp_lookups++;
    st->bp_committed++;
    if (kind == BR_COND) {
        st->bp_cond_predicted++;
        st->bp_cond_pred_taken += b.pred_taken;
        st->bp_cond_incorrect += b.cond_incorrect;
    }
    if (b.pred_taken)
        st->fetch_predicted++;
    st->bp_btb_lookups += b.btb_lookup;
    st->bp_btb_hits += b.btb_hit;
    if (taken)
        st->bp_btb_updates++;
    if (b.indirect) {
        st->bp_indirect_lookups++;
        st->bp_indirect_mispredicted += b.mispredicted;
        st->bp_indirect_hits += b.indirect_hit;
        st->bp_indirect_misses += !b.indirect_hit;
    }
    if (b.ras_used) {
        st->bp_ras_used++;
        st->bp_ras_incorrect += b.target_wrong;
    }
    st->bp_target_wrong += b.target_wrong;
    if (kind == BR_CALL_DIRECT || kind == BR_CALL_INDIRECT)
        st->function_calls++;
    if (b.mispredicted) {
        st->bp_mispredicted++;
        st->iew_branch_mispredicts++;
        st->commit_branch_mispredicts++;
        if (b.pred_taken) {
            st->pred_taken_incorrect++;
            st->bp_taken_mispredicted++;
        } else {
            st->pred_not_taken_incorrect++;
            st->bp_not_taken_mispredicted++;
        }
        if (b.btb_lookup && b.btb_hit && b.target_wrong)
            st->bp_btb_mispredicted++;
        /* Fetch restarts after the branch executes; the fetch buffer is refilled. */
        uint64_t redirect = o->last_ready + o->p.iewToFetchDelay;
        if (redirect > o->fetch_cycle) {
            o->fetch_cycle = redirect;
            o->fetch_slots = 0;
        }
        o->fetch_why = CPI_BRANCH;
        o->fetch_block = ~0ull;
    } else if (b.early_resteer) {
        st->bp_early_resteers++;
        st->decode_branch_mispred++;
        uint64_t redirect = o->inst_fetch + o->p.fetchToDecodeDelay + 1;
        if (redirect > o->fetch_cycle) {
            o->fetch_cycle = redirect;
            o->fetch_slots = 0;
        }
        o->fetch_why = CPI_FRONTEND;
    } else if (taken) {
        /* A predicted-taken branch ends this cycle's fetch. */
        o->fetch_cycle++;
        o->fetch_slots = 0;
        o->fetch_why = CPI_FRONTEND;
    }
}

static void o3_retire(void *opaque, struct cpu *cpu, const struct insn *in, uint64_t rip)
{
    struct o3_cpu *o = opaque;
    if (o->in != in)
        return;
    if (o->warming) {   /* train the predictors; the atomic model's time */
        if (o->crack->is_branch) {
            uint64_t fall = rip + in->len, next = cpu->s.rip;
            enum o3_branch_kind kind = (enum o3_branch_kind)o->crack->branch_kind;
            o3_bpred_branch(&o->bp, kind, rip, fall, kind != BR_COND || next != fall, next);
        }
        o->in = NULL;
        return;
    }
    run_pre(o);
    run_list(o, o->crack->post, o->crack->npost);
    if (o->crack->serialize)
        o->serial_barrier = o->commit_cycle;
    if (o->crack->is_branch)
        branch_resolve(o, in, rip, cpu->s.rip);

    o->st.fetch_ops += o->inst_uops;
    if (o->inst_uops > 1)
        cpu->extra_ops += o->inst_uops - 1;
    o->in = NULL;
    /* The clock follows commit. */
    uint64_t now = cpu_cycles(cpu);
    if (o->commit_cycle >= now)
        cpu_stall(cpu, o->commit_cycle - now);
    else
        cpu_unstall(cpu, now - o->commit_cycle);
}

/* ------------------------------------------------------------ the model -- */

static void o3_activate(struct cpu_model *model)
{
    struct o3_cpu *o = (struct o3_cpu *)model;
    pipeline_reset(o);
    cpu_set_port(model->cpu, &o->port);
}

static void o3_deactivate(struct cpu_model *model)
{
    cpu_sync_state(model->cpu);
    cpu_set_port(model->cpu, NULL);
}

static enum cpu_exit o3_run(struct cpu_model *model, uint64_t budget)
{
    return cpu_run(model->cpu, budget);
}

static void o3_state_changed(struct cpu_model *model)
{
    cpu_state_changed(model->cpu);
    pipeline_reset((struct o3_cpu *)model);
}

static void o3_kick(struct cpu_model *model, enum cpu_exit why)
{
    cpu_request_exit(model->cpu, why);
}

static void o3_free(struct cpu_model *model)
{
    struct o3_cpu *o = (struct o3_cpu *)model;
    o3_bpred_free(&o->bp);
    free(o->rob);
    free(o->iq);
    free(o->lq);
    free(o->sqfree);
    free(o->sq);
    free(o->int_regs);
    free(o->vec_regs);
    free(o->fetchq);
    free(o->ssit);
    free(o->crack_cache);
    free(o);
}

static struct o3_cpu *warm_owner(struct cpu_model *warm)
{
    return (struct o3_cpu *)((char *)warm - offsetof(struct o3_cpu, warm_model));
}

static void o3_warm_activate(struct cpu_model *model)
{
    struct o3_cpu *o = warm_owner(model);
    o->warming = true;
    o->in = NULL;
    cpu_set_port(model->cpu, &o->port);
}

static void o3_warm_deactivate(struct cpu_model *model)
{
    struct o3_cpu *o = warm_owner(model);
    cpu_sync_state(model->cpu);
    cpu_set_port(model->cpu, NULL);
    o->warming = false;
}

static void o3_warm_state_changed(struct cpu_model *model)
{
    cpu_state_changed(model->cpu);
}

static void o3_warm_free(struct cpu_model *model)
{
    (void)model;   /* part of the O3 model, freed with it */
}

/* The atomic model's time with the O3 model's view of memory and branches (--warmup-insts). */
static const struct cpu_model_ops o3_warming_ops = {
    .name = "atomic",
    .gem5_name = "AtomicSimpleCPU",
    .activate = o3_warm_activate,
    .deactivate = o3_warm_deactivate,
    .run = o3_run,
    .state_changed = o3_warm_state_changed,
    .kick = o3_kick,
    .free = o3_warm_free,
};

static const struct cpu_model_ops o3_ops = {
    .name = "o3",
    .gem5_name = "X86O3CPU",
    .activate = o3_activate,
    .deactivate = o3_deactivate,
    .run = o3_run,
    .state_changed = o3_state_changed,
    .kick = o3_kick,
    .free = o3_free,
};

static void o3_data(void *opaque, struct cpu *cpu, uint64_t pa, unsigned size, bool write)
{
    o3_access(opaque, cpu, write ? MEM_ACCESS_WRITE : MEM_ACCESS_READ, pa, size, false);
}

struct cpu_model *cpu_model_o3_new(struct cpu *cpu, const struct o3_cpu_config *cfg)
{
    struct o3_cpu *o = calloc(1, sizeof *o);
    if (!o)
        fatal("memory", "out of memory");
    o->model.ops = &o3_ops;
    o->model.cpu = cpu;
    o->warm_model.ops = &o3_warming_ops;
    o->warm_model.cpu = cpu;
    o->port = (struct cpu_mem_port){
        .opaque = o, .access = o3_access, .data = o3_data, .begin = o3_begin, .retire = o3_retire,
    };
    o->p = cfg->params;
    o->ms = cfg->mem.memsys;
    o->line_size = cfg->mem.line_size;
    o->period = cfg->mem.period;
    o->device_latency = cfg->mem.device_latency;
    o->now = cfg->mem.now;
    o->now_opaque = cfg->mem.now_opaque;
    o->trace = getenv("M5SIM_O3_TRACE") != NULL;
    if (o->p.fetchBufferSize & (o->p.fetchBufferSize - 1))
        fatal("system.cpu.fetchBufferSize", "%u is not a power of two", o->p.fetchBufferSize);
    o->nmshrs = o->ms->cfg.caches ? o->ms->cfg.l1d.mshrs : 0;
    if (o->nmshrs > MAX_MSHRS)
        o->nmshrs = MAX_MSHRS;
    fu_table(o);
    o3_bpred_init(&o->bp, &o->p);
    o->rob = ring(o->p.numROBEntries);
    o->iq = ring(o->p.numIQEntries);
    o->lq = ring(o->p.LQEntries);
    o->sqfree = ring(o->p.SQEntries);
    o->sq = calloc(o->p.SQEntries, sizeof *o->sq);
    o->int_regs = ring(int_ring_size(&o->p));
    o->vec_regs = ring(vec_ring_size(&o->p));
    o->fetchq = ring(o->p.fetchQueueSize);
    o->ssit = calloc(o->p.SSITSize, 1);
    o->crack_cache = calloc(1u << CRACK_CACHE_BITS, sizeof *o->crack_cache);
    if (!o->sq || !o->ssit || !o->crack_cache)
        fatal("memory", "out of memory");
    return &o->model;
}

struct cpu_model *cpu_model_o3_warming(struct cpu_model *o3)
{
    return &((struct o3_cpu *)o3)->warm_model;
}

/* ---------------------------------------------------------- statistics -- */

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0; }
static double btb_hit_ratio(const void *ctx)
{
    const struct o3_stats *s = ctx;
    return ratio(s->bp_btb_hits, s->bp_btb_lookups);
}

void o3_cpu_register_stats(struct cpu_model *model, struct stats_group *cpu)
{
    struct o3_cpu *o = (struct o3_cpu *)model;
    struct o3_stats *s = &o->st;
#define SC(g, name, field, desc) stats_add_scalar(g, name, &s->field, "Count", desc)
    struct stats_group *fs = stats_group_new(cpu, "fetchStats0");
    SC(fs, "numInsts", fetch_insts, "Number of instructions fetched (thread level)");
    SC(fs, "numOps", fetch_ops, "Number of ops (including micro ops) fetched (thread level)");
    SC(fs, "numBranches", fetch_branches, "Number of branches fetched");
    stats_add_scalar(fs, "icacheStallCycles", &s->icache_stall, "Cycle",
                     "ICache total stall cycles");
    struct stats_group *f = stats_group_new(cpu, "fetch");
    SC(f, "predictedBranches", fetch_predicted, "Number of branches that fetch has predicted taken");
    SC(f, "cacheLines", fetch_cache_lines, "Number of cache lines fetched");
    struct stats_group *d = stats_group_new(cpu, "decode");
    SC(d, "decodedInsts", decoded, "Number of instructions handled by decode");
    SC(d, "branchMispred", decode_branch_mispred, "Number of times decode detected a branch misprediction");
    struct stats_group *r = stats_group_new(cpu, "rename");
    SC(r, "renamedInsts", renamed, "Number of instructions processed by rename");
    SC(r, "ROBFullEvents", rob_full, "Number of times rename has blocked due to ROB full");
    SC(r, "IQFullEvents", iq_full, "Number of times rename has blocked due to IQ full");
    SC(r, "LQFullEvents", lq_full, "Number of times rename has blocked due to LQ full");
    SC(r, "SQFullEvents", sq_full, "Number of times rename has blocked due to SQ full");
    SC(r, "fullRegistersEvents", regs_full, "Number of times there has been no free registers");
    SC(r, "serializing", serializing, "count of serializing insts renamed");
    struct stats_group *iew = stats_group_new(cpu, "iew");
    SC(iew, "dispatchedInsts", dispatched, "Number of instructions dispatched to IQ");
    SC(iew, "dispLoadInsts", disp_loads, "Number of dispatched load instructions");
    SC(iew, "dispStoreInsts", disp_stores, "Number of dispatched store instructions");
    SC(iew, "memOrderViolationEvents", mem_order_violations, "Number of memory order violations");
    SC(iew, "predictedTakenIncorrect", pred_taken_incorrect, "Number of branches that were predicted taken incorrectly");
    SC(iew, "predictedNotTakenIncorrect", pred_not_taken_incorrect,
       "Number of branches that were predicted not taken incorrectly");
    SC(iew, "branchMispredicts", iew_branch_mispredicts, "Number of branch mispredicts detected at execute");
    /* The IQ's statistics sit directly under the CPU in gem5 (InstructionQueue::IQStats). */
    SC(cpu, "instsAdded", insts_added, "Number of instructions added to the IQ (excludes non-spec)");
    SC(cpu, "instsIssued", insts_issued, "Number of instructions issued");
    SC(cpu, "intInstsIssued", int_issued, "Number of integer instructions issued");
    SC(cpu, "floatInstsIssued", fp_issued, "Number of float instructions issued");
    SC(cpu, "branchInstsIssued", branch_issued, "Number of branch instructions issued");
    SC(cpu, "memInstsIssued", mem_issued, "Number of memory instructions issued");
    SC(cpu, "miscInstsIssued", misc_issued, "Number of miscellaneous instructions issued");
    stats_add_vector(cpu, "statIssuedInstType_0", s->issued_type, OP_CLASSES, op_class_names, true, "Count",
                     "Number of instructions issued per FU type, per thread");
    struct stats_group *lsq = stats_group_new(cpu, "lsq0");
    SC(lsq, "forwLoads", forw_loads, "Number of loads that had data forwarded from stores");
    SC(lsq, "memOrderViolation", mem_order_violations, "Number of memory ordering violations");
    SC(lsq, "blockedByCache", blocked_by_cache, "Number of times an access to memory failed due to the cache being blocked");
    struct stats_group *rob = stats_group_new(cpu, "rob");
    SC(rob, "reads", rob_reads, "The number of ROB reads");
    SC(rob, "writes", rob_writes, "The number of ROB writes");
    struct stats_group *c = stats_group_new(cpu, "commit");
    SC(c, "branchMispredicts", commit_branch_mispredicts, "The number of times a branch was mispredicted");
    SC(c, "functionCalls", function_calls, "Number of function calls committed");
    SC(c, "committedOps", committed_ops, "Number of micro-ops committed (m5sim: with those of exception delivery)");
    struct stats_group *bp = stats_group_new(cpu, "branchPred");
    SC(bp, "lookups", bp_lookups, "Number of BP lookups");
    SC(bp, "committed", bp_committed, "Number of committed branches");
    SC(bp, "mispredicted", bp_mispredicted, "Number of committed branches that were mispredicted");
    SC(bp, "condPredicted", bp_cond_predicted, "Number of conditional branches predicted");
    SC(bp, "condPredictedTaken", bp_cond_pred_taken, "Number of conditional branches predicted as taken");
    SC(bp, "condIncorrect", bp_cond_incorrect, "Number of conditional branches incorrect");
    SC(bp, "earlyResteers", bp_early_resteers, "Number of branches redirected at decode (direct, BTB miss)");
    SC(bp, "targetWrong", bp_target_wrong, "Number of branches with a wrong predicted target");
    SC(bp, "NotTakenMispredicted", bp_not_taken_mispredicted, "Number branches predicted 'not taken' but turned out to be taken");
    SC(bp, "TakenMispredicted", bp_taken_mispredicted, "Number branches predicted taken but are actually not taken");
    SC(bp, "BTBLookups", bp_btb_lookups, "Number of BTB lookups");
    SC(bp, "BTBUpdates", bp_btb_updates, "Number of BTB updates");
    SC(bp, "BTBHits", bp_btb_hits, "Number of BTB hits");
    stats_add_formula(bp, "BTBHitRatio", btb_hit_ratio, s, "Ratio", "BTB Hit Ratio");
    SC(bp, "BTBMispredicted", bp_btb_mispredicted, "Number BTB mispredictions");
    SC(bp, "indirectLookups", bp_indirect_lookups, "Number of indirect predictor lookups");
    SC(bp, "indirectHits", bp_indirect_hits, "Number of indirect target hits.");
    SC(bp, "indirectMisses", bp_indirect_misses, "Number of indirect misses.");
    SC(bp, "indirectMispredicted", bp_indirect_mispredicted, "Number of mispredicted indirect branches");
    struct stats_group *ras = stats_group_new(bp, "ras");
    SC(ras, "used", bp_ras_used, "Number of times the RAS predicted a return");
    SC(ras, "incorrect", bp_ras_incorrect, "Number of incorrect RAS predictions");
    struct stats_group *cs = stats_group_new(cpu, "cpiStack");
    for (unsigned i = 0; i < CPI_REASONS; i++)
        stats_add_scalar(cs, cpi_names[i], &s->cpi[i], "Cycle", cpi_descs[i]);
#undef SC
}
