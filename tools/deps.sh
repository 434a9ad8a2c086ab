#!/usr/bin/env bash
# deps.sh - make sure the Debian packages Homeward needs are installed.
# usage: tools/deps.sh PACKAGE...
# Installs the missing ones with apt-get when run as root; otherwise prints
# the exact command to run and fails.
set -euo pipefail

missing=()
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        # A node from another source (nodesource) also satisfies nodejs.
        if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then
            continue
        fi
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages; run as root: apt-get update && $cmd" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$cmd
