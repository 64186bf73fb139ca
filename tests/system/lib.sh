#!/bin/bash
# shellcheck shell=bash disable=SC2034
# tests/system/lib.sh - shared by the full-system tests (30_fullsystem.sh,
# 40_checkpoint.sh, 45_interactive.sh); sourced, not run. (`make system-test` runs every
# tests/system/*.sh, this one too: run directly, it only says so and exits 0.)
#
# The whole full-system part of the suite boots Linux ONCE: fs_boot boots the
# default image into build/tests/fs/boot with --checkpoint-dir
# build/tests/fs/ckpt and a few queued scripts (see write_boot_scripts), and
# every later check restores that checkpoint (about a second each) instead of
# booting again. 30_fullsystem.sh always boots afresh (the boot is what it
# tests); 40_checkpoint.sh and 45_interactive.sh call fs_ensure_boot, which reuses that boot when
# it was made from the current m5sim, kernel and image, and boots otherwise
# (so 40_ and 45_ also run alone).
#
# The checkpoint under build/tests/fs/ckpt is shared and must never change:
# tests that need a corrupted checkpoint work on copies (fs_copy_ckpt).
#
# Environment: M5SIM, KERNEL, IMAGE override the defaults; FS_TIMEOUT_BOOT
# (600) and FS_TIMEOUT_RUN (180) bound every m5sim run, in seconds.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "lib.sh: helpers sourced by 30_fullsystem.sh and 40_checkpoint.sh; nothing to run on its own"
    exit 0
fi

FS=build/tests/fs
M5SIM=${M5SIM:-build/bin/m5sim}
KERNEL=${KERNEL:-build/images/vmlinux}
IMAGE=${IMAGE:-build/images/rootfs.img}
BOOT_DIR=$FS/boot
CKPT_DIR=$FS/ckpt
SCRIPTS=$FS/scripts
CONSOLE=system.pc.com_1.device
T_BOOT=${FS_TIMEOUT_BOOT:-600}
T_RUN=${FS_TIMEOUT_RUN:-180}
export LC_ALL=C

# ---------------------------------------------------------- bookkeeping --
SUITE=${SUITE:-fs}
failures=0
passes=0
pass() { echo "PASS $SUITE: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL $SUITE: $*"; failures=$((failures + 1)); }
note() { echo "NOTE $SUITE: $*"; }
# check NAME WHY-IF-FALSE COMMAND...: PASS NAME if COMMAND succeeds.
check() {
    local name=$1 why=$2
    shift 2
    if "$@"; then pass "$name"; else fail "$name: $why"; fi
}
# indent FILE [N]: the first N lines of FILE, indented, for FAIL details.
indent() { head -n "${2:-5}" "$1" 2>/dev/null | sed 's/^/    | /' || true; }
finish() {
    echo "$SUITE: $passes passed, $failures failed"
    [ "$failures" -eq 0 ]
}

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---------------------------------------------------------- m5sim runs --
# Every m5sim run goes through timeout: nothing can hang the suite.
# run_m5sim LIMIT STDERR ARGS...: runs m5sim, stdout to /dev/null, stderr to
# STDERR; sets $rc to its exit status (124/137 = timed out).
run_m5sim() {
    local limit=$1 err=$2
    shift 2
    rc=0
    timeout -k 10 "$limit" "$M5SIM" "$@" >/dev/null 2>"$err" || rc=$?
}

# restore OUT [ARGS...]: restore the shared checkpoint (-r 1) into OUT with
# the extra ARGS (--script ...); stderr in OUT.stderr, status in $rc.
restore() {
    local out=$1
    shift
    rm -rf "$out" "$out.stderr"
    mkdir -p "$(dirname "$out")"
    run_m5sim "$T_RUN" "$out.stderr" --checkpoint-dir "$CKPT_DIR" -r 1 -d "$out" -q "$@"
}

# ini_get FILE KEY: the value of KEY= in an INI file (first match).
ini_get() { sed -n "s/^$2=//p" "$1" 2>/dev/null | head -1 | tr -d '\r' || true; }

# after_checkpoint CONSOLE: the console lines after the rcS's "rcS: checkpoint".
after_checkpoint() { awk 'f { print } /^rcS: checkpoint\r?$/ { f = 1 }' "$1" 2>/dev/null || true; }

# stats_sim FILE: stats.txt without the host* lines (host timings differ run to run).
stats_sim() { grep -v '^host' "$1"; }

# The shared checkpoint: exactly one cpt.<tick> in $CKPT_DIR.
ckpt_path() { first_match "$CKPT_DIR/cpt.*"; }
# first_match GLOB: the first path GLOB matches, or nothing (never fails).
first_match() { compgen -G "$1" | sort | head -1 || true; }

# fs_copy_ckpt DEST: DEST/cpt.<tick>, a private copy of the shared checkpoint
# (sparse files stay sparse) that a test may corrupt.
fs_copy_ckpt() {
    local src
    src=$(ckpt_path)
    rm -rf "$1"
    mkdir -p "$1"
    cp -r --sparse=always "$src" "$1/"
    echo "$1/$(basename "$src")"
}

# manifest DIR: every entry under DIR (hidden ones too), sorted: directories
# by name, files by name, size and sha256.
manifest() {
    (cd "$1" && find . -printf '%y %p %s\n' | sort -k2 | while read -r t f s; do
        if [ "$t" = f ]; then
            printf 'f %s %s %s\n' "$f" "$s" "$(sha256sum <"$f" | cut -d' ' -f1)"
        else
            printf '%s %s\n' "$t" "$f"
        fi
    done)
}

# ----------------------------------------------------------- the boot --
# Scripts the boot runs after its checkpoint, in this order. Each leaves a
# marker the tests look for; the text of a script never reaches the console,
# only what it prints.
write_boot_scripts() {
    mkdir -p "$SCRIPTS"
    cat >"$SCRIPTS/boot1-console.sh" <<'EOF'
# a script's output reaches the console log
echo "FS-BOOT-SCRIPT-1: hello from $(uname -s) $(uname -r)"
EOF
    cat >"$SCRIPTS/boot2-writefile.sh" <<'EOF'
# m5 writefile lands in the outdir; names leaving it are refused
echo FS-WRITEFILE-CONTENT-7d3a >/tmp/wf
m5 writefile /tmp/wf from-guest.txt
m5 writefile /tmp/wf sub/dir/nested.txt
m5 writefile /tmp/wf ../fs-escape-7d3a.txt
m5 writefile /tmp/wf /../../fs-escape2-7d3a.txt
m5 writefile /tmp/wf sub/../../fs-escape3-7d3a.txt
echo FS-BOOT-SCRIPT-2: writefile done
EOF
    cat >"$SCRIPTS/boot3-disk.sh" <<'EOF'
# a guest write to its disk goes to the overlay, never to the base image
echo FS-DISK-DATA-5f1c0b9e >/root/f
sync
echo "FS-BOOT-SCRIPT-3: wrote $(cat /root/f)"
EOF
    BOOT_SCRIPTS=("$SCRIPTS/boot1-console.sh" "$SCRIPTS/boot2-writefile.sh" "$SCRIPTS/boot3-disk.sh")
}

# What the boot was made from: a restore would be refused (or the tests
# would test an old m5sim) when one of these changes.
boot_inputs() { stat -c '%n %s %Y' "$M5SIM" "$KERNEL" "$IMAGE" 2>/dev/null; }

# fs_boot: boot once, afresh, into $BOOT_DIR with the checkpoint in $CKPT_DIR.
# Sets BOOT_RC and BOOT_SECONDS; stderr in $FS/boot.stderr.
fs_boot() {
    write_boot_scripts
    rm -rf "$BOOT_DIR" "$CKPT_DIR" "$FS/boot.ok" "$FS/boot.stderr"
    mkdir -p "$FS"
    local args=() s t0 t1
    for s in "${BOOT_SCRIPTS[@]}"; do args+=(--script "$s"); done
    t0=$(now)
    run_m5sim "$T_BOOT" "$FS/boot.stderr" --kernel "$KERNEL" --disk-image "$IMAGE" \
        --checkpoint-dir "$CKPT_DIR" -d "$BOOT_DIR" -q "${args[@]}"
    t1=$(now)
    BOOT_RC=$rc
    BOOT_SECONDS=$(secs "$t0" "$t1")
    if [ "$BOOT_RC" -eq 0 ] && [ -n "$(ckpt_path)" ] && [ -f "$(ckpt_path)/m5.cpt" ]; then
        boot_inputs >"$FS/boot.ok"
    fi
}

# fs_ensure_boot: make sure the shared boot and its checkpoint exist (boot
# only when missing or made from other inputs). Sets BOOT_REUSED=1/0.
fs_ensure_boot() {
    write_boot_scripts
    if [ -f "$FS/boot.ok" ] && [ "$(boot_inputs)" = "$(cat "$FS/boot.ok")" ] \
        && [ "$(ls -d "$CKPT_DIR"/cpt.* 2>/dev/null | wc -l)" -eq 1 ] && [ -f "$(ckpt_path)/m5.cpt" ]; then
        BOOT_REUSED=1
        return 0
    fi
    BOOT_REUSED=0
    fs_boot
    [ -f "$FS/boot.ok" ]
}

# fs_preflight: the binaries and images the full-system tests need.
fs_preflight() {
    local f missing=0
    for f in "$M5SIM" "$KERNEL" "$IMAGE"; do
        if [ ! -f "$f" ]; then
            echo "FAIL $SUITE: $f is missing (run make && make kernel image)"
            missing=1
        fi
    done
    return $missing
}
