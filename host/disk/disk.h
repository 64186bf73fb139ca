/*
 * disk.h - a guest disk: a base image that is never written, plus a
 * copy-on-write overlay in the output directory that holds every block the
 * guest wrote (4 KiB granularity, tracked by an in-memory bitmap).
 */
#ifndef M5SIM_DISK_DISK_H
#define M5SIM_DISK_DISK_H

#include <stdbool.h>
#include <stdint.h>

#define DISK_BLOCK 4096u

struct disk {
    char *base_path;
    char *overlay_path;
    int base_fd;            /* O_RDONLY */
    int overlay_fd;
    uint64_t size;          /* bytes (the base image's size) */
    uint64_t nblocks;
    uint8_t *present;       /* bit per block: 1 = the overlay holds it */
    uint64_t blocks_written;
};

/* Open `base` read-only and create an empty overlay at `overlay`. Exits 2 with a clear message on error. */
struct disk *disk_open(const char *base, const char *overlay);
void disk_close(struct disk *d);
/* Read/write `len` bytes at byte offset `off` (within the disk); return 0 or -1 (errno set). */
int disk_read(struct disk *d, uint64_t off, void *buf, uint64_t len);
int disk_write(struct disk *d, uint64_t off, const void *buf, uint64_t len);

/*
 * Snapshot for a checkpoint: write the blocks the overlay holds to
 * `overlay_copy` (a sparse file) and the block bitmap to `map_path`.
 * Returns 0, or -1 with errno set.
 */
int disk_snapshot(const struct disk *d, const char *overlay_copy, const char *map_path);
/*
 * Open `base` read-only and start a new overlay at `overlay` from a
 * snapshot (checkpoint overlay and map, which are only read). Exits 2 with a
 * message naming the file when the snapshot does not fit the base image.
 */
struct disk *disk_open_snapshot(const char *base, const char *overlay, const char *snap_overlay,
                                const char *snap_map);

#endif
