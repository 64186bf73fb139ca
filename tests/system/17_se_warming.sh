#!/usr/bin/env bash
# Functional warming in SE mode: -F N --warmup-insts W runs N instructions on
# the atomic model, the last W of them filling the caches without timing,
# then switches to the timing model, whose statistics start at the switch.
# Warmed caches must miss less after the switch than cold ones, whether the
# window opens at the first instruction (W = N, the case make bench measures)
# or later (W < N); the program's output and instruction count do not change.
#
# Run from the top of the tree.
set -euo pipefail

SUITE="se warming"
M5SIM=${M5SIM:-build/bin/m5sim}
PROG=build/bench/matmul
N=20000000
passes=0 failures=0
pass() { echo "PASS $SUITE: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL $SUITE: $*"; failures=$((failures + 1)); }
[ -x "$PROG" ] || { echo "FAIL $SUITE: $PROG missing (make $PROG)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

stat_of() { awk -v k="$2" '$1 == k { print $2; exit }' "$1/stats.txt"; }

# run NAME ARGS...: one timing run; sets IM, DM (L1I, L1D misses after the
# switch) and INSTS (instructions simulated after it)
run() {
    local name=$1; shift
    "$M5SIM" se -d "$tmp/$name" --cpu-type timing --caches --l2cache "$@" "$PROG" >"$tmp/$name.out"
    IM=$(stat_of "$tmp/$name" system.cpu.icache.overallMisses::total)
    DM=$(stat_of "$tmp/$name" system.cpu.dcache.overallMisses::total)
    INSTS=$(stat_of "$tmp/$name" simInsts)
}

run cold -F "$N"
cold_im=$IM cold_dm=$DM cold_insts=$INSTS
[ -n "$cold_im" ] && [ -n "$cold_dm" ] && [ "${cold_im:-0}" -gt 0 ] ||
    fail "cold run: no L1 miss counts in stats.txt"

for w in "$N" $((N / 2)); do
    run "warm$w" -F "$N" --warmup-insts "$w"
    if cmp -s "$tmp/cold.out" "$tmp/warm$w.out" && [ "$INSTS" = "$cold_insts" ]; then
        pass "--warmup-insts $w: same output and $INSTS instructions after the switch"
    else
        fail "--warmup-insts $w: output or instruction count ($INSTS, cold $cold_insts) differs"
    fi
    if [ "${IM:-x}" -lt "$cold_im" ] && [ "${DM:-x}" -lt "$cold_dm" ]; then
        pass "--warmup-insts $w: L1I misses $IM (cold $cold_im), L1D misses $DM (cold $cold_dm)"
    else
        fail "--warmup-insts $w: caches not warm: L1I misses $IM (cold $cold_im), L1D misses $DM (cold $cold_dm)"
    fi
done

echo "$SUITE: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
