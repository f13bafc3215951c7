#!/usr/bin/env bash
# End-to-end checks of `hydraguard eval` on simulator output: an oracle that
# flags exactly the truth's campaign accounts scores 100%; one planted false
# positive shows up; bad inputs give the documented exit statuses.
# Usage: eval_cli_test.sh HYDRAGUARD
set -uo pipefail
hg=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"

"$hg" simulate --scenario feb-2026 --scale 0.003 --seed 9 --out "$tmp/e.jsonl.zst" --truth "$tmp/t.jsonl" >/dev/null
check "simulate" 0 $?
sed 's/"label":"campaign","campaign":"\([^"]*\)".*/"action":"block","score":1,"campaign":"\1","since":0,"reasons":[]}/; s/"label":"legit".*/"action":"allow","score":0,"campaign":null,"since":0,"reasons":[]}/' \
  "$tmp/t.jsonl" >"$tmp/oracle.jsonl"
"$hg" eval --truth "$tmp/t.jsonl" --verdicts "$tmp/oracle.jsonl" --json "$tmp/e.json" >"$tmp/out"
check "eval oracle" 0 $?
contains "oracle recall" "$tmp/out" "account recall                100.00%"
contains "oracle FPR" "$tmp/out" "false-positive rate           0.0000%"
contains "JSON written" "$tmp/e.json" '"false_positive_rate":{"value":0,'

legit=$(grep -m1 '"label":"legit"' "$tmp/t.jsonl" | sed 's/.*"account":"\([^"]*\)".*/\1/')
sed "s/{\"account\":\"$legit\",\"action\":\"allow\"/{\"account\":\"$legit\",\"action\":\"block\"/" "$tmp/oracle.jsonl" >"$tmp/one_fp.jsonl"
"$hg" eval --truth "$tmp/t.jsonl" --verdicts "$tmp/one_fp.jsonl" >"$tmp/out"
contains "planted false positive listed" "$tmp/out" "false positives (1): $legit"

echo "not json" >>"$tmp/one_fp.jsonl"
"$hg" eval --truth "$tmp/t.jsonl" --verdicts "$tmp/one_fp.jsonl" --strict >/dev/null 2>"$tmp/err"
check "--strict with a bad line" 2 $?
contains "bad line located" "$tmp/err" "one_fp.jsonl:"
"$hg" eval --truth "$tmp/missing.jsonl" --verdicts "$tmp/oracle.jsonl" >/dev/null 2>"$tmp/err"
check "missing truth" 1 $?
contains "missing file named" "$tmp/err" "missing.jsonl: cannot open"

finish
