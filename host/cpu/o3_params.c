/*
 * o3_params.c - the O3 model's parameters by gem5's names (o3.h): the
 * defaults of gem5 v24's BaseO3CPU.py, X86O3CPU's DefaultX86FUPool and
 * BranchPredictor.py, `--param` assignments, and config.ini.
 */
#include "cpu/o3.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void o3_params_defaults(struct o3_params *p)
{
    *p = (struct o3_params){
        .fetchWidth = 8, .fetchBufferSize = 64, .fetchQueueSize = 32, .decodeWidth = 8, .renameWidth = 8,
        .dispatchWidth = 8, .issueWidth = 8, .wbWidth = 8, .commitWidth = 8, .squashWidth = 8,
        .fetchToDecodeDelay = 1, .decodeToRenameDelay = 1, .renameToIEWDelay = 2, .issueToExecuteDelay = 1,
        .iewToCommitDelay = 1, .iewToFetchDelay = 1, .commitToFetchDelay = 1,
        .numROBEntries = 192, .numIQEntries = 64, .LQEntries = 32, .SQEntries = 32,
        .numPhysIntRegs = 256, .numPhysFloatRegs = 256, .numPhysVecRegs = 256,
        .LFSTSize = 1024, .SSITSize = 1024,
        .intAluCount = 6, .intMultDivCount = 2, .fpAluCount = 4, .fpMultDivCount = 2, .simdCount = 4,
        .rdWrPortCount = 4, .intMultLat = 3, .intDivLat = 1,
        .bpred = O3_BP_TOURNAMENT,
        .localPredictorSize = 2048, .localHistoryTableSize = 2048, .globalPredictorSize = 8192,
        .choicePredictorSize = 8192, .BTBEntries = 4096, .RASEntries = 16,
    };
}

#define P(name, path) { path, offsetof(struct o3_params, name) }
static const struct { const char *name; size_t off; } params[] = {
    P(fetchWidth, "fetchWidth"), P(fetchBufferSize, "fetchBufferSize"), P(fetchQueueSize, "fetchQueueSize"),
    P(decodeWidth, "decodeWidth"), P(renameWidth, "renameWidth"), P(dispatchWidth, "dispatchWidth"),
    P(issueWidth, "issueWidth"), P(wbWidth, "wbWidth"), P(commitWidth, "commitWidth"),
    P(squashWidth, "squashWidth"), P(fetchToDecodeDelay, "fetchToDecodeDelay"),
    P(decodeToRenameDelay, "decodeToRenameDelay"), P(renameToIEWDelay, "renameToIEWDelay"),
    P(issueToExecuteDelay, "issueToExecuteDelay"), P(iewToCommitDelay, "iewToCommitDelay"),
    P(iewToFetchDelay, "iewToFetchDelay"), P(commitToFetchDelay, "commitToFetchDelay"),
    P(numROBEntries, "numROBEntries"), P(numIQEntries, "numIQEntries"), P(LQEntries, "LQEntries"),
    P(SQEntries, "SQEntries"), P(numPhysIntRegs, "numPhysIntRegs"), P(numPhysFloatRegs, "numPhysFloatRegs"),
    P(numPhysVecRegs, "numPhysVecRegs"), P(LFSTSize, "LFSTSize"), P(SSITSize, "SSITSize"),
    P(intAluCount, "fuPool.FUList0.count"), P(intMultDivCount, "fuPool.FUList1.count"),
    P(fpAluCount, "fuPool.FUList2.count"), P(fpMultDivCount, "fuPool.FUList3.count"),
    P(simdCount, "fuPool.FUList5.count"), P(rdWrPortCount, "fuPool.FUList8.count"),
    P(intMultLat, "fuPool.FUList1.opList0.opLat"), P(intDivLat, "fuPool.FUList1.opList1.opLat"),
    P(localPredictorSize, "branchPred.localPredictorSize"),
    P(localHistoryTableSize, "branchPred.localHistoryTableSize"),
    P(globalPredictorSize, "branchPred.globalPredictorSize"),
    P(choicePredictorSize, "branchPred.choicePredictorSize"), P(BTBEntries, "branchPred.btb.numEntries"),
    P(RASEntries, "branchPred.ras.numEntries"),
};

static const char *const bpred_names[] = { "TournamentBP", "LocalBP", "TAGE" };

const char o3_usage[] =
    "  --param NAME=VALUE       an O3 parameter by gem5's name (--cpu-type o3): e.g.\n"
    "                           system.cpu.numROBEntries=192, system.cpu.issueWidth=8,\n"
    "                           system.cpu.branchPred=TournamentBP|LocalBP|TAGE (docs/o3.md)\n";

bool o3_param_set(struct o3_params *p, const char *assignment, char *why, size_t why_len)
{
    const char *eq = strchr(assignment, '=');
    if (!eq) {
        snprintf(why, why_len, "'%s': expected NAME=VALUE", assignment);
        return false;
    }
    size_t n = (size_t)(eq - assignment);
    const char *name = assignment, *value = eq + 1;
    static const char prefix[] = "system.cpu.";
    if (n > strlen(prefix) && !strncmp(name, prefix, strlen(prefix))) {
        name += strlen(prefix);
        n -= strlen(prefix);
    }
    if (n == strlen("branchPred") && !strncmp(name, "branchPred", n)) {
        for (unsigned i = 0; i < sizeof bpred_names / sizeof *bpred_names; i++) {
            /* gem5's TAGE and LTAGE/TAGE_SC_L map to our one TAGE-style predictor. */
            if (!strcmp(value, bpred_names[i]) || (i == O3_BP_TAGE && (!strcmp(value, "LTAGE") ||
                                                                        !strcmp(value, "TAGE_SC_L")))) {
                p->bpred = (enum o3_bpred_kind)i;
                return true;
            }
        }
        snprintf(why, why_len, "branchPred '%s': choose TournamentBP, LocalBP or TAGE", value);
        return false;
    }
    for (unsigned i = 0; i < sizeof params / sizeof *params; i++) {
        if (strlen(params[i].name) != n || strncmp(params[i].name, name, n))
            continue;
        char *end;
        unsigned long v = strtoul(value, &end, 0);
        if (!*value || *end || v < 1 || v > 1u << 20) {
            snprintf(why, why_len, "%s '%s': expected a number from 1 to %u", params[i].name, value, 1u << 20);
            return false;
        }
        *(unsigned *)((char *)p + params[i].off) = (unsigned)v;
        return true;
    }
    snprintf(why, why_len, "unknown parameter '%.*s' (docs/o3.md lists them)", (int)n, name);
    return false;
}

void o3_write_config(const struct o3_params *p, FILE *f)
{
    fprintf(f, "[system.cpu]\ntype=X86O3CPU\n");
    for (unsigned i = 0; i < sizeof params / sizeof *params; i++)
        if (strncmp(params[i].name, "branchPred.", 11) && strncmp(params[i].name, "fuPool.", 7))
            fprintf(f, "%s=%u\n", params[i].name, *(const unsigned *)((const char *)p + params[i].off));
    fprintf(f, "\n[system.cpu.branchPred]\ntype=%s\n", bpred_names[p->bpred]);
    for (unsigned i = 0; i < sizeof params / sizeof *params; i++)
        if (!strncmp(params[i].name, "branchPred.", 11))
            fprintf(f, "%s=%u\n", params[i].name + 11, *(const unsigned *)((const char *)p + params[i].off));
    fprintf(f, "\n[system.cpu.fuPool]\ntype=DefaultX86FUPool\n");
    for (unsigned i = 0; i < sizeof params / sizeof *params; i++)
        if (!strncmp(params[i].name, "fuPool.", 7))
            fprintf(f, "%s=%u\n", params[i].name + 7, *(const unsigned *)((const char *)p + params[i].off));
    fputc('\n', f);
}
