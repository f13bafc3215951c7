#!/usr/bin/env bash
# make quality: the red-team grid -> QUALITY.md (eval seeds) and
# BUILD/quality/TUNE.md (tune seeds). Uses ../shared/data's prompt pools and
# network lists when they are there. Takes ~10 minutes on 2 cores.
#   scripts/quality.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"  # relative paths in QUALITY.md's command line
[[ $build = /* ]] || build="$here/$build"
shared=${HYDRAGUARD_SHARED_DATA:-../shared/data}
extra=()
[[ -d $shared/prompts ]] && extra+=(--prompts "$shared/prompts")
[[ -d $shared/netlists ]] && extra+=(--netlists "$shared/netlists")
cores=$(nproc)
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || echo unknown)
"$build/src/cli/hydraguard" quality \
  --scale "${QUALITY_SCALE:-0.1}" --campaigns "${QUALITY_CAMPAIGNS:-10}" \
  --tune-seeds "${QUALITY_TUNE_SEEDS:-1,2,3,4}" \
  --eval-seeds "${QUALITY_EVAL_SEEDS:-101,102,103,104,105,106,107,108,109,110}" \
  --work "$build/quality" --out "${QUALITY_OUT:-QUALITY.md}" ${QUALITY_CONFIG:+--config "$QUALITY_CONFIG"} \
  --machine "$cores cores, $cpu" "${extra[@]}"
