/*
 * fuzz_log.c - host/util/log.c for the fuzz targets: fatal() returns to the
 * target (fuzz.h) instead of exiting; warnings and information are dropped
 * (a fuzzer would print millions). Also the targets' temporary files.
 */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

jmp_buf fuzz_fatal_jmp;
bool fuzz_fatal_armed;
unsigned long fuzz_fatal_count;

void fatal(const char *what, const char *fmt, ...)
{
    (void)what;
    (void)fmt;
    fuzz_fatal_count++;
    if (fuzz_fatal_armed) {
        fuzz_fatal_armed = false;
        longjmp(fuzz_fatal_jmp, 1);
    }
    fprintf(stderr, "fuzz: fatal() outside FUZZ_TRY\n");
    abort();
}

void warn(const char *what, const char *fmt, ...)
{
    (void)what;
    (void)fmt;
}

void info(const char *fmt, ...)
{
    (void)fmt;
}

const char *fuzz_tmpdir(void)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/m5sim-fuzz-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
    }
    return dir;
}

void fuzz_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len)) {
        perror(path);
        abort();
    }
    close(fd);
}

int fuzz_next_fd(void)
{
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        close(fd);
    return fd;
}

void fuzz_close_fds_from(int fd)
{
    for (int i = fd; fd >= 3 && i < fd + 64; i++)
        close(i);
}
