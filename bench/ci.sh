#!/usr/bin/env bash
# Usage: bench/ci.sh [--busy]
#
# Times CI as it runs: a clean clone of this repository's HEAD, then
# `CI=true bash .ci/run` in it, and prints the seconds beside the target.
# With --busy, one `yes` loop per core runs beside it for the whole run, as
# a shared CI machine gives it less than every core; the run must still pass.
# The clone starts with no .tools/, so it installs everything the README's
# commands install (the Go, npm, pip and Maven caches of this machine are
# reused, as a CI cache would).
set -euo pipefail
cd "$(dirname "$0")/.."
target=720 # seconds: CI's budget, 12 minutes
busy=no
[ "${1:-}" = --busy ] && busy=yes

work=$(mktemp -d)
loops=()
cleanup() {
  for pid in ${loops[@]+"${loops[@]}"}; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
git clone -q . "$work/main"
if [ "$busy" = yes ]; then
  for _ in $(seq "$(nproc)"); do
    yes >/dev/null &
    loops+=($!)
  done
fi
start=$(date +%s)
status=passed
(cd "$work/main" && CI=true bash .ci/run) >"$work/ci.log" 2>&1 || status=FAILED
seconds=$(($(date +%s) - start))
if [ "$busy" = yes ]; then
  echo "CI on a clean clone of $(git rev-parse --short HEAD), every core also busy: ${seconds} s, $status (target: passes)"
else
  verdict=FAIL
  [ "$status" = passed ] && [ "$seconds" -le "$target" ] && verdict=pass
  echo "CI on a clean clone of $(git rev-parse --short HEAD): ${seconds} s, $status (target ≤ ${target} s): $verdict"
fi
if [ "$status" != passed ]; then
  tail -40 "$work/ci.log"
  exit 1
fi
