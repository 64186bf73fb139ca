/* fs.h - small file-system helpers. */
#ifndef M5SIM_UTIL_FS_H
#define M5SIM_UTIL_FS_H

/* Create a directory and its missing parents (like mkdir -p); 0 or -1 with errno set. */
int mkdir_p(const char *path);

#endif
