#!/usr/bin/env bash
# Build a Debian-based m5sim guest disk image: an ext4 image (whole-disk, or
# with --partition in MBR partition 1) holding a minimal Debian system made by
# mmdebstrap from Debian packages, with systemd as init, no login prompt, the
# static m5 agent and a systemd service that runs the rcS loop.
#
#   images/debian-image.sh -o OUT.img -m PATH/TO/m5 [options]
#
# The rcS loop is images/rootfs/rcS (the busybox image's), run by the service
# m5sim-rcs.service through images/rootfs/debian/m5sim-rcs. The built image is
# cached outside the repository, keyed by everything that goes into it (see
# "cache" below); a second call with the same inputs copies the cached image.
# See usage() below and docs/images.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=debian-image
. "$here/lib/mbr.sh"

usage() {
  cat <<EOF
usage: images/debian-image.sh -o OUT.img -m M5BINARY [options]

Builds an ext4 disk image from Debian packages with mmdebstrap (variant
essential + systemd-sysv): systemd as /sbin/init, no getty (the console is
left to the rcS service), the m5 agent at /sbin/m5, the rcS loop at
/etc/init.d/rcS, run by m5sim-rcs.service after boot.

  -o, --output FILE      image to write (written to FILE.tmp, then renamed)
  -m, --m5 FILE          the static m5 guest agent (build/guest/m5)
      --include PKGS     extra Debian packages, comma- or space-separated
                         (repeatable), e.g. --include "gcc,libc6-dev"
      --add HOST:GUEST   copy a host file or directory into the image at the
                         absolute guest path GUEST (repeatable); as mkimage.sh
      --rcs FILE         use FILE as /etc/init.d/rcS instead of the m5sim rcS
                         loop (e.g. gem5's configs/boot/hack_back_ckpt.rcS)
      --size MIB         image size in MiB (default: content + headroom)
      --label LABEL      ext4 volume label (default m5sim-debian)
      --partition        MBR partition table, file system in partition 1
                         (root=/dev/sda1)
      --suite SUITE      Debian suite (default bookworm)
      --sources FILE     apt sources for mmdebstrap (default: this machine's
                         /etc/apt/sources.list.d/debian.sources)
      --no-cache         build even if a cached image with the same inputs exists
  -h, --help             this help

Environment: SOURCE_DATE_EPOCH fixes every timestamp (default 1700000000);
M5SIM_CACHE (default ~/.cache/m5sim) is where built images are kept, under
debian-image/<key>.img. Needs root (mmdebstrap --mode=root) and Debian's
archive.
EOF
}

die()  { echo "$prog: $*" >&2; exit 2; }
need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || die "option $1 needs an argument (try -h)"; }

out="" m5="" rcs="" size="" label="m5sim-debian" partition=0 suite=bookworm use_cache=1
sources=/etc/apt/sources.list.d/debian.sources
adds=() includes=()
while [ $# -gt 0 ]; do
  case "$1" in
    -o|--output)  need_arg "$@"; out=$2; shift 2 ;;
    -m|--m5)      need_arg "$@"; m5=$2; shift 2 ;;
    --include)    need_arg "$@"; includes+=($(echo "$2" | tr ',' ' ')); shift 2 ;;
    --add)        need_arg "$@"; adds+=("$2"); shift 2 ;;
    --rcs)        need_arg "$@"; rcs=$2; shift 2 ;;
    --size)       need_arg "$@"; size=$2; shift 2 ;;
    --label)      need_arg "$@"; label=$2; shift 2 ;;
    --partition)  partition=1; shift ;;
    --suite)      need_arg "$@"; suite=$2; shift 2 ;;
    --sources)    need_arg "$@"; sources=$2; shift 2 ;;
    --no-cache)   use_cache=0; shift ;;
    -h|--help)    usage; exit 0 ;;
    *)            die "unknown argument '$1' (try -h)" ;;
  esac
done

# ----------------------------------------------------------- check inputs --
[ -n "$out" ] || die "no output image given (-o OUT.img)"
[ -n "$m5" ]  || die "no m5 agent given (-m PATH/TO/m5; build it with 'make build/guest/m5')"
[ -f "$m5" ]  || die "m5 agent '$m5' not found (build it with 'make build/guest/m5')"
[ -z "$rcs" ] || [ -f "$rcs" ] || die "rcS file '$rcs' not found"
[ -f "$sources" ] || die "apt sources '$sources' not found (--sources FILE)"
[ ${#label} -le 16 ] || die "label '$label' is longer than 16 characters"
if [ -n "$size" ]; then
  [[ "$size" =~ ^[0-9]+$ ]] && [ "$size" -ge 64 ] || die "--size '$size': want a whole number of MiB >= 64"
fi
for f in "$here/rootfs/rcS" "$here/rootfs/debian/m5sim-rcs" "$here/rootfs/debian/m5sim-rcs.service"; do
  [ -f "$f" ] || die "$f missing from the source tree"
done
command -v mmdebstrap >/dev/null || die "mmdebstrap not found (scripts/deps.sh installs it)"
command -v mke2fs >/dev/null || die "mke2fs not found (apt-get install e2fsprogs)"
[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap --mode=root keeps the packages' owners)"
[ "$(head -c4 "$m5" | od -An -c | tr -d ' ')" = '177ELF' ] \
  && ! LC_ALL=C readelf -lW "$m5" 2>/dev/null | grep -q 'Requesting program interpreter' \
  || die "m5 agent '$m5' is not a static ELF executable"
for a in ${adds[@]+"${adds[@]}"}; do
  [[ "$a" == *:* ]] || die "--add '$a': want HOSTPATH:GUESTPATH"
  h=${a%:*} g=${a##*:}
  [ -e "$h" ] || die "--add '$a': host path '$h' not found"
  [[ "$g" == /* ]] || die "--add '$a': guest path '$g' must be absolute"
done
epoch=${SOURCE_DATE_EPOCH:-1700000000}
outdir=$(dirname "$out")
[ -d "$outdir" ] || mkdir -p "$outdir" || die "cannot create directory '$outdir'"

# ----------------------------------------------------------------- cache --
# The key covers this script, the files it installs, the m5 agent, the rcS,
# every --add (names and contents), the options, and the state of the apt
# indexes (their Release files name the archive snapshot, hence the package
# versions mmdebstrap will pick).
cache_dir=${M5SIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/m5sim}/debian-image
key=$( {
  cat "$0" "$here/lib/mbr.sh" "$here/rootfs/rcS" "$here/rootfs/debian/"* "$m5" "$sources"
  [ -z "$rcs" ] || cat "$rcs"
  for a in ${adds[@]+"${adds[@]}"}; do
    echo "add $a"
    h=${a%:*}
    if [ -d "$h" ]; then (cd "$h" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum; find . | LC_ALL=C sort)
    else sha256sum <"$h"; fi
  done
  echo "include ${includes[*]:-} size=$size label=$label partition=$partition suite=$suite epoch=$epoch"
  cat /var/lib/apt/lists/*_InRelease 2>/dev/null | grep -E '^(Origin|Suite|Date):' || true
} | sha256sum | cut -c1-16)
cached=$cache_dir/$key.img
if [ "$use_cache" = 1 ] && [ -f "$cached" ]; then
  if cmp -s "$cached" "$out" 2>/dev/null; then
    touch "$out"                      # up to date for make
  else
    cp --sparse=always "$cached" "$out.tmp" && mv -f "$out.tmp" "$out"
  fi
  echo "$prog: $out from the cache ($cached)"
  exit 0
fi

# ----------------------------------------------------------------- stage --
tmp=$(mktemp -d "${TMPDIR:-/tmp}/m5sim-debian-image.XXXXXX")
cleanup() { rm -rf "$tmp"; rm -f "$out.tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$tmp/root
t0=$(date +%s.%N)

# No documentation, manual pages or translations: they are most of a minimal
# system's files and nothing in a simulation reads them (copyright files stay).
dpkgopts=(
  'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright'
  'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*'
  'path-exclude=/usr/share/locale/*' 'path-include=/usr/share/locale/locale.alias'
  'path-exclude=/usr/share/lintian/*' 'path-exclude=/usr/share/linda/*'
)
pkgs="systemd-sysv${includes[*]:+,$(IFS=,; echo "${includes[*]}")}"
echo "$prog: mmdebstrap $suite (variant essential + $pkgs)"
mm=(mmdebstrap --mode=root --variant=essential --include="$pkgs"
    --aptopt='Acquire::Languages "none"' --aptopt='APT::Install-Recommends "false"')
for o in "${dpkgopts[@]}"; do mm+=(--dpkgopt="$o"); done
SOURCE_DATE_EPOCH=$epoch "${mm[@]}" "$suite" "$root" "$sources" >"$tmp/mmdebstrap.log" 2>&1 \
  || { tail -30 "$tmp/mmdebstrap.log" >&2; die "mmdebstrap failed"; }

# ------------------------------------------------------- m5sim's additions --
install -m 755 "$m5" "$root/sbin/m5"
install -d "$root/etc/init.d" "$root/usr/lib/m5sim"
if [ -n "$rcs" ]; then
  install -m 755 "$rcs" "$root/etc/init.d/rcS"; rcs_desc="$rcs (replacement)"
else
  install -m 755 "$here/rootfs/rcS" "$root/etc/init.d/rcS"; rcs_desc="m5sim rcS loop (images/rootfs/rcS)"
fi
install -m 755 "$here/rootfs/debian/m5sim-rcs" "$root/usr/lib/m5sim/m5sim-rcs"
sd=$root/etc/systemd/system
install -m 644 "$here/rootfs/debian/m5sim-rcs.service" "$sd/m5sim-rcs.service"
install -d "$sd/multi-user.target.wants"
ln -sfn /etc/systemd/system/m5sim-rcs.service "$sd/multi-user.target.wants/m5sim-rcs.service"
ln -sfn /lib/systemd/system/multi-user.target "$sd/default.target"
# Masked: the gettys (the console belongs to the rcS service; no login) and
# periodic maintenance that a simulated boot has no use for.
for u in getty.target getty@.service serial-getty@.service console-getty.service \
         apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
         fstrim.timer systemd-tmpfiles-clean.timer dpkg-db-backup.timer \
         systemd-timesyncd.service systemd-networkd-wait-online.service; do
  ln -sfn /dev/null "$sd/$u"
done
echo m5sim >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tm5sim\n' >"$root/etc/hosts"
# Root is mounted read-write by the initramfs; nothing else to mount.
echo "# m5sim: root is mounted by the initramfs (root= on the kernel command line)" >"$root/etc/fstab"
# An empty machine-id: systemd makes one at boot without writing it back, so
# the image stays identical for every boot (as mmdebstrap leaves it too).
: >"$root/etc/machine-id"

extra=()
for a in ${adds[@]+"${adds[@]}"}; do
  h=${a%:*} g=${a##*:}
  if [ -d "$h" ]; then mkdir -p "$root$g"; cp -R --preserve=mode,links "$h/." "$root$g/"
  elif [[ "$g" == */ ]]; then mkdir -p "$root$g"; cp --preserve=mode "$h" "$root$g"
  else mkdir -p "$root$(dirname "$g")"; cp --preserve=mode "$h" "$root$g"; fi
  extra+=("$h -> $g")
done
# Files mmdebstrap leaves that depend on when and where the build ran.
rm -f "$root"/var/log/dpkg.log "$root"/var/log/alternatives.log "$root"/var/log/apt/* \
      "$root"/var/cache/ldconfig/aux-cache "$root"/var/lib/dpkg/*-old
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/debconf/*-old

# Every mtime clamped to the fixed date; mke2fs copies owners and modes.
find "$root" -newermt "@$epoch" -exec touch -h -d "@$epoch" {} +

# ----------------------------------------------------------------- build --
content_kib=$(du -sk "$root" | cut -f1)
nfiles=$(find "$root" | wc -l)
if [ -z "$size" ]; then
  size=$(( (content_kib * 5 / 4 + 1023) / 1024 + 64 ))
elif [ $((size * 1024)) -lt $((content_kib + content_kib / 8 + 8192)) ]; then
  die "--size $size MiB is too small for $((content_kib / 1024)) MiB of content"
fi
uuid=$(printf '%s' "$label" | sha256sum | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-4\3-8\4-\5/')
E2FSPROGS_FAKE_TIME=$epoch mke2fs -F -q -t ext4 -L "$label" -U "$uuid" -N $((nfiles * 2 + 4096)) \
  -E "hash_seed=$uuid" -d "$root" "$out.tmp" "${size}M" >"$tmp/mke2fs.log" 2>&1 \
  || { cat "$tmp/mke2fs.log" >&2; die "mke2fs failed"; }
# mke2fs -d copies access and change times as they are on the host (ctime is
# "now"); set them, and the creation time, to the fixed date for every inode
# in use. Inodes are named by number: debugfs walks directories linearly.
(cd "$root" && find . -type d) | sed 's|^\.||; s|^$|/|' \
  | awk '{ printf "ls -p \"%s\"\n", $0 }' >"$tmp/ls.cmds"
debugfs -f "$tmp/ls.cmds" "$out.tmp" 2>/dev/null \
  | awk -F/ 'NF >= 7 && $2 ~ /^[0-9]+$/ { print $2 }' | sort -un >"$tmp/inodes"
ninodes=$(find "$root" -printf '%i\n' | sort -u | wc -l)   # hard links share one
[ "$(wc -l <"$tmp/inodes")" -ge "$ninodes" ] || die "debugfs listed fewer inodes than files staged"
awk -v t="$epoch" '{
    printf "sif <%s> atime @%s\nsif <%s> ctime @%s\nsif <%s> crtime @%s\n", $1, t, $1, t, $1, t
  }' "$tmp/inodes" >"$tmp/fixup.cmds"
E2FSPROGS_FAKE_TIME=$epoch debugfs -w -f "$tmp/fixup.cmds" "$out.tmp" >"$tmp/debugfs.log" 2>&1 \
  || { tail -5 "$tmp/debugfs.log" >&2; die "debugfs could not set times"; }
if grep -q '^sif:' "$tmp/debugfs.log"; then
  grep '^sif:' "$tmp/debugfs.log" | head -5 >&2; die "debugfs could not set times"
fi
e2fsck -fn "$out.tmp" >"$tmp/fsck.log" 2>&1 || { cat "$tmp/fsck.log" >&2; die "the new image does not pass e2fsck"; }

[ "$partition" = 0 ] || mbr_partition "$out.tmp" "$size" "$label" "$tmp"

mkdir -p "$cache_dir"
cp --sparse=always "$out.tmp" "$cached.new" && mv -f "$cached.new" "$cached"
mv -f "$out.tmp" "$out"
t1=$(date +%s.%N)

# ---------------------------------------------------------------- report --
npkgs=$(grep -c '^Package:' "$root/var/lib/dpkg/status")
echo "$prog: wrote $out: ${size} MiB ext4 (label $label)$([ "$partition" = 1 ] && echo ", in MBR partition 1"), $((content_kib / 1024)) MiB in $nfiles files, $npkgs packages, $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b-a}') s"
echo "  debian:  $suite, variant essential + $pkgs"
echo "  m5:      $m5 -> /sbin/m5"
echo "  rcS:     $rcs_desc -> /etc/init.d/rcS, run by m5sim-rcs.service"
echo "  cache:   $cached"
if [ ${#extra[@]} -eq 0 ]; then
  echo "  extra:   none"
else
  for e in "${extra[@]}"; do echo "  extra:   $e"; done
fi
