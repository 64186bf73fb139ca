#!/bin/bash
# 18_o3_micro.sh - the out-of-order model (--cpu-type o3) against first
# principles: microbenchmarks (tests/se/o3_micro.S) whose cycles follow from
# the model's parameters (gem5 v24's defaults: 6 IntAlu units, IntMult 3
# cycles, x86 division as a chain of 1-cycle IntDiv micro-ops, 4 L1D MSHRs)
# and from the memory hierarchy's own statistics, each with a tolerance.
# Each runs in SE mode with L1s and an L2; the statistics cover the measured
# loop only (--stats-reset-at measure --stats-dump-at done).
#
# Also: the committed instruction count on o3 equals the atomic model's for
# an images/bench program, IPC is 1 or less on timing and above 1 on o3 for
# a compute-bound one, the model names and --param reach config.ini, and a
# bad --param is refused.
set -euo pipefail
cd "$(dirname "$0")/../.."
M5SIM=${M5SIM:-build/bin/m5sim}
[ -x "$M5SIM" ] || { echo "FAIL o3: $M5SIM is missing (run make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS o3: $1"; }
fail() { echo "FAIL o3: $1"; failures=$((failures + 1)); }

# stat DIR NAME: the value in the first dump of DIR/stats.txt.
stat() { awk -v n="$2" '/^---------- End/ { exit } $1 == n { print $2; exit }' "$1/stats.txt"; }
# calc EXPR: awk arithmetic.
calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }
# near NAME GOT EXPECTED TOLERANCE: |got - expected| <= tolerance * expected.
near() {
    if awk -v g="$2" -v e="$3" -v t="$4" 'BEGIN { d = g - e; if (d < 0) d = -d; exit !(d <= t * e) }'; then
        pass "$1 = $2 (expected $3 +-$(calc "$4 * 100")%)"
    else
        fail "$1 = $2, expected $3 +-$(calc "$4 * 100")%"
    fi
}

# micro KIND [FLAGS...]: build and run one microbenchmark on o3; its outdir is $tmp/KIND.
micro() {
    local kind=$1 defs=""
    shift
    case $kind in CHASE) defs=-DNODES=65536 ;; STREAM) defs=-DNODES=163840 ;; esac
    gcc -nostdlib -static -D"$kind" $defs -o "$tmp/$kind.bin" tests/se/o3_micro.S
    "$M5SIM" se --cpu-type o3 --caches --l2cache "$@" --stats-reset-at measure --stats-dump-at done \
        -d "$tmp/$kind" "$tmp/$kind.bin"
}
ITERS=20000
cycles() { stat "$tmp/$1" system.cpu.numCycles; }

# A chain of 28 dependent adds a loop: 1 cycle each (IntAlu latency 1).
micro DEP_ADD
near "dependent add: cycles per add" "$(calc "$(cycles DEP_ADD) / ($ITERS * 28)")" 1 0.02
# 7 independent chains, 30 integer micro-ops a loop: IPC = min(issueWidth 8, IntAlu units 6).
micro INDEP_ADD
near "independent adds: IPC" "$(stat "$tmp/INDEP_ADD" system.cpu.ipc)" 6 0.03
# imul r, r = mul1s (IntMult, 3 cycles) + mulel (IntAlu, 1): 4 cycles per link.
micro DEP_MUL
near "dependent imul: cycles per imul" "$(calc "$(cycles DEP_MUL) / ($ITERS * 8)")" 4 0.02
# div r32 = div1 + 33 div2 + divq, 1-cycle IntDiv micro-ops in a chain, + the xor of edx: 36 cycles.
micro DEP_DIV
near "dependent div r32: cycles per xor+div" "$(calc "$(cycles DEP_DIV) / ($ITERS * 4)")" 36 0.02
# The same loop with a random and with an always-taken branch: the extra cycles per misprediction
# are the modelled penalty: the branch resolves 2 cycles after the generator's result (test, jz),
# fetch restarts iewToFetchDelay (1) later with an L1I access (3 cycles), and the next
# iteration reaches issue after fetchToDecode + decodeToRename (2) + renameToIEW (2): 10 cycles.
micro BRANCH_RANDOM
micro BRANCH_FIXED
mr=$(stat "$tmp/BRANCH_RANDOM" system.cpu.branchPred.condIncorrect)
mf=$(stat "$tmp/BRANCH_FIXED" system.cpu.branchPred.condIncorrect)
near "random branch: mispredicted fraction" "$(calc "$mr / $ITERS")" 0.5 0.1
near "random branch: cycles per misprediction" \
    "$(calc "($(cycles BRANCH_RANDOM) - $(cycles BRANCH_FIXED)) / ($mr - $mf)")" 10 0.1
# A pointer chase over 4 MiB with a 256 kB L2: every load misses the L1D, so a load costs
# the L1D's average miss latency (the hierarchy's own statistic) plus issue-to-execute (1).
micro CHASE --l2_size 256kB
period=$(calc "$(stat "$tmp/CHASE" simTicks) / $(cycles CHASE)")
lat=$(calc "$(stat "$tmp/CHASE" system.cpu.dcache.demandAvgMissLatency::total) / $period")
near "pointer chase: cycles per load (miss latency $lat cycles)" "$(calc "$(cycles CHASE) / ($ITERS * 8)")" \
    "$(calc "$lat + 1")" 0.03
# Independent loads, one per line, all missing: 4 L1D MSHRs give 4 misses per miss latency.
micro STREAM --l2_size 256kB
lat=$(calc "$(stat "$tmp/STREAM" system.cpu.dcache.demandAvgMissLatency::total) / $period")
near "streaming loads: cycles per load (miss latency $lat / 4 MSHRs)" \
    "$(calc "$(cycles STREAM) / ($ITERS * 8)")" "$(calc "$lat / 4")" 0.05
# store; load of the same address; add: the load is forwarded from the SQ once the store-set
# table learnt the pair (one violation per load): store exec 1 + forward 1 + add 1 = 3 cycles.
micro FORWARD
near "store-to-load forwarding: cycles per store+load+add" "$(calc "$(cycles FORWARD) / ($ITERS * 4)")" 3 0.02
near "store-to-load forwarding: forwarded loads" "$(stat "$tmp/FORWARD" system.cpu.lsq0.forwLoads)" \
    $((ITERS * 4)) 0.001
v=$(stat "$tmp/FORWARD" system.cpu.iew.memOrderViolationEvents)
[ "$v" -le 8 ] && pass "store-to-load forwarding: $v memory-order violations (the store sets learn)" ||
    fail "store-to-load forwarding: $v memory-order violations"

# The CPI stack: its entries sum to the cycles, and the cycles go where the benchmark says.
for k in DEP_ADD INDEP_ADD DEP_MUL DEP_DIV BRANCH_RANDOM BRANCH_FIXED CHASE STREAM FORWARD; do
    sum=$(awk '/^---------- End/ { exit } $1 ~ /^system\.cpu\.cpiStack\./ { s += $2 } END { print s + 0 }' "$tmp/$k/stats.txt")
    [ "$sum" = "$(cycles "$k")" ] && pass "$k: the CPI stack sums to numCycles ($sum)" ||
        fail "$k: the CPI stack sums to $sum, numCycles $(cycles "$k")"
done
share() { calc "$(stat "$tmp/$1" "system.cpu.cpiStack.$2") / $(cycles "$1")"; }
near "pointer chase: CPI stack dcacheMem share" "$(share CHASE dcacheMem)" 1 0.05
near "streaming loads: CPI stack dcacheMem share" "$(share STREAM dcacheMem)" 1 0.05
# An imul's 4 cycles: mul1s commits in one, mulel and muleh in another, the 2 between wait on mul1s.
near "dependent imul: CPI stack dependency cycles per imul" \
    "$(calc "$(stat "$tmp/DEP_MUL" system.cpu.cpiStack.dependency) / ($ITERS * 8)")" 2 0.02
# Of the 10 cycles of a misprediction, those in which nothing commits are branchMispredict: at least 6.
bm=$(stat "$tmp/BRANCH_RANDOM" system.cpu.cpiStack.branchMispredict)
awk -v b="$bm" -v m="$mr" 'BEGIN { exit !(b >= 6 * m && b <= 10 * m) }' &&
    pass "random branch: CPI stack branchMispredict $bm for $mr mispredictions (6 to 10 each)" ||
    fail "random branch: CPI stack branchMispredict $bm for $mr mispredictions"

# A compute-bound benchmark program (matmul): the same instructions as atomic, IPC <= 1 on timing, > 1 on o3.
prog=build/bench/matmul
if [ -x "$prog" ] || make -s "$prog" >/dev/null 2>&1; then
    for model in atomic timing o3; do
        "$M5SIM" se --cpu-type "$model" --caches --l2cache -d "$tmp/b_$model" "$prog" >/dev/null
    done
    a=$(stat "$tmp/b_atomic" simInsts)
    o=$(stat "$tmp/b_o3" simInsts)
    [ "$a" = "$o" ] && pass "matmul: o3 commits the atomic model's $a instructions" ||
        fail "matmul: o3 committed $o instructions, atomic $a"
    ops=$(stat "$tmp/b_o3" simOps)
    [ "$ops" -gt "$o" ] && pass "matmul: simOps $ops counts micro-ops (> simInsts $o)" ||
        fail "matmul: simOps $ops not above simInsts $o"
    ti=$(stat "$tmp/b_timing" system.cpu.ipc)
    oi=$(stat "$tmp/b_o3" system.cpu.ipc)
    awk -v t="$ti" 'BEGIN { exit !(t <= 1) }' && pass "matmul: IPC on timing $ti <= 1" || fail "matmul: IPC on timing $ti"
    awk -v o="$oi" 'BEGIN { exit !(o > 1) }' && pass "matmul: IPC on o3 $oi > 1" || fail "matmul: IPC on o3 $oi"
else
    fail "matmul: $prog is missing and could not be built"
fi

# The m5 op switchcpu: a run fast-forwarding on atomic (-F far beyond the program) switches to o3
# when the program asks, right before its loop of dependent adds: from there it takes 1 cycle an add.
gcc -nostdlib -static -DDEP_ADD -DSWITCH_FIRST -o "$tmp/sw.bin" tests/se/o3_micro.S
"$M5SIM" se --cpu-type o3 --caches --l2cache -F 1000000000000 -d "$tmp/sw" "$tmp/sw.bin"
sw=$(stat "$tmp/sw" system.cpu.fetchStats0.numInsts)
[ "${sw:-0}" -ge $((ITERS * 30)) ] && pass "m5 op switchcpu: o3 ran the loop after the switch ($sw instructions fetched)" ||
    fail "m5 op switchcpu: o3 fetched '${sw}' instructions"
near "m5 op switchcpu: cycles per add after the switch" "$(calc "$(cycles sw) / ($ITERS * 28)")" 1 0.05

# Names and parameters: gem5's class names select o3; --param lands in config.ini; bad ones are refused.
gcc -nostdlib -static -DDEP_ADD -o "$tmp/p.bin" tests/se/o3_micro.S
"$M5SIM" se --cpu-type DerivO3CPU --caches --param system.cpu.numROBEntries=96 \
    --param system.cpu.branchPred=TAGE -d "$tmp/p" "$tmp/p.bin"
grep -qx 'numROBEntries=96' "$tmp/p/config.ini" && grep -qx 'type=TAGE' "$tmp/p/config.ini" &&
    grep -qx 'type=X86O3CPU' "$tmp/p/config.ini" && pass "--param numROBEntries=96 and branchPred=TAGE in config.ini" ||
    fail "--param values missing from config.ini"
for bp in LocalBP TAGE TournamentBP; do
    "$M5SIM" se --cpu-type o3 --caches --param "system.cpu.branchPred=$bp" --stats-reset-at measure \
        --stats-dump-at done -d "$tmp/bp_$bp" "$tmp/BRANCH_FIXED.bin"
    m=$(stat "$tmp/bp_$bp" system.cpu.branchPred.condIncorrect)
    [ "$m" -le 20 ] && pass "$bp: an always-taken branch is learnt ($m mispredictions)" ||
        fail "$bp: $m mispredictions of an always-taken branch"
done
if "$M5SIM" se --cpu-type o3 --param system.cpu.noSuchThing=1 "$tmp/p.bin" 2>"$tmp/err"; then
    fail "--param noSuchThing accepted"
else
    grep -q "unknown parameter" "$tmp/err" && pass "--param noSuchThing refused" || fail "--param noSuchThing: $(cat "$tmp/err")"
fi

[ "$failures" -eq 0 ] || { echo "FAIL o3: $failures"; exit 1; }
echo "PASS o3: all"
