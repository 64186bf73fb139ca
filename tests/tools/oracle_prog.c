/* oracle_prog.c - a small static program whose cache behaviour Cachegrind and m5sim must agree on (tests/system/15_cachegrind_oracle.sh): sorting, strided reads, overlapping copies (line-crossing accesses). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(void) {
    enum { N = 3000 };
    static int a[N]; static char buf[N * 3];
    unsigned x = 1;
    for (int i = 0; i < N; i++) { x = x * 1103515245 + 12345; a[i] = (int)(x >> 8) % 100000; }
    qsort(a, N, sizeof a[0], cmp);
    long s = 0;
    for (int i = 0; i < N; i += 7) s += a[i];
    memset(buf, 'x', sizeof buf); memmove(buf + 3, buf, sizeof buf - 3);
    printf("%ld %d\n", s, buf[100]);
    return 0;
}
