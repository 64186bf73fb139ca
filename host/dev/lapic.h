/*
 * lapic.h - the local APIC (xAPIC, memory mapped at 0xFEE00000) of one CPU.
 * Each CPU has its own; the APIC bus (apic_bus.h) carries IPIs between them.
 *
 * Interrupt acceptance (IRR/ISR/TMR, TPR/PPR, EOI), the local vector table,
 * self IPIs and the APIC timer (one-shot and periodic, counted in simulated
 * time at `timer_hz`, see LAPIC_DEFAULT_TIMER_HZ). It is the CPU's
 * interrupt controller: the machine plugs lapic_intr_pending(),
 * lapic_intr_ack(), lapic_cr8_read()/lapic_cr8_write() and
 * lapic_hw_enabled()/lapic_set_hw_enabled() into the CPU's hooks. The TPR
 * (CR8) and the global enable (IA32_APIC_BASE bit 11) live only here. Interrupts
 * from the 8259 pair reach the CPU through here too (LINT0 in ExtINT mode,
 * Linux's "virtual wire"), and so they do while the APIC is
 * software-disabled (SVR bit 8 clear, the state at reset) or globally
 * disabled (IA32_APIC_BASE bit 11 clear).
 */
#ifndef M5SIM_DEV_LAPIC_H
#define M5SIM_DEV_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/eventq.h"

struct apic_bus;
struct bus;
struct cpu;
struct pic8259;

#define LAPIC_BASE    0xfee00000ull
#define LAPIC_SIZE    0x1000u
#define LAPIC_VERSION 0x00050014u   /* version 0x14 (integrated), max LVT entry 5 */
/*
 * Default APIC timer input clock (before the divider): 25 MHz. It must equal
 * the core crystal clock CPUID leaf 0x15 reports in ECX (CPUID_CRYSTAL_HZ in
 * cpu/cpuid.h), because Linux sets lapic_timer_period from that instead of
 * calibrating; the machine passes CPUID_CRYSTAL_HZ to lapic_init explicitly.
 * At 25 MHz one count is exactly 40000 ticks, so timer deadlines are exact.
 */
#define LAPIC_DEFAULT_TIMER_HZ 25000000ull

/* Local vector table entries, in register order 0x320..0x370. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

#define APIC_LVT_MASKED    (1u << 16)
#define APIC_SVR_ENABLE    (1u << 8)

struct lapic_state {
    uint32_t id;                /* APIC ID (bits 31:24 of the ID register) */
    uint32_t tpr;               /* task priority, bits 7:0 */
    uint32_t ldr;               /* logical destination, bits 31:24 */
    uint32_t dfr;               /* destination format, bits 31:28 (others read 1) */
    uint32_t svr;               /* spurious vector, bit 8 software enable */
    uint32_t irr[8], isr[8], tmr[8];   /* 256-bit registers, vector v at word v/32 bit v%32 */
    uint32_t esr;               /* error status as last latched by a write */
    uint32_t esr_pending;       /* errors since then */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_COUNT];
    uint32_t hw_enabled;        /* IA32_APIC_BASE bit 11 (the CPU keeps no copy) */
    /* Timer. */
    uint64_t timer_hz;          /* input clock of the timer (before the divider) */
    uint32_t tmict;             /* initial count */
    uint32_t tdcr;              /* divide configuration */
    uint32_t timer_running;
    uint32_t timer_base_count;  /* the counter held this value at timer_base_tick */
    uint64_t timer_base_tick;
    uint64_t timer_next;        /* tick the counter reaches 0, TICK_NEVER if stopped (for restore) */
    uint64_t timer_fired;       /* number of timer expiries (statistics, tests) */
};

struct lapic {
    struct lapic_state s;
    /* Wiring, not state. */
    struct eventq *eq;
    struct event timer_event;
    struct pic8259 *pic;        /* ExtINT source, may be NULL */
    /* Called on EOI of a level-triggered vector (the I/O APIC clears remote IRR). */
    void (*eoi_cb)(void *opaque, unsigned vector);
    void *eoi_opaque;
    struct apic_bus *bus;       /* where IPIs go (dev/apic_bus.h), or NULL: to itself only */
    unsigned index;             /* its CPU's index on the bus */
};

void lapic_init(struct lapic *apic, struct eventq *eq, uint32_t apic_id, uint64_t timer_hz);
void lapic_reset(struct lapic *apic);
/* Map the 4 KiB register page at LAPIC_BASE. */
void lapic_attach(struct lapic *apic, struct bus *bus);
/* After `s` was restored from a checkpoint: reschedule the timer event. */
void lapic_post_load(struct lapic *apic);

/* The APIC is CPU `index`'s on `bus` (called by apic_bus_add). */
void lapic_join_bus(struct lapic *apic, struct apic_bus *bus, unsigned index);
/* Where ExtINT interrupts come from (the 8259 pair). */
void lapic_connect_pic(struct lapic *apic, struct pic8259 *pic);
/* Who wants to hear EOIs of level-triggered vectors (the I/O APIC: ioapic_eoi). */
void lapic_set_eoi_callback(struct lapic *apic, void (*eoi)(void *opaque, unsigned vector),
                            void *opaque);

/* A fixed-mode interrupt arrives (from the I/O APIC, an IPI, the timer or an LVT). */
void lapic_accept(struct lapic *apic, unsigned vector, bool level_triggered);
/* Would the destination (IOAPIC or ICR format) select this APIC? */
bool lapic_match_dest(const struct lapic *apic, uint8_t dest, bool logical);

/* CPU hooks (struct cpu_hooks signatures; opaque is the struct lapic). */
bool lapic_intr_pending(void *apic, struct cpu *cpu);
/* Moves the vector from IRR to ISR (or runs the PIC's INTA) and returns it. */
int lapic_intr_ack(void *apic, struct cpu *cpu);
/* MOV to CR8: value is the CR8 value; TPR[7:4] = CR8[3:0], TPR[3:0] = 0. */
void lapic_cr8_write(void *apic, struct cpu *cpu, uint64_t value);
/* MOV from CR8: TPR[7:4], however the TPR was last written (CR8 or MMIO). */
uint64_t lapic_cr8_read(void *apic, struct cpu *cpu);
/* IA32_APIC_BASE bit 11 (global enable): RDMSR reads it here, WRMSR writes it here. */
bool lapic_hw_enabled(void *apic, struct cpu *cpu);
void lapic_set_hw_enabled(void *apic, struct cpu *cpu, bool enabled);

/* Register access (offsets 0..0xfff), as the bus calls them. */
uint64_t lapic_mmio_read(void *apic, uint64_t offset, unsigned size, struct cpu *initiator);
void lapic_mmio_write(void *apic, uint64_t offset, unsigned size, uint64_t value,
                      struct cpu *initiator);

/*
 * Checkpoint state (ckpt/section.h): [section] with every field of the state
 * by name; a load range-checks every field before the device sees it and re-arms the timer.
 */
struct ckpt_writer;
struct ckpt_reader;
void lapic_save(const struct lapic *d, struct ckpt_writer *w, const char *section);
bool lapic_load(struct lapic *d, struct ckpt_reader *r, const char *section);

#endif
