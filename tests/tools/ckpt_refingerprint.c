/*
 * ckpt_refingerprint.c - re-seal an edited checkpoint index: replace its
 * [end] section with the fingerprint of everything before it, as m5sim
 * writes it. Tests use it to craft indexes that pass the fingerprint check
 * and must then be refused by the range checks (anyone can do this: the
 * fingerprint catches damage, not forgery).
 *
 *   ckpt_refingerprint M5.CPT
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/fingerprint.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ckpt_refingerprint M5.CPT\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static char buf[16 << 20];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = 0;
    char *end = strstr(buf, "\n[end]\n");
    if (end)
        len = (size_t)(end - buf);
    f = fopen(argv[1], "w");
    if (!f || fwrite(buf, 1, len, f) != len) {
        perror(argv[1]);
        return 1;
    }
    fprintf(f, "\n[end]\nindex_fingerprint=0x%016" PRIx64 "\n", fingerprint_bytes(buf, len, 0));
    return fclose(f) == 0 ? 0 : 1;
}
