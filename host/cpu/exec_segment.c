/*
 * exec_segment.c - segmentation in 64-bit mode (Intel SDM vol. 3 ch. 3, 5
 * and 6.14; vol. 2 for each instruction): LGDT LIDT SGDT SIDT, LLDT LTR SLDT
 * STR, MOV to/from segment registers and POP FS/GS, VERR VERW LAR LSL,
 * SWAPGS, SYSCALL SYSRET, IRET/IRETD/IRETQ, and the far forms of RET, JMP
 * and CALL (through memory, m16:16/32/64).
 *
 * Only 64-bit mode is implemented. A far transfer, IRET or SYSRET to a code
 * segment with L=0 (compatibility mode) stops the simulation with
 * CPU_EXIT_UNSUPPORTED and RIP left at the instruction. Call gates and task
 * switches are not supported either: a far JMP/CALL to a system descriptor
 * raises #GP(selector), and IRET with NT=1 raises #GP(0) as in IA-32e mode.
 *
 * Descriptor-table reads and the writes that set accessed/busy bits are
 * implicit supervisor accesses (ACC_SUPER), made before any register
 * changes so that a fault leaves the instruction restartable.
 */
#include "cpu/exec_system.h"
#include "cpu/mode.h"

#include "util/log.h"

#define SEG_ATTR_TYPE_ACCESSED 1u
#define SEG_TYPE_CODE       8u
#define SEG_TYPE_CONFORMING 4u   /* code: conforming; data: expand-down */
#define SEG_TYPE_RW         2u   /* code: readable; data: writable */

#define SYS_LDT       0x2u
#define SYS_TSS_AVAIL 0x9u
#define SYS_TSS_BUSY  0xbu
#define SYS_CALL_GATE 0xcu

/* Flat 64-bit segments that SYSCALL and SYSRET load without reading the GDT. */
#define ATTR_CODE64(dpl) (0x9bu | (dpl) << 5 | SEG_ATTR_L | SEG_ATTR_G)
#define ATTR_DATA(dpl)   (0x93u | (dpl) << 5 | SEG_ATTR_DB | SEG_ATTR_G)

/* ------------------------------------------------------- descriptors -- */

static inline uint16_t desc_attr(uint64_t d)
{
    return (uint16_t)(((d >> 40) & 0xff) | ((d >> 40) & 0xf000));
}

static inline uint32_t desc_limit(uint64_t d)
{
    uint32_t l = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
    return (d & (1ull << 55)) ? (l << 12) | 0xfff : l;
}

static inline uint64_t desc_base(uint64_t d)
{
    return ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
}

static inline bool sel_null(uint16_t sel)
{
    return (sel & 0xfffc) == 0;
}

static noreturn void raise_sel(struct cpu *cpu, int vector, uint16_t sel)
{
    cpu_raise_err(cpu, vector, sel & 0xfffc);
}

/*
 * Linear address of the descriptor for sel (GDT or LDT) if `bytes` of it lie
 * within the table limit. Returns false when they do not.
 */
static bool desc_locate(const struct cpu *cpu, uint16_t sel, unsigned bytes, uint64_t *addr)
{
    uint64_t base;
    uint32_t limit;
    if (sel & 4) {
        const struct segment *l = &cpu->s.ldtr;
        if (sel_null(l->selector) || !(l->attr & SEG_ATTR_P))
            return false;
        base = l->base;
        limit = l->limit;
    } else {
        base = cpu->s.gdtr.base;
        limit = cpu->s.gdtr.limit;
    }
    if ((uint32_t)(sel & ~7u) + bytes - 1 > limit)
        return false;
    *addr = base + (sel & ~7u);
    return true;
}

static inline uint64_t desc_read(struct cpu *cpu, uint64_t addr)
{
    return mmu_read_slow(cpu, addr, 8, ACC_READ | ACC_SUPER);
}

/* The 8-byte descriptor of a non-null selector; #GP(sel) when it is outside its table. */
static uint64_t desc_fetch(struct cpu *cpu, uint16_t sel, uint64_t *addr)
{
    if (!desc_locate(cpu, sel, 8, addr))
        raise_sel(cpu, EXC_GP, sel);
    return desc_read(cpu, *addr);
}

/* Code and data descriptors are marked accessed when loaded (only written when the bit is clear). */
static void desc_set_accessed(struct cpu *cpu, uint64_t addr, uint64_t d)
{
    if (!(d & (1ull << 40)))
        mmu_write_slow(cpu, addr + 5, 1, ((d >> 40) & 0xff) | SEG_ATTR_TYPE_ACCESSED, ACC_WRITE | ACC_SUPER);
}

static struct segment seg_from_desc(uint16_t sel, uint64_t d)
{
    return (struct segment){ sel, (uint16_t)(desc_attr(d) | SEG_ATTR_TYPE_ACCESSED), desc_limit(d),
                             desc_base(d) };
}

/*
 * Stop at an instruction that would enter compatibility mode (L=0 code):
 * nothing changes, RIP stays at the instruction, cpu_run returns
 * CPU_EXIT_UNSUPPORTED.
 */
static void compat_unsupported(struct cpu *cpu, const char *what)
{
    warn("cpu", "%s to a 32-bit code segment at rip=0x%llx: compatibility mode is not supported",
         what, (unsigned long long)cpu->s.rip);
    cpu_request_exit(cpu, CPU_EXIT_UNSUPPORTED);
    cpu->next_rip = cpu->s.rip;
}

/* ------------------------------------------------ segment registers -- */

/*
 * Load DS, ES, FS, GS or SS with the checks of MOV Sreg / POP Sreg in
 * 64-bit mode. A null selector is allowed in DS/ES/FS/GS at any CPL (the
 * register becomes unusable and, as on Intel processors, the base is
 * cleared) and in SS at CPL < 3 with RPL = CPL. A non-null FS/GS load takes
 * the 32-bit base of the descriptor; larger bases come only from the MSRs.
 */
static void load_sreg(struct cpu *cpu, unsigned r, uint16_t sel)
{
    struct cpu_state *s = &cpu->s;
    unsigned rpl = sel & 3;

    if (r == SEG_CS)
        cpu_raise_ud(cpu);
    if (sel_null(sel)) {
        if (r == SEG_SS && (s->cpl == 3 || rpl != s->cpl))
            cpu_raise_gp0(cpu);
        s->seg[r] = (struct segment){ sel, 0, 0, 0 };
        return;
    }

    uint64_t addr;
    uint64_t d = desc_fetch(cpu, sel, &addr);
    unsigned attr = desc_attr(d), type = SEG_ATTR_TYPE(attr), dpl = SEG_ATTR_DPL(attr);
    if (r == SEG_SS) {
        if (rpl != s->cpl || dpl != s->cpl || !(attr & SEG_ATTR_S) || (type & SEG_TYPE_CODE) ||
            !(type & SEG_TYPE_RW))
            raise_sel(cpu, EXC_GP, sel);
        if (!(attr & SEG_ATTR_P))
            raise_sel(cpu, EXC_SS, sel);
    } else {
        /* Data or readable code; data and non-conforming code also need RPL, CPL <= DPL. */
        if (!(attr & SEG_ATTR_S) || ((type & SEG_TYPE_CODE) && !(type & SEG_TYPE_RW)))
            raise_sel(cpu, EXC_GP, sel);
        bool conforming_code = (type & SEG_TYPE_CODE) && (type & SEG_TYPE_CONFORMING);
        if (!conforming_code && (rpl > dpl || s->cpl > dpl))
            raise_sel(cpu, EXC_GP, sel);
        if (!(attr & SEG_ATTR_P))
            raise_sel(cpu, EXC_NP, sel);
    }
    desc_set_accessed(cpu, addr, d);
    s->seg[r] = seg_from_desc(sel, d);
}

void exec_mov_sreg(struct cpu *cpu, const struct insn *in)
{
    const struct operand *d = &in->op[0], *src = &in->op[1];

    if (d->kind == OPK_SEG) {
        uint16_t sel = src->kind == OPK_MEM ? mem_read16(cpu, op_ea(cpu, in, 1))
                                            : (uint16_t)cpu->s.gpr[src->reg];
        load_sreg(cpu, d->reg, sel);
        if (d->reg == SEG_SS) {
            cpu->s.intr_shadow = 1;  /* MOV SS blocks interrupts for one instruction */
            cpu->block_exit = 1;
        }
        return;
    }
    /* MOV r/m, Sreg: a 16-bit store to memory; registers are zero-extended (or merged at 16 bits). */
    uint16_t sel = cpu->s.seg[src->reg].selector;
    if (d->kind == OPK_MEM)
        mem_write16(cpu, op_ea(cpu, in, 0), sel);
    else
        gpr_write(cpu, d->reg, d->size, 0, sel);
}

/* POP FS / POP GS (8 or 2 bytes from the stack); other POP forms belong to the stack family. */
static exec_fn pop_next;

static void exec_pop_sreg(struct cpu *cpu, const struct insn *in)
{
    if (in->op[0].kind != OPK_SEG) {
        pop_next(cpu, in);
        return;
    }
    unsigned size = in->opsize;
    uint64_t sp = cpu->s.gpr[RSP];
    uint16_t sel = (uint16_t)mem_read(cpu, sp, size);
    load_sreg(cpu, in->op[0].reg, sel);
    cpu->s.gpr[RSP] = sp + size;
}

/* -------------------------------------------------- descriptor tables -- */

static void exec_lgdt(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint64_t ea = op_ea(cpu, in, 0);
    uint16_t limit = mem_read16(cpu, ea);
    uint64_t base = mem_read64(cpu, ea + 2);
    cpu->s.gdtr = (struct dtable){ base, limit };
}

static void exec_lidt(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint64_t ea = op_ea(cpu, in, 0);
    uint16_t limit = mem_read16(cpu, ea);
    uint64_t base = mem_read64(cpu, ea + 2);
    cpu->s.idtr = (struct dtable){ base, limit };
}

/* SGDT/SIDT: 2-byte limit and 8-byte base (not privileged: the model has no UMIP). */
static void store_dtable(struct cpu *cpu, const struct insn *in, const struct dtable *t)
{
    uint8_t buf[10];
    memcpy(buf, &t->limit, 2);
    memcpy(buf + 2, &t->base, 8);
    mem_write_bytes(cpu, op_ea(cpu, in, 0), buf, sizeof buf);
}

static void exec_sgdt(struct cpu *cpu, const struct insn *in) { store_dtable(cpu, in, &cpu->s.gdtr); }
static void exec_sidt(struct cpu *cpu, const struct insn *in) { store_dtable(cpu, in, &cpu->s.idtr); }

/*
 * The 16-byte LDT/TSS descriptor of sel (GDT only) with its 64-bit base;
 * checks the type, the upper half's zero type field and presence.
 */
static uint64_t system_desc(struct cpu *cpu, uint16_t sel, unsigned type, uint64_t *addr, uint64_t *base)
{
    if ((sel & 4) || !desc_locate(cpu, sel, 16, addr))
        raise_sel(cpu, EXC_GP, sel);
    uint64_t lo = desc_read(cpu, *addr), hi = desc_read(cpu, *addr + 8);
    unsigned attr = desc_attr(lo);
    if ((attr & SEG_ATTR_S) || SEG_ATTR_TYPE(attr) != type || ((hi >> 40) & 0x1f) != 0)
        raise_sel(cpu, EXC_GP, sel);
    if (!(attr & SEG_ATTR_P))
        raise_sel(cpu, EXC_NP, sel);
    *base = desc_base(lo) | (hi & 0xffffffffull) << 32;
    if (!is_canonical(*base))
        raise_sel(cpu, EXC_GP, sel);
    return lo;
}

static void exec_lldt(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint16_t sel = (uint16_t)op_read(cpu, in, 0);
    if (sel_null(sel)) {
        cpu->s.ldtr = (struct segment){ sel, 0, 0, 0 };  /* LDTR unusable */
        return;
    }
    uint64_t addr, base;
    uint64_t lo = system_desc(cpu, sel, SYS_LDT, &addr, &base);
    cpu->s.ldtr = (struct segment){ sel, desc_attr(lo), desc_limit(lo), base };
}

/* LTR: load an available 64-bit TSS and mark its descriptor busy. */
static void exec_ltr(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint16_t sel = (uint16_t)op_read(cpu, in, 0);
    if (sel_null(sel))
        cpu_raise_gp0(cpu);
    uint64_t addr, base;
    uint64_t lo = system_desc(cpu, sel, SYS_TSS_AVAIL, &addr, &base);
    mmu_write_slow(cpu, addr + 5, 1, ((lo >> 40) & 0xff) | 2, ACC_WRITE | ACC_SUPER);
    cpu->s.tr = (struct segment){ sel, (uint16_t)(desc_attr(lo) | 2), desc_limit(lo), base };
}

/* SLDT/STR: the selector into m16, or r16/r32/r64 (zero-extended). */
static void exec_sldt(struct cpu *cpu, const struct insn *in) { op_write(cpu, in, 0, cpu->s.ldtr.selector); }
static void exec_str(struct cpu *cpu, const struct insn *in) { op_write(cpu, in, 0, cpu->s.tr.selector); }

/* ----------------------------------------------- VERR VERW LAR LSL -- */

/* The descriptor of sel if it can be examined at all (not null, inside its table), else false. */
static bool desc_probe(struct cpu *cpu, uint16_t sel, uint64_t *d)
{
    uint64_t addr;
    if (sel_null(sel) || !desc_locate(cpu, sel, 8, &addr))
        return false;
    *d = desc_read(cpu, addr);
    return true;
}

/* Privilege rule of VERR/VERW/LAR/LSL: conforming code is always visible, else DPL >= CPL and RPL. */
static bool desc_visible(const struct cpu *cpu, uint16_t sel, unsigned attr)
{
    unsigned type = SEG_ATTR_TYPE(attr), dpl = SEG_ATTR_DPL(attr);
    if ((attr & SEG_ATTR_S) && (type & SEG_TYPE_CODE) && (type & SEG_TYPE_CONFORMING))
        return true;
    return dpl >= cpu->s.cpl && dpl >= (sel & 3u);
}

static inline void set_zf(struct cpu *cpu, bool zf)
{
    flags_write(cpu, FL_ZF, zf ? FL_ZF : 0);
}

static void verify(struct cpu *cpu, const struct insn *in, bool write)
{
    uint16_t sel = (uint16_t)op_read(cpu, in, 0);
    uint64_t d;
    bool ok = false;
    if (desc_probe(cpu, sel, &d)) {
        unsigned attr = desc_attr(d), type = SEG_ATTR_TYPE(attr);
        bool code = type & SEG_TYPE_CODE;
        bool usable = write ? !code && (type & SEG_TYPE_RW) : !code || (type & SEG_TYPE_RW);
        ok = (attr & SEG_ATTR_S) && usable && desc_visible(cpu, sel, attr);
    }
    set_zf(cpu, ok);
}

static void exec_verr(struct cpu *cpu, const struct insn *in) { verify(cpu, in, false); }
static void exec_verw(struct cpu *cpu, const struct insn *in) { verify(cpu, in, true); }

/* LAR and LSL: ZF=1 and the destination written when the descriptor is valid for them, else ZF=0. */
static void lar_lsl(struct cpu *cpu, const struct insn *in, bool lsl)
{
    const struct operand *dst = &in->op[0];
    uint16_t sel = (uint16_t)op_read(cpu, in, 1);
    uint64_t d;
    if (!desc_probe(cpu, sel, &d)) {
        set_zf(cpu, false);
        return;
    }
    unsigned attr = desc_attr(d), type = SEG_ATTR_TYPE(attr);
    bool valid;
    if (attr & SEG_ATTR_S)
        valid = true;
    else
        valid = type == SYS_LDT || type == SYS_TSS_AVAIL || type == SYS_TSS_BUSY ||
                (!lsl && type == SYS_CALL_GATE);
    if (!valid || !desc_visible(cpu, sel, attr)) {
        set_zf(cpu, false);
        return;
    }
    uint64_t v;
    if (lsl)
        v = desc_limit(d);
    else
        v = (d >> 32) & (dst->size == 2 ? 0xff00u : 0x00f0ff00u);
    gpr_write(cpu, dst->reg, dst->size, 0, v);
    set_zf(cpu, true);
}

static void exec_lar(struct cpu *cpu, const struct insn *in) { lar_lsl(cpu, in, false); }
static void exec_lsl(struct cpu *cpu, const struct insn *in) { lar_lsl(cpu, in, true); }

/* ------------------------------------------------- SWAPGS, SYSCALL -- */

static void exec_swapgs(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    uint64_t t = cpu->s.seg[SEG_GS].base;
    cpu->s.seg[SEG_GS].base = cpu->s.msr.kernel_gs_base;
    cpu->s.msr.kernel_gs_base = t;
}

/*
 * SYSCALL. With hooks.syscall (SE mode) the host services the call: RCX and
 * R11 are set as the instruction sets them (the values Linux returns with),
 * then the hook runs and execution continues after SYSCALL (a hook that
 * needs to go elsewhere sets cpu->next_rip).
 */
static void exec_syscall(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    struct cpu_state *s = &cpu->s;
    uint64_t fl = cpu_get_rflags(cpu);

    if (cpu->hooks.syscall) {
        s->gpr[RCX] = cpu->next_rip;
        s->gpr[R11] = fl & ~(uint64_t)FL_RF;
        cpu->hooks.syscall(cpu->hooks.opaque, cpu);
        cpu->block_exit = 1;
        return;
    }
    if (!(s->efer & EFER_SCE))
        cpu_raise_ud(cpu);

    uint16_t sel = (uint16_t)(s->msr.star >> 32);
    s->gpr[RCX] = cpu->next_rip;
    s->gpr[R11] = fl & ~(uint64_t)FL_RF;
    s->seg[SEG_CS] = (struct segment){ (uint16_t)(sel & 0xfffc), ATTR_CODE64(0), 0xffffffff, 0 };
    s->seg[SEG_SS] = (struct segment){ (uint16_t)(sel + 8), ATTR_DATA(0), 0xffffffff, 0 };
    s->cpl = 0;
    cpu_set_rflags(cpu, fl & ~s->msr.sfmask & ~(uint64_t)FL_RF);
    cpu->next_rip = s->msr.lstar;
    cpu->block_exit = 1;
}

/* SYSRET (64-bit form, REX.W): back to CPL 3 at RCX with RFLAGS from R11. */
static void exec_sysret(struct cpu *cpu, const struct insn *in)
{
    struct cpu_state *s = &cpu->s;
    if (!(s->efer & EFER_SCE))
        cpu_raise_ud(cpu);
    require_cpl0(cpu);
    if (in->opsize != 8) {
        compat_unsupported(cpu, "SYSRET");
        return;
    }
    uint64_t rip = s->gpr[RCX];
    if (!is_canonical(rip))
        cpu_raise_gp0(cpu);

    uint16_t sel = (uint16_t)(s->msr.star >> 48);
    s->seg[SEG_CS] = (struct segment){ (uint16_t)((sel + 16) | 3), ATTR_CODE64(3), 0xffffffff, 0 };
    s->seg[SEG_SS] = (struct segment){ (uint16_t)((sel + 8) | 3), ATTR_DATA(3), 0xffffffff, 0 };
    s->cpl = 3;
    cpu_set_rflags(cpu, (s->gpr[R11] & 0x3c7fd7) | FL_FIXED1);
    cpu->next_rip = rip;
    cpu->block_exit = 1;
}

/* ------------------------------------------------- far transfers -- */

/* A checked code segment for a far transfer, ready to commit. */
struct far_target {
    struct segment cs;
    uint64_t addr, desc;
};

/*
 * The code segment a far RET or IRET returns to: selector not null, RPL not
 * below CPL, a code segment whose DPL equals RPL (non-conforming) or is at
 * most RPL (conforming), present. Returns false for a 32-bit segment.
 */
static bool return_cs(struct cpu *cpu, uint16_t sel, struct far_target *t)
{
    unsigned rpl = sel & 3;
    if (sel_null(sel))
        cpu_raise_gp0(cpu);
    if (rpl < cpu->s.cpl)
        raise_sel(cpu, EXC_GP, sel);
    uint64_t d = desc_fetch(cpu, sel, &t->addr);
    unsigned attr = desc_attr(d), type = SEG_ATTR_TYPE(attr), dpl = SEG_ATTR_DPL(attr);
    if (!(attr & SEG_ATTR_S) || !(type & SEG_TYPE_CODE))
        raise_sel(cpu, EXC_GP, sel);
    if ((type & SEG_TYPE_CONFORMING) ? dpl > rpl : dpl != rpl)
        raise_sel(cpu, EXC_GP, sel);
    if (!(attr & SEG_ATTR_P))
        raise_sel(cpu, EXC_NP, sel);
    if ((attr & SEG_ATTR_L) && (attr & SEG_ATTR_DB))
        raise_sel(cpu, EXC_GP, sel);
    t->desc = d;
    t->cs = seg_from_desc(sel, d);
    return (attr & SEG_ATTR_L) != 0;
}

/* The SS loaded by a return to privilege `cpl` in 64-bit mode (null allowed below CPL 3). */
static struct segment return_ss(struct cpu *cpu, uint16_t sel, unsigned cpl)
{
    if (sel_null(sel)) {
        if (cpl == 3)
            cpu_raise_gp0(cpu);
        return (struct segment){ sel, 0, 0, 0 };
    }
    if ((sel & 3) != cpl)
        raise_sel(cpu, EXC_GP, sel);
    uint64_t addr;
    uint64_t d = desc_fetch(cpu, sel, &addr);
    unsigned attr = desc_attr(d), type = SEG_ATTR_TYPE(attr);
    if (SEG_ATTR_DPL(attr) != cpl || !(attr & SEG_ATTR_S) || (type & SEG_TYPE_CODE) ||
        !(type & SEG_TYPE_RW))
        raise_sel(cpu, EXC_GP, sel);
    if (!(attr & SEG_ATTR_P))
        raise_sel(cpu, EXC_SS, sel);
    desc_set_accessed(cpu, addr, d);
    return seg_from_desc(sel, d);
}

/*
 * After a return to an outer privilege level, DS/ES/FS/GS that hold data or
 * non-conforming code segments more privileged than the new CPL become null
 * (the selector only: FS/GS keep their base, as a null FS with an MSR base
 * is how 64-bit code uses TLS).
 */
static void null_inaccessible_segments(struct cpu *cpu)
{
    static const unsigned regs[] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
    for (unsigned i = 0; i < 4; i++) {
        struct segment *g = &cpu->s.seg[regs[i]];
        unsigned type = SEG_ATTR_TYPE(g->attr);
        if (!(g->attr & SEG_ATTR_S) || !(g->attr & SEG_ATTR_P))
            continue;
        bool conforming_code = (type & SEG_TYPE_CODE) && (type & SEG_TYPE_CONFORMING);
        if (!conforming_code && SEG_ATTR_DPL(g->attr) < cpu->s.cpl) {
            g->selector = 0;
            g->attr &= (uint16_t)~SEG_ATTR_P;
        }
    }
}

static void commit_cs(struct cpu *cpu, const struct far_target *t, unsigned cpl)
{
    cpu->s.seg[SEG_CS] = t->cs;
    cpu->s.seg[SEG_CS].selector = (uint16_t)((t->cs.selector & 0xfffc) | cpl);
    cpu->s.cpl = (uint8_t)cpl;
    cpu->block_exit = 1;
}

/* IRET / IRETD / IRETQ: pop RIP, CS, RFLAGS, RSP, SS (always all five in 64-bit mode). */
static void exec_iret(struct cpu *cpu, const struct insn *in)
{
    struct cpu_state *s = &cpu->s;
    unsigned size = in->opsize;
    uint64_t fl_now = cpu_get_rflags(cpu);

    if (fl_now & FL_NT)
        cpu_raise_gp0(cpu);  /* task return: not in IA-32e mode */

    uint64_t sp = s->gpr[RSP];
    uint64_t rip = mem_read(cpu, sp, size);
    uint16_t cs_sel = (uint16_t)mem_read(cpu, sp + size, size);
    uint64_t fl = mem_read(cpu, sp + 2 * size, size);
    uint64_t rsp = mem_read(cpu, sp + 3 * size, size);
    uint16_t ss_sel = (uint16_t)mem_read(cpu, sp + 4 * size, size);

    struct far_target t;
    if (!return_cs(cpu, cs_sel, &t)) {
        compat_unsupported(cpu, "IRET");
        return;
    }
    unsigned new_cpl = cs_sel & 3;
    if (!is_canonical(rip))
        cpu_raise_gp0(cpu);
    struct segment ss = return_ss(cpu, ss_sel, new_cpl);
    desc_set_accessed(cpu, t.addr, t.desc);

    /* Which flags the old privilege level may change. */
    uint64_t mask = FL_ARITH | FL_TF | FL_DF | FL_NT | FL_RF | FL_AC | FL_ID;
    if (s->cpl <= cpu_iopl(cpu))
        mask |= FL_IF;
    if (s->cpl == 0)
        mask |= FL_IOPL | FL_VIF | FL_VIP;
    if (size == 2)
        mask &= 0xffff;
    unsigned old_cpl = s->cpl;

    commit_cs(cpu, &t, new_cpl);
    s->seg[SEG_SS] = ss;
    s->gpr[RSP] = rsp;
    cpu_set_rflags(cpu, (fl_now & ~mask) | (fl & mask));
    s->nmi_blocked = 0;
    if (new_cpl > old_cpl)
        null_inaccessible_segments(cpu);
    cpu->next_rip = rip;
}

/* Far RET (RETF / LRET [imm16]): pop RIP and CS, and RSP and SS when returning to an outer level. */
static void far_ret(struct cpu *cpu, const struct insn *in)
{
    struct cpu_state *s = &cpu->s;
    unsigned size = in->opsize;
    uint64_t imm = in->nops ? in->op[0].imm & 0xffff : 0;
    uint64_t sp = s->gpr[RSP];
    uint64_t rip = mem_read(cpu, sp, size);
    uint16_t cs_sel = (uint16_t)mem_read(cpu, sp + size, size);

    struct far_target t;
    if (!return_cs(cpu, cs_sel, &t)) {
        compat_unsupported(cpu, "far RET");
        return;
    }
    unsigned new_cpl = cs_sel & 3;
    uint64_t new_sp = sp + 2 * size + imm;
    struct segment ss = s->seg[SEG_SS];
    bool outer = new_cpl > s->cpl;
    if (outer) {
        uint64_t rsp = mem_read(cpu, new_sp, size);
        uint16_t ss_sel = (uint16_t)mem_read(cpu, new_sp + size, size);
        ss = return_ss(cpu, ss_sel, new_cpl);
        new_sp = rsp + imm;
    }
    if (!is_canonical(rip))
        cpu_raise_gp0(cpu);
    desc_set_accessed(cpu, t.addr, t.desc);

    commit_cs(cpu, &t, new_cpl);
    s->seg[SEG_SS] = ss;
    s->gpr[RSP] = new_sp;
    if (outer)
        null_inaccessible_segments(cpu);
    cpu->next_rip = rip;
}

/*
 * The code segment a far JMP or CALL names, at the same privilege level,
 * checked as the SDM's JMP/CALL pseudocode does (call gates and TSS/task
 * gates are not modelled: #GP(sel)): its descriptor and segment in *t.
 * Returns its attributes.
 */
static unsigned far_code_target(struct cpu *cpu, uint16_t sel, struct far_target *t)
{
    const struct cpu_state *s = &cpu->s;
    if (sel_null(sel))
        cpu_raise_gp0(cpu);
    uint64_t d = desc_fetch(cpu, sel, &t->addr);
    unsigned attr = desc_attr(d), type = SEG_ATTR_TYPE(attr), dpl = SEG_ATTR_DPL(attr);
    if (!(attr & SEG_ATTR_S) || !(type & SEG_TYPE_CODE))
        raise_sel(cpu, EXC_GP, sel);
    if ((type & SEG_TYPE_CONFORMING) ? dpl > s->cpl : ((sel & 3u) > s->cpl || dpl != s->cpl))
        raise_sel(cpu, EXC_GP, sel);
    if (!(attr & SEG_ATTR_P))
        raise_sel(cpu, EXC_NP, sel);
    if ((s->efer & EFER_LMA) && (attr & SEG_ATTR_L) && (attr & SEG_ATTR_DB))
        raise_sel(cpu, EXC_GP, sel);
    t->desc = d;
    t->cs = seg_from_desc(sel, d);
    return attr;
}

/*
 * Far JMP / CALL through memory (m16:16, m16:32, m16:64) to a code segment
 * at the same privilege level. Call gates and TSS/task gates: #GP(sel).
 */
static void far_jmp_call(struct cpu *cpu, const struct insn *in, bool call)
{
    struct cpu_state *s = &cpu->s;
    unsigned size = in->opsize;
    uint64_t ea = op_ea(cpu, in, 0);
    uint64_t off = mem_read(cpu, ea, size);
    uint16_t sel = mem_read16(cpu, ea + size);

    struct far_target t;
    if (!(far_code_target(cpu, sel, &t) & SEG_ATTR_L)) {
        compat_unsupported(cpu, call ? "far CALL" : "far JMP");
        return;
    }
    if (!is_canonical(off))
        cpu_raise_gp0(cpu);

    uint64_t sp = s->gpr[RSP];
    if (call) {
        mem_check_write(cpu, sp - 2 * size, 2 * size);
        mem_write(cpu, sp - size, size, s->seg[SEG_CS].selector);
        mem_write(cpu, sp - 2 * size, size, cpu->next_rip);
    }
    desc_set_accessed(cpu, t.addr, t.desc);
    commit_cs(cpu, &t, s->cpl);
    if (call)
        s->gpr[RSP] = sp - 2 * size;
    cpu->next_rip = off;
}

/* The branch family owns the near forms of these mnemonics; the far forms come here. */
static exec_fn ret_next, jmp_next, call_next;

static void exec_ret_far(struct cpu *cpu, const struct insn *in)
{
    if (in->opcode == 0xcb || in->opcode == 0xca)
        far_ret(cpu, in);
    else
        ret_next(cpu, in);
}

/* FF /5 and FF /3 with a memory operand wider than 8 bytes are the m16:xx forms. */
static inline bool far_indirect(const struct insn *in)
{
    return in->opcode == 0xff && in->op[0].kind == OPK_MEM && (in->modrm_reg == 5 || in->modrm_reg == 3);
}

static void exec_jmp_far(struct cpu *cpu, const struct insn *in)
{
    if (far_indirect(in))
        far_jmp_call(cpu, in, false);
    else
        jmp_next(cpu, in);
}

static void exec_call_far(struct cpu *cpu, const struct insn *in)
{
    if (far_indirect(in))
        far_jmp_call(cpu, in, true);
    else
        call_next(cpu, in);
}

/* ------------------------------------------ outside 64-bit mode (mode.h) -- */

void legacy_load_sreg(struct cpu *cpu, unsigned r, uint16_t sel)
{
    if (cpu->mode == CPU_MODE_REAL) {
        /* Real mode: base = selector << 4; limit and attributes stay (as on hardware). */
        cpu->s.seg[r].selector = sel;
        cpu->s.seg[r].base = (uint64_t)sel << 4;
        return;
    }
    load_sreg(cpu, r, sel);
}

void legacy_far_jump(struct cpu *cpu, uint16_t sel, uint64_t off)
{
    struct cpu_state *s = &cpu->s;
    if (cpu->mode == CPU_MODE_REAL) {
        s->seg[SEG_CS].selector = sel;
        s->seg[SEG_CS].base = (uint64_t)sel << 4;
        cpu->next_rip = off;
        cpu->block_exit = 1;
        return;
    }
    struct far_target t;
    far_code_target(cpu, sel, &t);
    if (!(s->efer & EFER_LMA))
        t.cs.attr &= (uint16_t)~SEG_ATTR_L;   /* L means nothing outside long mode */
    desc_set_accessed(cpu, t.addr, t.desc);
    commit_cs(cpu, &t, s->cpl);
    cpu_mode_update(cpu);
    cpu->next_rip = off;
}

void exec_segment_register(void)
{
    pop_next = exec_chain(ZYDIS_MNEMONIC_POP, exec_pop_sreg, pop_next);
    ret_next = exec_chain(ZYDIS_MNEMONIC_RET, exec_ret_far, ret_next);
    jmp_next = exec_chain(ZYDIS_MNEMONIC_JMP, exec_jmp_far, jmp_next);
    call_next = exec_chain(ZYDIS_MNEMONIC_CALL, exec_call_far, call_next);

    exec_register(ZYDIS_MNEMONIC_LGDT, exec_lgdt);
    exec_register(ZYDIS_MNEMONIC_LIDT, exec_lidt);
    exec_register(ZYDIS_MNEMONIC_SGDT, exec_sgdt);
    exec_register(ZYDIS_MNEMONIC_SIDT, exec_sidt);
    exec_register(ZYDIS_MNEMONIC_LLDT, exec_lldt);
    exec_register(ZYDIS_MNEMONIC_LTR, exec_ltr);
    exec_register(ZYDIS_MNEMONIC_SLDT, exec_sldt);
    exec_register(ZYDIS_MNEMONIC_STR, exec_str);
    exec_register(ZYDIS_MNEMONIC_VERR, exec_verr);
    exec_register(ZYDIS_MNEMONIC_VERW, exec_verw);
    exec_register(ZYDIS_MNEMONIC_LAR, exec_lar);
    exec_register(ZYDIS_MNEMONIC_LSL, exec_lsl);
    exec_register(ZYDIS_MNEMONIC_SWAPGS, exec_swapgs);
    exec_register(ZYDIS_MNEMONIC_SYSCALL, exec_syscall);
    exec_register(ZYDIS_MNEMONIC_SYSRET, exec_sysret);
    exec_register(ZYDIS_MNEMONIC_IRET, exec_iret);
    exec_register(ZYDIS_MNEMONIC_IRETD, exec_iret);
    exec_register(ZYDIS_MNEMONIC_IRETQ, exec_iret);
}
