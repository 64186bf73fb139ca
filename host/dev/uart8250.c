/*
 * uart8250.c - 16550A UART with instantaneous transmission.
 *
 * The interrupt logic is what Linux's 8250 driver (drivers/tty/serial/8250/
 * 8250_port.c) depends on:
 *  - autoconfig: IER keeps bits 3:0 only; with FCR bit 0 set, IIR bits 7:6
 *    read 11 (a 16550A); MSR in loopback mode reflects MCR (CTS=RTS,
 *    DSR=DTR, RI=OUT1, DCD=OUT2).
 *  - THRE: setting IER.THRI while THR is empty (always) raises the THRE
 *    interrupt; reading IIR when THRE is the reported source clears it; a
 *    THR write clears it and, the byte being sent at once, raises it again.
 *    Startup's THRE and TXEN tests and the tx interrupt loop rely on this.
 *  - the line to the interrupt controller is asserted only with MCR OUT2.
 * Not modelled: line errors and break, modem-status change interrupts, the
 * RX FIFO trigger level and character timeout (a received byte raises RDA
 * at once), baud-rate timing.
 */
#include "dev/uart8250.h"

#include "ckpt/section.h"

#include "mem/bus.h"

enum { REG_RBR_THR, REG_IER, REG_IIR_FCR, REG_LCR, REG_MCR, REG_LSR, REG_MSR, REG_SCR };

/* The interrupt identification (IIR bits 3:0), by priority. */
static uint8_t interrupt_id(const struct uart8250 *u)
{
    const struct uart8250_state *s = &u->s;
    if ((s->ier & UART_IER_RDI) && s->rx_count)
        return UART_IIR_RDI;
    if ((s->ier & UART_IER_THRI) && s->thr_ipending)
        return UART_IIR_THRI;
    return UART_IIR_NO_INT;
}

static void update_irq(struct uart8250 *u)
{
    uint8_t level = (u->s.mcr & UART_MCR_OUT2) && interrupt_id(u) != UART_IIR_NO_INT;
    if (level != u->s.irq_level) {
        u->s.irq_level = level;
        irq_set(&u->irq, level);
    }
}

static uint8_t msr(const struct uart8250 *u)
{
    uint8_t mcr = u->s.mcr;
    if (!(mcr & UART_MCR_LOOP))
        return 0xb0;                        /* DCD, DSR, CTS asserted; RI off */
    return (uint8_t)((mcr & UART_MCR_RTS) << 3 | (mcr & UART_MCR_DTR) << 5 |
                     (mcr & UART_MCR_OUT1) << 4 | (mcr & UART_MCR_OUT2) << 4);
}

static void rx_push(struct uart8250 *u, uint8_t b)
{
    struct uart8250_state *s = &u->s;
    s->rx[(s->rx_head + s->rx_count) % UART_RX_QUEUE] = b;
    s->rx_count++;
}

static void transmit(struct uart8250 *u, uint8_t b)
{
    struct uart8250_state *s = &u->s;
    s->thr_ipending = 0;
    update_irq(u);                          /* a new edge follows for the THRE re-raise */
    if (s->mcr & UART_MCR_LOOP) {
        if (s->rx_count < UART_RX_QUEUE)
            rx_push(u, b);
    } else {
        s->tx_bytes++;
        if (u->out)
            fputc(b, u->out);
        if (u->echo) {
            fputc(b, u->echo);
            if (b == '\n')
                fflush(u->echo);
        }
    }
    s->thr_ipending = 1;                    /* sent at once: THR empty again */
    update_irq(u);
}

uint32_t uart_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct uart8250 *u = opaque;
    struct uart8250_state *s = &u->s;
    (void)size;
    switch (port & 7) {
    case REG_RBR_THR:
        if (s->lcr & UART_LCR_DLAB)
            return s->dll;
        if (s->rx_count) {
            s->rbr = s->rx[s->rx_head];
            s->rx_head = (s->rx_head + 1) % UART_RX_QUEUE;
            s->rx_count--;
            s->rx_bytes++;
            update_irq(u);
        }
        return s->rbr;
    case REG_IER:
        return s->lcr & UART_LCR_DLAB ? s->dlm : s->ier;
    case REG_IIR_FCR: {
        uint8_t id = interrupt_id(u);
        if (id == UART_IIR_THRI) {
            s->thr_ipending = 0;            /* reading IIR acknowledges THRE */
            update_irq(u);
        }
        return id | (s->fcr & UART_FCR_ENABLE_FIFO ? UART_IIR_FIFO : 0);
    }
    case REG_LCR:
        return s->lcr;
    case REG_MCR:
        return s->mcr;
    case REG_LSR:
        return UART_LSR_THRE | UART_LSR_TEMT | (s->rx_count ? UART_LSR_DR : 0);
    case REG_MSR:
        return msr(u);
    default:
        return s->scr;
    }
}

void uart_io_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct uart8250 *u = opaque;
    struct uart8250_state *s = &u->s;
    uint8_t v = (uint8_t)value;
    (void)size;
    switch (port & 7) {
    case REG_RBR_THR:
        if (s->lcr & UART_LCR_DLAB)
            s->dll = v;
        else
            transmit(u, v);
        break;
    case REG_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->dlm = v;
        } else {
            uint8_t changed = (s->ier ^ v) & 0x0f;
            s->ier = v & 0x0f;
            /* Enabling THRI with THR empty raises THRE, even if IIR acknowledged it before. */
            if (changed & UART_IER_THRI)
                s->thr_ipending = (s->ier & UART_IER_THRI) != 0;
            update_irq(u);
        }
        break;
    case REG_IIR_FCR:
        /*
         * FIFO enable and trigger level are remembered for IIR bits 7:6.
         * Clearing the RX FIFO (bit 1) does not discard queued input the host
         * fed; the TX FIFO is always empty.
         */
        s->fcr = v & UART_FCR_ENABLE_FIFO ? (v & 0xc9) : 0;
        break;
    case REG_LCR:
        s->lcr = v;
        break;
    case REG_MCR:
        s->mcr = v & 0x1f;
        update_irq(u);
        break;
    case REG_SCR:
        s->scr = v;
        break;
    default:                                /* LSR, MSR: factory test writes, ignored */
        break;
    }
}

size_t uart_rx_space(const struct uart8250 *u)
{
    return UART_RX_QUEUE - u->s.rx_count;
}

size_t uart_feed(struct uart8250 *u, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t n = 0;
    while (n < len && u->s.rx_count < UART_RX_QUEUE)
        rx_push(u, p[n++]);
    update_irq(u);
    return n;
}

void uart_flush(struct uart8250 *u)
{
    if (u->out)
        fflush(u->out);
    if (u->echo)
        fflush(u->echo);
}

void uart_init(struct uart8250 *u, struct irq_line irq, FILE *out, FILE *echo)
{
    *u = (struct uart8250){ .irq = irq, .out = out, .echo = echo };
    uart_reset(u);
}

void uart_reset(struct uart8250 *u)
{
    uint8_t level = u->s.irq_level;
    u->s = (struct uart8250_state){ .dll = 0x0c, .irq_level = level };   /* 9600 baud */
    update_irq(u);
}

void uart_attach(struct uart8250 *u, struct bus *bus, uint16_t base)
{
    bus_add_pio(bus, "uart8250", base, 8, uart_io_in, uart_io_out, u);
}

/* ------------------------------------------------------- checkpoints -- */

#define US struct uart8250_state
static const struct ckpt_field uart_fields[] = {
    CKPT_U8F("ier", US, ier, 0, 0x0f),
    CKPT_U8F("fcr", US, fcr, 0, 0xff),
    CKPT_U8F("lcr", US, lcr, 0, 0xff),
    CKPT_U8F("mcr", US, mcr, 0, 0x1f),
    CKPT_U8F("scr", US, scr, 0, 0xff),
    CKPT_U8F("dll", US, dll, 0, 0xff),
    CKPT_U8F("dlm", US, dlm, 0, 0xff),
    CKPT_U8F("thr_ipending", US, thr_ipending, 0, 1),
    CKPT_U8F("irq_level", US, irq_level, 0, 1),
    CKPT_U8F("rbr", US, rbr, 0, 0xff),
    CKPT_U16F("rx_head", US, rx_head, 0, UART_RX_QUEUE - 1),   /* indexes rx[] */
    CKPT_U16F("rx_count", US, rx_count, 0, UART_RX_QUEUE),
    CKPT_BYTESF("rx", US, rx),
    CKPT_U64F("tx_bytes", US, tx_bytes, 0, UINT64_MAX),
    CKPT_U64F("rx_bytes", US, rx_bytes, 0, UINT64_MAX),
};
#undef US
static const struct ckpt_layout uart_layout = CKPT_LAYOUT(uart_fields, NULL, sizeof(struct uart8250_state));

void uart_save(const struct uart8250 *d, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &uart_layout, &d->s);
}

bool uart_load(struct uart8250 *d, struct ckpt_reader *r, const char *section)
{
    struct uart8250_state s = d->s;   /* fields not declared keep their values */
    if (!ckpt_section_load(r, section, &uart_layout, &s))
        return false;
    d->s = s;
    return true;
}
