#!/bin/bash
# 50_hardening.sh - what a careless user or a hostile guest can no longer do
# (issue 13, docs/guest-safety.md).
#
# Command-line checks first (no boot): numbers range-checked before they are
# narrowed (-r, --num-cpus, -j), --script and --kernel that are directories, a
# --cmdline the kernel would cut short. Then, on restores of the shared boot
# (tests/system/lib.sh): two runs sharing one output directory (the lock), -d
# inside the checkpoint being restored, a planted symlink and a hard link in
# the output directory (never followed, never truncated), m5 fail N above 255,
# a delayed m5 fail before a later m5 exit, `m5 checkpoint 0 1` bounded by
# --max-checkpoints, a checkpoint that cannot be written (its directory is
# read-only) reported in the exit status and run.ini, --max-ticks stopping an
# idle guest, SIGTERM ending a run with its outputs written, and a --batch parent
# killed with -9 taking its children along.
#
# Run from anywhere: tests/system/50_hardening.sh (M5SIM, KERNEL, IMAGE override the defaults).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=hardening
. tests/system/lib.sh

fs_preflight || exit 1
H=$FS/hardening
rm -rf "$H"
mkdir -p "$H"

# refused NAME WANT ARGS...: exit 2 with one "m5sim: " line containing WANT.
refused() {
    local name=$1 want=$2
    shift 2
    run_m5sim 60 "$H/err" "$@"
    if [ "$rc" -eq 2 ] && [ "$(wc -l <"$H/err")" -eq 1 ] && grep -qF -- "$want" "$H/err"; then
        pass "refused, $name: $(cut -c1-140 "$H/err")"
    else
        fail "refused, $name: exit $rc (want 2 and one line naming '$want')"
        indent "$H/err"
    fi
}

# ------------------------------------------------------ the command line --
mkdir -p "$H/empty-ckpts" "$H/a-dir"
refused "-r 4294967297 is not checkpoint 1" "'4294967297'" --checkpoint-dir "$H/empty-ckpts" -r 4294967297 -d "$H/o1"
refused "-r 999999999999999999999 is too large" "too large" --checkpoint-dir "$H/empty-ckpts" -r 999999999999999999999 -d "$H/o1"
refused "-r 0 counts from 1" "counted from 1" --checkpoint-dir "$H/empty-ckpts" -r 0 -d "$H/o1"
refused "--num-cpus 4294967297 is not 1" "'4294967297'" --kernel "$KERNEL" --num-cpus 4294967297 -d "$H/o1"
refused "-j 4294967297 is not 1" "'4294967297'" --checkpoint-dir "$H/empty-ckpts" -r 1 --batch -j 4294967297 --script /dev/null -d "$H/o1"
refused "--script DIR" "is a directory" --kernel "$KERNEL" --disk-image "$IMAGE" --script "$H/a-dir" -d "$H/o1"
refused "--kernel DIR" "is a directory" --kernel "$H/a-dir" --disk-image "$IMAGE" -d "$H/o1"
long=$(printf 'console=ttyS0 root=/dev/sda rw panic=-1 %0*d' 2040 0)
refused "--cmdline longer than the kernel keeps" "cmdline_size" --kernel "$KERNEL" --disk-image "$IMAGE" \
    --cmdline "$long" --maxinsts 1 -d "$H/o1" -q

# ------------------------------------------------------------ restores --
if ! fs_ensure_boot; then
    fail "setup: could not boot to a checkpoint (exit status $BOOT_RC)"
    finish
    exit 1
fi
CPT=$(ckpt_path)
script() { printf '%s\n' "$2" >"$H/$1.sh"; echo "$H/$1.sh"; }

# Two runs sharing one outdir: the second is refused while the first holds the lock.
# The first waits for its next script on a FIFO (--control), so it holds the
# lock for as long as the test needs, whatever the machine's speed.
s_echo=$(script echo 'echo SLEPT')
rm -rf "$H/shared" "$H/control"
mkdir -p "$H/shared"
mkfifo "$H/control"
timeout -k 10 "$T_RUN" "$M5SIM" --checkpoint-dir "$CKPT_DIR" -r 1 -d "$H/shared" -q --script "$s_echo" \
    --control "$H/control" >/dev/null 2>"$H/first.stderr" &
first=$!
exec 7<>"$H/control"   # held open: the first run blocks reading it until "quit"
for _ in $(seq 100); do [ -s "$H/shared/.m5sim.lock" ] && break; sleep 0.1; done
run_m5sim 60 "$H/second.stderr" --checkpoint-dir "$CKPT_DIR" -r 1 -d "$H/shared" -q --script "$s_echo"
second_rc=$rc
echo quit >&7   # kept open until the first run ends: a FIFO drops unread data when its last opener closes
wait "$first" && first_rc=0 || first_rc=$?
exec 7>&-
if [ "$second_rc" -eq 2 ] && grep -q "in use by another m5sim run" "$H/second.stderr" && [ "$first_rc" -eq 0 ] \
    && grep -q SLEPT "$H/shared/$CONSOLE"; then
    pass "one output directory, two runs: the second is refused ($(cut -c1-100 "$H/second.stderr")), the first finishes"
else
    fail "one output directory, two runs: first exit $first_rc, second exit $second_rc"
    indent "$H/second.stderr"
fi

# -d inside the checkpoint being restored.
refused "-d inside the restored checkpoint" "inside the checkpoint" --checkpoint-dir "$CKPT_DIR" -r 1 -d "$CPT/out" -q

# A planted symlink and a hard link in the outdir: neither followed nor truncated.
rm -rf "$H/links"
mkdir -p "$H/links"
echo PRECIOUS-DATA >"$H/precious.txt"
echo PRECIOUS-LINKED >"$H/linked.txt"
ln -s ../precious.txt "$H/links/stats.txt"
ln "$H/linked.txt" "$H/links/config.ini"
restore "$H/links" --script "$(script hello 'echo HELLO-50')"
if [ "$rc" -eq 0 ] && [ "$(cat "$H/precious.txt")" = PRECIOUS-DATA ] && [ "$(cat "$H/linked.txt")" = PRECIOUS-LINKED ] \
    && [ ! -L "$H/links/stats.txt" ] && grep -q simSeconds "$H/links/stats.txt"; then
    pass "planted symlink and hard link in the outdir: replaced by new files, their targets untouched"
else
    fail "planted links: exit $rc, precious '$(cat "$H/precious.txt")', linked '$(cat "$H/linked.txt")'"
    indent "$H/links.stderr"
fi

# m5 fail 256 is not 0; a delayed m5 fail is not overwritten by a later m5 exit.
restore "$H/fail256" --script "$(script fail256 'm5 fail 256')"
check "m5 fail 256 exits 255, not 0" "exit $rc" [ "$rc" -eq 255 ]
restore "$H/failexit" --script "$(script failexit 'm5 fail 7 1000000; m5 exit 50000000; sleep 1')"
check "a delayed m5 fail (1 ms) before a later m5 exit (50 ms) exits 7" "exit $rc, $(ini_get "$H/failexit/run.ini" exit_cause)" \
    [ "$rc" -eq 7 ]

# m5 checkpoint 0 1: a series raised to 1 ms and capped by --max-checkpoints.
restore "$H/series" --max-checkpoints 3 --script "$(script series 'm5 checkpoint 0 1; sleep 1; echo SERIES-DONE')"
n=$(ls -d "$H/series"/cpt.* 2>/dev/null | wc -l)
if [ "$n" -eq 3 ] && grep -q "limit (--max-checkpoints)" "$H/series.stderr"; then
    pass "m5 checkpoint 0 1 with --max-checkpoints 3: 3 checkpoints, then refused (exit $rc)"
else
    fail "m5 checkpoint 0 1: $n checkpoints (want 3), exit $rc"
    indent "$H/series.stderr"
fi

# A checkpoint that cannot be written: the guest's m5 checkpoint fails, the run's exit status says so.
rm -rf "$H/rofs"
mkdir -p "$H/rofs"
# (A 1 MiB tmpfs cannot hold the checkpoint's memory; mounting one needs root.)
if mount -t tmpfs -o size=1m tmpfs "$H/rofs" 2>/dev/null; then
    restore "$H/rofs/out" --script "$(script ckfail 'm5 checkpoint; echo "CKPT-STATUS $?"')"
    cause=$(ini_get "$H/rofs/out/run.ini" checkpoint_error)
    console_status=$(grep -ao 'CKPT-STATUS [0-9]*' "$H/rofs/out/$CONSOLE" | head -1 || true)
    umount "$H/rofs" 2>/dev/null || true
    if [ "$rc" -eq 4 ] && [ -n "$cause" ]; then
        pass "a checkpoint on a full filesystem: exit 4, run.ini checkpoint_error=$cause; guest: ${console_status:-?}"
    else
        fail "a checkpoint on a full filesystem: exit $rc (want 4), checkpoint_error='$cause'"
        indent "$H/rofs/out.stderr"
    fi
else
    note "checkpoint failure: cannot mount a small tmpfs here (not root); not checked"
fi

# --max-ticks stops a guest that only sleeps (timers ticking, few instructions).
restore "$H/maxticks" --max-ticks 200000000000 --script "$(script sleeper 'sleep 100')"
ft=$(ini_get "$H/maxticks/run.ini" final_tick)
cause=$(ini_get "$H/maxticks/run.ini" exit_cause)
check "--max-ticks 0.2 s stops a sleeping guest (final_tick $ft)" "exit $rc, cause '$cause'" \
    test "$rc" -eq 0 -a "$cause" = "reached --max-ticks" -a "${ft:-0}" -le 200000000000

# SIGTERM: the run stops at the next quantum and writes its outputs.
rm -rf "$H/term"
timeout -k 10 "$T_RUN" "$M5SIM" --checkpoint-dir "$CKPT_DIR" -r 1 -d "$H/term" -q \
    --script "$(script spin 'echo SPIN-STARTED; while :; do :; done')" >/dev/null 2>"$H/term.stderr" &
pid=$!
for _ in $(seq 300); do grep -q SPIN-STARTED "$H/term/$CONSOLE" 2>/dev/null && break; sleep 0.1; done
# To m5sim itself: timeout(1) would forward a SIGTERM to m5sim and then to its whole process group,
# and m5sim takes a second signal as "exit at once, write nothing more".
kill -TERM "$(pgrep -P "$pid" -x m5sim || echo "$pid")"
wait "$pid" && rc=0 || rc=$?
if [ "$rc" -eq 143 ] && grep -q SPIN-STARTED "$H/term/$CONSOLE" && grep -q simSeconds "$H/term/stats.txt" \
    && [ "$(ini_get "$H/term/run.ini" exit_status)" = 143 ]; then
    pass "SIGTERM: exit 143 with the console log, stats.txt and run.ini written"
else
    fail "SIGTERM: exit $rc, run.ini exit_status '$(ini_get "$H/term/run.ini" exit_status)'"
    indent "$H/term.stderr"
fi

# A --batch parent killed outright (kill -9) takes its children along: each gets SIGTERM
# (PR_SET_PDEATHSIG) and ends as a SIGTERM'd run does, with its outputs written.
rm -rf "$H/batch"
spin=$(script spin 'echo SPIN-STARTED; while :; do :; done')
"$M5SIM" --checkpoint-dir "$CKPT_DIR" -r 1 -d "$H/batch" -q --batch -j 2 --script "$spin" --script "$spin" \
    >/dev/null 2>"$H/batch.stderr" &
parent=$!
for _ in $(seq 300); do
    [ "$(cat "$H"/batch/*/"$CONSOLE" 2>/dev/null | grep -c SPIN-STARTED)" -ge 2 ] && break
    sleep 0.1
done
children=$(pgrep -P "$parent" | tr '\n' ' ')
kill -KILL "$parent"
wait "$parent" 2>/dev/null || true
for _ in $(seq 100); do
    alive=0
    for c in $children; do kill -0 "$c" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
done
statuses=$(for d in "$H"/batch/*/; do ini_get "$d/run.ini" exit_status; done | tr '\n' ' ')
if [ -n "$children" ] && [ $alive -eq 0 ] && [ "$statuses" = "143 143 " ]; then
    pass "kill -9 of a --batch parent ends its children ($children), each with its outputs written (exit 143)"
else
    fail "kill -9 of a --batch parent: children '$children' alive=$alive, their run.ini exit statuses '$statuses'"
    for c in $children; do kill -KILL "$c" 2>/dev/null || true; done
fi

finish
