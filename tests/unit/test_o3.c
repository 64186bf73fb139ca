/*
 * test_o3.c - the O3 model's parts that stand alone: x86 instructions
 * cracked into gem5-style micro-ops with their registers (o3_uops.c), the
 * branch predictors against patterns each can or cannot learn, the BTB and
 * RAS and the indirect predictor (o3_bpred.c), `--param` parsing (o3_params.c), and the CPU clock's
 * give-back (cpu_unstall, cpu.h). The pipeline itself is checked against
 * first principles by tests/system/18_o3_micro.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/exec.h"
#include "cpu/insn_class.h"
#include "cpu/o3.h"
#include "cpu/o3_bpred.h"
#include "cpu/o3_uops.h"

static int setup_group(void **state)
{
    (void)state;
    exec_init();
    return 0;
}

static struct insn dec(const uint8_t *b, unsigned n)
{
    struct insn in;
    if (decode_insn(b, n, &in) != DECODE_OK)
        fail_msg("cannot decode %02x...", b[0]);
    return in;
}
#define DEC(...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; dec(b_, sizeof b_); })

/* Micro-ops of an instruction: its computing ones plus one load and one store where it has them. */
static unsigned uops(const struct insn *in)
{
    struct o3_crack c;
    o3_crack(in, &c);
    uint64_t flags = insn_class_get(in->cls)->flags;
    unsigned n = (flags & SIF(IsLoad) ? 1 : 0) + (flags & SIF(IsStore) ? 1 : 0);
    for (unsigned i = 0; i < c.npre; i++)
        n += c.pre[i].repeat;
    for (unsigned i = 0; i < c.npost; i++)
        n += c.post[i].repeat;
    return n;
}

static bool has(const uint8_t *list, unsigned n, unsigned reg)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i] == reg)
            return true;
    return false;
}

static void test_crack_counts(void **state)
{
    (void)state;
    struct insn in;
    in = DEC(0x48, 0x01, 0xd8);                    /* add rax, rbx */
    assert_int_equal(uops(&in), 1);
    in = DEC(0x48, 0x03, 0x03);                    /* add rax, [rbx]: ld; add */
    assert_int_equal(uops(&in), 2);
    in = DEC(0x48, 0x01, 0x03);                    /* add [rbx], rax: ld; add; st */
    assert_int_equal(uops(&in), 3);
    in = DEC(0x48, 0x8b, 0x03);                    /* mov rax, [rbx] */
    assert_int_equal(uops(&in), 1);
    in = DEC(0x48, 0x89, 0x03);                    /* mov [rbx], rax */
    assert_int_equal(uops(&in), 1);
    in = DEC(0x48, 0xc7, 0x03, 1, 0, 0, 0);        /* mov qword [rbx], 1: limm; st */
    assert_int_equal(uops(&in), 2);
    in = DEC(0x53);                                /* push rbx: st; subi */
    assert_int_equal(uops(&in), 2);
    in = DEC(0x6a, 0x01);                          /* push 1: limm; st; subi */
    assert_int_equal(uops(&in), 3);
    in = DEC(0x5b);                                /* pop rbx: ld; addi; mov */
    assert_int_equal(uops(&in), 3);
    in = DEC(0xe8, 0, 0, 0, 0);                    /* call rel32: limm; rdip; st; subi; wrip */
    assert_int_equal(uops(&in), 5);
    in = DEC(0xc3);                                /* ret: ld; addi; wripi */
    assert_int_equal(uops(&in), 3);
    in = DEC(0x48, 0x0f, 0xaf, 0xc3);              /* imul rax, rbx: mul1s; mulel; muleh */
    assert_int_equal(uops(&in), 3);
    in = DEC(0x48, 0xf7, 0xf3);                    /* div rbx: div1; 65 div2; divq; divr */
    assert_int_equal(uops(&in), 68);
    in = DEC(0xf7, 0xf3);                          /* div ebx */
    assert_int_equal(uops(&in), 36);
    in = DEC(0x75, 0x00);                          /* jnz */
    assert_int_equal(uops(&in), 1);
}

static void test_crack_registers(void **state)
{
    (void)state;
    struct o3_crack c;
    struct insn in = DEC(0x48, 0x01, 0xd8);        /* add rax, rbx: reads both, writes rax and flags */
    o3_crack(&in, &c);
    assert_int_equal(c.npre, 1);
    assert_true(has(c.pre[0].src, O3_SRCS, O3R_GPR + RAX) && has(c.pre[0].src, O3_SRCS, O3R_GPR + RBX));
    assert_true(has(c.pre[0].dst, O3_DSTS, O3R_GPR + RAX) && has(c.pre[0].dst, O3_DSTS, O3R_FLAGS));
    assert_int_equal(c.pre[0].opc, OPC_IntAlu);

    in = DEC(0x48, 0x89, 0xd8);                    /* mov rax, rbx: rax is not a source */
    o3_crack(&in, &c);
    assert_false(has(c.pre[0].src, O3_SRCS, O3R_GPR + RAX));
    assert_false(has(c.pre[0].dst, O3_DSTS, O3R_FLAGS));

    in = DEC(0x48, 0x03, 0x43, 0x08);              /* add rax, [rbx+8]: the load's address is rbx */
    o3_crack(&in, &c);
    assert_true(has(c.ld.src, O3_SRCS, O3R_GPR + RBX));
    assert_int_equal(c.ld.dst[0], O3R_TLD);
    assert_true(has(c.pre[0].src, O3_SRCS, O3R_TLD));

    in = DEC(0x75, 0x00);                          /* jnz: a conditional branch reading the flags */
    o3_crack(&in, &c);
    assert_true(c.is_branch);
    assert_int_equal(c.branch_kind, BR_COND);
    assert_true(has(c.post[c.npost - 1].src, O3_SRCS, O3R_FLAGS));

    in = DEC(0xc3);
    o3_crack(&in, &c);
    assert_int_equal(c.branch_kind, BR_RETURN);
    assert_true(has(c.ld.src, O3_SRCS, O3R_GPR + RSP));

    in = DEC(0x0f, 0xa2);                          /* cpuid: serializing */
    o3_crack(&in, &c);
    assert_true(c.serialize);
}

/* Mispredictions of a conditional branch at pc following pattern[] repeated `n` times (the last half counted). */
static unsigned mispredicts(enum o3_bpred_kind kind, const bool *pattern, unsigned len, unsigned n)
{
    struct o3_params p;
    o3_params_defaults(&p);
    p.bpred = kind;
    struct o3_bpred bp;
    o3_bpred_init(&bp, &p);
    unsigned wrong = 0;
    for (unsigned i = 0; i < n * len; i++) {
        bool taken = pattern[i % len];
        struct o3_branch_outcome o = o3_bpred_branch(&bp, BR_COND, 0x401000, 0x401002, taken, taken ? 0x400f00 : 0x401002);
        if (i >= n * len / 2)
            wrong += o.cond_incorrect;
    }
    o3_bpred_free(&bp);
    return wrong;
}

static void test_predictors(void **state)
{
    (void)state;
    static const bool taken[] = { true };
    static const bool alternate[] = { true, false };
    static const bool period3[] = { true, true, false };
    for (int k = O3_BP_TOURNAMENT; k <= O3_BP_TAGE; k++)
        assert_int_equal(mispredicts((enum o3_bpred_kind)k, taken, 1, 1000), 0);
    /* History predictors learn patterns; a bimodal counter cannot. */
    assert_int_equal(mispredicts(O3_BP_TOURNAMENT, alternate, 2, 1000), 0);
    assert_int_equal(mispredicts(O3_BP_TAGE, alternate, 2, 1000), 0);
    assert_true(mispredicts(O3_BP_LOCAL, alternate, 2, 1000) >= 400);
    assert_int_equal(mispredicts(O3_BP_TOURNAMENT, period3, 3, 1000), 0);
    assert_int_equal(mispredicts(O3_BP_TAGE, period3, 3, 1000), 0);
    assert_true(mispredicts(O3_BP_LOCAL, period3, 3, 1000) >= 400);
}

static void test_btb_ras(void **state)
{
    (void)state;
    struct o3_params p;
    o3_params_defaults(&p);
    struct o3_bpred bp;
    o3_bpred_init(&bp, &p);
    /* A direct jump: the first time the BTB lacks it (a decode resteer), then it hits. */
    struct o3_branch_outcome o = o3_bpred_branch(&bp, BR_UNCOND_DIRECT, 0x1000, 0x1002, true, 0x2000);
    assert_true(o.early_resteer && !o.mispredicted && !o.btb_hit);
    o = o3_bpred_branch(&bp, BR_UNCOND_DIRECT, 0x1000, 0x1002, true, 0x2000);
    assert_true(o.btb_hit && !o.early_resteer && !o.mispredicted);
    /* Nested calls up to the RAS depth return correctly. */
    for (unsigned d = 0; d < p.RASEntries; d++)
        o3_bpred_branch(&bp, BR_CALL_DIRECT, 0x3000 + 16 * d, 0x3005 + 16 * d, true, 0x5000);
    for (unsigned d = p.RASEntries; d-- > 0;) {
        o = o3_bpred_branch(&bp, BR_RETURN, 0x5010, 0x5011, true, 0x3005 + 16 * d);
        assert_true(o.ras_used && !o.mispredicted);
    }
    /* An indirect jump alternating between two targets: the BTB alone (its last target) would be
       wrong every time; the indirect predictor's path history tells the two apart. */
    unsigned wrong = 0, hits = 0;
    for (unsigned i = 0; i < 200; i++) {
        o = o3_bpred_branch(&bp, BR_INDIRECT, 0x6000, 0x6002, true, i & 1 ? 0x7000 : 0x8000);
        if (i >= 100) {
            wrong += o.mispredicted;
            hits += o.indirect_hit;
        }
    }
    assert_int_equal(wrong, 0);
    assert_int_equal(hits, 100);
    /* Targets that follow no pattern the histories show: mostly mispredicted. */
    wrong = 0;
    uint32_t x = 12345;
    for (unsigned i = 0; i < 1000; i++) {
        x = x * 1103515245u + 12345u;
        wrong += o3_bpred_branch(&bp, BR_INDIRECT, 0x9000, 0x9002, true, 0xa000 + ((x >> 16) & 7) * 64).mispredicted;
    }
    assert_true(wrong >= 700);
    o3_bpred_free(&bp);
}

static void test_params(void **state)
{
    (void)state;
    struct o3_params p;
    char why[256];
    o3_params_defaults(&p);
    assert_int_equal(p.numROBEntries, 192);
    assert_int_equal(p.numIQEntries, 64);
    assert_int_equal(p.LQEntries, 32);
    assert_int_equal(p.fetchWidth, 8);
    assert_int_equal(p.bpred, O3_BP_TOURNAMENT);
    assert_true(o3_param_set(&p, "system.cpu.numROBEntries=96", why, sizeof why));
    assert_int_equal(p.numROBEntries, 96);
    assert_true(o3_param_set(&p, "issueWidth=4", why, sizeof why));
    assert_int_equal(p.issueWidth, 4);
    assert_true(o3_param_set(&p, "system.cpu.branchPred=LocalBP", why, sizeof why));
    assert_int_equal(p.bpred, O3_BP_LOCAL);
    assert_true(o3_param_set(&p, "system.cpu.branchPred.btb.numEntries=1024", why, sizeof why));
    assert_int_equal(p.BTBEntries, 1024);
    assert_false(o3_param_set(&p, "system.cpu.noSuch=1", why, sizeof why));
    assert_non_null(strstr(why, "unknown parameter"));
    assert_false(o3_param_set(&p, "system.cpu.numROBEntries=0", why, sizeof why));
    assert_false(o3_param_set(&p, "system.cpu.numROBEntries=x", why, sizeof why));
    assert_false(o3_param_set(&p, "system.cpu.branchPred=Oracle", why, sizeof why));
    assert_false(o3_param_set(&p, "numROBEntries", why, sizeof why));
}

/* The clock gives back cycles without going back, and the budget follows (cpu.h). */
static void test_unstall(void **state)
{
    (void)state;
    static struct cpu cpu;
    cpu.icount = 100;
    cpu.stall_cycles = 0;
    cpu.budget_end = 110;
    cpu.icount++;                     /* an instruction retires in the same cycle as the previous one */
    cpu_unstall(&cpu, 1);
    assert_int_equal(cpu_cycles(&cpu), 100);
    assert_int_equal(cpu.budget_end, 111);
    cpu.icount++;
    cpu_unstall(&cpu, 1);
    assert_int_equal(cpu_cycles(&cpu), 100);   /* stall_cycles wrapped below zero */
    cpu.icount++;
    cpu_stall(&cpu, 4);               /* then one that commits 5 cycles later */
    assert_int_equal(cpu_cycles(&cpu), 105);
    assert_int_equal(cpu.budget_end, 108);
    cpu_request_exit(&cpu, CPU_EXIT_STOP);
    cpu.icount++;
    cpu_unstall(&cpu, 1);             /* a requested stop does not move */
    assert_int_equal(cpu.budget_end, 103);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crack_counts),
        cmocka_unit_test(test_crack_registers),
        cmocka_unit_test(test_predictors),
        cmocka_unit_test(test_btb_ras),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_unstall),
    };
    return cmocka_run_group_tests(tests, setup_group, NULL);
}
