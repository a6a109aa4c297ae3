#!/usr/bin/env bash
# Times `kept demo` (the full demo business) on a fresh SQLite database. Target: < 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export KEPT_DEBUG=1 KEPT_DATA_DIR="$dir" KEPT_DATABASE_URL=
.venv/bin/kept migrate --quiet
start=$(date +%s.%N)
.venv/bin/kept demo --seed "${1:-1}" | tail -n 9 | head -n 1
end=$(date +%s.%N)
printf 'kept demo wall time: %.1f s\n' "$(echo "$end - $start" | bc)"
