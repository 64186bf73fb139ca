#!/usr/bin/env bash
# Check that a built kernel config ($1, default build/images/config) holds every option of its fragment
# ($2, default images/kernel/config.fragment):
# "=y"/"=N" values must match exactly, "=n" options must be unset or "is not set".
set -euo pipefail
cd "$(dirname "$0")/../.."
config=${1:-build/images/config}
fragment=${2:-images/kernel/config.fragment}
[ -f "$config" ] || { echo "FAIL kernel config: $config missing (run make kernel)"; exit 1; }

bad=0
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  opt=${line%%=*}; want=${line#*=}
  if [ "$want" = n ]; then
    if grep -q "^$opt=" "$config"; then echo "FAIL kernel config: $opt should be off, is $(grep "^$opt=" "$config")"; bad=1; fi
  else
    got=$(grep "^$opt=" "$config" | cut -d= -f2- || true)
    if [ "$got" != "$want" ]; then echo "FAIL kernel config: $opt=$want wanted, got '${got:-not set}'"; bad=1; fi
  fi
done < "$fragment"
[ $bad -eq 0 ] && echo "PASS kernel config: every option of $fragment holds in $config"
exit $bad
