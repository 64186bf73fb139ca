/*
 * m5_writefile.h - where `m5 writefile` may put a guest's file, and how it is
 * opened. The guest names a path relative to the output directory, as in
 * gem5; this module refuses every name that could reach the simulator's own
 * files or the run's inputs (docs/guest-safety.md lists the rules) and opens
 * the rest without following links or blocking. A refused or failed write
 * leaves nothing behind: the file and directories it created are removed.
 */
#ifndef M5SIM_DEV_M5_WRITEFILE_H
#define M5SIM_DEV_M5_WRITEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits on one name and on the file it makes. */
#define M5WF_MAX_DEPTH     16                  /* path components */
#define M5WF_MAX_NAME      1024                /* bytes of the whole name */
#define M5WF_MAX_FILE_SIZE (4ull << 30)        /* offset + length of one write */

/* Files the guest must never write, by device and inode (the run's inputs, the simulator's outputs). */
struct m5wf_guard {
    struct m5wf_id { uint64_t dev, ino; } *ids;
    size_t n, cap;
    uint64_t max_size;                         /* M5WF_MAX_FILE_SIZE unless changed */
};

void m5wf_guard_init(struct m5wf_guard *g);
void m5wf_guard_free(struct m5wf_guard *g);
/* Protect the file at path, or every file directly inside it if it is a directory (a checkpoint). */
void m5wf_protect(struct m5wf_guard *g, const char *path);

/* A file opened for a guest write, with what opening it created (to undo on failure). */
struct m5wf_file {
    int fd;
    int dirs[M5WF_MAX_DEPTH];                  /* descriptors of the directories walked, dirs[0] = outdir */
    char *names[M5WF_MAX_DEPTH];               /* component names (into `buf`) */
    int ncomp;                                 /* components; the last is the file */
    int first_created_dir;                     /* index of the first directory we made, ncomp if none */
    bool created;                              /* the file itself is new */
    char buf[M5WF_MAX_NAME + 1];
};

/*
 * Open `name` inside the directory dirfd for a write of len bytes at offset
 * (offset 0 truncates an existing file). 0, or -errno with nothing created:
 * EINVAL a malformed name (empty, control characters, '.' or '..', too deep
 * or too long), EPERM a name reserved for the simulator or a file it must
 * not write (an input, a hard link, not a regular file), ELOOP a symbolic
 * link, EFBIG offset + len above the size limit, and any errno of the host.
 */
int m5wf_open(const struct m5wf_guard *g, int dirfd, const char *name, uint64_t offset, uint64_t len,
              struct m5wf_file *f);
/* Close the file; with `failed`, remove the file and directories m5wf_open created. */
void m5wf_close(struct m5wf_file *f, bool failed);

#endif
