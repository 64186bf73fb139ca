/*
 * madvise.c - MADV_DONTNEED drops a private copy, as Linux does: the program's
 * own .data reads its bytes from the executable again, a private file
 * mapping reads the file's current bytes, anonymous memory and .bss read
 * zero. Prints what it reads (compared with a native run by
 * tests/system/20_se_programs.sh) and exits non-zero if anything differs
 * from Linux's rule.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

/* Three whole pages of initialized data, so the middle one holds only file bytes. */
static char data[3 * PAGE] __attribute__((aligned(PAGE))) = "data page 0";
static char bss[3 * PAGE] __attribute__((aligned(PAGE)));

static int failures;

static void check(const char *what, const char *got, const char *want)
{
    printf("%s: %.16s\n", what, got);
    if (memcmp(got, want, strlen(want) + 1) != 0) {
        printf("  FAIL: want \"%s\"\n", want);
        failures++;
    }
}

static void dontneed(void *p, size_t len)
{
    if (madvise(p, len, MADV_DONTNEED) != 0) {
        perror("madvise");
        exit(2);
    }
}

int main(void)
{
    /* .data: the middle page is all zeros in the file except what we put there at build time. */
    strcpy(data + PAGE, "modified");
    strcpy(data, "modified 0");
    dontneed(data + PAGE, PAGE);
    check(".data page after DONTNEED", data + PAGE, "");
    check(".data page not advised", data, "modified 0");
    dontneed(data, PAGE);
    check(".data first page after DONTNEED", data, "data page 0");

    /* .bss: anonymous, reads zero. */
    strcpy(bss + PAGE, "bss modified");
    dontneed(bss + PAGE, PAGE);
    check(".bss after DONTNEED", bss + PAGE, "");

    /* A private file mapping: the file's current bytes, also after the file changed. */
    char path[] = "/tmp/m5sim-madvise-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 2;
    }
    unlink(path);
    char page[2 * PAGE];
    memset(page, 0, sizeof page);
    strcpy(page, "file page 0");
    strcpy(page + PAGE, "file page 1");
    if (write(fd, page, sizeof page) != (ssize_t)sizeof page)
        return 2;
    char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    strcpy(m, "private 0");
    strcpy(m + PAGE, "private 1");
    check("file mapping before", m + PAGE, "private 1");
    dontneed(m + PAGE, PAGE);
    check("file mapping page 1 after DONTNEED", m + PAGE, "file page 1");
    check("file mapping page 0 kept", m, "private 0");
    if (pwrite(fd, "file changed", 13, 0) != 13)
        return 2;
    dontneed(m, 2 * PAGE);
    check("file mapping page 0 after the file changed", m, "file changed");
    /* Part of a mapping split off by mprotect keeps its file offset. */
    mprotect(m + PAGE, PAGE, PROT_READ);
    dontneed(m + PAGE, PAGE);
    check("split file mapping page 1", m + PAGE, "file page 1");
    munmap(m, 2 * PAGE);
    close(fd);

    /* Anonymous memory: zero. */
    char *a = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(a, "anonymous");
    dontneed(a, PAGE);
    check("anonymous after DONTNEED", a, "");

    printf("%s\n", failures ? "FAILED" : "all as Linux");
    return failures ? 1 : 0;
}
