/*
 * boot.h - the Linux 64-bit boot protocol (Documentation/x86/boot.rst):
 * load the kernel (ELF vmlinux at its physical addresses; a bzImage's
 * payload decompressed on the host and loaded as that vmlinux, or with
 * run_decompressor its protected-mode part for the kernel's own
 * decompressor), write boot_params (the "zero page") with the e820 map
 * and the command line, build identity page tables and a GDT, and leave the
 * CPU in long mode at the 64-bit entry point with RSI = boot_params.
 */
#ifndef M5SIM_MACHINE_BOOT_H
#define M5SIM_MACHINE_BOOT_H

#include <stdint.h>

struct bus;
struct cpu;

/* Guest-physical layout used by the loader. */
#define BOOT_GDT_PA         0x00000500ull
#define BOOT_PARAMS_PA      0x00007000ull
#define BOOT_PML4_PA        0x00009000ull
#define BOOT_PDPT_PA        0x0000a000ull
#define BOOT_PD_PA          0x0000b000ull   /* four page directories: identity map of 0..4 GiB */
#define BOOT_CMDLINE_PA     0x00020000ull
#define BOOT_SETUP_DATA_PA  0x00030000ull   /* setup_data list: the RNG seed */
#define BOOT_CMDLINE_MAX    4096
#define BOOT_BZIMAGE_PA     0x00100000ull
#define BOOT_LOW_RAM_END    0x0009fc00ull   /* conventional memory below the EBDA */

struct e820_entry {
    uint64_t addr, size;
    uint32_t type;           /* 1 RAM, 2 reserved */
};

struct boot_info {
    uint64_t entry;          /* physical 64-bit entry point */
    uint64_t kernel_end;     /* highest physical byte loaded */
    int is_bzimage;          /* boot_params carries the bzImage's setup header */
    const char *payload_format;   /* bzImage payload decompressed on the host: "gzip", "xz", ...; else NULL */
    uint64_t initrd_addr, initrd_size;   /* the ramdisk (boot_load_initrd), or 0 */
    uint32_t cmdline_max;    /* longest command line the kernel keeps (bzImage cmdline_size, else x86 Linux's) */
};

/* x86 Linux's COMMAND_LINE_SIZE: a vmlinux keeps at most this many bytes, NUL included. */
#define BOOT_LINUX_CMDLINE_SIZE 2048

/*
 * Load the kernel file into guest RAM. A bzImage's payload is decompressed
 * here (machine/payload.h) and the CPU starts at the kernel proper, unless
 * run_decompressor asks for the bzImage's own decompressor to run in the
 * guest. On a bad file, report one clear line naming the file and exit 2
 * (fatal()).
 */
void boot_load_kernel(struct bus *bus, const char *path, int run_decompressor, struct boot_info *info);
/*
 * Load an initial ramdisk (--initrd) page-aligned at the top of the RAM
 * below 896 MiB (the boot protocol's default initrd_addr_max for old
 * kernels, and below the kernel's own limit from a bzImage header), clear
 * of the kernel; boot_setup then passes it in ramdisk_image/ramdisk_size.
 */
void boot_load_initrd(struct bus *bus, const char *path, const struct e820_entry *e820, unsigned n_e820,
                      struct boot_info *info);
/*
 * Write boot_params, the command line, page tables and GDT; set up the CPU to
 * enter the kernel. `rng_seed` seeds the guest kernel's random number
 * generator (a SETUP_RNG_SEED record): without it the kernel waits for
 * entropy a simulated machine never gathers, and with a fixed seed runs stay
 * deterministic.
 */
void boot_setup(struct bus *bus, struct cpu *cpu, const struct boot_info *info, const char *cmdline,
                const struct e820_entry *e820, unsigned n_e820, uint64_t rng_seed);

#endif
