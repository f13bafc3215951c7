# Shared helpers for the end-to-end CLI tests (sourced, not run).
# Each check prints "ok: NAME" or "FAIL: ..."; `finish` prints the closing
# "N passed, N failed" line and returns non-zero if anything failed.
failures=0
passes=0
check() {  # check NAME EXPECTED_STATUS ACTUAL_STATUS
  if [[ $2 -ne $3 ]]; then echo "FAIL: $1: exit status $3, expected $2"; failures=$((failures + 1)); else echo "ok: $1"; passes=$((passes + 1)); fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then echo "ok: $1"; passes=$((passes + 1)); else echo "FAIL: $1: '$3' not in $2:"; cat "$2"; failures=$((failures + 1)); fi
}
finish() {
  echo "$passes passed, $failures failed"
  [[ $failures -eq 0 ]]
}
