#!/bin/bash
# 55_sandbox.sh - the system-call allowlist (host/sandbox/, docs/guest-safety.md).
#
# The sandbox is on by default: an SE run's /proc status shows a seccomp
# filter once the guest runs (and none with --no-sandbox). The hidden hook
# M5SIM_SANDBOX_SELFTEST=1 makes m5sim try execve() right after the sandbox
# would be installed: in SE mode, in a full-system restore and in each child
# of a --batch, it must die with "m5sim: sandbox: system call execve refused"
# and status 2; with --no-sandbox the same hook is harmless and the run ends
# as usual. (Every other system test runs with the sandbox on, which is what
# shows it allows what m5sim needs.)
#
# Run from anywhere: tests/system/55_sandbox.sh (M5SIM, KERNEL, IMAGE override the defaults).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=sandbox
. tests/system/lib.sh

fs_preflight || exit 1
T=$FS/sandbox
rm -rf "$T"
mkdir -p "$T"
REFUSED="m5sim: sandbox: system call execve refused"

# ---------------------------------------------------------- SE mode --
# A static program that says it runs, then copies its input until end of input.
cat >"$T/relay.c" <<'EOF'
#include <unistd.h>
int main(void)
{
    char buf[256];
    ssize_t n;
    if (write(1, "running\n", 8) != 8)
        return 1;
    while ((n = read(0, buf, sizeof buf)) > 0)
        if (write(1, buf, (size_t)n) != n)
            return 1;
    return n < 0;
}
EOF
if ! ${CC:-gcc} -static -O1 -o "$T/relay" "$T/relay.c" 2>"$T/cc.err"; then
    fail "setup: cannot build a static test program"
    indent "$T/cc.err"
    finish
    exit 1
fi

# seccomp_mode ARGS...: the Seccomp: field of /proc/PID/status of `m5sim se ARGS relay`,
# read while the guest waits for input (so after its first instruction).
seccomp_mode() {
    local mode
    coproc RELAY { exec "$M5SIM" se -d "$T/se-out" "$@" "$T/relay" 2>"$T/relay.err"; }
    local pid=$RELAY_PID out=${RELAY[0]} in=${RELAY[1]} line=""
    read -r line <&"$out" || true
    mode=$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null || true)
    echo ping >&"$in"
    exec {in}>&-
    read -r line <&"$out" || true
    wait "$pid" || true
    [ "$line" = ping ] && echo "$mode" || echo "relay failed"
}
mode=$(seccomp_mode)
check "on by default: SE run under a seccomp filter (Seccomp: $mode)" "want 2 (filter)" [ "$mode" = 2 ]
mode=$(seccomp_mode --no-sandbox)
check "--no-sandbox: SE run without a filter (Seccomp: $mode)" "want 0" [ "$mode" = 0 ]

rc=0
echo hello | M5SIM_SANDBOX_SELFTEST=1 timeout -k 10 60 "$M5SIM" se -d "$T/se1" "$T/relay" >"$T/se1.out" \
    2>"$T/se1.err" || rc=$?
if [ "$rc" -eq 2 ] && grep -qF "$REFUSED" "$T/se1.err" && [ ! -s "$T/se1.out" ]; then
    pass "SE: a refused system call ends the run before the guest: $(head -1 "$T/se1.err")"
else
    fail "SE: selftest exit $rc (want 2 and '$REFUSED', no guest output)"
    indent "$T/se1.err"
fi
rc=0
echo hello | M5SIM_SANDBOX_SELFTEST=1 timeout -k 10 60 "$M5SIM" se --no-sandbox -d "$T/se2" "$T/relay" \
    >"$T/se2.out" 2>"$T/se2.err" || rc=$?
if [ "$rc" -eq 0 ] && ! grep -q "sandbox: system call" "$T/se2.err" && grep -q "execve() allowed" "$T/se2.err" \
    && [ "$(cat "$T/se2.out")" = "$(printf 'running\nhello')" ]; then
    pass "SE --no-sandbox: the same call is allowed and the program runs"
else
    fail "SE --no-sandbox: selftest exit $rc (want 0 and the program's output)"
    indent "$T/se2.err"
fi

# --------------------------------------------------------- full system --
if ! fs_ensure_boot; then
    fail "setup: could not boot to a checkpoint (exit status $BOOT_RC)"
    finish
    exit 1
fi
printf 'echo SANDBOX-SCRIPT-RAN-4e1d\n' >"$T/mark.sh"

export M5SIM_SANDBOX_SELFTEST=1
restore "$T/fs1" --script "$T/mark.sh"
if [ "$rc" -eq 2 ] && grep -qF "$REFUSED" "$T/fs1.stderr" && ! grep -q SANDBOX-SCRIPT-RAN "$T/fs1/$CONSOLE"; then
    pass "restore: a refused system call ends the run before the first guest instruction"
else
    fail "restore: selftest exit $rc (want 2 and '$REFUSED', script not run)"
    indent "$T/fs1.stderr"
fi
restore "$T/fs2" --script "$T/mark.sh" --no-sandbox
if [ "$rc" -eq 0 ] && ! grep -q "sandbox: system call" "$T/fs2.stderr" && grep -q SANDBOX-SCRIPT-RAN "$T/fs2/$CONSOLE"; then
    pass "restore --no-sandbox: the same call is allowed and the script runs"
else
    fail "restore --no-sandbox: selftest exit $rc (want 0, the script's output on the console)"
    indent "$T/fs2.stderr"
fi

# batch NAME ARGS...: a --batch -j 2 of two scripts; stderr in $T/NAME.stderr.
batch() {
    local name=$1
    shift
    rm -rf "${T:?}/$name"
    run_m5sim "$T_RUN" "$T/$name.stderr" --checkpoint-dir "$CKPT_DIR" -r 1 --batch -j 2 --script "$T/mark.sh" \
        --script "$T/mark.sh" -d "$T/$name" -q "$@"
}
batch b1
if [ "$rc" -eq 1 ] && [ "$(grep -cF "$REFUSED" "$T/b1.stderr")" -eq 2 ] \
    && [ "$(grep -c 'exit status 2, outputs in' "$T/b1.stderr")" -eq 2 ]; then
    pass "--batch -j 2: each child runs under the sandbox (both refused, exit 2)"
else
    fail "--batch -j 2: selftest exit $rc (want 1, two children refused with status 2)"
    indent "$T/b1.stderr" 8
fi
batch b2 --no-sandbox
if [ "$rc" -eq 0 ] && grep -q "2 succeeded, 0 failed" "$T/b2.stderr" \
    && [ "$(cat "$T"/b2/*/"$CONSOLE" | grep -c SANDBOX-SCRIPT-RAN)" -eq 2 ]; then
    pass "--batch --no-sandbox: both children run their scripts"
else
    fail "--batch --no-sandbox: selftest exit $rc (want 0, two scripts run)"
    indent "$T/b2.stderr" 8
fi
unset M5SIM_SANDBOX_SELFTEST

finish
