/*
 * pic8259.h - the PC's pair of 8259A interrupt controllers.
 *
 * Master at ports 0x20-0x21, slave at 0xA0-0xA1 cascaded on the master's
 * IRQ2, edge/level control registers (ELCR) at 0x4D0-0x4D1. ISA devices
 * drive lines 0..15 through pic_set_irq() (an irq_line.set). The master's
 * INT output is not wired to anything: the local APIC asks
 * pic_intr_pending() and pic_intr_ack() when its LINT0 is in ExtINT mode
 * (virtual wire) or when it is disabled, and the CPU gets the vector.
 */
#ifndef M5SIM_DEV_PIC8259_H
#define M5SIM_DEV_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

struct bus;

/* One 8259A. Everything here is plain data (checkpointed as is). */
struct pic8259_chip {
    uint8_t irr;                /* interrupt request register */
    uint8_t imr;                /* interrupt mask register (OCW1) */
    uint8_t isr;                /* in-service register */
    uint8_t input;              /* current level of each input line (edge detection) */
    uint8_t elcr;               /* 1 = level triggered (ELCR) */
    uint8_t elcr_mask;          /* ELCR bits that may be set on this chip */
    uint8_t vector_base;        /* ICW2 & 0xf8 */
    uint8_t init_state;         /* 0 ready; 1, 2, 3: expecting ICW2, ICW3, ICW4 */
    uint8_t icw3;
    uint8_t icw4_needed;        /* ICW1 bit 0 */
    uint8_t single;             /* ICW1 bit 1: no cascade, no ICW3 */
    uint8_t auto_eoi;           /* ICW4 bit 1 */
    uint8_t sfnm;               /* ICW4 bit 4: special fully nested mode */
    uint8_t rotate_on_aeoi;     /* OCW2 rotate in automatic EOI mode */
    uint8_t special_mask;       /* OCW3 special mask mode */
    uint8_t priority_add;       /* the line with the highest priority (rotation) */
    uint8_t read_isr;           /* OCW3: command port reads ISR instead of IRR */
    uint8_t poll;               /* OCW3 poll command: next command-port read is a poll */
};

struct pic8259_state {
    struct pic8259_chip chip[2];   /* [0] master, [1] slave */
};

struct pic8259 {
    struct pic8259_state s;        /* all of it; no wiring */
};

void pic_init(struct pic8259 *pic);
/*
 * Power-on state. We boot without a BIOS, so this is the state a PC BIOS
 * leaves behind: master vectors 0x08-0x0F, slave 0x70-0x77, cascade set up,
 * every line masked, all edge triggered. Input line levels are kept.
 */
void pic_reset(struct pic8259 *pic);
/* Map ports 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1. */
void pic_attach(struct pic8259 *pic, struct bus *bus);

/* An ISA line (0..15) changed level; signature of irq_line.set, controller = the pic. */
void pic_set_irq(void *pic, unsigned line, bool level);
/* Is the master's INT output asserted (an unmasked request beats what is in service)? */
bool pic_intr_pending(struct pic8259 *pic);
/*
 * The INTA cycle: acknowledge the highest-priority request and return its
 * vector; the spurious IRQ7 (or IRQ15) vector when nothing is pending.
 */
int pic_intr_ack(struct pic8259 *pic);

/* Port handlers (also used by tests). */
uint32_t pic_io_in(void *pic, uint16_t port, unsigned size);
void pic_io_out(void *pic, uint16_t port, unsigned size, uint32_t value);

/*
 * Checkpoint state (ckpt/section.h): [section] with every field of the state
 * by name; a load range-checks every field before the device sees it.
 */
struct ckpt_writer;
struct ckpt_reader;
void pic_save(const struct pic8259 *d, struct ckpt_writer *w, const char *section);
bool pic_load(struct pic8259 *d, struct ckpt_reader *r, const char *section);

#endif
