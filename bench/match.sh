#!/bin/sh
# bench/match.sh BUILD_DIR - the matching engine's benchmark (see issue 4).
#
# Generates labelled records (bench/match/gen.py) at 10,000 and 1,000,000
# records, deduplicates them with the engine and prints pairwise precision,
# recall and F1, candidate recall, time and peak RSS; runs the PostgreSQL 15
# peer (pg_trgm + fuzzystrmatch self-join) on the same 10,000 records and
# prints its scores; times duplicate queries and name searches against the
# 1,000,000 indexed records; measures comparator throughput.
# MATCH_BENCH_SIZES overrides the sizes ("10000 1000000").
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=$build/bench/match-data
drv=$build/bench/match_drv
sizes=${MATCH_BENCH_SIZES:-"10000 1000000"}
mkdir -p "$data"
make -s -C "$root" BUILD="$build" "$drv" >/dev/null
echo "== matching engine (homeward match), $(nproc) cores"
for n in $sizes; do
    f=$data/gen-$n.csv
    [ -s "$f" ] || python3 "$here/match/gen.py" "$n" "$f" 11
    echo "-- $n records"
    /usr/bin/time -f "cpu: %U s user, %S s system; wall %e s; peak RSS %M KB" \
        timeout 900 "$drv" match "$f" --truth person --threads 2 \
        --pairs "$data/pairs-$n.csv" --clusters "$data/clusters-$n.csv" 2>&1 | grep -v '^peak RSS'
done
first=$(echo "$sizes" | awk '{print $1}')
last=$(echo "$sizes" | awk '{print $NF}')
echo "== PostgreSQL 15 peer (pg_trgm %, similarity/dmetaphone, birth year) on $first records"
if command -v /usr/lib/postgresql/15/bin/initdb >/dev/null 2>&1; then
    timeout 900 "$here/match/pg_peer.sh" "$data/gen-$first.csv" "$data/pg-$first.csv" &&
        python3 "$here/match/eval.py" "$data/gen-$first.csv" "$data/pg-$first.csv" postgresql
    python3 "$here/match/eval.py" "$data/gen-$first.csv" "$data/pairs-$first.csv" homeward
else
    echo "PostgreSQL 15 is not installed (make deps-bench)"
fi
echo "== queries against $last indexed records"
timeout 900 "$drv" query "$data/gen-$last.csv" 2000
echo "== comparators"
"$drv" cmp
