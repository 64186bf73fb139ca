#!/bin/bash
# 47_timing.sh - the timing CPU (TimingSimpleCPU) in full system: the seed's
# workflow, restore on one CPU model and run a new script on another.
#
# Reuses the shared boot checkpoint (tests/system/lib.sh: fs_ensure_boot),
# taken on the atomic model, and checks that
#  - `--restore-with-cpu atomic --cpu-type timing --caches --l2cache` runs a
#    new script with the console byte for byte as on the atomic model (the
#    script's output does not depend on time), and that the timing run takes
#    more cycles than instructions;
#  - stats.txt has gem5's names for the CPU, the caches and the memory
#    controller, and config.ini records the hierarchy;
#  - two timing restores give identical statistics (host figures aside);
#  - gem5's literal flags work (--restore-with-cpu=X86KvmCPU
#    --cpu-type=TimingSimpleCPU: the KVM model is not in this build; one line
#    says the atomic model restores instead);
#  - -F N --warmup-insts M switches after N instructions with warm caches;
#  - a checkpoint taken while the timing model runs carries the cache
#    contents: restoring it on the timing model starts warm (fewer L1 misses
#    for the same instructions than the same restore with cold caches);
#  - the O3 model (--cpu-type o3): the same script restored onto it prints
#    the atomic model's console in fewer cycles than timing, with gem5's O3
#    statistic names and the CPI stack; -F N --warmup-insts M switches onto it.
#
# Run from anywhere: tests/system/47_timing.sh (M5SIM, KERNEL, IMAGE override the defaults).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=timing
. tests/system/lib.sh

fs_preflight || exit 1
t_start=$(now)
if ! fs_ensure_boot; then
    fail "setup: could not boot to a checkpoint (exit status $BOOT_RC)"
    indent "$FS/boot.stderr"
    finish
    exit 1
fi
O=$FS/47
rm -rf "$O"
mkdir -p "$O"
HIER=(--caches --l2cache)

cat >"$SCRIPTS/47-bench.sh" <<'EOF'
echo "TIMING-$((6 * 7)) start"
/bench/matmul 48
/bench/sorthash 4096
echo "TIMING done"
EOF

# same_console A B: the script parts of two consoles are byte for byte equal.
same_console() { cmp -s <(after_checkpoint "$1/$CONSOLE") <(after_checkpoint "$2/$CONSOLE"); }
# same_stats A B: two stats.txt files equal but for the host figures.
same_stats() { cmp -s <(grep -v '^host' "$1/stats.txt") <(grep -v '^host' "$2/stats.txt"); }

# stat FILE NAME: NAME's value in FILE's last dump block.
stat() { awk -v k="$2" '/Begin Simulation Statistics/ { v = "" } $1 == k { v = $2 } END { print v }' "$1"; }

# ---- atomic, then timing, on the same checkpoint and script
restore "$O/atomic" --script "$SCRIPTS/47-bench.sh"
a_rc=$rc
restore "$O/timing" --restore-with-cpu atomic --cpu-type timing "${HIER[@]}" --script "$SCRIPTS/47-bench.sh"
check "restore on atomic, run on timing: exit 0 (atomic run exit $a_rc)" "exit status $rc: $(head -3 "$O/timing.stderr")" \
    test "$rc" -eq 0 -a "$a_rc" -eq 0
check "the script's console is byte for byte the atomic model's" "consoles differ" same_console "$O/atomic" "$O/timing"
check "the script ran (its markers are on the console)" "no TIMING-42 / TIMING done" \
    grep -q "TIMING done" "$O/timing/$CONSOLE"
insts=$(stat "$O/timing/stats.txt" simInsts)
cycles=$(stat "$O/timing/stats.txt" system.cpu.numCycles)
a_cycles=$(stat "$O/atomic/stats.txt" system.cpu.numCycles)
check "timing: more cycles than instructions (CPI $(awk -v c="$cycles" -v i="$insts" 'BEGIN { if (i) printf "%.2f", c / i }'))" \
    "numCycles $cycles, simInsts $insts" test "${cycles:-0}" -gt "${insts:-0}"
check "atomic: one cycle per instruction" "atomic numCycles $a_cycles vs simInsts $(stat "$O/atomic/stats.txt" simInsts)" \
    test "${a_cycles:-x}" = "$(stat "$O/atomic/stats.txt" simInsts)"
missing=""
for n in simSeconds simTicks finalTick simFreq simInsts simOps hostSeconds system.cpu.numCycles system.cpu.cpi \
         system.cpu.ipc system.cpu.commitStats0.numInsts \
         system.cpu.icache.overallMisses::cpu.inst system.cpu.icache.overallAccesses::total \
         system.cpu.icache.overallMissRate::total system.cpu.dcache.overallMisses::cpu.data \
         system.cpu.dcache.ReadReq.hits::cpu.data system.cpu.dcache.WriteReq.hits::cpu.data \
         system.cpu.dcache.overallAvgMissLatency::total system.cpu.dcache.replacements \
         system.l2.overallMisses::total system.l2.overallHits::total system.l2.ReadSharedReq.accesses::total \
         system.mem_ctrls.readReqs system.mem_ctrls.bytesReadSys system.mem_ctrls.avgRdBWSys \
         system.mem_ctrls.dram.readRowHits; do
    [ -n "$(stat "$O/timing/stats.txt" "$n")" ] || missing="$missing $n"
done
check "stats.txt has gem5's names for the CPU, caches and memory controller" "missing:$missing" test -z "$missing"
check "config.ini records the hierarchy (gem5 sections: L1I 32kB 2-way, L2 2MB 8-way)" "sections missing" \
    bash -c "grep -q '^\[system.cpu.icache\]' '$O/timing/config.ini' && grep -q '^\[system.l2\]' '$O/timing/config.ini' \
           && grep -q '^\[system.mem_ctrls\]' '$O/timing/config.ini' && grep -q '^size=2097152' '$O/timing/config.ini'"

# ---- determinism
restore "$O/timing2" --restore-with-cpu atomic --cpu-type timing "${HIER[@]}" --script "$SCRIPTS/47-bench.sh"
ok=0; cmp -s "$O/timing/$CONSOLE" "$O/timing2/$CONSOLE" && same_stats "$O/timing" "$O/timing2" && ok=1
check "two timing restores: identical console and statistics" "they differ" test $ok -eq 1

# ---- gem5's literal flags
restore "$O/gem5flags" --restore-with-cpu=X86KvmCPU --cpu-type=TimingSimpleCPU --caches --script "$SCRIPTS/47-bench.sh"
ok=0; [ $rc -eq 0 ] && [ "$(grep -c 'X86KvmCPU' "$O/gem5flags.stderr")" -eq 1 ] && same_console "$O/atomic" "$O/gem5flags" && ok=1
check "--restore-with-cpu=X86KvmCPU --cpu-type=TimingSimpleCPU: runs, one line says atomic restores" \
    "exit $rc: $(head -3 "$O/gem5flags.stderr")" test $ok -eq 1

# ---- -F with functional warming
restore "$O/ff" --cpu-type timing "${HIER[@]}" -F 3000000 --warmup-insts 1000000 --script "$SCRIPTS/47-bench.sh"
ff_cycles=$(stat "$O/ff/stats.txt" system.cpu.numCycles)
ff_insts=$(stat "$O/ff/stats.txt" simInsts)
ok=0; [ $rc -eq 0 ] && [ "${ff_cycles:-0}" -gt "${ff_insts:-0}" ] && same_console "$O/atomic" "$O/ff" && ok=1
check "-F 3000000 --warmup-insts 1000000: same console, timing after the switch (cycles $ff_cycles > insts $ff_insts)" \
    "exit $rc, cycles $ff_cycles, insts $ff_insts" test $ok -eq 1

# ---- warm caches in a checkpoint taken under the timing model
# No m5 resetstats/dumpstats in these: the statistics cover the whole run from the restore.
cat >"$SCRIPTS/47-ckpt.sh" <<'EOF'
ls -l /bin /sbin >/dev/null
m5 checkpoint
EOF
cat >"$SCRIPTS/47-after.sh" <<'EOF'
ls -l /bin /sbin >/dev/null
EOF
restore "$O/take" --restore-with-cpu atomic --cpu-type timing "${HIER[@]}" \
    --script "$SCRIPTS/47-ckpt.sh" --script "$SCRIPTS/47-after.sh"
warm_ckpt=$(first_match "$O/take/cpt.*")
if [ -z "$warm_ckpt" ] || [ ! -f "$warm_ckpt/m5.cpt" ]; then
    fail "a checkpoint taken under the timing model: none written (exit $rc: $(head -3 "$O/take.stderr"))"
else
    check "the checkpoint carries the cache contents (a [memsys] section)" "no [memsys] in m5.cpt" \
        grep -q '^\[memsys\]' "$warm_ckpt/m5.cpt"
    rm -rf "$O/warm" "$O/cold"
    # The first WINDOW instructions after the restore, the same in both runs: over a whole run the
    # L1s' head start (a few hundred lines each) drowns in the ~200000 misses of two runs a few
    # thousand instructions apart (timer interrupts land elsewhere), and which way it comes out
    # then depends on what the guest did before (it flipped when m5sim gained SMBIOS tables).
    WINDOW=300000
    run_m5sim "$T_RUN" "$O/warm.stderr" --checkpoint-dir "$warm_ckpt" -r 1 -d "$O/warm" -q --maxinsts $WINDOW \
        --restore-with-cpu timing --cpu-type timing "${HIER[@]}" --script "$SCRIPTS/47-after.sh"
    w_rc=$rc
    run_m5sim "$T_RUN" "$O/cold.stderr" --checkpoint-dir "$warm_ckpt" -r 1 -d "$O/cold" -q --maxinsts $WINDOW \
        --restore-with-cpu timing --cpu-type timing --cold-caches "${HIER[@]}" --script "$SCRIPTS/47-after.sh"
    l1() {
        local i d
        i=$(stat "$1" system.cpu.icache.overallMisses::total); d=$(stat "$1" system.cpu.dcache.overallMisses::total)
        echo $(( ${i:-0} + ${d:-0} ))
    }
    w_i=$(l1 "$O/warm/stats.txt"); c_i=$(l1 "$O/cold/stats.txt")
    w_l2=$(stat "$O/warm/stats.txt" system.l2.overallMisses::total)
    c_l2=$(stat "$O/cold/stats.txt" system.l2.overallMisses::total)
    w_n=$(stat "$O/warm/stats.txt" simInsts); c_n=$(stat "$O/cold/stats.txt" simInsts)
    check "restored warm: fewer L1I+L1D misses ($w_i < $c_i) and L2 misses ($w_l2 < $c_l2) than with --cold-caches for the same run ($w_n and $c_n instructions)" \
        "exit $w_rc/$rc: $(head -2 "$O/warm.stderr")" \
        bash -c "[ $w_rc -eq 0 ] && [ $rc -eq 0 ] && [ '${w_i:-0}' -lt '${c_i:-0}' ] && [ '${w_l2:-0}' -lt '${c_l2:-0}' ]"
fi

# ---- o3: restore on atomic, run the same script on the out-of-order model
restore "$O/o3" --restore-with-cpu atomic --cpu-type o3 "${HIER[@]}" --script "$SCRIPTS/47-bench.sh"
check "restore on atomic, run on o3: exit 0" "exit status $rc: $(head -3 "$O/o3.stderr")" test "$rc" -eq 0
check "o3: the script's console is byte for byte the atomic model's" "consoles differ" same_console "$O/atomic" "$O/o3"
o_insts=$(stat "$O/o3/stats.txt" simInsts)
o_cycles=$(stat "$O/o3/stats.txt" system.cpu.numCycles)
check "o3: fewer cycles than the timing model for the same script ($o_cycles < $cycles)" \
    "o3 numCycles $o_cycles, timing $cycles" test "${o_cycles:-0}" -lt "${cycles:-0}" -a "${o_insts:-0}" -gt 0
missing=""
for n in simOps system.cpu.fetchStats0.numInsts system.cpu.decode.decodedInsts system.cpu.rename.ROBFullEvents \
         system.cpu.iew.dispatchedInsts system.cpu.instsIssued system.cpu.lsq0.forwLoads system.cpu.rob.reads \
         system.cpu.commit.branchMispredicts system.cpu.branchPred.condPredicted system.cpu.branchPred.condIncorrect \
         system.cpu.branchPred.BTBLookups system.cpu.cpiStack.base system.cpu.cpiStack.dcacheMem; do
    [ -n "$(stat "$O/o3/stats.txt" "$n")" ] || missing="$missing $n"
done
check "o3: stats.txt has gem5's O3 names and the CPI stack" "missing:$missing" test -z "$missing"
check "o3: config.ini records X86O3CPU and its parameters" "no [system.cpu] type=X86O3CPU" \
    bash -c "grep -qx 'type=X86O3CPU' '$O/o3/config.ini' && grep -qx 'numROBEntries=192' '$O/o3/config.ini'"
# A switch in mid-run: -F N on atomic, the last M instructions warming the caches and the O3
# model's predictors, then o3 (m5 switchcpu takes the same path, machine/cpus.c).
restore "$O/o3ff" --cpu-type DerivO3CPU "${HIER[@]}" -F 3000000 --warmup-insts 1000000 --script "$SCRIPTS/47-bench.sh"
ff_fetched=$(stat "$O/o3ff/stats.txt" system.cpu.fetchStats0.numInsts)
ff_insts=$(stat "$O/o3ff/stats.txt" simInsts)
ok=0; [ $rc -eq 0 ] && same_console "$O/atomic" "$O/o3ff" && [ "${ff_fetched:-0}" -gt 0 ] && ok=1
check "-F 3000000 --warmup-insts 1000000 --cpu-type DerivO3CPU: same console, o3 after the switch ($ff_fetched of $ff_insts instructions fetched by o3)" \
    "exit $rc, fetched '$ff_fetched': $(head -3 "$O/o3ff.stderr")" test $ok -eq 1

# ---- m5 switchcpu: the guest chooses when the detailed model starts (-F far away never fires)
cat >"$SCRIPTS/47-switch.sh" <<'EOF'
echo "SWITCH before"
/bench/sorthash 4096
m5 switchcpu
/bench/matmul 48
echo "SWITCH after"
EOF
restore "$O/switch" --restore-with-cpu atomic -F 1000000000000 --cpu-type o3 "${HIER[@]}" --script "$SCRIPTS/47-switch.sh"
# The bench programs dump their region's statistics: sorthash's block ran before the op (atomic:
# a cycle per instruction, no o3 fetch statistics), matmul's after it (o3: fetched instructions,
# fewer cycles than instructions); the final block is the rest of the run, on o3.
sw_blocks=$(awk '/Begin Simulation Statistics/ { b++ }
    $1 == "simInsts" { i[b] = $2 } $1 == "system.cpu.numCycles" { c[b] = $2 }
    $1 == "system.cpu.fetchStats0.numInsts" { f[b] = $2 }
    END { for (k = 1; k <= b; k++) printf "%s:%s:%s ", i[k], c[k], (k in f) ? f[k] : "-" }' "$O/switch/stats.txt" 2>/dev/null)
ok=0
[ $rc -eq 0 ] && grep -q "SWITCH after" "$O/switch/$CONSOLE" && /usr/bin/python3 -c "
b = [x.split(':') for x in '$sw_blocks'.split()]
assert len(b) == 3, b
i, c, f = b[0]; assert f == '-' and int(c) == int(i) > 0, b[0]
i, c, f = b[1]; assert f != '-' and int(f) >= int(i) > 0 and int(c) < int(i), b[1]
i, c, f = b[2]; assert f != '-' and int(f) >= int(i) > 0, b[2]
" && ok=1
check "m5 switchcpu in the guest: atomic before the op, o3 after it (blocks insts:cycles:o3-fetched $sw_blocks)" \
    "exit $rc: $(head -3 "$O/switch.stderr")" test $ok -eq 1

note "47_timing.sh took $(secs "$t_start" "$(now)") s"
finish
