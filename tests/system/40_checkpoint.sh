#!/bin/bash
# 40_checkpoint.sh - checkpoint once, restore many times with new scripts.
#
# Reuses the boot of 30_fullsystem.sh and its checkpoint in
# build/tests/fs/ckpt (tests/system/lib.sh: fs_ensure_boot boots only when it
# is missing or stale, so this file also runs alone), then restores it again
# and again: different scripts run their own script, the same script gives
# the same bytes, the cpt.<tick> directory form, a guest whose m5 writefile
# names its own checkpoint (refused; on a copy), -r out of range, --batch -j 2,
# --interactive with --control, checkpoints taken by restored runs (complete,
# and resuming exactly), a kill -9 in the middle of writing a checkpoint, and
# every refusal (changed base image, format version, truncated or edited
# files, memory size) on COPIES of the checkpoint under build/tests/fs/. At
# the end the shared checkpoint directory must be byte-for-byte what it was.
# Last, an image built with a gem5-style hack_back_ckpt.rcS
# (tests/system/hack_back_ckpt.rcS) boots once and restores with a new script.
#
# Run from anywhere: tests/system/40_checkpoint.sh (M5SIM, KERNEL, IMAGE override the defaults).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=ckpt
. tests/system/lib.sh

fs_preflight || exit 1
t_start=$(now)
image_sha=$(sha256sum <"$IMAGE" | cut -d' ' -f1)

if fs_ensure_boot; then
    if [ "$BOOT_REUSED" -eq 1 ]; then
        pass "setup: reusing the boot and checkpoint of 30_fullsystem.sh ($(basename "$(ckpt_path)"))"
    else
        pass "setup: booted once for the checkpoint ($(basename "$(ckpt_path)"), $BOOT_SECONDS s)"
    fi
else
    fail "setup: could not boot to a checkpoint (exit status $BOOT_RC)"
    indent "$FS/boot.stderr"
    finish
    exit 1
fi
CPT=$(ckpt_path)
TICK=${CPT##*/cpt.}
O=$FS/40
rm -rf "$O"
mkdir -p "$O"
manifest "$CKPT_DIR" >"$O/manifest.before"

# --------------------------------------------------------------- scripts --
# Markers are built at run time ("A-$((6*7))") so that a script's text could
# never be mistaken for its output.
cat >"$SCRIPTS/40-a.sh" <<'EOF'
echo "CKPT-SCRIPT-A-$((6 * 7)) ran"
echo from-A >/root/written-by-A
sync
echo "A-RESULT-$((6 * 7))" >/tmp/r
m5 writefile /tmp/r a-result.txt
EOF
cat >"$SCRIPTS/40-b.sh" <<'EOF'
echo "CKPT-SCRIPT-B-$((7 * 7)) ran"
if [ -e /root/written-by-A ] || [ -e /root/f ]; then
    echo "CKPT-B: LEAK: $(ls /root)"
else
    echo "CKPT-B: disk as at the checkpoint"
fi
echo "B-RESULT-$((7 * 7))" >/tmp/r
m5 writefile /tmp/r b-result.txt
EOF
MARK_A="^CKPT-SCRIPT-A-42 ran"
MARK_B="^CKPT-SCRIPT-B-49 ran"

# has_marker OUT MARKER / lacks_marker OUT MARKER: on OUT's console.
has_marker() { grep -q "$2" "$1/$CONSOLE" 2>/dev/null; }
lacks_marker() { [ -f "$1/$CONSOLE" ] && ! grep -q "$2" "$1/$CONSOLE"; }

# ------------------------------------------- different scripts, same start --
restore "$O/a1" --script "$SCRIPTS/40-a.sh"
rc_a1=$rc
restore "$O/b1" --script "$SCRIPTS/40-b.sh" --restore-with-cpu atomic --cpu-type atomic
rc_b1=$rc
if [ "$rc_a1" -eq 0 ] && [ "$rc_b1" -eq 0 ] && has_marker "$O/a1" "$MARK_A" && lacks_marker "$O/a1" "$MARK_B" \
    && has_marker "$O/b1" "$MARK_B" && lacks_marker "$O/b1" "$MARK_A" \
    && [ "$(cat "$O/a1/a-result.txt" 2>/dev/null)" = A-RESULT-42 ] && [ "$(cat "$O/b1/b-result.txt" 2>/dev/null)" = B-RESULT-49 ]; then
    pass "two scripts: two restores of one checkpoint each run their own script (and only it)"
else
    fail "two scripts: statuses $rc_a1/$rc_b1; A's marker in a1/b1: $(grep -c "$MARK_A" "$O/a1/$CONSOLE" "$O/b1/$CONSOLE" 2>&1 | tr '\n' ' ');" \
         "B's: $(grep -c "$MARK_B" "$O/a1/$CONSOLE" "$O/b1/$CONSOLE" 2>&1 | tr '\n' ' ')"
    indent "$O/a1.stderr"
    indent "$O/b1.stderr"
fi
check "restore cpu: --restore-with-cpu atomic --cpu-type atomic is accepted" "restore b1 exited $rc_b1" [ "$rc_b1" -eq 0 ]
check "isolation: a restore sees the disk as it was at the checkpoint (not the boot's later write, not restore A's)" \
      "b1's console: $(grep 'CKPT-B:' "$O/b1/$CONSOLE" 2>/dev/null | tr -d '\r')" \
      grep -q '^CKPT-B: disk as at the checkpoint' "$O/b1/$CONSOLE"
note "restore: first m5 readfile $(ini_get "$O/a1/run.ini" host_seconds_to_first_readfile) s after m5sim started" \
     "(whole restore + script A: $(ini_get "$O/a1/run.ini" host_seconds) s)"

# ------------------------------------------------------------ same script --
restore "$O/a2" --script "$SCRIPTS/40-a.sh"
if [ "$rc" -eq 0 ] && has_marker "$O/a2" "$MARK_A" && cmp -s "$O/a1/$CONSOLE" "$O/a2/$CONSOLE" \
    && cmp -s <(stats_sim "$O/a1/stats.txt") <(stats_sim "$O/a2/stats.txt"); then
    pass "same script: two restores with the same script give identical consoles after the restore point (and stats)"
else
    fail "same script: status $rc; $(cmp "$O/a1/$CONSOLE" "$O/a2/$CONSOLE" 2>&1 | head -1)"
fi

# ------------------------------------------------ the cpt.<tick> directory --
rm -rf "$O/a3"
run_m5sim "$T_RUN" "$O/a3.stderr" --checkpoint-dir "$CPT" -r 1 --script "$SCRIPTS/40-a.sh" -d "$O/a3" -q
if [ "$rc" -eq 0 ] && has_marker "$O/a3" "$MARK_A" && cmp -s "$O/a1/$CONSOLE" "$O/a3/$CONSOLE"; then
    pass "cpt.<tick> form: --checkpoint-dir .../cpt.$TICK -r 1 restores the same checkpoint"
else
    fail "cpt.<tick> form: status $rc; $(cmp "$O/a1/$CONSOLE" "$O/a3/$CONSOLE" 2>&1 | head -1)"
    indent "$O/a3.stderr"
fi
run_m5sim 30 "$O/cptform-r2.stderr" --checkpoint-dir "$CPT" -r 2 -d "$O/cptform-r2" -q
check "cpt.<tick> form: -r 2 on a checkpoint directory itself is refused with exit 2" \
      "exit $rc, stderr: $(head -1 "$O/cptform-r2.stderr")" [ "$rc" -eq 2 ]

# ------------------------------------- a hostile writefile (docs/guest-safety.md) --
# The documented layout (-d and --checkpoint-dir the same directory): a guest
# that names the checkpoint it runs from, or plants a new one, is refused;
# the checkpoint stays intact and restores again.
H=$O/hostile
rm -rf "$H"
mkdir -p "$H"
cp -a --sparse=always "$CPT" "$H/"
mem_before=$(sha256sum <"$H/cpt.$TICK/memory.img")
cat >"$SCRIPTS/40-hostile.sh" <<EOF
m5 writefile /etc/hostname cpt.$TICK/memory.img; echo "WF-MEMORY-STATUS \$?"
m5 writefile /etc/hostname cpt.1/m5.cpt; echo "WF-PLANT-STATUS \$?"
m5 writefile /etc/hostname ok/hostname; echo "WF-OK-STATUS \$?"
EOF
run_m5sim "$T_RUN" "$H.stderr" --checkpoint-dir "$H" -r 1 --script "$SCRIPTS/40-hostile.sh" -d "$H" -q
if [ "$rc" -eq 0 ] && grep -q '^WF-MEMORY-STATUS [1-9]' "$H/$CONSOLE" && grep -q '^WF-PLANT-STATUS [1-9]' "$H/$CONSOLE" &&
    grep -q '^WF-OK-STATUS 0' "$H/$CONSOLE" && [ -s "$H/ok/hostname" ] && [ ! -e "$H/cpt.1" ] &&
    [ "$(sha256sum <"$H/cpt.$TICK/memory.img")" = "$mem_before" ]; then
    pass "hostile writefile: cpt.$TICK/memory.img and cpt.1/m5.cpt refused in the guest, the checkpoint unchanged"
else
    fail "hostile writefile: exit $rc; $(grep '^WF-' "$H/$CONSOLE" 2>/dev/null | tr '\n' ' ')"
    indent "$H.stderr"
fi
run_m5sim "$T_RUN" "$H-again.stderr" --checkpoint-dir "$H" -r 1 --script "$SCRIPTS/40-b.sh" -d "$H-again" -q
check "hostile writefile: the checkpoint restores again afterwards" "exit $rc" [ "$rc" -eq 0 ]

# ----------------------------------------------------------- -r out of range --
run_m5sim 30 "$O/range.stderr" --checkpoint-dir "$CKPT_DIR" -r 2 -d "$O/range" -q
if [ "$rc" -eq 2 ] && grep -q "cpt\.$TICK" "$O/range.stderr" && [ ! -e "$O/range" ]; then
    pass "-r 2 out of range: exit 2, and the message lists the checkpoints that exist (cpt.$TICK)"
else
    fail "-r 2 out of range: exit $rc (want 2), cpt.$TICK listed: $(grep -c "cpt\.$TICK" "$O/range.stderr" || true)"
    indent "$O/range.stderr"
fi
run_m5sim 30 "$O/range0.stderr" --checkpoint-dir "$CKPT_DIR" -r 0 -d "$O/range0" -q
check "-r 0: refused with exit 2 and one line" "exit $rc, $(wc -l <"$O/range0.stderr") lines: $(head -1 "$O/range0.stderr")" \
      [ "$rc/$(wc -l <"$O/range0.stderr")" = 2/1 ]

# ------------------------------------------------------------------ batch --
rm -rf "$O/batch"
t0=$(now)
run_m5sim "$T_RUN" "$O/batch.stderr" --checkpoint-dir "$CKPT_DIR" -r 1 --batch -j 2 \
    --script "$SCRIPTS/40-a.sh" --script "$SCRIPTS/40-b.sh" -d "$O/batch" -q
t1=$(now)
d1=$(first_match "$O/batch/1-*")
d2=$(first_match "$O/batch/2-*")
if [ "$rc" -eq 0 ] && [ -n "$d1" ] && [ -n "$d2" ] && [ "$(ls "$O/batch" | wc -l)" -eq 2 ] \
    && has_marker "$d1" "$MARK_A" && lacks_marker "$d1" "$MARK_B" && has_marker "$d2" "$MARK_B" && lacks_marker "$d2" "$MARK_A" \
    && [ -f "$d1/a-result.txt" ] && [ ! -e "$d1/b-result.txt" ] && [ -f "$d2/b-result.txt" ] && [ ! -e "$d2/a-result.txt" ] \
    && [ -s "$d1/stats.txt" ] && [ -s "$d2/stats.txt" ]; then
    pass "batch -j 2: two scripts, two subdirectories ($(basename "$d1"), $(basename "$d2")), each with its own console, stats and writefile output ($(secs "$t0" "$t1") s)"
else
    fail "batch -j 2: exit $rc; subdirectories: $(ls "$O/batch" 2>/dev/null | tr '\n' ' ')"
    indent "$O/batch.stderr"
fi
check "batch -j 2: a batch restore gives the same console as a single restore of the same script" \
      "$(cmp "$O/a1/$CONSOLE" "$d1/$CONSOLE" 2>&1 | head -1)" cmp -s "$O/a1/$CONSOLE" "$d1/$CONSOLE"

# --script-dir: a directory's files are queued in name order (one restore, no batch).
SD=$O/script-dir
mkdir -p "$SD"
cp "$SCRIPTS/40-b.sh" "$SD/2-second.sh"
cp "$SCRIPTS/40-a.sh" "$SD/1-first.sh"
restore "$O/sdir" --script-dir "$SD"
order=$(grep -o -e "$MARK_A" -e "$MARK_B" "$O/sdir/$CONSOLE" 2>/dev/null | cut -c13 | tr -d '\n' || true)
check "--script-dir: its files run one after another in name order in one restore" \
      "exit $rc, order of markers '$order' (want AB)" [ "$rc/$order" = 0/AB ]

# ------------------------------------------------------------ interactive --
printf '%s\ncheckpoint\n' "$SCRIPTS/40-a.sh" >"$O/control"
rm -rf "$O/inter"
run_m5sim "$T_RUN" "$O/inter.stderr" --checkpoint-dir "$CKPT_DIR" -r 1 --interactive --control "$O/control" -d "$O/inter" -q </dev/null
icpt=$(first_match "$O/inter/cpt.*")
if [ "$rc" -eq 0 ] && has_marker "$O/inter" "$MARK_A" && [ -n "$icpt" ] && [ -f "$icpt/m5.cpt" ] \
    && grep -q '^rcS: no more scripts' "$O/inter/$CONSOLE"; then
    pass "interactive: --control file (script path, 'checkpoint', end of input): the script runs, $(basename "$icpt")/ appears in the outdir, the run ends"
else
    fail "interactive: exit $rc; marker: $(grep -c "$MARK_A" "$O/inter/$CONSOLE" 2>/dev/null || true); checkpoint: '${icpt}'"
    indent "$O/inter.stderr"
fi
if [ -n "$icpt" ]; then
    rm -rf "$O/inter-r"
    run_m5sim "$T_RUN" "$O/inter-r.stderr" --checkpoint-dir "$O/inter" -r 1 --script "$SCRIPTS/40-b.sh" -d "$O/inter-r" -q
    if [ "$rc" -eq 0 ] && has_marker "$O/inter-r" "$MARK_B" && lacks_marker "$O/inter-r" "$MARK_A"; then
        pass "interactive: the checkpoint taken at the prompt restores, and its guest asks for (and runs) the new script"
    else
        fail "interactive: restoring $icpt: exit $rc"
        indent "$O/inter-r.stderr"
    fi
fi

# ------------------------------------------- checkpoints of restored runs --
# A restored run maps memory.img copy-on-write; a checkpoint it takes must
# still hold every page (also those the restored run never touched and the
# host's page cache no longer holds), and a restore of it must continue
# exactly as the run that took it did.
cat >"$SCRIPTS/40-chain.sh" <<'EOF'
echo "CKPT-CHAIN: before"
m5 checkpoint
echo "CKPT-CHAIN: after $(cat /proc/uptime)"
usleep 30000
/bench/sorthash 2048
echo "CKPT-CHAIN: end $(cat /proc/uptime)"
EOF
cat "$CPT/memory.img" >/dev/null                      # page cache warm
restore "$O/chain-warm" --script "$SCRIPTS/40-chain.sh"
rc_w=$rc
dd if="$CPT/memory.img" iflag=nocache count=0 status=none 2>/dev/null || true   # drop it from the page cache
restore "$O/chain-cold" --script "$SCRIPTS/40-chain.sh"
rc_c=$rc
cw=$(first_match "$O/chain-warm/cpt.*")
cc=$(first_match "$O/chain-cold/cpt.*")
if [ "$rc_w" -eq 0 ] && [ "$rc_c" -eq 0 ] && [ -n "$cw" ] && [ -n "$cc" ] && cmp -s "$cw/memory.img" "$cc/memory.img"; then
    pass "restored run's checkpoint: memory.img is complete whether or not the host page cache holds the original"
else
    fail "restored run's checkpoint: statuses $rc_w/$rc_c; memory.img warm vs cold: $(cmp "$cw/memory.img" "$cc/memory.img" 2>&1 | head -1)"
fi
if [ -n "$cc" ]; then
    rm -rf "$O/chain-2"
    run_m5sim "$T_RUN" "$O/chain-2.stderr" --checkpoint-dir "$O/chain-cold" -r 1 -d "$O/chain-2" -q
    # The first run's console minus what it printed before its checkpoint.
    awk 'f { print } /^CKPT-CHAIN: before\r?$/ { f = 1 }' "$O/chain-cold/$CONSOLE" >"$O/chain-cold.after"
    if [ "$rc" -eq 0 ] && cmp -s "$O/chain-cold.after" "$O/chain-2/$CONSOLE" \
        && [ "$(ini_get "$O/chain-2/run.ini" instructions)" = "$(ini_get "$O/chain-cold/run.ini" instructions)" ] \
        && [ "$(ini_get "$O/chain-2/run.ini" final_tick)" = "$(ini_get "$O/chain-cold/run.ini" final_tick)" ]; then
        pass "restored run's checkpoint: restoring it continues exactly like the run that took it (console, instructions, final tick)"
    else
        fail "restored run's checkpoint: exit $rc; console: $(cmp "$O/chain-cold.after" "$O/chain-2/$CONSOLE" 2>&1 | head -1);" \
             "instructions $(ini_get "$O/chain-cold/run.ini" instructions) vs $(ini_get "$O/chain-2/run.ini" instructions)," \
             "final_tick $(ini_get "$O/chain-cold/run.ini" final_tick) vs $(ini_get "$O/chain-2/run.ini" final_tick)"
        indent "$O/chain-2.stderr"
    fi
fi

# --------------------------------------------- kill -9 during a checkpoint --
# The guest dirties 128 MiB first, so that the write takes a while (a few
# hundred ms); m5sim is killed as soon as its hidden .cpt.<tick>.partial.<pid>
# directory appears. A busy host may let the write finish between two polls:
# then the attempt is repeated (up to 3 times).
cat >"$SCRIPTS/40-kill.sh" <<'EOF'
/bench/pchase 131072 1 >/dev/null
echo "CKPT-KILL: checkpointing"
m5 checkpoint
echo "CKPT-KILL: survived"
EOF
K=$O/kill
# kill_attempt: sets seen (the partial directory caught, or "") and krc (m5sim's status).
kill_attempt() {
    rm -rf "$K" "$K.pid" "$K.rc"
    # (A subshell runs m5sim so that bash's "Killed" job report goes to /dev/null.)
    ( "$M5SIM" --checkpoint-dir "$CKPT_DIR" -r 1 --script "$SCRIPTS/40-kill.sh" -d "$K" -q >/dev/null 2>"$K.stderr" &
      echo $! >"$K.pid"
      r=0; wait $! || r=$?; echo $r >"$K.rc" ) 2>/dev/null &
    local wrapper=$! kpid deadline=$(( $(date +%s) + T_RUN ))
    while [ ! -s "$K.pid" ]; do sleep 0.01; done
    kpid=$(cat "$K.pid")
    seen=""
    while kill -0 "$kpid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
        if compgen -G "$K/.cpt.*.partial.*" >/dev/null; then
            kill -9 "$kpid" 2>/dev/null || true
            seen=$(cd "$K" && compgen -G ".cpt.*.partial.*" | head -1)
            break
        fi
        sleep 0.005
    done
    kill -9 "$kpid" 2>/dev/null || true      # past the deadline (or already gone)
    wait "$wrapper" || true
    krc=$(cat "$K.rc" 2>/dev/null || echo "?")
}
for attempt in 1 2 3; do
    kill_attempt
    [ -z "$seen" ] || break
done
visible=$(ls "$K" 2>/dev/null | grep '^cpt\.' || true)
run_m5sim 30 "$K-r.stderr" --checkpoint-dir "$K" -r 1 --script "$SCRIPTS/40-b.sh" -d "$K-r" -q
if [ -z "$seen" ] || [ "$krc" != 137 ]; then
    fail "kill during checkpoint: could not catch m5sim writing a checkpoint in $attempt attempts (partial dir seen: '${seen}', status $krc)"
elif [ -z "$visible" ] && [ "$rc" -eq 2 ] && grep -q 'holds no checkpoints' "$K-r.stderr"; then
    pass "kill during checkpoint: kill -9 while writing $seen (attempt $attempt) leaves only that hidden directory; -r finds no checkpoint (exit 2)"
elif [ -n "$visible" ] && [ "$rc" -eq 0 ] && has_marker "$K-r" "$MARK_B"; then
    pass "kill during checkpoint: the checkpoint was complete before the kill landed ($visible); it restores"
else
    fail "kill during checkpoint: after kill -9: visible '$visible', -r 1 exit $rc"
    indent "$K-r.stderr"
fi
if [ -n "$seen" ]; then
    check "kill during checkpoint: the unfinished checkpoint's directory is hidden (a dot name, not cpt.*)" \
          "$(ls "$K")" [ -z "$(ls "$K" | grep partial || true)" ]
fi

# -------------------------------------------------------------- refusals --
# refused NAME WANT OUT ARGS...: exit 2, exactly one stderr line, naming WANT, no outdir.
refused() {
    local name=$1 want=$2 out=$3
    shift 3
    rm -rf "$out"
    run_m5sim 60 "$out.stderr" "$@" -d "$out" -q
    local lines
    lines=$(wc -l <"$out.stderr")
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^m5sim: ' "$out.stderr" && grep -qF -- "$want" "$out.stderr" \
        && [ ! -e "$out" ]; then
        pass "refused, $name: $(cut -c1-150 "$out.stderr")"
    else
        fail "refused, $name: exit $rc (want 2), $lines stderr lines (want 1 naming '$want'), outdir created: $([ -e "$out" ] && echo yes || echo no)"
        indent "$out.stderr"
    fi
}
BAD=$FS/bad
rm -rf "$BAD"
mkdir -p "$BAD"

# A changed base image (same size, other content), given with --disk-image.
cp --sparse=always "$IMAGE" "$BAD/changed.img"
printf 'M5SIM-TEST-CHANGED' | dd of="$BAD/changed.img" bs=1 seek=$((40 * 1024 * 1024)) conv=notrunc status=none
refused "changed base image" "changed.img" "$BAD/o-img" --checkpoint-dir "$CKPT_DIR" -r 1 --disk-image "$BAD/changed.img"
# ... while an identical copy (other inode and mtime, same bytes) is accepted.
cp --sparse=always "$IMAGE" "$BAD/same.img"
rm -rf "$BAD/o-same"
run_m5sim "$T_RUN" "$BAD/o-same.stderr" --checkpoint-dir "$CKPT_DIR" -r 1 --disk-image "$BAD/same.img" \
    --script "$SCRIPTS/40-b.sh" -d "$BAD/o-same" -q
check "base image: a byte-identical copy of the base image (new inode and mtime) is accepted" \
      "exit $rc: $(head -1 "$BAD/o-same.stderr")" has_marker "$BAD/o-same" "$MARK_B"

c=$(fs_copy_ckpt "$BAD/version")
sed -i 's/^format_version=.*/format_version=999/' "$c/m5.cpt"
refused "format version" "m5.cpt" "$BAD/o-version" --checkpoint-dir "$BAD/version" -r 1

c=$(fs_copy_ckpt "$BAD/mem-trunc")
truncate -s -4096 "$c/memory.img"
refused "truncated memory.img" "memory.img" "$BAD/o-mem-trunc" --checkpoint-dir "$BAD/mem-trunc" -r 1

c=$(fs_copy_ckpt "$BAD/map-trunc")
truncate -s $(( $(stat -c %s "$c/disk0.map") / 2 )) "$c/disk0.map"
refused "truncated disk0.map" "disk0.map" "$BAD/o-map-trunc" --checkpoint-dir "$BAD/map-trunc" -r 1

c=$(fs_copy_ckpt "$BAD/ovl-trunc")
truncate -s -4096 "$c/disk0.overlay"
refused "truncated disk0.overlay" "disk0.overlay" "$BAD/o-ovl-trunc" --checkpoint-dir "$BAD/ovl-trunc" -r 1

c=$(fs_copy_ckpt "$BAD/cpt-trunc")
truncate -s $(( $(stat -c %s "$c/m5.cpt") / 2 )) "$c/m5.cpt"
refused "truncated m5.cpt" "m5.cpt" "$BAD/o-cpt-trunc" --checkpoint-dir "$BAD/cpt-trunc" -r 1

c=$(fs_copy_ckpt "$BAD/cpt-edit")
sed -i '0,/^rbx=/s/^rbx=.*/rbx=0x1234/' "$c/m5.cpt"
if cmp -s "$c/m5.cpt" "$CPT/m5.cpt"; then
    fail "refused, edited m5.cpt: could not edit the copy (no rbx= line?)"
else
    refused "edited m5.cpt (index fingerprint)" "m5.cpt" "$BAD/o-cpt-edit" --checkpoint-dir "$BAD/cpt-edit" -r 1
fi

# Crafted indexes behind a matching fingerprint (tests/tools/ckpt_refingerprint
# re-seals an edited index): every field is range-checked, one line naming it.
REFP=$FS/ckpt_refingerprint
cc -std=gnu11 -D_GNU_SOURCE -Ihost -o "$REFP" tests/tools/ckpt_refingerprint.c host/ckpt/fingerprint.c
# crafted NAME WANT SED: a copy of the checkpoint with SED applied to its index, re-sealed.
crafted() {
    local name=$1 want=$2 edit=$3 c out=$BAD/o-crafted-$1
    c=$(fs_copy_ckpt "$BAD/crafted-$name")
    sed -i "$edit" "$c/m5.cpt"
    "$REFP" "$c/m5.cpt"
    rm -rf "$out"
    run_m5sim 60 "$out.stderr" --checkpoint-dir "$BAD/crafted-$name" -r 1 -d "$out" -q
    if [ "$rc" -eq 2 ] && [ "$(wc -l <"$out.stderr")" -eq 1 ] && grep -qF -- "$want" "$out.stderr"; then
        pass "refused, crafted $name: $(cut -c1-150 "$out.stderr")"
    else
        fail "refused, crafted $name: exit $rc (want 2), want one line naming '$want'"
        indent "$out.stderr"
    fi
}
crafted cpu_clock "[config] cpu_clock = 0 is out of range" 's/^cpu_clock=.*/cpu_clock=0/'
crafted tick "[checkpoint] tick = 18446744073709551000 is out of range" 's/^tick=.*/tick=18446744073709551000/'
crafted pit "[pit] ch0.count = 0 is out of range 1..65536" '0,/^ch0.count=.*/s//ch0.count=0/'
crafted uart "[com1] rx_head = 65535 is out of range 0..4095" 's/^rx_head=.*/rx_head=0xffff/'
crafted rtc "[rtc] index = 255 is out of range 0..127" 's/^index=.*/index=0xff/'
crafted icount "[cpu0] instructions = 18446744073709551000 is out of range" \
    's/^instructions=.*/instructions=18446744073709551000/'
# (A version 2 index, which has no [platform] and restores as a virtio-mmio
# PC, is tested on a virtio-mmio checkpoint by 33_virtio_mmio.sh: the shared
# boot here is on the default controller, PIIX.)
crafted platform "[platform] disk_controller = 3 is out of range 0..2" 's/^disk_controller=.*/disk_controller=3/'
crafted pci_host "[pci_host] config_address = 0x3 has bits CONFIG_ADDRESS never holds" \
    's/^config_address=.*/config_address=0x3/'
c=$(fs_copy_ckpt "$BAD/cpt-tail")
echo "rip=0x0" >>"$c/m5.cpt"
refused "bytes after [end]" "after its [end]" "$BAD/o-cpt-tail" --checkpoint-dir "$BAD/cpt-tail" -r 1
c=$(fs_copy_ckpt "$BAD/cpt-fifo")
rm "$c/m5.cpt" && mkfifo "$c/m5.cpt"
refused "a FIFO as m5.cpt (no hang)" "not a regular file" "$BAD/o-cpt-fifo" --checkpoint-dir "$BAD/cpt-fifo" -r 1
c=$(fs_copy_ckpt "$BAD/mem-fifo")
rm "$c/memory.img" && mkfifo "$c/memory.img"
refused "a FIFO as memory.img (no hang)" "not a regular file" "$BAD/o-mem-fifo" --checkpoint-dir "$BAD/mem-fifo" -r 1
c=$(fs_copy_ckpt "$BAD/mem-zero")
rm "$c/memory.img" && ln -s /dev/zero "$c/memory.img"
refused "/dev/zero as memory.img" "not a regular file" "$BAD/o-mem-zero" --checkpoint-dir "$BAD/mem-zero" -r 1

refused "--mem-size differs" "--mem-size" "$BAD/o-mem" --checkpoint-dir "$CKPT_DIR" -r 1 --mem-size 256MB
refused "--cpu-clock differs" "--cpu-clock" "$BAD/o-clock" --checkpoint-dir "$CKPT_DIR" -r 1 --cpu-clock 2GHz

# ---------------------------------------------------------- gem5's rcS --
# An image whose rcS follows gem5's hack_back_ckpt.rcS: booting, it
# checkpoints, then reads a script and execs it; a restore runs the new one.
G=$FS/gem5
GIMG=$G/rootfs-hack_back_ckpt.img
mkdir -p "$G"
newer=0
for f in tests/system/hack_back_ckpt.rcS images/mkimage.sh images/rootfs/init build/guest/m5; do
    [ "$f" -nt "$GIMG" ] && newer=1
done
if [ ! -f "$GIMG" ] || [ $newer -eq 1 ]; then
    if ! timeout 300 images/mkimage.sh -o "$GIMG" -m build/guest/m5 --rcs tests/system/hack_back_ckpt.rcS \
        >"$G/mkimage.log" 2>&1; then
        fail "gem5 rcS: images/mkimage.sh --rcs tests/system/hack_back_ckpt.rcS failed"
        indent "$G/mkimage.log"
    fi
fi
if [ -f "$GIMG" ]; then
    printf '#!/bin/sh\necho "GEM5-RCS: boot script $((5 * 5))"\n' >"$SCRIPTS/40-gem5-boot.sh"
    printf 'echo "GEM5-RCS: restore script $((8 * 8))"\nuname -r\n' >"$SCRIPTS/40-gem5-restore.sh"
    rm -rf "${G:?}/boot" "${G:?}/ckpt"
    t0=$(now)
    run_m5sim "$T_BOOT" "$G/boot.stderr" --kernel "$KERNEL" --disk-image "$GIMG" --checkpoint-dir "$G/ckpt" \
        --script "$SCRIPTS/40-gem5-boot.sh" -d "$G/boot" -q
    t1=$(now)
    gb=$G/boot/$CONSOLE
    if [ "$rc" -eq 0 ] && grep -q '^Checkpointing simulation' "$gb" && grep -q '^Loading new script' "$gb" \
        && grep -q '^GEM5-RCS: boot script 25' "$gb" && [ -n "$(first_match "$G/ckpt/cpt.*")" ]; then
        pass "gem5 rcS: the image boots ($(secs "$t0" "$t1") s), checkpoints, then reads and execs the boot's script"
    else
        fail "gem5 rcS: boot exit $rc"
        tail -n 5 "$gb" 2>/dev/null | sed 's/^/    console| /' || true
        indent "$G/boot.stderr"
    fi
    rm -rf "$G/restore"
    run_m5sim "$T_RUN" "$G/restore.stderr" --checkpoint-dir "$G/ckpt" -r 1 --script "$SCRIPTS/40-gem5-restore.sh" -d "$G/restore" -q
    gr=$G/restore/$CONSOLE
    if [ "$rc" -eq 0 ] && grep -q '^GEM5-RCS: restore script 64' "$gr" && ! grep -q 'GEM5-RCS: boot script' "$gr" \
        && grep -q '^Loading new script' "$gr" && ! grep -q '^Checkpointing simulation' "$gr"; then
        pass "gem5 rcS: a restore resumes after the checkpoint and runs the script given now, not the boot's"
    else
        fail "gem5 rcS: restore exit $rc"
        indent "$gr" 8
        indent "$G/restore.stderr"
    fi
fi

# ------------------------------------------------------ nothing changed --
manifest "$CKPT_DIR" >"$O/manifest.after"
if cmp -s "$O/manifest.before" "$O/manifest.after"; then
    pass "checkpoint dir: after every restore above, its entries and files (names, sizes, sha256) are unchanged ($(grep -c '^f ' "$O/manifest.after") files)"
else
    fail "checkpoint dir: changed by the restores:"
    diff "$O/manifest.before" "$O/manifest.after" | head -5 | sed "s/^/    /" || true
fi
check "base image: sha256 unchanged after all the restores" "sha256 of $IMAGE changed" \
      [ "$(sha256sum <"$IMAGE" | cut -d' ' -f1)" = "$image_sha" ]

[ "$failures" -ne 0 ] || rm -rf "$BAD" "$K" "$K-r" "$K.pid" "$K.rc"
note "40_checkpoint.sh took $(secs "$t_start" "$(now)") s"
finish
