#!/bin/bash
# 17_cpu_stats.sh - the committed-instruction statistics by kind
# (system.cpu.commitStats0.numLoadInsts, committedControl::*, ..., and
# m5sim's numUserInsts/numKernelInsts) equal the counts of a program whose
# every instruction is known (tests/se/cpu_stats.S: N=1000 iterations of a
# load, a store, a decrement and a conditional branch; one call/ret pair).
# Under the atomic model the class statistics are absent (docs/stats.md) and
# the user/kernel split is still there; the O3 model counts as the timing one.
set -euo pipefail
cd "$(dirname "$0")/../.."
M5SIM=${M5SIM:-build/bin/m5sim}
[ -x "$M5SIM" ] || { echo "FAIL cpu_stats: $M5SIM is missing (run make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

gcc -nostdlib -static -o "$tmp/cpu_stats" tests/se/cpu_stats.S
"$M5SIM" se --cpu-type timing --caches -d "$tmp/timing" "$tmp/cpu_stats"
"$M5SIM" se -d "$tmp/atomic" "$tmp/cpu_stats"
"$M5SIM" se --cpu-type o3 --caches -d "$tmp/o3" "$tmp/cpu_stats"

# expect DIR NAME VALUE: the stat's value in DIR/stats.txt (absent: VALUE "-").
expect() {
    local got
    got=$(awk -v n="system.cpu.commitStats0.$2" '$1 == n { print $2 }' "$tmp/$1/stats.txt")
    [ -n "$got" ] || got=-
    if [ "$got" = "$3" ]; then
        echo "PASS cpu_stats $1 $2 = $3"
    else
        echo "FAIL cpu_stats $1 $2: $got, expected $3"
        failures=$((failures + 1))
    fi
}
# 2 + 4N + call + 3 + ret instructions; loads: N + ret's pop; stores: N + call's push.
expect timing numInsts 4007
expect timing numLoadInsts 1001
expect timing numStoreInsts 1001
expect timing numMemRefs 2002
expect timing numFpInsts 0
expect timing committedInstType::MemRead 1000
expect timing committedInstType::MemWrite 1000
expect timing committedInstType::total 4007
expect timing committedControl::IsControl 1002
expect timing committedControl::IsDirectControl 1001
expect timing committedControl::IsIndirectControl 1
expect timing committedControl::IsCondControl 1000
expect timing committedControl::IsUncondControl 2
expect timing committedControl::IsCall 1
expect timing committedControl::IsReturn 1
expect timing numUserInsts 4007
expect timing numKernelInsts 0
# The O3 model counts x86 instructions the same way (its micro-ops are simOps).
for n in numInsts=4007 numLoadInsts=1001 numStoreInsts=1001 numMemRefs=2002 committedControl::IsControl=1002 \
         committedControl::IsCall=1 committedControl::IsReturn=1 numUserInsts=4007; do
    expect o3 "${n%%=*}" "${n#*=}"
done
expect atomic numInsts 4007
expect atomic numLoadInsts -
expect atomic numUserInsts 4007
expect atomic numKernelInsts 0
[ "$failures" -eq 0 ] || { echo "FAIL cpu_stats: $failures"; exit 1; }
