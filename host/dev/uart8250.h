/*
 * uart8250.h - a 16550A serial port, the guest console (COM1: 0x3F8, IRQ 4).
 *
 * Transmission is instantaneous: a byte written to THR goes straight to the
 * output FILE (the console log) and, if set, to the echo FILE (the
 * terminal); THR and the transmitter are therefore always empty, and the
 * THRE interrupt is re-raised right after every THR write. Received bytes
 * come from a queue the machine fills with uart_feed(). The IRQ line is
 * gated by MCR OUT2, as on PCs.
 */
#ifndef M5SIM_DEV_UART8250_H
#define M5SIM_DEV_UART8250_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dev/irq.h"

struct bus;

#define UART_COM1_BASE 0x3f8
#define UART_COM1_IRQ  4
#define UART_RX_QUEUE  4096

/* Register bits (names as in Linux's include/uapi/linux/serial_reg.h). */
#define UART_IER_RDI   0x01
#define UART_IER_THRI  0x02
#define UART_IER_RLSI  0x04
#define UART_IER_MSI   0x08
#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI   0x00
#define UART_IIR_THRI  0x02
#define UART_IIR_RDI   0x04
#define UART_IIR_RLSI  0x06
#define UART_IIR_FIFO  0xc0
#define UART_FCR_ENABLE_FIFO 0x01
#define UART_LCR_DLAB  0x80
#define UART_MCR_DTR   0x01
#define UART_MCR_RTS   0x02
#define UART_MCR_OUT1  0x04
#define UART_MCR_OUT2  0x08
#define UART_MCR_LOOP  0x10
#define UART_LSR_DR    0x01
#define UART_LSR_THRE  0x20
#define UART_LSR_TEMT  0x40

struct uart8250_state {
    uint8_t ier;                /* bits 3:0 */
    uint8_t fcr;                /* FIFO enable (bit 0) and trigger level (7:6), as written */
    uint8_t lcr;
    uint8_t mcr;                /* bits 4:0 */
    uint8_t scr;
    uint8_t dll, dlm;           /* divisor latch */
    uint8_t thr_ipending;       /* THRE interrupt pending (cleared by reading IIR or writing THR) */
    uint8_t irq_level;          /* level currently driven on the IRQ line */
    uint8_t rbr;                /* last byte received (RBR reads it again when the queue is empty) */
    uint16_t rx_head, rx_count; /* receive queue */
    uint8_t rx[UART_RX_QUEUE];
    uint64_t tx_bytes, rx_bytes;
};

struct uart8250 {
    struct uart8250_state s;
    /* Wiring, not state. */
    struct irq_line irq;
    FILE *out;                  /* console log, may be NULL */
    FILE *echo;                 /* terminal, may be NULL; flushed at each newline */
};

void uart_init(struct uart8250 *u, struct irq_line irq, FILE *out, FILE *echo);
/* Registers to their reset values, receive queue emptied, IRQ lowered. */
void uart_reset(struct uart8250 *u);
/* Map 8 ports at base (UART_COM1_BASE). */
void uart_attach(struct uart8250 *u, struct bus *bus, uint16_t base);

/* Queue bytes for the guest to receive; returns how many fitted. */
size_t uart_feed(struct uart8250 *u, const void *buf, size_t len);
size_t uart_rx_space(const struct uart8250 *u);
/* Flush the output FILEs (end of run, before a checkpoint). */
void uart_flush(struct uart8250 *u);

/* Port handlers; the register is port & 7. */
uint32_t uart_io_in(void *u, uint16_t port, unsigned size);
void uart_io_out(void *u, uint16_t port, unsigned size, uint32_t value);

/*
 * Checkpoint state (ckpt/section.h): [section] with every field of the state
 * by name; a load range-checks every field before the device sees it.
 */
struct ckpt_writer;
struct ckpt_reader;
void uart_save(const struct uart8250 *d, struct ckpt_writer *w, const char *section);
bool uart_load(struct uart8250 *d, struct ckpt_reader *r, const char *section);

#endif
