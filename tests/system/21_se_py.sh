#!/bin/bash
# 21_se_py.sh - `m5sim se` takes gem5 se.py's command line.
#
# With Debian's static busybox as the program: `--cmd X --options "a b"`
# runs exactly what `m5sim se X a b` runs (stdout and exit status); --input
# is the program's stdin; --output and --errout (relative to the outdir, one
# shared file when equal, cout/cerr meaning the simulator's own) hold what it
# wrote to stdout and stderr, and nothing of it reaches the simulator's;
# --env takes KEY=VALUE or a file of KEY=VALUE lines; config.ini records the
# command; and misused checkpoint options, and mixed or multi-program forms,
# are refused with one line and exit status 2.
#
# Run from anywhere: `tests/system/21_se_py.sh` (M5SIM=path overrides build/bin/m5sim).
set -euo pipefail
cd "$(dirname "$0")/../.."

M5SIM=$(realpath "${M5SIM:-build/bin/m5sim}")
BUSYBOX=${BUSYBOX:-/bin/busybox}

if [ ! -x "$M5SIM" ]; then
    echo "FAIL se.py: $M5SIM is missing (run make)"
    exit 1
fi
if [ ! -x "$BUSYBOX" ] || readelf -lW "$BUSYBOX" 2>/dev/null | grep -q 'Requesting program interpreter'; then
    echo "SKIP se.py: $BUSYBOX is not a static busybox (apt-get install busybox-static)"
    exit 0
fi
bb=$BUSYBOX

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0
passes=0
pass() { echo "PASS se.py: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL se.py: $1"; failures=$((failures + 1)); }

# same NAME "ARGS-A" "ARGS-B": two m5sim se command lines give the same stdout and status.
same() {
    local name=$1 sa=0 sb=0
    eval "\"$M5SIM\" se $2" </dev/null >a.out 2>a.err || sa=$?
    eval "\"$M5SIM\" se $3" </dev/null >b.out 2>b.err || sb=$?
    if [ "$sa" -eq "$sb" ] && cmp -s a.out b.out && [ -s a.out ]; then
        pass "$name (status $sa, $(wc -l <a.out) lines)"
    else
        fail "$name: status $sa / $sb"
        diff a.out b.out | head -5 | sed 's/^/    /' || true
        head -3 a.err b.err | sed 's/^/    stderr: /'
    fi
}

# ------------------------------------------------------- --cmd, --options --
same "--cmd --options equals PROGRAM ARGS" "--cmd $bb --options 'echo a b'" "$bb echo a b"
same "--options splits on runs of whitespace" "--cmd $bb --options '  printf  %s,%s,%s.	x   y z '" \
    "$bb printf %s,%s,%s. x y z"
same "--cmd without --options" "--cmd $bb" "$bb"
"$M5SIM" se --cmd $bb --options "false" </dev/null >/dev/null 2>&1 && st=0 || st=$?
[ "$st" -eq 1 ] && pass "--cmd: the program's exit status (1)" || fail "--cmd false: status $st"

# --------------------------------------------------------------- --input --
printf 'the quick brown fox\njumps over\n' >in.txt
out=$("$M5SIM" se --input in.txt --cmd $bb --options "tr a-z A-Z" </dev/null)
want=$(tr a-z A-Z <in.txt)
[ "$out" = "$want" ] && pass "--input is the program's stdin" || fail "--input: got '$out'"
out=$(printf 'piped\n' | "$M5SIM" se -i cin $bb cat)
[ "$out" = piped ] && pass "--input cin: the simulator's stdin" || fail "--input cin: got '$out'"

# ----------------------------------------------------- --output, --errout --
"$M5SIM" se -d od --output o.txt --errout e.txt $bb sh -c 'echo to-out; echo to-err >&2; exit 3' \
    </dev/null >sim.out 2>sim.err && st=0 || st=$?
if [ "$st" -eq 3 ] && [ "$(cat od/o.txt)" = to-out ] && [ "$(cat od/e.txt)" = to-err ] &&
    [ ! -s sim.out ] && [ ! -s sim.err ]; then
    pass "--output/--errout hold stdout and stderr, in the outdir; nothing on the simulator's"
else
    fail "--output/--errout: status $st, o='$(cat od/o.txt 2>/dev/null)' e='$(cat od/e.txt 2>/dev/null)'" \
        "sim.out='$(cat sim.out)' sim.err='$(head -2 sim.err)'"
fi
"$M5SIM" se -d od --output both.txt --errout both.txt $bb sh -c 'echo 1; echo 2 >&2; echo 3' </dev/null || true
if [ "$(cat od/both.txt)" = "$(printf '1\n2\n3')" ]; then
    pass "equal --output and --errout share one file, in order"
else
    fail "shared --output/--errout: '$(cat od/both.txt)'"
fi
"$M5SIM" se -d od --output "$tmp/abs.txt" $bb echo absolute </dev/null || true
[ "$(cat abs.txt 2>/dev/null)" = absolute ] && pass "absolute --output path" || fail "absolute --output"
"$M5SIM" se --output cerr $bb echo swapped </dev/null >sim.out 2>sim.err || true
if [ ! -s sim.out ] && [ "$(cat sim.err)" = swapped ]; then
    pass "--output cerr: stdout goes to the simulator's stderr"
else
    fail "--output cerr: out='$(cat sim.out)' err='$(cat sim.err)'"
fi

# ------------------------------------------------------------------ --env --
printf 'A=1  \n\nB=two words\n' >env.txt
out=$("$M5SIM" se --env env.txt --env C=3 $bb env </dev/null)
if [ "$out" = "$(printf 'A=1\nB=two words\nC=3')" ]; then
    pass "--env FILE is the environment, --env K=V adds to it"
else
    fail "--env FILE: '$out'"
fi
out=$("$M5SIM" se --env X=y $bb sh -c 'echo $X $HOME' </dev/null)
[ "$out" = "y /" ] && pass "--env K=V adds to the default environment" || fail "--env K=V: '$out'"

# ------------------------------------------------------------- config.ini --
"$M5SIM" se -d cfg --cmd $bb --options "echo hi there" --input in.txt --output o.txt </dev/null || true
if grep -qx "cmd=$bb echo hi there" cfg/config.ini && grep -qx 'input=in.txt' cfg/config.ini &&
    grep -qx 'output=o.txt' cfg/config.ini && grep -qx 'errout=cerr' cfg/config.ini &&
    grep -q '^\[system.cpu.workload\]$' cfg/config.ini; then
    pass "config.ini records the command and streams"
else
    fail "config.ini: $(grep -A8 workload cfg/config.ini | tr '\n' ' ')"
fi

# ------------------------------------------------------------- refusals --
# refused NAME ARGS PATTERN: exit status 2, one stderr line matching PATTERN, the program not run.
refused() {
    local name=$1 args=$2 pattern=$3 st=0
    eval "\"$M5SIM\" se $args" </dev/null >r.out 2>r.err || st=$?
    if [ "$st" -eq 2 ] && [ "$(wc -l <r.err)" -eq 1 ] && grep -q -- "$pattern" r.err && [ ! -s r.out ]; then
        pass "$name: $(cat r.err)"
    else
        fail "$name: status $st (want 2), stderr: $(head -3 r.err)"
    fi
}
# se.py's checkpoint options work (tests/system/22_se_checkpoint.sh); their misuses are refused.
refused "-r without --checkpoint-dir" "-r 1 $bb echo x" "-r: restoring needs --checkpoint-dir"
refused "--checkpoint-restore 0" "--checkpoint-dir . --checkpoint-restore 0 $bb echo x" "counted from 1"
refused "-r of a directory without checkpoints" "--checkpoint-dir . -r 1" "holds no checkpoints"
refused "--take-checkpoints with a 0 period" "--take-checkpoints 1000,0 $bb echo x" "period of 0"
refused "--at-instruction alone" "--at-instruction $bb echo x" "counts the instructions of --take-checkpoints"
refused "--cmd with PROGRAM" "--cmd $bb $bb echo x" "both given"
refused "--options without --cmd" "--options x $bb echo x" "needs --cmd"
refused "multi-program --cmd" "--cmd '$bb;$bb'" "multi-program"
refused "missing --input" "--input no-such-file $bb cat" "no-such-file: No such file"
refused "missing --env file" "--env no-such-env $bb env" "no-such-env"
refused "no program" "" "no program given"

echo "se.py: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
