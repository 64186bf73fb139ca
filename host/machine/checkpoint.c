/*
 * checkpoint.c - the machine's side of checkpoints: it describes itself to
 * ckpt/ (memory, disks, clock) and hands each component a writer or a reader
 * for its own section. ckpt/ knows nothing of the machine; the components
 * declare their state themselves (ckpt/section.h).
 *
 * Sections: [cpu0] (ckpt/cpu_state.c), the PC's devices (machine/pc.c),
 * [m5dev] (dev/m5dev_ckpt.c) and, when the run has the timing model's memory
 * hierarchy, [memsys] with its warm caches in a shipped file. With several
 * CPUs, [cpuN] for each and [cpuN.run] with its place in the schedule and
 * its pending start-up signals (struct machine_cpu_run); a checkpoint of one
 * CPU has no [cpu0.run] and is what it was before there could be more.
 */
#include <errno.h>
#include <string.h>

#include "ckpt/ckpt.h"
#include "ckpt/cpu_state.h"
#include "ckpt/section.h"
#include "dev/m5dev_ckpt.h"
#include "machine/machine.h"
#include "mem/memsys.h"
#include "util/log.h"

#define MEMSYS_FILE "memsys.state"
#define MEMSYS_MAX_BYTES (1ull << 30)   /* a cache's tag records: far below this */

static bool write_memsys(void *opaque, FILE *f)
{
    memsys_save(opaque, f);
    return !ferror(f);
}

#define RS struct machine_cpu_run
static const struct ckpt_field cpu_run_fields[] = {
    CKPT_U64F("tick", RS, tick, 0, CKPT_TIME_MAX),
    CKPT_U64F("idle_cycles", RS, idle_cycles, 0, CKPT_TIME_MAX),
    CKPT_U8F("wait_sipi", RS, wait_sipi, 0, 1),
    CKPT_U8F("init_pending", RS, init_pending, 0, 1),
    CKPT_U8F("sipi_pending", RS, sipi_pending, 0, 1),
    CKPT_U8F("sipi_vector", RS, sipi_vector, 0, 0xff),
    CKPT_U8F("nmi_pending", RS, nmi_pending, 0, 1),
    CKPT_U8F("idle", RS, idle, 0, 1),
};
#undef RS
static const struct ckpt_layout cpu_run_layout = CKPT_LAYOUT(cpu_run_fields, NULL, 0);

static bool save_sections(void *opaque, struct ckpt_writer *w)
{
    struct machine *m = opaque;
    for (unsigned i = 0; i < m->ncpus; i++) {
        char section[32];
        snprintf(section, sizeof section, "cpu%u", i);
        ckpt_cpu_save(w, section, &m->cpus[i]->cpu);
        if (m->ncpus > 1) {
            snprintf(section, sizeof section, "cpu%u.run", i);
            ckpt_section_save(w, section, &cpu_run_layout, &m->cpus[i]->r);
        }
    }
    pc_devices_save(m, w);
    m5dev_save(&m->m5, w, "m5dev");
    if (m->memsys && !ckpt_ship_file(w, "memsys", MEMSYS_FILE, write_memsys, m->memsys))
        return false;
    return true;
}

int machine_ckpt_write(struct machine *m, const char *parent, char *path, size_t pathlen)
{
    struct ckpt_ram_range ranges[8];
    unsigned n = 0;
    for (unsigned i = 0; i < m->bus.nram && n < 8; i++)
        ranges[n++] = (struct ckpt_ram_range){ m->bus.ram[i].base, m->bus.ram[i].size,
                                               (uint64_t)(m->bus.ram[i].host - m->ram) };
    char backing[4096] = "";
    if (m->restore_img)   /* RAM is mapped from the restored checkpoint's memory.img */
        ckpt_path(m->restore_img, "memory.img", backing, sizeof backing);
    struct ckpt_desc d = {
        .tick = machine_now(m),
        .cpu_type = config_cpu_name(m->cfg.cpu_type),
        .cpu_clock = m->cfg.cpu_clock_hz,
        .num_cpus = m->ncpus,
        .ram = m->ram,
        .mem_size = m->ram_size,
        .ram_backing = backing[0] ? backing : NULL,
        .ranges = ranges,
        .nranges = n,
        .ndisks = m->cfg.ndisks,
        .disk_base = m->cfg.disks,
        .disks = m->disks,
        .sections = save_sections,
        .opaque = m,
    };
    return ckpt_save(&d, parent, path, pathlen);
}

void machine_ckpt_restore(struct machine *m, const struct ckpt_image *img)
{
    struct ckpt_reader r;
    ckpt_reader_for(&r, img);
    m->eq.now = img->tick;
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct machine_cpu *c = m->cpus[i];
        char section[32];
        snprintf(section, sizeof section, "cpu%u", i);
        if (!ckpt_cpu_load(&r, section, &c->cpu))
            fatal(img->ini.path, "%s", r.error);
        c->r = (struct machine_cpu_run){ .tick = img->tick };
        snprintf(section, sizeof section, "cpu%u.run", i);
        if (m->ncpus > 1 && !ckpt_section_load(&r, section, &cpu_run_layout, &c->r))
            fatal(img->ini.path, "%s", r.error);
    }
    if (!pc_devices_load(m, &r) || !m5dev_load(&m->m5, &r, "m5dev"))
        fatal(img->ini.path, "%s", r.error);
    /* No TSC read before the checkpoint was later than where the CPUs had got. */
    for (unsigned i = 0; i < m->ncpus; i++)
        if (m->cpus[i]->r.tick / m->period > m->clock_seen)
            m->clock_seen = m->cpus[i]->r.tick / m->period;
}

void machine_ckpt_restore_memsys(struct machine *m)
{
    const struct ckpt_image *img = m->restore_img;
    if (!img || !m->memsys || !ini_has_section(&img->ini, "memsys") || m->cfg.cold_caches)
        return;   /* no timing model now, a checkpoint without warm caches, or --cold-caches: cold */
    struct ckpt_reader r;
    ckpt_reader_for(&r, img);
    FILE *f = ckpt_open_shipped(&r, "memsys", MEMSYS_MAX_BYTES);
    if (!f)
        fatal(img->ini.path, "%s", r.error);
    char why[512];
    bool ok = memsys_load(m->memsys, f, why, sizeof why);
    fclose(f);
    if (!ok)
        fatal(img->ini.path, "[memsys] %s", why);
}
