#!/usr/bin/env bash
# `make demo`: the whole story on an embedded scenario (no external files):
# simulate campaigns inside honest traffic, detect them, then replay the log as
# if hydraguard had run live, and show what each campaign got before it was
# contained and what honest customers paid for it.
set -euo pipefail
build_dir=${1:-build}
hg="$build_dir/src/cli/hydraguard"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report_dir=${HYDRAGUARD_DEMO_REPORT:-$build_dir/demo-report}
echo "== hydraguard simulate: the 'mixed' scenario (four campaigns in ten honest segments, Feb-Jun 2026) at 1% of the reported size"
"$hg" simulate --scenario mixed --scale 0.01 --seed 42 --out "$work/events.jsonl.zst" --truth "$work/truth.jsonl"
echo
echo "== hydraguard detect: the campaigns it finds in the whole log"
"$hg" detect "$work/events.jsonl.zst" --verdicts "$work/verdicts.jsonl" --campaigns "$work/campaigns.json"
echo
echo "== one flagged account's verdict"
grep -m1 '"action":"block"' "$work/verdicts.jsonl" | cut -c1-400
echo
echo "== hydraguard eval: those verdicts against the simulator's ground truth"
"$hg" eval --truth "$work/truth.jsonl" --verdicts "$work/verdicts.jsonl" --list 5
echo
echo "== hydraguard replay: the same log as if live, verdicts rescored every hour, flagged accounts refused"
"$hg" replay "$work/events.jsonl.zst" --truth "$work/truth.jsonl" --rescore 1h --report "$report_dir"
echo
echo "== hydraguard serve: the gateway enforcing those verdicts at the API's front door (check-only mode)"
"$(dirname "$0")/keys_from_events.py" "$work/events.jsonl.zst" "$work/keys.jsonl"
cat >"$work/gateway.yaml" <<YAML
listen: 127.0.0.1:0
keys: {file: $work/keys.jsonl}
tiers: {levels: {build: {requests_per_minute: 60, output_tokens_per_minute: 40000}}}
shared: {payment: {requests_per_minute: 100}}
verdicts: {file: $work/verdicts.jsonl, campaigns: $work/campaigns.json}
YAML
"$hg" serve --config "$work/gateway.yaml" >"$work/serve.txt" 2>"$work/serve-err.txt" &
serve_pid=$!
# The gateway is stopped below; the trap only covers an early exit, and it must
# not turn a successful run into a failure when the process is already gone.
trap 'kill "$serve_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.txt")
  [[ -n "$port" ]] && break
  sleep 0.05
done
flagged=$(grep -m1 '"action":"block"' "$work/verdicts.jsonl" | sed 's/.*"account":"\([^"]*\)".*/\1/')
honest=$(grep -m1 '"label":"legit"' "$work/truth.jsonl" | sed 's/.*"account":"\([^"]*\)".*/\1/')
body='{"model":"claude-demo","max_tokens":1000,"messages":[{"role":"user","content":"Write a Go function that merges two sorted lists."}]}'
for account in "$flagged" "$honest"; do
  echo "-- POST /check.json as $account"
  curl --noproxy '*' -s -H "x-api-key: key-$account" -d "$body" "http://127.0.0.1:$port/check.json" | cut -c1-300
  echo
done
echo "-- /metrics (decisions)"
curl --noproxy '*' -s "http://127.0.0.1:$port/metrics" | grep '^hydraguard_decisions_total' | grep -v ' 0$'
kill -TERM $serve_pid && wait $serve_pid
echo
echo "== bad input is reported, skipped and counted (a sample log with 7 bad lines)"
"$hg" gen-sample --events 2000 --bad-lines 7 --seed 42 --out "$work/sample.jsonl"
"$hg" stats "$work/sample.jsonl" 2>&1 >/dev/null | sed "s#$work/##"
