/*
 * o3_uops.c - cracking x86 instructions into gem5-style micro-ops
 * (o3_uops.h). The counts follow gem5's microcode for the common
 * families (docs/o3.md has the table):
 *   ALU reg, reg / reg, imm            1: the operation
 *   ALU reg, [mem]                     2: ld t1; op
 *   ALU [mem], reg                     3: ld t1; op t1; st t1
 *   MOV reg, [mem] / MOV [mem], reg    1: ld / st
 *   MOV [mem], imm                     2: limm t1; st t1
 *   PUSH reg                           2: st; subi rsp      PUSH imm: 3 (limm first)
 *   POP reg                            3: ld t1; addi rsp; mov reg, t1
 *   CALL rel                           5: limm; rdip; st; subi rsp; wrip
 *   RET                                3: ld t1; addi rsp; wripi t1
 *   MUL/IMUL (one operand), IMUL r, r  3: mul1 (IntMult); mulel; muleh
 *   DIV/IDIV                           div1; div2 x (operand bits); divq; divr
 *                                      (IntDiv micro-ops of X86IntMultDiv, 1 cycle each)
 *   string element (MOVS, STOS, ...)   its loads and stores, plus one pointer update
 * Registers are read from the explicit operands, the memory operand's base
 * and index, and a per-mnemonic table of implicit ones (RSP, RAX/RDX, RSI/
 * RDI/RCX, the flags).
 */
#include "cpu/o3_uops.h"

#include <string.h>

#include <Zydis/Zydis.h>

#include "cpu/insn_class.h"
#include "cpu/o3_bpred.h"
#include "cpu/state.h"

enum {
    MN_KNOWN = 1 << 0,
    MN_FLAGS_R = 1 << 1,
    MN_FLAGS_W = 1 << 2,
    MN_DST_ONLY = 1 << 3,   /* the destination register is not also a source */
    MN_PUSH = 1 << 4,
    MN_POP = 1 << 5,
    MN_MULDIV = 1 << 6,
    MN_CONVERT = 1 << 7,    /* CWD/CDQ/CQO: rax -> rdx; CBW/CWDE/CDQE: rax -> rax */
    MN_STRING = 1 << 8,
    MN_LEAVE = 1 << 9,
    MN_DIV = 1 << 10,
    MN_SERIAL = 1 << 11,
    MN_IMUL = 1 << 12,
};

static uint16_t mn_info[ZYDIS_MNEMONIC_MAX_VALUE + 1];

static bool starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static bool in_list(const char *s, const char *const *l)
{
    for (; *l; l++)
        if (!strcmp(s, *l))
            return true;
    return false;
}

static uint16_t classify_mnemonic(unsigned mn)
{
    static const char *const flag_writers[] = {
        "add", "adc", "sub", "sbb", "and", "or", "xor", "cmp", "test", "inc", "dec", "neg", "shl", "shr",
        "sar", "rol", "ror", "rcl", "rcr", "shld", "shrd", "mul", "imul", "div", "idiv", "bt", "bts", "btr",
        "btc", "bsf", "bsr", "popcnt", "lzcnt", "tzcnt", "cmpxchg", "xadd", "comiss", "comisd", "ucomiss",
        "ucomisd", "sahf", "popfq", "popf", "cmpsb", "cmpsw", "cmpsd", "cmpsq", "scasb", "scasw", "scasd",
        "scasq", "andn", "blsr", "blsi", "blsmsk", "bzhi", "stc", "clc", "cmc", "std", "cld", "ptest",
        "fcomi", "fcomip", "fucomi", "fucomip", "adcx", "adox", NULL };
    static const char *const flag_readers[] = { "adc", "sbb", "rcl", "rcr", "pushfq", "pushf", "lahf", "cmc",
                                                "adcx", "adox", NULL };
    static const char *const dst_only[] = {
        "mov", "movzx", "movsx", "movsxd", "lea", "pop", "movaps", "movapd", "movups", "movupd", "movdqa",
        "movdqu", "movd", "movq", "bsf", "bsr", "popcnt", "lzcnt", "tzcnt", "in", "rdtsc", "movabs", NULL };
    static const char *const strings[] = {
        "movsb", "movsw", "movsd", "movsq", "stosb", "stosw", "stosd", "stosq", "lodsb", "lodsw", "lodsd",
        "lodsq", "cmpsb", "cmpsw", "cmpsd", "cmpsq", "scasb", "scasw", "scasd", "scasq", "insb", "insw",
        "insd", "outsb", "outsw", "outsd", NULL };
    static const char *const serial[] = { "cpuid", "syscall", "sysret", "iretq", "iret", "iretd", "hlt",
                                          "wrmsr", "rdmsr", "lfence", "mfence", "sfence", "invlpg", "wbinvd",
                                          "lgdt", "lidt", "ltr", "lldt", "swapgs", "ud0", "ud1", "ud2",
                                          "int", "int3", "into", "rdtscp", "xsave", "xrstor", "fxsave",
                                          "fxrstor", "cli", "sti", "popfq", "popf", NULL };
    const char *m = ZydisMnemonicGetString((ZydisMnemonic)mn);
    uint16_t f = MN_KNOWN;
    if (!m)
        return f;
    if (in_list(m, flag_writers))
        f |= MN_FLAGS_W;
    if (in_list(m, flag_readers) || (m[0] == 'j' && strcmp(m, "jmp") && !starts(m, "jrcxz") &&
                                     !starts(m, "jecxz")) ||
        starts(m, "set") || starts(m, "cmov") || starts(m, "fcmov"))
        f |= MN_FLAGS_R;
    if (in_list(m, dst_only) || starts(m, "set") || starts(m, "cvt"))
        f |= MN_DST_ONLY;
    if (starts(m, "push"))
        f |= MN_PUSH;
    if (starts(m, "pop") && strcmp(m, "popcnt"))
        f |= MN_POP;
    if (!strcmp(m, "mul") || !strcmp(m, "imul") || !strcmp(m, "div") || !strcmp(m, "idiv"))
        f |= MN_MULDIV;
    if (!strcmp(m, "imul"))
        f |= MN_IMUL;
    if (!strcmp(m, "div") || !strcmp(m, "idiv"))
        f |= MN_DIV;
    if (!strcmp(m, "cwd") || !strcmp(m, "cdq") || !strcmp(m, "cqo") || !strcmp(m, "cbw") ||
        !strcmp(m, "cwde") || !strcmp(m, "cdqe"))
        f |= MN_CONVERT;
    if (in_list(m, strings))
        f |= MN_STRING;
    if (!strcmp(m, "leave"))
        f |= MN_LEAVE;
    if (in_list(m, serial))
        f |= MN_SERIAL;
    return f;
}

static uint16_t mnemonic_info(unsigned mn)
{
    if (mn > ZYDIS_MNEMONIC_MAX_VALUE)
        return MN_KNOWN;
    if (!mn_info[mn])
        mn_info[mn] = classify_mnemonic(mn);
    return mn_info[mn];
}

static void add_reg(uint8_t *list, unsigned n, unsigned reg)
{
    if (reg == O3R_NONE)
        return;
    for (unsigned i = 0; i < n; i++) {
        if (list[i] == reg)
            return;
        if (list[i] == O3R_NONE) {
            list[i] = (uint8_t)reg;
            return;
        }
    }
}

static struct o3_uop uop(unsigned opc)
{
    struct o3_uop u = { .opc = (uint8_t)opc, .repeat = 1 };
    memset(u.src, O3R_NONE, sizeof u.src);
    memset(u.dst, O3R_NONE, sizeof u.dst);
    return u;
}

static unsigned operand_reg(const struct operand *o)
{
    switch (o->kind) {
    case OPK_GPR: return O3R_GPR + (o->reg & 15);
    case OPK_XMM: return O3R_XMM + (o->reg & 15);
    case OPK_MMX: return O3R_MMX + (o->reg & 7);
    case OPK_ST: return O3R_X87;
    default: return O3R_NONE;
    }
}

static void push_uop(struct o3_uop *list, uint8_t *n, struct o3_uop u)
{
    if (*n < O3_MAX_COMPUTE)
        list[(*n)++] = u;
}

static enum o3_branch_kind branch_kind(uint64_t flags, const struct insn *in)
{
    bool direct = flags & SIF(IsDirectControl);
    if (flags & SIF(IsReturn))
        return BR_RETURN;
    if (flags & SIF(IsCall))
        return direct ? BR_CALL_DIRECT : BR_CALL_INDIRECT;
    if (flags & SIF(IsCondControl))
        return BR_COND;
    (void)in;
    return direct ? BR_UNCOND_DIRECT : BR_INDIRECT;
}

void o3_crack(const struct insn *in, struct o3_crack *c)
{
    const struct insn_class *cls = insn_class_get(in->cls);
    uint64_t flags = cls->flags;
    uint16_t mn = mnemonic_info(in->mnemonic);
    unsigned opc = cls->op_class;
    bool loads = flags & SIF(IsLoad), stores = flags & SIF(IsStore);
    bool pure_move = opc == OPC_MemRead || opc == OPC_MemWrite || opc == OPC_FloatMemRead ||
                     opc == OPC_FloatMemWrite;
    unsigned compute_opc = pure_move ? OPC_IntAlu : opc;

    memset(c, 0, sizeof *c);
    c->ld = uop(flags & SIF(IsFloating) && pure_move ? OPC_FloatMemRead : OPC_MemRead);
    c->st = uop(flags & SIF(IsFloating) && pure_move ? OPC_FloatMemWrite : OPC_MemWrite);
    c->serialize = (mn & MN_SERIAL) || opc == OPC_IprAccess;

    /* Registers of the explicit operands. */
    uint8_t reads[8], writes[4];
    memset(reads, O3R_NONE, sizeof reads);
    memset(writes, O3R_NONE, sizeof writes);
    bool mem_operand = false, reg_data = false;
    for (unsigned i = 0; i < in->nops && i < 4; i++) {
        const struct operand *o = &in->op[i];
        if (o->kind == OPK_MEM) {
            mem_operand = true;
            if (o->reg < 16) {
                add_reg(c->ld.src, O3_SRCS, O3R_GPR + o->reg);
                add_reg(c->st.src, O3_SRCS, O3R_GPR + o->reg);
                if (o->size == 0)   /* LEA: the address is the computation's input */
                    add_reg(reads, 8, O3R_GPR + o->reg);
            }
            if (o->index < 16) {
                add_reg(c->ld.src, O3_SRCS, O3R_GPR + o->index);
                add_reg(c->st.src, O3_SRCS, O3R_GPR + o->index);
                if (o->size == 0)
                    add_reg(reads, 8, O3R_GPR + o->index);
            }
            continue;
        }
        unsigned r = operand_reg(o);
        if (r == O3R_NONE)
            continue;
        bool dst_read = !(mn & MN_DST_ONLY) && !((mn & MN_IMUL) && in->nops == 3);
        if (o->write) {
            add_reg(writes, 4, r);
            if (dst_read)
                add_reg(reads, 8, r);
        } else {
            add_reg(reads, 8, r);
            reg_data = true;
        }
    }
    if (mn & MN_FLAGS_R)
        add_reg(reads, 8, O3R_FLAGS);

    /* Control transfers. */
    if (flags & SIF(IsControl)) {
        c->is_branch = 1;
        c->branch_kind = (uint8_t)branch_kind(flags, in);
    }

    if (mn & MN_STRING) {
        c->string = 1;
        c->ld.src[0] = O3R_GPR + RSI;
        c->ld.src[1] = O3R_NONE;
        c->ld.dst[0] = O3R_TLD;
        c->st.src[0] = O3R_GPR + RDI;
        c->st.src[1] = O3R_TLD;
        c->st.src[2] = O3R_NONE;
        struct o3_uop u = uop(OPC_IntAlu);   /* the final count test / pointer setup */
        u.src[0] = O3R_GPR + RCX;
        u.dst[0] = O3R_GPR + RCX;
        if (mn & MN_FLAGS_W)
            u.dst[1] = O3R_FLAGS;
        push_uop(c->post, &c->npost, u);
        return;
    }

    if (mn & (MN_PUSH | MN_POP)) {
        c->ld.src[0] = O3R_GPR + RSP;
        c->st.src[0] = O3R_GPR + RSP;
        struct o3_uop rsp = uop(OPC_IntAlu);
        rsp.src[0] = rsp.dst[0] = O3R_GPR + RSP;
        if (mn & MN_PUSH) {
            /* st reg (or limm t1; st t1, or ld t1; st t1); subi rsp */
            if (!reg_data) {
                struct o3_uop limm = uop(OPC_IntAlu);
                limm.dst[0] = O3R_TOP;
                if (!loads)
                    push_uop(c->pre, &c->npre, limm);
                c->st.src[1] = loads ? O3R_TLD : O3R_TOP;
                c->ld.dst[0] = O3R_TLD;
            } else {
                c->st.src[1] = reads[0];
            }
            push_uop(c->post, &c->npost, rsp);
        } else {
            /* ld t1; addi rsp; mov reg, t1 (POP [mem] stores t1) */
            c->ld.dst[0] = O3R_TLD;
            c->st.src[1] = O3R_TLD;
            push_uop(c->post, &c->npost, rsp);
            if (writes[0] != O3R_NONE) {
                struct o3_uop mv = uop(OPC_IntAlu);
                mv.src[0] = O3R_TLD;
                memcpy(mv.dst, writes, O3_DSTS);
                if (mn & MN_FLAGS_W)
                    add_reg(mv.dst, O3_DSTS, O3R_FLAGS);
                push_uop(c->post, &c->npost, mv);
            }
        }
        return;
    }

    if (c->is_branch) {
        struct o3_uop br = uop(OPC_IntAlu);
        br.branch = 1;
        memcpy(br.src, reads, O3_SRCS);
        c->ld.dst[0] = O3R_TLD;
        if (loads)
            add_reg(br.src, O3_SRCS, O3R_TLD);
        if (c->branch_kind == BR_RETURN || c->branch_kind == BR_CALL_DIRECT ||
            c->branch_kind == BR_CALL_INDIRECT) {
            c->ld.src[0] = O3R_GPR + RSP;
            c->ld.src[1] = O3R_NONE;
            c->st.src[0] = O3R_GPR + RSP;
            c->st.src[1] = O3R_TIP;
            struct o3_uop rsp = uop(OPC_IntAlu);
            rsp.src[0] = rsp.dst[0] = O3R_GPR + RSP;
            if (c->branch_kind != BR_RETURN) {
                struct o3_uop rdip = uop(OPC_IntAlu);
                rdip.dst[0] = O3R_TIP;
                if (c->branch_kind == BR_CALL_DIRECT) {
                    struct o3_uop limm = uop(OPC_IntAlu);
                    limm.dst[0] = O3R_TMP;
                    push_uop(c->pre, &c->npre, limm);
                    add_reg(br.src, O3_SRCS, O3R_TMP);
                }
                push_uop(c->pre, &c->npre, rdip);
            }
            push_uop(c->post, &c->npost, rsp);
        }
        push_uop(c->post, &c->npost, br);
        return;
    }

    if (mn & MN_MULDIV) {
        bool one_operand = in->nops == 1 || !(mn & MN_IMUL);
        unsigned bits = in->op[0].size ? in->op[0].size * 8u : in->opsize * 8u;
        uint8_t first_src = reads[0];
        c->ld.dst[0] = O3R_TLD;
        if (loads)
            first_src = O3R_TLD;
        if (mn & MN_DIV) {
            struct o3_uop d1 = uop(OPC_IntDiv), d2 = uop(OPC_IntDiv), dq = uop(OPC_IntDiv), dr = uop(OPC_IntDiv);
            d1.src[0] = O3R_GPR + RAX;
            d1.src[1] = O3R_GPR + RDX;
            d1.src[2] = first_src;
            d1.dst[0] = O3R_TMP;
            d2.src[0] = O3R_TMP;
            d2.dst[0] = O3R_TMP;
            d2.repeat = (uint8_t)(bits + 1);   /* div2i, then one div2 per quotient bit */
            dq.src[0] = O3R_TMP;
            dq.dst[0] = O3R_GPR + RAX;
            dq.dst[1] = O3R_FLAGS;
            dr.src[0] = O3R_TMP;
            dr.dst[0] = O3R_GPR + RDX;
            push_uop(c->pre, &c->npre, d1);
            push_uop(c->pre, &c->npre, d2);
            push_uop(c->pre, &c->npre, dq);
            push_uop(c->pre, &c->npre, dr);
            return;
        }
        struct o3_uop m1 = uop(OPC_IntMult), lo = uop(OPC_IntAlu), hi = uop(OPC_IntAlu);
        if (one_operand) {
            m1.src[0] = O3R_GPR + RAX;
            m1.src[1] = first_src;
            lo.dst[0] = O3R_GPR + RAX;
            hi.dst[0] = O3R_GPR + RDX;
        } else {
            memcpy(m1.src, reads, O3_SRCS);
            if (loads)
                add_reg(m1.src, O3_SRCS, O3R_TLD);
            lo.dst[0] = writes[0];
        }
        m1.dst[0] = O3R_TMP;
        m1.dst[1] = O3R_FLAGS;
        lo.src[0] = hi.src[0] = O3R_TMP;
        push_uop(c->pre, &c->npre, m1);
        push_uop(c->pre, &c->npre, lo);
        push_uop(c->pre, &c->npre, hi);
        return;
    }

    if (mn & MN_CONVERT) {
        struct o3_uop u = uop(OPC_IntAlu);
        u.src[0] = O3R_GPR + RAX;
        u.dst[0] = in->mnemonic == ZYDIS_MNEMONIC_CWD || in->mnemonic == ZYDIS_MNEMONIC_CDQ ||
                           in->mnemonic == ZYDIS_MNEMONIC_CQO ? O3R_GPR + RDX : O3R_GPR + RAX;
        push_uop(c->pre, &c->npre, u);
        return;
    }

    if (mn & MN_LEAVE) {
        /* mov rsp, rbp; ld rbp, [rsp]; addi rsp */
        c->ld.src[0] = O3R_GPR + RBP;
        c->ld.dst[0] = O3R_GPR + RBP;
        struct o3_uop rsp = uop(OPC_IntAlu);
        rsp.src[0] = O3R_GPR + RBP;
        rsp.dst[0] = O3R_GPR + RSP;
        push_uop(c->post, &c->npost, rsp);
        return;
    }

    /* The general shapes: [ld] [op] [st]. */
    if (pure_move) {
        if (loads && !stores) {
            memcpy(c->ld.dst, writes, O3_DSTS);   /* MOV reg, [mem]: the load writes the register */
            return;
        }
        if (stores && !loads) {
            if (reg_data) {
                add_reg(c->st.src, O3_SRCS, reads[0]);
            } else {
                struct o3_uop limm = uop(OPC_IntAlu);   /* MOV [mem], imm: limm t1; st t1 */
                limm.dst[0] = O3R_TOP;
                push_uop(c->pre, &c->npre, limm);
                add_reg(c->st.src, O3_SRCS, O3R_TOP);
            }
            return;
        }
        if (!mem_operand && !loads && !stores) {
            /* a move between registers */
        } else {
            /* MOVS-like moves memory to memory: ld t1; st t1 */
            c->ld.dst[0] = O3R_TLD;
            add_reg(c->st.src, O3_SRCS, O3R_TLD);
            return;
        }
    }
    struct o3_uop op = uop(opc == OPC_No_OpClass ? OPC_No_OpClass : compute_opc);
    memcpy(op.src, reads, O3_SRCS);
    if (loads) {
        c->ld.dst[0] = O3R_TLD;
        add_reg(op.src, O3_SRCS, O3R_TLD);
    }
    for (unsigned i = 0; i < 4; i++)
        add_reg(op.dst, O3_DSTS, writes[i]);
    if (mn & MN_FLAGS_W)
        add_reg(op.dst, O3_DSTS, O3R_FLAGS);
    if (stores) {
        add_reg(op.dst, O3_DSTS, O3R_TOP);
        add_reg(c->st.src, O3_SRCS, O3R_TOP);
    }
    push_uop(c->pre, &c->npre, op);
}
