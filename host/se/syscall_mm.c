/*
 * syscall_mm.c - memory-management system calls: mmap, munmap, mprotect,
 * mremap, brk, madvise and the no-ops around them. The address space itself
 * is vm.c.
 *
 * A file mapping is a private copy of the file's bytes taken when it is
 * mapped; MADV_DONTNEED drops the copy and reads the file's bytes again (vm.c
 * keeps a descriptor of the file with the mapping). MAP_SHARED of a file for writing cannot be kept coherent with the
 * host file: it is accepted as a private copy with a one-time warning.
 */
#include "se/process.h"
#include "se/syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

#define PROT_MASK (PROT_READ | PROT_WRITE | PROT_EXEC)
#define MMAP_MIN_ADDR 0x10000ull   /* vm.mmap_min_addr */

int64_t se_sys_mmap(struct se *se, const uint64_t *a)
{
    uint64_t addr = a[0], len = a[1], flags = a[3], off = a[5];
    int prot = (int)(a[2] & PROT_MASK);
    unsigned type = flags & 0x0f;
    bool anon = flags & MAP_ANONYMOUS;
    int host = -1;

    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
        return -EINVAL;
    if (len == 0 || (off & (SE_PAGE - 1)))
        return -EINVAL;
    if (len > SE_USER_TOP)
        return -ENOMEM;
    len = PAGE_UP(len);
    if (!anon) {
        host = se_fd_host(se, a[4]);
        if (host < 0)
            return -EBADF;
        int fl = fcntl(host, F_GETFL);
        if (fl < 0)
            return -errno;
        if ((fl & O_ACCMODE) == O_WRONLY)
            return -EACCES;
        if (type != MAP_PRIVATE && (prot & PROT_WRITE)) {
            if ((fl & O_ACCMODE) != O_RDWR)
                return -EACCES;
            if (!se->warned_shared) {
                se->warned_shared = true;
                fprintf(stderr, "m5sim se: MAP_SHARED file mapping for writing is a private copy: "
                                "changes will not reach the file\n");
            }
        }
    }

    uint64_t at;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr & (SE_PAGE - 1))
            return -EINVAL;
        if (addr < MMAP_MIN_ADDR)
            return -EPERM;
        if (addr >= SE_USER_TOP || len > SE_USER_TOP - addr)
            return -ENOMEM;
        if (!(flags & MAP_FIXED) && !se_vm_is_free(se, addr, len))
            return -EEXIST;
        at = addr;
    } else if (addr >= MMAP_MIN_ADDR && se_vm_is_free(se, PAGE_DOWN(addr), len)) {
        at = PAGE_DOWN(addr);  /* the hint is free: take it, as Linux does */
    } else {
        at = se_vm_find_free(se, len);
        if (!at)
            return -ENOMEM;
    }

    int rc = se_vm_map(se, at, len, prot, anon ? VMA_ANON : VMA_FILE);
    if (rc < 0)
        return rc;
    if (!anon) {
        int64_t r = se_vm_set_file(se, at, len, host, off);
        if (r == 0)
            r = se_vm_fill_file(se, at, len);
        if (r < 0) {
            se_vm_unmap(se, at, len);
            return r;
        }
    }
    return (int64_t)at;
}

int64_t se_sys_munmap(struct se *se, const uint64_t *a)
{
    if ((a[0] & (SE_PAGE - 1)) || a[1] == 0 || a[0] >= SE_USER_TOP || a[1] > SE_USER_TOP - a[0])
        return -EINVAL;
    se_vm_unmap(se, a[0], a[1]);
    return 0;
}

int64_t se_sys_mprotect(struct se *se, const uint64_t *a)
{
    if (a[0] & (SE_PAGE - 1))
        return -EINVAL;
    if (a[1] == 0)
        return 0;
    if (a[0] >= SE_USER_TOP || a[1] > SE_USER_TOP - a[0])
        return -ENOMEM;
    /* PROT_GROWSDOWN/GROWSUP only extend the change to the whole stack mapping: ignore. */
    return se_vm_protect(se, a[0], a[1], (int)(a[2] & PROT_MASK));
}

int64_t se_sys_mremap(struct se *se, const uint64_t *a)
{
    uint64_t old = a[0], oldlen = PAGE_UP(a[1]), newlen = PAGE_UP(a[2]), flags = a[3], dest = a[4];
    if ((old & (SE_PAGE - 1)) || (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
        ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) || newlen == 0 || oldlen == 0 ||
        a[2] > SE_USER_TOP)
        return -EINVAL;
    struct se_vma *v = se_vm_find(se, old);
    if (!v || old + oldlen > v->end)
        return -EFAULT;
    int prot = v->prot, kind = v->kind;

    if (flags & MREMAP_FIXED) {
        if ((dest & (SE_PAGE - 1)) || dest < MMAP_MIN_ADDR || dest >= SE_USER_TOP ||
            newlen > SE_USER_TOP - dest || (dest < old + oldlen && old < dest + newlen))
            return -EINVAL;
        if (newlen < oldlen) {
            se_vm_unmap(se, old + newlen, oldlen - newlen);
            oldlen = newlen;
        }
        se_vm_unmap(se, dest, newlen);
        se_vm_move(se, old, dest, oldlen);
        if (newlen > oldlen && se_vm_map(se, dest + oldlen, newlen - oldlen, prot, kind) < 0)
            return -ENOMEM;
        return (int64_t)dest;
    }
    if (newlen <= oldlen) {
        if (newlen < oldlen)
            se_vm_unmap(se, old + newlen, oldlen - newlen);
        return (int64_t)old;
    }
    if (se_vm_is_free(se, old + oldlen, newlen - oldlen)) {
        if (se_vm_map(se, old + oldlen, newlen - oldlen, prot, kind) < 0)
            return -ENOMEM;
        return (int64_t)old;
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    dest = se_vm_find_free(se, newlen);
    if (!dest)
        return -ENOMEM;
    se_vm_move(se, old, dest, oldlen);
    if (se_vm_map(se, dest + oldlen, newlen - oldlen, prot, kind) < 0)
        return -ENOMEM;
    return (int64_t)dest;
}

int64_t se_sys_brk(struct se *se, const uint64_t *a)
{
    uint64_t want = a[0];
    if (want < se->brk_start || want >= SE_USER_TOP)
        return (int64_t)se->brk;
    uint64_t oldtop = PAGE_UP(se->brk), newtop = PAGE_UP(want);
    if (newtop > oldtop) {
        if (!se_vm_is_free(se, oldtop, newtop - oldtop) ||
            newtop > SE_STACK_TOP - SE_STACK_SIZE - (1ull << 20) ||
            se_vm_map(se, oldtop, newtop - oldtop, PROT_READ | PROT_WRITE, VMA_HEAP) < 0)
            return (int64_t)se->brk;
    } else if (newtop < oldtop) {
        se_vm_unmap(se, newtop, oldtop - newtop);
    }
    se->brk = want;
    return (int64_t)want;
}

int64_t se_sys_madvise(struct se *se, const uint64_t *a)
{
    if (a[0] & (SE_PAGE - 1))
        return -EINVAL;
    switch (a[2]) {
    case MADV_DONTNEED:
    case MADV_FREE:
        /*
         * The private copy goes: anonymous pages read as zero afterwards,
         * private file mappings (a program's .data too) the file's bytes.
         * MADV_FREE applies to anonymous memory only.
         */
        if (a[0] < SE_USER_TOP && a[1] <= SE_USER_TOP - a[0])
            se_vm_discard(se, a[0], a[1], a[2] == MADV_FREE);
        return 0;
    default:
        return 0;  /* advice only */
    }
}

int64_t se_sys_msync(struct se *se, const uint64_t *a)
{
    (void)se;
    return (a[0] & (SE_PAGE - 1)) ? -EINVAL : 0;
}

int64_t se_sys_mlock(struct se *se, const uint64_t *a) { (void)se, (void)a; return 0; }
int64_t se_sys_munlock(struct se *se, const uint64_t *a) { (void)se, (void)a; return 0; }
int64_t se_sys_mlockall(struct se *se, const uint64_t *a) { (void)se, (void)a; return 0; }
int64_t se_sys_munlockall(struct se *se, const uint64_t *a) { (void)se, (void)a; return 0; }

int64_t se_sys_mincore(struct se *se, const uint64_t *a)
{
    if (a[0] & (SE_PAGE - 1))
        return -EINVAL;
    uint64_t pages = PAGE_UP(a[1]) / SE_PAGE;
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t va = a[0] + i * SE_PAGE;
        if (!se_vm_find(se, va))
            return -ENOMEM;
        uint8_t in = se_vm_host_page(se, va) != NULL;
        if (se_copy_to_guest(se, a[2] + i, &in, 1) < 0)
            return -EFAULT;
    }
    return 0;
}
