/*
 * exec_x87.c - the x87 FPU.
 *
 * State. cpu->s.fx is the FXSAVE image at every instruction boundary, so
 * FXSAVE/FXRSTOR (exec_system) are plain copies:
 *  - st[i] holds ST(i), i.e. the registers are kept in *stack* order relative
 *    to TOP: a push rotates st[] down by one slot and a pop rotates it up.
 *    A register keeps its contents when it is freed (FXSAVE shows the stale
 *    value of empty registers too, and so do we). Bytes 10..15 of each slot
 *    are never written (zero, as FXSAVE stores them).
 *  - ftw is the abridged tag word in *physical* register order (bit p = R(p)
 *    is valid), as in the FXSAVE image: ST(i) is R((TOP + i) & 7).
 *  - fsw carries TOP in bits 11..13.
 *  - FIP is the linear address of the last non-control x87 instruction. FOP
 *    and FDP change only when an instruction raises an unmasked exception
 *    (what current Intel CPUs do: FOP compatibility mode off, FDP updated only
 *    on x87 exceptions); FCS and FDS are 0.
 *
 * Arithmetic. The host is x86-64, so every computing instruction is executed
 * by the host x87 itself: the operands are loaded into the host stack with the
 * guest's control word in effect, the very same opcode runs (same opcode byte
 * and ModRM.reg; register forms use ST(1), memory forms use [rdi] pointing at
 * a copy of the guest operand), and the host status word gives the exception
 * flags and condition codes. Results are therefore bit-exact, including
 * precision and rounding control, denormals, NaN propagation and C1 rounding
 * of these IEEE-exact operations. The instructions whose results are
 * implementation-defined (FSIN FCOS FSINCOS FPTAN F2XM1 FYL2X FYL2XP1 FPATAN,
 * the constants) and FSQRT FRNDINT FSCALE FXTRACT are computed in software
 * instead (x87_soft.c, GNU MPFR), so they are the same on every host.
 * Between guest instructions the host x87 stack is empty and its control word
 * is the one found at registration (0x37f); its sticky exception flags may be
 * left set (see struct host). An operation costs about 15 ns on the host;
 * FPREM and the trigonometric ones, which also load the guest's condition
 * codes into the host (FLDENV), a few hundred.
 *
 * What stays in C: the stack (TOP, tags, overflow/underflow with IE+SF and
 * the QNaN indefinite when masked), data movement that cannot change a value
 * (FLD/FST m80 and ST(i), FXCH, FCMOVcc), the control instructions and the
 * environment images (FLDENV/FNSTENV/FRSTOR/FNSAVE, 28/108-byte 32-bit
 * format, 14/94-byte with a 66 prefix).
 *
 * Unmasked exceptions set ES and B; the next waiting x87 instruction raises
 * #MF (always #MF: the CR0.NE=0 FERR# route is not modelled). As on hardware,
 * an unmasked IE/DE/ZE leaves the destination and the stack unchanged (but an
 * unmasked DE does not stop FLD m32/m64); an unmasked OE/UE stores the
 * exponent-adjusted result in a register (the host computes it) and nothing
 * in memory.
 *
 * Where the SDM says "undefined", we do what the Intel host of the
 * differential tests (tests/cpu/diff_x87.c) does: arithmetic keeps C0 C2 C3;
 * FFREE clears C1 and FCMOVcc/FCOMI keep it; compares set C3 C2 C0 (and FCOMI
 * ZF PF CF) to "unordered" even when an unmasked IE stops their pops; a stack
 * underflow of FPREM/FSIN/... clears C2; FLD ST(i) checks underflow before
 * overflow; FXAM of an empty register gives C1 = the sign of its stale
 * contents; FSTPNCE (D9 D8+i) of an empty ST(0) only pops.
 */
#include <string.h>

#include "cpu/exec.h"
#include "cpu/x87_soft.h"

#define FSW_IE  0x0001u
#define FSW_DE  0x0002u
#define FSW_ZE  0x0004u
#define FSW_OE  0x0008u
#define FSW_UE  0x0010u
#define FSW_PE  0x0020u
#define FSW_SF  0x0040u
#define FSW_ES  0x0080u
#define FSW_C0  0x0100u
#define FSW_C1  0x0200u
#define FSW_C2  0x0400u
#define FSW_TOP 0x3800u
#define FSW_C3  0x4000u
#define FSW_B   0x8000u
#define FSW_EXC 0x003fu
#define FSW_CC  (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
/* Unmasked, these are detected before the operation: no result, no pop, no push. */
#define FSW_PRE (FSW_IE | FSW_DE | FSW_ZE)

#define FCW_DEFAULT 0x037fu

/* An 80-bit register or memory image: 64-bit significand, then sign and exponent. */
typedef struct {
    uint8_t b[10];
} f80;

static const f80 f80_indefinite = { { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff } };

/* --------------------------------------------------------- host x87 -- */

/*
 * One host operation: host ST0 = a, ST1 = b (register forms) or ST0 = a and
 * the memory operand at `mem` (memory forms); afterwards r[] holds the
 * results the form defines (see the store patterns below), sw the status
 * word and zf/pf/cf the flags FCOMI set.
 *
 * Exception flags: the host's sticky flags are not cleared before each
 * operation (FNCLEX costs tens of nanoseconds). They only need to be a subset
 * of the guest's flags, which this operation's flags are ORed into: `before`
 * is the host status word on entry, and host_run() clears the host flags and
 * runs the operation again when it holds a flag the guest does not have.
 * When the guest leaves an exception unmasked and the operation raises it,
 * the host's ES is set: FNCLEX then comes before anything that waits, and the
 * host stack is emptied with FFREE whatever the instruction pushed or popped.
 */
struct host {
    f80 a, b;
    f80 r[2];
    uint8_t mem[16];
    uint32_t env[7];   /* FLDENV image for host_reg_env(): the guest's FCW and condition codes */
    uint16_t cw, sw, before;
    uint16_t known;    /* the guest's exception flags: host flags among these need no clearing */
    uint8_t zf, pf, cf;
};

static uint16_t host_cw = FCW_DEFAULT;

#define HOST_CLOBBERS "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)", "cc"
#define FFREE_ALL "ffree %%st(0)\n\tffree %%st(1)\n\tffree %%st(2)\n\tffree %%st(3)\n\t" \
                  "ffree %%st(4)\n\tffree %%st(5)\n\tffree %%st(6)\n\tffree %%st(7)\n\t"

/* What is left on the host stack and where it goes: results to r[], the rest popped. */
#define S_R0       "fstpt %[r0]\n\t"
#define S_R0_POP   "fstpt %[r0]\n\tfstp %%st(0)\n\t"
#define S_POP_R0   "fstp %%st(0)\n\tfstpt %[r0]\n\t"
#define S_R0_R1    "fstpt %[r0]\n\tfstpt %[r1]\n\t"
#define S_R0_R1_POP "fstpt %[r0]\n\tfstpt %[r1]\n\tfstp %%st(0)\n\t"
#define S_R0_POP2  "fstpt %[r0]\n\tfstp %%st(0)\n\tfstp %%st(0)\n\t"
#define S_POP      "fstp %%st(0)\n\t"
#define S_POP2     "fstp %%st(0)\n\tfstp %%st(0)\n\t"
#define S_NONE     ""

/* After the operation: FNCLEX and, once the results are stored, FFREE, only if ES is set. */
#define HOST_TAIL(STORES)                                                                \
    "fnstsw %%ax\n\ttestb $0x80, %%al\n\tjz 1f\n\tfnclex\n1:\t"                         \
    "fldcw %[hcw]\n\t" STORES "testb $0x80, %%al\n\tjz 2f\n\t" FFREE_ALL "2:"

#define HOST_OUTPUTS                                                                     \
    "=a"(h->sw), [before] "=m"(h->before), [r0] "=m"(h->r[0]), [r1] "=m"(h->r[1]),      \
    [zf] "=m"(h->zf), [pf] "=m"(h->pf), [cf] "=m"(h->cf)

#define HOST_REG(OPC, MODRM, STORES)                                                     \
    case ((OPC) << 8) | (MODRM):                                                         \
        __asm__ volatile("fnstsw %[before]\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" \
                         ".byte " #OPC ", " #MODRM "\n\t"                                \
                         "setz %[zf]\n\tsetp %[pf]\n\tsetc %[cf]\n\t"                    \
                         HOST_TAIL(STORES)                                               \
                         : HOST_OUTPUTS                                                  \
                         : [cw] "m"(h->cw), [hcw] "m"(host_cw), [a] "m"(h->a),           \
                           [b] "m"(h->b)                                                 \
                         : HOST_CLOBBERS);                                               \
        break;

/*
 * FLDENV instead of FLDCW, so that the host starts from the guest's condition
 * codes: FPREM and the trigonometric instructions leave some of them
 * unchanged in cases the SDM calls undefined, and the host then leaves the
 * same ones. FPTAN/FSINCOS push nothing for an operand out of range, so the
 * stack is always emptied with FFREE.
 */
#define HOST_REG_ENV(OPC, MODRM, STORES)                                                 \
    case ((OPC) << 8) | (MODRM):                                                         \
        __asm__ volatile("fldenv %[env]\n\tfldt %[b]\n\tfldt %[a]\n\t"                   \
                         ".byte " #OPC ", " #MODRM "\n\t"                                \
                         "fnstsw %%ax\n\tfnclex\n\tfldcw %[hcw]\n\t" STORES FFREE_ALL    \
                         : "=a"(h->sw), [r0] "=m"(h->r[0]), [r1] "=m"(h->r[1])          \
                         : [env] "m"(h->env), [hcw] "m"(host_cw), [a] "m"(h->a),         \
                           [b] "m"(h->b)                                                 \
                         : HOST_CLOBBERS);                                               \
        break;

#define HOST_MEM(OPC, REG, STORES)                                                       \
    case ((OPC) << 8) | ((REG) << 3) | 7:                                                \
        __asm__ volatile("fnstsw %[before]\n\tfldcw %[cw]\n\tfldt %[a]\n\t"              \
                         ".byte " #OPC ", (" #REG " << 3) | 7\n\t"                       \
                         HOST_TAIL(STORES)                                               \
                         : HOST_OUTPUTS, [mem] "+m"(h->mem)                              \
                         : [cw] "m"(h->cw), [hcw] "m"(host_cw), [a] "m"(h->a),           \
                           "D"(h->mem)                                                   \
                         : HOST_CLOBBERS);                                               \
        break;

/* Register and no-operand forms: key = opcode << 8 | ModRM. Results in r[0] (r[1]: pushes). */
static __attribute__((noinline)) void host_reg(struct host *h, unsigned key)
{
    switch (key) {
    /* D8 /r ST(0), ST(1): fadd fmul fcom fsub fsubr fdiv fdivr */
    HOST_REG(0xd8, 0xc1, S_R0_POP) HOST_REG(0xd8, 0xc9, S_R0_POP) HOST_REG(0xd8, 0xd1, S_POP2)
    HOST_REG(0xd8, 0xe1, S_R0_POP) HOST_REG(0xd8, 0xe9, S_R0_POP) HOST_REG(0xd8, 0xf1, S_R0_POP)
    HOST_REG(0xd8, 0xf9, S_R0_POP)
    /* DC /r ST(1), ST(0): fadd fmul fsubr fsub fdivr fdiv */
    HOST_REG(0xdc, 0xc1, S_POP_R0) HOST_REG(0xdc, 0xc9, S_POP_R0) HOST_REG(0xdc, 0xe1, S_POP_R0)
    HOST_REG(0xdc, 0xe9, S_POP_R0) HOST_REG(0xdc, 0xf1, S_POP_R0) HOST_REG(0xdc, 0xf9, S_POP_R0)
    /* fucom st(1), fucomi st(1), fcomi st(1) */
    HOST_REG(0xdd, 0xe1, S_POP2) HOST_REG(0xdb, 0xe9, S_POP2) HOST_REG(0xdb, 0xf1, S_POP2)
    /* D9: fchs fabs ftst fxam */
    HOST_REG(0xd9, 0xe0, S_R0_POP) HOST_REG(0xd9, 0xe1, S_R0_POP) HOST_REG(0xd9, 0xe4, S_POP2)
    HOST_REG(0xd9, 0xe5, S_POP2)
    /* fld1 fldl2t fldl2e fldpi fldlg2 fldln2 fldz */
    HOST_REG(0xd9, 0xe8, S_R0_POP2) HOST_REG(0xd9, 0xe9, S_R0_POP2) HOST_REG(0xd9, 0xea, S_R0_POP2)
    HOST_REG(0xd9, 0xeb, S_R0_POP2) HOST_REG(0xd9, 0xec, S_R0_POP2) HOST_REG(0xd9, 0xed, S_R0_POP2)
    HOST_REG(0xd9, 0xee, S_R0_POP2)
    /* f2xm1 fyl2x fpatan fxtract fyl2xp1 fsqrt frndint fscale */
    HOST_REG(0xd9, 0xf0, S_R0_POP) HOST_REG(0xd9, 0xf1, S_R0) HOST_REG(0xd9, 0xf3, S_R0)
    HOST_REG(0xd9, 0xf4, S_R0_R1_POP) HOST_REG(0xd9, 0xf9, S_R0) HOST_REG(0xd9, 0xfa, S_R0_POP)
    HOST_REG(0xd9, 0xfc, S_R0_POP) HOST_REG(0xd9, 0xfd, S_R0_POP)
    default: __builtin_trap();
    }
}

/* FPREM FPREM1 FSIN FCOS FPTAN FSINCOS, from the guest's condition codes (h->env). */
static __attribute__((noinline)) void host_reg_env(struct host *h, unsigned key)
{
    switch (key) {
    HOST_REG_ENV(0xd9, 0xf5, S_R0) HOST_REG_ENV(0xd9, 0xf8, S_R0)
    HOST_REG_ENV(0xd9, 0xfe, S_R0) HOST_REG_ENV(0xd9, 0xff, S_R0)
    HOST_REG_ENV(0xd9, 0xf2, S_R0_R1) HOST_REG_ENV(0xd9, 0xfb, S_R0_R1)
    default: __builtin_trap();
    }
}

/* Memory forms: key = opcode << 8 | ModRM.reg << 3 | 7 ([rdi]). Results in r[0]. */
static __attribute__((noinline)) void host_mem(struct host *h, unsigned key)
{
    switch (key) {
    /* D8 m32fp, DC m64fp, DA m32int, DE m16int: add mul com - sub subr div divr */
#define ARITH_MEM(o) HOST_MEM(o, 0, S_R0) HOST_MEM(o, 1, S_R0) HOST_MEM(o, 2, S_POP) \
                     HOST_MEM(o, 4, S_R0) HOST_MEM(o, 5, S_R0) HOST_MEM(o, 6, S_R0) \
                     HOST_MEM(o, 7, S_R0)
    ARITH_MEM(0xd8) ARITH_MEM(0xdc) ARITH_MEM(0xda) ARITH_MEM(0xde)
#undef ARITH_MEM
    /* loads: fld m32fp m64fp, fild m32 m16 m64, fbld */
    HOST_MEM(0xd9, 0, S_R0_POP) HOST_MEM(0xdd, 0, S_R0_POP) HOST_MEM(0xdb, 0, S_R0_POP)
    HOST_MEM(0xdf, 0, S_R0_POP) HOST_MEM(0xdf, 5, S_R0_POP) HOST_MEM(0xdf, 4, S_R0_POP)
    /* stores: fst m32fp m64fp, fist m32 m16 (kept), fisttp m64 m32 m16, fbstp, fistp m64 (popped) */
    HOST_MEM(0xd9, 2, S_POP) HOST_MEM(0xdd, 2, S_POP) HOST_MEM(0xdb, 2, S_POP)
    HOST_MEM(0xdf, 2, S_POP) HOST_MEM(0xdd, 1, S_NONE) HOST_MEM(0xdb, 1, S_NONE)
    HOST_MEM(0xdf, 1, S_NONE) HOST_MEM(0xdf, 6, S_NONE) HOST_MEM(0xdf, 7, S_NONE)
    default: __builtin_trap();
    }
}

/* Run once; again from clear host flags if the host held a flag the guest does not. */
static inline void host_run(struct host *h, void (*fn)(struct host *, unsigned), unsigned key)
{
    fn(h, key);
    if (__builtin_expect(h->before & FSW_EXC & ~h->known, 0)) {
        __asm__ volatile("fnclex");
        fn(h, key);
    }
}

/* ----------------------------------------------------- guest state -- */

static inline unsigned fpu_top(const struct cpu *cpu)
{
    return (cpu->s.fx.fsw >> 11) & 7;
}

static inline void fpu_set_top(struct cpu *cpu, unsigned top)
{
    cpu->s.fx.fsw = (uint16_t)((cpu->s.fx.fsw & ~FSW_TOP) | (top & 7) << 11);
}

static inline unsigned phys(const struct cpu *cpu, unsigned i)
{
    return (fpu_top(cpu) + i) & 7;
}

static inline bool st_valid(const struct cpu *cpu, unsigned i)
{
    return (cpu->s.fx.ftw >> phys(cpu, i)) & 1;
}

static inline void st_get(const struct cpu *cpu, unsigned i, f80 *v)
{
    memcpy(v, cpu->s.fx.st[i], sizeof *v);
}

/* Write ST(i) and mark it valid. */
static inline void st_put(struct cpu *cpu, unsigned i, const f80 *v)
{
    memcpy(cpu->s.fx.st[i], v, sizeof *v);
    cpu->s.fx.ftw |= (uint8_t)(1u << phys(cpu, i));
}

static inline void st_free(struct cpu *cpu, unsigned i)
{
    cpu->s.fx.ftw &= (uint8_t)~(1u << phys(cpu, i));
}

/* TOP - 1: the old ST(7) becomes ST(0) (its tag is unchanged: st_put marks it valid). */
static void stack_down(struct cpu *cpu)
{
    uint8_t (*st)[16] = cpu->s.fx.st;
    uint8_t t[16];
    memcpy(t, st[7], 16);
    memmove(st[1], st[0], 7 * 16);
    memcpy(st[0], t, 16);
    fpu_set_top(cpu, fpu_top(cpu) - 1);
}

/* TOP + 1 without freeing (FINCSTP); the old ST(0) becomes ST(7). */
static void stack_up(struct cpu *cpu)
{
    uint8_t (*st)[16] = cpu->s.fx.st;
    uint8_t t[16];
    memcpy(t, st[0], 16);
    memmove(st[0], st[1], 7 * 16);
    memcpy(st[7], t, 16);
    fpu_set_top(cpu, fpu_top(cpu) + 1);
}

/* Load a new TOP (FNINIT, FLDENV, FRSTOR): registers keep their physical contents. */
static void fpu_load_top(struct cpu *cpu, unsigned top)
{
    uint8_t t[8][16];
    unsigned old = fpu_top(cpu);
    memcpy(t, cpu->s.fx.st, sizeof t);
    for (unsigned i = 0; i < 8; i++)
        memcpy(cpu->s.fx.st[i], t[(top + i - old) & 7], 16);
    fpu_set_top(cpu, top);
}

static inline void fpu_push(struct cpu *cpu, const f80 *v)
{
    stack_down(cpu);
    st_put(cpu, 0, v);
}

static inline void fpu_pop(struct cpu *cpu)
{
    st_free(cpu, 0);
    stack_up(cpu);
}

static inline uint64_t f80_mant(const f80 *v)
{
    uint64_t m;
    memcpy(&m, v->b, 8);
    return m;
}

static inline unsigned f80_se(const f80 *v)
{
    return v->b[8] | (unsigned)v->b[9] << 8;
}

/* Full 2-bit tag of a valid register: 0 valid, 1 zero, 2 special (NaN, inf, denormal, unsupported). */
static unsigned f80_tag(const f80 *v)
{
    unsigned exp = f80_se(v) & 0x7fff;
    uint64_t m = f80_mant(v);
    if (exp == 0x7fff)
        return 2;
    if (exp == 0)
        return m ? 2 : 1;
    return (m >> 63) ? 0 : 2;
}

static unsigned fpu_full_tag(const struct cpu *cpu)
{
    unsigned tag = 0, top = fpu_top(cpu);
    for (unsigned p = 0; p < 8; p++) {
        unsigned t = 3;
        if ((cpu->s.fx.ftw >> p) & 1) {
            f80 v;
            st_get(cpu, (p - top) & 7, &v);
            t = f80_tag(&v);
        }
        tag |= t << (2 * p);
    }
    return tag;
}

static uint8_t fpu_abridged_tag(unsigned full)
{
    uint8_t ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((full >> (2 * p)) & 3) != 3)
            ftw |= (uint8_t)(1u << p);
    return ftw;
}

/* ES and B summarize the unmasked exception flags (after FLDCW, FLDENV, FRSTOR). */
static void fpu_update_es(struct cpu *cpu)
{
    struct fxsave_area *fx = &cpu->s.fx;
    if (fx->fsw & ~fx->fcw & FSW_EXC)
        fx->fsw |= FSW_ES | FSW_B;
    else
        fx->fsw &= (uint16_t)~(FSW_ES | FSW_B);
}

/* ------------------------------------------------ instruction frame -- */

static inline uint64_t insn_addr(const struct cpu *cpu, const struct insn *in)
{
    return cpu->next_rip - in->len;
}

/* Every x87 instruction: #NM when CR0.EM or CR0.TS is set. */
static inline void fpu_nm(struct cpu *cpu)
{
    if (__builtin_expect(cpu->s.cr0 & (CR0_EM | CR0_TS), 0))
        cpu_raise(cpu, EXC_NM);
}

/* Waiting instructions also take a pending unmasked exception (#MF) first. */
static inline void fpu_wait(struct cpu *cpu)
{
    fpu_nm(cpu);
    if (__builtin_expect(cpu->s.fx.fsw & FSW_ES, 0))
        cpu_raise(cpu, EXC_MF);
}

/* FOP: the low 3 bits of the opcode and the ModRM byte, re-read from the instruction. */
static uint16_t insn_fop(struct cpu *cpu, const struct insn *in)
{
    uint64_t a = insn_addr(cpu, in);
    for (unsigned i = 0; i + 1 < in->len; i++) {
        uint8_t b = mem_read8(cpu, a + i);
        if (b >= 0xd8 && b <= 0xdf)   /* no prefix byte lies in D8..DF */
            return (uint16_t)((b & 7) << 8 | mem_read8(cpu, a + i + 1));
    }
    return 0;
}

static int insn_mem_op(const struct insn *in)
{
    for (unsigned i = 0; i < in->nops; i++)
        if (in->op[i].kind == OPK_MEM)
            return (int)i;
    return -1;
}

/*
 * Retire a non-control instruction's status: fold in the exceptions `exc`
 * (FSW bits 0..6), replace the condition codes selected by `ccmask` with
 * those of `cc`, record FIP, and FOP/FDP when an exception is unmasked.
 * Called after every memory access of the instruction, before the registers
 * change. Returns the unmasked exceptions.
 */
static unsigned fpu_retire(struct cpu *cpu, const struct insn *in, unsigned exc, unsigned ccmask,
                           unsigned cc)
{
    struct fxsave_area *fx = &cpu->s.fx;
    unsigned unmasked = exc & ~fx->fcw & FSW_EXC;
    if (__builtin_expect(unmasked != 0, 0)) {
        fx->fop = insn_fop(cpu, in);
        int m = insn_mem_op(in);
        if (m >= 0) {
            uint64_t ea = op_ea(cpu, in, (unsigned)m);
            if (in->op[m].seg >= SEG_FS)
                ea -= cpu->s.seg[in->op[m].seg].base;
            fx->fdp = ea;
        }
        exc |= FSW_ES | FSW_B;
    }
    fx->fsw = (uint16_t)((fx->fsw & ~ccmask) | (cc & ccmask) | (exc & (FSW_EXC | FSW_SF | FSW_ES | FSW_B)));
    fx->fip = insn_addr(cpu, in);
    return unmasked;
}

/*
 * Stack overflow (a push onto a valid register) or underflow (an empty
 * operand): IE and SF, C1 = overflow. Returns true when IE is masked: the
 * instruction then goes on with the QNaN indefinite.
 */
static bool fpu_stack_fault(struct cpu *cpu, const struct insn *in, bool overflow)
{
    fpu_retire(cpu, in, FSW_IE | FSW_SF, FSW_C1, overflow ? FSW_C1 : 0);
    return cpu->s.fx.fcw & FSW_IE;
}

static void read_operand(struct cpu *cpu, const struct insn *in, unsigned i, void *buf)
{
    uint64_t la = op_ea(cpu, in, i);
    switch (in->op[i].size) {
    case 2: { uint16_t v = mem_read16(cpu, la); memcpy(buf, &v, 2); break; }
    case 4: { uint32_t v = mem_read32(cpu, la); memcpy(buf, &v, 4); break; }
    case 8: { uint64_t v = mem_read64(cpu, la); memcpy(buf, &v, 8); break; }
    default: mem_read_bytes(cpu, la, buf, in->op[i].size); break;
    }
}

static void write_operand(struct cpu *cpu, const struct insn *in, unsigned i, const void *buf)
{
    uint64_t la = op_ea(cpu, in, i);
    switch (in->op[i].size) {
    case 2: { uint16_t v; memcpy(&v, buf, 2); mem_write16(cpu, la, v); break; }
    case 4: { uint32_t v; memcpy(&v, buf, 4); mem_write32(cpu, la, v); break; }
    case 8: { uint64_t v; memcpy(&v, buf, 8); mem_write64(cpu, la, v); break; }
    default: mem_write_bytes(cpu, la, buf, in->op[i].size); break;
    }
}

static inline void host_init(struct host *h, const struct cpu *cpu)
{
    memset(h, 0, sizeof *h);
    h->cw = cpu->s.fx.fcw;
    h->known = cpu->s.fx.fsw & FSW_EXC;
}

/* ------------------------------------------------------ arithmetic -- */

/*
 * FADD FMUL FSUB FSUBR FDIV FDIVR: ST(0) op= m32/m64/ST(i), ST(i) op= ST(0)
 * (DC), the popping DE forms, and FIADD..FIDIVR m16/m32.
 */
static void exec_farith(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    struct host h;
    host_init(&h, cpu);
    unsigned dst = 0, src = 0, key;
    bool pop = false;
    if (in->op[0].kind == OPK_MEM) {
        read_operand(cpu, in, 0, h.mem);
        key = (unsigned)in->opcode << 8 | in->modrm_reg << 3 | 7;
    } else if (in->opcode == 0xd8) {
        src = in->op[1].reg;
        key = 0xd8c1 | in->modrm_reg << 3;
    } else {   /* DC, DE: ST(i) = ST(i) op ST(0) */
        dst = in->op[0].reg;
        src = dst;
        key = 0xdcc1 | in->modrm_reg << 3;
        pop = in->opcode == 0xde;
    }
    f80 res;
    if (!st_valid(cpu, 0) || !st_valid(cpu, src)) {
        if (!fpu_stack_fault(cpu, in, false))
            return;
        res = f80_indefinite;
    } else {
        st_get(cpu, 0, &h.a);
        st_get(cpu, src, &h.b);
        host_run(&h, in->op[0].kind == OPK_MEM ? host_mem : host_reg, key);
        if (fpu_retire(cpu, in, h.sw & FSW_EXC, FSW_C1, h.sw) & FSW_PRE)
            return;
        res = h.r[0];
    }
    st_put(cpu, dst, &res);
    if (pop)
        fpu_pop(cpu);
}

/* Instructions of the D9 E0..FF group executed by the host, by what they do with the result. */
enum unary_kind {
    U_ST0,       /* ST(0) = r0 */
    U_ST1_POP,   /* ST(1) = r0, pop */
    U_PUSH,      /* ST(0) = r1, push r0 (FXTRACT, FPTAN, FSINCOS) */
    U_CONST,     /* push r0 */
    U_CC,        /* condition codes only (FTST, FXAM) */
};

struct unary_op {
    uint8_t modrm;     /* D9 modrm */
    uint8_t kind;      /* enum unary_kind */
    uint8_t nargs;     /* registers that must be valid: ST(0), ST(1) */
    uint8_t env;       /* FPREM FPREM1 FSIN FCOS FPTAN FSINCOS: host_reg_env(), C2 = incomplete */
};

static bool unary_lookup(unsigned mnemonic, struct unary_op *u)
{
    static const struct { uint16_t mn; struct unary_op u; } t[] = {
        { ZYDIS_MNEMONIC_FCHS, { 0xe0, U_ST0, 1, 0 } },
        { ZYDIS_MNEMONIC_FABS, { 0xe1, U_ST0, 1, 0 } },
        { ZYDIS_MNEMONIC_FTST, { 0xe4, U_CC, 1, 0 } },
        { ZYDIS_MNEMONIC_FXAM, { 0xe5, U_CC, 0, 0 } },
        { ZYDIS_MNEMONIC_FLD1, { 0xe8, U_CONST, 0, 0 } },
        { ZYDIS_MNEMONIC_FLDL2T, { 0xe9, U_CONST, 0, 0 } },
        { ZYDIS_MNEMONIC_FLDL2E, { 0xea, U_CONST, 0, 0 } },
        { ZYDIS_MNEMONIC_FLDPI, { 0xeb, U_CONST, 0, 0 } },
        { ZYDIS_MNEMONIC_FLDLG2, { 0xec, U_CONST, 0, 0 } },
        { ZYDIS_MNEMONIC_FLDLN2, { 0xed, U_CONST, 0, 0 } },
        { ZYDIS_MNEMONIC_FLDZ, { 0xee, U_CONST, 0, 0 } },
        { ZYDIS_MNEMONIC_F2XM1, { 0xf0, U_ST0, 1, 0 } },
        { ZYDIS_MNEMONIC_FYL2X, { 0xf1, U_ST1_POP, 2, 0 } },
        { ZYDIS_MNEMONIC_FPTAN, { 0xf2, U_PUSH, 1, 1 } },
        { ZYDIS_MNEMONIC_FPATAN, { 0xf3, U_ST1_POP, 2, 0 } },
        { ZYDIS_MNEMONIC_FXTRACT, { 0xf4, U_PUSH, 1, 0 } },
        { ZYDIS_MNEMONIC_FPREM1, { 0xf5, U_ST0, 2, 1 } },
        { ZYDIS_MNEMONIC_FPREM, { 0xf8, U_ST0, 2, 1 } },
        { ZYDIS_MNEMONIC_FYL2XP1, { 0xf9, U_ST1_POP, 2, 0 } },
        { ZYDIS_MNEMONIC_FSQRT, { 0xfa, U_ST0, 1, 0 } },
        { ZYDIS_MNEMONIC_FSINCOS, { 0xfb, U_PUSH, 1, 1 } },
        { ZYDIS_MNEMONIC_FRNDINT, { 0xfc, U_ST0, 1, 0 } },
        { ZYDIS_MNEMONIC_FSCALE, { 0xfd, U_ST0, 2, 0 } },
        { ZYDIS_MNEMONIC_FSIN, { 0xfe, U_ST0, 1, 1 } },
        { ZYDIS_MNEMONIC_FCOS, { 0xff, U_ST0, 1, 1 } },
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].mn == mnemonic) {
            *u = t[i].u;
            return true;
        }
    return false;
}

/* Decoded once per mnemonic at registration: the handler indexes it by mnemonic. */
static struct unary_op unary_table[ZYDIS_MNEMONIC_MAX_VALUE + 1];

static void exec_funary(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    const struct unary_op *u = &unary_table[in->mnemonic];
    bool pushes = u->kind == U_PUSH || u->kind == U_CONST;

    if (u->kind == U_CC && u->nargs == 0 && !st_valid(cpu, 0)) {
        /* FXAM of an empty register: C3 C2 C0 = 1 0 1, C1 = sign of the stale contents. */
        unsigned sign = cpu->s.fx.st[0][9] >> 7;
        fpu_retire(cpu, in, 0, FSW_CC, FSW_C3 | FSW_C0 | (sign ? FSW_C1 : 0));
        return;
    }
    bool under = (u->nargs >= 1 && !st_valid(cpu, 0)) || (u->nargs >= 2 && !st_valid(cpu, 1));
    bool over = pushes && st_valid(cpu, 7);
    if (under || over) {
        bool masked = fpu_stack_fault(cpu, in, !under);
        if (u->env)
            cpu->s.fx.fsw &= (uint16_t)~FSW_C2;   /* FPREM, FSIN, ...: not incomplete */
        if (u->kind == U_CC)
            cpu->s.fx.fsw |= FSW_C3 | FSW_C2 | FSW_C0;       /* FTST: unordered, even when unmasked */
        if (!masked)
            return;
        switch (u->kind) {
        case U_ST0: st_put(cpu, 0, &f80_indefinite); break;
        case U_ST1_POP: st_put(cpu, 1, &f80_indefinite); fpu_pop(cpu); break;
        case U_PUSH: st_put(cpu, 0, &f80_indefinite); fpu_push(cpu, &f80_indefinite); break;
        case U_CONST: fpu_push(cpu, &f80_indefinite); break;
        default: break;
        }
        return;
    }

    struct host h;
    host_init(&h, cpu);
    st_get(cpu, 0, &h.a);
    st_get(cpu, 1, &h.b);
    unsigned ccmask = FSW_C1;   /* the others are left alone, except by these: */
    if (x87_soft_handles(u->modrm)) {
        h.sw = (uint16_t)x87_soft_run(u->modrm, cpu->s.fx.fcw, cpu->s.fx.fsw, h.a.b, h.b.b,
                                      h.r[0].b, h.r[1].b);
        /* An unmasked IE, DE or ZE stops the instruction before it computes: no other flag, C1 = 0. */
        if (h.sw & ~cpu->s.fx.fcw & FSW_PRE)
            h.sw &= (uint16_t)~((FSW_EXC & ~FSW_PRE) | FSW_C1);
        if (u->env)
            ccmask = FSW_CC;
    } else if (u->env) {
        /* FCW, FSW with the guest's condition codes, no exceptions, TOP 0; every register empty. */
        h.env[0] = 0xffff0000u | cpu->s.fx.fcw;
        h.env[1] = 0xffff0000u | (cpu->s.fx.fsw & FSW_CC);
        h.env[2] = 0xffffffffu;
        host_reg_env(&h, 0xd900 | u->modrm);
        ccmask = FSW_CC;
    } else {
        host_run(&h, host_reg, 0xd900 | u->modrm);
        if (u->kind == U_CC)
            ccmask = FSW_CC;
    }
    if (fpu_retire(cpu, in, h.sw & FSW_EXC, ccmask, h.sw) & FSW_PRE)
        return;
    switch (u->kind) {
    case U_ST0:
        st_put(cpu, 0, &h.r[0]);
        break;
    case U_ST1_POP:
        st_put(cpu, 1, &h.r[0]);
        fpu_pop(cpu);
        break;
    case U_PUSH:
        if (u->env && (h.sw & FSW_C2))   /* FPTAN/FSINCOS operand out of range: nothing changes */
            break;
        st_put(cpu, 0, &h.r[1]);
        fpu_push(cpu, &h.r[0]);
        break;
    case U_CONST:
        fpu_push(cpu, &h.r[0]);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------- compares -- */

/* FCOM FCOMP FCOMPP FUCOM FUCOMP FUCOMPP FICOM FICOMP: C3 C2 C0 = unordered, equal, less. */
static void exec_fcom(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    unsigned pops, src = 1, mn = in->mnemonic;
    bool unordered = mn == ZYDIS_MNEMONIC_FUCOM || mn == ZYDIS_MNEMONIC_FUCOMP ||
                     mn == ZYDIS_MNEMONIC_FUCOMPP;
    pops = (mn == ZYDIS_MNEMONIC_FCOMPP || mn == ZYDIS_MNEMONIC_FUCOMPP) ? 2
         : (mn == ZYDIS_MNEMONIC_FCOMP || mn == ZYDIS_MNEMONIC_FUCOMP || mn == ZYDIS_MNEMONIC_FICOMP) ? 1 : 0;
    struct host h;
    host_init(&h, cpu);
    bool mem = in->nops && in->op[0].kind == OPK_MEM;
    if (mem) {
        read_operand(cpu, in, 0, h.mem);
        src = 0;
    } else if (in->nops) {
        src = in->op[in->nops - 1].reg;   /* FUCOMP lists ST(0), ST(i); the others just ST(i) */
    }
    if (!st_valid(cpu, 0) || !st_valid(cpu, src)) {
        bool masked = fpu_stack_fault(cpu, in, false);
        cpu->s.fx.fsw |= FSW_C3 | FSW_C2 | FSW_C0;   /* unordered, even when unmasked */
        if (!masked)
            return;
    } else {
        st_get(cpu, 0, &h.a);
        st_get(cpu, src, &h.b);
        if (mem)
            host_run(&h, host_mem, (unsigned)in->opcode << 8 | 2 << 3 | 7);   /* non-popping /2 */
        else
            host_run(&h, host_reg, unordered ? 0xdde1 : 0xd8d1);
        /* The condition codes are set even when an unmasked IE stops the pops. */
        if (fpu_retire(cpu, in, h.sw & FSW_EXC, FSW_CC, h.sw & ~FSW_C1) & FSW_PRE)
            return;
    }
    while (pops--)
        fpu_pop(cpu);
}

/* FCOMI FCOMIP FUCOMI FUCOMIP: ZF PF CF = unordered/equal, unordered, less; OF SF AF cleared. */
static void exec_fcomi(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    unsigned mn = in->mnemonic, src = in->op[1].reg;
    bool unordered = mn == ZYDIS_MNEMONIC_FUCOMI || mn == ZYDIS_MNEMONIC_FUCOMIP;
    bool pop = mn == ZYDIS_MNEMONIC_FCOMIP || mn == ZYDIS_MNEMONIC_FUCOMIP;
    uint64_t fl;
    if (!st_valid(cpu, 0) || !st_valid(cpu, src)) {
        fl = FL_ZF | FL_PF | FL_CF;   /* unordered, even when unmasked */
        if (!fpu_stack_fault(cpu, in, false)) {
            flags_write(cpu, FL_ARITH, fl);
            return;
        }
    } else {
        struct host h;
        host_init(&h, cpu);
        st_get(cpu, 0, &h.a);
        st_get(cpu, src, &h.b);
        host_run(&h, host_reg, unordered ? 0xdbe9 : 0xdbf1);
        fl = (h.zf ? FL_ZF : 0) | (h.pf ? FL_PF : 0) | (h.cf ? FL_CF : 0);
        /* C1 is left alone; the flags are set even when an unmasked IE stops the pop. */
        if (fpu_retire(cpu, in, h.sw & FSW_EXC, 0, 0) & FSW_PRE) {
            flags_write(cpu, FL_ARITH, fl);
            return;
        }
    }
    flags_write(cpu, FL_ARITH, fl);
    if (pop)
        fpu_pop(cpu);
}

/* ---------------------------------------------------------- loads -- */

/* FLD m32/m64/m80/ST(i), FILD m16/m32/m64, FBLD m80. */
static void exec_fld(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    struct host h;
    host_init(&h, cpu);
    bool mem = in->op[0].kind == OPK_MEM;
    bool copy = !mem || (in->mnemonic == ZYDIS_MNEMONIC_FLD && in->op[0].size == 10);
    if (mem)
        read_operand(cpu, in, 0, h.mem);
    if (!mem && !st_valid(cpu, in->op[0].reg)) {   /* underflow is checked first */
        if (fpu_stack_fault(cpu, in, false))
            fpu_push(cpu, &f80_indefinite);
        return;
    }
    if (st_valid(cpu, 7)) {
        if (fpu_stack_fault(cpu, in, true))
            fpu_push(cpu, &f80_indefinite);
        return;
    }
    f80 v;
    if (!mem) {
        st_get(cpu, in->op[0].reg, &v);
    } else if (copy) {
        memcpy(&v, h.mem, sizeof v);
    }
    if (copy) {
        fpu_retire(cpu, in, 0, FSW_C1, 0);
        fpu_push(cpu, &v);
        return;
    }
    host_run(&h, host_mem, (unsigned)in->opcode << 8 | in->modrm_reg << 3 | 7);
    /* An unmasked IE (SNaN) stops the load; an unmasked DE (denormal m32/m64) does not. */
    if (fpu_retire(cpu, in, h.sw & FSW_EXC, FSW_C1, h.sw) & FSW_IE)
        return;
    fpu_push(cpu, &h.r[0]);
}

/* --------------------------------------------------------- stores -- */

/* What an integer, BCD or floating-point store writes for a masked invalid operation on an empty ST(0). */
static void store_indefinite(const struct insn *in, uint8_t *buf)
{
    unsigned n = in->op[0].size, mn = in->mnemonic;
    bool integer = mn == ZYDIS_MNEMONIC_FIST || mn == ZYDIS_MNEMONIC_FISTP || mn == ZYDIS_MNEMONIC_FISTTP;
    memset(buf, 0, 16);
    if (n == 10) {
        memcpy(buf, &f80_indefinite, 10);   /* the packed-BCD indefinite has the same bytes */
    } else if (integer) {
        buf[n - 1] = 0x80;
    } else if (n == 4) {
        buf[2] = 0xc0, buf[3] = 0xff;
    } else {
        buf[6] = 0xf8, buf[7] = 0xff;
    }
}

/* FST FSTP (m32 m64 m80 ST(i)), FIST FISTP FISTTP (m16 m32 m64), FBSTP m80. */
static void exec_fst(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    unsigned mn = in->mnemonic;
    bool pop = mn != ZYDIS_MNEMONIC_FST && mn != ZYDIS_MNEMONIC_FIST;

    if (in->op[0].kind == OPK_ST) {   /* FST/FSTP ST(i): a copy, no conversion */
        f80 v;
        if (!st_valid(cpu, 0) && mn == ZYDIS_MNEMONIC_FSTPNCE) {
            /* FSTPNCE (D9 D8+i) of an empty register: no exception, no copy, just the pop. */
            fpu_retire(cpu, in, 0, FSW_C1, 0);
            fpu_pop(cpu);
            return;
        }
        if (!st_valid(cpu, 0)) {
            if (!fpu_stack_fault(cpu, in, false))
                return;
            v = f80_indefinite;
        } else {
            st_get(cpu, 0, &v);
            fpu_retire(cpu, in, 0, FSW_C1, 0);
        }
        st_put(cpu, in->op[0].reg, &v);
        if (pop)
            fpu_pop(cpu);
        return;
    }

    struct host h;
    host_init(&h, cpu);
    if (!st_valid(cpu, 0)) {
        if (!(cpu->s.fx.fcw & FSW_IE)) {
            fpu_stack_fault(cpu, in, false);
            return;
        }
        store_indefinite(in, h.mem);
        write_operand(cpu, in, 0, h.mem);
        fpu_stack_fault(cpu, in, false);
        if (pop)
            fpu_pop(cpu);
        return;
    }
    st_get(cpu, 0, &h.a);
    unsigned exc = 0;
    if (in->op[0].size == 10 && mn != ZYDIS_MNEMONIC_FBSTP) {
        memcpy(h.mem, &h.a, 10);
    } else {
        /* FSTP m32/m64 and FISTP m16/m32 run as their non-popping /2 forms. */
        unsigned reg = in->modrm_reg == 3 ? 2 : in->modrm_reg;
        host_run(&h, host_mem, (unsigned)in->opcode << 8 | reg << 3 | 7);
        exc = h.sw & FSW_EXC;
        if (exc & ~cpu->s.fx.fcw & (FSW_PRE | FSW_OE | FSW_UE)) {   /* unmasked: nothing stored */
            fpu_retire(cpu, in, exc, FSW_C1, h.sw);
            return;
        }
    }
    write_operand(cpu, in, 0, h.mem);
    fpu_retire(cpu, in, exc, FSW_C1, h.sw);
    if (pop)
        fpu_pop(cpu);
}

/* ------------------------------------------------- register moves -- */

static void exec_fxch(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    unsigned i = in->nops ? in->op[0].reg : 1;
    f80 a, b;
    st_get(cpu, 0, &a);
    st_get(cpu, i, &b);
    if (!st_valid(cpu, 0) || !st_valid(cpu, i)) {
        bool e0 = !st_valid(cpu, 0), ei = !st_valid(cpu, i);
        if (!fpu_stack_fault(cpu, in, false))
            return;
        if (e0)
            a = f80_indefinite;
        if (ei)
            b = f80_indefinite;
    } else {
        fpu_retire(cpu, in, 0, FSW_C1, 0);
    }
    st_put(cpu, 0, &b);
    st_put(cpu, i, &a);
}

/* FCMOVcc ST(0), ST(i): DA /0..3 = B E BE U, DB /0..3 = NB NE NBE NU. */
static void exec_fcmov(struct cpu *cpu, const struct insn *in)
{
    static const uint8_t cc[4] = { 2, 4, 6, 10 };
    fpu_wait(cpu);
    unsigned i = in->op[1].reg;
    bool take = flags_cond(cpu, cc[in->modrm_reg & 3] | (in->opcode == 0xdb));
    if (!st_valid(cpu, 0) || !st_valid(cpu, i)) {
        if (!fpu_stack_fault(cpu, in, false))
            return;
        st_put(cpu, 0, &f80_indefinite);
        return;
    }
    fpu_retire(cpu, in, 0, 0, 0);   /* C1 is left alone (only a stack fault clears it) */
    if (take) {
        f80 v;
        st_get(cpu, i, &v);
        st_put(cpu, 0, &v);
    }
}

static void exec_ffree(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    fpu_retire(cpu, in, 0, FSW_C1, 0);   /* C1 cleared, C0 C2 C3 kept (as Intel CPUs do) */
    st_free(cpu, in->op[0].reg);
    if (in->mnemonic == ZYDIS_MNEMONIC_FFREEP)
        fpu_pop(cpu);
}

static void exec_fincstp(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    fpu_retire(cpu, in, 0, FSW_C1, 0);
    if (in->mnemonic == ZYDIS_MNEMONIC_FINCSTP)
        stack_up(cpu);
    else
        stack_down(cpu);
}

static void exec_fnop(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    fpu_retire(cpu, in, 0, 0, 0);
}

/* ------------------------------------------------------- control -- */

static void exec_fwait(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if ((cpu->s.cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        cpu_raise(cpu, EXC_NM);
    if (cpu->s.fx.fsw & FSW_ES)
        cpu_raise(cpu, EXC_MF);
}

/* FENI, FDISI, FSETPM: no-ops on every CPU since the 80387. */
static void exec_fnop_legacy(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    fpu_nm(cpu);
}

static void fpu_init(struct cpu *cpu)
{
    struct fxsave_area *fx = &cpu->s.fx;
    fpu_load_top(cpu, 0);
    fx->fcw = FCW_DEFAULT;
    fx->fsw = 0;
    fx->ftw = 0;
    fx->fop = 0;
    fx->fip = 0;
    fx->fdp = 0;
}

static void exec_fninit(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    fpu_nm(cpu);
    fpu_init(cpu);
}

static void exec_fnclex(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    fpu_nm(cpu);
    cpu->s.fx.fsw &= (uint16_t)~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
}

static inline uint16_t fcw_load(uint32_t v)
{
    return (uint16_t)((v & 0x1f3f) | 0x40);   /* reserved bits 6 read 1, 7 and 13..15 read 0 */
}

static void exec_fldcw(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    uint16_t v = mem_read16(cpu, op_ea(cpu, in, 0));
    cpu->s.fx.fcw = fcw_load(v);
    fpu_update_es(cpu);
}

static void exec_fnstcw(struct cpu *cpu, const struct insn *in)
{
    fpu_nm(cpu);
    mem_write16(cpu, op_ea(cpu, in, 0), cpu->s.fx.fcw);
}

static void exec_fnstsw(struct cpu *cpu, const struct insn *in)
{
    fpu_nm(cpu);
    if (in->op[0].kind == OPK_GPR)
        gpr_write(cpu, RAX, 2, 0, cpu->s.fx.fsw);
    else
        mem_write16(cpu, op_ea(cpu, in, 0), cpu->s.fx.fsw);
}

/*
 * The environment image in the 32-bit protected-mode format (28 bytes; used
 * by 64-bit mode too) or, with a 66 prefix, the 16-bit one (14 bytes).
 */
static unsigned env_store(struct cpu *cpu, const struct insn *in, uint8_t *buf)
{
    const struct fxsave_area *fx = &cpu->s.fx;
    unsigned tag = fpu_full_tag(cpu);
    if (in->prefix & PFX_66) {
        uint16_t w[7] = { fx->fcw, fx->fsw, (uint16_t)tag, (uint16_t)fx->fip, 0, (uint16_t)fx->fdp, 0 };
        memcpy(buf, w, sizeof w);
        return 14;
    }
    uint32_t d[7] = {
        0xffff0000u | fx->fcw, 0xffff0000u | fx->fsw, 0xffff0000u | tag, (uint32_t)fx->fip,
        (uint32_t)(fx->fop & 0x7ff) << 16, (uint32_t)fx->fdp, 0xffff0000u,
    };
    memcpy(buf, d, sizeof d);
    return 28;
}

static unsigned env_load(struct cpu *cpu, const struct insn *in, const uint8_t *buf)
{
    struct fxsave_area *fx = &cpu->s.fx;
    if (in->prefix & PFX_66) {
        uint16_t w[7];
        memcpy(w, buf, sizeof w);
        fx->fcw = fcw_load(w[0]);
        fpu_load_top(cpu, (w[1] >> 11) & 7);
        fx->fsw = w[1];
        fx->ftw = fpu_abridged_tag(w[2]);
        fx->fip = w[3];
        fx->fdp = w[5];
        fpu_update_es(cpu);
        return 14;
    }
    uint32_t d[7];
    memcpy(d, buf, sizeof d);
    fx->fcw = fcw_load(d[0]);
    fpu_load_top(cpu, (d[1] >> 11) & 7);
    fx->fsw = (uint16_t)d[1];
    fx->ftw = fpu_abridged_tag(d[2] & 0xffff);
    fx->fip = d[3];
    fx->fop = (uint16_t)((d[4] >> 16) & 0x7ff);
    fx->fdp = d[5];
    fpu_update_es(cpu);
    return 28;
}

static void exec_fnstenv(struct cpu *cpu, const struct insn *in)
{
    fpu_nm(cpu);
    uint8_t buf[28];
    unsigned n = env_store(cpu, in, buf);
    mem_write_bytes(cpu, op_ea(cpu, in, 0), buf, n);
    cpu->s.fx.fcw |= FSW_EXC;   /* FNSTENV masks every exception */
    fpu_update_es(cpu);
}

static void exec_fldenv(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    uint8_t buf[28];
    mem_read_bytes(cpu, op_ea(cpu, in, 0), buf, (in->prefix & PFX_66) ? 14 : 28);
    env_load(cpu, in, buf);
}

/* FNSAVE: the environment, then ST(0)..ST(7) as 10-byte values; then FNINIT. */
static void exec_fnsave(struct cpu *cpu, const struct insn *in)
{
    fpu_nm(cpu);
    uint8_t buf[108];
    unsigned n = env_store(cpu, in, buf);
    for (unsigned i = 0; i < 8; i++)
        memcpy(buf + n + 10 * i, cpu->s.fx.st[i], 10);
    mem_write_bytes(cpu, op_ea(cpu, in, 0), buf, n + 80);
    fpu_init(cpu);
}

static void exec_frstor(struct cpu *cpu, const struct insn *in)
{
    fpu_wait(cpu);
    uint8_t buf[108];
    unsigned n = (in->prefix & PFX_66) ? 14 : 28;
    mem_read_bytes(cpu, op_ea(cpu, in, 0), buf, n + 80);
    env_load(cpu, in, buf);
    for (unsigned i = 0; i < 8; i++)
        memcpy(cpu->s.fx.st[i], buf + n + 10 * i, 10);
}

/* ------------------------------------------------------ registration -- */

void exec_x87_register(void)
{
    uint16_t cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    host_cw = cw;

    static const ZydisMnemonic arith[] = {
        ZYDIS_MNEMONIC_FADD, ZYDIS_MNEMONIC_FADDP, ZYDIS_MNEMONIC_FIADD,
        ZYDIS_MNEMONIC_FMUL, ZYDIS_MNEMONIC_FMULP, ZYDIS_MNEMONIC_FIMUL,
        ZYDIS_MNEMONIC_FSUB, ZYDIS_MNEMONIC_FSUBP, ZYDIS_MNEMONIC_FISUB,
        ZYDIS_MNEMONIC_FSUBR, ZYDIS_MNEMONIC_FSUBRP, ZYDIS_MNEMONIC_FISUBR,
        ZYDIS_MNEMONIC_FDIV, ZYDIS_MNEMONIC_FDIVP, ZYDIS_MNEMONIC_FIDIV,
        ZYDIS_MNEMONIC_FDIVR, ZYDIS_MNEMONIC_FDIVRP, ZYDIS_MNEMONIC_FIDIVR,
    };
    for (unsigned i = 0; i < sizeof arith / sizeof arith[0]; i++)
        exec_register(arith[i], exec_farith);

    for (unsigned mn = 0; mn <= ZYDIS_MNEMONIC_MAX_VALUE; mn++)
        if (unary_lookup(mn, &unary_table[mn]))
            exec_register((ZydisMnemonic)mn, exec_funary);

    static const ZydisMnemonic com[] = {
        ZYDIS_MNEMONIC_FCOM, ZYDIS_MNEMONIC_FCOMP, ZYDIS_MNEMONIC_FCOMPP,
        ZYDIS_MNEMONIC_FUCOM, ZYDIS_MNEMONIC_FUCOMP, ZYDIS_MNEMONIC_FUCOMPP,
        ZYDIS_MNEMONIC_FICOM, ZYDIS_MNEMONIC_FICOMP,
    };
    for (unsigned i = 0; i < sizeof com / sizeof com[0]; i++)
        exec_register(com[i], exec_fcom);
    exec_register(ZYDIS_MNEMONIC_FCOMI, exec_fcomi);
    exec_register(ZYDIS_MNEMONIC_FCOMIP, exec_fcomi);
    exec_register(ZYDIS_MNEMONIC_FUCOMI, exec_fcomi);
    exec_register(ZYDIS_MNEMONIC_FUCOMIP, exec_fcomi);

    exec_register(ZYDIS_MNEMONIC_FLD, exec_fld);
    exec_register(ZYDIS_MNEMONIC_FILD, exec_fld);
    exec_register(ZYDIS_MNEMONIC_FBLD, exec_fld);
    static const ZydisMnemonic st[] = {
        ZYDIS_MNEMONIC_FST, ZYDIS_MNEMONIC_FSTP, ZYDIS_MNEMONIC_FSTPNCE, ZYDIS_MNEMONIC_FIST,
        ZYDIS_MNEMONIC_FISTP, ZYDIS_MNEMONIC_FISTTP, ZYDIS_MNEMONIC_FBSTP,
    };
    for (unsigned i = 0; i < sizeof st / sizeof st[0]; i++)
        exec_register(st[i], exec_fst);

    exec_register(ZYDIS_MNEMONIC_FXCH, exec_fxch);
    static const ZydisMnemonic fcmov[] = {
        ZYDIS_MNEMONIC_FCMOVB, ZYDIS_MNEMONIC_FCMOVE, ZYDIS_MNEMONIC_FCMOVBE, ZYDIS_MNEMONIC_FCMOVU,
        ZYDIS_MNEMONIC_FCMOVNB, ZYDIS_MNEMONIC_FCMOVNE, ZYDIS_MNEMONIC_FCMOVNBE, ZYDIS_MNEMONIC_FCMOVNU,
    };
    for (unsigned i = 0; i < sizeof fcmov / sizeof fcmov[0]; i++)
        exec_register(fcmov[i], exec_fcmov);
    exec_register(ZYDIS_MNEMONIC_FFREE, exec_ffree);
    exec_register(ZYDIS_MNEMONIC_FFREEP, exec_ffree);
    exec_register(ZYDIS_MNEMONIC_FINCSTP, exec_fincstp);
    exec_register(ZYDIS_MNEMONIC_FDECSTP, exec_fincstp);
    exec_register(ZYDIS_MNEMONIC_FNOP, exec_fnop);
    exec_register(ZYDIS_MNEMONIC_FENI8087_NOP, exec_fnop_legacy);
    exec_register(ZYDIS_MNEMONIC_FDISI8087_NOP, exec_fnop_legacy);
    exec_register(ZYDIS_MNEMONIC_FSETPM287_NOP, exec_fnop_legacy);

    exec_register(ZYDIS_MNEMONIC_FWAIT, exec_fwait);
    exec_register(ZYDIS_MNEMONIC_FNINIT, exec_fninit);
    exec_register(ZYDIS_MNEMONIC_FNCLEX, exec_fnclex);
    exec_register(ZYDIS_MNEMONIC_FLDCW, exec_fldcw);
    exec_register(ZYDIS_MNEMONIC_FNSTCW, exec_fnstcw);
    exec_register(ZYDIS_MNEMONIC_FNSTSW, exec_fnstsw);
    exec_register(ZYDIS_MNEMONIC_FLDENV, exec_fldenv);
    exec_register(ZYDIS_MNEMONIC_FNSTENV, exec_fnstenv);
    exec_register(ZYDIS_MNEMONIC_FNSAVE, exec_fnsave);
    exec_register(ZYDIS_MNEMONIC_FRSTOR, exec_frstor);
}
