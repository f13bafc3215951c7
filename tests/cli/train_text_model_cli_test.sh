#!/usr/bin/env bash
# train-text-model end to end: the training command reproduces the shipped
# model (models/text_model.hgtm) byte for byte from the same inputs (the
# prompt pools of ../shared/data, or HYDRAGUARD_SHARED_DATA; skipped, exit 77,
# when they are not there), writes the eval-split report, refuses bad inputs
# with the file, line and field; detect takes --text-model shipped|cues|FILE.
# Usage: train_text_model_cli_test.sh HYDRAGUARD SOURCE_DIR
set -uo pipefail
hg=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
shared=${HYDRAGUARD_SHARED_DATA:-$src/../shared/data}

"$hg" train-text-model --examples "$src/models/text_examples.jsonl" --out "$tmp/x.hgtm" --prompts "$tmp/nowhere" \
  2>"$tmp/err" >/dev/null
check "missing pools refused" 1 $?
contains "missing pool named" "$tmp/err" "nowhere/human.jsonl"
printf '{"text": "a", "reasoning": 3}\n' >"$tmp/bad.jsonl"
"$hg" train-text-model --examples "$tmp/bad.jsonl" --out "$tmp/x.hgtm" 2>"$tmp/err" >/dev/null
check "bad example refused" 1 $?
contains "bad example located" "$tmp/err" "bad.jsonl:1: reasoning: must be 0 or 1"
"$hg" train-text-model --examples "$tmp/bad.jsonl" 2>"$tmp/err" >/dev/null
check "--out required" 106 $?

# Generators only (no pools): trains, scores and loads.
"$hg" train-text-model --per-kind 50 --out "$tmp/small.hgtm" --report "$tmp/report.md" >"$tmp/out" 2>&1
check "train without pools" 0 $?
contains "report table" "$tmp/report.md" "| reasoning_trace |"
contains "macro-F1" "$tmp/report.md" "Capability macro-F1:"
"$hg" simulate --scale 0.005 --seed 3 --out "$tmp/e.jsonl" --truth "$tmp/t.jsonl" >/dev/null
"$hg" detect "$tmp/e.jsonl" --text-model "$tmp/small.hgtm" --verdicts "$tmp/v1.jsonl" --quiet
check "detect with a model file" 0 $?
"$hg" detect "$tmp/e.jsonl" --text-model cues --verdicts "$tmp/v2.jsonl" --quiet
check "detect with the cue phrases" 0 $?
"$hg" detect "$tmp/e.jsonl" --text-model "$tmp/report.md" --verdicts "$tmp/v3.jsonl" --quiet 2>"$tmp/err"
check "not a model refused" 1 $?
contains "not a model named" "$tmp/err" "report.md: not a hydraguard text model"

if [[ ! -f $shared/prompts/distill.jsonl ]]; then
  echo "skipped: no prompt pools at $shared/prompts (the shipped model cannot be reproduced)"
  finish || exit 1
  exit 77
fi
"$hg" train-text-model --prompts "$shared/prompts" --examples "$src/models/text_examples.jsonl" \
  --examples "$src/models/text_examples_written.jsonl" --out "$tmp/m.hgtm" >/dev/null 2>&1
check "train the shipped model" 0 $?
if cmp -s "$tmp/m.hgtm" "$src/models/text_model.hgtm"; then
  check "shipped model reproduced byte for byte" 0 0
else
  check "shipped model reproduced byte for byte (retrain: see docs/detection.md)" 0 1
fi
finish
