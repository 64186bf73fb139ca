/*
 * cpus.c - the machine's CPU models: which one runs, creating them when
 * first needed, and switching between them (--restore-with-cpu then
 * --cpu-type, -F/--fast-forward, --warmup-insts, m5 switchcpu).
 *
 * Each CPU has its own models, all driving its one `struct cpu`
 * (machine.h), so a switch hands the architectural state over as it is: the
 * old model syncs it out, the new one takes it. Every CPU runs the same kind
 * of model and a switch switches them all, between turns. The timing
 * models' memory hierarchy (mem/memsys.h) is created with the first and
 * lives as long as the machine, so caches warmed before a switch are still
 * warm after it; each CPU reaches it as its CPU index. -F and
 * --warmup-insts count the first CPU's instructions. Under KVM the machine
 * is one VM with a vCPU per CPU (cpu/kvm.h), run in turns like the others.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/kvm.h"
#include "cpu/o3.h"
#include "dev/apic_bus.h"
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

/* What a detailed model (timing, o3) needs of the machine: its memory hierarchy and clock. */
static struct timing_cpu_config memory_side(struct machine *m)
{
    return (struct timing_cpu_config){
        .memsys = machine_memsys(m),
        .line_size = m->cfg.cacheline_size,
        .period = m->period,
        .device_latency = DEVICE_LATENCY_TICKS,
        .now = machine_tick,
        .now_opaque = m,
    };
}

static struct cpu_model *timing_model(struct machine *m, struct machine_cpu *c, bool warming)
{
    struct cpu_model **slot = warming ? &c->warming_model : &c->timing_model;
    if (!*slot) {
        struct timing_cpu_config tc = memory_side(m);
        *slot = warming ? cpu_model_warming_new(&c->cpu, &tc) : cpu_model_timing_new(&c->cpu, &tc);
        if (!warming)
            timing_cpu_register_stats(*slot, c->stats);
    }
    return *slot;
}

static struct cpu_model *o3_model(struct machine *m, struct machine_cpu *c)
{
    if (!c->o3_model) {
        struct o3_cpu_config oc = { .mem = memory_side(m) };
        config_o3_params(&m->cfg, &oc.params);
        c->o3_model = cpu_model_o3_new(&c->cpu, &oc);
        o3_cpu_register_stats(c->o3_model, c->stats);
    }
    return c->o3_model;
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
static struct cpu_model *warming_model(struct machine *m, struct machine_cpu *c)
{
    if (m->cfg.cpu_type == CPU_O3)
        return cpu_model_o3_warming(o3_model(m, c));
    return timing_model(m, c, true);
}

/* The models with a memory hierarchy: warming before them makes sense. */
static bool detailed(enum cpu_kind kind)
{
    return kind == CPU_TIMING || kind == CPU_O3;
}

static struct cpu_model *model_for(struct machine *m, struct machine_cpu *c, enum cpu_kind kind)
{
    switch (kind) {
    case CPU_TIMING:
        return timing_model(m, c, false);
    case CPU_O3:
        return o3_model(m, c);
    case CPU_KVM:
        if (c->kvm_model)
            return c->kvm_model;
        __attribute__((fallthrough));   /* usable() said why KVM does not run */
    case CPU_ATOMIC:
    default:
        if (!c->atomic_model)
            c->atomic_model = cpu_model_atomic_new(&c->cpu);
        return c->atomic_model;
    }
}

/*
 * KVM is asked for: the model runs it where the probe guest (kvm_probe.c)
 * says this host's KVM can run a Linux guest. Elsewhere --cpu-type kvm is
 * refused (exit 2) and --restore-with-cpu kvm restores on the atomic model,
 * each said in one line, even with -q: it is what this run is. The
 * machine's CPUs are the vCPUs of one VM (its RAM registered once); if one
 * of them cannot be made, KVM is refused as a whole.
 */
static bool kvm_models_new(struct machine *m, char *why, size_t why_len)
{
    struct kvm_vm *vm = kvm_vm_new(&m->bus, why, why_len);
    if (!vm)
        return false;
    bool ok = true;
    for (unsigned i = 0; i < m->ncpus && ok; i++) {
        struct machine_cpu *c = m->cpus[i];
        c->kvm_model = cpu_model_kvm_new_on(vm, &c->cpu, why, why_len);
        ok = c->kvm_model != NULL;
    }
    kvm_vm_put(vm);   /* the models hold it */
    if (ok)
        cpu_model_kvm_say_stops(m->cpus[0]->kvm_model);   /* perf counters or time quanta, and why */
    else
        for (unsigned i = 0; i < m->ncpus; i++) {
            cpu_model_free(m->cpus[i]->kvm_model);
            m->cpus[i]->kvm_model = NULL;
        }
    return ok;
}

static enum cpu_kind usable(struct machine *m, enum cpu_kind kind, const char *flag)
{
    if (kind != CPU_KVM)
        return kind;
    struct machine_cpu *c = m->cpus[0];
    char why[256] = "";
    if (!c->kvm_model && !m->kvm_refused)
        m->kvm_refused = !kvm_can_run_linux(why, sizeof why) || !kvm_models_new(m, why, sizeof why);
    if (c->kvm_model)
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

static void activate(struct machine *m, struct machine_cpu *c, struct cpu_model *model, enum cpu_kind kind)
{
    m->model_kind = kind;
    if (c->model == model)
        return;
    if (c->model)
        cpu_model_deactivate(c->model);
    c->model = model;
    cpu_model_activate(model);
}

/* Every CPU on its model of `kind` (warming: the timing model that warms the caches). */
static void activate_all(struct machine *m, enum cpu_kind kind, bool warming)
{
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct machine_cpu *c = m->cpus[i];
        activate(m, c, warming ? warming_model(m, c) : model_for(m, c, kind), kind);
    }
}

void machine_switch_cpu(struct machine *m, enum cpu_kind kind)
{
    m->switch_pending = false;
    m->switch_icount = 0;
    m->warm_icount = 0;
    struct machine_cpu *c0 = m->cpus[0];
    if (model_for(m, c0, kind) == c0->model)
        return;
    activate_all(m, kind, false);
    m->switch_tick = machine_now(m);
    /* gem5's --maxinsts counts on the CPU switched to. */
    for (unsigned i = 0; i < m->ncpus; i++)
        m->cpus[i]->start_icount = m->cpus[i]->cpu.icount;
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
    struct machine_cpu *c0 = m->cpus[0];
    if (detailed(target))
        machine_memsys(m);   /* now, so that config.ini records the hierarchy the run will use */
    activate_all(m, first, false);
    m->switch_tick = machine_now(m);
    if (first == target && model_for(m, c0, target) == c0->model)
        return;
    if (cfg->fast_forward) {
        m->switch_icount = c0->cpu.icount + cfg->fast_forward;
        if (cfg->warmup_insts && detailed(target))
            m->warm_icount = m->switch_icount - cfg->warmup_insts;
        /* A window that opens now (-F N --warmup-insts N from instruction 0)
           starts here: warm_icount 0 means "no window" to machine_cpus_step. */
        if (cfg->warmup_insts && detailed(target) && m->warm_icount <= c0->cpu.icount) {
            activate_all(m, m->model_kind, true);
            m->warm_icount = 0;
        }
    } else {
        machine_switch_cpu(m, target);
    }
}

/*
 * Between rounds: switch when the guest asked or -F is reached, start
 * warming when its window opens, and return how many instructions the
 * first CPU may run before the next of those (0: no limit).
 */
uint64_t machine_cpus_step(struct machine *m)
{
    uint64_t n = m->cpus[0]->cpu.icount;
    if (m->switch_pending || (m->switch_icount && n >= m->switch_icount)) {
        machine_switch_cpu(m, usable(m, m->cfg.cpu_type, "--cpu-type"));
        return 0;
    }
    if (m->warm_icount && n >= m->warm_icount && !detailed(m->model_kind)) {
        activate_all(m, m->model_kind, true);
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
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct machine_cpu *c = m->cpus[i];
        if (c->model)
            cpu_model_deactivate(c->model);
        c->model = NULL;
        cpu_model_free(c->atomic_model);
        cpu_model_free(c->kvm_model);
        cpu_model_free(c->timing_model);
        cpu_model_free(c->warming_model);
        cpu_model_free(c->o3_model);
    }
    if (m->memsys)
        memsys_free(m->memsys);
}

/* ------------------------------------------------ start-up signals -- */

void machine_cpu_signal(void *opaque, unsigned cpu, unsigned mode, unsigned vector)
{
    struct machine *m = opaque;
    if (cpu >= m->ncpus)
        return;
    struct machine_cpu_run *r = &m->cpus[cpu]->r;
    switch (mode) {
    case APIC_DM_NMI:
        r->nmi_pending = 1;
        break;
    case APIC_DM_INIT:
        r->init_pending = 1;
        r->sipi_pending = 0;   /* a start-up before the INIT took effect is lost with it */
        break;
    case APIC_DM_STARTUP:
        if (r->wait_sipi || r->init_pending) {   /* ignored by a CPU that is not waiting for one */
            r->sipi_pending = 1;
            r->sipi_vector = (uint8_t)vector;
        }
        break;
    default:
        break;
    }
}

/*
 * INIT: the CPU takes the INIT state (cpu_init_reset) and waits for a
 * start-up IPI; start-up: it leaves the wait in real mode at vector << 12
 * (cpu_sipi_start), where Linux's trampoline is. Its model is told the
 * state changed under it.
 */
void machine_cpu_apply_signals(struct machine *m, struct machine_cpu *c)
{
    (void)m;
    bool changed = false;
    if (c->r.init_pending) {
        c->r.init_pending = 0;
        c->r.nmi_pending = 0;
        cpu_sync_state(&c->cpu);
        cpu_init_reset(&c->cpu);
        c->r.wait_sipi = 1;
        changed = true;
    }
    if (c->r.sipi_pending) {
        c->r.sipi_pending = 0;
        if (c->r.wait_sipi) {
            cpu_sipi_start(&c->cpu, c->r.sipi_vector);
            c->r.wait_sipi = 0;
            changed = true;
        }
    }
    if (changed && c->model)
        c->model->ops->state_changed(c->model);
}
