#!/usr/bin/env bash
# http.sh - Homeward's HTTP benchmark: a program that prints its figures, not
# a test. In one run, side by side, on loopback, with wrk:
#   (a) a bare libmicrohttpd server answering a fixed JSON body (bench/http/
#       bare.c, the same daemon settings as Homeward): the limit of this machine;
#   (b) Homeward's GET /api/v1/persons/{id} for random ids, on a database of
#       100,000 demo persons, with a bearer token;
#   (c) durable POST /api/v1/persons (synchronous=FULL is always on).
# (a) and (b) take turns, HW_BENCH_ROUNDS times each (see "(a) and (b) take
# turns" below). It prints requests/s and latency for each (their middle
# rounds), every round's req/s and ratio, the middle ratio b/a, the server's
# RSS after (b), and how many persons (c) really stored.
#
# usage: bench/http.sh [BUILD_DIR]        (make bench runs it through run.sh)
# environment: HW_BENCH_PERSONS (100000), HW_BENCH_DURATION (10 seconds per run),
#   HW_BENCH_ROUNDS (3: turns of (a) and (b), see below), HW_BENCH_WARM (10 seconds
#   of warm-up for both servers before the first round),
#   HW_BENCH_CONNECTIONS (32), HW_BENCH_THREADS (2: wrk threads),
#   HW_BENCH_PERF=1 also records each Homeward run with perf and prints the top
#   functions, HW_BENCH_DB=FILE measures a copy of an existing database (its
#   key file FILE.key beside it) instead of demo data.
# The demo database takes minutes to make; it is cached under BUILD_DIR/bench/,
# keyed by the homeward binary, with the ids fetched from the API, and each run
# works on a copy of it, so the cache stays as made. Every step is bounded in
# time; servers are stopped with SIGTERM and the work directory is removed.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
HWBIN=$BUILD/homeward
PERSONS=${HW_BENCH_PERSONS:-100000}
DURATION=${HW_BENCH_DURATION:-10}
ROUNDS=${HW_BENCH_ROUNDS:-3}
WARM=${HW_BENCH_WARM:-10}
CONNS=${HW_BENCH_CONNECTIONS:-32}
THREADS=${HW_BENCH_THREADS:-2}
PERF=${HW_BENCH_PERF:-0}
SOURCE_DB=${HW_BENCH_DB:-}
BENCH=$BUILD/bench
LUA=$PWD/bench/http
WRK_LIMIT=$((DURATION + 30))  # seconds any one wrk may take at most

die() { echo "bench/http.sh: $*" >&2; exit 1; }

[ -x "$HWBIN" ] || die "no $HWBIN: run make first"
command -v wrk >/dev/null || die "wrk is missing: apt-get install wrk (make deps-bench)"
command -v curl >/dev/null || die "curl is missing: apt-get install curl"
pkg-config --exists libmicrohttpd || die "libmicrohttpd-dev is missing (make deps)"
mkdir -p "$BENCH"

WORK=$(mktemp -d "$BENCH/run.XXXXXX")
# A copy of the binary: a rebuild during the run changes nothing here.
HW=$WORK/homeward
cp "$HWBIN" "$HW"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do stop_server "$pid"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME COMMAND...: run it in the background and wait (15 s at
# most) for its "listening on http://127.0.0.1:PORT" line; sets PID and PORT.
start_server() {
    local name=$1 out="$WORK/$1.out" i
    shift
    "$@" >"$out" 2>"$WORK/$name.err" &
    PID=$!
    PIDS+=("$PID")
    for i in $(seq 150); do
        PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$out")
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$WORK/$name.err" >&2
    die "$name did not start"
}

# stop_server PID: SIGTERM, then SIGKILL after 10 s.
stop_server() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    echo "bench/http.sh: process $pid did not stop on SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

forget_server() {
    local keep=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]+"${keep[@]}"}")
}

# bounded SECONDS COMMAND...: run it with a time limit, in the background so
# that a signal to this script stops it too (bash runs traps only between
# foreground commands). Returns its exit status.
bounded() {
    local secs=$1 p rc=0
    shift
    timeout "$secs" "$@" &
    p=$!
    PIDS+=("$p")
    wait "$p" || rc=$?
    forget_server "$p"
    return $rc
}

# db_copy SRC DST: a database with its write-ahead log and its key file.
# Nothing may be writing to SRC meanwhile.
db_copy() {
    local ext
    cp "$1" "$2"
    for ext in -wal .key; do
        rm -f "$2$ext"
        [ ! -e "$1$ext" ] || cp -p "$1$ext" "$2$ext"
    done
}

new_token() {
    "$HW" token create --db "$1" --user admin --name "$2" 2>/dev/null | grep -o 'hwt_[A-Za-z0-9_-]*' | head -1 || true
}

# Servers run with --user root: started as root, homeward serve would become
# nobody, who may not enter the private work directory; it changes no figure.

# fetch_ids DB OUT: the ids of every person, through GET /api/v1/persons pages
# of 100 (larger pages are bulk reads, limited to 120 an hour).
fetch_ids() {
    local db=$1 out=$2 token cursor="" n code
    token=$(new_token "$db" bench-ids)
    start_server ids "$HW" serve --db "$db" --listen 127.0.0.1:0 --quiet --user root
    : >"$out"
    for _ in $(seq 10000); do
        code=$(curl -s --max-time 60 -o "$WORK/page" -w '%{http_code}' -H "Authorization: Bearer $token" \
            "http://127.0.0.1:$PORT/api/v1/persons?limit=100${cursor:+&cursor=$cursor}") || code="none"
        [ "$code" = 200 ] || die "GET /api/v1/persons answered $code: $(head -c 300 "$WORK/page")"
        grep -o '"id":"[0-9a-f-]\{36\}"' "$WORK/page" | cut -d'"' -f4 >>"$out" || true
        cursor=$(grep -o '"next":"[^"]*"' "$WORK/page" | cut -d'"' -f4 || true)
        [ -n "$cursor" ] || break
    done
    stop_server "$PID"
    forget_server "$PID"
    n=$(wc -l <"$out")
    [ "$n" -gt 0 ] || die "no persons in $db"
}

DB=$WORK/homeward.db
if [ -n "$SOURCE_DB" ]; then
    # ---- a database of the caller's ----
    [ -s "$SOURCE_DB" ] || die "HW_BENCH_DB: no database $SOURCE_DB"
    db_copy "$SOURCE_DB" "$DB"
    bounded 600 "$HW" migrate --db "$DB" >/dev/null || die "homeward migrate failed on the copy of $SOURCE_DB"
    IDS=$WORK/ids
    echo "Fetching the person ids of $SOURCE_DB through the API"
    fetch_ids "$DB" "$IDS"
    PERSONS=$(wc -l <"$IDS")
else
    # ---- demo persons, cached by binary ----
    KEY=$(sha256sum "$HW" | cut -c1-16)
    CACHE=$BENCH/persons-$PERSONS-$KEY.db
    IDS=$CACHE.ids
    if [ ! -e "$CACHE.done" ]; then
        echo "Making a database of $PERSONS demo persons (minutes; cached as $CACHE)"
        rm -f "$BENCH"/persons-"$PERSONS"-*.db "$BENCH"/persons-"$PERSONS"-*.db[.-]*
        MK=$WORK/make.db
        bounded 300 "$HW" init --db "$MK" >/dev/null  # its admin password is of no use: tokens below
        t0=$(date +%s)
        bounded 7200 "$HW" demo --db "$MK" --persons "$PERSONS" --seed 1 >/dev/null ||
            die "homeward demo failed or took more than two hours"
        echo "  demo data made in $(($(date +%s) - t0)) s; fetching the person ids through the API"
        fetch_ids "$MK" "$WORK/ids"
        [ "$(wc -l <"$WORK/ids")" -ge "$PERSONS" ] || die "fetched only $(wc -l <"$WORK/ids") ids"
        db_copy "$MK" "$CACHE"
        mv "$WORK/ids" "$IDS" && touch "$CACHE.done"  # made in full
    fi
    db_copy "$CACHE" "$DB"
fi
TOKEN=$(new_token "$DB" bench)
[ -n "$TOKEN" ] || die "could not create a token"

# ---- measuring ----
# wrk_run NAME URL [ARGS...]: warm up 2 s, then measure; results in $WORK/NAME.wrk.
wrk_run() {
    local name=$1
    shift
    bounded 40 wrk -t"$THREADS" -c"$CONNS" -d2s --timeout 5s "$@" >/dev/null 2>&1 || true
    bounded "$WRK_LIMIT" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency "$@" \
        >"$WORK/$name.wrk" 2>&1 || { cat "$WORK/$name.wrk" >&2; die "wrk failed for $name"; }
}

# wrk_field NAME WHAT: rps, p50, p99 (in ms), requests, errors (non-2xx and socket errors).
wrk_field() {
    awk -v what="$2" '
        function ms(v) {
            if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
            if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v
        }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
        / requests in / { reqs = $1 }
        /Non-2xx or 3xx responses:/ { err += $NF }
        /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
        END {
            if (what == "rps") print rps + 0; else if (what == "p50") print p50 + 0
            else if (what == "p99") print p99 + 0; else if (what == "requests") print reqs + 0
            else print err + 0
        }' "$WORK/$1.wrk"
}

# perf_start PID NAME / perf_stop: with HW_BENCH_PERF=1, profile the server.
PERF_PID=
perf_start() {
    [ "$PERF" = 1 ] && command -v perf >/dev/null || return 0
    timeout $((DURATION + 20)) perf record -q -g -p "$1" -o "$WORK/$2.perf" -- sleep "$((DURATION + 2))" \
        >/dev/null 2>&1 &
    PERF_PID=$!
    PIDS+=("$PERF_PID")
}
perf_stop() {
    [ -n "$PERF_PID" ] || return 0
    wait "$PERF_PID" 2>/dev/null || true
    forget_server "$PERF_PID"
    PERF_PID=
    echo "--- perf: where $1 spends its time (self, top 25) ---"
    perf report -i "$WORK/$1.perf" --stdio --no-children --sort symbol 2>/dev/null |
        grep -v '^#' | grep '%' | grep -v '^ *-' | grep -v '^ *|' | head -25 || true
}

echo "Homeward HTTP benchmark: wrk -t$THREADS -c$CONNS -d${DURATION}s on loopback, (a) and (b) in $ROUNDS alternating rounds, $(nproc) CPUs,"
echo "  libmicrohttpd $(pkg-config --modversion libmicrohttpd), $("$HW" version 2>/dev/null | head -1)"
echo "  database: $PERSONS persons, $(du -m "$DB" | cut -f1) MB on $(stat -f -c %T "$WORK")"
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine skews every figure)"

# (a) and (b) take turns, ROUNDS times each, both servers up all along: this
# machine's speed drifts by a fifth from one minute to the next, and (a)
# measured long before (b) would compare two different machines. Each
# figure below is the middle one of its rounds; the ratio is the middle one
# of the rounds' ratios, each (b) over the (a) just before it.
cc -std=c11 -O2 -Wall -Wextra bench/http/bare.c $(pkg-config --cflags --libs libmicrohttpd) -lpthread \
    -o "$BENCH/bare"
start_server bare "$BENCH/bare" 127.0.0.1 0
BAREPID=$PID
BAREPORT=$PORT
start_server homeward "$HW" serve --db "$DB" --listen 127.0.0.1:0 --quiet --user root
HWPID=$PID
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/v1/persons/$(head -1 "$IDS")")
[ "$code" = 200 ] || die "GET /api/v1/persons/{id} answered $code, not 200"
# Both servers are first warmed up for WARM seconds (Homeward's readers
# start with empty page caches, which a server that runs for days never has).
bounded $((WARM + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${WARM}s" --timeout 5s -s "$LUA/get.lua" \
    "http://127.0.0.1:$BAREPORT" -- "$IDS" /api/v1/persons/ "$TOKEN" >/dev/null 2>&1 || true
bounded $((WARM + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${WARM}s" --timeout 5s -s "$LUA/get.lua" \
    "http://127.0.0.1:$PORT" -- "$IDS" /api/v1/persons/ "$TOKEN" >/dev/null 2>&1 || true
perf_start "$HWPID" b
for round in $(seq "$ROUNDS"); do
    wrk_run "a$round" "http://127.0.0.1:$BAREPORT" -s "$LUA/get.lua" -- "$IDS" /api/v1/persons/ "$TOKEN"
    wrk_run "b$round" "http://127.0.0.1:$PORT" -s "$LUA/get.lua" -- "$IDS" /api/v1/persons/ "$TOKEN"
done
RSS=$(awk '/^VmRSS:/ { print $2 }' "/proc/$HWPID/status")
HWM=$(awk '/^VmHWM:/ { print $2 }' "/proc/$HWPID/status")
perf_stop b >"$WORK/b.top"
stop_server "$BAREPID"
forget_server "$BAREPID"
# middle NAME: the round of NAME (a or b) with the middle req/s, as its wrk output
middle() {
    local r
    for r in $(seq "$ROUNDS"); do echo "$(wrk_field "$1$r" rps) $r"; done | sort -n |
        awk -v k=$(((ROUNDS + 1) / 2)) 'NR == k { print $2 }'
}
cp "$WORK/a$(middle a).wrk" "$WORK/a.wrk"
cp "$WORK/b$(middle b).wrk" "$WORK/b.wrk"
RATIOS=$(for r in $(seq "$ROUNDS"); do
    awk -v a="$(wrk_field "a$r" rps)" -v b="$(wrk_field "b$r" rps)" 'BEGIN { printf "%.2f\n", (a > 0) ? b / a : 0 }'
done)

BEFORE=$(sqlite3 -readonly "$DB" "SELECT count(*) FROM persons" 2>/dev/null || echo "")
perf_start "$HWPID" c
wrk_run c "http://127.0.0.1:$PORT/api/v1/persons" -s "$LUA/post.lua" -- "$TOKEN"
perf_stop c >"$WORK/c.top"
stop_server "$HWPID"
forget_server "$HWPID"
AFTER=$(sqlite3 -readonly "$DB" "SELECT count(*) FROM persons" 2>/dev/null || echo "")

# ---- the figures ----
row() {
    printf '%-42s %10.0f %9.2f %9.2f %9d\n' "$1" "$(wrk_field "$2" rps)" "$(wrk_field "$2" p50)" \
        "$(wrk_field "$2" p99)" "$(wrk_field "$2" errors)"
}
echo
printf '%-42s %10s %9s %9s %9s\n' "run" "req/s" "p50 ms" "p99 ms" "errors"
row "(a) bare libmicrohttpd, fixed JSON" a
row "(b) GET /api/v1/persons/{id}" b
row "(c) POST /api/v1/persons (durable)" c
echo
C_OK=$(awk -v r="$(wrk_field c rps)" -v n="$(wrk_field c requests)" -v e="$(wrk_field c errors)" \
    'BEGIN { printf "%.0f", (n > 0) ? r * (n - e) / n : 0 }')
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = (dir == "min") ? (v >= t) : (v <= t); print (ok ? "met" : "MISSED") }'; }
RATIO=$(echo "$RATIOS" | sort -n | awk -v k=$(((ROUNDS + 1) / 2)) 'NR == k')
RSS_MB=$(awk -v k="$RSS" 'BEGIN { printf "%.0f", k / 1024 }')
HWM_MB=$(awk -v k="$HWM" 'BEGIN { printf "%.0f", k / 1024 }')
printf '%-42s %s\n' "(a), (b) req/s per round:" "$(for r in $(seq "$ROUNDS"); do printf '%.0f/%.0f ' \
    "$(wrk_field "a$r" rps)" "$(wrk_field "b$r" rps)"; done)"
printf '%-42s %s\n' "ratio b/a per round:" "$(echo $RATIOS)"
printf '%-42s %s\n' "ratio b/a, middle round (target >= 0.5):" "$RATIO  $(verdict "$RATIO" 0.5 min)"
printf '%-42s %s\n' "durable creates/s (target >= 1000):" "$C_OK  $(verdict "$C_OK" 1000 min)"
printf '%-42s %s\n' "server RSS after (b), $PERSONS persons (<= 200 MB):" \
    "$RSS_MB MB (peak $HWM_MB MB)  $(verdict "$RSS_MB" 200 max)"
if [ -n "$BEFORE" ] && [ -n "$AFTER" ]; then
    printf '%-42s %s\n' "persons stored by (c) incl. warm-up:" "$((AFTER - BEFORE))"
fi
if [ "$PERF" = 1 ]; then
    echo
    cat "$WORK/b.top" "$WORK/c.top"
fi
