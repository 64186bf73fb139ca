/*
 * pc_misc.h - small PC ports with no device of their own.
 *
 *  0x80        POST code / I/O delay port: writes are remembered, reads return the last one.
 *  0x60, 0x64  a minimal 8042 keyboard controller: no keyboard, status reads 0 (nothing to
 *              read, ready for commands); command 0xFE on 0x64 pulses the CPU reset line.
 *  0x92        system control port A: bit 1 (A20) reads set; setting bit 0 is a fast reset.
 *
 * A reset request calls the machine's callback, which ends the run ("guest
 * requested reset"): we do not reboot.
 */
#ifndef M5SIM_DEV_PC_MISC_H
#define M5SIM_DEV_PC_MISC_H

#include <stdbool.h>
#include <stdint.h>

struct bus;

struct pc_misc_state {
    uint8_t post_code;          /* last byte written to port 0x80 */
    uint8_t port92;             /* bits as written, bit 0 self-clearing */
    uint8_t kbc_command;        /* last 8042 command byte (0x64) */
    uint32_t resets;            /* reset requests seen */
};

struct pc_misc {
    struct pc_misc_state s;
    /* Wiring, not state: called on a guest reset request (may be NULL). */
    void (*reset_request)(void *opaque);
    void *reset_opaque;
};

void pc_misc_init(struct pc_misc *m, void (*reset_request)(void *opaque), void *opaque);
void pc_misc_reset(struct pc_misc *m);
/* Map ports 0x60, 0x64, 0x80 and 0x92. */
void pc_misc_attach(struct pc_misc *m, struct bus *bus);

uint32_t pc_misc_io_in(void *m, uint16_t port, unsigned size);
void pc_misc_io_out(void *m, uint16_t port, unsigned size, uint32_t value);

/*
 * Checkpoint state (ckpt/section.h): [section] with every field of the state
 * by name; a load range-checks every field before the device sees it.
 */
struct ckpt_writer;
struct ckpt_reader;
void pc_misc_save(const struct pc_misc *d, struct ckpt_writer *w, const char *section);
bool pc_misc_load(struct pc_misc *d, struct ckpt_reader *r, const char *section);

#endif
