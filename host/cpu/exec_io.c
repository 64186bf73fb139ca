/*
 * exec_io.c - port I/O: IN and OUT (imm8 and DX port forms; byte, word and
 * dword), INS and OUTS (byte, word, dword; REP; 32-bit address size),
 * through bus_pio_in/bus_pio_out on the CPU's bus.
 *
 * Permission: allowed when CPL <= IOPL, otherwise #GP(0). The TSS I/O
 * permission bitmap is not modelled: a user program given ports with
 * ioperm() still gets #GP (iopl(3) works). Linux itself does all its port
 * I/O at CPL 0.
 *
 * INS/OUTS use segment base 0: a segment override on OUTS (FS:/GS:) is not
 * visible in the decoded record and is ignored. The memory side of INS is
 * checked for writability before the port is read, so a page fault never
 * loses a value read from a device.
 */
#include "cpu/exec_system.h"

#include "mem/bus.h"

static inline void io_allowed(struct cpu *cpu)
{
    if (cpu->s.cpl > cpu_iopl(cpu))
        cpu_raise_gp0(cpu);
}

static inline uint16_t io_port(const struct cpu *cpu, const struct operand *o)
{
    return o->kind == OPK_IMM ? (uint16_t)(o->imm & 0xff) : (uint16_t)cpu->s.gpr[RDX];
}

/* IN AL/AX/EAX, imm8 | DX. A 32-bit result zero-extends into RAX. */
static void exec_in(struct cpu *cpu, const struct insn *in)
{
    io_allowed(cpu);
    unsigned size = in->op[0].size;
    uint32_t v = bus_pio_in(cpu->bus, io_port(cpu, &in->op[1]), size);
    gpr_write(cpu, RAX, size, 0, v);
}

/* OUT imm8 | DX, AL/AX/EAX. */
static void exec_out(struct cpu *cpu, const struct insn *in)
{
    io_allowed(cpu);
    unsigned size = in->op[1].size;
    bus_pio_out(cpu->bus, io_port(cpu, &in->op[0]), size, (uint32_t)(cpu->s.gpr[RAX] & size_mask(size)));
}

/* Address and count registers at the instruction's address size (32-bit writes zero-extend). */
static inline uint64_t areg(const struct cpu *cpu, unsigned r, bool a32)
{
    return a32 ? (uint32_t)cpu->s.gpr[r] : cpu->s.gpr[r];
}

static inline void areg_set(struct cpu *cpu, unsigned r, bool a32, uint64_t v)
{
    cpu->s.gpr[r] = a32 ? (uint32_t)v : v;
}

static void ins(struct cpu *cpu, const struct insn *in, unsigned size)
{
    io_allowed(cpu);
    bool a32 = in->addrsize == 4;
    bool rep = (in->prefix & (PFX_REP | PFX_REPNE)) != 0;
    int64_t step = (cpu->s.rflags & FL_DF) ? -(int64_t)size : (int64_t)size;
    uint16_t port = (uint16_t)cpu->s.gpr[RDX];

    while (!rep || areg(cpu, RCX, a32)) {
        uint64_t di = areg(cpu, RDI, a32);
        mem_check_write(cpu, di, size);
        uint32_t v = bus_pio_in(cpu->bus, port, size);
        mem_write(cpu, di, size, v);
        areg_set(cpu, RDI, a32, di + (uint64_t)step);
        if (!rep)
            break;
        areg_set(cpu, RCX, a32, areg(cpu, RCX, a32) - 1);
    }
}

static void outs(struct cpu *cpu, const struct insn *in, unsigned size)
{
    io_allowed(cpu);
    bool a32 = in->addrsize == 4;
    bool rep = (in->prefix & (PFX_REP | PFX_REPNE)) != 0;
    int64_t step = (cpu->s.rflags & FL_DF) ? -(int64_t)size : (int64_t)size;
    uint16_t port = (uint16_t)cpu->s.gpr[RDX];

    while (!rep || areg(cpu, RCX, a32)) {
        uint64_t si = areg(cpu, RSI, a32);
        uint32_t v = (uint32_t)mem_read(cpu, si, size);
        bus_pio_out(cpu->bus, port, size, v);
        areg_set(cpu, RSI, a32, si + (uint64_t)step);
        if (!rep)
            break;
        areg_set(cpu, RCX, a32, areg(cpu, RCX, a32) - 1);
    }
}

static void exec_insb(struct cpu *cpu, const struct insn *in) { ins(cpu, in, 1); }
static void exec_insw(struct cpu *cpu, const struct insn *in) { ins(cpu, in, 2); }
static void exec_insd(struct cpu *cpu, const struct insn *in) { ins(cpu, in, 4); }
static void exec_outsb(struct cpu *cpu, const struct insn *in) { outs(cpu, in, 1); }
static void exec_outsw(struct cpu *cpu, const struct insn *in) { outs(cpu, in, 2); }
static void exec_outsd(struct cpu *cpu, const struct insn *in) { outs(cpu, in, 4); }

void exec_io_register(void)
{
    exec_register(ZYDIS_MNEMONIC_IN, exec_in);
    exec_register(ZYDIS_MNEMONIC_OUT, exec_out);
    exec_register(ZYDIS_MNEMONIC_INSB, exec_insb);
    exec_register(ZYDIS_MNEMONIC_INSW, exec_insw);
    exec_register(ZYDIS_MNEMONIC_INSD, exec_insd);
    exec_register(ZYDIS_MNEMONIC_OUTSB, exec_outsb);
    exec_register(ZYDIS_MNEMONIC_OUTSW, exec_outsw);
    exec_register(ZYDIS_MNEMONIC_OUTSD, exec_outsd);
}
