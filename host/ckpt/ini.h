/*
 * ini.h - the checkpoint index format: a small, strict INI dialect.
 *
 *   # comment
 *   [section]
 *   key=value
 *
 * Numbers are written in hex (0x...) or decimal, byte blobs as lowercase hex.
 * The reader keeps every line in memory and reports problems with the file
 * name and line, so a corrupt index gives one precise message.
 */
#ifndef M5SIM_CKPT_INI_H
#define M5SIM_CKPT_INI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writing. */
void ini_section(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ini_u64(FILE *f, const char *key, uint64_t v);
void ini_dec(FILE *f, const char *key, uint64_t v);
void ini_str(FILE *f, const char *key, const char *v);
void ini_hex(FILE *f, const char *key, const void *data, size_t len);

/* Reading. */
struct ini_entry {
    char *section, *key, *value;
    int line;
};

struct ini {
    char *path;
    struct ini_entry *e;
    size_t n;
};

/*
 * Read a whole regular file of at most max bytes into *buf (malloc'd, NUL
 * added) without blocking on a FIFO or reading a device: NULL, or why not.
 */
const char *ini_read_file(const char *path, size_t max, char **buf, size_t *len);

/* The largest index ini_load reads. */
#define INI_MAX_BYTES (16u << 20)

/*
 * Parse a file (a regular file of at most INI_MAX_BYTES; a FIFO or device is
 * refused without being read); on a syntax or I/O error, write a message to
 * err and return false.
 */
bool ini_load(struct ini *ini, const char *path, char *err, size_t errlen);
void ini_free(struct ini *ini);
const char *ini_get(const struct ini *ini, const char *section, const char *key);
bool ini_has_section(const struct ini *ini, const char *section);

/*
 * Typed getters: a missing key or malformed value is fatal with a message
 * naming the file, section and key (a checkpoint that parses but lacks a
 * field is corrupt).
 */
uint64_t ini_need_u64(const struct ini *ini, const char *section, const char *key);
const char *ini_need_str(const struct ini *ini, const char *section, const char *key);
void ini_need_hex(const struct ini *ini, const char *section, const char *key, void *out, size_t len);

#endif
