#!/usr/bin/env bash
# Usage: scripts/synth.sh [cdk synth arguments] -- [CDK_ARGS]
#
# Runs cdk synth with its own arguments plus the context options of CDK_ARGS
# (-c k=v, --context k=v, --context=k=v), and nothing else of them. make
# deploy, diff and bootstrap take one CDK_ARGS for both steps: the context
# must shape the template, while an option such as --require-approval
# belongs to the command that follows, and cdk synth refuses it.
set -euo pipefail
own=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  own+=("$1")
  shift
done
[ $# -gt 0 ] && shift
context=()
while [ $# -gt 0 ]; do
  case $1 in
  -c | --context)
    if [ $# -lt 2 ]; then
      echo "CDK_ARGS: $1 needs a key=value after it" >&2
      exit 2
    fi
    context+=(-c "$2")
    shift 2
    ;;
  -c=* | --context=*)
    context+=("$1")
    shift
    ;;
  *) shift ;;
  esac
done
exec cdk synth ${own[@]+"${own[@]}"} ${context[@]+"${context[@]}"}
