/*
 * kvm_ckpt_guest.S - a tiny "kernel" for tests/system/62_kvm_checkpoint.sh:
 * a static x86-64 ELF that m5sim's loader boots like a vmlinux (64-bit
 * entry in long mode, identity-mapped, supervisor mode: what a software KVM
 * such as kvm-pvm runs). It runs four phases; each advances a 64-bit LCG in
 * a register and a sum in memory for a few million steps and prints both on
 * the serial port (COM1). After phase 1 it takes a checkpoint with `m5
 * checkpoint` through the m5 device in address mode (an MMIO load, an exit
 * under KVM), and after phase 3 it ends the run with `m5 exit`. The output
 * after the checkpoint depends on registers and memory only, never on time,
 * so any CPU model that restores the checkpoint prints the same lines.
 *
 * Built with -DBENCH (scripts/bench_kvm.sh) it takes no checkpoint; with
 * -DNATIVE it is a Linux user program running the same loops natively (no
 * port output, no m5 ops, exit(0) at the end); -DSTEPS=N sets the length.
 */
#ifndef STEPS
#define STEPS 100000
#endif
#ifdef NATIVE
#define BENCH
#endif
    .set COM1, 0x3f8
    .set M5_ADDR, 0xffff0000          /* M5OP_ADDR_BASE (shared/m5ops.h) */
    .set M5_CHECKPOINT, 0x43 << 8     /* M5OP_CHECKPOINT << M5OP_ADDR_FUNC_SHIFT */
    .set M5_EXIT, 0x21 << 8           /* M5OP_EXIT << M5OP_ADDR_FUNC_SHIFT */

    .text
    .globl _start
_start:
    lea stack_top(%rip), %rsp
    movabs $0x9e3779b97f4a7c15, %r12   /* the LCG's state */
    movabs $6364136223846793005, %r14
    movabs $1442695040888963407, %r15
    xor %r13d, %r13d                   /* phase */
phase:
    inc %r13
    mov $STEPS, %ecx
1:  imul %r14, %r12
    add %r15, %r12
    mov %r12, %rax
    shr $33, %rax
    add %rax, sum(%rip)
    dec %ecx
    jnz 1b
    /* "phase N lcg HHHH... sum HHHH...\n" */
    lea msg_phase(%rip), %rsi
    call puts
    mov %r13, %rax
    call puthex
    lea msg_lcg(%rip), %rsi
    call puts
    mov %r12, %rax
    call puthex
    lea msg_sum(%rip), %rsi
    call puts
    mov sum(%rip), %rax
    call puthex
    mov $'\n', %al
    call putc
    cmp $1, %r13
    jne 2f
#ifndef BENCH
    xor %edi, %edi                     /* m5 checkpoint 0 0 */
    xor %esi, %esi
    mov $M5_ADDR + M5_CHECKPOINT, %ebx
    mov (%rbx), %rax
#endif
    lea msg_after(%rip), %rsi
    call puts
2:  cmp $4, %r13
    jne phase
#ifdef NATIVE
    mov $60, %eax                      /* exit(0) */
    xor %edi, %edi
    syscall
#endif
    xor %edi, %edi                     /* m5 exit 0 */
    mov $M5_ADDR + M5_EXIT, %ebx
    mov (%rbx), %rax
3:  hlt
    jmp 3b

/* Print the NUL-terminated string at rsi. */
puts:
    lodsb
    test %al, %al
    jz 1f
    call putc
    jmp puts
1:  ret

/* Print al on COM1. */
putc:
#ifndef NATIVE
    mov $COM1, %dx
    out %al, %dx
#endif
    ret

/* Print rax as 16 hex digits. */
puthex:
    mov %rax, %rbx
    mov $16, %r8d
1:  rol $4, %rbx
    mov %bl, %al
    and $15, %al
    add $'0', %al
    cmp $'9', %al
    jbe 2f
    add $'a' - '9' - 1, %al
2:  call putc
    dec %r8d
    jnz 1b
    ret

    .section .rodata
msg_phase: .asciz "phase "
msg_lcg:   .asciz " lcg "
msg_sum:   .asciz " sum "
msg_after: .asciz "after the checkpoint\n"

    .data
    .balign 8
sum: .quad 0

    .bss
    .balign 16
    .skip 8192
stack_top:
