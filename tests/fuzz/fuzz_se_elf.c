/*
 * fuzz_se_elf.c - the SE-mode ELF loader (host/se/elf_load.c): the input is
 * the program file, loaded into a fresh emulated process (256 MiB of guest
 * RAM, reserved lazily) as `m5sim se` does before the first instruction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "fuzz.h"
#include "se/process.h"

#define RAM (256ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[128];
    if (!path[0])
        snprintf(path, sizeof path, "%s/program", fuzz_tmpdir());
    fuzz_write_file(path, data, size);

    struct se *se = calloc(1, sizeof(*se));
    se->cpu = calloc(1, sizeof(*se->cpu));
    se->ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (se->ram == MAP_FAILED)
        abort();
    bus_init(&se->bus);
    bus_add_ram(&se->bus, 0, RAM, se->ram);
    pt_init(&se->pt, &se->bus, SE_PAGE, RAM);
    cpu_init(se->cpu, &se->bus, 0);
    se->path = path;
    se_vm_init(se);
    se_process_init(se);
    se_fd_init(se);
    int fd = fuzz_next_fd();
    if (FUZZ_TRY) {
        se_load_elf(se, path, &se->image);
        FUZZ_DONE();
    } else {
        fuzz_close_fds_from(fd);
    }
    cpu_free(se->cpu);
    munmap(se->ram, RAM);
    free(se->vma);
    free(se->free_pages);
    free(se->cpu);
    free(se);
    return 0;
}
