/* status_line.c - the terminal's progress line (see status_line.h). */
#include "machine/status_line.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static bool showing;   /* a status line without newline is on the terminal */
static FILE *console;  /* the console echo, once made */
static bool mid_line;  /* the guest's last console output did not end its line */

double status_host_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void status_line_show(uint64_t insts, double busy_seconds, double guest_seconds, bool final)
{
    static int tty = -1;
    if (tty < 0)
        tty = isatty(STDERR_FILENO);
    if (!tty)
        return;
    static uint64_t last_insts = UINT64_MAX;
    static double last_guest;
    if (final && !showing && insts == last_insts && guest_seconds == last_guest)
        return;   /* this very line is already on the screen */
    last_insts = insts;
    last_guest = guest_seconds;
    if (console)
        fflush(console);   /* the guest's partial line stays: the status line starts below it */
    fprintf(stderr, "%sm5sim: %.1fM insts  %.1f MIPS  guest %.3f s%s", mid_line ? "\n" : "\r\033[K", insts / 1e6,
            busy_seconds > 0 ? insts / busy_seconds / 1e6 : 0.0, guest_seconds, final ? "\n" : "");
    showing = !final;
    mid_line = false;
}

void status_line_clear(void)
{
    if (showing) {
        fputs("\r\033[K", stderr);
        showing = false;
    }
}

static ssize_t console_write(void *cookie, const char *buf, size_t size)
{
    (void)cookie;
    status_line_clear();
    size_t n = fwrite(buf, 1, size, stdout);
    if (size)
        mid_line = buf[size - 1] != '\n';
    fflush(stdout);
    return n ? (ssize_t)n : -1;
}

FILE *status_line_console(void)
{
    if (!console) {
        console = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = console_write });
        if (!console)
            return stdout;
        setvbuf(console, NULL, _IOLBF, 0);
    }
    return console;
}
