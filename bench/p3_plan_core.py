"""P3, the core part: the nightly replenishment plan's pure numpy work over 100 000
subscriptions, without Django or a database.

    .venv/bin/python bench/p3_plan_core.py [--subscriptions N] [--days D] [--runs R]

1. Simulate N households of one product over D days with ``tests/simulation.py`` (noisy
   weekly use, irregular reorder levels, forgetful customers, 1–3 days of delivery lead), with
   level readings on 2 % of days and "still had" feedback at 30 % of deliveries; all fill to
   capacity. The events, in long format in the order simulated (by day, not by
   subscription), go to a temporary ``.npz``.
2. In a fresh process, so that its peak memory is the plan's and not the simulation's: load
   them and, for the plan day after the last simulated day, time R runs of

       read_many → fit_prior → posterior → plan (lead 1 day, buffer 1 day, risk 10 %)

   then one more run under ``tracemalloc`` (not timed) for the peak of what it allocates.

Prints one JSON object: sizes, seconds per step (median of the runs, and each run), the
process's peak RSS (``ru_maxrss``, which includes the interpreter, numpy/scipy and the loaded
events) and its RSS before the first run, and the tracemalloc peak of one run.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from kept.replenishment.forecast import fit_prior, posterior
from kept.replenishment.history import FillPolicy
from kept.replenishment.many import EventCode, FillPolicyCode, read_many
from kept.replenishment.plan import plan
from kept.replenishment.tests.simulation import simulate_events

READING_CHANCE, FEEDBACK_CHANCE = 0.02, 0.3
LEAD_DAYS, BUFFER_DAYS, RISK = 1, 1, 0.1
STEPS = ("read_many", "fit_prior", "posterior", "plan")


def _megabytes(maxrss: int) -> float:
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS
    return maxrss / 2**20 if platform.system() == "Darwin" else maxrss / 2**10


def simulate(subscriptions: int, days: int, seed: int, path: Path) -> dict:
    started = time.perf_counter()
    found = simulate_events(
        subscriptions,
        days,
        seed,
        reading_chance=READING_CHANCE,
        feedback_chance=FEEDBACK_CHANCE,
    )
    np.savez(
        path,
        subscription=found.subscription,
        day=found.day,
        kind=found.kind,
        amount=found.amount,
        capacity=found.capacity,
        people=found.people.astype(float),
        fill_policy=np.full(subscriptions, FillPolicyCode.TO_CAPACITY, dtype=np.int8),
        today=np.array(float(days)),
    )
    return {"simulation_seconds": round(time.perf_counter() - started, 1)}


def plan_once(data: dict) -> tuple[dict, object]:
    """The plan's four steps, timed; the steps' outputs are the real plan's inputs."""
    seconds = {}
    started = time.perf_counter()
    events = (data[name] for name in ("subscription", "day", "kind", "amount"))
    many = read_many(*events, data["capacity"], data["fill_policy"])
    seconds["read_many"] = time.perf_counter() - started
    started = time.perf_counter()
    prior = fit_prior(many.exposure, data["people"])
    seconds["fit_prior"] = time.perf_counter() - started
    started = time.perf_counter()
    belief = posterior(prior, data["people"], many.exposure)
    seconds["posterior"] = time.perf_counter() - started
    started = time.perf_counter()
    fixed = data["fill_policy"] == FillPolicyCode.FIXED_QUANTITY
    proposed = plan(
        belief,
        many.last_level,
        many.last_day,
        data["capacity"],
        today=float(data["today"]),
        lead_days=LEAD_DAYS,
        buffer_days=BUFFER_DAYS,
        risk=RISK,
        fill_policy=np.where(fixed, FillPolicy.FIXED_QUANTITY, FillPolicy.TO_CAPACITY),
        fixed_quantity=np.full(fixed.size, np.nan),
    )
    seconds["plan"] = time.perf_counter() - started
    sizes = {
        "intervals": int(many.exposure.units.size),
        "censored": int(many.exposure.censored.sum()),
        "due": int(proposed.due.sum()),
        "prior": {
            "rate_per_person": round(prior.rate_per_person, 4),
            "shape": round(prior.shape, 2),
            "noise_days": round(prior.noise_days, 3),
        },
    }
    return seconds, sizes


def measure(path: Path, runs: int) -> dict:
    with np.load(path) as stored:
        data = {name: stored[name] for name in stored.files}
    rss_loaded = _megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    timings = [plan_once(data) for _ in range(runs)]
    rss_peak = _megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    tracemalloc.start()
    plan_once(data)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    per_step = {step: [run[0][step] for run in timings] for step in STEPS}
    totals = [sum(run[0].values()) for run in timings]
    return {
        "subscriptions": int(data["capacity"].size),
        "events": int(data["day"].size),
        "fills": int((data["kind"] == EventCode.FILL).sum()),
        **timings[0][1],
        "runs": runs,
        "seconds_median": {step: round(statistics.median(v), 3) for step, v in per_step.items()},
        "seconds_total_median": round(statistics.median(totals), 3),
        "seconds_total_runs": [round(total, 3) for total in totals],
        "peak_rss_mb": round(rss_peak, 1),
        "rss_before_plan_mb": round(rss_loaded, 1),
        "tracemalloc_peak_of_one_run_mb": round(traced_peak, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure, options.runs)))
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "events.npz"
        simulated = simulate(options.subscriptions, options.days, options.seed, path)
        child = [sys.executable, __file__, "--measure", str(path), "--runs", str(options.runs)]
        done = subprocess.run(child, capture_output=True, text=True, check=True)  # noqa: S603
    result = {"benchmark": "p3_plan_core", **simulated, **json.loads(done.stdout)}
    result["python"] = platform.python_version()
    result["numpy"] = np.__version__
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
