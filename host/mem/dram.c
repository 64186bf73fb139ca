/*
 * dram.c - gem5's DRAM controller timing for one channel, and SimpleMemory
 * (see dram.h; the reasoning and the differences from gem5 are in
 * docs/memory-system.md).
 */
#include "mem/dram.h"

#include <string.h>

#define NS 1000ull   /* ticks */

static uint64_t max2(uint64_t a, uint64_t b) { return a > b ? a : b; }

struct dram_params dram_ddr3_1600_8x8(void)
{
    /* src/mem/DRAMInterface.py, class DDR3_1600_8x8, and MemCtrl.py / MemInterface.py defaults. */
    return (struct dram_params){
        .burst_size = 8 * 8 * 8 / 8,          /* devices_per_rank 8, burst_length 8, x8 devices */
        .row_buffer_size = 1024 * 8,          /* 1 KiB per device, 8 devices */
        .ranks = 2, .banks = 8,
        .rows = 0,                            /* from the channel's capacity, dram_init */
        .tCK = 1250, .tBURST = 5 * NS, .tRCD = 13750, .tCL = 13750, .tCWL = 13750,
        .tRP = 13750, .tRAS = 35 * NS, .tRRD = 6 * NS, .tXAW = 30 * NS, .activation_limit = 4,
        .tRFC = 260 * NS, .tREFI = 7800 * NS, .tWR = 15 * NS, .tWTR = 7500, .tRTP = 7500,
        .tRTW = 2500, .tCS = 2500,
        .frontend_latency = 10 * NS, .backend_latency = 10 * NS,
        .write_buffer_size = 64, .write_low_thresh = 32, .min_writes_per_switch = 16,
    };
}

void dram_init(struct dram_channel *ch, const struct dram_params *p, uint64_t channel_bytes)
{
    memset(ch, 0, sizeof *ch);
    ch->p = *p;
    if (!ch->p.rows) {
        /* gem5: device_size 512 MiB x 8 devices per rank = 4 GiB per rank, whatever mem_size is. */
        uint64_t rank_bytes = 512ull << 20 << 3;
        ch->p.rows = rank_bytes / (ch->p.row_buffer_size * ch->p.banks);
    }
    (void)channel_bytes;
    for (unsigned r = 0; r < DRAM_MAX_RANKS; r++)
        for (unsigned b = 0; b < DRAM_MAX_BANKS; b++)
            ch->rank[r].bank[b].open_row = -1;
}

void dram_decode(const struct dram_channel *ch, uint64_t addr, unsigned *rank, unsigned *bank,
                 uint64_t *row)
{
    /* DRAMInterface::decodePacket, RoRaBaCoCh: burst, column, bank, rank, row (low to high). */
    uint64_t a = addr / ch->p.burst_size;
    a /= ch->p.row_buffer_size / ch->p.burst_size;
    *bank = (unsigned)(a % ch->p.banks);
    a /= ch->p.banks;
    *rank = (unsigned)(a % ch->p.ranks);
    a /= ch->p.ranks;
    *row = a % ch->p.rows;
}

/* Refreshes due by `t` on a rank: the k-th precharges every bank at k*tREFI - tRP and holds the rank tRFC. */
static void apply_refresh(struct dram_channel *ch, struct dram_rank *rk, uint64_t t)
{
    const struct dram_params *p = &ch->p;
    uint64_t due = (t + p->tRP) / p->tREFI;
    if (due <= rk->refreshes_done)
        return;
    ch->st.numRefreshes += due - rk->refreshes_done;
    rk->refreshes_done = due;
    uint64_t ref_end = due * p->tREFI + p->tRFC;
    for (unsigned b = 0; b < p->banks; b++) {
        rk->bank[b].open_row = -1;
        rk->bank[b].act_allowed = max2(rk->bank[b].act_allowed, ref_end);
    }
}

static void precharge(struct dram_channel *ch, struct dram_bank *bk, uint64_t at)
{
    bk->open_row = -1;
    bk->act_allowed = max2(bk->act_allowed, at + ch->p.tRP);
}

static void activate(struct dram_channel *ch, struct dram_rank *rk, struct dram_bank *bk,
                     uint64_t at, int64_t row)
{
    const struct dram_params *p = &ch->p;
    /* tXAW: no more than activation_limit ACTs in any window of tXAW. */
    if (p->activation_limit && rk->act_ticks[p->activation_limit - 1] &&
        at < rk->act_ticks[p->activation_limit - 1] + p->tXAW)
        at = rk->act_ticks[p->activation_limit - 1] + p->tXAW;
    memmove(rk->act_ticks + 1, rk->act_ticks, (p->activation_limit - 1) * sizeof rk->act_ticks[0]);
    rk->act_ticks[0] = at;
    bk->open_row = row;
    bk->pre_allowed = at + p->tRAS;
    bk->rd_allowed = max2(at + p->tRCD, bk->rd_allowed);
    bk->wr_allowed = max2(at + p->tRCD, bk->wr_allowed);
    for (unsigned b = 0; b < p->banks; b++)
        rk->bank[b].act_allowed = max2(rk->bank[b].act_allowed, at + p->tRRD);
}

/* One burst (gem5 DRAMInterface::doBurstAccess); returns its readyTime. */
static uint64_t burst(struct dram_channel *ch, uint64_t addr, bool write, uint64_t now)
{
    const struct dram_params *p = &ch->p;
    unsigned r, b;
    uint64_t row;
    dram_decode(ch, addr, &r, &b, &row);
    struct dram_rank *rk = &ch->rank[r];
    apply_refresh(ch, rk, now);
    struct dram_bank *bk = &rk->bank[b];

    bool row_hit = bk->open_row == (int64_t)row;
    if (!row_hit) {
        if (bk->open_row >= 0)
            precharge(ch, bk, max2(bk->pre_allowed, now));
        activate(ch, rk, bk, max2(bk->act_allowed, now), (int64_t)row);
    }
    uint64_t allowed = write ? max2(bk->wr_allowed, rk->wr_floor) : max2(bk->rd_allowed, rk->rd_floor);
    uint64_t cmd_at = max2(max2(allowed, ch->next_burst_at), now);
    uint64_t ready = cmd_at + (write ? p->tCWL : p->tCL) + p->tBURST;

    /* The next RD/WR to any bank: same rank tBURST or a bus turnaround, other ranks tBURST + tCS. */
    for (unsigned rr = 0; rr < p->ranks; rr++) {
        struct dram_rank *o = &ch->rank[rr];
        uint64_t to_rd, to_wr;
        if (rr == r) {
            to_rd = write ? p->tBURST + p->tWTR + p->tCWL : p->tBURST;
            to_wr = write ? p->tBURST : p->tBURST + p->tRTW;
        } else {
            to_rd = to_wr = p->tBURST + p->tCS;
        }
        o->rd_floor = max2(o->rd_floor, cmd_at + to_rd);
        o->wr_floor = max2(o->wr_floor, cmd_at + to_wr);
    }
    bk->pre_allowed = max2(bk->pre_allowed, write ? ready + p->tWR : cmd_at + p->tRTP);
    ch->next_burst_at = cmd_at + p->tBURST;
    ch->last_was_write = write;

    if (write) {
        ch->st.writeBursts++;
        ch->st.writeRowHits += row_hit;
        ch->st.bytesWritten += p->burst_size;
    } else {
        ch->st.readBursts++;
        ch->st.readRowHits += row_hit;
        ch->st.bytesRead += p->burst_size;
        ch->st.totMemAccLat += ready - now;
        ch->st.totQLat += cmd_at - now;
        ch->st.totBusLat += p->tBURST;
    }
    return ready;
}

static void drain_writes(struct dram_channel *ch, uint64_t now)
{
    /* gem5 switches the bus to writes above write_low_thresh with no reads waiting, and
     * back once the queue is below write_low_thresh - min_writes_per_switch. */
    unsigned keep = ch->p.write_low_thresh > ch->p.min_writes_per_switch
                        ? ch->p.write_low_thresh - ch->p.min_writes_per_switch - 1 : 0;
    unsigned n = ch->wq_len - keep;
    for (unsigned i = 0; i < n; i++)
        burst(ch, ch->wq[i], true, now);
    memmove(ch->wq, ch->wq + n, keep * sizeof ch->wq[0]);
    ch->wq_len = keep;
}

uint64_t dram_read(struct dram_channel *ch, uint64_t addr, unsigned size, uint64_t now)
{
    const unsigned bs = ch->p.burst_size;
    ch->st.readReqs++;
    ch->st.bytesReadSys += size;
    uint64_t ready = now;
    for (uint64_t a = addr & ~(uint64_t)(bs - 1); a < addr + size; a += bs) {
        bool queued = false;
        for (unsigned i = 0; i < ch->wq_len && !queued; i++)
            queued = ch->wq[i] == a;
        if (queued) {
            /* gem5 serves a read whose burst sits in the write queue from there, at once. */
            ch->st.servicedByWrQ++;
            continue;
        }
        ready = max2(ready, burst(ch, a, false, now));
    }
    return ready;
}

void dram_write(struct dram_channel *ch, uint64_t addr, unsigned size, uint64_t now)
{
    const unsigned bs = ch->p.burst_size;
    ch->st.writeReqs++;
    ch->st.bytesWrittenSys += size;
    for (uint64_t a = addr & ~(uint64_t)(bs - 1); a < addr + size; a += bs) {
        bool merged = false;
        for (unsigned i = 0; i < ch->wq_len && !merged; i++)
            merged = ch->wq[i] == a;
        if (merged) {
            ch->st.mergedWrBursts++;
            continue;
        }
        if (ch->wq_len == DRAM_WRITE_QUEUE)
            drain_writes(ch, now);
        ch->wq[ch->wq_len++] = a;
    }
    if (ch->wq_len > ch->p.write_low_thresh)
        drain_writes(ch, now);
}

void simple_memory_init(struct simple_memory *m)
{
    memset(m, 0, sizeof *m);
    m->latency = 30 * NS;                                   /* SimpleMemory.py latency */
    m->ticks_per_byte = 1e12 / (12.8 * 1024.0 * 1024.0 * 1024.0);   /* 12.8GiB/s */
}

uint64_t simple_memory_access(struct simple_memory *m, bool write, unsigned size, uint64_t now,
                              uint64_t receive_delay)
{
    /* gem5 refuses a packet while busy and takes it when the previous one's transfer ends. */
    uint64_t start = max2(now, m->busy_until);
    m->busy_until = start + (uint64_t)(size * m->ticks_per_byte);
    if (write) {
        m->st.writeReqs++;
        m->st.bytesWrittenSys += size;
    } else {
        m->st.readReqs++;
        m->st.bytesReadSys += size;
    }
    return start + receive_delay + m->latency;
}
