#!/bin/bash
# 60_sweep.sh - sweeps: `m5sim sweep`, `m5sim stats` and scripts/plot_stats.py.
#
# Reuses the shared boot checkpoint (tests/system/lib.sh: fs_ensure_boot) and checks that
#  - a sweep of 2 scripts x 2 configurations runs locally with -j 2 into 4 run
#    directories named by their parameters, each complete (run.ini exit 0,
#    stats.txt) with its script's marker on the console;
#  - `m5sim stats` gives one CSV row per run and dump with the sweep's
#    parameters as columns, every value equal to the run's stats.txt; --json
#    gives the same rows;
#  - a rerun skips every complete run and touches none;
#  - a run that fails is reported with its log, and the sweep exits non-zero;
#  - --slurm writes one job-array script (array, throttle, resources) and
#    hands it to sbatch (a fake one on PATH that records its arguments); one
#    array task run by hand writes that run's outputs, statistics equal to
#    the local run's;
#  - the checkpoint is never written;
#  - plot_stats.py writes a PNG (statistic over dumps) and an SVG (against a parameter).
#
# Run from anywhere: tests/system/60_sweep.sh (M5SIM, KERNEL, IMAGE override the defaults).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=sweep
. tests/system/lib.sh

fs_preflight || exit 1
t_start=$(now)
if ! fs_ensure_boot; then
    fail "setup: could not boot to a checkpoint (exit status $BOOT_RC)"
    indent "$FS/boot.stderr"
    finish
    exit 1
fi
O=$PWD/$FS/60
rm -rf "$O"
mkdir -p "$O/bin"
CK=$PWD/$CKPT_DIR
M5=$PWD/$M5SIM
touch "$O/start-marker"

# Two scripts; the first dumps (and resets) halfway, so its runs have two dump blocks.
cat >"$O/two-dumps.sh" <<'EOF'
echo "SWEEP-A-$((6 * 7))"
ls -l /bin >/dev/null
m5 dumpresetstats
ls -l /sbin >/dev/null
EOF
cat >"$O/one-dump.sh" <<'EOF'
echo "SWEEP-B-$((5 * 5))"
ls / >/dev/null
EOF

# sweep_file FILE OUTDIR [EXTRA-CONFIG-LINE]: the 2 x 2 sweep (plus an extra configuration).
sweep_file() {
    cat >"$1" <<EOF
# 60_sweep.sh's sweep
[sweep]
outdir = $2
jobs = 1
[checkpoints]
boot = $CK
[scripts]
a = $O/two-dumps.sh
b = $O/one-dump.sh
[configurations]
atomic = --cpu-type atomic
timing = --cpu-type timing --caches
${3:-}
[slurm]
partition = m5q
time = 00:20:00
mem = 2G
cpus-per-task = 1
throttle = 2
EOF
}
sweep_file "$O/local.ini" "$O/local"
RUNS="boot-a-atomic boot-a-timing boot-b-atomic boot-b-timing"

# ---- local, -j 2
rc=0
timeout -k 10 "$T_RUN" "$M5" sweep -j 2 "$O/local.ini" >"$O/local.out" 2>"$O/local.err" || rc=$?
complete=0
for r in $RUNS; do
    [ "$(ini_get "$O/local/$r/run.ini" exit_status)" = 0 ] && [ -s "$O/local/$r/stats.txt" ] && complete=$((complete + 1))
done
check "sweep -j 2: exit 0, 4 run directories named by their parameters, each complete" \
    "exit $rc, $complete complete: $(ls "$O/local" 2>/dev/null | tr '\n' ' '); $(tail -3 "$O/local.err")" \
    test "$rc" -eq 0 -a "$complete" -eq 4
ok=1
for r in boot-a-atomic boot-a-timing; do grep -q "SWEEP-A-42" "$O/local/$r/$CONSOLE" || ok=0; done
for r in boot-b-atomic boot-b-timing; do grep -q "SWEEP-B-25" "$O/local/$r/$CONSOLE" || ok=0; done
check "each run ran its own script (markers on the consoles)" "a marker is missing" test $ok -eq 1
check "the configurations took effect (caches in the timing runs' statistics only)" "they did not" \
    bash -c "grep -q '^system.cpu.icache' '$O/local/boot-a-timing/stats.txt' && ! grep -q '^system.cpu.icache' '$O/local/boot-a-atomic/stats.txt'"

# ---- the table
STATS=(-s simInsts -s system.cpu.numCycles -s 'system.cpu.*cache.overallMisses::total')
rc=0
"$M5" stats "${STATS[@]}" -p system.cpu_type "$O"/local/boot-* >"$O/table.csv" 2>"$O/table.err" || rc=$?
header=$(head -1 "$O/table.csv")
want="run,checkpoint,script,configuration,system.cpu_type,dump,simInsts,system.cpu.numCycles,system.cpu.icache.overallMisses::total,system.cpu.dcache.overallMisses::total"
check "m5sim stats: the header names the parameters, dump and the chosen statistics (glob expanded)" \
    "exit $rc; got: $header" test "$rc" -eq 0 -a "$header" = "$want"
rows=$(($(wc -l <"$O/table.csv") - 1))
check "one row per run and dump: 6 (the a-runs dumped twice)" "$rows rows" test "$rows" -eq 6

# block_value FILE N NAME: NAME's value in the N-th dump block of a stats.txt.
block_value() {
    awk -v n="$2" -v k="$3" '/Begin Simulation Statistics/ { b++ } b == n && $1 == k { print $2; exit }' "$1"
}
bad=""
while IFS=, read -r run ck script config cputype dump insts cycles imiss dmiss; do
    name=$(basename "$run")
    [ "$name" = "$ck-$script-$config" ] || bad="$bad $name:params"
    [ "$cputype" = "$config" ] || bad="$bad $name:cpu_type=$cputype"
    for pair in "simInsts:$insts" "system.cpu.numCycles:$cycles" "system.cpu.icache.overallMisses::total:$imiss" \
                "system.cpu.dcache.overallMisses::total:$dmiss"; do
        k=${pair%:*}
        v=${pair##*:}
        [ "$(block_value "$run/stats.txt" "$dump" "$k")" = "$v" ] || bad="$bad $name/$dump/$k=$v"
    done
done < <(tail -n +2 "$O/table.csv")
check "every cell equals its run's stats.txt (dump block by block; empty where a run lacks the statistic)" \
    "mismatches:$bad" test -z "$bad"
"$M5" stats --json "${STATS[@]}" "$O"/local/boot-* >"$O/table.json" 2>/dev/null || true
check "--json: the same rows, numbers as numbers, absent statistics null" "$(head -c 300 "$O/table.json")" \
    /usr/bin/python3 -c "
import csv, json, sys
j = json.load(open('$O/table.json')); c = list(csv.DictReader(open('$O/table.csv')))
assert len(j) == len(c) == 6
for a, b in zip(j, c):
    assert a['simInsts'] == int(b['simInsts']) and a['dump'] == int(b['dump']), (a, b)
    assert (a['system.cpu.icache.overallMisses::total'] is None) == (b['system.cpu.icache.overallMisses::total'] == '')
"

# ---- a rerun skips the complete runs
rc=0
timeout -k 10 "$T_RUN" "$M5" sweep -j 2 "$O/local.ini" >/dev/null 2>"$O/rerun.err" || rc=$?
newer=$(find "$O/local" -name run.ini -newer "$O/table.json" | wc -l)
check "a rerun skips all 4 complete runs and rewrites none" "exit $rc, $newer run.ini rewritten: $(cat "$O/rerun.err")" \
    bash -c "[ $rc -eq 0 ] && [ $newer -eq 0 ] && grep -q '4 complete runs skipped' '$O/rerun.err'"

# ---- a failing run is reported with its log
sweep_file "$O/bad.ini" "$O/local" "broken = --cpu-type no-such-model"
rc=0
timeout -k 10 "$T_RUN" "$M5" sweep "$O/bad.ini" >/dev/null 2>"$O/bad.err" || rc=$?
log=$(sed -n 's/.*boot-a-broken FAILED.*log \(.*\)$/\1/p' "$O/bad.err" | head -1)
check "a failed run: sweep exits 1, names the run and its log, which says why" "exit $rc: $(cat "$O/bad.err")" \
    bash -c "[ $rc -eq 1 ] && [ -s '$log' ] && grep -q 'no-such-model' '$log' && grep -q '2 runs: 0 succeeded, 2 failed' '$O/bad.err'"

# ---- Slurm: the job-array script, handed to a fake sbatch
cat >"$O/bin/sbatch" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$O/sbatch.args"
echo 4242
EOF
chmod +x "$O/bin/sbatch"
sweep_file "$O/cluster.ini" "$O/cluster"
rc=0
PATH="$O/bin:$PATH" "$M5" sweep --slurm "$O/cluster.ini" >"$O/slurm.out" 2>"$O/slurm.err" || rc=$?
script=$O/cluster/sweep.sbatch
check "--slurm: sbatch --parsable called once with the script; its job id printed" \
    "exit $rc, args: $(tr '\n' ' ' <"$O/sbatch.args" 2>/dev/null); out: $(cat "$O/slurm.out")" \
    bash -c "[ $rc -eq 0 ] && [ \"\$(cat '$O/sbatch.args')\" = \"\$(printf -- '--parsable\n$script')\" ] && grep -qx 4242 '$O/slurm.out'"
ok=1
for line in "#SBATCH --array=0-3%2" "#SBATCH --partition=m5q" "#SBATCH --time=00:20:00" "#SBATCH --mem=2G" \
             "#SBATCH --cpus-per-task=1" "#SBATCH --output=$O/cluster/slurm-%A_%a.out"; do
    grep -qxF -- "$line" "$script" || { ok=0; note "missing from the script: $line"; }
done
grep -q -- "sweep '$O/cluster.ini' --task \"\$SLURM_ARRAY_TASK_ID\"" "$script" || ok=0
check "the script: one array of 4 tasks, throttled to 2, with partition, time, memory and cpus per task" \
    "$(cat "$script" 2>/dev/null)" test $ok -eq 1
rc=0
SLURM_ARRAY_TASK_ID=1 timeout -k 10 "$T_RUN" bash "$script" >"$O/task1.out" 2>&1 || rc=$?
check "array task 1 run by hand: boot-a-timing, statistics equal to the local run's (host figures aside)" \
    "exit $rc: $(cat "$O/task1.out")" \
    bash -c "[ $rc -eq 0 ] && cmp -s <(grep -v '^host' '$O/cluster/boot-a-timing/stats.txt') \
                                      <(grep -v '^host' '$O/local/boot-a-timing/stats.txt')"
: >"$O/sbatch.args"
PATH="$O/bin:$PATH" "$M5" sweep --slurm "$O/cluster.ini" >/dev/null 2>&1 || true
check "resubmitting: only the 3 pending runs are in the array" "$(grep array "$script")" \
    grep -qxF "#SBATCH --array=0,2-3%2" "$script"
rc=0
mkdir -p "$O/nobin"   # a PATH without sbatch (this host may have Slurm's client installed)
PATH="$O/nobin" "$M5" sweep --slurm "$O/cluster.ini" >"$O/nosbatch.out" 2>&1 || rc=$?
check "without sbatch on PATH: the script's path and the command are printed" "exit $rc: $(cat "$O/nosbatch.out")" \
    bash -c "[ $rc -eq 0 ] && grep -q 'sbatch --parsable $script' '$O/nosbatch.out'"

check "the checkpoint was never written" "$(find "$CK" -newer "$O/start-marker" | head -3)" \
    test -z "$(find "$CK" -newer "$O/start-marker")"

# ---- plots
rc=0
/usr/bin/python3 scripts/plot_stats.py dumps "$O/table.csv" --stat system.cpu.numCycles -o "$O/dumps.png" \
    >"$O/plot.out" 2>&1 || rc=$?
check "plot_stats.py dumps: a valid PNG" "exit $rc: $(cat "$O/plot.out")" \
    bash -c "[ $rc -eq 0 ] && [ \"\$(head -c 8 '$O/dumps.png' | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ] \
             && file '$O/dumps.png' | grep -q 'PNG image data'"
rc=0
/usr/bin/python3 scripts/plot_stats.py param "$O/table.csv" --stat simInsts --x script --group configuration \
    -o "$O/param.svg" >"$O/plot2.out" 2>&1 || rc=$?
check "plot_stats.py param: an SVG" "exit $rc: $(cat "$O/plot2.out")" \
    bash -c "[ $rc -eq 0 ] && grep -q '<svg' '$O/param.svg'"

note "60_sweep.sh took $(secs "$t_start" "$(now)") s"
finish
