/* boot.c - Linux 64-bit boot protocol (see boot.h). */
#include "machine/boot.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpu/cpu.h"
#include "machine/payload.h"
#include "mem/bus.h"
#include "mem/pagetable.h"
#include "util/log.h"

/* Offsets in struct boot_params (arch/x86/include/uapi/asm/bootparam.h). */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES     0x1e8
#define BP_HDR              0x1f1
#define BP_SETUP_SECTS      0x1f1
#define BP_BOOT_FLAG        0x1fe
#define BP_HEADER           0x202
#define BP_VERSION          0x206
#define BP_TYPE_OF_LOADER   0x210
#define BP_LOADFLAGS        0x211
#define BP_RAMDISK_IMAGE    0x218
#define BP_RAMDISK_SIZE     0x21c
#define BP_CMD_LINE_PTR     0x228
#define BP_INITRD_ADDR_MAX  0x22c
#define BP_KERNEL_ALIGNMENT 0x230
#define BP_XLOADFLAGS       0x236
#define BP_CMDLINE_SIZE     0x238
#define BP_PAYLOAD_OFFSET   0x248
#define BP_PAYLOAD_LENGTH   0x24c
#define BP_SETUP_DATA       0x250
#define BP_E820_TABLE       0x2d0
#define BP_HDR_END          0x280   /* end of the setup header we copy from a bzImage */
#define E820_MAX            128
#define SETUP_RNG_SEED      9
#define RNG_SEED_BYTES      32

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fatal(path, "cannot open kernel: %s", strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        fatal(path, "cannot read kernel: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        fatal(path, "%s, not a kernel file", S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
    if (fseek(f, 0, SEEK_END) != 0)
        fatal(path, "cannot read kernel: %s", strerror(errno));
    long n = ftell(f);
    rewind(f);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || n < 0 || fread(buf, 1, (size_t)n, f) != (size_t)n)
        fatal(path, "cannot read kernel: %s", ferror(f) ? strerror(errno) : "short read");
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void put_guest(struct bus *bus, uint64_t pa, const void *src, size_t len, const char *path)
{
    if (bus_write_phys(bus, pa, src, len) != 0)
        fatal(path, "kernel segment at 0x%llx (+0x%zx) does not fit in guest RAM (try a larger --mem-size)",
              (unsigned long long)pa, len);
}

static void load_elf(struct bus *bus, const char *path, const uint8_t *f, size_t len, struct boot_info *info)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
        fatal(path, "not an x86-64 ELF kernel");
    /* Compared without sums that could wrap: a crafted e_phoff or segment near 2^64 is refused too. */
    if (eh->e_phoff > len || (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
        fatal(path, "truncated ELF program headers");
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph;   /* copied out: e_phoff need not be aligned */
        memcpy(&ph, f + eh->e_phoff + (size_t)i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD)
            continue;
        if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset || ph.p_filesz > ph.p_memsz)
            fatal(path, "truncated ELF segment %u", i);
        if (ph.p_paddr + ph.p_memsz < ph.p_paddr)
            fatal(path, "ELF segment %u wraps around the address space", i);
        put_guest(bus, ph.p_paddr, f + ph.p_offset, ph.p_filesz, path);
        /* The rest of the segment is zeroed in pieces: its size comes from the file, not from host memory. */
        static const uint8_t zeros[65536];
        for (uint64_t done = ph.p_filesz; done < ph.p_memsz;) {
            uint64_t n = ph.p_memsz - done < sizeof zeros ? ph.p_memsz - done : sizeof zeros;
            put_guest(bus, ph.p_paddr + done, zeros, n, path);
            done += n;
        }
        if (ph.p_paddr + ph.p_memsz > info->kernel_end)
            info->kernel_end = ph.p_paddr + ph.p_memsz;
    }
    info->entry = eh->e_entry;
    info->is_bzimage = 0;
}

static uint8_t bzimage_header[BP_HDR_END - BP_HDR];

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Decompress the payload on the host and load the vmlinux inside it as the
 * ELF path does: the CPU then starts at the kernel proper's startup_64 with
 * the bzImage's setup header in boot_params, where the kernel's decompressor
 * would have jumped after unpacking (at the same link-time address: no KASLR).
 */
static void load_bzimage_payload(struct bus *bus, const char *path, const uint8_t *pm, size_t pm_len,
                                 const uint8_t *f, struct boot_info *info)
{
    uint32_t poff = get32(f + BP_PAYLOAD_OFFSET), plen = get32(f + BP_PAYLOAD_LENGTH);
    if (poff > pm_len || plen > pm_len - poff || plen == 0)
        fatal(path, "bzImage payload (offset 0x%x, %u bytes) lies outside the file", poff, plen);
    uint8_t *vmlinux;
    size_t vlen;
    char err[256];
    if (payload_decompress(pm + poff, plen, &vmlinux, &vlen, err, sizeof err) != 0)
        fatal(path, "bzImage payload: %s (--run-decompressor runs the kernel's own)", err);
    if (vlen < 4 || memcmp(vmlinux, ELFMAG, SELFMAG) != 0) {
        free(vmlinux);
        fatal(path, "bzImage payload decompresses to no ELF kernel (--run-decompressor runs the kernel's own)");
    }
    load_elf(bus, path, vmlinux, vlen, info);
    free(vmlinux);
    info->payload_format = payload_format(pm + poff, plen);
}

static void load_bzimage(struct bus *bus, const char *path, const uint8_t *f, size_t len, int run_decompressor,
                         struct boot_info *info)
{
    if (len < 0x1000 || memcmp(f + BP_HEADER, "HdrS", 4) != 0)
        fatal(path, "not a Linux kernel (neither ELF vmlinux nor bzImage)");
    uint16_t version = (uint16_t)(f[BP_VERSION] | f[BP_VERSION + 1] << 8);
    uint16_t xloadflags = (uint16_t)(f[BP_XLOADFLAGS] | f[BP_XLOADFLAGS + 1] << 8);
    if (version < 0x020c || !(xloadflags & 1))
        fatal(path, "bzImage has no 64-bit entry point (boot protocol 2.%02x)", version & 0xff);
    unsigned setup_sects = f[BP_SETUP_SECTS] ? f[BP_SETUP_SECTS] : 4;
    size_t off = (size_t)(setup_sects + 1) * 512;
    if (off >= len)
        fatal(path, "truncated bzImage");
    if (run_decompressor) {
        put_guest(bus, BOOT_BZIMAGE_PA, f + off, len - off, path);
        info->entry = BOOT_BZIMAGE_PA + 0x200;  /* startup_64 of the decompressor */
        info->kernel_end = BOOT_BZIMAGE_PA + (len - off);
    } else {
        load_bzimage_payload(bus, path, f + off, len - off, f, info);
    }
    memcpy(bzimage_header, f + BP_HDR, sizeof bzimage_header);
    info->is_bzimage = 1;
    uint32_t cmdline_size = (uint32_t)(f[BP_CMDLINE_SIZE] | f[BP_CMDLINE_SIZE + 1] << 8 |
                                       f[BP_CMDLINE_SIZE + 2] << 16 | (uint32_t)f[BP_CMDLINE_SIZE + 3] << 24);
    if (cmdline_size && cmdline_size < info->cmdline_max)
        info->cmdline_max = cmdline_size;   /* boot protocol 2.06+: the kernel says how much it keeps */
}

void boot_load_kernel(struct bus *bus, const char *path, int run_decompressor, struct boot_info *info)
{
    size_t len;
    uint8_t *f = read_file(path, &len);
    memset(info, 0, sizeof(*info));
    info->cmdline_max = BOOT_LINUX_CMDLINE_SIZE - 1;
    if (len >= 4 && memcmp(f, ELFMAG, SELFMAG) == 0)
        load_elf(bus, path, f, len, info);
    else
        load_bzimage(bus, path, f, len, run_decompressor, info);
    free(f);
}

void boot_load_initrd(struct bus *bus, const char *path, const struct e820_entry *e820, unsigned n_e820,
                      struct boot_info *info)
{
    size_t len;
    uint8_t *f = read_file(path, &len);
    uint64_t limit = 0x38000000ull;                   /* initrd_addr_max + 1 of kernels that give none */
    if (info->is_bzimage) {
        uint32_t max;
        memcpy(&max, bzimage_header + (BP_INITRD_ADDR_MAX - BP_HDR), 4);
        if (max)
            limit = (uint64_t)max + 1;
    }
    uint64_t top = 0;                                 /* end of the highest RAM range below the limit */
    for (unsigned i = 0; i < n_e820; i++) {
        if (e820[i].type != 1 || e820[i].addr >= limit)
            continue;
        uint64_t end = e820[i].addr + e820[i].size < limit ? e820[i].addr + e820[i].size : limit;
        if (end > top)
            top = end;
    }
    uint64_t addr = top >= len ? (top - len) & ~0xfffull : 0;
    if (!len || addr < ((info->kernel_end + 0xfff) & ~0xfffull) || addr < 0x100000)
        fatal(path, "initrd (%zu bytes) does not fit in guest RAM above the kernel (try a larger --mem-size)", len);
    put_guest(bus, addr, f, len, path);
    free(f);
    info->initrd_addr = addr;
    info->initrd_size = len;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The setup_data record carrying the RNG seed: next (u64), type (u32), len (u32), data. */
static void put_rng_seed(struct bus *bus, uint64_t seed)
{
    uint8_t rec[16 + RNG_SEED_BYTES];
    memset(rec, 0, sizeof rec);
    uint32_t type = SETUP_RNG_SEED, len = RNG_SEED_BYTES;
    memcpy(rec + 8, &type, 4);
    memcpy(rec + 12, &len, 4);
    uint64_t z = seed;
    for (unsigned i = 0; i < RNG_SEED_BYTES; i += 8) {  /* splitmix64: spread the seed over 32 bytes */
        z += 0x9e3779b97f4a7c15ull;
        uint64_t v = z;
        v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
        v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
        v ^= v >> 31;
        memcpy(rec + 16 + i, &v, 8);
    }
    put_guest(bus, BOOT_SETUP_DATA_PA, rec, sizeof rec, "setup_data");
}

void boot_setup(struct bus *bus, struct cpu *cpu, const struct boot_info *info, const char *cmdline,
                const struct e820_entry *e820, unsigned n_e820, uint64_t rng_seed)
{
    static uint8_t bp[4096];
    memset(bp, 0, sizeof bp);
    if (info->is_bzimage)
        memcpy(bp + BP_HDR, bzimage_header, sizeof bzimage_header);
    size_t cl = strlen(cmdline);
    if (cl + 1 > BOOT_CMDLINE_MAX)
        fatal("--cmdline", "kernel command line is %zu bytes; the limit is %d", cl, BOOT_CMDLINE_MAX - 1);
    put_guest(bus, BOOT_CMDLINE_PA, cmdline, cl + 1, "cmdline");

    put16(bp + BP_BOOT_FLAG, 0xaa55);
    memcpy(bp + BP_HEADER, "HdrS", 4);
    if (!info->is_bzimage)
        put16(bp + BP_VERSION, 0x020f);
    bp[BP_TYPE_OF_LOADER] = 0xff;              /* undefined loader */
    bp[BP_LOADFLAGS] |= 0x01;                  /* LOADED_HIGH */
    put32(bp + BP_CMD_LINE_PTR, (uint32_t)BOOT_CMDLINE_PA);
    put32(bp + BP_EXT_CMD_LINE_PTR, 0);
    put32(bp + BP_CMDLINE_SIZE, BOOT_CMDLINE_MAX - 1);
    if (info->initrd_size) {
        put32(bp + BP_RAMDISK_IMAGE, (uint32_t)info->initrd_addr);
        put32(bp + BP_RAMDISK_SIZE, (uint32_t)info->initrd_size);
        put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(info->initrd_addr >> 32));
        put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(info->initrd_size >> 32));
    }
    if (!info->is_bzimage)
        put32(bp + BP_KERNEL_ALIGNMENT, 0x1000000);
    put_rng_seed(bus, rng_seed);
    put64(bp + BP_SETUP_DATA, BOOT_SETUP_DATA_PA);
    if (n_e820 > E820_MAX)
        n_e820 = E820_MAX;
    bp[BP_E820_ENTRIES] = (uint8_t)n_e820;
    for (unsigned i = 0; i < n_e820; i++) {
        uint8_t *e = bp + BP_E820_TABLE + 20 * i;
        put64(e, e820[i].addr);
        put64(e + 8, e820[i].size);
        put32(e + 16, e820[i].type);
    }
    put_guest(bus, BOOT_PARAMS_PA, bp, sizeof bp, "boot_params");

    /* Identity map 0..4 GiB with 2 MiB pages: enough for the kernel's early code to find itself. */
    static uint64_t tables[6][512];
    memset(tables, 0, sizeof tables);
    tables[0][0] = BOOT_PDPT_PA | PTE_P | PTE_W;
    for (int i = 0; i < 4; i++) {
        tables[1][i] = (BOOT_PD_PA + 4096ull * i) | PTE_P | PTE_W;
        for (int j = 0; j < 512; j++)
            tables[2 + i][j] = (((uint64_t)i << 30) + ((uint64_t)j << 21)) | PTE_P | PTE_W | PTE_PS;
    }
    put_guest(bus, BOOT_PML4_PA, tables, sizeof tables, "page tables");

    /* GDT: null, null, kernel code 0x10 (64-bit), kernel data 0x18 — Linux's __KERNEL_CS/__KERNEL_DS. */
    static const uint64_t gdt[4] = { 0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull };
    put_guest(bus, BOOT_GDT_PA, gdt, sizeof gdt, "gdt");

    cpu_enter_long_mode(cpu, BOOT_PML4_PA, 0);
    cpu->s.gdtr = (struct dtable){ BOOT_GDT_PA, sizeof gdt - 1 };
    cpu->s.idtr = (struct dtable){ 0, 0 };
    cpu->s.cr4 = CR4_PAE;                          /* the kernel enables what it wants */
    cpu->s.rflags = FL_FIXED1;                     /* interrupts off */
    cpu->s.gpr[RSI] = BOOT_PARAMS_PA;
    cpu->s.rip = info->entry;
    cpu_state_changed(cpu);
}
