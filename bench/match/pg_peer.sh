#!/bin/sh
# pg_peer.sh - the fuzzy self-join a registry on PostgreSQL 15 would write,
# on the same generated records: names transliterated to Latin with ICU
# (uconv Any-Latin; Latin-ASCII; Lower), then pg_trgm similarity on the
# family name (GIN index), trigram similarity or Double Metaphone on the
# given name, and equal birth years when both are known.
# Usage: pg_peer.sh RECORDS.csv OUT_PAIRS.csv
# Starts its own server with initdb on a private Unix socket in a temporary
# directory (as the postgres user when run as root); no network.
set -eu
in=$1
out=$2
bin=/usr/lib/postgresql/15/bin
tmp=$(mktemp -d /tmp/hwpg.XXXXXX)
chmod 755 "$tmp"
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    run "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
[ "$(id -u)" = 0 ] && chown postgres "$tmp"
run "$bin/initdb" -D "$tmp/data" -A trust -U bench --no-sync >/dev/null
run "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w \
    -o "-k $tmp -c listen_addresses= -c fsync=off -c shared_buffers=256MB -c work_mem=128MB" start >/dev/null
uconv -x 'Any-Latin; Latin-ASCII; Lower' "$in" > "$tmp/latin.csv"
chmod 644 "$tmp/latin.csv"
start=$(date +%s.%N)
run "$bin/psql" -h "$tmp" -U bench -d postgres -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION pg_trgm;
CREATE EXTENSION fuzzystrmatch;
CREATE TABLE p (id text, given text, family text, patronymic text, birth_date text,
                birth_place text, sex text, person text);
\copy p FROM '$tmp/latin.csv' WITH (FORMAT csv, HEADER true)
ALTER TABLE p ADD COLUMN birth_year int;
UPDATE p SET birth_year = substring(birth_date from '(\d{4})')::int;
CREATE INDEX ON p USING gin (family gin_trgm_ops);
ANALYZE p;
SET pg_trgm.similarity_threshold = 0.5;
\copy (SELECT a.id, b.id FROM p a JOIN p b ON a.family % b.family AND a.id < b.id WHERE (similarity(a.given, b.given) >= 0.5 OR dmetaphone(a.given) = dmetaphone(b.given)) AND (a.birth_year IS NULL OR b.birth_year IS NULL OR a.birth_year = b.birth_year)) TO '$tmp/pairs.csv' WITH (FORMAT csv)
SQL
end=$(date +%s.%N)
{ echo "id_l,id_r"; cat "$tmp/pairs.csv"; } > "$out"
echo "postgresql peer: self-join of $(($(wc -l < "$in") - 1)) records in $(awk "BEGIN { printf \"%.1f\", $end - $start }") s"
