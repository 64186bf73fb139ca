#!/usr/bin/env bash
# Run every benchmark of images/bench/ inside the guest under QEMU (TCG) and
# check that each prints exactly what it prints natively: the guest kernel,
# image, static musl binaries and libm5 (a no-op without an m5 device) give
# the same deterministic answers as the host. This also exercises
# mkimage.sh --rcs (a replacement rcS) and --add.
#
# Run from the top of the tree after `make kernel image`.
set -euo pipefail

name="qemu bench"
kernel=build/images/bzImage
m5=build/guest/m5
logdir=build/tests
work=$logdir/qemu_bench
log=$logdir/qemu_bench.log
limit=${QEMU_TIMEOUT:-300}

fail() {
  echo "FAIL $name: $1"
  if [ -s "$log" ]; then
    echo "---- last 30 lines of $log ----"
    tail -30 "$log" | tr -d '\r'
  fi
  exit 1
}

[ -f "$kernel" ] || fail "$kernel missing (make kernel)"
[ -f "$m5" ]     || fail "$m5 missing (make guest)"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not installed (make deps)"
benches=()
for src in images/bench/*.c; do
  b=$(basename "$src" .c)
  [ -x "build/bench/$b" ] || fail "build/bench/$b missing (make image builds it)"
  benches+=("$b")
done
[ ${#benches[@]} -gt 0 ] || fail "no benchmarks in images/bench/"
rm -rf "$work"; mkdir -p "$work/bench"
rm -f "$log"

# Native reference output. M5_MODE=none keeps libm5 away from the host's
# /dev/mem even when run as root.
: >"$work/expected"
for b in "${benches[@]}"; do
  cp "build/bench/$b" "$work/bench/"
  out=$(M5_MODE=none "build/bench/$b") || fail "build/bench/$b failed natively"
  echo "bench-out: $out" >>"$work/expected"
done

cat >"$work/rcS" <<'EOF'
#!/bin/sh
# tests/system/11_qemu_bench.sh: run each benchmark once with its defaults.
echo "bench-test: start"
for b in /bench/*; do
  out=$($b) || echo "bench-test: $b failed with status $?"
  echo "bench-out: $out"
done
echo "bench-test: marker file says: $(cat /opt/m5sim-test/marker)"
echo "bench-test: done"
EOF
echo "added by --add" >"$work/marker"
images/mkimage.sh -o "$work/bench.img" -m "$m5" --bench "$work/bench" --rcs "$work/rcS" \
  --add "$work/marker:/opt/m5sim-test/marker" >"$work/mkimage.log" 2>&1 \
  || { cat "$work/mkimage.log"; fail "mkimage.sh failed"; }

t0=$EPOCHREALTIME
set +e
timeout "$limit" qemu-system-x86_64 -M microvm,acpi=off -accel tcg -m 256M -smp 1 \
  -nographic -no-reboot -kernel "$kernel" \
  -append "console=ttyS0 root=/dev/vda rw reboot=t panic=-1" \
  -drive "id=d0,file=$work/bench.img,format=raw,if=none,snapshot=on" \
  -device virtio-blk-device,drive=d0 </dev/null 2>&1 | tr -d '\r' >"$log"
rc=${PIPESTATUS[0]}
set -e
t1=$EPOCHREALTIME

[ "$rc" -ne 124 ] || fail "QEMU did not exit within ${limit}s"
grep -q '^bench-test: done' "$log" || fail "the benchmark rcS did not finish"
grep -q '^bench-test: marker file says: added by --add' "$log" || fail "--add content missing in the guest"
if grep -q '^bench-test: .* failed' "$log"; then
  fail "$(grep -m1 '^bench-test: .* failed' "$log")"
fi
grep '^bench-out: ' "$log" >"$work/actual" || true
if ! diff -u "$work/expected" "$work/actual" >"$work/diff"; then
  cat "$work/diff"
  fail "guest output differs from native output (diff above)"
fi
echo "PASS $name: ${#benches[@]} benchmarks (${benches[*]}) print the same in the guest as natively;" \
     "QEMU run $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s (log $log)"
