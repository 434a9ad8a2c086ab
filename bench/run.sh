#!/usr/bin/env bash
# run.sh - run the benchmarks bench/*.sh (all but this one, in name order, or
# only those named) with the build directory as their argument, one after
# the other; `make bench` calls it. Benchmarks print figures; none is a test.
# Exits non-zero if any failed to run.
#
# usage: bench/run.sh [BUILD_DIR [NAME...]]    e.g. bench/run.sh build http
set -uo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift || true
failed=0
for b in bench/*.sh; do
    name=$(basename "$b" .sh)
    [ "$name" = run ] && continue
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
        continue
    fi
    echo "=== bench/$name.sh ==="
    rc=0
    bash "$b" "$BUILD" || rc=$?
    [ "$rc" = 0 ] || { echo "=== bench/$name.sh failed (exit $rc) ==="; failed=1; }
    echo
done
exit $failed
