#!/usr/bin/env bash
# sqlmap.sh - an injection scan of the live server on loopback, as an
# attacker would run it: sqlmap --level=5 --risk=3 against the routes that
# take query parameters, path ids and JSON bodies, authenticated as admin.
# Prints, per target, whether sqlmap found an injection; the expected
# figure is zero. A benchmark-style job (minutes), not a test.
#
# usage: bench/sqlmap.sh BUILD_DIR     (needs Debian's sqlmap: make deps-bench)
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BIN="$PWD/$BUILD/homeward"
PER_TARGET=${SQLMAP_SECONDS:-240}

command -v sqlmap >/dev/null || { echo "sqlmap: not installed (make deps-bench)"; exit 1; }
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
"$BIN" init --db "$dir/h.db" >/dev/null
"$BIN" demo --db "$dir/h.db" --persons 200 >/dev/null
token=$("$BIN" token create --db "$dir/h.db" --user admin --name sqlmap 2>/dev/null)
"$BIN" serve --db "$dir/h.db" --listen 127.0.0.1:0 --quiet --user root >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$dir/out")
[ -n "$url" ] || { echo "sqlmap: server did not start"; cat "$dir/err"; exit 1; }
person=$(curl -s -H "Authorization: Bearer $token" "$url/api/v1/persons?limit=1" | sed -n 's/.*"items":\[{"id":"\([^"]*\)".*/\1/p')

targets=(
  "GET|$url/api/v1/persons?q=petros&sex=male&birth_year=1970&origin_settlement=stepanakert&sort=family_name&limit=5|"
  "GET|$url/api/v1/persons/$person*?reveal=contact&purpose=tracing|"
  "GET|$url/api/v1/settlements?q=stepan&limit=5|"
  "GET|$url/api/v1/returns?status=registered&intention=undecided&sort=requested_date|"
  "POST|$url/api/v1/persons|{\"family_name\":\"Sqlmapyan\",\"given_name\":\"Test\",\"sex\":\"male\",\"birth_date\":\"1980\",\"origin_settlement\":\"stepanakert\"}"
  "POST|$url/api/v1/sessions|{\"username\":\"admin\",\"password\":\"not-the-password\"}"
)
found=0
echo "sqlmap $(sqlmap --version 2>/dev/null | grep -oE '^[0-9][0-9.]*' | head -1) --level=5 --risk=3 against $url (at most ${PER_TARGET}s per target)"
for t in "${targets[@]}"; do
  IFS='|' read -r method target data <<<"$t"
  headers="Authorization: Bearer $token"
  [ -n "$data" ] && headers+=$'\n'"Content-Type: application/json"
  args=(-u "$target" --batch --level=5 --risk=3 --flush-session --disable-coloring --output-dir="$dir/sqlmap"
        --headers="$headers" --method="$method" --threads=2 --technique=BEUST --ignore-code=401,429)
  [ -n "$data" ] && args+=(--data="$data")
  start=$(date +%s)
  timeout "$PER_TARGET" sqlmap "${args[@]}" >"$dir/log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  reqs=$(grep -c "" "$dir/log")
  if grep -qiE "is vulnerable|sqlmap identified the following injection" "$dir/log"; then
    verdict="INJECTION FOUND"; found=$((found + 1))
  elif [ $rc -eq 124 ]; then
    verdict="no injection found in ${PER_TARGET}s (time bound reached)"
  elif grep -q 'all tested parameters do not appear to be injectable' "$dir/log"; then
    verdict="no injection found (all parameters tested)"
  else
    verdict="sqlmap stopped early: $(grep -E 'CRITICAL|ERROR' "$dir/log" | tail -1)"
  fi
  printf '%-6s %-60s %4ss  %s\n' "$method" "${target#"$url"}" "$secs" "$verdict"
done
echo "sqlmap: $found injection(s) found"
[ "$found" -eq 0 ]
