#!/usr/bin/env bash
# bench_smp.sh - speed with several CPUs: for N CPUs (1, 2, 4, 8), boot once
# with --num-cpus N and checkpoint, then restore with a script that runs N
# copies of images/bench/matmul at once (one per CPU), on the atomic CPU and
# on the timing CPU with L1s, L2 and DDR3. Figures: aggregate MIPS of the
# whole restored run (every CPU's instructions since the checkpoint over
# run.ini's host seconds; each copy marks its own region of interest with m5
# resetstats/dumpstats, so the stats dumps are per copy, not per run) and
# its ratio to one CPU's (the goal: at least 0.8 with 4 CPUs). Every copy's
# output must equal the native run's.
#
# Knobs (environment): BENCH_SMP_CPUS ("1 2 4 8"), BENCH_SMP_TIMING_CPUS
# ("1 2 4": the timing runs take longer), BENCH_SMP_PROG (matmul), M5SIM,
# KERNEL, IMAGE. Called by scripts/bench.sh (make bench); runs alone too:
# scripts/bench_smp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

M5SIM=${M5SIM:-build/bin/m5sim}
KERNEL=${KERNEL:-build/images/vmlinux}
IMAGE=${IMAGE:-build/images/rootfs.img}
CPUS=${BENCH_SMP_CPUS:-1 2 4 8}
TIMING_CPUS=${BENCH_SMP_TIMING_CPUS:-1 2 4}
PROG=${BENCH_SMP_PROG:-matmul}
OUT=${BENCH_SMP_OUT:-build/bench-out/smp}

die() { echo "bench_smp: FAIL: $*" >&2; exit 1; }
calc() { local e=$1; shift; local args=(); for v in "$@"; do args+=(-v "$v"); done
         awk "${args[@]}" "BEGIN { printf \"%.6f\", $e }"; }

for f in "$M5SIM" "$KERNEL" "$IMAGE" "build/bench/$PROG"; do [ -e "$f" ] || die "$f missing (make all kernel image build/bench/$PROG)"; done
want=$(build/bench/"$PROG" | tail -1) || die "build/bench/$PROG failed natively"
rm -rf "$OUT"
mkdir -p "$OUT"

echo "  each restore runs N copies of /bench/$PROG at once; aggregate MIPS = instructions since the checkpoint / run.ini host_seconds"
printf '  %-5s %-28s %-28s\n' CPUs "atomic: MIPS (vs 1 CPU)" "timing L1+L2+DDR3: MIPS (vs 1 CPU)"
ato1="" tim1=""
for n in $CPUS; do
  d=$OUT/n$n
  mkdir -p "$d"
  "$M5SIM" -q --num-cpus "$n" --kernel "$KERNEL" --disk-image "$IMAGE" --checkpoint-dir "$d/ckpt" -d "$d/boot" \
      >/dev/null 2>"$d/boot.stderr" || die "boot with $n CPUs failed ($d/boot.stderr)"
  printf 'i=0; while [ $i -lt %d ]; do /bench/%s >/tmp/out$i & i=$((i + 1)); done; wait\ntail -q -n1 /tmp/out*\n' \
      "$n" "$PROG" >"$d/script.sh"
  ato="-" tim="-"
  for model in atomic timing; do
    [ "$model" = atomic ] || [[ " $TIMING_CPUS " == *" $n "* ]] || continue
    extra=()
    [ "$model" = atomic ] || extra=(--restore-with-cpu atomic --cpu-type timing --caches --l2cache)
    p=$d/$model
    "$M5SIM" -q --checkpoint-dir "$d/ckpt" -r 1 -d "$p" --script "$d/script.sh" "${extra[@]}" >/dev/null 2>"$p.stderr" ||
      die "$model restore with $n CPUs failed ($p.stderr)"
    got=$(tr -d '\r' <"$p/system.pc.com_1.device" | grep -cxF -- "$want" || true)
    [ "$got" -eq "$n" ] || die "$model, $n CPUs: $got of $n copies printed '$want' ($p/)"
    insts=$(sed -n 's/^instructions=//p' "$p/run.ini")
    secs=$(sed -n 's/^host_seconds=//p' "$p/run.ini")
    [ -n "$insts" ] && [ -n "$secs" ] || die "$model, $n CPUs: no instructions/host_seconds in $p/run.ini"
    # run.ini counts from power-on: less what the CPUs had retired at the checkpoint ([cpuN] instructions)
    before=0
    for v in $(sed -n 's/^instructions=//p' "$d"/ckpt/cpt.*/m5.cpt); do before=$((before + v)); done   # hex
    mips=$(calc '(i - b) / s / 1e6' i="$insts" b="$before" s="$secs")
    if [ "$model" = atomic ]; then
      [ -n "$ato1" ] || ato1=$mips
      ato=$(printf '%.1f (%.2f)' "$mips" "$(calc 'a / b' a="$mips" b="$ato1")")
    else
      [ -n "$tim1" ] || tim1=$mips
      tim=$(printf '%.1f (%.2f)' "$mips" "$(calc 'a / b' a="$mips" b="$tim1")")
    fi
  done
  printf '  %-5s %-28s %-28s\n' "$n" "$ato" "$tim"
done
echo "  (goal: aggregate MIPS with 4 CPUs at least 0.8 of one CPU's; outputs in $OUT/)"
