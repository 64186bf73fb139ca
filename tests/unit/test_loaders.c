/*
 * test_loaders.c - crafted program and kernel files found by fuzzing
 * (tests/fuzz/, docs/fuzzing.md): each must be refused with m5sim's one-line
 * error (exit status 2), promptly, never loaded from outside the file nor
 * crash. Each load runs in a child, since a refusal exits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "machine/boot.h"
#include "mem/bus.h"
#include "se/process.h"

static char path[64];

/* An x86-64 ELF header with one program header right after it. */
static void write_elf(uint16_t type, uint64_t phoff, Elf64_Phdr ph)
{
    uint8_t file[4096] = { 0 };
    Elf64_Ehdr eh = { .e_type = type, .e_machine = EM_X86_64, .e_version = 1, .e_entry = 0x401000,
                      .e_phoff = phoff, .e_ehsize = sizeof eh, .e_phentsize = sizeof ph, .e_phnum = 1 };
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = 1;
    memcpy(file, &eh, sizeof eh);
    memcpy(file + sizeof eh, &ph, sizeof ph);
    strcpy(path, "/tmp/m5sim-test-loaders-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, file, sizeof file), sizeof file);
    close(fd);
}

/* Load the kernel in a child; its exit status (or 128 + signal). */
static int boot_child(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(60);   /* a refusal takes microseconds; a hang must not stop the test run */
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        static struct bus bus;
        uint8_t *ram = mmap(NULL, 64u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        bus_init(&bus);
        bus_add_ram(&bus, 0, 64u << 20, ram);
        struct boot_info info;
        boot_load_kernel(&bus, path, 0, &info);
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    unlink(path);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A segment whose file offset plus size wraps past 2^64 once passed the check and was copied from before the file. */
static void test_vmlinux_segment_offset_wraps(void **state)
{
    (void)state;
    Elf64_Phdr ph = { .p_type = PT_LOAD, .p_offset = UINT64_MAX - 63, .p_paddr = 0x100000,
                      .p_filesz = 64, .p_memsz = 64 };
    write_elf(ET_EXEC, sizeof(Elf64_Ehdr), ph);
    assert_int_equal(boot_child(), 2);
}

/* Program headers at an offset near 2^64 (the bound check wrapped). */
static void test_vmlinux_phoff_wraps(void **state)
{
    (void)state;
    Elf64_Phdr ph = { 0 };
    write_elf(ET_EXEC, UINT64_MAX - sizeof(Elf64_Phdr) + 1, ph);
    assert_int_equal(boot_child(), 2);
}

/* A bss of 253 GB: zeroed in guest RAM piece by piece, refused where RAM ends (once a calloc of its size). */
static void test_vmlinux_huge_bss(void **state)
{
    (void)state;
    Elf64_Phdr ph = { .p_type = PT_LOAD, .p_offset = 0x1000 - 64, .p_paddr = 0x1000000, .p_filesz = 64,
                      .p_memsz = 0x3b00000fc0ull };
    write_elf(ET_EXEC, sizeof(Elf64_Ehdr), ph);
    assert_int_equal(boot_child(), 2);
}

/* A bzImage header (boot protocol 2.15, 64-bit entry, one setup sector) whose payload field is given. */
static void write_bzimage(uint32_t payload_offset, uint32_t payload_length, const void *payload, size_t n)
{
    uint8_t file[8192] = { 0 };
    file[0x1f1] = 1;
    memcpy(file + 0x202, "HdrS", 4);
    file[0x206] = 0x0f;
    file[0x207] = 0x02;
    file[0x236] = 1;
    memcpy(file + 0x248, &payload_offset, 4);
    memcpy(file + 0x24c, &payload_length, 4);
    memcpy(file + 1024 + 64, payload, n);
    strcpy(path, "/tmp/m5sim-test-loaders-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, file, sizeof file), sizeof file);
    close(fd);
}

/* A payload said to lie past the end of the file (an offset plus length that wraps 32 bits, too). */
static void test_bzimage_payload_outside_file(void **state)
{
    (void)state;
    write_bzimage(0xfffff000u, 0x2000, "", 0);
    assert_int_equal(boot_child(), 2);
    write_bzimage(64, 0x100000, "", 0);
    assert_int_equal(boot_child(), 2);
}

/* A well-formed gzip payload that holds no ELF kernel (the bytes "hello\n", size field 6). */
static void test_bzimage_payload_not_elf(void **state)
{
    (void)state;
    static const uint8_t gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48,
                                  0xcd, 0xc9, 0xc9, 0xe7, 0x02, 0x00, 0x20, 0x30, 0x3a, 0x36, 0x06, 0x00,
                                  0x00, 0x00 };
    write_bzimage(64, sizeof gz, gz, sizeof gz);
    assert_int_equal(boot_child(), 2);
}

/* SE mode: a PT_LOAD of 1 TiB (a fuzzer's input that kept the loader walking page by page for minutes). */
static void test_se_segment_larger_than_memory(void **state)
{
    (void)state;
    Elf64_Phdr ph = { .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0, .p_vaddr = 0x400000,
                      .p_filesz = 0x1000, .p_memsz = 1ull << 40, .p_align = 0x1000 };
    write_elf(ET_EXEC, sizeof(Elf64_Ehdr), ph);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(60);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        struct se *se = calloc(1, sizeof(*se));
        se->cpu = calloc(1, sizeof(*se->cpu));
        se->ram = mmap(NULL, 256ull << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        bus_init(&se->bus);
        bus_add_ram(&se->bus, 0, 256ull << 20, se->ram);
        pt_init(&se->pt, &se->bus, SE_PAGE, 256ull << 20);
        cpu_init(se->cpu, &se->bus, 0);
        se->path = path;
        se_vm_init(se);
        se_process_init(se);
        se_fd_init(se);
        se_load_elf(se, path, &se->image);
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    unlink(path);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmlinux_segment_offset_wraps),
        cmocka_unit_test(test_vmlinux_phoff_wraps),
        cmocka_unit_test(test_vmlinux_huge_bss),
        cmocka_unit_test(test_bzimage_payload_outside_file),
        cmocka_unit_test(test_bzimage_payload_not_elf),
        cmocka_unit_test(test_se_segment_larger_than_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
