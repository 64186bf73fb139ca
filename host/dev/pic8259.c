/*
 * pic8259.c - two cascaded 8259A programmable interrupt controllers.
 *
 * The priority logic follows the 8259A data sheet: requests are latched in
 * IRR (on a rising edge, or while the line is high in level mode), IMR
 * masks them, and one is presented to the CPU when its priority (rotated by
 * priority_add) is higher than everything in ISR. The slave's INT output is
 * the master's IRQ2 input and is treated as a level, so a slave request that
 * is still pending after an acknowledge is never lost.
 */
#include "dev/pic8259.h"

#include "ckpt/section.h"

#include "mem/bus.h"

#define PIC_CASCADE 2

/* Priority 0 (highest) .. 7 of the highest-priority bit set in mask; 8 if none. */
static int priority_of(const struct pic8259_chip *c, uint8_t mask)
{
    if (!mask)
        return 8;
    int p = 0;
    while (!(mask & (1u << ((p + c->priority_add) & 7))))
        p++;
    return p;
}

/* The line this chip would present to its INT output, or -1. */
static int chip_pending(const struct pic8259_chip *c, bool master)
{
    int prio = priority_of(c, c->irr & ~c->imr);
    if (prio == 8)
        return -1;
    uint8_t in_service = c->isr;
    if (c->special_mask)
        in_service &= ~c->imr;
    /* Special fully nested mode: the slave may interrupt its own cascade line. */
    if (c->sfnm && master)
        in_service &= ~(1u << PIC_CASCADE);
    if (prio < priority_of(c, in_service))
        return (prio + c->priority_add) & 7;
    return -1;
}

static void chip_input(struct pic8259_chip *c, unsigned irq, bool level)
{
    uint8_t m = 1u << irq;
    if (c->elcr & m) {
        if (level)
            c->irr |= m;
        else
            c->irr &= ~m;
    } else if (level && !(c->input & m)) {
        c->irr |= m;            /* rising edge; a falling edge does not withdraw it */
    }
    c->input = level ? c->input | m : c->input & ~m;
}

/* The slave's INT output is the master's IRQ2, seen as a level. */
static void update_cascade(struct pic8259 *pic)
{
    struct pic8259_chip *m = &pic->s.chip[0];
    bool out = chip_pending(&pic->s.chip[1], false) >= 0;
    if (out)
        m->irr |= 1u << PIC_CASCADE;
    else
        m->irr &= ~(1u << PIC_CASCADE);
    m->input = out ? m->input | (1u << PIC_CASCADE) : m->input & ~(1u << PIC_CASCADE);
}

static void chip_intack(struct pic8259_chip *c, int irq)
{
    uint8_t m = 1u << irq;
    if (c->auto_eoi) {
        if (c->rotate_on_aeoi)
            c->priority_add = (irq + 1) & 7;
    } else {
        c->isr |= m;
    }
    if (!(c->elcr & m))
        c->irr &= ~m;           /* a level-triggered request stays while the line is high */
}

/* ICW1: start the initialization sequence. */
static void chip_icw1(struct pic8259_chip *c, uint8_t v)
{
    c->irr = c->input & c->elcr;   /* edge sense reset: an edge line must go low-to-high again */
    c->imr = 0;
    c->isr = 0;
    c->priority_add = 0;
    c->vector_base = 0;
    c->read_isr = 0;
    c->poll = 0;
    c->special_mask = 0;
    c->auto_eoi = 0;
    c->rotate_on_aeoi = 0;
    c->sfnm = 0;
    c->icw4_needed = v & 1;
    c->single = (v >> 1) & 1;
    /* Bit 3 (LTIM, all lines level triggered) is not modelled; PCs use the ELCR. */
    c->init_state = 1;
}

static void chip_eoi(struct pic8259_chip *c, uint8_t v)
{
    int irq;
    switch (v >> 5) {
    case 0: /* rotate in automatic EOI mode: clear */
    case 4: /* rotate in automatic EOI mode: set */
        c->rotate_on_aeoi = v >> 7;
        break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        irq = priority_of(c, c->isr);
        if (irq != 8) {
            irq = (irq + c->priority_add) & 7;
            c->isr &= ~(1u << irq);
            if (v & 0x80)
                c->priority_add = (irq + 1) & 7;
        }
        break;
    case 3: /* specific EOI */
        c->isr &= ~(1u << (v & 7));
        break;
    case 7: /* rotate on specific EOI */
        c->isr &= ~(1u << (v & 7));
        c->priority_add = ((v & 7) + 1) & 7;
        break;
    case 6: /* set priority: line v&7 becomes the lowest */
        c->priority_add = ((v & 7) + 1) & 7;
        break;
    default: /* 2: no operation */
        break;
    }
}

static void chip_write(struct pic8259_chip *c, unsigned a0, uint8_t v)
{
    if (a0 == 0) {
        if (v & 0x10) {
            chip_icw1(c, v);
        } else if (v & 0x08) {          /* OCW3 */
            if (v & 0x04)
                c->poll = 1;
            if (v & 0x02)
                c->read_isr = v & 1;
            if (v & 0x40)
                c->special_mask = (v >> 5) & 1;
        } else {                        /* OCW2 */
            chip_eoi(c, v);
        }
        return;
    }
    switch (c->init_state) {
    case 0:
        c->imr = v;                     /* OCW1 */
        break;
    case 1:
        c->vector_base = v & 0xf8;
        c->init_state = !c->single ? 2 : c->icw4_needed ? 3 : 0;
        break;
    case 2:
        c->icw3 = v;
        c->init_state = c->icw4_needed ? 3 : 0;
        break;
    case 3:
        c->auto_eoi = (v >> 1) & 1;
        c->sfnm = (v >> 4) & 1;
        c->init_state = 0;
        break;
    }
}

void pic_init(struct pic8259 *pic)
{
    *pic = (struct pic8259){ 0 };
    pic_reset(pic);
}

void pic_reset(struct pic8259 *pic)
{
    static const uint8_t base[2] = { 0x08, 0x70 };
    static const uint8_t icw3[2] = { 1u << PIC_CASCADE, PIC_CASCADE };
    static const uint8_t elcr_mask[2] = { 0xf8, 0xde };   /* IRQ0-2, 8 and 13 are always edge */
    for (int i = 0; i < 2; i++) {
        struct pic8259_chip *c = &pic->s.chip[i];
        uint8_t input = c->input;
        *c = (struct pic8259_chip){ 0 };
        c->input = input;
        c->vector_base = base[i];
        c->icw3 = icw3[i];
        c->icw4_needed = 1;
        c->imr = 0xff;
        c->elcr_mask = elcr_mask[i];
    }
    update_cascade(pic);
}

void pic_set_irq(void *opaque, unsigned line, bool level)
{
    struct pic8259 *pic = opaque;
    if (line >= 16 || line == PIC_CASCADE)
        return;                         /* IRQ2 is the cascade; ISA "IRQ2" devices use IRQ9 */
    chip_input(&pic->s.chip[line >> 3], line & 7, level);
    if (line >= 8)
        update_cascade(pic);
}

bool pic_intr_pending(struct pic8259 *pic)
{
    return chip_pending(&pic->s.chip[0], true) >= 0;
}

int pic_intr_ack(struct pic8259 *pic)
{
    struct pic8259_chip *m = &pic->s.chip[0], *s = &pic->s.chip[1];
    int irq = chip_pending(m, true);
    int vector;
    if (irq < 0)
        return m->vector_base + 7;      /* spurious IRQ7 */
    if (irq == PIC_CASCADE) {
        int irq2 = chip_pending(s, false);
        if (irq2 >= 0) {
            chip_intack(s, irq2);
            vector = s->vector_base + irq2;
        } else {
            vector = s->vector_base + 7;    /* spurious IRQ15 */
        }
    } else {
        vector = m->vector_base + irq;
    }
    chip_intack(m, irq);
    update_cascade(pic);
    return vector;
}

/* OCW3 poll: acknowledge like INTA and return 0x80 | line, or 0 when nothing is pending. */
static uint8_t chip_poll(struct pic8259 *pic, int which)
{
    struct pic8259_chip *c = &pic->s.chip[which];
    c->poll = 0;
    int irq = chip_pending(c, which == 0);
    if (irq < 0)
        return 0;
    chip_intack(c, irq);
    if (which == 0 && irq == PIC_CASCADE) {
        struct pic8259_chip *s = &pic->s.chip[1];
        int irq2 = chip_pending(s, false);
        if (irq2 >= 0)
            chip_intack(s, irq2);
    }
    update_cascade(pic);
    return 0x80 | irq;
}

uint32_t pic_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct pic8259 *pic = opaque;
    (void)size;
    if (port == 0x4d0 || port == 0x4d1)
        return pic->s.chip[port & 1].elcr;
    int which = port >= 0xa0;
    struct pic8259_chip *c = &pic->s.chip[which];
    if (port & 1)
        return c->imr;
    if (c->poll)
        return chip_poll(pic, which);
    return c->read_isr ? c->isr : c->irr;
}

void pic_io_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct pic8259 *pic = opaque;
    (void)size;
    if (port == 0x4d0 || port == 0x4d1) {
        struct pic8259_chip *c = &pic->s.chip[port & 1];
        c->elcr = value & c->elcr_mask;
        /* A line switched to level mode requests while it is high. */
        c->irr = (c->irr & ~c->elcr) | (c->input & c->elcr);
    } else {
        chip_write(&pic->s.chip[port >= 0xa0], port & 1, (uint8_t)value);
    }
    update_cascade(pic);
}

void pic_attach(struct pic8259 *pic, struct bus *bus)
{
    bus_add_pio(bus, "pic-master", 0x20, 2, pic_io_in, pic_io_out, pic);
    bus_add_pio(bus, "pic-slave", 0xa0, 2, pic_io_in, pic_io_out, pic);
    bus_add_pio(bus, "pic-elcr", 0x4d0, 2, pic_io_in, pic_io_out, pic);
}

/* ------------------------------------------------------- checkpoints -- */

#define PIC_CHIP(name, F, lo, hi) CKPT_ARRAY(name, CKPT_U8, struct pic8259_state, chip, F, lo, hi)
static const struct ckpt_field pic_fields[] = {
    PIC_CHIP("chip#.irr", irr, 0, 0xff),
    PIC_CHIP("chip#.imr", imr, 0, 0xff),
    PIC_CHIP("chip#.isr", isr, 0, 0xff),
    PIC_CHIP("chip#.input", input, 0, 0xff),
    PIC_CHIP("chip#.elcr", elcr, 0, 0xff),
    PIC_CHIP("chip#.elcr_mask", elcr_mask, 0, 0xff),
    PIC_CHIP("chip#.vector_base", vector_base, 0, 0xff),
    PIC_CHIP("chip#.init_state", init_state, 0, 3),
    PIC_CHIP("chip#.icw3", icw3, 0, 0xff),
    PIC_CHIP("chip#.icw4_needed", icw4_needed, 0, 1),
    PIC_CHIP("chip#.single", single, 0, 1),
    PIC_CHIP("chip#.auto_eoi", auto_eoi, 0, 1),
    PIC_CHIP("chip#.sfnm", sfnm, 0, 1),
    PIC_CHIP("chip#.rotate_on_aeoi", rotate_on_aeoi, 0, 1),
    PIC_CHIP("chip#.special_mask", special_mask, 0, 1),
    PIC_CHIP("chip#.priority_add", priority_add, 0, 7),
    PIC_CHIP("chip#.read_isr", read_isr, 0, 1),
    PIC_CHIP("chip#.poll", poll, 0, 1),
};
static const struct ckpt_layout pic_layout = CKPT_LAYOUT(pic_fields, NULL, sizeof(struct pic8259_state));

void pic_save(const struct pic8259 *d, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &pic_layout, &d->s);
}

bool pic_load(struct pic8259 *d, struct ckpt_reader *r, const char *section)
{
    struct pic8259_state s = d->s;   /* fields not declared keep their values */
    if (!ckpt_section_load(r, section, &pic_layout, &s))
        return false;
    d->s = s;
    return true;
}
