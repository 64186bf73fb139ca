#!/usr/bin/env bash
# bench_cpu.sh - the CPU models' speed: each benchmark program of
# images/bench/ run natively and under `m5sim se` on the atomic model, on the
# timing model with L1I+L1D+L2 and DDR3_1600_8x8 (--cpu-type timing --caches
# --l2cache), on the out-of-order model with the same hierarchy (--cpu-type
# o3 --caches --l2cache; its IPC too), and in functional warming (-F N
# --warmup-insts N with the same hierarchy, N past the program's end: the
# whole program warms the caches), runs interleaved, in the same run.
#
# For each program: the native wall time, the instruction count (`m5sim se
# -v`), and for each model the wall time (mean of N runs) and MIPS
# (instructions / m5sim time), the slowdown of atomic against native and of
# timing against atomic; then the issue's goals (timing 50 MIPS, o3 5 MIPS, warming 150
# MIPS) next to the figures. Times are from process start to exit
# ($EPOCHREALTIME), so m5sim's start-up (about 10 ms) is in its figures, as
# the loader is in the native one. Every simulated output and exit status
# must equal the native ones and every model must count the same
# instructions; a mismatch or a failed run is the only way this script fails.
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
# calc EXPR VARS...: awk arithmetic, e.g. calc 'a-b' a=1 b=2
calc() { local e=$1; shift; local args=(); for v in "$@"; do args+=(-v "$v"); done
         awk "${args[@]}" "BEGIN { printf \"%.6f\", $e }"; }

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

# sim_run OUT P CMD...: one simulated run of program P with its own outdir;
# its output must equal the native one and its instruction count (-v) the
# count of the first simulated run. Sets T.
sim_run() {
  local out=$1 p=$2; shift 2
  local n
  run_timed "$out" "$M5SIM" se -v -d "$out.d" "$@" "build/bench/$p"
  [ "$RC" -eq 0 ] || die "$M5SIM se $* build/bench/$p exited with status $RC ($(tail -1 "$out.stderr"))"
  cmp -s "$tmp/$p.native.1.stdout" "$out.stdout" ||
    die "$p: output under m5sim se $* differs from the native output"
  n=$(sed -n 's/^m5sim se: \([0-9]*\) instructions.*/\1/p' "$out.stderr")
  [ -n "$n" ] || die "$p: no instruction count in the output of m5sim se -v $*"
  [ -z "$insts" ] || [ "$insts" = "$n" ] || die "$p: instruction count changed between runs ($insts, $n: m5sim se $*)"
  insts=$n
}
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.6f", s / NR }'; }

# The timing model: L1I 32kB + L1D 64kB + L2 2MB, DDR3_1600_8x8 (the default memory).
TIMING=(--cpu-type timing --caches --l2cache)
# Functional warming over the whole program: a fast-forward longer than any
# of them, all of it warming the caches, so the program ends before the switch.
WARM_ALL=1000000000000
WARMING=(-F "$WARM_ALL" --warmup-insts "$WARM_ALL" "${TIMING[@]}")
# The out-of-order model with the same hierarchy.
O3=(--cpu-type o3 --caches --l2cache)

echo "CPU models, m5sim se: atomic (the default), timing (${TIMING[*]}: L1I 32kB, L1D 64kB, L2 2MB," \
     "DDR3_1600_8x8), o3 (${O3[*]}: out of order, the same hierarchy) and functional warming" \
     "(-F N --warmup-insts N ${TIMING[*]}, N past the program's end);"
echo "$RUNS runs each, interleaved, mean wall time; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-9s %-15s %8s %8s %15s %15s %21s %8s %8s %8s\n' "" "" "" "" "---- atomic ---" "---- timing ---" \
       "--------- o3 --------" warming slowdown timing/
printf '  %-9s %-15s %8s %8s %7s %7s %7s %7s %7s %7s %5s %8s %8s %8s\n' program kind native insts time MIPS time MIPS \
       time MIPS IPC MIPS "vs nat." atomic
timing_mips=() warm_mips=() atomic_mips=() o3_mips=()
for p in $PROGRAMS; do
  bin=build/bench/$p
  nat=() ato=() tim=() wrm=() oo=() insts=""
  for i in $(seq "$RUNS"); do
    run_timed "$tmp/$p.native.$i" "$bin"
    [ "$RC" -eq 0 ] || die "$bin exited with status $RC natively"
    nat+=("$T")
    sim_run "$tmp/$p.atomic.$i" "$p"; ato+=("$T")
    sim_run "$tmp/$p.timing.$i" "$p" "${TIMING[@]}"; tim+=("$T")
    sim_run "$tmp/$p.warming.$i" "$p" "${WARMING[@]}"; wrm+=("$T")
    sim_run "$tmp/$p.o3.$i" "$p" "${O3[@]}"; oo+=("$T")
  done
  tn=$(mean "${nat[@]}") ta=$(mean "${ato[@]}") tt=$(mean "${tim[@]}") tw=$(mean "${wrm[@]}") to=$(mean "${oo[@]}")
  ipc=$(awk '$1 == "system.cpu.ipc" { print $2; exit }' "$tmp/$p.o3.1.d/stats.txt")
  o3_mips+=("$(calc 'n / t / 1e6' n="$insts" t="$to")")
  atomic_mips+=("$(calc 'n / t / 1e6' n="$insts" t="$ta")")
  timing_mips+=("$(calc 'n / t / 1e6' n="$insts" t="$tt")")
  warm_mips+=("$(calc 'n / t / 1e6' n="$insts" t="$tw")")
  awk -v p="$p" -v k="${KIND[$p]:-}" -v tn="$tn" -v ta="$ta" -v tt="$tt" -v tw="$tw" -v to="$to" -v ipc="$ipc" \
      -v n="$insts" 'BEGIN {
        printf "  %-9s %-15s %6.3f s %6.1f M %5.3f s %7.1f %5.3f s %7.1f %5.3f s %7.1f %5.2f %8.1f %7.1fx %7.1fx\n",
               p, k, tn, n / 1e6, ta, n / ta / 1e6, tt, n / tt / 1e6, to, n / to / 1e6, ipc, n / tw / 1e6,
               ta / tn, tt / ta }'
done
echo "  (MIPS = guest instructions / m5sim wall time, start-up of about 10 ms included; slowdown vs nat. ="
echo "   atomic time / native time; timing/atomic = timing time / atomic time; warming: the whole program"
echo "   runs in the warming phase, caches updated without timing; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
range() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
            m = NR % 2 ? a[(NR + 1) / 2] : (a[NR/2] + a[NR/2 + 1]) / 2
            printf "%.1f to %.1f MIPS (median %.1f)", a[1], a[NR], m }'; }
med() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR/2] + a[NR/2 + 1]) / 2 }'; }
verdict() { awk -v m="$1" -v g="$2" 'BEGIN { print (m >= g ? "goal met" : sprintf("goal not met: %.0f%% of it", 100 * m / g)) }'; }
tm=$(med "${timing_mips[@]}") wm=$(med "${warm_mips[@]}") om=$(med "${o3_mips[@]}")
echo "  goal: timing: 50 MIPS or more (gem5 TimingSimpleCPU: about 0.9 MIPS; issue 9's figure, not measured here)"
echo "        measured: $(range "${timing_mips[@]}"), $(awk -v m="$tm" 'BEGIN { printf "%.0fx", m / 0.9 }') gem5's 0.9 MIPS" \
     "(median); $(verdict "$tm" 50)"
echo "  goal: o3: 5 MIPS or more (gem5 O3CPU: about 0.1-0.2 MIPS, issue 10's figure, not measured here)"
echo "        measured: $(range "${o3_mips[@]}"); $(verdict "$om" 5)"
echo "  goal: functional warming: 150 MIPS or more"
echo "        measured: $(range "${warm_mips[@]}"); $(verdict "$wm" 150); atomic in the same run: $(range "${atomic_mips[@]}")"
