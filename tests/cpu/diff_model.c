/*
 * diff_model.c - model functions (diff_model_fn) shared by the families:
 * expectations the model defines where the host may behave differently.
 */
#include "diff.h"

#include <string.h>

#include "cpu/exception.h"

/*
 * An instruction of an extension the model does not advertise in CPUID
 * (POPCNT, SSE3's FISTTP, ...): #UD, whatever the host supports.
 */
bool diff_model_ud(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    (void)c;
    diff_expect_exception(in, EXC_UD, expect);
    return true;
}

/*
 * A prefix the model ignores: the expectation is the host's run of the same
 * bytes with that prefix replaced by 3E (a DS override, which 64-bit mode
 * ignores), so the length and every address stay the same.
 */
static bool run_without_prefix(const struct diff_case *c, const struct diff_state *in,
                               struct diff_result *expect, uint8_t prefix)
{
    uint8_t code[256];
    if (c->len > sizeof code)
        return false;
    memcpy(code, c->code, c->len);
    for (unsigned i = 0; i < c->len; i++) {
        if (code[i] == prefix) {
            code[i] = 0x3e;
            diff_run_native_ref(code, c->len, in, expect);
            return true;
        }
        if (code[i] != 0x66 && code[i] != 0x67 && code[i] != 0xf2 && code[i] != 0xf3 &&
            (code[i] & 0xf0) != 0x40)
            break;
    }
    return false;
}

bool diff_model_no_66(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    return run_without_prefix(c, in, expect, 0x66);
}

bool diff_model_no_f3(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    return run_without_prefix(c, in, expect, 0xf3);
}
