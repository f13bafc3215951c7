#!/usr/bin/env bash
# Gateway speed, on loopback, in one run (part of `make bench`, never of
# `make test`; BENCHMARKS.md "Gateway" has the figures):
#   (a) GET /check (nginx auth_request's call), memory state, 2 threads (and 1)
#   (b) the same with state: redis (a redis-server started here), 2 and 4 threads, and 2 threads
#       with half the connections (latency below saturation)
#   (c) POST /v1/messages through the gateway's own proxy vs straight to the stub
#   (d) baseline: nginx limit_req keyed by x-api-key returning 204 for the same requests
#   (e) the production path: nginx with deploy/nginx/hydraguard-auth.conf → gateway /check → stub
# Every request carries one of HG_KEYS (1000) API keys in turn (bench/wrk/keys.lua),
# with limits high enough that every request is admitted (non-2xx is reported).
# Load: wrk -t1 -c32; each run is preceded by a 2 s warm-up. wrk, the servers
# and the stub share the machine's cores (2 here): nothing is pinned.
#
#   scripts/bench_gateway.sh [BUILD_DIR]        HG_BENCH_DURATION=10s HG_KEYS=1000
set -euo pipefail
build_dir=${1:-build}
duration=${HG_BENCH_DURATION:-10s}
warmup=${HG_BENCH_WARMUP:-2s}
keys=${HG_KEYS:-1000}
connections=32
root=$(cd "$(dirname "$0")/.." && pwd)
lua="$root/bench/wrk/keys.lua"
nginx_bin=/usr/sbin/nginx
redis_bin=/usr/bin/redis-server

for tool in wrk "$nginx_bin" "$redis_bin" redis-cli; do
  command -v "$tool" >/dev/null || { echo "bench_gateway: $tool not found: run \`make deps\`" >&2; exit 1; }
done
cmake --build "$build_dir" --target hydraguard hg_upstream_stub >/dev/null
hg="$build_dir/src/cli/hydraguard"
stub_bin="$build_dir/src/testing/hg_upstream_stub"

work=$(mktemp -d /tmp/hg_bench_gateway.XXXXXX)
started=()
stop() {  # PID: SIGTERM, SIGKILL after 5 s; reaps it
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 250); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${started[@]}"; do stop "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {  # a port nothing listens on, below the ephemeral range
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "bench_gateway: no free port" >&2
  return 1
}
wait_for_line() {  # FILE REGEX: prints the first match, within 10 s
  for _ in $(seq 500); do
    if grep -Eo "$2" "$1" 2>/dev/null | head -1 | grep .; then return 0; fi
    sleep 0.02
  done
  echo "bench_gateway: timed out waiting for /$2/ in $1:" >&2
  cat "$1" >&2
  return 1
}
wait_for_port() {
  for _ in $(seq 500); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.02
  done
  echo "bench_gateway: nothing listens on 127.0.0.1:$1" >&2
  return 1
}
cpu_ticks() {  # user+system clock ticks of PID and its children
  local total=0 pid ticks
  for pid in "$1" $(pgrep -P "$1" || true); do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "$total"
}

# --- inputs -----------------------------------------------------------------
for ((i = 0; i < keys; i++)); do
  printf '{"key":"bench-key-%d","account":"acct-%d","org":"org-%d","tier":"bench","verified":"payment"}\n' \
    "$i" "$i" $((i % 100))
done >"$work/keys.jsonl"
body='{"model":"claude-bench","max_tokens":64,"messages":[{"role":"user","content":"Say hello in one short sentence."}]}'
gateway_config() {  # THREADS STATE [UPSTREAM_URL [REDIS_PORT]]
  cat <<EOF
listen: 127.0.0.1:0
threads: $1
keys: {file: $work/keys.jsonl}
trusted_proxies: [127.0.0.1/32]
state: $2
tiers:
  default: bench
  levels:
    bench: {requests_per_minute: 1000000, requests_per_day: 100000000, input_tokens_per_minute: 1000000000, output_tokens_per_minute: 1000000000}
EOF
  if [[ -n "${3:-}" ]]; then echo "upstream: {url: \"$3\"}"; fi
  if [[ -n "${4:-}" ]]; then echo "redis: {host: 127.0.0.1, port: $4}"; fi
}
gateway_pid="" gateway_port=""
start_gateway() {  # NAME, config on stdin (not in a pipeline: it sets globals)
  cat >"$work/$1.yaml"
  "$hg" serve --config "$work/$1.yaml" >"$work/$1.log" 2>&1 &
  gateway_pid=$!
  started+=("$gateway_pid")
  gateway_port=$(wait_for_line "$work/$1.log" 'listening on 127\.0\.0\.1:[0-9]+' | sed 's/.*://')
}
nginx_pid="" nginx_port=""
start_nginx() {  # NAME WORKERS, http block body on stdin ({{PORT}} substituted; not in a pipeline)
  local dir="$work/$1" port
  mkdir -p "$dir"
  port=$(free_port)
  {
    echo "daemon off; master_process on; worker_processes $2; pid $dir/nginx.pid; error_log $dir/error.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; keepalive_requests 1000000;"
    for temp in client_body proxy fastcgi uwsgi scgi; do echo "  ${temp}_temp_path $dir/$temp;"; done
    sed "s/{{PORT}}/$port/g"
    echo "}"
  } >"$dir/nginx.conf"
  "$nginx_bin" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stderr.log" 2>&1 &
  nginx_pid=$!
  started+=("$nginx_pid")
  wait_for_port "$port" || { cat "$dir/error.log" "$dir/stderr.log" >&2; return 1; }
  nginx_port=$port
}

# --- runs -------------------------------------------------------------------
declare -A result cpu_detail
run() {  # LABEL URL METHOD BODY NAME:PID...: wrk warm-up, then the measured run (CPU of each PID too);
  # $conns overrides the number of connections
  local label=$1 url=$2 method=$3 request_body=$4
  shift 4
  local entry hz total=0 detail="" ticks
  local -A before
  hz=$(getconf CLK_TCK)
  HG_KEYS=$keys HG_METHOD=$method HG_BODY=$request_body wrk -t1 -c"${conns:-$connections}" -d"$warmup" -s "$lua" "$url" >/dev/null
  for entry in "$@"; do before[$entry]=$(cpu_ticks "${entry#*:}"); done
  HG_KEYS=$keys HG_METHOD=$method HG_BODY=$request_body \
    wrk -t1 -c"${conns:-$connections}" -d"$duration" --latency -s "$lua" "$url" >"$work/$label.wrk"
  for entry in "$@"; do
    ticks=$(($(cpu_ticks "${entry#*:}") - before[$entry]))
    total=$((total + ticks))
    detail+="${detail:+ + }${entry%%:*} $(awk -v t="$ticks" -v hz="$hz" 'BEGIN{printf "%.1f", t / hz}')"
  done
  local line
  line=$(grep HGRESULT "$work/$label.wrk") || { cat "$work/$label.wrk" >&2; return 1; }
  result[$label]="$line cpu_s=$(awk -v t="$total" -v hz="$hz" 'BEGIN{printf "%.2f", t / hz}')"
  cpu_detail[$label]=$detail
  echo "  $label: ${result[$label]#HGRESULT } ($detail)" >&2
}
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"${result[$1]}"; }

echo "== gateway: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(date -u +%Y-%m-%d);" \
  "wrk -t1 -c$connections -d$duration, $keys keys; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo "(d) nginx limit_req baseline" >&2
baseline='limit_req_zone $http_x_api_key zone=hg_keys:10m rate=100000r/s;
limit_req_status 429;
server {
  listen 127.0.0.1:{{PORT}};
  location = /check { limit_req zone=hg_keys burst=1000 nodelay; return 204; }
}'
for workers in 2 1; do
  start_nginx "nginx$workers" "$workers" <<<"$baseline"
  run "nginx_limit_req_${workers}w" "http://127.0.0.1:$nginx_port/check" GET "" "nginx:$nginx_pid"
  stop "$nginx_pid"
done

echo "(a) GET /check, memory" >&2
for threads in 2 1; do
  start_gateway "memory$threads" < <(gateway_config "$threads" memory)
  run "check_memory_${threads}t" "http://127.0.0.1:$gateway_port/check" GET "" "gateway:$gateway_pid"
  stop "$gateway_pid"
done

echo "(b) GET /check, redis" >&2
redis_port=$(free_port)
mkdir -p "$work/redis"
"$redis_bin" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --dir "$work/redis" \
  >"$work/redis/redis.log" 2>&1 &
redis_pid=$!
started+=("$redis_pid")
for _ in $(seq 250); do redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.02; done
for threads in 2 4; do
  redis-cli -h 127.0.0.1 -p "$redis_port" flushall >/dev/null
  start_gateway "redis$threads" < <(gateway_config "$threads" redis "" "$redis_port")
  run "check_redis_${threads}t" "http://127.0.0.1:$gateway_port/check" GET "" "gateway:$gateway_pid" "redis:$redis_pid"
  if [[ $threads == 2 ]]; then  # latency below saturation: half the connections
    conns=$((connections / 2)) run "check_redis_2t_c$((connections / 2))" "http://127.0.0.1:$gateway_port/check" GET "" \
      "gateway:$gateway_pid" "redis:$redis_pid"
  fi
  stop "$gateway_pid"
done
stop "$redis_pid"

echo "(c) POST /v1/messages: straight to the stub, then through the gateway" >&2
"$stub_bin" 0 >"$work/stub.log" 2>&1 &
stub_pid=$!
started+=("$stub_pid")
stub_port=$(wait_for_line "$work/stub.log" 'listening on 127\.0\.0\.1:[0-9]+' | sed 's/.*://')
run messages_direct "http://127.0.0.1:$stub_port/v1/messages" POST "$body" "stub:$stub_pid"
start_gateway proxy2 < <(gateway_config 2 memory "http://127.0.0.1:$stub_port")
run messages_gateway_2t "http://127.0.0.1:$gateway_port/v1/messages" POST "$body" "gateway:$gateway_pid" "stub:$stub_pid"
stop "$gateway_pid"

echo "(e) POST /v1/messages: nginx auth_request (shipped config) → gateway /check → stub" >&2
start_gateway authcheck < <(gateway_config 2 memory)
start_nginx nginx_auth 1 < <(sed -e "s/{{GATEWAY}}/127.0.0.1:$gateway_port/g" \
  -e "s/{{UPSTREAM}}/127.0.0.1:$stub_port/g" "$root/deploy/nginx/hydraguard-auth.conf")
run messages_nginx_auth "http://127.0.0.1:$nginx_port/v1/messages" POST "$body" "nginx:$nginx_pid" "gateway:$gateway_pid" \
  "stub:$stub_pid"
stop "$nginx_pid"
stop "$gateway_pid"
stop "$stub_pid"

# --- table ------------------------------------------------------------------
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine distorts every figure)" >&2
ms() { awk -v us="$1" 'BEGIN{printf "%.2f", us / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
base_rps=$(field nginx_limit_req_2w rps)
echo
echo "| run | requests/s | p50 ms | p90 ms | p99 ms | non-2xx | server CPU s | CPU us/request | requests/s vs nginx 2w |"
echo "|---|---|---|---|---|---|---|---|---|"
for label in nginx_limit_req_2w nginx_limit_req_1w check_memory_2t check_memory_1t check_redis_2t check_redis_4t \
  "check_redis_2t_c$((connections / 2))" \
  messages_direct messages_gateway_2t messages_nginx_auth; do
  rps=$(field "$label" rps)
  cpu=$(field "$label" cpu_s)
  printf '| %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s |\n' "$label" "$rps" "$(ms "$(field "$label" p50_us)")" \
    "$(ms "$(field "$label" p90_us)")" "$(ms "$(field "$label" p99_us)")" "$(field "$label" non2xx)" "$cpu" \
    "${cpu_detail[$label]}" \
    "$(awk -v c="$cpu" -v n="$(field "$label" requests)" 'BEGIN{printf "%.1f", c * 1e6 / n}')" \
    "$(ratio "$rps" "$base_rps")"
done
echo
target() {  # LABEL WHAT: the decisions/s and p99 of a /check run against the issue's target
  local rps p99 verdict="NOT met"
  rps=$(field "$1" rps)
  p99=$(ms "$(field "$1" p99_us)")
  if awk -v r="$rps" -v p="$p99" 'BEGIN{exit !(r >= 20000 && p <= 2)}'; then verdict="met"; fi
  echo "$2: $rps decisions/s, p99 $p99 ms; $(ratio "$rps" "$base_rps")x nginx limit_req (2 workers);" \
    "target (>= 20,000 decisions/s, p99 <= 2 ms): $verdict"
}
target check_memory_2t "check, memory, 2 threads, $connections connections"
target check_redis_2t "check, redis, 2 threads, $connections connections"
target "check_redis_2t_c$((connections / 2))" "check, redis, 2 threads, $((connections / 2)) connections"
direct=messages_direct proxied=messages_gateway_2t
echo "proxy overhead: throughput $(ratio "$(field $direct rps)" "$(field $proxied rps)")x lower through the gateway;" \
  "p50 +$(ms $(($(field $proxied p50_us) - $(field $direct p50_us)))) ms," \
  "p99 +$(ms $(($(field $proxied p99_us) - $(field $direct p99_us)))) ms" \
  "(p50 $(ratio "$(field $proxied p50_us)" "$(field $direct p50_us)")x, p99 $(ratio "$(field $proxied p99_us)" "$(field $direct p99_us)")x)"
