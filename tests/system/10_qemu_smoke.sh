#!/usr/bin/env bash
# QEMU smoke test of the guest kernel and disk image, independent of m5sim:
# boot build/images/bzImage with build/images/rootfs.img under QEMU's TCG
# (microvm, virtio-mmio block device, serial console) and check that the
# kernel boots and mounts the root, init runs the rcS, the rcS takes its
# checkpoint, the m5 agent says plainly that there is no m5 device, init
# reboots and QEMU exits by itself, and the base image is unchanged.
#
# Run from the top of the tree after `make kernel image`; M5SIM_KERNEL and
# M5SIM_IMAGE select another bzImage or disk image.
set -euo pipefail

name="qemu smoke"
kernel=${M5SIM_KERNEL:-build/images/bzImage}
image=${M5SIM_IMAGE:-build/images/rootfs.img}
logdir=build/tests
log=$logdir/qemu_smoke.log
limit=${QEMU_TIMEOUT:-120}

fail() {
  echo "FAIL $name: $1"
  if [ -s "$log" ]; then
    echo "---- last 30 lines of $log ----"
    tail -30 "$log" | tr -d '\r'
  fi
  exit 1
}

[ -f "$kernel" ] || fail "$kernel missing (make kernel)"
[ -f "$image" ]  || fail "$image missing (make image)"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not installed (make deps)"
mkdir -p "$logdir"
rm -f "$log"

sum_before=$(sha256sum "$image" | cut -d' ' -f1)

# microvm,acpi=off: the kernel has no ACPI, so it learns about the virtio-mmio
# disk only from the command line, which QEMU's microvm appends itself
# (virtio_mmio.device=...) when ACPI is off. reboot=t makes the guest's
# `reboot -f` a triple fault, which -no-reboot turns into QEMU exiting;
# panic=-1 does the same for a kernel panic, so a broken boot fails fast.
# snapshot=on: guest writes go to a temporary overlay, never to the image.
qemu=(qemu-system-x86_64 -M microvm,acpi=off -accel tcg -m 256M -smp 1
      -nographic -no-reboot
      -kernel "$kernel"
      -append "console=ttyS0 root=/dev/vda rw reboot=t panic=-1"
      -drive "id=d0,file=$image,format=raw,if=none,snapshot=on"
      -device virtio-blk-device,drive=d0)

t_start=$EPOCHREALTIME
t_init="" t_rcs=""
set +e
timeout "$limit" "${qemu[@]}" </dev/null 2>&1 | {
  while IFS= read -r line; do
    printf '%s\n' "${line%$'\r'}"
    case "$line" in
      *"m5sim-init: running"*) echo "$EPOCHREALTIME" >"$log.t_init" ;;
      *"rcS: checkpoint"*)     echo "$EPOCHREALTIME" >"$log.t_rcs" ;;
    esac
  done
} >"$log"
rc=${PIPESTATUS[0]}
set -e
t_end=$EPOCHREALTIME
[ -f "$log.t_init" ] && t_init=$(cat "$log.t_init")
[ -f "$log.t_rcs" ] && t_rcs=$(cat "$log.t_rcs")
rm -f "$log.t_init" "$log.t_rcs"

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ------------------------------------------------------------- checks --
[ "$rc" -ne 124 ] || fail "QEMU did not exit within ${limit}s (init did not reboot?)"
grep -q 'Linux version' "$log"               || fail "no kernel output on the serial console"
if grep -q 'Kernel panic' "$log"; then
  fail "kernel panic: $(grep -m1 'Kernel panic' "$log" | tr -d '\r')"
fi
grep -q 'virtio_mmio.device=' "$log" || fail "no virtio_mmio.device= on the kernel command line (QEMU too old for microvm auto-kernel-cmdline?)"
grep -q 'VFS: Mounted root (ext4'  "$log"     || fail "root file system not mounted"
grep -q 'Run /sbin/init as init process' "$log" || fail "kernel did not run /sbin/init"
grep -q 'm5sim-init: running /etc/init.d/rcS' "$log" || fail "init did not print its marker"
grep -q '^rcS: checkpoint' "$log"             || fail "rcS did not reach its checkpoint"
grep -q '^m5: no m5 device' "$log" \
  || fail "the m5 agent did not report the missing m5 device ('m5: no m5 device...' expected on the console)"
grep -q 'm5sim-init: .*rebooting' "$log"      || fail "init did not reach its reboot after m5 exit"
grep -q 'reboot: Restarting system' "$log"    || fail "the kernel did not reboot"
[ "$rc" -eq 0 ] || fail "QEMU exited with status $rc"

sum_after=$(sha256sum "$image" | cut -d' ' -f1)
[ "$sum_before" = "$sum_after" ] || fail "$image changed during the boot (snapshot=on should prevent it)"

echo "PASS $name: booted to init in $(secs "$t_start" "${t_init:-$t_end}") s, rcS checkpoint marker at" \
     "$(secs "$t_start" "${t_rcs:-$t_end}") s, QEMU exited after $(secs "$t_start" "$t_end") s;" \
     "agent reported no m5 device; image unchanged (log $log)"
