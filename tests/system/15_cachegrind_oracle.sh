#!/usr/bin/env bash
# m5sim's cache tag store against an oracle nobody here wrote: valgrind's
# Cachegrind. A small static program's memory trace is recorded with
# valgrind's Lackey and fed to tests/tools/cache_trace (our host/mem/cache.c
# configured like Cachegrind's I1 and D1: LRU, write-allocate); the I1 and D1
# reference and miss counts must equal Cachegrind's for the same program and
# geometries. cache_trace.c says how Cachegrind counts a line-crossing access
# (one reference, one miss if either line missed) and why the counts match.
#
# Run from the top of the tree.
set -euo pipefail

name="cachegrind oracle"
nfail=0 npass=0
command -v valgrind >/dev/null || { echo "FAIL $name: valgrind not installed"; exit 1; }
command -v musl-gcc >/dev/null || { echo "FAIL $name: musl-gcc not installed"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/m5sim-cgtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -Ihost -o "$tmp/cache_trace" \
  tests/tools/cache_trace.c host/mem/cache.c
musl-gcc -static -O2 -o "$tmp/prog" tests/tools/oracle_prog.c

# Geometries: gem5's L1 defaults, then small caches where replacement and
# associativity conflicts dominate, with 32- and 128-byte lines.
geoms=(
  "32768,2,64 65536,2,64"
  "1024,2,32 2048,4,32"
  "4096,1,128 4096,8,128"
)
valgrind --tool=lackey --trace-mem=yes --log-fd=3 "$tmp/prog" 3>"$tmp/trace" >/dev/null 2>&1
for g in "${geoms[@]}"; do
  set -- $g
  ours=$("$tmp/cache_trace" "$1" "$2" < "$tmp/trace")
  theirs=$(valgrind --tool=cachegrind --cache-sim=yes --I1="$1" --D1="$2" --LL=8388608,16,64 \
             --cachegrind-out-file=/dev/null "$tmp/prog" 2>&1 >/dev/null |
           sed -n 's/^==[0-9]*== \(I\|I1\|D\|D1\) *\(refs\|misses\): *\([0-9,]*\).*/\1 \2 \3/p' | tr -d ,)
  if [ "$ours" = "$theirs" ]; then
    npass=$((npass + 1))
    echo "ok   $name: I1=$1 D1=$2: $(echo $ours | tr '\n' ' ')"
  else
    nfail=$((nfail + 1))
    echo "FAIL $name: I1=$1 D1=$2"; echo "  m5sim:      $(echo $ours)"; echo "  cachegrind: $(echo $theirs)"
  fi
done
[ $nfail -eq 0 ] && echo "PASS $name ($npass geometries)" || { echo "FAIL $name: $nfail of $((npass + nfail))"; exit 1; }
