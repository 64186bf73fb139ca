#!/bin/bash
# 22_se_checkpoint.sh - process checkpoints of `m5sim se` (M-Sim's EIO_4 tables).
#
# Three programs (tests/se/ckpt_*.c, built here with musl-gcc, or gcc -static):
#   ckpt_reader   the crafty case: commands on stdin, seeks in a data file
#                 (two descriptors of it), a log file written as it goes
#   ckpt_threads  four pthreads meeting at barriers (futex waits), a condvar
#   ckpt_signals  an itimer's SIGALRM handler, a SIGUSR1 handler on an
#                 alternate stack, a blocked pending signal
# Each runs natively and uninterrupted under m5sim se (the same output);
# then it is checkpointed at several points (--maxinsts N
# --checkpoint-at-end) and restored (--checkpoint-dir D -r 1): what the
# checkpointing run printed followed by what the restore prints must be the
# uninterrupted run's stdout byte for byte, with the same exit status, and
# the log file (deleted before the restore: it comes back from the
# checkpoint's copy) must be the uninterrupted run's. Also: a series of
# --take-checkpoints (ticks, and --at-instruction) each restoring to a suffix
# of the output, a checkpoint of a restored run, the m5 checkpoint op, the timing CPU, stdin redirected by
# the shell, a new --input at restore (the crafty case), a changed input
# file refused (and accepted with --allow-changed-inputs), deleted inputs
# and program recreated from the checkpoint's staged copies (the checkpoint
# itself unchanged, nothing made outside the working directory), a pipe refused
# at checkpoint time, and corrupt checkpoints refused with one line.
#
# Run from anywhere: `tests/system/22_se_checkpoint.sh` (M5SIM=path overrides build/bin/m5sim).
set -euo pipefail
cd "$(dirname "$0")/../.."

M5SIM=$(realpath "${M5SIM:-build/bin/m5sim}")
src=$(pwd)/tests/se
repo=$(pwd)
if [ ! -x "$M5SIM" ]; then
    echo "FAIL se-ckpt: $M5SIM is missing (run make)"
    exit 1
fi
if command -v musl-gcc >/dev/null; then
    CC="musl-gcc -static -O1"
elif gcc -static -o /dev/null -x c - <<<'int main(void){return 0;}' 2>/dev/null; then
    CC="gcc -static -O1"
else
    echo "SKIP se-ckpt: no static C compiler (musl-gcc or gcc with static libc)"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0
passes=0
pass() { echo "PASS se-ckpt: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL se-ckpt: $1"; failures=$((failures + 1)); }

$CC -o ckpt_reader "$src/ckpt_reader.c"
$CC -o ckpt_signals "$src/ckpt_signals.c"
$CC -o ckpt_threads "$src/ckpt_threads.c" -lpthread

# Inputs: a data file and two command streams (offsets into it), deterministic.
seq 1 5000 >data.txt
awk 'BEGIN { x = 12345; for (i = 0; i < 300; i++) { x = (x * 1103515245 + 12345) % 2147483648; print x % 23000 } }' \
    >cmds.txt
for i in $(seq 20); do echo 7777; done >cmds2.txt

# run NAME CMD...: status in $st (no set -e abort).
st=0
run() { st=0; "$@" || st=$?; }

# ------------------------------------------------- uninterrupted runs ----
run ./ckpt_reader data.txt native.log <cmds.txt >native.out
native_st=$st
run "$M5SIM" se -d full --input cmds.txt ./ckpt_reader data.txt full.log >full.out 2>full.err
full_st=$st
if [ "$native_st" = "$full_st" ] && cmp -s native.out full.out && cmp -s native.log full.log && [ -s full.out ]; then
    pass "reader: native and m5sim se agree (status $full_st, $(wc -l <full.out) lines, log $(wc -l <full.log) lines)"
else
    fail "reader: native status $native_st, se $full_st, or the outputs differ"
fi
./ckpt_threads >threads.native
run "$M5SIM" se -d fullt ./ckpt_threads >threads.full 2>/dev/null
cmp -s threads.native threads.full && [ "$st" = 0 ] && pass "threads: native and m5sim se agree" ||
    fail "threads: native and m5sim se differ (status $st)"
./ckpt_signals >signals.native
run "$M5SIM" se -d fulls ./ckpt_signals >signals.full 2>/dev/null
cmp -s signals.native signals.full && pass "signals: native and m5sim se agree" || fail "signals: native and se differ"
"$M5SIM" se -d fulls ./ckpt_signals ticks >signals.ticks 2>/dev/null
ticks=$(awk '/^round 39/ { print $NF }' signals.ticks)
[ "${ticks:-0}" -ge 3 ] && pass "signals: the itimer's handler ran $ticks times in simulated time" ||
    fail "signals: the itimer's handler ran ${ticks:-0} times"

# ckpt_restore NAME N FULL_OUT FULL_STATUS CMD...: checkpoint at instruction N (with the options in the
# array CK, the restore with those in R), restore, and compare; the reader's log comes back from the checkpoint.
CK=()
R=()
ckpt_restore() {
    local name=$1 n=$2 full=$3 want=$4
    shift 4
    rm -rf ck part.log r
    run "$M5SIM" se -d ck --maxinsts "$n" --checkpoint-at-end ${CK[@]+"${CK[@]}"} "$@" >a.out 2>a.err
    if ! ls -d ck/cpt.* >/dev/null 2>&1; then
        fail "$name at $n: no checkpoint written ($(tail -1 a.err))"
        return
    fi
    rm -f part.log
    run "$M5SIM" se -d r --checkpoint-dir ck -r 1 ${R[@]+"${R[@]}"} >b.out 2>b.err
    if [ "$st" = "$want" ] && cat a.out b.out | cmp -s - "$full" &&
        { [ ! -e full.log ] || [ "$name" != reader* ] || cmp -s part.log full.log; }; then
        pass "$name: checkpoint at instruction $n restores to the uninterrupted output (status $st)"
    else
        fail "$name: checkpoint at instruction $n: status $st (want $want)"
        cat a.out b.out | diff - "$full" | head -4 | sed 's/^/    /' || true
        head -3 b.err | sed 's/^/    restore: /'
    fi
}

# ------------------------------------------- checkpoint, restore, compare ----
CK=(--input cmds.txt)
for n in 1000 20000000 150000000 380000000; do
    ckpt_restore reader "$n" full.out "$full_st" ./ckpt_reader data.txt part.log
done
CK=()
for n in 2000000 7000000 15000000; do
    ckpt_restore threads "$n" threads.full 0 ./ckpt_threads
    if grep -q '^state=1$' ck/cpt.*/m5.cpt; then
        pass "threads: the checkpoint at $n holds threads waiting on a futex"
    else
        fail "threads: the checkpoint at $n holds no futex waiter"
    fi
done
for n in 1501000 4000000 7000000; do
    ckpt_restore signals "$n" signals.ticks 0 ./ckpt_signals ticks
done
grep -q '^sigpending=0x800$' ck/cpt.*/m5.cpt && grep -q '^altstack2=0x10000$' ck/cpt.*/m5.cpt &&
    grep -q '^alarm_interval=0x7a120$' ck/cpt.*/m5.cpt && pass "signals: pending SIGUSR2, altstack, itimer saved" ||
    fail "signals: the checkpoint lacks the pending signal, alternate stack or itimer"

# The timing CPU: checkpointed and restored under it (the output does not depend on timing).
CK=(--cpu-type timing)
R=(--cpu-type timing)
ckpt_restore "threads (timing)" 9000000 threads.full 0 ./ckpt_threads
CK=(--cpu-type timing --input cmds.txt)
ckpt_restore "reader (timing)" 60000000 full.out "$full_st" ./ckpt_reader data.txt part.log
CK=()
R=()

# Checkpointed on atomic, restored on timing.
rm -rf ck
"$M5SIM" se -d ck --maxinsts 5000000 --checkpoint-at-end ./ckpt_threads >a.out 2>/dev/null || true
run "$M5SIM" se -d r --checkpoint-dir ck -r 1 --cpu-type timing >b.out 2>b.err
cat a.out b.out | cmp -s - threads.full && [ "$st" = 0 ] &&
    pass "threads: an atomic checkpoint restores on the timing CPU" || fail "threads: atomic -> timing restore (status $st)"

# --------------------------------------------- series of checkpoints ----
# suffix_ok K: the restore of checkpoint K prints the end of the uninterrupted output.
rm -rf series part.log
run "$M5SIM" se -d series --take-checkpoints 30000000,90000000 --at-instruction --input cmds.txt \
    ./ckpt_reader data.txt part.log >series.out 2>series.err
count=$(ls -d series/cpt.* 2>/dev/null | wc -l)
if [ "$count" -ge 4 ] && cmp -s series.out full.out && [ "$st" = "$full_st" ]; then
    pass "--take-checkpoints T,P --at-instruction: $count checkpoints, the run's output unchanged"
else
    fail "--take-checkpoints: $count checkpoints, status $st"
fi
for k in $(seq "$count"); do
    rm -f part.log
    run "$M5SIM" se -d r --checkpoint-dir series -r "$k" >b.out 2>b.err
    size=$(wc -c <b.out)
    if [ "$st" = "$full_st" ] && [ "$size" -gt 0 ] && tail -c "$size" full.out | cmp -s - b.out && cmp -s part.log full.log
    then
        pass "-r $k of the series: the last $size bytes of the output, and the log"
    else
        fail "-r $k of the series: status $st, $size bytes"
    fi
done
rm -rf ticks
run "$M5SIM" se -d ticks --take-checkpoints 5000000000 ./ckpt_threads >/dev/null 2>&1
tick=$(ls ticks | sed -n 's/^cpt\.//p')
[ -n "$tick" ] && [ "$tick" -ge 5000000000 ] && [ "$tick" -lt 5001000000 ] &&
    pass "--take-checkpoints T: cpt.$tick, at the first instruction boundary from tick T" ||
    fail "--take-checkpoints T (ticks): got '$tick'"

# A checkpoint of a restored run (its memory mapped from the first checkpoint's memory.img):
# restoring that one goes on exactly as well.
rm -rf c1 c2 part.log
"$M5SIM" se -d c1 --maxinsts 50000000 --checkpoint-at-end --input cmds.txt ./ckpt_reader data.txt part.log \
    >a.out 2>/dev/null || true
rm -f part.log
"$M5SIM" se -d c2 --checkpoint-dir c1 -r 1 --maxinsts 150000000 --checkpoint-at-end >b.out 2>b.err || true
rm -f part.log
run "$M5SIM" se -d r --checkpoint-dir c2 -r 1 >c.out 2>c.err
if [ "$st" = "$full_st" ] && cat a.out b.out c.out | cmp -s - full.out && cmp -s part.log full.log &&
    grep -q "ckpt_reader: stopped after --maxinsts 150000000" b.err; then
    pass "a checkpoint taken by a restored run restores to the uninterrupted output"
else
    fail "checkpoint of a restored run: status $st; $(head -1 b.err)"
fi

# The program's own request: the m5 checkpoint op after its 100th command.
rm -rf m5ck part.log
run "$M5SIM" se -d m5ck --input cmds.txt ./ckpt_reader data.txt part.log 100 >m5.out 2>m5.err
rm -f part.log
run "$M5SIM" se -d r --checkpoint-dir m5ck -r 1 >b.out 2>b.err
size=$(wc -c <b.out)
if grep -q '^100 offset' b.out && tail -c "$size" full.out | cmp -s - b.out &&
    cmp -s part.log full.log; then
    pass "m5 checkpoint op: the restore goes on after the 100th command"
else
    fail "m5 checkpoint op: restore differs (status $st)"
fi

# --------------------------------------------------------------- stdin ----
# Standard input redirected by the shell: the restore reads the same file from the same byte.
rm -rf ck part.log
"$M5SIM" se -d ck --maxinsts 100000000 --checkpoint-at-end ./ckpt_reader data.txt part.log <cmds.txt >a.out 2>/dev/null || true
rm -f part.log
run "$M5SIM" se -d r --checkpoint-dir ck -r 1 </dev/null >b.out 2>b.err
cat a.out b.out | cmp -s - full.out && [ "$st" = "$full_st" ] &&
    pass "stdin from the shell: the restore reads on from the same byte" || fail "stdin from the shell (status $st)"
# The crafty case: a new --input at restore is the program's stdin from its start. (The program's
# stdio buffer still holds the old input's next bytes, the end of a line: the first new line joins it.)
run "$M5SIM" se -d r --checkpoint-dir ck -r 1 --input cmds2.txt >b.out 2>b.err
new=$(grep -c ' offset 7777 ' b.out || true)
[ "$new" -ge 19 ] && ! grep -q ' offset 3808 ' b.out &&
    pass "restore with a new --input: the program reads the new commands ($new of 20 whole), not the old" ||
    fail "restore with a new --input: $new of 20 new commands read"

# ----------------------------------------------------------- refusals ----
# refused NAME PATTERN CMD...: exit status 2 and exactly one line on stderr matching PATTERN.
refused() {
    local name=$1 pattern=$2
    shift 2
    run "$@" >/dev/null 2>err.txt
    if [ "$st" = 2 ] && [ "$(wc -l <err.txt)" = 1 ] && grep -q -- "$pattern" err.txt; then
        pass "refused: $name"
    else
        fail "$name: status $st, stderr: $(head -2 err.txt | tr '\n' '|')"
    fi
}
rm -rf ck
"$M5SIM" se -d ck --maxinsts 20000000 --checkpoint-at-end --input cmds.txt ./ckpt_reader data.txt part.log \
    >/dev/null 2>&1 || true
cpt=$(ls -d ck/cpt.*)
cp data.txt data.orig
echo 5001 >>data.txt
refused "a changed input file" "changed since the checkpoint" "$M5SIM" se -d r --checkpoint-dir ck -r 1
run "$M5SIM" se -d r --checkpoint-dir ck -r 1 --allow-changed-inputs >/dev/null 2>err.txt
grep -q "warning: .*changed since the checkpoint" err.txt &&
    pass "--allow-changed-inputs restores with the changed file, with a warning" ||
    fail "--allow-changed-inputs: $(head -1 err.txt)"
cp data.orig data.txt
refused "a different program" "holds .*ckpt_reader" "$M5SIM" se -d r --checkpoint-dir ck -r 1 ./ckpt_threads
run "$M5SIM" se -d r --checkpoint-dir ck -r 2 >/dev/null 2>err.txt
[ "$st" = 2 ] && head -1 err.txt | grep -q "out of range" && grep -q -- "-r 1  cpt\." err.txt &&
    pass "refused: -r past the last checkpoint (the checkpoints listed)" || fail "-r 2: status $st"
refused "-r without --checkpoint-dir" "needs --checkpoint-dir" "$M5SIM" se -r 1
cp -r "$cpt" bad
sed -i 's/^brk=.*/brk=0x1/' bad/m5.cpt
refused "an edited index" "does not match its fingerprint" "$M5SIM" se -d r --checkpoint-dir bad -r 1
rm -rf bad && cp -r "$cpt" bad && truncate -s 4096 bad/memory.img
refused "a truncated memory.img" "truncated or corrupt" "$M5SIM" se -d r --checkpoint-dir bad -r 1
rm -rf bad && cp -r "$cpt" bad
logn=$(awk '/^\[se\.file[0-9]+\]/ { s = $0 } /^path=.*\/part\.log$/ { print s }' bad/m5.cpt | tr -dc 0-9)
printf 'x' >>"bad/file$logn.copy"
refused "a damaged shipped copy of the log" "not the file the checkpoint recorded" \
    "$M5SIM" se -d r --checkpoint-dir bad -r 1
rm -rf bad && cp -r "$cpt" bad && printf '\1\0\0\0\0\0\0\0' | dd of=bad/free_pages.bin conv=notrunc 2>/dev/null
refused "a damaged free_pages.bin" "free_pages" "$M5SIM" se -d r --checkpoint-dir bad -r 1
rm -rf bad && cp -r "$cpt" bad && rm bad/m5.cpt && mkdir bad/cpt.1
refused "a directory without checkpoints" "holds no checkpoints" "$M5SIM" se -d r --checkpoint-dir bad/cpt.1 -r 1
# Crafted indexes behind a matching fingerprint (tests/tools/ckpt_refingerprint re-seals them):
# every field of the process's sections is range-checked, and the tables against each other.
cc -std=gnu11 -D_GNU_SOURCE -I"$repo/host" -o refp "$repo/tests/tools/ckpt_refingerprint.c" \
    "$repo/host/ckpt/fingerprint.c"
crafted() {
    local name=$1 want=$2 edit=$3
    rm -rf bad && cp -r "$cpt" bad
    sed -i "$edit" bad/m5.cpt
    ./refp bad/m5.cpt
    refused "crafted $name" "$want" "$M5SIM" se -d r --checkpoint-dir bad -r 1
}
crafted "thread state" "\[se.thread0\] state = 9 is out of range 0..4" '0,/^state=.*/s//state=9/'
crafted "current thread" "cur = 3, live = 1 for 1 threads" 's/^cur=.*/cur=0x3/'
crafted "page allocator" "\[se.process\] pt_next_free = .* is out of range" 's/^pt_next_free=.*/pt_next_free=0x8000000000/'
crafted "mapping" "\[se.vma0\] 0x400800..0x401000 is not a range of whole pages" '0,/^start=.*/s//start=0x400800/'
crafted "mapping order" "overlaps or precedes" '/^\[se.vma1\]/,/^start=/s/^start=.*/start=0x0/'
crafted "descriptor's file" "file = 40 is not in the file table" '0,/^file=1$/s//file=40/'
crafted "dup of a later descriptor" "dup_of = 7 is not an earlier descriptor" '/^\[se.fd3\]/,/^cloexec/{s/^kind=1/kind=2/;s/^dup_of=-1/dup_of=7/}'
crafted "relative path" "is not an absolute path" '0,/^path=\/.*/s//path=etc\/passwd/'
crafted "CPU outside the process" "not a user-mode CPU" 's/^cr3=.*/cr3=0x2000/'
crafted "full-system index" "is a full-system checkpoint" 's/^\[se.process\]/[se.processx]/'

# ------------------------------------------------------- staged inputs ----
# Every file the process reads is staged in the checkpoint as a copy: a
# restore where the inputs (and the program) are gone -- deleted, or the
# checkpoint taken elsewhere -- recreates them byte for byte and goes on to
# the uninterrupted output; the checkpoint itself is never written to.
manifest() {   # DIR: every file's size and mtime, and the content hash of all but the sparse memory.img
    (cd "$1" && find . -type f -printf '%p %s %T@\n' | sort && find . -type f ! -name memory.img | sort |
        xargs sha256sum)
}
mkdir -p in && cp data.txt in/data.txt && cp cmds.txt in/cmds.txt && cp ckpt_reader reader.keep
rm -rf ck ck.moved part.log
"$M5SIM" se -d ck --maxinsts 60000000 --checkpoint-at-end --input in/cmds.txt ./ckpt_reader in/data.txt part.log \
    >a.out 2>/dev/null || true
mv ck ck.moved
manifest ck.moved >before.sum
rm -rf in ckpt_reader part.log
run "$M5SIM" se -d r --checkpoint-dir ck.moved -r 1 >b.out 2>b.err
if [ "$st" = "$full_st" ] && cat a.out b.out | cmp -s - full.out && cmp -s part.log full.log &&
    cmp -s in/data.txt data.txt && cmp -s in/cmds.txt cmds.txt && cmp -s ckpt_reader reader.keep &&
    [ -x ckpt_reader ] && [ "$(grep -c 'recreated from the checkpoint' b.err)" = 3 ]; then
    pass "inputs, stdin's file and the program deleted: recreated from the checkpoint's copies, the same output"
else
    fail "deleted inputs: status $st; $(head -2 b.err | tr '\n' '|')"
fi
manifest ck.moved >after.sum
cmp -s before.sum after.sum && pass "the restore left the checkpoint's files unchanged" ||
    fail "the restore changed the checkpoint's files"
echo 5001 >>in/data.txt
refused "a changed input (staged)" "in/data.txt: changed since the checkpoint" \
    "$M5SIM" se -d r --checkpoint-dir ck.moved -r 1
cp data.txt in/data.txt
# An input outside the working directory whose directory is gone: not recreated there.
mkdir -p ext work && cp data.txt ext/data.txt
rm -rf ck
(cd work && "$M5SIM" se -d ../ck --maxinsts 20000000 --checkpoint-at-end --input ../cmds.txt ../ckpt_reader \
    ../ext/data.txt part.log >/dev/null 2>&1) || true
rm -rf ext
refused "an absent input outside the working directory" "not below the program's working directory" \
    "$M5SIM" se -d r --checkpoint-dir ck -r 1
[ ! -e ext ] && pass "nothing created outside the working directory" || fail "ext/ was created"
manifest ck.moved >after.sum
cmp -s before.sum after.sum || fail "the refusals changed the checkpoint's files"

rm -rf ck
run "$M5SIM" se -d ck --maxinsts 3000000 --checkpoint-at-end ./ckpt_signals pipe >/dev/null 2>err.txt
if [ ! -e ck/cpt.* ] && grep -q "not taken: guest descriptor 3 is a pipe" err.txt; then
    pass "a process holding a pipe: no checkpoint, one warning"
else
    fail "a pipe: $(head -1 err.txt)"
fi

echo "se-ckpt: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
