#!/usr/bin/env bash
# The red-team grid end to end (the smoke test `make test` runs): simulate
# --scenario redteam writes strategies into the truth, eval groups by them,
# and `hydraguard quality` on a small grid (scale 0.01, one tune and one eval
# seed) writes both reports with every table. Quality levels are not asserted.
# Usage: quality_cli_test.sh HYDRAGUARD
set -uo pipefail
hg=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"

"$hg" simulate --scenario redteam --scale 0.01 --seed 4 --campaigns 2 --prompt-split eval \
  --out "$tmp/e.jsonl.zst" --truth "$tmp/t.jsonl" >"$tmp/out"
check "simulate redteam" 0 $?
contains "two campaigns" "$tmp/out" "rt01"
contains "a look-alike segment" "$tmp/out" "hackathon"
contains "strategy in the truth" "$tmp/t.jsonl" '"strategy":{"cards":'
"$hg" detect "$tmp/e.jsonl.zst" --verdicts "$tmp/v.jsonl" --quiet
check "detect" 0 $?
"$hg" eval --truth "$tmp/t.jsonl" --verdicts "$tmp/v.jsonl" --json "$tmp/eval.json" >"$tmp/out"
check "eval" 0 $?
contains "eval table by axis" "$tmp/out" "recall by strategy axis value:"
contains "eval JSON by axis" "$tmp/eval.json" '"recall_by_strategy":{"age":'

"$hg" quality --scale 0.01 --campaigns 2 --tune-seeds 1 --eval-seeds 2 --work "$tmp/grid" --out "$tmp/Q.md" \
  --machine test --quiet --json "$tmp/Q.json"
check "quality grid" 0 $?
contains "figures written" "$tmp/Q.json" '"recall/text":'
"$hg" quality --scale 0.01 --campaigns 1 --eval-seeds 2 --work "$tmp/grid" --out "$tmp/Q3.md" --quiet \
  --baseline "$tmp/Q.json"
check "quality with a baseline" 0 $?
contains "earlier values shown" "$tmp/Q3.md" "(was "
"$hg" quality --eval-seeds 2 --work "$tmp/grid" --out "$tmp/Q4.md" --quiet --baseline "$tmp/missing.json" 2>"$tmp/err"
check "missing baseline refused" 1 $?
contains "missing baseline named" "$tmp/err" "missing.json"
contains "rule at the top" "$tmp/Q.md" "The rule:"
contains "per-axis table" "$tmp/Q.md" "| timing | job_waves |"
contains "segment table" "$tmp/Q.md" "| university_dept |"
contains "campaign rows, eval seed" "$tmp/Q.md" "| 2 | rt00 |"
contains "tune report" "$tmp/grid/TUNE.md" "| 1 | rt00 |"

"$hg" quality --tune-seeds 1,2 --eval-seeds 2 --work "$tmp/grid" --out "$tmp/Q2.md" --quiet 2>"$tmp/err"
check "overlapping seeds refused" 1 $?
contains "overlap named" "$tmp/err" "seed 2 is both a tune and an eval seed"
"$hg" simulate --scenario redteam --campaigns -1 --out "$tmp/x" --truth "$tmp/y" 2>"$tmp/err"
check "bad campaign count" 1 $?
finish
