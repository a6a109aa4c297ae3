#!/usr/bin/env bash
# P4 CLV: BG/NBD + Gamma–Gamma fitted on 1 M customers by Kept's pure core
# (kept.value.clv.fit_bgnbd + fit_gamma_gamma), and by the `lifetimes` package
# (BetaGeoFitter + GammaGammaFitter) on the same data in the same run. Target (SPEC 5):
# ≤ 2 s, ≥ 5× faster than lifetimes, the same estimates (1e-3 relative).
#
#   bench/p4_clv.sh
#
# Environment (all optional):
#   P4_CUSTOMERS=1000000 P4_SEED=1 P4_WEEKS=39 P4_RUNS=3 (fresh processes per side and phase)
#   P4_SINGLE=1 (also measure both with one BLAS thread; 0: not)
#   P4_SMALL=0 (rows: also measure both on the first P4_SMALL customers, e.g. 100000)
#   P4_PEER_TIMEOUT=900 (seconds one lifetimes fit may take before it is stopped; the bench
#                        then measures both on 100,000 customers as well and says so)
#   P4_LIFETIMES_VENV=bench/.venv-lifetimes P4_IDLE_WAIT=300 P4_IDLE_MIN=0.9
#   P4_PYTHON=.venv/bin/python (Kept's interpreter; this tree's src/ comes first on its path,
#                               so a clean clone measures its own commit with the main venv)
#
# The peer lives in its own venv (bench/.venv-lifetimes, git-ignored, made once, reused while
# it holds lifetimes 0.11.3): exactly `lifetimes==0.11.3 'pandas<3' 'setuptools<81'` from the
# package registry and what pip resolves for them (its numpy and scipy, the same versions as
# Kept's here), nothing else.
#
# The customers (bench/p4_clv.py generate): 1 M drawn from the CDNOW estimates (BG/NBD r .243,
# α 4.414, a .793, b 2.426 in weeks; Gamma–Gamma p 6.25, q 3.74, γ 15.44), T ~ U(0, 39) weeks,
# seeded numpy; frequency, recency, T and the mean repeat spend written to one .npz in a temp
# directory, read by both sides. Each fit runs in a fresh process (the arrays loaded, the
# library imported, then the two fits timed); Gamma–Gamma on the repeat buyers (frequency > 0)
# on both sides; lifetimes with its defaults (penalizer_coef=0, tol=1e-7; its fit includes the
# Hessian it computes for the standard errors). Phases: both sides with the default threads
# (OpenBLAS's choice), then both with one BLAS thread, then a profile of one Kept fit per
# thread setting. The report scores both sets of estimates on one log-likelihood written in
# the bench. Raw figures stay in the run directory it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# the code measured: HEAD, "+uncommitted" when src/, bench/ or pyproject.toml differ from it
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench pyproject.toml \
  && [ -z "$(git ls-files --others --exclude-standard src bench)" ] || echo '+uncommitted')"

PY=${P4_PYTHON:-$root/.venv/bin/python}
export PYTHONPATH="$root/src${PYTHONPATH:+:$PYTHONPATH}"  # this tree's kept, even from a clone
RUNS=${P4_RUNS:-3}
ROWS=${P4_CUSTOMERS:-1000000}
LT=${P4_LIFETIMES_VENV:-$root/bench/.venv-lifetimes}
TIMEOUT=${P4_PEER_TIMEOUT:-900}
started=$(date -u +%Y-%m-%dT%H:%MZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run=$(mktemp -d -t kept-p4.XXXXXX)
trap 'echo "run directory (raw figures, profiles, the customers): $run"' EXIT
trap 'exit 130' INT TERM

echo "== the lifetimes venv ($LT)"
if ! "$LT/bin/python" -c 'import lifetimes, sys; sys.exit(lifetimes.__version__ != "0.11.3")' \
  2>/dev/null; then
  rm -rf "$LT"
  "$("$PY" -c 'import sys; print(sys._base_executable)')" -m venv "$LT"
  "$LT/bin/pip" install --quiet --disable-pip-version-check \
    'lifetimes==0.11.3' 'pandas<3' 'setuptools<81' 2>&1 | grep -v '^WARNING: Location' || true
fi
"$LT/bin/python" -c 'import lifetimes' 2>/dev/null || { echo "lifetimes did not install" >&2; exit 2; }
"$LT/bin/pip" freeze --disable-pip-version-check >"$run/lifetimes-freeze.txt"

# Other people's jobs on the machine skew the figures: wait (up to P4_IDLE_WAIT seconds) for
# the CPUs to be P4_IDLE_MIN idle over 5 s before each phase; the idle share is recorded.
idle_seen=""
wait_quiet() {  # wait_quiet PHASE
  local idle deadline=$(( $(date +%s) + ${P4_IDLE_WAIT:-300} ))
  while :; do
    idle=$("$PY" bench/p4_clv.py idle 5)
    if awk -v i="$idle" -v m="${P4_IDLE_MIN:-0.9}" 'BEGIN { exit !(i >= m) }'; then break; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "warning: the machine is still busy (idle $idle); measuring anyway" >&2; break
    fi
    echo "machine busy (idle $idle): waiting before $1"; sleep 10
  done
  idle_seen="$idle_seen $1 $idle"
}

echo "== generate $ROWS customers"
P4_CUSTOMERS=$ROWS "$PY" bench/p4_clv.py generate "$run"

measure() {  # measure LABEL ROWS [ENV=VALUE ...]: both sides, P4_RUNS fresh processes each
  local label=$1 rows=$2 i status
  shift 2
  wait_quiet "$label"
  echo "== $label: Kept, $RUNS fresh processes on $rows customers ${*:-(default threads)}"
  for i in $(seq "$RUNS"); do
    env "$@" "$PY" bench/p4_clv.py kept "$run" "$rows" | tee -a "$run/kept_$label.jsonl" \
      | "$PY" bench/p4_clv.py say - || { echo "Kept's fit failed" >&2; exit 1; }
  done
  echo "== $label: lifetimes, $RUNS fresh processes on $rows customers ${*:-(default threads)}"
  for i in $(seq "$RUNS"); do
    status=0
    env "$@" timeout "$TIMEOUT" "$LT/bin/python" bench/p4_lifetimes.py "$run" "$rows" \
      >"$run/lifetimes_$label.$i.json" || status=$?
    if [ "$status" != 0 ]; then
      echo "  lifetimes stopped (exit $status; timeout $TIMEOUT s)" | tee -a "$run/notes.txt"
      return 1
    fi
    cat "$run/lifetimes_$label.$i.json" >>"$run/lifetimes_$label.jsonl"
    "$PY" bench/p4_clv.py say "$run/lifetimes_$label.$i.json"
  done
}

ONE=(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1)
if ! measure full "$ROWS"; then
  echo "lifetimes took over $TIMEOUT s on $ROWS customers: measuring both on 100,000 as well" \
    | tee -a "$run/notes.txt"
  measure small 100000 || true
fi
if [ "${P4_SINGLE:-1}" != 0 ]; then measure full-1t "$ROWS" "${ONE[@]}" || true; fi
if [ "${P4_SMALL:-0}" != 0 ] && [ ! -e "$run/kept_small.jsonl" ]; then
  measure small "$P4_SMALL" || true
fi

echo "== profile of one Kept fit"
"$PY" bench/p4_clv.py profile "$run" "$ROWS" full >/dev/null || echo "profile failed" >&2
env "${ONE[@]}" "$PY" bench/p4_clv.py profile "$run" "$ROWS" full-1t >/dev/null \
  || echo "profile failed" >&2

cat >"$run/meta.json" <<EOF
{"date": "$started",
 "commit": "$commit",
 "command": "$(env | grep '^P4_' | sort | tr '\n' ' ')bench/p4_clv.sh",
 "host": "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/^Mem:/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME")",
 "versions": "Python $("$PY" -c 'import platform; print(platform.python_version())'); Kept's numpy $("$PY" -c 'import numpy; print(numpy.__version__)') scipy $("$PY" -c 'import scipy; print(scipy.__version__)'); the peer's venv: $(grep -iE '^(lifetimes|numpy|scipy|pandas|autograd)==' "$run/lifetimes-freeze.txt" | tr '\n' ' ')",
 "load_before": "$load_before",
 "load_after": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "idle": "${idle_seen# }"}
EOF
echo
"$PY" bench/p4_clv.py report "$run" | tee "$run/report.md"
