/*
 * sse.h - what the SSE/SSE2 family files share (exec_sse.c, exec_sse_mov.c,
 * exec_sse_fp.c, exec_sse_int.c): XMM and MMX register access, source
 * operands with the 16-byte alignment rule, the availability checks, and
 * running a floating-point instruction on the host under the guest's MXCSR.
 *
 * Floating point is exact by construction: every FP operation is performed
 * by the same SSE instruction on the host (inline assembly), under the
 * guest's rounding control, DAZ and FTZ with all exceptions masked (see
 * SSE_HOST_RUN for how this avoids reloading MXCSR in the common case). The
 * exception flags the host raises are then merged into the guest MXCSR, or
 * turned into #XM when the guest left one unmasked. Integer SIMD needs no
 * such help and is plain C on the lanes.
 *
 * MMX registers alias the x87 registers: MMi is physical x87 register i,
 * whose mantissa lives in fx.st[(i - TOP) & 7] (the FXSAVE image keeps the
 * stack in ST(i) order). An MMX instruction sets TOP to 0 and tags every
 * register valid; writing MMi also sets its exponent and sign bits to ones.
 */
#ifndef M5SIM_CPU_SSE_H
#define M5SIM_CPU_SSE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/exec.h"

typedef double sse_v2df __attribute__((vector_size(16)));
typedef uint64_t sse_v2di __attribute__((vector_size(16)));

/* One 128-bit register value, viewed as any lane type. */
union xmm {
    uint8_t b[16];
    int8_t sb[16];
    uint16_t w[8];
    int16_t sw[8];
    uint32_t d[4];
    int32_t sd[4];
    uint64_t q[2];
    int64_t sq[2];
    float f[4];
    double fd[2];
    sse_v2df v;         /* for the "x" constraint of the host instructions */
    sse_v2di vq;        /* built from two quadwords without a trip through memory */
};

/* MXCSR fields. */
#define MXCSR_IE    0x0001u
#define MXCSR_DE    0x0002u
#define MXCSR_ZE    0x0004u
#define MXCSR_OE    0x0008u
#define MXCSR_UE    0x0010u
#define MXCSR_PE    0x0020u
#define MXCSR_FLAGS 0x003fu
#define MXCSR_DAZ   0x0040u
#define MXCSR_MASKS 0x1f80u
#define MXCSR_RC    0x6000u
#define MXCSR_FZ    0x8000u

/* Family registration (one per file; exec_sse_register() calls them all). */
void exec_sse_mov_register(void);
void exec_sse_fp_register(void);
void exec_sse_int_register(void);

/* Slow paths (exec_sse.c). */
noreturn void sse_unavailable(struct cpu *cpu, bool mmx);
noreturn void sse_fp_exception(struct cpu *cpu, uint32_t raised);
void mmx_enter_slow(struct cpu *cpu);

/* ---------------------------------------------------------------- checks -- */

/* SSE instructions: #UD unless CR4.OSFXSR and !CR0.EM, #NM when CR0.TS. */
static inline void sse_check(struct cpu *cpu)
{
    if (__builtin_expect((cpu->s.cr0 & (CR0_EM | CR0_TS)) || !(cpu->s.cr4 & CR4_OSFXSR), 0))
        sse_unavailable(cpu, false);
}

/* MMX instructions: #UD when CR0.EM, #NM when CR0.TS, #MF with a pending x87 exception. */
static inline void mmx_check(struct cpu *cpu)
{
    if (__builtin_expect((cpu->s.cr0 & (CR0_EM | CR0_TS)) || (cpu->s.fx.fsw & 0x80), 0))
        sse_unavailable(cpu, true);
}

/* ------------------------------------------------------------ registers -- */

static inline union xmm xmm_get(const struct cpu *cpu, unsigned r)
{
    union xmm v;
    memcpy(&v, cpu->s.fx.xmm[r], 16);
    return v;
}

static inline void xmm_set(struct cpu *cpu, unsigned r, const union xmm *v)
{
    memcpy(cpu->s.fx.xmm[r], v, 16);
}

static inline unsigned fpu_top(const struct cpu *cpu)
{
    return (cpu->s.fx.fsw >> 11) & 7;
}

/* MMi = physical x87 register i (valid whatever TOP is). */
static inline uint64_t mmx_get(const struct cpu *cpu, unsigned i)
{
    uint64_t v;
    memcpy(&v, cpu->s.fx.st[(i - fpu_top(cpu)) & 7], 8);
    return v;
}

/*
 * Switch the x87 unit to MMX use: TOP = 0, all tags valid. Called by MMX
 * instructions after every access that can fault and before registers are written.
 */
static inline void mmx_enter(struct cpu *cpu)
{
    if (__builtin_expect((cpu->s.fx.fsw & 0x3800) | (cpu->s.fx.ftw ^ 0xff), 0))
        mmx_enter_slow(cpu);
}

/* Write MMi (after mmx_enter, so TOP = 0): mantissa = v, exponent and sign = all ones. */
static inline void mmx_set(struct cpu *cpu, unsigned i, uint64_t v)
{
    uint8_t *st = cpu->s.fx.st[i & 7];
    memcpy(st, &v, 8);
    st[8] = st[9] = 0xff;
}

/* -------------------------------------------------------------- memory -- */

static inline uint64_t sse_ea_aligned(struct cpu *cpu, const struct insn *in, unsigned i)
{
    uint64_t la = op_ea(cpu, in, i);
    if (__builtin_expect(la & 15, 0))
        cpu_raise_gp0(cpu);
    return la;
}

static inline union xmm sse_load128(struct cpu *cpu, uint64_t la)
{
    uint64_t lo = mem_read64(cpu, la), hi = mem_read64(cpu, la + 8);
    return (union xmm){ .vq = { lo, hi } };
}

/* A 16-byte store that is all or nothing (two halves on different pages are checked first). */
static inline void sse_store128(struct cpu *cpu, uint64_t la, const union xmm *v)
{
    if (__builtin_expect((la & 0xfff) > 0xff0, 0)) {
        mem_write_bytes(cpu, la, v, 16);
        return;
    }
    mem_write64(cpu, la, v->q[0]);
    mem_write64(cpu, la + 8, v->q[1]);
}

/*
 * Source operand i of `size` bytes (16, 8 or 4) as a 128-bit value: an XMM
 * register whole, or memory in the low bytes with the rest zero. 16-byte
 * memory operands must be aligned unless `unaligned`.
 */
static inline __attribute__((always_inline)) union xmm
sse_src(struct cpu *cpu, const struct insn *in, unsigned i, unsigned size, bool unaligned)
{
    const struct operand *o = &in->op[i];
    if (o->kind == OPK_XMM)
        return xmm_get(cpu, o->reg);
    if (size == 16)
        return sse_load128(cpu, unaligned ? op_ea(cpu, in, i) : sse_ea_aligned(cpu, in, i));
    uint64_t lo = size == 8 ? mem_read64(cpu, op_ea(cpu, in, i)) : mem_read32(cpu, op_ea(cpu, in, i));
    return (union xmm){ .vq = { lo, 0 } };
}

/* MMX source operand i: MM register or memory of the operand's size (4 or 8), zero-extended. */
static inline uint64_t mmx_src(struct cpu *cpu, const struct insn *in, unsigned i)
{
    const struct operand *o = &in->op[i];
    if (o->kind == OPK_MMX)
        return mmx_get(cpu, o->reg);
    return o->size == 4 ? mem_read32(cpu, op_ea(cpu, in, i)) : mem_read64(cpu, op_ea(cpu, in, i));
}

/* ------------------------------------------------------- floating point -- */

/*
 * The host MXCSR for running a guest operation: guest RC/FZ/DAZ, everything
 * masked, no flags. An unmasked underflow traps on every tiny result, exact
 * or not, while a masked one is only flagged when also inexact; flush-to-zero
 * flags every tiny result, so it stands in for the unmasked case (the result
 * is never stored then: the instruction faults).
 */
static inline uint32_t sse_host_mxcsr(const struct cpu *cpu)
{
    uint32_t mx = cpu->s.fx.mxcsr;
    uint32_t fz = (mx & 0x0800) ? 0 : MXCSR_FZ;   /* UM clear: underflow unmasked */
    return (mx & (MXCSR_RC | MXCSR_FZ | MXCSR_DAZ)) | fz | MXCSR_MASKS;
}

/* Merge the exception flags an operation raised; an unmasked one faults (no result stored). */
static inline void sse_fp_flags(struct cpu *cpu, uint32_t raised)
{
    uint32_t mx = cpu->s.fx.mxcsr;
    raised &= MXCSR_FLAGS;
    if (__builtin_expect(raised & ~(mx >> 7), 0))
        sse_fp_exception(cpu, raised);
    cpu->s.fx.mxcsr = mx | raised;
}

/*
 * Running an operation on the host.
 *
 * The exception flags of an operation can only be read with STMXCSR, and an
 * STMXCSR that follows an LDMXCSR waits for it (tens of nanoseconds), so the
 * common case must not load MXCSR at all. It need not when the host MXCSR
 * already has the guest's control bits (rounding, DAZ, FTZ, masks: the
 * default 0x1f80 for nearly every program) and no flag the guest lacks: the
 * flags after the operation are then exactly the guest's new flags, since a
 * flag raised again that was already set is already set in the guest too.
 * The fast path is therefore STMXCSR, the operation, STMXCSR. Otherwise (a
 * guest with another rounding mode, FTZ/DAZ or unmasked exceptions, or stale
 * host flags) the operation is redone with the guest's control bits loaded and
 * the flags cleared, and the host MXCSR is restored with its flags cleared,
 * so the next operation takes the fast path again when it can.
 *
 * SSE_HOST_RUN(cpu, setup, body, (outputs), (inputs)) runs `setup` then the
 * asm `body` with the named operands given; its value is the flags raised
 * (in the fast path also flags the guest already had).
 */
#define SSE_UNPAREN(...) __VA_ARGS__

#define SSE_HOST_RUN(cpu, setup, body, outs, ins)                                              \
    ({                                                                                         \
        uint32_t before_, after_, g_ = (cpu)->s.fx.mxcsr;                                      \
        setup;                                                                                 \
        __asm__ volatile("stmxcsr %[before_]\n\t" body "\n\tstmxcsr %[after_]"                 \
                         : SSE_UNPAREN outs, [before_] "=m"(before_), [after_] "=m"(after_)    \
                         : SSE_UNPAREN ins);                                                   \
        if (__builtin_expect(((before_ ^ g_) & ~(g_ & MXCSR_FLAGS) & 0xffff) != 0, 0)) {       \
            uint32_t load_ = sse_host_mxcsr(cpu), restore_ = before_ & ~MXCSR_FLAGS;           \
            setup;                                                                             \
            __asm__ volatile("ldmxcsr %[load_]\n\t" body "\n\t"                                \
                             "stmxcsr %[after_]\n\tldmxcsr %[restore_]"                        \
                             : SSE_UNPAREN outs, [after_] "=m"(after_)                         \
                             : SSE_UNPAREN ins, [load_] "m"(load_), [restore_] "m"(restore_)); \
        }                                                                                      \
        after_ & MXCSR_FLAGS;                                                                  \
    })

/* `opc src, dst` (AT&T order) on 128-bit values; dst is updated in place. */
#define SSE_HOST(cpu, opc, dst, src)                                            \
    ({                                                                          \
        sse_v2df orig_ = (dst).v;                                               \
        SSE_HOST_RUN(cpu, (dst).v = orig_, opc " %[s_], %[d_]",                 \
                     ([d_] "+x"((dst).v)), ([s_] "x"((src).v)));                \
    })

/* The same with an immediate (a compile-time constant): `opc $imm, src, dst`. */
#define SSE_HOST_IMM(cpu, opc, imm, dst, src)                                   \
    ({                                                                          \
        sse_v2df orig_ = (dst).v;                                               \
        SSE_HOST_RUN(cpu, (dst).v = orig_, opc " %[i_], %[s_], %[d_]",          \
                     ([d_] "+x"((dst).v)), ([s_] "x"((src).v), [i_] "i"(imm))); \
    })

#endif
