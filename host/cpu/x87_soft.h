/*
 * x87_soft.h - the x87 instructions whose results are implementation-defined,
 * computed in software (GNU MPFR) so that they are the same bits on every
 * host: FSIN FCOS FSINCOS FPTAN F2XM1 FYL2X FYL2XP1 FPATAN, the constants
 * FLDPI FLDL2T FLDL2E FLDLG2 FLDLN2, and FSQRT FRNDINT FSCALE FXTRACT, whose
 * flags (C1, DE) some x86 implementations get wrong. docs/cpu-model.md says
 * what each one computes.
 *
 * exec_x87.c handles the stack (empty and full registers) and the unmasked
 * exceptions exactly as for the operations the host runs; these functions
 * only compute, with the same result conventions as the host operations
 * (see exec_x87.c: r0/r1 as the host's ST(0)/ST(1) afterwards).
 */
#ifndef M5SIM_CPU_X87_SOFT_H
#define M5SIM_CPU_X87_SOFT_H

#include <stdbool.h>
#include <stdint.h>

/* Whether D9 /modrm (E8..FF) is computed here. */
bool x87_soft_handles(unsigned modrm);

/*
 * Execute D9 modrm on a = ST(0) and b = ST(1) (10-byte images) under the
 * control word fcw. fsw supplies the condition codes the instruction leaves
 * alone. Returns the new status bits: exception flags (IE DE ZE OE UE PE)
 * and C0..C3. Results, as the host's stack would hold them afterwards:
 *  - FSIN FCOS F2XM1 FSQRT FRNDINT FSCALE: r0 = the new ST(0) (FSIN, FCOS:
 *    the operand itself when C2 reports it out of range);
 *  - FYL2X FYL2XP1 FPATAN: r0 = the new ST(1) (the caller pops);
 *  - FPTAN FSINCOS FXTRACT: r1 replaces ST(0), r0 is pushed (nothing when C2
 *    is set);
 *  - constants: r0 is pushed.
 */
unsigned x87_soft_run(unsigned modrm, unsigned fcw, unsigned fsw, const uint8_t a[10],
                      const uint8_t b[10], uint8_t r0[10], uint8_t r1[10]);

/*
 * RCPPS/RCPSS and RSQRTPS/RSQRTSS on one single-precision lane: the exact
 * 1/x and 1/sqrt(x) rounded to nearest with 12 significant bits (relative
 * error <= 2^-12). Denormal inputs count as zero; results below the normal
 * range are zero (as on Intel processors). MXCSR does not affect them.
 */
uint32_t sse_soft_rcp(uint32_t x);
uint32_t sse_soft_rsqrt(uint32_t x);

#endif
