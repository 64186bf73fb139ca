#!/usr/bin/env bash
# bench_smp.sh - speed with several CPUs: for N CPUs (1, 2, 4, 8), boot once
# with --num-cpus N and checkpoint, then restore with a script that runs the
# threaded benchmark images/bench/stencil with N threads, on the atomic CPU
# and on the timing CPU with L1s, L2 and DDR3. Figures: aggregate MIPS of its
# region of interest (simInsts / hostSeconds of the dump its m5
# resetstats/dumpstats bracket: every CPU's instructions together), its
# ratio to one CPU's (the goal: at least 0.8 with 4 CPUs), and the least
# busy CPU's share of the instructions (1/N when all are equally busy). Its
# output must equal the native run's (the same for every thread count).
#
# Knobs (environment): BENCH_SMP_CPUS ("1 2 4 8"), BENCH_SMP_TIMING_CPUS
# ("1 2 4": the timing runs take longer), M5SIM,
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
PROG=stencil
OUT=${BENCH_SMP_OUT:-build/bench-out/smp}

die() { echo "bench_smp: FAIL: $*" >&2; exit 1; }
# first_dump STATS_JSON: "simInsts hostSeconds leastShare" of the first dump (the region of interest).
first_dump() {
  awk 'NR == 1 {
         match($0, /"simInsts":[0-9]+/); n = substr($0, RSTART + 11, RLENGTH - 11)
         match($0, /"hostSeconds":[0-9.e+-]+/); h = substr($0, RSTART + 14, RLENGTH - 14)
         least = -1; s = $0
         while (match(s, /"system\.cpu[0-9]*\.commitStats0\.numInsts":[0-9]+/)) {
           v = substr(s, RSTART, RLENGTH); sub(/.*:/, "", v); v += 0
           if (least < 0 || v < least) least = v
           s = substr(s, RSTART + RLENGTH)
         }
         if (n > 0 && h > 0) printf "%d %.6f %.4f\n", n, h, least / n }' "$1"
}
calc() { local e=$1; shift; local args=(); for v in "$@"; do args+=(-v "$v"); done
         awk "${args[@]}" "BEGIN { printf \"%.6f\", $e }"; }

for f in "$M5SIM" "$KERNEL" "$IMAGE" "build/bench/$PROG"; do [ -e "$f" ] || die "$f missing (make all kernel image build/bench/$PROG)"; done
want=$(build/bench/"$PROG" | tail -1) || die "build/bench/$PROG failed natively"
rm -rf "$OUT"
mkdir -p "$OUT"

echo "  each restore runs /bench/$PROG N (N threads); aggregate MIPS = simInsts / hostSeconds of its region of interest"
printf '  %-5s %-36s %-36s\n' CPUs "atomic: MIPS (vs 1 CPU), least busy" "timing L1+L2+DDR3: MIPS (vs 1), least"
ato1="" tim1=""
for n in $CPUS; do
  d=$OUT/n$n
  mkdir -p "$d"
  "$M5SIM" -q --num-cpus "$n" --kernel "$KERNEL" --disk-image "$IMAGE" --checkpoint-dir "$d/ckpt" -d "$d/boot" \
      >/dev/null 2>"$d/boot.stderr" || die "boot with $n CPUs failed ($d/boot.stderr)"
  printf '/bench/%s %d\n' "$PROG" "$n" >"$d/script.sh"
  ato="-" tim="-"
  for model in atomic timing; do
    [ "$model" = atomic ] || [[ " $TIMING_CPUS " == *" $n "* ]] || continue
    extra=()
    [ "$model" = atomic ] || extra=(--restore-with-cpu atomic --cpu-type timing --caches --l2cache)
    p=$d/$model
    "$M5SIM" -q --checkpoint-dir "$d/ckpt" -r 1 -d "$p" --script "$d/script.sh" "${extra[@]}" >/dev/null 2>"$p.stderr" ||
      die "$model restore with $n CPUs failed ($p.stderr)"
    got=$(tr -d '\r' <"$p/system.pc.com_1.device" | grep -cxF -- "$want" || true)
    [ "$got" -eq 1 ] || die "$model, $n CPUs: no '$want' on the guest console ($p/)"
    read -r insts secs least < <(first_dump "$p/stats.json")
    mips=$(calc 'i / s / 1e6' i="$insts" s="$secs")
    if [ "$model" = atomic ]; then
      [ -n "$ato1" ] || ato1=$mips
      ato=$(printf '%.1f (%.2f), %.2f' "$mips" "$(calc 'a / b' a="$mips" b="$ato1")" "$least")
    else
      [ -n "$tim1" ] || tim1=$mips
      tim=$(printf '%.1f (%.2f), %.2f' "$mips" "$(calc 'a / b' a="$mips" b="$tim1")" "$least")
    fi
  done
  printf '  %-5s %-36s %-36s\n' "$n" "$ato" "$tim"
done
echo "  (least busy: the smallest CPU's share of the instructions, 1/N when all are equally busy;"
echo "   goal: aggregate MIPS with 4 CPUs at least 0.8 of one CPU's; outputs in $OUT/)"
