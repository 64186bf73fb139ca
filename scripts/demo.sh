#!/usr/bin/env bash
# make demo: the workflow m5sim exists for, end to end.
#   1. boot Linux once; the guest's rcS takes a checkpoint right after boot
#   2. restore that checkpoint twice, each time with a script unknown at checkpoint time;
#      the second runs on the timing CPU (caches, DRAM) and shows gem5-named statistics
set -euo pipefail
cd "$(dirname "$0")/.."
M5SIM=build/bin/m5sim
out=build/demo
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. boot once: kernel build/images/vmlinux, disk build/images/rootfs.img (checkpoint after boot)"
echo "\$ $M5SIM --kernel build/images/vmlinux --disk-image build/images/rootfs.img --checkpoint-dir $out/ckpt -d $out/boot -q"
$M5SIM --kernel build/images/vmlinux --disk-image build/images/rootfs.img --checkpoint-dir "$out/ckpt" -d "$out/boot" -q
echo "console tail ($out/boot/system.pc.com_1.device):"
tail -4 "$out/boot/system.pc.com_1.device" | sed 's/^/  | /'
echo "checkpoint: $(ls -d "$out"/ckpt/cpt.*) ($(du -sh "$out"/ckpt/cpt.* | cut -f1) on disk)"

step "2. restore it with a new script: images/scripts/hello.sh"
echo "\$ $M5SIM --checkpoint-dir $out/ckpt -r 1 --script images/scripts/hello.sh -d $out/hello -q"
$M5SIM --checkpoint-dir "$out/ckpt" -r 1 --script images/scripts/hello.sh -d "$out/hello" -q
sed -n '/rcS: running script/,/rcS: script/p' "$out/hello/system.pc.com_1.device" | sed 's/^/  | /'

step "3. restore the same checkpoint with another script, run on the timing CPU with caches"
timing=(--restore-with-cpu atomic --cpu-type timing --caches --l2cache)
echo "\$ $M5SIM --checkpoint-dir $out/ckpt -r 1 ${timing[*]} --script images/scripts/bench_matmul.sh -d $out/matmul -q"
$M5SIM --checkpoint-dir "$out/ckpt" -r 1 "${timing[@]}" --script images/scripts/bench_matmul.sh -d "$out/matmul" -q
sed -n '/rcS: running script/,/rcS: script/p' "$out/matmul/system.pc.com_1.device" | sed 's/^/  | /'
echo "file sent by the guest with m5 writefile: $out/matmul/matmul.txt: $(cat "$out/matmul/matmul.txt")"
echo "statistics of the benchmark's region of interest ($out/matmul/stats.txt, first dump):"
awk '/Begin Simulation Statistics/{n++} n==1 && /^(simInsts|simSeconds|system.cpu.(numCycles|cpi) |system.cpu.(icache|dcache).overallMisses::total|system.l2.overallMisses::total|system.mem_ctrls.readReqs)/' \
    "$out/matmul/stats.txt" | sed 's/^/  | /'

step "outputs"
echo "  $out/boot/     the boot: console, stats.txt, config.ini, run.ini"
echo "  $out/ckpt/     the checkpoint (cpt.<tick>/m5.cpt is its human-readable index)"
echo "  $out/hello/    restore 1: console, stats, run record"
echo "  $out/matmul/   restore 2, on the timing CPU: console, stats (ROI dump first), matmul.txt from the guest"
echo "See docs/user-guide.md for the workflow step by step."
