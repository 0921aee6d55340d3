#!/usr/bin/env bash
# Prints the inner loop's synth figures, each the minimum of 5 warm runs,
# next to its target: make synth, a direct cdk synth from the project root,
# and the breakdown (the app alone, with and without aws-cdk-lib's
# CloudFormation validation plugin, and the up-to-date check of its build).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# min_of CMD...: the least wall time of $runs runs, in seconds.
min_of() {
  local best="" t0 t1 s
  for _ in $(seq "$runs"); do
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$s; fi
  done
  printf '%.2f' "$best"
}

# verdict FIGURE TARGET
verdict() { if awk -v f="$1" -v t="$2" 'BEGIN { exit !(f <= t) }'; then echo pass; else echo FAIL; fi; }

export PATH="$PWD/.tools/node_modules/.bin:$PATH" NODE_PATH="$PWD/.tools/node_modules"
make --no-print-directory synth >/dev/null 2>&1 # warm every cache first
context=$(node -e 'process.stdout.write(JSON.stringify(require("./cdk.json").context))')
app() { CDK_OUTDIR="$out" CDK_CONTEXT_JSON="$context" "$@" .tools/bin/app; }

make_synth=$(min_of make --no-print-directory synth)
direct=$(min_of cdk synth -q --no-notices)
build=$(min_of go build -o .tools/bin/app .)
app_only=$(min_of app env CDK_VALIDATION=false)
with_validation=$(min_of app env -u CDK_VALIDATION)

echo "synth, minimum of $runs warm runs:"
echo "  make synth:                    ${make_synth} s (target ≤ 5 s): $(verdict "$make_synth" 5)"
echo "  cdk synth from the root:       ${direct} s (target ≤ 5 s): $(verdict "$direct" 5)"
echo "  breakdown: the app's up-to-date build check ${build} s; the app ${app_only} s;"
echo "  the app with the CloudFormation validation plugin ${with_validation} s (that check runs in make test: TestCloudFormationValidation)"
