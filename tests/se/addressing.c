/*
 * addressing.c - memory operand forms the interpreter resolves in different
 * ways: FS-relative with and without an index, SIB with and without a base,
 * RIP-relative loads, stores and read-modify-writes, 32-bit address size,
 * byte and word stores, and ALU operations on memory of every size. Run
 * natively and under `m5sim se`; the output must be the same
 * (tests/system/20_se_programs.sh). Static, non-PIE (the 32-bit address
 * forms need the data below 4 GiB).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

uint64_t glob[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
uint8_t gb[16] = { 0x80, 0x7f, 0xff, 1 };

int main(void)
{
    uint64_t r[32] = { 0 }, f;
    uint64_t i1 = 1, i2 = 2, z = 0;
    uint64_t *g = glob;

    /* FS: the thread pointer (musl keeps a pointer to itself at fs:0). */
    __asm__ volatile("mov %%fs:0, %0" : "=r"(r[0]));
    __asm__ volatile("mov %%fs:(,%1,8), %0" : "=r"(r[1]) : "r"(z));
    __asm__ volatile("mov %%fs:8(,%1,8), %0" : "=r"(r[2]) : "r"(i1));
    __asm__ volatile("mov %%fs:(%1,%2,8), %0" : "=r"(r[3]) : "r"(z), "r"(z));
    __asm__ volatile("movl %%fs:(%1), %k0" : "=r"(r[4]) : "r"(z));
    __asm__ volatile("add %%fs:0, %0" : "+r"(r[5]));
    __asm__ volatile("xor %%eax, %%eax; cmp %%fs:0, %1; sete %%al; mov %%rax, %0" : "=r"(r[6]) : "r"(r[0]) : "rax");
    /* RIP-relative. */
    __asm__ volatile("mov glob+8(%%rip), %0" : "=r"(r[7]));
    __asm__ volatile("addq $5, glob+16(%%rip); mov glob+16(%%rip), %0" : "=r"(r[8]));
    __asm__ volatile("movzbl gb(%%rip), %k0" : "=r"(r[9]));
    __asm__ volatile("movsbq gb(%%rip), %0" : "=r"(r[10]));
    __asm__ volatile("xor %%eax, %%eax; cmpb $0x7f, gb+1(%%rip); sete %%al; mov %%rax, %0" : "=r"(r[11]) :: "rax");
    __asm__ volatile("lea glob(%%rip), %0" : "=r"(r[12]));
    r[12] -= (uint64_t)glob;
    /* SIB, with and without a base; LEA that wraps. */
    __asm__ volatile("mov 8(%1,%2,8), %0" : "=r"(r[13]) : "r"(g), "r"(i2));
    __asm__ volatile("lea -3(%1,%2,4), %0" : "=r"(r[14]) : "r"(100ull), "r"(i2));
    __asm__ volatile("lea 7(,%1,2), %k0" : "=r"(r[15]) : "r"(0xffffffff80000001ull));
    /* 32-bit address size: wraps at 4 GiB. */
    __asm__ volatile("lea -1(%k1), %0" : "=r"(r[16]) : "r"(0x100000000ull));
    __asm__ volatile("mov 8(%k1,%k2,8), %0" : "=r"(r[17]) : "r"(g), "r"(z));
    /* Byte, word and dword stores. */
    uint8_t buf[32] = { 0 };
    __asm__ volatile("movb $0x5a, 3(%0,%1,1); movw %w2, 8(%0,%1,2); movl $-1, 16(%0)"
                     :: "r"(buf), "r"(i2), "r"(0xbeefull) : "memory");
    for (int i = 0; i < 32; i += 8)
        memcpy(&r[18 + i / 8], buf + i, 8);
    /* ALU on memory of every size, sign-extended immediates, flags. */
    uint64_t m = 0x8000000000000000ull;
    __asm__ volatile("addq $-1, %0; andl $0xf0f0f0f0, %0; orw $0x1234, %0; xorb $0xff, %0" : "+m"(m));
    r[22] = m;
    __asm__ volatile("cmpq $-1, %1; pushf; pop %0" : "=r"(f) : "m"(m));
    r[23] = f & 0x8d5;
    __asm__ volatile("testb $0x80, %1; pushf; pop %0" : "=r"(f) : "m"(m));
    r[24] = f & 0x8c5;
    __asm__ volatile("incl %0; decw %0; negq %0; notl %0" : "+m"(m));
    r[25] = m;
    __asm__ volatile("shlq $3, %0; sarl $1, %0; shrq $2, %0; pushf; pop %1" : "+m"(m), "=r"(f));
    r[26] = m;
    r[27] = f & 0x8c5;

    /* Report what does not depend on where the thread pointer is. */
    for (int i = 0; i < 7; i++)
        printf("fs %d: %s\n", i, i == 5 || i == 6 ? (r[i] == (i == 5 ? r[0] : 1) ? "ok" : "WRONG")
                                              : (r[i] == (i == 4 ? (uint32_t)r[0] : r[0]) ? "ok" : "differs"));
    for (int i = 7; i < 28; i++)
        printf("%d: %llx\n", i, (unsigned long long)r[i]);
    return 0;
}
