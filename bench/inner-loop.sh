#!/usr/bin/env bash
# Prints the inner loop's figures next to their targets: make synth and a
# direct cdk synth from the project root, with the breakdown (the app alone,
# with and without aws-cdk-lib's CloudFormation validation plugin, and the
# up-to-date check of its build), and make local, full and gold-only, each
# the minimum of 5 warm runs; then make test: unchanged, after an edit to Go
# and to Python, and everything rerun, with the slowest tests.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT # and, further down, undo any edit

# min_of CMD...: the least wall time of $runs runs, in seconds, or
# "failed" if a run failed: a fast failure is no figure.
min_of() {
  local best="" t0 t1 s
  for _ in $(seq "$runs"); do
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || { echo failed; return; }
    t1=$(date +%s.%N)
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$s; fi
  done
  printf '%.2f' "$best"
}

# verdict FIGURE TARGET [PASSED]: pass when the figure is a time within the
# target and, if given, PASSED is yes (the tests of a timed run passed).
verdict() {
  if [ "${3:-yes}" = yes ] && [ "$1" != failed ] && awk -v f="$1" -v t="$2" 'BEGIN { exit !(f <= t) }'; then
    echo pass
  else
    echo FAIL
  fi
}

export PATH="$PWD/.tools/node_modules/.bin:$PATH" NODE_PATH="$PWD/.tools/node_modules"
make --no-print-directory synth >/dev/null 2>&1 # warm every cache first
context=$(node -e 'process.stdout.write(JSON.stringify(require("./cdk.json").context))')
app() { CDK_OUTDIR="$out" CDK_CONTEXT_JSON="$context" "$@" .tools/bin/app; }

make_synth=$(min_of make --no-print-directory synth)
# The same with the reuse of cdk.out refused: what a synth after an edit costs.
make_synth_fresh=$(min_of make --no-print-directory synth FRESH=1)
direct=$(min_of cdk synth -q --no-notices)
build=$(min_of go build -o .tools/bin/app .)
app_only=$(min_of app env CDK_VALIDATION=false)
with_validation=$(min_of app env -u CDK_VALIDATION)

echo "synth, minimum of $runs warm runs:"
echo "  make synth:                    ${make_synth} s (target ≤ 2.0 s): $(verdict "$make_synth" 2.0)"
echo "  make synth FRESH=1:            ${make_synth_fresh} s (a synth after an edit; no target of its own)"
echo "  cdk synth from the root:       ${direct} s"
if unshare -rn true 2>/dev/null; then
  # A network namespace of its own has no interface but loopback.
  if unshare -rn make --no-print-directory synth FRESH=1 >/dev/null 2>&1; then offline=pass; else offline=FAIL; fi
  echo "  make synth with no network (warm caches): $offline"
else
  echo "  make synth with no network: not measured (unshare -rn is not allowed here)"
fi
echo "  breakdown: the app's up-to-date build check ${build} s; the app ${app_only} s;"
echo "  the app with the CloudFormation validation plugin ${with_validation} s (that check runs in make test: TestCloudFormationValidation)"

gold_only='{"lambda_load_data": false, "velib_raw_to_silver": false}'
make --no-print-directory local >/dev/null 2>&1
local_full=$(min_of make --no-print-directory local FLAGS='{}')
local_gold=$(min_of make --no-print-directory local FLAGS="$gold_only")
echo "make local, minimum of $runs warm runs:"
echo "  a full run:       ${local_full} s (target ≤ 45 s): $(verdict "$local_full" 45)"
echo "  gold only:        ${local_gold} s (target ≤ 20 s): $(verdict "$local_gold" 20)"

# make test as the inner loop sees it. Warmed once; then with nothing
# changed (the minimum of $runs runs: go test's cache and run_tests.py's
# answer for every package); after an edit to one Go file of the stack, and
# after an edit to one Glue script (one run each: what reruns is what
# depends on that file; the edit is undone after, mtime included, so the
# caches hit again); and everything rerun (FRESH=1), once, with -json and
# --durations for the slowest tests.
once() { # once NAME CMD...: prints the wall time of one run, in seconds,
  # and whether it passed; the output goes to $out/NAME.txt.
  local name=$1 t0 t1 ok=yes
  shift
  t0=$(date +%s.%N)
  "$@" >"$out/$name.txt" 2>&1 || ok=no
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v ok="$ok" 'BEGIN { printf "%.0f %s", b - a, ok }'
}
# reran NAME: what a run did not take from a cache.
reran() {
  local list
  list=$(grep -E '^(ok|FAIL)[[:space:]]' "$out/$1.txt" | grep -v '(cached)' | awk '{ sub("github.com/partialruns/velib-pipeline", ".", $2); print $2 }')
  grep -q '^pytest: cached' "$out/$1.txt" || list+=$'\npytest'
  grep -q '^rehearse: cached' "$out/$1.txt" || list+=$'\nrehearse'
  echo "$list" | grep -v '^$' | paste -sd, - | sed 's/,/, /g'
}
edited=()
undo() { for f in "${edited[@]}"; do cp -p "$out/$(basename "$f").orig" "$f"; done; edited=(); }
trap 'undo; rm -rf "$out"' EXIT
edit() { # edit FILE TEXT: appends TEXT to FILE until undo.
  cp -p "$1" "$out/$(basename "$1").orig"
  edited+=("$1")
  printf '%s' "$2" >>"$1"
}
make --no-print-directory test >/dev/null 2>&1 || true
unchanged=$(min_of make --no-print-directory test)
# Each edit is a gofmt-, vet- and ruff-clean declaration, so the lint
# passes, and new (the time in it): a result cached for an earlier edit
# would hide the cost. The Go one is a variable set when the package is
# initialized, so that the test binaries change (a constant nobody uses
# compiles to the same binary, which go test rightly does not rerun).
stamp=$(date +%s%N)
edit stacks/jobs.go $'\n// BenchEdit is an edit by bench/inner-loop.sh.\nvar BenchEdit = strings.Repeat("'"$stamp"$'", 1)\n'
read -r go_edit go_passed <<<"$(once go make --no-print-directory test)"
undo
edit glue_scripts/lib/velib_transforms.py $'\n\nBENCH_EDIT = '"$stamp"$'  # an edit, by bench/inner-loop.sh\n'
read -r py_edit py_passed <<<"$(once py make --no-print-directory test)"
undo
edit constructs/skippable/machines.go $'\n// BenchEdit is an edit by bench/inner-loop.sh.\nvar BenchEdit = strings.Repeat("'"$stamp"$'", 1)\n'
read -r sk_edit sk_passed <<<"$(once sk make --no-print-directory test)"
undo
make --no-print-directory test >/dev/null 2>&1 || true # the undone edit's pass is cached again
read -r tests passed <<<"$(once test make --no-print-directory test FRESH=1 GOTESTFLAGS='-json' PYTESTFLAGS='-q --durations=5')"
echo "make test, warm:"
echo "  nothing changed (minimum of $runs): ${unchanged} s (target ≤ 45 s): $(verdict "$unchanged" 45)"
echo "  after an edit to stacks/jobs.go:      ${go_edit} s (target ≤ 75 s): $(verdict "$go_edit" 75 "$go_passed"), one run; the tests passed: $go_passed; reran: $(reran go)"
echo "  after an edit to a Glue script:       ${py_edit} s (target ≤ 90 s): $(verdict "$py_edit" 90 "$py_passed"), one run; the tests passed: $py_passed; reran: $(reran py)"
echo "  after an edit to constructs/skippable: ${sk_edit} s (target ≤ 60 s): $(verdict "$sk_edit" 60 "$sk_passed"), one run; the tests passed: $sk_passed; reran: $(reran sk)"
echo "  everything rerun (FRESH=1):           ${tests} s (target ≤ 180 s): $(verdict "$tests" 180 "$passed"), one run; the tests passed: $passed"
echo "  slowest Go packages and tests:"
.tools/venv/bin/python - "$out/test.txt" <<'PY'
import json, sys
pkgs, tests = [], []
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("Action") in ("pass", "fail") and "Elapsed" in e:
        name = e["Package"].removeprefix("github.com/partialruns/velib-pipeline")
        if "Test" in e and "/" not in e["Test"]:
            tests.append((e["Elapsed"], f"{name or '.'} {e['Test']}"))
        elif "Test" not in e:
            pkgs.append((e["Elapsed"], name or "."))
for elapsed, name in sorted(pkgs, reverse=True)[:5]:
    print(f"    {elapsed:6.1f} s  package {name}")
for elapsed, name in sorted(tests, reverse=True)[:10]:
    print(f"    {elapsed:6.1f} s  {name}")
PY
echo "  slowest pytest tests:"
sed -n '/slowest 5 durations/,/^$/p' "$out/test.txt" | grep -E '^[0-9.]+s' | sed 's/^/    /'
grep -E '^[0-9]+ (passed|failed)' "$out/test.txt" | sed 's/^/  pytest: /' || true
