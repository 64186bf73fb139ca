#!/bin/bash
# 31_bzimage.sh - a bzImage boots with its payload decompressed by m5sim on
# the host (the default) and with --run-decompressor (the kernel's own
# decompressor interpreted in the guest): both reach the rcS loop and run a
# script, their consoles are the same line for line once the printk
# timestamps (and sched_clock's readings) are set aside (the decompressor's
# simulated time shifts them),
# and the host-decompressed boot runs far fewer instructions (its count
# starts at the kernel proper). A bzImage whose payload is corrupted is
# refused with one line and exit status 2 before any instruction runs.
#
# Inputs: build/images/bzImage (make kernel; its compression is the kernel
# config's CONFIG_KERNEL_*) and build/images/rootfs.img; BZIMAGE overrides.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=bzimage
. tests/system/lib.sh

BZIMAGE=${BZIMAGE:-build/images/bzImage}
O=build/tests/bzimage
for f in "$M5SIM" "$BZIMAGE" "$IMAGE"; do
    [ -f "$f" ] || { fail "setup: $f missing (make all kernel image)"; finish; exit 1; }
done
rm -rf "$O"
mkdir -p "$O"
echo 'echo "BZ-SCRIPT $((6*7))"' >"$O/script.sh"

# boot NAME ARGS...: boot the bzImage into $O/NAME with the script; status in $rc.
boot() {
    local name=$1
    shift
    run_m5sim "$T_BOOT" "$O/$name.stderr" -q --kernel "$BZIMAGE" --disk-image "$IMAGE" \
        --script "$O/script.sh" -d "$O/$name" "$@"
}
boot host
host_rc=$rc
boot guest --run-decompressor
guest_rc=$rc

for m in host guest; do
    r=host_rc; [ $m = guest ] && r=guest_rc
    check "$m: boots to the rcS loop, runs the script and ends with m5 exit, status 0" \
        "status ${!r}, exit_cause '$(ini_get "$O/$m/run.ini" exit_cause)'" \
        bash -c "[ ${!r} -eq 0 ] && grep -q '^BZ-SCRIPT 42' '$O/$m/$CONSOLE' &&
                 grep -q '^rcS: no more scripts' '$O/$m/$CONSOLE'"
done
fmt=$(ini_get "$O/host/config.ini" payload)
check "host: config.ini names the payload m5sim decompressed ($fmt)" "no payload= line in [boot]" \
    test -n "$fmt"
check "guest: config.ini names no payload (the kernel decompressed itself)" "payload=$(ini_get "$O/guest/config.ini" payload)" \
    test -z "$(ini_get "$O/guest/config.ini" payload)"
check "host: the CPU starts at the kernel proper, not at the decompressor (entry 0x100200)" \
    "entry $(ini_get "$O/host/config.ini" entry)" \
    test "$(ini_get "$O/host/config.ini" entry)" != 0x100200

# The printk timestamps, and the one line that prints clock readings, depend on when the kernel started.
strip_time() { sed -e 's/^\[ *[0-9]*\.[0-9]*\] //' -e '/^sched_clock: Marking stable/d' "$1"; }
strip_time "$O/host/$CONSOLE" >"$O/host.console"
strip_time "$O/guest/$CONSOLE" >"$O/guest.console"
check "consoles: the same lines with either decompression (timestamps aside)" \
    "$(diff "$O/host.console" "$O/guest.console" | head -4 | tr '\n' ' ')" \
    cmp -s "$O/host.console" "$O/guest.console"

hi=$(ini_get "$O/host/run.ini" instructions)
gi=$(ini_get "$O/guest/run.ini" instructions)
note "instructions: $hi with host decompression, $gi with --run-decompressor"
check "instructions: host decompression runs less than a quarter of the guest decompressor's boot" \
    "$hi vs $gi" bash -c "[ -n '$hi' ] && [ -n '$gi' ] && [ \$(( $hi * 4 )) -lt $gi ]"

# A payload corrupted in its middle: one line naming the file, status 2.
setup_sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$BZIMAGE" | tr -d ' ')
poff=$(od -An -tu4 -j $((0x248)) -N4 "$BZIMAGE" | tr -d ' ')
plen=$(od -An -tu4 -j $((0x24c)) -N4 "$BZIMAGE" | tr -d ' ')
cp "$BZIMAGE" "$O/bad.bzImage"
at=$(( (setup_sects + 1) * 512 + poff + plen / 2 ))
head -c 256 /dev/zero | dd of="$O/bad.bzImage" bs=1 seek="$at" conv=notrunc status=none
run_m5sim "$T_RUN" "$O/bad.stderr" -q --kernel "$O/bad.bzImage" --disk-image "$IMAGE" -d "$O/bad"
check "corrupt payload: refused with exit status 2 and one line naming the file" \
    "status $rc, stderr: $(head -2 "$O/bad.stderr" | tr '\n' ' ')" \
    bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$O/bad.stderr') -eq 1 ] &&
             grep -q '^m5sim: $O/bad.bzImage: bzImage payload: .*--run-decompressor' '$O/bad.stderr'"
finish
