/*
 * o3_micro.S - microbenchmarks whose timing on an out-of-order core
 * follows from first principles (tests/system/18_o3_micro.sh): each is a
 * loop between the labels `measure` and `done` (the test resets the
 * statistics at one and dumps them at the other), chosen at build time
 * with -DKIND=<name>. No libc; every loop body fits one 64-byte fetch
 * block (the O3 fetch buffer) so that fetch is not what limits it.
 *
 *   DEP_ADD     one chain of dependent adds: 1 cycle each (IntAlu latency)
 *   INDEP_ADD   7 independent chains, 30 micro-ops a loop: 6 IntAlu units
 *   DEP_MUL     a chain of imul r, r: mul1s (IntMult, 3) + mulel (1)
 *   DEP_DIV     a chain of div r32: div1 + 33 div2 + divq, 1 cycle each, + the xor
 *   BRANCH_RANDOM / BRANCH_FIXED  a xorshift generator feeding a branch that
 *               is random (half mispredicted) or always taken: the
 *               difference in cycles per misprediction is the penalty
 *   CHASE       a pointer chase over a random cycle of 64-byte nodes (4 MiB)
 *   STREAM      independent loads, one per 64-byte line (8 MiB): MSHR-bound
 *   FORWARD     store, then load of the same address, then add: forwarding
 * With -DSWITCH_FIRST the program asks to switch CPU models (m5 op 0x52)
 * before the loop.
 */
#define ITERS 20000
    .text
    .globl _start, measure, done
_start:
#if defined(CHASE) || defined(STREAM)
    lea buf(%rip), %rsi
    mov $NODES, %ecx
#endif
#ifdef CHASE
    /* node i -> node perm(i): a full-cycle LCG over the node indices (NODES a power of two). */
    xor %eax, %eax
1:  mov %rax, %rdx
    imul $1103515245, %rdx, %rdx
    add $12345, %rdx
    and $(NODES - 1), %rdx
    shl $6, %rdx
    lea (%rsi,%rdx), %rdx
    mov %rax, %rbx
    shl $6, %rbx
    mov %rdx, (%rsi,%rbx)
    inc %rax
    cmp $NODES, %rax
    jne 1b
    mov %rsi, %rax
#endif
#ifdef STREAM
    /* Touch every page first: the measured loop then sees no page faults of the SE loader. */
    mov %rsi, %rdi
1:  movq $0, (%rdi)
    add $4096, %rdi
    sub $64, %ecx
    jnz 1b
    mov %rsi, %rdi
#endif
    mov $ITERS, %r8d
#ifdef DEP_DIV
    mov $1, %ebx
    mov $7, %eax
#endif
#if defined(BRANCH_RANDOM) || defined(BRANCH_FIXED)
    mov $88172645463325252, %rax
#endif
#ifdef FORWARD
    lea buf(%rip), %rsi
    xor %eax, %eax
#endif
#ifdef SWITCH_FIRST
    /* The m5 op switchcpu (0F 04 52 00): from here on, --cpu-type runs. */
    .byte 0x0f, 0x04
    .word 0x52
#endif
measure:
    nop
    .p2align 6
1:
#ifdef DEP_ADD
    .rept 28
    add %eax, %eax
    .endr
#endif
#ifdef INDEP_ADD
    .rept 4
    add %eax, %eax
    add %ebx, %ebx
    add %ecx, %ecx
    add %edx, %edx
    add %esi, %esi
    add %edi, %edi
    add %ebp, %ebp
    .endr
#endif
#ifdef DEP_MUL
    .rept 8
    imul %rax, %rax
    .endr
#endif
#ifdef DEP_DIV
    .rept 4
    xor %edx, %edx
    div %ebx
    .endr
#endif
#if defined(BRANCH_RANDOM) || defined(BRANCH_FIXED)
    mov %rax, %rdx
    shl $13, %rdx
    xor %rdx, %rax
    mov %rax, %rdx
    shr $7, %rdx
    xor %rdx, %rax
    mov %rax, %rdx
    shl $17, %rdx
    xor %rdx, %rax
#ifdef BRANCH_RANDOM
    test $0x100, %eax
#else
    test $0, %eax
#endif
    jz 2f
    nop
2:
#endif
#ifdef CHASE
    .rept 8
    mov (%rax), %rax
    .endr
#endif
#ifdef STREAM
    .rept 8
    mov (%rdi), %rax
    add $64, %rdi
    .endr
#endif
#ifdef FORWARD
    .rept 4
    mov %rax, (%rsi)
    mov (%rsi), %rax
    add $1, %rax
    .endr
#endif
    dec %r8d
    jnz 1b
done:
    mov $60, %eax
    xor %edi, %edi
    syscall

    .bss
    .p2align 12
#if defined(CHASE) || defined(STREAM)
buf: .skip NODES * 64
#else
buf: .skip 64
#endif
