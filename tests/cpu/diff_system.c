/* diff_system.c - the few system-family instructions that user mode can run and compare natively. */
#include <stddef.h>

#include "diff.h"

static const uint8_t cpuid_leaf0_bytes[] = { 0x31, 0xc0, 0x31, 0xc9 };  /* xor eax,eax; xor ecx,ecx (placeholder for a deterministic prefix) */

unsigned diff_system_run(void)
{
    /* User-mode instructions of the system family whose result the host and the interpreter share. */
    static const uint8_t lfence[] = { 0x0f, 0xae, 0xe8 };
    static const uint8_t mfence[] = { 0x0f, 0xae, 0xf0 };
    static const uint8_t sfence[] = { 0x0f, 0xae, 0xf8 };
    static const uint8_t ud2[] = { 0x0f, 0x0b };
    static const uint8_t hlt[] = { 0xf4 };               /* #GP at CPL 3 */
    static const uint8_t cli[] = { 0xfa };               /* #GP at CPL 3 with IOPL 0 */
    static const uint8_t m5op[] = { 0x0f, 0x04, 0x21, 0x00 };  /* #UD natively and without an m5 device */
    const struct diff_case cases[] = {
        { "lfence", lfence, sizeof lfence, 0, false },
        { "mfence", mfence, sizeof mfence, 0, false },
        { "sfence", sfence, sizeof sfence, 0, false },
        { "ud2", ud2, sizeof ud2, 0, false },
        { "hlt at cpl3", hlt, sizeof hlt, 0, false },
        { "cli at cpl3", cli, sizeof cli, 0, false },
        { "0f 04 m5op without device", m5op, sizeof m5op, 0, false },
        { "xor prefix", cpuid_leaf0_bytes, sizeof cpuid_leaf0_bytes, FL_AF, false },
    };
    unsigned failures = 0;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        failures += diff_fuzz(&cases[i], 4, 0, NULL);
    return failures;
}
