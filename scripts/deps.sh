#!/usr/bin/env bash
# Install the Debian packages m5sim needs to build, test and demo.
# Idempotent: prints nothing and does nothing when every package is present.
# --fuzz adds what `make fuzz` needs (clang's libFuzzer), which `make test` does not;
# --slurm adds Slurm and munge (a one-node cluster: scripts/slurm-local.sh).
set -euo pipefail

packages=(
  build-essential pkg-config
  musl-tools libseccomp-dev libcmocka-dev libzydis-dev libedit-dev tmux libmpfr-dev zlib1g-dev liblzma-dev libzstd-dev liblz4-dev
  busybox-static e2fsprogs cpio mmdebstrap
  linux-source-6.1 flex bison bc libelf-dev libssl-dev xz-utils
  qemu-system-x86 qemu-user-static valgrind python3 procps
  python3-matplotlib
)
[ "${1:-}" != "--fuzz" ] || packages+=(clang libclang-rt-14-dev)
[ "${1:-}" != "--slurm" ] || packages+=(slurmctld slurmd slurm-client munge)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
