/*
 * test_se_vm.c - the address space of syscall emulation (host/se/vm.c,
 * syscall_mm.c) and the host's access to guest memory: mapping lists split
 * and merge, protections reach the page tables, anonymous memory is backed on
 * first touch and reads as zero, bad guest pointers give -EFAULT (never a
 * host crash), brk/mmap/munmap/mprotect/mremap/madvise follow Linux (MADV_DONTNEED
 * reads a private file mapping from its file again), and freed
 * physical pages are reused in a fixed order. A large .bss is one mapping,
 * not one per page (issue 13: a 1 GiB .bss took 42 s to load).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cmocka.h>
#include <elf.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "se/process.h"
#include "se/syscall.h"

#define RAM (256ull << 20)

static int setup(void **state)
{
    struct se *se = calloc(1, sizeof(*se));
    se->cpu = calloc(1, sizeof(*se->cpu));
    se->ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(se->ram != MAP_FAILED);
    bus_init(&se->bus);
    bus_add_ram(&se->bus, 0, RAM, se->ram);
    pt_init(&se->pt, &se->bus, SE_PAGE, RAM);
    cpu_init(se->cpu, &se->bus, 0);
    se->path = "test";
    se_vm_init(se);
    se_process_init(se);
    se_fd_init(se);
    se->brk_start = se->brk = 0x600000;
    cpu_enter_long_mode(se->cpu, se->pt.root, 3);
    *state = se;
    return 0;
}

static int teardown(void **state)
{
    struct se *se = *state;
    cpu_free(se->cpu);
    munmap(se->ram, RAM);
    free(se->vma);
    free(se->free_pages);
    free(se->cpu);
    free(se);
    return 0;
}

static int64_t sys(int64_t (*fn)(struct se *, const uint64_t *), struct se *se, uint64_t a0,
                   uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
    return fn(se, a);
}

#define MMAP(se, addr, len, prot, flags) \
    sys(se_sys_mmap, se, addr, len, prot, flags, (uint64_t)-1, 0)

/* ----------------------------------------------------------- mappings -- */

static void test_map_split_merge(void **state)
{
    struct se *se = *state;
    uint64_t base = 0x10000000;
    assert_int_equal(se_vm_map(se, base, 16 * SE_PAGE, PROT_READ | PROT_WRITE, VMA_ANON), 0);
    assert_int_equal(se->nvma, 1);
    /* mprotect in the middle splits into three. */
    assert_int_equal(se_vm_protect(se, base + 4 * SE_PAGE, 4 * SE_PAGE, PROT_READ), 0);
    assert_int_equal(se->nvma, 3);
    assert_int_equal(se_vm_find(se, base + 5 * SE_PAGE)->prot, PROT_READ);
    assert_int_equal(se_vm_find(se, base + 9 * SE_PAGE)->prot, PROT_READ | PROT_WRITE);
    /* Back to the same protection: the three merge again. */
    assert_int_equal(se_vm_protect(se, base + 4 * SE_PAGE, 4 * SE_PAGE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(se->nvma, 1);
    /* A hole in the middle. */
    se_vm_unmap(se, base + 2 * SE_PAGE, SE_PAGE);
    assert_int_equal(se->nvma, 2);
    assert_null(se_vm_find(se, base + 2 * SE_PAGE));
    assert_false(se_vm_is_free(se, base, 3 * SE_PAGE));
    assert_true(se_vm_is_free(se, base + 2 * SE_PAGE, SE_PAGE));
    /* mprotect across the hole fails and changes nothing. */
    assert_int_equal(se_vm_protect(se, base, 4 * SE_PAGE, PROT_READ), -ENOMEM);
    assert_int_equal(se_vm_find(se, base)->prot, PROT_READ | PROT_WRITE);
}

static void test_find_free_top_down(void **state)
{
    struct se *se = *state;
    uint64_t a = (uint64_t)MMAP(se, 0, 3 * SE_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    uint64_t b = (uint64_t)MMAP(se, 0, SE_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    assert_int_equal(a, SE_MMAP_BASE - 3 * SE_PAGE);
    assert_int_equal(b, a - SE_PAGE);
    /* The freed gap is found again by a request that fits. */
    assert_int_equal(sys(se_sys_munmap, se, a, 3 * SE_PAGE, 0, 0, 0, 0), 0);
    assert_int_equal((uint64_t)MMAP(se, 0, 2 * SE_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
                     SE_MMAP_BASE - 2 * SE_PAGE);
    /* A free hint is honoured; MAP_FIXED_NOREPLACE over a mapping is refused. */
    assert_int_equal((uint64_t)MMAP(se, 0x20000000, SE_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
                     0x20000000);
    assert_int_equal(MMAP(se, 0x20000000, SE_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | 0x100000),
                     -EEXIST);
    assert_int_equal(MMAP(se, 0x20000001, SE_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
                     -EINVAL);
    assert_int_equal(MMAP(se, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS), -EINVAL);
    assert_int_equal(MMAP(se, 0, SE_PAGE, PROT_READ, MAP_ANONYMOUS), -EINVAL);
}

/* ------------------------------------------------------- page tables -- */

static void test_protections_in_ptes(void **state)
{
    struct se *se = *state;
    uint64_t va = (uint64_t)MMAP(se, 0, 4 * SE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    /* Anonymous memory is not backed until touched. */
    assert_int_equal(pt_lookup(&se->pt, va) & PTE_P, 0);
    uint64_t in_use = se->pages_in_use;
    uint32_t v = 0x12345678;
    assert_int_equal(se_copy_to_guest(se, va + 8, &v, 4), 0);
    assert_int_equal(se->pages_in_use, in_use + 1);
    uint64_t pte = pt_lookup(&se->pt, va);
    assert_true(pte & PTE_P);
    assert_true(pte & PTE_U);
    assert_true(pte & PTE_W);
    assert_true(pte & PTE_NX);
    /* Read-only: present, user, not writable; host writes fail with -EFAULT. */
    assert_int_equal(sys(se_sys_mprotect, se, va, SE_PAGE, PROT_READ, 0, 0, 0), 0);
    pte = pt_lookup(&se->pt, va);
    assert_true(pte & PTE_U);
    assert_false(pte & PTE_W);
    assert_int_equal(se_copy_to_guest(se, va + 8, &v, 4), -EFAULT);
    uint32_t r = 0;
    assert_int_equal(se_copy_from_guest(se, va + 8, &r, 4), 0);
    assert_int_equal(r, 0x12345678);
    /* PROT_NONE: present but supervisor-only, the contents kept for a later mprotect. */
    assert_int_equal(sys(se_sys_mprotect, se, va, SE_PAGE, PROT_NONE, 0, 0, 0), 0);
    assert_false(pt_lookup(&se->pt, va) & PTE_U);
    assert_int_equal(se_copy_from_guest(se, va + 8, &r, 4), -EFAULT);
    assert_int_equal(sys(se_sys_mprotect, se, va, SE_PAGE, PROT_READ | PROT_EXEC, 0, 0, 0), 0);
    pte = pt_lookup(&se->pt, va);
    assert_false(pte & PTE_NX);
    r = 0;
    assert_int_equal(se_copy_from_guest(se, va + 8, &r, 4), 0);
    assert_int_equal(r, 0x12345678);
    /* An untouched PROT_NONE page is never backed by a host access. */
    assert_int_equal(sys(se_sys_mprotect, se, va + SE_PAGE, SE_PAGE, PROT_NONE, 0, 0, 0), 0);
    assert_int_equal(se_copy_from_guest(se, va + SE_PAGE, &r, 4), -EFAULT);
    assert_int_equal(pt_lookup(&se->pt, va + SE_PAGE) & PTE_P, 0);
}

static void test_bad_pointers(void **state)
{
    struct se *se = *state;
    char buf[64];
    assert_int_equal(se_copy_from_guest(se, 0, buf, 1), -EFAULT);
    assert_int_equal(se_copy_to_guest(se, 8, buf, 1), -EFAULT);
    assert_int_equal(se_copy_from_guest(se, 0xffff800000000000ull, buf, 8), -EFAULT);
    assert_int_equal(se_copy_to_guest(se, ~0ull - 3, buf, 8), -EFAULT);
    /* Non-canonical addresses must not alias low ones in the page tables. */
    uint64_t va = (uint64_t)MMAP(se, 0, SE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    assert_int_equal(se_copy_to_guest(se, va, "x", 1), 0);
    assert_int_equal(se_copy_from_guest(se, va | (1ull << 48), buf, 1), -EFAULT);
    /* A copy that runs off the end of a mapping fails as a whole and writes nothing. */
    memset(buf, 'y', sizeof(buf));
    assert_int_equal(se_copy_to_guest(se, va + SE_PAGE - 8, buf, 16), -EFAULT);
    char c = 0;
    assert_int_equal(se_copy_from_guest(se, va + SE_PAGE - 8, &c, 1), 0);
    assert_int_equal(c, 0);
    assert_int_equal(se_copy_from_guest(se, va + SE_PAGE - 8, buf, 16), -EFAULT);
    /* System calls with bad pointers return -EFAULT. */
    assert_int_equal(sys(se_sys_uname, se, 16, 0, 0, 0, 0, 0), -EFAULT);
    assert_int_equal(sys(se_sys_clock_gettime, se, 0, 0x1000, 0, 0, 0, 0), -EFAULT);
    assert_int_equal(sys(se_sys_write, se, 1, 0x1000, 10, 0, 0, 0), -EFAULT);
    assert_int_equal(sys(se_sys_openat, se, (uint64_t)-100, 0, 0, 0, 0, 0), -EFAULT);
    assert_int_equal(sys(se_sys_read, se, 77, va, 1, 0, 0, 0), -EBADF);
}

static void test_strings_and_iov(void **state)
{
    struct se *se = *state;
    uint64_t va = (uint64_t)MMAP(se, 0, 2 * SE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    /* A string crossing a page boundary. */
    const char *s = "crossing";
    assert_int_equal(se_copy_to_guest(se, va + SE_PAGE - 3, s, strlen(s) + 1), 0);
    char buf[16];
    assert_int_equal(se_strncpy_from_guest(se, va + SE_PAGE - 3, buf, sizeof(buf)), (long)strlen(s));
    assert_string_equal(buf, s);
    assert_int_equal(se_strncpy_from_guest(se, va + SE_PAGE - 3, buf, 4), -ENAMETOOLONG);
    /* No terminator before the end of the mapping. */
    char fill[SE_PAGE];
    memset(fill, 'z', sizeof(fill));
    assert_int_equal(se_copy_to_guest(se, va + SE_PAGE, fill, SE_PAGE), 0);
    char big[3 * SE_PAGE];
    assert_int_equal(se_strncpy_from_guest(se, va + SE_PAGE, big, sizeof(big)), -EFAULT);
    /* Two pages touched in order get consecutive physical pages: one iovec. */
    uint64_t v2 = (uint64_t)MMAP(se, 0, 2 * SE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    struct iovec iov[4];
    assert_int_equal(se_guest_iov(se, v2 + 100, 2 * SE_PAGE - 200, true, iov, 4), 1);
    assert_int_equal(iov[0].iov_len, 2 * SE_PAGE - 200);
    assert_int_equal(se_guest_iov(se, v2, SE_PAGE, false, iov, 0), 0);       /* no room */
    assert_int_equal(se_guest_iov(se, 0x1000, 10, false, iov, 4), -EFAULT);
}

/* ---------------------------------------------------------- brk, mremap -- */

static void test_brk(void **state)
{
    struct se *se = *state;
    uint64_t b0 = (uint64_t)sys(se_sys_brk, se, 0, 0, 0, 0, 0, 0);
    assert_int_equal(b0, 0x600000);
    assert_int_equal((uint64_t)sys(se_sys_brk, se, b0 + 10000, 0, 0, 0, 0, 0), b0 + 10000);
    uint8_t x = 0xab;
    assert_int_equal(se_copy_to_guest(se, b0 + 9999, &x, 1), 0);
    assert_int_equal(se_copy_to_guest(se, b0 + 3 * SE_PAGE, &x, 1), -EFAULT);  /* past the break */
    /* Shrink and grow again: the page above the break reads zero again. */
    assert_int_equal((uint64_t)sys(se_sys_brk, se, b0 + 100, 0, 0, 0, 0, 0), b0 + 100);
    assert_int_equal((uint64_t)sys(se_sys_brk, se, b0 + 10000, 0, 0, 0, 0, 0), b0 + 10000);
    x = 1;
    assert_int_equal(se_copy_from_guest(se, b0 + 9999, &x, 1), 0);
    assert_int_equal(x, 0);
    /* Below the start, or into a mapping: refused, the break stays. */
    assert_int_equal((uint64_t)sys(se_sys_brk, se, b0 - SE_PAGE, 0, 0, 0, 0, 0), b0 + 10000);
    assert_int_equal(se_vm_map(se, b0 + 8 * SE_PAGE, SE_PAGE, PROT_READ, VMA_ANON), 0);
    assert_int_equal((uint64_t)sys(se_sys_brk, se, b0 + 16 * SE_PAGE, 0, 0, 0, 0, 0), b0 + 10000);
}

static void test_mremap(void **state)
{
    struct se *se = *state;
    uint64_t a = (uint64_t)MMAP(se, 0, 2 * SE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    /* Block growth in place with a mapping right above. */
    uint64_t guard = (uint64_t)MMAP(se, a + 2 * SE_PAGE, SE_PAGE, PROT_READ,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    assert_int_equal(guard, a + 2 * SE_PAGE);
    assert_int_equal(se_copy_to_guest(se, a + SE_PAGE + 5, "data", 5), 0);
    assert_int_equal(sys(se_sys_mremap, se, a, 2 * SE_PAGE, 8 * SE_PAGE, 0, 0, 0), -ENOMEM);
    uint64_t b = (uint64_t)sys(se_sys_mremap, se, a, 2 * SE_PAGE, 8 * SE_PAGE, MREMAP_MAYMOVE, 0, 0);
    assert_true(b != a);
    char buf[5];
    assert_int_equal(se_copy_from_guest(se, b + SE_PAGE + 5, buf, 5), 0);
    assert_string_equal(buf, "data");
    assert_null(se_vm_find(se, a));
    assert_int_equal(se_vm_find(se, b + 7 * SE_PAGE)->prot, PROT_READ | PROT_WRITE);
    /* Shrinking keeps the address. */
    assert_int_equal((uint64_t)sys(se_sys_mremap, se, b, 8 * SE_PAGE, SE_PAGE, 0, 0, 0), b);
    assert_null(se_vm_find(se, b + SE_PAGE));
    /* Not a mapping. */
    assert_int_equal(sys(se_sys_mremap, se, 0x30000000, SE_PAGE, 2 * SE_PAGE, MREMAP_MAYMOVE, 0, 0), -EFAULT);
}

static void test_madvise_and_page_reuse(void **state)
{
    struct se *se = *state;
    uint64_t a = (uint64_t)MMAP(se, 0, 2 * SE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    uint8_t x = 7;
    assert_int_equal(se_copy_to_guest(se, a, &x, 1), 0);
    uint64_t pa = pt_lookup(&se->pt, a) & PTE_ADDR_MASK;
    assert_int_equal(sys(se_sys_madvise, se, a, 2 * SE_PAGE, MADV_DONTNEED, 0, 0, 0), 0);
    assert_non_null(se_vm_find(se, a));  /* still mapped ... */
    assert_int_equal(se_copy_from_guest(se, a, &x, 1), 0);
    assert_int_equal(x, 0);                /* ... reading zero, on the page just given back */
    assert_int_equal(pt_lookup(&se->pt, a) & PTE_ADDR_MASK, pa);
    /* munmap gives the page back; the next first touch reuses it, zeroed. */
    x = 9;
    assert_int_equal(se_copy_to_guest(se, a, &x, 1), 0);
    assert_int_equal(sys(se_sys_munmap, se, a, 2 * SE_PAGE, 0, 0, 0, 0), 0);
    uint64_t b = (uint64_t)MMAP(se, 0, SE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    assert_int_equal(se_copy_from_guest(se, b, &x, 1), 0);
    assert_int_equal(x, 0);
    assert_int_equal(pt_lookup(&se->pt, b) & PTE_ADDR_MASK, pa);
}

/* A private file mapping: MADV_DONTNEED reads the file again, through splits and moves; MADV_FREE keeps it. */
static void test_madvise_file_mapping(void **state)
{
    struct se *se = *state;
    char path[] = "/tmp/m5sim-test-se-vm-XXXXXX";
    int host = mkstemp(path);
    assert_true(host >= 0);
    unlink(path);
    static uint8_t file[3 * SE_PAGE];
    for (int i = 0; i < 3; i++)
        memset(file + i * SE_PAGE, 'A' + i, SE_PAGE);
    assert_int_equal(write(host, file, sizeof file), sizeof file);
    se->fd[9] = (struct se_fd){ .host = host };
    uint64_t a = (uint64_t)sys(se_sys_mmap, se, 0, 3 * SE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 9, 0);
    assert_true(a < SE_USER_TOP);
    uint8_t x = 0, z = 'z';
    for (int i = 0; i < 3; i++)
        assert_int_equal(se_copy_to_guest(se, a + i * SE_PAGE + 1, &z, 1), 0);
    /* Split the mapping in three; the pieces keep their file offsets. */
    assert_int_equal(sys(se_sys_mprotect, se, a + SE_PAGE, SE_PAGE, PROT_READ, 0, 0, 0), 0);
    assert_int_equal(sys(se_sys_madvise, se, a, 3 * SE_PAGE, MADV_FREE, 0, 0, 0), 0);
    assert_int_equal(se_copy_from_guest(se, a + SE_PAGE + 1, &x, 1), 0);
    assert_int_equal(x, 'z');                        /* MADV_FREE: file pages untouched */
    assert_int_equal(sys(se_sys_madvise, se, a, 3 * SE_PAGE, MADV_DONTNEED, 0, 0, 0), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(se_copy_from_guest(se, a + i * SE_PAGE + 1, &x, 1), 0);
        assert_int_equal(x, 'A' + i);
    }
    /* The file's current bytes, after it changed. */
    assert_int_equal(pwrite(host, "Q", 1, 2 * SE_PAGE + 1), 1);
    assert_int_equal(se_copy_to_guest(se, a + 2 * SE_PAGE + 1, &z, 1), 0);
    /* Moved by mremap: still the same part of the file. */
    uint64_t to = 0x30000000;
    assert_int_equal(sys(se_sys_mremap, se, a + 2 * SE_PAGE, SE_PAGE, SE_PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to, 0),
                     (int64_t)to);
    assert_int_equal(sys(se_sys_madvise, se, to, SE_PAGE, MADV_DONTNEED, 0, 0, 0), 0);
    assert_int_equal(se_copy_from_guest(se, to + 1, &x, 1), 0);
    assert_int_equal(x, 'Q');
    close(host);   /* the mappings hold their own descriptors */
    assert_int_equal(sys(se_sys_madvise, se, a, SE_PAGE, MADV_DONTNEED, 0, 0, 0), 0);
    assert_int_equal(se_copy_from_guest(se, a + 1, &x, 1), 0);
    assert_int_equal(x, 'A');
    se->fd[9] = (struct se_fd){ .host = -1 };
}

static void test_lazy_fault(void **state)
{
    struct se *se = *state;
    uint64_t a = (uint64_t)MMAP(se, 0, SE_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    assert_int_equal(se_vm_fault(se, a + 5, PROT_WRITE), -EFAULT);  /* not writable */
    assert_int_equal(se_vm_fault(se, a + 5, PROT_EXEC), -EFAULT);   /* not executable */
    assert_int_equal(se_vm_fault(se, a + 5, PROT_READ), 0);
    assert_true(pt_lookup(&se->pt, a) & PTE_P);
    assert_int_equal(se_vm_fault(se, a + 5, PROT_READ), -EFAULT);   /* backed already */
    assert_int_equal(se_vm_fault(se, 0x40000000, PROT_READ), -EFAULT);
}

/* -------------------------------------------------------- ELF loading -- */

/* A static ELF whose one PT_LOAD holds a page of file bytes and a 16 MiB .bss. */
static void test_large_bss_is_one_mapping(void **state)
{
    struct se *se = *state;
    char path[] = "/tmp/test_se_vm_bss.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint8_t file[4096] = { 0 };
    Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = 0x400100;
    eh->e_phoff = sizeof *eh;
    eh->e_ehsize = sizeof *eh;
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 1;
    Elf64_Phdr *ph = (Elf64_Phdr *)(file + sizeof *eh);
    *ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0, .p_vaddr = 0x400000,
                        .p_paddr = 0x400000, .p_filesz = sizeof file, .p_memsz = 16ull << 20, .p_align = 4096 };
    assert_int_equal(write(fd, file, sizeof file), (ssize_t)sizeof file);
    close(fd);
    struct se_image img;
    se_load_elf(se, path, &img);
    unlink(path);
    assert_int_equal(img.entry, 0x400100);
    unsigned elf_vmas = 0;
    for (unsigned i = 0; i < se->nvma; i++)
        if (se->vma[i].kind == VMA_ELF)
            elf_vmas++;
    assert_true(elf_vmas <= 2);   /* the file page and the .bss, not 4096 one-page mappings */
    assert_non_null(se_vm_find(se, 0x400000 + (16ull << 20) - 1));
    assert_null(se_vm_find(se, 0x400000 + (16ull << 20)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_map_split_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_free_top_down, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protections_in_ptes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_pointers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings_and_iov, setup, teardown),
        cmocka_unit_test_setup_teardown(test_brk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mremap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_madvise_and_page_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_madvise_file_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lazy_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_bss_is_one_mapping, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
