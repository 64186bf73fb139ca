/*
 * elf_load.c - load a static x86-64 ELF executable into the emulated process.
 *
 * Each PT_LOAD segment is mapped at its address with its permissions: file
 * bytes copied in, the rest (bss) left zero. The pages that hold file bytes
 * are a private file mapping, as in Linux: MADV_DONTNEED on them reads the
 * whole page from the file again (vm.c). A static-pie executable (ET_DYN
 * without PT_INTERP) is loaded at SE_PIE_BASE. Dynamically linked programs
 * need the host's dynamic loader and libraries inside the guest, which syscall
 * emulation does not provide: they are refused with a message saying so.
 * Thread-local storage (PT_TLS) is set up by the C library itself.
 */
#include "se/process.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

/* The whole file, and in *fdp a descriptor of it for the file mappings. */
static uint8_t *read_file(const char *path, size_t *size, int *fdp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fatal(path, "%s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0)
        fatal(path, "%s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        fatal(path, "is a directory, not a program");
    if (!S_ISREG(st.st_mode))
        fatal(path, "not a regular file");
    uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf)
        fatal(path, "out of host memory reading the program");
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fatal(path, "read error: %s", n < 0 ? strerror(errno) : "file shrank");
        got += (size_t)n;
    }
    *fdp = fd;
    *size = got;
    return buf;
}

static int segment_prot(uint32_t pf)
{
    return ((pf & PF_R) ? PROT_READ : 0) | ((pf & PF_W) ? PROT_WRITE : 0) |
           ((pf & PF_X) ? PROT_EXEC : 0);
}

void se_load_elf(struct se *se, const char *path, struct se_image *img)
{
    size_t size;
    int fd;
    uint8_t *file = read_file(path, &size, &fd);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;

    if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) {
        if (size >= 2 && file[0] == '#' && file[1] == '!')
            fatal(path, "a script, not an ELF executable: run its interpreter instead");
        fatal(path, "not an ELF executable");
    }
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        eh->e_machine != EM_X86_64)
        fatal(path, "not an x86-64 (64-bit) executable");
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        fatal(path, "not an executable (ELF type %u)", eh->e_type);
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
        eh->e_phoff > size || (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
        fatal(path, "corrupt ELF program headers");

    const Elf64_Phdr *ph = (const Elf64_Phdr *)(file + eh->e_phoff);
    uint64_t lo = ~0ull, hi = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP) {
            char interp[256] = "?";
            if (ph[i].p_offset < size && ph[i].p_filesz < sizeof(interp) &&
                ph[i].p_filesz <= size - ph[i].p_offset) {
                memcpy(interp, file + ph[i].p_offset, ph[i].p_filesz);
                interp[ph[i].p_filesz] = 0;
            }
            fatal(path, "dynamically linked (interpreter %s); se mode runs static executables "
                        "only: link with -static", interp);
        }
        if (ph[i].p_type == PT_LOAD && ph[i].p_memsz) {
            if (ph[i].p_vaddr < lo)
                lo = ph[i].p_vaddr;
            if (ph[i].p_vaddr + ph[i].p_memsz > hi)
                hi = ph[i].p_vaddr + ph[i].p_memsz;
        }
    }
    if (hi == 0)
        fatal(path, "no loadable segments");

    uint64_t bias = eh->e_type == ET_DYN ? SE_PIE_BASE - PAGE_DOWN(lo) : 0;
    memset(img, 0, sizeof(*img));
    img->entry = eh->e_entry + bias;
    img->phent = sizeof(Elf64_Phdr);
    img->phnum = eh->e_phnum;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type == PT_GNU_STACK)
            img->exec_stack = (p->p_flags & PF_X) != 0;
        if (p->p_type == PT_PHDR)
            img->phdr = p->p_vaddr + bias;
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        uint64_t va = p->p_vaddr + bias;
        if (p->p_filesz > p->p_memsz || p->p_offset > size || p->p_filesz > size - p->p_offset ||
            va < SE_PAGE || va >= SE_USER_TOP || p->p_memsz > SE_USER_TOP - va || p->p_memsz > SE_RAM_SIZE ||
            ((p->p_vaddr - p->p_offset) & (SE_PAGE - 1)))
            fatal(path, "corrupt or unsupported PT_LOAD segment %u", i);

        /* Map the pages this segment does not share with an earlier one. */
        uint64_t start = PAGE_DOWN(va), end = PAGE_UP(va + p->p_memsz);
        int prot = segment_prot(p->p_flags);
        for (uint64_t pg = start; pg < end;) {
            struct se_vma *v = se_vm_find(se, pg);
            if (!v) {
                /* One mapping for the whole unmapped run: page by page costs the square of the size. */
                uint64_t run = pg + SE_PAGE;
                while (run < end && !se_vm_find(se, run))
                    run += SE_PAGE;
                if (se_vm_map(se, pg, run - pg, prot, VMA_ELF) < 0)
                    fatal(path, "out of guest memory loading the program");
                pg = run;
                continue;
            }
            if ((v->prot | prot) != v->prot) {
                /* A page shared by two segments gets the permissions of both. */
                se_vm_protect(se, pg, SE_PAGE, v->prot | prot);
            }
            pg += SE_PAGE;
        }
        /* The pages holding file bytes are a private mapping of the file (a later segment wins a shared page). */
        if (p->p_filesz)
            se_vm_set_file(se, start, PAGE_UP(va + p->p_filesz) - start, fd, PAGE_DOWN(p->p_offset));
        /* Copy the file bytes in (the mapping may be read-only: write through RAM directly). */
        uint64_t done = 0;
        while (done < p->p_filesz) {
            uint64_t a = va + done;
            uint64_t chunk = SE_PAGE - (a & (SE_PAGE - 1));
            if (chunk > p->p_filesz - done)
                chunk = p->p_filesz - done;
            memcpy(se_vm_host_page(se, a), file + p->p_offset + done, chunk);
            done += chunk;
        }
        /* Where the program headers are, if no PT_PHDR says so: inside the first segment. */
        if (!img->phdr && eh->e_phoff >= p->p_offset && eh->e_phoff < p->p_offset + p->p_filesz)
            img->phdr = va + (eh->e_phoff - p->p_offset);
    }
    img->end = hi + bias;
    close(fd);
    free(file);
}
