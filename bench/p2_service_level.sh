#!/usr/bin/env bash
# P2 service level: the full service-level report (kept.fulfilment.metrics.service_level, the
# whole book by month, against the promise and against the request) over 1 M orders / 3 M lines
# with ~3.2 M deliveries on PostgreSQL. Target (SPEC 5): < 2 s, aggregation in SQL.
#
#   bench/p2_service_level.sh
#
# Environment (all optional):
#   P2_ORDERS=1000000 P2_SEED=1
#   P2_KEEP_DB=1 (keep the database) P2_IDLE_WAIT=600 P2_IDLE_MIN=0.9
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
#
# Builds its own database (kept_p2: dropped and recreated each run), writes the book with COPY,
# scores it once, then times the report: one warm-up and 5 runs per basis (min and median), by
# day, customer, product and region once each, and the upkeep after orders change. EXPLAIN (ANALYZE, BUFFERS) and the raw figures stay in the run directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# the code measured: HEAD, "+uncommitted" when src/, bench/ or pyproject.toml differ from it
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench pyproject.toml \
  && [ -z "$(git ls-files --others --exclude-standard src bench)" ] || echo '+uncommitted')"

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB=${P2_DB:-kept_p2}
PY="$root/.venv/bin/python"
for tool in psql createdb dropdb; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y postgresql-client)" >&2; exit 2; }
done

started=$(date -u +%Y-%m-%dT%H:%MZ)
run=$(mktemp -d -t kept-p2.XXXXXX)
cleanup() {
  status=$?
  [ -n "${P2_KEEP_DB:-}" ] || dropdb --if-exists "$DB" 2>/dev/null || true
  echo "run directory (plans, raw figures): $run"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export KEPT_DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
export KEPT_SECRET_KEY="p2-bench-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export KEPT_DEBUG=0 KEPT_ALLOWED_HOSTS=127.0.0.1 KEPT_SECURE_SSL_REDIRECT=0
export KEPT_DATA_DIR="$run/data" KEPT_LOG_LEVEL=WARNING
mkdir -p "$KEPT_DATA_DIR/static"

# Other people's jobs on the machine skew the figures: wait (up to P2_IDLE_WAIT seconds) for
# the CPUs to be P2_IDLE_MIN idle over 5 s before each measured phase.
wait_quiet() {  # wait_quiet PHASE
  local idle deadline=$(( $(date +%s) + ${P2_IDLE_WAIT:-600} ))
  while :; do
    idle=$("$PY" bench/p2_service_level.py idle 5)
    if awk -v i="$idle" -v m="${P2_IDLE_MIN:-0.9}" 'BEGIN { exit !(i >= m) }'; then break; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "warning: the machine is still busy (idle $idle); measuring anyway" >&2; break
    fi
    echo "machine busy (idle $idle): waiting before $1"; sleep 10
  done
  echo "$idle" >"$run/idle_$1.txt"
}

# Something on a shared machine may kill a long step: each step saves its figures as it goes
# and starts again where it stopped, at most three times.
again() {  # again COMMAND...
  local attempt
  for attempt in 1 2 3; do
    "$@" && return 0
    echo "interrupted (attempt $attempt); going on from the last saved figure" >&2
  done
  return 1
}

echo "== database $DB: migrate"
dropdb --if-exists "$DB" && createdb "$DB"
.venv/bin/kept migrate --quiet

wait_quiet generate
echo "== generate ${P2_ORDERS:-1000000} orders (COPY)"
"$PY" bench/p2_service_level.py generate "$run"

wait_quiet score
echo "== score the whole book (kept.fulfilment.scores.rebuild)"
"$PY" bench/p2_service_level.py score "$run"

wait_quiet measure
echo "== measure service_level"
again "$PY" bench/p2_service_level.py measure "$run" >/dev/null

cat >"$run/meta.json" <<EOF
{"date": "$started",
 "commit": "$commit",
 "host": "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(. /etc/os-release; echo "$PRETTY_NAME")",
 "pg_version": "$(psql -qtA -d postgres -c 'show server_version' | cut -d' ' -f1)",
 "pg_settings": "$(psql -qtAX -d postgres -c "select string_agg(name || '=' || current_setting(name), ' ' order by name) from pg_settings where name in ('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather')")"}
EOF
echo
"$PY" bench/p2_service_level.py report "$run"
