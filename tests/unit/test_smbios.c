/*
 * test_smbios.c - the SMBIOS tables parsed the way Linux's dmi_scan.c does:
 * find "_SM3_" on a 16-byte boundary of the 64 KiB BIOS area, check the
 * entry point's checksum and length, then walk the structure table by each
 * structure's formatted length and its double-NUL-terminated strings up to
 * the end-of-table structure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "firmware/smbios.h"

#define AREA_PA  0xf0000u
#define AREA_SIZE 0x10000u
#define OFFSET   0xe000u

static uint8_t area[AREA_SIZE];

struct found {
    const uint8_t *s[16];             /* the structures, in table order */
    unsigned n;
    uint64_t table_pa;
    uint32_t table_len;
};

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static size_t build(uint64_t mem, unsigned cpus)
{
    memset(area, 0, sizeof area);
    struct smbios_config cfg = { .mem_bytes = mem, .n_cpus = cpus, .cpuid_1_eax = 0x306b1,
                                 .cpuid_1_edx = 0x178bfbff, .cpu_mhz = 3000 };
    return smbios_build(area + OFFSET, AREA_SIZE - OFFSET, AREA_PA + OFFSET, &cfg);
}

/* The scan and the walk; fails the test on anything Linux would reject. */
static void parse(struct found *f)
{
    memset(f, 0, sizeof *f);
    const uint8_t *e = NULL;
    for (unsigned off = 0; off + 32 <= AREA_SIZE; off += 16)
        if (memcmp(area + off, "_SM3_", 5) == 0) {
            assert_null(e);           /* exactly one entry point */
            e = area + off;
        }
    assert_non_null(e);
    assert_int_equal(e[6], 0x18);
    uint8_t sum = 0;
    for (unsigned i = 0; i < e[6]; i++)
        sum = (uint8_t)(sum + e[i]);
    assert_int_equal(sum, 0);
    assert_int_equal(e[7], 3);        /* SMBIOS 3.x */
    f->table_len = get32(e + 12);
    f->table_pa = get64(e + 16);
    assert_true(f->table_pa >= AREA_PA && f->table_pa + f->table_len <= AREA_PA + AREA_SIZE);

    const uint8_t *p = area + (f->table_pa - AREA_PA), *end = p + f->table_len;
    while (p + 4 <= end) {
        assert_true(p[1] >= 4);
        const uint8_t *str = p + p[1];
        while (str + 1 < end && (str[0] || str[1]))
            str++;
        assert_true(str + 1 < end);  /* the double NUL is inside the table */
        assert_true(f->n < 16);
        f->s[f->n++] = p;
        if (p[0] == 127)
            break;
        p = str + 2;
    }
    assert_int_equal(f->s[f->n - 1][0], 127);
    assert_ptr_equal(f->s[f->n - 1] + 4 + 2, end);   /* the table ends after the end-of-table structure */
}

/* String number i (1-based) of structure s; NULL for 0 or past the last. */
static const char *string_of(const uint8_t *s, uint8_t i)
{
    if (i == 0)
        return NULL;
    const char *p = (const char *)s + s[1];
    while (--i) {
        if (!*p)
            return NULL;
        p += strlen(p) + 1;
    }
    return *p ? p : NULL;
}

static const uint8_t *of_type(const struct found *f, uint8_t type)
{
    for (unsigned i = 0; i < f->n; i++)
        if (f->s[i][0] == type)
            return f->s[i];
    return NULL;
}

static void test_types_in_order(void **state)
{
    (void)state;
    assert_true(build(512ull << 20, 1) > 0);
    struct found f;
    parse(&f);
    static const uint8_t want[] = { 0, 1, 4, 16, 17, 32, 127 };
    assert_int_equal(f.n, sizeof want);
    for (unsigned i = 0; i < f.n; i++)
        assert_int_equal(f.s[i][0], want[i]);
    for (unsigned i = 0; i < f.n; i++)         /* handles are unique */
        for (unsigned j = i + 1; j < f.n; j++)
            assert_int_not_equal(get16(f.s[i] + 2), get16(f.s[j] + 2));
}

/* What Linux's dmi_format_ids prints: "DMI: <vendor> <product>, BIOS <version> <date>". */
static void test_dmi_strings(void **state)
{
    (void)state;
    assert_true(build(512ull << 20, 1) > 0);
    struct found f;
    parse(&f);
    const uint8_t *bios = of_type(&f, 0), *sys = of_type(&f, 1);
    assert_string_equal(string_of(bios, bios[4]), SMBIOS_VENDOR);
    assert_string_equal(string_of(bios, bios[5]), SMBIOS_BIOS_VERSION);
    assert_string_equal(string_of(bios, bios[8]), SMBIOS_BIOS_DATE);
    assert_string_equal(string_of(sys, sys[4]), SMBIOS_VENDOR);
    assert_string_equal(string_of(sys, sys[5]), SMBIOS_PRODUCT);
    assert_null(string_of(sys, sys[7]));       /* no serial number */
}

static void test_processor(void **state)
{
    (void)state;
    assert_true(build(512ull << 20, 4) > 0);
    struct found f;
    parse(&f);
    const uint8_t *cpu = of_type(&f, 4);
    assert_int_equal(cpu[1], 0x30);
    assert_int_equal(get32(cpu + 8), 0x306b1);
    assert_int_equal(get32(cpu + 12), 0x178bfbff);
    assert_int_equal(get16(cpu + 0x16), 3000);
    assert_int_equal(cpu[0x23], 4);
    assert_int_equal(get16(cpu + 0x2a), 4);
    assert_int_equal(cpu[0x18], 0x41);
}

static void test_memory_small(void **state)
{
    (void)state;
    assert_true(build(512ull << 20, 1) > 0);
    struct found f;
    parse(&f);
    const uint8_t *arr = of_type(&f, 16), *dev = of_type(&f, 17);
    assert_int_equal(get32(arr + 7), 512u * 1024);
    assert_int_equal(get16(arr + 0x0d), 1);
    assert_int_equal(get16(dev + 4), get16(arr + 2));   /* the device is in the array */
    assert_int_equal(get16(dev + 0x0c), 512);            /* MiB */
    assert_int_equal(get32(dev + 0x1c), 0);
}

/* 32 GiB: the size does not fit 15 bits of MiB, so the extended size holds it. */
static void test_memory_large(void **state)
{
    (void)state;
    assert_true(build(32ull << 30, 1) > 0);
    struct found f;
    parse(&f);
    const uint8_t *dev = of_type(&f, 17);
    assert_int_equal(get16(dev + 0x0c), 0x7fff);
    assert_int_equal(get32(dev + 0x1c), 32u * 1024);
}

static void test_too_small(void **state)
{
    (void)state;
    struct smbios_config cfg = { .mem_bytes = 1ull << 30, .n_cpus = 1 };
    uint8_t small[100];
    assert_int_equal(smbios_build(small, sizeof small, AREA_PA, &cfg), 0);
    assert_int_equal(smbios_build(small, 16, AREA_PA, &cfg), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_in_order),
        cmocka_unit_test(test_dmi_strings),
        cmocka_unit_test(test_processor),
        cmocka_unit_test(test_memory_small),
        cmocka_unit_test(test_memory_large),
        cmocka_unit_test(test_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
