/* log.h - user-facing errors and warnings, one format for the whole program. */
#ifndef M5SIM_UTIL_LOG_H
#define M5SIM_UTIL_LOG_H

#include <stdnoreturn.h>

/* Print "m5sim: <what>: <why>" to stderr and exit with status 2. */
noreturn void fatal(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "m5sim: warning: <what>: <why>" to stderr. */
void warn(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "m5sim: <message>" to stderr (informational). */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
