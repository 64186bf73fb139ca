/*
 * exec_string.c - string instructions: MOVS STOS LODS CMPS SCAS in byte,
 * word, dword and qword sizes, with DF, the REP/REPE/REPNE prefixes and the
 * 32-bit address size (ESI/EDI/ECX).
 *
 * A repeated instruction runs to completion inside one handler call, but it
 * updates RCX/RSI/RDI (and the flags of CMPS/SCAS) after every element, so
 * a fault part-way leaves a consistent state: RIP still points at the
 * instruction, which restarts with the remaining count.
 *
 * REP MOVS and REP STOS with DF=0 and 64-bit addressing take a fast path:
 * whole runs of elements inside one source and one destination page are
 * copied or filled through the host pointers of the software TLB. Without a
 * host pointer (TLB miss, MMIO, a page holding decoded code, both pages in
 * one TLB slot) MOVS copies the run with mem_read_bytes/mem_write_bytes and
 * STOS stores one element through the slow path, which refills the TLB.
 * Runs never overlap in a way that would differ from element-by-element
 * copying (a destination just above the source limits the run to their
 * distance).
 *
 * The source segment override (e.g. FS: MOVSB) is not visible in the decoded
 * record (the operands are hidden); all accesses use base 0.
 *
 * MOVSD and CMPSD share their mnemonics with the SSE2 scalar-double
 * instructions (0F 10 / 0F C2); those go to the handler registered before ours.
 */
#include "cpu/exec.h"

static exec_fn movsd_sse, cmpsd_sse;

/* Address registers at the instruction's address size; writes zero-extend a 32-bit size. */
static inline uint64_t sreg_get(const struct cpu *cpu, unsigned r, bool a32)
{
    uint64_t v = cpu->s.gpr[r];
    return a32 ? (uint32_t)v : v;
}

static inline void sreg_set(struct cpu *cpu, unsigned r, bool a32, uint64_t v)
{
    cpu->s.gpr[r] = a32 ? (uint32_t)v : v;
}

/*
 * A repeated instruction with a 32-bit address size and ECX = 0 still writes
 * ECX, and MOVS/STOS their pointers, zero-extended (as the host CPU does;
 * the SDM leaves it open). With a count, the element loop writes them anyway.
 */
static inline void a32_zero_count(struct cpu *cpu, bool si, bool di)
{
    uint64_t *g = cpu->s.gpr;
    if ((uint32_t)g[RCX] == 0) {
        g[RCX] = 0;
        if (si)
            g[RSI] = (uint32_t)g[RSI];
        if (di)
            g[RDI] = (uint32_t)g[RDI];
    }
}

static inline int64_t str_step(const struct cpu *cpu, unsigned size)
{
    return (cpu->s.rflags & FL_DF) ? -(int64_t)size : (int64_t)size;
}

static inline bool has_rep(const struct insn *in)
{
    return (in->prefix & (PFX_REP | PFX_REPNE)) != 0;
}

/* Elements of `size` that fit before the end of la's page. */
static inline uint64_t page_room(uint64_t la, unsigned size)
{
    return (4096 - (la & 0xfff)) / size;
}

/* ---- MOVS ---- */

static inline void movs_one(struct cpu *cpu, bool a32, unsigned size, int64_t step)
{
    uint64_t si = sreg_get(cpu, RSI, a32), di = sreg_get(cpu, RDI, a32);
    uint64_t v = mem_read(cpu, si, size);
    mem_write(cpu, di, size, v);
    sreg_set(cpu, RSI, a32, si + step);
    sreg_set(cpu, RDI, a32, di + step);
}

/* REP MOVS, DF=0, 64-bit addresses: copy page-bounded runs. */
static void movs_fast(struct cpu *cpu, unsigned size)
{
    uint8_t buf[4096];
    uint64_t *g = cpu->s.gpr;

    while (g[RCX]) {
        uint64_t src = g[RSI], dst = g[RDI];
        uint64_t n = g[RCX];
        uint64_t r = page_room(src, size);
        if (r < n)
            n = r;
        r = page_room(dst, size);
        if (r < n)
            n = r;
        /* A destination just above the source would re-read copied bytes. */
        if (dst > src && dst - src < n * size)
            n = (dst - src) / size;
        if (n < 2) {
            movs_one(cpu, false, size, size);
            g[RCX]--;
            cpu->rep_elements++;
            continue;
        }
        uint64_t bytes = n * size;
        const void *ps = tlb_read_ptr(cpu, src, 1);
        void *pd = tlb_write_ptr(cpu, dst, 1);
        if (ps && pd) {
            memmove(pd, ps, bytes);
        } else {
            /* TLB miss, MMIO, code page, or both pages in one TLB slot. */
            mem_read_bytes(cpu, src, buf, (unsigned)bytes);
            mem_write_bytes(cpu, dst, buf, (unsigned)bytes);
        }
        g[RSI] = src + bytes;
        g[RDI] = dst + bytes;
        g[RCX] -= n;
        cpu->rep_elements += n;
    }
}

static inline __attribute__((always_inline)) void movs(struct cpu *cpu, const struct insn *in,
                                                      unsigned size)
{
    bool a32 = in->addrsize == 4;
    int64_t step = str_step(cpu, size);
    if (!has_rep(in)) {
        movs_one(cpu, a32, size, step);
        return;
    }
    if (!a32 && step > 0 && !cpu->timed) {   /* a timing model sees each element's accesses, as gem5's microcode loop makes them */
        movs_fast(cpu, size);
        return;
    }
    if (a32)
        a32_zero_count(cpu, true, true);
    for (uint64_t c = sreg_get(cpu, RCX, a32); c; c--) {
        movs_one(cpu, a32, size, step);
        sreg_set(cpu, RCX, a32, c - 1);
        cpu->rep_elements++;
    }
}

/* ---- STOS ---- */

static inline void stos_one(struct cpu *cpu, bool a32, unsigned size, int64_t step)
{
    uint64_t di = sreg_get(cpu, RDI, a32);
    mem_write(cpu, di, size, cpu->s.gpr[RAX]);
    sreg_set(cpu, RDI, a32, di + step);
}

static void stos_fast(struct cpu *cpu, unsigned size)
{
    uint64_t *g = cpu->s.gpr;
    uint64_t v = g[RAX];

    while (g[RCX]) {
        uint64_t dst = g[RDI];
        uint64_t n = g[RCX];
        uint64_t r = page_room(dst, size);
        if (r < n)
            n = r;
        uint8_t *p = n < 2 ? NULL : tlb_write_ptr(cpu, dst, 1);
        if (!p) {
            /* One element through the slow path, which fills the TLB for RAM. */
            stos_one(cpu, false, size, size);
            g[RCX]--;
            cpu->rep_elements++;
            continue;
        }
        switch (size) {
        case 1: memset(p, (int)(v & 0xff), n); break;
        case 2: for (uint64_t i = 0; i < n; i++) { uint16_t x = (uint16_t)v; memcpy(p + 2 * i, &x, 2); } break;
        case 4: for (uint64_t i = 0; i < n; i++) { uint32_t x = (uint32_t)v; memcpy(p + 4 * i, &x, 4); } break;
        default: for (uint64_t i = 0; i < n; i++) memcpy(p + 8 * i, &v, 8); break;
        }
        g[RDI] = dst + n * size;
        g[RCX] -= n;
        cpu->rep_elements += n;
    }
}

static inline __attribute__((always_inline)) void stos(struct cpu *cpu, const struct insn *in,
                                                      unsigned size)
{
    bool a32 = in->addrsize == 4;
    int64_t step = str_step(cpu, size);
    if (!has_rep(in)) {
        stos_one(cpu, a32, size, step);
        return;
    }
    if (!a32 && step > 0) {
        stos_fast(cpu, size);
        return;
    }
    if (a32)
        a32_zero_count(cpu, false, true);
    for (uint64_t c = sreg_get(cpu, RCX, a32); c; c--) {
        stos_one(cpu, a32, size, step);
        sreg_set(cpu, RCX, a32, c - 1);
        cpu->rep_elements++;
    }
}

/* ---- LODS ---- */

static inline void lods_one(struct cpu *cpu, bool a32, unsigned size, int64_t step)
{
    uint64_t si = sreg_get(cpu, RSI, a32);
    uint64_t v = mem_read(cpu, si, size);
    gpr_write(cpu, RAX, size, 0, v);
    sreg_set(cpu, RSI, a32, si + step);
}

static inline __attribute__((always_inline)) void lods(struct cpu *cpu, const struct insn *in,
                                                      unsigned size)
{
    bool a32 = in->addrsize == 4;
    int64_t step = str_step(cpu, size);
    if (!has_rep(in)) {
        lods_one(cpu, a32, size, step);
        return;
    }
    if (a32)
        a32_zero_count(cpu, false, false);
    for (uint64_t c = sreg_get(cpu, RCX, a32); c; c--) {
        lods_one(cpu, a32, size, step);
        sreg_set(cpu, RCX, a32, c - 1);
        cpu->rep_elements++;
    }
}

/* ---- CMPS and SCAS: flags of (first - second), REPE stops on a difference, REPNE on equality ---- */

static inline bool cmps_one(struct cpu *cpu, bool a32, unsigned size, int64_t step)
{
    uint64_t si = sreg_get(cpu, RSI, a32), di = sreg_get(cpu, RDI, a32);
    uint64_t a = mem_read(cpu, si, size);
    uint64_t b = mem_read(cpu, di, size);
    sreg_set(cpu, RSI, a32, si + step);
    sreg_set(cpu, RDI, a32, di + step);
    flags_set(cpu, LF_SUB, size, a, b, a - b);
    return a == b;
}

static inline bool scas_one(struct cpu *cpu, bool a32, unsigned size, int64_t step)
{
    uint64_t di = sreg_get(cpu, RDI, a32);
    uint64_t a = cpu->s.gpr[RAX] & size_mask(size);
    uint64_t b = mem_read(cpu, di, size);
    sreg_set(cpu, RDI, a32, di + step);
    flags_set(cpu, LF_SUB, size, a, b, a - b);
    return a == b;
}

static inline __attribute__((always_inline)) void cmps(struct cpu *cpu, const struct insn *in,
                                                      unsigned size, bool scas)
{
    bool a32 = in->addrsize == 4;
    int64_t step = str_step(cpu, size);
    if (!has_rep(in)) {
        if (scas)
            scas_one(cpu, a32, size, step);
        else
            cmps_one(cpu, a32, size, step);
        return;
    }
    bool stop_on_equal = (in->prefix & PFX_REPNE) != 0;
    if (a32)
        a32_zero_count(cpu, false, false);
    for (uint64_t c = sreg_get(cpu, RCX, a32); c; c--) {
        bool eq = scas ? scas_one(cpu, a32, size, step) : cmps_one(cpu, a32, size, step);
        sreg_set(cpu, RCX, a32, c - 1);
        cpu->rep_elements++;
        if (eq == stop_on_equal) {
            cpu->rep_cond_stops++;
            break;
        }
    }
}

#define STRING_HANDLERS(sfx, size)                            \
    EXEC_BODY(exec_movs##sfx) { movs(cpu, in, size); }        \
    EXEC_THREADED(exec_movs##sfx)                             \
    EXEC_BODY(exec_stos##sfx) { stos(cpu, in, size); }        \
    EXEC_THREADED(exec_stos##sfx)                             \
    EXEC_BODY(exec_lods##sfx) { lods(cpu, in, size); }        \
    EXEC_THREADED(exec_lods##sfx)                             \
    EXEC_BODY(exec_cmps##sfx) { cmps(cpu, in, size, false); } \
    EXEC_THREADED(exec_cmps##sfx)                             \
    EXEC_BODY(exec_scas##sfx) { cmps(cpu, in, size, true); }  \
    EXEC_THREADED(exec_scas##sfx)
STRING_HANDLERS(b, 1)
STRING_HANDLERS(w, 2)
STRING_HANDLERS(q, 8)
#undef STRING_HANDLERS

/* The dword forms share MOVSD/CMPSD with SSE2 (opcode map 0F). */
EXEC_BODY(exec_movsd)
{
    if (in->opcode_map != 0) {
        movsd_sse(cpu, in);
        return;
    }
    movs(cpu, in, 4);
}
EXEC_THREADED(exec_movsd)

EXEC_BODY(exec_cmpsd)
{
    if (in->opcode_map != 0) {
        cmpsd_sse(cpu, in);
        return;
    }
    cmps(cpu, in, 4, false);
}
EXEC_THREADED(exec_cmpsd)

EXEC_BODY(exec_stosd) { stos(cpu, in, 4); }
EXEC_THREADED(exec_stosd)
EXEC_BODY(exec_lodsd) { lods(cpu, in, 4); }
EXEC_THREADED(exec_lodsd)
EXEC_BODY(exec_scasd) { cmps(cpu, in, 4, true); }
EXEC_THREADED(exec_scasd)

static exec_fn keep_previous(ZydisMnemonic m, exec_fn ours, exec_fn current)
{
    exec_fn prev = exec_lookup(m);
    if (prev == ours)
        return current;
    return prev ? prev : exec_unimplemented;
}

/* The SSE2 forms of MOVSD go straight to their handler. */
static exec_fn movsd_select(const struct insn *in)
{
    return in->opcode_map != 0 ? movsd_sse : NULL;
}

void exec_string_register(void)
{
    movsd_sse = keep_previous(ZYDIS_MNEMONIC_MOVSD, exec_movsd, movsd_sse);
    cmpsd_sse = keep_previous(ZYDIS_MNEMONIC_CMPSD, exec_cmpsd, cmpsd_sse);
    exec_register_select(ZYDIS_MNEMONIC_MOVSD, movsd_select);
    exec_register(ZYDIS_MNEMONIC_MOVSD, exec_movsd);
    exec_register(ZYDIS_MNEMONIC_CMPSD, exec_cmpsd);

    exec_register(ZYDIS_MNEMONIC_MOVSB, exec_movsb);
    exec_register(ZYDIS_MNEMONIC_MOVSW, exec_movsw);
    exec_register(ZYDIS_MNEMONIC_MOVSQ, exec_movsq);
    exec_register(ZYDIS_MNEMONIC_STOSB, exec_stosb);
    exec_register(ZYDIS_MNEMONIC_STOSW, exec_stosw);
    exec_register(ZYDIS_MNEMONIC_STOSD, exec_stosd);
    exec_register(ZYDIS_MNEMONIC_STOSQ, exec_stosq);
    exec_register(ZYDIS_MNEMONIC_LODSB, exec_lodsb);
    exec_register(ZYDIS_MNEMONIC_LODSW, exec_lodsw);
    exec_register(ZYDIS_MNEMONIC_LODSD, exec_lodsd);
    exec_register(ZYDIS_MNEMONIC_LODSQ, exec_lodsq);
    exec_register(ZYDIS_MNEMONIC_CMPSB, exec_cmpsb);
    exec_register(ZYDIS_MNEMONIC_CMPSW, exec_cmpsw);
    exec_register(ZYDIS_MNEMONIC_CMPSQ, exec_cmpsq);
    exec_register(ZYDIS_MNEMONIC_SCASB, exec_scasb);
    exec_register(ZYDIS_MNEMONIC_SCASW, exec_scasw);
    exec_register(ZYDIS_MNEMONIC_SCASD, exec_scasd);
    exec_register(ZYDIS_MNEMONIC_SCASQ, exec_scasq);
}
