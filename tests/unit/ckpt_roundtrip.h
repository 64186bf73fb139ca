/*
 * ckpt_roundtrip.h - what the checkpoint-section unit tests share: write
 * sections to a temporary index (begin), read it back as a given format
 * version after an optional sed edit (reopen_as), and check that a load was
 * refused with exactly one message (refused). Included by one test file
 * each; the state is that file's own.
 */
#ifndef M5SIM_TESTS_CKPT_ROUNDTRIP_H
#define M5SIM_TESTS_CKPT_ROUNDTRIP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt/ini.h"
#include "ckpt/section.h"

static char index_path[64];
static struct ini ini;
static struct ckpt_reader reader;

/* Open a temporary index for writing. */
static FILE *begin(struct ckpt_writer *w)
{
    strcpy(index_path, "/tmp/m5sim-test-ckpt-XXXXXX");
    int fd = mkstemp(index_path);
    assert_true(fd >= 0);
    w->f = fdopen(fd, "w");
    w->dir = "/tmp";
    assert_non_null(w->f);
    return w->f;
}

/* Close it, apply `edit` (a sed expression, may be NULL), parse it as format `version` into `reader`. */
static struct ckpt_reader *reopen_as(struct ckpt_writer *w, const char *edit, unsigned version)
{
    fclose(w->f);
    if (edit) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "sed -i '%s' %s", edit, index_path);
        assert_int_equal(system(cmd), 0);
    }
    char err[256];
    assert_true(ini_load(&ini, index_path, err, sizeof err));
    unlink(index_path);
    ckpt_reader_init(&reader, &ini, version, 1000);
    return &reader;
}

static void done(void)
{
    ini_free(&ini);
}

/* The reader refused with exactly `want`. */
static void refused(const char *want)
{
    assert_true(reader.failed);
    assert_string_equal(reader.error, want);
    done();
}

#endif
