#!/usr/bin/env bash
# `make demo`: a small end-to-end run on an embedded scenario.
# For now: write a sample log with a few bad lines, and summarize it.
set -euo pipefail
build_dir=${1:-build}
hg="$build_dir/src/cli/hydraguard"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== hydraguard gen-sample: 5,000 events, 7 bad lines, zstd-compressed"
"$hg" gen-sample --events 5000 --bad-lines 7 --seed 42 --out "$work/sample.jsonl.zst"
echo
echo "== hydraguard stats (bad lines are reported on stderr as FILE:LINE: field: reason)"
"$hg" stats "$work/sample.jsonl.zst" 2>&1 | sed "s#$work/##"
