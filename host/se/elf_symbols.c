/*
 * elf_symbols.c - look a function up by name in a static program's symbol
 * table, so that SE-mode options can name places in the program
 * (--stats-reset-at, --stats-dump-at) instead of raw addresses.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "se/se.h"

/* 0 and *addr set; -1 when the file has no symbol table or no such symbol. */
int se_elf_symbol(const char *path, const char *name, uint64_t *addr)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
        close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    const uint8_t *f = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f == MAP_FAILED)
        return -1;
    int rc = -1;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size ||
        (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum)
        goto out;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum && rc != 0; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Shdr *strs = &sh[sh[i].sh_link];
        if (sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset || strs->sh_offset > size ||
            strs->sh_size > size - strs->sh_offset)
            continue;
        const Elf64_Sym *sym = (const Elf64_Sym *)(f + sh[i].sh_offset);
        size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
        const char *names = (const char *)(f + strs->sh_offset);
        for (size_t k = 0; k < n; k++) {
            if (sym[k].st_name >= strs->sh_size || sym[k].st_value == 0)
                continue;
            const char *s = names + sym[k].st_name;
            if (strnlen(s, strs->sh_size - sym[k].st_name) < strs->sh_size - sym[k].st_name && !strcmp(s, name)) {
                *addr = sym[k].st_value;
                rc = 0;
                break;
            }
        }
    }
out:
    munmap((void *)f, size);
    return rc;
}
