#!/usr/bin/env bash
# run.sh - what `make run` does: a demo database on first run, a fresh admin
# password every run, then the server until Ctrl-C.
# usage: tools/run.sh BINARY DB LISTEN PERSONS
set -euo pipefail
bin=$1 db=$2 listen=$3 persons=$4

if [ ! -e "$db" ]; then
    "$bin" init --db "$db"
    "$bin" demo --db "$db" --persons "$persons"
else
    "$bin" migrate --db "$db"
    echo "existing database $db kept; a new admin password for this run:"
    "$bin" user passwd admin --db "$db"
fi
echo "log in with POST /api/v1/sessions, or: $bin token create --db $db --user admin --name me"
exec "$bin" serve --db "$db" --listen "$listen"
