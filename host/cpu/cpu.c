/* cpu.c - creating, resetting and synchronizing a CPU (see cpu.h). */
#include "cpu/cpu.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/block.h"
#include "cpu/exec.h"
#include "cpu/flags.h"
#include "cpu/mmu.h"
#include "cpu/mode.h"
#include "cpu/msr.h"
#include "util/log.h"

void cpu_init(struct cpu *cpu, struct bus *bus, int id)
{
    memset(cpu, 0, sizeof(*cpu));
    for (unsigned i = 0; i < CPU_WATCHES; i++)
        cpu->watch_rip[i] = ~0ull;
    cpu->watch_fired = ~0ull;
    cpu->bus = bus;
    cpu->id = id;
    cpu->bc = block_cache_for_bus(bus);
    block_cache_add_cpu(cpu->bc, cpu);
    exec_init();
    cpu_reset(cpu);
}

void cpu_free(struct cpu *cpu)
{
    /* The block cache belongs to the bus (shared by its CPUs): the machine frees it. */
    cpu->bc = NULL;
}

/* What RESET and INIT both set (Intel SDM vol. 3, table 10-1): real mode at F000:FFF0. */
static void reset_registers(struct cpu_state *s)
{
    s->rflags = FL_FIXED1;
    s->rip = 0xfff0;
    s->seg[SEG_CS] = (struct segment){ 0xf000, 0x9b, 0xffff, 0xffff0000 };
    for (int i = 0; i < SEG_COUNT; i++)
        if (i != SEG_CS)
            s->seg[i] = (struct segment){ 0, 0x93, 0xffff, 0 };
    s->ldtr = (struct segment){ 0, 0x82, 0xffff, 0 };
    s->tr = (struct segment){ 0, 0x8b, 0xffff, 0 };
    s->gdtr = (struct dtable){ 0, 0xffff };
    s->idtr = (struct dtable){ 0, 0xffff };
    s->cr0 = CR0_ET | CR0_NW | CR0_CD;
    s->gpr[RDX] = 0x600;
}

void cpu_reset(struct cpu *cpu)
{
    struct cpu_state *s = &cpu->s;
    uint32_t apic_id = (uint32_t)cpu->id;
    memset(s, 0, sizeof(*s));
    s->apic_id = apic_id;
    reset_registers(s);
    s->fx.fcw = 0x37f;
    s->fx.mxcsr = 0x1f80;
    s->fx.mxcsr_mask = 0xffff;
    msr_reset(cpu);
    cpu->lf.op = LF_NONE;
    cpu_state_changed(cpu);
}

/*
 * After INIT or SIPI: the TLB and jump cache go, the mode is recomputed.
 * The decoded blocks stay: they are keyed by physical address and mode, so
 * starting one CPU does not cost the others their blocks.
 */
static void cpu_started(struct cpu *cpu)
{
    mmu_flush(cpu, true);
    cpu->block_exit = 1;
    cpu_mode_update(cpu);
}

void cpu_init_reset(struct cpu *cpu)
{
    struct cpu_state *s = &cpu->s;
    flags_materialize(cpu);
    memset(s->gpr, 0, sizeof(s->gpr));
    reset_registers(s);
    s->cr2 = s->cr3 = s->cr4 = 0;
    s->efer = 0;
    s->cpl = 0;
    s->halted = 1;   /* wait-for-SIPI: IF = 0, so only cpu_sipi_start() (or a reset) runs it again */
    s->intr_shadow = 0;
    s->nmi_blocked = 0;
    cpu->lf.op = LF_NONE;
    cpu_started(cpu);
}

void cpu_sipi_start(struct cpu *cpu, uint8_t vector)
{
    struct cpu_state *s = &cpu->s;
    s->seg[SEG_CS].selector = (uint16_t)(vector << 8);
    s->seg[SEG_CS].base = (uint64_t)vector << 12;
    s->seg[SEG_CS].limit = 0xffff;
    s->seg[SEG_CS].attr = 0x9b;
    s->rip = 0;
    s->halted = 0;
    cpu_started(cpu);
}

/* A port steps the CPU one instruction at a time unless it takes fetches by block. */
static uint8_t cpu_port_steps(const struct cpu *cpu)
{
    return cpu->port && !cpu->port->fetch_block;
}

void cpu_mode_update(struct cpu *cpu)
{
    uint8_t mode = (uint8_t)cpu_mode_of(&cpu->s);
    cpu->stepped = cpu_port_steps(cpu) | cpu->watching | (mode != CPU_MODE_64);
    if (mode == cpu->mode)
        return;
    cpu->mode = mode;
    jc_invalidate(cpu, false);
    cpu->block_exit = 1;
}

void cpu_enter_long_mode(struct cpu *cpu, uint64_t cr3, int cpl)
{
    struct cpu_state *s = &cpu->s;
    uint16_t dpl = (uint16_t)(cpl << 5);
    /* Code: present, S, type execute/read accessed (0xb), L; data: read/write accessed (0x3). */
    uint16_t code = 0x9b | dpl | SEG_ATTR_L | SEG_ATTR_G;
    uint16_t data = 0x93 | dpl | SEG_ATTR_DB | SEG_ATTR_G;
    uint16_t rpl = (uint16_t)cpl;
    s->seg[SEG_CS] = (struct segment){ (uint16_t)((cpl ? 0x33 : 0x10) | rpl), code, 0xffffffff, 0 };
    for (int i = 0; i < SEG_COUNT; i++)
        if (i != SEG_CS)
            s->seg[i] = (struct segment){ (uint16_t)(cpl ? 0x2b : 0x18), data, 0xffffffff, 0 };
    s->tr = (struct segment){ 0, 0x8b, 0x67, 0 };
    s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    s->cr3 = cr3;
    s->cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    s->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    s->cpl = (uint8_t)cpl;
    s->rflags = FL_FIXED1 | FL_IF;
    cpu->lf.op = LF_NONE;
    cpu_state_changed(cpu);
}

uint64_t cpu_get_rflags(struct cpu *cpu)
{
    flags_materialize(cpu);
    return cpu->s.rflags;
}

void cpu_set_rflags(struct cpu *cpu, uint64_t value)
{
    cpu->lf.op = LF_NONE;
    cpu->s.rflags = value | FL_FIXED1;
}

void cpu_sync_state(struct cpu *cpu)
{
    flags_materialize(cpu);
}

void cpu_state_changed(struct cpu *cpu)
{
    mmu_flush(cpu, true);
    if (cpu->bc)
        block_cache_flush(cpu->bc);
    cpu->block_exit = 1;
    cpu_mode_update(cpu);
}

void cpu_request_exit(struct cpu *cpu, enum cpu_exit why)
{
    cpu->exit_reason = (uint8_t)why;
    cpu->block_exit = 1;
    cpu->budget_end = cpu->icount;
}

void cpu_set_port(struct cpu *cpu, struct cpu_mem_port *port)
{
    cpu->port = port;
    cpu->timed = port != NULL;
    cpu->stepped = cpu_port_steps(cpu) | cpu->watching | (cpu->mode != CPU_MODE_64);
    mmu_port_changed(cpu);
    cpu->block_exit = 1;
}

void cpu_set_watch(struct cpu *cpu, unsigned which, uint64_t rip)
{
    cpu->watch_rip[which] = rip;
    cpu->watching = 0;
    for (unsigned i = 0; i < CPU_WATCHES; i++)
        cpu->watching |= cpu->watch_rip[i] != ~0ull;
    cpu->stepped = cpu_port_steps(cpu) | cpu->watching | (cpu->mode != CPU_MODE_64);
    cpu->watch_fired = ~0ull;
    cpu->block_exit = 1;
}
