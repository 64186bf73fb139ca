/* machine.c - build the PC and run it (see machine.h). */
#include "machine/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ckpt/ckpt.h"
#include "ckpt/memory.h"
#include "cpu/block.h"
#include "mem/memsys.h"
#include "machine/session.h"
#include "machine/status_line.h"
#include "stats/registry.h"
#include "util/fs.h"
#include "util/log.h"

/* One CPU needs no turns: it runs until the next event, at most this many cycles at a time. */
#define SOLO_QUANTUM_CYCLES 1000000ull

static double host_seconds(void)
{
    return status_host_seconds();
}

uint64_t machine_now(const struct machine *m)
{
    if (!m->running)
        return m->eq.now;
    return m->quantum_tick + (cpu_cycles(&m->running->cpu) - m->quantum_cycles) * m->period;
}

void machine_kick(struct machine *m, enum cpu_exit why)
{
    if (m->running)
        cpu_model_kick(m->running->model, why);
}

uint64_t machine_icount(const struct machine *m)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < m->ncpus; i++)
        n += m->cpus[i]->cpu.icount;
    return n;
}

/* Instructions retired since this run started (or since the CPUs switched models). */
uint64_t machine_insts_this_run(const struct machine *m)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < m->ncpus; i++)
        n += m->cpus[i]->cpu.icount - m->cpus[i]->start_icount;
    return n;
}

static uint64_t eventq_current(void *opaque)
{
    return machine_now(opaque);
}

static void eventq_preempt(void *opaque)
{
    machine_kick(opaque, CPU_EXIT_BUDGET);
}

/*
 * The clock a CPU's TSC reads. With several CPUs, each reads its own time,
 * which may trail what another CPU already read by up to a quantum; so a
 * read never returns less than the latest read by any CPU, and the TSCs stay
 * synchronized as Linux checks them (check_tsc_sync_source). Deterministic:
 * it depends on the order of turns only.
 */
static uint64_t cpu_clock_cycles(void *opaque, struct cpu *cpu)
{
    (void)cpu;
    struct machine *m = opaque;
    uint64_t c = machine_now(m) / m->period;
    if (m->ncpus == 1)
        return c;
    if (c < m->clock_seen)
        return m->clock_seen;
    m->clock_seen = c;
    return c;
}

static uint64_t cpu_m5op(void *opaque, struct cpu *cpu, unsigned func)
{
    struct machine *m = opaque;
    return m5dev_op(&m->m5, cpu, func);
}

/* ------------------------------------------------------------ signals -- */

/*
 * SIGTERM (batch schedulers), SIGINT and SIGHUP only ask for a stop: the run
 * loop sees it at the next quantum boundary and ends the run the normal way,
 * so the console log, stats.txt and run.ini are complete.
 */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    if (stop_signal)   /* a second signal: the user insists */
        _exit(128 + sig);
    stop_signal = sig;
}

void machine_install_signal_handlers(void)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
    struct sigaction sa = { .sa_handler = on_stop_signal };
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

int machine_stop_signal(void)
{
    return stop_signal;
}

void machine_stop(struct machine *m, int status, const char *why)
{
    if (m->done)
        return;
    m->done = true;
    m->exit_status = status;
    snprintf(m->exit_why, sizeof m->exit_why, "%s", why);
    machine_kick(m, CPU_EXIT_STOP);
}

/* ------------------------------------------------------------- stats -- */

/*
 * The machine's statistics (docs/stats.md): gem5's root and committed-
 * instruction statistics (stats/sim_stats.c), the work items the guest
 * marked, and the interpreter's decoder. One CPU's are system.cpu.*; with
 * several, each CPU's are system.cpuN.* as gem5 names the CPUs of a list
 * (N zero-padded to the digits of the largest index: cpu00..cpu15 for 16),
 * and the work items and the decoder (shared by all CPUs) are the first
 * CPU's. Its sources are running totals
 * (the CPU's retired instructions, the m5 device's work counts, which
 * checkpoints carry); a reset remembers them and a dump prints the
 * differences.
 */
static struct sim_totals machine_totals(const struct machine *m)
{
    uint64_t now = machine_now(m);
    uint64_t insts = machine_icount(m), extra_ops = 0;
    for (unsigned i = 0; i < m->ncpus; i++)
        extra_ops += m->cpus[i]->cpu.extra_ops;   /* micro-ops beyond one per instruction (o3) */
    return (struct sim_totals){ .tick = now, .insts = insts, .ops = insts + extra_ops, .cycles = now / m->period };
}

static void machine_stats_init(struct machine *m)
{
    m->stats_root = stats_root_new();
    struct stats_group *system = stats_group_new(m->stats_root, "system");
    m->stats_system = system;
    bool timing = m->cfg.cpu_type == CPU_TIMING || m->cfg.cpu_type == CPU_O3;
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct machine_cpu *c = m->cpus[i];
        char name[16];
        sim_stats_cpu_name(i, m->ncpus, name, sizeof name);
        c->stats = stats_group_new(system, name);
    }
    /* One CPU: its counts are the root's totals. Several: each counts its own. */
    sim_stats_register(&m->sim_stats, m->stats_root, m->ncpus == 1 ? m->cpus[0]->stats : NULL, machine_totals(m));
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct machine_cpu *c = m->cpus[i];
        struct sim_cpu_stats *cs = m->ncpus == 1 ? &m->sim_stats.cpu : &c->sim;
        if (m->ncpus > 1)
            sim_cpu_stats_register(cs, c->stats, c->cpu.icount, machine_now(m) / m->period);
        commit_stats_register(&cs->commit, c->stats, cs->commit_group, &c->cpu, timing, &c->r.idle_cycles);
    }
    struct stats_group *first = m->cpus[0]->stats;
    stats_add_scalar(first, "numWorkItemsStarted", &m->work_items_started, "Count",
                     "Number of work items this cpu started");
    stats_add_scalar(first, "numWorkItemsCompleted", &m->work_items_completed, "Count",
                     "Number of work items this cpu completed");
    struct stats_group *decoder = stats_group_new(first, "decoder");
    stats_add_scalar(decoder, "blocks", &m->decoder_blocks, "Count", "Decoded blocks created");
    stats_add_scalar(decoder, "insts", &m->decoder_insts, "Count", "Instructions decoded");
    stats_add_scalar(decoder, "invalidations", &m->decoder_invalidations, "Count",
                     "Code pages invalidated by writes");
    machine_reset_stats(m);
}

void machine_dump_stats(struct machine *m)
{
    sim_stats_sample(&m->sim_stats, machine_totals(m));
    for (unsigned i = 0; m->ncpus > 1 && i < m->ncpus; i++)
        sim_cpu_stats_sample(&m->cpus[i]->sim, m->cpus[i]->cpu.icount, machine_now(m) / m->period);
    m->work_items_started = m->m5.work_begin - m->stats_at_reset.work_begin;
    m->work_items_completed = m->m5.work_end - m->stats_at_reset.work_end;
    struct block_cache_stats bs = block_cache_stats(m->cpus[0]->cpu.bc);
    m->decoder_blocks = bs.blocks - m->stats_at_reset.decoder.blocks;
    m->decoder_insts = bs.insns - m->stats_at_reset.decoder.insns;
    m->decoder_invalidations = bs.invalidations - m->stats_at_reset.decoder.invalidations;
    stats_dump_text(m->stats_root, m->stats_file);
    stats_dump_json(m->stats_root, m->stats_json);
    if ((fflush(m->stats_file) != 0 || fflush(m->stats_json) != 0) && !m->output_errno) {
        m->output_errno = errno ? errno : EIO;
        warn(m->cfg.outdir, "cannot write stats.txt or stats.json: %s", strerror(m->output_errno));
    }
    m->stats_dumps++;
}

void machine_reset_stats(struct machine *m)
{
    stats_reset(m->stats_root);
    sim_stats_reset(&m->sim_stats, machine_totals(m));
    for (unsigned i = 0; m->ncpus > 1 && i < m->ncpus; i++)
        sim_cpu_stats_reset(&m->cpus[i]->sim, m->cpus[i]->cpu.icount, machine_now(m) / m->period);
    if (m->memsys)
        memsys_stats_reset_at(m->memsys, machine_now(m));
    m->stats_at_reset.work_begin = m->m5.work_begin;
    m->stats_at_reset.work_end = m->m5.work_end;
    m->stats_at_reset.decoder = block_cache_stats(m->cpus[0]->cpu.bc);
}

static void m5_exit(void *opaque, int status, const char *why)
{
    machine_stop(opaque, status, why);
}

static void m5_stats(void *opaque, bool dump, bool reset)
{
    if (dump)
        machine_dump_stats(opaque);
    if (reset)
        machine_reset_stats(opaque);
}

static void m5_script_request(void *opaque)
{
    struct machine *m = opaque;
    if (m->host_first_readfile == 0) {
        m->host_first_readfile = host_seconds() - m->host_start;
        m->icount_first_readfile = machine_icount(m);
    }
    if (m->session) {
        const struct m5dev *d = &m->m5;
        session_script_started(m->session, d->queue_pos < d->queue_len ? d->queue[d->queue_pos] : NULL);
    }
}

static FILE *open_output(struct machine *m, const char *name, bool fatal_on_error);

/* <outdir>/run.ini: how the run ended and host-side timings, for scripts and tools. */
static void write_run_record(struct machine *m)
{
    FILE *f = open_output(m, "run.ini", false);
    if (!f) {
        m->output_errno = m->output_errno ? m->output_errno : errno;
        warn(m->cfg.outdir, "cannot write run.ini: %s", strerror(errno));
        return;
    }
    fprintf(f, "[run]\nexit_status=%d\nexit_cause=%s\ninstructions=%llu\nfinal_tick=%llu\n"
               "host_seconds=%.6f\nhost_seconds_to_first_readfile=%.6f\ninstructions_to_first_readfile=%llu\n",
            m->exit_status, m->exit_why, (unsigned long long)machine_icount(m),
            (unsigned long long)machine_now(m), host_seconds() - m->host_start, m->host_first_readfile,
            (unsigned long long)m->icount_first_readfile);
    fprintf(f, "checkpoints_taken=%u\n", m->checkpoints_taken);
    if (m->checkpoint_errno)
        fprintf(f, "checkpoint_error=%s\n", m->checkpoint_errno > 0 ? strerror(m->checkpoint_errno) : "limit reached");
    if (m->output_errno)
        fprintf(f, "output_error=%s\n", strerror(m->output_errno));
    if (ferror(f) | (fclose(f) != 0)) {
        m->output_errno = m->output_errno ? m->output_errno : (errno ? errno : EIO);
        warn(m->cfg.outdir, "cannot write run.ini: %s", strerror(errno ? errno : EIO));
    }
}

/* -------------------------------------------------------------- setup -- */

static void add_e820(struct machine *m, uint64_t addr, uint64_t size, uint32_t type)
{
    m->e820[m->n_e820++] = (struct e820_entry){ addr, size, type };
}

static void setup_memory(struct machine *m)
{
    m->ram_size = m->cfg.mem_size;
    if (m->restore_img) {
        char path[4096];
        ckpt_path(m->restore_img, "memory.img", path, sizeof path);
        m->ram = ckpt_memory_map(path, m->ram_size);
    } else {
        m->ram = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);
    }
    if (m->ram == MAP_FAILED)
        fatal("--mem-size", "cannot reserve %llu bytes of host memory: %s",
              (unsigned long long)m->ram_size, strerror(errno));
    uint64_t low = m->ram_size < MACHINE_LOW_RAM_MAX ? m->ram_size : MACHINE_LOW_RAM_MAX;
    bus_add_ram(&m->bus, 0, low, m->ram);
    if (m->ram_size > low)
        bus_add_ram(&m->bus, MACHINE_HIGH_RAM_BASE, m->ram_size - low, m->ram + low);

    add_e820(m, 0, BOOT_LOW_RAM_END, 1);
    add_e820(m, BOOT_LOW_RAM_END, 0xa0000 - BOOT_LOW_RAM_END, 2);
    add_e820(m, 0xf0000, 0x10000, 2);
    add_e820(m, 0x100000, low - 0x100000, 1);
    add_e820(m, 0xffff0000ull, 0x10000, 2);   /* the m5 op window */
    if (m->ram_size > low)
        add_e820(m, MACHINE_HIGH_RAM_BASE, m->ram_size - low, 1);
}

/*
 * The kernel keeps at most info->cmdline_max bytes of its command line and
 * silently drops the rest, which would lose the virtio options appended last:
 * a line that does not fit is refused instead.
 */
static void build_cmdline(struct machine *m, const struct boot_info *info, char *buf, size_t size)
{
    const char *dflt = m->cfg.disk_controller == DISK_PIIX ? "console=ttyS0 root=/dev/sda rw panic=-1 tsc=reliable"
                                                           : "console=ttyS0 root=/dev/vda rw panic=-1 tsc=reliable";   /* virtio-mmio, virtio-pci */
    size_t used = (size_t)snprintf(buf, size, "%s", m->cfg.cmdline ? m->cfg.cmdline : dflt);
    /* virtio-mmio devices are announced on the command line (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES). */
    for (int i = 0; m->cfg.disk_controller == DISK_VIRTIO_MMIO && i < m->cfg.ndisks; i++) {
        used += (size_t)snprintf(buf + (used < size ? used : size - 1), used < size ? size - used : 1,
                                 " virtio_mmio.device=4K@0x%llx:%d",
                                 (unsigned long long)(MACHINE_VIRTIO_BASE + i * MACHINE_VIRTIO_STRIDE),
                                 MACHINE_VIRTIO_IRQ0 + i);
    }
    size_t max = info->cmdline_max < size - 1 ? info->cmdline_max : size - 1;
    if (used > max)
        fatal("--cmdline", "the kernel command line, with the virtio options m5sim appends, is %zu bytes; "
              "the kernel keeps at most %zu (its boot protocol's cmdline_size)", used, max);
}

/*
 * An output file of this run, created afresh in the output directory: an
 * old file of that name is unlinked, never truncated (it may be a hard link
 * to someone's data), and a symbolic link or anything but a regular file
 * planted under the name is refused (O_EXCL | O_NOFOLLOW).
 */
static FILE *open_output(struct machine *m, const char *name, bool fatal_on_error)
{
    int fd = -1;
    struct stat st;
    if (fstatat(m->outdir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
        errno = EISDIR;
    else if ((unlinkat(m->outdir_fd, name, 0) == 0 || errno == ENOENT))
        fd = openat(m->outdir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f && fatal_on_error)
        fatal(m->cfg.outdir, "cannot create %s/%s: %s", m->cfg.outdir, name, strerror(errno));
    return f;
}

/*
 * <outdir>/.m5sim.lock, locked (flock) for the whole run: two runs writing
 * one output directory would corrupt each other's files. A batch's children
 * lock their own subdirectories.
 */
static void lock_outdir(struct machine *m)
{
    m->lock_fd = openat(m->outdir_fd, MACHINE_LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (m->lock_fd < 0)
        fatal(m->cfg.outdir, "cannot create %s: %s", MACHINE_LOCK_NAME, strerror(errno));
    if (flock(m->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(m->lock_fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = 0;
        pid[strcspn(pid, "\n")] = 0;
        fatal(m->cfg.outdir, "in use by another m5sim run%s%s%s; give this run its own -d", *pid ? " (pid " : "",
              pid, *pid ? ")" : "");
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(m->lock_fd, 0) != 0 || pwrite(m->lock_fd, pid, (size_t)len, 0) != len)
        warn(m->cfg.outdir, "cannot write %s: %s", MACHINE_LOCK_NAME, strerror(errno));
}

/*
 * -d must not point into a checkpoint: the restored one (whose memory.img
 * this run maps) or any directory holding m5.cpt, at any level above.
 */
static void check_outdir_placement(const struct machine *m)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", m->cfg.outdir);
    char ckpt_real[4096] = "";
    if (m->restore_img && !realpath(m->restore_img->dir, ckpt_real))
        ckpt_real[0] = 0;
    for (;;) {
        char real[4096], probe[4200];
        if (realpath(path, real)) {
            snprintf(probe, sizeof probe, "%s/m5.cpt", real);
            if (access(probe, F_OK) == 0 || (*ckpt_real && !strcmp(real, ckpt_real)))
                fatal("-d", "%s is inside the checkpoint %s; outputs must go elsewhere", m->cfg.outdir, real);
        }
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            break;
        *slash = 0;
    }
}

/* Where checkpoints go: the outdir when restoring (the checkpoint directory is never modified). */
const char *machine_checkpoint_parent(const struct machine *m)
{
    return m->restore_img || !m->cfg.checkpoint_dir ? m->cfg.outdir : m->cfg.checkpoint_dir;
}

int machine_checkpoint(struct machine *m)
{
    char path[4096];
    double t0 = host_seconds();
    if (m->cfg.max_checkpoints && m->checkpoints_taken >= m->cfg.max_checkpoints) {
        warn("checkpoint", "this run has written %u checkpoints, the limit (--max-checkpoints); none taken",
             m->checkpoints_taken);
        m->checkpoint_errno = -1;
        return -EDQUOT;
    }
    /*
     * An event (m5 checkpoint, --take-checkpoints) runs at its own tick, but
     * the CPU has already retired the instructions up to the end of its
     * quantum (at least the m5 op's load). The checkpoint must carry the time
     * that matches that CPU state, or a restore resumes a few cycles early and
     * its TSC and timers drift from the run that took it. Several CPUs each
     * carry the time they reached ([cpuN.run] tick) instead.
     */
    if (m->ncpus == 1 && m->eq.now < m->cpu_tick)
        m->eq.now = m->cpu_tick;
    errno = 0;
    if (machine_ckpt_write(m, machine_checkpoint_parent(m), path, sizeof path) != 0) {
        m->checkpoint_errno = errno ? errno : EIO;   /* ckpt_save warned, naming the errno */
        return -m->checkpoint_errno;
    }
    m->checkpoints_taken++;
    if (m->session)
        session_checkpoint_written(m->session, path, m->eq.now);
    if (!m->cfg.quiet)
        info("checkpoint %s written in %.0f ms", path, (host_seconds() - t0) * 1e3);
    return 0;
}

static void m5_switch_cpu(void *opaque)
{
    struct machine *m = opaque;
    m->switch_pending = true;
    machine_kick(m, CPU_EXIT_BUDGET);
}

static bool m5_wait_for_script(void *opaque)
{
    return interactive_wants_script(opaque);
}

static int m5_checkpoint(void *opaque)
{
    return machine_checkpoint(opaque);
}

static void take_checkpoint_event(void *opaque)
{
    struct machine *m = opaque;
    if (machine_checkpoint(m) != 0)
        return;   /* a failure ends the series */
    if (m->cfg.take_checkpoint_period)
        eventq_schedule(&m->eq, &m->take_ckpt_event, m->eq.now + m->cfg.take_checkpoint_period);
}

/*
 * m5 writefile must not reach the run's inputs or the outputs it just opened,
 * whatever name or hard link leads to them (docs/guest-safety.md).
 */
static void protect_run_files(struct machine *m)
{
    static const char *const outputs[] = { "system.pc.com_1.device", "stats.txt", "stats.json", "config.ini",
                                           "run.ini", MACHINE_LOCK_NAME };
    char path[4096];
    m5dev_protect(&m->m5, m->cfg.kernel);
    if (m->cfg.initrd)
        m5dev_protect(&m->m5, m->cfg.initrd);
    for (int i = 0; i < m->cfg.ndisks; i++) {
        m5dev_protect(&m->m5, m->cfg.disks[i]);
        snprintf(path, sizeof path, "%s/disk%d.overlay", m->cfg.outdir, i);
        m5dev_protect(&m->m5, path);
    }
    if (m->restore_img)
        m5dev_protect(&m->m5, m->restore_img->dir);   /* every file of the checkpoint */
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", m->cfg.outdir, outputs[i]);
        m5dev_protect(&m->m5, path);
    }
}

/*
 * Restoring: find and check the checkpoint, then take memory size, clock and
 * disks from it; what the user gave must agree with it.
 */
static void open_restore(struct machine *m)
{
    struct machine_config *cfg = &m->cfg;
    char dir[4096];
    ckpt_locate(cfg->checkpoint_dir, cfg->restore, dir, sizeof dir);
    m->restore_img = calloc(1, sizeof(*m->restore_img));
    ckpt_open(m->restore_img, dir);
    const struct ckpt_image *img = m->restore_img;
    if (cfg->mem_size_set && cfg->mem_size != img->mem_size)
        fatal("--mem-size", "%lluMB does not match the checkpoint %s, taken with %lluMB of memory "
              "(leave --mem-size out to use the checkpoint's)", (unsigned long long)(cfg->mem_size >> 20), dir,
              (unsigned long long)(img->mem_size >> 20));
    if (cfg->cpu_clock_set && cfg->cpu_clock_hz != img->cpu_clock)
        fatal("--cpu-clock", "%lluHz does not match the checkpoint %s, taken at %lluHz",
              (unsigned long long)cfg->cpu_clock_hz, dir, (unsigned long long)img->cpu_clock);
    if (cfg->num_cpus_set && (unsigned)cfg->num_cpus != img->num_cpus)
        fatal("--num-cpus", "%d does not match the checkpoint %s, taken with %u CPU%s (leave --num-cpus out to "
              "use the checkpoint's)", cfg->num_cpus, dir, img->num_cpus, img->num_cpus == 1 ? "" : "s");
    cfg->num_cpus = (int)img->num_cpus;
    ckpt_verify_files(img, cfg->disks, cfg->ndisks);
    enum disk_controller ctl = pc_checkpoint_disk_controller(img);
    if (cfg->disk_controller != DISK_CONTROLLER_DEFAULT && cfg->disk_controller != ctl)
        fatal("--disk-controller", "%s does not match the checkpoint %s, whose disks are on %s",
              config_disk_controller_name(cfg->disk_controller), dir, config_disk_controller_name(ctl));
    cfg->disk_controller = ctl;
    cfg->mem_size = img->mem_size;
    cfg->cpu_clock_hz = img->cpu_clock;
    if (!cfg->ndisks) {
        cfg->ndisks = img->ndisks;
        for (int i = 0; i < img->ndisks; i++)
            cfg->disks[i] = img->disk_base[i];
    }
}

/* Check every input before creating any output. */
static void check_inputs(struct machine *m)
{
    const struct machine_config *cfg = &m->cfg;
    struct stat st;
    if (cfg->kernel && !cfg->restore && access(cfg->kernel, R_OK) != 0)
        fatal(cfg->kernel, "cannot read kernel: %s", strerror(errno));
    if (cfg->kernel && !cfg->restore && stat(cfg->kernel, &st) == 0 && !S_ISREG(st.st_mode))
        fatal(cfg->kernel, "%s, not a kernel file", S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
    if (cfg->initrd && !cfg->restore && access(cfg->initrd, R_OK) != 0)
        fatal(cfg->initrd, "cannot read initrd: %s", strerror(errno));
    if (cfg->initrd && !cfg->restore && stat(cfg->initrd, &st) == 0 && !S_ISREG(st.st_mode))
        fatal(cfg->initrd, "%s, not an initrd file", S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
    for (int i = 0; i < cfg->ndisks; i++)
        if (access(cfg->disks[i], R_OK) != 0)
            fatal(cfg->disks[i], "cannot read disk image: %s", strerror(errno));
    for (int i = 0; i < cfg->nscripts; i++)
        if (access(cfg->scripts[i], R_OK) != 0)
            fatal(cfg->scripts[i], "cannot read script: %s", strerror(errno));
    for (int i = 0; i < cfg->nscripts; i++) {
        if (stat(cfg->scripts[i], &st) == 0 && !S_ISREG(st.st_mode))
            fatal(cfg->scripts[i], "%s, not a script file", S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
    }
    if (cfg->restore)
        open_restore(m);
    check_outdir_placement(m);
}

void machine_check_inputs(const struct machine_config *cfg)
{
    struct machine *m = calloc(1, sizeof(*m));
    m->cfg = *cfg;
    check_inputs(m);
    if (m->restore_img) {
        char path[4096];
        ckpt_path(m->restore_img, "memory.img", path, sizeof path);
        munmap(ckpt_memory_map(path, m->cfg.mem_size), m->cfg.mem_size);
        ckpt_close(m->restore_img);
        free(m->restore_img);
    }
    free(m);
}

/*
 * The CPUs: CPU i has APIC ID i (cpu_init); all share the bus and its
 * decoded-block cache. The PC's devices add the interrupt hooks.
 */
static void sched_setup(struct machine *m);

static void create_cpus(struct machine *m)
{
    m->ncpus = (unsigned)m->cfg.num_cpus;
    m->quantum = m->ncpus == 1 ? SOLO_QUANTUM_CYCLES : m->cfg.quantum;
    bool trace = getenv("M5SIM_TRACE") != NULL;
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct machine_cpu *c = aligned_alloc(64, (sizeof *c + 63) & ~(size_t)63);
        if (!c)
            fatal("machine", "out of memory");
        memset(c, 0, sizeof *c);
        m->cpus[i] = c;
        cpu_init(&c->cpu, &m->bus, (int)i);
        c->cpu.trace = trace;
        c->cpu.hooks.opaque = m;
        c->cpu.hooks.m5op = cpu_m5op;
        c->cpu.hooks.cycles = cpu_clock_cycles;
    }
    sched_setup(m);
}

void machine_init(struct machine *m, const struct machine_config *cfg)
{
    memset(m, 0, sizeof(*m));
    m->cfg = *cfg;
    check_inputs(m);
    m->period = (TICKS_PER_SECOND + m->cfg.cpu_clock_hz / 2) / m->cfg.cpu_clock_hz;

    bus_init(&m->bus);
    eventq_init(&m->eq);
    m->eq.current = eventq_current;
    m->eq.current_opaque = m;
    m->eq.preempt = eventq_preempt;
    if (m->cfg.disk_controller == DISK_CONTROLLER_DEFAULT)
        m->cfg.disk_controller = DISK_PIIX;   /* /dev/sda, as on gem5's x86 PC */
    setup_memory(m);   /* a restore's memory.img is checked here: still before any output */
    if (mkdir_p(cfg->outdir) != 0)
        fatal(cfg->outdir, "cannot create output directory: %s", strerror(errno));
    m->outdir_fd = open(cfg->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m->outdir_fd < 0)
        fatal(cfg->outdir, "cannot open output directory: %s", strerror(errno));
    lock_outdir(m);

    create_cpus(m);

    m->console = open_output(m, "system.pc.com_1.device", true);
    m->stats_file = open_output(m, "stats.txt", true);
    m->stats_json = open_output(m, "stats.json", true);
    FILE *ini = open_output(m, "config.ini", true);
    config_write_ini(&m->cfg, ini);

    struct m5dev_hooks hooks = { .opaque = m, .exit = m5_exit, .stats = m5_stats,
                                 .checkpoint = m5_checkpoint, .script_request = m5_script_request,
                                 .wait_for_script = m5_wait_for_script, .switch_cpu = m5_switch_cpu };
    m5dev_init(&m->m5, &m->eq, cfg->outdir, cfg->scripts, cfg->nscripts, &hooks);
    m5dev_attach(&m->m5, &m->bus);
    pc_devices_attach(m);
    protect_run_files(m);

    if (m->restore_img) {
        machine_ckpt_restore(m, m->restore_img);
        m5dev_restored_at(&m->m5, m->cpus[0]->cpu.s.rip);
        fprintf(ini, "\n[restore]\ncheckpoint=%s\ntick=%llu\n", m->restore_img->dir,
                (unsigned long long)m->restore_img->tick);
    } else {
        struct boot_info info;
        boot_load_kernel(&m->bus, cfg->kernel, cfg->run_decompressor, &info);
        if (cfg->initrd)
            boot_load_initrd(&m->bus, cfg->initrd, m->e820, m->n_e820, &info);
        char cmdline[BOOT_CMDLINE_MAX];
        build_cmdline(m, &info, cmdline, sizeof cmdline);
        pc_firmware_setup(m);
        fprintf(ini, "\n[boot]\nentry=0x%llx\ncmdline=%s\n", (unsigned long long)info.entry, cmdline);
        if (info.payload_format)
            fprintf(ini, "payload=%s, decompressed by m5sim\n", info.payload_format);
        boot_setup(&m->bus, &m->cpus[0]->cpu, &info, cmdline, m->e820, m->n_e820, cfg->rng_seed);
        for (unsigned i = 1; i < m->ncpus; i++)
            m->cpus[i]->r.wait_sipi = 1;   /* application processors wait for the BSP's start-up IPIs */
    }
    event_init(&m->take_ckpt_event, "take-checkpoints", take_checkpoint_event, m);
    if (cfg->take_checkpoints)
        eventq_schedule(&m->eq, &m->take_ckpt_event, cfg->take_checkpoint_tick);
    for (unsigned i = 0; i < m->ncpus; i++)
        m->cpus[i]->start_icount = m->cpus[i]->cpu.icount;
    m->host_start = host_seconds();
    machine_stats_init(m);
    machine_cpus_start(m);   /* after the statistics: the timing model's memory system registers its own */
    machine_ckpt_restore_memsys(m);
    if (m->memsys)
        memsys_write_config(m->memsys, ini);
    machine_cpus_write_config(m, ini);
    if (ferror(ini) | (fclose(ini) != 0))
        fatal(cfg->outdir, "cannot write config.ini: %s", strerror(errno ? errno : EIO));
}

void machine_free(struct machine *m)
{
    pc_devices_free(m);
    m5dev_free(&m->m5);
    if (m->console)
        fclose(m->console);
    if (m->stats_file)
        fclose(m->stats_file);
    if (m->stats_json)
        fclose(m->stats_json);
    if (m->lock_fd > 0)
        close(m->lock_fd);   /* releases the lock */
    if (m->outdir_fd > 0)
        close(m->outdir_fd);
    stats_group_free(m->stats_root);
    machine_cpus_free(m);
    for (unsigned i = 0; i < m->ncpus; i++) {
        cpu_free(&m->cpus[i]->cpu);
        free(m->cpus[i]);
        m->cpus[i] = NULL;
    }
    block_cache_free(block_cache_for_bus(&m->bus));
    eventq_free(&m->eq);
    munmap(m->ram, m->ram_size);
    if (m->restore_img) {
        ckpt_close(m->restore_img);
        free(m->restore_img);
    }
}

/* ---------------------------------------------------------------- run -- */

/* This run's instructions over the host time spent simulating them (status_line.h). */
static void status_line(struct machine *m, bool final)
{
    if (m->cfg.quiet)
        return;
    double busy = host_seconds() - m->host_start - m->host_prompt_seconds;
    status_line_show(machine_insts_this_run(m), busy, (double)machine_now(m) / TICKS_PER_SECOND, final);
}

static void report_guest_fault(struct machine *m, const struct machine_cpu *c, const char *what)
{
    char why[160];
    if (m->ncpus > 1)
        snprintf(why, sizeof why, "%s at rip=0x%llx on cpu %d", what, (unsigned long long)c->cpu.s.rip, c->cpu.id);
    else
        snprintf(why, sizeof why, "%s at rip=0x%llx", what, (unsigned long long)c->cpu.s.rip);
    machine_stop(m, 1, why);
}

/*
 * Can CPU c do nothing this turn? It waits for a start-up IPI, or is halted
 * and nothing wakes it (an NMI, or an interrupt it would take). Asked
 * before a turn with several CPUs, so that a halted CPU costs nothing.
 */
static bool cpu_idle(struct machine_cpu *c)
{
    if (c->r.wait_sipi)
        return true;
    struct cpu *cpu = &c->cpu;
    if (!cpu->s.halted || c->r.nmi_pending)
        return false;
    return !((cpu->s.rflags & FL_IF) && cpu->hooks.intr_pending(cpu->hooks.opaque, cpu));
}

/* CPU i's turn (the schedule's `turn`): from its own time to `end` (a tick). */
static enum cpu_exit sched_turn(void *opaque, unsigned i, uint64_t end)
{
    struct machine *m = opaque;
    struct machine_cpu *c = m->cpus[i];
    uint64_t budget = (end - c->r.tick + m->period - 1) / m->period;
    m->quantum_tick = c->r.tick;
    m->quantum_cycles = cpu_cycles(&c->cpu);
    m->eq.horizon = end;
    m->running = c;
    enum cpu_exit why = cpu_model_run(c->model, budget);
    m->running = NULL;
    m->eq.horizon = 0;
    c->r.tick = m->quantum_tick + (cpu_cycles(&c->cpu) - m->quantum_cycles) * m->period;
    m->cpu_tick = c->r.tick;
    if (why == CPU_EXIT_TRIPLE_FAULT)
        report_guest_fault(m, c, "triple fault");
    else if (why == CPU_EXIT_UNSUPPORTED)
        report_guest_fault(m, c, "unsupported instruction");
    else if (why == CPU_EXIT_WAIT)
        m->turn_wait = true;
    return why;
}

static bool sched_idle(void *opaque, unsigned i)
{
    return cpu_idle(((struct machine *)opaque)->cpus[i]);
}

static void sched_prepare(void *opaque, unsigned i)
{
    struct machine *m = opaque;
    struct machine_cpu *c = m->cpus[i];
    if (c->r.init_pending | c->r.sipi_pending)
        machine_cpu_apply_signals(m, c);
}

static bool sched_done(void *opaque)
{
    return ((struct machine *)opaque)->done;
}

static void sched_setup(struct machine *m)
{
    m->sched = (struct sched){ .n = m->ncpus, .period = m->period, .skip_idle = m->ncpus > 1, .opaque = m,
                               .prepare = sched_prepare, .idle = sched_idle, .turn = sched_turn,
                               .done = sched_done };
    for (unsigned i = 0; i < m->ncpus; i++)
        m->sched.cpu[i] = &m->cpus[i]->r;
}

/*
 * The run loop: rounds of CPU turns (machine/schedule.h) of --quantum
 * cycles (one CPU: up to a million), ending sooner at the next event; then
 * the events due up to the time every busy CPU reached. When every CPU
 * idles, time jumps to the next event. Everything depends on simulated
 * time and the CPUs' order only, so a run is deterministic
 * (docs/architecture.md).
 */
int machine_run(struct machine *m)
{
    double last_status = host_seconds();
    while (!m->done) {
        uint64_t now = m->eq.now;
        uint64_t next = eventq_next(&m->eq);
        uint64_t budget = m->quantum;
        if (next != TICK_NEVER) {
            uint64_t until = next > now ? (next - now + m->period - 1) / m->period : 1;
            if (until < budget)
                budget = until;
        }
        uint64_t until_switch = machine_cpus_step(m);
        if (until_switch && until_switch < budget)
            budget = until_switch;
        if (stop_signal) {
            char why[64];
            snprintf(why, sizeof why, "stopped by signal %d (%s)", (int)stop_signal, strsignal(stop_signal));
            machine_stop(m, 128 + stop_signal, why);
            break;
        }
        if (m->cfg.max_ticks) {
            if (now >= m->cfg.max_ticks) {
                machine_stop(m, 0, "reached --max-ticks");
                break;
            }
            uint64_t left = (m->cfg.max_ticks - now + m->period - 1) / m->period;
            if (left < budget)
                budget = left;
        }
        if (m->cfg.max_seconds && host_seconds() - m->host_start >= (double)m->cfg.max_seconds) {
            machine_stop(m, MACHINE_EXIT_MAX_SECONDS, "reached --max-seconds");
            break;
        }
        /* --maxinsts: gem5's max_insts_any_thread, counted from the start of this run on each CPU
           (not while fast-forwarding: gem5 counts on the CPU switched to). */
        bool maxed = false;
        uint64_t insts_left = 0;
        for (unsigned i = 0; m->cfg.maxinsts && !m->switch_icount && i < m->ncpus; i++) {
            uint64_t done = m->cpus[i]->cpu.icount - m->cpus[i]->start_icount;
            maxed |= done >= m->cfg.maxinsts;
            if (!maxed && (!insts_left || m->cfg.maxinsts - done < insts_left))
                insts_left = m->cfg.maxinsts - done;
        }
        if (maxed) {
            machine_stop(m, 0, "reached --maxinsts");
            break;
        }
        if (insts_left && insts_left < budget)
            budget = insts_left;

        m->turn_wait = false;
        struct sched_round round = sched_run_round(&m->sched, now, now + budget * m->period);
        if (round.reached != TICK_NEVER) {
            eventq_run_until(&m->eq, round.reached);
        } else if (!m->done) {
            /* Every CPU idles: nothing to do until the next event, so simulated time jumps there. */
            eventq_run_until(&m->eq, round.idle_reached);
            uint64_t t = eventq_next(&m->eq);
            if (t == TICK_NEVER)
                report_guest_fault(m, m->cpus[0], m->ncpus > 1 ? "all CPUs halted with interrupts off and no event pending"
                                                               : "guest halted with interrupts off and no event pending");
            else if (m->cfg.max_ticks && t > m->cfg.max_ticks)
                eventq_run_until(&m->eq, m->cfg.max_ticks > m->eq.now ? m->cfg.max_ticks : m->eq.now);
            else
                eventq_run_until(&m->eq, t);
        }
        if (m->turn_wait) {
            if (!m5dev_take_requested_checkpoint(&m->m5)) {   /* the guest's m5 checkpoint: its load runs again */
                status_line(m, true);
                double asked = host_seconds();
                interactive_prompt(m);
                m->host_prompt_seconds += host_seconds() - asked;
            }
        }
        if ((machine_icount(m) & 0xfffff) < budget * m->ncpus) {
            double t = host_seconds();
            if (t - last_status > 0.5) {
                status_line(m, false);
                last_status = t;
            }
        }
    }
    for (unsigned i = 0; i < m->ncpus; i++)
        sched_catch_up(&m->sched, i, m->eq.now);
    status_line(m, true);
    if (m->cfg.checkpoint_at_end)
        machine_checkpoint(m);
    machine_dump_stats(m);
    if (fflush(m->console) != 0 && !m->output_errno) {
        m->output_errno = errno ? errno : EIO;
        warn(m->cfg.outdir, "cannot write the console log: %s", strerror(m->output_errno));
    }
    /* A run the guest ended well still fails when its outputs or checkpoints are missing. */
    if (m->exit_status == 0 && (m->output_errno || m->checkpoint_errno)) {
        m->exit_status = MACHINE_EXIT_OUTPUT_FAILED;
        snprintf(m->exit_why + strlen(m->exit_why), sizeof m->exit_why - strlen(m->exit_why), "%s",
                 m->output_errno ? "; an output file could not be written" : "; a checkpoint could not be written");
    }
    write_run_record(m);
    if (m->exit_status == 0 && m->output_errno) {   /* run.ini itself */
        m->exit_status = MACHINE_EXIT_OUTPUT_FAILED;
    }
    return m->exit_status;
}
