/*
 * config_cpu.c - the command-line options that choose CPU models and the
 * timing model's memory hierarchy, with gem5's names and defaults
 * (configs/common/Options.py): shared by full-system runs (config.c) and
 * `m5sim se` (se/se.c), so the two accept the same flags.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/o3.h"
#include "machine/config.h"
#include "mem/memsys.h"
#include "util/log.h"

enum { OPT_CPU = 512, OPT_RESTORE_CPU, OPT_CACHES, OPT_L2, OPT_L3, OPT_L1D, OPT_L1I, OPT_L2SIZE, OPT_L3SIZE,
       OPT_L1D_ASSOC, OPT_L1I_ASSOC, OPT_L2_ASSOC, OPT_L3_ASSOC, OPT_LINE, OPT_REPL, OPT_MEM_TYPE,
       OPT_MEM_CHANNELS, OPT_WARMUP, OPT_COLD, OPT_PARAM };

const struct option config_hierarchy_options[CONFIG_HIERARCHY_NOPTS] = {
    { "cpu-type", required_argument, 0, OPT_CPU },
    { "restore-with-cpu", required_argument, 0, OPT_RESTORE_CPU },
    { "caches", no_argument, 0, OPT_CACHES },
    { "l2cache", no_argument, 0, OPT_L2 },
    { "l3cache", no_argument, 0, OPT_L3 },
    { "l1d_size", required_argument, 0, OPT_L1D },
    { "l1i_size", required_argument, 0, OPT_L1I },
    { "l2_size", required_argument, 0, OPT_L2SIZE },
    { "l3_size", required_argument, 0, OPT_L3SIZE },
    { "l1d_assoc", required_argument, 0, OPT_L1D_ASSOC },
    { "l1i_assoc", required_argument, 0, OPT_L1I_ASSOC },
    { "l2_assoc", required_argument, 0, OPT_L2_ASSOC },
    { "l3_assoc", required_argument, 0, OPT_L3_ASSOC },
    { "cacheline_size", required_argument, 0, OPT_LINE },
    { "replacement-policy", required_argument, 0, OPT_REPL },
    { "mem-type", required_argument, 0, OPT_MEM_TYPE },
    { "mem-channels", required_argument, 0, OPT_MEM_CHANNELS },
    { "fast-forward", required_argument, 0, 'F' },
    { "warmup-insts", required_argument, 0, OPT_WARMUP },
    { "cold-caches", no_argument, 0, OPT_COLD },
    { "param", required_argument, 0, OPT_PARAM },
};

void config_merge_options(struct option *all, const struct option *own, size_t n_own)
{
    /* own ends with its { 0 } terminator: the shared ones go before it. */
    memcpy(all, own, (n_own - 1) * sizeof *own);
    memcpy(all + n_own - 1, config_hierarchy_options, sizeof config_hierarchy_options);
    memset(all + n_own - 1 + CONFIG_HIERARCHY_NOPTS, 0, sizeof *all);
}

void config_hierarchy_usage(FILE *out)
{
    fprintf(out,
            "\n"
            "CPU models and the memory hierarchy (gem5 names and defaults):\n"
            "  --cpu-type TYPE          atomic (AtomicSimpleCPU, the default), timing (TimingSimpleCPU:\n"
            "                           in order, blocking, with the caches and memory below) or o3\n"
            "                           (DerivO3CPU, O3CPU, X86O3CPU: out of order, docs/o3.md)\n"
            "  --restore-with-cpu TYPE  CPU model that restores, before switching to --cpu-type (default atomic)\n"
            "  -F, --fast-forward N     run N instructions on --restore-with-cpu (or atomic), then\n"
            "                           switch to --cpu-type\n"
            "  --warmup-insts N         warm the caches during the last N of those instructions\n"
            "  --cold-caches            start with empty caches even when the checkpoint carries their\n"
            "                           contents (a checkpoint taken under the timing model does)\n"
            "  --caches                 L1I 32kB and L1D 64kB, 2-way, 64B lines (--l1i_size, --l1d_size,\n"
            "                           --l1i_assoc, --l1d_assoc, --cacheline_size)\n"
            "  --l2cache                a 2MB 8-way L2 (--l2_size, --l2_assoc)\n"
            "  --l3cache                a 16MB 16-way L3 (--l3_size, --l3_assoc)\n"
            "  --replacement-policy P   LRU (default), Random or FIFO\n"
            "  --mem-type TYPE          DDR3_1600_8x8 (default) or SimpleMemory\n"
            "  --mem-channels N         memory channels (default 1)\n"
            "%s", o3_usage);
}

void config_hierarchy_defaults(struct machine_config *cfg)
{
    cfg->cpu_type = CPU_ATOMIC;
    cfg->restore_with_cpu = CPU_ATOMIC;
    cfg->l1d_size = 64 << 10;
    cfg->l1i_size = 32 << 10;
    cfg->l2_size = 2 << 20;
    cfg->l3_size = 16 << 20;
    cfg->l1d_assoc = cfg->l1i_assoc = 2;
    cfg->l2_assoc = 8;
    cfg->l3_assoc = 16;
    cfg->cacheline_size = 64;
    cfg->replacement_policy = "LRU";
    cfg->mem_type = "DDR3_1600_8x8";
    cfg->mem_channels = 1;
}

static enum cpu_kind parse_cpu(const char *opt, const char *s)
{
    if (!strcmp(s, "atomic") || !strcmp(s, "AtomicSimpleCPU") || !strcmp(s, "X86AtomicSimpleCPU"))
        return CPU_ATOMIC;
    if (!strcmp(s, "timing") || !strcmp(s, "TimingSimpleCPU") || !strcmp(s, "X86TimingSimpleCPU"))
        return CPU_TIMING;
    if (!strcmp(s, "kvm") || !strcmp(s, "X86KvmCPU") || !strcmp(s, "KvmCPU"))
        return CPU_KVM;   /* machine/cpus.c says what runs instead where KVM cannot */
    if (!strcmp(s, "o3") || !strcmp(s, "DerivO3CPU") || !strcmp(s, "O3CPU") || !strcmp(s, "X86O3CPU"))
        return CPU_O3;
    fatal(opt, "unknown CPU type '%s' (choose atomic, timing, o3 or kvm; gem5's AtomicSimpleCPU, "
          "TimingSimpleCPU, DerivO3CPU and X86KvmCPU are accepted too)", s);
}

static uint64_t parse_size(const char *opt, const char *s)
{
    uint64_t v;
    if (!config_parse_size(s, &v) || v == 0)
        fatal(opt, "'%s' is not a size (e.g. 32kB, 2MB)", s);
    return v;
}

static unsigned parse_assoc(const char *opt, const char *s)
{
    uint64_t v = config_parse_u64(opt, s);
    if (v < 1 || v > 64)
        fatal(opt, "'%s': choose an associativity from 1 to 64 ways", s);
    return (unsigned)v;
}

bool config_hierarchy_option(struct machine_config *cfg, int opt, const char *arg)
{
    switch (opt) {
    case OPT_CPU: cfg->cpu_type = parse_cpu("--cpu-type", arg); return true;
    case OPT_RESTORE_CPU: cfg->restore_with_cpu = parse_cpu("--restore-with-cpu", arg); return true;
    case OPT_CACHES: cfg->caches = true; return true;
    case OPT_L2: cfg->l2cache = true; return true;
    case OPT_L3: cfg->l3cache = true; return true;
    case OPT_L1D: cfg->l1d_size = parse_size("--l1d_size", arg); return true;
    case OPT_L1I: cfg->l1i_size = parse_size("--l1i_size", arg); return true;
    case OPT_L2SIZE: cfg->l2_size = parse_size("--l2_size", arg); return true;
    case OPT_L3SIZE: cfg->l3_size = parse_size("--l3_size", arg); return true;
    case OPT_L1D_ASSOC: cfg->l1d_assoc = parse_assoc("--l1d_assoc", arg); return true;
    case OPT_L1I_ASSOC: cfg->l1i_assoc = parse_assoc("--l1i_assoc", arg); return true;
    case OPT_L2_ASSOC: cfg->l2_assoc = parse_assoc("--l2_assoc", arg); return true;
    case OPT_L3_ASSOC: cfg->l3_assoc = parse_assoc("--l3_assoc", arg); return true;
    case OPT_LINE: {
        uint64_t line = config_parse_u64("--cacheline_size", arg);
        if (line < 16 || line > 4096 || (line & (line - 1)))
            fatal("--cacheline_size", "'%s' is not a power of two from 16 to 4096 bytes", arg);
        cfg->cacheline_size = (unsigned)line;
        return true;
    }
    case OPT_REPL:
        if (strcmp(arg, "LRU") && strcmp(arg, "Random") && strcmp(arg, "FIFO"))
            fatal("--replacement-policy", "'%s': choose LRU, Random or FIFO", arg);
        cfg->replacement_policy = arg;
        return true;
    case OPT_MEM_TYPE:
        if (strcmp(arg, "DDR3_1600_8x8") && strcmp(arg, "SimpleMemory"))
            fatal("--mem-type", "'%s': choose DDR3_1600_8x8 or SimpleMemory", arg);
        cfg->mem_type = arg;
        return true;
    case OPT_MEM_CHANNELS: {
        uint64_t n = config_parse_u64("--mem-channels", arg);
        if (n < 1 || n > 16 || (n & (n - 1)))
            fatal("--mem-channels", "'%s': choose 1, 2, 4, 8 or 16 channels", arg);
        cfg->mem_channels = (unsigned)n;
        return true;
    }
    case 'F': cfg->fast_forward = config_parse_u64("--fast-forward", arg); return true;
    case OPT_WARMUP: cfg->warmup_insts = config_parse_u64("--warmup-insts", arg); return true;
    case OPT_COLD: cfg->cold_caches = true; return true;
    case OPT_PARAM: {
        struct o3_params scratch;
        char why[256];
        o3_params_defaults(&scratch);
        if (!o3_param_set(&scratch, arg, why, sizeof why))
            fatal("--param", "%s", why);
        if (cfg->nparams >= CONFIG_MAX_PARAMS)
            fatal("--param", "at most %d parameters", CONFIG_MAX_PARAMS);
        cfg->params[cfg->nparams++] = arg;
        return true;
    }
    default: return false;
    }
}

void config_hierarchy_check(const struct machine_config *cfg)
{
    if (cfg->warmup_insts && cfg->warmup_insts > cfg->fast_forward && cfg->fast_forward)
        fatal("--warmup-insts", "warming %llu instructions needs at least that many to fast-forward (-F %llu)",
              (unsigned long long)cfg->warmup_insts, (unsigned long long)cfg->fast_forward);
    if (cfg->warmup_insts && !cfg->fast_forward)
        fatal("--warmup-insts", "warming happens at the end of a fast-forward: give -F N as well");
    if ((cfg->l2cache || cfg->l3cache) && !cfg->caches)
        fatal(cfg->l2cache ? "--l2cache" : "--l3cache", "an L2 or L3 needs L1 caches: add --caches, as gem5 does");
    if (cfg->l3cache && !cfg->l2cache)
        fatal("--l3cache", "an L3 sits below an L2: add --l2cache");
}

void config_memsys(const struct machine_config *cfg, uint64_t cpu_period, uint64_t mem_size,
                   struct memsys_config *c)
{
    memsys_config_defaults(c);   /* gem5's latencies and MSHRs; the flags choose the rest */
    c->num_cpus = (unsigned)(cfg->num_cpus > 0 ? cfg->num_cpus : 1);
    c->cpu_period_ticks = cpu_period;
    c->caches = cfg->caches;
    c->l2cache = cfg->l2cache;
    c->l3cache = cfg->l3cache;
    c->line_size = cfg->cacheline_size;
    c->l1i.size = cfg->l1i_size;
    c->l1d.size = cfg->l1d_size;
    c->l2.size = cfg->l2_size;
    c->l3.size = cfg->l3_size;
    c->l1i.assoc = cfg->l1i_assoc;
    c->l1d.assoc = cfg->l1d_assoc;
    c->l2.assoc = cfg->l2_assoc;
    c->l3.assoc = cfg->l3_assoc;
    c->replacement = cfg->replacement_policy;
    c->mem_type = cfg->mem_type;
    c->mem_size = mem_size;
    c->mem_channels = cfg->mem_channels;
}

void config_o3_params(const struct machine_config *cfg, struct o3_params *p)
{
    char why[256];
    o3_params_defaults(p);
    for (int i = 0; i < cfg->nparams; i++)
        if (!o3_param_set(p, cfg->params[i], why, sizeof why))
            fatal("--param", "%s", why);
}
