#!/usr/bin/env bash
# lint.sh - fail on SQL or HTML built with printf-style formatting, where a
# %s could carry user text into a statement or a page (after Fossil's
# codecheck1.c). Values go through sqlite3_bind_*; HTML through the
# escaping emitter. A line may opt out with a comment saying why:
# "lint: trusted".
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0

check() {
    local what=$1 pattern=$2 hits
    hits=$(grep -rnE "$pattern" src/ --include='*.c' --include='*.h' | grep -v 'lint: trusted' || true)
    if [ -n "$hits" ]; then
        echo "lint: $what:" >&2
        echo "$hits" >&2
        bad=1
    fi
}

# A format string holding SQL and a %s, %q or %z conversion.
check "SQL built with a format conversion" \
    '"[^"]*\b(SELECT|INSERT|UPDATE|DELETE|WHERE|VALUES|PRAGMA|CREATE|DROP|ALTER)\b[^"]*%[-+ #0-9.]*[sqQz]'
# A format string holding an HTML tag and a %s conversion.
check "HTML built with a format conversion" '"[^"]*<[a-zA-Z/!][^"]*%[-+ #0-9.]*s'
# SQLite's own formatter is the same hazard.
check "sqlite3_mprintf (bind values instead)" 'sqlite3_(v)?mprintf|sqlite3_snprintf'

if [ "$bad" -ne 0 ]; then
    echo "lint: failed" >&2
    exit 1
fi
echo "lint: ok (no SQL or HTML built with format conversions)"
