#!/usr/bin/env bash
# The timing CPU and its caches against an oracle nobody here wrote:
# valgrind. Each program runs twice on the same region of interest:
#
#   m5sim se --cpu-type timing --caches --l2cache (L1s sized like valgrind's
#       I1/D1 below) --stats-reset-at BEGIN --stats-dump-at END PROGRAM
#   valgrind --tool=callgrind --cache-sim=yes --I1 --D1 --LL
#       --zero-before=BEGIN --dump-before=END PROGRAM
#
# and the region's instruction count, L1I misses and L1D misses must be
# equal. Callgrind's cache simulator is Cachegrind's (LRU, write-allocate).
# Where the two models differ by design, the comparison accounts for it
# exactly (docs/memory-system.md, "Checked against valgrind"):
#  - valgrind counts every iteration of a REP string instruction as an
#    instruction executed, plus the final test that finds the count used up
#    (not when REPE/REPNE stop on their condition): its count is
#    simInsts + repElements - repConditionStops;
#  - valgrind counts an access that crosses a line (or a page) as one access,
#    a miss if either line missed, where gem5 and m5sim send two packets:
#    m5sim's system.cpu.cachegrind.{instMisses,dataMisses} count that way
#    (system.cpu.icache/dcache count packets, as gem5 does);
#  - the programs' stacks must sit at the same offset in a page, or stack
#    lines fall into other cache sets: valgrind builds its own initial stack,
#    so the test reads where (from the first stack write Lackey reports) and
#    gives m5sim --stack-pad to match;
#  - both run the program with the same environment (m5sim se's default).
# The programs: the four images/bench programs (region: their ROI markers)
# and zlib (Debian's libz.a, code nobody here wrote; region: deflate, which
# makes no system call: the two tools' kernels answer mmap and brk differently).
#
# Run from the top of the tree.
set -euo pipefail

SUITE="cachegrind cpu"
M5SIM=${M5SIM:-build/bin/m5sim}
passes=0 failures=0
pass() { echo "PASS $SUITE: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL $SUITE: $*"; failures=$((failures + 1)); }
command -v valgrind >/dev/null || { echo "FAIL $SUITE: valgrind not installed"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/m5sim-cgcpu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# zlib from Debian, linked statically against musl (its two headers only:
# /usr/include holds glibc's, which musl-gcc must not see).
mkdir -p "$tmp/inc"
cp /usr/include/zlib.h "$tmp/inc/"
cp /usr/include/zconf.h "$tmp/inc/" 2>/dev/null || cp /usr/include/x86_64-linux-gnu/zconf.h "$tmp/inc/"
musl-gcc -static -O2 -I"$tmp/inc" -o "$tmp/zlib_roi" tests/tools/zlib_roi.c /usr/lib/x86_64-linux-gnu/libz.a

# m5sim se's default environment (host/se/se.c), given to valgrind's program too.
ENV=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/ LANG=C)
I1=16384,4,64 D1=32768,8,64 LL=2097152,8,64   # L1 sets x lines = one page: see below

# compare NAME BEGIN END PROGRAM [ARGS...]
compare() {
    local name=$1 begin=$2 end=$3
    shift 3
    # Where valgrind puts the stack: _start's first store is its call's push,
    # 8 bytes below the 16-byte-aligned initial stack pointer.
    local vg_store ours pad
    vg_store=$("${ENV[@]}" valgrind --tool=lackey --trace-mem=yes --log-fd=9 "$@" 9>&1 >/dev/null 2>/dev/null |
               sed -n 's/^ S \([0-9a-f]*\),.*/\1/p' | head -1 || true)
    ours=$("$M5SIM" se -v -d "$tmp/probe" --maxinsts 1 "$@" 2>&1 >/dev/null |
           sed -n 's/.*initial stack pointer 0x//p')
    if [ -z "$vg_store" ] || [ -z "$ours" ]; then
        fail "$name: could not find the initial stack pointers (valgrind '$vg_store', m5sim '$ours')"
        return
    fi
    pad=$(( ((0x$ours & ~15) - (0x$vg_store + 8)) & 4095 ))

    "$M5SIM" se -d "$tmp/m5.$name" --cpu-type timing --caches --l2cache \
        --l1i_size 16kB --l1i_assoc 4 --l1d_size 32kB --l1d_assoc 8 --l2_size 2MB --l2_assoc 8 \
        --stack-pad "$pad" --stats-reset-at "$begin" --stats-dump-at "$end" "$@" >"$tmp/m5.$name.out"
    "${ENV[@]}" valgrind --tool=callgrind --cache-sim=yes --I1=$I1 --D1=$D1 --LL=$LL \
        --zero-before="$begin" --dump-before="$end" --callgrind-out-file="$tmp/cg.$name.%p" \
        "$@" >"$tmp/cg.$name.out" 2>"$tmp/cg.$name.err"
    if ! cmp -s "$tmp/m5.$name.out" "$tmp/cg.$name.out"; then
        fail "$name: the program's output differs under m5sim and valgrind"
        return
    fi
    # callgrind's first dump: "events: Ir Dr Dw I1mr D1mr D1mw ..." and "summary: ...".
    local dump events summary
    dump=$(ls "$tmp"/cg."$name".*.1 2>/dev/null | head -1)
    events=$(sed -n 's/^events: //p' "$dump")
    summary=$(sed -n 's/^summary: //p' "$dump")
    local vg_ir vg_i1 vg_d1
    read -r vg_ir vg_i1 vg_d1 < <(awk -v e="$events" -v s="$summary" 'BEGIN {
        n = split(e, en, " "); split(s, sv, " ");
        for (i = 1; i <= n; i++) v[en[i]] = sv[i] + 0;
        print v["Ir"], v["I1mr"], v["D1mr"] + v["D1mw"] }')
    # m5sim's first dump block: the region.
    local st="$tmp/m5.$name/stats.txt"
    get() { awk -v k="$1" '/Begin Simulation Statistics/ { n++ } n == 1 && $1 == k { print $2; exit }' "$st"; }
    local insts rep_stops rep_elems i1 d1
    insts=$(get simInsts); rep_stops=$(get system.cpu.cachegrind.repConditionStops)
    rep_elems=$(get system.cpu.cachegrind.repElements)
    i1=$(get system.cpu.cachegrind.instMisses); d1=$(get system.cpu.cachegrind.dataMisses)
    local ir=$(( ${insts:-0} + ${rep_elems:-0} - ${rep_stops:-0} ))
    if [ "$ir" = "$vg_ir" ] && [ "${i1:-x}" = "$vg_i1" ] && [ "${d1:-x}" = "$vg_d1" ]; then
        pass "$name: instructions $ir, L1I misses $i1, L1D misses $d1 (stack pad $pad) equal valgrind's"
    else
        fail "$name: m5sim instructions $ir L1I $i1 L1D $d1, valgrind $vg_ir $vg_i1 $vg_d1 (stack pad $pad)"
    fi
}

for p in matmul pchase sorthash canneal; do
    compare "$p" bench_roi_begin bench_roi_end "build/bench/$p"
done
compare zlib deflate deflateEnd "$tmp/zlib_roi"

echo "$SUITE: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
