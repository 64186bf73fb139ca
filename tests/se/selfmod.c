/*
 * selfmod.c - code that changes under the interpreter's caches: run natively
 * and under `m5sim se`, the output must be the same (tests/system/20_se_programs.sh).
 *
 *  - functions rewritten in place and called again (the decoded blocks of
 *    the page must be dropped, and the jump cache must not keep them);
 *  - a page unmapped, mapped again at the same address with other code, and
 *    made executable with mprotect (the same virtual addresses, new
 *    translations: the jump cache is flushed with the TLB);
 *  - an instruction that stores into the instruction right after it, in the
 *    same block (the block must stop and be decoded again).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef uint64_t (*fn_t)(uint64_t);

/* mov rax, imm64; add rax, rdi; ret */
static void emit(uint8_t *p, uint64_t k)
{
    p[0] = 0x48;
    p[1] = 0xb8;
    memcpy(p + 2, &k, 8);
    p[10] = 0x48;
    p[11] = 0x01;
    p[12] = 0xf8;
    p[13] = 0xc3;
}

int main(void)
{
    uint64_t sum = 0;
    uint8_t *buf = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return 1;
    for (uint64_t i = 0; i < 20000; i++) {
        emit(buf + (i % 7) * 16, i * 3 + 1);
        sum = sum * 31 + ((fn_t)(buf + (i % 7) * 16))(i);
    }
    printf("rewritten in place: %llu\n", (unsigned long long)sum);

    for (int r = 0; r < 200; r++) {
        munmap(buf, 8192);
        uint8_t *b = mmap(buf, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (b != buf)
            return 1;
        for (int k = 0; k < 8; k++)
            emit(b + k * 16, (uint64_t)r * 1000 + k);
        mprotect(b, 8192, PROT_READ | PROT_EXEC);
        for (int k = 0; k < 8; k++)
            sum = sum * 31 + ((fn_t)(b + k * 16))((uint64_t)r);
    }
    printf("remapped: %llu\n", (unsigned long long)sum);

    uint8_t *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        return 1;
    static const uint8_t code[] = {
        0x40, 0x88, 0x3d, 0x01, 0x00, 0x00, 0x00,   /* mov [rip+1], dil: the imm8 of the next instruction */
        0xb0, 0x00,                                 /* mov al, imm8 */
        0xc3,                                       /* ret */
    };
    for (int i = 0; i < 300; i++) {
        memcpy(c, code, sizeof code);
        sum = sum * 31 + (((fn_t)c)((uint64_t)i) & 0xff);
    }
    printf("next instruction: %llu\n", (unsigned long long)sum);
    return 0;
}
