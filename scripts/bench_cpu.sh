#!/usr/bin/env bash
# bench_cpu.sh - the interpreter's speed: each benchmark program of
# images/bench/ run natively and under `m5sim se`, in the same run.
#
# For each program: the native wall time (mean of N runs), the wall time
# under `m5sim se` (mean of N runs), the guest instruction count (`m5sim se
# -v`), MIPS (instructions / m5sim time) and the slowdown (m5sim time /
# native time). Times are from process start to exit ($EPOCHREALTIME), so
# m5sim's start-up (about 10 ms) is in its figure, as the loader is in the
# native one. The simulated output and exit status must equal the native
# ones; a mismatch or a failed run is the only way this script fails.
#
#   sorthash  compute-bound: integer sort and hash table, branchy
#   canneal   compute-bound, cache-unfriendly, data-dependent branches
#   pchase    memory-bound: dependent loads over a 4 MiB random cycle
#   matmul    floating point (SSE2 scalar double)
#
# Knobs (environment): BENCH_CPU_RUNS (3), BENCH_CPU_PROGRAMS (the four
# above), M5SIM (build/bin/m5sim). Called by scripts/bench.sh (make bench);
# runs alone too: scripts/bench_cpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

M5SIM=${M5SIM:-build/bin/m5sim}
RUNS=${BENCH_CPU_RUNS:-3}
PROGRAMS=${BENCH_CPU_PROGRAMS:-sorthash canneal pchase matmul}

die() { echo "bench_cpu: FAIL: $*" >&2; exit 1; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

declare -A KIND=([sorthash]="compute-bound" [canneal]="compute-bound" [pchase]="memory-bound"
                 [matmul]="floating point")

[ -x "$M5SIM" ] || die "$M5SIM missing (make)"
for p in $PROGRAMS; do
  [ -x "build/bench/$p" ] || die "build/bench/$p missing (make build/bench/$p)"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_timed OUT CMD...: run CMD with stdout to OUT.stdout, stderr to OUT.stderr;
# sets T (seconds) and RC.
run_timed() {
  local out=$1; shift
  local t0
  RC=0
  t0=$EPOCHREALTIME
  "$@" </dev/null >"$out.stdout" 2>"$out.stderr" || RC=$?
  T=$(elapsed "$t0" "$EPOCHREALTIME")
}

echo "interpreter: $M5SIM se (atomic CPU), $RUNS runs each, mean wall time;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-9s %-15s %10s %10s %13s %8s %9s\n' program kind native m5sim instructions MIPS slowdown
for p in $PROGRAMS; do
  bin=build/bench/$p
  nat=() sim=() insts=""
  for i in $(seq "$RUNS"); do
    run_timed "$tmp/$p.native.$i" "$bin"
    [ "$RC" -eq 0 ] || die "$bin exited with status $RC natively"
    nat+=("$T")
    run_timed "$tmp/$p.sim.$i" "$M5SIM" se -v "$bin"
    [ "$RC" -eq 0 ] || die "$M5SIM se $bin exited with status $RC ($(tail -1 "$tmp/$p.sim.$i.stderr"))"
    cmp -s "$tmp/$p.native.$i.stdout" "$tmp/$p.sim.$i.stdout" ||
      die "$p: output under m5sim se differs from the native output"
    sim+=("$T")
    n=$(sed -n 's/^m5sim se: \([0-9]*\) instructions.*/\1/p' "$tmp/$p.sim.$i.stderr")
    [ -n "$n" ] || die "$p: no instruction count in the output of m5sim se -v"
    [ -z "$insts" ] || [ "$insts" = "$n" ] || die "$p: instruction count changed between runs ($insts, $n)"
    insts=$n
  done
  tn=$(printf '%s\n' "${nat[@]}" | awk '{ s += $1 } END { printf "%.6f", s / NR }')
  ts=$(printf '%s\n' "${sim[@]}" | awk '{ s += $1 } END { printf "%.6f", s / NR }')
  awk -v p="$p" -v k="${KIND[$p]:-}" -v tn="$tn" -v ts="$ts" -v n="$insts" 'BEGIN {
        printf "  %-9s %-15s %8.3f s %8.3f s %11.1f M %8.1f %8.1fx\n",
               p, k, tn, ts, n / 1e6, n / ts / 1e6, ts / tn }'
done
echo "  (MIPS = guest instructions / m5sim wall time; slowdown = m5sim time / native time;" \
     "load average now $(cut -d' ' -f1-3 /proc/loadavg))"
