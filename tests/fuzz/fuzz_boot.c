/*
 * fuzz_boot.c - the kernel loader (host/machine/boot.c): the input is the
 * --kernel file, an ELF vmlinux or a bzImage, loaded into a bus with 64 MiB
 * of RAM; a kernel it accepts then gets its boot_params, command line and
 * page tables written as a boot would (boot_setup reads the loader's result).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "fuzz.h"
#include "machine/boot.h"
#include "mem/bus.h"

#define RAM_SIZE (64ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bus bus;
    static struct cpu cpu;
    static uint8_t *ram;
    static char path[128];
    if (!ram) {
        ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (ram == MAP_FAILED)
            return 0;
        bus_init(&bus);
        bus_add_ram(&bus, 0, RAM_SIZE, ram);
        cpu_init(&cpu, &bus, 0);
        snprintf(path, sizeof path, "%s/vmlinux", fuzz_tmpdir());
    }
    fuzz_write_file(path, data, size);

    static const struct e820_entry e820[] = {
        { 0, BOOT_LOW_RAM_END, 1 },
        { 0x100000, RAM_SIZE - 0x100000, 1 },
    };
    static const char cmdline[] = "console=ttyS0 root=/dev/vda rw";
    int fd = fuzz_next_fd();
    if (FUZZ_TRY) {
        struct boot_info info;
        boot_load_kernel(&bus, path, 0, &info);
        boot_setup(&bus, &cpu, &info, cmdline, e820, 2, 42);
        FUZZ_DONE();
    } else {
        fuzz_close_fds_from(fd);
    }
    return 0;
}
