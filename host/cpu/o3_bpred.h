/*
 * o3_bpred.h - the O3 model's branch prediction unit: a direction
 * predictor (gem5's TournamentBP by default, LocalBP, or a TAGE-style one),
 * a branch target buffer (SimpleBTB) and a return-address stack
 * (o3_bpred.c). Functional first, the outcome of every branch is known when
 * it is predicted: predict and update happen at once, in program order,
 * which is what gem5's predictor sees once squashed paths are discarded.
 */
#ifndef M5SIM_CPU_O3_BPRED_H
#define M5SIM_CPU_O3_BPRED_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/o3.h"

#define TAGE_TABLES 4

struct tage_entry { uint16_t tag; int8_t ctr; uint8_t u; };

struct o3_bpred {
    enum o3_bpred_kind kind;
    /* Local history (Tournament) or bimodal (Local) counters. */
    uint8_t *local_ctr;
    uint16_t *local_hist;
    unsigned local_mask, local_hist_mask, local_hist_bits;
    /* Tournament: global and choice counters, global history. */
    uint8_t *global_ctr, *choice_ctr;
    unsigned global_mask, choice_mask;
    uint64_t ghist;
    /* TAGE: a bimodal base and tagged tables of geometric history lengths. */
    struct tage_entry *tage[TAGE_TABLES];
    unsigned tage_bits;
    uint64_t phist_hi;   /* history bits 64..127 for the longest table */
    /* BTB: direct-mapped, tagged. */
    uint64_t *btb_tag, *btb_target;
    unsigned btb_mask;
    /*
     * Indirect targets (gem5's SimpleIndirectPredictor): INDIRECT_SETS sets of
     * INDIRECT_WAYS, indexed by the address hashed with 13 bits of global
     * history and the last 3 indirect targets, tagged with 16 address bits.
     */
    struct { uint64_t target; uint16_t tag; uint8_t valid, age; } ind[256][2];   /* [IND_SETS][IND_WAYS] */
    uint64_t ind_path[3];
    /* RAS */
    uint64_t *ras;
    unsigned ras_size, ras_top, ras_count;
};

enum o3_branch_kind { BR_COND, BR_UNCOND_DIRECT, BR_INDIRECT, BR_CALL_DIRECT, BR_CALL_INDIRECT, BR_RETURN };

/* What prediction said and whether it was right. */
struct o3_branch_outcome {
    bool mispredicted;      /* fetch went to the wrong place: resolved at execute */
    bool early_resteer;     /* a direct target missing from the BTB: decode redirects fetch */
    bool cond_incorrect, btb_hit, btb_lookup, target_wrong, pred_taken;
    bool ras_used, indirect;
    bool indirect_hit;      /* the indirect predictor had a target for it */
};

void o3_bpred_init(struct o3_bpred *bp, const struct o3_params *p);
void o3_bpred_free(struct o3_bpred *bp);
/* Predict the branch at pc of this kind and train with its real outcome (taken, target). */
struct o3_branch_outcome o3_bpred_branch(struct o3_bpred *bp, enum o3_branch_kind kind, uint64_t pc,
                                         uint64_t fallthrough, bool taken, uint64_t target);

#endif
