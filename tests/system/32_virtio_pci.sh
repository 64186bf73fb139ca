#!/bin/bash
# 32_virtio_pci.sh - the root disk on virtio-blk over the modern virtio-pci
# transport (--disk-controller virtio-pci): m5sim's own kernel finds the PCI
# function, takes the modern driver (the kernel has no legacy virtio-pci),
# gets INTA through the MP table, mounts root from /dev/vda and reaches the
# rcS loop and its checkpoint; the checkpoint records the controller and
# the function's configuration space; two restores then run two new scripts
# that write, re-read (after dropping the page cache, so through the
# virtqueue) and compare files on the disk.
#
# Inputs: build/images/vmlinux (with CONFIG_VIRTIO_PCI) and build/images/rootfs.img.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=virtio-pci
. tests/system/lib.sh

O=build/tests/virtio-pci
fs_preflight || exit 1
rm -rf "$O"
mkdir -p "$O"

# ------------------------------------------------------------------ boot --
run_m5sim "$T_BOOT" "$O/boot.stderr" -q --kernel "$KERNEL" --disk-image "$IMAGE" \
    --disk-controller virtio-pci --checkpoint-dir "$O/ckpt" -d "$O/boot"
con=$O/boot/$CONSOLE
check "boot: reaches the rcS loop, takes its checkpoint and exits 0" "status $rc, $(indent "$O/boot.stderr" 2)" \
    bash -c "[ $rc -eq 0 ] && grep -q '^rcS: checkpoint' '$con'"
check "boot: PCI finds the virtio function 1af4:1042 at 00:02.0" "no such line" \
    grep -q 'pci 0000:00:02.0: \[1af4:1042\]' "$con"
check "boot: virtio_blk drives it as /dev/vda" "no vda line" grep -q 'virtio_blk virtio0: .*\[vda\]' "$con"
check "boot: root is ext4 on /dev/vda" "not mounted" grep -q 'EXT4-fs (vda): mounted' "$con"
check "boot: no virtio-mmio device on the command line" "$(grep -o 'virtio_mmio.device=[^ ]*' "$con" | head -1)" \
    bash -c "! grep -q 'virtio_mmio.device=' '$con'"
check "boot: the checkpoint records virtio-pci ([platform] disk_controller=0x2, [virtio_pci0], [virtio_blk0])" \
    "$(grep -A1 '^\[platform\]' "$O"/ckpt/cpt.*/m5.cpt | tr '\n' ' ')" \
    bash -c "grep -A1 '^\[platform\]' $O/ckpt/cpt.*/m5.cpt | grep -qx 'disk_controller=0x2' &&
             grep -q '^\[virtio_pci0\]' $O/ckpt/cpt.*/m5.cpt && grep -q '^\[virtio_blk0\]' $O/ckpt/cpt.*/m5.cpt &&
             ! grep -q '^\[piix_ide\]' $O/ckpt/cpt.*/m5.cpt"
warnings=$(grep -iE 'warn|bug|error|fail|invalid|can.t' "$con" || true)
check "boot: no kernel warnings or errors on the console" "$(echo "$warnings" | head -3)" test -z "$warnings"

# --------------------------------------------------------------- restores --
# Markers are built at run time so a script's text is never mistaken for its output.
cat >"$O/a.sh" <<'EOS'
dd if=/dev/urandom of=/root/a bs=64k count=48 2>/dev/null
w=$(md5sum </root/a); sync; echo 3 >/proc/sys/vm/drop_caches
r=$(md5sum </root/a)
[ "$w" = "$r" ] && echo "A-$((6*7)) virtqueue-roundtrip-ok"
EOS
cat >"$O/b.sh" <<'EOS'
echo 3 >/proc/sys/vm/drop_caches
n=$(cat /bin/busybox | wc -c)
[ "$n" -gt 100000 ] && echo "B-$((6*7)) read $n bytes"
EOS
for s in a b; do
    rm -rf "$O/restore-$s"
    run_m5sim "$T_RUN" "$O/restore-$s.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 -d "$O/restore-$s" \
        --script "$O/$s.sh"
    want=A-42; [ $s = b ] && want=B-42
    check "restore $s: the new script runs on the virtio-pci disk ($want)" \
        "status $rc, $(tail -n 3 "$O/restore-$s/$CONSOLE" 2>/dev/null | tr '\n' ' ')" \
        grep -q "^$want" "$O/restore-$s/$CONSOLE"
done
finish
