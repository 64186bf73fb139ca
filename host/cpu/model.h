/*
 * model.h - CPU models behind one interface.
 *
 * Every model drives the same `struct cpu`: its architectural state
 * (cpu->s, the one copy every model shares and checkpoints save) and the
 * interpreter that executes it. A model decides how the CPU runs and what
 * its time is: the atomic model retires one instruction per cycle; the
 * timing model (timing.c) charges each fetch and data access the latency of
 * the memory hierarchy. The CPU's clock is cpu_cycles() whatever model ran,
 * so the machine advances simulated time by cycles and switching models
 * never moves time backwards.
 *
 * The machine holds its CPUs through this interface only: it activates a
 * model, runs it for budgets of cycles, kicks it when an event is due, and
 * switches to another model by deactivating one and activating the other
 * at an instruction boundary. Architectural results never depend on the
 * model.
 */
#ifndef M5SIM_CPU_MODEL_H
#define M5SIM_CPU_MODEL_H

#include <stdint.h>

#include "cpu/cpu.h"

struct cpu_model;

struct cpu_model_ops {
    const char *name;        /* m5sim's name: "atomic", "timing" */
    const char *gem5_name;   /* gem5's class: "AtomicSimpleCPU", "TimingSimpleCPU" */
    /* Take over the CPU: cpu->s is current (a restore, another model ran before). */
    void (*activate)(struct cpu_model *model);
    /* Give the CPU back with cpu->s complete (lazy state materialized). */
    void (*deactivate)(struct cpu_model *model);
    /* Run for at most `budget` cycles of cpu_cycles(); returns why it stopped. */
    enum cpu_exit (*run)(struct cpu_model *model, uint64_t budget);
    /* Someone else changed cpu->s while this model was active (a restore): drop derived state. */
    void (*state_changed)(struct cpu_model *model);
    /* Stop at the next instruction boundary with this reason (an event is due, the run ends). */
    void (*kick)(struct cpu_model *model, enum cpu_exit why);
    void (*free)(struct cpu_model *model);
};

struct cpu_model {
    const struct cpu_model_ops *ops;
    struct cpu *cpu;
    int active;
};

/* The atomic model (gem5's AtomicSimpleCPU): the interpreter's fast paths, one cycle per instruction. */
struct cpu_model *cpu_model_atomic_new(struct cpu *cpu);

static inline void cpu_model_activate(struct cpu_model *model)
{
    model->active = 1;
    model->ops->activate(model);
}

static inline void cpu_model_deactivate(struct cpu_model *model)
{
    model->ops->deactivate(model);
    model->active = 0;
}

static inline enum cpu_exit cpu_model_run(struct cpu_model *model, uint64_t budget)
{
    return model->ops->run(model, budget);
}

static inline void cpu_model_kick(struct cpu_model *model, enum cpu_exit why)
{
    model->ops->kick(model, why);
}

static inline void cpu_model_free(struct cpu_model *model)
{
    if (model)
        model->ops->free(model);
}

/* The instruction-level interpreter every model shares (atomic.c). */
enum cpu_exit cpu_run(struct cpu *cpu, uint64_t budget);

#endif
