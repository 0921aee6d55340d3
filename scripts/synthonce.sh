#!/usr/bin/env bash
# Usage: scripts/synthonce.sh [--fresh] [--out DIR] -- cdk synth ARGS...
#
# Runs the synth command unless cdk.out already holds what it would write:
# the same command synthesized it from the same inputs, and cdk.out has not
# changed since. The inputs are the content of every file the app is built
# from or stages: Go's settings (go env) and the files of every package the
# app and the Lambda build from outside the module cache (go list), every
# file of the Go folders and the root's Go files (tests aside), the Glue
# scripts and the whole library folder they ship (less what its asset
# leaves out: __pycache__, *.pyc), links followed; cdk.json,
# cdk.context.json, ~/.cdk.json and package-lock.json, which pins the CDK
# CLI; the command's arguments; the environment that can change a template
# (CDK_*, AWS_* but secrets, GO*, JSII_*, NODE_*, HOME, PATH); and the AWS
# config and credentials files' size and time (they decide the account the
# CLI targets). glue_scripts/tests is no input. A reused synth prints what
# the last one printed (its warnings), then says it was reused. --fresh
# synthesizes regardless; so does an --output/-o elsewhere than cdk.out,
# which this does not follow. A failed synth records nothing, nor one whose
# inputs changed while it ran; a synth that stopped part-way changed
# cdk.out, which is then not reused. Two at once take turns (with flock,
# where the system has it), so neither reports an assembly the other is
# rewriting.
#
# --out DIR makes DIR the assembly instead of cdk.out (make local's,
# .tools/local.out): the synth goes into a new folder beside it, given to
# the command as -o, which is then mirrored onto DIR with $MIRROR
# (.tools/bin/mirror, cmd/mirror), so that a file whose content did not
# change keeps its time; its record is DIR.synth.key and .log.
set -euo pipefail
fresh=false
out=cdk.out
while [ $# -gt 0 ]; do
  case $1 in
    --fresh) fresh=true && shift ;;
    --out) out=${2:?--out needs a folder} && shift 2 ;;
    --) shift && break ;;
    *) break ;;
  esac
done
state=.tools/synth
[ "$out" = cdk.out ] || state=$out.synth
key_file=$state.key
log_file=$state.log
mirror=${MIRROR:-.tools/bin/mirror}

# key: the hash of everything the synth depends on.
key() {
  {
    printf 'command'
    printf ' %q' "$@"
    printf '\n'
    env | grep -E '^(CDK_|AWS_|GO[A-Z0-9_]*=|JSII_|NODE_|HOME=|PATH=)' | grep -vE '^AWS_(SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN)=' | LC_ALL=C sort
    go version
    local aws=${AWS_CONFIG_FILE:-$HOME/.aws/config} creds=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}
    stat -c 'aws %n %s %Y' -- "$aws" "$creds" 2>/dev/null || true
    [ -f "$HOME/.cdk.json" ] && sha256sum "$HOME/.cdk.json"
    # Go's settings (its env file, GOFLAGS, the go.work in use) and the
    # files of every package the app and the Lambda are built from that
    # are not in the module cache (which go.sum pins): new packages, other
    # modules replaced by a folder, wherever they are.
    go env | grep -v "^GOGCCFLAGS="
    local gowork
    gowork=$(go env GOWORK)
    if [ -n "$gowork" ] && [ "$gowork" != off ]; then sha256sum "$gowork" "$gowork.sum" 2>/dev/null || true; fi
    local cache pkgs=(.)
    cache=$(go env GOMODCACHE)
    [ -d lambda ] && pkgs+=(./lambda/...)
    go list -deps -f '{{if not .Standard}}{{with .Module}}{{.GoMod}}{{"\n"}}{{end}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{range .CgoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{end}}' \
      "${pkgs[@]}" | grep -v "^$cache/" | LC_ALL=C sort -u | while IFS= read -r f; do
      [ -n "$f" ] && sha256sum "$f" && { [ "${f##*/}" != go.mod ] || sha256sum "${f%.mod}.sum" 2>/dev/null || true; }
    done
    local roots=() r
    shopt -s nullglob
    for r in ./*.go cdk.json cdk.context.json go.mod go.sum package-lock.json stacks constructs internal lambda; do
      [ -e "$r" ] || [ -L "$r" ] && roots+=("$r")
    done
    local glue=()
    for r in glue_scripts/*.py glue_scripts/lib; do
      [ -e "$r" ] || [ -L "$r" ] && glue+=("$r")
    done
    shopt -u nullglob
    # Links as they point, and the content they lead to. The Glue library
    # is hashed as its asset zips it: everything but __pycache__ and *.pyc.
    find "${roots[@]}" ${glue[@]+"${glue[@]}"} -type l -printf 'link %p %l\n' | LC_ALL=C sort
    find -L "${roots[@]}" -type f ! -name '*_test.go' ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 |
      LC_ALL=C sort -z | xargs -0 -r sha256sum
    if [ ${#glue[@]} -gt 0 ]; then
      find -L "${glue[@]}" -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 |
        LC_ALL=C sort -z | xargs -0 -r sha256sum
    fi
  } | sha256sum | cut -d' ' -f1
}

# assembly: the hash of every file in the assembly, or nothing if it is
# missing.
assembly() {
  [ -d "$out" ] || return 0
  (cd "$out" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}

elsewhere=false
for a in "$@"; do
  case $a in -o | --output | -o=* | --output=*) elsewhere=true ;; esac
done

# One at a time from here to the record: a second synth waits, then finds
# the first one's inputs, not those it read before the first wrote.
mkdir -p "$(dirname "$state")"
exec 9>>"$state.lock"
if command -v flock >/dev/null; then flock 9; fi

# Where the key cannot be worked out (a tool missing, a link loop), every
# synth runs and none is recorded.
want=$(key "$@") || want=
if [ -n "$want" ] && ! $fresh && ! $elsewhere && [ -f "$key_file" ] && [ -f "$log_file" ]; then
  read -r had built <"$key_file" || true
  if [ "${had:-}" = "$want" ] && [ "${built:-}" = "$(assembly)" ]; then
    cat "$log_file" >&2
    echo "$out is up to date: nothing it is made from changed since its last synth (FRESH=1 synthesizes again)"
    exit 0
  fi
fi

log=$(mktemp)
new=
trap 'rm -f "$log"; [ -z "$new" ] || rm -rf "$new"' EXIT
synth=("$@")
if [ "$out" != cdk.out ]; then
  new=$(mktemp -d "$out.XXXXXX")
  synth+=(-o "$new")
fi
# stderr (the warnings) goes to the terminal and the log; stdout as it is.
exec 3>&1
set +e
"${synth[@]}" 2>&1 1>&3 3>&- | tee "$log" >&2
status=${PIPESTATUS[0]}
[ "$status" = 0 ] && [ -n "$new" ] && { "$mirror" "$new" "$out" || status=$?; }
set -e
# An input edited while the synth ran may or may not be in cdk.out: then
# nothing is recorded, and the next synth runs.
if [ "$status" = 0 ] && ! $elsewhere && [ -n "$want" ] && [ "$(key "$@" || true)" = "$want" ]; then
  cp "$log" "$log_file"
  echo "$want $(assembly)" >"$key_file"
fi
exit "$status"
