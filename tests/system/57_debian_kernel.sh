#!/bin/bash
# 57_debian_kernel.sh - Debian's stock kernel (the one linux-image-amd64
# depends on, fetched with apt-get download by images/debian-kernel.sh and
# cached under ~/.cache/m5sim/debian-kernel/) boots m5sim's image: its
# bzImage payload decompressed on the host, an initramfs that loads the
# kernel's own ata_piix, sd_mod and ext4 modules, root on the PIIX disk, to
# the rcS loop and its checkpoint; two restores then run two new scripts.
# A second boot puts root on a virtio-pci disk, whose INTA the kernel routes
# by the DSDT's _PRT (it runs with ACPI), and a restore shows the disk's
# interrupt on the I/O APIC pin the MP table names, level triggered.
#
# Inputs: build/images/rootfs.img (IMAGE overrides it); the kernel and the
# initramfs are made here (DEBIAN_KERNEL_DIR overrides where they go).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=debian-kernel
. tests/system/lib.sh

D=${DEBIAN_KERNEL_DIR:-build/images/debian}
O=build/tests/debian-kernel
for f in "$M5SIM" "$IMAGE"; do
    [ -f "$f" ] || { fail "setup: $f missing (make all image)"; finish; exit 1; }
done
mkdir -p "$(dirname "$O")"
if ! images/debian-kernel.sh "$D" >"$O.fetch.log" 2>&1; then
    fail "setup: images/debian-kernel.sh failed: $(indent "$O.fetch.log" 5)"; finish; exit 1
fi
note "$(cat "$D/version")"
rm -rf "$O"
mkdir -p "$O"

# ------------------------------------------------------------------ boot --
rc=0
t0=$(now)
run_m5sim "$T_BOOT" "$O/boot.stderr" -q --kernel "$D/vmlinuz" --initrd "$D/initramfs.cpio.gz" \
    --disk-image "$IMAGE" --disk-controller piix \
    --cmdline "console=ttyS0 root=/dev/sda rw panic=-1 tsc=reliable" \
    --checkpoint-dir "$O/ckpt" -d "$O/boot"
note "boot took $(secs "$t0" "$(now)") s host time"
con=$O/boot/$CONSOLE
check "boot: reaches the rcS loop and exits 0" "status $rc: $(tail -3 "$con" 2>/dev/null)" \
    bash -c "[ $rc -eq 0 ] && grep -q '^rcS: checkpoint' '$con'"
check "boot: it is Debian's kernel" "$(grep -m1 'Linux version' "$con")" \
    grep -q 'Linux version .*(debian-kernel@lists.debian.org)' "$con"
check "boot: m5sim decompressed the payload on the host" "$(grep payload "$O/boot/config.ini")" \
    grep -q '^payload=.*decompressed by m5sim' "$O/boot/config.ini"
check "boot: the initramfs's ata_piix module drives the PIIX controller" "no ata_piix line" \
    grep -q 'ata1: PATA max .*bmdma 0xc000 irq 14' "$con"
check "boot: root is ext4 on /dev/sda (ext4 module)" "not mounted" grep -q 'EXT4-fs (sda): mounted' "$con"
check "boot: every module loads" "$(grep 'insmod' "$con" | head -3)" bash -c "! grep -q 'initramfs: insmod' '$con'"

# --------------------------------------------------------------- restores --
# Markers are built at run time so a script's text is never mistaken for its output.
cat >"$O/a.sh" <<'EOF'
#!/bin/sh
dd if=/dev/urandom of=/root/a bs=64k count=16 2>/dev/null
w=$(md5sum </root/a); sync; echo 3 >/proc/sys/vm/drop_caches
r=$(md5sum </root/a)
[ "$w" = "$r" ] && echo "DA-$((6*7)) $(uname -r) roundtrip-ok"
EOF
cat >"$O/b.sh" <<'EOF'
#!/bin/sh
echo "DB-$((6*7)) modules=$(grep -c -e '^ata_piix ' -e '^ext4 ' /proc/modules)"
EOF
for s in a b; do
    rc=0
    run_m5sim "$T_RUN" "$O/$s.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --script "$O/$s.sh" -d "$O/$s"
    cp "$O/$s/$CONSOLE" "$O/$s.out" 2>/dev/null || : >"$O/$s.out"
done
kver=$(sed -n 's/^linux-image-\([^ ]*\) .*/\1/p' "$D/version")
check "restore a: a new script writes 1 MiB and reads the same bytes back from the PIIX disk" \
    "$(indent "$O/a.out")" grep -q "^DA-42 $kver roundtrip-ok" "$O/a.out"
check "restore b: another new script runs on the same checkpoint, the modules still loaded" \
    "$(indent "$O/b.out")" grep -q '^DB-42 modules=2' "$O/b.out"

# ------------------------------------------------------ virtio-pci boot --
# Its own copy of the image, so the PIIX checkpoint's disk is left as it was.
cp "$IMAGE" "$O/vda.img"
rc=0
run_m5sim "$T_BOOT" "$O/vboot.stderr" -q --kernel "$D/vmlinuz" --initrd "$D/initramfs.cpio.gz" \
    --disk-image "$O/vda.img" --disk-controller virtio-pci \
    --cmdline "console=ttyS0 root=/dev/vda rw panic=-1 tsc=reliable" \
    --checkpoint-dir "$O/vckpt" -d "$O/vboot"
con=$O/vboot/$CONSOLE
check "virtio-pci boot: reaches the rcS loop and exits 0" "status $rc: $(tail -3 "$con" 2>/dev/null)" \
    bash -c "[ $rc -eq 0 ] && grep -q '^rcS: checkpoint' '$con'"
check "virtio-pci boot: the kernel routes INTA by ACPI and finds a GSI" \
    "$(grep -m2 -e 'derive routing' -e 'no GSI' "$con")" \
    bash -c "grep -q 'PCI: Using ACPI for IRQ routing' '$con' && ! grep -q -e 'derive routing' -e 'no GSI' '$con'"
check "virtio-pci boot: root is ext4 on /dev/vda" "not mounted" grep -q 'EXT4-fs (vda): mounted' "$con"
# Slot 2's INTA is I/O APIC pin 18 (dev/pci.h PCI_IRQ_PIN); the disk must have taken interrupts on it.
cat >"$O/v.sh" <<'EOF'
#!/bin/sh
dd if=/dev/urandom of=/root/v bs=64k count=16 2>/dev/null
sync; echo 3 >/proc/sys/vm/drop_caches; md5sum </root/v >/dev/null
grep virtio /proc/interrupts | while read -r irq n chip pin rest; do
  [ "$n" -gt 0 ] && echo "DV-$((6*7)) $chip $pin $rest"
done
EOF
rc=0
run_m5sim "$T_RUN" "$O/v.stderr" -q --checkpoint-dir "$O/vckpt" -r 1 --script "$O/v.sh" -d "$O/v"
cp "$O/v/$CONSOLE" "$O/v.out" 2>/dev/null || : >"$O/v.out"
check "restore v: the virtio disk's interrupts arrive on I/O APIC pin 18, level (fasteoi)" \
    "$(indent "$O/v.out")" grep -q '^DV-42 IO-APIC 18-fasteoi virtio0' "$O/v.out"
finish
