/*
 * state.h - the one architectural state of an x86-64 CPU.
 *
 * Every CPU model (atomic, timing, kvm) reads and writes this struct, and the
 * checkpoint code serializes it field by field. It is plain data: no host
 * pointers, no caches, nothing derived that cannot be recomputed. Model-private
 * acceleration (TLB, decoded-block cache, lazy flags) lives in struct cpu
 * (cpu.h) and is flushed or materialized before this state is saved or handed
 * to another model.
 */
#ifndef M5SIM_CPU_STATE_H
#define M5SIM_CPU_STATE_H

#include <stdint.h>

enum gpr { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum sreg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_COUNT };

/* RFLAGS bits. */
#define FL_CF   (1u << 0)
#define FL_FIXED1 (1u << 1)
#define FL_PF   (1u << 2)
#define FL_AF   (1u << 4)
#define FL_ZF   (1u << 6)
#define FL_SF   (1u << 7)
#define FL_TF   (1u << 8)
#define FL_IF   (1u << 9)
#define FL_DF   (1u << 10)
#define FL_OF   (1u << 11)
#define FL_IOPL (3u << 12)
#define FL_NT   (1u << 14)
#define FL_RF   (1u << 16)
#define FL_VM   (1u << 17)
#define FL_AC   (1u << 18)
#define FL_VIF  (1u << 19)
#define FL_VIP  (1u << 20)
#define FL_ID   (1u << 21)
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* Control register and EFER bits the interpreter acts on. */
#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_PGE (1ull << 7)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

/* Segment descriptor attributes, kept in the VMX "access rights" layout. */
#define SEG_ATTR_TYPE(a) ((a) & 0xf)
#define SEG_ATTR_S    (1u << 4)
#define SEG_ATTR_DPL(a) (((a) >> 5) & 3)
#define SEG_ATTR_P    (1u << 7)
#define SEG_ATTR_L    (1u << 13)
#define SEG_ATTR_DB   (1u << 14)
#define SEG_ATTR_G    (1u << 15)

struct segment {
    uint16_t selector;
    uint16_t attr;     /* type, S, DPL, P, AVL, L, D/B, G as in VMX access rights */
    uint32_t limit;    /* expanded byte limit */
    uint64_t base;
};

struct dtable {
    uint64_t base;
    uint16_t limit;
};

/* x87/MMX/SSE state in the 512-byte FXSAVE image layout (Intel SDM vol. 1, 10.5.1). */
struct fxsave_area {
    uint16_t fcw;
    uint16_t fsw;
    uint8_t  ftw;       /* abridged tag word: 1 bit per register, 1 = valid */
    uint8_t  reserved1;
    uint16_t fop;
    uint64_t fip;
    uint64_t fdp;
    uint32_t mxcsr;
    uint32_t mxcsr_mask;
    uint8_t  st[8][16]; /* ST0..ST7 (physical order from TOP), 80-bit values in the low 10 bytes */
    uint8_t  xmm[16][16];
    uint8_t  reserved2[96];
};
_Static_assert(sizeof(struct fxsave_area) == 512, "FXSAVE image is 512 bytes");

/* The model-specific registers Linux touches, by name. */
struct msrs {
    uint64_t star, lstar, cstar, sfmask;
    uint64_t kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pat;
    uint64_t apic_base;     /* base and BSP; bit 11 only without a local APIC (cpu.h) */
    uint64_t tsc_aux;
    uint64_t misc_enable;
    uint64_t tsc_adjust;    /* also the TSC's offset: guest TSC = tsc_adjust + cycles (msr.h) */
};

struct cpu_state {
    uint64_t gpr[16];
    uint64_t rip;
    uint64_t rflags;        /* complete: the interpreter materializes lazy flags before anyone reads this */
    struct segment seg[SEG_COUNT];
    struct segment ldtr, tr;
    struct dtable gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4;   /* CR8 is the local APIC's TPR (cpu.h: hooks.cr8_read) */
    uint64_t efer;
    struct msrs msr;
    struct fxsave_area fx;
    uint8_t  cpl;           /* current privilege level (= CS.DPL in long mode) */
    uint8_t  halted;        /* after HLT, until an interrupt */
    uint8_t  intr_shadow;   /* STI / MOV SS: interrupts blocked for one instruction */
    uint8_t  nmi_blocked;
    uint32_t apic_id;
};

#endif
