#!/usr/bin/env bash
# make quality: the red-team grid -> QUALITY.md (eval seeds, each main rate
# beside its value in the committed QUALITY.json), QUALITY.json (the new
# figures) and BUILD/quality/TUNE.md (tune seeds). Uses ../shared/data's prompt pools and
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
# The figures committed with the last QUALITY.md are the "before" of this run.
baseline=()
[[ -f ${QUALITY_BASELINE:-QUALITY.json} ]] && baseline=(--baseline "${QUALITY_BASELINE:-QUALITY.json}")
cores=$(nproc)
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || echo unknown)
"$build/src/cli/hydraguard" quality \
  --scale "${QUALITY_SCALE:-0.1}" --campaigns "${QUALITY_CAMPAIGNS:-10}" \
  --tune-seeds "${QUALITY_TUNE_SEEDS:-1,2,3,4,5,6,7,8}" \
  --eval-seeds "${QUALITY_EVAL_SEEDS:-101,102,103,104,105,106,107,108,109,110}" \
  --work "$build/quality" --out "${QUALITY_OUT:-QUALITY.md}" ${QUALITY_CONFIG:+--config "$QUALITY_CONFIG"} \
  --json "${QUALITY_JSON:-QUALITY.json}" "${baseline[@]}" \
  --machine "$cores cores, $cpu" "${extra[@]}"
# The text models (models/text_model.hgtm, compiled in), beside the cue
# phrases they replace: per-class precision and recall on the eval split's
# text (with the prompt pools) and on text written outside the simulator.
printf '\n## Text models\n' >>"${QUALITY_OUT:-QUALITY.md}"
if [[ -d $shared/prompts ]]; then
  "$build/src/cli/hydraguard" train-text-model --score-model shipped --prompts "$shared/prompts" \
    --report "$build/quality/text_model.md" >/dev/null
  {
    printf '\n### On the eval split\n\n'
    printf 'The shipped text models (`models/text_model.hgtm`, trained on the tune split by\n'
    printf '`hydraguard train-text-model`, docs/detection.md) scored on the eval split'"'"'s text: the\n'
    printf 'simulator'"'"'s generators with eval wording and the eval half of the prompt pools,\n'
    printf 'labelled by what generated each text. Beside them, the cue-phrase classifier they\n'
    printf 'replace. `hydraguard train-text-model --score-model shipped --prompts %s`\n\n' "$shared/prompts"
    cat "$build/quality/text_model.md"
  } >>"${QUALITY_OUT:-QUALITY.md}"
fi
# Never trained on: tests/text_models/outside_examples.jsonl (see its README).
"$build/src/cli/hydraguard" train-text-model --score-model shipped \
  --score-on tests/text_models/outside_examples.jsonl --report "$build/quality/text_model_outside.md" >/dev/null
{
  printf '\n### On text written outside the simulator\n\n'
  printf '`tests/text_models/outside_examples.jsonl`: %s prompts written for this test by a\n' \
    "$(wc -l <tests/text_models/outside_examples.jsonl)"
  printf 'writer who saw none of the generators, pools or training examples; never trained on.\n'
  printf 'Lines without labels are prompts in other languages (each should be reported as not\n'
  printf 'covered). `hydraguard train-text-model --score-model shipped --score-on tests/text_models/outside_examples.jsonl`\n\n'
  grep -v '^- not covered' "$build/quality/text_model_outside.md"
} >>"${QUALITY_OUT:-QUALITY.md}"
