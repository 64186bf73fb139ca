#!/usr/bin/env bash
# bench_kvm.sh - KVM fast-forward speed against native, in seconds.
#
# The loops of the synthetic guest of tests/system/62_kvm_checkpoint.sh
# (tests/system/guests/kvm_ckpt_guest.S, built with -DBENCH: no checkpoint)
# booted with --cpu-type kvm, against the same loops built as a Linux user
# program (-DNATIVE) run natively. The instruction count is the atomic
# model's for the same guest (exact; under KVM's time quanta m5sim's own
# count is host time scaled to the guest clock); MIPS = that count / the
# wall time of the m5sim run (its start-up included) or of the native run
# (median of 3).
#
# Where the probe refuses this host's KVM (this project's kvm-pvm), one line
# gives its reason; if /dev/kvm still runs supervisor code, a second line
# measures the same guest with M5SIM_KVM_UNPROBED=1 (for tests only), which
# on kvm-pvm shows its emulation of supervisor-mode code, not hardware speed.
#
# Knobs: BENCH_KVM_STEPS (20000000 where KVM runs Linux; 100000 otherwise), M5SIM.
# Called by scripts/bench.sh (make bench); runs alone too: scripts/bench_kvm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

M5SIM=$(realpath "${M5SIM:-build/bin/m5sim}")
SRC=$(pwd)/tests/system/guests/kvm_ckpt_guest.S
OUT=${BENCH_KVM_OUT:-build/bench-out/kvm}
row() { printf '  %-38s %s\n' "$1" "$2"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }
mips() { awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.1f", n / t / 1e6; else print "n/a" }'; }

[ -x "$M5SIM" ] || { echo "bench_kvm: FAIL: $M5SIM is missing (run make)" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"
if [ ! -e /dev/kvm ]; then
  row "KVM fast-forward" "not measured: this host has no /dev/kvm"
  exit 0
fi
truncate -s 1M disk.img

# build STEPS: the guest (guest.elf) and the native program (native) with that many steps a phase.
build() {
  gcc -nostdlib -static -no-pie -Wl,-Ttext-segment=0x1000000 -Wl,--build-id=none -DBENCH -DSTEPS="$1" \
      -o guest.elf "$SRC" &&
  gcc -nostdlib -static -no-pie -DNATIVE -DSTEPS="$1" -o native "$SRC"
}
# measure LABEL: MIPS under kvm (env as set by the caller) vs native, one row.
measure() {
  "$M5SIM" --kernel guest.elf --disk-image disk.img -d atomic --cpu-type atomic 2>atomic.err >/dev/null ||
    { echo "bench_kvm: FAIL: the atomic run failed: $(tail -1 atomic.err)" >&2; exit 1; }
  local n t0 t1 tk times=() tn
  n=$(sed -n 's/.*m5 exit after \([0-9]*\) instructions.*/\1/p' atomic.err)
  t0=$EPOCHREALTIME
  "$M5SIM" --kernel guest.elf --disk-image disk.img -d kvm -q --cpu-type kvm 2>kvm.err >/dev/null ||
    { echo "bench_kvm: FAIL: the kvm run failed: $(tail -1 kvm.err)" >&2; exit 1; }
  t1=$EPOCHREALTIME
  tk=$(elapsed "$t0" "$t1")
  cmp -s atomic/system.pc.com_1.device kvm/system.pc.com_1.device ||
    { echo "bench_kvm: FAIL: the kvm run's console differs from the atomic run's" >&2; exit 1; }
  for _ in 1 2 3; do
    t0=$EPOCHREALTIME; ./native; t1=$EPOCHREALTIME
    times+=("$(elapsed "$t0" "$t1")")
  done
  tn=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)
  row "$1" "$(mips "$n" "$tk") MIPS under kvm ($n instructions in ${tk%???} s) vs native $(mips "$n" "$tn") MIPS: $(awk -v a="$tn" -v b="$tk" 'BEGIN { printf "%.2f%%", 100 * a / b }') of native"
  row "" "$(grep -m1 'instruction stops by' kvm.err | sed 's/^m5sim: kvm: //')"
}

build 1000 || { row "KVM fast-forward" "not measured: cannot build the synthetic guest with gcc"; exit 0; }
rc=0
"$M5SIM" --kernel guest.elf --disk-image disk.img -d probe -q --cpu-type kvm 2>probe.err >/dev/null || rc=$?
if [ "$rc" -eq 0 ]; then
  build "${BENCH_KVM_STEPS:-20000000}"
  measure "KVM fast-forward: synthetic loops"
  exit 0
fi
row "KVM fast-forward" "not measured: $(sed -n 's/^m5sim: --cpu-type kvm: //; s/; use atomic$//p' probe.err | head -1)"
build "${BENCH_KVM_STEPS:-100000}"
if (export M5SIM_KVM_UNPROBED=1; measure "supervisor loops, probe skipped") 2>/dev/null; then
  row "" "(M5SIM_KVM_UNPROBED=1: what this KVM does with supervisor code; not a Linux guest's speed)"
fi
