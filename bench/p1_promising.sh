#!/usr/bin/env bash
# P1 promising: promise decisions through the HTTP API (POST /api/v1/orders) with 8 concurrent
# clients on PostgreSQL, then pgbench's simple-update TPS on the same machine, and the ratio.
# Target (SPEC 5): >= 300 decisions/s, p99 < 100 ms on 2 cores, no errors.
#
#   bench/p1_promising.sh
#
# Environment (all optional):
#   P1_DURATION=30s P1_DRY_DURATION=30s P1_WARMUP=10s P1_CLIENTS=8 P1_WRK_THREADS=2
#   P1_PORT=8931 P1_PGBENCH_SECONDS=30 P1_SEED=1 P1_KEEP_DB=1 (keep the databases)
#   P1_GUNICORN="--workers 4 --worker-class gthread --threads 2" P1_APP=kept.wsgi:application
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
#
# Builds its own databases (kept_bench, kept_bench_pgbench: dropped and recreated each run),
# serves on loopback only, and stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# the code measured: HEAD, "+uncommitted" when src/, bench/ or pyproject.toml differ from it
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench pyproject.toml \
  && [ -z "$(git ls-files --others --exclude-standard src bench)" ] || echo '+uncommitted')"

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB=kept_bench
PGB_DB=kept_bench_pgbench
PORT=${P1_PORT:-8931}
DURATION=${P1_DURATION:-30s}
DRY_DURATION=${P1_DRY_DURATION:-30s}
WARMUP=${P1_WARMUP:-10s}
CLIENTS=${P1_CLIENTS:-8}
WRK_THREADS=${P1_WRK_THREADS:-2}
PGBENCH_SECONDS=${P1_PGBENCH_SECONDS:-30}
GUNICORN_OPTS=${P1_GUNICORN:---workers 4 --worker-class gthread --threads 2}
APP=${P1_APP:-kept.wsgi:application}  # another WSGI entry point, for experiments
PY="$root/.venv/bin/python"

for tool in wrk pgbench psql createdb dropdb curl; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y wrk postgresql-client)" >&2; exit 2; }
done
[ -x .venv/bin/gunicorn ] || { echo "missing: gunicorn in .venv (pip install gunicorn)" >&2; exit 2; }

started=$(date -u +%Y-%m-%dT%H:%MZ)
run=$(mktemp -d -t kept-p1.XXXXXX)
gunicorn_pid=""
cleanup() {
  status=$?
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill -TERM "$gunicorn_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$gunicorn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$gunicorn_pid" 2>/dev/null || true
  fi
  if [ -z "${P1_KEEP_DB:-}" ]; then
    dropdb --if-exists "$DB" 2>/dev/null || true
    dropdb --if-exists "$PGB_DB" 2>/dev/null || true
  fi
  rm -rf "$run"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export KEPT_DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
export KEPT_SECRET_KEY="p1-bench-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export KEPT_DEBUG=0 KEPT_ALLOWED_HOSTS=127.0.0.1 KEPT_SECURE_SSL_REDIRECT=0
export KEPT_DATA_DIR="$run/data" KEPT_LOG_LEVEL=WARNING
# Persistent connections as in production (default 60 s), held for the whole run so that the
# CPU accounting of the PostgreSQL backends sees the same processes before and after.
export KEPT_DB_CONN_MAX_AGE=${KEPT_DB_CONN_MAX_AGE:-600}
export P1_DATA="$run/data.lua" P1_SEED=${P1_SEED:-1}

mkdir -p "$KEPT_DATA_DIR/static"  # whitenoise warns about a missing STATIC_ROOT otherwise

echo "== database $DB: migrate, demo, stock"
dropdb --if-exists "$DB" && createdb "$DB"
.venv/bin/kept migrate --quiet
.venv/bin/kept demo --seed 1 >/dev/null
"$PY" bench/p1_promising.py prepare "$run"

echo "== gunicorn $GUNICORN_OPTS on 127.0.0.1:$PORT"
# shellcheck disable=SC2086  # the options are words on purpose
.venv/bin/gunicorn "$APP" --bind "127.0.0.1:$PORT" $GUNICORN_OPTS \
  --log-level warning --error-logfile "$run/gunicorn.log" &
gunicorn_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
  kill -0 "$gunicorn_pid" || { cat "$run/gunicorn.log" >&2; exit 1; }
  sleep 0.1
done
token=$(cat "$run/token")
probe=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -X POST "http://127.0.0.1:$PORT/api/v1/orders" \
  --data '{"customer":"nobody","lines":[]}')
[ "$probe" = 422 ] || { echo "probe answered HTTP $probe, expected 422" >&2; exit 1; }

wrk_run() {  # wrk_run DURATION OUTFILE [dry]: wrk's own CPU (user sys seconds) in OUTFILE.time
  local TIMEFORMAT='%U %S'
  { time P1_DRY_RUN=${3:-0} wrk -t"$WRK_THREADS" -c"$CLIENTS" -d"$1" --timeout 10s --latency \
      -s bench/p1_promising.lua "http://127.0.0.1:$PORT" >"$2"; } 2>"$2.time"
}
measure() {  # measure NAME DURATION [dry]: CPU snapshots around the wrk run
  "$PY" bench/p1_promising.py cpu "$gunicorn_pid" >"$run/cpu_$1_before.json"
  wrk_run "$2" "$run/wrk_$1.txt" "${3:-0}"
  "$PY" bench/p1_promising.py cpu "$gunicorn_pid" >"$run/cpu_$1_after.json"
}

# Other people's jobs on the machine skew the figures: before each measured phase, wait (up to
# P1_IDLE_WAIT seconds) for the CPUs to be P1_IDLE_MIN idle over 5 s; the report shows the CPU
# other processes used during each phase anyway.
wait_quiet() {  # wait_quiet PHASE
  local idle deadline=$(( $(date +%s) + ${P1_IDLE_WAIT:-600} ))
  while :; do
    idle=$("$PY" bench/p1_promising.py idle 5)
    if awk -v i="$idle" -v m="${P1_IDLE_MIN:-0.9}" 'BEGIN { exit !(i >= m) }'; then break; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "warning: the machine is still busy (idle $idle); measuring anyway" >&2; break
    fi
    echo "machine busy (idle $idle): waiting before $1"; sleep 10
  done
  echo "$idle" >"$run/idle_$1.txt"
}

echo "== warm-up $WARMUP"
P1_SEED=$((P1_SEED + 100)) wrk_run "$WARMUP" "$run/wrk_warmup.txt"
grep '^P1 ' "$run/wrk_warmup.txt" | cut -c1-60
# Planner statistics as autovacuum would keep them (it may be off on a test server: it is here).
psql -qX -d "$DB" -c "VACUUM ANALYZE"
first=$(psql -qtA -d "$DB" -c "select coalesce(max(id), 0) from promising_order")

wait_quiet real
echo "== measured: real decisions, $DURATION"
measure real "$DURATION"
cat "$run/wrk_real.txt"
psql -qtA -d "$DB" -c "
  select coalesce(sum(n), 0) || ' orders (' ||
    coalesce(string_agg(decision || ' ' || n, ', '), '') || '), '
  from (select decision, count(*) n from promising_order where id > $first group by 1 order by 2 desc) d" \
  >"$run/db_counts.txt"
psql -qtA -d "$DB" -c "
  select (select count(*) from promising_orderline l join promising_order o on o.id = l.order_id where o.id > $first)
    || ' lines, ' || (select count(*) from promising_promiseversion v join promising_orderline l on l.id = v.line_id
                       join promising_order o on o.id = l.order_id where o.id > $first)
    || ' promise versions, ' || (select count(*) from promising_commitment c join promising_orderline l on l.id = c.line_id
                       join promising_order o on o.id = l.order_id where o.id > $first) || ' commitments; open commitments in the database now: '
    || (select count(*) from promising_commitment where is_open)" >>"$run/db_counts.txt"

wait_quiet dry
echo "== measured: dry runs, $DRY_DURATION"
measure dry "$DRY_DURATION" 1
cat "$run/wrk_dry.txt"

kill -TERM "$gunicorn_pid"; wait "$gunicorn_pid" 2>/dev/null || true; gunicorn_pid=""
if [ -s "$run/gunicorn.log" ]; then echo "== gunicorn log"; tail -n 20 "$run/gunicorn.log"; fi

echo "== queries per decision (in-process, same database)"
"$PY" bench/p1_promising.py queries "$run"

echo "== pgbench on $PGB_DB (simple update)"
dropdb --if-exists "$PGB_DB" && createdb "$PGB_DB"
pgbench -i -s 10 -q "$PGB_DB" >"$run/pgbench_init.txt" 2>&1
wait_quiet pgbench
busy0=$("$PY" bench/p1_promising.py cpu 0)
pgbench -N -c 8 -j 2 -T "$PGBENCH_SECONDS" "$PGB_DB" >"$run/pgbench.txt" 2>&1
busy1=$("$PY" bench/p1_promising.py cpu 0)
echo "$busy0" >"$run/cpu_pgbench_before.json"; echo "$busy1" >"$run/cpu_pgbench_after.json"
grep -E 'tps|latency average|number of transactions actually' "$run/pgbench.txt"

cat >"$run/meta.json" <<EOF
{"date": "$started",
 "commit": "$commit",
 "host": "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(. /etc/os-release; echo "$PRETTY_NAME")",
 "gunicorn": "$(.venv/bin/gunicorn --version | tr -dc '0-9.') $APP $GUNICORN_OPTS",
 "wrk_threads": "$WRK_THREADS", "clients": "$CLIENTS", "duration": "$DURATION",
 "warmup": "$WARMUP", "pgbench_seconds": "$PGBENCH_SECONDS",
 "pg_version": "$(psql -qtA -d postgres -c 'show server_version' | cut -d' ' -f1)",
 "pg_settings": "$(psql -qtAX -d postgres -c "select string_agg(name || '=' || current_setting(name), ' ' order by name) from pg_settings where name in ('shared_buffers', 'synchronous_commit', 'fsync', 'autovacuum', 'max_connections')")"}
EOF
echo
"$PY" bench/p1_promising.py report "$run"
