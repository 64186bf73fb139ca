/*
 * hello_glibc.c - a static glibc program for the se-mode system test
 * (tests/system/20_se_programs.sh): glibc's start-up (IRELATIVE relocations
 * chosen by CPUID, TLS, tunables), printf of double and long double (x87),
 * malloc of small and large (mmap) blocks, realloc, string functions, qsort,
 * a file round trip through /tmp-less stdio (the program's own executable),
 * and an exit status of its own.
 *
 *   gcc -static -O2 -o hello_glibc hello_glibc.c
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    printf("hello from glibc, argc=%d\n", argc);

    double d = 1.0 / 3.0;
    long double ld = 1.0L / 3.0L;
    printf("double %.17g, long double %.21Lg\n", d, ld);
    printf("sqrt(2)=%.15f expl(1)=%.18Lf pi=%Le\n", sqrt(2.0), expl(1.0L), 3.14159265358979323846L);
    printf("%a %La %e %g\n", 0.1, 0.1L, 6.02214076e23, 1e-300 * 1e-10);

    /* Small allocations (brk heap) and a large one (mmap), then realloc across the threshold. */
    char *small[100];
    for (int i = 0; i < 100; i++) {
        small[i] = malloc((size_t)i * 7 + 1);
        memset(small[i], 'a' + i % 26, (size_t)i * 7);
        small[i][i * 7] = 0;
    }
    size_t total = 0;
    for (int i = 0; i < 100; i++) {
        total += strlen(small[i]);
        free(small[i]);
    }
    char *big = malloc(1 << 20);
    for (int i = 0; i < 1 << 20; i++)
        big[i] = (char)('A' + i % 26);
    big = realloc(big, 4 << 20);
    unsigned long sum = 0;
    for (int i = 0; i < 1 << 20; i++)
        sum += (unsigned char)big[i];
    free(big);
    printf("strings %zu bytes, big sum %lu\n", total, sum);

    char buf[128];
    snprintf(buf, sizeof(buf), "%s-%d-%s", "alpha", 42, "omega");
    char *tok = strtok(buf, "-");
    int ntok = 0;
    while (tok) {
        ntok++;
        tok = strtok(NULL, "-");
    }
    printf("tokens %d, strstr %s, strrchr %s\n", ntok, strstr("needle in haystack", "hay"),
           strrchr("a/b/c", '/'));

    int v[1000];
    unsigned seed = 12345;
    for (int i = 0; i < 1000; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (int)(seed >> 8) % 100000;
    }
    qsort(v, 1000, sizeof(v[0]), cmp_int);
    printf("sorted min %d median %d max %d\n", v[0], v[500], v[999]);

    /* Read the first bytes of our own executable through stdio. */
    FILE *f = fopen(argv[0], "rb");
    unsigned char magic[4] = { 0 };
    if (f) {
        if (fread(magic, 1, 4, f) != 4)
            magic[0] = 0;
        fclose(f);
    }
    printf("own ELF magic: %02x %c%c%c\n", magic[0], magic[1], magic[2], magic[3]);

    /* Time goes forward (its value differs between native and simulated runs: not printed). */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    volatile double x = 0;
    for (int i = 0; i < 100000; i++)
        x += i;
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("monotonic clock advances: %s\n",
           (b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec)) ? "yes" : "no");
    return 3;
}
