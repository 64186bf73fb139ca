/*
 * test_system.c - the system family on small hand-built system programs:
 * descriptor tables and segment loads, far transfers, INT n / INT3 and IRETQ
 * across privilege levels, SYSCALL/SYSRET, privilege faults delivered
 * through the IDT with their error codes, control-register writes and their
 * faults, CR3 switches and INVLPG, the STI interrupt shadow, port I/O,
 * SWAPGS and MSRs, LSL/LAR/VERR/VERW, the TSC, CPUID.
 *
 * The machine: 8 MiB of RAM identity-mapped, a GDT with Linux's selector
 * layout, an IDT whose every vector points to a stub "mov $vector, %r15d;
 * hlt" (so a run stops in the handler of the event it took), and a TSS whose
 * RSP0 is KSTACK_TOP. The programs were assembled with GNU as; the source is
 * beside the bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "cpu/mmu.h"
#include "cpu/msr.h"
#include "dev/lapic.h"
#include "mem/bus.h"
#include "mem/pagetable.h"

#define RAM_SIZE    (8u << 20)
#define GDT         0x1000ull
#define IDT         0x2000ull
#define TSS         0x3000ull
#define KCODE       0x10000ull
#define STUBS       0x20000ull    /* 16 bytes per vector */
#define KH80        0x21000ull    /* INT 0x80 handler */
#define LSTAR_CODE  0x22000ull
#define KH40        0x23000ull    /* external interrupt handler */
#define KSTACK      0x34000ull    /* RSP of programs that start at CPL 0 */
#define KSTACK_TOP  0x38000ull    /* TSS RSP0 */
#define UCODE       0x40000ull
#define USTACK_TOP  0x51000ull
#define DATA        0x60000ull
#define PAGE_A      0x70000ull

#define GDT_LIMIT   0x5f

static struct bus bus;
static uint8_t *ram;
static struct cpu cpu;
static struct pagetable pt, pt2;

static void w64(uint64_t pa, uint64_t v) { memcpy(ram + pa, &v, 8); }
static void w16(uint64_t pa, uint16_t v) { memcpy(ram + pa, &v, 2); }
static uint64_t r64(uint64_t pa) { uint64_t v; memcpy(&v, ram + pa, 8); return v; }
static uint16_t r16(uint64_t pa) { uint16_t v; memcpy(&v, ram + pa, 2); return v; }
#define LOAD(pa, code) memcpy(ram + (pa), (code), sizeof(code))
/* The stack frame a handler stub halted with. */
static uint64_t frame(unsigned i) { return r64(cpu.s.gpr[RSP] + 8 * i); }


/* ----------------------------------------------------------- programs -- */

/* Labels inside the programs below. */
#define UINT80_UD   0x40008ull
#define SYSU_UD     0x4000dull
#define SWAPGS_BAD  0x1003aull
#define COMPAT_RET  0x10007ull
#define FAR_TARGET1 0x10008ull
#define FAR_FUNC    0x10017ull
#define SEG_BAD     0x10010ull
#define UIRET_UD    0x4001aull

/* boot: at 0x10000 */
static const uint8_t code_boot[] = {
    0x0f, 0x01, 0x14, 0x25, 0x00, 0x00, 0x06, 0x00, /* lgdt 0x60000 */
    0x0f, 0x01, 0x1c, 0x25, 0x10, 0x00, 0x06, 0x00, /* lidt 0x60010 */
    0x6a, 0x10,                              /* push $0x10 */
    0x48, 0x8d, 0x05, 0x03, 0x00, 0x00, 0x00, /* lea 0x3(%rip),%rax */
    0x50,                                    /* push %rax */
    0x48, 0xcb,                              /* lretq */
    0xb8, 0x18, 0x00, 0x00, 0x00,            /* next: mov $0x18,%eax */
    0x8e, 0xd8,                              /* mov %eax,%ds */
    0x8e, 0xd0,                              /* mov %eax,%ss */
    0x8e, 0xc0,                              /* mov %eax,%es */
    0xb8, 0x40, 0x00, 0x00, 0x00,            /* mov $0x40,%eax */
    0x0f, 0x00, 0xd8,                        /* ltr %ax */
    0x31, 0xc0,                              /* xor %eax,%eax */
    0x8e, 0xe0,                              /* mov %eax,%fs */
    0x0f, 0x00, 0xd0,                        /* lldt %ax */
    0x0f, 0x01, 0x04, 0x25, 0x20, 0x00, 0x06, 0x00, /* sgdt 0x60020 */
    0x0f, 0x01, 0x0c, 0x25, 0x30, 0x00, 0x06, 0x00, /* sidt 0x60030 */
    0x0f, 0x00, 0xc9,                        /* str %ecx */
    0x0f, 0x00, 0xc2,                        /* sldt %edx */
    0xf4,                                    /* hlt */
};
/* uint80: at 0x40000 */
static const uint8_t code_uint80[] = {
    0xcd, 0x80,                              /* int $0x80 */
    0x41, 0xbd, 0x01, 0x00, 0x00, 0x00,      /* mov $0x1,%r13d */
    0x0f, 0x0b,                              /* ud: ud2 */
};
/* kh80: at 0x21000 */
static const uint8_t code_kh80[] = {
    0x41, 0xbe, 0x80, 0x00, 0x00, 0x00,      /* mov $0x80,%r14d */
    0x4c, 0x8b, 0x64, 0x24, 0x08,            /* mov 0x8(%rsp),%r12 */
    0x48, 0xcf,                              /* iretq */
};
/* sysk: at 0x10000 */
static const uint8_t code_sysk[] = {
    0xb9, 0x81, 0x00, 0x00, 0xc0,            /* mov $0xc0000081,%ecx */
    0x31, 0xc0,                              /* xor %eax,%eax */
    0xba, 0x10, 0x00, 0x23, 0x00,            /* mov $0x230010,%edx */
    0x0f, 0x30,                              /* wrmsr */
    0xb9, 0x82, 0x00, 0x00, 0xc0,            /* mov $0xc0000082,%ecx */
    0xb8, 0x00, 0x20, 0x02, 0x00,            /* mov $0x22000,%eax */
    0x31, 0xd2,                              /* xor %edx,%edx */
    0x0f, 0x30,                              /* wrmsr */
    0xb9, 0x84, 0x00, 0x00, 0xc0,            /* mov $0xc0000084,%ecx */
    0xb8, 0x00, 0x77, 0x04, 0x00,            /* mov $0x47700,%eax */
    0x0f, 0x30,                              /* wrmsr */
    0x6a, 0x2b,                              /* push $0x2b */
    0x68, 0x00, 0x10, 0x05, 0x00,            /* push $0x51000 */
    0x68, 0x02, 0x02, 0x00, 0x00,            /* push $0x202 */
    0x6a, 0x33,                              /* push $0x33 */
    0x68, 0x00, 0x00, 0x04, 0x00,            /* push $0x40000 */
    0x48, 0xcf,                              /* iretq */
};
/* sysu: at 0x40000 */
static const uint8_t code_sysu[] = {
    0xb8, 0x2a, 0x00, 0x00, 0x00,            /* mov $0x2a,%eax */
    0x0f, 0x05,                              /* syscall */
    0x49, 0x89, 0xc5,                        /* mov %rax,%r13 */
    0x9c,                                    /* pushf */
    0x41, 0x5c,                              /* pop %r12 */
    0x0f, 0x0b,                              /* ud: ud2 */
};
/* lstar: at 0x22000 */
static const uint8_t code_lstar[] = {
    0x9c,                                    /* pushf */
    0x5b,                                    /* pop %rbx */
    0x8c, 0xce,                              /* mov %cs,%esi */
    0x8c, 0xd7,                              /* mov %ss,%edi */
    0x48, 0xff, 0xc0,                        /* inc %rax */
    0x48, 0x0f, 0x07,                        /* sysretq */
};
/* uhlt: at 0x40000 */
static const uint8_t code_uhlt[] = {
    0xf4,                                    /* hlt */
};
/* uint41: at 0x40000 */
static const uint8_t code_uint41[] = {
    0xcd, 0x41,                              /* int $0x41 */
};
/* uint3: at 0x40000 */
static const uint8_t code_uint3[] = {
    0xcc,                                    /* int3 */
    0xf4,                                    /* hlt */
};
/* cr3: at 0x10000 */
static const uint8_t code_cr3[] = {
    0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x07, 0x00, /* mov 0x70000,%rax */
    0x0f, 0x22, 0xdb,                        /* mov %rbx,%cr3 */
    0x48, 0x8b, 0x0c, 0x25, 0x00, 0x00, 0x07, 0x00, /* mov 0x70000,%rcx */
    0x4c, 0x89, 0x02,                        /* mov %r8,(%rdx) */
    0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x07, 0x00, /* invlpg 0x70000 */
    0x48, 0x8b, 0x34, 0x25, 0x00, 0x00, 0x07, 0x00, /* mov 0x70000,%rsi */
    0x0f, 0x20, 0xdf,                        /* mov %cr3,%rdi */
    0xf4,                                    /* hlt */
};
/* movcr4: at 0x10000 */
static const uint8_t code_movcr4[] = {
    0x0f, 0x22, 0xe0,                        /* mov %rax,%cr4 */
    0xf4,                                    /* hlt */
};
/* movcr0: at 0x10000 */
static const uint8_t code_movcr0[] = {
    0x0f, 0x22, 0xc0,                        /* mov %rax,%cr0 */
    0xf4,                                    /* hlt */
};
/* movcr3: at 0x10000 */
static const uint8_t code_movcr3[] = {
    0x0f, 0x22, 0xd8,                        /* mov %rax,%cr3 */
    0xf4,                                    /* hlt */
};
/* movcr8: at 0x10000 */
static const uint8_t code_movcr8[] = {
    0x44, 0x0f, 0x22, 0xc0,                  /* mov %rax,%cr8 */
    0x44, 0x0f, 0x20, 0xc1,                  /* mov %cr8,%rcx */
    0xf4,                                    /* hlt */
};
/* sti: at 0x10000 */
static const uint8_t code_sti[] = {
    0xfb,                                    /* sti */
    0x41, 0xbc, 0x01, 0x00, 0x00, 0x00,      /* mov $0x1,%r12d */
    0x41, 0xbc, 0x02, 0x00, 0x00, 0x00,      /* mov $0x2,%r12d */
    0xf4,                                    /* hlt */
};
/* kh40: at 0x23000 */
static const uint8_t code_kh40[] = {
    0x4d, 0x89, 0xe3,                        /* mov %r12,%r11 */
    0xf4,                                    /* hlt */
};
/* pio: at 0x10000 */
static const uint8_t code_pio[] = {
    0xb0, 0x12,                              /* mov $0x12,%al */
    0xe6, 0x80,                              /* out %al,$0x80 */
    0x66, 0xba, 0x84, 0x00,                  /* mov $0x84,%dx */
    0xb8, 0x78, 0x56, 0x34, 0x12,            /* mov $0x12345678,%eax */
    0xef,                                    /* out %eax,(%dx) */
    0xe4, 0x81,                              /* in $0x81,%al */
    0x41, 0x89, 0xc0,                        /* mov %eax,%r8d */
    0x66, 0xed,                              /* in (%dx),%ax */
    0x41, 0x89, 0xc1,                        /* mov %eax,%r9d */
    0xbe, 0x00, 0x01, 0x06, 0x00,            /* mov $0x60100,%esi */
    0xb9, 0x03, 0x00, 0x00, 0x00,            /* mov $0x3,%ecx */
    0x66, 0xba, 0x82, 0x00,                  /* mov $0x82,%dx */
    0xf3, 0x6e,                              /* rep outsb %ds:(%rsi),(%dx) */
    0xbf, 0x00, 0x02, 0x06, 0x00,            /* mov $0x60200,%edi */
    0xb9, 0x02, 0x00, 0x00, 0x00,            /* mov $0x2,%ecx */
    0x66, 0xf3, 0x6d,                        /* rep insw (%dx),%es:(%rdi) */
    0xf4,                                    /* hlt */
};
/* swapgs: at 0x10000 */
static const uint8_t code_swapgs[] = {
    0xb9, 0x01, 0x01, 0x00, 0xc0,            /* mov $0xc0000101,%ecx */
    0xb8, 0x11, 0x11, 0x00, 0x00,            /* mov $0x1111,%eax */
    0x31, 0xd2,                              /* xor %edx,%edx */
    0x0f, 0x30,                              /* wrmsr */
    0xb9, 0x02, 0x01, 0x00, 0xc0,            /* mov $0xc0000102,%ecx */
    0xb8, 0x00, 0x00, 0x06, 0x00,            /* mov $0x60000,%eax */
    0x31, 0xd2,                              /* xor %edx,%edx */
    0x0f, 0x30,                              /* wrmsr */
    0x0f, 0x01, 0xf8,                        /* swapgs */
    0xb9, 0x01, 0x01, 0x00, 0xc0,            /* mov $0xc0000101,%ecx */
    0x0f, 0x32,                              /* rdmsr */
    0x41, 0x89, 0xc0,                        /* mov %eax,%r8d */
    0x41, 0x89, 0xd1,                        /* mov %edx,%r9d */
    0x65, 0x4c, 0x8b, 0x14, 0x25, 0x08, 0x00, 0x00, 0x00, /* mov %gs:0x8,%r10 */
    0xb9, 0x34, 0x12, 0x00, 0x00,            /* mov $0x1234,%ecx */
    0x0f, 0x32,                              /* bad: rdmsr */
    0xf4,                                    /* hlt */
};
/* lsl: at 0x10000 */
static const uint8_t code_lsl[] = {
    0xb8, 0x2b, 0x00, 0x00, 0x00,            /* mov $0x2b,%eax */
    0x0f, 0x03, 0xc8,                        /* lsl %eax,%ecx */
    0x41, 0x0f, 0x94, 0xc0,                  /* sete %r8b */
    0x0f, 0x02, 0xd0,                        /* lar %eax,%edx */
    0x0f, 0x00, 0xe8,                        /* verw %ax */
    0x41, 0x0f, 0x94, 0xc1,                  /* sete %r9b */
    0xb8, 0x10, 0x00, 0x00, 0x00,            /* mov $0x10,%eax */
    0x0f, 0x00, 0xe0,                        /* verr %ax */
    0x41, 0x0f, 0x94, 0xc2,                  /* sete %r10b */
    0x0f, 0x00, 0xe8,                        /* verw %ax */
    0x41, 0x0f, 0x94, 0xc3,                  /* sete %r11b */
    0xb8, 0x00, 0x10, 0x00, 0x00,            /* mov $0x1000,%eax */
    0xbe, 0x77, 0x00, 0x00, 0x00,            /* mov $0x77,%esi */
    0x0f, 0x03, 0xf0,                        /* lsl %eax,%esi */
    0x41, 0x0f, 0x94, 0xc4,                  /* sete %r12b */
    0xf4,                                    /* hlt */
};
/* far: at 0x10000 */
static const uint8_t code_far[] = {
    0x48, 0xff, 0x2c, 0x25, 0x00, 0x03, 0x06, 0x00, /* rex.W ljmp *0x60300 */
    0x48, 0xff, 0x1c, 0x25, 0x10, 0x03, 0x06, 0x00, /* target1: rex.W lcall *0x60310 */
    0x41, 0xb9, 0x07, 0x00, 0x00, 0x00,      /* mov $0x7,%r9d */
    0xf4,                                    /* hlt */
    0x41, 0xb8, 0x05, 0x00, 0x00, 0x00,      /* func: mov $0x5,%r8d */
    0x4c, 0x8b, 0x14, 0x24,                  /* mov (%rsp),%r10 */
    0x4c, 0x8b, 0x5c, 0x24, 0x08,            /* mov 0x8(%rsp),%r11 */
    0x48, 0xcb,                              /* lretq */
};
/* compat: at 0x10000 */
static const uint8_t code_compat[] = {
    0x6a, 0x08,                              /* push $0x8 */
    0x68, 0x45, 0x23, 0x01, 0x00,            /* push $0x12345 */
    0x48, 0xcb,                              /* ret: lretq */
};
/* tsc: at 0x10000 */
static const uint8_t code_tsc[] = {
    0x0f, 0x31,                              /* rdtsc */
    0x41, 0x89, 0xc0,                        /* mov %eax,%r8d */
    0x41, 0x89, 0xd1,                        /* mov %edx,%r9d */
    0xb9, 0x10, 0x00, 0x00, 0x00,            /* mov $0x10,%ecx */
    0xb8, 0x88, 0x13, 0x00, 0x00,            /* mov $0x1388,%eax */
    0x31, 0xd2,                              /* xor %edx,%edx */
    0x0f, 0x30,                              /* wrmsr */
    0x0f, 0x01, 0xf9,                        /* rdtscp */
    0xf4,                                    /* hlt */
};
/* cpuid: at 0x10000 */
static const uint8_t code_cpuid[] = {
    0x31, 0xc0,                              /* xor %eax,%eax */
    0x0f, 0xa2,                              /* cpuid */
    0xf4,                                    /* hlt */
};
/* fxnm: at 0x10000 */
static const uint8_t code_fxnm[] = {
    0x0f, 0xae, 0x04, 0x25, 0x00, 0x04, 0x06, 0x00, /* fxsave 0x60400 */
    0xf4,                                    /* hlt */
};
/* seg: at 0x10000 */
static const uint8_t code_seg[] = {
    0x6a, 0x00,                              /* push $0x0 */
    0x0f, 0xa1,                              /* pop %fs */
    0xb8, 0x50, 0x00, 0x00, 0x00,            /* mov $0x50,%eax */
    0x8e, 0xe8,                              /* mov %eax,%gs */
    0xb8, 0x2b, 0x00, 0x00, 0x00,            /* mov $0x2b,%eax */
    0x8e, 0xd0,                              /* bad: mov %eax,%ss */
    0xf4,                                    /* hlt */
};
/* segnp: at 0x10000 */
static const uint8_t code_segnp[] = {
    0xb8, 0x58, 0x00, 0x00, 0x00,            /* mov $0x58,%eax */
    0x8e, 0xd8,                              /* mov %eax,%ds */
    0xf4,                                    /* hlt */
};
/* uiret: at 0x40000 */
static const uint8_t code_uiret[] = {
    0x48, 0x89, 0xe0,                        /* mov %rsp,%rax */
    0x6a, 0x2b,                              /* push $0x2b */
    0x50,                                    /* push %rax */
    0x68, 0x02, 0x30, 0x00, 0x00,            /* push $0x3002 */
    0x6a, 0x33,                              /* push $0x33 */
    0x48, 0x8d, 0x0d, 0x03, 0x00, 0x00, 0x00, /* lea 0x3(%rip),%rcx */
    0x51,                                    /* push %rcx */
    0x48, 0xcf,                              /* iretq */
    0x9c,                                    /* next: pushf */
    0x41, 0x5c,                              /* pop %r12 */
    0x0f, 0x0b,                              /* ud: ud2 */
};
/* lretout: at 0x10000 */
static const uint8_t code_lretout[] = {
    0x6a, 0x2b,                              /* push $0x2b */
    0x68, 0x00, 0x10, 0x05, 0x00,            /* push $0x51000 */
    0x6a, 0x33,                              /* push $0x33 */
    0x68, 0x00, 0x00, 0x04, 0x00,            /* push $0x40000 */
    0x48, 0xcb,                              /* lretq */
};
/* uud: at 0x40000 */
static const uint8_t code_uud[] = {
    0x0f, 0x0b,                              /* ud2 */
};

/* ------------------------------------------------------------ machine -- */

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

static void set_gate(unsigned v, uint64_t target, unsigned dpl)
{
    uint64_t lo = (target & 0xffff) | 0x10ull << 16 | 0xeull << 40 | (uint64_t)dpl << 45 | 1ull << 47 |
                  ((target >> 16) & 0xffff) << 48;
    w64(IDT + 16 * v, lo);
    w64(IDT + 16 * v + 8, target >> 32);
}

/*
 * GDT: 08 kernel code32, 10 kernel code64, 18 kernel data (not yet
 * accessed), 20 user code32, 28 user data, 30 user code64, 40 TSS (16
 * bytes), 50 kernel data based at 12345678h, 58 a data segment not present.
 */
static void build_tables(void)
{
    w64(GDT + 0x08, seg_desc(0, 0xfffff, 0x9b, 0xc));
    w64(GDT + 0x10, seg_desc(0, 0xfffff, 0x9b, 0xa));
    w64(GDT + 0x18, seg_desc(0, 0xfffff, 0x92, 0xc));
    w64(GDT + 0x20, seg_desc(0, 0xfffff, 0xfb, 0xc));
    w64(GDT + 0x28, seg_desc(0, 0xfffff, 0xf3, 0xc));
    w64(GDT + 0x30, seg_desc(0, 0xfffff, 0xfb, 0xa));
    w64(GDT + 0x40, seg_desc((uint32_t)TSS, 0x67, 0x89, 0));
    w64(GDT + 0x48, 0);
    w64(GDT + 0x50, seg_desc(0x12345678, 0xfffff, 0x93, 0xc));
    w64(GDT + 0x58, seg_desc(0, 0xfffff, 0x13, 0xc));
    for (unsigned v = 0; v < 256; v++) {
        static const uint8_t stub[] = { 0x41, 0xbf, 0, 0, 0, 0, 0xf4 };  /* mov $v, %r15d; hlt */
        memcpy(ram + STUBS + 16 * v, stub, sizeof stub);
        ram[STUBS + 16 * v + 2] = (uint8_t)v;
        set_gate(v, STUBS + 16 * v, v == 3 || v == 4 || v == 0x80 ? 3 : 0);
    }
    w64(TSS + 4, KSTACK_TOP);
}

/* Identity map 0-1 MiB (user code and stack pages user-accessible) and the page-table area. */
static void build_paging(struct pagetable *p, uint64_t alloc_base)
{
    pt_init(p, &bus, alloc_base, alloc_base + 0x200000);
    for (uint64_t va = 0; va < 0x100000; va += 4096) {
        uint64_t flags = PTE_W;
        if (va == UCODE)
            flags = PTE_U;
        else if (va == USTACK_TOP - 4096)
            flags = PTE_U | PTE_W;
        assert_true(pt_map(p, va, va, flags));
    }
    for (uint64_t va = 0x400000; va < RAM_SIZE; va += 4096)
        assert_true(pt_map(p, va, va, PTE_W));
}

/* A fresh machine with the CPU in 64-bit mode at `cpl`, tables loaded (TR busy), hooks cleared. */
static void machine(int cpl)
{
    memset(ram, 0, RAM_SIZE);
    build_tables();
    build_paging(&pt, 0x400000);
    cpu_reset(&cpu);
    cpu_enter_long_mode(&cpu, pt.root, cpl);
    memset(&cpu.hooks, 0, sizeof cpu.hooks);
    cpu.s.gdtr = (struct dtable){ GDT, GDT_LIMIT };
    cpu.s.idtr = (struct dtable){ IDT, 0xfff };
    cpu.s.tr = (struct segment){ 0x40, 0x8b, 0x67, TSS };
    ram[GDT + 0x40 + 5] = 0x8b;
    cpu.s.rip = cpl ? UCODE : KCODE;
    cpu.s.gpr[RSP] = cpl ? USTACK_TOP : KSTACK;
}

/* Run the loaded program (decoded blocks and TLB dropped first: the code was written behind the CPU's back). */
static enum cpu_exit run(void)
{
    cpu_state_changed(&cpu);
    return cpu_run(&cpu, 10000);
}

/* Ran into the stub of `vector` at CPL 0. */
static void assert_event(unsigned vector)
{
    assert_int_equal(cpu.s.gpr[R15], vector);
    assert_int_equal(cpu.s.cpl, 0);
    assert_int_equal(cpu.s.rip, STUBS + 16 * vector + 7);
}

/* Port I/O device at 80h-87h that logs writes. */
struct pio_access { uint16_t port; unsigned size; uint32_t value; };
static struct pio_access pio_log[16];
static unsigned pio_count;

static uint32_t pio_in(void *dev, uint16_t port, unsigned size)
{
    (void)dev;
    return size == 1 ? 0xa0u + (port & 0xf) : size == 2 ? 0xbe00u + port : 0xcafe0000u + port;
}

static void pio_out(void *dev, uint16_t port, unsigned size, uint32_t value)
{
    (void)dev;
    if (pio_count < 16)
        pio_log[pio_count++] = (struct pio_access){ port, size, value };
}

/* Interrupt controller stand-in: one pending vector until acknowledged. */
static int pending_vector = -1;
static bool intr_pending(void *opaque, struct cpu *c) { (void)opaque, (void)c; return pending_vector >= 0; }
static int intr_ack(void *opaque, struct cpu *c)
{
    (void)opaque, (void)c;
    int v = pending_vector;
    pending_vector = -1;
    return v;
}

static uint64_t tpr_written;
static void tpr_write(void *opaque, struct cpu *c, uint64_t v) { (void)opaque, (void)c; tpr_written = v; }
static uint64_t tpr_read(void *opaque, struct cpu *c) { (void)opaque, (void)c; return tpr_written; }

static uint64_t fixed_cycles;
static uint64_t cycles(void *opaque, struct cpu *c) { (void)opaque, (void)c; return fixed_cycles; }

/* -------------------------------------------------------------- tests -- */

/* startup_64-like: LGDT, LIDT, LRETQ to reload CS, data segments, LTR, null FS and LDT, SGDT/SIDT/STR/SLDT. */
static void test_boot_sequence(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_boot);
    w16(DATA, GDT_LIMIT);
    w64(DATA + 2, GDT);
    w16(DATA + 0x10, 0xfff);
    w64(DATA + 0x12, IDT);
    ram[GDT + 0x40 + 5] = 0x89;           /* TSS available */
    cpu.s.gdtr = (struct dtable){ 0, 0 };
    cpu.s.idtr = (struct dtable){ 0, 0 };
    cpu.s.tr = (struct segment){ 0, 0x8b, 0x67, 0 };
    cpu.s.seg[SEG_FS].base = 0xdead000;

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.rip, KCODE + sizeof code_boot);
    assert_true(cpu.s.halted);
    assert_int_equal(cpu.s.gdtr.base, GDT);
    assert_int_equal(cpu.s.gdtr.limit, GDT_LIMIT);
    assert_int_equal(cpu.s.idtr.base, IDT);
    assert_int_equal(cpu.s.idtr.limit, 0xfff);
    assert_int_equal(cpu.s.seg[SEG_CS].selector, 0x10);
    assert_true(cpu.s.seg[SEG_CS].attr & SEG_ATTR_L);
    for (int r = SEG_ES; r <= SEG_DS; r++) {
        if (r == SEG_CS)
            continue;
        assert_int_equal(cpu.s.seg[r].selector, 0x18);
        assert_int_equal(cpu.s.seg[r].attr & 0xff, 0x93);
        assert_int_equal(cpu.s.seg[r].limit, 0xffffffff);
    }
    assert_int_equal(ram[GDT + 0x18 + 5], 0x93);   /* accessed bit set in the GDT */
    assert_int_equal(cpu.s.tr.selector, 0x40);
    assert_int_equal(cpu.s.tr.base, TSS);
    assert_int_equal(cpu.s.tr.limit, 0x67);
    assert_int_equal(SEG_ATTR_TYPE(cpu.s.tr.attr), 0xb);
    assert_int_equal(ram[GDT + 0x40 + 5], 0x8b);   /* busy */
    assert_int_equal(cpu.s.seg[SEG_FS].selector, 0);
    assert_int_equal(cpu.s.seg[SEG_FS].base, 0);   /* a null load clears the base (Intel) */
    assert_int_equal(cpu.s.ldtr.selector, 0);
    assert_int_equal(r16(DATA + 0x20), GDT_LIMIT);
    assert_int_equal(r64(DATA + 0x22), GDT);
    assert_int_equal(r16(DATA + 0x30), 0xfff);
    assert_int_equal(r64(DATA + 0x32), IDT);
    assert_int_equal(cpu.s.gpr[RCX], 0x40);
    assert_int_equal(cpu.s.gpr[RDX], 0);
}

/* User INT 0x80 through a DPL 3 gate: stack switch to RSP0, IRETQ back to CPL 3, then #UD. */
static void test_int80_iretq(void **state)
{
    (void)state;
    machine(3);
    LOAD(UCODE, code_uint80);
    LOAD(KH80, code_kh80);
    set_gate(0x80, KH80, 3);

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.gpr[R14], 0x80);
    assert_int_equal(cpu.s.gpr[R12], 0x33);      /* CS in the INT frame */
    assert_int_equal(cpu.s.gpr[R13], 1);         /* IRETQ came back to user mode */
    assert_event(EXC_UD);
    assert_int_equal(cpu.s.gpr[RSP], KSTACK_TOP - 40);
    assert_int_equal(frame(0), UCODE + 8);       /* the ud2 */
    assert_int_equal(frame(1), 0x33);
    assert_int_equal(frame(3), USTACK_TOP);
    assert_int_equal(frame(4), 0x2b);
}

/* WRMSR STAR/LSTAR/SFMASK, IRETQ to user, SYSCALL to the kernel and SYSRET back. */
static void test_syscall_sysret(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_sysk);
    LOAD(UCODE, code_sysu);
    LOAD(LSTAR_CODE, code_lstar);
    cpu.s.seg[SEG_FS] = (struct segment){ 0, 0, 0, 0x5555000 };   /* null FS with an MSR base (TLS) */

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.msr.star, 0x0023001000000000ull);
    assert_int_equal(cpu.s.msr.lstar, LSTAR_CODE);
    assert_int_equal(cpu.s.msr.sfmask, 0x47700);
    assert_int_equal(cpu.s.gpr[RSI], 0x10);            /* CS inside the SYSCALL handler */
    assert_int_equal(cpu.s.gpr[RDI], 0x18);            /* SS */
    assert_int_equal(cpu.s.gpr[RBX] & FL_IF, 0);       /* SFMASK cleared IF */
    assert_int_equal(cpu.s.gpr[R13], 43);              /* the handler's result */
    assert_true(cpu.s.gpr[R12] & FL_IF);               /* user flags back from R11 */
    assert_int_equal(cpu.s.gpr[RCX], UCODE + 7);       /* SYSCALL's return address */
    assert_true(cpu.s.gpr[R11] & FL_IF);
    assert_event(EXC_UD);
    assert_int_equal(frame(0), SYSU_UD);
    assert_int_equal(frame(1), 0x33);                  /* STAR[63:48] + 16, RPL 3 */
    assert_int_equal(frame(4), 0x2b);                  /* STAR[63:48] + 8, RPL 3 */
    assert_int_equal(cpu.s.seg[SEG_DS].selector, 0);   /* IRETQ to CPL 3 nulled the DPL 0 DS */
    assert_int_equal(cpu.s.seg[SEG_FS].base, 0x5555000);
}

/* HLT at CPL 3: #GP(0) through the IDT, RIP of the HLT in the frame. */
static void test_hlt_cpl3(void **state)
{
    (void)state;
    machine(3);
    LOAD(UCODE, code_uhlt);
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_event(EXC_GP);
    assert_int_equal(frame(0), 0);            /* error code */
    assert_int_equal(frame(1), UCODE);
    assert_int_equal(frame(2), 0x33);
    assert_int_equal(cpu.s.gpr[RSP], KSTACK_TOP - 48);
}

/* INT n through a DPL 0 gate at CPL 3: #GP with the IDT error code n*8+2. */
static void test_int_gate_privilege(void **state)
{
    (void)state;
    machine(3);
    LOAD(UCODE, code_uint41);
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_event(EXC_GP);
    assert_int_equal(frame(0), 0x41 * 8 + 2);
    assert_int_equal(frame(1), UCODE);
}

/* INT3 is a trap: the frame holds the next instruction. */
static void test_int3(void **state)
{
    (void)state;
    machine(3);
    LOAD(UCODE, code_uint3);
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_event(EXC_BP);
    assert_int_equal(frame(0), UCODE + 1);
    assert_int_equal(frame(1), 0x33);
}

/* Address of the leaf PTE of va in a host-built page table. */
static uint64_t leaf_pte_addr(const struct pagetable *p, uint64_t va)
{
    uint64_t table = p->root;
    for (int level = 3; level > 0; level--)
        table = r64(table + 8 * ((va >> (12 + 9 * level)) & 511)) & PTE_ADDR_MASK;
    return table + 8 * ((va >> 12) & 511);
}

/* MOV CR3 switches address spaces (TLB flushed); INVLPG drops a changed translation. */
static void test_cr3_invlpg(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_cr3);
    build_paging(&pt2, 0x600000);
    pt_map(&pt2, PAGE_A, PAGE_A + 0x1000, PTE_W);
    w64(PAGE_A, 0xaaaa);
    w64(PAGE_A + 0x1000, 0xbbbb);
    w64(PAGE_A + 0x2000, 0xcccc);
    cpu.s.gpr[RBX] = pt2.root;
    cpu.s.gpr[RDX] = leaf_pte_addr(&pt2, PAGE_A);
    cpu.s.gpr[R8] = (PAGE_A + 0x2000) | PTE_P | PTE_W;

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.gpr[RAX], 0xaaaa);
    assert_int_equal(cpu.s.gpr[RCX], 0xbbbb);
    assert_int_equal(cpu.s.gpr[RSI], 0xcccc);
    assert_int_equal(cpu.s.gpr[RDI], pt2.root);
}

/* Run a one-instruction CR write with RAX = v; returns true if it faulted with #GP(0). */
static bool cr_write_faults(const uint8_t *code, size_t len, uint64_t v)
{
    machine(0);
    memcpy(ram + KCODE, code, len);
    cpu.s.gpr[RAX] = v;
    cpu.s.gpr[R15] = 0xff;
    assert_int_equal(run(), CPU_EXIT_HALT);
    if (cpu.s.gpr[R15] == 0xff) {
        assert_int_equal(cpu.s.rip, KCODE + len);
        return false;
    }
    assert_event(EXC_GP);
    assert_int_equal(frame(0), 0);
    assert_int_equal(frame(1), KCODE);
    return true;
}

#define CR_FAULTS(code, v) cr_write_faults((code), sizeof(code), (v))

static void test_control_registers(void **state)
{
    (void)state;
    const uint64_t cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    const uint64_t cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;

    assert_true(CR_FAULTS(code_movcr4, cr4 | (1ull << 20)));   /* SMEP: not in the model */
    assert_true(CR_FAULTS(code_movcr4, cr4 | (1ull << 17)));   /* PCIDE */
    assert_true(CR_FAULTS(code_movcr4, cr4 | (1ull << 18)));   /* OSXSAVE */
    assert_true(CR_FAULTS(code_movcr4, cr4 & ~CR4_PAE));       /* long mode needs PAE */
    assert_false(CR_FAULTS(code_movcr4, cr4 & ~CR4_PGE));
    assert_int_equal(cpu.s.cr4, cr4 & ~CR4_PGE);
    assert_false(CR_FAULTS(code_movcr4, cr4 | (1ull << 2)));   /* TSD */

    assert_true(CR_FAULTS(code_movcr0, cr0 & ~CR0_PG));        /* cannot leave long mode */
    assert_true(CR_FAULTS(code_movcr0, cr0 | (1ull << 32)));
    assert_true(CR_FAULTS(code_movcr0, cr0 | CR0_NW));         /* NW without CD */
    assert_false(CR_FAULTS(code_movcr0, (cr0 & ~CR0_WP) | CR0_TS | (1ull << 8)));
    assert_int_equal(cpu.s.cr0, (cr0 & ~CR0_WP) | CR0_TS);     /* reserved bit 8 ignored */

    assert_true(CR_FAULTS(code_movcr3, 1ull << 40));           /* above MAXPHYADDR */
    assert_false(CR_FAULTS(code_movcr3, pt.root | 0x18));      /* PWT/PCD kept */
    assert_int_equal(cpu.s.cr3, pt.root | 0x18);

    /* CR8: the TPR, held by the local APIC alone; without one it reads 0. */
    assert_true(CR_FAULTS(code_movcr8, 0x10));
    machine(0);
    LOAD(KCODE, code_movcr8);
    cpu.s.gpr[RAX] = 5;
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.gpr[RCX], 0);
    machine(0);
    LOAD(KCODE, code_movcr8);
    cpu.hooks.cr8_write = tpr_write;
    cpu.hooks.cr8_read = tpr_read;
    tpr_written = 9;
    cpu.s.gpr[RAX] = 5;
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(tpr_written, 5);
    assert_int_equal(cpu.s.gpr[RCX], 5);
}

/*
 * One copy of the TPR and of IA32_APIC_BASE's enable bit: a real local APIC
 * on the bus, wired to the CPU's hooks. A TPR written through MMIO is what
 * CR8 reads, a CR8 write is what the TPR register reads, and clearing the
 * MSR's enable bit disables the APIC itself.
 */
static const uint8_t code_apic_tpr[] = {
    0xbb, 0x80, 0x00, 0xe0, 0xfe,            /* mov $0xfee00080,%ebx */
    0xc7, 0x03, 0xa7, 0x00, 0x00, 0x00,      /* movl $0xa7,(%rbx) */
    0x44, 0x0f, 0x20, 0xc1,                  /* mov %cr8,%rcx */
    0xb8, 0x03, 0x00, 0x00, 0x00,            /* mov $0x3,%eax */
    0x44, 0x0f, 0x22, 0xc0,                  /* mov %rax,%cr8 */
    0x8b, 0x3b,                              /* mov (%rbx),%edi */
    0x89, 0xce,                              /* mov %ecx,%esi */
    0xb9, 0x1b, 0x00, 0x00, 0x00,            /* mov $0x1b,%ecx */
    0x0f, 0x32,                              /* rdmsr */
    0x41, 0x89, 0xc0,                        /* mov %eax,%r8d */
    0x25, 0xff, 0xf7, 0xff, 0xff,            /* and $0xfffff7ff,%eax */
    0x0f, 0x30,                              /* wrmsr */
    0x0f, 0x32,                              /* rdmsr */
    0x41, 0x89, 0xc1,                        /* mov %eax,%r9d */
    0x89, 0xf1,                              /* mov %esi,%ecx */
    0xf4,                                    /* hlt */
};

static void test_cr8_is_the_lapic_tpr(void **state)
{
    (void)state;
    struct eventq eq;
    struct lapic apic;
    eventq_init(&eq);
    lapic_init(&apic, &eq, 0, LAPIC_DEFAULT_TIMER_HZ);
    lapic_attach(&apic, &bus);
    machine(0);
    assert_true(pt_map(&pt, LAPIC_BASE, LAPIC_BASE, PTE_W | PTE_PCD));
    LOAD(KCODE, code_apic_tpr);
    cpu.hooks.opaque = &apic;
    cpu.hooks.cr8_read = lapic_cr8_read;
    cpu.hooks.cr8_write = lapic_cr8_write;
    cpu.hooks.apic_enabled = lapic_hw_enabled;
    cpu.hooks.apic_set_enabled = lapic_set_hw_enabled;

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.gpr[RCX], 0xa);            /* CR8 = TPR[7:4] after the MMIO write */
    assert_int_equal(cpu.s.gpr[RDI], 0x30);           /* TPR after MOV CR8, 3 */
    assert_int_equal(cpu.s.gpr[R8], 0xfee00900);      /* enabled, BSP */
    assert_int_equal(cpu.s.gpr[R9], 0xfee00100);      /* disabled through the MSR ... */
    assert_false(apic.s.hw_enabled);                  /* ... is the APIC disabled */
    eventq_free(&eq);
}

/* STI: an interrupt pending while IF=0 is taken after the instruction that follows STI. */
static void test_sti_shadow(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_sti);
    LOAD(KH40, code_kh40);
    set_gate(0x40, KH40, 0);
    cpu_set_rflags(&cpu, FL_FIXED1);
    cpu.hooks.intr_pending = intr_pending;
    cpu.hooks.intr_ack = intr_ack;
    pending_vector = 0x40;

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.rip, KH40 + sizeof code_kh40);
    assert_int_equal(cpu.s.gpr[R11], 1);                 /* one instruction ran in the shadow */
    assert_int_equal(frame(0), KCODE + 7);               /* interrupted before the second mov */
    assert_true(frame(2) & FL_IF);
    assert_int_equal(cpu_get_rflags(&cpu) & FL_IF, 0);   /* interrupt gate */
}

/* IN/OUT with imm8 and DX ports in three sizes, REP OUTSB and REP INSW. */
static void test_port_io(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_pio);
    memcpy(ram + DATA + 0x100, "xyz", 3);
    pio_count = 0;

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(pio_count, 5);
    assert_int_equal(pio_log[0].port, 0x80);
    assert_int_equal(pio_log[0].size, 1);
    assert_int_equal(pio_log[0].value, 0x12);
    assert_int_equal(pio_log[1].port, 0x84);
    assert_int_equal(pio_log[1].size, 4);
    assert_int_equal(pio_log[1].value, 0x12345678);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pio_log[2 + i].port, 0x82);
        assert_int_equal(pio_log[2 + i].size, 1);
        assert_int_equal(pio_log[2 + i].value, "xyz"[i]);
    }
    assert_int_equal(cpu.s.gpr[R8], 0x123456a1);         /* IN AL merges */
    assert_int_equal(cpu.s.gpr[R9], 0x1234be84);         /* IN AX merges */
    assert_int_equal(r16(DATA + 0x200), 0xbe82);
    assert_int_equal(r16(DATA + 0x202), 0xbe82);
    assert_int_equal(cpu.s.gpr[RSI], DATA + 0x103);
    assert_int_equal(cpu.s.gpr[RDI], DATA + 0x204);
    assert_int_equal(cpu.s.gpr[RCX], 0);
}

/* WRMSR GS_BASE / KERNEL_GS_BASE, SWAPGS, RDMSR, a GS access, and #GP for an MSR that does not exist. */
static void test_swapgs_msr(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_swapgs);
    w64(DATA + 8, 0x1234567890ull);

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.gpr[R8], DATA);
    assert_int_equal(cpu.s.gpr[R9], 0);
    assert_int_equal(cpu.s.gpr[R10], 0x1234567890ull);
    assert_int_equal(cpu.s.seg[SEG_GS].base, DATA);
    assert_int_equal(cpu.s.msr.kernel_gs_base, 0x1111);
    assert_event(EXC_GP);
    assert_int_equal(frame(0), 0);
    assert_int_equal(frame(1), SWAPGS_BAD);
}

/* LSL, LAR, VERR, VERW on GDT descriptors, and on a selector beyond the GDT limit. */
static void test_lsl_lar_verw(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_lsl);
    for (int r = R8; r <= R12; r++)
        cpu.s.gpr[r] = 0;

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.gpr[RCX], 0xffffffff);   /* LSL 2Bh: page-granular limit */
    assert_int_equal(cpu.s.gpr[R8], 1);
    assert_int_equal(cpu.s.gpr[RDX], 0x00c0f300);   /* LAR 2Bh */
    assert_int_equal(cpu.s.gpr[R9], 1);             /* VERW user data */
    assert_int_equal(cpu.s.gpr[R10], 1);            /* VERR readable code */
    assert_int_equal(cpu.s.gpr[R11], 0);            /* VERW code */
    assert_int_equal(cpu.s.gpr[R12], 0);            /* LSL beyond the limit */
    assert_int_equal(cpu.s.gpr[RSI], 0x77);         /* ... leaves the destination */
}

/* Far JMP and far CALL through m16:64, and LRETQ back. */
static void test_far_transfers(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_far);
    w64(DATA + 0x300, FAR_TARGET1);
    w16(DATA + 0x308, 0x10);
    w64(DATA + 0x310, FAR_FUNC);
    w16(DATA + 0x318, 0x10);

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.gpr[R8], 5);
    assert_int_equal(cpu.s.gpr[R9], 7);
    assert_int_equal(cpu.s.gpr[R10], FAR_TARGET1 + 8);   /* return address pushed by the far CALL */
    assert_int_equal(cpu.s.gpr[R11], 0x10);              /* and the CS, as 8 bytes */
    assert_int_equal(cpu.s.gpr[RSP], KSTACK);
    assert_int_equal(cpu.s.seg[SEG_CS].selector, 0x10);
}

/* IRETQ at CPL 3 to CPL 3: IF and IOPL in the popped image are ignored. */
static void test_iret_user_flags(void **state)
{
    (void)state;
    machine(3);
    LOAD(UCODE, code_uiret);
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_true(cpu.s.gpr[R12] & FL_IF);
    assert_int_equal(cpu.s.gpr[R12] & FL_IOPL, 0);
    assert_event(EXC_UD);
    assert_int_equal(frame(0), UIRET_UD);
    assert_int_equal(frame(1), 0x33);
    assert_int_equal(frame(3), USTACK_TOP);
}

/* LRETQ from CPL 0 to CPL 3 pops RSP and SS too. */
static void test_lret_outer(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_lretout);
    LOAD(UCODE, code_uud);
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_event(EXC_UD);
    assert_int_equal(frame(0), UCODE);
    assert_int_equal(frame(1), 0x33);
    assert_int_equal(frame(3), USTACK_TOP);
    assert_int_equal(frame(4), 0x2b);
    assert_int_equal(cpu.s.seg[SEG_DS].selector, 0);   /* DPL 0 data nulled on the way out */
}

/* LRETQ to the 32-bit kernel code segment 08h: compatibility mode is not supported; the run stops there. */
static void test_compat_mode_unsupported(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_compat);
    assert_int_equal(run(), CPU_EXIT_UNSUPPORTED);
    assert_int_equal(cpu.s.rip, COMPAT_RET);
    assert_int_equal(cpu.s.seg[SEG_CS].selector, 0x10);
    assert_int_equal(cpu.s.gpr[RSP], KSTACK - 16);
}

/* RDTSC = TSC_ADJUST + simulated cycles; WRMSR TSC moves TSC_ADJUST; RDTSCP adds TSC_AUX. */
static void test_tsc(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_tsc);
    cpu.hooks.cycles = cycles;
    fixed_cycles = 1000;
    cpu.s.msr.tsc_adjust = 77;
    cpu.s.msr.tsc_aux = 7;

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.gpr[R8], 1077);
    assert_int_equal(cpu.s.gpr[R9], 0);
    assert_int_equal(cpu.s.gpr[RAX], 5000);
    assert_int_equal(cpu.s.gpr[RDX], 0);
    assert_int_equal(cpu.s.gpr[RCX], 7);
    assert_int_equal(cpu.s.msr.tsc_adjust, 4000);   /* TSC_ADJUST is the TSC's offset */
}

static void test_cpuid_instruction(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_cpuid);
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.gpr[RAX], 0x16);
    assert_int_equal(cpu.s.gpr[RBX], 0x756e6547);   /* "Genu" */
    assert_int_equal(cpu.s.gpr[RDX], 0x49656e69);   /* "ineI" */
    assert_int_equal(cpu.s.gpr[RCX], 0x6c65746e);   /* "ntel" */
}

/* FXSAVE with CR0.TS: #NM. */
static void test_fxsave_nm(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_fxnm);
    cpu.s.cr0 |= CR0_TS;
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_event(EXC_NM);
    assert_int_equal(frame(0), KCODE);
}

/* POP FS (null: base cleared), MOV GS (32-bit base from the descriptor), MOV SS with RPL != CPL: #GP(sel). */
static void test_segment_loads(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_seg);
    cpu.s.seg[SEG_FS].base = 0x9999;

    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_int_equal(cpu.s.seg[SEG_FS].selector, 0);
    assert_int_equal(cpu.s.seg[SEG_FS].base, 0);
    assert_int_equal(cpu.s.seg[SEG_GS].selector, 0x50);
    assert_int_equal(cpu.s.seg[SEG_GS].base, 0x12345678);
    assert_event(EXC_GP);
    assert_int_equal(frame(0), 0x28);
    assert_int_equal(frame(1), SEG_BAD);
    assert_int_equal(frame(4), KSTACK);   /* POP FS restored RSP */
}

/* A descriptor that is not present: #NP(selector). */
static void test_segment_not_present(void **state)
{
    (void)state;
    machine(0);
    LOAD(KCODE, code_segnp);
    assert_int_equal(run(), CPU_EXIT_HALT);
    assert_event(EXC_NP);
    assert_int_equal(frame(0), 0x58);
    assert_int_equal(frame(1), KCODE + 5);
}

static int group_setup(void **state)
{
    (void)state;
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED)
        return -1;
    bus_init(&bus);
    bus_add_ram(&bus, 0, RAM_SIZE, ram);
    bus_add_pio(&bus, "test", 0x80, 8, pio_in, pio_out, NULL);
    cpu_init(&cpu, &bus, 0);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_sequence),
        cmocka_unit_test(test_int80_iretq),
        cmocka_unit_test(test_syscall_sysret),
        cmocka_unit_test(test_hlt_cpl3),
        cmocka_unit_test(test_int_gate_privilege),
        cmocka_unit_test(test_int3),
        cmocka_unit_test(test_cr3_invlpg),
        cmocka_unit_test(test_control_registers),
        cmocka_unit_test(test_cr8_is_the_lapic_tpr),
        cmocka_unit_test(test_sti_shadow),
        cmocka_unit_test(test_port_io),
        cmocka_unit_test(test_swapgs_msr),
        cmocka_unit_test(test_lsl_lar_verw),
        cmocka_unit_test(test_far_transfers),
        cmocka_unit_test(test_iret_user_flags),
        cmocka_unit_test(test_lret_outer),
        cmocka_unit_test(test_compat_mode_unsupported),
        cmocka_unit_test(test_tsc),
        cmocka_unit_test(test_cpuid_instruction),
        cmocka_unit_test(test_fxsave_nm),
        cmocka_unit_test(test_segment_loads),
        cmocka_unit_test(test_segment_not_present),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
