#!/bin/bash
# 59_debian_qemu.sh - QEMU checks the Debian image independently of m5sim:
# `qemu-system-x86_64 -M pc -accel tcg` (SeaBIOS, i440FX, PIIX3 IDE) boots
# Debian's stock kernel and the initramfs of images/debian-kernel.sh with the
# image of images/debian-image.sh on its IDE disk, the same three files
# 58_debian_image.sh boots on m5sim. The guest must reach the rcS service:
# m5sim-rcs prints "m5sim-rcs: started" before any m5 op, the rcS prints
# "rcS: checkpoint", the m5 agent finds no m5 device (QEMU has none) and says
# so, the rcS stops, and m5sim-rcs powers the machine off, which ends QEMU
# (-no-reboot). The base image must be unchanged (snapshot=on).
#
# QEMU_TIMEOUT (300 s) bounds the boot; the first run builds the image and
# fetches the kernel (both cached under ~/.cache/m5sim).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=debian-qemu
. tests/system/lib.sh

D=${DEBIAN_KERNEL_DIR:-build/images/debian}
O=build/tests/debian-qemu
IMG=${DEBIAN_IMAGE:-build/images/debian.img}
LIMIT=${QEMU_TIMEOUT:-300}
command -v qemu-system-x86_64 >/dev/null || { fail "setup: qemu-system-x86_64 missing (scripts/deps.sh)"; finish; exit 1; }
rm -rf "$O"
mkdir -p "$O"
if ! images/debian-kernel.sh "$D" >"$O/kernel.log" 2>&1; then
    fail "setup: images/debian-kernel.sh failed: $(indent "$O/kernel.log" 5)"; finish; exit 1
fi
if [ -z "${DEBIAN_IMAGE:-}" ] && ! nice images/debian-image.sh -o "$IMG" -m build/guest/m5 >"$O/image.log" 2>&1; then
    fail "setup: images/debian-image.sh failed: $(indent "$O/image.log" 10)"; finish; exit 1
fi
sum_before=$(sha256sum <"$IMG")

t0=$(now)
set +e
nice timeout "$LIMIT" qemu-system-x86_64 -M pc -accel tcg -m 512M -smp 1 -nographic -no-reboot \
    -kernel "$D/vmlinuz" -initrd "$D/initramfs.cpio.gz" \
    -append "console=ttyS0 root=/dev/sda rw panic=-1" \
    -drive "file=$IMG,format=raw,if=ide,snapshot=on" </dev/null 2>&1 | tr -d '\r' >"$O/console.log"
rc=${PIPESTATUS[0]}
set -e
note "QEMU ran $(secs "$t0" "$(now)") s (status $rc)"
con=$O/console.log

check "QEMU exits by itself (the guest powered off) within ${LIMIT}s" "status $rc: $(tail -3 "$con")" \
    bash -c "[ $rc -eq 0 ] && grep -q 'reboot: Power down' '$con'"
check "it is Debian's kernel, on QEMU's firmware" "$(grep -a -m1 -e 'Linux version' -e 'DMI:' "$con")" \
    bash -c "grep -a -q 'Linux version .*(debian-kernel@lists.debian.org)' '$con' && grep -a -q 'DMI: QEMU' '$con'"
check "the initramfs's ata_piix finds QEMU's PIIX3 disk; root is ext4 on /dev/sda" "not mounted" \
    bash -c "grep -a -q 'ata_piix' '$con' && grep -a -q 'EXT4-fs (sda): mounted' '$con'"
check "systemd starts the rcS service, which prints its marker before any m5 op" \
    "$(grep -a -m3 -e 'systemd\[1\]: systemd' -e 'm5sim-rcs' "$con")" \
    bash -c "grep -a -A1 '^m5sim-rcs: started' '$con' | grep -a -q '^rcS: checkpoint'"
check "the m5 agent says there is no m5 device; the rcS stops" "$(grep -a -m3 -e '^m5:' -e '^rcS:' "$con")" \
    bash -c "grep -a -q '^m5: no m5 device' '$con' && grep -a -q '^rcS: readfile failed' '$con'"
check "m5sim-rcs powers the machine off when m5 exit fails" "$(grep -a 'm5sim-rcs' "$con" | tail -2)" \
    grep -a -q '^m5sim-rcs: m5 exit failed (no m5 device?); powering off' "$con"
check "no unit failed" "$(grep -a -m3 'FAILED' "$con")" bash -c "! grep -a -q 'FAILED' '$con'"
check "the base image is unchanged" "sha256 changed" bash -c "[ '$(sha256sum <"$IMG")' = '$sum_before' ]"
finish
