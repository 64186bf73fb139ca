#!/usr/bin/env bash
# make bench: measure m5sim's speed and print it next to references measured
# in the same run (native execution, QEMU TCG, m5sim's own boot).
#
#   1. CPU models         scripts/bench_cpu.sh: MIPS of `m5sim se` (atomic,
#                         timing with caches, functional warming) vs native
#   2. Boot               m5sim vs QEMU TCG, same kernel and disk image, from
#                         process start to the rcS loop (3 runs each, median)
#   3. Checkpoint         size on disk and write time of the post-boot
#                         checkpoint, with a breakdown of the write (strace)
#   4. Restore            start of m5sim to the guest's first instruction and
#                         to its first `m5 readfile`, 512MB and 2GB guests
#                         (5 restores each, median); a --batch -j 2 figure
#   5. Full system        one images/bench program run by a script in the
#                         restored guest, on the atomic CPU and on the timing
#                         CPU with L1s, L2 and DDR3 (MIPS of the program's run)
#   6. Debian             Debian's stock kernel and the Debian image (systemd)
#                         to the rcS service, m5sim vs QEMU TCG -M pc, and the
#                         restore latency of its checkpoint (5 restores)
#   7. Several CPUs       scripts/bench_smp.sh: aggregate MIPS with 1, 2, 4, 8
#                         CPUs on the threaded stencil, atomic and timing
#   8. KVM                scripts/bench_kvm.sh: KVM fast-forward MIPS of a
#                         synthetic guest's loops vs the same loops native, or
#                         the probe's reason where this host's KVM cannot run Linux
#
# Speed is measured, not asserted: this script fails only when something
# breaks (a run exits non-zero, a marker never appears, an output is missing),
# never because this machine is slow. Everything goes to build/bench-out/;
# the report is also saved as build/bench-out/report.txt.
#
# Knobs (environment): BENCH_BOOT_RUNS (3), BENCH_RESTORE_RUNS (5),
# QEMU_TIMEOUT (120 s per QEMU boot), M5SIM_TIMEOUT (300 s per m5sim run),
# BENCH_NO_CPU=1 skips section 1, BENCH_NO_DEBIAN=1 section 6,
# BENCH_DEBIAN_RUNS (1) boots of section 6, BENCH_FS_PROG
# (matmul) is the program of section 5.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

M5SIM=build/bin/m5sim
KERNEL=build/images/vmlinux
BZIMAGE=build/images/bzImage
IMAGE=build/images/rootfs.img
OUT=build/bench-out
BOOT_RUNS=${BENCH_BOOT_RUNS:-3}
RESTORE_RUNS=${BENCH_RESTORE_RUNS:-5}
QEMU_LIMIT=${QEMU_TIMEOUT:-120}
M5SIM_LIMIT=${M5SIM_TIMEOUT:-300}
MARKER="rcS: checkpoint"     # the rcS prints it right before its first m5 op

# ------------------------------------------------------------ helpers --
die() { echo "bench: FAIL: $*" >&2; exit 1; }
section() { printf '\n== %s\n' "$*"; }
show_cmd() {  # a command line to copy and paste (args with spaces quoted)
  local a out=""
  for a in "$@"; do if [[ $a == *" "* ]]; then out+="\"$a\" "; else out+="$a "; fi; done
  printf '%s' "${out% }"
}
row() { printf '  %-38s %s\n' "$1" "$2"; }

# elapsed T0 T1: seconds between two $EPOCHREALTIME stamps
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }
# calc EXPR VARS...: awk arithmetic, e.g. calc 'a-b' a=1 b=2
calc() { local e=$1; shift; local args=(); for v in "$@"; do args+=(-v "$v"); done
         awk "${args[@]}" "BEGIN { printf \"%.6f\", $e }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
             if (NR == 0) exit; if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR/2] + a[NR/2 + 1]) / 2 }'; }
minv() { printf '%s\n' "$@" | sort -g | head -1; }
maxv() { printf '%s\n' "$@" | sort -g | tail -1; }
# fmt_s / fmt_ms: seconds as "1.23 s" / "123 ms"
fmt_s()  { awk -v x="$1" 'BEGIN { printf "%.2f s", x }'; }
fmt_ms() { awk -v x="$1" 'BEGIN { printf "%.0f ms", x * 1000 }'; }
fmt_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
# summary LIST: "median (min..max, n runs)" in the unit chosen by $UNIT (s or ms)
summary() {
  local f=fmt_s; [ "${UNIT:-s}" = ms ] && f=fmt_ms
  echo "$($f "$(median "$@")")  (min $($f "$(minv "$@")"), max $($f "$(maxv "$@")"), $# runs)"
}
ini_get() {  # ini_get FILE KEY -> value (first match), fails if absent
  local v
  v=$(awk -F= -v k="$2" '$1 == k { print $2; exit }' "$1" 2>/dev/null) || true
  [ -n "$v" ] || die "$1: no '$2'"
  printf '%s' "$v"
}
human() { awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB", u); i = 1
            while (b >= 1024 && i < 5) { b /= 1024; i++ } printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i] }'; }

# stream_run LOG MODE LIMIT CMD...: run CMD (stdin /dev/null, stdout into a
# FIFO read here line by line, stderr to LOG.stderr), stamping each line with
# $EPOCHREALTIME as it arrives. Sets SR_MARK (seconds from the start to the
# first line containing $MARKER, empty if none), SR_END (seconds to exit) and
# SR_RC. MODE=kill stops CMD as soon as the marker appears.
stream_run() {
  local log=$1 mode=$2 limit=$3; shift 3
  local fifo=$OUT/.stream.fifo line t0 tm="" pid rc=0 lfd
  rm -f "$fifo"; mkfifo "$fifo"
  exec {lfd}>"$log"
  t0=$EPOCHREALTIME
  timeout "$limit" "$@" </dev/null >"$fifo" 2>"$log.stderr" &
  pid=$! SR_PID=$!
  while IFS= read -r line; do
    line=${line%$'\r'}
    printf '%s\n' "$line" >&"$lfd"
    if [[ -z $tm && $line == *"$MARKER"* ]]; then
      tm=$EPOCHREALTIME
      if [ "$mode" = kill ]; then kill -TERM "$pid" 2>/dev/null || true; break; fi
    fi
  done <"$fifo"
  wait "$pid" || rc=$?
  SR_PID=""
  SR_END=$(elapsed "$t0" "$EPOCHREALTIME")
  exec {lfd}>&-
  rm -f "$fifo"
  SR_RC=$rc
  SR_MARK=""
  if [ -n "$tm" ]; then SR_MARK=$(elapsed "$t0" "$tm"); fi
}

# timed LOGPREFIX CMD...: run CMD quietly; sets T_WALL (s) and T_RC.
timed() {
  local p=$1; shift
  local t0 rc=0
  t0=$EPOCHREALTIME
  timeout "$M5SIM_LIMIT" "$@" </dev/null >"$p.stdout" 2>"$p.stderr" || rc=$?
  T_WALL=$(elapsed "$t0" "$EPOCHREALTIME")
  T_RC=$rc
}

# boot_m5sim DIR LABEL [EXTRA ARGS...]: one m5sim boot to the end of the rcS
# loop (empty script queue), checkpoint into DIR/ckpt. Sets B_MARK (start to
# the console marker), B_RF (start to the first m5 readfile), B_CKPT (write
# time of the checkpoint, s), B_INSTS (instructions to the first readfile),
# B_RF_INI (run.ini's own figure).
boot_m5sim() {
  local d=$1 label=$2; shift 2
  rm -rf "$d"; mkdir -p "$d"
  local cmd=("$M5SIM" --kernel "$KERNEL" --disk-image "$IMAGE" --checkpoint-dir "$d/ckpt" -d "$d/out" "$@")
  if [ -n "${STRACE_TO:-}" ]; then
    cmd=(strace -o "$STRACE_TO" -ttt -T -e "trace=openat,fsync,rename,mkdir" "${cmd[@]}")
  fi
  echo "${cmd[*]}" >"$d/command"
  mkdir -p "$d/out"
  stream_run "$d/console.stream" wait "$M5SIM_LIMIT" "${cmd[@]}"
  if [ "$SR_RC" -eq 124 ]; then die "m5sim boot ($label) did not finish within ${M5SIM_LIMIT}s (M5SIM_TIMEOUT; logs in $d/)"; fi
  [ "$SR_RC" -eq 0 ] || { tail -5 "$d/console.stream.stderr"; die "m5sim boot ($label) exited with status $SR_RC (logs in $d/)"; }
  [ -n "$SR_MARK" ] || die "m5sim boot ($label): no '$MARKER' on the console (log $d/console.stream)"
  local ini=$d/out/run.ini hs hs_rf ms
  hs=$(ini_get "$ini" host_seconds)
  hs_rf=$(ini_get "$ini" host_seconds_to_first_readfile)
  B_INSTS=$(ini_get "$ini" instructions_to_first_readfile)
  B_RF_INI=$hs_rf
  # run.ini counts from the end of machine setup; SR_END counts from exec.
  # Start-to-readfile = everything up to the exit minus what came after the readfile.
  B_RF=$(calc 'e - (h - r)' e="$SR_END" h="$hs" r="$hs_rf")
  B_MARK=$SR_MARK
  ms=$(sed -n 's/.*checkpoint .* written in \([0-9.]*\) ms.*/\1/p' "$d/console.stream.stderr" | head -1)
  [ -n "$ms" ] || die "m5sim boot ($label): no 'checkpoint ... written in N ms' on stderr ($d/console.stream.stderr)"
  B_CKPT=$(calc 'm / 1000' m="$ms")
  ls -d "$d"/ckpt/cpt.[0-9]* >/dev/null 2>&1 || die "m5sim boot ($label): no cpt.<tick>/ in $d/ckpt"
}

# ckpt_breakdown STRACE_FILE: where the checkpoint write spends its time.
ckpt_breakdown() {
  awk '
    function dur(s) { return match(s, /<[0-9.]+>$/) ? substr(s, RSTART + 1, RLENGTH - 2) + 0 : 0 }
    function close_fp(t) { if (cur != "") { fp[cur] += t - cur_t; cur = "" } }
    !start && /mkdir\(".*\.partial\./ { start = $1; next }
    !start { next }
    /exit_group|\+\+\+ exited/ { next }
    { close_fp($1) }
    /memory\.img", O_WRONLY/ { mem_open = $1; phase = "mem"; next }
    /fsync\(/ { d = dur($0); fsyncs += d; end = $1 + d
                if (phase == "mem" && mem_fsync == "") { mem_fsync = d; mem_write = $1 - mem_open } }
    /disk[0-9]+\.overlay", O_WRONLY/ && disk_open == "" { disk_open = $1; phase = "disk"; next }
    /m5\.cpt", O_WRONLY/ { idx_open = $1; phase = "idx"; next }
    /m5\.cpt", O_RDWR/ { phase = "finish"; next }   # the file table is done
    phase == "idx" && /openat\(.*O_RDONLY/ {
      cur = /\.partial\./ ? (/overlay"/ ? "overlay" : (/map"/ ? "map" : "other")) : "base"
      if (cur == "base" && base == "") { p = $0; sub(/^[^"]*"/, "", p); sub(/".*/, "", p); base = p }
      cur_t = $1; next }
    /rename\(/ { renamed = 1 }
    END {
      if (!start || idx_open == "" || !renamed) { print "    (no checkpoint write found in the trace)"; exit }
      total = end - start
      printf "    memory.img: scan + write %6.0f ms, fsync %4.0f ms\n", mem_write * 1000, mem_fsync * 1000
      printf "    disk overlay copy + map  %6.0f ms (with their fsyncs)\n", (idx_open - disk_open) * 1000
      printf "    fingerprint base image   %6.0f ms (%s, read in full)\n", fp["base"] * 1000, base
      printf "    fingerprint overlay copy %6.0f ms (the 64 MiB sparse disk0.overlay just written)\n", fp["overlay"] * 1000
      printf "    fingerprint map          %6.0f ms\n", fp["map"] * 1000
      rest = total - mem_write - mem_fsync - (idx_open - disk_open) - fp["base"] - fp["overlay"] - fp["map"]
      printf "    index, fsyncs, rename    %6.0f ms\n", rest * 1000
      printf "    total                    %6.0f ms (all fsyncs together %.0f ms)\n", total * 1000, fsyncs * 1000
    }' "$1"
}

# ------------------------------------- 6. Debian kernel and image --
# Debian's stock kernel (images/debian-kernel.sh) and the Debian image of
# `make debian-image` (systemd; m5sim-rcs.service prints "rcS: checkpoint"
# right before its first m5 op): m5sim with the PIIX disk next to QEMU TCG's
# `-M pc` (SeaBIOS, PIIX3 IDE) with the same three files, then the restore
# latency of the post-boot checkpoint (a systemd guest's memory is larger).
bench_debian() {
  section "6. Debian: stock kernel + Debian image (systemd) to the rcS service; restore latency"
  if [ -n "${BENCH_NO_DEBIAN:-}" ]; then echo "skipped (BENCH_NO_DEBIAN set)"; return 0; fi
  local dk=build/images/debian dimg=build/images/debian.img runs=${BENCH_DEBIAN_RUNS:-1} i r p
  if ! images/debian-kernel.sh "$dk" >"$OUT/debian-kernel.log" 2>&1; then
    echo "note: images/debian-kernel.sh failed (no Debian archive?): section skipped; see $OUT/debian-kernel.log"; return 0
  fi
  if ! make -s debian-image >"$OUT/debian-image.log" 2>&1; then
    echo "note: make debian-image failed (mmdebstrap, Debian archive?): section skipped; see $OUT/debian-image.log"; return 0
  fi
  echo "  kernel: $(cat "$dk/version"), initramfs $dk/initramfs.cpio.gz; image: $dimg ($(human "$(stat -c %s "$dimg")"))"
  local cmdline="console=ttyS0 root=/dev/sda rw panic=-1 tsc=reliable"
  echo "m5sim: $M5SIM --kernel $dk/vmlinuz --initrd $dk/initramfs.cpio.gz --disk-image $dimg --disk-controller piix \\"
  echo "         --cmdline \"$cmdline\" --checkpoint-dir D/ckpt -d D/out   ($runs run(s): BENCH_DEBIAN_RUNS)"
  local marks=() rfs=() insts=""
  for ((i = 1; i <= runs; i++)); do
    KERNEL=$dk/vmlinuz IMAGE=$dimg boot_m5sim "$OUT/debian-boot$i" "Debian, run $i" \
      --initrd "$dk/initramfs.cpio.gz" --disk-controller piix --cmdline "$cmdline"
    marks+=("$B_MARK"); rfs+=("$B_RF"); insts=$B_INSTS
    printf '  run %d: marker %s, first readfile %s (checkpoint write %s of it)\n' "$i" \
      "$(fmt_s "$B_MARK")" "$(fmt_s "$B_RF")" "$(fmt_ms "$B_CKPT")"
  done
  local q_marks=() have_qemu=""
  if command -v qemu-system-x86_64 >/dev/null; then
    have_qemu=1
    local qemu=(qemu-system-x86_64 -M pc -accel tcg -m 512M -smp 1 -nographic -no-reboot
                -kernel "$dk/vmlinuz" -initrd "$dk/initramfs.cpio.gz" -append "console=ttyS0 root=/dev/sda rw panic=-1"
                -drive "file=$dimg,format=raw,if=ide,snapshot=on")
    echo "QEMU:  $(show_cmd "${qemu[@]}")"
    echo "       (stopped when '$MARKER' appears on its console)"
    for ((i = 1; i <= runs; i++)); do
      mkdir -p "$OUT/debian-qemu$i"
      stream_run "$OUT/debian-qemu$i/console" kill "${QEMU_DEBIAN_TIMEOUT:-300}" "${qemu[@]}"
      [ -n "$SR_MARK" ] || { tail -5 "$OUT/debian-qemu$i/console"; die "QEMU Debian run $i: no '$MARKER' (status $SR_RC; log $OUT/debian-qemu$i/console)"; }
      q_marks+=("$SR_MARK")
      printf '  run %d: marker %s\n' "$i" "$(fmt_s "$SR_MARK")"
    done
  fi
  echo
  row "m5sim, start to '$MARKER'" "$(summary "${marks[@]}")"
  if [ -n "$have_qemu" ]; then
    row "QEMU -M pc, start to '$MARKER'" "$(summary "${q_marks[@]}")"
    row "ratio m5sim/QEMU (same marker)" "$(fmt_ratio "$(median "${marks[@]}")" "$(median "${q_marks[@]}")")   (medians; above 1 means m5sim is slower)"
  fi
  row "m5sim, start to first m5 readfile" "$(summary "${rfs[@]}")"
  row "m5sim guest instructions" "$insts to the first readfile (the kernel proper: m5sim decompresses the bzImage)"

  local dir=$OUT/debian-boot$runs/ckpt cpt fi1=() rf1=() ini1=() hs hs_rf after="" ckicount
  cpt=$(ls -d "$dir"/cpt.[0-9]* | head -1)
  echo "  checkpoint: $cpt, on disk $(du -sh "$cpt" | cut -f1), memory.img non-zero pages $(human "$(ini_get "$cpt/m5.cpt" data_bytes)")"
  for ((r = 1; r <= RESTORE_RUNS; r++)); do
    p=$OUT/debian-restore-$r; rm -rf "$p" "$p.first"
    timed "$p.first" "$M5SIM" --checkpoint-dir "$dir" -r 1 -d "$p.first" -q --maxinsts 1
    [ "$T_RC" -eq 0 ] || { cat "$p.first.stderr"; die "Debian restore (--maxinsts 1) exited with status $T_RC"; }
    fi1+=("$T_WALL")
    ckicount=$(ini_get "$p.first/run.ini" instructions)   # the checkpoint's count + 1
    timed "$p" "$M5SIM" --checkpoint-dir "$dir" -r 1 -d "$p" -q
    [ "$T_RC" -eq 0 ] || { cat "$p.stderr"; die "Debian restore exited with status $T_RC"; }
    after=$(( $(ini_get "$p/run.ini" instructions_to_first_readfile) - (ckicount - 1) ))
    grep -q 'rcS: no more scripts' "$p/system.pc.com_1.device" || die "Debian restore: the guest did not reach 'rcS: no more scripts' ($p/)"
    hs=$(ini_get "$p/run.ini" host_seconds); hs_rf=$(ini_get "$p/run.ini" host_seconds_to_first_readfile)
    rf1+=("$(calc 'w - (h - r)' w="$T_WALL" h="$hs" r="$hs_rf")"); ini1+=("$hs_rf")
  done
  echo "  each restore: $M5SIM --checkpoint-dir D -r 1 -d OUT -q [--maxinsts 1]"
  row "restore to first instruction" "$(UNIT=ms summary "${fi1[@]}")   (--maxinsts 1, whole run)"
  row "restore to first m5 readfile" "$(UNIT=ms summary "${rf1[@]}")"
  row "  of which running the guest" "$(fmt_ms "$(median "${ini1[@]}")") (run.ini; $after instructions from the checkpoint to the readfile)"
  row "ratio boot/restore (first readfile)" "$(fmt_ratio "$(median "${rfs[@]}")" "$(median "${rf1[@]}")")"
}

# ---------------------------------------------------------------- main --
SR_PID=""
# timeout(1) puts its command in its own process group, out of reach of a ^C:
# stop a QEMU or m5sim still running in the background when we end early.
# shellcheck disable=SC2317  # called from the traps
cleanup() { if [ -n "$SR_PID" ]; then kill -TERM "$SR_PID" 2>/dev/null || true; fi; }

main() {
  trap cleanup EXIT
  trap 'cleanup; exit 130' INT TERM
  echo "m5sim benchmark ($(date '+%Y-%m-%d %H:%M %Z'), $(uname -m), $(nproc) CPUs," \
       "load average $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "host CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "Figures are wall-clock times on this machine; other load on it shows up in them."

  # --------------------------------------------------- 1. CPU --
  section "1. CPU models: atomic and timing (m5sim se)"
  local cpu_failed=""
  if [ -n "${BENCH_NO_CPU:-}" ]; then
    echo "skipped (BENCH_NO_CPU set)"
  elif [ -f scripts/bench_cpu.sh ]; then
    bash scripts/bench_cpu.sh || cpu_failed=$?
    [ -z "$cpu_failed" ] || echo "bench: scripts/bench_cpu.sh FAILED (status $cpu_failed); continuing with the other sections"
  else
    echo "note: scripts/bench_cpu.sh does not exist yet: no interpreter MIPS figures (m5sim se vs native) in this run."
  fi

  # ------------------------------------------------- 2. Boot --
  section "2. Boot: process start to the guest's rcS loop (first m5 op / first m5 readfile)"
  local f
  for f in "$M5SIM" "$KERNEL" "$BZIMAGE" "$IMAGE"; do [ -f "$f" ] || die "$f missing (make all kernel image)"; done
  echo "m5sim: $M5SIM --kernel $KERNEL --disk-image $IMAGE --checkpoint-dir D/ckpt -d D/out"
  echo "       (512MB, atomic CPU; console read as it streams, like QEMU's; run.ini and stderr for the rest)"
  local marks=() rfs=() ckpts=() insts="" rf_inis=() i
  for ((i = 1; i <= BOOT_RUNS; i++)); do
    boot_m5sim "$OUT/boot$i" "run $i"
    marks+=("$B_MARK"); rfs+=("$B_RF"); ckpts+=("$B_CKPT"); rf_inis+=("$B_RF_INI"); insts=$B_INSTS
    printf '  run %d: marker %s, first readfile %s (checkpoint write %s of it)\n' "$i" \
      "$(fmt_s "$B_MARK")" "$(fmt_s "$B_RF")" "$(fmt_ms "$B_CKPT")"
  done
  local m5_mark m5_rf m5_ckpt
  m5_mark=$(median "${marks[@]}"); m5_rf=$(median "${rfs[@]}"); m5_ckpt=$(median "${ckpts[@]}")

  local have_qemu="" q_marks=() q_mark=""
  if command -v qemu-system-x86_64 >/dev/null; then
    have_qemu=1
    local qemu=(qemu-system-x86_64 -M "microvm,acpi=off" -accel tcg -m 512M -smp 1 -nographic -no-reboot
                -kernel "$BZIMAGE" -append "console=ttyS0 root=/dev/vda rw reboot=t panic=-1"
                -drive "id=d0,file=$IMAGE,format=raw,if=none,snapshot=on" -device virtio-blk-device,drive=d0)
    echo "QEMU:  $(show_cmd "${qemu[@]}")"
    echo "       (stopped when '$MARKER' appears on its console; microvm has no PCI, so its disk is"
    echo "       virtio-mmio where m5sim's is the default PIIX IDE disk: same kernel, other disk driver)"
    for ((i = 1; i <= BOOT_RUNS; i++)); do
      mkdir -p "$OUT/qemu$i"
      stream_run "$OUT/qemu$i/console" kill "$QEMU_LIMIT" "${qemu[@]}"
      [ -n "$SR_MARK" ] || { tail -5 "$OUT/qemu$i/console"; die "QEMU run $i: no '$MARKER' within ${QEMU_LIMIT}s (status $SR_RC; log $OUT/qemu$i/console)"; }
      q_marks+=("$SR_MARK")
      printf '  run %d: marker %s\n' "$i" "$(fmt_s "$SR_MARK")"
    done
    q_mark=$(median "${q_marks[@]}")
  else
    echo "note: qemu-system-x86_64 is not installed (make deps): no QEMU reference in this run."
  fi

  echo
  row "m5sim, start to '$MARKER'" "$(summary "${marks[@]}")"
  if [ -n "$have_qemu" ]; then
    row "QEMU TCG, start to '$MARKER'" "$(summary "${q_marks[@]}")"
    row "ratio m5sim/QEMU (same marker)" "$(fmt_ratio "$m5_mark" "$q_mark")   (medians; above 1 means m5sim is slower)"
  fi
  row "m5sim, start to first m5 readfile" "$(summary "${rfs[@]}")"
  row "" "includes the checkpoint write (median $(fmt_ms "$m5_ckpt")) that QEMU does not do"
  if [ -n "$have_qemu" ]; then
    row "ratio m5sim(first readfile)/QEMU" "$(fmt_ratio "$m5_rf" "$q_mark")"
  fi
  row "m5sim guest instructions" "$insts to the first readfile"
  row "m5sim boot speed" "$(awk -v n="$insts" -v t="$(calc 'r - c' r="$(median "${rf_inis[@]}")" c="$m5_ckpt")" \
        'BEGIN { printf "%.0f MIPS", n / t / 1e6 }') (those instructions / run.ini's host_seconds_to_first_readfile, $(fmt_s "$(median "${rf_inis[@]}")"), minus the checkpoint write)"

  # ------------------------------------------- 3. Checkpoint --
  section "3. Checkpoint: the post-boot checkpoint (m5 checkpoint in the rcS)"
  local cpt mem memsz memalloc data ov ovsz ovalloc
  cpt=$(ls -d "$OUT/boot$BOOT_RUNS"/ckpt/cpt.[0-9]* | head -1)
  mem=$cpt/memory.img ov=$cpt/disk0.overlay
  memsz=$(stat -c %s "$mem"); memalloc=$(( $(stat -c '%b * %B' "$mem") ))
  ovsz=$(stat -c %s "$ov"); ovalloc=$(( $(stat -c '%b * %B' "$ov") ))
  data=$(ini_get "$cpt/m5.cpt" data_bytes)
  echo "  $cpt"
  row "on disk (du -sh)" "$(du -sh "$cpt" | cut -f1)"
  row "memory.img" "apparent $(human "$memsz"), allocated $(human "$memalloc") (non-zero pages written: $(human "$data"))"
  row "disk0.overlay" "apparent $(human "$ovsz"), allocated $(human "$ovalloc")"
  row "m5.cpt (the index)" "$(human "$(stat -c %s "$cpt/m5.cpt")")"
  row "write time" "$(UNIT=ms summary "${ckpts[@]}")  (m5sim's 'checkpoint ... written in N ms')"
  row "next to the boot" "$(fmt_s "$m5_rf") to the first readfile; the write is $(awk -v c="$m5_ckpt" -v b="$m5_rf" 'BEGIN { printf "%.0f%%", 100 * c / b }') of it"
  if command -v strace >/dev/null; then
    echo "  where the write time goes (one more 512MB boot under strace -ttt -T, openat/fsync/rename/mkdir only):"
    STRACE_TO=$OUT/boot-strace.trace boot_m5sim "$OUT/boot-strace" "strace"
    ckpt_breakdown "$OUT/boot-strace.trace"
    echo "    (m5sim itself reported $(fmt_ms "$B_CKPT") for this write)"
  else
    echo "  note: strace is not installed: no breakdown of the write time."
  fi

  # ---------------------------------------------- 4. Restore --
  section "4. Restore: start of m5sim to the guest's first instruction and first m5 readfile"
  echo "  one more boot with --mem-size 2GB to get a 2GB checkpoint:"
  boot_m5sim "$OUT/boot2g" "2GB" --mem-size 2GB
  local cpt2g
  cpt2g=$(ls -d "$OUT/boot2g"/ckpt/cpt.[0-9]* | head -1)
  printf '    boot to first readfile %s (%s instructions), checkpoint write %s, on disk %s, memory.img apparent %s\n' \
    "$(fmt_s "$B_RF")" "$B_INSTS" "$(fmt_ms "$B_CKPT")" "$(du -sh "$cpt2g" | cut -f1)" "$(human "$(stat -c %s "$cpt2g/memory.img")")"
  echo "  each restore: $M5SIM --checkpoint-dir D -r 1 -d OUT -q   (empty script queue: readfile, then m5 exit)"
  echo "  'first instruction' is not recorded by m5sim: the proxy is the whole wall time of a restore with --maxinsts 1."
  echo "  'first readfile' = wall time from exec minus what run.ini says came after the readfile."
  local size dir rf1=() fi1=() ini1=() tot1=() after="" r p hs hs_rf rf512="" ckicount
  for size in 512MB 2GB; do
    if [ "$size" = 512MB ]; then dir=$OUT/boot$BOOT_RUNS/ckpt; else dir=$OUT/boot2g/ckpt; fi
    rf1=() fi1=() ini1=() tot1=()
    for ((r = 1; r <= RESTORE_RUNS; r++)); do
      p=$OUT/restore-$size-$r; rm -rf "$p" "$p.first"
      timed "$p.first" "$M5SIM" --checkpoint-dir "$dir" -r 1 -d "$p.first" -q --maxinsts 1
      [ "$T_RC" -eq 0 ] || { cat "$p.first.stderr"; die "restore ($size, --maxinsts 1) exited with status $T_RC"; }
      fi1+=("$T_WALL")
      ckicount=$(ini_get "$p.first/run.ini" instructions)   # the checkpoint's count + 1
      timed "$p" "$M5SIM" --checkpoint-dir "$dir" -r 1 -d "$p" -q
      [ "$T_RC" -eq 0 ] || { cat "$p.stderr"; die "restore ($size) exited with status $T_RC"; }
      hs=$(ini_get "$p/run.ini" host_seconds)
      hs_rf=$(ini_get "$p/run.ini" host_seconds_to_first_readfile)
      after=$(ini_get "$p/run.ini" instructions_to_first_readfile)
      after=$(( after - (ckicount - 1) ))
      grep -q 'rcS: no more scripts' "$p/system.pc.com_1.device" || die "restore ($size): the guest did not reach 'rcS: no more scripts' ($p/)"
      rf1+=("$(calc 'w - (h - r)' w="$T_WALL" h="$hs" r="$hs_rf")"); ini1+=("$hs_rf"); tot1+=("$T_WALL")
    done
    echo "  $size guest (checkpoint $(ls -d "$dir"/cpt.* | head -1)):"
    row "  to first instruction (--maxinsts 1)" "$(UNIT=ms summary "${fi1[@]}")"
    row "  to first m5 readfile" "$(UNIT=ms summary "${rf1[@]}")"
    row "    of which running the guest" "$(fmt_ms "$(median "${ini1[@]}")") (run.ini; $after instructions from the checkpoint to the readfile)"
    row "  whole restore run, to m5 exit" "$(UNIT=ms summary "${tot1[@]}")"
    row "  ratio boot/restore (first readfile)" "$(fmt_ratio "$m5_rf" "$(median "${rf1[@]}")")   (against the 512MB boot, $(fmt_s "$m5_rf"))"
    if [ "$size" = 512MB ]; then rf512=$(median "${fi1[@]}"); else
      row "  ratio 2GB/512MB (first instruction)" "$(awk -v a="$(median "${fi1[@]}")" -v b="$rf512" 'BEGIN { printf "%.2f", a / b }')"
    fi
  done

  echo "  batch: 4 trivial scripts, --batch -j 2 from the 512MB checkpoint:"
  local bd=$OUT/batch; rm -rf "$bd" "$bd.scripts"; mkdir -p "$bd.scripts"
  local args=()
  for i in 1 2 3 4; do
    printf 'echo bench-batch-%d says hello\n' "$i" >"$bd.scripts/s$i.sh"; args+=(--script "$bd.scripts/s$i.sh")
  done
  timed "$bd" "$M5SIM" --checkpoint-dir "$OUT/boot$BOOT_RUNS/ckpt" -r 1 -d "$bd" -q --batch -j 2 "${args[@]}"
  [ "$T_RC" -eq 0 ] || { cat "$bd.stderr"; die "batch exited with status $T_RC"; }
  for i in 1 2 3 4; do
    grep -qs "^bench-batch-$i says hello" "$bd"/"$i"-*/system.pc.com_1.device || die "batch: script $i's output missing ($bd/)"
  done
  echo "    $M5SIM --checkpoint-dir D -r 1 -d OUT -q --batch -j 2 --script s1.sh ... --script s4.sh"
  echo "    total wall time $(fmt_s "$T_WALL") for 4 restores + scripts ($(fmt_ms "$(calc 'w / 4' w="$T_WALL")") per script)"

  # ------------------------------- 5. Full system, timing CPU --
  section "5. Full system: one benchmark program in the restored guest, atomic and timing CPU"
  local prog=${BENCH_FS_PROG:-matmul} fsd=$OUT/fs-timing model fs_ato=() fs_tim=() fs_ato_n="" fs_tim_n="" want
  want=$(build/bench/"$prog" | tail -1) || die "build/bench/$prog exited with status $? natively"
  rm -rf "$fsd"; mkdir -p "$fsd"
  printf 'm5 resetstats\n/bench/%s\nm5 dumpstats\n' "$prog" >"$fsd/script.sh"
  echo "  script: m5 resetstats; /bench/$prog; m5 dumpstats   (the first stats dump is the program's run)"
  echo "  atomic: $M5SIM --checkpoint-dir D -r 1 -d OUT -q --script script.sh"
  echo "  timing: $M5SIM --checkpoint-dir D -r 1 -d OUT -q --script script.sh --restore-with-cpu atomic --cpu-type timing --caches --l2cache"
  for ((r = 1; r <= BOOT_RUNS; r++)); do
    for model in atomic timing; do
      p=$fsd/$model-$r
      local extra=()
      [ "$model" = atomic ] || extra=(--restore-with-cpu atomic --cpu-type timing --caches --l2cache)
      timed "$p" "$M5SIM" --checkpoint-dir "$OUT/boot$BOOT_RUNS/ckpt" -r 1 -d "$p" -q --script "$fsd/script.sh" "${extra[@]}"
      [ "$T_RC" -eq 0 ] || { cat "$p.stderr"; die "full-system $model run exited with status $T_RC ($p/)"; }
      tr -d '\r' <"$p/system.pc.com_1.device" | grep -qxF -- "$want" || die "full-system $model run: no '$want' on the guest console ($p/)"
      # the first dump: simInsts and hostSeconds (full precision) from resetstats to dumpstats
      local fig
      fig=$(awk 'NR == 1 { match($0, /"simInsts":[0-9]+/); n = substr($0, RSTART + 11, RLENGTH - 11)
                           match($0, /"hostSeconds":[0-9.e+-]+/); h = substr($0, RSTART + 14, RLENGTH - 14)
                           if (n > 0 && h > 0) printf "%d %.6f", n, h }' "$p/stats.json")
      [ -n "$fig" ] || die "full-system $model run: no simInsts/hostSeconds in the first dump of $p/stats.json"
      if [ "$model" = atomic ]; then fs_ato+=("${fig#* }") fs_ato_n=${fig%% *}; else fs_tim+=("${fig#* }") fs_tim_n=${fig%% *}; fi
    done
  done
  local fa ft
  fa=$(median "${fs_ato[@]}"); ft=$(median "${fs_tim[@]}")
  row "atomic: guest run" "$(summary "${fs_ato[@]}"), $fs_ato_n instructions: $(calc 'n / t / 1e6' n="$fs_ato_n" t="$fa" | xargs printf '%.1f') MIPS"
  row "timing, L1I+L1D+L2, DDR3: guest run" "$(summary "${fs_tim[@]}"), $fs_tim_n instructions: $(calc 'n / t / 1e6' n="$fs_tim_n" t="$ft" | xargs printf '%.1f') MIPS"
  row "" "(instructions: /bench/$prog and the two m5 commands around it, last run; the timer"
  row "" " interrupts the guest takes depend on simulated time, so the two models' counts differ a little)"
  row "ratio timing/atomic" "$(fmt_ratio "$ft" "$fa")   (goal: timing 50 MIPS or more; gem5 TimingSimpleCPU about 0.9 MIPS)"
  row "" "(MIPS = simInsts / hostSeconds of the first dump, stats.json; the whole restore run is in $fsd/)"

  bench_debian
  section "7. Several CPUs: the threaded benchmark, one thread per CPU (scripts/bench_smp.sh)"
  BENCH_SMP_OUT=$OUT/smp bash scripts/bench_smp.sh || die "scripts/bench_smp.sh failed"
  section "8. KVM fast-forward: a synthetic guest's loops under --cpu-type kvm vs native (scripts/bench_kvm.sh)"
  BENCH_KVM_OUT=$OUT/kvm bash scripts/bench_kvm.sh || die "scripts/bench_kvm.sh failed"

  echo
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); outputs in $OUT/, this report in $OUT/report.txt"
  [ -z "$cpu_failed" ] || die "scripts/bench_cpu.sh failed (status $cpu_failed)"
  echo "bench: done"
}

make -s kernel image
rm -rf "$OUT"
mkdir -p "$OUT"
rc=0
main 2>&1 | tee "$OUT/report.txt" || rc=$?
exit "$rc"
