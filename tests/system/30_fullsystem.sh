#!/bin/bash
# 30_fullsystem.sh - the full-system machine boots our Linux and runs scripts.
#
# Boots ONCE (tests/system/lib.sh: fs_boot) into build/tests/fs/boot with
# --checkpoint-dir build/tests/fs/ckpt and three queued scripts, and checks
# what that single boot produced: the console log, stats.txt, config.ini,
# run.ini, the checkpoint the rcS took, m5 writefile outputs (and refusals of
# names that leave the outdir), and the disk overlay (the base image is never
# written). Whatever needs a second run restores the boot's checkpoint
# instead of booting again (about a second each): determinism (two restores,
# same script, byte-identical consoles and stats), `m5 fail 3` as exit status
# 3, and a restore that replays the boot's own scripts exactly as the boot ran
# them after its checkpoint. Missing inputs need no boot at all.
# 40_checkpoint.sh reuses the boot and its checkpoint.
#
# Run from anywhere: tests/system/30_fullsystem.sh (M5SIM, KERNEL, IMAGE override the defaults).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=fs
. tests/system/lib.sh

fs_preflight || exit 1
t_start=$(now)
image_sha=$(sha256sum <"$IMAGE" | cut -d' ' -f1)

# ------------------------------------------------------------- the boot --
fs_boot
B=$BOOT_DIR
cons=$B/$CONSOLE
boot_insts=$(ini_get "$B/run.ini" instructions)
if [ "$BOOT_RC" -eq 0 ] && [ "$(ini_get "$B/run.ini" exit_cause)" = "m5 exit" ]; then
    pass "boot: Linux boots, runs the rcS loop and ends with m5 exit, status 0 ($BOOT_SECONDS s, $boot_insts instructions)"
else
    fail "boot: exit status $BOOT_RC (want 0), run.ini exit_cause '$(ini_get "$B/run.ini" exit_cause)'"
    indent "$FS/boot.stderr"
    tail -n 5 "$cons" 2>/dev/null | sed 's/^/    console| /' || true
fi
note "boot took $BOOT_SECONDS s wall; first m5 readfile at $(ini_get "$B/run.ini" host_seconds_to_first_readfile) s," \
     "$(ini_get "$B/run.ini" instructions_to_first_readfile) instructions"

if grep -q '^Linux version' "$cons" 2>/dev/null && grep -q '^rcS: checkpoint' "$cons" \
    && grep -q '^rcS: no more scripts' "$cons"; then
    pass "console: kernel banner, the rcS checkpoint and the end of the script loop are in $CONSOLE"
else
    fail "console: $cons lacks the kernel banner, 'rcS: checkpoint' or 'rcS: no more scripts'"
fi

# The default controller is gem5's: the PIIX IDE disk, /dev/sda through libata.
check "disk: the default controller is PIIX; root is ext4 on /dev/sda (ata_piix), no virtio" \
      "$(grep -E 'ata1|sda|virtio|EXT4-fs' "$cons" 2>/dev/null | head -4 | tr '\n' ' ')" \
      bash -c "grep -q 'ata_piix' '$cons' && grep -q 'EXT4-fs (sda): mounted' '$cons' && ! grep -q 'virtio' '$cons'"

order=$(grep -o '^rcS: running script [0-9]*' "$cons" 2>/dev/null | awk '{ printf "%s ", $4 }' || true)
check "queue: the three --script files ran one after another, in order" \
      "scripts ran in order '$order', want '1 2 3 '" [ "$order" = "1 2 3 " ]

check "script output: what the first script printed is in the console log" \
      "no 'FS-BOOT-SCRIPT-1: hello from Linux' in $cons" \
      grep -q '^FS-BOOT-SCRIPT-1: hello from Linux [0-9]' "$cons"

# ------------------------------------------------------------- outputs --
stats_ok=1
for k in simSeconds simTicks finalTick simFreq hostSeconds simInsts hostInstRate; do
    grep -qE "^$k +[0-9.]+ +#" "$B/stats.txt" 2>/dev/null || { stats_ok=0; fail "stats.txt: no $k line"; }
done
if [ $stats_ok -eq 1 ]; then
    if grep -q '^---------- Begin Simulation Statistics ----------' "$B/stats.txt" \
        && grep -q '^---------- End Simulation Statistics' "$B/stats.txt" \
        && [ "$(awk '$1 == "simInsts" { print $2 }' "$B/stats.txt")" = "$boot_insts" ]; then
        pass "stats.txt: gem5 text format with simInsts (= run.ini's $boot_insts), simTicks, simSeconds, hostSeconds, hostInstRate"
    else
        fail "stats.txt: Begin/End markers missing or simInsts differs from run.ini's instructions=$boot_insts"
        indent "$B/stats.txt" 8
    fi
fi

# stats.json: one JSON object a line, one per stats.txt block, with the same numbers.
dumps=$(grep -c '^---------- Begin Simulation Statistics' "$B/stats.txt" 2>/dev/null || true)
json_check=$(python3 - "$B/stats.json" "$B/stats.txt" 2>&1 <<'PY' || true
import json, sys
objs = [json.loads(line) for line in open(sys.argv[1])]
last = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) > 1 and not line.startswith("-"):
        last[f[0]] = f[1]
o = objs[-1]
assert str(o["simInsts"]) == last["simInsts"], (o["simInsts"], last["simInsts"])
assert o["system.cpu.commitStats0.numInsts"] == o["simInsts"]
assert str(o["system.cpu.numCycles"]) == last["system.cpu.numCycles"]
assert "%.6f" % o["system.cpu.cpi"] == last["system.cpu.cpi"]
print(len(objs))
PY
)
check "stats.json: $dumps JSON lines, one per stats.txt dump, with the text's simInsts, numCycles and cpi" \
      "stats.json: $json_check (stats.txt has $dumps dumps)" [ "$json_check" = "$dumps" ]
check "config.ini: the configuration is recorded (kernel, disk)" "no kernel= or disk0= in $B/config.ini" \
      grep -q "^disk0=.*$(basename "$IMAGE")" "$B/config.ini"

# ---------------------------------------------------------- checkpoint --
cpt=$(ckpt_path)
if [ -n "$cpt" ] && [ -f "$cpt/m5.cpt" ] && [ -f "$cpt/memory.img" ] && [ -f "$cpt/disk0.overlay" ] \
    && [ -f "$cpt/disk0.map" ] && [ "$(ini_get "$cpt/m5.cpt" tick)" = "${cpt##*/cpt.}" ] \
    && [ -z "$(ls -A "$B" | grep 'cpt\.' || true)" ] && [ -z "$(ls -A "$CKPT_DIR" | grep -v '^cpt\.[0-9]*$' || true)" ]; then
    pass "checkpoint: the rcS's m5 checkpoint wrote $(basename "$cpt")/ (m5.cpt, memory.img, disk0.overlay, disk0.map) into --checkpoint-dir, nothing else"
else
    fail "checkpoint: expected exactly $CKPT_DIR/cpt.<tick>/ with m5.cpt (tick=<tick>), memory.img, disk0.overlay, disk0.map"
    ls -la "$CKPT_DIR" "$cpt" 2>&1 | sed "s/^/    /" || true
fi
if [ -n "$cpt" ]; then
    # Write time, roughly: from memory.img's birth (the first file written) to m5.cpt's last write.
    born=$(stat -c %.9W "$cpt/memory.img" 2>/dev/null || echo 0)
    wt=$(awk -v a="$born" -v b="$(stat -c %.9Y "$cpt/m5.cpt")" 'BEGIN { if (a > 0) printf "about %.0f ms", (b - a) * 1000; else print "unknown (no birth times here)" }')
    note "checkpoint $(basename "$cpt"): $(du -sh "$cpt" | cut -f1) on disk ($(du -sh --apparent-size "$cpt" | cut -f1) apparent," \
         "memory.img $(du -sh "$cpt/memory.img" | cut -f1) of data); written in $wt (memory.img created to m5.cpt done)"
fi

# ----------------------------------------------------------- writefile --
want="FS-WRITEFILE-CONTENT-7d3a"
if [ "$(cat "$B/from-guest.txt" 2>/dev/null)" = "$want" ] && [ "$(cat "$B/sub/dir/nested.txt" 2>/dev/null)" = "$want" ]; then
    pass "writefile: m5 writefile lands in the outdir (from-guest.txt, sub/dir/nested.txt) with the guest's bytes"
else
    fail "writefile: $B/from-guest.txt or $B/sub/dir/nested.txt missing or not '$want'"
fi
escaped=$(find . -maxdepth 1 -name 'fs-escape*-7d3a.txt' 2>/dev/null; find build -name 'fs-escape*-7d3a.txt' 2>/dev/null | head -3)
refusals=$(grep -c 'refused' "$FS/boot.stderr" || true)
if [ -z "$escaped" ] && [ "$refusals" -eq 3 ] && grep -q '^FS-BOOT-SCRIPT-2: writefile done' "$cons"; then
    pass "writefile: names leaving the outdir ('../x', '/../../x', 'sub/../../x') are refused (3 warnings) and written nowhere"
else
    fail "writefile: escape attempts: found '${escaped}', $refusals refusal warnings on stderr (want 3)"
    indent "$FS/boot.stderr"
fi

# ---------------------------------------------------------------- disk --
image_sha_after=$(sha256sum <"$IMAGE" | cut -d' ' -f1)
marker="FS-DISK-DATA-5f1c0b9e"
if [ "$image_sha_after" = "$image_sha" ] && grep -q "^FS-BOOT-SCRIPT-3: wrote $marker" "$cons" \
    && grep -aq "$marker" "$B/disk0.overlay" && ! grep -aq "$marker" "$IMAGE"; then
    pass "disk: the guest's write reached $B/disk0.overlay; the base image's sha256 is unchanged"
else
    fail "disk: image sha256 $image_sha -> $image_sha_after; overlay holds marker: $(grep -ac "$marker" "$B/disk0.overlay" 2>/dev/null || true)"
fi
if [ -n "$cpt" ] && ! grep -aq "$marker" "$cpt/disk0.overlay"; then
    pass "disk: the checkpoint's overlay is the disk at checkpoint time (the later write is not in it)"
else
    fail "disk: no checkpoint, or its disk0.overlay holds data the guest wrote after the checkpoint"
fi

# ---------------------------------------- restores of the boot checkpoint --
# The same scripts, restored: the guest must do exactly what the boot did
# after its checkpoint (same console bytes, same instruction count and tick).
R=$FS/30-replay
replay_args=()
for s in "${BOOT_SCRIPTS[@]}"; do replay_args+=(--script "$s"); done
restore "$R" "${replay_args[@]}"
after_checkpoint "$cons" >"$FS/30-boot-after-checkpoint.txt"
if [ "$rc" -eq 0 ] && cmp -s "$FS/30-boot-after-checkpoint.txt" "$R/$CONSOLE" \
    && [ "$(ini_get "$R/run.ini" instructions)" = "$boot_insts" ] \
    && [ "$(ini_get "$R/run.ini" final_tick)" = "$(ini_get "$B/run.ini" final_tick)" ] \
    && cmp -s "$B/from-guest.txt" "$R/from-guest.txt"; then
    pass "replay: restoring with the boot's scripts reproduces the boot after its checkpoint (console bytes, instructions, final tick)"
else
    fail "replay: status $rc; console after 'rcS: checkpoint' vs restore: $(cmp "$FS/30-boot-after-checkpoint.txt" "$R/$CONSOLE" 2>&1 | head -1);" \
         "instructions $boot_insts vs $(ini_get "$R/run.ini" instructions), final_tick $(ini_get "$B/run.ini" final_tick) vs $(ini_get "$R/run.ini" final_tick)"
    indent "$R.stderr"
fi
note "restore: first m5 readfile $(ini_get "$R/run.ini" host_seconds_to_first_readfile) s after m5sim started"

# Determinism: two restores, same script, byte-identical console and stats (host* lines aside).
# (No /dev/urandom here: the guest's RNG is not seeded at the checkpoint, and
# its first read waits for jitter entropy: billions of instructions.)
cat >"$SCRIPTS/30-det.sh" <<'EOF'
echo "FS-DET: uptime $(cat /proc/uptime)"
/bench/sorthash 4096
usleep 20000
echo "FS-DET: disk $(dd if=/dev/sda bs=4096 count=64 2>/dev/null | md5sum)"
head -3 /proc/meminfo
grep -E 'LOC|timer|ttyS0' /proc/interrupts
echo "FS-DET: uptime $(cat /proc/uptime)"
EOF
restore "$FS/30-det-1" --script "$SCRIPTS/30-det.sh"
rc1=$rc
restore "$FS/30-det-2" --script "$SCRIPTS/30-det.sh"
rc2=$rc
if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && grep -q '^FS-DET: disk' "$FS/30-det-1/$CONSOLE" \
    && cmp -s "$FS/30-det-1/$CONSOLE" "$FS/30-det-2/$CONSOLE" \
    && cmp -s <(stats_sim "$FS/30-det-1/stats.txt") <(stats_sim "$FS/30-det-2/stats.txt"); then
    pass "deterministic: two runs with the same inputs give byte-identical consoles and stats (host* lines aside)"
else
    fail "deterministic: statuses $rc1/$rc2; console: $(cmp "$FS/30-det-1/$CONSOLE" "$FS/30-det-2/$CONSOLE" 2>&1 | head -1);" \
         "stats: $(diff <(stats_sim "$FS/30-det-1/stats.txt") <(stats_sim "$FS/30-det-2/stats.txt") 2>&1 | head -2 | tr '\n' ' ')"
fi

# m5 fail 3 -> exit status 3.
printf 'echo FS-FAIL: about to fail\nm5 fail 3\necho FS-FAIL: still running\n' >"$SCRIPTS/30-fail3.sh"
restore "$FS/30-fail3" --script "$SCRIPTS/30-fail3.sh"
if [ "$rc" -eq 3 ] && [ "$(ini_get "$FS/30-fail3/run.ini" exit_status)" = 3 ] \
    && grep -q '^FS-FAIL: about to fail' "$FS/30-fail3/$CONSOLE"; then
    pass "m5 fail 3: m5sim exits with status 3 (run.ini exit_status=3)"
else
    fail "m5 fail 3: exit status $rc (want 3), run.ini exit_status=$(ini_get "$FS/30-fail3/run.ini" exit_status)"
    indent "$FS/30-fail3.stderr"
fi

# ------------------------------------------------------- missing inputs --
# one_line_error NAME FILE ARGS...: exit 2, exactly one stderr line naming FILE, no outdir.
one_line_error() {
    local name=$1 file=$2 out=$FS/30-missing
    shift 2
    rm -rf "$out"
    run_m5sim 30 "$out.stderr" "$@" -d "$out" -q
    local lines
    lines=$(wc -l <"$out.stderr")
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -qF "$file" "$out.stderr" && grep -q '^m5sim: ' "$out.stderr" \
        && [ ! -e "$out" ]; then
        pass "$name: exit 2, one line: $(cat "$out.stderr")"
    else
        fail "$name: exit status $rc (want 2), $lines stderr lines (want 1 naming $file), outdir created: $([ -e "$out" ] && echo yes || echo no)"
        indent "$out.stderr"
    fi
}
one_line_error "missing kernel" "$FS/no-such-vmlinux" --kernel "$FS/no-such-vmlinux" --disk-image "$IMAGE"
one_line_error "missing disk image" "$FS/no-such-disk.img" --kernel "$KERNEL" --disk-image "$FS/no-such-disk.img"
one_line_error "missing script" "$FS/no-such-script.sh" --kernel "$KERNEL" --disk-image "$IMAGE" \
    --script "$SCRIPTS/boot1-console.sh" --script "$FS/no-such-script.sh"

check "base image: sha256 unchanged after the boot and every restore" "sha256 of $IMAGE changed" \
      [ "$(sha256sum <"$IMAGE" | cut -d' ' -f1)" = "$image_sha" ]

note "30_fullsystem.sh took $(secs "$t_start" "$(now)") s"
finish
