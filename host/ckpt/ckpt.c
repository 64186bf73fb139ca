/* ckpt.c - writing, finding, checking and restoring checkpoints (see ckpt.h). */
#include "ckpt/ckpt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt/fingerprint.h"
#include "ckpt/memory.h"
#include "disk/disk.h"
#include "util/fs.h"
#include "util/log.h"

/* ------------------------------------------------------------- saving -- */

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* Partial checkpoints left by a process that died while writing them (its pid is gone). */
static void remove_stale_partials(const char *parent)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *p = strstr(e->d_name, ".partial.");
        if (strncmp(e->d_name, ".cpt.", 5) || !p)
            continue;
        long pid = strtol(p + 9, NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
            remove_tree(path);
        }
    }
    closedir(d);
}

/* One entry of the file table: a host file the restored machine depends on. */
static void file_entry(FILE *f, int i, const char *role, const char *path, bool shipped)
{
    char key[64];
    struct file_identity id = { 0 };
    uint64_t fp = 0;
    file_identity_of(path, &id);
    file_fingerprint(path, &fp);
    snprintf(key, sizeof key, "file%d.role", i);
    ini_str(f, key, role);
    snprintf(key, sizeof key, "file%d.path", i);
    if (shipped) {
        const char *base = strrchr(path, '/');
        ini_str(f, key, base ? base + 1 : path);
    } else {
        char abs[4096];
        ini_str(f, key, realpath(path, abs) ? abs : path);
    }
    snprintf(key, sizeof key, "file%d.shipped", i);
    ini_dec(f, key, shipped);
    snprintf(key, sizeof key, "file%d.size", i);
    ini_dec(f, key, id.size);
    snprintf(key, sizeof key, "file%d.fingerprint", i);
    ini_u64(f, key, fp);
    if (!shipped) {
        snprintf(key, sizeof key, "file%d.mtime_ns", i);
        ini_dec(f, key, id.mtime_ns);
        snprintf(key, sizeof key, "file%d.inode", i);
        ini_dec(f, key, id.inode);
    }
}

/* Close the index with a fingerprint of everything above it, so truncation or edits are caught. */
static int finish_index(const char *path)
{
    int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "r+");
    if (!f) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    char *buf = malloc((size_t)len + 1);
    rewind(f);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        fclose(f);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    fprintf(f, "\n[end]\nindex_fingerprint=0x%016" PRIx64 "\n", fingerprint_bytes(buf, (uint64_t)len, 0));
    free(buf);
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    fclose(f);
    return rc;
}

bool ckpt_ship_file(struct ckpt_writer *w, const char *section, const char *name,
                    bool (*write)(void *opaque, FILE *f), void *opaque)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    FILE *f = fs_create_new_stream(path);
    if (!f)
        return false;
    bool ok = write(opaque, f);
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    fclose(f);
    struct file_identity id;
    uint64_t fp;
    if (!ok || !file_identity_of(path, &id) || !file_fingerprint(path, &fp))
        return false;
    ini_section(w->f, "%s", section);
    ini_str(w->f, "file", name);
    ini_dec(w->f, "size", id.size);
    ini_u64(w->f, "fingerprint", fp);
    return true;
}

int ckpt_save(const struct ckpt_desc *d, const char *parent, char *path, size_t pathlen)
{
    uint64_t tick = d->tick;
    char tmp[4096], file[4096];
    if (mkdir_p(parent) != 0) {
        warn("checkpoint", "cannot create %s: %s", parent, strerror(errno));
        return -1;
    }
    snprintf(path, pathlen, "%s/cpt.%" PRIu64, parent, tick);
    if (access(path, F_OK) == 0) {
        warn("checkpoint", "%s already exists; not overwritten", path);
        return -1;
    }
    remove_stale_partials(parent);
    /* Hidden and not named cpt.<digits>: -r never picks a partial checkpoint. */
    snprintf(tmp, sizeof tmp, "%s/.cpt.%" PRIu64 ".partial.%d", parent, tick, (int)getpid());
    remove_tree(tmp);
    if (mkdir(tmp, 0755) != 0) {
        warn("checkpoint", "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }

    snprintf(file, sizeof file, "%s/memory.img", tmp);
    int64_t mem_bytes = ckpt_memory_write(d->ram, d->mem_size, file, d->ram_backing);
    if (mem_bytes < 0)
        goto fail;
    for (int i = 0; i < d->ndisks; i++) {
        char ov[4096], map[4096];
        snprintf(ov, sizeof ov, "%s/disk%d.overlay", tmp, i);
        snprintf(map, sizeof map, "%s/disk%d.map", tmp, i);
        if (disk_snapshot(d->disks[i], ov, map) != 0)
            goto fail;
    }

    snprintf(file, sizeof file, "%s/" CKPT_INDEX, tmp);
    FILE *f = fs_create_new_stream(file);
    if (!f)
        goto fail;
    fprintf(f, "# m5sim checkpoint index: see docs/checkpoint-format.md\n");
    ini_section(f, "checkpoint");
    ini_dec(f, "format_version", CKPT_FORMAT_VERSION);
    ini_dec(f, "tick", tick);
    ini_str(f, "cpu_type", d->cpu_type);
    ini_section(f, "config");
    ini_dec(f, "mem_size", d->mem_size);
    ini_dec(f, "cpu_clock", d->cpu_clock);
    ini_dec(f, "num_cpus", d->num_cpus ? d->num_cpus : 1);
    ini_dec(f, "num_disks", (uint64_t)d->ndisks);
    ini_section(f, "memory");
    ini_str(f, "file", "memory.img");
    ini_dec(f, "size", d->mem_size);
    ini_dec(f, "data_bytes", (uint64_t)mem_bytes);
    for (unsigned i = 0; i < d->nranges; i++) {
        char key[32], val[64];
        snprintf(key, sizeof key, "range%u", i);
        snprintf(val, sizeof val, "0x%" PRIx64 "+0x%" PRIx64 "@0x%" PRIx64, d->ranges[i].base,
                 d->ranges[i].size, d->ranges[i].offset);
        ini_str(f, key, val);
    }

    /* The file table (M-Sim EIO_4's "file locations"): what the machine depends on and what ships here. */
    ini_section(f, "files");
    int nf = 0;
    for (int i = 0; i < d->ndisks; i++) {
        char role[32], ov[4096], map[4096];
        snprintf(role, sizeof role, "disk%d.base", i);
        file_entry(f, nf++, role, d->disk_base[i], false);
        snprintf(role, sizeof role, "disk%d.overlay", i);
        snprintf(ov, sizeof ov, "%s/disk%d.overlay", tmp, i);
        file_entry(f, nf++, role, ov, true);
        snprintf(role, sizeof role, "disk%d.map", i);
        snprintf(map, sizeof map, "%s/disk%d.map", tmp, i);
        file_entry(f, nf++, role, map, true);
    }
    ini_dec(f, "count", (uint64_t)nf);
    for (int i = 0; i < d->ndisks; i++) {
        char base[4096];
        ini_section(f, "disk%d", i);
        ini_str(f, "base", realpath(d->disk_base[i], base) ? base : d->disk_base[i]);
        ini_dec(f, "size", d->disks[i]->size);
        ini_dec(f, "blocks_written", d->disks[i]->blocks_written);
    }

    struct ckpt_writer w = { .f = f, .dir = tmp };
    bool ok = d->sections(d->opaque, &w);
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    fclose(f);
    if (!ok || finish_index(file) != 0)
        goto fail;

    if (fsync_path(tmp) != 0 || rename(tmp, path) != 0 || fsync_path(parent) != 0)
        goto fail;
    return 0;
fail:
    warn("checkpoint", "writing %s failed: %s; no checkpoint taken", path, strerror(errno));
    remove_tree(tmp);
    return -1;
}

/* ------------------------------------------------------------ finding -- */

static int by_tick(const void *a, const void *b)
{
    const struct ckpt_entry *x = a, *y = b;
    return x->tick < y->tick ? -1 : x->tick > y->tick;
}

static bool is_checkpoint_dir(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/" CKPT_INDEX, dir);
    return access(p, F_OK) == 0;
}

int ckpt_list(const char *dir, struct ckpt_entry **out)
{
    *out = NULL;
    if (is_checkpoint_dir(dir)) {
        struct ckpt_entry *e = calloc(1, sizeof(*e));
        const char *base = strrchr(dir, '/');
        base = base && base[1] ? base + 1 : dir;
        e->tick = strncmp(base, "cpt.", 4) ? 0 : strtoull(base + 4, NULL, 10);
        snprintf(e->name, sizeof e->name, "%s", base);
        snprintf(e->path, sizeof e->path, "%s", dir);
        *out = e;
        return 1;
    }
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct ckpt_entry *list = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (strncmp(name, "cpt.", 4) || !name[4] || strspn(name + 4, "0123456789") != strlen(name + 4))
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, name);
        if (!is_checkpoint_dir(p))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            list = realloc(list, cap * sizeof(*list));
        }
        list[count].tick = strtoull(name + 4, NULL, 10);
        snprintf(list[count].name, sizeof list[count].name, "%s", name);
        snprintf(list[count].path, sizeof list[count].path, "%s", p);
        count++;
    }
    closedir(d);
    if (count)
        qsort(list, count, sizeof(*list), by_tick);
    *out = list;
    return (int)count;
}

void ckpt_locate(const char *dir, int n, char *out, size_t outlen)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        fatal("--checkpoint-dir", "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        fatal("--checkpoint-dir", "%s is not a directory", dir);

    if (is_checkpoint_dir(dir)) {
        /* gem5 wants the directory *containing* cpt.<tick>/; we accept the cpt directory itself. */
        if (n != 1)
            fatal("-r", "%s is itself a checkpoint; -r %d counts checkpoints inside a directory "
                  "(give its parent, or -r 1)", dir, n);
        snprintf(out, outlen, "%s", dir);
        return;
    }

    struct ckpt_entry *list;
    int count = ckpt_list(dir, &list);
    if (count < 0)
        fatal("--checkpoint-dir", "%s: %s", dir, strerror(errno));
    if (count == 0)
        fatal("--checkpoint-dir", "%s holds no checkpoints (no cpt.<tick>/ directory with an " CKPT_INDEX ")", dir);
    if (n < 1 || n > count) {
        fflush(stdout);
        fprintf(stderr, "m5sim: -r: %d is out of range: %s holds %d checkpoint%s (-r counts from 1, by ascending tick):\n",
                n, dir, count, count == 1 ? "" : "s");
        for (int i = 0; i < count; i++)
            fprintf(stderr, "  -r %d  %s\n", i + 1, list[i].name);
        exit(2);
    }
    snprintf(out, outlen, "%s", list[n - 1].path);
    free(list);
}

/* ------------------------------------------------------------ opening -- */

void ckpt_path(const struct ckpt_image *img, const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", img->dir, name);
}

/*
 * The index must end with a fingerprint of everything before it, and nothing
 * after: "\n[end]\nindex_fingerprint=0x<16 hex digits>\n" closes the file.
 */
static void check_index_fingerprint(const char *path)
{
    static const char marker[] = "\n[end]\nindex_fingerprint=";
    char *buf;
    size_t len;
    const char *why = ini_read_file(path, CKPT_INDEX_MAX_BYTES, &buf, &len);
    if (why)
        fatal(path, "cannot read checkpoint index: %s", why);
    char *end = memmem(buf, len, marker, strlen(marker));
    if (!end)
        fatal(path, "checkpoint index is truncated (no [end] section): the checkpoint is incomplete or corrupt");
    const char *v = end + strlen(marker);
    size_t rest = len - (size_t)(v - buf);
    bool hex = rest == 19 && v[0] == '0' && v[1] == 'x' && v[18] == '\n' && strspn(v + 2, "0123456789abcdef") >= 16;
    if (!hex)
        fatal(path, "checkpoint index has bytes after its [end] fingerprint (or a malformed one): edited or corrupt");
    uint64_t want = strtoull(v, NULL, 16);
    if (fingerprint_bytes(buf, (uint64_t)(end - buf), 0) != want)
        fatal(path, "checkpoint index does not match its fingerprint: the file was edited or corrupted");
    free(buf);
}

/* A field of the fixed sections, range-checked like a component's. */
static uint64_t need_in_range(const struct ckpt_image *img, const char *section, const char *key, uint64_t lo,
                              uint64_t hi)
{
    uint64_t v = ini_need_u64(&img->ini, section, key);
    if (v < lo || v > hi)
        fatal(img->ini.path, "[%s] %s = %" PRIu64 " is out of range %" PRIu64 "..%" PRIu64, section, key, v, lo, hi);
    return v;
}

void ckpt_open(struct ckpt_image *img, const char *dir)
{
    memset(img, 0, sizeof(*img));
    snprintf(img->dir, sizeof img->dir, "%s", dir);
    char index[4096], err[512];
    ckpt_path(img, CKPT_INDEX, index, sizeof index);
    if (!ini_load(&img->ini, index, err, sizeof err))
        fatal(index, "cannot read checkpoint index: %s", err);
    const char *version = ini_get(&img->ini, "checkpoint", "format_version");
    if (!version)
        fatal(index, "not an m5sim checkpoint index (no [checkpoint] format_version)");
    char *end;
    errno = 0;
    unsigned long long v = strtoull(version, &end, 10);
    if (!*version || *end || errno || v < CKPT_FORMAT_OLDEST || v > CKPT_FORMAT_VERSION)
        fatal(index, "checkpoint format version %.20s; this m5sim reads versions %d to %d", version,
              CKPT_FORMAT_OLDEST, CKPT_FORMAT_VERSION);
    img->version = (unsigned)v;
    check_index_fingerprint(index);
    /* Time and clock bound every later computation: no wrap, no division by zero. */
    img->tick = need_in_range(img, "checkpoint", "tick", 0, CKPT_TIME_MAX);
    img->mem_size = need_in_range(img, "config", "mem_size", 1u << 20, 1ull << 40);
    if (img->mem_size & 0xfff)
        fatal(index, "[config] mem_size = %" PRIu64 " is not a whole number of 4 KiB pages", img->mem_size);
    img->cpu_clock = need_in_range(img, "config", "cpu_clock", 1000000, 100000000000ull);
    img->num_cpus = (unsigned)need_in_range(img, "config", "num_cpus", 1, CKPT_MAX_CPUS);
    img->ndisks = (int)need_in_range(img, "config", "num_disks", 0, CKPT_MAX_DISKS);
    for (int i = 0; i < img->ndisks; i++) {
        char section[16];
        snprintf(section, sizeof section, "disk%d", i);
        snprintf(img->disk_base[i], sizeof img->disk_base[i], "%s", ini_need_str(&img->ini, section, "base"));
    }
}

void ckpt_close(struct ckpt_image *img)
{
    ini_free(&img->ini);
}

/* Find a file-table entry by role. */
static int file_index(const struct ckpt_image *img, const char *role)
{
    uint64_t count = ini_need_u64(&img->ini, "files", "count");
    for (uint64_t i = 0; i < count; i++) {
        char key[64];
        snprintf(key, sizeof key, "file%llu.role", (unsigned long long)i);
        if (!strcmp(ini_need_str(&img->ini, "files", key), role))
            return (int)i;
    }
    fatal(img->ini.path, "corrupt checkpoint: the file table has no entry for %s", role);
}

static uint64_t file_u64(const struct ckpt_image *img, int i, const char *field)
{
    char key[64];
    snprintf(key, sizeof key, "file%d.%s", i, field);
    return ini_need_u64(&img->ini, "files", key);
}

static void verify_base(const struct ckpt_image *img, int disk, const char *now, bool given)
{
    char role[32];
    snprintf(role, sizeof role, "disk%d.base", disk);
    int i = file_index(img, role);
    struct file_identity id;
    if (!file_identity_of(now, &id)) {
        if (!given)
            fatal(now, "the checkpoint's disk image %d is not there (%s); give its new place with --disk-image",
                  disk, strerror(errno));
        fatal(now, "cannot read disk image: %s", strerror(errno));
    }
    uint64_t size = file_u64(img, i, "size");
    if (id.size != size)
        fatal(now, "disk image changed since the checkpoint (%s): %llu bytes then, %llu now; "
              "restoring would corrupt the guest's file system", img->dir, (unsigned long long)size,
              (unsigned long long)id.size);
    if (id.mtime_ns == file_u64(img, i, "mtime_ns") && id.inode == file_u64(img, i, "inode"))
        return;  /* the same file, untouched: no need to read it */
    uint64_t fp;
    if (!file_fingerprint(now, &fp))
        fatal(now, "cannot read disk image: %s", strerror(errno));
    if (fp != file_u64(img, i, "fingerprint"))
        fatal(now, "disk image changed since the checkpoint (%s): its content fingerprint differs; "
              "restoring would corrupt the guest's file system", img->dir);
}

static void verify_shipped(const struct ckpt_image *img, const char *role)
{
    int i = file_index(img, role);
    char key[64], path[4096];
    snprintf(key, sizeof key, "file%d.path", i);
    const char *name = ini_need_str(&img->ini, "files", key);
    if (strchr(name, '/'))
        fatal(img->ini.path, "corrupt checkpoint: shipped file '%s' is not inside the checkpoint", name);
    ckpt_path(img, name, path, sizeof path);
    struct file_identity id;
    if (!file_identity_of(path, &id))
        fatal(path, "checkpoint file missing: %s", strerror(errno));
    if (id.size != file_u64(img, i, "size"))
        fatal(path, "checkpoint file is %llu bytes, the file table says %llu: truncated or corrupt",
              (unsigned long long)id.size, (unsigned long long)file_u64(img, i, "size"));
    uint64_t fp;
    if (!file_fingerprint(path, &fp) || fp != file_u64(img, i, "fingerprint"))
        fatal(path, "checkpoint file does not match its fingerprint: corrupt");
}

void ckpt_verify_files(const struct ckpt_image *img, const char *const *disks, int ndisks)
{
    if (ndisks && ndisks != img->ndisks)
        fatal("--disk-image", "%d disk image%s given, the checkpoint %s has %d", ndisks, ndisks == 1 ? "" : "s",
              img->dir, img->ndisks);
    for (int i = 0; i < img->ndisks; i++) {
        char role[32];
        verify_base(img, i, ndisks ? disks[i] : img->disk_base[i], ndisks != 0);
        snprintf(role, sizeof role, "disk%d.overlay", i);
        verify_shipped(img, role);
        snprintf(role, sizeof role, "disk%d.map", i);
        verify_shipped(img, role);
    }
}

/* ---------------------------------------------------------- restoring -- */

void ckpt_reader_for(struct ckpt_reader *r, const struct ckpt_image *img)
{
    ckpt_reader_init(r, &img->ini, img->version, img->tick);
    r->dir = img->dir;
}

FILE *ckpt_open_shipped(struct ckpt_reader *r, const char *section, uint64_t max_size)
{
    if (r->failed)
        return NULL;
    const char *name = ini_get(r->ini, section, "file");
    const char *size = ini_get(r->ini, section, "size");
    const char *fps = ini_get(r->ini, section, "fingerprint");
    if (!name || !size || !fps) {
        ckpt_reader_fail(r, "[%s] needs file, size and fingerprint", section);
        return NULL;
    }
    if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
        ckpt_reader_fail(r, "[%s] file = '%.60s' is not a name inside the checkpoint", section, name);
        return NULL;
    }
    char *end;
    errno = 0;
    uint64_t want = strtoull(size, &end, 0);
    if (!*size || *end || errno || *size == '-' || want > max_size) {
        ckpt_reader_fail(r, "[%s] size = %.40s is out of range 0..%" PRIu64, section, size, max_size);
        return NULL;
    }
    uint64_t want_fp = strtoull(fps, &end, 0);
    if (!*fps || *end) {
        ckpt_reader_fail(r, "[%s] fingerprint = '%.40s' is not a number", section, fps);
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", r->dir ? r->dir : ".", name);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        ckpt_reader_fail(r, "[%s] %s: %s", section, name, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    uint64_t fp;
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != want || !file_fingerprint(path, &fp) || fp != want_fp) {
        ckpt_reader_fail(r, "[%s] %s is not the file the checkpoint recorded (size or fingerprint differs): corrupt",
                         section, name);
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        ckpt_reader_fail(r, "[%s] %s: %s", section, name, strerror(errno));
    }
    return f;
}
