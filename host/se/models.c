/*
 * models.c - `m5sim se`'s CPU models and output directory: the atomic
 * model, or the timing or O3 model (held in `timing`: the detailed one) with
 * the memory hierarchy the gem5 flags chose, optionally after -F N
 * instructions on the atomic model (the last --warmup-insts of them warming
 * the caches) or until the program asks with the m5 op switchcpu, and the
 * outdir that gem5's se.py writes (stats.txt, stats.json, config.ini).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/o3.h"
#include "cpu/timing.h"
#include "mem/memsys.h"
#include "se/process.h"
#include "se/se.h"
#include "util/fs.h"
#include "util/log.h"

/* Ticks per cycle of the SE clock (SE_CPU_HZ), as the full-system machine rounds it. */
#define SE_PERIOD ((1000000000000ull + SE_CPU_HZ / 2) / SE_CPU_HZ)

static FILE *open_in(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fatal(path, "cannot write: %s", strerror(errno));
    return f;
}

struct se_outputs se_outputs_open(const char *outdir)
{
    if (mkdir_p(outdir) != 0)
        fatal(outdir, "cannot create output directory: %s", strerror(errno));
    return (struct se_outputs){ .stats = open_in(outdir, "stats.txt"),
                                .stats_json = open_in(outdir, "stats.json"),
                                .config = open_in(outdir, "config.ini") };
}

void se_outputs_close(struct se_outputs *out)
{
    if (fclose(out->stats) != 0 || fclose(out->stats_json) != 0)
        warn("se", "cannot write statistics to the output directory: %s", strerror(errno));
}

/* The memory system's clock: the CPU's cycles plus the time the program slept. */
static uint64_t se_tick(void *opaque)
{
    const struct se *se = opaque;
    return cpu_cycles(se->cpu) * SE_PERIOD + se->sleep_ns * 1000;
}

static void activate(struct se_models *m, struct cpu_model *model)
{
    if (m->current == model)
        return;
    if (m->current)
        cpu_model_deactivate(m->current);
    m->current = model;
    cpu_model_activate(model);
}

struct se_models se_models_start(struct se *se, const struct machine_config *hier, struct stats_group *system,
                                 struct stats_group *cpu_group, FILE *config)
{
    struct se_models m = { .se = se, .atomic = cpu_model_atomic_new(se->cpu) };
    fprintf(config, "[system]\ncpu_type=%s\ncpu_clock=%llu\nfast_forward=%llu\nwarmup_insts=%llu\n",
            config_cpu_name(hier->cpu_type), (unsigned long long)SE_CPU_HZ,
            (unsigned long long)hier->fast_forward, (unsigned long long)hier->warmup_insts);
    if (hier->cpu_type == CPU_TIMING || hier->cpu_type == CPU_O3) {
        struct memsys_config c;
        config_memsys(hier, SE_PERIOD, SE_RAM_SIZE, &c);
        m.memsys = memsys_new(&c, system);
        if (!m.memsys)
            exit(2);   /* memsys_new said why */
        memsys_write_config(m.memsys, config);
        struct timing_cpu_config tc = {
            .memsys = m.memsys, .line_size = hier->cacheline_size, .period = SE_PERIOD,
            .device_latency = 0, .now = se_tick, .now_opaque = se,
        };
        if (hier->cpu_type == CPU_O3) {
            struct o3_cpu_config oc = { .mem = tc };
            config_o3_params(hier, &oc.params);
            o3_write_config(&oc.params, config);
            m.timing = cpu_model_o3_new(se->cpu, &oc);
            o3_cpu_register_stats(m.timing, cpu_group);
        } else {
            m.timing = cpu_model_timing_new(se->cpu, &tc);
            timing_cpu_register_stats(m.timing, cpu_group);
        }
        if (hier->warmup_insts)
            m.warming = hier->cpu_type == CPU_O3 ? cpu_model_o3_warming(m.timing) : cpu_model_warming_new(se->cpu, &tc);
    } else if (hier->cpu_type == CPU_KVM) {
        info("se: X86KvmCPU: SE mode has no KVM CPU model; the atomic model runs instead");
    }
    struct cpu_model *target = m.timing ? m.timing : m.atomic;
    if (hier->fast_forward && target != m.atomic) {
        m.switch_icount = se->cpu->icount + hier->fast_forward;
        if (m.warming)
            m.warm_icount = m.switch_icount - hier->warmup_insts;
        /* A window that opens now (-F N --warmup-insts N) starts here:
           warm_icount 0 means "no window" to se_models_step. */
        if (m.warming && m.warm_icount <= se->cpu->icount) {
            activate(&m, m.warming);
            m.warm_icount = 0;
        } else {
            activate(&m, m.atomic);
        }
    } else {
        activate(&m, target);
    }
    return m;
}

uint64_t se_models_step(struct se_models *m, struct stats_group *root, struct sim_stats *st,
                        struct sim_totals now)
{
    uint64_t n = m->se->cpu->icount;
    bool asked = m->se->switch_request && m->timing && m->current != m->timing;
    m->se->switch_request = false;
    if (asked || (m->switch_icount && n >= m->switch_icount)) {
        /* The statistics describe the detailed run: they start at the switch. */
        activate(m, m->timing);
        m->switch_icount = m->warm_icount = 0;
        stats_reset(root);
        sim_stats_reset(st, now);
        memsys_stats_reset_at(m->memsys, now.tick);
        return 0;
    }
    if (m->warm_icount && n >= m->warm_icount) {
        activate(m, m->warming);
        m->warm_icount = 0;
    }
    uint64_t limit = m->switch_icount ? m->switch_icount - n : 0;
    if (m->warm_icount && m->warm_icount - n < limit)
        limit = m->warm_icount - n;
    return limit;
}

void se_models_free(struct se_models *m)
{
    if (m->current)
        cpu_model_deactivate(m->current);
    cpu_model_free(m->atomic);
    cpu_model_free(m->warming);   /* first: the O3 model's warming is part of it */
    cpu_model_free(m->timing);
    memsys_free(m->memsys);
}
