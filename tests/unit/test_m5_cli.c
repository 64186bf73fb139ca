/*
 * test_m5_cli.c - unit tests of the guest agent: op encodings, both real
 * calling conventions (emulated on the host with signals and a regular file,
 * never the host's /dev/mem), libm5, and the m5 command line run in-process
 * against a fake backend that records every op.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ucontext.h>
#include <unistd.h>

#include "m5.h"
#include "m5_cli.h"
#include "m5op.h"
#include "m5ops.h"

#define PAGE 4096u
#define MAX_CALLS 256
#define NO_DEVICE "/nonexistent-m5sim-test/mem"

/* ---------------------------------------------------- fake backend ----- */

struct fake_call {
    unsigned func;
    uint64_t a[M5OP_NARGS];
    char str[M5OP_NAME_MAX]; /* the string a write_file/add_symbol names */
};

static struct fake {
    struct fake_call calls[MAX_CALLS];
    size_t ncalls;
    uint64_t ret; /* answer of ops without special handling */

    /* read_file: the script, served in pieces of the given sizes */
    const unsigned char *script;
    const size_t *pieces;
    size_t npieces, next_piece, served;
    int bad_offsets, not_resident;
    uint64_t read_override; /* nonzero: answer every read with this */

    /* write_file: reassembled here */
    unsigned char *sink;
    size_t sink_cap, sink_len;
    size_t accept_max; /* 0: accept everything offered */
    int refuse;        /* write_file answers M5OP_WRITE_FILE_FAILED */
} fk;

/* 1 if every page of [p, p+len) is resident (mincore). */
static int resident(const void *p, size_t len)
{
    uintptr_t start = (uintptr_t)p & ~(uintptr_t)(PAGE - 1);
    uintptr_t end = (uintptr_t)p + len;
    size_t npages = (end - start + PAGE - 1) / PAGE;
    unsigned char vec[1024];

    if (len == 0)
        return 1;
    assert_true(npages <= sizeof(vec));
    assert_int_equal(mincore((void *)start, end - start, vec), 0);
    for (size_t i = 0; i < npages; i++)
        if (!(vec[i] & 1))
            return 0;
    return 1;
}

/*
 * Serve the next piece of the script. Afterwards drop the buffer pages the
 * piece did not cover, so the next op finds them resident only if the agent
 * faulted the buffer in again before it.
 */
static uint64_t fake_read_file(const uint64_t a[M5OP_NARGS])
{
    unsigned char *buf = (unsigned char *)(uintptr_t)a[0];
    size_t len = a[1];
    size_t n;

    if (!resident(buf, len))
        fk.not_resident++;
    if (a[2] != fk.served)
        fk.bad_offsets++;
    if (fk.read_override)
        return fk.read_override;
    n = fk.next_piece < fk.npieces ? fk.pieces[fk.next_piece++] : 0;
    assert_true(n <= len);
    memcpy(buf, fk.script + fk.served, n);
    fk.served += n;

    uintptr_t drop = ((uintptr_t)buf + n + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    uintptr_t end = (uintptr_t)buf + len;
    if (end > drop && ((end - drop) % PAGE) == 0)
        assert_int_equal(madvise((void *)drop, end - drop, MADV_DONTNEED), 0);
    return n;
}

static uint64_t fake_write_file(const uint64_t a[M5OP_NARGS])
{
    const unsigned char *buf = (const unsigned char *)(uintptr_t)a[0];
    const char *name = (const char *)(uintptr_t)a[3];
    size_t len = a[1], off = a[2];

    if (!resident(buf, len) || !resident(name, strlen(name) + 1))
        fk.not_resident++;
    if (fk.refuse)
        return M5OP_WRITE_FILE_FAILED;
    if (fk.accept_max && len > fk.accept_max)
        len = fk.accept_max;
    assert_true(off + len <= fk.sink_cap);
    memcpy(fk.sink + off, buf, len);
    if (off + len > fk.sink_len)
        fk.sink_len = off + len;
    return fk.accept_max == (size_t)-1 ? 0 : len;
}

static uint64_t fake_call(void *ctx, unsigned func, const uint64_t a[M5OP_NARGS])
{
    (void)ctx;
    if (fk.ncalls < MAX_CALLS) {
        struct fake_call *c = &fk.calls[fk.ncalls];
        c->func = func;
        memcpy(c->a, a, sizeof(c->a));
        c->str[0] = '\0';
        if (func == M5OP_WRITE_FILE && a[3])
            snprintf(c->str, sizeof(c->str), "%s", (const char *)(uintptr_t)a[3]);
        if (func == M5OP_ADD_SYMBOL && a[1])
            snprintf(c->str, sizeof(c->str), "%s", (const char *)(uintptr_t)a[1]);
    }
    fk.ncalls++;

    switch (func) {
    case M5OP_SUM:
        return a[0] + a[1] + a[2] + a[3] + a[4] + a[5];
    case M5OP_READ_FILE:
        return fake_read_file(a);
    case M5OP_WRITE_FILE:
        return fake_write_file(a);
    default:
        return fk.ret;
    }
}

static const struct m5op_backend fake_backend = { "fake", fake_call, NULL };

/* --------------------------------------------------- running the CLI --- */

static struct m5_cli_io g_io;

static void reset_fd(int fd)
{
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
}

/* The whole content written to fd so far, NUL-terminated (static buffer). */
static const char *slurp(int fd, size_t *len_out)
{
    static char buf[1 << 20];
    off_t end = lseek(fd, 0, SEEK_END);
    assert_true(end >= 0 && (size_t)end < sizeof(buf));
    assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
    buf[end] = '\0';
    if (len_out)
        *len_out = (size_t)end;
    return buf;
}

static const char *out_text(void) { return slurp(g_io.out_fd, NULL); }
static const char *err_text(void) { return slurp(g_io.err_fd, NULL); }

static int run_argv(int argc, char **argv)
{
    reset_fd(g_io.out_fd);
    reset_fd(g_io.err_fd);
    return m5_cli_run(argc, argv, &g_io);
}

/* Run "m5 <line>", the line split at spaces. */
static int run(const char *line)
{
    char copy[1024], *argv[32], *save = NULL;
    int argc = 0;

    snprintf(copy, sizeof(copy), "%s", line);
    argv[argc++] = "m5";
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
        argv[argc++] = t;
    argv[argc] = NULL;
    return run_argv(argc, argv);
}

static int setup(void **state)
{
    (void)state;
    memset(&fk, 0, sizeof(fk));
    m5op_reset();
    m5op_set_devmem_path(NO_DEVICE); /* never the host's /dev/mem */
    m5op_set_test_backend(&fake_backend);
    unsetenv("M5_MODE");
    unsetenv("M5_ADDR");
    FILE *o = tmpfile(), *e = tmpfile();
    assert_non_null(o);
    assert_non_null(e);
    g_io.out_fd = dup(fileno(o));
    g_io.err_fd = dup(fileno(e));
    fclose(o);
    fclose(e);
    g_io.chunk = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    close(g_io.out_fd);
    close(g_io.err_fd);
    m5op_reset();
    m5op_set_test_backend(NULL);
    m5op_set_devmem_path(NULL);
    unsetenv("M5_MODE");
    unsetenv("M5_ADDR");
    free(fk.sink);
    fk.sink = NULL;
    return 0;
}

static void expect_one_call(unsigned func, const uint64_t a[M5OP_NARGS])
{
    assert_int_equal(fk.ncalls, 1);
    assert_int_equal(fk.calls[0].func, func);
    for (int i = 0; i < M5OP_NARGS; i++)
        assert_int_equal(fk.calls[0].a[i], a[i]);
}

/* A temporary file filled with n pseudo-random bytes; returns its path. */
static char *make_file(size_t n, unsigned char **content)
{
    static char path[64];
    unsigned char *data = malloc(n ? n : 1);
    uint32_t x = 12345;

    assert_non_null(data);
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (unsigned char)(x >> 16);
    }
    snprintf(path, sizeof(path), "/tmp/m5clitestXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    *content = data;
    return path;
}

/* ------------------------------------------------------- encodings ----- */

static void test_addr_encoding(void **state)
{
    (void)state;
    assert_int_equal(m5op_addr_of(M5OP_ADDR_BASE, M5OP_ARM), 0xFFFF0000ULL);
    assert_int_equal(m5op_addr_of(M5OP_ADDR_BASE, M5OP_EXIT), 0xFFFF2100ULL);
    assert_int_equal(m5op_addr_of(M5OP_ADDR_BASE, M5OP_CHECKPOINT), 0xFFFF4300ULL);
    assert_int_equal(m5op_addr_of(M5OP_ADDR_BASE, M5OP_READ_FILE), 0xFFFF5000ULL);
    assert_int_equal(m5op_addr_of(M5OP_ADDR_BASE, M5OP_WORKLOAD), 0xFFFF7000ULL);
    assert_int_equal(m5op_addr_of(0x10000, M5OP_WRITE_FILE), 0x14F00ULL);
    for (size_t i = 0; i < m5op_nfuncs; i++) {
        uint64_t addr = m5op_addr_of(M5OP_ADDR_BASE, m5op_funcs[i]);
        assert_true(addr >= M5OP_ADDR_BASE && addr + 8 <= M5OP_ADDR_BASE + M5OP_ADDR_SIZE);
        assert_int_equal(M5OP_ADDR_FUNC(addr), m5op_funcs[i]); /* host's decoding */
    }
}

static void test_inst_encoding(void **state)
{
    uint8_t b[M5OP_INST_LEN];
    (void)state;

    m5op_inst_encode(M5OP_EXIT, b);
    assert_memory_equal(b, ((uint8_t[]){ 0x0F, 0x04, 0x21, 0x00 }), 4);
    m5op_inst_encode(M5OP_READ_FILE, b);
    assert_memory_equal(b, ((uint8_t[]){ 0x0F, 0x04, 0x50, 0x00 }), 4);
    m5op_inst_encode(0x1234, b); /* the u16 is little-endian */
    assert_memory_equal(b, ((uint8_t[]){ 0x0F, 0x04, 0x34, 0x12 }), 4);

    assert_int_equal(m5op_nfuncs, 26);
    for (size_t i = 0; i < m5op_nfuncs; i++) {
        assert_true(m5op_inst_supported(m5op_funcs[i]));
        if (i > 0)
            assert_true(m5op_funcs[i] > m5op_funcs[i - 1]);
    }
    assert_false(m5op_inst_supported(0x99));
}

/* -------------------------------------- instruction mode, really run --- */

/* The SIGILL handler plays the simulator: it checks the opcode bytes at the
 * faulting rip, records the argument registers and answers in rax. */
static struct {
    int count;
    uint8_t bytes[M5OP_INST_LEN];
    uint64_t regs[M5OP_NARGS];
} ill;

static void on_sigill(int sig, siginfo_t *si, void *uc_void)
{
    ucontext_t *uc = uc_void;
    greg_t *g = uc->uc_mcontext.gregs;
    const uint8_t *rip = (const uint8_t *)(uintptr_t)g[REG_RIP];
    (void)sig; (void)si;

    memcpy(ill.bytes, rip, M5OP_INST_LEN);
    ill.regs[0] = (uint64_t)g[REG_RDI];
    ill.regs[1] = (uint64_t)g[REG_RSI];
    ill.regs[2] = (uint64_t)g[REG_RDX];
    ill.regs[3] = (uint64_t)g[REG_RCX];
    ill.regs[4] = (uint64_t)g[REG_R8];
    ill.regs[5] = (uint64_t)g[REG_R9];
    ill.count++;
    g[REG_RAX] = (greg_t)(0xABC00000u + ((unsigned)rip[2] | (unsigned)rip[3] << 8));
    g[REG_RIP] += M5OP_INST_LEN;
}

static void test_inst_mode_executes_opcode(void **state)
{
    struct sigaction sa, old;
    (void)state;

    m5op_set_test_backend(NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigill;
    sa.sa_flags = SA_SIGINFO;
    assert_int_equal(sigaction(SIGILL, &sa, &old), 0);

    m5op_use_inst();
    assert_int_equal(m5op_mode(), M5OP_MODE_INST);
    for (size_t i = 0; i < m5op_nfuncs; i++) {
        unsigned f = m5op_funcs[i];
        uint8_t want[M5OP_INST_LEN];
        uint64_t args[M5OP_NARGS];
        for (int k = 0; k < M5OP_NARGS; k++)
            args[k] = 0x1111111111111111ULL * (uint64_t)(k + 1) + f;
        memset(&ill, 0, sizeof(ill));

        uint64_t r = m5op_call(f, args[0], args[1], args[2], args[3], args[4], args[5]);

        assert_int_equal(ill.count, 1);
        m5op_inst_encode(f, want);
        assert_memory_equal(ill.bytes, want, M5OP_INST_LEN);
        for (int k = 0; k < M5OP_NARGS; k++)
            assert_int_equal(ill.regs[k], args[k]);
        assert_int_equal(r, 0xABC00000u + f);
    }
    /* A code with no compiled-in opcode is a no-op, not a stray instruction. */
    memset(&ill, 0, sizeof(ill));
    assert_int_equal(m5op_call(0x99, 1, 2, 3, 4, 5, 6), 0);
    assert_int_equal(ill.count, 0);

    assert_int_equal(sigaction(SIGILL, &old, NULL), 0);
}

/* ------------------------------ address mode, on a regular file ------- */

/* A sparse file standing in for /dev/mem: physical address = file offset. */
static char fake_mem_path[64];

static void make_fake_mem(off_t size)
{
    snprintf(fake_mem_path, sizeof(fake_mem_path), "/tmp/m5memtestXXXXXX");
    int fd = mkstemp(fake_mem_path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

static void plant(uint64_t phys, uint64_t value)
{
    int fd = open(fake_mem_path, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, &value, 8, (off_t)phys), 8);
    close(fd);
}

/* The SIGSEGV handler records the faulting address and argument registers,
 * then opens the window so that the load restarts and reads the planted
 * value. */
static struct {
    int count;
    uintptr_t addr;
    uint64_t regs[M5OP_NARGS];
    void *win;
    size_t win_len;
} segv;

static void on_sigsegv(int sig, siginfo_t *si, void *uc_void)
{
    ucontext_t *uc = uc_void;
    greg_t *g = uc->uc_mcontext.gregs;
    (void)sig;

    segv.count++;
    segv.addr = (uintptr_t)si->si_addr;
    segv.regs[0] = (uint64_t)g[REG_RDI];
    segv.regs[1] = (uint64_t)g[REG_RSI];
    segv.regs[2] = (uint64_t)g[REG_RDX];
    segv.regs[3] = (uint64_t)g[REG_RCX];
    segv.regs[4] = (uint64_t)g[REG_R8];
    segv.regs[5] = (uint64_t)g[REG_R9];
    if (segv.count > 1 || mprotect(segv.win, segv.win_len, PROT_READ | PROT_WRITE) != 0)
        abort(); /* not our fault: do not loop */
}

static void test_addr_mode_loads_from_window(void **state)
{
    const uint64_t base = 0x10000;
    (void)state;

    make_fake_mem(0x30000);
    m5op_set_test_backend(NULL);
    m5op_set_devmem_path(fake_mem_path);
    assert_int_equal(m5op_use_addr(base), 0);
    assert_int_equal(m5op_mode(), M5OP_MODE_ADDR);
    assert_int_equal(m5op_base(), base);
    assert_non_null(m5op_window());

    /* Each op loads exactly the 8 bytes at base + (func << 8). */
    for (size_t i = 0; i < m5op_nfuncs; i++)
        plant(m5op_addr_of(base, m5op_funcs[i]), 0x5000000000000000ULL + m5op_funcs[i]);
    for (size_t i = 0; i < m5op_nfuncs; i++)
        assert_int_equal(m5op_call(m5op_funcs[i], 0, 0, 0, 0, 0, 0),
                         0x5000000000000000ULL + m5op_funcs[i]);

    /* At the load, the arguments are in rdi, rsi, rdx, rcx, r8, r9. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigsegv;
    sa.sa_flags = SA_SIGINFO;
    memset(&segv, 0, sizeof(segv));
    segv.win = (void *)m5op_window();
    segv.win_len = M5OP_ADDR_SIZE;
    assert_int_equal(mprotect(segv.win, segv.win_len, PROT_NONE), 0);
    assert_int_equal(sigaction(SIGSEGV, &sa, &old), 0);
    uint64_t r = m5op_call(M5OP_SUM, 11, 22, 33, 44, 55, 66);
    assert_int_equal(sigaction(SIGSEGV, &old, NULL), 0);
    assert_int_equal(segv.count, 1);
    assert_int_equal(segv.addr, (uintptr_t)segv.win + (M5OP_SUM << 8));
    for (int k = 0; k < M5OP_NARGS; k++)
        assert_int_equal(segv.regs[k], (uint64_t)(11 * (k + 1)));
    assert_int_equal(r, 0x5000000000000000ULL + M5OP_SUM);

    /* A base that is not page-aligned still addresses base + (func << 8). */
    m5op_reset();
    assert_int_equal(m5op_use_addr(base + 0x10), 0);
    plant(m5op_addr_of(base + 0x10, M5OP_EXIT), 0x77);
    assert_int_equal(m5op_call(M5OP_EXIT, 0, 0, 0, 0, 0, 0), 0x77);

    m5op_reset();
    unlink(fake_mem_path);
}

/* ----------------------------------------------------- missing device -- */

static void test_cli_missing_device(void **state)
{
    (void)state;
    m5op_set_test_backend(NULL);

    assert_int_equal(run("exit"), 1);
    assert_string_equal(err_text(), "m5: no m5 device: cannot map " NO_DEVICE
                                    " at 0xffff0000: No such file or directory\n");
    assert_string_equal(out_text(), "");
    assert_int_equal(m5op_mode(), M5OP_MODE_NONE);

    assert_int_equal(run("--addr 0x20000 readfile"), 1);
    assert_string_equal(err_text(), "m5: no m5 device: cannot map " NO_DEVICE
                                    " at 0x20000: No such file or directory\n");
    assert_string_equal(out_text(), "");

    /* open works, mmap is refused: the reason is mmap's. */
    m5op_set_devmem_path("/dev/null");
    assert_int_equal(run("checkpoint"), 1);
    assert_string_equal(err_text(),
                        "m5: no m5 device: cannot map /dev/null at 0xffff0000: No such device\n");
}

/* A window that maps but holds no device (firmware ROM under QEMU): the sum probe says so. */
static void test_cli_window_without_device(void **state)
{
    (void)state;
    make_fake_mem(0x20000);
    m5op_set_test_backend(NULL);
    m5op_set_devmem_path(fake_mem_path);
    assert_int_equal(run("--addr 0x10000 exit"), 1);
    assert_string_equal(err_text(), "m5: no m5 device: sum probe at 0x10000 returned 0, expected 21\n");
    assert_int_equal(m5op_mode(), M5OP_MODE_NONE);

    /* libm5 stays a silent no-op on the same window. */
    setenv("M5_ADDR", "0x10000", 1);
    assert_int_equal(m5_available(), 0);
    unsetenv("M5_ADDR");

    /* With a device answering the probe, the command runs. */
    m5op_reset();
    plant(m5op_addr_of(0x10000, M5OP_SUM), 21);
    assert_int_equal(run("--addr 0x10000 exit"), 0);
    m5op_reset();
    unlink(fake_mem_path);
}

/* --------------------------------------------------------- libm5 ------ */

static void test_libm5_noop_without_device(void **state)
{
    char buf[64] = "untouched";
    (void)state;
    m5op_set_test_backend(NULL);

    assert_int_equal(m5_available(), 0);
    assert_int_equal(m5_sum(1, 2, 3, 4, 5, 6), 0);
    assert_int_equal(m5_read_file(buf, sizeof(buf), 0), 0);
    assert_string_equal(buf, "untouched");
    assert_int_equal(m5_write_file(buf, 4, 0, "x"), 0);
    assert_int_equal(m5_rpns(), 0);
    assert_int_equal(m5_init_param(1, 2), 0);
    assert_int_equal(m5_quiesce_time(), 0);
    m5_exit(0);
    m5_fail(0, 1);
    m5_checkpoint(0, 0);
    m5_reset_stats(0, 0);
    m5_dump_stats(0, 0);
    m5_panic();
    assert_int_equal(m5_available(), 0);
}

static void test_libm5_env_selection(void **state)
{
    (void)state;

    /* M5_ADDR picks the base; the real load path reads the planted answer. */
    make_fake_mem(0x20000);
    m5op_set_test_backend(NULL);
    m5op_set_devmem_path(fake_mem_path);
    setenv("M5_ADDR", "0x10000", 1);
    plant(m5op_addr_of(0x10000, M5OP_SUM), 21);
    assert_int_equal(m5_available(), 1);
    assert_int_equal(m5op_mode(), M5OP_MODE_ADDR);
    assert_int_equal(m5op_base(), 0x10000);
    assert_int_equal(m5_sum(1, 2, 3, 4, 5, 6), 21);
    m5op_reset();
    unlink(fake_mem_path);

    /* An unparsable M5_ADDR or M5_MODE selects nothing, silently. */
    setenv("M5_ADDR", "0x10000junk", 1);
    assert_int_equal(m5_available(), 0);
    m5op_reset();
    unsetenv("M5_ADDR");
    setenv("M5_MODE", "bogus", 1);
    assert_int_equal(m5_available(), 0);
    m5op_reset();

    /* M5_MODE=inst (the fake answers instead of the CPU). */
    m5op_set_test_backend(&fake_backend);
    setenv("M5_MODE", "inst", 1);
    assert_int_equal(m5_available(), 1);
    assert_int_equal(m5op_mode(), M5OP_MODE_INST);
    assert_int_equal(m5_sum(1, 2, 3, 4, 5, 6), 21);
    m5op_reset();

    /* Default: address mode at 0xffff0000. */
    unsetenv("M5_MODE");
    assert_int_equal(m5_available(), 1);
    assert_int_equal(m5op_mode(), M5OP_MODE_ADDR);
    assert_int_equal(m5op_base(), M5OP_ADDR_BASE);
}

/* Every libm5 entry point: right function code, arguments in gem5's order. */
static void test_libm5_arguments(void **state)
{
    char name[] = "out.txt", sym[] = "main", buf[8];
    (void)state;

    m5_arm(0xa1);
    m5_quiesce();
    m5_quiesce_ns(0xa2);
    m5_quiesce_cycle(0xa3);
    m5_quiesce_time();
    m5_rpns();
    m5_wake_cpu(0xa4);
    m5_exit(0xa5);
    m5_fail(0xa6, 0xa7);
    m5_sum(1, 2, 3, 4, 5, 6);
    m5_init_param(0xa8, 0xa9);
    m5_checkpoint(0xb0, 0xb1);
    m5_reset_stats(0xb2, 0xb3);
    m5_dump_stats(0xb4, 0xb5);
    m5_dump_reset_stats(0xb6, 0xb7);
    m5_read_file(buf, 0, 0xb8); /* len 0: the fake serves nothing */
    fk.sink = malloc(16);
    fk.sink_cap = 16;
    m5_write_file(buf, 0, 0, name);
    m5_debug_break();
    m5_switch_cpu();
    m5_add_symbol(0xc0, sym);
    m5_panic();
    m5_work_begin(0xc1, 0xc2);
    m5_work_end(0xc3, 0xc4);
    m5_dist_toggle_sync();
    m5_load_symbol();
    m5_workload();

    const struct { unsigned func; uint64_t a[M5OP_NARGS]; } want[] = {
        { M5OP_ARM, { 0xa1 } },
        { M5OP_QUIESCE, { 0 } },
        { M5OP_QUIESCE_NS, { 0xa2 } },
        { M5OP_QUIESCE_CYCLE, { 0xa3 } },
        { M5OP_QUIESCE_TIME, { 0 } },
        { M5OP_RPNS, { 0 } },
        { M5OP_WAKE_CPU, { 0xa4 } },
        { M5OP_EXIT, { 0xa5 } },
        { M5OP_FAIL, { 0xa6, 0xa7 } },
        { M5OP_SUM, { 1, 2, 3, 4, 5, 6 } },
        { M5OP_INIT_PARAM, { 0xa8, 0xa9 } },
        { M5OP_CHECKPOINT, { 0xb0, 0xb1 } },
        { M5OP_RESET_STATS, { 0xb2, 0xb3 } },
        { M5OP_DUMP_STATS, { 0xb4, 0xb5 } },
        { M5OP_DUMP_RESET_STATS, { 0xb6, 0xb7 } },
        { M5OP_READ_FILE, { (uintptr_t)buf, 0, 0xb8 } },
        { M5OP_WRITE_FILE, { (uintptr_t)buf, 0, 0, (uintptr_t)name } },
        { M5OP_DEBUG_BREAK, { 0 } },
        { M5OP_SWITCH_CPU, { 0 } },
        { M5OP_ADD_SYMBOL, { 0xc0, (uintptr_t)sym } },
        { M5OP_PANIC, { 0 } },
        { M5OP_WORK_BEGIN, { 0xc1, 0xc2 } },
        { M5OP_WORK_END, { 0xc3, 0xc4 } },
        { M5OP_DIST_TOGGLE_SYNC, { 0 } },
        { M5OP_LOAD_SYMBOL, { 0 } },
        { M5OP_WORKLOAD, { 0 } },
    };
    const size_t n = sizeof(want) / sizeof(want[0]);

    assert_int_equal(fk.ncalls, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(fk.calls[i].func, want[i].func);
        for (int k = 0; k < M5OP_NARGS; k++)
            assert_int_equal(fk.calls[i].a[k], want[i].a[k]);
    }
}

/* --------------------------------------------- command-line parsing ---- */

static void test_cli_commands(void **state)
{
    static const struct {
        const char *line;
        unsigned func;
        uint64_t a[M5OP_NARGS];
    } cases[] = {
        { "checkpoint", M5OP_CHECKPOINT, { 0, 0 } },
        { "checkpoint 10", M5OP_CHECKPOINT, { 10, 0 } },
        { "checkpoint 10 0x20", M5OP_CHECKPOINT, { 10, 0x20 } },
        { "resetstats", M5OP_RESET_STATS, { 0, 0 } },
        { "resetstats 1000", M5OP_RESET_STATS, { 1000, 0 } },
        { "resetstats 1000 2000", M5OP_RESET_STATS, { 1000, 2000 } },
        { "dumpstats", M5OP_DUMP_STATS, { 0, 0 } },
        { "dumpstats 3", M5OP_DUMP_STATS, { 3, 0 } },
        { "dumpstats 3 4", M5OP_DUMP_STATS, { 3, 4 } },
        { "dumpresetstats", M5OP_DUMP_RESET_STATS, { 0, 0 } },
        { "dumpresetstats 5", M5OP_DUMP_RESET_STATS, { 5, 0 } },
        { "dumpresetstats 5 010", M5OP_DUMP_RESET_STATS, { 5, 8 } },
        { "exit", M5OP_EXIT, { 0 } },
        { "exit 0x10", M5OP_EXIT, { 16 } },
        { "exit 18446744073709551615", M5OP_EXIT, { UINT64_MAX } },
        { "fail 3", M5OP_FAIL, { 0, 3 } },          /* m5_fail(delay, code) */
        { "fail 3 1000", M5OP_FAIL, { 1000, 3 } },
        { "workbegin", M5OP_WORK_BEGIN, { 0, 0 } },
        { "workbegin 7", M5OP_WORK_BEGIN, { 7, 0 } },
        { "workbegin 7 2", M5OP_WORK_BEGIN, { 7, 2 } },
        { "workend", M5OP_WORK_END, { 0, 0 } },
        { "workend 7", M5OP_WORK_END, { 7, 0 } },
        { "workend 7 2", M5OP_WORK_END, { 7, 2 } },
        { "loadsymbol", M5OP_LOAD_SYMBOL, { 0 } },
        { "switchcpu", M5OP_SWITCH_CPU, { 0 } },
        { "sum 1 2", M5OP_SUM, { 1, 2, 0, 0, 0, 0 } },
        { "sum 1 2 3", M5OP_SUM, { 1, 2, 3, 0, 0, 0 } },
        { "sum 1 2 3 4 5 6", M5OP_SUM, { 1, 2, 3, 4, 5, 6 } },
        { "initparam ab", M5OP_INIT_PARAM, { 0x6261, 0 } },
        { "--inst exit 5", M5OP_EXIT, { 5 } },
        { "--addr checkpoint 1 2", M5OP_CHECKPOINT, { 1, 2 } },
        { "--addr 0x20000 fail 9", M5OP_FAIL, { 0, 9 } },
        { "--addr=0x30000 dumpstats 1", M5OP_DUMP_STATS, { 1, 0 } },
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fk.ncalls = 0;
        m5op_reset();
        print_message("m5 %s\n", cases[i].line);
        assert_int_equal(run(cases[i].line), 0);
        expect_one_call(cases[i].func, cases[i].a);
        assert_string_equal(err_text(), "");
    }
}

static void test_cli_modes(void **state)
{
    (void)state;

    assert_int_equal(run("exit"), 0);
    assert_int_equal(m5op_mode(), M5OP_MODE_ADDR);
    assert_int_equal(m5op_base(), 0xFFFF0000ULL);

    m5op_reset();
    assert_int_equal(run("--addr exit"), 0);
    assert_int_equal(m5op_mode(), M5OP_MODE_ADDR);
    assert_int_equal(m5op_base(), 0xFFFF0000ULL);

    m5op_reset();
    assert_int_equal(run("--addr 0x20000 exit"), 0);
    assert_int_equal(m5op_base(), 0x20000);

    m5op_reset();
    assert_int_equal(run("--addr=4096 exit"), 0);
    assert_int_equal(m5op_base(), 4096);

    m5op_reset();
    assert_int_equal(run("--inst exit"), 0);
    assert_int_equal(m5op_mode(), M5OP_MODE_INST);
    assert_int_equal(fk.ncalls, 5); /* one exit op per run */
}

static void test_cli_bad_usage(void **state)
{
    static const char *const bad[] = {
        "", "bogus", "--help", "--inst", "--addr", "--addr 0x20000", "--addr=",
        "--addr=zz exit", "--addrx exit", "--inst --inst exit", "exit --inst",
        "exit 1 2", "exit abc", "exit 12abc", "exit -", "fail", "fail x",
        "fail 1 2 3", "sum", "sum 1", "sum 1 x", "sum 1 2 3 4 5 6 7",
        "checkpoint 1 2 3", "checkpoint x", "resetstats 1 2 3", "dumpstats y",
        "dumpresetstats 1 2 3", "readfile x", "loadsymbol 1", "switchcpu 1", "writefile",
        "writefile a b c", "addsymbol 0x10", "addsymbol zz sym",
        "addsymbol 1 2 3", "initparam", "initparam a b",
        "initparam 12345678901234567", "workbegin 1 2 3", "workend x",
        "EXIT",
    };
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("m5 %s\n", bad[i]);
        assert_int_equal(run(bad[i]), 1);
        assert_int_equal(strncmp(err_text(), "Usage: m5 [--addr", 17), 0);
        assert_non_null(strstr(err_text(), "    writefile FILE [HOSTNAME]\n"));
        assert_string_equal(out_text(), "");
        assert_int_equal(fk.ncalls, 0);
        /* a usage error never selects (maps) a device */
        assert_int_equal(m5op_mode(), M5OP_MODE_NONE);
    }
    /* with no arguments at all */
    char *argv0[] = { "m5", NULL };
    assert_int_equal(run_argv(1, argv0), 1);
    assert_int_equal(strncmp(err_text(), "Usage: m5 ", 10), 0);
}

/* ------------------------------------------------- sum and initparam -- */

static void test_cli_sum_output(void **state)
{
    (void)state;
    assert_int_equal(run("sum 1 2 3 4 5 6"), 0);
    assert_string_equal(out_text(), "Sum is 21.\n");
    assert_int_equal(run("sum 0x10 100"), 0);
    assert_string_equal(out_text(), "Sum is 116.\n");
}

static void test_key_packing(void **state)
{
    uint64_t r[2];
    (void)state;

    assert_int_equal(m5_cli_pack_key("", r), 0);
    assert_int_equal(r[0], 0);
    assert_int_equal(r[1], 0);
    assert_int_equal(m5_cli_pack_key("a", r), 0);
    assert_int_equal(r[0], 0x61);
    assert_int_equal(r[1], 0);
    assert_int_equal(m5_cli_pack_key("abcdefgh", r), 0);
    assert_int_equal(r[0], 0x6867666564636261ULL);
    assert_int_equal(r[1], 0);
    assert_int_equal(m5_cli_pack_key("abcdefghi", r), 0);
    assert_int_equal(r[0], 0x6867666564636261ULL);
    assert_int_equal(r[1], 0x69);
    assert_int_equal(m5_cli_pack_key("abcdefghijklmnop", r), 0);
    assert_int_equal(r[1], 0x706f6e6d6c6b6a69ULL);
    assert_int_equal(m5_cli_pack_key("abcdefghijklmnopq", r), -1);
}

static void test_cli_initparam(void **state)
{
    (void)state;
    fk.ret = 123456789012ULL;
    assert_int_equal(run("initparam abcdefghi"), 0);
    expect_one_call(M5OP_INIT_PARAM, (uint64_t[]){ 0x6867666564636261ULL, 0x69, 0, 0, 0, 0 });
    assert_string_equal(out_text(), "123456789012"); /* no newline, as gem5 */

    fk.ret = UINT64_MAX;
    assert_int_equal(run("initparam abcdefghijklmnop"), 0);
    assert_string_equal(out_text(), "18446744073709551615");
}

/* ------------------------------------------------------------ readfile -- */

/* Serve script in the given pieces with the given chunk; check stdout. */
static void check_readfile(size_t chunk, const size_t *pieces, size_t npieces)
{
    size_t total = 0, got = 0;
    for (size_t i = 0; i < npieces; i++)
        total += pieces[i];
    unsigned char *script = malloc(total ? total : 1);
    assert_non_null(script);
    for (size_t i = 0; i < total; i++)
        script[i] = (unsigned char)(i * 7 + (i >> 9)); /* includes NULs */

    fk.script = script;
    fk.pieces = pieces;
    fk.npieces = npieces;
    g_io.chunk = chunk;

    assert_int_equal(run("readfile"), 0);
    const char *out = slurp(g_io.out_fd, &got);
    assert_int_equal(got, total);
    assert_memory_equal(out, script, total);
    assert_string_equal(err_text(), "");

    /* npieces answers, then the terminating 0; every op on a whole chunk at
     * the offset reached so far, with the buffer resident each time. */
    assert_int_equal(fk.ncalls, npieces + 1);
    for (size_t i = 0; i < fk.ncalls; i++) {
        assert_int_equal(fk.calls[i].func, M5OP_READ_FILE);
        assert_int_equal(fk.calls[i].a[1], chunk ? chunk : M5_CLI_CHUNK);
    }
    assert_int_equal(fk.bad_offsets, 0);
    assert_int_equal(fk.not_resident, 0);
    free(script);
}

static void test_cli_readfile_chunks(void **state)
{
    const size_t chunk = 4 * PAGE;
    const size_t pieces[] = { 100, chunk, 1, 5000, chunk, chunk - 1, 4096 };
    (void)state;
    check_readfile(chunk, pieces, sizeof(pieces) / sizeof(pieces[0]));
}

static void test_cli_readfile_empty(void **state)
{
    (void)state;
    check_readfile(4 * PAGE, NULL, 0);
    assert_string_equal(out_text(), "");
}

static void test_cli_readfile_default_chunk(void **state)
{
    const size_t pieces[] = { M5_CLI_CHUNK, 10, M5_CLI_CHUNK / 2 };
    (void)state;
    assert_int_equal(M5_CLI_CHUNK, 256 * 1024);
    check_readfile(0, pieces, 3);
}

static void test_cli_readfile_bad_count(void **state)
{
    (void)state;
    g_io.chunk = PAGE;
    fk.read_override = PAGE + 1;
    assert_int_equal(run("readfile"), 1);
    assert_string_equal(err_text(), "m5: readfile: host returned 4097 bytes for a 4096-byte buffer\n");
    assert_string_equal(out_text(), "");
}

static void test_cli_readfile_output_error(void **state)
{
    const size_t pieces[] = { 10 };
    unsigned char script[10] = { 0 };
    (void)state;
    fk.script = script;
    fk.pieces = pieces;
    fk.npieces = 1;
    int saved = g_io.out_fd;
    g_io.out_fd = open("/dev/null", O_RDONLY); /* writes fail with EBADF */
    assert_true(g_io.out_fd >= 0);
    reset_fd(g_io.err_fd);
    int rc = m5_cli_run(2, (char *[]){ "m5", "readfile", NULL }, &g_io);
    close(g_io.out_fd);
    g_io.out_fd = saved;
    assert_int_equal(rc, 2);
    assert_string_equal(err_text(), "m5: readfile: cannot write output: Bad file descriptor\n");
}

/* ----------------------------------------------------------- writefile -- */

static void writefile_case(size_t size, size_t chunk, size_t accept_max, const char *hostname)
{
    unsigned char *content;
    char *path = make_file(size, &content);
    char line[256], expect_out[256];

    fk.sink = calloc(1, size + 1);
    fk.sink_cap = size + 1;
    fk.accept_max = accept_max;
    g_io.chunk = chunk;
    if (hostname)
        snprintf(line, sizeof(line), "writefile %s %s", path, hostname);
    else
        snprintf(line, sizeof(line), "writefile %s", path);

    assert_int_equal(run(line), 0);
    snprintf(expect_out, sizeof(expect_out), "Opening \"%s\".\nWrote %zu bytes.\n", path, size);
    assert_string_equal(out_text(), expect_out);
    assert_string_equal(err_text(), "");
    assert_int_equal(fk.sink_len, size);
    assert_memory_equal(fk.sink, content, size);

    /* Offsets start at 0 and grow by exactly what the host accepted; no op
     * offers more than a chunk; every op names the host file. */
    uint64_t next = 0;
    if (chunk == 0)
        chunk = M5_CLI_CHUNK;
    size_t per_op = accept_max ? accept_max : chunk;
    for (size_t i = 0; i < fk.ncalls; i++) {
        const struct fake_call *c = &fk.calls[i];
        assert_int_equal(c->func, M5OP_WRITE_FILE);
        assert_int_equal(c->a[2], next);
        assert_true(c->a[1] <= chunk);
        assert_string_equal(c->str, hostname ? hostname : path);
        next += c->a[1] < per_op ? c->a[1] : per_op;
    }
    assert_int_equal(next, size);
    assert_int_equal(fk.ncalls, size == 0 ? 1 : (size + per_op - 1) / per_op);
    assert_int_equal(fk.not_resident, 0);

    unlink(path);
    free(content);
}

static void test_cli_writefile_chunks(void **state)
{
    (void)state;
    writefile_case(3 * 2 * PAGE + 1234, 2 * PAGE, 0, "out.txt");
}

static void test_cli_writefile_exact_chunks_default_name(void **state)
{
    (void)state;
    writefile_case(2 * PAGE, PAGE, 0, NULL);
}

static void test_cli_writefile_default_chunk(void **state)
{
    (void)state;
    writefile_case(M5_CLI_CHUNK + 17, 0 /* default */, 0, "big.bin");
    assert_int_equal(fk.calls[0].a[1], M5_CLI_CHUNK);
    assert_int_equal(fk.calls[1].a[1], 17);
}

static void test_cli_writefile_partial_accept(void **state)
{
    (void)state;
    writefile_case(3000, PAGE, 1000, "part.txt"); /* host takes 1000 per op */
}

static void test_cli_writefile_empty(void **state)
{
    (void)state;
    writefile_case(0, PAGE, 0, "empty.txt");
    assert_int_equal(fk.calls[0].a[1], 0);
    assert_int_equal(fk.calls[0].a[2], 0);
}

static void test_cli_writefile_errors(void **state)
{
    unsigned char *content;
    char line[256];
    (void)state;

    assert_int_equal(run("writefile /nonexistent-m5sim-test/f"), 2);
    assert_string_equal(out_text(), "Opening \"/nonexistent-m5sim-test/f\".\n");
    assert_string_equal(err_text(),
                        "m5: writefile: cannot open \"/nonexistent-m5sim-test/f\": "
                        "No such file or directory\n");
    assert_int_equal(fk.ncalls, 0);

    /* a host that accepts nothing must not hang the agent */
    char *path = make_file(100, &content);
    fk.sink = calloc(1, 128);
    fk.sink_cap = 128;
    fk.accept_max = (size_t)-1;
    snprintf(line, sizeof(line), "writefile %s x", path);
    assert_int_equal(run(line), 1);
    assert_string_equal(err_text(), "m5: writefile: host accepted 0 of 100 bytes at offset 0\n");
    assert_int_equal(fk.ncalls, 1);
    unlink(path);
    free(content);

    /* a host that refuses the name: an error and a failing status, also for an empty file */
    fk.accept_max = 0;
    fk.refuse = 1;
    fk.ncalls = 0;
    path = make_file(0, &content);
    snprintf(line, sizeof(line), "writefile %s cpt.1/m5.cpt", path);
    assert_int_equal(run(line), 1);
    assert_string_equal(err_text(), "m5: writefile: the host refused to write \"cpt.1/m5.cpt\" "
                                    "(the simulator's log says why)\n");
    assert_int_equal(fk.ncalls, 1);
    fk.refuse = 0;
    unlink(path);
    free(content);

    /* a host name the host could not read in full */
    char *longname = malloc(M5OP_NAME_MAX + 1);
    memset(longname, 'n', M5OP_NAME_MAX);
    longname[M5OP_NAME_MAX] = '\0';
    fk.ncalls = 0;
    m5op_reset();
    assert_int_equal(run_argv(4, (char *[]){ "m5", "writefile", "/etc/hostname", longname, NULL }), 1);
    assert_int_equal(strncmp(err_text(), "m5: name too long (at most 4095 bytes): nnn", 43), 0);
    assert_int_equal(fk.ncalls, 0);
    assert_int_equal(m5op_mode(), M5OP_MODE_NONE);
    free(longname);
}

/* ----------------------------------------------------------- addsymbol -- */

static void test_cli_addsymbol(void **state)
{
    (void)state;
    assert_int_equal(run("addsymbol 0xffffffff81000000 start_kernel"), 0);
    assert_int_equal(fk.ncalls, 1);
    assert_int_equal(fk.calls[0].func, M5OP_ADD_SYMBOL);
    assert_int_equal(fk.calls[0].a[0], 0xffffffff81000000ULL);
    assert_string_equal(fk.calls[0].str, "start_kernel");
    for (int k = 2; k < M5OP_NARGS; k++)
        assert_int_equal(fk.calls[0].a[k], 0);
    assert_true(resident((const void *)(uintptr_t)fk.calls[0].a[1], 13));
}

/* ------------------------------------------------------------ fault-in -- */

static void test_fault_in(void **state)
{
    (void)state;
    unsigned char *m = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char vec[6];
    assert_true(m != MAP_FAILED);
    assert_int_equal(mincore(m, 6 * PAGE, vec), 0);
    for (int i = 0; i < 6; i++)
        assert_false(vec[i] & 1);

    /* An unaligned range spanning pages 1..4 partially at both ends. */
    m5_cli_fault_in(m + PAGE + 100, 3 * PAGE);
    assert_int_equal(mincore(m, 6 * PAGE, vec), 0);
    assert_false(vec[0] & 1);
    for (int i = 1; i <= 4; i++)
        assert_true(vec[i] & 1);
    assert_false(vec[5] & 1);

    /* Contents are preserved (writefile faults in a full buffer). */
    m[2 * PAGE + 5] = 0x5a;
    m5_cli_fault_in(m + PAGE, 2 * PAGE);
    assert_int_equal(m[2 * PAGE + 5], 0x5a);
    m5_cli_fault_in(m, 0); /* nothing to do, must not touch m[-1] */
    munmap(m, 6 * PAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_addr_encoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inst_encoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inst_mode_executes_opcode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_addr_mode_loads_from_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_missing_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_libm5_noop_without_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_libm5_env_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_libm5_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_bad_usage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_sum_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_packing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_initparam, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_readfile_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_readfile_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_readfile_default_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_readfile_bad_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_readfile_output_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_writefile_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_writefile_exact_chunks_default_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_writefile_default_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_writefile_partial_accept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_writefile_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_writefile_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_addsymbol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_window_without_device, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
