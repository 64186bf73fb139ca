/*
 * test_firmware_smp.c - the MP table and the ACPI MADT list every CPU
 * (host/firmware/mptable.c, acpi.c): N processor entries with local APIC
 * IDs 0..N-1, enabled, the bootstrap flag on the first only; checksums
 * still right with 16.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "firmware/acpi.h"
#include "firmware/mptable.h"

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static void check_mptable(unsigned n)
{
    static uint8_t buf[4096];
    struct mp_config cfg = { .n_cpus = n, .ioapic_id = 0, .lapic_addr = 0xfee00000u, .ioapic_addr = 0xfec00000u,
                             .ioapic_version = 0x11 };
    size_t len = mptable_build(buf, sizeof buf, 0xf0000, &cfg);
    assert_true(len > 0);
    const uint8_t *hdr = buf + 16;
    assert_memory_equal(hdr, "PCMP", 4);
    assert_int_equal(sum(hdr, get16(hdr + 4)), 0);
    unsigned entries = get16(hdr + 34), cpus = 0;
    const uint8_t *e = hdr + 44;
    for (unsigned k = 0; k < entries; k++) {
        if (e[0] != 0) {
            e += 8;
            continue;
        }
        assert_int_equal(e[1], cpus);                     /* local APIC ID */
        assert_int_equal(e[3], cpus == 0 ? 0x03 : 0x01);  /* enabled, BSP on the first */
        cpus++;
        e += 20;
    }
    assert_int_equal(cpus, n);
}

static void test_mptable_lists_every_cpu(void **state)
{
    (void)state;
    check_mptable(1);
    check_mptable(4);
    check_mptable(16);
}

static void check_madt(unsigned n)
{
    static uint8_t buf[4096] __attribute__((aligned(64)));
    struct acpi_config cfg = { .n_cpus = n, .lapic_addr = 0xfee00000u, .ioapic_addr = 0xfec00000u, .sci_irq = 9,
                               .pm1_evt_port = 0x600, .pm1_cnt_port = 0x604 };
    size_t len = acpi_build(buf, sizeof buf, 0xf1000, &cfg);
    assert_true(len > 0);
    /* The RSDT's second entry is the MADT. */
    const uint8_t *rsdt = buf + (get32(buf + 16) - 0xf1000);
    assert_memory_equal(rsdt, "RSDT", 4);
    const uint8_t *madt = NULL;
    for (uint32_t off = 36; off < get32(rsdt + 4); off += 4) {
        const uint8_t *t = buf + (get32(rsdt + off) - 0xf1000);
        if (!memcmp(t, "APIC", 4))
            madt = t;
    }
    assert_non_null(madt);
    uint32_t mlen = get32(madt + 4);
    assert_int_equal(sum(madt, mlen), 0);
    unsigned cpus = 0;
    for (const uint8_t *e = madt + 44; e < madt + mlen; e += e[1]) {
        if (e[0] != 0)
            continue;
        assert_int_equal(e[2], cpus);   /* processor UID */
        assert_int_equal(e[3], cpus);   /* APIC ID */
        assert_int_equal(get32(e + 4), 1);
        cpus++;
    }
    assert_int_equal(cpus, n);
}

static void test_madt_lists_every_cpu(void **state)
{
    (void)state;
    check_madt(1);
    check_madt(4);
    check_madt(16);
    static uint8_t buf[4096] __attribute__((aligned(64)));
    struct acpi_config too_many = { .n_cpus = ACPI_MAX_CPUS + 1 };
    assert_int_equal(acpi_build(buf, sizeof buf, 0xf1000, &too_many), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mptable_lists_every_cpu),
        cmocka_unit_test(test_madt_lists_every_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
