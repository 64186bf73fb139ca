/*
 * cpus.c - the machine's CPU models: which one runs, creating them when
 * first needed, and switching between them (--restore-with-cpu then
 * --cpu-type, -F/--fast-forward, --warmup-insts, m5 switchcpu).
 *
 * All models drive the one `struct cpu` (machine.h), so a switch hands the
 * architectural state over as it is: the old model syncs it out, the new
 * one takes it. The timing model's memory hierarchy (mem/memsys.h) is
 * created with the model and lives as long as the machine, so caches
 * warmed before a switch are still warm after it.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/kvm.h"
#include "cpu/o3.h"
#include "cpu/timing.h"
#include "machine/machine.h"
#include "mem/memsys.h"
#include "util/log.h"

/* gem5's x86 PC devices answer after their pio_latency; IsaFake and the UART default to 100ns. */
#define DEVICE_LATENCY_TICKS 100000ull

static uint64_t machine_tick(void *opaque)
{
    return machine_now(opaque);
}

static struct memsys *machine_memsys(struct machine *m)
{
    if (m->memsys)
        return m->memsys;
    struct memsys_config c;
    config_memsys(&m->cfg, m->period, m->ram_size, &c);
    m->memsys = memsys_new(&c, m->stats_system);
    if (!m->memsys)
        exit(2);   /* memsys_new said why */
    memsys_stats_reset_at(m->memsys, machine_now(m));
    return m->memsys;
}

static struct cpu_model *timing_model(struct machine *m, bool warming)
{
    struct cpu_model **slot = warming ? &m->warming_model : &m->timing_model;
    if (!*slot) {
        struct timing_cpu_config c = {
            .memsys = machine_memsys(m),
            .line_size = m->cfg.cacheline_size,
            .period = m->period,
            .device_latency = DEVICE_LATENCY_TICKS,
            .now = machine_tick,
            .now_opaque = m,
        };
        *slot = warming ? cpu_model_warming_new(&m->cpu, &c) : cpu_model_timing_new(&m->cpu, &c);
        if (!warming)
            timing_cpu_register_stats(*slot, m->stats_cpu);
    }
    return *slot;
}

static struct cpu_model *o3_model(struct machine *m)
{
    if (!m->o3_model) {
        struct o3_cpu_config c = {
            .memsys = machine_memsys(m),
            .line_size = m->cfg.cacheline_size,
            .period = m->period,
            .device_latency = DEVICE_LATENCY_TICKS,
            .now = machine_tick,
            .now_opaque = m,
        };
        config_o3_params(&m->cfg, &c.params);
        m->o3_model = cpu_model_o3_new(&m->cpu, &c);
        o3_cpu_register_stats(m->o3_model, m->stats_cpu);
    }
    return m->o3_model;
}

void machine_cpus_write_config(struct machine *m, FILE *ini)
{
    if (m->cfg.cpu_type != CPU_O3)
        return;
    struct o3_params p;
    config_o3_params(&m->cfg, &p);
    fputc('\n', ini);
    o3_write_config(&p, ini);
}

/* Functional warming before --cpu-type: the O3 model's also trains its branch predictors. */
static struct cpu_model *warming_model(struct machine *m)
{
    if (m->cfg.cpu_type == CPU_O3)
        return cpu_model_o3_warming(o3_model(m));
    return timing_model(m, true);
}

/* The models with a memory hierarchy: warming before them makes sense. */
static bool detailed(enum cpu_kind kind)
{
    return kind == CPU_TIMING || kind == CPU_O3;
}

static struct cpu_model *model_for(struct machine *m, enum cpu_kind kind)
{
    switch (kind) {
    case CPU_TIMING:
        return timing_model(m, false);
    case CPU_O3:
        return o3_model(m);
    case CPU_KVM:
        if (m->kvm_model)
            return m->kvm_model;
        __attribute__((fallthrough));   /* usable() said why KVM does not run */
    case CPU_ATOMIC:
    default:
        if (!m->atomic_model)
            m->atomic_model = cpu_model_atomic_new(&m->cpu);
        return m->atomic_model;
    }
}

/*
 * KVM is asked for: the model runs it where the probe guest (kvm_probe.c)
 * says this host's KVM can run a Linux guest. Elsewhere --cpu-type kvm is
 * refused (exit 2) and --restore-with-cpu kvm restores on the atomic model,
 * each said in one line, even with -q: it is what this run is.
 */
static enum cpu_kind usable(struct machine *m, enum cpu_kind kind, const char *flag)
{
    if (kind != CPU_KVM)
        return kind;
    char why[256] = "";
    if (!m->kvm_model && !m->kvm_refused) {
        if (kvm_can_run_linux(why, sizeof why))
            m->kvm_model = cpu_model_kvm_new(&m->cpu, why, sizeof why);
        m->kvm_refused = !m->kvm_model;
    }
    if (m->kvm_model)
        return CPU_KVM;
    if (!m->kvm_said) {
        if (!strcmp(flag, "--cpu-type"))
            fatal("--cpu-type kvm", "this host's /dev/kvm cannot run a Linux guest (%s); use atomic", why);
        info("%s kvm (X86KvmCPU): this host's /dev/kvm cannot run a Linux guest (%s); "
             "the atomic model (AtomicSimpleCPU) runs instead", flag, why);
    }
    m->kvm_said = true;
    return CPU_ATOMIC;
}

static void activate(struct machine *m, struct cpu_model *model, enum cpu_kind kind)
{
    if (m->model == model)
        return;
    if (m->model)
        cpu_model_deactivate(m->model);
    m->model = model;
    m->model_kind = kind;
    cpu_model_activate(model);
}

void machine_switch_cpu(struct machine *m, enum cpu_kind kind)
{
    m->switch_pending = false;
    m->switch_icount = 0;
    m->warm_icount = 0;
    struct cpu_model *model = model_for(m, kind);
    if (model == m->model)
        return;
    activate(m, model, kind);
    m->switch_tick = machine_now(m);
    /* gem5's --maxinsts counts on the CPU switched to. */
    m->start_icount = m->cpu.icount;
}

/*
 * The model the run starts on. A restore starts on --restore-with-cpu and
 * switches to --cpu-type at once; -F N runs N instructions on the first
 * model (the restoring one, or atomic after a boot), of which the last
 * --warmup-insts also warm the caches, then switches.
 */
void machine_cpus_start(struct machine *m)
{
    const struct machine_config *cfg = &m->cfg;
    enum cpu_kind target = usable(m, cfg->cpu_type, "--cpu-type");
    enum cpu_kind first = cfg->restore || cfg->fast_forward ? usable(m, cfg->restore_with_cpu, "--restore-with-cpu")
                                                            : target;
    if (detailed(target))
        machine_memsys(m);   /* now, so that config.ini records the hierarchy the run will use */
    activate(m, model_for(m, first), first);
    m->switch_tick = machine_now(m);
    if (first == target && model_for(m, target) == m->model)
        return;
    if (cfg->fast_forward) {
        m->switch_icount = m->cpu.icount + cfg->fast_forward;
        if (cfg->warmup_insts && detailed(target))
            m->warm_icount = m->switch_icount - cfg->warmup_insts;
        /* A window that opens now (-F N --warmup-insts N from instruction 0)
           starts here: warm_icount 0 means "no window" to machine_cpus_step. */
        if (cfg->warmup_insts && detailed(target) && m->warm_icount <= m->cpu.icount) {
            activate(m, warming_model(m), m->model_kind);
            m->warm_icount = 0;
        }
    } else {
        machine_switch_cpu(m, target);
    }
}

/*
 * Between quanta: switch when the guest asked or -F is reached, start
 * warming when its window opens, and return how many instructions may run
 * before the next of those (0: no limit).
 */
uint64_t machine_cpus_step(struct machine *m)
{
    uint64_t n = m->cpu.icount;
    if (m->switch_pending || (m->switch_icount && n >= m->switch_icount)) {
        machine_switch_cpu(m, usable(m, m->cfg.cpu_type, "--cpu-type"));
        return 0;
    }
    if (m->warm_icount && n >= m->warm_icount && !detailed(m->model_kind)) {
        activate(m, warming_model(m), m->model_kind);
        m->warm_icount = 0;
    }
    uint64_t limit = 0;
    if (m->switch_icount)
        limit = m->switch_icount - n;
    if (m->warm_icount && (limit == 0 || m->warm_icount - n < limit))
        limit = m->warm_icount - n;
    return limit;
}

void machine_cpus_free(struct machine *m)
{
    if (m->model)
        cpu_model_deactivate(m->model);
    m->model = NULL;
    cpu_model_free(m->atomic_model);
    cpu_model_free(m->kvm_model);
    cpu_model_free(m->timing_model);
    cpu_model_free(m->warming_model);
    cpu_model_free(m->o3_model);
    if (m->memsys)
        memsys_free(m->memsys);
}
