/*
 * cpu_stats.S - a program whose committed-instruction statistics are known
 * exactly (tests/system/17_cpu_stats.sh): a loop of N iterations of one
 * load, one store and one conditional branch, then one call/ret pair and
 * exit. No libc: every instruction retired is one of these.
 */
#define N 1000
    .text
    .globl _start
_start:
    mov $N, %ecx
    lea buf(%rip), %rsi
1:  mov (%rsi), %rax          /* load */
    mov %rax, 8(%rsi)         /* store */
    dec %ecx
    jnz 1b                    /* conditional, direct */
    call f                    /* call: direct, unconditional; a store (the push) */
    mov $60, %eax
    xor %edi, %edi
    syscall
f:  ret                       /* return: indirect, unconditional; a load (the pop) */

    .bss
buf: .skip 16
