#!/usr/bin/env bash
# End-to-end checks of `hydraguard stats` as a user runs it: exit statuses,
# stdin, .zst, --strict, --json, missing files. Usage: stats_cli_test.sh HYDRAGUARD
set -uo pipefail
hg=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"

"$hg" gen-sample --events 3000 --bad-lines 7 --out "$tmp/s.jsonl.zst"
check "gen-sample" 0 $?

"$hg" stats "$tmp/s.jsonl.zst" >"$tmp/out" 2>"$tmp/err"
check "stats on .zst with bad lines" 0 $?
contains "events counted" "$tmp/out" "events                3000"
contains "bad lines summarized" "$tmp/out" "bad lines             7 of 3007 lines"
[[ $(wc -l <"$tmp/err") -eq 7 ]]; check "one report line per bad line" 0 $?
contains "report has file:line: field: reason" "$tmp/err" "$tmp/s.jsonl.zst:"

"$hg" stats --strict "$tmp/s.jsonl.zst" >"$tmp/out" 2>"$tmp/err"
check "--strict stops with status 2" 2 $?
[[ $(grep -c "^$tmp/s.jsonl.zst:[0-9]*: " "$tmp/err") -eq 1 ]]; check "--strict reports only the first" 0 $?

zstd -dc -q "$tmp/s.jsonl.zst" | "$hg" stats --json - >"$tmp/out" 2>/dev/null
check "stdin" 0 $?
contains "stdin JSON" "$tmp/out" '"events":3000,'

"$hg" stats "$tmp/missing.jsonl" "$tmp/s.jsonl.zst" >"$tmp/out" 2>"$tmp/err"
check "missing file gives status 1" 1 $?
contains "missing file named" "$tmp/err" "$tmp/missing.jsonl: cannot open: No such file or directory"
contains "other files still read" "$tmp/out" "events                3000"

: >"$tmp/empty.jsonl"
"$hg" stats "$tmp/empty.jsonl" >"$tmp/out" 2>"$tmp/err"
check "empty file is not an error" 0 $?
contains "empty file said" "$tmp/err" "empty input (no events)"

head -c 5000 "$tmp/s.jsonl.zst" >"$tmp/cut.zst"
"$hg" stats "$tmp/cut.zst" >"$tmp/out" 2>"$tmp/err"
check "truncated .zst gives status 1" 1 $?
contains "truncated .zst said" "$tmp/err" "zstd: truncated compressed data"

"$hg" stats >/dev/null 2>&1
[[ $? -ne 0 ]]; check "no file is a usage error" 0 $?

finish
