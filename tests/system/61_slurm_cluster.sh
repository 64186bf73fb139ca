#!/bin/bash
# 61_slurm_cluster.sh - a sweep on a real (single-node) Slurm cluster (issue 17).
#
# Starts munged, slurmctld and slurmd from Debian's packages with a generated
# slurm.conf in a temporary directory (scripts/slurm-local.sh), submits a sweep
# of 4 scripts x 2 configurations restored from the shared boot checkpoint
# (`m5sim sweep --slurm --wait`: one job array), and checks that
#  - sbatch returned when the array ended, every one of the 8 tasks exited 0
#    (Slurm's own record: sacct is not configured, so the array's output
#    files and each run's run.ini are the record) and wrote its outputs;
#  - each task's console shows its own script's marker;
#  - the same sweep run locally (-j 2) gives the same `m5sim stats` table,
#    host-time columns aside;
#  - the checkpoint is never written;
#  - the daemons are stopped afterwards by their process ids.
# Skips (exit 0 with a note) when Slurm's packages are missing and cannot be
# installed (scripts/deps.sh --slurm).
#
# Run from anywhere: tests/system/61_slurm_cluster.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=slurm
. tests/system/lib.sh

scripts/deps.sh --slurm
fs_preflight || exit 1
t_start=$(now)
if ! fs_ensure_boot; then
    fail "setup: could not boot to a checkpoint (exit status $BOOT_RC)"
    indent "$FS/boot.stderr"
    finish
    exit 1
fi
O=$PWD/$FS/61
rm -rf "$O"
mkdir -p "$O"
CK=$PWD/$CKPT_DIR
M5=$PWD/$M5SIM
CLUSTER=$(mktemp -d /tmp/m5sim-slurm.XXXXXX)
cleanup() {
    scripts/slurm-local.sh stop "$CLUSTER" >/dev/null 2>&1 || true
    rm -rf "$CLUSTER"
}
trap cleanup EXIT
touch "$O/start-marker"

for i in 1 2 3 4; do
    cat >"$O/s$i.sh" <<EOF
echo "SLURM-SWEEP-$i-\$(($i * 111))"
i=0; while [ \$i -lt $((i * 300)) ]; do i=\$((i + 1)); done
EOF
done
sweep_file() {
    cat >"$1" <<EOF
[sweep]
outdir = $2
[checkpoints]
boot = $CK
[scripts]
s1 = $O/s1.sh
s2 = $O/s2.sh
s3 = $O/s3.sh
s4 = $O/s4.sh
[configurations]
atomic = --cpu-type atomic
timing = --cpu-type timing --caches --l2cache
[slurm]
partition = m5q
time = 00:10:00
cpus-per-task = 1
throttle = 2
EOF
}
sweep_file "$O/cluster.ini" "$O/cluster"
sweep_file "$O/local.ini" "$O/local"
RUNS=""
for i in 1 2 3 4; do RUNS="$RUNS boot-s$i-atomic boot-s$i-timing"; done

# ---- the cluster
rc=0
scripts/slurm-local.sh start "$CLUSTER" >"$O/cluster-start.out" 2>&1 || rc=$?
check "a one-node Slurm cluster came up (munged, slurmctld, slurmd; node idle)" \
    "exit $rc: $(cat "$O/cluster-start.out"; tail -n 3 "$CLUSTER"/*.log 2>/dev/null)" test $rc -eq 0
export SLURM_CONF=$CLUSTER/slurm.conf
export PATH="$PATH:/usr/sbin"
pids=$(cat "$CLUSTER"/munged.pid "$CLUSTER"/slurmctld.pid "$CLUSTER"/slurmd.pid 2>/dev/null | tr '\n' ' ')

rc=0
t0=$(now)
timeout -k 10 900 "$M5" sweep --slurm --wait "$O/cluster.ini" >"$O/submit.out" 2>"$O/submit.err" || rc=$?
note "the cluster sweep took $(secs "$t0" "$(now)") s"
jobid=$(grep -E '^[0-9]+$' "$O/submit.out" | head -1 || true)
check "sweep --slurm --wait: exit 0, a job id printed" "exit $rc: $(cat "$O/submit.out" "$O/submit.err")" \
    bash -c "[ $rc -eq 0 ] && [ -n '$jobid' ]"
check "sbatch got one array of 8 tasks, throttled to 2" "$(grep array "$O/cluster/sweep.sbatch" 2>/dev/null)" \
    grep -qxF "#SBATCH --array=0-7%2" "$O/cluster/sweep.sbatch"
tasks=$(compgen -G "$O/cluster/slurm-${jobid}_*.out" | wc -l)
check "Slurm ran 8 array tasks (one output file each)" "$tasks: $(ls "$O/cluster")" test "$tasks" -eq 8
complete=0
markers=0
for r in $RUNS; do
    [ "$(ini_get "$O/cluster/$r/run.ini" exit_status)" = 0 ] && [ -s "$O/cluster/$r/stats.txt" ] &&
        complete=$((complete + 1))
    i=${r#boot-s}
    i=${i%%-*}
    grep -q "SLURM-SWEEP-$i-$((i * 111))" "$O/cluster/$r/$CONSOLE" 2>/dev/null && markers=$((markers + 1))
done
check "every task exited 0 with its outputs (run.ini, stats.txt)" "$complete of 8" test "$complete" -eq 8
check "each task's console shows its own script's marker" "$markers of 8" test "$markers" -eq 8

# ---- the same sweep, locally
rc=0
timeout -k 10 900 "$M5" sweep -j 2 "$O/local.ini" >"$O/local.out" 2>"$O/local.err" || rc=$?
check "the same sweep locally (-j 2): exit 0" "exit $rc: $(tail -3 "$O/local.err")" test $rc -eq 0

STATS=(-s simInsts -s simTicks -s 'system.cpu.numCycles' -s 'system.cpu.*cache.overallMisses::total'
       -s 'system.l2.overallMisses::total' -s 'system.cpu.committedInsts')
"$M5" stats "${STATS[@]}" "$O"/cluster/boot-* >"$O/cluster.csv" 2>"$O/cluster-stats.err" || true
"$M5" stats "${STATS[@]}" "$O"/local/boot-* >"$O/local.csv" 2>"$O/local-stats.err" || true
check "the tables from the cluster and from the local run are the same (8 rows; run paths aside)" \
    "$(diff <(cut -d, -f2- "$O/cluster.csv") <(cut -d, -f2- "$O/local.csv") | head -5)" \
    bash -c "[ \$(wc -l <'$O/cluster.csv') -eq 9 ] && cmp -s <(cut -d, -f2- '$O/cluster.csv') <(cut -d, -f2- '$O/local.csv')"
check "the table has real values (cycles and L2 misses in the timing runs)" "$(head -3 "$O/cluster.csv")" \
    /usr/bin/python3 -c "
import csv
rows = list(csv.DictReader(open('$O/cluster.csv')))
t = [r for r in rows if r['configuration'] == 'timing']
assert len(t) == 4 and all(int(r['system.l2.overallMisses::total']) > 0 for r in t), t
assert all(int(r['system.cpu.numCycles']) > int(r['simInsts']) for r in t), t
"

check "the checkpoint was never written" "$(find "$CK" -newer "$O/start-marker" | head -3)" \
    test -z "$(find "$CK" -newer "$O/start-marker")"

# ---- stop the daemons by their process ids
scripts/slurm-local.sh stop "$CLUSTER" >"$O/cluster-stop.out" 2>&1 || true
alive=""
for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
check "the daemons ($pids) are stopped" "still running:$alive" test -z "$alive"

note "61_slurm_cluster.sh took $(secs "$t_start" "$(now)") s"
finish
