/*
 * fingerprint.h - content fingerprints for the checkpoint's file table.
 *
 * A 64-bit hash of a file's bytes (four independent multiply-rotate lanes,
 * several GB/s) plus the identity a fast check can use: size, modification
 * time and inode. A restore first compares the identity; only when it
 * differs (a copied or touched file) does it hash the content again, so an
 * unchanged multi-gigabyte image costs nothing and a changed one is caught.
 */
#ifndef M5SIM_CKPT_FINGERPRINT_H
#define M5SIM_CKPT_FINGERPRINT_H

#include <stdbool.h>
#include <stdint.h>

struct file_identity {
    uint64_t size;
    uint64_t mtime_ns;
    uint64_t inode, device;
};

bool file_identity_of(const char *path, struct file_identity *id);
/* Fingerprint of the file's content (blocks of zeros and holes count alike); false on an I/O error. */
bool file_fingerprint(const char *path, uint64_t *fp);
uint64_t fingerprint_bytes(const void *data, uint64_t len, uint64_t seed);

#endif
