/*
 * m5op.c - the low-level m5-op call: backends, mode selection, encodings.
 *
 * This file never prints: it is part of libm5, which benchmark programs link
 * and whose output must be the same natively and in the simulator.
 */
#include "m5op.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DEVMEM_DEFAULT "/dev/mem"

/* Expands X(code) once per function code of shared/m5ops.h, ascending. */
#define M5OP_FOREACH(X) \
    X(M5OP_ARM) X(M5OP_QUIESCE) X(M5OP_QUIESCE_NS) X(M5OP_QUIESCE_CYCLE) \
    X(M5OP_QUIESCE_TIME) X(M5OP_RPNS) X(M5OP_WAKE_CPU) X(M5OP_EXIT) \
    X(M5OP_FAIL) X(M5OP_SUM) X(M5OP_INIT_PARAM) X(M5OP_LOAD_SYMBOL) \
    X(M5OP_RESET_STATS) X(M5OP_DUMP_STATS) X(M5OP_DUMP_RESET_STATS) \
    X(M5OP_CHECKPOINT) X(M5OP_WRITE_FILE) X(M5OP_READ_FILE) \
    X(M5OP_DEBUG_BREAK) X(M5OP_SWITCH_CPU) X(M5OP_ADD_SYMBOL) X(M5OP_PANIC) \
    X(M5OP_WORK_BEGIN) X(M5OP_WORK_END) X(M5OP_DIST_TOGGLE_SYNC) \
    X(M5OP_WORKLOAD)

#define M5OP_LIST_ENTRY(code) code,
const unsigned m5op_funcs[] = { M5OP_FOREACH(M5OP_LIST_ENTRY) };
const size_t m5op_nfuncs = sizeof(m5op_funcs) / sizeof(m5op_funcs[0]);

/* ------------------------------------------------------------ state ---- */

static enum m5op_mode cur_mode = M5OP_MODE_NONE;
static uint64_t cur_base;
static const struct m5op_backend *test_backend;
static const char *devmem_path = DEVMEM_DEFAULT;

/* The mapping made by address mode: map_start/map_len as passed to mmap,
 * window = the byte at physical address cur_base. */
static void *map_start;
static size_t map_len;
static volatile uint8_t *window;

/* m5op_ensure() runs its environment-driven selection once per process even
 * when a multi-threaded benchmark makes its first m5 calls concurrently. */
enum { LAZY_UNTRIED, LAZY_RUNNING, LAZY_DONE };
static atomic_int lazy_state = LAZY_UNTRIED;

/* ----------------------------------------------------- address mode ---- */

/*
 * The op is the load itself: the host decodes func from the address and
 * reads the arguments from rdi..r9 at that instant, so they are pinned there
 * with register constraints. volatile keeps the load even though the result
 * may look unused; the "memory" clobber stops the compiler from caching
 * memory across the op, because the host may write guest memory (read_file).
 */
static uint64_t addr_call(void *ctx, unsigned func, const uint64_t a[M5OP_NARGS])
{
    (void)ctx;
    const volatile uint64_t *p =
        (const volatile uint64_t *)(window + ((uintptr_t)func << M5OP_ADDR_FUNC_SHIFT));
    register uint64_t r8 __asm__("r8") = a[4];
    register uint64_t r9 __asm__("r9") = a[5];
    uint64_t ret;
    __asm__ volatile("movq (%[p]), %[ret]"
                     : [ret] "=a"(ret)
                     : [p] "r"(p), "D"(a[0]), "S"(a[1]), "d"(a[2]), "c"(a[3]),
                       "r"(r8), "r"(r9)
                     : "memory");
    return ret;
}

static const struct m5op_backend addr_backend = { "addr", addr_call, NULL };

static void addr_unmap(void)
{
    if (map_start)
        munmap(map_start, map_len);
    map_start = NULL;
    map_len = 0;
    window = NULL;
}

/* mmap needs a page-aligned offset; a user-given base need not be one, so
 * map from the page below it and point the window into that mapping. */
static int addr_map(uint64_t base)
{
    long page = sysconf(_SC_PAGESIZE);
    uint64_t slack = base & (uint64_t)(page > 0 ? page - 1 : 4095);
    size_t len = (size_t)(M5OP_ADDR_SIZE + slack);

    int fd = open(devmem_path, O_RDWR | O_SYNC | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                   (off_t)(base - slack));
    int err = errno;
    close(fd); /* the mapping keeps the device open */
    if (p == MAP_FAILED)
        return -err;
    map_start = p;
    map_len = len;
    window = (volatile uint8_t *)p + slack;
    return 0;
}

/* ------------------------------------------------- instruction mode ---- */

/*
 * The function code is an immediate inside the opcode, so each known code
 * gets its own copy of the instruction. Register variables for r8/r9 are
 * declared right at the asm so that nothing can clobber them in between.
 */
#define M5OP_INST_CASE(code)                                                   \
    case code: {                                                               \
        register uint64_t r8 __asm__("r8") = a[4];                             \
        register uint64_t r9 __asm__("r9") = a[5];                             \
        __asm__ volatile(".byte %c[b0], %c[b1]\n\t.short %c[f]"                \
                         : "=a"(ret)                                           \
                         : [b0] "i"(M5OP_INST_BYTE0), [b1] "i"(M5OP_INST_BYTE1), \
                           [f] "i"(code), "D"(a[0]), "S"(a[1]), "d"(a[2]),     \
                           "c"(a[3]), "r"(r8), "r"(r9)                         \
                         : "memory");                                          \
        break;                                                                 \
    }

static uint64_t inst_call(void *ctx, unsigned func, const uint64_t a[M5OP_NARGS])
{
    (void)ctx;
    uint64_t ret = 0;
    switch (func) {
        M5OP_FOREACH(M5OP_INST_CASE)
    default:
        break; /* no opcode compiled in for it: a no-op */
    }
    return ret;
}

static const struct m5op_backend inst_backend = { "inst", inst_call, NULL };

#define M5OP_SUPPORTED_CASE(code) case code:
int m5op_inst_supported(unsigned func)
{
    switch (func) {
        M5OP_FOREACH(M5OP_SUPPORTED_CASE)
        return 1;
    default:
        return 0;
    }
}

void m5op_inst_encode(unsigned func, uint8_t out[M5OP_INST_LEN])
{
    out[0] = M5OP_INST_BYTE0;
    out[1] = M5OP_INST_BYTE1;
    out[2] = (uint8_t)(func & 0xff);
    out[3] = (uint8_t)((func >> 8) & 0xff);
}

/* -------------------------------------------------------- dispatch ----- */

uint64_t m5op_call(unsigned func, uint64_t a0, uint64_t a1, uint64_t a2,
                   uint64_t a3, uint64_t a4, uint64_t a5)
{
    const uint64_t a[M5OP_NARGS] = { a0, a1, a2, a3, a4, a5 };
    const struct m5op_backend *b;

    switch (cur_mode) {
    case M5OP_MODE_ADDR:
        if (!window && !test_backend)
            return 0; /* selected under a test backend that is gone now */
        b = &addr_backend;
        break;
    case M5OP_MODE_INST: b = &inst_backend; break;
    default: return 0;
    }
    if (test_backend)
        b = test_backend;
    return b->call(b->ctx, func, a);
}

/* ------------------------------------------------------- selection ----- */

int m5op_use_addr(uint64_t base)
{
    addr_unmap();
    cur_mode = M5OP_MODE_NONE;
    if (!test_backend) {
        int rc = addr_map(base);
        if (rc < 0) {
            atomic_store(&lazy_state, LAZY_DONE);
            return rc;
        }
    }
    cur_base = base;
    cur_mode = M5OP_MODE_ADDR;
    atomic_store(&lazy_state, LAZY_DONE);
    return 0;
}

/*
 * Mapping /dev/mem succeeds on any machine without STRICT_DEVMEM, whether or
 * not an m5 device answers there (under QEMU the window is firmware ROM). Ask
 * the device to add 1..6: only a real m5 device answers 21. Test backends
 * stand for a device and are not probed; instruction mode cannot be probed
 * without risking #UD.
 */
int m5op_probe(uint64_t *answer)
{
    *answer = 21;
    if (test_backend || cur_mode != M5OP_MODE_ADDR)
        return 0;
    *answer = m5op_call(M5OP_SUM, 1, 2, 3, 4, 5, 6);
    return *answer == 21 ? 0 : -1;
}

void m5op_use_inst(void)
{
    addr_unmap();
    cur_mode = M5OP_MODE_INST;
    atomic_store(&lazy_state, LAZY_DONE);
}

/* A whole-string unsigned number (any C base); 0 on success. */
static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* The environment's choice; an unusable M5_MODE or M5_ADDR selects nothing,
 * because libm5 must stay silent and harmless when it cannot be sure. */
static void select_from_env(void)
{
    const char *mode = getenv("M5_MODE");
    const char *addr = getenv("M5_ADDR");
    uint64_t base = M5OP_ADDR_BASE;

    if (mode && strcmp(mode, "inst") == 0) {
        m5op_use_inst();
        return;
    }
    if (mode && *mode && strcmp(mode, "addr") != 0)
        return;
    if (addr && parse_u64(addr, &base) != 0)
        return;
    uint64_t answer;
    if (m5op_use_addr(base) == 0 && m5op_probe(&answer) != 0) {
        addr_unmap();
        cur_mode = M5OP_MODE_NONE;
    }
}

int m5op_ensure(void)
{
    int expected = LAZY_UNTRIED;
    if (atomic_load(&lazy_state) != LAZY_DONE) {
        if (atomic_compare_exchange_strong(&lazy_state, &expected, LAZY_RUNNING)) {
            select_from_env();
            atomic_store(&lazy_state, LAZY_DONE);
        } else {
            while (atomic_load(&lazy_state) != LAZY_DONE)
                sched_yield();
        }
    }
    return m5op_active();
}

int m5op_active(void) { return cur_mode != M5OP_MODE_NONE; }
enum m5op_mode m5op_mode(void) { return cur_mode; }
uint64_t m5op_base(void) { return cur_base; }
const char *m5op_devmem_path(void) { return devmem_path; }
volatile void *m5op_window(void) { return window; }

void m5op_reset(void)
{
    addr_unmap();
    cur_mode = M5OP_MODE_NONE;
    cur_base = 0;
    atomic_store(&lazy_state, LAZY_UNTRIED);
}

void m5op_set_test_backend(const struct m5op_backend *fake) { test_backend = fake; }

void m5op_set_devmem_path(const char *path)
{
    devmem_path = path ? path : DEVMEM_DEFAULT;
}
