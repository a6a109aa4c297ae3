#!/usr/bin/env bash
# P3 plan: today's replenishment plan end to end — kept.replenishment.queries.todays_plan, the
# reads of every active subscription's fills and readings from PostgreSQL, the histories
# (many.read_many), each product's prior and posteriors, the plan and the proposals — over
# 100 k households with two years of fills. Target (SPEC 5): < 10 s and < 1 GB.
#
#   bench/p3_plan.sh
#
# Environment (all optional):
#   P3_SUBSCRIPTIONS=100000 P3_SEED=1 P3_RUNS=5
#   P3_READING_CHANCE=0.02 P3_FEEDBACK_CHANCE=0.3 P3_PROPOSAL_SHARE=0.6
#   P3_CURSOR=1 (also time the plan with the events read through the cursor; 0: not)
#   P3_KEEP_DB=1 (keep the database) P3_IDLE_WAIT=600 P3_RUN_IDLE_WAIT=300 P3_IDLE_MIN=0.9
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
#
# Builds its own database (kept_p3: dropped and recreated each run). The households come from
# the replenishment simulation (kept/replenishment/tests/simulation.py: noisy use, irregular
# reorder levels, forgetful customers, 1–3 days of lead); each of one customer, one rice jar
# (3 products, 4 regions, 24 routes). Every simulated fill is an order, a promised line, its
# promise version, its commitment (closed) and a delivery; the fills of today and tomorrow
# are orders on their way (open commitments); readings on 2 % of days, "still had" feedback at
# 30 % of visits, an accepted proposal behind 60 % of fills, some households answered or
# postponed today. All written with COPY, keys and indexes rebuilt, VACUUM ANALYZE.
#
# Then the plan of today: one warm-up and 5 runs, each in a fresh Python process (so its peak
# RSS, ru_maxrss, is the plan's and not a previous run's), timed around todays_plan with a
# breakdown by step (the steps' functions wrapped from outside, src/ unchanged) and the SQL
# statements' execute time, CPU used by other processes meanwhile; the same with the events
# read through the cursor (the path before the COPY read: its peer, in the same run);
# `kept plan --format csv` once as the nightly job runs it; EXPLAIN (ANALYZE, BUFFERS) of the
# big reads. Raw figures stay in the run directory it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# the code measured: HEAD, "+uncommitted" when src/, bench/ or pyproject.toml differ from it
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench pyproject.toml \
  && [ -z "$(git ls-files --others --exclude-standard src bench)" ] || echo '+uncommitted')"

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB=${P3_DB:-kept_p3}
PY="$root/.venv/bin/python"
for tool in psql createdb dropdb; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y postgresql-client)" >&2; exit 2; }
done

started=$(date -u +%Y-%m-%dT%H:%MZ)
run=$(mktemp -d -t kept-p3.XXXXXX)
cleanup() {
  status=$?
  [ -n "${P3_KEEP_DB:-}" ] || dropdb --if-exists "$DB" 2>/dev/null || true
  echo "run directory (raw figures, plans, the plan's CSV): $run"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export KEPT_DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
export KEPT_SECRET_KEY="p3-bench-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export KEPT_DEBUG=0 KEPT_ALLOWED_HOSTS=127.0.0.1 KEPT_SECURE_SSL_REDIRECT=0
export KEPT_DATA_DIR="$run/data" KEPT_LOG_LEVEL=WARNING
mkdir -p "$KEPT_DATA_DIR/static"

# Other people's jobs on the machine skew the figures: wait (up to P3_IDLE_WAIT seconds) for
# the CPUs to be P3_IDLE_MIN idle over 5 s before each measured phase, and (up to
# P3_RUN_IDLE_WAIT) over 3 s before each run; each run records the CPU other processes used.
wait_quiet() {  # wait_quiet PHASE
  local idle deadline=$(( $(date +%s) + ${P3_IDLE_WAIT:-600} ))
  while :; do
    idle=$("$PY" bench/p3_plan.py idle 5)
    if awk -v i="$idle" -v m="${P3_IDLE_MIN:-0.9}" 'BEGIN { exit !(i >= m) }'; then break; fi
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
echo "== generate ${P3_SUBSCRIPTIONS:-100000} households, two years of fills (COPY)"
"$PY" bench/p3_plan.py generate "$run"

wait_quiet committed
echo "== measure todays_plan as committed (1 warm-up + ${P3_RUNS:-5} runs, a process each)"
again "$PY" bench/p3_plan.py measure "$run" committed >/dev/null

wait_quiet cli
echo "== kept plan --format csv, once"
again "$PY" bench/p3_plan.py measure "$run" cli >/dev/null
"$PY" bench/p3_plan.py measure "$run" explain >/dev/null

if [ "${P3_CURSOR:-1}" != 0 ]; then
  wait_quiet cursor
  echo "== measure the same with the events read through the cursor (the peer of COPY)"
  again "$PY" bench/p3_plan.py measure "$run" cursor >/dev/null
fi

cat >"$run/meta.json" <<EOF
{"date": "$started",
 "commit": "$commit",
 "command": "$(env | grep '^P3_' | sort | tr '\n' ' ')bench/p3_plan.sh",
 "host": "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/^Mem:/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME")",
 "pg_version": "$(psql -qtA -d postgres -c 'show server_version' | cut -d' ' -f1)",
 "pg_settings": "$(psql -qtAX -d postgres -c "select string_agg(name || '=' || current_setting(name), ' ' order by name) from pg_settings where name in ('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather')")"}
EOF
echo
"$PY" bench/p3_plan.py report "$run"
