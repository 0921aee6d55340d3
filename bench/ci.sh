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

rev=$(git rev-parse --short HEAD)
work=$(mktemp -d)
# The run's whole output stays after the clone is gone.
suffix=
if [ "$busy" = yes ]; then suffix=-busy; fi
log=${BENCH_CI_LOG:-${TMPDIR:-/tmp}/bench-ci-$rev$suffix.log}
loops=()
ci=
cleanup() {
  [ -n "$ci" ] && kill -- -"$ci" 2>/dev/null
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
# CI runs in a process group of its own, which cleanup ends too: a bench
# stopped half-way leaves no test run behind in a removed clone.
setsid bash -c 'cd "$1" && CI=true exec bash .ci/run' _ "$work/main" >"$log" 2>&1 &
ci=$!
wait "$ci" || status=FAILED
ci=
seconds=$(($(date +%s) - start))
if [ "$busy" = yes ]; then
  echo "CI on a clean clone of $rev, every core also busy: ${seconds} s, $status (target: passes)"
else
  verdict=FAIL
  [ "$status" = passed ] && [ "$seconds" -le "$target" ] && verdict=pass
  echo "CI on a clean clone of $rev: ${seconds} s, $status (target ≤ ${target} s): $verdict"
fi
# Where the time went: the slowest Go packages, pytest's summary.
grep -E '^ok ' "$log" | awk -F'\t' '{ print "  " $3 "  " $2 }' | sort -rn | head -5 || true
grep -E '[0-9]+ passed' "$log" | tail -1 | sed 's/^/  pytest: /' || true
echo "  its output: $log"
if [ "$status" != passed ]; then
  tail -40 "$log"
  exit 1
fi
