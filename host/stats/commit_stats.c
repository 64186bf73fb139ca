/*
 * commit_stats.c - committed instructions by kind (see commit_stats.h).
 * Names, descriptions, units and display options follow gem5 v24
 * (src/cpu/base.cc CommitCPUStats, src/cpu/simple/exec_context.hh):
 * committedInstType prints every OpClass with ::total and shares;
 * committedControl prints its non-zero entries only.
 */
#include "stats/commit_stats.h"

#include <string.h>

static double fraction(const void *ctx, bool idle)
{
    const struct commit_stats *c = ctx;
    return (double)(idle ? c->num_idle : c->num_busy) / (double)c->num_cycles;
}

static double not_idle_fraction(const void *ctx)
{
    return fraction(ctx, false);
}

static double idle_fraction(const void *ctx)
{
    return fraction(ctx, true);
}

void commit_stats_register(struct commit_stats *c, struct stats_group *cpu_group, struct stats_group *commit,
                           struct cpu *cpu, bool classes, const uint64_t *idle_cycles)
{
    c->cpu = cpu;
    c->classes = classes;
    c->idle_cycles = idle_cycles;
    if (classes) {
        stats_add_scalar(commit, "numMemRefs", &c->mem_refs, "Count", "Number of memory references committed");
        stats_add_scalar(commit, "numFpInsts", &c->fps, "Count", "Number of float instructions");
        stats_add_scalar(commit, "numIntInsts", &c->ints, "Count", "Number of integer instructions");
        stats_add_scalar(commit, "numLoadInsts", &c->loads, "Count", "Number of load instructions");
        stats_add_scalar(commit, "numStoreInsts", &c->stores, "Count", "Number of store instructions");
        stats_add_scalar(commit, "numVecInsts", &c->vecs, "Count", "Number of vector instructions");
        stats_add_vector(commit, "committedInstType", c->inst_type, OP_CLASSES, op_class_names, true, "Count",
                         "Class of committed instruction.");
        stats_set_flags(commit, "committedInstType", STATS_PDF);
        stats_add_vector(commit, "committedControl", c->control, STATIC_INST_FLAGS, static_inst_flag_names, false,
                         "Count", "Class of control type instructions committed");
        stats_set_flags(commit, "committedControl", STATS_NOZERO);
    }
    stats_add_scalar(commit, "numUserInsts", &c->user, "Count",
                     "Number of instructions committed at CPL 3 (m5sim only)");
    stats_add_scalar(commit, "numKernelInsts", &c->kernel, "Count",
                     "Number of instructions committed at CPL 0-2 (m5sim only)");
    if (idle_cycles) {
        struct stats_group *ec = stats_group_new(cpu_group, "exec_context.thread_0");
        stats_add_scalar(ec, "numIdleCycles", &c->num_idle, "Cycle", "Number of idle cycles");
        stats_add_scalar(ec, "numBusyCycles", &c->num_busy, "Cycle", "Number of busy cycles");
        stats_add_formula(ec, "notIdleFraction", not_idle_fraction, c, "Ratio", "Percentage of non-idle cycles");
        stats_add_formula(ec, "idleFraction", idle_fraction, c, "Ratio", "Percentage of idle cycles");
    }
    commit_stats_reset(c);
}

void commit_stats_sample(struct commit_stats *c, uint64_t num_cycles)
{
    if (!c->cpu)
        return;
    cpu_settle_priv_counts(c->cpu);
    c->user = c->cpu->user_insts - c->user_at_reset;
    c->kernel = c->cpu->kernel_insts - c->kernel_at_reset;
    c->num_cycles = num_cycles;
    if (c->idle_cycles) {
        c->num_idle = *c->idle_cycles - c->idle_at_reset;
        c->num_busy = num_cycles > c->num_idle ? num_cycles - c->num_idle : 0;
    }
    if (!c->classes)
        return;
    c->mem_refs = c->loads = c->stores = c->ints = c->fps = c->vecs = 0;
    memset(c->inst_type, 0, sizeof c->inst_type);
    memset(c->control, 0, sizeof c->control);
    for (unsigned i = 0; i < insn_class_count(); i++) {
        uint64_t n = c->cpu->class_count[i] - c->class_at_reset[i];
        if (!n)
            continue;
        const struct insn_class *k = insn_class_get((uint8_t)i);
        c->inst_type[k->op_class] += n;
        if (k->flags & (SIF(IsLoad) | SIF(IsStore)))
            c->mem_refs += n;
        if (k->flags & SIF(IsLoad))
            c->loads += n;
        if (k->flags & (SIF(IsStore) | SIF(IsAtomic)))
            c->stores += n;
        if (k->flags & SIF(IsInteger))
            c->ints += n;
        if (k->flags & SIF(IsFloating))
            c->fps += n;
        if (k->flags & SIF(IsVector))
            c->vecs += n;
        if (k->flags & SIF(IsControl))
            for (unsigned f = SIF_IsControl; f <= SIF_IsReturn; f++)
                if (k->flags & (1ull << f))
                    c->control[f] += n;
    }
}

void commit_stats_reset(struct commit_stats *c)
{
    if (!c->cpu)
        return;
    cpu_settle_priv_counts(c->cpu);
    c->user_at_reset = c->cpu->user_insts;
    c->kernel_at_reset = c->cpu->kernel_insts;
    memcpy(c->class_at_reset, c->cpu->class_count, sizeof c->class_at_reset);
    if (c->idle_cycles)
        c->idle_at_reset = *c->idle_cycles;
}
