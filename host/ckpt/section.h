/*
 * section.h - checkpoint state declared by its owner, as named, typed fields
 * with valid ranges.
 *
 * A component (a device, the CPU, the m5 device) describes its state struct
 * once, as a table of fields: name, type, place in the struct and the range
 * of values it can hold. The table is the whole contract: saving writes each
 * field as key=value in the component's [section] of the index, loading
 * parses and range-checks each field before the component sees it, so a
 * crafted or damaged index cannot give a device a value its code does not
 * expect (a zero divisor, an index past an array, a count near 2^64). A
 * refusal is one line naming the section, the field and the range:
 *
 *   [pit] ch0.count = 0 is out of range 1..65536
 *
 * Checks spanning fields (a FIFO head and count, a deadline after the
 * checkpoint's tick) go in the section's validate callback.
 *
 * ckpt/ knows no component: the machine hands each component a writer or a
 * reader, and each component calls ckpt_section_save/ckpt_section_load with
 * its own table.
 */
#ifndef M5SIM_CKPT_SECTION_H
#define M5SIM_CKPT_SECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ckpt/ini.h"

enum ckpt_type {
    CKPT_U8, CKPT_U16, CKPT_U32, CKPT_U64,   /* unsigned, written in hex */
    CKPT_I32, CKPT_I64,                      /* signed, written in decimal; min/max are int64_t */
    CKPT_BOOL,                               /* a C bool: 0 or 1 */
    CKPT_BYTES,                              /* `count` bytes as one hex string (range not checked) */
};

/*
 * One field. For count > 1 (except BYTES) the field repeats `count` times,
 * `stride` bytes apart, and the '#' in its name is replaced by the index:
 * "ch#.count" names ch0.count, ch1.count, ch2.count.
 */
struct ckpt_field {
    const char *name;
    enum ckpt_type type;
    size_t offset;
    uint32_t count;        /* 0 or 1: a scalar; BYTES: the length */
    uint32_t stride;
    uint64_t min, max;     /* inclusive; for I32/I64 read as int64_t */
    unsigned since;        /* first format version with this field: absent in older indexes = 0 */
};

/* Field declaration helpers: S is the state struct type, F the member. */
#define CKPT_FIELD_SIZE(S, F) sizeof(((S *)0)->F)
#define CKPT_SCALAR(name, type, S, F, lo, hi) { name, type, offsetof(S, F), 1, 0, (uint64_t)(lo), (uint64_t)(hi), 0 }
#define CKPT_U8F(name, S, F, lo, hi)  CKPT_SCALAR(name, CKPT_U8, S, F, lo, hi)
#define CKPT_U16F(name, S, F, lo, hi) CKPT_SCALAR(name, CKPT_U16, S, F, lo, hi)
#define CKPT_U32F(name, S, F, lo, hi) CKPT_SCALAR(name, CKPT_U32, S, F, lo, hi)
#define CKPT_U64F(name, S, F, lo, hi) CKPT_SCALAR(name, CKPT_U64, S, F, lo, hi)
#define CKPT_I32F(name, S, F, lo, hi) CKPT_SCALAR(name, CKPT_I32, S, F, (int64_t)(lo), (int64_t)(hi))
#define CKPT_I64F(name, S, F, lo, hi) CKPT_SCALAR(name, CKPT_I64, S, F, (int64_t)(lo), (int64_t)(hi))
#define CKPT_BOOLF(name, S, F)        CKPT_SCALAR(name, CKPT_BOOL, S, F, 0, 1)
#define CKPT_BYTESF(name, S, F) \
    { name, CKPT_BYTES, offsetof(S, F), (uint32_t)CKPT_FIELD_SIZE(S, F), 0, 0, 0, 0 }
/* A field of element 0 of array A of S, repeated for every element (name holds '#'). */
#define CKPT_ARRAY(name, type, S, A, F, lo, hi)                                                     \
    { name, type, offsetof(S, A) + offsetof(__typeof__(((S *)0)->A[0]), F),                          \
      (uint32_t)(sizeof(((S *)0)->A) / sizeof(((S *)0)->A[0])), (uint32_t)sizeof(((S *)0)->A[0]),    \
      (uint64_t)(lo), (uint64_t)(hi), 0 }
/* Every element of a plain array A of S (name holds '#'). */
#define CKPT_VECTOR(name, type, S, A, lo, hi)                                                       \
    { name, type, offsetof(S, A), (uint32_t)(sizeof(((S *)0)->A) / sizeof(((S *)0)->A[0])),          \
      (uint32_t)sizeof(((S *)0)->A[0]), (uint64_t)(lo), (uint64_t)(hi), 0 }

struct ckpt_reader;

/* A component's state: its fields and the checks that span fields. */
struct ckpt_layout {
    const struct ckpt_field *fields;
    size_t nfields;
    /*
     * Optional: checks spanning fields, after every field is in range. Return
     * false after writing to why what is wrong (no section name: the caller
     * adds it).
     */
    bool (*validate)(const void *state, const struct ckpt_reader *r, char *why, size_t len);
    /*
     * Format version 1 saved this state as one hex blob of the C struct
     * ([device.<name>] state_size, state): v1_blob_size is that size (0: the
     * section had named fields, read as now). A blob is range-checked like
     * named fields once loaded.
     */
    size_t v1_blob_size;
};

#define CKPT_LAYOUT(fields_array, ...) \
    { fields_array, sizeof(fields_array) / sizeof((fields_array)[0]), __VA_ARGS__ }

/* Saving: sections go to one index file. */
struct ckpt_writer {
    FILE *f;
    const char *dir;          /* the directory being written (for shipped files) */
};

/* Loading: the parsed index, its format version and tick, and the first refusal. */
struct ckpt_reader {
    const struct ini *ini;
    const char *dir;          /* the checkpoint directory (for shipped files), may be NULL */
    unsigned version;         /* the index's format_version */
    uint64_t tick;            /* the checkpoint's tick: deadlines must not be before it */
    char error[512];          /* "[section] field = value is out of range lo..hi" */
    bool failed;
};

void ckpt_reader_init(struct ckpt_reader *r, const struct ini *ini, unsigned version, uint64_t tick);

/* Write `state` as [section] with one key per field. */
void ckpt_section_save(struct ckpt_writer *w, const char *section, const struct ckpt_layout *layout,
                       const void *state);

/*
 * Read [section] into `state`: every field must be present (unless newer than
 * the index), well formed and in range, then layout->validate must accept the
 * whole. Returns false with r->error set (and `state` possibly half written)
 * otherwise; after one failure every later load fails at once.
 */
bool ckpt_section_load(struct ckpt_reader *r, const char *section, const struct ckpt_layout *layout, void *state);

/* Range-check a state already in memory (what a load does after parsing); false with why set. */
bool ckpt_section_check(const struct ckpt_layout *layout, const void *state, const struct ckpt_reader *r,
                        char *why, size_t len);

/* Record a refusal in the reader (for checks a component makes itself). Returns false. */
bool ckpt_reader_fail(struct ckpt_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Largest tick or instruction count a checkpoint may hold: far from wrapping when periods are added. */
#define CKPT_TIME_MAX (UINT64_C(1) << 62)

/* A restored deadline: never, or a tick that cannot wrap when periods are added to it. */
static inline bool ckpt_deadline_ok(uint64_t when)
{
    return when == UINT64_MAX || when <= CKPT_TIME_MAX;
}

#endif
