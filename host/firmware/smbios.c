/* smbios.c - the SMBIOS 3.0 entry point and structure table (see smbios.h). */
#include "firmware/smbios.h"

#include <string.h>

#define ENTRY_LEN 0x18u
#define TABLE_OFFSET 0x20u            /* the structure table, after the entry point */
#define HANDLE_MEM_ARRAY 0x1000u

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Appends structures to a buffer; a structure is its formatted area followed by its strings. */
struct writer {
    uint8_t *p;
    size_t len, max;
    uint16_t next_handle;
    int overflow;
};

/* Start a structure of the given type and formatted length; returns its formatted area (zeroed), or NULL. */
static uint8_t *structure(struct writer *w, uint8_t type, uint8_t len, uint16_t handle)
{
    if (w->overflow || w->len + len + 2 > w->max) {
        w->overflow = 1;
        return NULL;
    }
    uint8_t *s = w->p + w->len;
    memset(s, 0, len);
    s[0] = type;
    s[1] = len;
    put16(s + 2, handle);
    w->len += len;
    return s;
}

/* The structure's strings (NULL-terminated list; numbered from 1 in the order given), then the closing NUL. */
static void strings(struct writer *w, const char *const *list)
{
    size_t n = 0;
    for (; !w->overflow && *list; list++) {
        size_t l = strlen(*list) + 1;
        if (w->len + l + 1 > w->max) {
            w->overflow = 1;
            return;
        }
        memcpy(w->p + w->len, *list, l);
        w->len += l;
        n++;
    }
    if (w->overflow || w->len + 2 > w->max) {
        w->overflow = 1;
        return;
    }
    w->p[w->len++] = 0;
    if (n == 0)                       /* a structure without strings ends in two NULs */
        w->p[w->len++] = 0;
}

static void bios(struct writer *w)
{
    uint8_t *s = structure(w, 0, 0x18, 0x0000);
    if (!s)
        return;
    s[4] = 1;                         /* vendor */
    s[5] = 2;                         /* version */
    put16(s + 6, 0xe800);             /* starting segment */
    s[8] = 3;                         /* release date */
    s[9] = 0;                         /* ROM size: 64 KiB */
    put64(s + 0x0a, 1u << 3);         /* characteristics not supported */
    s[0x12] = 0x01;                   /* extension 1: ACPI */
    s[0x13] = 1u << 4;                /* extension 2: the tables describe a virtual machine */
    s[0x14] = 1;                      /* release 1.0 */
    s[0x15] = 0;
    s[0x16] = s[0x17] = 0xff;         /* no embedded controller */
    strings(w, (const char *const[]){ SMBIOS_VENDOR, SMBIOS_BIOS_VERSION, SMBIOS_BIOS_DATE, NULL });
}

static void system_info(struct writer *w)
{
    uint8_t *s = structure(w, 1, 0x1b, 0x0100);
    if (!s)
        return;
    s[4] = 1;                         /* manufacturer */
    s[5] = 2;                         /* product */
    s[6] = 3;                         /* version */
    s[7] = 0;                         /* no serial number */
    /* UUID (8..0x17) all zero: "not present". */
    s[0x18] = 6;                      /* woken by the power switch */
    s[0x19] = 0;                      /* no SKU */
    s[0x1a] = 4;                      /* family */
    strings(w, (const char *const[]){ SMBIOS_VENDOR, SMBIOS_PRODUCT, "1.0", "m5sim", NULL });
}

static void processor(struct writer *w, const struct smbios_config *cfg)
{
    uint8_t *s = structure(w, 4, 0x30, 0x0400);
    if (!s)
        return;
    unsigned cores = cfg->n_cpus ? cfg->n_cpus : 1;
    s[4] = 1;                         /* socket designation */
    s[5] = 3;                         /* central processor */
    s[6] = 0xfe;                      /* family: see family 2 */
    s[7] = 2;                         /* manufacturer */
    put32(s + 8, cfg->cpuid_1_eax);   /* processor ID: CPUID 1 EAX, EDX */
    put32(s + 12, cfg->cpuid_1_edx);
    s[0x10] = 3;                      /* version */
    s[0x11] = 0;                      /* voltage unknown */
    put16(s + 0x12, 100);             /* external clock, MHz */
    put16(s + 0x14, (uint16_t)cfg->cpu_mhz);
    put16(s + 0x16, (uint16_t)cfg->cpu_mhz);
    s[0x18] = 0x41;                   /* socket populated, CPU enabled */
    s[0x19] = 0x06;                   /* upgrade: none */
    put16(s + 0x1a, 0xffff);          /* no L1, L2, L3 cache structures */
    put16(s + 0x1c, 0xffff);
    put16(s + 0x1e, 0xffff);
    s[0x23] = s[0x24] = s[0x25] = (uint8_t)(cores > 255 ? 0xff : cores);
    put16(s + 0x26, 1u << 2);         /* characteristics: 64-bit capable */
    put16(s + 0x28, 0x01);            /* family 2: other */
    put16(s + 0x2a, (uint16_t)cores);
    put16(s + 0x2c, (uint16_t)cores);
    put16(s + 0x2e, (uint16_t)cores);
    strings(w, (const char *const[]){ "CPU 0", SMBIOS_VENDOR, "m5sim x86-64", NULL });
}

static void memory(struct writer *w, const struct smbios_config *cfg)
{
    uint64_t kib = cfg->mem_bytes >> 10, mib = cfg->mem_bytes >> 20;
    uint8_t *a = structure(w, 16, 0x17, HANDLE_MEM_ARRAY);
    if (!a)
        return;
    a[4] = 3;                         /* location: system board */
    a[5] = 3;                         /* use: system memory */
    a[6] = 3;                         /* error correction: none */
    put32(a + 7, kib >= 0x80000000u ? 0x80000000u : (uint32_t)kib);
    put16(a + 0x0b, 0xfffe);          /* no error information */
    put16(a + 0x0d, 1);               /* one memory device */
    put64(a + 0x0f, kib >= 0x80000000u ? cfg->mem_bytes : 0);
    strings(w, (const char *const[]){ NULL });

    uint8_t *d = structure(w, 17, 0x28, HANDLE_MEM_ARRAY + 1);
    if (!d)
        return;
    put16(d + 4, HANDLE_MEM_ARRAY);
    put16(d + 6, 0xfffe);             /* no error information */
    put16(d + 8, 64);                 /* total and data width, bits */
    put16(d + 0x0a, 64);
    put16(d + 0x0c, mib >= 0x7fff ? 0x7fff : (uint16_t)mib);   /* MiB, or see the extended size */
    d[0x0e] = 0x09;                   /* form factor: DIMM */
    d[0x10] = 1;                      /* device locator */
    d[0x11] = 2;                      /* bank locator */
    d[0x12] = 0x18;                   /* DDR3 (the timing model's DRAM) */
    put16(d + 0x13, 1u << 7);         /* synchronous */
    put16(d + 0x15, 1600);            /* MT/s */
    d[0x17] = 3;                      /* manufacturer */
    d[0x1b] = 1;                      /* one rank */
    put32(d + 0x1c, mib >= 0x7fff ? (uint32_t)mib : 0);
    put16(d + 0x20, 1600);
    strings(w, (const char *const[]){ "DIMM 0", "BANK 0", SMBIOS_VENDOR, NULL });
}

size_t smbios_build(uint8_t *buf, size_t max, uint64_t pa, const struct smbios_config *cfg)
{
    if (max < TABLE_OFFSET)
        return 0;
    struct writer w = { .p = buf + TABLE_OFFSET, .max = max - TABLE_OFFSET };
    bios(&w);
    system_info(&w);
    processor(&w, cfg);
    memory(&w, cfg);
    uint8_t *boot = structure(&w, 32, 0x0b, 0x2000);
    if (boot)
        strings(&w, (const char *const[]){ NULL });   /* reserved bytes and status 0: no errors */
    if (structure(&w, 127, 4, 0x7f00))
        strings(&w, (const char *const[]){ NULL });
    if (w.overflow)
        return 0;

    uint8_t *e = buf;
    memset(e, 0, TABLE_OFFSET);
    memcpy(e, "_SM3_", 5);
    e[6] = ENTRY_LEN;
    e[7] = 3;                         /* version 3.0.0 */
    e[8] = 0;
    e[9] = 0;
    e[10] = 1;                        /* entry point revision: 3.0 */
    put32(e + 12, (uint32_t)w.len);   /* structure table maximum size */
    put64(e + 16, pa + TABLE_OFFSET);
    uint8_t sum = 0;
    for (unsigned i = 0; i < ENTRY_LEN; i++)
        sum = (uint8_t)(sum + e[i]);
    e[5] = (uint8_t)-sum;
    return TABLE_OFFSET + w.len;
}
