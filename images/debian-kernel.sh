#!/usr/bin/env bash
# Fetch Debian's stock kernel (the one linux-image-amd64 depends on) and build
# an initramfs that loads its disk drivers from the kernel's own modules,
# mounts the root disk and switch_roots into the image's /sbin/init.
#
#   images/debian-kernel.sh OUTDIR   ->  OUTDIR/vmlinuz, OUTDIR/initramfs.cpio.gz,
#                                        OUTDIR/version (the package and its version)
#
# Debian's kernel has its disk drivers and ext4 as modules, so it cannot mount
# a root disk without an initramfs. The .deb comes from `apt-get download` and
# is unpacked once into a cache outside the repository, keyed by the package
# version: ${M5SIM_CACHE:-~/.cache/m5sim}/debian-kernel/<package>_<version>/.
# The initramfs is cached next to it, keyed by this script and busybox's version.
#
# The initramfs holds busybox-static and these modules, loaded with insmod in
# dependency order (modules.dep, made with busybox depmod since the .deb has none):
# virtio-pci disks (virtio_pci, virtio_blk), the PIIX IDE controller (ata_piix,
# sd_mod) and ext4 with crc32c (ext4 asks the crypto API for it by name, which
# modules.dep does not show). Its /init takes root= (default /dev/sda) and
# rootfstype= (default ext4) from the kernel command line.
set -euo pipefail

out=${1:?usage: debian-kernel.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
MODULES="virtio_pci virtio_blk ata_piix sd_mod crc32c_generic ext4"

meta=linux-image-amd64
pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
[ -n "$pkg" ] || { echo "debian-kernel: cannot resolve $meta's kernel (apt-get update?)" >&2; exit 2; }
ver=$(apt-cache show --no-all-versions "$pkg" | sed -n 's/^Version: //p' | head -1)
kver=${pkg#linux-image-}
cache=${M5SIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/m5sim}/debian-kernel/${pkg}_$ver
moddir=$cache/root/lib/modules/$kver

# ------------------------------------------------------- fetch and unpack --
if [ ! -f "$cache/vmlinuz" ] || [ ! -f "$moddir/modules.dep" ]; then
  echo "debian-kernel: fetching $pkg $ver"
  rm -rf "$cache.work"; mkdir -p "$cache.work"
  # apt drops privileges to _apt for the download, which may not write here.
  (cd "$cache.work" && apt-get download -q "$pkg=$ver" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  deb=$(ls "$cache.work"/*.deb 2>/dev/null | head -1)
  [ -n "$deb" ] || { echo "debian-kernel: apt-get download $pkg=$ver failed" >&2; exit 1; }
  dpkg-deb -x "$deb" "$cache.work/root"
  cp "$cache.work/root/boot/vmlinuz-$kver" "$cache.work/vmlinuz"
  busybox depmod -b "$cache.work/root" "$kver"
  rm -rf "$cache"; mv "$cache.work" "$cache"
fi

# ---------------------------------------------------------------- initramfs --
bbver=$(dpkg-query -W -f='${Version}' busybox-static)
key=$( { cat "$0"; echo "$bbver $MODULES"; } | sha256sum | cut -c1-16)
initrd=$cache/initramfs-$key.cpio.gz
if [ ! -f "$initrd" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work"/{bin,dev,proc,sys,newroot,lib/modules}
  cp /bin/busybox "$work/bin/busybox"
  # Each module after the modules it needs: a depth-first walk of modules.dep.
  order=()
  declare -A seen=()
  visit() {
    local path=$1 line dep
    [ -z "${seen[$path]:-}" ] || return 0
    seen[$path]=1
    line=$(grep -m1 "^$path:" "$moddir/modules.dep") || { echo "debian-kernel: $path not in modules.dep" >&2; exit 1; }
    for dep in ${line#*:}; do visit "$dep"; done
    order+=("$path")
  }
  for m in $MODULES; do
    path=$(grep -m1 -E "(^|/)$m\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" | cut -d: -f1)
    [ -n "$path" ] || { echo "debian-kernel: no module $m in $kver" >&2; exit 1; }
    visit "$path"
  done
  : >"$work/lib/modules/order"
  for path in "${order[@]}"; do
    name=$(basename "$path")
    case $name in
      *.xz)  xz -dc "$moddir/$path" >"$work/lib/modules/${name%.xz}"; name=${name%.xz} ;;
      *.zst) zstd -qdc "$moddir/$path" >"$work/lib/modules/${name%.zst}"; name=${name%.zst} ;;
      *)     cp "$moddir/$path" "$work/lib/modules/$name" ;;
    esac
    echo "$name" >>"$work/lib/modules/order"
  done
  cat >"$work/init" <<'EOF'
#!/bin/busybox sh
# m5sim initramfs for Debian's kernel: load the disk and ext4 modules, mount
# root= and hand over to the image's /sbin/init.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
root=/dev/sda; fstype=ext4; rootflags=rw
for arg in $(cat /proc/cmdline); do
  case $arg in
    root=*) root=${arg#root=} ;;
    rootfstype=*) fstype=${arg#rootfstype=} ;;
    ro) rootflags=ro ;;
  esac
done
while read -r m; do
  insmod "/lib/modules/$m" || echo "initramfs: insmod $m failed"
done </lib/modules/order
# Disks are probed asynchronously: wait (in simulated time) for the node.
n=0
while [ ! -b "$root" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
if mount -t "$fstype" -o "$rootflags" "$root" /newroot; then
  umount /proc /sys
  mount --move /dev /newroot/dev 2>/dev/null || umount /dev
  exec switch_root /newroot /sbin/init
fi
echo "initramfs: cannot mount $root ($fstype); block devices: $(ls /sys/class/block)"
exec sh
EOF
  chmod 755 "$work/init"
  # Reproducible: fixed times, sorted names, gzip without a name or date.
  find "$work" -exec touch -h -d @0 {} +
  (cd "$work" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9n) >"$initrd.new"
  mv "$initrd.new" "$initrd"
fi

# ------------------------------------------------------------------- output --
mkdir -p "$out"
cmp -s "$cache/vmlinuz" "$out/vmlinuz" 2>/dev/null || cp "$cache/vmlinuz" "$out/vmlinuz"
cmp -s "$initrd" "$out/initramfs.cpio.gz" 2>/dev/null || cp "$initrd" "$out/initramfs.cpio.gz"
echo "$pkg $ver" >"$out/version.new"
cmp -s "$out/version.new" "$out/version" 2>/dev/null && rm "$out/version.new" || mv "$out/version.new" "$out/version"
echo "debian-kernel: $pkg $ver ($cache)"
