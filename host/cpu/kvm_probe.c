/*
 * kvm_probe.c - does this host's KVM run a Linux guest correctly?
 *
 * A tiny long-mode guest on a VM of its own, driven by the KVM model:
 * in supervisor mode it reports CPUID leaf 0 on port 0x10 (KVM_SET_CPUID2
 * must have given it m5sim's vendor, not the host's), then SYSRETs to user
 * mode, where a SYSCALL must arrive at LSTAR at CPL 0; the code there
 * reports CS on port 0x11. A software KVM such as kvm-pvm (DESIGN.md 5)
 * shows the host's CPUID and lands the SYSCALL at CPL 3, where the OUT
 * faults and, without an IDT, the guest shuts down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/block.h"
#include "cpu/cpuid.h"
#include "cpu/kvm.h"
#include "mem/bus.h"
#include "util/log.h"

#define PROBE_RAM (2u << 20)
#define PROBE_KCODE 0x10000u
#define PROBE_UCODE 0x11000u
#define PROBE_LSTAR 0x12000u

struct probe_ports {
    uint32_t vendor[4];
    unsigned nvendor;
    uint32_t cs;
    bool got_cs;
};

static uint32_t probe_in(void *dev, uint16_t port, unsigned size)
{
    (void)dev, (void)port, (void)size;
    return 0;
}

static void probe_out(void *dev, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    struct probe_ports *p = dev;
    if (port == 0x10 && p->nvendor < 4)
        p->vendor[p->nvendor++] = value;
    if (port == 0x11) {
        p->cs = value;
        p->got_cs = true;
    }
}

static void put(uint8_t *ram, uint64_t pa, const void *code, size_t n)
{
    memcpy(ram + pa, code, n);
}

static void put64(uint8_t *ram, uint64_t pa, uint64_t v)
{
    memcpy(ram + pa, &v, 8);
}

/* Run the probe; false with what failed in why. */
static bool probe(char *why, size_t len)
{
    uint8_t *ram = mmap(NULL, PROBE_RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED) {
        snprintf(why, len, "no memory for the probe guest");
        return false;
    }
    struct bus bus;
    bus_init(&bus);
    bus_add_ram(&bus, 0, PROBE_RAM, ram);
    struct probe_ports ports = { 0 };
    bus_add_pio(&bus, "kvm-probe", 0x10, 2, probe_in, probe_out, &ports);
    struct cpu *cpu = calloc(1, sizeof *cpu);
    if (!cpu)
        abort();
    cpu_init(cpu, &bus, 0);

    /* One 2 MiB user page, identity-mapped. */
    put64(ram, 0x1000, 0x2000 | 7);
    put64(ram, 0x2000, 0x3000 | 7);
    put64(ram, 0x3000, 0 | 0x87);
    static const uint8_t kcode[] = {
        0x31, 0xc0, 0x31, 0xc9, 0x0f, 0xa2,   /* xor eax,eax; xor ecx,ecx; cpuid */
        0xe7, 0x10,                           /* out 0x10, eax */
        0x89, 0xd8, 0xe7, 0x10,               /* mov eax, ebx; out */
        0x89, 0xd0, 0xe7, 0x10,               /* mov eax, edx; out */
        0x89, 0xc8, 0xe7, 0x10,               /* mov eax, ecx; out */
        0x48, 0xc7, 0xc1, 0x00, 0x10, 0x01, 0x00,   /* mov rcx, PROBE_UCODE */
        0x41, 0xbb, 0x02, 0x00, 0x00, 0x00,   /* mov r11d, 2 */
        0x48, 0x0f, 0x07,                     /* sysretq */
    };
    static const uint8_t ucode[] = { 0x0f, 0x05, 0xeb, 0xfe };              /* syscall; jmp $ */
    static const uint8_t lstar[] = { 0x8c, 0xc8, 0xe7, 0x11, 0xf4 };        /* mov eax, cs; out 0x11; hlt */
    put(ram, PROBE_KCODE, kcode, sizeof kcode);
    put(ram, PROBE_UCODE, ucode, sizeof ucode);
    put(ram, PROBE_LSTAR, lstar, sizeof lstar);

    cpu_enter_long_mode(cpu, 0x1000, 0);
    cpu->s.efer |= EFER_SCE;
    cpu->s.msr.star = 0x23ull << 48 | 0x10ull << 32;
    cpu->s.msr.lstar = PROBE_LSTAR;
    cpu->s.msr.sfmask = FL_IF | FL_TF | FL_DF;
    cpu->s.tr = (struct segment){ 0, 0x8b, 0x67, 0 };
    cpu->s.rip = PROBE_KCODE;
    cpu->s.gpr[RSP] = 0x8000;

    bool ok = false;
    struct cpu_model *m = cpu_model_kvm_new(cpu, why, len);
    if (m) {
        cpu_model_activate(m);
        enum cpu_exit e = CPU_EXIT_BUDGET;
        /* About a second of guest time, in runs the timer cuts short: a wedged probe ends. */
        for (int i = 0; i < 100 && e == CPU_EXIT_BUDGET; i++)
            e = cpu_model_run(m, (cpuid_tsc_hz ? cpuid_tsc_hz : 2000000000ull) / 100);
        cpu_model_deactivate(m);
        cpu_model_free(m);

        uint32_t want[4];
        cpuid_query(cpu, 0, 0, want);
        char vendor[13] = { 0 }, model_vendor[13] = { 0 };
        memcpy(vendor, &ports.vendor[1], 4), memcpy(vendor + 4, &ports.vendor[2], 4);
        memcpy(vendor + 8, &ports.vendor[3], 4);
        memcpy(model_vendor, &want[1], 4), memcpy(model_vendor + 4, &want[3], 4);
        memcpy(model_vendor + 8, &want[2], 4);
        int n = 0;
        why[0] = 0;
        if (ports.nvendor < 4)
            n += snprintf(why + n, len - (size_t)n, "the probe guest did not run CPUID in supervisor mode");
        else if (strcmp(vendor, model_vendor))
            n += snprintf(why + n, len - (size_t)n, "the guest's CPUID shows \"%s\", not m5sim's \"%s\"",
                          vendor, model_vendor);
        if ((size_t)n < len && !(ports.got_cs && (ports.cs & 3) == 0))
            n += snprintf(why + n, len - (size_t)n, "%sa user-mode SYSCALL did not arrive at CPL 0 (%s)",
                          n ? "; " : "",
                          ports.got_cs ? "it ran at CPL 3"
                          : e == CPU_EXIT_TRIPLE_FAULT ? "the guest shut down" : "the guest never got there");
        ok = n == 0;
    }
    cpu_free(cpu);
    block_cache_free(bus.block_cache);
    free(cpu);
    munmap(ram, PROBE_RAM);
    return ok;
}

bool kvm_can_run_linux(char *why, size_t why_len)
{
    static int known = -1;
    static char reason[256];
    const char *unprobed = getenv(KVM_UNPROBED_ENV);
    if (known < 0 && unprobed && !strcmp(unprobed, "1")) {
        info("kvm: %s=1: the Linux probe was skipped (for tests only: this host's KVM may not run Linux)",
             KVM_UNPROBED_ENV);
        snprintf(reason, sizeof reason, "the probe was skipped (%s=1)", KVM_UNPROBED_ENV);
        known = 1;
    }
    if (known < 0)
        known = probe(reason, sizeof reason);
    snprintf(why, why_len, "%s", reason);
    return known;
}
