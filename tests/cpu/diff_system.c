/*
 * diff_system.c - differential tests of the system family (exec_system.c,
 * exec_segment.c, exec_io.c): what user mode can run and compare natively.
 *
 * Compared for real: FXSAVE/FXSAVE64/FXRSTOR/FXRSTOR64 (the memory image
 * and the loaded x87/SSE state, alignment and reserved-MXCSR faults),
 * LDMXCSR/STMXCSR, fences and CLFLUSH (including its page faults), reads of
 * CS and SS (both worlds run with Linux's user selectors 33h/2Bh), null
 * selector loads into DS/ES and the #GP of a null SS at CPL 3, VERR VERW LAR
 * LSL on null selectors, INT3 / INT 3, and #UD for UD0/UD1/UD2, INTO and the
 * extensions the CPU model does not advertise but user mode would fault on
 * anyway (STAC, CLAC, MONITOR, MWAIT), and RDSSPD/RDSSPQ as NOPs (the host
 * does not enable shadow stacks for user programs either).
 *
 * Privilege checks: every privileged instruction raises #GP at CPL 3 in
 * both worlds (HLT, CLI/STI with IOPL 0, port I/O, MOV CR/DR, RDMSR/WRMSR,
 * RDPMC, LGDT/LIDT/LLDT/LTR, INVLPG, INVD, WBINVD, CLTS, LMSW, SWAPGS,
 * SYSRET).
 *
 * CPUID, RDTSC and RDTSCP run in both worlds, and the registers they load
 * (different by design: host CPU and host clock) are zeroed afterwards, so
 * the cases check that nothing else changes.
 *
 * FXSAVE images are partly vendor-dependent and are checked against the
 * model (docs/cpu-model.md): MXCSR_MASK is 0000FFFFh (AMD: 0002FFFFh, with
 * misaligned-SSE mode), and FOP/FIP/FDP are saved whether or not an x87
 * exception is pending (AMD saves them only when one is). model_fxsave()
 * writes those fields from the state the image was saved from.
 *
 * Not comparable here (the harness has no GDT/IDT and the host's answers
 * are the host's): SGDT/SIDT/SLDT/STR/SMSW (UMIP on the host), non-null
 * segment loads, far transfers, IRET, SYSCALL, INT n other than 3, INT1.
 * tests/unit/test_system.c covers those on hand-built system programs.
 */
#include <string.h>

#include "diff.h"
#include "diff_table.h"

#define BUF_OFF 0x200u   /* [rsi] for the memory forms: 16-aligned, 512 bytes of room */

static void rsi_buf(struct diff_state *st)
{
    st->gpr[RSI] = DIFF_DATA_VA + BUF_OFF;
}

static void rsi_misaligned(struct diff_state *st)
{
    st->gpr[RSI] = DIFF_DATA_VA + BUF_OFF + 8;
}

/* A valid FXSAVE image at [rsi]: random registers, MXCSR with defined bits only, zero FIP/FDP. */
static void fx_image(struct diff_state *st)
{
    rsi_buf(st);
    struct fxsave_area img;
    memcpy(&img, &st->data[BUF_OFF], sizeof img);
    img.mxcsr &= 0xffff;
    img.fop &= 0x7ff;
    img.fip = img.fdp = 0;
    memcpy(&st->data[BUF_OFF], &img, sizeof img);
}

static void fx_image_bad_mxcsr(struct diff_state *st)
{
    fx_image(st);
    st->data[BUF_OFF + 24 + 2] |= 1;   /* MXCSR bit 16: reserved */
}

static void mxcsr_valid(struct diff_state *st)
{
    rsi_buf(st);
    st->data[BUF_OFF + 2] = st->data[BUF_OFF + 3] = 0;
}

static void mxcsr_reserved(struct diff_state *st)
{
    rsi_buf(st);
    st->data[BUF_OFF + 3] = 0x80;
}

/* Non-default MXCSR and x87 control in the input so that saving has something to show. */
static void fx_state(struct diff_state *st)
{
    rsi_buf(st);
    st->fx.mxcsr = 0x1f80 ^ (uint32_t)(st->gpr[RBX] & 0xe03f);
    st->fx.fcw = 0x037f ^ (uint16_t)(st->gpr[RBX] >> 16 & 0x0c00);
}

/* Random address for CLFLUSH: mostly non-canonical (#GP), sometimes unmapped (#PF), sometimes the buffer. */
static void clflush_any(struct diff_state *st)
{
    switch (st->gpr[RBX] % 3) {
    case 0: st->gpr[RSI] = DIFF_DATA_VA + (st->gpr[RSI] & (DIFF_DATA_SIZE - 1)); break;
    case 1: st->gpr[RSI] = 0x0000100000000000ull + (st->gpr[RSI] & 0xfffffff); break;
    default: break;
    }
}

static void ax_null(struct diff_state *st)
{
    st->gpr[RAX] = (st->gpr[RAX] & ~0xffffull) | (st->gpr[RAX] & 3);   /* selector 0-3 */
}

static void rcx_null(struct diff_state *st)
{
    st->gpr[RCX] = (st->gpr[RCX] & ~0xffffull) | (st->gpr[RCX] & 3);
}

static void word_null(struct diff_state *st)
{
    rsi_buf(st);
    st->data[BUF_OFF] &= 3;
    st->data[BUF_OFF + 1] = 0;
}

static const struct diff_test system_tests[] = {
    /* Fences and cache control. */
    { "lfence", "0f ae e8", 0, 10, 0, NULL },
    { "mfence", "0f ae f0", 0, 10, 0, NULL },
    { "sfence", "0f ae f8", 0, 10, 0, NULL },
    { "clflush [rsi]", "0f ae 3e", 0, 60, 0, clflush_any },
    { "clflush [rsi+rbx*8+disp]", "0f ae 7c de 40", 0, 30, 0, clflush_any },

    /* #UD */
    { "ud2", "0f 0b", 0, 5, 0, NULL },
    { "ud0 eax, [rax]", "0f ff 00", 0, 5, 0, NULL },
    { "ud1 eax, [rax]", "0f b9 00", 0, 5, 0, NULL },
    { "into", "ce", 0, 5, 0, NULL },
    { "stac", "0f 01 cb", 0, 5, 0, NULL },
    { "clac", "0f 01 ca", 0, 5, 0, NULL },
    { "monitor", "0f 01 c8", 0, 5, 0, NULL },
    { "mwait", "0f 01 c9", 0, 5, 0, NULL },
    { "0f 04 m5op without device", "0f 04 21 00", 0, 5, 0, NULL },

    /* #BP */
    { "int3", "cc", 0, 5, 0, NULL },
    { "int 3", "cd 03", 0, 5, 0, NULL },

    /* #GP at CPL 3. */
    { "hlt", "f4", 0, 5, 0, NULL },
    { "cli", "fa", 0, 5, 0, NULL },
    { "sti", "fb", 0, 5, 0, NULL },
    { "in al, 0x60", "e4 60", 0, 5, 0, NULL },
    { "in ax, 0x60", "66 e5 60", 0, 5, 0, NULL },
    { "in eax, dx", "ed", 0, 5, 0, NULL },
    { "out 0x80, al", "e6 80", 0, 5, 0, NULL },
    { "out dx, ax", "66 ef", 0, 5, 0, NULL },
    { "out dx, eax", "ef", 0, 5, 0, NULL },
    { "insb", "6c", 0, 5, 0, rsi_buf },
    { "rep insw", "f3 66 6d", 0, 5, 0, rsi_buf },
    { "outsd", "6f", 0, 5, 0, rsi_buf },
    { "rep outsb", "f3 6e", 0, 5, 0, rsi_buf },
    { "mov rax, cr0", "0f 20 c0", 0, 5, 0, NULL },
    { "mov rax, cr3", "0f 20 d8", 0, 5, 0, NULL },
    { "mov rax, cr8", "44 0f 20 c0", 0, 5, 0, NULL },
    { "mov cr0, rax", "0f 22 c0", 0, 5, 0, NULL },
    { "mov cr3, rax", "0f 22 d8", 0, 5, 0, NULL },
    { "mov cr4, rax", "0f 22 e0", 0, 5, 0, NULL },
    { "mov rax, dr7", "0f 21 f8", 0, 5, 0, NULL },
    { "mov dr0, rax", "0f 23 c0", 0, 5, 0, NULL },
    { "rdmsr", "0f 32", 0, 5, 0, NULL },
    { "wrmsr", "0f 30", 0, 5, 0, NULL },
    { "rdpmc", "0f 33", 0, 5, 0, NULL },
    { "lgdt [rsi]", "0f 01 16", 0, 5, 0, rsi_buf },
    { "lidt [rsi]", "0f 01 1e", 0, 5, 0, rsi_buf },
    { "lldt ax", "0f 00 d0", 0, 5, 0, NULL },
    { "ltr ax", "0f 00 d8", 0, 5, 0, NULL },
    { "invlpg [rsi]", "0f 01 3e", 0, 5, 0, rsi_buf },
    { "invd", "0f 08", 0, 5, 0, NULL },
    { "wbinvd", "0f 09", 0, 5, 0, NULL },
    { "clts", "0f 06", 0, 5, 0, NULL },
    { "lmsw ax", "0f 01 f0", 0, 5, 0, NULL },
    { "swapgs", "0f 01 f8", 0, 5, 0, NULL },
    { "sysretq", "48 0f 07", 0, 5, 0, NULL },
    { "mov ss, ax (null)", "8e d0", 0, 5, 0, ax_null },

    /* Segment registers: reads of CS/SS, null loads into DS/ES. */
    { "mov eax, cs", "8c c8", 0, 10, 0, NULL },
    { "mov rax, ss", "48 8c d0", 0, 10, 0, NULL },
    { "mov ax, cs", "66 8c c8", 0, 10, 0, NULL },
    { "mov [rsi], ss", "8c 16", 0, 10, 0, rsi_buf },
    { "mov ds, ax (null); mov ecx, ds", "8e d8 8c d9", 0, 10, 0, ax_null },
    { "mov es, [rsi] (null); mov rdx, es", "8e 06 48 8c c2", 0, 10, 0, word_null },

    /* VERR/VERW/LAR/LSL on null selectors: ZF=0, destination unchanged. */
    { "verr ax (null)", "0f 00 e0", 0, 20, 0, ax_null },
    { "verw ax (null)", "0f 00 e8", 0, 20, 0, ax_null },
    { "verw [rsi] (null)", "0f 00 2e", 0, 20, 0, word_null },
    { "lar eax, ecx (null)", "0f 02 c1", 0, 20, 0, rcx_null },
    { "lar rax, [rsi] (null)", "48 0f 02 06", 0, 20, 0, word_null },
    { "lsl eax, ecx (null)", "0f 03 c1", 0, 20, 0, rcx_null },
    { "lsl ax, cx (null)", "66 0f 03 c1", 0, 20, 0, rcx_null },

    /* RDSSP without shadow stacks enabled: a NOP (glibc's setjmp depends on it). */
    { "xor eax,eax; rdsspq rax", "31 c0 f3 48 0f 1e c8", FL_AF, 10, 0, NULL },
    { "rdsspd ecx", "f3 0f 1e c9", 0, 10, 0, NULL },

    /* CPUID and the TSC: run, then zero what legitimately differs. */
    { "cpuid", "0f a2 b8 00 00 00 00 bb 00 00 00 00 b9 00 00 00 00 ba 00 00 00 00", 0, 20, 0, NULL },
    { "rdtsc", "0f 31 b8 00 00 00 00 ba 00 00 00 00", 0, 10, 0, NULL },
    { "rdtscp", "0f 01 f9 b8 00 00 00 00 ba 00 00 00 00 b9 00 00 00 00", 0, 10, 0, NULL },
};

/*
 * The model's FOP, FIP, FDP and MXCSR_MASK in the image FXSAVE stored at
 * `off` (REX.W: 64-bit FIP/FDP; else 32-bit offsets and zero FCS/FDS), from
 * the state it saved: `src` FOP/FIP/FDP.
 */
static void model_fx_fields(struct diff_result *expect, unsigned off, bool rex_w, uint16_t fop,
                            uint64_t fip, uint64_t fdp)
{
    uint8_t *img = &expect->out.data[off];
    uint32_t mask = 0xffff;
    memcpy(img + 6, &fop, 2);
    if (rex_w) {
        memcpy(img + 8, &fip, 8);
        memcpy(img + 16, &fdp, 8);
    } else {
        uint32_t ip = (uint32_t)fip, dp = (uint32_t)fdp, zero = 0;
        memcpy(img + 8, &ip, 4);
        memcpy(img + 12, &zero, 4);
        memcpy(img + 16, &dp, 4);
        memcpy(img + 20, &zero, 4);
    }
    memcpy(img + 28, &mask, 4);
}

/* FXSAVE [rsi] of the input state. */
static bool model_fxsave(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    if (expect->vector >= 0)
        return false;
    model_fx_fields(expect, BUF_OFF, c->code[0] == 0x48, in->fx.fop, in->fx.fip, in->fx.fdp);
    return true;
}

/* FXRSTOR [rsi]; FXSAVE [rsi+512]: the saved FOP/FIP/FDP are those the first image loaded. */
static bool model_fxrstor_fxsave(const struct diff_case *c, const struct diff_state *in,
                                 struct diff_result *expect)
{
    if (expect->vector >= 0)
        return false;
    bool load_w = c->code[0] == 0x48;
    const uint8_t *src = &in->data[BUF_OFF];
    uint16_t fop;
    uint64_t fip = 0, fdp = 0;
    memcpy(&fop, src + 6, 2);
    memcpy(&fip, src + 8, load_w ? 8 : 4);
    memcpy(&fdp, src + 16, load_w ? 8 : 4);
    model_fx_fields(expect, BUF_OFF + 512, !load_w, fop & 0x7ff, fip, fdp);
    return true;
}

/* FXSAVE/FXRSTOR/MXCSR cases compare the x87/SSE state too. */
struct fx_test {
    const char *name;
    const char *hex;
    unsigned n;
    void (*fixup)(struct diff_state *st);
    diff_model_fn model;
};

static const struct fx_test fx_tests[] = {
    { "fxsave [rsi]", "0f ae 06", 100, fx_state, model_fxsave },
    { "fxsave64 [rsi]", "48 0f ae 06", 100, fx_state, model_fxsave },
    { "fxsave [rsi] misaligned", "0f ae 06", 10, rsi_misaligned },
    { "fxrstor [rsi]", "0f ae 0e", 200, fx_image },
    { "fxrstor64 [rsi]", "48 0f ae 0e", 200, fx_image },
    { "fxrstor64 [rsi] misaligned", "48 0f ae 0e", 10, rsi_misaligned },
    { "fxrstor [rsi] reserved mxcsr", "0f ae 0e", 20, fx_image_bad_mxcsr },
    { "fxrstor64; fxsave [rsi+512]", "48 0f ae 0e 0f ae 86 00 02 00 00", 50, fx_image, model_fxrstor_fxsave },
    { "fxrstor; fxsave64 [rsi+512]", "0f ae 0e 48 0f ae 86 00 02 00 00", 50, fx_image, model_fxrstor_fxsave },
    { "ldmxcsr [rsi]", "0f ae 16", 100, mxcsr_valid },
    { "ldmxcsr [rsi] reserved", "0f ae 16", 20, mxcsr_reserved },
    { "stmxcsr [rsi]", "0f ae 1e", 50, fx_state },
    { "ldmxcsr; stmxcsr [rsi+4]", "0f ae 16 0f ae 5e 04", 100, mxcsr_valid },
};

unsigned diff_system_run(void)
{
    unsigned failures = DIFF_TABLE_RUN(system_tests);
    for (unsigned i = 0; i < sizeof fx_tests / sizeof fx_tests[0]; i++) {
        uint8_t code[64];
        struct diff_case c = {
            .name = fx_tests[i].name,
            .code = code,
            .len = diff_hex_parse(fx_tests[i].hex, code, sizeof code),
            .undefined_flags = 0,
            .compare_fx = true,
            .model = fx_tests[i].model,
        };
        failures += diff_fuzz(&c, fx_tests[i].n, 0, fx_tests[i].fixup);
    }
    return failures;
}
