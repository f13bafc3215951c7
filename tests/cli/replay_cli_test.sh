#!/usr/bin/env bash
# End-to-end checks of `hydraguard replay` on a simulated `mixed` log: every
# campaign is refused almost entirely, no honest request is refused, the
# verdicts at the end are batch detection's (`detect` on the same file), the
# report directory holds report.json and an offline report.html; and the
# documented errors.
# Usage: replay_cli_test.sh HYDRAGUARD SOURCE_DIR
set -uo pipefail
hg=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
shared="$src/../shared/data"
netlists=()
[[ -d "$shared/netlists" ]] && netlists=(--netlists "$shared/netlists")

"$hg" simulate --scenario mixed --scale 0.005 --seed 5 "${netlists[@]}" --out "$tmp/e.jsonl.zst" \
  --truth "$tmp/t.jsonl" >/dev/null
check "simulate" 0 $?
"$hg" replay "$tmp/e.jsonl.zst" --truth "$tmp/t.jsonl" "${netlists[@]}" --report "$tmp/report" \
  --verdicts "$tmp/replay-verdicts.jsonl" >"$tmp/out.txt" 2>"$tmp/err.txt"
check "replay" 0 $?
contains "replay: campaign table" "$tmp/out.txt" "contained after"
contains "replay: honest table" "$tmp/out.txt" "all honest"
contains "replay: equals batch detection" "$tmp/out.txt" "the incremental verdicts equal batch detection"
contains "replay: report.html" "$tmp/report/report.html" "<svg"
contains "replay: report.json" "$tmp/report/report.json" '"campaigns":[{"campaign":"alibaba-2026"'
if grep -qE '(src|href)="?https?:' "$tmp/report/report.html"; then
  echo "FAIL: report.html loads something from the network"; failures=$((failures + 1))
else
  echo "ok: report.html is self-contained"; passes=$((passes + 1))
fi

# Every campaign of 50 accounts or more: at most 2% of its requests served
# (at this scale deepseek-2026 has 6 accounts, and a campaign needs 5 active
# ones before it is one: at most half). Every campaign account flagged at the
# end. Honest: no request refused.
python3 - "$tmp/report/report.json" >"$tmp/goals.txt" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for campaign in report["campaigns"]:
    leak, accounts = campaign["leakage"], campaign["accounts"]
    limit = 0.02 if accounts >= 50 else 0.5
    print(f'{campaign["campaign"]} leakage {leak}', "ok" if leak is not None and leak <= limit else "FAIL")
    print(f'{campaign["campaign"]} flagged {campaign["accounts_flagged"]} of {accounts}',
          "ok" if campaign["accounts_flagged"] == accounts else "FAIL")
honest = report["honest"]
print(f'honest refused {honest["refused"]} of {honest["requests"]}', "ok" if honest["refused"] == 0 else "FAIL")
PY
if grep -q FAIL "$tmp/goals.txt" || [[ ! -s "$tmp/goals.txt" ]]; then
  echo "FAIL: goals:"; cat "$tmp/goals.txt"; failures=$((failures + 1))
else
  echo "ok: leakage within bounds, every campaign account flagged, no honest request refused"; passes=$((passes + 1))
fi

# The verdicts at the end of the log are detect's, account for account.
"$hg" detect "$tmp/e.jsonl.zst" "${netlists[@]}" --verdicts "$tmp/detect-verdicts.jsonl" --quiet
check "detect" 0 $?
if cmp -s <(sort "$tmp/detect-verdicts.jsonl") <(sort "$tmp/replay-verdicts.jsonl"); then
  echo "ok: replay --verdicts equals detect --verdicts"; passes=$((passes + 1))
else
  echo "FAIL: replay --verdicts differs from detect --verdicts"; failures=$((failures + 1))
fi

# Errors.
"$hg" replay "$tmp/e.jsonl.zst" --truth "$tmp/t.jsonl" --rescore 0h >/dev/null 2>"$tmp/err.txt"
check "bad --rescore" 1 $?
contains "bad --rescore: message" "$tmp/err.txt" "want a positive duration"
"$hg" replay "$tmp/e.jsonl.zst" --truth "$tmp/missing.jsonl" >/dev/null 2>"$tmp/err.txt"
check "missing truth" 1 $?
contains "missing truth: message" "$tmp/err.txt" "missing.jsonl"
"$hg" replay "$tmp/e.jsonl.zst" >/dev/null 2>&1
check "--truth is required" 106 $?
printf '{"ts":1,"account":"a"}\nnot json\n' >"$tmp/bad.jsonl"
"$hg" replay "$tmp/bad.jsonl" --truth "$tmp/t.jsonl" --strict >/dev/null 2>"$tmp/err.txt"
check "--strict stops at bad input" 2 $?
finish
