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

/*
 * Format versions. Compatibility rule: this m5sim restores every version from
 * CKPT_FORMAT_OLDEST to CKPT_FORMAT_VERSION and writes CKPT_FORMAT_VERSION;
 * an index of a newer version is refused in one line. Version 1 saved the
 * PC's devices as hex blobs of their C structs ([device.<name>] state); 2 has
 * named, typed, range-checked fields per component, the m5 device's pending
 * ops and the optional warm memory hierarchy ([memsys]); 3 adds the PC's
 * [platform] (its disk controller), PCI bridge, ACPI PM and PIIX IDE sections
 * (machine/pc_platform.h: an older index is a virtio-mmio PC); 4 adds a
 * virtio-blk's pending pass over its ring (continue_at).
 */
#define CKPT_FORMAT_VERSION 4
#define CKPT_FORMAT_OLDEST 1
#define CKPT_INDEX "m5.cpt"
#define CKPT_MAX_DISKS 8
#define CKPT_MAX_CPUS 16    /* the most CPUs a checkpoint may hold (CONFIG_MAX_CPUS) */
/* The index is small (tens of KiB); a larger file is not an index. */
#define CKPT_INDEX_MAX_BYTES (16u << 20)

#include "ckpt/section.h"

struct disk;

/* A checkpoint opened for restore: its index, checked for structure, version and ranges. */
struct ckpt_image {
    char dir[4096];
    struct ini ini;
    unsigned version;
    uint64_t tick;
    uint64_t mem_size;
    uint64_t cpu_clock;
    unsigned num_cpus;                       /* [config] num_cpus: [cpu0] .. [cpu<num_cpus - 1>] */
    int ndisks;
    char disk_base[CKPT_MAX_DISKS][4096];    /* recorded base image paths */
};

/* What a checkpoint holds besides the components' sections: the machine describes itself. */
struct ckpt_ram_range {
    uint64_t base, size, offset;    /* guest physical base and size, offset in memory.img */
};
struct ckpt_desc {
    uint64_t tick;
    const char *cpu_type;
    uint64_t cpu_clock;
    unsigned num_cpus;              /* 0 counts as 1 */
    const uint8_t *ram;
    uint64_t mem_size;
    const char *ram_backing;        /* the memory.img RAM is mapped from (a restored run), or NULL */
    const struct ckpt_ram_range *ranges;
    unsigned nranges;
    int ndisks;
    const char *const *disk_base;   /* base image paths */
    struct disk *const *disks;
    /* Write the components' sections (and ship files with ckpt_ship_file); false fails the checkpoint. */
    bool (*sections)(void *opaque, struct ckpt_writer *w);
    void *opaque;
};

/*
 * Write a checkpoint to parent/cpt.<tick>/, atomically: everything goes to a
 * hidden temporary directory that is renamed into place when complete.
 * Returns 0 and the final path, or -1 after a warning naming the problem.
 */
int ckpt_save(const struct ckpt_desc *desc, const char *parent, char *path, size_t pathlen);

/*
 * Ship a file with the checkpoint being written: `write` fills it; [section]
 * gets `file`, `size` and `fingerprint`, which ckpt_open_shipped checks.
 */
bool ckpt_ship_file(struct ckpt_writer *w, const char *section, const char *name,
                    bool (*write)(void *opaque, FILE *f), void *opaque);
/*
 * Open the file shipped in [section] for reading, after checking that it is
 * a regular file of the recorded size (at most max_size) and fingerprint.
 * NULL with r->error set otherwise.
 */
FILE *ckpt_open_shipped(struct ckpt_reader *r, const char *section, uint64_t max_size);

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
/* A reader of the checkpoint's sections, for the components to load themselves. */
void ckpt_reader_for(struct ckpt_reader *r, const struct ckpt_image *img);

#endif
