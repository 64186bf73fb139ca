/*
 * test_uart8250.c - the 16550A driven with the exact register sequences of
 * Linux 6.1's 8250 driver (autoconfig, startup THRE/TXEN tests, console
 * write, interrupt-driven transmit), plus receive and OUT2 gating.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dev/uart8250.h"
#include "mem/bus.h"

enum { RX = 0, TX = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, EFR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

struct fixture {
    struct bus bus;
    struct uart8250 uart;
    FILE *out, *echo;
    char *out_buf, *echo_buf;
    size_t out_len, echo_len;
    bool level;
    int edges;
};

static struct fixture F;

static void out(unsigned reg, uint8_t v) { bus_pio_out(&F.bus, UART_COM1_BASE + reg, 1, v); }
static uint8_t in(unsigned reg) { return (uint8_t)bus_pio_in(&F.bus, UART_COM1_BASE + reg, 1); }

static void irq4_set(void *ctl, unsigned line, bool level)
{
    (void)ctl;
    assert_int_equal(line, 4);
    assert_true(level != F.level);                  /* only changes are signalled */
    if (level)
        F.edges++;
    F.level = level;
}

static int setup(void **state)
{
    (void)state;
    F = (struct fixture){ 0 };
    bus_init(&F.bus);
    F.out = open_memstream(&F.out_buf, &F.out_len);
    F.echo = open_memstream(&F.echo_buf, &F.echo_len);
    uart_init(&F.uart, (struct irq_line){ .set = irq4_set, .line = 4 }, F.out, F.echo);
    uart_attach(&F.uart, &F.bus, UART_COM1_BASE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fclose(F.out);
    fclose(F.echo);
    free(F.out_buf);
    free(F.echo_buf);
    return 0;
}

/* 8250_port.c autoconfig(), the path taken for a 16550A without 16550A_VARIANTS. */
static void linux_autoconfig(void)
{
    uint8_t scratch = in(IER);
    out(IER, 0);
    uint8_t scratch2 = in(IER) & 0x0f;
    out(IER, 0x0f);
    uint8_t scratch3 = in(IER) & 0x0f;
    out(IER, scratch);
    assert_int_equal(scratch2, 0);
    assert_int_equal(scratch3, 0x0f);

    uint8_t save_mcr = in(MCR), save_lcr = in(LCR);
    out(MCR, UART_MCR_LOOP | 0x0a);                 /* the loopback test (COM4 style) */
    assert_int_equal(in(MSR) & 0xf0, 0x90);
    out(MCR, save_mcr);

    out(LCR, 0xbf);
    out(EFR, 0);
    out(LCR, 0);
    out(FCR, UART_FCR_ENABLE_FIFO);
    assert_int_equal(in(IIR) >> 6, 3);              /* 16550A */
    out(LCR, save_lcr);

    out(MCR, save_mcr);
    out(FCR, UART_FCR_ENABLE_FIFO);                 /* serial8250_clear_fifos */
    out(FCR, UART_FCR_ENABLE_FIFO | 0x06);
    out(FCR, 0);
    in(RX);
    out(IER, 0);
}

/* serial8250_do_startup(): returns the "bugs" the driver would record. */
static void linux_startup(bool *bug_thre, bool *bug_txen)
{
    out(FCR, UART_FCR_ENABLE_FIFO);
    out(FCR, UART_FCR_ENABLE_FIFO | 0x06);
    out(FCR, 0);
    in(LSR);
    in(RX);
    in(IIR);
    in(MSR);
    assert_int_not_equal(in(LSR), 0xff);

    /* THRE re-assertion test. */
    assert_true(in(LSR) & UART_LSR_THRE);
    out(IER, UART_IER_THRI);
    uint8_t iir1 = in(IIR);
    out(IER, 0);
    out(IER, UART_IER_THRI);
    uint8_t iir = in(IIR);
    out(IER, 0);
    *bug_thre = !(iir1 & UART_IIR_NO_INT) && (iir & UART_IIR_NO_INT);

    out(LCR, 0x03);                                 /* 8N1 */
    out(MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);

    /* TXEN test. */
    out(IER, UART_IER_THRI);
    uint8_t lsr = in(LSR);
    iir = in(IIR);
    out(IER, 0);
    *bug_txen = (lsr & UART_LSR_TEMT) && (iir & UART_IIR_NO_INT);

    in(LSR);
    in(RX);
    in(IIR);
    in(MSR);
}

static void test_autoconfig_and_startup(void **state)
{
    (void)state;
    linux_autoconfig();
    bool bug_thre, bug_txen;
    linux_startup(&bug_thre, &bug_txen);
    assert_false(bug_thre);
    assert_false(bug_txen);
    assert_false(F.level);                          /* nothing enabled at the end */
    assert_int_equal(F.edges, 1);                   /* the TXEN test's THRE, with OUT2 set */
}

static void test_registers(void **state)
{
    (void)state;
    assert_int_equal(in(IIR), 0x01);
    assert_int_equal(in(LSR), UART_LSR_THRE | UART_LSR_TEMT);
    assert_int_equal(in(MSR), 0xb0);
    out(SCR, 0x5a);
    assert_int_equal(in(SCR), 0x5a);
    out(IER, 0xff);
    assert_int_equal(in(IER), 0x0f);                /* IER bits 7:4 do not exist (not an XScale) */
    out(IER, 0);
    out(LCR, UART_LCR_DLAB | 3);                    /* 115200 baud: divisor 1 */
    out(DLL, 1);
    out(DLM, 0);
    assert_int_equal(in(DLL), 1);
    assert_int_equal(in(DLM), 0);
    out(LCR, 3);
    assert_int_equal(in(IER), 0);
    assert_int_equal(in(LCR), 3);
    out(FCR, 0xc7);
    assert_int_equal(in(IIR), 0xc1);                /* FIFOs on, no interrupt */
    out(FCR, 0);
    assert_int_equal(in(IIR), 0x01);
    assert_int_equal(F.uart.s.tx_bytes, 0);         /* DLL writes are not output */
}

/* serial8250_console_write(): IER saved and cleared, polled THRE, IER restored. */
static void test_console_write(void **state)
{
    (void)state;
    out(MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
    out(IER, UART_IER_RDI | UART_IER_THRI);         /* a tty is open and transmitting */
    in(IIR);                                        /* acknowledge THRE */
    assert_false(F.level);
    uint8_t ier = in(IER);
    out(IER, 0);
    const char *msg = "Linux version 6.1\n";
    for (const char *p = msg; *p; p++) {
        while ((in(LSR) & (UART_LSR_THRE | UART_LSR_TEMT)) != (UART_LSR_THRE | UART_LSR_TEMT))
            ;
        out(TX, (uint8_t)*p);
    }
    assert_false(F.level);                          /* IER = 0: no interrupt while printing */
    out(IER, ier);
    assert_true(F.level);                           /* THRE is raised again for the tty */
    fflush(F.out);
    assert_int_equal(F.out_len, strlen(msg));
    assert_memory_equal(F.out_buf, msg, strlen(msg));
    fflush(F.echo);
    assert_int_equal(F.echo_len, strlen(msg));
}

/*
 * Interrupt-driven output, as serial8250_start_tx / serial8250_interrupt /
 * serial8250_tx_chars do it: IER.THRI set, then on each interrupt the handler
 * loops reading IIR until NO_INT, sending up to 16 bytes per THRE.
 */
static void test_thre_interrupt_transmit(void **state)
{
    (void)state;
    bool bug_thre, bug_txen;
    linux_autoconfig();
    linux_startup(&bug_thre, &bug_txen);
    out(FCR, UART_FCR_ENABLE_FIFO | 0x06 | 0x80);
    out(IER, UART_IER_RLSI | UART_IER_RDI);
    int edges0 = F.edges;

    char text[1000];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (char)('a' + i % 26);
    size_t sent = 0;
    uint8_t ier = in(IER);
    out(IER, ier | UART_IER_THRI);                  /* __start_tx */
    int interrupts = 0;
    while (F.level) {                               /* the CPU takes the interrupt */
        interrupts++;
        assert_true(interrupts < 100);
        for (int pass = 0; pass < 512; pass++) {    /* serial8250_interrupt's loop */
            uint8_t iir = in(IIR);
            if (iir & UART_IIR_NO_INT)
                break;
            assert_int_equal(iir & 0x0f, UART_IIR_THRI);
            uint8_t lsr = in(LSR);
            if (!(lsr & UART_LSR_THRE))
                continue;
            if (sent == sizeof(text)) {             /* __stop_tx */
                out(IER, in(IER) & ~UART_IER_THRI);
                continue;
            }
            for (int n = 0; n < 16 && sent < sizeof(text); n++)
                out(TX, (uint8_t)text[sent++]);
        }
    }
    assert_int_equal(sent, sizeof(text));
    assert_int_equal(interrupts, 1);                /* the handler's loop drained everything */
    assert_true(F.edges > edges0);
    fflush(F.out);
    assert_int_equal(F.out_len, sizeof(text));
    assert_memory_equal(F.out_buf, text, sizeof(text));
    assert_int_equal(in(IIR) & 0x0f, UART_IIR_NO_INT);
}

/* With an edge-triggered controller, each THR write must give a fresh rising edge. */
static void test_thr_write_gives_new_edge(void **state)
{
    (void)state;
    out(MCR, UART_MCR_OUT2);
    out(IER, UART_IER_THRI);
    assert_true(F.level);
    assert_int_equal(F.edges, 1);
    assert_int_equal(in(IIR), 0x02);                /* THRE identified, and acknowledged */
    assert_false(F.level);
    assert_int_equal(in(IIR), 0x01);
    out(TX, 'x');
    assert_true(F.level);
    assert_int_equal(F.edges, 2);
    out(TX, 'y');                                   /* line was high: it drops and rises */
    assert_int_equal(F.edges, 3);
    out(IER, 0);
    assert_false(F.level);
}

static void test_out2_gates_irq(void **state)
{
    (void)state;
    out(IER, UART_IER_THRI);
    assert_int_equal(in(IIR) & 0x0f, UART_IIR_THRI);  /* pending inside the UART... */
    out(IER, 0);
    out(IER, UART_IER_THRI);
    assert_false(F.level);                          /* ...but not on the line without OUT2 */
    out(MCR, UART_MCR_OUT2);
    assert_true(F.level);
    out(MCR, 0);
    assert_false(F.level);
}

static void test_receive(void **state)
{
    (void)state;
    out(MCR, UART_MCR_OUT2);
    out(IER, UART_IER_RDI);
    assert_false(F.level);
    assert_int_equal(uart_feed(&F.uart, "ls\n", 3), 3);
    assert_true(F.level);
    assert_int_equal(in(IIR) & 0x0f, UART_IIR_RDI);
    assert_true(F.level);                           /* reading IIR does not clear RDA */
    char got[3];
    for (int i = 0; i < 3; i++) {
        assert_true(in(LSR) & UART_LSR_DR);
        got[i] = (char)in(RX);
    }
    assert_memory_equal(got, "ls\n", 3);
    assert_false(in(LSR) & UART_LSR_DR);
    assert_false(F.level);
    assert_int_equal(in(IIR), 0x01);
    /* Receive has priority over THRE in IIR. */
    out(IER, UART_IER_RDI | UART_IER_THRI);
    uart_feed(&F.uart, "z", 1);
    assert_int_equal(in(IIR) & 0x0f, UART_IIR_RDI);
    assert_int_equal(in(RX), 'z');
    assert_int_equal(in(IIR) & 0x0f, UART_IIR_THRI);
    /* The queue is bounded. */
    static char big[UART_RX_QUEUE + 10];
    assert_int_equal(uart_feed(&F.uart, big, sizeof(big)), UART_RX_QUEUE);
    assert_int_equal(uart_rx_space(&F.uart), 0);
}

static void test_loopback(void **state)
{
    (void)state;
    out(MCR, UART_MCR_LOOP);
    assert_int_equal(in(MSR) & 0xf0, 0x00);
    out(MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT1 | UART_MCR_OUT2);
    assert_int_equal(in(MSR) & 0xf0, 0xf0);
    out(TX, 0x42);
    assert_true(in(LSR) & UART_LSR_DR);
    assert_int_equal(in(RX), 0x42);
    assert_int_equal(F.uart.s.tx_bytes, 0);         /* nothing reached the console */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_autoconfig_and_startup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thre_interrupt_transmit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thr_write_gives_new_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out2_gates_irq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
