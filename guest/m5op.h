/*
 * m5op.h - the low-level m5-op call of the guest agent (internal header).
 *
 * Every op goes through m5op_call(), which dispatches to the current backend:
 *  - address mode: an 8-byte load from the m5 window mapped through /dev/mem;
 *  - instruction mode: the undefined opcode 0F 04 <func:u16>;
 *  - a test backend installed by unit tests.
 * With no backend selected, m5op_call() is a no-op returning 0; that is what
 * lets programs linked with libm5 run unchanged outside the simulator.
 *
 * The constants (function codes, window base and size, opcode bytes) come
 * only from shared/m5ops.h, which the host simulator includes too.
 */
#ifndef M5SIM_GUEST_M5OP_H
#define M5SIM_GUEST_M5OP_H

#include <stddef.h>
#include <stdint.h>

#include "m5ops.h"

/* Every op takes six register arguments: rdi, rsi, rdx, rcx, r8, r9. */
#define M5OP_NARGS 6

struct m5op_backend {
    const char *name;
    /* Perform op func with args[0..5] in rdi..r9; return the result (rax). */
    uint64_t (*call)(void *ctx, unsigned func, const uint64_t args[M5OP_NARGS]);
    void *ctx;
};

enum m5op_mode {
    M5OP_MODE_NONE = 0, /* nothing selected: ops are no-ops returning 0 */
    M5OP_MODE_ADDR,
    M5OP_MODE_INST,
};

/* Perform one op through the current backend (0 if there is none). */
uint64_t m5op_call(unsigned func, uint64_t a0, uint64_t a1, uint64_t a2,
                   uint64_t a3, uint64_t a4, uint64_t a5);

/*
 * Select address mode: map M5OP_ADDR_SIZE bytes of the device file (normally
 * /dev/mem) at physical address base. Returns 0, or -errno from open/mmap (the
 * mode then stays NONE). Never prints.
 */
int m5op_use_addr(uint64_t base);
/* Check that an m5 device answers in address mode (sum of 1..6 is 21): 0 if so, -1 otherwise. */
int m5op_probe(uint64_t *answer);

/* Select instruction mode. Cannot fail: whether the CPU understands the
 * opcode is only known when an op runs (natively or under KVM: SIGILL). */
void m5op_use_inst(void);

/*
 * Lazy selection for libm5, done once per process (thread-safe): M5_MODE=inst
 * selects instruction mode, otherwise address mode at M5_ADDR (default
 * M5OP_ADDR_BASE); a failure leaves no backend. Does nothing if a mode was
 * already selected explicitly. Returns 1 if ops reach a backend, else 0.
 */
int m5op_ensure(void);

/* 1 if ops currently reach a backend (device mapped, inst mode or test). */
int m5op_active(void);

enum m5op_mode m5op_mode(void);
uint64_t m5op_base(void);            /* base of address mode (as selected) */
const char *m5op_devmem_path(void);  /* file address mode maps */

/* Drop the selection and unmap the window; the next m5op_ensure() retries. */
void m5op_reset(void);

/* --- encodings, exposed so that tests can check them ------------------- */

/* Physical address whose load performs func in address mode. */
static inline uint64_t m5op_addr_of(uint64_t base, unsigned func)
{
    return base + ((uint64_t)func << M5OP_ADDR_FUNC_SHIFT);
}

/* The M5OP_INST_LEN bytes of the instruction-mode opcode for func. */
void m5op_inst_encode(unsigned func, uint8_t out[M5OP_INST_LEN]);

/* 1 if instruction mode can emit func (the immediate is compiled in per
 * known function code); other codes are no-ops returning 0 in that mode. */
int m5op_inst_supported(unsigned func);

/* All function codes of shared/m5ops.h, in ascending order. */
extern const unsigned m5op_funcs[];
extern const size_t m5op_nfuncs;

/* --- test hooks ---------------------------------------------------------- */

/*
 * Route every op to fake (NULL removes it). While a test backend is set,
 * m5op_use_addr()/m5op_use_inst()/m5op_ensure() only record the selection and
 * never touch a device, so command-line tests cannot reach host memory.
 */
void m5op_set_test_backend(const struct m5op_backend *fake);

/* Map this file instead of /dev/mem in address mode (NULL restores it). */
void m5op_set_devmem_path(const char *path);

/* The mapped window (address mode) or NULL, for tests that emulate the
 * device on a regular file. */
volatile void *m5op_window(void);

#endif
