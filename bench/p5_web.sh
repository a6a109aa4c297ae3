#!/usr/bin/env bash
# P5 web: the customer notebook and the customer list over HTTP at 100 k customers / 1 M
# orders on PostgreSQL, measured with wrk on loopback, logged in as a manager (the notebook
# shows them the most: promises, service, containers, tickets, surveys, value).
# Target (SPEC 5): notebook p95 < 150 ms on 2 cores; no answer other than 2xx.
#
#   bench/p5_web.sh
#
# Runs, each P5_DURATION, once with each number of connections of P5_CLIENTS (2: one request
# per core at a time, the latency of a page; 8: more than the 2 cores serve at once, so the
# latency includes the queue), after a warm-up:
#   notebook-uniform  notebooks of customers drawn uniformly from all 100 k
#   notebook-heavy    notebooks of the 20 customers with the most orders (1,500–5,000 each)
#   list              the customer list: first page, later pages, searches, every filter
# then the SQL queries per page in-process (the figures src/kept/customers/tests/test_query_budget.py bounds).
#
# Environment (all optional):
#   P5_DURATION=30s P5_WARMUP=10s P5_CLIENTS="2 8" P5_WRK_THREADS=2 P5_PORT=8935 P5_SEED=1
#   P5_KEEP_DB=1   keep the loaded database (kept_p5) at the end
#   P5_REUSE=1     measure the database a P5_KEEP_DB run left (migrated first) without
#                  loading it again; loads it when it is not there
#   P5_CUSTOMERS=100000 P5_ORDERS=1000000 (the book: bench/p5_load.py)
#   P5_GUNICORN="--workers 4 --worker-class gthread --threads 2"
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
#
# Builds its own database (kept_p5: dropped and recreated unless reused), serves on loopback
# only, and stops everything it started on exit. Exits 1 when a run saw a non-2xx answer or
# a socket error, 3 when a notebook run's p95 is 150 ms or more.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# the code measured: HEAD, "+uncommitted" when src/, bench/ or pyproject.toml differ from it
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench pyproject.toml \
  && [ -z "$(git ls-files --others --exclude-standard src bench)" ] || echo '+uncommitted')"

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB=kept_p5
PORT=${P5_PORT:-8935}
DURATION=${P5_DURATION:-30s}
WARMUP=${P5_WARMUP:-10s}
CLIENTS=${P5_CLIENTS:-2 8}  # each target once per number of connections
WRK_THREADS=${P5_WRK_THREADS:-2}
GUNICORN_OPTS=${P5_GUNICORN:---workers 4 --worker-class gthread --threads 2}
TARGET_MS=150
PY="$root/.venv/bin/python"

for tool in wrk psql createdb dropdb curl; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y wrk postgresql-client curl)" >&2; exit 2; }
done
[ -x .venv/bin/gunicorn ] || { echo "missing: gunicorn in .venv (pip install gunicorn)" >&2; exit 2; }

started=$(date -u +%Y-%m-%dT%H:%MZ)
run=$(mktemp -d -t kept-p5.XXXXXX)
gunicorn_pid=""
cleanup() {
  status=$?
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill -TERM "$gunicorn_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$gunicorn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$gunicorn_pid" 2>/dev/null || true
  fi
  [ -n "${P5_KEEP_DB:-}" ] || dropdb --if-exists "$DB" 2>/dev/null || true
  rm -rf "$run"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export KEPT_DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
export KEPT_SECRET_KEY="p5-bench-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export KEPT_DEBUG=0 KEPT_ALLOWED_HOSTS=127.0.0.1,testserver KEPT_SECURE_SSL_REDIRECT=0
export KEPT_DATA_DIR="$run/data" KEPT_LOG_LEVEL=WARNING
export KEPT_DB_CONN_MAX_AGE=${KEPT_DB_CONN_MAX_AGE:-600}  # persistent, as in production
export P5_PASSWORD="p5-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
mkdir -p "$KEPT_DATA_DIR/static"  # whitenoise warns about a missing STATIC_ROOT otherwise

loaded() {
  psql -qtAX -d "$DB" -c "select count(*) from auth_user where username = 'p5-manager'" \
    2>/dev/null | grep -qx 1
}
if [ -n "${P5_REUSE:-}" ] && loaded; then
  echo "== database $DB: reused (migrate only)"
  .venv/bin/kept migrate --quiet
  "$PY" bench/p5_load.py password
else
  echo "== database $DB: migrate, load (bench/p5_load.py)"
  dropdb --if-exists "$DB" && createdb "$DB"
  .venv/bin/kept migrate --quiet
  "$PY" bench/p5_load.py generate "$run"
fi
psql -qtAX -d "$DB" -c "
  select (select count(*) from customers_customer) || ' customers, '
      || (select count(*) from promising_order) || ' orders, '
      || (select count(*) from promising_orderline) || ' lines, '
      || (select count(*) from fulfilment_delivery) || ' deliveries, '
      || (select count(*) from customers_interaction) || ' interactions, '
      || (select count(*) from replenishment_subscription) || ' subscriptions'" \
  | tee "$run/book.txt"
"$PY" bench/p5_load.py targets "$run"

echo "== gunicorn $GUNICORN_OPTS on 127.0.0.1:$PORT"
# shellcheck disable=SC2086  # the options are words on purpose
.venv/bin/gunicorn kept.wsgi:application --bind "127.0.0.1:$PORT" $GUNICORN_OPTS \
  --log-level warning --error-logfile "$run/gunicorn.log" &
gunicorn_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$gunicorn_pid" || { cat "$run/gunicorn.log" >&2; exit 1; }
  sleep 0.1
done

echo "== log in as p5-manager through the login form"
jar="$run/cookies"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/login/" \
  | sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' | head -n1)
[ -n "$csrf" ] || { echo "no CSRF token on the login page" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" \
  -H "Referer: http://127.0.0.1:$PORT/login/" --data-urlencode "csrfmiddlewaretoken=$csrf" \
  --data-urlencode "username=p5-manager" --data-urlencode "password=$P5_PASSWORD" \
  "http://127.0.0.1:$PORT/login/")
session=$(awk '$6 == "sessionid" { print $7 }' "$jar")
[ "$status" = 302 ] && [ -n "$session" ] || { echo "login failed: HTTP $status" >&2; exit 1; }
export P5_COOKIE="sessionid=$session"
probe=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $P5_COOKIE" \
  "http://127.0.0.1:$PORT$(head -n1 "$run/paths_heavy.txt")")
[ "$probe" = 200 ] || { echo "the heaviest notebook answered HTTP $probe" >&2; exit 1; }

wrk_run() {  # wrk_run LABEL PATHS DURATION CONNECTIONS: the "P5 …" line in $run/wrk_LABEL.txt
  local threads=$(( $4 < WRK_THREADS ? $4 : WRK_THREADS ))
  P5_LABEL=$1 P5_PATHS=$2 P5_SEED=${P5_SEED:-1} wrk -t"$threads" -c"$4" -d"$3" \
    --timeout 10s --latency -s bench/p5_web.lua "http://127.0.0.1:$PORT" >"$run/wrk_$1.txt"
  uptime >"$run/load_$1.txt"
}

echo "== warm-up $WARMUP (uniform notebooks, then the list)"
wrk_run warmup "$run/paths_uniform.txt" "$WARMUP" 8
wrk_run warmup-list "$run/paths_list.txt" "$WARMUP" 8

summary="$run/summary.txt"
: >"$summary"
for clients in $CLIENTS; do
  for target in notebook-uniform notebook-heavy list; do
    echo "== measured: $target, $DURATION, $clients connections"
    wrk_run "$target-c$clients" "$run/paths_${target#notebook-}.txt" "$DURATION" "$clients"
    line=$(grep '^P5 ' "$run/wrk_$target-c$clients.txt")
    echo "$line  | $(sed 's/.*load average/load average/' "$run/load_$target-c$clients.txt")" \
      | tee -a "$summary"
  done
done

kill -TERM "$gunicorn_pid"; wait "$gunicorn_pid" 2>/dev/null || true; gunicorn_pid=""
if [ -s "$run/gunicorn.log" ]; then echo "== gunicorn log"; tail -n 20 "$run/gunicorn.log"; fi

echo "== SQL queries per page (in-process, Django test client, same database)"
"$PY" bench/p5_load.py queries "$run"

echo
echo "== P5 web, $started, commit $commit"
echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "PostgreSQL $(psql -qtAX -d postgres -c 'show server_version' | cut -d' ' -f1)," \
  "gunicorn $(.venv/bin/gunicorn --version | tr -dc '0-9.') $GUNICORN_OPTS," \
  "wrk -d$DURATION, connections: $CLIENTS"
echo "book: $(cat "$run/book.txt")"
cat "$summary"

failed=0
while read -r _ label rest; do
  non2xx=$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' <<<"$rest")
  errors=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$rest")
  p95=$(sed -n 's/.*p95=\([0-9.]*\).*/\1/p' <<<"$rest")
  if [ "$non2xx" != 0 ] || [ "$errors" != 0 ]; then
    echo "FAIL $label: $non2xx non-2xx answers, $errors socket errors" >&2; failed=1
  fi
  if [[ $label == notebook-* ]] && awk -v p="$p95" -v t="$TARGET_MS" 'BEGIN { exit !(p >= t) }'; then
    echo "MISS $label: p95 $p95 ms >= $TARGET_MS ms" >&2; [ "$failed" = 1 ] || failed=3
  fi
done <"$summary"
exit "$failed"
