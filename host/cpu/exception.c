/*
 * exception.c - raising faults from inside an instruction and delivering
 * exceptions and interrupts through the long-mode IDT (Intel SDM vol. 3, 6.14).
 */
#include "cpu/exception.h"

#include "cpu/flags.h"
#include "cpu/mmu.h"
#include "cpu/mode.h"
#include "util/log.h"

noreturn void cpu_raise_err(struct cpu *cpu, int vector, uint32_t error)
{
    cpu->fault_vector = vector;
    cpu->fault_error = error;
    cpu->fault_has_error = true;
    longjmp(cpu->fault_jmp, 1);
}

noreturn void cpu_raise(struct cpu *cpu, int vector)
{
    cpu->fault_vector = vector;
    cpu->fault_error = 0;
    cpu->fault_has_error = false;
    longjmp(cpu->fault_jmp, 1);
}

noreturn void cpu_abort_instruction(struct cpu *cpu)
{
    cpu->fault_vector = -1;
    longjmp(cpu->fault_jmp, 1);
}

noreturn void cpu_raise_gp0(struct cpu *cpu)
{
    cpu_raise_err(cpu, EXC_GP, 0);
}

noreturn void cpu_raise_ud(struct cpu *cpu)
{
    cpu_raise(cpu, EXC_UD);
}

static uint64_t read_super(struct cpu *cpu, uint64_t la, unsigned size)
{
    return mmu_read_slow(cpu, la, size, ACC_READ | ACC_SUPER);
}

static void write_super(struct cpu *cpu, uint64_t la, uint64_t v)
{
    mmu_write_slow(cpu, la, 8, v, ACC_WRITE | ACC_SUPER);
}

/* Error code for faults caused by a descriptor of this IDT vector (EXT bit set for external events). */
static uint32_t idt_error(int vector, bool soft)
{
    return (uint32_t)vector * 8 + 2 + (soft ? 0 : 1);
}

/*
 * Outside 64-bit mode. Real mode: through the interrupt vector table at
 * IDTR.base (Intel SDM vol. 3, 20.1.4): push FLAGS, CS and IP on the 16-bit
 * stack, clear IF, TF and AC, and jump to the vector's segment:offset; no
 * error code. Protected and compatibility mode have no delivery: the CPU
 * stops before the instruction with CPU_EXIT_UNSUPPORTED (Linux's
 * trampoline runs with interrupts off and takes no exception).
 */
static void deliver_legacy(struct cpu *cpu, int vector, uint64_t return_rip)
{
    struct cpu_state *s = &cpu->s;
    if (cpu->mode != CPU_MODE_REAL || (uint32_t)vector * 4 + 3 > s->idtr.limit) {
        warn("cpu", "exception %d at %04x:%llx outside 64-bit mode (CPU mode %u): not supported", vector,
             s->seg[SEG_CS].selector, (unsigned long long)s->rip, cpu->mode);
        cpu_request_exit(cpu, CPU_EXIT_UNSUPPORTED);
        return;
    }
    uint32_t entry = (uint32_t)mmu_read_slow(cpu, s->idtr.base + (uint32_t)vector * 4, 4, ACC_READ | ACC_SUPER);
    uint64_t flags = cpu_get_rflags(cpu);
    uint16_t sp = (uint16_t)s->gpr[RSP];
    uint64_t ss = s->seg[SEG_SS].base;
    uint16_t frame[3] = { (uint16_t)return_rip, s->seg[SEG_CS].selector, (uint16_t)flags };
    for (unsigned i = 0; i < 3; i++)   /* IP lowest: FLAGS is pushed first */
        mmu_write_slow(cpu, (uint32_t)(ss + (uint16_t)(sp - 6 + 2 * i)), 2, frame[i], ACC_WRITE | ACC_SUPER);
    s->gpr[RSP] = (s->gpr[RSP] & ~0xffffull) | (uint16_t)(sp - 6);
    cpu_set_rflags(cpu, flags & ~(uint64_t)(FL_IF | FL_TF | FL_AC));
    s->seg[SEG_CS].selector = (uint16_t)(entry >> 16);
    s->seg[SEG_CS].base = (entry >> 16) << 4;
    s->rip = entry & 0xffff;
    s->halted = 0;
    cpu->block_exit = 1;
}

void cpu_deliver(struct cpu *cpu, int vector, bool has_error, uint32_t error,
                 uint64_t return_rip, bool soft)
{
    struct cpu_state *s = &cpu->s;
    if (__builtin_expect(cpu->mode != CPU_MODE_64, 0)) {
        deliver_legacy(cpu, vector, return_rip);
        return;
    }

    if ((uint32_t)vector * 16 + 15 > s->idtr.limit)
        cpu_raise_err(cpu, EXC_GP, idt_error(vector, soft));
    uint64_t gate_lo = read_super(cpu, s->idtr.base + (uint64_t)vector * 16, 8);
    uint64_t gate_hi = read_super(cpu, s->idtr.base + (uint64_t)vector * 16 + 8, 8);
    unsigned type = (gate_lo >> 40) & 0xf;
    unsigned dpl = (gate_lo >> 45) & 3;
    bool present = (gate_lo >> 47) & 1;
    if (type != 0xe && type != 0xf)
        cpu_raise_err(cpu, EXC_GP, idt_error(vector, soft));
    if (soft && dpl < s->cpl)
        cpu_raise_err(cpu, EXC_GP, idt_error(vector, soft));
    if (!present)
        cpu_raise_err(cpu, EXC_NP, idt_error(vector, soft));

    uint16_t sel = (uint16_t)(gate_lo >> 16);
    uint64_t target = (gate_lo & 0xffff) | ((gate_lo >> 32) & 0xffff0000ull) | (gate_hi << 32);
    unsigned ist = (gate_lo >> 32) & 7;

    /* The target code segment's descriptor (GDT only; Linux never uses the LDT here). */
    if ((sel & ~3u) == 0 || (sel & 4) || (sel | 7u) > s->gdtr.limit)
        cpu_raise_err(cpu, EXC_GP, sel & ~3u);
    uint64_t desc = read_super(cpu, s->gdtr.base + (sel & ~7u), 8);
    unsigned cs_dpl = (desc >> 45) & 3;
    bool cs_l = (desc >> 53) & 1;
    if (!((desc >> 47) & 1))
        cpu_raise_err(cpu, EXC_NP, sel & ~3u);
    if (!((desc >> 43) & 1) || !cs_l || cs_dpl > s->cpl)
        cpu_raise_err(cpu, EXC_GP, sel & ~3u);

    uint64_t old_rsp = s->gpr[RSP];
    uint64_t old_ss = s->seg[SEG_SS].selector;
    uint64_t old_cs = s->seg[SEG_CS].selector;
    uint64_t rflags = cpu_get_rflags(cpu);
    uint64_t rsp = old_rsp;
    unsigned new_cpl = cs_dpl;

    if (ist)
        rsp = read_super(cpu, s->tr.base + 0x24 + 8 * (ist - 1), 8);
    else if (new_cpl < s->cpl)
        rsp = read_super(cpu, s->tr.base + 4 + 8 * new_cpl, 8);
    rsp &= ~0xfull;

    /* Check the whole frame before writing any of it, so a fault leaves memory untouched. */
    unsigned frame = has_error ? 48 : 40;
    mmu_translate(cpu, rsp - frame, ACC_WRITE | ACC_SUPER);
    mmu_translate(cpu, rsp - 8, ACC_WRITE | ACC_SUPER);

    write_super(cpu, rsp - 8, old_ss);
    write_super(cpu, rsp - 16, old_rsp);
    write_super(cpu, rsp - 24, rflags);
    write_super(cpu, rsp - 32, old_cs);
    write_super(cpu, rsp - 40, return_rip);
    if (has_error)
        write_super(cpu, rsp - 48, error);

    /* Commit: new stack, code segment, privilege level, flags. */
    s->gpr[RSP] = rsp - frame;
    if (new_cpl != s->cpl) {
        s->seg[SEG_SS] = (struct segment){ (uint16_t)new_cpl, 0, 0, 0 };  /* null SS in 64-bit mode */
    }
    s->seg[SEG_CS].selector = (uint16_t)((sel & ~3u) | new_cpl);
    s->seg[SEG_CS].attr = (uint16_t)(((desc >> 40) & 0xff) | ((desc >> 40) & 0xf000));
    s->seg[SEG_CS].base = 0;
    s->seg[SEG_CS].limit = 0xffffffff;
    s->cpl = (uint8_t)new_cpl;
    rflags &= ~(uint64_t)(FL_TF | FL_NT | FL_RF | FL_VM);
    if (type == 0xe)
        rflags &= ~(uint64_t)FL_IF;
    cpu_set_rflags(cpu, rflags);
    s->rip = target;
    s->halted = 0;
    cpu->block_exit = 1;
}

bool cpu_check_interrupts(struct cpu *cpu)
{
    if (!cpu->hooks.intr_pending || cpu->s.intr_shadow || !(cpu->s.rflags & FL_IF))
        return false;
    if (!cpu->hooks.intr_pending(cpu->hooks.opaque, cpu))
        return false;
    int vector = cpu->hooks.intr_ack(cpu->hooks.opaque, cpu);
    if (vector < 0)
        return false;
    cpu_deliver(cpu, vector, false, 0, cpu->s.rip, false);
    return true;
}
