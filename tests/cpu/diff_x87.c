/*
 * diff_x87.c - differential tests of the x87 FPU (exec_x87.c): every form
 * the interpreter implements, with the whole FXSAVE image compared.
 *
 * Inputs: each case starts from a random x87 state (diff_random_state leaves
 * the FPU empty, x87_fixup fills it): random TOP, tag patterns from "all
 * valid" through "the first k valid" to random, register contents drawn from
 * every class of 80-bit value (signed zeros, denormals, pseudo-denormals,
 * unnormals, pseudo-infinities, infinities, quiet and signalling NaNs, the
 * indefinite, max/min normals, integers and half-integers, values near 1 and
 * near the overflow and underflow thresholds, random bits), random condition
 * codes and sticky flags, and a control word with a random rounding and
 * precision control, now and then with unmasked exceptions (the result then
 * shows ES/B and the unmasked-exception behaviour, with no trap since the case
 * ends first). Memory operands at [rsi] get values of the operand's type
 * (float, double, extended, integers, packed BCD, control words, environment
 * and FNSAVE images). Pending unmasked exceptions in the input are avoided
 * except for the non-waiting instructions (FNINIT, FNSTSW, ...): natively a
 * waiting instruction would raise #MF, which the harness reports as a SIGFPE.
 *
 * Cases ending with an unmasked exception pending (F_MF) check that the next
 * waiting instruction raises #MF (the harness tells #MF from #XM by the
 * hardware vector the kernel records).
 *
 * The instructions the interpreter computes in software (host/cpu/x87_soft.c:
 * FSIN FCOS FSINCOS FPTAN F2XM1 FYL2X FYL2XP1 FPATAN, the constants FLDL2T
 * FLDL2E FLDPI FLDLG2 FLDLN2, FSQRT FRNDINT FSCALE FXTRACT) are compared bit
 * for bit against the model's definition (diff_model_x87_soft in
 * diff_softfp.c), and each input is also checked against the host: the
 * same stack, exceptions other than PE and UE, and condition codes other
 * than C1, with the results within one ulp of the host's (the IEEE-exact
 * ones and the constants: the host's bits).
 *
 * Cases named "#PF ..." put the operand on the last byte of the data buffer,
 * so that the access faults and nothing may change.
 *
 * Vendor-dependent cases are checked against the model (Intel, see
 * docs/cpu-model.md), by model functions:
 * - F_ENV0/F_ENV40: an FNSTENV/FNSAVE image at [rsi]/[rsi+0x40] after a
 *   non-control instruction. The model saves FCS = FDS = 0 and updates FOP
 *   and FDP only when that instruction raised an unmasked exception (as
 *   Intel processors with FDP_EXCPTN_ONLY do); AMD stores CS, FOP and FDP
 *   every time.
 * - F_PF_STORE: a store that raises an unmasked numeric exception writes
 *   nothing, so it cannot page-fault (Intel); AMD takes the #PF first. The
 *   expectation is the host's run with the operand in mapped memory when
 *   that run ends with an unmasked exception and stored nothing.
 * - F_UD: FISTTP belongs to SSE3, which the model does not advertise: #UD.
 *
 * The table was produced with the GNU assembler from the Intel-syntax text in
 * each name (or in the comment after it); the aliases (fstpnce, fxch4, fcom2,
 * ...) are hand-encoded.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/state.h"
#include "diff_table.h"

enum x87_mem {
    M_NONE, M_F32, M_F64, M_F80, M_I16, M_I32, M_I64, M_BCD, M_CW,
    M_ENV, M_ENV16, M_SAVE, M_SAVE16, M_OUT,
};

#define F_PENDING_OK 1u   /* non-waiting instruction: the input may hold a pending exception */
#define F_MASKED     4u   /* several waiting instructions: no unmasked exceptions (no #MF) */
#define F_MF         8u   /* raises #MF: every exception unmasked */
#define F_FAULT     16u   /* [rsi] is the last byte of the data buffer: the access faults (#PF) */
#define F_ENV0      32u   /* the model defines FCS/FOP/FDP/FDS of the environment stored at [rsi] */
#define F_ENV40     64u   /* ... at [rsi+0x40] */
#define F_PF_STORE 128u   /* a faulting store: an unmasked numeric exception comes first */
#define F_UD       256u   /* an extension the model does not advertise: #UD */

struct x87_test {
    const char *name;
    const char *hex;
    unsigned mem;        /* enum x87_mem: what [rsi] holds */
    unsigned flags;
};

static const struct x87_test x87_tests[] = {
    { "fadd m32", "d8 06", M_F32, 0 },
    { "fadd m64", "dc 06", M_F64, 0 },
    { "fiadd m16", "de 06", M_I16, 0 },
    { "fiadd m32", "da 06", M_I32, 0 },
    { "fadd st0,st0", "d8 c0", M_NONE, 0 },
    { "fadd st0,st1", "d8 c1", M_NONE, 0 },
    { "fadd st0,st5", "d8 c5", M_NONE, 0 },
    { "fadd st1,st0", "dc c1", M_NONE, 0 },
    { "fadd st6,st0", "dc c6", M_NONE, 0 },
    { "faddp st1,st0", "de c1", M_NONE, 0 },
    { "faddp st3,st0", "de c3", M_NONE, 0 },
    { "fmul m32", "d8 0e", M_F32, 0 },
    { "fmul m64", "dc 0e", M_F64, 0 },
    { "fimul m16", "de 0e", M_I16, 0 },
    { "fimul m32", "da 0e", M_I32, 0 },
    { "fmul st0,st0", "d8 c8", M_NONE, 0 },
    { "fmul st0,st1", "d8 c9", M_NONE, 0 },
    { "fmul st0,st5", "d8 cd", M_NONE, 0 },
    { "fmul st1,st0", "dc c9", M_NONE, 0 },
    { "fmul st6,st0", "dc ce", M_NONE, 0 },
    { "fmulp st1,st0", "de c9", M_NONE, 0 },
    { "fmulp st3,st0", "de cb", M_NONE, 0 },
    { "fsub m32", "d8 26", M_F32, 0 },
    { "fsub m64", "dc 26", M_F64, 0 },
    { "fisub m16", "de 26", M_I16, 0 },
    { "fisub m32", "da 26", M_I32, 0 },
    { "fsub st0,st0", "d8 e0", M_NONE, 0 },
    { "fsub st0,st1", "d8 e1", M_NONE, 0 },
    { "fsub st0,st5", "d8 e5", M_NONE, 0 },
    { "fsub st1,st0", "dc e9", M_NONE, 0 },
    { "fsub st6,st0", "dc ee", M_NONE, 0 },
    { "fsubp st1,st0", "de e9", M_NONE, 0 },
    { "fsubp st3,st0", "de eb", M_NONE, 0 },
    { "fsubr m32", "d8 2e", M_F32, 0 },
    { "fsubr m64", "dc 2e", M_F64, 0 },
    { "fisubr m16", "de 2e", M_I16, 0 },
    { "fisubr m32", "da 2e", M_I32, 0 },
    { "fsubr st0,st0", "d8 e8", M_NONE, 0 },
    { "fsubr st0,st1", "d8 e9", M_NONE, 0 },
    { "fsubr st0,st5", "d8 ed", M_NONE, 0 },
    { "fsubr st1,st0", "dc e1", M_NONE, 0 },
    { "fsubr st6,st0", "dc e6", M_NONE, 0 },
    { "fsubrp st1,st0", "de e1", M_NONE, 0 },
    { "fsubrp st3,st0", "de e3", M_NONE, 0 },
    { "fdiv m32", "d8 36", M_F32, 0 },
    { "fdiv m64", "dc 36", M_F64, 0 },
    { "fidiv m16", "de 36", M_I16, 0 },
    { "fidiv m32", "da 36", M_I32, 0 },
    { "fdiv st0,st0", "d8 f0", M_NONE, 0 },
    { "fdiv st0,st1", "d8 f1", M_NONE, 0 },
    { "fdiv st0,st5", "d8 f5", M_NONE, 0 },
    { "fdiv st1,st0", "dc f9", M_NONE, 0 },
    { "fdiv st6,st0", "dc fe", M_NONE, 0 },
    { "fdivp st1,st0", "de f9", M_NONE, 0 },
    { "fdivp st3,st0", "de fb", M_NONE, 0 },
    { "fdivr m32", "d8 3e", M_F32, 0 },
    { "fdivr m64", "dc 3e", M_F64, 0 },
    { "fidivr m16", "de 3e", M_I16, 0 },
    { "fidivr m32", "da 3e", M_I32, 0 },
    { "fdivr st0,st0", "d8 f8", M_NONE, 0 },
    { "fdivr st0,st1", "d8 f9", M_NONE, 0 },
    { "fdivr st0,st5", "d8 fd", M_NONE, 0 },
    { "fdivr st1,st0", "dc f1", M_NONE, 0 },
    { "fdivr st6,st0", "dc f6", M_NONE, 0 },
    { "fdivrp st1,st0", "de f1", M_NONE, 0 },
    { "fdivrp st3,st0", "de f3", M_NONE, 0 },
    { "fcom st1", "d8 d1", M_NONE, 0 },
    { "fcom st4", "d8 d4", M_NONE, 0 },
    { "fcom m32", "d8 16", M_F32, 0 },
    { "fcom m64", "dc 16", M_F64, 0 },
    { "fcomp st1", "d8 d9", M_NONE, 0 },
    { "fcomp st4", "d8 dc", M_NONE, 0 },
    { "fcomp m32", "d8 1e", M_F32, 0 },
    { "fcomp m64", "dc 1e", M_F64, 0 },
    { "ficom m16", "de 16", M_I16, 0 },
    { "ficom m32", "da 16", M_I32, 0 },
    { "ficomp m16", "de 1e", M_I16, 0 },
    { "ficomp m32", "da 1e", M_I32, 0 },
    { "fucom st1", "dd e1", M_NONE, 0 },
    { "fucom st2", "dd e2", M_NONE, 0 },
    { "fucomp st1", "dd e9", M_NONE, 0 },
    { "fucomp st2", "dd ea", M_NONE, 0 },
    { "fcompp", "de d9", M_NONE, 0 },
    { "fucompp", "da e9", M_NONE, 0 },
    { "fcomi st0,st1", "db f1", M_NONE, 0 },
    { "fcomi st0,st3", "db f3", M_NONE, 0 },
    { "fcomip st0,st1", "df f1", M_NONE, 0 },
    { "fcomip st0,st3", "df f3", M_NONE, 0 },
    { "fucomi st0,st1", "db e9", M_NONE, 0 },
    { "fucomi st0,st3", "db eb", M_NONE, 0 },
    { "fucomip st0,st1", "df e9", M_NONE, 0 },
    { "fucomip st0,st3", "df eb", M_NONE, 0 },
    { "ftst", "d9 e4", M_NONE, 0 },
    { "fxam", "d9 e5", M_NONE, 0 },
    { "fld m32", "d9 06", M_F32, 0 },
    { "fld m64", "dd 06", M_F64, 0 },
    { "fld m80", "db 2e", M_F80, 0 },
    { "fld st0", "d9 c0", M_NONE, 0 },
    { "fld st1", "d9 c1", M_NONE, 0 },
    { "fld st7", "d9 c7", M_NONE, 0 },
    { "fild m16", "df 06", M_I16, 0 },
    { "fild m32", "db 06", M_I32, 0 },
    { "fild m64", "df 2e", M_I64, 0 },
    { "fbld m80", "df 26", M_BCD, 0 },
    { "fld1", "d9 e8", M_NONE, 0 },
    { "fldl2t", "d9 e9", M_NONE, 0 },
    { "fldl2e", "d9 ea", M_NONE, 0 },
    { "fldpi", "d9 eb", M_NONE, 0 },
    { "fldlg2", "d9 ec", M_NONE, 0 },
    { "fldln2", "d9 ed", M_NONE, 0 },
    { "fldz", "d9 ee", M_NONE, 0 },
    { "fst m32", "d9 16", M_OUT, 0 },
    { "fst m64", "dd 16", M_OUT, 0 },
    { "fstp m32", "d9 1e", M_OUT, 0 },
    { "fstp m64", "dd 1e", M_OUT, 0 },
    { "fstp m80", "db 3e", M_OUT, 0 },
    { "fst st0", "dd d0", M_NONE, 0 },
    { "fstp st0", "dd d8", M_NONE, 0 },
    { "fst st1", "dd d1", M_NONE, 0 },
    { "fstp st1", "dd d9", M_NONE, 0 },
    { "fst st3", "dd d3", M_NONE, 0 },
    { "fstp st3", "dd db", M_NONE, 0 },
    { "fist m16", "df 16", M_OUT, 0 },
    { "fist m32", "db 16", M_OUT, 0 },
    { "fistp m16", "df 1e", M_OUT, 0 },
    { "fistp m32", "db 1e", M_OUT, 0 },
    { "fistp m64", "df 3e", M_OUT, 0 },
    { "fisttp m16", "df 0e", M_OUT, F_UD },
    { "fisttp m32", "db 0e", M_OUT, F_UD },
    { "fisttp m64", "dd 0e", M_OUT, F_UD },
    { "fbstp m80", "df 36", M_OUT, 0 },
    { "fchs", "d9 e0", M_NONE, 0 },
    { "fabs", "d9 e1", M_NONE, 0 },
    { "fsqrt", "d9 fa", M_NONE, 0 },
    { "frndint", "d9 fc", M_NONE, 0 },
    { "fscale", "d9 fd", M_NONE, 0 },
    { "fxtract", "d9 f4", M_NONE, 0 },
    { "fprem", "d9 f8", M_NONE, 0 },
    { "fprem1", "d9 f5", M_NONE, 0 },
    { "f2xm1", "d9 f0", M_NONE, 0 },
    { "fyl2x", "d9 f1", M_NONE, 0 },
    { "fyl2xp1", "d9 f9", M_NONE, 0 },
    { "fpatan", "d9 f3", M_NONE, 0 },
    { "fptan", "d9 f2", M_NONE, 0 },
    { "fsin", "d9 fe", M_NONE, 0 },
    { "fcos", "d9 ff", M_NONE, 0 },
    { "fsincos", "d9 fb", M_NONE, 0 },
    { "fxch st0", "d9 c8", M_NONE, 0 },
    { "fxch st1", "d9 c9", M_NONE, 0 },
    { "fxch st5", "d9 cd", M_NONE, 0 },
    { "fcmovb st0,st0", "da c0", M_NONE, 0 },
    { "fcmovb st0,st2", "da c2", M_NONE, 0 },
    { "fcmove st0,st0", "da c8", M_NONE, 0 },
    { "fcmove st0,st2", "da ca", M_NONE, 0 },
    { "fcmovbe st0,st0", "da d0", M_NONE, 0 },
    { "fcmovbe st0,st2", "da d2", M_NONE, 0 },
    { "fcmovu st0,st0", "da d8", M_NONE, 0 },
    { "fcmovu st0,st2", "da da", M_NONE, 0 },
    { "fcmovnb st0,st0", "db c0", M_NONE, 0 },
    { "fcmovnb st0,st2", "db c2", M_NONE, 0 },
    { "fcmovne st0,st0", "db c8", M_NONE, 0 },
    { "fcmovne st0,st2", "db ca", M_NONE, 0 },
    { "fcmovnbe st0,st0", "db d0", M_NONE, 0 },
    { "fcmovnbe st0,st2", "db d2", M_NONE, 0 },
    { "fcmovnu st0,st0", "db d8", M_NONE, 0 },
    { "fcmovnu st0,st2", "db da", M_NONE, 0 },
    { "ffree st0", "dd c0", M_NONE, 0 },
    { "ffreep st0", "df c0", M_NONE, 0 },
    { "ffree st3", "dd c3", M_NONE, 0 },
    { "ffreep st3", "df c3", M_NONE, 0 },
    { "fincstp", "d9 f7", M_NONE, 0 },
    { "fdecstp", "d9 f6", M_NONE, 0 },
    { "fnop", "d9 d0", M_NONE, 0 },
    { "fwait", "9b", M_NONE, 0 },
    { "fninit", "db e3", M_NONE, F_PENDING_OK },
    { "fnclex", "db e2", M_NONE, F_PENDING_OK },
    { "fldcw", "d9 2e", M_CW, 0 },  /* fldcw word ptr [rsi] */
    { "fnstcw", "d9 3e", M_OUT, F_PENDING_OK },  /* fnstcw word ptr [rsi] */
    { "fnstsw m16", "dd 3e", M_OUT, F_PENDING_OK },
    { "fnstsw ax", "df e0", M_NONE, F_PENDING_OK },
    { "fldenv", "d9 26", M_ENV, 0 },  /* fldenv [rsi] */
    { "fldenv o16", "66 d9 26", M_ENV16, 0 },  /* data16 fldenv [rsi] */
    { "fnstenv", "d9 36", M_OUT, F_PENDING_OK },  /* fnstenv [rsi] */
    { "fnstenv o16", "66 d9 36", M_OUT, F_PENDING_OK },  /* data16 fnstenv [rsi] */
    { "fnsave", "dd 36", M_OUT, F_PENDING_OK },  /* fnsave [rsi] */
    { "frstor", "dd 26", M_SAVE, 0 },  /* frstor [rsi] */
    { "fnsave o16", "66 dd 36", M_OUT, F_PENDING_OK },  /* data16 fnsave [rsi] */
    { "frstor o16", "66 dd 26", M_SAVE16, 0 },  /* data16 frstor [rsi] */
    { "feni", "db e0", M_NONE, 0 },
    { "fdisi", "db e1", M_NONE, 0 },
    { "fsetpm", "db e4", M_NONE, 0 },
    { "fstpnce st2", "d9 da", M_NONE, 0 },
    { "fxch4 st2", "dd ca", M_NONE, 0 },
    { "fcom2 st2", "dc d2", M_NONE, 0 },
    { "fcomp3 st2", "dc da", M_NONE, 0 },
    { "fcomp5 st2", "de d2", M_NONE, 0 },
    { "fxch7 st2", "df ca", M_NONE, 0 },
    { "fstp8 st2", "df d2", M_NONE, 0 },
    { "fstp9 st2", "df da", M_NONE, 0 },
    { "seq fld/fmul/fstp m64", "dd 06 dc 4e 08 dd 5e 10", M_F64, F_MASKED },  /* fld qword ptr [rsi]; fmul qword ptr [rsi+8]; fstp qword ptr [rsi+16] */
    { "seq fild/fdiv/fistp", "db 06 da 76 04 db 5e 08", M_I32, F_MASKED },  /* fild dword ptr [rsi]; fidiv dword ptr [rsi+4]; fistp dword ptr [rsi+8] */
    { "seq printf-like", "db 2e d9 c0 d9 fc dc e9 d9 c9 dc 4e 10 df 7e 18 df 7e 20", M_F80, F_MASKED },  /* fld tbyte ptr [rsi]; fld st(0); frndint; fsub st(1), st(0); fxch st(1); fmul qword ptr [rsi+16]; fistp qword ptr [rsi+24]; fistp qword ptr [rsi+32] */
    { "seq fcomip/fcmov", "db 2e db 6e 10 df e9 da c1 db 7e 20", M_F80, F_MASKED },  /* fld tbyte ptr [rsi]; fld tbyte ptr [rsi+16]; fucomip st(0), st(1); fcmovb st(0), st(1); fstp tbyte ptr [rsi+32] */
    { "seq fnstsw/sahf", "d8 d1 df e0 9e", M_NONE, 0 },  /* fcom st(1); fnstsw ax; sahf */
    { "seq fprem loop", "db 2e db 6e 10 d9 f8 df e0 f6 c4 04 75 f7 db 7e 20", M_F80, F_MASKED },  /* fld tbyte ptr [rsi]; fld tbyte ptr [rsi+16]; 1: fprem; fnstsw ax; test ah, 4; jnz 1b; fstp tbyte ptr [rsi+32] */
    { "seq fninit/fldcw", "db e3 d9 2e d9 e8 d9 eb dc f9 d9 fa dd 5e 08", M_CW, F_PENDING_OK | F_MASKED },  /* fninit; fldcw word ptr [rsi]; fld1; fldpi; fdiv st(1), st(0); fsqrt; fstp qword ptr [rsi+8] */
    { "seq #MF at fwait", "d8 f1 9b", M_NONE, F_MF },  /* fdiv st(0), st(1); fwait */
    { "seq #MF at next", "dc 0e d9 e8", M_F64, F_MF },  /* fmul qword ptr [rsi]; fld1 */
    { "seq fnstenv after op", "d8 c1 d9 36", M_OUT, F_ENV0 },  /* fadd st(0), st(1); fnstenv [rsi] */
    { "seq fnstenv after m64 op", "dc 4e 08 d9 76 40", M_F64, F_ENV40 },  /* fmul qword ptr [rsi+8]; fnstenv [rsi+0x40] */
    { "seq fnstenv after fist", "df 5e 08 d9 76 40", M_OUT, F_ENV40 },  /* fistp word ptr [rsi+8]; fnstenv [rsi+0x40] */
    { "seq fnsave after fsqrt", "d9 fa dd 76 40", M_OUT, F_ENV40 },  /* fsqrt; fnsave [rsi+0x40] */
    { "#PF fld m64", "dd 06", M_NONE, F_FAULT },  /* fld qword ptr [rsi] */
    { "#PF fld m80", "db 2e", M_NONE, F_FAULT },  /* fld tbyte ptr [rsi] */
    { "#PF fild m64", "df 2e", M_NONE, F_FAULT },  /* fild qword ptr [rsi] */
    { "#PF fadd m64", "dc 06", M_NONE, F_FAULT },  /* fadd qword ptr [rsi] */
    { "#PF fcomp m32", "d8 1e", M_NONE, F_FAULT },  /* fcomp dword ptr [rsi] */
    { "#PF fstp m64", "dd 1e", M_NONE, F_FAULT | F_PF_STORE },  /* fstp qword ptr [rsi] */
    { "#PF fst m32", "d9 16", M_NONE, F_FAULT | F_PF_STORE },  /* fst dword ptr [rsi] */
    { "#PF fistp m64", "df 3e", M_NONE, F_FAULT | F_PF_STORE },  /* fistp qword ptr [rsi] */
    { "#PF fisttp m32", "db 0e", M_NONE, F_FAULT | F_UD },  /* fisttp dword ptr [rsi] */
    { "#PF fbstp", "df 36", M_NONE, F_FAULT | F_PF_STORE },  /* fbstp tbyte ptr [rsi] */
    { "#PF fstp m80", "db 3e", M_NONE, F_FAULT | F_PF_STORE },  /* fstp tbyte ptr [rsi] */
    { "#PF fldenv", "d9 26", M_NONE, F_FAULT },  /* fldenv [rsi] */
    { "#PF fnstenv", "d9 36", M_NONE, F_FAULT },  /* fnstenv [rsi] */
    { "#PF fnsave", "dd 36", M_NONE, F_FAULT },  /* fnsave [rsi] */
    { "#PF frstor", "dd 26", M_NONE, F_FAULT },  /* frstor [rsi] */
    { "#PF fnstcw", "d9 3e", M_NONE, F_FAULT },  /* fnstcw word ptr [rsi] */
    { "seq fnsave frstor", "dd 36 d9 e8 dd 26", M_OUT, F_PENDING_OK },  /* fnsave [rsi]; fld1; frstor [rsi] */
};

#define MEM_OFF 0x100u

static const struct x87_test *cur;

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void put80(uint8_t *p, uint64_t mant, unsigned se)
{
    memcpy(p, &mant, 8);
    p[8] = (uint8_t)se;
    p[9] = (uint8_t)(se >> 8);
}

/* A random 80-bit value from every class the x87 distinguishes. */
static void rand_f80(uint64_t *s, uint8_t *p)
{
    uint64_t r = rnd(s), m = rnd(s);
    unsigned sign = (unsigned)(r >> 63) << 15;
    unsigned cls = (unsigned)(r % 40);
    unsigned e;
    switch (cls) {
    case 0: put80(p, 0, sign); break;                                        /* zero */
    case 1: put80(p, m >> 1 >> (r >> 8 & 63), sign); break;                  /* denormal */
    case 2: put80(p, m | 1ull << 63, sign); break;                           /* pseudo-denormal */
    case 3: put80(p, m >> 1, sign | (unsigned)(1 + (r >> 8) % 0x7ffe)); break; /* unnormal */
    case 4: put80(p, m & ~(1ull << 63), sign | 0x7fff); break;               /* pseudo-inf/NaN */
    case 5: put80(p, 1ull << 63, sign | 0x7fff); break;                      /* infinity */
    case 6: put80(p, m | 3ull << 62, sign | 0x7fff); break;                  /* QNaN */
    case 7: put80(p, (m & ~(1ull << 62)) | 1ull << 63 | 1, sign | 0x7fff); break; /* SNaN */
    case 8: put80(p, 3ull << 62, 0xffff); break;                             /* indefinite */
    case 9: put80(p, ~0ull, sign | 0x7ffe); break;                           /* max */
    case 10: put80(p, 1ull << 63, sign | 1); break;                          /* min normal */
    case 11: put80(p, m, (unsigned)r); break;                                /* random bits */
    case 12: case 13: case 14: {                                             /* integer, half-integer */
        e = (unsigned)((r >> 8) % 66);
        uint64_t v = m | 1ull << 63;
        if (e < 63)
            v &= ~0ull << (63 - e);
        if (cls == 14 && e < 62)
            v |= 1ull << (62 - e);
        put80(p, v, sign | (0x3fff + e));
        break;
    }
    case 15: case 16: put80(p, m | 1ull << 63, sign | (0x7ffe - (unsigned)((r >> 8) % 80))); break; /* huge */
    case 17: case 18: put80(p, m | 1ull << 63, sign | (1 + (unsigned)((r >> 8) % 80))); break;      /* tiny */
    case 19: put80(p, (m | 1ull << 63) & ~0ull << (r >> 8) % 64, sign | (0x3fff - 16 + (unsigned)((r >> 16) % 32))); break;
    case 20: put80(p, 1ull << 63, sign | (0x3fff + (unsigned)((r >> 8) % 128) - 64)); break; /* powers of two */
    default:                                                                 /* normal, mostly moderate */
        e = (r >> 8) & 1 ? 0x3fff - 70 + (unsigned)((r >> 16) % 140) : 1 + (unsigned)((r >> 16) % 0x7ffd);
        put80(p, m | 1ull << 63, sign | e);
        break;
    }
}

static uint64_t rand_f64(uint64_t *s)
{
    uint64_t r = rnd(s), m = rnd(s) & ((1ull << 52) - 1), sign = r & 1ull << 63;
    switch (r % 16) {
    case 0: return sign;
    case 1: return sign | (m >> (r >> 8) % 52);                      /* denormal */
    case 2: return sign | 0x7ffull << 52;                            /* infinity */
    case 3: return sign | 0x7ffull << 52 | 1ull << 51 | m;           /* QNaN */
    case 4: return sign | 0x7ffull << 52 | (m & ~(1ull << 51)) | 1;  /* SNaN */
    case 5: return sign | 0x7feull << 52 | m;                        /* huge */
    case 6: return rnd(s);
    case 7: {                                                        /* integer */
        double d = (double)(int64_t)(rnd(s) >> (r >> 8) % 64) * ((r >> 20) & 1 ? 0.5 : 1);
        uint64_t v;
        memcpy(&v, &d, 8);
        return v;
    }
    default: return sign | (uint64_t)(0x3ff - 60 + (r >> 8) % 120) << 52 | m;
    }
}

static uint32_t rand_f32(uint64_t *s)
{
    uint64_t r = rnd(s);
    uint32_t m = (uint32_t)rnd(s) & 0x7fffff, sign = (uint32_t)(r >> 32) & 0x80000000u;
    switch (r % 16) {
    case 0: return sign;
    case 1: return sign | (m >> (r >> 8) % 23);
    case 2: return sign | 0x7f800000u;
    case 3: return sign | 0x7fc00000u | m;
    case 4: return sign | 0x7f800000u | (m & ~0x400000u) | 1;
    case 5: return sign | 0x7f000000u | m;
    case 6: return (uint32_t)rnd(s);
    default: return sign | (uint32_t)(127 - 30 + (r >> 8) % 60) << 23 | m;
    }
}

static uint64_t rand_int(uint64_t *s, unsigned bytes)
{
    uint64_t r = rnd(s);
    unsigned bits = bytes * 8;
    if (r % 4 == 0)
        return diff_edge_value((unsigned)(r >> 8));
    if (r % 4 == 1)
        return rnd(s) >> (64 - bits + (r >> 8) % bits);       /* small magnitude */
    if (r % 4 == 2)
        return -(rnd(s) >> (64 - bits + (r >> 8) % bits));
    return rnd(s);
}

static void rand_bcd(uint64_t *s, uint8_t *p)
{
    uint64_t r = rnd(s);
    unsigned digits = (unsigned)(r % 19);
    memset(p, 0, 10);
    for (unsigned i = 0; i < digits; i++) {
        unsigned d = (unsigned)(rnd(s) % (r % 16 == 0 ? 16 : 10));
        p[i / 2] |= (uint8_t)(d << (4 * (i & 1)));
    }
    p[9] = (r >> 8) & 1 ? 0x80 : 0;
    if (r % 32 == 1)
        memset(p, 0xff, 10);
}

/* A control word: random rounding and precision control, mostly masked. */
static uint16_t rand_cw(uint64_t *s, bool allow_unmasked)
{
    uint64_t r = rnd(s);
    static const unsigned pcs[4] = { 3, 3, 2, 0 };
    unsigned masks = 0x3f;
    if (allow_unmasked && r % 6 == 0)
        masks = (unsigned)(r >> 20) & 0x3f;
    if (r % 5 == 0)
        return (uint16_t)(0x37f & ~0x3f) | (uint16_t)masks;
    return (uint16_t)(0x40 | masks | pcs[(r >> 8) & 3] << 8 | ((r >> 10) & 3) << 10 | ((r >> 12) & 1) << 12);
}

static void rand_env(uint64_t *s, uint8_t *p, bool o16)
{
    uint16_t cw = rand_cw(s, true), sw = (uint16_t)rnd(s), tag = (uint16_t)rnd(s);
    if (rnd(s) & 1)
        tag |= (uint16_t)(0xffff << (2 * (rnd(s) % 8)));
    if (o16) {
        uint16_t w[7] = { cw, sw, tag, (uint16_t)rnd(s), (uint16_t)rnd(s), (uint16_t)rnd(s), (uint16_t)rnd(s) };
        memcpy(p, w, sizeof w);
    } else {
        uint32_t d[7] = { (uint32_t)rnd(s) << 16 | cw, (uint32_t)rnd(s) << 16 | sw, (uint32_t)rnd(s) << 16 | tag,
                          (uint32_t)rnd(s), (uint32_t)rnd(s), (uint32_t)rnd(s), (uint32_t)rnd(s) };
        memcpy(p, d, sizeof d);
    }
}

static void x87_fixup(struct diff_state *st)
{
    uint64_t s = st->gpr[RAX] ^ st->gpr[RBX] * 3 ^ st->gpr[R15] * 7;
    struct fxsave_area *fx = &st->fx;

    for (unsigned i = 0; i < 8; i++)
        rand_f80(&s, fx->st[i]);
    unsigned top = (unsigned)(rnd(&s) & 7), valid = 0;   /* valid: bit i = ST(i) */
    switch (rnd(&s) % 5) {
    case 0: valid = 0xff; break;
    case 1: valid = (unsigned)rnd(&s) & 0xff; break;
    case 2: case 3: valid = (1u << (rnd(&s) % 9)) - 1; break;
    default: valid = 0x7f; break;
    }
    fx->ftw = 0;
    for (unsigned i = 0; i < 8; i++)
        if (valid >> i & 1)
            fx->ftw |= (uint8_t)(1u << ((top + i) & 7));
    for (unsigned i = 1; i < 8; i++)   /* equal operands now and then */
        if (rnd(&s) % 10 == 0)
            memcpy(fx->st[i], fx->st[0], 10);

    fx->fcw = rand_cw(&s, !(cur->flags & F_MASKED));
    if (cur->flags & F_MF)
        fx->fcw &= (uint16_t)~0x3f;   /* everything unmasked */
    unsigned exc = (unsigned)rnd(&s) & 0x3f & (rnd(&s) % 3 == 0 ? 0x3f : 0);
    if (!(cur->flags & F_PENDING_OK))
        exc &= fx->fcw;
    unsigned sw = exc | ((exc & 1) && (rnd(&s) & 1) ? 0x40 : 0) | ((unsigned)rnd(&s) & 0x4700) | top << 11;
    if (exc & ~fx->fcw & 0x3f)
        sw |= 0x8080;
    fx->fsw = (uint16_t)sw;

    st->gpr[RSI] = DIFF_DATA_VA + MEM_OFF;
    if (cur->flags & F_FAULT)
        st->gpr[RSI] = DIFF_DATA_VA + DIFF_DATA_SIZE - 1;
    uint8_t *p = &st->data[MEM_OFF];
    switch (cur->mem) {
    case M_F32:
        for (unsigned i = 0; i < 16; i++) {
            uint32_t v = rand_f32(&s);
            memcpy(p + 4 * i, &v, 4);
        }
        if (rnd(&s) % 8 == 0) {   /* ST(0) equal to the operand */
            float f;
            long double ld;
            memcpy(&f, p, 4);
            ld = f;
            memcpy(fx->st[0], &ld, 10);
        }
        break;
    case M_F64:
        for (unsigned i = 0; i < 8; i++) {
            uint64_t v = rand_f64(&s);
            memcpy(p + 8 * i, &v, 8);
        }
        if (rnd(&s) % 8 == 0) {
            double d;
            long double ld;
            memcpy(&d, p, 8);
            ld = d;
            memcpy(fx->st[0], &ld, 10);
        }
        break;
    case M_F80:
        for (unsigned i = 0; i < 4; i++)
            rand_f80(&s, p + 16 * i);
        break;
    case M_I16: case M_I32: case M_I64: {
        unsigned n = cur->mem == M_I16 ? 2 : cur->mem == M_I32 ? 4 : 8;
        for (unsigned i = 0; i < 64; i += n) {
            uint64_t v = rand_int(&s, n);
            memcpy(p + i, &v, n);
        }
        if (rnd(&s) % 8 == 0) {
            int64_t v = 0;
            memcpy(&v, p, n);
            v = (int64_t)((uint64_t)v << (64 - 8 * n)) >> (64 - 8 * n);
            long double ld = (long double)v;
            memcpy(fx->st[0], &ld, 10);
        }
        break;
    }
    case M_BCD: rand_bcd(&s, p); break;
    case M_CW: {
        uint16_t cw = rnd(&s) % 4 == 0 ? (uint16_t)rnd(&s) : rand_cw(&s, true);
        if (cur->flags & F_MASKED)
            cw |= 0x3f;
        memcpy(p, &cw, 2);
        break;
    }
    case M_ENV: case M_ENV16: rand_env(&s, p, cur->mem == M_ENV16); break;
    case M_SAVE: case M_SAVE16: {
        unsigned n = cur->mem == M_SAVE ? 28 : 14;
        rand_env(&s, p, n == 14);
        for (unsigned i = 0; i < 8; i++)
            rand_f80(&s, p + n + 10 * i);
        break;
    }
    default: break;
    }
}

/* FNSTENV/FNSAVE after a non-control instruction: FCS, FOP, FDP, FDS as the model saves them. */
static bool model_env(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    (void)c;
    if (expect->vector >= 0)
        return false;
    uint8_t *env = &expect->out.data[MEM_OFF + (cur->flags & F_ENV40 ? 0x40 : 0)];
    uint16_t fsw, zero = 0;
    memcpy(&fsw, env + 4, 2);
    memcpy(env + 16, &zero, 2);                     /* FCS */
    memcpy(env + 24, &zero, 2);                     /* FDS */
    if (!(fsw & 0x80)) {                            /* no unmasked exception: FOP, FDP as they were */
        uint16_t fop = in->fx.fop & 0x7ff;
        uint32_t fdp = (uint32_t)in->fx.fdp;
        memcpy(env + 18, &fop, 2);
        memcpy(env + 20, &fdp, 4);
    }
    return true;
}

/* A store to a faulting address: when the value raises an unmasked exception, nothing is stored and nothing faults. */
static bool model_pf_store(const struct diff_case *c, const struct diff_state *in, struct diff_result *expect)
{
    static struct diff_state mapped;
    static struct diff_result r;
    mapped = *in;
    mapped.gpr[RSI] = DIFF_DATA_VA + MEM_OFF;
    diff_run_native_ref(c->code, c->len, &mapped, &r);
    if (r.vector >= 0 || !(r.out.fx.fsw & 0x80) || memcmp(r.out.data, in->data, DIFF_DATA_SIZE))
        return false;
    *expect = r;
    expect->out.gpr[RSI] = in->gpr[RSI];
    return true;
}

unsigned diff_x87_run(void)
{
    unsigned failures = 0;
    const char *e = getenv("M5SIM_DIFF_X87_N");
    unsigned n = e ? (unsigned)atoi(e) : 500;
    for (unsigned i = 0; i < sizeof x87_tests / sizeof x87_tests[0]; i++) {
        uint8_t code[256];
        cur = &x87_tests[i];
        struct diff_case c = {
            .name = cur->name,
            .code = code,
            .len = diff_hex_parse(cur->hex, code, sizeof code),
            .undefined_flags = 0,
            .compare_fx = true,
            .model = cur->flags & F_UD ? diff_model_ud
                     : cur->flags & (F_ENV0 | F_ENV40) ? model_env
                     : cur->flags & F_PF_STORE ? model_pf_store
                     : diff_model_x87_soft,   /* D9 E9..FF computed in software; others: false */
        };
        failures += diff_fuzz(&c, n, 0, x87_fixup);
    }
    return failures;
}
