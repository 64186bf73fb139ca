#!/bin/bash
# 58_debian_image.sh - a Debian image built by images/debian-image.sh
# (mmdebstrap, systemd, the m5 agent, m5sim-rcs.service) boots on m5sim with
# Debian's stock kernel (images/debian-kernel.sh; its initramfs loads ata_piix
# and ext4) from the PIIX disk: systemd starts the rcS service, which takes the
# checkpoint; two restores run two new scripts, one of them a dynamically
# linked OpenMP program added with --add (glibc and --include libgomp1 from
# the image), the other asking systemd about itself. The image is partitioned
# (--partition, root=/dev/sda1). Boot instructions and host time are printed as NOTEs.
#
# Inputs: build/bin/m5sim, build/guest/m5; the kernel and the image are made
# here (both cached under ~/.cache/m5sim; the first run downloads from
# Debian's archive and takes a minute or two longer).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=debian-image
. tests/system/lib.sh

D=${DEBIAN_KERNEL_DIR:-build/images/debian}
O=build/tests/debian-image
M5=build/guest/m5
for f in "$M5SIM" "$M5"; do
    [ -f "$f" ] || { fail "setup: $f missing (make all)"; finish; exit 1; }
done
rm -rf "$O"
mkdir -p "$O"
if ! images/debian-kernel.sh "$D" >"$O/kernel.log" 2>&1; then
    fail "setup: images/debian-kernel.sh failed: $(indent "$O/kernel.log" 5)"; finish; exit 1
fi

# A dynamically linked program built on the host against Debian's glibc and
# OpenMP runtime, as a PARSEC build would be: the image's glibc (same release)
# and libgomp1 (--include) must run it. The image is partitioned (root=/dev/sda1).
cat >"$O/dynhello.c" <<'EOF'
#include <gnu/libc-version.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    (void)argv;
    int n = 0;
#pragma omp parallel reduction(+ : n)
    n += 1;
    printf("DYN-%d glibc-%s sqrt=%.3f omp-threads=%d\n", 6 * 7, gnu_get_libc_version(), sqrt(2.0 * argc), n);
    return 0;
}
EOF
gcc -O2 -fopenmp -o "$O/dynhello" "$O/dynhello.c" -lm
IMG=$O/debian.img
if ! nice images/debian-image.sh -o "$IMG" -m "$M5" --partition --include libgomp1 \
        --add "$O/dynhello:/usr/local/bin/dynhello" >"$O/image.log" 2>&1; then
    fail "setup: images/debian-image.sh failed: $(indent "$O/image.log" 10)"; finish; exit 1
fi
note "$(grep -m1 -e '^debian-image: wrote' -e 'from the cache' "$O/image.log")"
check "image: the program added is dynamically linked" "$(file "$O/dynhello")" \
    bash -c "readelf -lW '$O/dynhello' | grep -q 'Requesting program interpreter'"

# ------------------------------------------------------------------ boot --
CMDLINE="console=ttyS0 root=/dev/sda1 rw panic=-1 tsc=reliable"
t0=$(now)
run_m5sim "$T_BOOT" "$O/boot.stderr" -q --kernel "$D/vmlinuz" --initrd "$D/initramfs.cpio.gz" \
    --disk-image "$IMG" --disk-controller piix --mem-size 512MB --cmdline "$CMDLINE" \
    --checkpoint-dir "$O/ckpt" -d "$O/boot"
t1=$(now)
con=$O/boot/$CONSOLE
ckpt=$(first_match "$O/ckpt/cpt.*")
insts=$(ini_get "$ckpt/m5.cpt" instructions)
[ -z "$insts" ] || insts=$((insts))
note "boot: ${insts:-?} instructions to the checkpoint, $(ini_get "$ckpt/m5.cpt" tick) ticks; $(secs "$t0" "$t1") s host time to m5 exit"
check "boot: exits 0 after the rcS loop (m5 exit from m5sim-rcs)" "status $rc: $(tail -3 "$con" 2>/dev/null)" \
    bash -c "[ $rc -eq 0 ] && grep -q '^m5sim-rcs: /etc/init.d/rcS finished' '$con'"
check "boot: systemd is PID 1 and starts the rcS service" "$(grep -m1 -e 'systemd 2' -e 'm5sim-rcs' "$con")" \
    bash -c "grep -q 'systemd\[1\]: systemd [0-9][^ ]* running in system mode' '$con' && grep -q '^m5sim-rcs: started' '$con'"
check "boot: the rcS takes its checkpoint" "no checkpoint: $(ls "$O/ckpt" 2>&1)" \
    bash -c "grep -q '^rcS: checkpoint' '$con' && [ -f '$ckpt/m5.cpt' ]"
check "boot: root is ext4 on /dev/sda1 (MBR partition 1), loaded by the initramfs's modules" "not mounted" \
    bash -c "grep -q 'ata1: PATA max' '$con' && grep -q ' sda: sda1' '$con' && grep -q 'EXT4-fs (sda1): mounted' '$con'"
check "boot: the kernel reads m5sim's SMBIOS tables (DMI: vendor product, BIOS version date)" \
    "$(grep -m2 -e 'DMI' -e 'SMBIOS' "$con")" \
    bash -c "grep -q 'SMBIOS 3.0.0 present' '$con' && grep -q 'DMI: m5sim m5sim x86-64 PC, BIOS m5sim-1 01/01/2025' '$con' && ! grep -i 'dmi' '$con' | grep -q -i -e 'invalid' -e 'not present' -e 'bad' -e 'warn' -e 'error'"
check "boot: no unit failed" "$(grep -m3 'FAILED' "$con")" bash -c "! grep -q 'FAILED' '$con'"

# --------------------------------------------------------------- restores --
# Markers are built at run time so a script's text is never mistaken for its output.
cat >"$O/a.sh" <<'EOF'
#!/bin/sh
/usr/local/bin/dynhello
ldd /usr/local/bin/dynhello | grep -q 'libgomp.so.1 => /lib/x86_64-linux-gnu/libgomp.so.1' && echo "DA-$((6*7)) ldd-libgomp"
EOF
# The rcS runs a script with sh (dash here); bash is in the image for scripts that want it.
cat >"$O/b.sh" <<'EOF'
bash -c 'echo "DB-$((6*7)) pid1=$(cat /proc/1/comm) journald=$(systemctl is-active systemd-journald) state=$(systemctl is-system-running) bash=${BASH_VERSINFO[0]}"'
echo "DMI-$((6*7)) $(cat /sys/class/dmi/id/sys_vendor)/$(cat /sys/class/dmi/id/product_name)/$(cat /sys/class/dmi/id/bios_version)"
EOF
for s in a b; do
    t0=$(now)
    run_m5sim "$T_RUN" "$O/$s.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --script "$O/$s.sh" -d "$O/$s"
    note "restore $s: status $rc, $(secs "$t0" "$(now)") s host time"
    eval "rc_$s=$rc"
    cp "$O/$s/$CONSOLE" "$O/$s.out" 2>/dev/null || : >"$O/$s.out"
done
glibc=$(ldd --version | sed -n '1s/.* \([0-9.]*\)$/\1/p')
check "restore a: a dynamically linked OpenMP program runs on the image's glibc and libgomp (--include)" "$(indent "$O/a.out")" \
    bash -c "grep -q '^DYN-42 glibc-$glibc sqrt=1.414 omp-threads=1' '$O/a.out' && grep -q '^DA-42 ldd-libgomp' '$O/a.out'"
check "restore b: another new script runs under bash; systemd is PID 1 and running" "$(indent "$O/b.out")" \
    grep -q '^DB-42 pid1=systemd journald=active state=running bash=5' "$O/b.out"
check "restore b: /sys/class/dmi/id shows the SMBIOS system and BIOS" "$(indent "$O/b.out")" \
    grep -q '^DMI-42 m5sim/m5sim x86-64 PC/m5sim-1' "$O/b.out"
check "restore a: only its own script ran" "$(indent "$O/a.out")" bash -c "! grep -q '^DB-42' '$O/a.out'"
check "restores: each ends with m5 exit, status 0" "stderr: $(tail -2 "$O/b.stderr")" \
    bash -c "[ $rc_a -eq 0 ] && [ $rc_b -eq 0 ] && grep -q '^m5sim-rcs: /etc/init.d/rcS finished' '$O/a/$CONSOLE' && grep -q '^m5sim-rcs: /etc/init.d/rcS finished' '$O/b/$CONSOLE'"
finish
