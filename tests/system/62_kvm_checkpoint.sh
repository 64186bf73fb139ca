#!/bin/bash
# 62_kvm_checkpoint.sh - checkpoints between the KVM model and the
# interpreted ones, with a synthetic guest booted through m5sim's normal
# loader (tests/system/guests/kvm_ckpt_guest.S: a static ELF "kernel" that
# stays in supervisor long mode, so it runs on this project's software KVM,
# kvm-pvm, as well as on VT-x/AMD-V).
#
# The guest prints four lines of deterministic results on COM1 and takes a
# checkpoint after the first with `m5 checkpoint` through the m5 device in
# address mode (an MMIO exit under KVM). Checked:
#  - under --cpu-type kvm the whole console equals an uninterrupted atomic run's;
#  - the checkpoint taken under kvm restores on atomic and on timing
#    (--caches) and prints what the atomic run printed after its checkpoint;
#  - the reverse: the atomic run's checkpoint restores on kvm, same output;
#  - with --num-cpus 2 (one VM, two vCPUs) the same, and its checkpoint restores on atomic;
#  - the run says how KVM stops runs (perf counters or time quanta) in one
#    line, and that the probe was skipped in another;
#  - without the override, on kvm-pvm, --cpu-type kvm is refused (exit 2) in one line.
# The Linux probe refuses kvm-pvm, so the kvm runs set M5SIM_KVM_UNPROBED=1
# (for tests only: it skips the probe, /dev/kvm must still work). Where
# /dev/kvm is absent or unusable the test says so in one line and skips.
#
# Run from anywhere: tests/system/62_kvm_checkpoint.sh (M5SIM overrides build/bin/m5sim).
set -euo pipefail
cd "$(dirname "$0")/../.."

M5SIM=$(realpath "${M5SIM:-build/bin/m5sim}")
GUEST_SRC=$(pwd)/tests/system/guests/kvm_ckpt_guest.S
CONSOLE=system.pc.com_1.device
if [ ! -x "$M5SIM" ]; then
    echo "FAIL kvm-ckpt: $M5SIM is missing (run make)"
    exit 1
fi
if [ ! -e /dev/kvm ]; then
    echo "SKIP kvm-ckpt: no /dev/kvm on this host"
    exit 0
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo "SKIP kvm-ckpt: /dev/kvm is not readable and writable by $(id -un)"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0
passes=0
pass() { echo "PASS kvm-ckpt: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL kvm-ckpt: $1"; failures=$((failures + 1)); }
check() {
    local name=$1 why=$2
    shift 2
    if "$@"; then pass "$name"; else fail "$name: $why"; fi
}
finish() {
    echo "kvm-ckpt: $passes passed, $failures failed"
    [ "$failures" -eq 0 ]
}
# run NAME ARGS...: m5sim into NAME/ (stderr in NAME.err), status in $rc; never hangs.
run() {
    local name=$1
    shift
    rc=0
    timeout -k 10 120 "$M5SIM" -d "$name" -q "$@" >/dev/null 2>"$name.err" || rc=$?
}
kvm() { M5SIM_KVM_UNPROBED=1 run "$@"; }
# after FILE: the console from the line the checkpoint's load is followed by.
after() { sed -n '/^after the checkpoint$/,$p' "$1"; }
same_after() { cmp -s <(after "$1") "$2/$CONSOLE" && [ -s "$2/$CONSOLE" ]; }

if ! gcc -nostdlib -static -no-pie -Wl,-Ttext-segment=0x1000000 -Wl,--build-id=none -o guest.elf "$GUEST_SRC"; then
    echo "SKIP kvm-ckpt: cannot build the synthetic guest with gcc"
    exit 0
fi
truncate -s 1M disk.img
BOOT=(--kernel guest.elf --disk-image disk.img)

# ---- the uninterrupted atomic run (its checkpoint serves the reverse direction)
run atomic "${BOOT[@]}" --checkpoint-dir ck-atomic --cpu-type atomic
check "atomic run" "exit $rc: $(head -c 300 atomic.err)" \
    test "$rc" -eq 0 -a "$(grep -c '^phase' atomic/$CONSOLE)" -eq 4

# ---- the same boot under KVM, checkpointing through the m5 device's MMIO window
kvm kvm "${BOOT[@]}" --checkpoint-dir ck-kvm --cpu-type kvm
if [ "$rc" -eq 2 ] && grep -q "cannot run a Linux guest" kvm.err; then
    echo "SKIP kvm-ckpt: /dev/kvm is not usable here: $(grep -m1 'cannot run' kvm.err)"
    exit 0
fi
check "kvm run: exit 0" "exit $rc: $(head -c 300 kvm.err)" test "$rc" -eq 0
check "kvm run: console equals the atomic run's" "$(diff atomic/$CONSOLE kvm/$CONSOLE | head -5)" \
    cmp -s atomic/$CONSOLE kvm/$CONSOLE
check "kvm run: one checkpoint" "$(ls ck-kvm 2>&1)" test "$(ls -d ck-kvm/cpt.* 2>/dev/null | wc -l)" -eq 1
check "kvm run: the probe skip said in one line" "$(cat kvm.err)" \
    test "$(grep -c 'M5SIM_KVM_UNPROBED=1: the Linux probe was skipped' kvm.err)" -eq 1
check "kvm run: the instruction-stop method said in one line" "$(cat kvm.err)" \
    test "$(grep -cE 'kvm: instruction stops by (perf counters|time quanta)' kvm.err)" -eq 1
grep -m1 'instruction stops by' kvm.err | sed 's/^/    /'

# ---- kvm -> atomic, kvm -> timing
run k2atomic --checkpoint-dir ck-kvm -r 1 --cpu-type atomic
check "kvm checkpoint restores on atomic" "exit $rc; $(diff <(after atomic/$CONSOLE) k2atomic/$CONSOLE | head -5)" \
    eval '[ "$rc" -eq 0 ] && same_after atomic/$CONSOLE k2atomic'
run k2timing --checkpoint-dir ck-kvm -r 1 --cpu-type timing --caches
check "kvm checkpoint restores on timing --caches" "exit $rc; $(diff <(after atomic/$CONSOLE) k2timing/$CONSOLE | head -5)" \
    eval '[ "$rc" -eq 0 ] && same_after atomic/$CONSOLE k2timing'

# ---- atomic -> kvm (--cpu-type, and --restore-with-cpu then atomic)
kvm a2kvm --checkpoint-dir ck-atomic -r 1 --cpu-type kvm
check "atomic checkpoint restores on kvm" "exit $rc; $(diff <(after atomic/$CONSOLE) a2kvm/$CONSOLE | head -5)" \
    eval '[ "$rc" -eq 0 ] && same_after atomic/$CONSOLE a2kvm'
check "restored on kvm, the checkpoint's m5 op resumes without taking another" "$(ls ck-atomic)" \
    test "$(ls -d ck-atomic/cpt.* | wc -l)" -eq 1
kvm a2kvm2 --checkpoint-dir ck-atomic -r 1 --restore-with-cpu kvm --cpu-type timing
check "--restore-with-cpu kvm --cpu-type timing" "exit $rc; $(head -c 300 a2kvm2.err)" \
    eval '[ "$rc" -eq 0 ] && same_after atomic/$CONSOLE a2kvm2'

# ---- two CPUs: one VM, a vCPU each (the AP waits for a start-up IPI that never comes)
kvm smp "${BOOT[@]}" --checkpoint-dir ck-smp --cpu-type kvm --num-cpus 2
check "kvm, --num-cpus 2: console equals the atomic run's" "exit $rc; $(head -c 300 smp.err)" \
    eval '[ "$rc" -eq 0 ] && cmp -s atomic/$CONSOLE smp/$CONSOLE'
run smp2atomic --checkpoint-dir ck-smp -r 1 --cpu-type atomic
check "kvm, --num-cpus 2: its checkpoint restores on atomic" "exit $rc; $(head -c 300 smp2atomic.err)" \
    eval '[ "$rc" -eq 0 ] && same_after atomic/$CONSOLE smp2atomic'

# ---- without the override, the probe decides (kvm-pvm: refused in one line, exit 2)
if [ -e /sys/module/kvm_pvm ]; then
    run probed "${BOOT[@]}" --cpu-type kvm
    check "kvm-pvm without the override: refused, exit 2, one line" "exit $rc: $(cat probed.err)" \
        eval '[ "$rc" -eq 2 ] && [ "$(wc -l <probed.err)" -eq 1 ] && grep -q "cannot run a Linux guest" probed.err'
fi
finish
