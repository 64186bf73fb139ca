/*
 * ckpt_files.c - the EIO_4 tables of a process checkpoint: the
 * file-descriptor table and the file locations (see checkpoint.h).
 *
 * M-Sim's EIO_4 extension exists because a process restored without its
 * open files goes wrong (SPEC's crafty, restored, read its commands from the
 * wrong stdin). Here every open guest descriptor is one [se.fdN] entry:
 *
 *   kind=stream  one of the simulator's std streams as the run began (its
 *                --input, --output, --errout or the simulator's own); a
 *                restore gives it the restoring run's stream. Standard input
 *                read from a file also names that file and its offset, so a
 *                restore goes on reading at the same byte (unless --input
 *                gives a new stdin, which starts at its beginning).
 *   kind=file    a file, directory or device by path, with its status flags
 *                (F_GETFL) and seek offset.
 *   kind=dup     shares the open file description (and offset) of an
 *                earlier descriptor, as dup() left it.
 *
 * Pipes, sockets, eventfds and deleted files have no path to reopen: a
 * checkpoint of a process holding one is refused with one line.
 *
 * Every file named by a descriptor or a file mapping is one [se.fileN]
 * entry of the file locations table, staged into the checkpoint as a
 * source copy (fileN.copy, EIO_4's "source file"; never modified there)
 * that a restore copies to where the program expects it (the "target
 * file"):
 *
 *   input   a file the process only reads (its program, its inputs, mapped
 *           files) is also fingerprinted (size, mtime, inode, and a content
 *           hash when those differ). At restore, one still at its path with
 *           that fingerprint is used as it is; a changed one is refused in
 *           one line unless --allow-changed-inputs; an absent one (deleted,
 *           or the checkpoint moved to another machine) is recreated from
 *           the copy, creating missing directories only below the process's
 *           working directory. Files above SE_STAGE_MAX bytes are only
 *           fingerprinted, with a warning: a restore needs them in place.
 *   output  a file the process has open for writing is always copied back,
 *           so the restored program appends to exactly the bytes it had
 *           written.
 *
 * The copy is made with copy_file_range(), which shares the blocks with the
 * original on file systems that can (btrfs, XFS reflinks) instead of
 * copying them.
 */
#include "se/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"

#include "ckpt/fingerprint.h"
#include "se/process.h"
#include "util/log.h"

enum file_role { ROLE_INPUT, ROLE_OUTPUT, ROLE_DIR, ROLE_DEVICE };
static const char *const role_name[] = { "input", "output", "directory", "device" };
enum fd_kind { FD_STREAM, FD_FILE, FD_DUP };

/* Inputs larger than this are fingerprinted only, not staged (a huge mapped data set). */
#define SE_STAGE_MAX (UINT64_C(1) << 30)

/* One [se.fileN]. */
struct file_rec {
    int32_t role;
    uint64_t size, fingerprint, mtime_ns, inode;
};

/* One [se.fdN]. */
struct fd_rec {
    int32_t fd, kind, stream, file, flags, dup_of;
    int64_t offset;        /* -1: not seekable */
    bool cloexec;
};

struct se_files {
    struct file_rec *file;
    char **path;
    uint64_t *dev;
    uint32_t *mode;        /* permission bits, for a recreated file */
    bool *staged;          /* a copy is (to be) in the checkpoint */
    unsigned nfiles;
    struct fd_rec fd[SE_MAX_FDS];
    unsigned nfds;
    int *vma_file;
    unsigned nvma;
};

#define FR struct file_rec
static const struct ckpt_field file_fields[] = {
    CKPT_I32F("role", FR, role, ROLE_INPUT, ROLE_DEVICE),
    CKPT_U64F("size", FR, size, 0, UINT64_MAX),
    CKPT_U64F("fingerprint", FR, fingerprint, 0, UINT64_MAX),
    CKPT_U64F("mtime_ns", FR, mtime_ns, 0, UINT64_MAX),
    CKPT_U64F("inode", FR, inode, 0, UINT64_MAX),
};
#undef FR
static const struct ckpt_layout file_layout = CKPT_LAYOUT(file_fields, NULL, 0);

#define FDR struct fd_rec
static const struct ckpt_field fd_fields[] = {
    CKPT_I32F("fd", FDR, fd, 0, SE_MAX_FDS - 1),
    CKPT_I32F("kind", FDR, kind, FD_STREAM, FD_DUP),
    CKPT_I32F("stream", FDR, stream, -1, 2),
    CKPT_I32F("file", FDR, file, -1, INT32_MAX),
    CKPT_I32F("flags", FDR, flags, 0, INT32_MAX),
    CKPT_I32F("dup_of", FDR, dup_of, -1, SE_MAX_FDS - 1),
    CKPT_I64F("offset", FDR, offset, -1, INT64_MAX),
    CKPT_BOOLF("cloexec", FDR, cloexec),
};
#undef FDR

static bool fd_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    (void)r;
    const struct fd_rec *d = state;
    if (d->kind == FD_STREAM && d->stream < 0)
        return snprintf(why, len, "a stream descriptor names no stream"), false;
    if (d->kind == FD_FILE && d->file < 0)
        return snprintf(why, len, "a file descriptor names no file"), false;
    if (d->kind == FD_DUP && (d->dup_of < 0 || d->dup_of >= d->fd))
        return snprintf(why, len, "dup_of = %d is not an earlier descriptor", d->dup_of), false;
    return true;
}
static const struct ckpt_layout fd_layout = CKPT_LAYOUT(fd_fields, fd_validate, 0);

/* ------------------------------------------------------------ saving ---- */

void se_files_note_streams(struct se *se)
{
    for (int k = 0; k < 3; k++) {
        struct stat st;
        int h = se_fd_host(se, (uint64_t)k);
        se->stream_id[k].valid = h >= 0 && fstat(h, &st) == 0;
        if (se->stream_id[k].valid) {
            se->stream_id[k].dev = st.st_dev;
            se->stream_id[k].ino = st.st_ino;
        }
    }
}

/* The path behind a host descriptor (what the kernel says), or why not. */
static bool host_path(int host, const struct stat *st, char *out, size_t len, char *why, size_t wlen)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", host);
    ssize_t n = readlink(link, out, len - 1);
    if (n < 0)
        return snprintf(why, wlen, "cannot find its path: %s", strerror(errno)), false;
    out[n] = 0;
    if (S_ISFIFO(st->st_mode))
        return snprintf(why, wlen, "is a pipe"), false;
    if (S_ISSOCK(st->st_mode))
        return snprintf(why, wlen, "is a socket"), false;
    if (out[0] != '/')
        return snprintf(why, wlen, "is %s, which has no path to reopen", out), false;
    if (n > 10 && !strcmp(out + n - 10, " (deleted)"))
        return snprintf(why, wlen, "is the deleted file %s", out), false;
    return true;
}

/* The table index of the file behind host (added when new), or -1 with why. */
static int add_file(struct se_files *f, int host, bool writes, char *why, size_t len)
{
    struct stat st;
    char path[4096];
    if (fstat(host, &st) != 0)
        return snprintf(why, len, "%s", strerror(errno)), -1;
    if (!host_path(host, &st, path, sizeof path, why, len))
        return -1;
    int role = S_ISREG(st.st_mode) ? (writes ? ROLE_OUTPUT : ROLE_INPUT) : S_ISDIR(st.st_mode) ? ROLE_DIR
                                                                                                : ROLE_DEVICE;
    for (unsigned i = 0; i < f->nfiles; i++) {
        if (f->dev[i] == st.st_dev && f->file[i].inode == st.st_ino) {
            if (role == ROLE_OUTPUT)
                f->file[i].role = ROLE_OUTPUT;   /* one writer makes it a file to ship */
            return (int)i;
        }
    }
    f->file = realloc(f->file, (f->nfiles + 1) * sizeof(*f->file));
    f->path = realloc(f->path, (f->nfiles + 1) * sizeof(*f->path));
    f->dev = realloc(f->dev, (f->nfiles + 1) * sizeof(*f->dev));
    f->mode = realloc(f->mode, (f->nfiles + 1) * sizeof(*f->mode));
    f->staged = realloc(f->staged, (f->nfiles + 1) * sizeof(*f->staged));
    if (!f->file || !f->path || !f->dev || !f->mode || !f->staged || !(f->path[f->nfiles] = strdup(path)))
        fatal("se", "out of host memory");
    f->dev[f->nfiles] = st.st_dev;
    f->mode[f->nfiles] = st.st_mode & 07777;
    f->staged[f->nfiles] = false;
    f->file[f->nfiles] = (struct file_rec){ .role = role, .inode = st.st_ino };
    return (int)f->nfiles++;
}

/* Do the host descriptors a and b (regular files) share one open file description (and offset)? */
static bool same_description(int a, int b)
{
    off_t oa = lseek(a, 0, SEEK_CUR), ob = lseek(b, 0, SEEK_CUR);
    if (oa < 0 || ob < 0 || oa != ob)
        return false;
    bool shared = lseek(a, oa + 1, SEEK_SET) == oa + 1 && lseek(b, 0, SEEK_CUR) == oa + 1;
    lseek(a, oa, SEEK_SET);
    return shared;
}

/* The std stream host is (dev and inode of what 0, 1, 2 were), preferring g's own: -1 if none. */
static int stream_of(const struct se *se, int g, const struct stat *st)
{
    int order[4] = { g < 3 ? g : 0, 0, 1, 2 };
    for (int i = 0; i < 4; i++) {
        int k = order[i];
        if (se->stream_id[k].valid && se->stream_id[k].dev == st->st_dev && se->stream_id[k].ino == st->st_ino)
            return k;
    }
    return -1;
}

static bool collect_fd(struct se *se, struct se_files *f, int g, char *why, size_t len)
{
    int host = se->fd[g].host;
    struct stat st;
    char reason[4200];
    if (fstat(host, &st) != 0)
        return snprintf(why, len, "guest descriptor %d: %s", g, strerror(errno)), false;
    int flags = fcntl(host, F_GETFL);
    struct fd_rec d = { .fd = g, .kind = FD_FILE, .stream = -1, .file = -1, .dup_of = -1,
                        .flags = flags < 0 ? 0 : flags, .cloexec = se->fd[g].cloexec };
    off_t off = lseek(host, 0, SEEK_CUR);
    d.offset = off < 0 ? -1 : off;
    d.stream = stream_of(se, g, &st);
    if (d.stream >= 0) {
        d.kind = FD_STREAM;
        /* Standard input from a file: the file and the offset reached, for the restore to go on from. */
        if (d.stream == 0 && S_ISREG(st.st_mode))
            d.file = add_file(f, host, false, reason, sizeof reason);
    } else {
        if (S_ISREG(st.st_mode)) {
            for (unsigned i = 0; i < f->nfds; i++) {
                const struct fd_rec *e = &f->fd[i];
                if (e->kind == FD_FILE && same_description(se->fd[e->fd].host, host)) {
                    d.kind = FD_DUP;
                    d.dup_of = e->fd;
                    break;
                }
            }
        }
        if (d.kind == FD_FILE) {
            d.file = add_file(f, host, (d.flags & O_ACCMODE) != O_RDONLY, reason, sizeof reason);
            if (d.file < 0)
                return snprintf(why, len, "guest descriptor %d %s; a process checkpoint holds files only", g,
                                reason), false;
        }
    }
    f->fd[f->nfds++] = d;
    return true;
}

struct se_files *se_files_collect(struct se *se, char *why, size_t len)
{
    struct se_files *f = calloc(1, sizeof(*f));
    if (!f || !(f->vma_file = calloc(se->nvma + 1, sizeof(int))))
        fatal("se", "out of host memory");
    f->nvma = se->nvma;
    for (int g = 0; g < SE_MAX_FDS; g++) {
        if (se->fd[g].host >= 0 && !collect_fd(se, f, g, why, len)) {
            se_files_free(f);
            return NULL;
        }
    }
    for (unsigned i = 0; i < se->nvma; i++) {
        char reason[4200];
        f->vma_file[i] = se->vma[i].fd < 0 ? -1 : add_file(f, se->vma[i].fd, false, reason, sizeof reason);
        if (se->vma[i].fd >= 0 && f->vma_file[i] < 0) {
            snprintf(why, len, "the file mapped at 0x%" PRIx64 " %s", se->vma[i].start, reason);
            se_files_free(f);
            return NULL;
        }
    }
    /* Inputs: what a restore checks them against. */
    for (unsigned i = 0; i < f->nfiles; i++) {
        struct file_rec *r = &f->file[i];
        struct file_identity id;
        f->staged[i] = r->role == ROLE_OUTPUT;
        if (r->role != ROLE_INPUT)
            continue;
        if (!file_identity_of(f->path[i], &id) || !file_fingerprint(f->path[i], &r->fingerprint)) {
            snprintf(why, len, "cannot read %s: %s", f->path[i], strerror(errno));
            se_files_free(f);
            return NULL;
        }
        r->size = id.size;
        r->mtime_ns = id.mtime_ns;
        r->inode = id.inode;
        f->staged[i] = id.size <= SE_STAGE_MAX;
        if (!f->staged[i])
            warn("checkpoint", "%s (%" PRIu64 " MiB) is above the %" PRIu64 " MiB staging limit: fingerprinted, "
                 "not copied into the checkpoint; a restore needs it at its path", f->path[i], id.size >> 20,
                 SE_STAGE_MAX >> 20);
    }
    return f;
}

int se_files_vma(const struct se_files *f, unsigned i)
{
    return i < f->nvma ? f->vma_file[i] : -1;
}

static bool copy_fd(int from, FILE *to)
{
    /* In the kernel, sharing blocks where the file system can; a plain copy where it cannot. */
    if (fflush(to) != 0)
        return false;
    ssize_t n;
    while ((n = copy_file_range(from, NULL, fileno(to), NULL, 1 << 30, 0)) > 0)
        continue;
    if (n == 0)
        return true;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return false;
    char buf[65536];
    while ((n = read(from, buf, sizeof buf)) > 0)
        if (write(fileno(to), buf, (size_t)n) != n)
            return false;
    return n == 0;
}

static bool ship_path(void *opaque, FILE *to)
{
    int fd = open(opaque, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = copy_fd(fd, to);
    close(fd);
    return ok;
}

bool se_files_save(const struct se_files *f, struct ckpt_writer *w)
{
    ini_section(w->f, "se.files");
    ini_dec(w->f, "count", f->nfiles);
    ini_dec(w->f, "descriptors", f->nfds);
    for (unsigned i = 0; i < f->nfiles; i++) {
        char section[64], name[64];
        snprintf(section, sizeof section, "se.file%u", i);
        ckpt_section_save(w, section, &file_layout, &f->file[i]);
        ini_str(w->f, "path", f->path[i]);
        ini_str(w->f, "role_name", role_name[f->file[i].role]);
        char mode[16];
        snprintf(mode, sizeof mode, "0%o", (unsigned)f->mode[i]);
        ini_str(w->f, "mode", mode);
        if (f->staged[i]) {
            snprintf(section, sizeof section, "se.file%u.copy", i);
            snprintf(name, sizeof name, "file%u.copy", i);
            if (!ckpt_ship_file(w, section, name, ship_path, f->path[i]))
                return false;
        }
    }
    for (unsigned i = 0; i < f->nfds; i++) {
        char section[64];
        snprintf(section, sizeof section, "se.fd%u", i);
        ckpt_section_save(w, section, &fd_layout, &f->fd[i]);
    }
    return true;
}

void se_files_free(struct se_files *f)
{
    if (!f)
        return;
    for (unsigned i = 0; i < f->nfiles; i++)
        free(f->path[i]);
    free(f->path);
    free(f->file);
    free(f->dev);
    free(f->mode);
    free(f->staged);
    free(f->vma_file);
    free(f);
}

/* --------------------------------------------------------- restoring ---- */

static noreturn void refuse(const struct ckpt_reader *r)
{
    fatal(r->dir, "%s", r->error);
}

/* Copy the checkpoint's staged copy of file i to path (created or truncated, with mode); never writes the copy. */
static void copy_out(struct ckpt_reader *r, unsigned i, const char *path, int oflags, mode_t mode, const char *what)
{
    char section[64];
    snprintf(section, sizeof section, "se.file%u.copy", i);
    FILE *from = ckpt_open_shipped(r, section, UINT64_C(1) << 50);
    if (!from)
        refuse(r);
    int to = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | oflags, mode);
    if (to < 0)
        fatal(path, "cannot %s: %s", what, strerror(errno));
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        if (write(to, buf, n) != (ssize_t)n)
            fatal(path, "cannot %s: %s", what, strerror(errno));
    if (ferror(from) || close(to) != 0)
        fatal(path, "cannot %s: %s", what, strerror(errno));
    fclose(from);
}

/* Does path lie strictly below the directory root (both absolute, no "." or ".." parts)? */
static bool below(const char *path, const char *root)
{
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    return strncmp(path, root, n) == 0 && (path[n] == '/' || n == 1) && !strstr(path, "/../") &&
           !strstr(path, "/./");
}

/*
 * An input that is not at its path: recreated from the checkpoint's copy.
 * Missing directories are made only below the process's working directory.
 */
static void recreate_input(struct ckpt_reader *r, unsigned i, const char *path, mode_t mode, const char *cwd)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    *(slash == dir ? slash + 1 : slash) = 0;
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT || !cwd || !below(dir, cwd))
            fatal(path, "the checkpointed program's input file is not there, and its directory %s cannot be "
                  "made (%s)", dir, errno != ENOENT ? strerror(errno) : "not below the program's working directory");
        if (mkdir_p(dir) != 0)
            fatal(path, "the checkpointed program's input file is not there, and its directory cannot be made: %s",
                  strerror(errno));
    }
    copy_out(r, i, path, O_EXCL | O_NOFOLLOW, mode, "recreate the checkpointed program's input file");
    info("%s: recreated from the checkpoint's copy (it was not there)", path);
}

/* An input the process read: the same bytes as when the checkpoint was taken? */
static void check_input(struct ckpt_reader *r, unsigned i, const char *path, const struct file_rec *f,
                        const struct se_restore_opts *o, mode_t mode)
{
    const char *dir = r->dir;
    struct file_identity id;
    if (!file_identity_of(path, &id)) {
        char section[64];
        snprintf(section, sizeof section, "se.file%u.copy", i);
        if (errno != ENOENT || !ini_has_section(r->ini, section))
            fatal(path, "the checkpointed program's input file is not there (%s)%s", strerror(errno),
                  errno == ENOENT ? ", and the checkpoint holds no copy of it" : "");
        recreate_input(r, i, path, mode, ini_get(r->ini, "se.process", "cwd"));
        return;
    }
    bool same = id.size == f->size;
    if (same && (id.mtime_ns != f->mtime_ns || id.inode != f->inode)) {
        uint64_t fp;
        same = file_fingerprint(path, &fp) && fp == f->fingerprint;
    }
    if (same)
        return;
    if (!o->allow_changed)
        fatal(path, "changed since the checkpoint %s was taken (size or content fingerprint differs); "
              "--allow-changed-inputs restores with it as it is now", dir);
    warn(path, "changed since the checkpoint was taken; used as it is now (--allow-changed-inputs)");
}

/* A file the process writes: the checkpoint's copy goes back to its place. */
static void put_back(struct ckpt_reader *r, unsigned i, const char *path, mode_t mode)
{
    copy_out(r, i, path, 0, mode, "put back the checkpointed program's output file");
}

static int open_file(const char *path, const struct fd_rec *d, const struct file_rec *f)
{
    int keep = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOATIME | O_DSYNC | O_SYNC;
    int flags = (d->flags & keep) | O_CLOEXEC | (f->role == ROLE_DIR ? O_DIRECTORY : 0);
    int h = open(path, flags);
    if (h < 0)
        fatal(path, "cannot reopen guest descriptor %d: %s", d->fd, strerror(errno));
    if (d->offset >= 0 && f->role != ROLE_DEVICE && lseek(h, d->offset, SEEK_SET) != d->offset)
        fatal(path, "cannot seek guest descriptor %d to %" PRId64 ": %s", d->fd, d->offset, strerror(errno));
    int moved = fcntl(h, F_DUPFD_CLOEXEC, 3);
    close(h);
    if (moved < 0)
        fatal(path, "%s", strerror(errno));
    return moved;
}

struct se_files *se_files_load(struct ckpt_reader *r)
{
    const char *s = ini_get(r->ini, "se.files", "count"), *sd = ini_get(r->ini, "se.files", "descriptors");
    char *end;
    if (!s || !sd)
        fatal(r->dir, "[se.files] needs count and descriptors");
    unsigned long nfiles = strtoul(s, &end, 0), nfds = *end ? ULONG_MAX : strtoul(sd, &end, 0);
    if (*end || nfiles > 4 * SE_MAX_FDS + 65536 || nfds > SE_MAX_FDS)
        fatal(r->dir, "[se.files] count = %s, descriptors = %s: out of range", s, sd);
    struct se_files *f = calloc(1, sizeof(*f));
    if (!f || !(f->file = calloc(nfiles + 1, sizeof(*f->file))) || !(f->path = calloc(nfiles + 1, sizeof(*f->path))) ||
        !(f->mode = calloc(nfiles + 1, sizeof(*f->mode))))
        fatal("se", "out of host memory");
    for (unsigned i = 0; i < nfiles; i++) {
        char section[64];
        snprintf(section, sizeof section, "se.file%u", i);
        if (!ckpt_section_load(r, section, &file_layout, &f->file[i]))
            refuse(r);
        const char *p = ini_get(r->ini, section, "path");
        if (!p || p[0] != '/' || strlen(p) >= 4096)
            fatal(r->dir, "[%s] path = '%.80s' is not an absolute path", section, p ? p : "");
        f->path[i] = strdup(p);
        const char *m = ini_get(r->ini, section, "mode");
        unsigned long mode = m ? strtoul(m, &end, 0) : 0644;
        if (m && (*end || !*m || mode > 07777))
            fatal(r->dir, "[%s] mode = '%.20s' is not a file mode", section, m);
        f->mode[i] = (uint32_t)mode;
        f->nfiles = i + 1;
    }
    bool seen[SE_MAX_FDS] = { false };
    for (unsigned i = 0; i < nfds; i++) {
        char section[64];
        struct fd_rec *d = &f->fd[i];
        snprintf(section, sizeof section, "se.fd%u", i);
        if (!ckpt_section_load(r, section, &fd_layout, d))
            refuse(r);
        if (d->file >= (int32_t)nfiles)
            fatal(r->dir, "[%s] file = %d is not in the file table (%lu files)", section, d->file, nfiles);
        if (seen[d->fd])
            fatal(r->dir, "[%s] guest descriptor %d appears twice", section, d->fd);
        if (d->kind == FD_DUP && !seen[d->dup_of])
            fatal(r->dir, "[%s] dup_of = %d is not an open descriptor before it", section, d->dup_of);
        seen[d->fd] = true;
        f->nfds = i + 1;
    }
    return f;
}

unsigned se_files_count(const struct se_files *f)
{
    return f->nfiles;
}

const char *se_files_path(const struct se_files *f, unsigned i)
{
    return f->path[i];
}

void se_files_apply(struct se *se, const struct se_files *f, struct ckpt_reader *r, const struct se_restore_opts *o)
{
    /* Every file is checked or put back before the process sees any of them. */
    for (unsigned i = 0; i < f->nfiles; i++) {
        if (f->file[i].role == ROLE_INPUT)
            check_input(r, i, f->path[i], &f->file[i], o, f->mode[i]);
        else if (f->file[i].role == ROLE_OUTPUT)
            put_back(r, i, f->path[i], f->mode[i]);
    }

    /* The restoring run's streams, as se_workload_streams left descriptors 0..2. */
    int stream[3];
    for (int k = 0; k < 3; k++) {
        stream[k] = se->fd[k].host;
        se->fd[k].host = -1;
    }
    for (unsigned i = 0; i < f->nfds; i++) {
        const struct fd_rec *d = &f->fd[i];
        int h;
        if (d->kind == FD_DUP) {
            h = fcntl(se->fd[d->dup_of].host, F_DUPFD_CLOEXEC, 3);
        } else if (d->kind == FD_STREAM && d->stream == 0 && d->file >= 0 && !o->new_input) {
            h = open_file(f->path[d->file], d, &f->file[d->file]);   /* stdin goes on at the same byte */
        } else if (d->kind == FD_STREAM) {
            if (stream[d->stream] < 0)
                fatal("-r", "guest descriptor %d was the simulator's %s, which is closed in this run", d->fd,
                      d->stream == 0 ? "stdin" : d->stream == 1 ? "stdout" : "stderr");
            h = fcntl(stream[d->stream], F_DUPFD_CLOEXEC, 3);
        } else {
            h = open_file(f->path[d->file], d, &f->file[d->file]);
        }
        if (h < 0)
            fatal("se", "out of host descriptors: %s", strerror(errno));
        se->fd[d->fd] = (struct se_fd){ h, d->cloexec };
        struct stat st;
        if (d->kind == FD_STREAM && fstat(h, &st) == 0)   /* what the next checkpoint calls this stream */
            se->stream_id[d->stream] = (struct se_stream_id){ st.st_dev, st.st_ino, true };
    }
    for (int k = 0; k < 3; k++)
        if (stream[k] >= 0)
            close(stream[k]);
}
