/*
 * test_decode.c - the decoder (host/cpu/decode.c): what a struct insn holds
 * after Zydis (lengths, sizes, prefixes, condition codes, ModRM.reg, and
 * operands pre-resolved into registers, memory base/index/scale/disp and
 * segment, immediates and relative displacements), which instructions end a
 * block, the gem5 magic instruction 0F 04 imm16, truncated input
 * (DECODE_NEED_MORE) and invalid bytes (#UD when executed).
 */
#include "sysguest.h"

#include <Zydis/Zydis.h>

#include "cpu/decode.h"
#include "cpu/exec.h"
#include "cpu/insn_class.h"

static int setup_group(void **state)
{
    (void)state;
    exec_init();
    return 0;
}

static struct insn dec(const uint8_t *b, unsigned n)
{
    struct insn in;
    enum decode_status st = decode_insn(b, n, &in);
    if (st != DECODE_OK)
        fail_msg("decode status %d for %u bytes starting %02x", st, n, b[0]);
    assert_int_equal(in.len, n);
    return in;
}

#define DEC(...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; dec(b_, sizeof b_); })

static void test_mov_imm(void **state)
{
    (void)state;
    struct insn in = DEC(0xb8, 0x78, 0x56, 0x34, 0x12);
    assert_int_equal(in.mnemonic, ZYDIS_MNEMONIC_MOV);
    assert_ptr_equal(in.fn, exec_lookup(ZYDIS_MNEMONIC_MOV));
    assert_ptr_not_equal(in.fn, exec_unimplemented);
    assert_int_equal(in.opsize, 4);
    assert_int_equal(in.nops, 2);
    assert_int_equal(in.op[0].kind, OPK_GPR);
    assert_int_equal(in.op[0].reg, RAX);
    assert_int_equal(in.op[0].size, 4);
    assert_true(in.op[0].write);
    assert_int_equal(in.op[1].kind, OPK_IMM);
    assert_int_equal(in.op[1].imm, 0x12345678);
    assert_false(in.ends_block);
    assert_int_equal(in.prefix, 0);

    in = DEC(0x49, 0xbf, 1, 2, 3, 4, 5, 6, 7, 8);   /* mov r15, imm64 */
    assert_int_equal(in.op[0].reg, R15);
    assert_int_equal(in.op[0].size, 8);
    assert_int_equal(in.op[1].imm, 0x0807060504030201ull);
    assert_true(in.prefix & PFX_REXW);
    assert_int_equal(in.opsize, 8);
}

static void test_memory_operands(void **state)
{
    (void)state;
    /* mov rax, [rip+0x10] */
    struct insn in = DEC(0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00);
    assert_int_equal(in.op[1].kind, OPK_MEM);
    assert_int_equal(in.op[1].reg, MEMBASE_RIP);
    assert_int_equal(in.op[1].index, REG_NONE);
    assert_int_equal(in.op[1].disp, 0x10);
    assert_int_equal(in.op[1].size, 8);
    assert_int_equal(in.op[1].seg, SEG_DS);
    assert_false(in.op[1].write);
    assert_int_equal(in.addrsize, 8);

    /* mov ah, [rbx+rcx*4+0x7f] */
    in = DEC(0x8a, 0x64, 0x8b, 0x7f);
    assert_int_equal(in.op[0].kind, OPK_GPR);
    assert_int_equal(in.op[0].reg, 0);
    assert_int_equal(in.op[0].hi8, 1);
    assert_int_equal(in.op[0].size, 1);
    assert_int_equal(in.op[1].reg, RBX);
    assert_int_equal(in.op[1].index, RCX);
    assert_int_equal(in.op[1].scale, 2);
    assert_int_equal(in.op[1].disp, 0x7f);

    /* mov r12d, [r13+rax*8-8] */
    in = DEC(0x45, 0x8b, 0x64, 0xc5, 0xf8);
    assert_int_equal(in.op[0].reg, R12);
    assert_int_equal(in.op[0].size, 4);
    assert_int_equal(in.op[1].reg, R13);
    assert_int_equal(in.op[1].index, RAX);
    assert_int_equal(in.op[1].scale, 3);
    assert_int_equal(in.op[1].disp, -8);

    /* mov rax, fs:[0x28]: absolute, FS */
    in = DEC(0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00);
    assert_int_equal(in.op[1].seg, SEG_FS);
    assert_int_equal(in.op[1].reg, REG_NONE);
    assert_int_equal(in.op[1].index, REG_NONE);
    assert_int_equal(in.op[1].disp, 0x28);

    /* mov [rsp+8], esi: store operand is written; SS-relative as Zydis says */
    in = DEC(0x89, 0x74, 0x24, 0x08);
    assert_int_equal(in.op[0].kind, OPK_MEM);
    assert_true(in.op[0].write);
    assert_int_equal(in.op[0].reg, RSP);
    assert_int_equal(in.op[0].seg, SEG_SS);
    assert_int_equal(in.op[0].size, 4);
    assert_int_equal(in.op[1].reg, RSI);

    /* lea eax, [ecx+edx] with an address-size prefix */
    in = DEC(0x67, 0x8d, 0x04, 0x11);
    assert_int_equal(in.addrsize, 4);
    assert_int_equal(in.op[1].reg, RCX);
    assert_int_equal(in.op[1].index, RDX);
}

static void test_byte_registers(void **state)
{
    (void)state;
    struct insn in = DEC(0x40, 0x88, 0xc6);   /* mov sil, al */
    assert_int_equal(in.op[0].reg, RSI);
    assert_int_equal(in.op[0].hi8, 0);
    assert_int_equal(in.op[0].size, 1);
    in = DEC(0x88, 0xfc);                     /* mov ah, bh */
    assert_int_equal(in.op[0].reg, 0);
    assert_int_equal(in.op[0].hi8, 1);
    assert_int_equal(in.op[1].reg, 3);
    assert_int_equal(in.op[1].hi8, 1);
    in = DEC(0x45, 0x88, 0xc8);               /* mov r8b, r9b */
    assert_int_equal(in.op[0].reg, R8);
    assert_int_equal(in.op[1].reg, R9);
    assert_int_equal(in.op[0].hi8, 0);
}

static void test_prefixes(void **state)
{
    (void)state;
    struct insn in = DEC(0xf3, 0xa4);   /* rep movsb */
    assert_int_equal(in.prefix & (PFX_REP | PFX_F3 | PFX_REPNE | PFX_F2), PFX_REP | PFX_F3);
    in = DEC(0xf2, 0xae);               /* repne scasb */
    assert_int_equal(in.prefix & (PFX_REP | PFX_F3 | PFX_REPNE | PFX_F2), PFX_REPNE | PFX_F2);
    in = DEC(0xf0, 0x0f, 0xb1, 0x0b);   /* lock cmpxchg [rbx], ecx */
    assert_true(in.prefix & PFX_LOCK);
    assert_int_equal(in.opcode, 0xb1);
    assert_int_equal(in.opcode_map, 1);
    in = DEC(0x66, 0x89, 0xc8);         /* mov ax, cx */
    assert_true(in.prefix & PFX_66);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(in.op[0].size, 2);
    in = DEC(0xf3, 0x0f, 0x10, 0xc1);   /* movss xmm0, xmm1 */
    assert_true(in.prefix & PFX_F3);
    assert_false(in.prefix & PFX_REP);
    assert_int_equal(in.op[0].kind, OPK_XMM);
    assert_int_equal(in.op[1].reg, 1);
}

static void test_branches_and_conditions(void **state)
{
    (void)state;
    struct insn in = DEC(0x75, 0xfe);   /* jne $ */
    assert_int_equal(in.cc, 5);
    assert_int_equal(in.op[0].kind, OPK_REL);
    assert_int_equal((int64_t)in.op[0].imm, -2);
    assert_true(in.ends_block);
    in = DEC(0x0f, 0x84, 0x00, 0x01, 0x00, 0x00);   /* je +0x100 */
    assert_int_equal(in.cc, 4);
    assert_int_equal(in.op[0].imm, 0x100);
    assert_true(in.ends_block);
    in = DEC(0x0f, 0x4f, 0xc1);   /* cmovg eax, ecx */
    assert_int_equal(in.cc, 0xf);
    assert_false(in.ends_block);
    in = DEC(0x0f, 0x92, 0xc0);   /* setb al */
    assert_int_equal(in.cc, 2);
    in = DEC(0xc1, 0xe0, 0x03);   /* shl eax, 3 */
    assert_int_equal(in.modrm_reg, 4);
    in = DEC(0xc1, 0xf8, 0x03);   /* sar eax, 3 */
    assert_int_equal(in.modrm_reg, 7);
    in = DEC(0x83, 0xc0, 0xff);   /* add eax, -1: sign-extended immediate */
    assert_int_equal(in.op[1].kind, OPK_IMM);
    assert_int_equal((int64_t)in.op[1].imm, -1);
    in = DEC(0xe8, 0xfb, 0xff, 0xff, 0xff);   /* call $ */
    assert_int_equal((int64_t)in.op[0].imm, -5);
    assert_true(in.ends_block);
}

static void test_ends_block(void **state)
{
    (void)state;
    assert_true(DEC(0xf4).ends_block);              /* hlt */
    assert_true(DEC(0xc3).ends_block);              /* ret */
    assert_true(DEC(0xff, 0xe0).ends_block);        /* jmp rax */
    assert_true(DEC(0xcc).ends_block);              /* int3 */
    assert_true(DEC(0x0f, 0x05).ends_block);        /* syscall */
    assert_true(DEC(0x48, 0xcf).ends_block);        /* iretq */
    assert_true(DEC(0xe6, 0x80).ends_block);        /* out 0x80, al */
    assert_false(DEC(0x90).ends_block);
    assert_false(DEC(0x01, 0xd8).ends_block);       /* add eax, ebx */
    assert_false(DEC(0x48, 0x89, 0x03).ends_block); /* mov [rbx], rax */
}

static void test_m5op_decode(void **state)
{
    (void)state;
    struct insn in = DEC(0x0f, 0x04, 0x21, 0x00);
    assert_int_equal(in.op[0].kind, OPK_IMM);
    assert_int_equal(in.op[0].imm, 0x21);
    assert_int_equal(in.nops, 1);
    assert_true(in.ends_block);
    in = DEC(0x0f, 0x04, 0x50, 0x01);
    assert_int_equal(in.op[0].imm, 0x150);

    static const uint8_t m5[] = { 0x0f, 0x04, 0x21, 0x00 };
    struct insn out;
    for (unsigned n = 1; n < 4; n++)
        assert_int_equal(decode_insn(m5, n, &out), DECODE_NEED_MORE);
}

static void test_need_more(void **state)
{
    (void)state;
    static const uint8_t b[] = { 0xb8, 0x01, 0x02, 0x03, 0x04 };
    struct insn out;
    for (unsigned n = 1; n < 5; n++)
        assert_int_equal(decode_insn(b, n, &out), DECODE_NEED_MORE);
    assert_int_equal(decode_insn(b, 5, &out), DECODE_OK);
    static const uint8_t rex[] = { 0x48 };
    assert_int_equal(decode_insn(rex, 1, &out), DECODE_NEED_MORE);
    /* 14 prefixes and a nop: 15 bytes, the longest legal instruction */
    uint8_t longest[15];
    memset(longest, 0x66, 14);
    longest[14] = 0x90;
    assert_int_equal(decode_insn(longest, 15, &out), DECODE_OK);
    assert_int_equal(out.len, 15);
    assert_int_equal(decode_insn(longest, 14, &out), DECODE_NEED_MORE);
}

static uint64_t m5_result(void *opaque, struct cpu *cpu, unsigned func)
{
    (void)opaque;
    return func * 1000 + cpu->s.gpr[RDI];
}

static int run_insn(struct cpu *cpu, const struct insn *in)
{
    if (setjmp(cpu->fault_jmp))
        return cpu->fault_vector;
    cpu->next_rip = cpu->s.rip + in->len;
    in->fn(cpu, in);
    return -1;
}

static void test_invalid_and_m5op_execute(void **state)
{
    (void)state;
    struct tg *t = tg_new();
    struct insn in;
    static const uint8_t bad[] = { 0x06, 0x90 };   /* push es: invalid in 64-bit mode */
    assert_int_equal(decode_insn(bad, sizeof bad, &in), DECODE_INVALID);
    assert_int_equal(in.len, 1);
    assert_true(in.ends_block);
    assert_int_equal(run_insn(t->cpu, &in), EXC_UD);

    static const uint8_t m5[] = { 0x0f, 0x04, 0x23, 0x00 };
    assert_int_equal(decode_insn(m5, sizeof m5, &in), DECODE_OK);
    t->cpu->hooks.m5op = m5_result;
    t->cpu->s.gpr[RDI] = 7;
    assert_int_equal(run_insn(t->cpu, &in), -1);
    assert_int_equal(t->cpu->s.gpr[RAX], 0x23 * 1000 + 7);
    t->cpu->hooks.m5op = NULL;
    assert_int_equal(run_insn(t->cpu, &in), EXC_UD);
    tg_free(t);
}

static void test_format_bytes(void **state)
{
    (void)state;
    static const uint8_t b[] = { 0x0f, 0x0b, 0x90, 0xff };
    char buf[32];
    decode_format_bytes(b, 2, buf, sizeof buf);
    assert_string_equal(buf, "0f 0b");
    decode_format_bytes(b, 0, buf, sizeof buf);
    assert_string_equal(buf, "");
    /* A small buffer is never overrun and keeps whole bytes only. */
    char small[12];
    memset(small, 'X', sizeof small);
    decode_format_bytes(b, 4, small, 8);
    assert_string_equal(small, "0f 0b");
    assert_int_equal(small[8], 'X');
}

/* The class the decoder gives an instruction for the statistics (decode_class.c, docs/stats.md). */
static void expect_class(struct insn in, enum op_class op, uint64_t flags)
{
    const struct insn_class *c = insn_class_get(in.cls);
    assert_string_equal(op_class_names[c->op_class], op_class_names[op]);
    assert_int_equal(c->flags, flags);
}

static void test_classify(void **state)
{
    (void)state;
    expect_class(DEC(0x48, 0x8b, 0x06), OPC_MemRead, SIF(IsLoad) | SIF(IsInteger));          /* mov rax, [rsi] */
    expect_class(DEC(0x48, 0x89, 0x46, 0x08), OPC_MemWrite, SIF(IsStore) | SIF(IsInteger));  /* mov [rsi+8], rax */
    expect_class(DEC(0x48, 0x01, 0x06), OPC_IntAlu, SIF(IsLoad) | SIF(IsStore) | SIF(IsInteger)); /* add [rsi], rax */
    expect_class(DEC(0xf0, 0x48, 0x01, 0x06), OPC_IntAlu,
                 SIF(IsLoad) | SIF(IsStore) | SIF(IsAtomic) | SIF(IsInteger));              /* lock add [rsi], rax */
    expect_class(DEC(0x48, 0x8d, 0x46, 0x08), OPC_IntAlu, SIF(IsInteger));                   /* lea rax, [rsi+8] */
    expect_class(DEC(0x48, 0xf7, 0xe1), OPC_IntMult, SIF(IsInteger));                         /* mul rcx */
    expect_class(DEC(0x48, 0xf7, 0xf1), OPC_IntDiv, SIF(IsInteger));                          /* div rcx */
    expect_class(DEC(0x75, 0xfe), OPC_IntAlu,
                 SIF(IsControl) | SIF(IsDirectControl) | SIF(IsCondControl));               /* jnz . */
    expect_class(DEC(0xe8, 0, 0, 0, 0), OPC_IntAlu,
                 SIF(IsControl) | SIF(IsDirectControl) | SIF(IsUncondControl) | SIF(IsCall) |
                 SIF(IsStore) | SIF(IsInteger));                                              /* call rel32 */
    expect_class(DEC(0xff, 0xd0), OPC_IntAlu,
                 SIF(IsControl) | SIF(IsIndirectControl) | SIF(IsUncondControl) | SIF(IsCall) |
                 SIF(IsStore) | SIF(IsInteger));                                              /* call rax */
    expect_class(DEC(0xc3), OPC_IntAlu,
                 SIF(IsControl) | SIF(IsIndirectControl) | SIF(IsUncondControl) | SIF(IsReturn) |
                 SIF(IsLoad) | SIF(IsInteger));                                               /* ret */
    expect_class(DEC(0xf2, 0x0f, 0x58, 0xc1), OPC_FloatAdd, SIF(IsFloating) | SIF(IsVector)); /* addsd xmm0, xmm1 */
    expect_class(DEC(0xf2, 0x0f, 0x59, 0x06), OPC_FloatMult,
                 SIF(IsLoad) | SIF(IsFloating) | SIF(IsVector));            /* mulsd xmm0, [rsi] */
    expect_class(DEC(0x0f, 0x5e, 0xc1), OPC_SimdFloatDiv, SIF(IsFloating) | SIF(IsVector));  /* divps xmm0, xmm1 */
    expect_class(DEC(0xf2, 0x0f, 0x51, 0xc1), OPC_FloatSqrt, SIF(IsFloating) | SIF(IsVector)); /* sqrtsd */
    expect_class(DEC(0x66, 0x0f, 0xfe, 0xc1), OPC_SimdAdd, SIF(IsVector));                   /* paddd xmm0, xmm1 */
    expect_class(DEC(0x66, 0x0f, 0xef, 0xc0), OPC_SimdAlu, SIF(IsVector));                   /* pxor xmm0, xmm0 */
    expect_class(DEC(0x0f, 0x11, 0x06), OPC_FloatMemWrite, SIF(IsStore) | SIF(IsVector)); /* movups [rsi], xmm0 */
    expect_class(DEC(0xdd, 0x06), OPC_FloatMemRead, SIF(IsLoad) | SIF(IsFloating)); /* fld qword [rsi] */
    expect_class(DEC(0xd8, 0xc1), OPC_FloatAdd, SIF(IsFloating));                            /* fadd st0, st1 */
    expect_class(DEC(0x90), OPC_No_OpClass, SIF(IsNop));                                      /* nop */
    expect_class(DEC(0x0f, 0x05), OPC_IprAccess, SIF(IsInteger));                            /* syscall */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mov_imm),
        cmocka_unit_test(test_memory_operands),
        cmocka_unit_test(test_byte_registers),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_branches_and_conditions),
        cmocka_unit_test(test_ends_block),
        cmocka_unit_test(test_m5op_decode),
        cmocka_unit_test(test_need_more),
        cmocka_unit_test(test_invalid_and_m5op_execute),
        cmocka_unit_test(test_format_bytes),
        cmocka_unit_test(test_classify),
    };
    return cmocka_run_group_tests(tests, setup_group, NULL);
}
