/*
 * o3_bpred.c - direction predictors, BTB and RAS for the O3 model
 * (o3_bpred.h). The structures follow gem5 v24's src/cpu/pred/:
 *  - TournamentBP (the O3 default): per-branch local histories of
 *    log2(localPredictorSize) bits index 2-bit local counters; the global
 *    history indexes 2-bit global counters and 2-bit choice counters that
 *    pick between the two;
 *  - LocalBP: 2-bit counters indexed by the branch address (bimodal);
 *  - TAGE: a bimodal base and TAGE_TABLES tagged tables indexed by the
 *    address hashed with 4, 12, 28 and 64 bits of global history; the
 *    longest matching table provides the prediction, a misprediction
 *    allocates an entry in a longer table (a small TAGE, not gem5's
 *    TAGE_SC_L: no loop predictor, no statistical corrector).
 * Indirect jumps and calls take their target from a SimpleIndirectPredictor-
 * like table (256 sets, 2 ways, indexed by the address, 13 bits of global
 * history and the last 3 indirect targets), the BTB when it has none.
 * Addresses are shifted right by gem5's instShiftAmt (2) before indexing.
 */
#include "cpu/o3_bpred.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define SHIFT 2

static const unsigned tage_hist_len[TAGE_TABLES] = { 4, 12, 28, 64 };

static void *zalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        fatal("memory", "out of memory");
    return p;
}

static unsigned log2u(unsigned v)
{
    unsigned b = 0;
    while ((1u << (b + 1)) <= v)
        b++;
    return b;
}

/* Sizes are rounded down to powers of two, as gem5 requires them. */
static unsigned pow2_mask(unsigned v)
{
    return v ? (1u << log2u(v)) - 1 : 0;
}

void o3_bpred_init(struct o3_bpred *bp, const struct o3_params *p)
{
    *bp = (struct o3_bpred){ .kind = p->bpred };
    bp->local_mask = pow2_mask(p->localPredictorSize);
    bp->local_ctr = zalloc(bp->local_mask + 1, 1);
    for (unsigned i = 0; i <= bp->local_mask; i++)
        bp->local_ctr[i] = 1;   /* weakly not taken */
    bp->local_hist_mask = pow2_mask(p->localHistoryTableSize);
    bp->local_hist = zalloc(bp->local_hist_mask + 1, sizeof *bp->local_hist);
    bp->local_hist_bits = log2u(bp->local_mask + 1);
    bp->global_mask = pow2_mask(p->globalPredictorSize);
    bp->global_ctr = zalloc(bp->global_mask + 1, 1);
    bp->choice_mask = pow2_mask(p->choicePredictorSize);
    bp->choice_ctr = zalloc(bp->choice_mask + 1, 1);
    for (unsigned i = 0; i <= bp->global_mask; i++)
        bp->global_ctr[i] = 1;
    for (unsigned i = 0; i <= bp->choice_mask; i++)
        bp->choice_ctr[i] = 1;
    bp->tage_bits = 10;
    for (unsigned t = 0; t < TAGE_TABLES; t++)
        bp->tage[t] = zalloc(1u << bp->tage_bits, sizeof(struct tage_entry));
    bp->btb_mask = pow2_mask(p->BTBEntries);
    bp->btb_tag = zalloc(bp->btb_mask + 1, sizeof(uint64_t));
    bp->btb_target = zalloc(bp->btb_mask + 1, sizeof(uint64_t));
    for (unsigned i = 0; i <= bp->btb_mask; i++)
        bp->btb_tag[i] = ~0ull;
    bp->ras_size = p->RASEntries ? p->RASEntries : 1;
    bp->ras = zalloc(bp->ras_size, sizeof(uint64_t));
}

void o3_bpred_free(struct o3_bpred *bp)
{
    free(bp->local_ctr);
    free(bp->local_hist);
    free(bp->global_ctr);
    free(bp->choice_ctr);
    for (unsigned t = 0; t < TAGE_TABLES; t++)
        free(bp->tage[t]);
    free(bp->btb_tag);
    free(bp->btb_target);
    free(bp->ras);
}

static void ctr2_update(uint8_t *c, bool taken)
{
    if (taken && *c < 3)
        (*c)++;
    else if (!taken && *c > 0)
        (*c)--;
}

static uint64_t hist_bits(const struct o3_bpred *bp, unsigned len)
{
    return len >= 64 ? bp->ghist : bp->ghist & ((1ull << len) - 1);
}

/* Fold `len` bits of history into `bits` bits. */
static unsigned fold(uint64_t h, unsigned bits)
{
    unsigned r = 0;
    while (h) {
        r ^= (unsigned)(h & ((1u << bits) - 1));
        h >>= bits;
    }
    return r;
}

static unsigned tage_index(const struct o3_bpred *bp, unsigned t, uint64_t pc)
{
    uint64_t h = hist_bits(bp, tage_hist_len[t]);
    return (unsigned)((pc ^ (pc >> bp->tage_bits) ^ fold(h, bp->tage_bits) ^ (t * 0x9e5u)) &
                      ((1u << bp->tage_bits) - 1));
}

static uint16_t tage_tag(const struct o3_bpred *bp, unsigned t, uint64_t pc)
{
    uint64_t h = hist_bits(bp, tage_hist_len[t]);
    return (uint16_t)(((pc >> 3) ^ fold(h, 9) ^ (fold(h, 8) << 1)) & 0x1ff) | 0x200;   /* never 0: empty */
}

/* Direction of a conditional branch; trains the predictor with the outcome. */
static bool direction(struct o3_bpred *bp, uint64_t pc, bool taken)
{
    uint64_t a = pc >> SHIFT;
    bool pred;
    switch (bp->kind) {
    case O3_BP_LOCAL: {
        uint8_t *c = &bp->local_ctr[a & bp->local_mask];
        pred = *c >= 2;
        ctr2_update(c, taken);
        break;
    }
    case O3_BP_TAGE: {
        int provider = -1, alt = -1;
        unsigned idx[TAGE_TABLES];
        uint16_t tag[TAGE_TABLES];
        for (int t = TAGE_TABLES - 1; t >= 0; t--) {
            idx[t] = tage_index(bp, (unsigned)t, a);
            tag[t] = tage_tag(bp, (unsigned)t, a);
            if (bp->tage[t][idx[t]].tag == tag[t]) {
                if (provider < 0)
                    provider = t;
                else if (alt < 0)
                    alt = t;
            }
        }
        uint8_t *base = &bp->local_ctr[a & bp->local_mask];
        bool base_pred = *base >= 2;
        bool alt_pred = alt >= 0 ? bp->tage[alt][idx[alt]].ctr >= 0 : base_pred;
        pred = provider >= 0 ? bp->tage[provider][idx[provider]].ctr >= 0 : base_pred;
        if (provider >= 0) {
            struct tage_entry *e = &bp->tage[provider][idx[provider]];
            if (pred != alt_pred) {
                if (pred == taken && e->u < 3)
                    e->u++;
                else if (pred != taken && e->u > 0)
                    e->u--;
            }
            if (taken && e->ctr < 3)
                e->ctr++;
            else if (!taken && e->ctr > -4)
                e->ctr--;
        } else {
            ctr2_update(base, taken);
        }
        if (pred != taken && provider < TAGE_TABLES - 1) {
            bool placed = false;
            for (int t = provider + 1; t < TAGE_TABLES; t++) {
                struct tage_entry *e = &bp->tage[t][idx[t]];
                if (e->u == 0) {
                    *e = (struct tage_entry){ .tag = tag[t], .ctr = taken ? 0 : -1, .u = 0 };
                    placed = true;
                    break;
                }
            }
            if (!placed)
                for (int t = provider + 1; t < TAGE_TABLES; t++)
                    if (bp->tage[t][idx[t]].u)
                        bp->tage[t][idx[t]].u--;
        }
        break;
    }
    case O3_BP_TOURNAMENT:
    default: {
        uint16_t *lh = &bp->local_hist[a & bp->local_hist_mask];
        uint8_t *lc = &bp->local_ctr[*lh & bp->local_mask];
        uint8_t *gc = &bp->global_ctr[bp->ghist & bp->global_mask];
        uint8_t *cc = &bp->choice_ctr[bp->ghist & bp->choice_mask];
        bool lp = *lc >= 2, gp = *gc >= 2;
        pred = *cc >= 2 ? gp : lp;
        if (lp != gp)
            ctr2_update(cc, gp == taken);
        ctr2_update(lc, taken);
        ctr2_update(gc, taken);
        *lh = (uint16_t)(((*lh << 1) | taken) & ((1u << bp->local_hist_bits) - 1));
        break;
    }
    }
    bp->ghist = (bp->ghist << 1) | taken;
    return pred;
}

#define IND_SETS 256
#define IND_WAYS 2
#define IND_PATH 3

static unsigned ind_set(const struct o3_bpred *bp, uint64_t pc)
{
    uint64_t h = (pc >> SHIFT) ^ (bp->ghist & 0x1fff);
    for (unsigned i = 0; i < IND_PATH; i++)
        h ^= (bp->ind_path[i] >> SHIFT) << (i + 1);
    return (unsigned)(h ^ (h >> 8) ^ (h >> 16)) & (IND_SETS - 1);
}

static uint16_t ind_tag(uint64_t pc)
{
    return (uint16_t)(pc >> SHIFT);
}

/* The indirect predictor's target for pc under the current histories, if it has one. */
static bool ind_lookup(const struct o3_bpred *bp, uint64_t pc, uint64_t *target)
{
    unsigned set = ind_set(bp, pc);
    for (unsigned w = 0; w < IND_WAYS; w++)
        if (bp->ind[set][w].valid && bp->ind[set][w].tag == ind_tag(pc)) {
            *target = bp->ind[set][w].target;
            return true;
        }
    return false;
}

static void ind_update(struct o3_bpred *bp, uint64_t pc, uint64_t target)
{
    unsigned set = ind_set(bp, pc), way = 0;
    for (unsigned w = 0; w < IND_WAYS; w++) {
        if (bp->ind[set][w].valid && bp->ind[set][w].tag == ind_tag(pc)) {
            way = w;
            break;
        }
        if (!bp->ind[set][w].valid || bp->ind[set][w].age > bp->ind[set][way].age)
            way = w;
    }
    for (unsigned w = 0; w < IND_WAYS; w++)
        if (bp->ind[set][w].age < 255)
            bp->ind[set][w].age++;
    bp->ind[set][way].target = target;
    bp->ind[set][way].tag = ind_tag(pc);
    bp->ind[set][way].valid = 1;
    bp->ind[set][way].age = 0;
    memmove(&bp->ind_path[1], &bp->ind_path[0], (IND_PATH - 1) * sizeof bp->ind_path[0]);
    bp->ind_path[0] = target;
}

/* BTB: returns whether it holds pc's target, and that target. */
static bool btb_lookup(const struct o3_bpred *bp, uint64_t pc, uint64_t *target)
{
    unsigned i = (unsigned)((pc >> SHIFT) & bp->btb_mask);
    if (bp->btb_tag[i] != pc)
        return false;
    *target = bp->btb_target[i];
    return true;
}

static void btb_update(struct o3_bpred *bp, uint64_t pc, uint64_t target)
{
    unsigned i = (unsigned)((pc >> SHIFT) & bp->btb_mask);
    bp->btb_tag[i] = pc;
    bp->btb_target[i] = target;
}

struct o3_branch_outcome o3_bpred_branch(struct o3_bpred *bp, enum o3_branch_kind kind, uint64_t pc,
                                         uint64_t fallthrough, bool taken, uint64_t target)
{
    struct o3_branch_outcome o = { 0 };
    bool pred_taken = true;
    if (kind == BR_COND) {
        pred_taken = direction(bp, pc, taken);
        o.cond_incorrect = pred_taken != taken;
    }
    o.pred_taken = pred_taken;
    if (kind == BR_CALL_DIRECT || kind == BR_CALL_INDIRECT) {
        bp->ras_top = (bp->ras_top + 1) % bp->ras_size;
        bp->ras[bp->ras_top] = fallthrough;
        if (bp->ras_count < bp->ras_size)
            bp->ras_count++;
    }
    if (kind == BR_RETURN) {
        o.ras_used = true;
        uint64_t predicted = bp->ras_count ? bp->ras[bp->ras_top] : 0;
        if (bp->ras_count) {
            bp->ras_top = (bp->ras_top + bp->ras_size - 1) % bp->ras_size;
            bp->ras_count--;
        }
        o.target_wrong = predicted != target;
        o.mispredicted = o.target_wrong;
        return o;
    }
    if (!pred_taken) {
        o.mispredicted = taken;
        if (taken)
            btb_update(bp, pc, target);
        return o;
    }
    /* Predicted taken: the target comes from the indirect predictor, or the BTB. */
    uint64_t predicted = 0;
    o.btb_lookup = true;
    o.btb_hit = btb_lookup(bp, pc, &predicted);
    o.indirect = kind == BR_INDIRECT || kind == BR_CALL_INDIRECT;
    if (o.indirect) {
        uint64_t t;
        o.indirect_hit = ind_lookup(bp, pc, &t);
        if (o.indirect_hit)
            predicted = t;
        ind_update(bp, pc, target);
    }
    if (!taken) {
        o.mispredicted = true;   /* predicted taken, fell through */
    } else if (!(o.btb_hit || o.indirect_hit) || predicted != target) {
        o.target_wrong = true;
        /* A direct branch's target is in the instruction: decode redirects fetch. */
        if (o.indirect)
            o.mispredicted = true;
        else
            o.early_resteer = true;
    }
    if (taken)
        btb_update(bp, pc, target);
    return o;
}
