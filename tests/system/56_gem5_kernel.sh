#!/bin/bash
# 56_gem5_kernel.sh - a kernel configured like gem5's published x86 kernels
# (images/kernel/gem5-like.fragment: PCI, ata_piix, MP tables, ACPI, no
# virtio) finds the machine through its MP table and ACPI tables without a
# warning, boots an MBR-partitioned image (mkimage.sh --partition) with root
# on the PIIX IDE disk (root=/dev/sda1, --disk-controller piix), to the rcS
# loop and its checkpoint; two restores then run two new scripts that write,
# re-read (through DMA after dropping the page cache) and compare files.
# Last, the same kernel boots an initramfs given with --initrd.
#
# Inputs: build/images/gem5-like/vmlinux and build/images/rootfs-part.img
# (make test builds both; GEM5_KERNEL and PART_IMAGE override them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=gem5-kernel
. tests/system/lib.sh

GEM5_KERNEL=${GEM5_KERNEL:-build/images/gem5-like/vmlinux}
PART_IMAGE=${PART_IMAGE:-build/images/rootfs-part.img}
O=build/tests/gem5-kernel
for f in "$M5SIM" "$GEM5_KERNEL" "$PART_IMAGE"; do
    [ -f "$f" ] || { fail "setup: $f missing (make all $GEM5_KERNEL $PART_IMAGE)"; finish; exit 1; }
done
rm -rf "$O"
mkdir -p "$O"

# ------------------------------------------------------------------ boot --
rc=0
run_m5sim "$T_BOOT" "$O/boot.stderr" -q --kernel "$GEM5_KERNEL" --disk-image "$PART_IMAGE" \
    --disk-controller piix --cmdline "console=ttyS0 root=/dev/sda1 rw panic=-1 tsc=reliable" \
    --checkpoint-dir "$O/ckpt" -d "$O/boot"
con=$O/boot/$CONSOLE
check "boot: reaches the rcS loop and exits 0" "status $rc" \
    grep -q '^rcS: checkpoint' "$con"
check "boot: ata_piix drives the PIIX controller with bus-master DMA" "no ata_piix/bmdma line" \
    grep -q 'ata1: PATA max .*bmdma 0xc000 irq 14' "$con"
check "boot: the disk is an ATA drive, /dev/sda with partition sda1" "no sda1" grep -q 'sda: sda1' "$con"
check "boot: root is ext4 on /dev/sda1" "not mounted" grep -q 'EXT4-fs (sda1): mounted' "$con"
check "boot: Linux finds the MP table" "no MP table" grep -q 'found SMP MP-table' "$con"
check "boot: Linux configures the machine from ACPI (MADT, DSDT root bridge, IRQ routing)" "no ACPI" \
    bash -c "grep -q 'Using ACPI (MADT) for SMP' '$con' && grep -q 'PCI Root Bridge \[PCI0\]' '$con' &&
             grep -q 'ACPI: Using IOAPIC for interrupt routing' '$con'"
check "boot: the checkpoint records the PIIX controller ([platform] disk_controller=0x1, [piix_ide])" \
    "$(grep -A1 '^\[platform\]' "$O"/ckpt/cpt.*/m5.cpt | tr '\n' ' ')" \
    bash -c "grep -A1 '^\[platform\]' $O/ckpt/cpt.*/m5.cpt | grep -qx 'disk_controller=0x1' &&
             grep -q '^\[piix_ide\]' $O/ckpt/cpt.*/m5.cpt && ! grep -q '^\[virtio_blk' $O/ckpt/cpt.*/m5.cpt"
# (every ACPI machine prints the pci=nocrs hint)
warnings=$(grep -iE 'warn|bug|error|fail|invalid|can.t' "$con" | grep -v -e 'if necessary, use "pci=nocrs"' || true)
check "boot: no kernel warnings or errors on the console" "$(echo "$warnings" | head -3)" test -z "$warnings"

# --------------------------------------------------------------- restores --
# Markers are built at run time so a script's text is never mistaken for its output.
cat >"$O/a.sh" <<'EOF'
#!/bin/sh
dd if=/dev/urandom of=/root/a bs=64k count=48 2>/dev/null
w=$(md5sum </root/a); sync; echo 3 >/proc/sys/vm/drop_caches
r=$(md5sum </root/a)
[ "$w" = "$r" ] && echo "A-$((6*7)) dma-roundtrip-ok"
EOF
cat >"$O/b.sh" <<'EOF'
#!/bin/sh
seq 1 200000 >/root/b; sync; echo 3 >/proc/sys/vm/drop_caches
echo "B-$((6*7)) lines=$(wc -l </root/b) irqs=$(grep -c 'ata_piix' /proc/interrupts)"
EOF
for s in a b; do
    rc=0
    run_m5sim "$T_RUN" "$O/$s.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --script "$O/$s.sh" -d "$O/$s"
    cp "$O/$s/$CONSOLE" "$O/$s.out" 2>/dev/null || : >"$O/$s.out"
done
check "restore a: the new script writes 3 MiB and reads the same bytes back from disk" "$(indent "$O/a.out")" \
    grep -q '^A-42 dma-roundtrip-ok' "$O/a.out"
check "restore b: another new script runs on the same checkpoint" "$(indent "$O/b.out")" \
    grep -q '^B-42 lines=200000 irqs=2' "$O/b.out"
check "restore: config.ini takes the controller from the checkpoint" "$(grep disk_controller "$O/a/config.ini")" \
    grep -q '^disk_controller=piix' "$O/a/config.ini"
rc=0
run_m5sim "$T_RUN" "$O/mismatch.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --disk-controller virtio-mmio -d "$O/mm"
check "restore: a different --disk-controller is refused (exit 2, one line)" "status $rc: $(indent "$O/mismatch.stderr" 2)" \
    test "$rc" -eq 2 -a "$(grep -c 'does not match the checkpoint' "$O/mismatch.stderr")" -eq 1

# ---------------------------------------------------------------- initrd --
# --initrd: the kernel unpacks a gzip'd cpio (boot protocol ramdisk fields) and runs its /init.
mkdir -p "$O/ird/bin"
cp /bin/busybox "$O/ird/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox echo "initramfs-$((6*7)) running"\n' >"$O/ird/init"
chmod +x "$O/ird/init"
(cd "$O/ird" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9n) >"$O/initrd.gz"
rc=0
run_m5sim "$T_RUN" "$O/initrd.stderr" -q --kernel "$GEM5_KERNEL" --initrd "$O/initrd.gz" \
    --cmdline "console=ttyS0 panic=-1 tsc=reliable" -d "$O/initrd"
check "initrd: the kernel unpacks the --initrd ramdisk and runs its /init" "$(indent "$O/initrd/$CONSOLE" 3)" \
    grep -q '^initramfs-42 running' "$O/initrd/$CONSOLE"
finish
