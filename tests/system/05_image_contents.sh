#!/usr/bin/env bash
# Inspect build/images/rootfs.img without mounting it (debugfs reads the ext4
# image directly) and check that it holds what m5sim's guest side needs:
# the static m5 agent, busybox and /bin/sh, our init, the rcS loop, and every
# benchmark of images/bench/.
#
# Run from the top of the tree after `make image`.
set -euo pipefail

name="image contents"
image=${1:-build/images/rootfs.img}
nfail=0 npass=0

ok()   { npass=$((npass + 1)); }
bad()  { echo "FAIL $name: $1"; nfail=$((nfail + 1)); }

[ -f "$image" ] || { echo "FAIL $name: $image missing (make image)"; exit 1; }
command -v debugfs >/dev/null || { echo "FAIL $name: debugfs not installed (e2fsprogs)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/m5sim-imgtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

dfs() { debugfs -R "$1" "$image" 2>/dev/null; }
# Type of a path: regular, directory, symlink, or "" if missing.
ftype() { dfs "stat $1" | sed -n 's/.*Type: \([a-z]*\).*/\1/p' | head -1; }
mode_of() { dfs "stat $1" | sed -n 's/.*Mode: *\([0-7]*\).*/\1/p' | head -1; }
executable() { local m; m=$(mode_of "$1"); [ -n "$m" ] && [ $((8#$m & 0111)) -ne 0 ]; }
fetch() { rm -f "$2"; dfs "dump $1 $2" >/dev/null; [ -s "$2" ]; }
static_elf() {
  [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] || return 1
  ! LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

# The file system itself is consistent.
if e2fsck -fn "$image" >"$tmp/fsck.log" 2>&1; then ok; else bad "e2fsck reports errors: $(tail -3 "$tmp/fsck.log" | tr '\n' ' ')"; fi

# /sbin/m5: a static ELF executable (it must run before anything else works).
if [ "$(ftype /sbin/m5)" != regular ]; then
  bad "/sbin/m5 missing or not a regular file"
elif ! executable /sbin/m5; then
  bad "/sbin/m5 is not executable (mode $(mode_of /sbin/m5))"
elif ! fetch /sbin/m5 "$tmp/m5"; then
  bad "cannot read /sbin/m5 from the image"
elif ! static_elf "$tmp/m5"; then
  bad "/sbin/m5 is not a static ELF executable"
else
  ok
  if [ -f build/guest/m5 ] && ! cmp -s "$tmp/m5" build/guest/m5; then
    bad "/sbin/m5 differs from build/guest/m5 (stale image? make image)"
  else ok; fi
fi

# busybox and the shell.
if [ "$(ftype /bin/busybox)" = regular ] && fetch /bin/busybox "$tmp/busybox" && static_elf "$tmp/busybox"; then
  ok
else
  bad "/bin/busybox missing or not a static ELF"
fi
for l in /bin/sh /bin/mount /bin/sleep /sbin/reboot /usr/bin/wc /bin/cat; do
  t=$(ftype "$l")
  if [ "$t" = symlink ] || [ "$t" = regular ]; then ok; else bad "$l missing"; fi
done
[ "$(ftype /bin/bash)" = regular ] && ok || bad "/bin/bash shim missing (gem5 scripts call /bin/bash)"

# init.
if [ "$(ftype /sbin/init)" != regular ] || ! executable /sbin/init; then
  bad "/sbin/init missing or not executable"
elif ! fetch /sbin/init "$tmp/init"; then
  bad "cannot read /sbin/init"
else
  head -1 "$tmp/init" | grep -q '^#!/bin/sh' && ok || bad "/sbin/init does not start with #!/bin/sh"
  grep -q 'm5sim-init: running' "$tmp/init" && ok || bad "/sbin/init has no marker line"
  grep -q '/etc/init.d/rcS' "$tmp/init" && ok || bad "/sbin/init does not run /etc/init.d/rcS"
  grep -q 'm5 exit' "$tmp/init" && ok || bad "/sbin/init does not end with m5 exit"
fi

# rcS: the checkpoint-then-readfile loop (unless the image was built with --rcs;
# M5SIM_IMAGE_CUSTOM_RCS=1 skips the loop checks).
if [ "$(ftype /etc/init.d/rcS)" != regular ] || ! executable /etc/init.d/rcS; then
  bad "/etc/init.d/rcS missing or not executable"
elif ! fetch /etc/init.d/rcS "$tmp/rcS"; then
  bad "cannot read /etc/init.d/rcS"
elif [ "${M5SIM_IMAGE_CUSTOM_RCS:-0}" != 1 ]; then
  grep -Eq '^[[:space:]]*while' "$tmp/rcS" && ok || bad "rcS has no loop"
  # The readfile must come after the checkpoint (see images/rootfs/rcS).
  code() { grep -nE "$1" "$tmp/rcS" | grep -v '^[0-9]*:[[:space:]]*#' | head -1 | cut -d: -f1; }
  c=$(code '(m5|M5) checkpoint')
  r=$(code '(m5|M5) readfile')
  if [ -n "$c" ] && [ -n "$r" ] && [ "$c" -lt "$r" ]; then ok
  else bad "rcS: the first m5 readfile (line ${r:-?}) must follow the checkpoint (line ${c:-?})"; fi
  if [ -f images/rootfs/rcS ] && ! cmp -s "$tmp/rcS" images/rootfs/rcS; then
    bad "/etc/init.d/rcS differs from images/rootfs/rcS (stale image? make image)"
  else ok; fi
fi

# Directories and config files.
for d in /dev /proc /sys /tmp /root /etc /bench; do
  [ "$(ftype $d)" = directory ] && ok || bad "directory $d missing"
done
for f in /etc/passwd /etc/group /etc/hostname; do
  [ "$(ftype $f)" = regular ] && ok || bad "$f missing"
done
dfs "cat /etc/passwd" | grep -q '^root:x:0:0:' && ok || bad "/etc/passwd has no root entry"
owner=$(dfs "stat /sbin/m5" | sed -n 's/.*User: *\([0-9]*\).*/\1/p')
[ "$owner" = 0 ] && ok || bad "/sbin/m5 is owned by uid $owner, not root"

# Every benchmark of images/bench/ as a static executable under /bench.
nb=0
for src in images/bench/*.c; do
  [ -e "$src" ] || continue
  b=$(basename "$src" .c)
  if [ "$(ftype /bench/$b)" != regular ] || ! executable "/bench/$b"; then
    bad "/bench/$b missing or not executable"
  elif ! fetch "/bench/$b" "$tmp/$b" || ! static_elf "$tmp/$b"; then
    bad "/bench/$b is not a static ELF"
  else
    ok; nb=$((nb + 1))
  fi
done

if [ $nfail -ne 0 ]; then
  echo "FAIL $name: $nfail of $((npass + nfail)) checks failed ($image)"
  exit 1
fi
echo "PASS $name: $npass checks; /sbin/m5, busybox, init, rcS loop, $nb benchmarks in /bench ($image)"
