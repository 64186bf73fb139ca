#!/usr/bin/env bash
# Functional warming (SE mode, then full system): -F N --warmup-insts W runs N instructions on
# the atomic model, the last W of them filling the caches without timing,
# then switches to the timing model, whose statistics start at the switch.
# Warmed caches must miss less after the switch than cold ones, whether the
# window opens at the first instruction (W = N, the case make bench measures)
# or later (W < N); the program's output and instruction count do not change.
# Then the same from the first instruction of a full-system boot.
#
# Run from the top of the tree.
set -euo pipefail

SUITE="warming"
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

# Exactness: warming up to a program's region of interest leaves the caches
# as a timed run leaves them. The region then misses exactly as often in
# every cache as the same region of a run timed from the start (only the
# DRAM's row buffers are not warmed: cycles may differ a little), and
# --maxinsts counts on the model switched to, as in gem5.
# Small L1s (sets fewer than the CPU's quiet slots, cpu.h) and FIFO as well as gem5's defaults.
SMALL=(--l1i_size 1kB --l1i_assoc 2 --l1d_size 2kB --l1d_assoc 4 --replacement-policy FIFO)
for p in sorthash matmul small; do
    caches=()
    [ "$p" = small ] && p=canneal caches=("${SMALL[@]}")
    prog=build/bench/$p
    "$M5SIM" se -d "$tmp/roi-$p" --stats-dump-at bench_roi_begin "$prog" >/dev/null
    begin=$(stat_of "$tmp/roi-$p" simInsts)
    "$M5SIM" se -d "$tmp/timed-$p" --cpu-type timing --caches --l2cache ${caches[@]+"${caches[@]}"} \
        --stats-reset-at bench_roi_begin --stats-dump-at bench_roi_end "$prog" >/dev/null
    "$M5SIM" se -d "$tmp/warmed-$p" -F "$begin" --warmup-insts "$begin" --cpu-type timing --caches --l2cache \
        ${caches[@]+"${caches[@]}"} --stats-dump-at bench_roi_end "$prog" >/dev/null
    keys="simInsts system.cpu.icache.overallMisses::total system.cpu.dcache.overallMisses::total system.l2.overallMisses::total"
    timed="" warmed=""
    for k in $keys; do
        timed="$timed $(stat_of "$tmp/timed-$p" "$k")" warmed="$warmed $(stat_of "$tmp/warmed-$p" "$k")"
    done
    tc=$(stat_of "$tmp/timed-$p" system.cpu.numCycles) wc=$(stat_of "$tmp/warmed-$p" system.cpu.numCycles)
    if [ -n "$begin" ] && [ "$timed" = "$warmed" ] && [ -n "$tc" ] && [ -n "$wc" ] &&
        awk -v a="$tc" -v b="$wc" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d * 1000 < a) }'; then
        pass "$p ${caches[*]}: warmed for its first $begin instructions, its region misses as a timed run's (insts, L1I, L1D, L2:$warmed; cycles $wc, timed $tc)"
    else
        fail "$p ${caches[*]}: region after warming: insts, L1I, L1D, L2:$warmed cycles $wc; timed from the start:$timed cycles $tc"
    fi
done
"$M5SIM" se -d "$tmp/maxinsts" -F 1000000 --maxinsts 300000 --cpu-type timing --caches "$PROG" >/dev/null 2>&1 || true
if [ "$(stat_of "$tmp/maxinsts" simInsts)" = 300000 ]; then
    pass "-F 1000000 --maxinsts 300000: 300000 instructions on the timing model after the switch"
else
    fail "-F 1000000 --maxinsts 300000: simInsts $(stat_of "$tmp/maxinsts" simInsts) after the switch"
fi

# Full system, from the first instruction of a boot (the window opening at
# instruction 0): warming all N must leave the caches as warm as warming
# all but the first instruction, and warmer than no warming.
KERNEL=build/images/vmlinux IMAGE=build/images/rootfs.img
if [ -f "$KERNEL" ] && [ -f "$IMAGE" ]; then
    FS_N=50000000
    fs_misses() {   # fs_misses NAME ARGS...: "L1I L1D" misses at the end of a boot
        "$M5SIM" --kernel "$KERNEL" --disk-image "$IMAGE" -d "$tmp/$1" -q -F "$FS_N" \
            --cpu-type timing --caches --l2cache "${@:2}" >/dev/null 2>&1 || { echo "run failed"; return; }
        echo "$(stat_of "$tmp/$1" system.cpu.icache.overallMisses::total) $(stat_of "$tmp/$1" system.cpu.dcache.overallMisses::total)"
    }
    fs_cold=$(fs_misses fs-cold)
    fs_all=$(fs_misses fs-all --warmup-insts "$FS_N")
    fs_most=$(fs_misses fs-most --warmup-insts $((FS_N - 1)))
    if [ "$fs_all" = "$fs_most" ] && [ "$fs_all" != "$fs_cold" ] && [ "${fs_all% *}" -lt "${fs_cold% *}" ]; then
        pass "full system -F $FS_N --warmup-insts $FS_N: L1I/L1D misses $fs_all (warming all but one: $fs_most, cold: $fs_cold)"
    else
        fail "full system -F $FS_N --warmup-insts $FS_N: L1I/L1D misses $fs_all, warming all but one $fs_most, cold $fs_cold"
    fi
else
    fail "full system: $KERNEL or $IMAGE missing (make kernel image)"
fi

echo "$SUITE: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
