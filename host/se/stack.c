/*
 * stack.c - the initial stack of the emulated process, laid out as Linux's
 * execve does (fs/exec.c, fs/binfmt_elf.c create_elf_tables):
 *
 *   SE_STACK_TOP - 8     8 zero bytes
 *                        the executable's file name (AT_EXECFN)
 *                        environment strings, argument strings (downwards)
 *                        "x86_64" (AT_PLATFORM), 16 random bytes (AT_RANDOM)
 *   RSP (16-aligned) ->  argc, argv[0..argc-1], NULL, envp[..], NULL, auxv pairs, AT_NULL
 */
#include "se/process.h"

#include <elf.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpuid.h"
#include "util/log.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

/* Linux passes CPUID leaf 1 EDX as AT_HWCAP on x86: the CPU model's (cpuid.c). */
static uint64_t hwcap(void)
{
    uint32_t r[4];
    cpuid_query(NULL, 1, 0, r);
    return r[3];
}

static void put(struct se *se, uint64_t va, const void *src, size_t len)
{
    if (se_copy_to_guest(se, va, src, len) < 0)
        fatal("se", "initial stack overflow (arguments and environment too large)");
}

static uint64_t push_string(struct se *se, uint64_t *sp, const char *s)
{
    size_t len = strlen(s) + 1;
    *sp -= len;
    put(se, *sp, s, len);
    return *sp;
}

uint64_t se_build_stack(struct se *se, int argc, char *const argv[], int envc, char *const envp[])
{
    int prot = PROT_READ | PROT_WRITE | (se->image.exec_stack ? PROT_EXEC : 0);
    if (se_vm_map(se, SE_STACK_TOP - SE_STACK_SIZE, SE_STACK_SIZE, prot, VMA_STACK) < 0)
        fatal("se", "out of guest memory for the stack");

    uint64_t sp = SE_STACK_TOP - 8;
    uint64_t zero = 0;
    put(se, sp, &zero, 8);
    uint64_t execfn = push_string(se, &sp, se->path);

    uint64_t *envp_va = calloc((size_t)envc + 1, sizeof(*envp_va));
    uint64_t *argv_va = calloc((size_t)argc + 1, sizeof(*argv_va));
    if (!envp_va || !argv_va)
        fatal("se", "out of host memory");
    for (int i = envc; i-- > 0;)
        envp_va[i] = push_string(se, &sp, envp[i]);
    for (int i = argc; i-- > 0;)
        argv_va[i] = push_string(se, &sp, argv[i]);

    sp &= ~15ull;
    uint64_t platform = push_string(se, &sp, "x86_64");
    uint8_t rnd[16];
    for (int i = 0; i < 16; i += 8) {
        uint64_t r = se_random64(se);
        memcpy(rnd + i, &r, 8);
    }
    sp -= 16;
    put(se, sp, rnd, 16);
    uint64_t random = sp;

    uint64_t auxv[][2] = {
        { AT_HWCAP, hwcap() },
        { AT_PAGESZ, SE_PAGE },
        { AT_CLKTCK, 100 },
        { AT_PHDR, se->image.phdr },
        { AT_PHENT, se->image.phent },
        { AT_PHNUM, se->image.phnum },
        { AT_BASE, 0 },
        { AT_FLAGS, 0 },
        { AT_ENTRY, se->image.entry },
        { AT_UID, getuid() },
        { AT_EUID, geteuid() },
        { AT_GID, getgid() },
        { AT_EGID, getegid() },
        { AT_SECURE, 0 },
        { AT_RANDOM, random },
        { AT_HWCAP2, 0 },
        { AT_EXECFN, execfn },
        { AT_PLATFORM, platform },
        { AT_NULL, 0 },
    };
    size_t nauxv = sizeof(auxv) / sizeof(auxv[0]);
    size_t words = 1 + ((size_t)argc + 1) + ((size_t)envc + 1) + 2 * nauxv;
    sp -= se->stack_pad;   /* --stack-pad: another tool's stack alignment, reproduced */
    sp = (sp - words * 8) & ~15ull;

    uint64_t at = sp, v = (uint64_t)argc;
    put(se, at, &v, 8), at += 8;
    put(se, at, argv_va, ((size_t)argc + 1) * 8), at += ((uint64_t)argc + 1) * 8;
    put(se, at, envp_va, ((size_t)envc + 1) * 8), at += ((uint64_t)envc + 1) * 8;
    put(se, at, auxv, sizeof(auxv));
    free(envp_va);
    free(argv_va);
    return sp;
}
