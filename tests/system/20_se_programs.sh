#!/bin/bash
# 20_se_programs.sh - `m5sim se` runs static programs exactly as Linux does.
#
# Every program runs twice, natively and under `m5sim se`, with the same
# arguments, standard input and (fixed) environment; stdout and the exit
# status must be identical byte for byte. Programs: the benchmarks of
# images/bench (musl, built by `make build/bench/<name>`), Debian's static
# busybox applets, a static glibc program (tests/se/hello_glibc.c) and
# programs that die of a signal (tests/se/faults.c). The last two are small
# and compiled here into a temporary directory when a prebuilt copy is absent
# from build/tests/se/; so are, always, code that changes under the
# interpreter's caches (tests/se/selfmod.c), every form of memory operand
# (tests/se/addressing.c) and MADV_DONTNEED dropping private copies of .data,
# file mappings and anonymous memory (tests/se/madvise.c), pthreads (tests/se/threads.c) and signal
# handlers (tests/se/signals.c), each run twice more to check that scheduling is deterministic,
# and the statistics m5 ops through libm5 (tests/se/m5_stats.c: the blocks of stats.txt).
# Also checked: a missing or dynamically linked
# program gives one clear error line and exit status 2.
#
# Run from anywhere: `tests/system/20_se_programs.sh` (M5SIM=path overrides build/bin/m5sim).
set -euo pipefail
cd "$(dirname "$0")/../.."

M5SIM=${M5SIM:-build/bin/m5sim}
BUSYBOX=${BUSYBOX:-/bin/busybox}
# The environment m5sim se gives a guest by default; the native runs get the same.
ENV=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/ LANG=C)

if [ ! -x "$M5SIM" ]; then
    echo "FAIL se: $M5SIM is missing (run make)"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

# is_static FILE: an ELF without a program interpreter (readelf comes with the compiler).
is_static() {
    [ -x "$1" ] && ! readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

pass() { echo "PASS se: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL se: $1"; failures=$((failures + 1)); }

# compare NAME INPUT PROGRAM [ARGS...]: native vs simulated stdout and exit status.
compare() {
    local name=$1 input=$2
    shift 2
    local ns=0 ss=0
    # (The braces keep bash's own "Segmentation fault" job message out of the log.)
    { "${ENV[@]}" "$@" <"$input" >"$tmp/native.out" 2>"$tmp/native.err"; } 2>/dev/null || ns=$?
    "$M5SIM" se "$@" <"$input" >"$tmp/se.out" 2>"$tmp/se.err" || ss=$?
    if [ "$ns" -eq "$ss" ] && cmp -s "$tmp/native.out" "$tmp/se.out"; then
        pass "$name (status $ss)"
    else
        fail "$name: native status $ns, se status $ss"
        diff "$tmp/native.out" "$tmp/se.out" | head -5 | sed 's/^/    /' || true
        head -3 "$tmp/se.err" | sed 's/^/    se stderr: /'
    fi
}

# compare_fault NAME STATUS PROGRAM [ARGS...]: both die the same way; se says why in one line.
compare_fault() {
    local name=$1 want=$2
    shift 2
    compare "$name" /dev/null "$@"
    local ss=0
    "$M5SIM" se "$@" </dev/null >/dev/null 2>"$tmp/se.err" || ss=$?
    local lines
    lines=$(wc -l <"$tmp/se.err")
    if [ "$ss" -eq "$want" ] && [ "$lines" -le 1 ]; then
        pass "$name: status $want, report: $(cat "$tmp/se.err")"
    else
        fail "$name: status $ss (want $want), $lines stderr lines"
        head -3 "$tmp/se.err" | sed 's/^/    se stderr: /'
    fi
}

# ------------------------------------------------------------ benchmarks --
found=0
for b in build/bench/*; do
    [ -x "$b" ] || continue
    found=1
    compare "bench/$(basename "$b")" /dev/null "$b"
done
[ "$found" = 1 ] || fail "no benchmark programs in build/bench (make build/bench/matmul ...)"

# The threaded benchmark: the same line natively and simulated with 1, 2 and 4
# threads, and the same line whatever the thread count (a smaller grid keeps it short).
if [ -x build/bench/stencil ]; then
    for t in 1 2 4; do
        compare "bench/stencil $t threads" /dev/null build/bench/stencil $t 128 16
        cp "$tmp/se.out" "$tmp/stencil.$t"
    done
    if [ -s "$tmp/stencil.1" ] && cmp -s "$tmp/stencil.1" "$tmp/stencil.2" && cmp -s "$tmp/stencil.1" "$tmp/stencil.4"; then
        pass "bench/stencil: 1, 2 and 4 threads print the same ($(cat "$tmp/stencil.1"))"
    else
        fail "bench/stencil: the output depends on the thread count"
    fi
else
    fail "build/bench/stencil missing (make build/bench/stencil)"
fi

# ------------------------------------------------------------ busybox ----
# Inputs: a deterministic shuffled list of numbers, text, and a directory with fixed timestamps.
awk 'BEGIN { s = 1; for (i = 0; i < 2000; i++) { s = (s * 1103515245 + 12345) % 2147483648; print s % 100000 } }' \
    >"$tmp/numbers.txt"
printf 'the quick brown fox\njumps over\nthe lazy dog\nthe end\n' >"$tmp/words.txt"
mkdir -p "$tmp/dir/sub"
printf 'a\n' >"$tmp/dir/alpha"
printf 'bb\n' >"$tmp/dir/beta"
printf 'ccc\n' >"$tmp/dir/sub/gamma"
touch -h -d '2020-01-02 03:04:05' "$tmp/dir/alpha" "$tmp/dir/beta" "$tmp/dir/sub/gamma" "$tmp/dir/sub" "$tmp/dir"

if is_static "$BUSYBOX"; then
    bb=$BUSYBOX
    compare "busybox echo" /dev/null $bb echo hello world
    compare "busybox seq" /dev/null $bb seq 1 1000
    compare "busybox sort" /dev/null $bb sort "$tmp/numbers.txt"
    compare "busybox sort -n -r" /dev/null $bb sort -n -r "$tmp/numbers.txt"
    compare "busybox md5sum" /dev/null $bb md5sum "$tmp/numbers.txt"
    compare "busybox sha256sum" /dev/null $bb sha256sum "$tmp/numbers.txt"
    compare "busybox wc" /dev/null $bb wc "$tmp/numbers.txt" "$tmp/words.txt"
    compare "busybox expr" /dev/null $bb expr 6 '*' 7 + 1
    compare "busybox printf" /dev/null $bb printf '%.3f %5d %s\n' 3.14159 42 str
    compare "busybox awk float" /dev/null $bb awk \
        'BEGIN { x = 0; for (i = 1; i <= 1000; i++) x += 1 / i; printf "%.12f %g %.6e %d\n", x, x / 7, x * 1e10, x * 1000 }'
    compare "busybox awk fields" "$tmp/numbers.txt" $bb awk '{ s += $1 } END { print NR, s, s / NR }'
    compare "busybox sed" /dev/null $bb sed -e 's/the/THE/g' -e '/end/d' "$tmp/words.txt"
    compare "busybox tr (stdin)" "$tmp/words.txt" $bb tr a-z A-Z
    compare "busybox cat (stdin)" "$tmp/numbers.txt" $bb cat
    compare "busybox cat" /dev/null $bb cat "$tmp/words.txt" "$tmp/numbers.txt"
    compare "busybox head/tail" /dev/null $bb tail -n 5 "$tmp/numbers.txt"
    compare "busybox uniq -c" /dev/null $bb uniq -c "$tmp/words.txt"
    compare "busybox cut" /dev/null $bb cut -d ' ' -f 2 "$tmp/words.txt"
    compare "busybox od" /dev/null $bb od -A x -t x1 "$tmp/words.txt"
    compare "busybox grep" /dev/null $bb grep -n the "$tmp/words.txt"
    compare "busybox ls -l" /dev/null $bb ls -lR "$tmp/dir"
    compare "busybox du" /dev/null $bb du -a "$tmp/dir"
    compare "busybox sh builtins" /dev/null $bb sh -c 'i=0; while [ $i -lt 50 ]; do i=$((i+1)); done; echo $i; exit 5'
    compare "busybox false" /dev/null $bb false
    # A write to a closed pipe kills the writer with SIGPIPE (status 141), as natively.
    { ss=0; "$M5SIM" se $bb seq 1 1000000 2>"$tmp/se.err" || ss=$?; echo "$ss" >"$tmp/status"; } |
        head -n 1 >/dev/null
    ss=$(cat "$tmp/status")
    if [ "$ss" -eq 141 ] && [ ! -s "$tmp/se.err" ]; then
        pass "busybox seq | head: SIGPIPE status 141"
    else
        fail "busybox seq | head: status $ss (want 141)"
    fi
else
    echo "SKIP se: busybox applets ($BUSYBOX is not a static busybox: apt-get install busybox-static)"
fi

# ----------------------------------------------- glibc program, faults ----
hello=build/tests/se/hello_glibc
if [ ! -x "$hello" ] && [ -f /usr/lib/x86_64-linux-gnu/libc.a ]; then
    hello=$tmp/hello_glibc
    gcc -static -O2 -o "$hello" tests/se/hello_glibc.c -lm
fi
if [ -x "$hello" ]; then
    compare "glibc static hello" /dev/null "$hello" one two
else
    echo "SKIP se: static glibc program (no /usr/lib/x86_64-linux-gnu/libc.a)"
fi

faults=build/tests/se/faults
if [ ! -x "$faults" ] && command -v musl-gcc >/dev/null; then
    faults=$tmp/faults
    musl-gcc -static -O1 -o "$faults" tests/se/faults.c
fi
if [ -x "$faults" ]; then
    compare_fault "segfault" 139 "$faults" segv
    compare_fault "abort()" 134 "$faults" abort
    compare_fault "divide by zero" 136 "$faults" div
    compare_fault "write to read-only page" 139 "$faults" ro
    compare "bad pointer is EFAULT" /dev/null "$faults" efault
    compare "ignored SIGPIPE gives EPIPE" /dev/null "$faults" sigpipe-ignored
    compare "unsupported system call is ENOSYS" /dev/null "$faults" unsupported
    if grep -q "unsupported system call unknown (1000)" <("$M5SIM" se "$faults" unsupported 2>&1 >/dev/null); then
        pass "unsupported system call reported by name and number"
    else
        fail "unsupported system call not reported"
    fi
else
    echo "SKIP se: fault programs (no musl-gcc)"
fi

# ------------------------------------ the interpreter's caches and fast paths --
# Self-modifying and remapped code (decoded blocks, jump cache), every way of
# addressing memory (pre-resolved addresses, FS base, 32-bit addressing), and
# madvise(MADV_DONTNEED) on private file mappings and the program's own .data.
if command -v musl-gcc >/dev/null; then
    for p in selfmod addressing madvise; do
        musl-gcc -static -O1 -o "$tmp/$p" "tests/se/$p.c"
        compare "$p" /dev/null "$tmp/$p"
    done
else
    echo "SKIP se: self-modifying code and addressing programs (no musl-gcc)"
fi

# ------------------------------------------------------- threads, signals --
# pthreads (clone, futex, scheduling on the one CPU) and signal handlers (frames,
# sigaltstack, SA_SIGINFO, alarm in simulated time, sigsuspend), with musl and,
# when its static libc is there, glibc (which creates threads with clone3).
# Scheduling is deterministic: a second simulated run retires exactly as many
# instructions and prints the same.
check_deterministic() {
    local name=$1
    shift
    "$M5SIM" se -v "$@" </dev/null >"$tmp/det1.out" 2>"$tmp/det1.err" || true
    "$M5SIM" se -v "$@" </dev/null >"$tmp/det2.out" 2>"$tmp/det2.err" || true
    local n1 n2
    n1=$(grep -o '[0-9]* instructions' "$tmp/det1.err" || true)
    n2=$(grep -o '[0-9]* instructions' "$tmp/det2.err" || true)
    if [ -n "$n1" ] && [ "$n1" = "$n2" ] && cmp -s "$tmp/det1.out" "$tmp/det2.out"; then
        pass "$name: deterministic ($n1)"
    else
        fail "$name: two runs differ ($n1 / $n2)"
    fi
}
if command -v musl-gcc >/dev/null; then
    musl-gcc -static -O1 -o "$tmp/threads" tests/se/threads.c -lpthread
    musl-gcc -static -O1 -o "$tmp/signals" tests/se/signals.c
    compare "pthreads (musl)" /dev/null "$tmp/threads"
    check_deterministic "pthreads (musl)" "$tmp/threads"
    compare "signal handlers (musl)" /dev/null "$tmp/signals"
    check_deterministic "signal handlers (musl)" "$tmp/signals"
else
    echo "SKIP se: threads and signals with musl (no musl-gcc)"
fi
# ------------------------------------------------------ statistics m5 ops --
# tests/se/m5_stats.c with libm5 in instruction mode: work, dumpresetstats,
# workbegin, work, workend, dumpstats; then dumpstats with a delay and a
# period of 100 us, work, resetstats. stats.txt holds one block per dump and
# the one at exit: the counts of blocks that end in a reset plus the last
# one add up to every instruction of the run, and a block after a reset
# counts from 0 (its finalTick minus the reset's is its simTicks).
stats_blocks() {   # FILE KEY: the KEY of every block, one a line
    awk -v k="$2" '$1 == k { print $2 }' "$1"
}
if command -v musl-gcc >/dev/null; then
    musl-gcc -static -O1 -Iguest -Ishared -o "$tmp/m5_stats" tests/se/m5_stats.c guest/libm5.c guest/m5op.c
    rm -rf "$tmp/m5o"
    "$M5SIM" se -v -d "$tmp/m5o" --env M5_MODE=inst "$tmp/m5_stats" >"$tmp/m5.out" 2>"$tmp/m5.err" || true
    total=$(grep -o '[0-9]* instructions' "$tmp/m5.err" | cut -d' ' -f1)
    mapfile -t insts < <(stats_blocks "$tmp/m5o/stats.txt" simInsts)
    mapfile -t ticks < <(stats_blocks "$tmp/m5o/stats.txt" simTicks)
    mapfile -t final < <(stats_blocks "$tmp/m5o/stats.txt" finalTick)
    mapfile -t work < <(stats_blocks "$tmp/m5o/stats.txt" system.cpu.numWorkItemsCompleted)
    if [ "${#insts[@]}" = 3 ] && [ "$((insts[0] + insts[2]))" = "$total" ] &&
        [ "$((final[1] - final[0]))" = "${ticks[1]}" ] && [ "${insts[1]}" -lt "${insts[0]}" ] &&
        [ "$((insts[2] - insts[1]))" -lt 10000 ] && [ "${work[0]}" = 0 ] && [ "${work[1]}" = 1 ] &&
        grep -c '"simInsts"' "$tmp/m5o/stats.json" | grep -qx 3 && grep -qx done "$tmp/m5.out"; then
        pass "m5 dumpresetstats, dumpstats: 3 blocks, ${insts[0]} + ${insts[2]} = $total instructions, the reset block from 0, 1 work item"
    else
        fail "m5 statistics ops: ${#insts[@]} blocks (${insts[*]}), $total instructions, work items ${work[*]}"
    fi
    rm -rf "$tmp/m5o"
    "$M5SIM" se -d "$tmp/m5o" --env M5_MODE=inst "$tmp/m5_stats" 100000 >/dev/null 2>&1 || true
    mapfile -t final < <(stats_blocks "$tmp/m5o/stats.txt" finalTick)
    n=${#final[@]}
    periodic_ok=1
    for ((i = 3; i < n - 1; i++)); do
        [ "$((final[i] - final[i - 1]))" = 100000000 ] || periodic_ok=0
    done
    if [ "$n" -ge 20 ] && [ "$periodic_ok" = 1 ] && [ "$((final[2] - final[1]))" -ge 100000000 ]; then
        pass "m5 dumpstats 100us,100us: $((n - 3)) dumps 100 us of simulated time apart, stopped by resetstats"
    else
        fail "m5 dumpstats with a delay and a period: $n blocks, finalTick ${final[*]:0:6}"
    fi
    # The schedule is part of a process checkpoint: checkpointed amid the periodic dumps and
    # restored, the two runs dump at the uninterrupted run's ticks (less the checkpointing run's last).
    rm -rf "$tmp/m5c" "$tmp/m5r"
    "$M5SIM" se -d "$tmp/m5c" --maxinsts 5000000 --checkpoint-at-end --env M5_MODE=inst "$tmp/m5_stats" 100000 \
        >/dev/null 2>&1 || true
    "$M5SIM" se -d "$tmp/m5r" --checkpoint-dir "$tmp/m5c" -r 1 >/dev/null 2>&1 || true
    { stats_blocks "$tmp/m5c/stats.txt" finalTick | head -n -1; stats_blocks "$tmp/m5r/stats.txt" finalTick; } \
        >"$tmp/m5c.ticks"
    if printf '%s\n' "${final[@]}" | cmp -s - "$tmp/m5c.ticks"; then
        pass "m5 dumpstats period across a checkpoint and restore: the same $n dump ticks"
    else
        fail "m5 dumpstats period across a checkpoint: the dump ticks differ"
    fi
else
    echo "SKIP se: statistics m5 ops (no musl-gcc)"
fi

if [ -f /usr/lib/x86_64-linux-gnu/libc.a ]; then
    gcc -static -O1 -o "$tmp/threads_glibc" tests/se/threads.c -lpthread
    gcc -static -O1 -o "$tmp/signals_glibc" tests/se/signals.c
    compare "pthreads (glibc)" /dev/null "$tmp/threads_glibc"
    check_deterministic "pthreads (glibc)" "$tmp/threads_glibc"
    compare "signal handlers (glibc)" /dev/null "$tmp/signals_glibc"
fi

# ------------------------------------------------ programs that cannot run --
# check_refused NAME PROGRAM PATTERN: exit status 2 and one stderr line matching PATTERN.
check_refused() {
    local name=$1 prog=$2 pattern=$3 ss=0
    "$M5SIM" se "$prog" </dev/null >"$tmp/se.out" 2>"$tmp/se.err" || ss=$?
    if [ "$ss" -eq 2 ] && [ "$(wc -l <"$tmp/se.err")" -eq 1 ] && grep -q -- "$pattern" "$tmp/se.err" &&
        [ ! -s "$tmp/se.out" ]; then
        pass "$name: $(cat "$tmp/se.err")"
    else
        fail "$name: status $ss (want 2)"
        head -3 "$tmp/se.err" | sed 's/^/    se stderr: /'
    fi
}
check_refused "missing program" "$tmp/no-such-program" "no-such-program: No such file or directory"
check_refused "directory" "$tmp/dir" "is a directory"
printf '#!/bin/sh\necho hi\n' >"$tmp/script.sh"
chmod +x "$tmp/script.sh"
check_refused "script" "$tmp/script.sh" "not an ELF executable"
if [ -x /bin/true ] && ! is_static /bin/true; then
    check_refused "dynamically linked program" /bin/true "dynamically linked"
fi

echo "se: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
