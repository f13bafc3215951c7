#!/usr/bin/env bash
# `make demo`: a small end-to-end run on an embedded scenario (no external files).
set -euo pipefail
build_dir=${1:-build}
hg="$build_dir/src/cli/hydraguard"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== hydraguard simulate: the 'mixed' scenario (four campaigns in ten honest segments) at 0.5% of the reported size"
"$hg" simulate --scenario mixed --scale 0.005 --seed 42 --out "$work/events.jsonl.zst" --truth "$work/truth.jsonl"
echo
echo "== hydraguard detect: what it found"
"$hg" detect "$work/events.jsonl.zst" --verdicts "$work/verdicts.jsonl" --campaigns "$work/campaigns.json"
echo
echo "== one flagged account's verdict"
grep -m1 '"action":"block"' "$work/verdicts.jsonl"
echo
echo "== hydraguard eval: the verdicts against the simulator's ground truth"
"$hg" eval --truth "$work/truth.jsonl" --verdicts "$work/verdicts.jsonl" --list 5
echo
echo "== bad input is reported, skipped and counted (a sample log with 7 bad lines)"
"$hg" gen-sample --events 2000 --bad-lines 7 --seed 42 --out "$work/sample.jsonl"
"$hg" stats "$work/sample.jsonl" 2>&1 >/dev/null | sed "s#$work/##"
