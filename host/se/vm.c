/*
 * vm.c - the emulated process's address space: a sorted list of mappings
 * (like the kernel's VMAs) over 4 KiB page tables in guest RAM, and the
 * host's access to guest memory on behalf of system calls.
 *
 * Program and file mappings are backed by physical pages when they are mapped
 * (their contents come from the file, which the mapping keeps a descriptor
 * of, so that MADV_DONTNEED can drop the private copy and read the file's
 * bytes again, as Linux does). Anonymous memory (mmap, heap, stack) is
 * backed on first touch: the page fault comes to se_vm_fault() through the
 * CPU's exception hook (or from a system call touching the buffer), which
 * gives the page a zeroed physical page and lets the instruction run again.
 * PROT_NONE pages that are backed stay present but supervisor-only, so a user
 * access faults. Physical pages come from the page-table bump allocator;
 * pages given back by munmap are reused last-in first-out after their decoded
 * code is dropped. All of this depends only on the guest's own requests and
 * accesses, so the physical layout is the same on every run.
 */
#include "se/process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu/mmu.h"
#include "util/log.h"

void se_vm_init(struct se *se)
{
    se->vma = NULL;
    se->nvma = se->vma_cap = 0;
    se->free_pages = NULL;
    se->nfree = se->free_cap = 0;
    se->mmap_base = SE_MMAP_BASE;
}

void se_vm_flush(struct se *se)
{
    if (se->cpu)
        mmu_flush(se->cpu, true);
}

uint64_t se_prot_pte(int prot)
{
    if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
        return PTE_NX;
    uint64_t f = PTE_U;
    if (prot & PROT_WRITE)
        f |= PTE_W;
    if (!(prot & PROT_EXEC))
        f |= PTE_NX;
    return f;
}

static uint64_t page_alloc(struct se *se)
{
    uint64_t pa;
    if (se->nfree) {
        pa = se->free_pages[--se->nfree];
        memset(bus_ram_ptr(&se->bus, pa), 0, SE_PAGE);
    } else {
        pa = pt_alloc_page(&se->pt);
        if (!pa)
            return 0;
    }
    se->pages_in_use++;
    return pa;
}

static void page_free(struct se *se, uint64_t pa)
{
    bus_code_written(&se->bus, pa, SE_PAGE);
    if (se->nfree == se->free_cap) {
        se->free_cap = se->free_cap ? se->free_cap * 2 : 1024;
        se->free_pages = realloc(se->free_pages, se->free_cap * sizeof(*se->free_pages));
        if (!se->free_pages)
            fatal("se", "out of host memory");
    }
    se->free_pages[se->nfree++] = pa;
    se->pages_in_use--;
}

/* ---------------------------------------------------------- mappings ---- */

/* A descriptor of the same file for another mapping (a split piece), or -1 for none. */
static int file_dup(int fd)
{
    if (fd < 0)
        return -1;
    int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (d < 0)
        fatal("se", "out of host file descriptors for file mappings: %s", strerror(errno));
    return d;
}

static void file_release(struct se_vma *v)
{
    if (v->fd >= 0)
        close(v->fd);
    v->fd = -1;
}

/* The part [start, end) of v as a mapping of its own (holding its own descriptor). */
static struct se_vma vma_piece(const struct se_vma *v, uint64_t start, uint64_t end)
{
    struct se_vma p = *v;
    p.start = start;
    p.end = end;
    p.fd = file_dup(v->fd);
    p.off = v->off + (start - v->start);
    return p;
}

static void vma_insert_at(struct se *se, unsigned i, struct se_vma v)
{
    if (se->nvma == se->vma_cap) {
        se->vma_cap = se->vma_cap ? se->vma_cap * 2 : 64;
        se->vma = realloc(se->vma, se->vma_cap * sizeof(*se->vma));
        if (!se->vma)
            fatal("se", "out of host memory");
    }
    memmove(&se->vma[i + 1], &se->vma[i], (se->nvma - i) * sizeof(*se->vma));
    se->vma[i] = v;
    se->nvma++;
}

static void vma_delete_at(struct se *se, unsigned i)
{
    file_release(&se->vma[i]);
    memmove(&se->vma[i], &se->vma[i + 1], (se->nvma - i - 1) * sizeof(*se->vma));
    se->nvma--;
}

/* Remove [start, end) from the mapping list, trimming and splitting what overlaps. */
static void vma_remove(struct se *se, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < se->nvma;) {
        struct se_vma *v = &se->vma[i];
        if (v->end <= start || v->start >= end) {
            i++;
        } else if (v->start < start && v->end > end) {
            struct se_vma tail = vma_piece(v, end, v->end);
            v->end = start;
            vma_insert_at(se, i + 1, tail);
            return;
        } else if (v->start < start) {
            v->end = start;
            i++;
        } else if (v->end > end) {
            v->off += end - v->start;
            v->start = end;
            i++;
        } else {
            vma_delete_at(se, i);
        }
    }
}

static bool vma_mergeable(const struct se_vma *a, const struct se_vma *b)
{
    return a->end == b->start && a->prot == b->prot && a->kind == b->kind && a->fd < 0 && b->fd < 0 &&
           (a->kind == VMA_ANON || a->kind == VMA_HEAP || a->kind == VMA_STACK);
}

/* Record the mapping v (which keeps its descriptor), replacing whatever overlapped it. */
static void vma_add(struct se *se, struct se_vma v)
{
    vma_remove(se, v.start, v.end);
    unsigned i = 0;
    while (i < se->nvma && se->vma[i].start < v.start)
        i++;
    vma_insert_at(se, i, v);
    if (i + 1 < se->nvma && vma_mergeable(&se->vma[i], &se->vma[i + 1])) {
        se->vma[i].end = se->vma[i + 1].end;
        vma_delete_at(se, i + 1);
    }
    if (i > 0 && vma_mergeable(&se->vma[i - 1], &se->vma[i])) {
        se->vma[i - 1].end = se->vma[i].end;
        vma_delete_at(se, i);
    }
}

struct se_vma *se_vm_find(struct se *se, uint64_t va)
{
    unsigned lo = 0, hi = se->nvma;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (se->vma[mid].end <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < se->nvma && se->vma[lo].start <= va)
        return &se->vma[lo];
    return NULL;
}

bool se_vm_is_free(const struct se *se, uint64_t start, uint64_t len)
{
    if (start < SE_PAGE || start >= SE_USER_TOP || len > SE_USER_TOP - start)
        return false;
    for (unsigned i = 0; i < se->nvma; i++)
        if (se->vma[i].start < start + len && se->vma[i].end > start)
            return false;
    return true;
}

uint64_t se_vm_find_free(const struct se *se, uint64_t len)
{
    /* Top-down first fit below the mmap base, as Linux's default layout does. */
    uint64_t limit = se->mmap_base;
    for (unsigned i = se->nvma; i-- > 0;) {
        const struct se_vma *v = &se->vma[i];
        if (v->start >= limit)
            continue;
        if (v->end <= limit && limit - v->end >= len)
            return limit - len;
        limit = v->start;
    }
    return limit >= len + 0x10000 ? limit - len : 0;
}

/* ------------------------------------------------------------- pages ---- */

static bool eager_kind(int kind)
{
    return kind == VMA_ELF || kind == VMA_FILE;
}

/* Give every backed page of [start, end) `flags`; with `back`, back the others too. */
static int populate(struct se *se, uint64_t start, uint64_t end, uint64_t flags, bool back)
{
    for (uint64_t va = start; va < end; va += SE_PAGE) {
        uint64_t pte = pt_lookup(&se->pt, va);
        if (pte & PTE_P) {
            pt_protect(&se->pt, va, flags);
        } else if (back) {
            uint64_t pa = page_alloc(se);
            if (!pa || !pt_map(&se->pt, va, pa, flags))
                return -ENOMEM;
        }
    }
    return 0;
}

static void unmap_pages(struct se *se, uint64_t start, uint64_t end)
{
    for (uint64_t va = start; va < end; va += SE_PAGE) {
        uint64_t pte = pt_unmap(&se->pt, va);
        if (pte & PTE_P)
            page_free(se, pte & PTE_ADDR_MASK);
    }
}

/* Free the pages of the mapped parts of [start, end): a huge range with little in it costs little. */
static void unmap_range(struct se *se, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < se->nvma; i++) {
        const struct se_vma *v = &se->vma[i];
        uint64_t s = v->start > start ? v->start : start;
        uint64_t e = v->end < end ? v->end : end;
        if (s < e)
            unmap_pages(se, s, e);
    }
}

int se_vm_map(struct se *se, uint64_t start, uint64_t len, int prot, int kind)
{
    uint64_t end = start + PAGE_UP(len);
    unmap_range(se, start, end);
    vma_add(se, (struct se_vma){ .start = start, .end = end, .prot = prot, .kind = kind, .fd = -1 });
    int rc = 0;
    if (eager_kind(kind))  /* lazy kinds: nothing is backed yet, first touches will be */
        rc = populate(se, start, end, se_prot_pte(prot), true);
    se_vm_flush(se);
    if (rc < 0) {
        unmap_pages(se, start, end);
        vma_remove(se, start, end);
    }
    return rc;
}

void se_vm_unmap(struct se *se, uint64_t start, uint64_t len)
{
    uint64_t end = start + PAGE_UP(len);
    unmap_range(se, start, end);
    vma_remove(se, start, end);
    se_vm_flush(se);
}

int se_vm_protect(struct se *se, uint64_t start, uint64_t len, int prot)
{
    uint64_t end = start + PAGE_UP(len);
    /* The whole range must be mapped. */
    uint64_t at = start;
    for (unsigned i = 0; i < se->nvma && at < end; i++) {
        const struct se_vma *v = &se->vma[i];
        if (v->end <= at)
            continue;
        if (v->start > at)
            return -ENOMEM;
        at = v->end;
    }
    if (at < end)
        return -ENOMEM;

    /* Re-record each overlapped piece with the new protection, keeping its kind. */
    for (at = start; at < end;) {
        struct se_vma *v = se_vm_find(se, at);
        uint64_t piece_end = v->end < end ? v->end : end;
        struct se_vma piece = vma_piece(v, at, piece_end);
        piece.prot = prot;
        vma_add(se, piece);
        at = piece_end;
    }
    populate(se, start, end, se_prot_pte(prot), false);
    se_vm_flush(se);
    return 0;
}

int se_vm_fault(struct se *se, uint64_t va, int access)
{
    struct se_vma *v = se_vm_find(se, va);
    if (!v || v->prot == PROT_NONE || (access & ~v->prot & (PROT_WRITE | PROT_EXEC)))
        return -EFAULT;
    va = PAGE_DOWN(va);
    if (pt_lookup(&se->pt, va) & PTE_P)
        return -EFAULT;  /* backed already: a protection fault, not a missing page */
    uint64_t pa = page_alloc(se);
    if (!pa || !pt_map(&se->pt, va, pa, se_prot_pte(v->prot)))
        return -ENOMEM;
    if (se->cpu)
        mmu_flush_page(se->cpu, va);
    return 0;
}

/* Fill a page with the file's bytes at off, zero past the end of the file. */
static int fill_page(uint8_t *p, int fd, uint64_t off)
{
    size_t got = 0;
    while (got < SE_PAGE) {
        ssize_t n = pread(fd, p + got, SE_PAGE - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break;  /* end of file */
        got += (size_t)n;
    }
    memset(p + got, 0, SE_PAGE - got);
    return 0;
}

int se_vm_set_file(struct se *se, uint64_t start, uint64_t len, int host, uint64_t off)
{
    uint64_t end = start + PAGE_UP(len);
    for (uint64_t at = start; at < end;) {
        struct se_vma *v = se_vm_find(se, at);
        if (!v)
            return -EFAULT;
        uint64_t piece_end = v->end < end ? v->end : end;
        struct se_vma piece = *v;
        piece.start = at;
        piece.end = piece_end;
        piece.fd = file_dup(host);
        piece.off = off + (at - start);
        vma_add(se, piece);
        at = piece_end;
    }
    return 0;
}

/* Give the backed page at va its file's bytes (a mapping without a file: zeros). */
static int refill_page(struct se *se, const struct se_vma *v, uint64_t va)
{
    uint64_t pte = pt_lookup(&se->pt, va);
    if (!(pte & PTE_P))
        return 0;
    uint8_t *p = bus_ram_ptr(&se->bus, pte & PTE_ADDR_MASK);
    bus_code_written(&se->bus, pte & PTE_ADDR_MASK, SE_PAGE);
    int rc = v->fd < 0 ? 0 : fill_page(p, v->fd, v->off + (va - v->start));
    if (v->fd < 0 || rc < 0)
        memset(p, 0, SE_PAGE);
    return rc;
}

int se_vm_fill_file(struct se *se, uint64_t start, uint64_t len)
{
    uint64_t end = start + PAGE_UP(len);
    for (uint64_t va = start; va < end; va += SE_PAGE) {
        const struct se_vma *v = se_vm_find(se, va);
        int rc = v ? refill_page(se, v, va) : -EFAULT;
        if (rc < 0)
            return rc;
    }
    return 0;
}

void se_vm_discard(struct se *se, uint64_t start, uint64_t len, bool anon_only)
{
    uint64_t end = start + PAGE_UP(len);
    for (unsigned i = 0; i < se->nvma; i++) {
        const struct se_vma *v = &se->vma[i];
        uint64_t s = v->start > start ? v->start : start;
        uint64_t e = v->end < end ? v->end : end;
        if (s >= e)
            continue;
        if (!eager_kind(v->kind)) {
            unmap_pages(se, s, e);   /* backed again, zeroed, on the next touch */
            continue;
        }
        if (anon_only && v->fd >= 0)
            continue;
        /* Eagerly backed pages stay backed: their private bytes are replaced instead. */
        for (uint64_t va = s; va < e; va += SE_PAGE)
            refill_page(se, v, va);
    }
    se_vm_flush(se);
}

uint8_t *se_vm_host_page(struct se *se, uint64_t va)
{
    uint64_t pte = pt_lookup(&se->pt, va);
    if (!(pte & PTE_P))
        return NULL;
    return bus_ram_ptr(&se->bus, (pte & PTE_ADDR_MASK) + (va & (SE_PAGE - 1)));
}

void se_vm_move(struct se *se, uint64_t old, uint64_t new, uint64_t len)
{
    struct se_vma *v = se_vm_find(se, old);
    struct se_vma moved = v ? vma_piece(v, old, old + len)
                            : (struct se_vma){ .prot = PROT_NONE, .kind = VMA_ANON, .fd = -1 };
    moved.start = new;
    moved.end = new + len;
    for (uint64_t off = 0; off < len; off += SE_PAGE) {
        uint64_t pte = pt_unmap(&se->pt, old + off);
        if ((pte & PTE_P) && !pt_map(&se->pt, new + off, pte & PTE_ADDR_MASK, se_prot_pte(moved.prot)))
            fatal("se", "out of guest memory for page tables");
    }
    vma_remove(se, old, old + len);
    vma_add(se, moved);
    se_vm_flush(se);
}

/* ----------------------------------------------------- guest access ---- */

uint8_t *se_guest_ptr(struct se *se, uint64_t va, bool write)
{
    if (va >= SE_USER_TOP)
        return NULL;
    uint64_t pte = pt_lookup(&se->pt, va);
    if (!(pte & PTE_P)) {
        if (se_vm_fault(se, va, write ? PROT_WRITE : PROT_READ) < 0)
            return NULL;
        pte = pt_lookup(&se->pt, va);
    }
    if ((pte & (PTE_P | PTE_U)) != (PTE_P | PTE_U) || (write && !(pte & PTE_W)))
        return NULL;
    uint64_t pa = (pte & PTE_ADDR_MASK) + (va & (SE_PAGE - 1));
    if (write)
        bus_code_written(&se->bus, pa & ~(SE_PAGE - 1), 1);
    return bus_ram_ptr(&se->bus, pa);
}

int se_copy_from_guest(struct se *se, uint64_t va, void *buf, size_t len)
{
    uint8_t *d = buf;
    while (len) {
        size_t chunk = SE_PAGE - (va & (SE_PAGE - 1));
        if (chunk > len)
            chunk = len;
        const uint8_t *p = se_guest_ptr(se, va, false);
        if (!p)
            return -EFAULT;
        memcpy(d, p, chunk);
        d += chunk, va += chunk, len -= chunk;
    }
    return 0;
}

int se_copy_to_guest(struct se *se, uint64_t va, const void *buf, size_t len)
{
    if (va >= SE_USER_TOP || len > SE_USER_TOP - va)
        return -EFAULT;
    /* Check every page first so that a bad pointer changes nothing. */
    for (uint64_t p = PAGE_DOWN(va); p < va + len; p += SE_PAGE)
        if (!se_guest_ptr(se, p, true))
            return -EFAULT;
    const uint8_t *s = buf;
    while (len) {
        size_t chunk = SE_PAGE - (va & (SE_PAGE - 1));
        if (chunk > len)
            chunk = len;
        memcpy(se_guest_ptr(se, va, true), s, chunk);
        s += chunk, va += chunk, len -= chunk;
    }
    return 0;
}

long se_strncpy_from_guest(struct se *se, uint64_t va, char *buf, size_t max)
{
    size_t n = 0;
    while (n < max) {
        const uint8_t *p = se_guest_ptr(se, va + n, false);
        if (!p)
            return -EFAULT;
        size_t chunk = SE_PAGE - ((va + n) & (SE_PAGE - 1));
        if (chunk > max - n)
            chunk = max - n;
        const uint8_t *z = memchr(p, 0, chunk);
        if (z) {
            memcpy(buf + n, p, (size_t)(z - p) + 1);
            return (long)(n + (size_t)(z - p));
        }
        memcpy(buf + n, p, chunk);
        n += chunk;
    }
    return -ENAMETOOLONG;
}

int se_guest_iov(struct se *se, uint64_t va, uint64_t len, bool write, struct iovec *iov, int max)
{
    int n = 0;
    if (va + len < va)
        return -EFAULT;
    while (len) {
        size_t chunk = SE_PAGE - (va & (SE_PAGE - 1));
        if (chunk > len)
            chunk = len;
        uint8_t *p = se_guest_ptr(se, va, write);
        if (!p)
            return n ? n : -EFAULT;
        if (n && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == p) {
            iov[n - 1].iov_len += chunk;
        } else {
            if (n == max)
                return n;
            iov[n].iov_base = p;
            iov[n].iov_len = chunk;
            n++;
        }
        va += chunk, len -= chunk;
    }
    return n;
}
