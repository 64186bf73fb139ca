/* section.c - named, typed, range-checked checkpoint sections (see section.h). */
#include "ckpt/section.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ckpt_reader_init(struct ckpt_reader *r, const struct ini *ini, unsigned version, uint64_t tick)
{
    memset(r, 0, sizeof(*r));
    r->ini = ini;
    r->version = version;
    r->tick = tick;
}

bool ckpt_reader_fail(struct ckpt_reader *r, const char *fmt, ...)
{
    if (r->failed)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    r->failed = true;
    return false;
}

/* The key of element i of a field: its name with '#' replaced by i. */
static void field_key(const struct ckpt_field *fd, uint32_t i, char *key, size_t len)
{
    const char *hash = strchr(fd->name, '#');
    if (!hash || fd->type == CKPT_BYTES) {
        snprintf(key, len, "%s", fd->name);
        return;
    }
    snprintf(key, len, "%.*s%u%s", (int)(hash - fd->name), fd->name, i, hash + 1);
}

static uint32_t repeats(const struct ckpt_field *fd)
{
    return fd->type == CKPT_BYTES || fd->count == 0 ? 1 : fd->count;
}

static void *element(const struct ckpt_field *fd, void *state, uint32_t i)
{
    return (uint8_t *)state + fd->offset + (size_t)i * fd->stride;
}

/* The value of a scalar element, as 64 bits (signed types sign-extended). */
static uint64_t get_scalar(enum ckpt_type t, const void *p)
{
    switch (t) {
    case CKPT_U8: return *(const uint8_t *)p;
    case CKPT_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case CKPT_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
    case CKPT_U64: { uint64_t v; memcpy(&v, p, 8); return v; }
    case CKPT_I32: { int32_t v; memcpy(&v, p, 4); return (uint64_t)(int64_t)v; }
    case CKPT_I64: { int64_t v; memcpy(&v, p, 8); return (uint64_t)v; }
    case CKPT_BOOL: { uint8_t v; memcpy(&v, p, 1); return v; }   /* a bool's byte, as stored */
    case CKPT_BYTES: break;
    }
    return 0;
}

static void set_scalar(enum ckpt_type t, void *p, uint64_t v)
{
    switch (t) {
    case CKPT_U8: *(uint8_t *)p = (uint8_t)v; break;
    case CKPT_U16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case CKPT_U32: case CKPT_I32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    case CKPT_U64: case CKPT_I64: memcpy(p, &v, 8); break;
    case CKPT_BOOL: { bool x = v != 0; memcpy(p, &x, 1); break; }
    case CKPT_BYTES: break;
    }
}

static bool is_signed(enum ckpt_type t)
{
    return t == CKPT_I32 || t == CKPT_I64;
}

void ckpt_section_save(struct ckpt_writer *w, const char *section, const struct ckpt_layout *layout,
                       const void *state)
{
    ini_section(w->f, "%s", section);
    for (size_t k = 0; k < layout->nfields; k++) {
        const struct ckpt_field *fd = &layout->fields[k];
        for (uint32_t i = 0; i < repeats(fd); i++) {
            char key[128];
            field_key(fd, i, key, sizeof key);
            const void *p = element(fd, (void *)state, i);
            if (fd->type == CKPT_BYTES)
                ini_hex(w->f, key, p, fd->count);
            else if (is_signed(fd->type))
                fprintf(w->f, "%s=%" PRId64 "\n", key, (int64_t)get_scalar(fd->type, p));
            else
                ini_u64(w->f, key, get_scalar(fd->type, p));
        }
    }
}

static bool in_range(const struct ckpt_field *fd, uint64_t v)
{
    if (is_signed(fd->type))
        return (int64_t)v >= (int64_t)fd->min && (int64_t)v <= (int64_t)fd->max;
    return v >= fd->min && v <= fd->max;
}

static void format_value(const struct ckpt_field *fd, uint64_t v, char *out, size_t len)
{
    if (is_signed(fd->type))
        snprintf(out, len, "%" PRId64, (int64_t)v);
    else
        snprintf(out, len, "%" PRIu64, v);
}

bool ckpt_section_check(const struct ckpt_layout *layout, const void *state, const struct ckpt_reader *r,
                        char *why, size_t len)
{
    for (size_t k = 0; k < layout->nfields; k++) {
        const struct ckpt_field *fd = &layout->fields[k];
        if (fd->type == CKPT_BYTES)
            continue;
        for (uint32_t i = 0; i < repeats(fd); i++) {
            uint64_t v = get_scalar(fd->type, element(fd, (void *)state, i));
            if (in_range(fd, v))
                continue;
            char key[128], val[32], lo[32], hi[32];
            field_key(fd, i, key, sizeof key);
            format_value(fd, v, val, sizeof val);
            format_value(fd, fd->min, lo, sizeof lo);
            format_value(fd, fd->max, hi, sizeof hi);
            snprintf(why, len, "%s = %s is out of range %s..%s", key, val, lo, hi);
            return false;
        }
    }
    if (layout->validate && !layout->validate(state, r, why, len))
        return false;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool parse_hex(const char *v, void *out, size_t len)
{
    if (strlen(v) != 2 * len)
        return false;
    uint8_t *p = out;
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        p[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* Parse a number: unsigned in decimal or 0x hex; signed types also take a leading '-'. */
static bool parse_number(const struct ckpt_field *fd, const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    if (is_signed(fd->type)) {
        long long x = strtoll(v, &end, 0);
        if (!*v || *end || errno)
            return false;
        *out = (uint64_t)(int64_t)x;
    } else {
        if (!*v || *v == '-' || *v == '+' || *v == ' ')
            return false;
        unsigned long long x = strtoull(v, &end, 0);
        if (*end || errno)
            return false;
        *out = x;
    }
    return true;
}

/* The largest value a type can hold (unsigned) or its bounds (signed). */
static bool fits(enum ckpt_type t, uint64_t v)
{
    switch (t) {
    case CKPT_U8: case CKPT_BOOL: return v <= UINT8_MAX;
    case CKPT_U16: return v <= UINT16_MAX;
    case CKPT_U32: return v <= UINT32_MAX;
    case CKPT_I32: return (int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX;
    default: return true;
    }
}

/* Version 1's hex blob of the whole struct. */
static bool load_v1_blob(struct ckpt_reader *r, const char *section, const struct ckpt_layout *layout, void *state)
{
    char name[96];
    snprintf(name, sizeof name, "device.%s", section);
    const char *size = ini_get(r->ini, name, "state_size");
    const char *blob = ini_get(r->ini, name, "state");
    if (!size || !blob)
        return ckpt_reader_fail(r, "[%s] is missing (a version 1 checkpoint holds the state as a blob)", name);
    char *end;
    errno = 0;
    unsigned long long n = strtoull(size, &end, 0);
    if (!*size || *end || errno || n != layout->v1_blob_size)
        return ckpt_reader_fail(r, "[%s] state is %s bytes, this m5sim reads %zu: the checkpoint comes from a "
                                "different m5sim version", name, size, layout->v1_blob_size);
    if (!parse_hex(blob, state, layout->v1_blob_size))
        return ckpt_reader_fail(r, "[%s] state is not %zu bytes of hex", name, layout->v1_blob_size);
    return true;
}

bool ckpt_section_load(struct ckpt_reader *r, const char *section, const struct ckpt_layout *layout, void *state)
{
    if (r->failed)
        return false;
    char why[400];
    if (r->version == 1 && layout->v1_blob_size) {
        if (!load_v1_blob(r, section, layout, state))
            return false;
        if (!ckpt_section_check(layout, state, r, why, sizeof why))
            return ckpt_reader_fail(r, "[device.%s] %s", section, why);
        return true;
    }
    if (!ini_has_section(r->ini, section))
        return ckpt_reader_fail(r, "[%s] is missing", section);
    for (size_t k = 0; k < layout->nfields; k++) {
        const struct ckpt_field *fd = &layout->fields[k];
        for (uint32_t i = 0; i < repeats(fd); i++) {
            char key[128];
            field_key(fd, i, key, sizeof key);
            void *p = element(fd, state, i);
            const char *v = ini_get(r->ini, section, key);
            if (!v) {
                if (fd->since > r->version) {   /* newer than the index: starts from zero */
                    if (fd->type == CKPT_BYTES)
                        memset(p, 0, fd->count);
                    else
                        set_scalar(fd->type, p, 0);
                    continue;
                }
                return ckpt_reader_fail(r, "[%s] %s is missing", section, key);
            }
            if (fd->type == CKPT_BYTES) {
                if (!parse_hex(v, p, fd->count))
                    return ckpt_reader_fail(r, "[%s] %s is not %u bytes of hex", section, key, fd->count);
                continue;
            }
            uint64_t x;
            if (!parse_number(fd, v, &x))
                return ckpt_reader_fail(r, "[%s] %s = '%.40s' is not a number", section, key, v);
            if (!fits(fd->type, x) || !in_range(fd, x)) {
                char lo[32], hi[32];
                format_value(fd, fd->min, lo, sizeof lo);
                format_value(fd, fd->max, hi, sizeof hi);
                if (fits(fd->type, x))
                    format_value(fd, x, why, sizeof why);
                else
                    snprintf(why, sizeof why, "%.40s", v);
                return ckpt_reader_fail(r, "[%s] %s = %s is out of range %s..%s", section, key, why, lo, hi);
            }
            set_scalar(fd->type, p, x);
        }
    }
    if (!ckpt_section_check(layout, state, r, why, sizeof why))
        return ckpt_reader_fail(r, "[%s] %s", section, why);
    return true;
}
