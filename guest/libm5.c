/*
 * libm5.c - the public m5_* API (guest/m5.h) on top of m5op_call().
 *
 * Each call first makes sure a calling convention has been chosen
 * (m5op_ensure: once per process, from M5_MODE / M5_ADDR). Without a device
 * the op is skipped and 0 returned, so benchmarks behave identically outside
 * the simulator. Nothing here prints.
 */
#include "m5.h"

#include "m5op.h"

/* Unused argument registers are passed as 0 so that the host sees a
 * deterministic register state whatever the caller left there. */
static uint64_t op(unsigned func, uint64_t a0, uint64_t a1, uint64_t a2,
                   uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (!m5op_ensure())
        return 0;
    return m5op_call(func, a0, a1, a2, a3, a4, a5);
}

static uint64_t ptr_arg(const void *p) { return (uint64_t)(uintptr_t)p; }

int m5_available(void) { return m5op_ensure(); }

void m5_arm(uint64_t address) { op(M5OP_ARM, address, 0, 0, 0, 0, 0); }
void m5_quiesce(void) { op(M5OP_QUIESCE, 0, 0, 0, 0, 0, 0); }
void m5_quiesce_ns(uint64_t ns) { op(M5OP_QUIESCE_NS, ns, 0, 0, 0, 0, 0); }
void m5_quiesce_cycle(uint64_t cycles) { op(M5OP_QUIESCE_CYCLE, cycles, 0, 0, 0, 0, 0); }
uint64_t m5_quiesce_time(void) { return op(M5OP_QUIESCE_TIME, 0, 0, 0, 0, 0, 0); }
uint64_t m5_rpns(void) { return op(M5OP_RPNS, 0, 0, 0, 0, 0, 0); }
void m5_wake_cpu(uint64_t cpuid) { op(M5OP_WAKE_CPU, cpuid, 0, 0, 0, 0, 0); }

void m5_exit(uint64_t ns_delay) { op(M5OP_EXIT, ns_delay, 0, 0, 0, 0, 0); }

void m5_fail(uint64_t ns_delay, uint64_t code)
{
    op(M5OP_FAIL, ns_delay, code, 0, 0, 0, 0);
}

unsigned m5_sum(unsigned a, unsigned b, unsigned c, unsigned d, unsigned e,
                unsigned f)
{
    return (unsigned)op(M5OP_SUM, a, b, c, d, e, f);
}

uint64_t m5_init_param(uint64_t key_str1, uint64_t key_str2)
{
    return op(M5OP_INIT_PARAM, key_str1, key_str2, 0, 0, 0, 0);
}

uint64_t m5_checkpoint(uint64_t ns_delay, uint64_t ns_period)
{
    return op(M5OP_CHECKPOINT, ns_delay, ns_period, 0, 0, 0, 0);
}

void m5_reset_stats(uint64_t ns_delay, uint64_t ns_period)
{
    op(M5OP_RESET_STATS, ns_delay, ns_period, 0, 0, 0, 0);
}

void m5_dump_stats(uint64_t ns_delay, uint64_t ns_period)
{
    op(M5OP_DUMP_STATS, ns_delay, ns_period, 0, 0, 0, 0);
}

void m5_dump_reset_stats(uint64_t ns_delay, uint64_t ns_period)
{
    op(M5OP_DUMP_RESET_STATS, ns_delay, ns_period, 0, 0, 0, 0);
}

uint64_t m5_read_file(void *buffer, uint64_t len, uint64_t offset)
{
    return op(M5OP_READ_FILE, ptr_arg(buffer), len, offset, 0, 0, 0);
}

uint64_t m5_write_file(void *buffer, uint64_t len, uint64_t offset,
                       const char *filename)
{
    return op(M5OP_WRITE_FILE, ptr_arg(buffer), len, offset, ptr_arg(filename), 0, 0);
}

void m5_debug_break(void) { op(M5OP_DEBUG_BREAK, 0, 0, 0, 0, 0, 0); }
void m5_switch_cpu(void) { op(M5OP_SWITCH_CPU, 0, 0, 0, 0, 0, 0); }
void m5_dist_toggle_sync(void) { op(M5OP_DIST_TOGGLE_SYNC, 0, 0, 0, 0, 0, 0); }

void m5_add_symbol(uint64_t addr, const char *symbol)
{
    op(M5OP_ADD_SYMBOL, addr, ptr_arg(symbol), 0, 0, 0, 0);
}

void m5_load_symbol(void) { op(M5OP_LOAD_SYMBOL, 0, 0, 0, 0, 0, 0); }
void m5_panic(void) { op(M5OP_PANIC, 0, 0, 0, 0, 0, 0); }

void m5_work_begin(uint64_t workid, uint64_t threadid)
{
    op(M5OP_WORK_BEGIN, workid, threadid, 0, 0, 0, 0);
}

void m5_work_end(uint64_t workid, uint64_t threadid)
{
    op(M5OP_WORK_END, workid, threadid, 0, 0, 0, 0);
}

void m5_workload(void) { op(M5OP_WORKLOAD, 0, 0, 0, 0, 0, 0); }
