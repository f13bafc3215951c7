#!/usr/bin/env bash
# Installs every Debian package hydraguard needs, only those that are missing.
# Idempotent and silent when there is nothing to do. Run as root (or with sudo
# available). Used by `make deps`, which `make test` and `make demo` depend on.
set -euo pipefail

# Keep this list sorted; README.md ("Dependencies") says why each is here.
packages=(
  clang                # libFuzzer targets (fuzz/)
  cmake
  curl                 # demo and CLI tests talk to the gateway
  g++
  libabsl-dev          # Status/StatusOr, flat_hash_map, strings, time
  libbenchmark-dev     # Google Benchmark (make bench)
  libboost-dev         # Boost.Beast/Asio: the gateway's HTTP server and upstream client
  libclang-rt-14-dev   # libFuzzer + sanitizer runtimes for clang
  libcli11-dev         # command-line parsing
  libfmt-dev           # output formatting
  libgmock-dev
  libgtest-dev         # GoogleTest
  libhiredis-dev       # Redis client: shared limiter state, verdicts, event stream
  libre2-dev           # RE2::Set: one-pass matching of the capability cue phrases
  libsimdjson-dev      # JSON event parsing (on-demand API)
  libssl-dev           # TLS to an https:// upstream API (Asio SSL)
  libxxhash-dev        # XXH3 hashing for interning and signatures
  libyaml-cpp-dev      # detection config (hydraguard.yaml)
  libzstd-dev          # .zst event logs
  make
  nginx-light          # auth_request integration test and limit_req benchmark baseline
  ninja-build
  pkg-config
  python3              # scripts/keys_from_events.py (demo, CLI tests)
  redis-server         # real Redis for the gateway tests (started by the tests)
  wrk                  # HTTP load generator (make bench)
  zstd                 # CLI used by tests to make .zst fixtures
)

# The client libraries of tests/sdk, exactly as locked (npm ci), once per
# lockfile change.
install_sdk_clients() {
  local sdk_dir
  sdk_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/sdk"
  local stamp="$sdk_dir/node_modules/.hydraguard-lock"
  if [[ -f "$stamp" ]] && cmp -s "$stamp" "$sdk_dir/package-lock.json"; then return 0; fi
  echo "install_deps: npm ci in tests/sdk" >&2
  (cd "$sdk_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$sdk_dir/package-lock.json" "$stamp"
}

# Node.js and npm run tests/sdk (the official Anthropic and OpenAI client
# libraries against the gateway); Debian's packages unless a node and an npm
# are already installed (another distribution's node conflicts with them).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  install_sdk_clients
  exit 0
fi

echo "install_deps: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install_deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_sdk_clients
