/*
 * model_atomic.c - the atomic CPU model (gem5's AtomicSimpleCPU) behind the
 * model interface: the interpreter (atomic.c) with its fast paths, no memory
 * port, one cycle per instruction.
 */
#include <stdlib.h>

#include "cpu/model.h"
#include "util/log.h"

static void atomic_activate(struct cpu_model *model)
{
    cpu_set_port(model->cpu, NULL);
}

static void atomic_deactivate(struct cpu_model *model)
{
    cpu_sync_state(model->cpu);
}

static enum cpu_exit atomic_run(struct cpu_model *model, uint64_t budget)
{
    return cpu_run(model->cpu, budget);
}

static void atomic_state_changed(struct cpu_model *model)
{
    cpu_state_changed(model->cpu);
}

static void atomic_kick(struct cpu_model *model, enum cpu_exit why)
{
    cpu_request_exit(model->cpu, why);
}

static void atomic_free(struct cpu_model *model)
{
    free(model);
}

static const struct cpu_model_ops atomic_ops = {
    .name = "atomic",
    .gem5_name = "AtomicSimpleCPU",
    .activate = atomic_activate,
    .deactivate = atomic_deactivate,
    .run = atomic_run,
    .state_changed = atomic_state_changed,
    .kick = atomic_kick,
    .free = atomic_free,
};

struct cpu_model *cpu_model_atomic_new(struct cpu *cpu)
{
    struct cpu_model *model = calloc(1, sizeof *model);
    if (!model)
        fatal("memory", "out of memory");
    model->ops = &atomic_ops;
    model->cpu = cpu;
    return model;
}
