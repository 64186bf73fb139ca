/*
 * test_ckpt_cpu.c - the [cpu0] section of a checkpoint index: every register
 * survives a save and load, and indexes written before CR8 and the TSC
 * offset lost their second copies in the CPU (they carry `cr8` and
 * `tsc_offset` keys) still load.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ckpt/cpu_state.h"
#include "cpu/msr.h"
#include "mem/bus.h"

static struct bus bus;
static struct cpu cpu;

static void fresh_cpu(void)
{
    bus_init(&bus);
    cpu_init(&cpu, &bus, 0);
    cpu_reset(&cpu);
}

/* Save cpu as [cpu0] in a temporary index, with `extra` lines appended to the section. */
static char *save_index(const char *extra)
{
    static char path[] = "/tmp/m5sim-test-ckpt-cpu-XXXXXX";
    strcpy(path, "/tmp/m5sim-test-ckpt-cpu-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    struct ckpt_writer w = { .f = f };
    ckpt_cpu_save(&w, "cpu0", &cpu);
    fputs(extra, f);
    fclose(f);
    return path;
}

static void load_index(const char *path)
{
    struct ini ini;
    char err[256];
    assert_true(ini_load(&ini, path, err, sizeof err));
    struct ckpt_reader r;
    ckpt_reader_init(&r, &ini, 2, 0);
    assert_true(ckpt_cpu_load(&r, "cpu0", &cpu));
    ini_free(&ini);
    unlink(path);
}

static void test_round_trip(void **state)
{
    (void)state;
    fresh_cpu();
    cpu.s.gpr[RBX] = 0x1234;
    cpu.s.cr3 = 0x5000;
    cpu.s.msr.tsc_adjust = 777;
    cpu.s.msr.apic_base = 0xfee00100;
    cpu.icount = 42;
    cpu.s.cpl = 3;
    cpu.s.seg[SEG_GS].base = 0xffff888000000000ull;
    cpu.s.fx.mxcsr = 0x1f80;
    cpu.s.fx.xmm[7][3] = 0xab;
    struct cpu_state saved = cpu.s;
    char *path = save_index("");
    cpu_free(&cpu);
    fresh_cpu();
    load_index(path);
    assert_int_equal(cpu.s.gpr[RBX], 0x1234);
    assert_int_equal(cpu.s.cr3, 0x5000);
    assert_int_equal(cpu.s.msr.tsc_adjust, 777);
    assert_int_equal(cpu.s.msr.apic_base, 0xfee00100);
    assert_int_equal(cpu_tsc(&cpu), 777 + 42);     /* no clock: TSC = TSC_ADJUST + instructions */
    assert_memory_equal(&cpu.s, &saved, sizeof saved);   /* every declared field, nothing else differs */
    cpu_free(&cpu);
}

/* An index from before: cr8 and tsc_offset are there and ignored (the TPR is the LAPIC's). */
static void test_old_index_loads(void **state)
{
    (void)state;
    fresh_cpu();
    cpu.s.msr.tsc_adjust = 5;
    char *path = save_index("cr8=0x3\ntsc_offset=0x5\n");
    cpu_free(&cpu);
    fresh_cpu();
    load_index(path);
    assert_int_equal(cpu.s.msr.tsc_adjust, 5);
    cpu_free(&cpu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_old_index_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
