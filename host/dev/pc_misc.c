/* pc_misc.c - POST port, a keyboard controller that only knows how to reset, port 0x92. */
#include "dev/pc_misc.h"

#include "ckpt/section.h"

#include "mem/bus.h"

#define KBC_CMD_RESET 0xfe
#define PORT92_RESET  0x01
#define PORT92_A20    0x02

static void request_reset(struct pc_misc *m)
{
    m->s.resets++;
    if (m->reset_request)
        m->reset_request(m->reset_opaque);
}

uint32_t pc_misc_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct pc_misc *m = opaque;
    (void)size;
    switch (port) {
    case 0x80:
        return m->s.post_code;
    case 0x92:
        return m->s.port92 | PORT92_A20;
    default:                                /* 0x60 data: nothing; 0x64 status: empty buffers */
        return 0;
    }
}

void pc_misc_io_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct pc_misc *m = opaque;
    uint8_t v = (uint8_t)value;
    (void)size;
    switch (port) {
    case 0x80:
        m->s.post_code = v;
        break;
    case 0x64:
        m->s.kbc_command = v;
        if (v == KBC_CMD_RESET)
            request_reset(m);
        break;
    case 0x92:
        m->s.port92 = v & ~PORT92_RESET;
        if (v & PORT92_RESET)
            request_reset(m);
        break;
    default:                                /* 0x60: data for a command we ignore */
        break;
    }
}

void pc_misc_init(struct pc_misc *m, void (*reset_request)(void *opaque), void *opaque)
{
    *m = (struct pc_misc){ .reset_request = reset_request, .reset_opaque = opaque };
    pc_misc_reset(m);
}

void pc_misc_reset(struct pc_misc *m)
{
    m->s = (struct pc_misc_state){ 0 };
}

void pc_misc_attach(struct pc_misc *m, struct bus *bus)
{
    bus_add_pio(bus, "kbc-data", 0x60, 1, pc_misc_io_in, pc_misc_io_out, m);
    bus_add_pio(bus, "kbc-cmd", 0x64, 1, pc_misc_io_in, pc_misc_io_out, m);
    bus_add_pio(bus, "post", 0x80, 1, pc_misc_io_in, pc_misc_io_out, m);
    bus_add_pio(bus, "port92", 0x92, 1, pc_misc_io_in, pc_misc_io_out, m);
}

/* ------------------------------------------------------- checkpoints -- */

static const struct ckpt_field pc_misc_fields[] = {
    CKPT_U8F("post_code", struct pc_misc_state, post_code, 0, 0xff),
    CKPT_U8F("port92", struct pc_misc_state, port92, 0, 0xff),
    CKPT_U8F("kbc_command", struct pc_misc_state, kbc_command, 0, 0xff),
    CKPT_U32F("resets", struct pc_misc_state, resets, 0, UINT32_MAX),
};
static const struct ckpt_layout pc_misc_layout = CKPT_LAYOUT(pc_misc_fields, NULL, sizeof(struct pc_misc_state));

void pc_misc_save(const struct pc_misc *d, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &pc_misc_layout, &d->s);
}

bool pc_misc_load(struct pc_misc *d, struct ckpt_reader *r, const char *section)
{
    struct pc_misc_state s = d->s;   /* fields not declared keep their values */
    if (!ckpt_section_load(r, section, &pc_misc_layout, &s))
        return false;
    d->s = s;
    return true;
}
