#!/usr/bin/env bash
# End-to-end checks of `hydraguard serve`: the documented config errors, and
# the gateway enforcing the verdicts of `hydraguard detect` on a simulated log
# (a flagged campaign account refused, an honest account served), then a
# clean stop on SIGTERM.
# Usage: serve_cli_test.sh HYDRAGUARD SOURCE_DIR
set -uo pipefail
hg=$1
src=$2
tmp=$(mktemp -d)
server_pid=""
trap '[[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
curl_local() { curl --noproxy '*' -s --max-time 5 "$@"; }

"$hg" serve --print-config >"$tmp/example.yaml"
check "print-config" 0 $?
contains "print-config: tiers" "$tmp/example.yaml" "tiers:"

printf 'listen: 127.0.0.1:0\nbogus: 1\n' >"$tmp/bad.yaml"
"$hg" serve --config "$tmp/bad.yaml" 2>"$tmp/err.txt"
check "unknown key: exit 2" 2 $?
contains "unknown key: file, line and key" "$tmp/err.txt" "bad.yaml:2: bogus: unknown key"

printf 'keys: {file: %s/missing.jsonl}\ntiers: {levels: {t: {requests_per_minute: 1}}}\n' "$tmp" >"$tmp/nokeys.yaml"
"$hg" serve --config "$tmp/nokeys.yaml" 2>"$tmp/err.txt"
check "missing key table: exit 1" 1 $?
contains "missing key table: path" "$tmp/err.txt" "missing.jsonl"

# Verdicts from detection, enforced by the gateway.
"$hg" simulate --scenario mixed --scale 0.005 --seed 5 --out "$tmp/e.jsonl" --truth "$tmp/t.jsonl" >/dev/null
check "simulate" 0 $?
"$hg" detect "$tmp/e.jsonl" --verdicts "$tmp/v.jsonl" --campaigns "$tmp/c.json" --quiet
check "detect" 0 $?
"$src/scripts/keys_from_events.py" "$tmp/e.jsonl" "$tmp/keys.jsonl" >/dev/null
check "key table" 0 $?
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
flagged = {json.loads(l)["account"] for l in open(f"{tmp}/v.jsonl") if json.loads(l)["action"] == "block"}
keys = {json.loads(l)["account"] for l in open(f"{tmp}/keys.jsonl")}
honest = sorted(json.loads(l)["account"] for l in open(f"{tmp}/t.jsonl")
                if json.loads(l)["label"] == "legit" and json.loads(l)["account"] in keys - flagged)
open(f"{tmp}/accounts", "w").write(f"{sorted(flagged)[0]} {honest[0]}\n")
PY
read -r blocked honest <"$tmp/accounts"
cat >"$tmp/gw.yaml" <<YAML
listen: 127.0.0.1:0
keys: {file: $tmp/keys.jsonl}
tiers: {levels: {build: {requests_per_minute: 100}}}
verdicts: {file: $tmp/v.jsonl, campaigns: $tmp/c.json}
YAML
"$hg" serve --config "$tmp/gw.yaml" --check-config >"$tmp/check.txt" 2>&1
check "check-config" 0 $?
"$hg" serve --config "$tmp/gw.yaml" >"$tmp/serve.txt" 2>"$tmp/serve-err.txt" &
server_pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/serve.txt")
  [[ -n "$port" ]] && break
  sleep 0.05
done
[[ -n "$port" ]]
check "serve: listening" 0 $?
body='{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hello"}]}'
curl_local -H "x-api-key: key-$blocked" -d "$body" "http://127.0.0.1:$port/check.json" >"$tmp/blocked.json"
contains "flagged account refused" "$tmp/blocked.json" '"allowed":false,"status":403,"action":"block"'
curl_local -H "x-api-key: key-$honest" -d "$body" "http://127.0.0.1:$port/check.json" >"$tmp/honest.json"
contains "honest account served" "$tmp/honest.json" '"allowed":true'
curl_local "http://127.0.0.1:$port/metrics" >"$tmp/metrics.txt"
contains "metrics: block counted" "$tmp/metrics.txt" 'hydraguard_decisions_total{action="block",reason="verdict"} 1'
kill -TERM "$server_pid"
wait "$server_pid"
check "serve: clean stop on SIGTERM" 0 $?
server_pid=""
finish
