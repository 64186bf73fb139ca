#!/bin/bash
# 33_virtio_mmio.sh - the root disk on virtio-blk over virtio-mmio
# (--disk-controller virtio-mmio, no longer the default: that is PIIX, as on
# gem5's PC). m5sim announces the device on the kernel command line
# (virtio_mmio.device=), the kernel mounts root from /dev/vda and reaches the
# rcS loop and its checkpoint, which records the controller. A restore
# without --disk-controller runs on the checkpoint's controller, not the
# default; asking for another is refused. An index older than the platform
# sections (format version 2, which has no [platform]) restores as the
# virtio-mmio PC it was taken on and runs a script exactly as the original
# index does.
#
# Inputs: build/images/vmlinux (with CONFIG_VIRTIO_MMIO) and build/images/rootfs.img.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=virtio-mmio
. tests/system/lib.sh

O=build/tests/virtio-mmio
fs_preflight || exit 1
rm -rf "$O"
mkdir -p "$O"

# ------------------------------------------------------------------ boot --
run_m5sim "$T_BOOT" "$O/boot.stderr" -q --kernel "$KERNEL" --disk-image "$IMAGE" \
    --disk-controller virtio-mmio --checkpoint-dir "$O/ckpt" -d "$O/boot"
con=$O/boot/$CONSOLE
check "boot: reaches the rcS loop, takes its checkpoint and exits 0" "status $rc, $(indent "$O/boot.stderr" 2)" \
    bash -c "[ $rc -eq 0 ] && grep -q '^rcS: checkpoint' '$con'"
check "boot: the device is announced on the command line (virtio_mmio.device=4K@0xd0000000:5)" "no such option" \
    grep -q 'virtio_mmio.device=4K@0xd0000000:5' "$con"
check "boot: virtio_blk drives it as /dev/vda" "no vda line" grep -q 'virtio_blk virtio0: .*\[vda\]' "$con"
check "boot: root is ext4 on /dev/vda, no ATA disk" "not mounted" \
    bash -c "grep -q 'EXT4-fs (vda): mounted' '$con' && ! grep -q 'ata_piix' '$con'"
cpt=$(first_match "$O/ckpt/cpt.*")
check "boot: the checkpoint records virtio-mmio ([platform] disk_controller=0x0, [virtio_blk0], no [piix_ide])" \
    "$(grep -A1 '^\[platform\]' "$cpt/m5.cpt" | tr '\n' ' ')" \
    bash -c "grep -A1 '^\[platform\]' '$cpt/m5.cpt' | grep -qx 'disk_controller=0x0' &&
             grep -q '^\[virtio_blk0\]' '$cpt/m5.cpt' && ! grep -q '^\[piix_ide\]' '$cpt/m5.cpt'"

# --------------------------------------------------------------- restores --
# The marker is built at run time so the script's text is never mistaken for its output.
cat >"$O/a.sh" <<'EOS'
echo 3 >/proc/sys/vm/drop_caches
n=$(cat /bin/busybox | wc -c)
[ "$n" -gt 100000 ] && echo "A-$((6*7)) read $n bytes; disks: $(ls /sys/block | tr '\n' ' ')"
EOS
run_m5sim "$T_RUN" "$O/restore.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 -d "$O/restore" --script "$O/a.sh"
check "restore: without --disk-controller, the script runs on the checkpoint's virtio-mmio disk (vda, no sda)" \
    "status $rc, $(tail -n 3 "$O/restore/$CONSOLE" 2>/dev/null | tr '\n' ' ')" \
    bash -c "[ $rc -eq 0 ] && grep -q '^A-42 read [0-9]* bytes; disks: vda[[:space:]]*\$' '$O/restore/$CONSOLE' &&
             grep -qx 'disk_controller=virtio-mmio' '$O/restore/config.ini'"

run_m5sim "$T_RUN" "$O/mismatch.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --disk-controller piix -d "$O/mismatch"
check "restore: --disk-controller piix (the default for a boot) is refused for it (exit 2, one line)" \
    "status $rc: $(indent "$O/mismatch.stderr" 2)" \
    bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$O/mismatch.stderr') -eq 1 ] && grep -q 'virtio-mmio' '$O/mismatch.stderr'"

# A version 2 index, as m5sim wrote before the PC platform sections (format 3):
# no [platform], [pci_host], [acpi_pm], re-sealed by ckpt_refingerprint.
REFP=$O/ckpt_refingerprint
cc -std=gnu11 -D_GNU_SOURCE -Ihost -o "$REFP" tests/tools/ckpt_refingerprint.c host/ckpt/fingerprint.c
mkdir -p "$O/v2"
cp -r --sparse=always "$cpt" "$O/v2/"
v2=$O/v2/$(basename "$cpt")
awk '/^\[/ { skip = ($0 == "[platform]" || $0 == "[pci_host]" || $0 == "[acpi_pm]") } !skip' "$v2/m5.cpt" >"$v2/m5.cpt.v2"
mv "$v2/m5.cpt.v2" "$v2/m5.cpt"
sed -i 's/^format_version=.*/format_version=2/' "$v2/m5.cpt"
"$REFP" "$v2/m5.cpt"
run_m5sim "$T_RUN" "$O/restore-v2.stderr" -q --checkpoint-dir "$O/v2" -r 1 -d "$O/restore-v2" --script "$O/a.sh"
check "version 2 index (no platform sections): restores as the virtio-mmio PC, console identical to the version 3 restore" \
    "status $rc; $(cmp "$O/restore/$CONSOLE" "$O/restore-v2/$CONSOLE" 2>&1 | head -1); $(indent "$O/restore-v2.stderr" 2)" \
    bash -c "[ $rc -eq 0 ] && ! grep -q '^\[platform\]' '$v2/m5.cpt' && grep -q '^A-42' '$O/restore-v2/$CONSOLE' &&
             cmp -s '$O/restore/$CONSOLE' '$O/restore-v2/$CONSOLE'"
finish
