/*
 * fuzz_m5op.c - m5-op argument handling (host/dev/m5dev.c m5dev_op).
 *
 * The input is up to four m5 ops followed by guest memory. Each op record is
 * 34 bytes: the op (an index into the ops m5dev knows), a mask choosing which
 * arguments point into the guest data (at TG_DATA + the low 16 bits) instead
 * of being used raw, and the four argument registers (rdi, rsi, rdx, rcx).
 * The rest of the input is copied to guest physical TG_DATA, identity-mapped
 * (tests/unit/sysguest.h): file names, buffers for read_file and write_file.
 * write_file writes into a private output directory, read_file reads a
 * queued script. An op may end in a guest page fault (a longjmp to the CPU's
 * fault handler) or ask for its instruction to be restarted: both are caught
 * here, as the CPU's step loop would.
 */
#include <sys/stat.h>

#include "dev/m5dev.h"
#include "fuzz.h"
#include "m5ops.h"
#include "sysguest.h"

#define RECORD 34
#define MAX_OPS 4
#define DATA_MAX 0x10000u

static const unsigned ops[] = {
    M5OP_ARM, M5OP_QUIESCE, M5OP_QUIESCE_NS, M5OP_QUIESCE_CYCLE, M5OP_QUIESCE_TIME, M5OP_RPNS, M5OP_WAKE_CPU,
    M5OP_EXIT, M5OP_FAIL, M5OP_SUM, M5OP_INIT_PARAM, M5OP_LOAD_SYMBOL, M5OP_RESET_STATS, M5OP_DUMP_STATS,
    M5OP_DUMP_RESET_STATS, M5OP_CHECKPOINT, M5OP_WRITE_FILE, M5OP_READ_FILE, M5OP_DEBUG_BREAK,
    M5OP_SWITCH_CPU, M5OP_ADD_SYMBOL, M5OP_PANIC, M5OP_WORK_BEGIN, M5OP_WORK_END, M5OP_DIST_TOGGLE_SYNC,
    M5OP_WORKLOAD,
};

static void on_exit_hook(void *o, int status, const char *why) { (void)o, (void)status, (void)why; }
static void on_stats(void *o, bool dump, bool reset) { (void)o, (void)dump, (void)reset; }
static int on_checkpoint(void *o) { (void)o; return 0; }
static void on_request(void *o) { (void)o; }
static bool on_wait(void *o) { (void)o; return false; }
static void on_switch(void *o) { (void)o; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tg *t;
    static char outdir[128], script[128];
    if (!t) {
        t = tg_new();
        snprintf(outdir, sizeof outdir, "%s/out", fuzz_tmpdir());
        snprintf(script, sizeof script, "%s/script.sh", fuzz_tmpdir());
        mkdir(outdir, 0755);
        fuzz_write_file(script, "echo hello from the fuzzed guest\n", 33);
    }
    if (size < 1)
        return 0;
    unsigned nops = 1 + data[0] % MAX_OPS;
    data++, size--;
    size_t header = (size_t)nops * RECORD;
    static uint8_t records[MAX_OPS * RECORD];
    memset(records, 0, sizeof records);
    memcpy(records, data, size < header ? size : header);
    static uint8_t guest[DATA_MAX];
    memset(guest, 0, sizeof guest);
    if (size > header)
        memcpy(guest, data + header, size - header < DATA_MAX ? size - header : DATA_MAX);
    memcpy(t->ram + TG_DATA, guest, DATA_MAX);

    struct eventq eq;
    struct m5dev d;
    eventq_init(&eq);
    const char *scripts[] = { script };
    struct m5dev_hooks hooks = {
        .exit = on_exit_hook, .stats = on_stats, .checkpoint = on_checkpoint,
        .script_request = on_request, .wait_for_script = on_wait, .switch_cpu = on_switch,
    };
    m5dev_init(&d, &eq, outdir, scripts, 1, &hooks);
    struct cpu *cpu = t->cpu;
    int fd = fuzz_next_fd();
    for (unsigned i = 0; i < nops; i++) {
        const uint8_t *r = records + (size_t)i * RECORD;
        static const int regs[4] = { RDI, RSI, RDX, RCX };
        for (int a = 0; a < 4; a++) {
            uint64_t v;
            memcpy(&v, r + 2 + 8 * a, 8);
            cpu->s.gpr[regs[a]] = (r[1] >> a) & 1 ? TG_DATA + (v & (DATA_MAX - 1)) : v;
        }
        if (FUZZ_TRY) {
            if (setjmp(cpu->fault_jmp) == 0)
                cpu->s.gpr[RAX] = m5dev_op(&d, cpu, ops[r[0] % (sizeof ops / sizeof ops[0])]);
            FUZZ_DONE();
        } else {
            fuzz_close_fds_from(fd);
        }
        if (d.ckpt_requested)
            m5dev_take_requested_checkpoint(&d);
    }
    /* Pending ops (a delayed exit, periodic statistics and checkpoints) run for a simulated second. */
    if (FUZZ_TRY) {
        eventq_run_until(&eq, 1000000000000ull);
        FUZZ_DONE();
    }
    m5dev_free(&d);
    eventq_free(&eq);
    return 0;
}
