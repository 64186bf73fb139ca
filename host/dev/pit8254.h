/*
 * pit8254.h - the 8254 programmable interval timer and the port 0x61 gate.
 *
 * Ports 0x40-0x42 are channels 0-2, 0x43 the control word; port 0x61
 * (system control port B) holds channel 2's gate (bit 0), the speaker enable
 * (bit 1), the refresh toggle (bit 4) and channel 2's output (bit 5).
 * Input clock PIT_HZ (1.193182 MHz). Counters are computed from simulated
 * time on demand; channel 0's output drives IRQ0 through events scheduled at
 * the exact tick of each edge, never by polling.
 */
#ifndef M5SIM_DEV_PIT8254_H
#define M5SIM_DEV_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"
#include "sim/eventq.h"

struct bus;

#define PIT_HZ 1193182u

struct pit_channel {
    uint32_t count;             /* reload value, 1..65536 (a written 0 means 65536) */
    uint32_t pending_count;     /* modes 2/3: count written while running, used at the next reload; 0 = none */
    uint64_t load_tick;         /* tick at which counting started (count written or gate triggered) */
    uint64_t base_clocks;       /* input clocks after load_tick at which the current count started */
    uint16_t stopped_count;     /* what the counter reads while it is not counting */
    uint16_t latched_count;
    uint8_t count_latched;      /* 0, or the access (1 lsb, 2 msb, 3 lsb+msb) of a latched count not yet read */
    uint8_t status_latched;     /* read-back status byte pending */
    uint8_t status;
    uint8_t rw_mode;            /* control word bits 5:4: 1 lsb, 2 msb, 3 lsb then msb */
    uint8_t read_msb_next;      /* lsb+msb flip-flops */
    uint8_t write_msb_next;
    uint8_t write_lsb;          /* lsb of an lsb+msb write in progress */
    uint8_t mode;               /* 0..5 */
    uint8_t bcd;                /* stored and reported; counting is always binary */
    uint8_t gate;
    uint8_t counting;           /* a count was loaded (and, in modes 1 and 5, triggered) */
    uint8_t armed;              /* modes 1 and 5: count loaded, waiting for a gate rising edge */
    uint8_t null_count;         /* status bit 6: count written but not yet loaded */
};

struct pit8254_state {
    struct pit_channel ch[3];
    uint8_t port61;             /* bits 0-3 as written (gate 2, speaker, parity/IOCHK enables) */
    uint8_t irq_level;          /* level channel 0 currently drives on IRQ0 */
    uint64_t irq0_next;         /* tick of the next IRQ0 edge, TICK_NEVER if none (for restore) */
};

struct pit8254 {
    struct pit8254_state s;
    /* Wiring, not state. */
    struct eventq *eq;
    struct irq_line irq0;
    struct event irq0_event;
};

void pit_init(struct pit8254 *pit, struct eventq *eq, struct irq_line irq0);
/* Power-on: every channel in mode 0 with no count (silent), gate 2 low. */
void pit_reset(struct pit8254 *pit);
/* Map ports 0x40-0x43 and 0x61. */
void pit_attach(struct pit8254 *pit, struct bus *bus);
/* After `s` was restored from a checkpoint: reschedule the IRQ0 event. */
void pit_post_load(struct pit8254 *pit);

/* Current counter value and output of a channel at the current tick (tests, port 0x61). */
uint16_t pit_read_counter(struct pit8254 *pit, int channel);
bool pit_output(struct pit8254 *pit, int channel);

uint32_t pit_io_in(void *pit, uint16_t port, unsigned size);
void pit_io_out(void *pit, uint16_t port, unsigned size, uint32_t value);

/*
 * Checkpoint state (ckpt/section.h): [section] with every field of the state
 * by name; a load range-checks every field before the device sees it and re-arms the IRQ0 event.
 */
struct ckpt_writer;
struct ckpt_reader;
void pit_save(const struct pit8254 *d, struct ckpt_writer *w, const char *section);
bool pit_load(struct pit8254 *d, struct ckpt_reader *r, const char *section);

#endif
