#!/usr/bin/env bash
# `make bench`: every benchmark. Long; never part of `make test`.
# Input files are generated once into BUILD_DIR/bench-data and reused.
set -euo pipefail
build_dir=${1:-build}
hg="$build_dir/src/cli/hydraguard"
data="$build_dir/bench-data"
mkdir -p "$data"
input="$data/ingest-1m.jsonl"
if [[ ! -s "$input" ]]; then
  echo "generating $input (1,000,000 events, ~1 KB prompts; ~1.7 GB, once)"
  "$hg" gen-sample --events 1000000 --prompt-bytes 1000 --seed 7 --out "$input.tmp"
  mv "$input.tmp" "$input"
fi
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
echo "== micro-benchmarks (per call)"
for bench in "$build_dir"/src/*/*_benchmarks; do
  "$bench" --benchmark_min_time=0.3
done
echo "== whole-file ingest, single thread, ratio to raw simdjson on the same file"
"$build_dir/bench/ingest_file_benchmark" --input="$input"
echo "== gateway: /check decisions, Redis state, proxy overhead, nginx limit_req baseline (loopback)"
"$(dirname "$0")/bench_gateway.sh" "$build_dir"
