/*
 * ckpt.h - checkpoints: cpt.<tick>/ directories holding an INI index
 * (m5.cpt), guest memory (memory.img, sparse), disk overlays and their block
 * maps, and the file table of every host file the machine depends on.
 * docs/checkpoint-format.md describes the format; this is the code.
 */
#ifndef M5SIM_CKPT_CKPT_H
#define M5SIM_CKPT_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt/ini.h"

#define CKPT_FORMAT_VERSION 1
#define CKPT_INDEX "m5.cpt"
#define CKPT_MAX_DISKS 8

struct machine;

/* A checkpoint opened for restore: its index, checked for structure and version. */
struct ckpt_image {
    char dir[4096];
    struct ini ini;
    uint64_t tick;
    uint64_t mem_size;
    uint64_t cpu_clock;
    int ndisks;
    char disk_base[CKPT_MAX_DISKS][4096];    /* recorded base image paths */
};

/*
 * Write a checkpoint of the (stopped, between instructions) machine to
 * parent/cpt.<tick>/, atomically: everything goes to a hidden temporary
 * directory that is renamed into place when complete. Returns 0 and the final
 * path, or -1 after a warning naming the problem.
 */
int ckpt_save(struct machine *m, const char *parent, char *path, size_t pathlen);

/* A checkpoint found in a directory. */
struct ckpt_entry {
    uint64_t tick;
    char name[64];       /* cpt.<tick> */
    char path[4096];     /* dir/cpt.<tick> (or dir itself when it is a checkpoint) */
};

/*
 * The checkpoints of a --checkpoint-dir, by ascending tick (the numbering of
 * -r): *out is malloc'd. DIR may be a cpt.<tick> directory itself (one entry).
 * Returns the count, or -1 (errno set) when DIR cannot be read.
 */
int ckpt_list(const char *dir, struct ckpt_entry **out);

/*
 * Resolve --checkpoint-dir DIR and -r N (1-based, ascending tick) to a
 * checkpoint directory. DIR may also be a cpt.<tick> directory itself. On a
 * bad DIR or N, prints one message (listing the checkpoints that exist) and
 * exits 2.
 */
void ckpt_locate(const char *dir, int n, char *out, size_t outlen);

/* Open and check a checkpoint directory; exits 2 with a message naming the file and problem. */
void ckpt_open(struct ckpt_image *img, const char *dir);
void ckpt_close(struct ckpt_image *img);
/*
 * Check the file table against the files given now (disks[i], or the
 * recorded paths when ndisks is 0): a changed base image is refused (exit 2).
 */
void ckpt_verify_files(const struct ckpt_image *img, const char *const *disks, int ndisks);
/* Path of a file inside the checkpoint. */
void ckpt_path(const struct ckpt_image *img, const char *name, char *out, size_t outlen);
/* Load CPU, device and time state into a machine built from this checkpoint. */
void ckpt_restore(struct machine *m, const struct ckpt_image *img);

#endif
