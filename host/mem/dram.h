/*
 * dram.h - main memory behind the memory bus: gem5's DRAM controller with a
 * DDR3_1600_8x8 interface, or gem5's SimpleMemory.
 *
 * One struct dram_channel is one gem5 MemCtrl with its DRAMInterface
 * (system.mem_ctrls<N>). The model keeps what decides a read's latency in
 * gem5 (src/mem/dram_interface.cc doBurstAccess, activateBank,
 * prechargeBank): per bank the open row and the earliest ticks at which an
 * ACT, a PRE, a RD and a WR may issue; per rank the tRRD and tXAW activation
 * window and refresh (all banks closed for tRFC every tREFI); the data bus
 * (the next burst may not start before the previous one's tBURST ends).
 * Writes are buffered and drained in batches as gem5's write queue is
 * (above write_low_thresh, down below it less min_writes_per_switch), so
 * they reach the banks, and take bus and bank time, off the critical path.
 *
 * The CPU that drives this model is blocking, so the read queue holds at
 * most the one read being served; gem5's open_adaptive policy then keeps a
 * row open after an access (it closes early only when another queued
 * request conflicts and none hits). Details in docs/memory-system.md.
 */
#ifndef M5SIM_MEM_DRAM_H
#define M5SIM_MEM_DRAM_H

#include <stdbool.h>
#include <stdint.h>

#define DRAM_MAX_RANKS 4
#define DRAM_MAX_BANKS 16
#define DRAM_MAX_ACT_WINDOW 8
#define DRAM_WRITE_QUEUE 64

/* Ticks are picoseconds. Values for DDR3_1600_8x8 in dram_ddr3_1600_8x8(). */
struct dram_params {
    unsigned burst_size;        /* bytes per burst: devices_per_rank * burst_length * device_bus_width / 8 */
    uint64_t row_buffer_size;   /* bytes per rank row: device_rowbuffer_size * devices_per_rank */
    unsigned ranks, banks;
    uint64_t rows;              /* rows per bank */
    uint64_t tCK, tBURST, tRCD, tCL, tCWL, tRP, tRAS, tRRD, tXAW, tRFC, tREFI, tWR, tWTR, tRTP,
             tRTW, tCS;
    unsigned activation_limit;
    uint64_t frontend_latency, backend_latency;   /* MemCtrl static_frontend/backend_latency */
    unsigned write_buffer_size, write_low_thresh, min_writes_per_switch;
};

struct dram_bank {
    int64_t open_row;           /* -1: precharged */
    uint64_t act_allowed, pre_allowed, rd_allowed, wr_allowed;
};

struct dram_rank {
    struct dram_bank bank[DRAM_MAX_BANKS];
    uint64_t act_ticks[DRAM_MAX_ACT_WINDOW];   /* the last activation_limit ACTs, newest first */
    uint64_t refreshes_done;    /* refreshes applied: the k-th happens at k * tREFI */
    /*
     * Lower bounds on every bank's rd_allowed / wr_allowed set by bursts
     * (a bank's own value is the max of both): a burst raises all banks at
     * once, so it updates these two instead of each bank.
     */
    uint64_t rd_floor, wr_floor;
};

/* gem5's MemCtrl and DRAM interface statistics (names as in stats.txt). */
struct dram_stats {
    uint64_t readReqs, writeReqs, readBursts, writeBursts;
    uint64_t bytesReadSys, bytesWrittenSys;         /* as requested by the system */
    uint64_t servicedByWrQ, mergedWrBursts;
    uint64_t readRowHits, writeRowHits;             /* mem_ctrls.dram.* */
    uint64_t bytesRead, bytesWritten;               /* mem_ctrls.dram.bytesRead/Written: bursts * burst size */
    uint64_t totQLat, totBusLat, totMemAccLat;      /* ticks, reads */
    uint64_t numRefreshes;
};

struct dram_channel {
    struct dram_params p;
    struct dram_rank rank[DRAM_MAX_RANKS];
    uint64_t next_burst_at;     /* the data bus is free from here */
    bool last_was_write;        /* for the bus turnaround (tRTW / tWTR) */
    uint64_t wq[DRAM_WRITE_QUEUE];   /* queued write bursts (channel-local burst addresses) */
    unsigned wq_len;
    struct dram_stats st;
};

struct dram_params dram_ddr3_1600_8x8(void);
void dram_init(struct dram_channel *ch, const struct dram_params *p, uint64_t channel_bytes);

/* Where a channel-local address lands (RoRaBaCoCh). */
void dram_decode(const struct dram_channel *ch, uint64_t addr, unsigned *rank, unsigned *bank,
                 uint64_t *row);

/*
 * A read of `size` bytes at channel-local `addr`, arriving at the controller
 * at `now`. Returns the tick its last burst's data is on the bus (gem5's
 * readyTime); the controller responds frontend + backend latency later.
 */
uint64_t dram_read(struct dram_channel *ch, uint64_t addr, unsigned size, uint64_t now);
/* A write arriving at `now`: queued, drained in batches. */
void dram_write(struct dram_channel *ch, uint64_t addr, unsigned size, uint64_t now);

/* gem5's SimpleMemory: fixed latency and a bandwidth limit. */
struct simple_memory {
    uint64_t latency;           /* 30 ns */
    double ticks_per_byte;      /* 1e12 / 12.8 GiB/s */
    uint64_t busy_until;
    struct dram_stats st;       /* only the request/byte counters are used */
};
void simple_memory_init(struct simple_memory *m);
/* Returns the tick the response leaves the memory (before the bus response latency). */
uint64_t simple_memory_access(struct simple_memory *m, bool write, unsigned size, uint64_t now,
                              uint64_t receive_delay);

#endif
