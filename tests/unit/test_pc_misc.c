/* test_pc_misc.c - POST port, keyboard-controller reset, port 0x92. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/pc_misc.h"
#include "mem/bus.h"

static struct bus bus;
static struct pc_misc misc;
static int resets;

static void on_reset(void *opaque)
{
    assert_ptr_equal(opaque, &misc);
    resets++;
}

static int setup(void **state)
{
    (void)state;
    resets = 0;
    bus_init(&bus);
    pc_misc_init(&misc, on_reset, &misc);
    pc_misc_attach(&misc, &bus);
    return 0;
}

static void test_post_port(void **state)
{
    (void)state;
    bus_pio_out(&bus, 0x80, 1, 0x55);
    assert_int_equal(bus_pio_in(&bus, 0x80, 1), 0x55);
    assert_int_equal(resets, 0);
}

/* arch/x86/kernel/reboot.c, BOOT_KBD: wait for an empty input buffer, then 0xfe. */
static void test_keyboard_reset(void **state)
{
    (void)state;
    assert_int_equal(bus_pio_in(&bus, 0x64, 1) & 0x02, 0);   /* kb_wait(): input buffer empty */
    assert_int_equal(bus_pio_in(&bus, 0x60, 1), 0);
    bus_pio_out(&bus, 0x64, 1, 0xd1);                          /* other commands: ignored */
    bus_pio_out(&bus, 0x60, 1, 0xdf);
    assert_int_equal(resets, 0);
    bus_pio_out(&bus, 0x64, 1, 0xfe);
    assert_int_equal(resets, 1);
    assert_int_equal(misc.s.resets, 1);
}

static void test_port92(void **state)
{
    (void)state;
    assert_int_equal(bus_pio_in(&bus, 0x92, 1), 0x02);       /* A20 on */
    bus_pio_out(&bus, 0x92, 1, 0x02);
    assert_int_equal(resets, 0);
    bus_pio_out(&bus, 0x92, 1, 0x03);                          /* fast reset */
    assert_int_equal(resets, 1);
    assert_int_equal(bus_pio_in(&bus, 0x92, 1), 0x02);
}

static void test_no_callback(void **state)
{
    (void)state;
    pc_misc_init(&misc, NULL, NULL);
    bus_pio_out(&bus, 0x64, 1, 0xfe);
    assert_int_equal(misc.s.resets, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_post_port, setup),
        cmocka_unit_test_setup(test_keyboard_reset, setup),
        cmocka_unit_test_setup(test_port92, setup),
        cmocka_unit_test_setup(test_no_callback, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
