#!/usr/bin/env bash
# End-to-end scenario checks of `hydraguard detect` on simulated logs (the
# simulator's `mixed` scenario: four campaigns inside every hard-negative
# segment), scored with `hydraguard eval`: every campaign is found as one
# campaign, no honest account is flagged, with prompt text, without it
# (metadata-only) and with real prompt pools when ../shared/data is present.
# Also the documented exit statuses and error messages.
# Usage: detect_cli_test.sh HYDRAGUARD SOURCE_DIR
set -uo pipefail
hg=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
shared="$src/../shared/data"
netlists=()
[[ -d "$shared/netlists" ]] && netlists=(--netlists "$shared/netlists")

# at_least NAME FILE LABEL MIN: the percentage after LABEL in FILE is >= MIN.
at_least() {
  local line value
  line=$(grep -m1 -F -- "$3" "$2")
  value=$(echo "${line#*"$3"}" | grep -o '[0-9.]*%' | head -1 | tr -d %)
  if awk -v v="$value" -v m="$4" 'BEGIN { exit !(v != "" && v + 0 >= m + 0) }'; then
    echo "ok: $1 ($value%)"; passes=$((passes + 1))
  else
    echo "FAIL: $1: '$3' is '$value', expected >= $4"; cat "$2"; failures=$((failures + 1))
  fi
}

# scenario NAME MIN_RECALL [simulate args...] -- [detect args...]
# Campaigns named in $within_chance are not required to be found.
within_chance=""
scenario() {
  local name=$1 min_recall=$2; shift 2
  local sim_args=() detect_args=()
  while [[ $# -gt 0 && $1 != -- ]]; do sim_args+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  detect_args=("$@")
  "$hg" simulate --scenario mixed --scale 0.005 --seed 5 "${netlists[@]}" "${sim_args[@]}" \
    --out "$tmp/$name.jsonl.zst" --truth "$tmp/$name.truth.jsonl" >/dev/null
  check "$name: simulate" 0 $?
  "$hg" detect "$tmp/$name.jsonl.zst" "${netlists[@]}" "${detect_args[@]}" \
    --verdicts "$tmp/$name.verdicts.jsonl" --campaigns "$tmp/$name.campaigns.json" >"$tmp/$name.summary"
  check "$name: detect" 0 $?
  "$hg" eval --truth "$tmp/$name.truth.jsonl" --verdicts "$tmp/$name.verdicts.jsonl" >"$tmp/$name.eval"
  check "$name: eval" 0 $?
  at_least "$name: recall" "$tmp/$name.eval" "account recall" "$min_recall"
  contains "$name: no honest account flagged" "$tmp/$name.eval" "false-positive rate           0.0000%"
  for campaign in alibaba-2026 deepseek-2026 minimax-2026 moonshot-2026; do
    if [[ " $within_chance " == *" $campaign "* ]]; then continue; fi
    at_least "$name: $campaign found" "$tmp/$name.eval" "  $campaign  " 90
  done
  # Found as a campaign, not as many small ones (metadata-only may cut one
  # in two where its batches share no card or burst).
  if grep -E "clusters ([4-9]|[1-9][0-9]+)$" "$tmp/$name.eval"; then
    echo "FAIL: $name: a campaign was split into many"; failures=$((failures + 1))
  else
    echo "ok: $name: no campaign split into many"; passes=$((passes + 1))
  fi
}

scenario text 99
contains "summary names a campaign" "$tmp/text.summary" "hg-c1  score"
contains "summary shows the capability mix" "$tmp/text.summary" "capability mix: "
contains "campaigns.json has indicators" "$tmp/text.campaigns.json" '"indicators":[{"type":'
contains "verdict reasons" "$tmp/text.verdicts.jsonl" '"reasons":["member of campaign hg-c1'
[[ $(wc -l <"$tmp/text.verdicts.jsonl") -eq $(wc -l <"$tmp/text.truth.jsonl") ]]
check "one verdict per account" 0 $?

scenario metadata 99 -- --no-text
contains "metadata-only: unused signals listed" "$tmp/metadata.summary" "prompt_template (no prompt in the input)"
contains "metadata-only: capability mix unknown" "$tmp/metadata.summary" "capability mix: unknown (no prompt text)"

if [[ -d "$shared/prompts" ]]; then
  scenario prompts 99 --prompts "$shared/prompts"
else
  echo "skip: $shared/prompts not present"
fi
# Other attackers: no shared cards, no proxies (at this tiny scale a few
# accounts have too little shared infrastructure to link; see BENCHMARKS.md
# for the same at larger scales).
# Without shared cards, deepseek-2026 has 6 accounts at this scale, in a
# log where a quarter of the accounts are suspicious: 6 suspicious holders
# of one key happen by chance on about 5 keys in 10,000 (0.28^6), far above
# the hub null model's 1 in a million, so they are not evidence here (they
# are at scale >= 0.02, and in a provider's log, where campaigns are rare).
within_chance="deepseek-2026"
scenario no_shared_payment 95 --mechanic shared_payment=off
within_chance=""
scenario no_proxy 95 --mechanic proxy=off

# Configuration and errors.
"$hg" detect --print-config >"$tmp/default.yaml"
check "--print-config" 0 $?
"$hg" detect "$tmp/text.jsonl.zst" --config "$tmp/default.yaml" "${netlists[@]}" --verdicts "$tmp/again.jsonl" --quiet
check "the printed defaults load" 0 $?
cmp -s "$tmp/again.jsonl" "$tmp/text.verdicts.jsonl"
check "printed defaults give the same verdicts" 0 $?
printf 'suspicious_points: 2.5\nsuspicous_points: 3\n' >"$tmp/typo.yaml"
"$hg" detect "$tmp/text.jsonl.zst" --config "$tmp/typo.yaml" --quiet 2>"$tmp/err"
check "config typo" 1 $?
contains "config typo located" "$tmp/err" "typo.yaml:2: unknown key \"suspicous_points\""
printf 'link_signals:\n  payment:\n    weight: heavy\n' >"$tmp/bad.yaml"
"$hg" detect "$tmp/text.jsonl.zst" --config "$tmp/bad.yaml" --quiet 2>"$tmp/err"
check "config bad number" 1 $?
contains "config bad number located" "$tmp/err" "bad.yaml:3: link_signals.payment.weight: expected a number"
(zstdcat "$tmp/text.jsonl.zst" | head -100; echo '{"ts":1770000000000,"account":"a"}') >"$tmp/bad.jsonl"
"$hg" detect "$tmp/bad.jsonl" --strict --quiet 2>"$tmp/err"
check "--strict with a bad line" 2 $?
contains "bad line located" "$tmp/err" "bad.jsonl:101: ip: "
"$hg" detect "$tmp/bad.jsonl" --verdicts "$tmp/v.jsonl" >"$tmp/out" 2>"$tmp/err"
check "bad line skipped" 0 $?
contains "bad lines counted" "$tmp/out" "bad lines skipped: 1"
"$hg" detect "$tmp/missing.jsonl" --quiet 2>"$tmp/err"
check "missing input" 1 $?
"$hg" detect "$tmp/text.jsonl.zst" --verdicts "$tmp/no/such/dir/v.jsonl" --quiet 2>"$tmp/err"
check "unwritable output" 1 $?

finish
