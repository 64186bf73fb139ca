/*
 * ckpt_reader.c - the crafty case of M-Sim's EIO_4 format, for process
 * checkpoints (tests/system/2x_se_checkpoint.sh): a program that reads its
 * commands from stdin (through a small stdio buffer, so the descriptor's
 * offset moves as it goes), seeks around a data file for each one, writes
 * a log through a descriptor of its own and prints a running hash. A
 * checkpoint taken anywhere must restore its stdin, data file and log at
 * their offsets for the rest of its output to be the uninterrupted run's.
 *
 * usage: ckpt_reader DATA LOG [K] < COMMANDS   (each command: an offset into DATA)
 * With K, the program asks for a checkpoint itself (the m5 op, which only
 * a simulator understands) after its Kth command.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char inbuf[64];

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: ckpt_reader DATA LOG [K] < COMMANDS\n");
        return 2;
    }
    setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
    FILE *data = fopen(argv[1], "rb");
    int log = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!data || log < 0) {
        perror("open");
        return 2;
    }
    /* A second, independent descriptor of the data file: its own offset, read forwards. */
    int seq = open(argv[1], O_RDONLY);
    uint64_t h = 1469598103934665603ull;
    char line[128];
    unsigned n = 0;
    long m5_at = argc == 4 ? strtol(argv[3], NULL, 10) : -1;
    while (fgets(line, sizeof line, stdin)) {
        long off = strtol(line, NULL, 10);
        unsigned char block[64], next[16];
        if (fseek(data, off, SEEK_SET) != 0)
            return 3;
        size_t got = fread(block, 1, sizeof block, data);
        if (read(seq, next, sizeof next) != (ssize_t)sizeof next)
            lseek(seq, 0, SEEK_SET);
        for (int round = 0; round < 2000; round++)
            for (size_t i = 0; i < got; i++)
                h = (h ^ block[i] ^ next[i % 16]) * 1099511628211ull;
        printf("%u offset %ld read %zu hash %016llx\n", n, off, got, (unsigned long long)h);
        dprintf(log, "cmd %u at %ld: %02x%02x\n", n, off, block[0], got > 1 ? block[1] : 0);
        if ((long)n == m5_at)   /* m5_checkpoint(0, 0): 0F 04 and the op's number */
            __asm__ volatile(".byte 0x0f, 0x04\n\t.short 0x43" : : "D"(0), "S"(0) : "rax", "memory");
        n++;
    }
    printf("%u commands\n", n);
    close(log);
    return (int)(h & 0x3f);
}
