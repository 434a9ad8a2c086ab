#!/usr/bin/env bash
# run.sh - the whole test suite against one build: the C unit tests, then
# the black-box API tests (node:test) against the built binary.
# usage: tests/run.sh BUILD_DIR        (build/ or build/san/)
# Ends with one line "N passed, N failed"; exits non-zero if any failed.
set -uo pipefail

build=${1:-build}
export HOMEWARD_BIN="$PWD/$build/homeward"
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests ($build)"
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    if "$t" >"$log" 2>&1; then status=0; else status=$?; fi
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    p=${p:-0}
    f=${f:-0}
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # crashed or leaked before it could count
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        echo "FAIL $(basename "$t")"
        cat "$log"
    else
        echo "ok   $(basename "$t") ($p)"
    fi
done

echo "== API tests ($build)"
# Two test files at a time where this node knows how (Node 20); Debian's
# Node 18 runs them its own way.
conc=
node --help 2>/dev/null | grep -q -- '--test-concurrency' && conc=--test-concurrency=2
if node --test --test-reporter=tap $conc tests/api/ >"$log" 2>&1; then status=0; else status=$?; fi
p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$log" | tail -1)
f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$log" | tail -1)
p=${p:-0}
f=${f:-0}
if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
fi
grep -E '^(not ok|ok) ' "$log" | sed 's/^/  /'
if [ "$f" -ne 0 ]; then
    echo "-- failures:"
    grep -B2 -A30 '^not ok' "$log" | head -300
fi
passed=$((passed + p))
failed=$((failed + f))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
