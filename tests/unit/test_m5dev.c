/*
 * test_m5dev.c - the m5 pseudo-device (host/dev/m5dev.c) on a hand-built
 * system with real page tables: read_file copies through the caller's page
 * tables (short count at the first unusable page, privilege and write
 * protection respected, decoded code on the target page dropped); the script
 * queue (offset 0 starts the next script, an exhausted queue reads as empty,
 * the wait hook abandons the op without side effects); write_file confined to
 * the output directory (.., absolute names, symlinks, subdirectories, offset
 * 0 truncates, unmapped name or buffer) and kept away from the simulator's
 * files (reserved names, the run's inputs by inode, hard links, FIFOs, other
 * runs' directories, control characters, depth, length, size), leaving
 * nothing behind when refused; exit and fail through the event
 * queue; sum; stats and checkpoint scheduling; unknown ops reported once;
 * and both calling conventions (0F 04 and the MMIO window).
 */
#include "sysguest.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev/m5dev.h"

#define FAILED M5OP_WRITE_FILE_FAILED
#include "m5ops.h"
#include "sim/eventq.h"

#define VA      TG_TEST_VA
#define PA_A    (TG_DATA + 0x0000)
#define PA_B    (TG_DATA + 0x1000)
#define PA_C    (TG_DATA + 0x8000)
#define NAME_VA (VA + 0x100000)
#define NAME_PA (TG_DATA + 0x20000)

struct fx {
    struct tg *t;
    struct eventq eq;
    struct m5dev d;
    char tmp[64];      /* scripts and things outside the output directory */
    char outdir[96];
    char scripts[4][128];
    int nexits;
    int exit_status;
    char exit_why[64];
    uint64_t exit_tick;
    int nstats;
    bool stats_dump, stats_reset;
    uint64_t stats_tick;
    int nckpt;
    int ckpt_rc;                  /* what the checkpoint hook returns */
    int nrequests;
    bool wait;
};

static struct fx *cur;

static void on_exit_hook(void *opaque, int status, const char *why)
{
    struct fx *f = opaque;
    f->nexits++;
    f->exit_status = status;
    snprintf(f->exit_why, sizeof f->exit_why, "%s", why);
    f->exit_tick = f->eq.now;
}

static void on_stats(void *opaque, bool dump, bool reset)
{
    struct fx *f = opaque;
    f->nstats++;
    f->stats_dump = dump;
    f->stats_reset = reset;
    f->stats_tick = eventq_now(&f->eq);
}

static int on_checkpoint(void *opaque)
{
    struct fx *f = opaque;
    f->nckpt++;
    return f->ckpt_rc;
}

static void on_request(void *opaque)
{
    struct fx *f = opaque;
    f->nrequests++;
}

static bool on_wait(void *opaque)
{
    struct fx *f = opaque;
    return f->wait;
}

static uint64_t m5op_bridge(void *opaque, struct cpu *cpu, unsigned func)
{
    return m5dev_op(opaque, cpu, func);
}

static void write_text(const char *path, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
}

/* Contents of a file under the output directory; -1 if it does not exist. */
static ssize_t out_file(struct fx *f, const char *name, char *buf, size_t max)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->outdir, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, max);
    close(fd);
    return n;
}

static void init_dev(struct fx *f, int nscripts, bool with_checkpoint)
{
    const char *list[4];
    for (int i = 0; i < nscripts; i++)
        list[i] = f->scripts[i];
    struct m5dev_hooks hooks = {
        .opaque = f,
        .exit = on_exit_hook,
        .stats = on_stats,
        .checkpoint = with_checkpoint ? on_checkpoint : NULL,
        .script_request = on_request,
        .wait_for_script = on_wait,
    };
    m5dev_free(&f->d);
    m5dev_init(&f->d, &f->eq, f->outdir, list, nscripts, &hooks);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    cur = f;
    f->t = tg_new();
    eventq_init(&f->eq);
    strcpy(f->tmp, "/tmp/m5sim-test-m5dev-XXXXXX");
    assert_non_null(mkdtemp(f->tmp));
    snprintf(f->outdir, sizeof f->outdir, "%s/out", f->tmp);
    assert_int_equal(mkdir(f->outdir, 0755), 0);
    for (int i = 0; i < 4; i++)
        snprintf(f->scripts[i], sizeof f->scripts[i], "%s/script%d.sh", f->tmp, i);
    init_dev(f, 0, true);
    f->t->m5op = m5op_bridge;
    f->t->m5op_opaque = &f->d;
    /* Guest buffers: two non-adjacent pages, a hole, a name page. */
    tg_map(f->t, VA, PA_A, PTE_W | PTE_U);
    tg_map(f->t, VA + 0x1000, PA_C, PTE_W | PTE_U);
    tg_map(f->t, NAME_VA, NAME_PA, PTE_W | PTE_U);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    m5dev_free(&f->d);
    eventq_free(&f->eq);
    tg_free(f->t);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->tmp);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Call an op directly, as the CPU would from inside an instruction. */
static uint64_t op(struct fx *f, unsigned func, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = f->t->cpu;
    cpu->s.gpr[RDI] = a0;
    cpu->s.gpr[RSI] = a1;
    cpu->s.gpr[RDX] = a2;
    cpu->s.gpr[RCX] = a3;
    if (setjmp(cpu->fault_jmp))
        fail_msg("m5 op 0x%x raised %d", func, cpu->fault_vector);
    return m5dev_op(&f->d, cpu, func);
}

static void guest_string(struct fx *f, const char *s)
{
    tg_write(f->t, NAME_PA, s, strlen(s) + 1);
}

/* ------------------------------------------------------------ read_file -- */

static void test_readfile_queue(void **state)
{
    struct fx *f = *state;
    write_text(f->scripts[0], "echo first\n", 11);
    write_text(f->scripts[1], "echo second script\n", 19);
    init_dev(f, 2, true);
    uint8_t got[64];

    assert_int_equal(op(f, M5OP_READ_FILE, VA, 4096, 0, 0), 11);
    assert_int_equal(bus_read_phys(&f->t->bus, PA_A, got, 11), 0);
    assert_memory_equal(got, "echo first\n", 11);
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 4096, 11, 0), 0);    /* end of the script */
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 4096, 100, 0), 0);   /* past it */

    /* Offset 0 starts the next script; a nonzero offset continues it. */
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 5, 0, 0), 5);
    assert_int_equal(op(f, M5OP_READ_FILE, VA + 5, 100, 5, 0), 14);
    assert_int_equal(bus_read_phys(&f->t->bus, PA_A, got, 19), 0);
    assert_memory_equal(got, "echo second script\n", 19);
    assert_int_equal(f->d.scripts_started, 2);
    assert_int_equal(f->nrequests, 2);

    /* Exhausted: empty, every time; a later offset too. */
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 4096, 0, 0), 0);
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 4096, 0, 0), 0);
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 4096, 3, 0), 0);
    assert_int_equal(f->d.scripts_started, 4);

    /* A script queued later (interactive mode) is the next one. */
    write_text(f->scripts[2], "late\n", 5);
    m5dev_queue_script(&f->d, f->scripts[2]);
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 4096, 0, 0), 5);
}

static void test_readfile_missing_script(void **state)
{
    struct fx *f = *state;
    write_text(f->scripts[1], "ok\n", 3);
    init_dev(f, 2, true);   /* scripts[0] does not exist */
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 4096, 0, 0), 0);
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 4096, 0, 0), 3);
}

static void test_readfile_short_count(void **state)
{
    struct fx *f = *state;
    static uint8_t script[10000];
    for (size_t i = 0; i < sizeof script; i++)
        script[i] = (uint8_t)(i * 13 + 1);
    write_text(f->scripts[0], script, sizeof script);
    init_dev(f, 1, true);

    /* VA and VA+0x1000 are mapped (to non-adjacent pages), VA+0x2000 is not. */
    assert_int_equal(op(f, M5OP_READ_FILE, VA + 0x800, sizeof script, 0, 0), 0x2000 - 0x800);
    uint8_t got[0x1000];
    assert_int_equal(bus_read_phys(&f->t->bus, PA_A + 0x800, got, 0x800), 0);
    assert_memory_equal(got, script, 0x800);
    assert_int_equal(bus_read_phys(&f->t->bus, PA_C, got, 0x1000), 0);
    assert_memory_equal(got, script + 0x800, 0x1000);

    /* The guest continues at the offset it got to, into a mapped buffer. */
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 0x800, 0x1800, 0), 0x800);
    assert_int_equal(bus_read_phys(&f->t->bus, PA_A, got, 0x800), 0);
    assert_memory_equal(got, script + 0x1800, 0x800);
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 0x2000, 0x2000, 0), sizeof script - 0x2000);
    assert_int_equal(bus_read_phys(&f->t->bus, PA_A, got, 0x710), 0);
    assert_memory_equal(got, script + 0x2000, 0x710);
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 0x2000, sizeof script, 0), 0);

    /* Entirely unmapped, and non-canonical: 0, no host fault. */
    assert_int_equal(op(f, M5OP_READ_FILE, VA + 0x2000, 100, 1, 0), 0);
    assert_int_equal(op(f, M5OP_READ_FILE, 0x0000800000000000ull, 100, 1, 0), 0);
    assert_int_equal(op(f, M5OP_READ_FILE, 0xfffffffffffff000ull, 0x2000, 1, 0), 0);
}

/* The copy obeys the caller's privilege: a user cannot have the host write kernel or read-only memory. */
static void test_readfile_permissions(void **state)
{
    struct fx *f = *state;
    write_text(f->scripts[0], "0123456789", 10);
    init_dev(f, 1, true);
    tg_map(f->t, VA + 0x4000, PA_B, PTE_W);    /* supervisor only */
    tg_map(f->t, VA + 0x5000, PA_B, PTE_U);    /* user read-only */
    struct cpu *cpu = f->t->cpu;
    cpu->s.cpl = 3;
    mmu_flush(cpu, true);
    assert_int_equal(op(f, M5OP_READ_FILE, VA + 0x4000, 10, 0, 0), 0);
    assert_int_equal(op(f, M5OP_READ_FILE, VA + 0x5000, 10, 1, 0), 0);
    assert_int_equal(tg_read64(f->t, PA_B), 0);
    assert_int_equal(op(f, M5OP_READ_FILE, VA, 10, 1, 0), 9);

    /* The kernel (CPL0) may write the supervisor page, not the read-only one (CR0.WP). */
    cpu->s.cpl = 0;
    mmu_flush(cpu, true);
    assert_int_equal(op(f, M5OP_READ_FILE, VA + 0x5000, 10, 1, 0), 0);
    assert_int_equal(op(f, M5OP_READ_FILE, VA + 0x4000, 10, 1, 0), 9);
    uint8_t got[9];
    assert_int_equal(bus_read_phys(&f->t->bus, PA_B, got, 9), 0);
    assert_memory_equal(got, "123456789", 9);
}

/* read_file over a page that holds decoded code: the next execution runs the new bytes. */
static void test_readfile_into_code(void **state)
{
    struct fx *f = *state;
    static const uint8_t old_code[] = { 0xb8, 0x01, 0, 0, 0, 0xf4 }, new_code[] = { 0xb8, 0x2a, 0, 0, 0, 0xf4 };
    write_text(f->scripts[0], new_code, sizeof new_code);
    init_dev(f, 1, true);
    tg_write(f->t, PA_A, old_code, sizeof old_code);
    assert_int_equal(tg_run(f->t, VA, 100), CPU_EXIT_HALT);
    assert_int_equal(f->t->cpu->s.gpr[RAX], 1);
    assert_int_equal(op(f, M5OP_READ_FILE, VA, sizeof new_code, 0, 0), sizeof new_code);
    assert_int_equal(tg_run(f->t, VA, 100), CPU_EXIT_HALT);
    assert_int_equal(f->t->cpu->s.gpr[RAX], 0x2a);
}

/* The guest's own instruction: mov rdi, VA; mov esi, 4096; xor edx, edx; m5 readfile; hlt */
static void emit_readfile_program(struct tg_asm *a)
{
    tg_mov_imm64(a, RDI, VA);
    tg_emit(a, 1, 0xbe);
    tg_emit32(a, 4096);
    tg_emit(a, 2, 0x31, 0xd2);
    tg_emit(a, 4, 0x0f, 0x04, M5OP_READ_FILE, 0x00);
    tg_emit(a, 1, 0xf4);
}

static void test_readfile_instruction(void **state)
{
    struct fx *f = *state;
    write_text(f->scripts[0], "uname -a\n", 9);
    init_dev(f, 1, true);
    struct tg_asm a = { .n = 0 };
    emit_readfile_program(&a);
    tg_code(f->t, TG_CODE, a.b, a.n);
    assert_int_equal(tg_run(f->t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(f->t->cpu->s.gpr[RAX], 9);
    char got[9];
    assert_int_equal(bus_read_phys(&f->t->bus, PA_A, got, 9), 0);
    assert_memory_equal(got, "uname -a\n", 9);
}

/* Interactive mode: with an empty queue the op is abandoned (nothing changes) until a script is queued. */
static void test_readfile_waits_for_script(void **state)
{
    struct fx *f = *state;
    init_dev(f, 0, true);
    struct tg_asm a = { .n = 0 };
    emit_readfile_program(&a);
    tg_code(f->t, TG_CODE, a.b, a.n);
    const uint64_t m5op_rip = TG_CODE + a.n - 5;
    f->wait = true;
    f->t->cpu->s.gpr[RAX] = 0x777;
    assert_int_equal(tg_run(f->t, TG_CODE, 100), CPU_EXIT_WAIT);
    assert_int_equal(f->t->cpu->s.rip, m5op_rip);
    assert_int_equal(f->t->cpu->s.gpr[RAX], 0x777);
    assert_int_equal(f->d.scripts_started, 0);
    assert_int_equal(f->nrequests, 0);
    assert_int_equal(cpu_run(f->t->cpu, 100), CPU_EXIT_WAIT);   /* still nothing */

    write_text(f->scripts[3], "ls\n", 3);
    m5dev_queue_script(&f->d, f->scripts[3]);
    assert_int_equal(cpu_run(f->t->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(f->t->cpu->s.gpr[RAX], 3);
    assert_int_equal(f->d.scripts_started, 1);

    /* The user answers "no more": the wait hook says so and the guest reads empty. */
    f->wait = false;
    assert_int_equal(tg_run(f->t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(f->t->cpu->s.gpr[RAX], 0);
}

/* ------------------------------------------------------- address mode -- */

static void test_address_mode(void **state)
{
    struct fx *f = *state;
    m5dev_attach(&f->d, &f->t->bus);
    const uint64_t win = VA + 0x200000;
    for (uint64_t off = 0; off < M5OP_ADDR_SIZE; off += 4096)
        tg_map(f->t, win + off, M5OP_ADDR_BASE + off, PTE_W | PTE_NX);
    /* mov rax, [rbx]; hlt with rbx at the sum op's address */
    static const uint8_t prog[] = { 0x48, 0x8b, 0x03, 0xf4 };
    tg_code(f->t, TG_CODE, prog, sizeof prog);
    struct cpu *cpu = f->t->cpu;
    cpu->s.gpr[RBX] = win + ((uint64_t)M5OP_SUM << M5OP_ADDR_FUNC_SHIFT);
    cpu->s.gpr[RDI] = 1;
    cpu->s.gpr[RSI] = 2;
    cpu->s.gpr[RDX] = 3;
    cpu->s.gpr[RCX] = 4;
    cpu->s.gpr[R8] = 5;
    cpu->s.gpr[R9] = 6;
    assert_int_equal(tg_run(f->t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(cpu->s.gpr[RAX], 21);

    /* The same op by instruction. */
    static const uint8_t inst[] = { 0x0f, 0x04, M5OP_SUM, 0x00, 0xf4 };
    tg_code(f->t, TG_CODE, inst, sizeof inst);
    cpu->s.gpr[R9] = 100;
    assert_int_equal(tg_run(f->t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(cpu->s.gpr[RAX], 115);

    /* Exit through the window: scheduled, not immediate. */
    cpu->s.gpr[RBX] = win + ((uint64_t)M5OP_EXIT << M5OP_ADDR_FUNC_SHIFT);
    cpu->s.gpr[RDI] = 0;
    tg_code(f->t, TG_CODE, prog, sizeof prog);
    assert_int_equal(tg_run(f->t, TG_CODE, 100), CPU_EXIT_HALT);
    assert_int_equal(f->nexits, 0);
    eventq_run_until(&f->eq, f->eq.now);
    assert_int_equal(f->nexits, 1);

    /* Without an initiating CPU (a device's DMA) the window does nothing. */
    assert_int_equal(bus_mmio_read(&f->t->bus, M5OP_ADDR_BASE + (M5OP_EXIT << 8), 8, NULL), 0);
    eventq_run_until(&f->eq, f->eq.now + 1000000);
    assert_int_equal(f->nexits, 1);
}

/* ----------------------------------------------------------- write_file -- */

static uint64_t writefile(struct fx *f, const char *name, const void *data, uint64_t len, uint64_t offset)
{
    if (data)
        tg_write(f->t, PA_A, data, len);
    guest_string(f, name);
    return op(f, M5OP_WRITE_FILE, VA, len, offset, NAME_VA);
}

static void test_writefile_basic(void **state)
{
    struct fx *f = *state;
    char buf[64];
    assert_int_equal(writefile(f, "out.txt", "hello world", 11, 0), 11);
    assert_int_equal(out_file(f, "out.txt", buf, sizeof buf), 11);
    assert_memory_equal(buf, "hello world", 11);

    assert_int_equal(writefile(f, "out.txt", "hi", 2, 0), 2);   /* offset 0 truncates */
    assert_int_equal(out_file(f, "out.txt", buf, sizeof buf), 2);
    assert_int_equal(writefile(f, "out.txt", "XY", 2, 2), 2);   /* later offsets append in place */
    assert_int_equal(writefile(f, "out.txt", "Z", 1, 8), 1);
    assert_int_equal(out_file(f, "out.txt", buf, sizeof buf), 9);
    assert_memory_equal(buf, "hiXY\0\0\0\0Z", 9);

    assert_int_equal(writefile(f, "empty.txt", NULL, 0, 0), 0);
    assert_int_equal(out_file(f, "empty.txt", buf, sizeof buf), 0);
}

static void test_writefile_confinement(void **state)
{
    struct fx *f = *state;
    char buf[64], path[256];
    struct stat st;

    /* '..' anywhere is refused, and nothing appears outside. */
    assert_true(writefile(f, "../escape.txt", "x", 1, 0) == FAILED);
    snprintf(path, sizeof path, "%s/escape.txt", f->tmp);
    assert_int_not_equal(stat(path, &st), 0);
    assert_true(writefile(f, "sub/../../escape2.txt", "x", 1, 0) == FAILED);
    snprintf(path, sizeof path, "%s/escape2.txt", f->tmp);
    assert_int_not_equal(stat(path, &st), 0);
    assert_true(writefile(f, "..", "x", 1, 0) == FAILED);

    /* Absolute names land inside the output directory. */
    assert_int_equal(writefile(f, "/abs/dir/file.txt", "abs", 3, 0), 3);
    assert_int_equal(out_file(f, "abs/dir/file.txt", buf, sizeof buf), 3);
    assert_memory_equal(buf, "abs", 3);
    assert_int_not_equal(stat("/abs/dir/file.txt", &st), 0);

    /* Subdirectories are created. */
    assert_int_equal(writefile(f, "a/b/c/d.txt", "deep", 4, 0), 4);
    assert_int_equal(out_file(f, "a/b/c/d.txt", buf, sizeof buf), 4);
    assert_int_equal(writefile(f, "a/b/e.txt", "e", 1, 0), 1);

    /* Symlinks are refused: as the file itself and as a directory on the way. */
    char target[160], outside[160];
    snprintf(target, sizeof target, "%s/target.txt", f->tmp);
    write_text(target, "precious", 8);
    snprintf(path, sizeof path, "%s/link.txt", f->outdir);
    assert_int_equal(symlink(target, path), 0);
    assert_true(writefile(f, "link.txt", "overwritten", 11, 0) == FAILED);
    assert_true(writefile(f, "link.txt", "overwritten", 11, 3) == FAILED);
    int fd = open(target, O_RDONLY);
    assert_int_equal(read(fd, buf, sizeof buf), 8);
    close(fd);
    assert_memory_equal(buf, "precious", 8);

    snprintf(outside, sizeof outside, "%s/elsewhere", f->tmp);
    assert_int_equal(mkdir(outside, 0755), 0);
    snprintf(path, sizeof path, "%s/ldir", f->outdir);
    assert_int_equal(symlink(outside, path), 0);
    assert_true(writefile(f, "ldir/f.txt", "x", 1, 0) == FAILED);
    snprintf(path, sizeof path, "%s/f.txt", outside);
    assert_int_not_equal(stat(path, &st), 0);

    /* Empty name: refused. */
    assert_true(writefile(f, "", "x", 1, 0) == FAILED);
    assert_true(writefile(f, "///", "x", 1, 0) == FAILED);
}

static void test_writefile_bad_guest_memory(void **state)
{
    struct fx *f = *state;
    char buf[64];
    /* Unmapped name pointer: nothing written, no fault. */
    tg_write(f->t, PA_A, "data", 4);
    assert_true(op(f, M5OP_WRITE_FILE, VA, 4, 0, VA + 0x3000) == FAILED);
    assert_true(op(f, M5OP_WRITE_FILE, VA, 4, 0, 0x0000800000000000ull) == FAILED);

    /* A name running into an unmapped page without a NUL. */
    uint8_t fill[4096];
    memset(fill, 'n', sizeof fill);
    tg_write(f->t, NAME_PA, fill, sizeof fill);
    assert_true(op(f, M5OP_WRITE_FILE, VA, 4, 0, NAME_VA) == FAILED);

    /* Buffer: first page mapped, then the hole at VA+0x2000: a short count, and the file holds it. */
    static uint8_t big[0x3000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i ^ (i >> 8));
    tg_write(f->t, PA_A, big, 0x1000);
    tg_write(f->t, PA_C, big + 0x1000, 0x1000);
    guest_string(f, "partial.bin");
    assert_int_equal(op(f, M5OP_WRITE_FILE, VA, sizeof big, 0, NAME_VA), 0x2000);
    static uint8_t got[0x3000];
    assert_int_equal(out_file(f, "partial.bin", (char *)got, sizeof got), 0x2000);
    assert_memory_equal(got, big, 0x2000);
    (void)buf;
}

/* Existing name (relative to the outdir) of a regular file with this content. */
static void make_out(struct fx *f, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", f->outdir, name);
    write_text(path, text, strlen(text));
}

static int mkdir_out(struct fx *f, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", f->outdir, name);
    return mkdir(path, 0755);
}

static bool out_exists(struct fx *f, const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", f->outdir, name);
    return lstat(path, &st) == 0;
}

/* The simulator's files, by name: checkpoints at any depth, its outputs at the top. */
static void test_writefile_reserved_names(void **state)
{
    struct fx *f = *state;
    char buf[64];
    assert_int_equal(mkdir_out(f, "cpt.1000"), 0);
    make_out(f, "cpt.1000/memory.img", "MEMORY");
    static const char *const refused[] = {
        "cpt.1000/memory.img", "cpt.1000/m5.cpt", "cpt.1/m5.cpt", ".cpt.5/m5.cpt", "sub/cpt.7/x",
        "config.ini", "run.ini", "stats.txt", "system.pc.com_1.device", "disk0.overlay", "disk1.map",
        "m5.cpt", "/stats.txt", "sub/m5.cpt",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_true(writefile(f, refused[i], "x", 1, 0) == FAILED);
    }
    assert_int_equal(out_file(f, "cpt.1000/memory.img", buf, sizeof buf), 6);
    assert_memory_equal(buf, "MEMORY", 6);
    assert_false(out_exists(f, "cpt.1"));
    assert_false(out_exists(f, "sub"));             /* no directory left behind */
    assert_false(out_exists(f, "config.ini"));
    /* The same names below a subdirectory of the guest's own are its files. */
    assert_int_equal(writefile(f, "results/stats.txt", "ok", 2, 0), 2);
}

/* Files that are inputs of the run (same inode), hard links, and directories of other runs. */
static void test_writefile_inputs_and_links(void **state)
{
    struct fx *f = *state;
    char buf[64], path[256], lnk[256];
    /* An input stored in the outdir under an innocent name. */
    make_out(f, "base.img", "DISK");
    snprintf(path, sizeof path, "%s/base.img", f->outdir);
    m5dev_protect(&f->d, path);
    assert_true(writefile(f, "base.img", "x", 1, 0) == FAILED);
    assert_true(writefile(f, "base.img", "x", 1, 2) == FAILED);
    assert_int_equal(out_file(f, "base.img", buf, sizeof buf), 4);
    /* A hard link to anything: refused (its other name may be an input outside). */
    snprintf(lnk, sizeof lnk, "%s/hard.txt", f->outdir);
    char outside[256];
    snprintf(outside, sizeof outside, "%s/precious.txt", f->tmp);
    write_text(outside, "precious", 8);
    assert_int_equal(link(outside, lnk), 0);
    assert_true(writefile(f, "hard.txt", "x", 1, 0) == FAILED);
    int fd = open(outside, O_RDONLY);
    assert_int_equal(read(fd, buf, sizeof buf), 8);
    close(fd);
    /* A checkpoint directory whose files are protected: every one of them. */
    char ck[256];
    snprintf(ck, sizeof ck, "%s/ckpt", f->tmp);
    assert_int_equal(mkdir(ck, 0755), 0);
    snprintf(path, sizeof path, "%s/ckpt/m5.cpt", f->tmp);
    write_text(path, "INDEX", 5);
    m5dev_protect(&f->d, ck);
    snprintf(lnk, sizeof lnk, "%s/index-copy", f->outdir);
    assert_int_equal(link(path, lnk), 0);
    assert_true(writefile(f, "index-copy", "x", 1, 0) == FAILED);
    /* Another run's output directory (a batch subdirectory): refused, even for new files. */
    assert_int_equal(mkdir_out(f, "1-job.sh"), 0);
    make_out(f, "1-job.sh/config.ini", "[root]");
    assert_true(writefile(f, "1-job.sh/new.txt", "x", 1, 0) == FAILED);
    assert_false(out_exists(f, "1-job.sh/new.txt"));
    /* A queued script is an input too. */
    write_text(f->scripts[0], "echo\n", 5);
    m5dev_queue_script(&f->d, f->scripts[0]);
    snprintf(lnk, sizeof lnk, "%s/script-link", f->outdir);
    assert_int_equal(link(f->scripts[0], lnk), 0);
    assert_true(writefile(f, "script-link", "x", 1, 0) == FAILED);
}

/* FIFOs and devices are neither opened for long nor written; odd names and sizes are refused. */
static void test_writefile_special_files_and_limits(void **state)
{
    struct fx *f = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/fifo", f->outdir);
    assert_int_equal(mkfifo(path, 0644), 0);
    assert_true(writefile(f, "fifo", "x", 1, 0) == FAILED);   /* returns: no reader, no blocking */
    assert_true(writefile(f, "fifo", "x", 1, 5) == FAILED);
    assert_true(writefile(f, "dir\nname", "x", 1, 0) == FAILED);
    assert_true(writefile(f, "tab\there", "x", 1, 0) == FAILED);
    assert_true(writefile(f, "del\x7f", "x", 1, 0) == FAILED);
    assert_false(out_exists(f, "dir"));
    /* Depth: 16 components are fine, 17 are not (and leave no directories). */
    char deep[128] = "";
    for (int i = 0; i < 15; i++)
        strcat(deep, "d/");
    strcat(deep, "f");
    assert_int_equal(writefile(f, deep, "x", 1, 0), 1);
    char deeper[128] = "e/";
    strcat(deeper, deep);
    assert_true(writefile(f, deeper, "x", 1, 0) == FAILED);
    assert_false(out_exists(f, "e"));
    /* Length: 1024 bytes at most. */
    static char longname[1100];
    memset(longname, 'n', 1025);
    longname[1025] = 0;
    assert_true(writefile(f, longname, "x", 1, 0) == FAILED);
    /* Size: offset + length within 4 GiB; a 1 TiB sparse file is refused and nothing is created. */
    assert_true(writefile(f, "sparse.bin", "x", 1, 1ull << 40) == FAILED);
    assert_true(writefile(f, "sparse.bin", "x", 1, M5WF_MAX_FILE_SIZE) == FAILED);
    assert_false(out_exists(f, "sparse.bin"));
    assert_true(writefile(f, "new/dir/sparse.bin", "x", 1, 1ull << 40) == FAILED);
    assert_false(out_exists(f, "new"));
    assert_int_equal(writefile(f, "edge.bin", "x", 1, M5WF_MAX_FILE_SIZE - 1), 1);
    struct stat st;
    snprintf(path, sizeof path, "%s/edge.bin", f->outdir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, M5WF_MAX_FILE_SIZE);
    unlink(path);
    /* An unreadable guest buffer writes nothing: the file it would have created is gone again. */
    guest_string(f, "nobuf/x.bin");
    assert_true(op(f, M5OP_WRITE_FILE, VA + 0x2000, 4, 0, NAME_VA) == FAILED);
    assert_false(out_exists(f, "nobuf"));
}

/* Legitimate use: nested names create directories, offsets write in place, existing files are reused. */
static void test_writefile_nested_and_offsets(void **state)
{
    struct fx *f = *state;
    char buf[64];
    assert_int_equal(writefile(f, "//x//y.txt", "hello", 5, 0), 5);
    assert_int_equal(out_file(f, "x/y.txt", buf, sizeof buf), 5);
    assert_int_equal(writefile(f, "x/y.txt", "J", 1, 0), 1);      /* offset 0: truncated */
    assert_int_equal(writefile(f, "x/y.txt", "ELLO", 4, 1), 4);   /* then continued in place */
    assert_int_equal(writefile(f, "x/y.txt", "!", 1, 7), 1);      /* a hole reads as zero */
    assert_int_equal(out_file(f, "x/y.txt", buf, sizeof buf), 8);
    assert_memory_equal(buf, "JELLO\0\0!", 8);
    assert_int_equal(writefile(f, "x/z/empty", NULL, 0, 0), 0);    /* empty file, new directory */
    assert_true(out_exists(f, "x/z/empty"));
}

/* ------------------------------------------------------ exit, fail, sum -- */

static void test_exit_and_fail_are_events(void **state)
{
    struct fx *f = *state;
    eventq_run_until(&f->eq, 1000);
    assert_int_equal(op(f, M5OP_EXIT, 0, 0, 0, 0), 0);
    assert_int_equal(f->nexits, 0);   /* not inside the guest's instruction */
    assert_int_equal(eventq_next(&f->eq), 1000);
    eventq_run_until(&f->eq, 1000);
    assert_int_equal(f->nexits, 1);
    assert_int_equal(f->exit_status, 0);
    assert_string_equal(f->exit_why, "m5 exit");

    /* fail(delay 5 ns, code 3) */
    assert_int_equal(op(f, M5OP_FAIL, 5, 3, 0, 0), 0);
    assert_int_equal(eventq_next(&f->eq), 1000 + 5000);
    eventq_run_until(&f->eq, 1000 + 4999);
    assert_int_equal(f->nexits, 1);
    eventq_run_until(&f->eq, 1000 + 5000);
    assert_int_equal(f->nexits, 2);
    assert_int_equal(f->exit_status, 3);
    assert_string_equal(f->exit_why, "m5 fail 3");
    assert_int_equal(f->exit_tick, 6000);

    /* exit with a delay */
    assert_int_equal(op(f, M5OP_EXIT, 2000, 0, 0, 0), 0);
    eventq_run_until(&f->eq, 6000 + 2000000 - 1);
    assert_int_equal(f->nexits, 2);
    eventq_run_until(&f->eq, 6000 + 2000000);
    assert_int_equal(f->nexits, 3);
    assert_int_equal(f->exit_status, 0);

    /* a huge delay does not wrap around into the past */
    assert_int_equal(op(f, M5OP_EXIT, UINT64_MAX, 0, 0, 0), 0);
    eventq_run_until(&f->eq, f->eq.now + 1000000000ull);
    assert_int_equal(f->nexits, 3);
}

static void test_sum_and_simple_ops(void **state)
{
    struct fx *f = *state;
    struct cpu *cpu = f->t->cpu;
    cpu->s.gpr[R8] = 5;
    cpu->s.gpr[R9] = 6;
    assert_int_equal(op(f, M5OP_SUM, 1, 2, 3, 4), 21);
    cpu->s.gpr[R8] = cpu->s.gpr[R9] = 0;
    assert_int_equal(op(f, M5OP_SUM, UINT64_MAX, 2, 0, 0), 1);   /* wraps like the guest's adds */
    eventq_run_until(&f->eq, 5000000);
    assert_int_equal(op(f, M5OP_RPNS, 0, 0, 0, 0), 5000);
    assert_int_equal(op(f, M5OP_WORK_BEGIN, 0, 0, 0, 0), 0);
    assert_int_equal(op(f, M5OP_WORK_END, 0, 0, 0, 0), 0);
    assert_int_equal(f->d.work_begin, 1);
    assert_int_equal(f->d.work_end, 1);
}

static void test_stats_and_checkpoint(void **state)
{
    struct fx *f = *state;
    eventq_run_until(&f->eq, 1000);
    /* reset_stats(0, 0): now */
    op(f, M5OP_RESET_STATS, 0, 0, 0, 0);
    assert_int_equal(f->nstats, 1);
    assert_false(f->stats_dump);
    assert_true(f->stats_reset);
    /* dump_stats(10 ns, period 200 us): at +10 ns, then every 200 us */
    op(f, M5OP_DUMP_STATS, 10, 200000, 0, 0);
    assert_int_equal(f->nstats, 1);
    eventq_run_until(&f->eq, 1000 + 10000);
    assert_int_equal(f->nstats, 2);
    assert_true(f->stats_dump);
    assert_false(f->stats_reset);
    eventq_run_until(&f->eq, 1000 + 10000 + 3 * 200000000ull);
    assert_int_equal(f->nstats, 5);
    /* dump_reset_stats(0, 0) stops the period */
    op(f, M5OP_DUMP_RESET_STATS, 0, 0, 0, 0);
    assert_int_equal(f->nstats, 6);
    assert_true(f->stats_dump && f->stats_reset);
    eventq_run_until(&f->eq, f->eq.now + 1000000);
    assert_int_equal(f->nstats, 6);

    /* checkpoint with a delay: through the queue, the op returns at once */
    assert_int_equal(op(f, M5OP_CHECKPOINT, 5, 0, 0, 0), 0);
    assert_int_equal(f->nckpt, 0);
    eventq_run_until(&f->eq, f->eq.now + 5000);
    assert_int_equal(f->nckpt, 1);
}

/* The op, which may abandon its instruction (cpu_abort_instruction): true if it did. */
static bool op_aborts(struct fx *f, unsigned func, uint64_t a0, uint64_t a1, uint64_t *result)
{
    struct cpu *cpu = f->t->cpu;
    cpu->s.gpr[RDI] = a0;
    cpu->s.gpr[RSI] = a1;
    if (setjmp(cpu->fault_jmp)) {
        assert_int_equal(cpu->fault_vector, -1);
        return true;
    }
    *result = m5dev_op(&f->d, cpu, func);
    return false;
}

/* Issue 13: a checkpoint that cannot be written is a failure the guest sees; periods and counts are bounded. */
static void test_checkpoint_result(void **state)
{
    struct fx *f = *state;
    uint64_t r = 42;
    /* Without a delay: the load is abandoned, the machine takes the checkpoint, the load runs again. */
    assert_true(op_aborts(f, M5OP_CHECKPOINT, 0, 0, &r));
    assert_int_equal(f->nckpt, 0);
    assert_true(m5dev_take_requested_checkpoint(&f->d));
    assert_false(m5dev_take_requested_checkpoint(&f->d));
    assert_int_equal(f->nckpt, 1);
    assert_false(op_aborts(f, M5OP_CHECKPOINT, 0, 0, &r));
    assert_int_equal(r, 0);

    /* Disk full: the op returns the failure value, and a series does not start. */
    f->ckpt_rc = -ENOSPC;
    assert_true(op_aborts(f, M5OP_CHECKPOINT, 0, 1, &r));
    assert_true(m5dev_take_requested_checkpoint(&f->d));
    assert_false(op_aborts(f, M5OP_CHECKPOINT, 0, 1, &r));
    assert_int_equal(r, M5OP_CHECKPOINT_FAILED);
    assert_int_equal(eventq_next(&f->eq), TICK_NEVER);

    /* A period of 1 ns is raised to 1 ms; a failure ends the series. */
    f->ckpt_rc = 0;
    uint64_t t0 = f->eq.now;
    assert_true(op_aborts(f, M5OP_CHECKPOINT, 0, 1, &r));
    assert_true(m5dev_take_requested_checkpoint(&f->d));
    assert_false(op_aborts(f, M5OP_CHECKPOINT, 0, 1, &r));
    assert_int_equal(r, 0);
    assert_int_equal(eventq_next(&f->eq), t0 + M5DEV_MIN_CHECKPOINT_PERIOD_TICKS);
    eventq_run_until(&f->eq, t0 + 3 * M5DEV_MIN_CHECKPOINT_PERIOD_TICKS);
    assert_int_equal(f->nckpt, 2 + 1 + 3);
    f->ckpt_rc = -ENOSPC;
    eventq_run_until(&f->eq, t0 + 4 * M5DEV_MIN_CHECKPOINT_PERIOD_TICKS);
    assert_int_equal(f->nckpt, 7);
    eventq_run_until(&f->eq, t0 + 100 * M5DEV_MIN_CHECKPOINT_PERIOD_TICKS);
    assert_int_equal(f->nckpt, 7);   /* no retries after the failure */
    assert_int_equal(eventq_next(&f->eq), TICK_NEVER);

    /* A restore resumes on the checkpoint's own load: success, no new checkpoint. */
    f->ckpt_rc = 0;
    m5dev_restored_at(&f->d, f->t->cpu->s.rip);
    assert_false(op_aborts(f, M5OP_CHECKPOINT, 0, 0, &r));
    assert_int_equal(r, 0);
    assert_int_equal(f->nckpt, 7);
    /* ... only that once. */
    assert_true(op_aborts(f, M5OP_CHECKPOINT, 0, 0, &r));
    assert_true(m5dev_take_requested_checkpoint(&f->d));
    assert_int_equal(f->nckpt, 8);
}

/* m5 fail N: the status says N (255 above 255, never 0); the earliest exit wins. */
static void test_fail_status(void **state)
{
    struct fx *f = *state;
    assert_int_equal(op(f, M5OP_FAIL, 0, 256, 0, 0), 0);
    eventq_run_until(&f->eq, f->eq.now);
    assert_int_equal(f->exit_status, 255);
    assert_string_equal(f->exit_why, "m5 fail 256");

    /* A delayed fail is not overwritten by a later, later exit. */
    uint64_t t0 = f->eq.now;
    assert_int_equal(op(f, M5OP_FAIL, 1000, 7, 0, 0), 0);
    assert_int_equal(op(f, M5OP_EXIT, 5000, 0, 0, 0), 0);
    eventq_run_until(&f->eq, t0 + 5000000);
    assert_int_equal(f->nexits, 2);
    assert_int_equal(f->exit_status, 7);
    assert_int_equal(f->exit_tick, t0 + 1000000);

    /* An earlier exit still ends the run first, as in gem5. */
    t0 = f->eq.now;
    assert_int_equal(op(f, M5OP_FAIL, 1000, 9, 0, 0), 0);
    assert_int_equal(op(f, M5OP_EXIT, 10, 0, 0, 0), 0);
    eventq_run_until(&f->eq, t0 + 5000000);
    assert_int_equal(f->nexits, 3);
    assert_int_equal(f->exit_status, 0);
}

/* Capture what fn writes to stderr. */
static size_t capture_stderr(void (*fn)(struct fx *), struct fx *f, char *out, size_t max)
{
    char path[160];
    snprintf(path, sizeof path, "%s/stderr.txt", f->tmp);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    close(fd);
    fn(f);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fd = open(path, O_RDONLY);
    ssize_t n = read(fd, out, max - 1);
    close(fd);
    out[n > 0 ? n : 0] = 0;
    return n > 0 ? (size_t)n : 0;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void unknown_ops(struct fx *f)
{
    assert_int_equal(op(f, 0x99, 0, 0, 0, 0), 0);
    assert_int_equal(op(f, 0x99, 0, 0, 0, 0), 0);
    assert_int_equal(op(f, 0x99, 0, 0, 0, 0), 0);
    assert_int_equal(op(f, 0x98, 0, 0, 0, 0), 0);
}

static void checkpoint_without_hook(struct fx *f)
{
    op(f, M5OP_CHECKPOINT, 0, 0, 0, 0);
    op(f, M5OP_CHECKPOINT, 0, 0, 0, 0);
}

/* Periodic statistics: at least 100 us apart, at most M5DEV_MAX_PERIODIC_STATS per run. */
static void stats_flood(struct fx *f)
{
    op(f, M5OP_DUMP_STATS, 0, 1, 0, 0);
    eventq_run_until(&f->eq, f->eq.now + (uint64_t)(M5DEV_MAX_PERIODIC_STATS + 50) * M5DEV_MIN_STATS_PERIOD_TICKS);
}

static void test_stats_period_bounded(void **state)
{
    struct fx *f = *state;
    char err[4096];
    capture_stderr(stats_flood, f, err, sizeof err);
    assert_int_equal(f->nstats, 1 + M5DEV_MAX_PERIODIC_STATS);
    assert_int_equal(count(err, "shorter than 100 us"), 1);
    assert_int_equal(count(err, "the period stops here"), 1);
    assert_int_equal(eventq_next(&f->eq), TICK_NEVER);
}

static void test_unknown_op_reported_once(void **state)
{
    struct fx *f = *state;
    char err[4096];
    capture_stderr(unknown_ops, f, err, sizeof err);
    assert_int_equal(count(err, "unknown m5 op"), 2);
    assert_int_equal(count(err, "0x99"), 1);
    assert_int_equal(count(err, "0x98"), 1);
    /* A second round reports nothing new. */
    capture_stderr(unknown_ops, f, err, sizeof err);
    assert_int_equal(count(err, "unknown m5 op"), 0);

    init_dev(f, 0, false);
    capture_stderr(checkpoint_without_hook, f, err, sizeof err);
    assert_int_equal(count(err, "op 0x43"), 1);
    eventq_run_until(&f->eq, f->eq.now + 1000000);
    assert_int_equal(f->nckpt, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readfile_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readfile_missing_script, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readfile_short_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readfile_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readfile_into_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readfile_instruction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readfile_waits_for_script, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writefile_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writefile_confinement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writefile_bad_guest_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writefile_reserved_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writefile_inputs_and_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writefile_special_files_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writefile_nested_and_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_and_fail_are_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sum_and_simple_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_and_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_result, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_period_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_op_reported_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
