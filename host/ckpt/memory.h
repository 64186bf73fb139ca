/*
 * memory.h - guest RAM in a checkpoint: one sparse file (memory.img) the size
 * of guest RAM, holding only the pages that are not zero. A restore maps it
 * MAP_PRIVATE: nothing is read up front, pages come from the page cache on
 * first touch and are copied only when the guest writes them, so several
 * restores of one checkpoint share its memory.
 */
#ifndef M5SIM_CKPT_MEMORY_H
#define M5SIM_CKPT_MEMORY_H

#include <stdint.h>

/*
 * Write RAM to path; returns the number of bytes of data written (the rest are
 * holes), or -1. `backing` is the file RAM is mapped from (a restored run's
 * memory.img, mapped MAP_PRIVATE at offset 0), or NULL for anonymous RAM.
 */
int64_t ckpt_memory_write(const uint8_t *ram, uint64_t size, const char *path, const char *backing);
/* Map path copy-on-write as guest RAM of `size` bytes; exits 2 with a message when it is unusable. */
uint8_t *ckpt_memory_map(const char *path, uint64_t size);

#endif
