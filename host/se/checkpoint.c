/*
 * checkpoint.c - process checkpoints of `m5sim se` (see checkpoint.h): the
 * process's own state as sections of a cpt.<tick>/ index that ckpt_save()
 * writes, with guest RAM (page tables included) in its sparse memory.img.
 *
 * A checkpoint is taken between CPU runs, on an instruction boundary where
 * the scheduler has run: no system call is half done, the running thread's
 * registers are copied into its struct se_thread like every other thread's,
 * and everything else the process is (mappings, descriptors, handlers,
 * timers, futex waiters, the deterministic random stream, simulated time)
 * is plain data in struct se. A restore puts each piece back and the run
 * loop carries on as if it had never stopped: the restored program's output
 * from that point is byte for byte the uninterrupted run's.
 */
#include "se/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt/cpu_state.h"
#include "ckpt/memory.h"
#include "se/process.h"
#include "util/log.h"

/* [se.process]: the process-wide state of struct se. */
struct proc_ckpt {
    uint64_t brk_start, brk, mmap_base;
    uint64_t pt_root, pt_next_free, pages_in_use;
    uint64_t nvma, nfree;
    uint64_t sleep_ns, rng, stall_cycles;
    uint64_t sigpending;
    int32_t sicode[SE_NSIG + 1];
    uint64_t alarm_at, alarm_interval;
    uint32_t nthreads, cur, live;
    int32_t next_tid;
    uint64_t wait_seq, quantum_start;
    uint64_t last_fault_icount, last_fault_va;
    uint64_t rlim[32];
    uint8_t comm[16];
    uint64_t entry, phdr, phent, phnum, image_end;
    bool exec_stack;
};

#define MAX_THREADS 65536u
#define MAX_VMAS (1u << 20)
#define PC struct proc_ckpt
#define ADDR(name, F) CKPT_U64F(name, PC, F, 0, SE_USER_TOP)
static const struct ckpt_field proc_fields[] = {
    ADDR("brk_start", brk_start), ADDR("brk", brk), ADDR("mmap_base", mmap_base),
    CKPT_U64F("pt_root", PC, pt_root, SE_PAGE, SE_RAM_SIZE - SE_PAGE),
    CKPT_U64F("pt_next_free", PC, pt_next_free, SE_PAGE, SE_RAM_SIZE),
    CKPT_U64F("pages_in_use", PC, pages_in_use, 0, SE_RAM_SIZE / SE_PAGE),
    CKPT_U64F("vmas", PC, nvma, 0, MAX_VMAS),
    CKPT_U64F("free_pages", PC, nfree, 0, SE_RAM_SIZE / SE_PAGE),
    CKPT_U64F("sleep_ns", PC, sleep_ns, 0, CKPT_TIME_MAX),
    CKPT_U64F("rng", PC, rng, 0, UINT64_MAX),
    CKPT_U64F("stall_cycles", PC, stall_cycles, 0, CKPT_TIME_MAX),
    CKPT_U64F("sigpending", PC, sigpending, 0, UINT64_MAX),
    CKPT_VECTOR("sicode#", CKPT_I32, PC, sicode, INT32_MIN, INT32_MAX),
    CKPT_U64F("alarm_at", PC, alarm_at, 0, CKPT_TIME_MAX),
    CKPT_U64F("alarm_interval", PC, alarm_interval, 0, CKPT_TIME_MAX),
    CKPT_U32F("threads", PC, nthreads, 1, MAX_THREADS),
    CKPT_U32F("cur", PC, cur, 0, MAX_THREADS - 1),
    CKPT_U32F("live", PC, live, 1, MAX_THREADS),
    CKPT_I32F("next_tid", PC, next_tid, SE_PID, INT32_MAX),
    CKPT_U64F("wait_seq", PC, wait_seq, 0, UINT64_MAX),
    CKPT_U64F("quantum_start", PC, quantum_start, 0, CKPT_TIME_MAX),
    CKPT_U64F("last_fault_icount", PC, last_fault_icount, 0, UINT64_MAX),
    CKPT_U64F("last_fault_va", PC, last_fault_va, 0, UINT64_MAX),
    CKPT_VECTOR("rlim#", CKPT_U64, PC, rlim, 0, UINT64_MAX),
    CKPT_BYTESF("comm", PC, comm),
    ADDR("entry", entry), ADDR("phdr", phdr), CKPT_U64F("phent", PC, phent, 0, 4096),
    CKPT_U64F("phnum", PC, phnum, 0, 65535), ADDR("image_end", image_end),
    CKPT_BOOLF("exec_stack", PC, exec_stack),
};
#undef ADDR
#undef PC

static bool proc_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    (void)r;
    const struct proc_ckpt *p = state;
    if (p->cur >= p->nthreads || p->live > p->nthreads)
        return snprintf(why, len, "cur = %u, live = %u for %u threads", p->cur, p->live, p->nthreads), false;
    if (p->brk < p->brk_start || (p->pt_root | p->pt_next_free) & (SE_PAGE - 1) || p->pt_root >= p->pt_next_free)
        return snprintf(why, len, "brk or the page allocator is inconsistent"), false;
    return true;
}
static const struct ckpt_layout proc_layout = CKPT_LAYOUT(proc_fields, proc_validate, 0);

/* [se.signals]: the process's handlers (sigaction of every signal). */
struct sig_ckpt {
    struct se_sigaction act[SE_NSIG + 1];
};
static const struct ckpt_field sig_fields[] = {
    CKPT_ARRAY("sig#.handler", CKPT_U64, struct sig_ckpt, act, handler, 0, UINT64_MAX),
    CKPT_ARRAY("sig#.flags", CKPT_U64, struct sig_ckpt, act, flags, 0, UINT64_MAX),
    CKPT_ARRAY("sig#.restorer", CKPT_U64, struct sig_ckpt, act, restorer, 0, UINT64_MAX),
    CKPT_ARRAY("sig#.mask", CKPT_U64, struct sig_ckpt, act, mask, 0, UINT64_MAX),
};
static const struct ckpt_layout sig_layout = CKPT_LAYOUT(sig_fields, NULL, 0);

/* [se.threadN]: one thread (EIO_4's "other threads" are the ones not running). */
#define TH struct se_thread
static const struct ckpt_field thread_fields[] = {
    CKPT_I32F("tid", TH, tid, SE_PID, INT32_MAX),
    CKPT_I32F("state", TH, state, SE_T_RUNNABLE, SE_T_EXITED),
    CKPT_VECTOR("gpr#", CKPT_U64, TH, gpr, 0, UINT64_MAX),
    CKPT_U64F("rip", TH, rip, 0, UINT64_MAX),
    CKPT_U64F("rflags", TH, rflags, 0, 0x3fffff),
    CKPT_U64F("fs_base", TH, fs_base, 0, UINT64_MAX),
    CKPT_U64F("gs_base", TH, gs_base, 0, UINT64_MAX),
    CKPT_BYTESF("fxsave", TH, fx),
    CKPT_U64F("clear_child_tid", TH, clear_child_tid, 0, UINT64_MAX),
    CKPT_U64F("robust_list", TH, robust_list, 0, UINT64_MAX),
    CKPT_U64F("sigmask", TH, sigmask, 0, UINT64_MAX),
    CKPT_U64F("sigpending", TH, sigpending, 0, UINT64_MAX),
    CKPT_VECTOR("sicode#", CKPT_I32, TH, sicode, INT32_MIN, INT32_MAX),
    CKPT_VECTOR("altstack#", CKPT_U64, TH, altstack, 0, UINT64_MAX),
    CKPT_BOOLF("restore_mask", TH, restore_mask),
    CKPT_U64F("saved_mask", TH, saved_mask, 0, UINT64_MAX),
    CKPT_U64F("futex_addr", TH, futex_addr, 0, UINT64_MAX),
    CKPT_U32F("futex_bitset", TH, futex_bitset, 0, UINT32_MAX),
    CKPT_U64F("wait_seq", TH, wait_seq, 0, UINT64_MAX),
    CKPT_U64F("wake_at", TH, wake_at, 0, UINT64_MAX),
    CKPT_I64F("timeout_result", TH, timeout_result, INT64_MIN, INT64_MAX),
    CKPT_U64F("sleep_rem", TH, sleep_rem, 0, UINT64_MAX),
    CKPT_U64F("orig_nr", TH, orig_nr, 0, UINT64_MAX),
    CKPT_BOOLF("restartable", TH, restartable),
    CKPT_BOOLF("interrupted", TH, interrupted),
};
#undef TH

static bool thread_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    (void)r;
    const struct se_thread *t = state;
    if (!ckpt_deadline_ok(t->wake_at))
        return snprintf(why, len, "wake_at = %" PRIu64 " would wrap", t->wake_at), false;
    return true;
}
static const struct ckpt_layout thread_layout = CKPT_LAYOUT(thread_fields, thread_validate, 0);

/* [se.vmaN]: one mapping of the memory map (its pages are in memory.img through the page tables). */
struct vma_ckpt {
    uint64_t start, end, off;
    int32_t prot, kind, file;
};
#define VC struct vma_ckpt
static const struct ckpt_field vma_fields[] = {
    CKPT_U64F("start", VC, start, 0, SE_USER_TOP - SE_PAGE),
    CKPT_U64F("end", VC, end, SE_PAGE, SE_USER_TOP),
    CKPT_U64F("offset", VC, off, 0, INT64_MAX),
    CKPT_I32F("prot", VC, prot, 0, 7),
    CKPT_I32F("kind", VC, kind, VMA_ANON, VMA_STACK),
    CKPT_I32F("file", VC, file, -1, INT32_MAX),
};
#undef VC

static bool vma_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    (void)r;
    const struct vma_ckpt *v = state;
    if ((v->start | v->end) & (SE_PAGE - 1) || v->start >= v->end)
        return snprintf(why, len, "0x%" PRIx64 "..0x%" PRIx64 " is not a range of whole pages", v->start, v->end),
               false;
    return true;
}
static const struct ckpt_layout vma_layout = CKPT_LAYOUT(vma_fields, vma_validate, 0);

/* ------------------------------------------------------------ saving ---- */

struct save_ctx {
    struct se *se;
    struct se_files *files;
};

static bool write_free_pages(void *opaque, FILE *f)
{
    const struct se *se = opaque;
    return fwrite(se->free_pages, sizeof(*se->free_pages), se->nfree, f) == se->nfree;
}

static bool save_sections(void *opaque, struct ckpt_writer *w)
{
    struct save_ctx *c = opaque;
    struct se *se = c->se;
    struct proc_ckpt p = {
        .brk_start = se->brk_start, .brk = se->brk, .mmap_base = se->mmap_base,
        .pt_root = se->pt.root, .pt_next_free = se->pt.next_free, .pages_in_use = se->pages_in_use,
        .nvma = se->nvma, .nfree = se->nfree, .sleep_ns = se->sleep_ns, .rng = se->rng,
        .stall_cycles = se->cpu->stall_cycles, .sigpending = se->sigpending,
        .alarm_at = se->alarm_at, .alarm_interval = se->alarm_interval,
        .nthreads = se->nthreads, .cur = se->cur, .live = se->live, .next_tid = se->next_tid,
        .wait_seq = se->wait_seq, .quantum_start = se->quantum_start,
        .last_fault_icount = se->last_fault_icount, .last_fault_va = se->last_fault_va,
        .entry = se->image.entry, .phdr = se->image.phdr, .phent = se->image.phent,
        .phnum = se->image.phnum, .image_end = se->image.end, .exec_stack = se->image.exec_stack,
    };
    memcpy(p.sicode, se->sicode, sizeof p.sicode);
    memcpy(p.rlim, se->rlim, sizeof p.rlim);
    memcpy(p.comm, se->comm, sizeof p.comm);
    ckpt_section_save(w, "se.process", &proc_layout, &p);
    char *cwd = getcwd(NULL, 0);
    ini_str(w->f, "program", se->exe_path);
    ini_str(w->f, "argv0", se->path);
    ini_str(w->f, "cwd", cwd ? cwd : "/");
    free(cwd);
    /* The m5 ops' statistics schedule and work markers (m5ops.c): optional keys, absent in older indexes. */
    ini_u64(w->f, "stats_at_ns", se->stats_event.at_ns);
    ini_u64(w->f, "stats_period_ns", se->stats_event.period_ns);
    ini_dec(w->f, "stats_what", se->stats_event.what);
    ini_dec(w->f, "stats_periodic", se->stats_event.periodic);
    ini_dec(w->f, "work_begin", se->work_begin);
    ini_dec(w->f, "work_end", se->work_end);

    struct sig_ckpt sig;
    memcpy(sig.act, se->sigact, sizeof sig.act);
    ckpt_section_save(w, "se.signals", &sig_layout, &sig);

    se_thread_sync(se);
    for (unsigned i = 0; i < se->nthreads; i++) {
        char section[32];
        snprintf(section, sizeof section, "se.thread%u", i);
        ckpt_section_save(w, section, &thread_layout, se->thr[i]);
    }
    for (unsigned i = 0; i < se->nvma; i++) {
        const struct se_vma *v = &se->vma[i];
        struct vma_ckpt vc = { v->start, v->end, v->off, v->prot, v->kind, se_files_vma(c->files, i) };
        char section[32];
        snprintf(section, sizeof section, "se.vma%u", i);
        ckpt_section_save(w, section, &vma_layout, &vc);
    }
    if (!ckpt_ship_file(w, "se.free_pages", "free_pages.bin", write_free_pages, se))
        return false;
    ckpt_cpu_save(w, "cpu0", se->cpu);
    return se_files_save(c->files, w);
}

int se_checkpoint_save(struct se *se, const char *parent, const char *cpu_type, const char *ram_backing,
                       char *path, size_t pathlen)
{
    char why[4400];
    struct se_files *files = se_files_collect(se, why, sizeof why);
    if (!files) {
        warn("checkpoint", "%s: not taken: %s", se->path, why);
        return -1;
    }
    struct save_ctx c = { se, files };
    struct ckpt_ram_range range = { 0, SE_RAM_SIZE, 0 };
    struct ckpt_desc d = {
        .tick = se_now_ns(se) * 1000, .cpu_type = cpu_type, .cpu_clock = SE_CPU_HZ,
        .ram = se->ram, .mem_size = SE_RAM_SIZE, .ram_backing = ram_backing,
        .ranges = &range, .nranges = 1, .ndisks = 0, .sections = save_sections, .opaque = &c,
    };
    int rc = ckpt_save(&d, parent, path, pathlen);
    se_files_free(files);
    return rc;
}

/* --------------------------------------------------------- restoring ---- */

void se_checkpoint_open(struct ckpt_image *img, const char *dir)
{
    ckpt_open(img, dir);
    if (!ini_has_section(&img->ini, "se.process"))
        fatal(dir, "is a full-system checkpoint, not a process checkpoint of m5sim se "
              "(restore it with m5sim --checkpoint-dir DIR -r N)");
    if (img->mem_size != SE_RAM_SIZE || img->ndisks != 0)
        fatal(img->ini.path, "[config] mem_size = %" PRIu64 " with %d disks: not the address space of m5sim se",
              img->mem_size, img->ndisks);
}

const char *se_checkpoint_program(const struct ckpt_image *img)
{
    const char *p = ini_get(&img->ini, "se.process", "program");
    if (!p || p[0] != '/')
        fatal(img->ini.path, "[se.process] program = '%.80s' is not an absolute path", p ? p : "");
    return p;
}

uint8_t *se_checkpoint_map_ram(const struct ckpt_image *img)
{
    char path[4096];
    ckpt_path(img, "memory.img", path, sizeof path);
    return ckpt_memory_map(path, SE_RAM_SIZE);
}

static noreturn void refuse(const struct ckpt_reader *r)
{
    fatal(r->dir, "%s", r->error);
}

/* An optional [se.process] key: def when absent, exits 2 when it is no number in 0..max. */
static uint64_t optional_u64(const struct ckpt_reader *r, const char *key, uint64_t max)
{
    const char *v = ini_get(r->ini, "se.process", key);
    if (!v)
        return 0;
    char *end;
    errno = 0;
    uint64_t x = strtoull(v, &end, 0);
    if (!*v || *end || errno || *v == '-' || x > max)
        fatal(r->dir, "[se.process] %s = '%.40s' is out of range 0..%" PRIu64, key, v, max);
    return x;
}

static void restore_m5_state(struct se *se, const struct ckpt_reader *r)
{
    struct se_stats_event *e = &se->stats_event;
    e->at_ns = optional_u64(r, "stats_at_ns", CKPT_TIME_MAX);
    e->period_ns = optional_u64(r, "stats_period_ns", CKPT_TIME_MAX);
    e->what = (unsigned)optional_u64(r, "stats_what", SE_STATS_RESET | SE_STATS_DUMP);
    e->periodic = (unsigned)optional_u64(r, "stats_periodic", UINT32_MAX);
    se->work_begin = optional_u64(r, "work_begin", UINT64_MAX);
    se->work_end = optional_u64(r, "work_end", UINT64_MAX);
}

static void restore_free_pages(struct se *se, struct ckpt_reader *r, uint64_t n)
{
    FILE *f = ckpt_open_shipped(r, "se.free_pages", n * sizeof(uint64_t));
    if (!f)
        refuse(r);
    se->free_pages = calloc(n + 1, sizeof(*se->free_pages));
    if (!se->free_pages)
        fatal("se", "out of host memory");
    if (fread(se->free_pages, sizeof(uint64_t), n, f) != n)
        fatal(r->dir, "free_pages.bin holds fewer than the %" PRIu64 " pages [se.process] counts", n);
    fclose(f);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pa = se->free_pages[i];
        if (pa < SE_PAGE || pa >= se->pt.next_free || pa & (SE_PAGE - 1))
            fatal(r->dir, "free_pages.bin: page 0x%" PRIx64 " is not an allocated physical page", pa);
    }
    se->nfree = se->free_cap = n;
}

/* The memory map, checked; the mappings' files are opened by open_vma_files once the files are in place. */
static void restore_vmas(struct se *se, struct ckpt_reader *r, uint64_t n, const struct se_files *files,
                         int32_t *file_of)
{
    unsigned nfiles = se_files_count(files);
    se->vma = calloc(n + 1, sizeof(*se->vma));
    if (!se->vma)
        fatal("se", "out of host memory");
    se->vma_cap = (unsigned)n + 1;
    for (unsigned i = 0; i < n; i++) {
        char section[32];
        struct vma_ckpt v;
        snprintf(section, sizeof section, "se.vma%u", i);
        if (!ckpt_section_load(r, section, &vma_layout, &v))
            refuse(r);
        if (i && v.start < se->vma[i - 1].end)
            fatal(r->dir, "[%s] start = 0x%" PRIx64 " overlaps or precedes the mapping before it", section, v.start);
        if (v.file >= (int32_t)nfiles)
            fatal(r->dir, "[%s] file = %d is not in the file table", section, v.file);
        file_of[i] = v.file;
        se->vma[i] = (struct se_vma){ v.start, v.end, v.prot, v.kind, -1, v.off };
        se->nvma = i + 1;
    }
}

static void open_vma_files(struct se *se, const struct se_files *files, const int32_t *file_of)
{
    for (unsigned i = 0; i < se->nvma; i++) {
        if (file_of[i] < 0)
            continue;
        const char *path = se_files_path(files, (unsigned)file_of[i]);
        if ((se->vma[i].fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            fatal(path, "cannot reopen the file mapped at 0x%" PRIx64 ": %s", se->vma[i].start, strerror(errno));
    }
}

static void restore_threads(struct se *se, struct ckpt_reader *r, unsigned n)
{
    for (unsigned i = 0; i < se->nthreads; i++)
        free(se->thr[i]);
    free(se->thr);
    se->thr = calloc(n, sizeof(*se->thr));
    if (!se->thr)
        fatal("se", "out of host memory");
    for (unsigned i = 0; i < n; i++) {
        char section[32];
        snprintf(section, sizeof section, "se.thread%u", i);
        if (!(se->thr[i] = calloc(1, sizeof(*se->thr[i]))))
            fatal("se", "out of host memory");
        if (!ckpt_section_load(r, section, &thread_layout, se->thr[i]))
            refuse(r);
    }
    se->nthreads = n;
}

void se_checkpoint_restore(struct se *se, const struct ckpt_image *img, const struct se_restore_opts *o)
{
    struct ckpt_reader r;
    ckpt_reader_for(&r, img);
    struct proc_ckpt p;
    if (!ckpt_section_load(&r, "se.process", &proc_layout, &p))
        refuse(&r);
    se->brk_start = p.brk_start;
    se->brk = p.brk;
    se->mmap_base = p.mmap_base;
    se->pt.bus = &se->bus;
    se->pt.limit = SE_RAM_SIZE;
    se->pt.root = p.pt_root;
    se->pt.next_free = p.pt_next_free;
    se->pages_in_use = p.pages_in_use;
    se->sleep_ns = p.sleep_ns;
    se->rng = p.rng;
    se->sigpending = p.sigpending;
    memcpy(se->sicode, p.sicode, sizeof p.sicode);
    se->alarm_at = p.alarm_at;
    se->alarm_interval = p.alarm_interval;
    se->live = p.live;
    se->cur = p.cur;
    se->next_tid = p.next_tid;
    se->wait_seq = p.wait_seq;
    se->quantum_start = p.quantum_start;
    se->last_fault_icount = p.last_fault_icount;
    se->last_fault_va = p.last_fault_va;
    memcpy(se->rlim, p.rlim, sizeof p.rlim);
    memcpy(se->comm, p.comm, sizeof p.comm);
    se->comm[sizeof se->comm - 1] = 0;
    se->image = (struct se_image){ p.entry, p.phdr, p.phent, p.phnum, p.image_end, p.exec_stack };

    struct sig_ckpt sig;
    if (!ckpt_section_load(&r, "se.signals", &sig_layout, &sig))
        refuse(&r);
    memcpy(se->sigact, sig.act, sizeof sig.act);
    restore_threads(se, &r, p.nthreads);
    if (se->thr[se->cur]->state != SE_T_RUNNABLE)
        fatal(r.dir, "[se.process] cur = %u names a thread that is not runnable", se->cur);
    restore_free_pages(se, &r, p.nfree);
    restore_m5_state(se, &r);

    struct se_files *files = se_files_load(&r);
    int32_t *file_of = calloc(p.nvma + 1, sizeof(*file_of));
    if (!file_of)
        fatal("se", "out of host memory");
    restore_vmas(se, &r, p.nvma, files, file_of);

    struct cpu *cpu = se->cpu;
    if (!ckpt_cpu_load(&r, "cpu0", cpu))
        refuse(&r);
    if (cpu->s.cr3 != se->pt.root || cpu->s.cpl != 3 || cpu->s.idtr.limit != 0)
        fatal(r.dir, "[cpu0] is not a user-mode CPU of this process (cr3, cpl or idtr)");
    cpu->stall_cycles = p.stall_cycles;

    /* Everything checked: now the files are put in place and opened. */
    se_files_apply(se, files, &r, o);
    open_vma_files(se, files, file_of);
    free(file_of);
    se_files_free(files);
    se_thread_resume(se);
    cpu_state_changed(cpu);
    se_vm_flush(se);

    const char *cwd = ini_get(&img->ini, "se.process", "cwd");
    if (!cwd || chdir(cwd) != 0)
        fatal(cwd ? cwd : r.dir, "cannot enter the checkpointed program's working directory: %s",
              cwd ? strerror(errno) : "[se.process] has no cwd");
}
