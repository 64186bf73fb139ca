/* fs.h - small file-system helpers. */
#ifndef M5SIM_UTIL_FS_H
#define M5SIM_UTIL_FS_H

#include <stdio.h>

/* Create a directory and its missing parents (like mkdir -p); 0 or -1 with errno set. */
int mkdir_p(const char *path);

/*
 * Create a new file for writing (mode 0644): never one that exists, never
 * through a symbolic link (O_EXCL | O_NOFOLLOW). For files written into a
 * directory m5sim has just made (a checkpoint being written), where anything
 * already there was planted. A descriptor, or -1 with errno set.
 */
int fs_create_new(const char *path);
/* The same as a stdio stream ("w"), or NULL with errno set. */
FILE *fs_create_new_stream(const char *path);

#endif
