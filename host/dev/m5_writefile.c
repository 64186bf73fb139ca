/*
 * m5_writefile.c - the rules of `m5 writefile` (see m5_writefile.h and
 * docs/guest-safety.md).
 *
 * Each component is opened on its own, relative to the directory before it,
 * with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) where the kernel has it
 * and O_NOFOLLOW otherwise; since '.' and '..' are refused, both keep every
 * step inside the output directory and never follow a link. The target is
 * opened without O_CREAT first (and O_NONBLOCK, so a FIFO cannot block),
 * checked with fstat, and only created (O_EXCL) when it does not exist.
 */
#include "dev/m5_writefile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/log.h"

/* ------------------------------------------------------------- guard -- */

void m5wf_guard_init(struct m5wf_guard *g)
{
    *g = (struct m5wf_guard){ .max_size = M5WF_MAX_FILE_SIZE };
}

void m5wf_guard_free(struct m5wf_guard *g)
{
    free(g->ids);
    *g = (struct m5wf_guard){ 0 };
}

static void add_id(struct m5wf_guard *g, const struct stat *st)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 16;
        g->ids = realloc(g->ids, g->cap * sizeof(*g->ids));
        if (!g->ids)
            fatal("m5 writefile", "out of memory");
    }
    g->ids[g->n++] = (struct m5wf_id){ (uint64_t)st->st_dev, (uint64_t)st->st_ino };
}

void m5wf_protect(struct m5wf_guard *g, const char *path)
{
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        add_id(g, &st);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir))) {
        struct stat fst;
        if (fstatat(dirfd(dir), e->d_name, &fst, 0) == 0 && S_ISREG(fst.st_mode))
            add_id(g, &fst);
    }
    closedir(dir);
}

static bool protected_file(const struct m5wf_guard *g, const struct stat *st)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->ids[i].dev == (uint64_t)st->st_dev && g->ids[i].ino == (uint64_t)st->st_ino)
            return true;
    return false;
}

/* ------------------------------------------------------------- names -- */

/* Names that belong to checkpoints, at any depth. */
static bool checkpoint_name(const char *c)
{
    return !fnmatch("cpt.*", c, 0) || !fnmatch(".cpt.*", c, 0) || !strcmp(c, "m5.cpt");
}

/* The simulator's own outputs directly in the output directory. */
static bool output_name(const char *c)
{
    static const char *const exact[] = { "config.ini", "run.ini", "stats.txt", "stats.json",
                                         "system.pc.com_1.device", "memory.img", ".m5sim.lock" };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (!strcmp(c, exact[i]))
            return true;
    return !fnmatch("disk[0-9]*.overlay", c, 0) || !fnmatch("disk[0-9]*.map", c, 0);
}

/* Split name into components in f->buf; 0 or -errno. */
static int split_name(const char *name, struct m5wf_file *f)
{
    while (*name == '/')
        name++;
    size_t len = strlen(name);
    if (len == 0 || len > M5WF_MAX_NAME)
        return -EINVAL;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return -EINVAL;
    memcpy(f->buf, name, len + 1);
    f->ncomp = 0;
    char *save = NULL;
    for (char *c = strtok_r(f->buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, ".") || !strcmp(c, ".."))
            return -EPERM;
        if (f->ncomp == M5WF_MAX_DEPTH)
            return -EINVAL;
        if (checkpoint_name(c) || (f->ncomp == 0 && output_name(c)))
            return -EPERM;
        f->names[f->ncomp++] = c;
    }
    return f->ncomp ? 0 : -EINVAL;
}

/* ----------------------------------------------------------- opening -- */

/* One component inside dir: never a symlink, never outside dir. */
static int open_beneath(int dir, const char *comp, int flags, mode_t mode)
{
    static bool no_openat2;
    if (!no_openat2) {
        struct open_how how = { .flags = (uint64_t)(flags | O_NOFOLLOW), .mode = (flags & O_CREAT) ? mode : 0,
                                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
        long fd = syscall(SYS_openat2, dir, comp, &how, sizeof how);
        if (fd >= 0 || (errno != ENOSYS && errno != E2BIG))
            return (int)fd;
        no_openat2 = true;   /* an older kernel: O_NOFOLLOW on a single component does the same */
    }
    return openat(dir, comp, flags | O_NOFOLLOW, mode);
}

/* Does this directory hold a run's outputs or a checkpoint (a batch subdirectory, another outdir)? */
static bool holds_run(int dir)
{
    static const char *const marks[] = { "config.ini", "run.ini", "m5.cpt" };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (faccessat(dir, marks[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            return true;
    return false;
}

/* May the existing file st be written? */
static int writable_target(const struct m5wf_guard *g, const struct stat *st)
{
    if (!S_ISREG(st->st_mode) || st->st_nlink > 1 || protected_file(g, st))
        return -EPERM;
    return 0;
}

static int open_target(const struct m5wf_guard *g, struct m5wf_file *f, bool truncate)
{
    int dir = f->dirs[f->ncomp - 1];
    const char *leaf = f->names[f->ncomp - 1];
    struct stat st;
    if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode))
            return -ELOOP;
        if (S_ISDIR(st.st_mode))
            return -EISDIR;
        int rc = writable_target(g, &st);
        if (rc < 0)
            return rc;
        int fd = open_beneath(dir, leaf, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0)
            return errno == ENXIO ? -EPERM : -errno;   /* ENXIO: a FIFO without a reader */
        if (fstat(fd, &st) != 0 || (rc = writable_target(g, &st)) < 0 || (truncate && ftruncate(fd, 0) != 0)) {
            rc = rc < 0 ? rc : -errno;
            close(fd);
            return rc;
        }
        f->fd = fd;
        return 0;
    }
    if (errno != ENOENT)
        return -errno;
    int fd = open_beneath(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    f->fd = fd;
    f->created = true;
    return 0;
}

int m5wf_open(const struct m5wf_guard *g, int dirfd, const char *name, uint64_t offset, uint64_t len,
              struct m5wf_file *f)
{
    memset(f, 0, sizeof(*f));
    f->fd = -1;
    for (int i = 0; i < M5WF_MAX_DEPTH; i++)
        f->dirs[i] = -1;
    if (offset > g->max_size || len > g->max_size - offset)
        return -EFBIG;
    int rc = split_name(name, f);
    if (rc < 0)
        return rc;
    f->first_created_dir = f->ncomp;
    f->dirs[0] = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (f->dirs[0] < 0)
        return -errno;

    for (int i = 0; i + 1 < f->ncomp; i++) {
        int sub = open_beneath(f->dirs[i], f->names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (sub < 0 && errno == ENOENT) {
            if (mkdirat(f->dirs[i], f->names[i], 0755) != 0) {
                rc = -errno;
                goto fail;
            }
            if (f->first_created_dir == f->ncomp)
                f->first_created_dir = i;
            sub = open_beneath(f->dirs[i], f->names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        }
        if (sub < 0) {
            rc = -errno;
            goto fail;
        }
        f->dirs[i + 1] = sub;
        if (i < f->first_created_dir && holds_run(sub)) {
            rc = -EPERM;
            goto fail;
        }
    }
    rc = open_target(g, f, offset == 0);
    if (rc == 0)
        return 0;
fail:
    m5wf_close(f, true);
    return rc;
}

void m5wf_close(struct m5wf_file *f, bool failed)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (failed && f->created && f->ncomp > 0 && f->dirs[f->ncomp - 1] >= 0)
        unlinkat(f->dirs[f->ncomp - 1], f->names[f->ncomp - 1], 0);
    f->created = false;
    if (failed)
        for (int i = f->ncomp - 2; i >= f->first_created_dir && i >= 0; i--)
            if (f->dirs[i] >= 0)
                unlinkat(f->dirs[i], f->names[i], AT_REMOVEDIR);
    f->first_created_dir = f->ncomp;
    for (int i = 0; i < M5WF_MAX_DEPTH; i++) {
        if (f->dirs[i] >= 0)
            close(f->dirs[i]);
        f->dirs[i] = -1;
    }
}
