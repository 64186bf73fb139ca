/*
 * o3.h - the out-of-order CPU model (gem5's DerivO3CPU / X86O3CPU),
 * functional first: the interpreter executes every instruction, and the
 * model times the stream it retires (o3_core.c; docs/o3.md).
 *
 * The parameters carry gem5 v24's names and defaults (src/cpu/o3/
 * BaseO3CPU.py, X86CPU.py's X86O3CPU and DefaultX86FUPool) so that
 * `--param 'system.cpu.numROBEntries=192'` reads as it would in gem5, and
 * config.ini records them under [system.cpu].
 */
#ifndef M5SIM_CPU_O3_H
#define M5SIM_CPU_O3_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/model.h"
#include "cpu/timing.h"

struct memsys;
struct stats_group;

/* The branch predictors a run may choose (system.cpu.branchPred). */
enum o3_bpred_kind { O3_BP_TOURNAMENT, O3_BP_LOCAL, O3_BP_TAGE };

struct o3_params {
    unsigned fetchWidth, fetchBufferSize, fetchQueueSize, decodeWidth, renameWidth, dispatchWidth,
        issueWidth, wbWidth, commitWidth, squashWidth;
    unsigned fetchToDecodeDelay, decodeToRenameDelay, renameToIEWDelay, issueToExecuteDelay,
        iewToCommitDelay, iewToFetchDelay, commitToFetchDelay;
    unsigned numROBEntries, numIQEntries, LQEntries, SQEntries;
    unsigned numPhysIntRegs, numPhysFloatRegs, numPhysVecRegs;
    unsigned LFSTSize, SSITSize;
    /* The functional-unit pool (DefaultX86FUPool): units per kind. */
    unsigned intAluCount, intMultDivCount, fpAluCount, fpMultDivCount, simdCount, rdWrPortCount;
    unsigned intMultLat, intDivLat;   /* X86IntMultDiv: IntMult 3, IntDiv 1 (a micro-op loop) */
    /* system.cpu.branchPred */
    enum o3_bpred_kind bpred;
    unsigned localPredictorSize, localHistoryTableSize, globalPredictorSize, choicePredictorSize;
    unsigned BTBEntries, RASEntries;
};

void o3_params_defaults(struct o3_params *p);
/*
 * One `--param NAME=VALUE`: NAME is gem5's path (system.cpu.numROBEntries,
 * system.cpu.branchPred=TAGE, system.cpu.branchPred.btb.numEntries...).
 * Returns false with why[] set if the name or value is not accepted.
 */
bool o3_param_set(struct o3_params *p, const char *assignment, char *why, size_t why_len);
/* The parameters as config.ini's [system.cpu] and [system.cpu.branchPred] sections. */
void o3_write_config(const struct o3_params *p, FILE *f);

struct o3_cpu_config {
    struct o3_params params;
    struct timing_cpu_config mem;   /* the memory side, as the timing model's (timing.h) */
};

struct cpu_model *cpu_model_o3_new(struct cpu *cpu, const struct o3_cpu_config *cfg);
/*
 * Functional warming for an O3 run (--warmup-insts): the atomic model's
 * time while every access updates the caches and every branch trains the
 * O3 model's predictors, BTB and RAS. Part of `o3` (freed with it).
 */
struct cpu_model *cpu_model_o3_warming(struct cpu_model *o3);
/* gem5's O3 statistics and m5sim's CPI stack under `cpu` (system.cpu). */
void o3_cpu_register_stats(struct cpu_model *model, struct stats_group *cpu);
/* The o3 model's name for the usage text. */
extern const char o3_usage[];

#endif
