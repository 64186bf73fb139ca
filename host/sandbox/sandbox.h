/*
 * sandbox.h - the system-call allowlist m5sim runs a guest under.
 *
 * Once a run is set up (inputs checked, outputs open, the machine built) and
 * before the first guest instruction, sandbox_enter() installs a seccomp
 * filter (libseccomp) that allows only what the simulator itself needs:
 * files, memory, time, signals, fork/wait for the checks of an interactive
 * restore, terminal ioctls for the prompt. Anything else (execve, sockets,
 * ptrace, namespaces, mount, bpf, ...) ends the process with
 *
 *   m5sim: sandbox: system call NAME refused
 *
 * and exit status 2 (SANDBOX_EXIT_REFUSED): a call that fails silently could
 * corrupt outputs, a message says what happened. docs/guest-safety.md lists
 * what is allowed and why.
 */
#ifndef M5SIM_SANDBOX_SANDBOX_H
#define M5SIM_SANDBOX_SANDBOX_H

#include <stdbool.h>

#define SANDBOX_EXIT_REFUSED 2

/*
 * Install the allowlist, once per process: later calls (the next machine of
 * an interactive session) keep the one in force. `disabled` (--no-sandbox)
 * installs nothing. Fatal when the filter cannot be installed.
 *
 * With M5SIM_SANDBOX_SELFTEST=1 in the environment, the process then tries
 * execve() of a path that does not exist: under the sandbox it dies as
 * above; without one it prints "m5sim: sandbox self-test: execve() allowed
 * (no sandbox): ..." and goes on (the test hook of tests/system/55_sandbox.sh).
 */
void sandbox_enter(bool disabled);

/* True once the allowlist is in force in this process. */
bool sandbox_active(void);

#endif
