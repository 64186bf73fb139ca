#!/bin/bash
# 58_smp.sh - several CPUs: Linux boots with --num-cpus 4 (the MP table and
# MADT list four processors; the APs start through INIT-SIPI-SIPI in Linux's
# real-mode trampoline), checkpoints, and restores with new scripts whose
# parallel workers keep every CPU busy (system.cpu0..cpu3 statistics), and
# whose threaded benchmark (images/bench/stencil, 1, 2 and 4 threads) prints
# the native result with all four CPUs busy in its region of interest; two
# identical restores give byte-identical console output and stats.txt; a
# restore on the timing CPU has per-CPU caches; a restore with another
# --num-cpus is refused in one line; --restore-with-cpu kvm restores four
# CPUs (on this project's kvm-pvm: on the atomic model, said in one line); 16 CPUs boot
# and are named cpu00..cpu15 as gem5 names them.
#
# Run from anywhere: tests/system/58_smp.sh (M5SIM, KERNEL, IMAGE override the defaults).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=smp
. tests/system/lib.sh

fs_preflight || exit 1
O=build/tests/smp
rm -rf "$O"
mkdir -p "$O"

# ------------------------------------------------------------------ boot --
t0=$(now)
run_m5sim "$T_BOOT" "$O/boot.stderr" -q --num-cpus 4 --kernel "$KERNEL" --disk-image "$IMAGE" \
    --checkpoint-dir "$O/ckpt" -d "$O/boot"
note "4-CPU boot took $(secs "$t0" "$(now)") s host time"
con=$O/boot/$CONSOLE
check "boot: 4 CPUs reach the rcS loop and exit 0" "status $rc: $(tail -3 "$con" 2>/dev/null)" \
    bash -c "[ $rc -eq 0 ] && grep -q '^rcS: checkpoint' '$con'"
check "boot: Linux finds 4 processors in the MP table" "$(grep -m2 -e 'Allowing' -e 'Processor' "$con")" \
    grep -q 'smpboot: Allowing 4 CPUs, 0 hotplug CPUs' "$con"
check "boot: every AP starts (INIT, start-up IPIs, real-mode trampoline)" "$(grep -m3 -e 'smp:' -e 'failed' "$con")" \
    grep -q 'smp: Brought up 1 node, 4 CPUs' "$con"
CPT=$(first_match "$O/ckpt/cpt.*")
check "boot: the checkpoint records 4 CPUs, each with its state, local APIC and schedule" \
    "$(grep -E '^num_cpus|^\[(cpu3|lapic3|cpu3.run)\]' "$CPT/m5.cpt" 2>/dev/null)" \
    bash -c "grep -q '^num_cpus=4' '$CPT/m5.cpt' && grep -q '^\[cpu3\]' '$CPT/m5.cpt' &&
             grep -q '^\[lapic3\]' '$CPT/m5.cpt' && grep -q '^\[cpu3.run\]' '$CPT/m5.cpt' &&
             ! grep -q '^\[cpu4\]' '$CPT/m5.cpt'"

# --------------------------------------------------------------- restores --
# Markers are built at run time so a script's text is never mistaken for its output.
cat >"$O/par.sh" <<'EOF'
echo "SMP-A-$((6 * 7)) cpus=$(grep -c ^processor /proc/cpuinfo) online=$(cat /sys/devices/system/cpu/online)"
for i in 1 2 3 4; do ( n=0; while [ $n -lt 4000 ]; do n=$((n + 1)); done; echo "worker $i done" ) & done
wait
echo "SMP-A-END"
EOF
cat >"$O/irq.sh" <<'EOF'
echo "SMP-B-$((7 * 7)) $(head -1 /proc/interrupts | tr -s ' ')"
for i in 1 2 3 4; do ( n=0; while [ $n -lt 300 ]; do n=$((n + 1)); done ) & done
wait
echo "SMP-B-END"
EOF
for r in a1 a2; do
    rm -rf "$O/$r"
    run_m5sim "$T_RUN" "$O/$r.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --script "$O/par.sh" -d "$O/$r"
    echo "$rc" >"$O/$r.rc"
done
a=$O/a1
check "restore a: the new script sees 4 CPUs online and its 4 workers finish" \
    "status $(cat "$O/a1.rc"): $(indent "$a/$CONSOLE" 3)" \
    bash -c "[ $(cat "$O/a1.rc") -eq 0 ] && grep -q '^SMP-A-42 cpus=4 online=0-3' '$a/$CONSOLE' &&
             [ \$(grep -c '^worker . done' '$a/$CONSOLE') -eq 4 ] && grep -q '^SMP-A-END' '$a/$CONSOLE'"
busy_cpus() {   # CPUs that committed more than 5 million instructions in stats.txt $1
    awk '/^system\.cpu[0-9]+\.commitStats0\.numInsts / && $2 > 5000000 { n++ } END { print n + 0 }' "$1"
}
export -f busy_cpus
check "restore a: every CPU did work (system.cpu0..3.commitStats0.numInsts > 5M each)" \
    "$(grep 'commitStats0.numInsts' "$a/stats.txt")" bash -c "[ \$(busy_cpus '$a/stats.txt') -eq 4 ]"
check "restore a: simInsts is the sum of the four CPUs' instructions" "$(grep -e simInsts -e 'commitStats0.numInsts' "$a/stats.txt")" \
    bash -c "awk '/^simInsts / { t = \$2 } /^system\.cpu[0-3]\.commitStats0\.numInsts / { s += \$2 } END { exit !(t == s && t > 0) }' '$a/stats.txt'"
check "restore a: no system.cpu.* statistics with several CPUs (gem5 names them cpu0..cpu3)" "$(grep -m2 '^system\.cpu\.' "$a/stats.txt")" \
    bash -c "! grep -q '^system\.cpu\.' '$a/stats.txt' && grep -q '^system\.cpu3\.numCycles' '$a/stats.txt'"
check "determinism: the same checkpoint and script twice give byte-identical console output" "consoles differ" \
    cmp -s "$O/a1/$CONSOLE" "$O/a2/$CONSOLE"
check "determinism: ... and identical stats.txt (host lines aside)" "$(diff <(stats_sim "$O/a1/stats.txt") <(stats_sim "$O/a2/stats.txt") | head -4)" \
    bash -c "diff -q <(grep -v '^host' '$O/a1/stats.txt') <(grep -v '^host' '$O/a2/stats.txt') >/dev/null"

printf '/bench/stencil 1\n/bench/stencil 2\n/bench/stencil 4\n' >"$O/stencil.sh"
run_m5sim "$T_RUN" "$O/c.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --script "$O/stencil.sh" -d "$O/c"
want=$(build/bench/stencil | tail -1)
check "restore c: the threaded stencil prints the native result with 1, 2 and 4 threads" \
    "status $rc, want '$want': $(grep stencil "$O/c/$CONSOLE" | head -3)" \
    bash -c "[ $rc -eq 0 ] && [ \$(tr -d '\r' <'$O/c/$CONSOLE' | grep -cxF -- '$want') -eq 3 ]"
# Its third stats dump is the 4-thread run's region of interest: every CPU ran at least a fifth of it.
check "restore c: with 4 threads, all four CPUs busy in the region of interest" \
    "$(awk '/Begin Simulation/ { d++ } d == 3 && /^simInsts|commitStats0\.numInsts /' "$O/c/stats.txt")" \
    bash -c "awk '/Begin Simulation/ { d++ } d == 3 && /^simInsts / { t = \$2 }
                  d == 3 && /^system\.cpu[0-3]\.commitStats0\.numInsts / && \$2 * 5 > t { n++ }
                  END { exit !(n == 4) }' '$O/c/stats.txt'"

run_m5sim "$T_RUN" "$O/b.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --script "$O/irq.sh" \
    --restore-with-cpu atomic --cpu-type timing --caches --l2cache -d "$O/b"
b=$O/b
check "restore b: another new script runs on the timing CPU, four CPUs in /proc/interrupts" \
    "status $rc: $(indent "$b/$CONSOLE" 3)" \
    bash -c "[ $rc -eq 0 ] && grep -qE '^SMP-B-49 +CPU0 CPU1 CPU2 CPU3' '$b/$CONSOLE' && grep -q '^SMP-B-END' '$b/$CONSOLE'"
check "restore b: every CPU switched to timing and has its own L1 caches" \
    "$(grep -E '^system\.cpu[0-3]\.(dcache\.overallAccesses::total|numCycles)' "$b/stats.txt" | head -8)" \
    bash -c "[ \$(grep -cE '^system\.cpu[0-3]\.dcache\.overallAccesses::total +[1-9]' '$b/stats.txt') -eq 4 ] &&
             grep -q '^cpu_type=timing' '$b/config.ini'"

# -------------------------------------------------------------- refusals --
run_m5sim "$T_RUN" "$O/n2.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --num-cpus 2 --script "$O/par.sh" -d "$O/n2"
check "refusal: a restore with another --num-cpus, in one line, exit 2" "status $rc: $(indent "$O/n2.stderr")" \
    bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$O/n2.stderr') -eq 1 ] &&
             grep -q -- '--num-cpus: 2 does not match the checkpoint .* taken with 4 CPUs' '$O/n2.stderr'"
run_m5sim "$T_RUN" "$O/kvm.stderr" -q --checkpoint-dir "$O/ckpt" -r 1 --restore-with-cpu kvm --script "$O/par.sh" -d "$O/kvm"
# KVM runs four vCPUs where the probe passes; here (kvm-pvm) one line says the atomic model restores instead.
check "--restore-with-cpu kvm with 4 CPUs: the script runs (kvm-pvm: one line, atomic instead)" \
    "status $rc: $(indent "$O/kvm.stderr")" \
    bash -c "[ $rc -eq 0 ] && grep -q '^SMP-A-END' '$O/kvm/$CONSOLE' && { [ ! -e /sys/module/kvm_pvm ] ||
             { [ \$(grep -c 'X86KvmCPU' '$O/kvm.stderr') -eq 1 ] &&
               grep -q 'the atomic model (AtomicSimpleCPU) runs instead' '$O/kvm.stderr'; }; }"
run_m5sim "$T_RUN" "$O/n17.stderr" -q --num-cpus 17 --kernel "$KERNEL" --disk-image "$IMAGE" -d "$O/n17"
check "refusal: --num-cpus 17" "status $rc: $(indent "$O/n17.stderr")" \
    bash -c "[ $rc -eq 2 ] && grep -q 'simulates 1 to 16 CPUs' '$O/n17.stderr'"

# ------------------------------------------------------------------ 16 --
cat >"$O/sixteen.sh" <<'EOF'
echo "SMP-C-$((4 * 4)) online=$(cat /sys/devices/system/cpu/online)"
EOF
t0=$(now)
run_m5sim "$T_BOOT" "$O/b16.stderr" -q --num-cpus 16 --kernel "$KERNEL" --disk-image "$IMAGE" \
    --script "$O/sixteen.sh" -d "$O/b16"
note "16-CPU boot and script took $(secs "$t0" "$(now)") s host time"
con=$O/b16/$CONSOLE
check "16 CPUs: Linux brings up all of them and a script sees them online" "status $rc: $(grep -m2 -e 'smp:' -e SMP-C "$con")" \
    bash -c "[ $rc -eq 0 ] && grep -q 'smp: Brought up 1 node, 16 CPUs' '$con' && grep -q '^SMP-C-16 online=0-15' '$con'"
check "16 CPUs: statistics named system.cpu00 .. system.cpu15 (gem5's zero-padded names)" \
    "$(grep -oE '^system\.cpu[0-9]+\.numCycles' "$O/b16/stats.txt" | head -3)" \
    bash -c "[ \$(grep -cE '^system\.cpu(0[0-9]|1[0-5])\.numCycles ' '$O/b16/stats.txt') -eq 16 ]"

finish
