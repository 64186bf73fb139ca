#!/usr/bin/env bash
# Build a guest kernel from Debian's linux-source-6.1:
#   tinyconfig + images/kernel/<NAME>.fragment  ->  vmlinux, bzImage, config
# NAME is "config" (the m5sim kernel, the default) or another fragment such as
# "gem5-like". The result is cached outside the repository, keyed by the
# fragment and the source package version, and copied to the output directory
# given as $1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR [FRAGMENT-NAME]}
name=${2:-config}
fragment="$here/$name.fragment"
[ -f "$fragment" ] || { echo "kernel: no fragment $fragment" >&2; exit 2; }
tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || { echo "kernel: $tarball missing (run scripts/deps.sh)" >&2; exit 2; }

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( { cat "$fragment" "$0"; echo "$srcver"; } | sha256sum | cut -c1-16)
cache=${M5SIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/m5sim}/kernel/$key

mkdir -p "$out"
if [ -f "$cache/vmlinux" ] && [ -f "$cache/bzImage" ] && [ -f "$cache/config" ]; then
  echo "kernel: cached $cache"
else
  echo "kernel: building linux-source-6.1 $srcver (key $key); this takes a few minutes"
  work=$cache.work
  rm -rf "$work"; mkdir -p "$work"
  tar -C "$work" -xf "$tarball"
  src="$work/linux-source-6.1"
  jobs=$(nproc)
  # KCONFIG_ALLCONFIG forces the fragment's values during tinyconfig's allnoconfig pass.
  make -C "$src" -s KCONFIG_ALLCONFIG="$fragment" tinyconfig >"$work/config.log" 2>&1
  make -C "$src" -s olddefconfig >>"$work/config.log" 2>&1
  if ! make -C "$src" -s -j"$jobs" vmlinux bzImage >"$work/build.log" 2>&1; then
    tail -30 "$work/build.log" >&2
    echo "kernel: build failed, full log in $work/build.log" >&2
    exit 1
  fi
  mkdir -p "$cache.new"
  cp "$src/vmlinux" "$cache.new/vmlinux"
  cp "$src/arch/x86/boot/bzImage" "$cache.new/bzImage"
  cp "$src/.config" "$cache.new/config"
  rm -rf "$cache"; mv "$cache.new" "$cache"
  rm -rf "$work"
  echo "kernel: built into $cache"
fi
# Copy only when changed so make's timestamps stay meaningful.
for f in vmlinux bzImage config; do
  cmp -s "$cache/$f" "$out/$f" 2>/dev/null || cp "$cache/$f" "$out/$f"
done
