#!/bin/bash
# 45_interactive.sh - an --interactive session on a terminal, as a person uses it.
#
# Reuses the shared boot checkpoint (tests/system/lib.sh: fs_ensure_boot) and
# drives `m5sim --checkpoint-dir CKPT -r 1 --interactive` through a
# pseudo-terminal (tests/system/pty_session.py): a script, `restore 1` (the
# post-boot checkpoint), another script, `checkpoint`, `list`, `restore 2`
# (the one just taken), `restore 9` (no such checkpoint), a missing script,
# `again`, `quit`. It checks what the terminal showed after each answer, the
# output directory of every machine of the session, the history file, that
# the status line never shares a line with guest output, and exit status 0.
# Then the same prompt without a terminal (a pipe), and `m5sim --version`.
#
# Run from anywhere: tests/system/45_interactive.sh (M5SIM, KERNEL, IMAGE override the defaults).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=interactive
. tests/system/lib.sh

fs_preflight || exit 1
t_start=$(now)
if ! fs_ensure_boot; then
    fail "setup: could not boot to a checkpoint (exit status $BOOT_RC)"
    indent "$FS/boot.stderr"
    finish
    exit 1
fi
TICK=$(basename "$(ckpt_path)")
TICK=${TICK#cpt.}
O=$FS/45
rm -rf "$O"
mkdir -p "$O"

# Markers are built at run time, so that the echo of a script's text could never pass for its output.
cat >"$SCRIPTS/45-a.sh" <<'EOF'
echo "INTER-A-$((6 * 7)) ran"
i=0
while [ $i -lt 100 ]; do echo "INTER-TICK-$i"; /bench/sorthash 2048 >/dev/null; i=$((i + 1)); done
EOF
cat >"$SCRIPTS/45-b.sh" <<'EOF'
echo "INTER-B-$((7 * 7)) ran"
EOF
MARK_A='INTER-A-42 ran'
MARK_B='INTER-B-49 ran'

# ------------------------------------------------------ the terminal session --
T=$O/pty
OUT=$O/session
# Script B is typed as ".../45-b.s" and TAB: filename completion finishes the name.
answers=("$SCRIPTS/45-a.sh" "restore 1" "$SCRIPTS/45-b.s"$'\t' checkpoint list "restore 2" "restore 9"
         "$O/no-such-script.sh" again quit)
printf '%s\n' "${answers[@]}" | M5SIM_HISTORY=$O/history \
    timeout -k 10 $((T_RUN * 2)) python3 tests/system/pty_session.py "$T" "$T_RUN" -- \
    "$M5SIM" --checkpoint-dir "$CKPT_DIR" -r 1 --interactive -d "$OUT" >"$O/pty.log" 2>&1 || true
status=$(cat "$T/status" 2>/dev/null || echo "none")

# step N PATTERN...: the terminal output after answer N holds every (fixed-string) PATTERN.
step() {
    local n f p
    n=$(printf '%02d' "$1")
    f=$T/step-$n
    shift
    [ -f "$f" ] || return 1
    for p in "$@"; do grep -aqF -- "$p" "$f" || return 1; done
}
# step_lacks N PATTERN: ... and not this one.
step_lacks() { [ -f "$T/step-$(printf '%02d' "$1")" ] && ! grep -aqF -- "$2" "$T/step-$(printf '%02d' "$1")"; }
show_step() {
    local f
    f=$T/step-$(printf '%02d' "$1")
    if [ -f "$f" ]; then tr -d '\r' <"$f" | head -n "${2:-8}" | sed 's/^/    | /' || true; else echo "    | (nothing: the session had ended)"; fi
}

check_step() {   # check_step N NAME COMMAND...
    local n=$1 name=$2
    shift 2
    if "$@"; then pass "terminal, answer $n ($name)"; else fail "terminal, answer $n ($name): the terminal showed:"; show_step "$n"; fi
}
check "terminal: the session starts at a prompt that says what it accepts" "no prompt; pty log: $(head -3 "$O/pty.log")" \
      step 0 "m5sim> " "list, restore N, again"
check_step 1 "script A runs" step 1 "$MARK_A" "rcS: script 1 exited with status 0" "m5sim> "
check_step 2 "restore 1: the post-boot checkpoint" step 2 "restoring checkpoint 1 ($CKPT_DIR/cpt.$TICK)" "m5sim> "
check_step 3 "script B, its name completed with TAB, runs (and not A)" eval 'step 3 "$MARK_B" "m5sim> " && step_lacks 3 "$MARK_A"'
check_step 4 "checkpoint: numbered 2" step 4 "this is checkpoint 2" "m5sim> "
check_step 5 "list: the start directory's checkpoint and the new one, with origin and history" \
      eval 'step 5 "prompt" "#1 -> 45-b.sh" && grep -aqE "^ +1 +$TICK +--checkpoint-dir" "$T/step-05" \
            && grep -aqE "^ +2 +[0-9]+ +prompt +$OUT/restore1/cpt\.[0-9]+" "$T/step-05"'
check_step 6 "restore 2: the checkpoint taken at the prompt; its status line counts none of the restored instructions" \
      step 6 "restoring checkpoint 2 ($OUT/restore1/cpt." "m5sim: 0.0M insts  0.0 MIPS" "m5sim> "
check_step 7 "restore 9: one line, and the prompt again" \
      eval 'step 7 "m5sim: restore: there is no checkpoint 9; this session has 2" "m5sim> " && step_lacks 7 "restoring"'
check_step 8 "a missing script: one line, and the prompt again" \
      eval 'step 8 "no-such-script.sh: No such file or directory" "m5sim> " && step_lacks 8 "rcS: running"'
check_step 9 "again: checkpoint 1 once more, with script B" \
      step 9 "restoring checkpoint 1 ($CKPT_DIR/cpt.$TICK) to run $SCRIPTS/45-b.sh" "$MARK_B" "m5sim> "
check_step 10 "quit" step 10 "quit by the user"
check "terminal: the session ends with exit status 0 after quit" "status $status" [ "$status" = 0 ]

# Every machine of the session has its own output directory, holding what it ran.
console_has() { grep -aqF -- "$2" "$1/$CONSOLE" 2>/dev/null; }
console_lacks() { [ -f "$1/$CONSOLE" ] && ! grep -aqF -- "$2" "$1/$CONSOLE"; }
icpt=$(first_match "$OUT/restore1/cpt.*")
dirs=$(cd "$OUT" 2>/dev/null && ls -d restore* 2>/dev/null | tr '\n' ' ' || true)
if console_has "$OUT" "$MARK_A" && console_lacks "$OUT" "$MARK_B" \
    && console_has "$OUT/restore1" "$MARK_B" && console_lacks "$OUT/restore1" "$MARK_A" \
    && [ -n "$icpt" ] && [ -f "$icpt/m5.cpt" ] \
    && console_lacks "$OUT/restore2" "$MARK_A" && console_lacks "$OUT/restore2" "$MARK_B" \
    && console_has "$OUT/restore3" "$MARK_B" && console_lacks "$OUT/restore3" "$MARK_A" \
    && [ "$dirs" = "restore1 restore2 restore3 " ]; then
    pass "outputs: $OUT/ (script A), restore1/ (script B and the checkpoint), restore2/ (nothing run), restore3/ (again: B)"
else
    fail "outputs: restore dirs '$dirs' (want restore1-3), checkpoint '$icpt'; markers A/B per console:" \
         "$(for d in "$OUT" "$OUT"/restore*; do printf '%s=%s/%s ' "${d##*/}" "$(grep -c "$MARK_A" "$d/$CONSOLE" 2>/dev/null)" \
            "$(grep -c "$MARK_B" "$d/$CONSOLE" 2>/dev/null)"; done)"
fi
check "outputs: the start checkpoint directory gets no new checkpoint" "$(ls "$CKPT_DIR")" \
      [ "$(ls -d "$CKPT_DIR"/cpt.* | wc -l)" -eq 1 ]

# libedit writes its own history format (spaces as \040); the commands are in it.
check "history: the answers are kept in \$M5SIM_HISTORY for the next session" "$(head -5 "$O/history" 2>/dev/null)" \
      eval 'grep -q "^restore" "$O/history" 2>/dev/null && grep -q "^again" "$O/history" && grep -q "45-b.sh" "$O/history"'

# What the terminal displays line by line: the text after a line's last carriage return.
shared=$(python3 - "$T/transcript" <<'EOF'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bad = 0
for line in text.split("\n"):
    shown = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line.rstrip("\r").split("\r")[-1])
    if "MIPS" in shown and not re.fullmatch(r"m5sim: [0-9.]+M insts  [0-9.]+ MIPS  guest [0-9.]+ s *", shown):
        bad += 1
        print(repr(shown), file=sys.stderr)
print(bad)
EOF
)
check "status line: never on the same displayed line as guest output or other messages" "$shared lines mix them" \
      [ "$shared" = 0 ]
note "status lines seen: $(grep -ac 'MIPS' "$T/transcript" || true) (mid-script ones appear only after 0.5 s of host time)"

# --------------------------------------------------- without a terminal --
rm -rf "$O/pipe"
printf 'restore 5\nlist\n%s\n' "$SCRIPTS/45-b.sh" | timeout -k 10 "$T_RUN" "$M5SIM" --checkpoint-dir "$CKPT_DIR" -r 1 \
    --interactive -d "$O/pipe" >"$O/pipe.stdout" 2>"$O/pipe.stderr" && rc=0 || rc=$?
if [ "$rc" -eq 0 ] && grep -q 'there is no checkpoint 5' "$O/pipe.stderr" && grep -qE "^ +1 +$TICK " "$O/pipe.stderr" \
    && console_has "$O/pipe" "$MARK_B" && grep -q 'end of input' "$O/pipe.stderr" \
    && ! grep -q 'm5sim> ' "$O/pipe.stderr" && ! grep -q 'MIPS' "$O/pipe.stderr"; then
    pass "pipe: answers from a pipe: a bad number is refused, the script runs, end of input ends the session (exit 0), no prompt or status decorations"
else
    fail "pipe: exit $rc"
    indent "$O/pipe.stderr" 10
fi

# ------------------------------------------------------------- --version --
ver=$("$M5SIM" --version 2>&1) && rc=0 || rc=$?
fmt=$(sed -n 's/^#define CKPT_FORMAT_VERSION \([0-9]*\).*/\1/p' host/ckpt/ckpt.h)
check "--version: the release and the checkpoint format versions read and written ($fmt)" "exit $rc: $ver" \
      eval '[ "$rc" -eq 0 ] && echo "$ver" | grep -qE "^m5sim [0-9]" && echo "$ver" | grep -qF "reads version $fmt, writes version $fmt"'

note "45_interactive.sh took $(secs "$t_start" "$(now)") s"
finish
