#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each, starting from the committed
# corpus (fuzz/corpus/NAME) and, for the event parser, the ingest test cases. A crash input is
# copied into fuzz/regressions/NAME/ (commit it: `make test` replays it) and
# the script fails. Usage: run_fuzzers.sh BUILD_DIR SECONDS
set -euo pipefail
build_dir=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for fuzzer in "$build_dir"/fuzz/*_fuzzer; do
  name=$(basename "$fuzzer" _fuzzer)
  extra_seeds=()  # as in fuzz/CMakeLists.txt (NAME_seeds)
  [[ $name == event_parser ]] && extra_seeds=("$root/tests/ingest_cases")
  work=$(mktemp -d)
  artifacts=$(mktemp -d)
  echo "fuzzing $name for ${seconds}s"
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$work" "$root/fuzz/corpus/$name" "${extra_seeds[@]}" \
      2>"$work.log"; then
    tail -50 "$work.log"
    mkdir -p "$root/fuzz/regressions/$name"
    cp "$artifacts"/* "$root/fuzz/regressions/$name/" 2>/dev/null || true
    echo "FAIL: $name crashed; inputs saved in fuzz/regressions/$name/ (commit them)"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work.log" || true
    echo "ok: $name"
  fi
  rm -rf "$work" "$work.log" "$artifacts"
done
exit $status
