#!/usr/bin/env bash
# Build an m5sim guest disk image (ext4, whole-disk; or with --partition an
# MBR partition table holding one ext4 partition)
# without root privileges or loop devices: a staging directory is filled and
# handed to `mke2fs -d`.
#
#   images/mkimage.sh -o OUT.img -m PATH/TO/m5 [--bench DIR] [options]
#
# See usage() below and docs/images.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=mkimage
. "$here/lib/mbr.sh"

usage() {
  cat <<EOF
usage: images/mkimage.sh -o OUT.img -m M5BINARY [options]

Builds an ext4 disk image for m5sim (and gem5/QEMU): Debian's static busybox
with its applets, the m5 guest agent at /sbin/m5, the m5sim init and rcS loop,
and the benchmark programs under /bench.

  -o, --output FILE      image to write (written to FILE.tmp, then renamed)
  -m, --m5 FILE          the static m5 guest agent (build/guest/m5)
      --bench DIR        copy every executable regular file of DIR to /bench
      --add HOST:GUEST   copy a host file or directory into the image at the
                         absolute guest path GUEST (repeatable). A directory is
                         copied with its contents; GUEST ending in '/' means
                         "into this directory".
      --rcs FILE         use FILE as /etc/init.d/rcS instead of the m5sim rcS
                         loop (e.g. gem5's configs/boot/hack_back_ckpt.rcS)
      --size MIB         image size in MiB (default: content + headroom, >= 64)
      --label LABEL      ext4 volume label (default m5sim-root)
      --partition        write an MBR partition table with the file system in
                         partition 1 (from 1 MiB on): the layout of gem5's
                         images, booted with root=/dev/sda1 (or /dev/vda1)
      --busybox FILE     static busybox to install (default /bin/busybox)
  -h, --help             this help

Environment: SOURCE_DATE_EPOCH fixes every timestamp (default 1700000000), so
the same inputs give a byte-identical image.
EOF
}

die()  { echo "$prog: $*" >&2; exit 2; }
need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || die "option $1 needs an argument (try -h)"; }

out="" m5="" bench="" rcs="" size="" label="m5sim-root" busybox=/bin/busybox partition=0
adds=()
while [ $# -gt 0 ]; do
  case "$1" in
    -o|--output)  need_arg "$@"; out=$2; shift 2 ;;
    -m|--m5)      need_arg "$@"; m5=$2; shift 2 ;;
    --bench)      need_arg "$@"; bench=$2; shift 2 ;;
    --add)        need_arg "$@"; adds+=("$2"); shift 2 ;;
    --rcs)        need_arg "$@"; rcs=$2; shift 2 ;;
    --size)       need_arg "$@"; size=$2; shift 2 ;;
    --label)      need_arg "$@"; label=$2; shift 2 ;;
    --partition)  partition=1; shift ;;
    --busybox)    need_arg "$@"; busybox=$2; shift 2 ;;
    -h|--help)    usage; exit 0 ;;
    *)            die "unknown argument '$1' (try -h)" ;;
  esac
done

# ----------------------------------------------------------- check inputs --
[ -n "$out" ] || die "no output image given (-o OUT.img)"
[ -n "$m5" ]  || die "no m5 agent given (-m PATH/TO/m5; build it with 'make build/guest/m5')"
[ -f "$m5" ]  || die "m5 agent '$m5' not found (build it with 'make build/guest/m5')"
[ -f "$busybox" ] || die "busybox '$busybox' not found (apt-get install busybox-static)"
[ -z "$bench" ] || [ -d "$bench" ] || die "benchmark directory '$bench' not found"
[ -z "$rcs" ] || [ -f "$rcs" ] || die "rcS file '$rcs' not found"
[ ${#label} -le 16 ] || die "label '$label' is longer than 16 characters"
if [ -n "$size" ]; then
  [[ "$size" =~ ^[0-9]+$ ]] && [ "$size" -ge 8 ] || die "--size '$size': want a whole number of MiB >= 8"
fi
for f in "$here/rootfs/init" "$here/rootfs/rcS"; do
  [ -f "$f" ] || die "$f missing from the source tree"
done
command -v mke2fs >/dev/null || die "mke2fs not found (apt-get install e2fsprogs)"

is_static_elf() {   # no PT_INTERP program header = statically linked
  [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] || return 1
  ! LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}
is_static_elf "$m5" || die "m5 agent '$m5' is not a static ELF executable"
is_static_elf "$busybox" || die "busybox '$busybox' is not a static ELF executable"

for a in ${adds[@]+"${adds[@]}"}; do
  [[ "$a" == *:* ]] || die "--add '$a': want HOSTPATH:GUESTPATH"
  h=${a%:*} g=${a##*:}
  [ -e "$h" ] || die "--add '$a': host path '$h' not found"
  [[ "$g" == /* ]] || die "--add '$a': guest path '$g' must be absolute"
done

outdir=$(dirname "$out")
[ -d "$outdir" ] || mkdir -p "$outdir" || die "cannot create directory '$outdir'"

# ----------------------------------------------------------------- stage --
tmp=$(mktemp -d "${TMPDIR:-/tmp}/m5sim-mkimage.XXXXXX")
cleanup() { rm -rf "$tmp"; rm -f "$out.tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$tmp/root
t0=$(date +%s.%N)

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,dev,proc,sys,tmp,root,bench,mnt}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"

# busybox and one symlink per applet, where busybox itself would install it.
install -m 755 "$busybox" "$root/bin/busybox"
napplets=0
while read -r path; do
  case "$path" in
    ""|bin/busybox|sbin/init|linuxrc) continue ;;  # /sbin/init is ours
  esac
  [ -e "$root/$path" ] || [ -L "$root/$path" ] && continue
  mkdir -p "$root/$(dirname "$path")"
  ln -s /bin/busybox "$root/$path"
  napplets=$((napplets + 1))
done < <("$busybox" --list-full)
[ -L "$root/bin/sh" ] || die "busybox '$busybox' has no sh applet"
# gem5 scripts (hack_back_ckpt.rcS, most benchmark scripts) call /bin/bash.
# Busybox has no bash applet, so /bin/bash runs busybox's ash.
if [ ! -e "$root/bin/bash" ]; then
  printf '#!/bin/sh\n# m5sim: no bash in this image; busybox ash stands in for it.\nexec /bin/busybox ash "$@"\n' \
    >"$root/bin/bash"
  chmod 755 "$root/bin/bash"
fi

install -m 755 "$m5" "$root/sbin/m5"
install -m 755 "$here/rootfs/init" "$root/sbin/init"
if [ -n "$rcs" ]; then
  install -m 755 "$rcs" "$root/etc/init.d/rcS"
  rcs_desc="$rcs (replacement)"
else
  install -m 755 "$here/rootfs/rcS" "$root/etc/init.d/rcS"
  rcs_desc="m5sim rcS loop (images/rootfs/rcS)"
fi

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo m5sim >"$root/etc/hostname"
cat >"$root/etc/profile" <<'EOF'
export PATH=/sbin:/usr/sbin:/bin:/usr/bin:/bench
export HOME=/root
PS1='m5sim:\w# '
EOF
chmod 644 "$root"/etc/{passwd,group,hostname,profile}

nbench=0 bench_names=""
if [ -n "$bench" ]; then
  for f in "$bench"/*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    install -m 755 "$f" "$root/bench/"
    nbench=$((nbench + 1))
    bench_names+=" $(basename "$f")"
  done
fi

extra=()
for a in ${adds[@]+"${adds[@]}"}; do
  h=${a%:*} g=${a##*:}
  if [ -d "$h" ]; then
    mkdir -p "$root$g"
    cp -R --preserve=mode,links "$h/." "$root$g/"
  elif [[ "$g" == */ ]]; then
    mkdir -p "$root$g"
    cp --preserve=mode "$h" "$root$g"
  else
    mkdir -p "$root$(dirname "$g")"
    cp --preserve=mode "$h" "$root$g"
  fi
  extra+=("$h -> $g")
done

# Reproducibility: fixed timestamps for every staged file.
epoch=${SOURCE_DATE_EPOCH:-1700000000}
find "$root" -exec touch -h -d "@$epoch" {} +

# ----------------------------------------------------------------- build --
content_kib=$(du -sk "$root" | cut -f1)     # allocated blocks: small files count 4 KiB
nfiles=$(find "$root" | wc -l)
if [ -z "$size" ]; then
  # content + 25% + 32 MiB for the journal, metadata and guest scratch space
  size=$(( (content_kib * 5 / 4 + 1023) / 1024 + 32 ))
  [ "$size" -ge 64 ] || size=64
elif [ $((size * 1024)) -lt $((content_kib + content_kib / 8 + 8192)) ]; then
  die "--size $size MiB is too small for $((content_kib / 1024)) MiB of content"
fi

# mke2fs's default is one inode per 4 KiB below 512 MiB (16 KiB above); ask
# for more when many small files were added.
inode_opt=()
default_inodes=$(( size * 1024 * 1024 / (size < 512 ? 4096 : 16384) ))
if [ $((nfiles + 1024)) -gt "$default_inodes" ]; then
  inode_opt=(-N $((nfiles * 5 / 4 + 1024)))
fi

# A fixed UUID and hash seed (derived from the label) plus the fake time make
# the image a pure function of its inputs.
uuid=$(printf '%s' "$label" | sha256sum | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-4\3-8\4-\5/')
rm -f "$out.tmp"
E2FSPROGS_FAKE_TIME=$epoch mke2fs -F -q -t ext4 -L "$label" -U "$uuid" ${inode_opt[@]+"${inode_opt[@]}"} \
  -E "root_owner=0:0,hash_seed=$uuid" -d "$root" "$out.tmp" "${size}M" >"$tmp/mke2fs.log" 2>&1 \
  || { cat "$tmp/mke2fs.log" >&2; die "mke2fs failed"; }

# mke2fs -d copies owners and access/change times from the staged files: the
# owner is the caller when not run as root, atime changes when mke2fs reads a
# file, and ctime is always "now". Make every inode root-owned with the fixed
# timestamps, so the image is a pure function of its inputs. Inodes are named
# by number (<N>): debugfs looks paths up with a linear directory scan, which
# is quadratic for large directories.
(cd "$root" && find . -type d) | sed 's|^\.||; s|^$|/|' \
  | awk '{ printf "ls -p \"%s\"\n", $0 }' >"$tmp/ls.cmds"
debugfs -f "$tmp/ls.cmds" "$out.tmp" 2>/dev/null \
  | awk -F/ 'NF >= 7 && $2 ~ /^[0-9]+$/ { print $2 }' | sort -un >"$tmp/inodes"
[ "$(wc -l <"$tmp/inodes")" -ge "$nfiles" ] || die "debugfs listed fewer inodes than files staged"
awk -v t="$epoch" '{
    printf "sif <%s> uid 0\nsif <%s> gid 0\n", $1, $1
    printf "sif <%s> atime @%s\nsif <%s> ctime @%s\n", $1, t, $1, t
    printf "sif <%s> mtime @%s\nsif <%s> crtime @%s\n", $1, t, $1, t
  }' "$tmp/inodes" >"$tmp/fixup.cmds"
E2FSPROGS_FAKE_TIME=$epoch debugfs -w -f "$tmp/fixup.cmds" "$out.tmp" >"$tmp/debugfs.log" 2>&1 \
  || { tail -5 "$tmp/debugfs.log" >&2; die "debugfs could not set owners and times"; }
if grep -q '^sif:' "$tmp/debugfs.log"; then
  grep '^sif:' "$tmp/debugfs.log" | head -5 >&2; die "debugfs could not set owners and times"
fi
e2fsck -fn "$out.tmp" >"$tmp/fsck.log" 2>&1 || { cat "$tmp/fsck.log" >&2; die "the new image does not pass e2fsck"; }

[ "$partition" = 0 ] || mbr_partition "$out.tmp" "$size" "$label" "$tmp"

mv -f "$out.tmp" "$out"
t1=$(date +%s.%N)

# ---------------------------------------------------------------- report --
echo "mkimage: wrote $out: ${size} MiB ext4 (label $label)$([ "$partition" = 1 ] && echo ", in MBR partition 1"), $((content_kib / 1024)) MiB in $nfiles files, $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s"
echo "  busybox: $busybox ($("$busybox" 2>/dev/null | head -1 | awk '{print $2}'), $napplets applet links, /bin/bash -> ash)"
echo "  m5:      $m5 -> /sbin/m5"
echo "  init:    images/rootfs/init -> /sbin/init"
echo "  rcS:     $rcs_desc -> /etc/init.d/rcS"
echo "  bench:   $nbench benchmarks in /bench:${bench_names:- none}"
if [ ${#extra[@]} -eq 0 ]; then
  echo "  extra:   none"
else
  for e in "${extra[@]}"; do echo "  extra:   $e"; done
fi
