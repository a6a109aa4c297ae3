"""Helper for bench/p4_clv.sh (P4: BG/NBD + Gamma–Gamma on 1 M customers, against lifetimes).

    generate RUN_DIR          1 M synthetic customers drawn from known BG/NBD and Gamma–Gamma
                              parameters (seeded numpy): RUN_DIR/customers.npz with frequency,
                              recency, T (weeks) and monetary (mean repeat spend, 0 without a
                              repeat), and RUN_DIR/truth.json
    kept RUN_DIR ROWS         one fit in this process, timed from outside: kept.value.clv's
                              fit_bgnbd on every customer + fit_gamma_gamma (it keeps the repeat
                              buyers itself) on the first ROWS customers; prints JSON
    idle SECONDS              share of the machine's CPU left idle over SECONDS
    report RUN_DIR            the summary table: times, ratio, estimates and their largest
                              relative difference, both sets of estimates scored on one
                              log-likelihood written here (not Kept's, not lifetimes')

The peer, lifetimes 0.11.3, runs in its own venv through bench/p4_lifetimes.py on the same
customers.npz. P4_CUSTOMERS scales the book (default 1,000,000); P4_SEED (1) the draws;
P4_WEEKS (39) the longest observation window.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.special import betaln, gammaln

CUSTOMERS = int(os.environ.get("P4_CUSTOMERS", "1000000"))
SEED = int(os.environ.get("P4_SEED", "1"))
WEEKS = float(os.environ.get("P4_WEEKS", "39"))
# the CDNOW estimates (Fader, Hardie & Lee 2005): BG/NBD in weeks, Gamma–Gamma in dollars
TRUTH = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "gamma": 15.44},
}
TARGET_SECONDS, TARGET_RATIO, TARGET_REL = 2.0, 5.0, 1e-3


def generate(run_dir: str) -> None:
    """Each customer's first purchase at 0, observed for T ~ U(0, WEEKS); while alive,
    purchases are Poisson(λ), λ ~ Gamma(r, α); after each repeat purchase the customer
    leaves with probability p ~ Beta(a, b) (BG/NBD, FHL 2005). Each transaction's value
    is Gamma(p, ν), ν ~ Gamma(q, γ) per customer, so the mean of x of them is
    Gamma(p·x, ν)/x (Gamma–Gamma)."""
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    bg, gg = TRUTH["bgnbd"], TRUTH["gamma_gamma"]
    n = CUSTOMERS
    rate = rng.gamma(bg["r"], 1.0 / bg["alpha"], n)
    drop = rng.beta(bg["a"], bg["b"], n)
    age = rng.uniform(0.0, WEEKS, n)
    frequency = np.zeros(n, dtype=np.int64)
    recency = np.zeros(n)
    # every customer still buying: the next purchase, then a coin for leaving after it
    active = np.flatnonzero(rate > 0)
    while active.size:
        at = recency[active] + rng.exponential(1.0 / rate[active])
        bought = at < age[active]
        active, at = active[bought], at[bought]
        frequency[active] += 1
        recency[active] = at
        active = active[rng.random(active.size) >= drop[active]]
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n)
    repeat = frequency > 0
    monetary = np.zeros(n)
    monetary[repeat] = rng.gamma(gg["p"] * frequency[repeat], 1.0 / nu[repeat]) / frequency[repeat]
    folder = Path(run_dir)
    np.savez(
        folder / "customers.npz",
        frequency=frequency.astype(float),
        recency=recency,
        T=age,
        monetary=monetary,
    )
    took = time.perf_counter() - started
    facts = {
        "customers": n,
        "seed": SEED,
        "weeks": WEEKS,
        "truth": TRUTH,
        "repeat_buyers": int(repeat.sum()),
        "mean_frequency": float(frequency.mean()),
        "max_frequency": int(frequency.max()),
        "seconds": round(took, 2),
    }
    (folder / "truth.json").write_text(json.dumps(facts, indent=1))
    print(json.dumps(facts))  # noqa: T201


def _load(run_dir: str, rows: int) -> dict[str, np.ndarray]:
    with np.load(Path(run_dir) / "customers.npz") as data:
        return {name: np.ascontiguousarray(data[name][:rows]) for name in data.files}


def kept(run_dir: str, rows: str) -> None:
    """One timed fit of Kept's core, in this (fresh) process."""
    process_started = time.perf_counter()
    data = _load(run_dir, int(rows))
    loaded = time.perf_counter()
    from kept.value import clv  # noqa: PLC0415 (timed: the import is part of a cold start)

    imported = time.perf_counter()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    bgnbd = clv.fit_bgnbd(data["frequency"], data["recency"], data["T"])
    t1 = time.perf_counter()
    spend = clv.fit_gamma_gamma(data["frequency"], data["monetary"])
    t2 = time.perf_counter()
    cpu1 = time.process_time()
    print(  # noqa: T201
        json.dumps(
            {
                "rows": len(data["frequency"]),
                "bgnbd_s": t1 - t0,
                "gamma_gamma_s": t2 - t1,
                "fit_s": t2 - t0,
                "fit_cpu_s": cpu1 - cpu0,
                "load_s": loaded - process_started,
                "import_s": imported - loaded,
                "bgnbd": {k: float(v) for k, v in bgnbd.params.items()},
                "gamma_gamma": {k: float(v) for k, v in spend.params.items()},
                "bgnbd_ll": float(bgnbd.log_likelihood),
                "gamma_gamma_ll": float(spend.log_likelihood),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def say(path: str) -> None:
    """One run's times on a line (its JSON from a file, or from stdin for ``-``)."""
    d = json.loads(sys.stdin.read() if path == "-" else Path(path).read_text())
    print(  # noqa: T201
        f"  fit {d['fit_s']:.3f} s (BG/NBD {d['bgnbd_s']:.3f}, Gamma–Gamma "
        f"{d['gamma_gamma_s']:.3f}; CPU {d['fit_cpu_s']:.3f})"
    )


def idle(seconds: str) -> None:
    def ticks():
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)

    idle0, total0 = ticks()
    time.sleep(float(seconds))
    idle1, total1 = ticks()
    print(f"{(idle1 - idle0) / max(1, total1 - total0):.2f}")  # noqa: T201


# The judge: both sets of estimates on one log-likelihood, written here from the papers -----


def bgnbd_ll(params: dict[str, float], x, t_x, T) -> float:
    """Σ ln L(r, α, a, b | x, t_x, T), FHL 2005 eq. 6."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    safe = np.maximum(x, 1)
    log_a4 = np.log(a) - np.log(b + safe - 1) - (r + x) * np.log(alpha + t_x)
    total = a1 + a2 + np.where(x > 0, np.logaddexp(a3, log_a4), a3)
    return float(total.sum())


def gamma_gamma_ll(params: dict[str, float], x, m) -> float:
    """Σ ln f(m | x; p, q, γ) over the repeat buyers (Fader & Hardie 2013, eq. 4)."""
    p, q, g = (params[k] for k in ("p", "q", "gamma"))
    keep = x > 0
    x, m = x[keep], m[keep]
    total = (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(g)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(g + m * x)
    )
    return float(total.sum())


def _relative(ours: dict[str, float], theirs: dict[str, float]) -> dict[str, float]:
    return {k: abs(ours[k] - theirs[k]) / abs(theirs[k]) for k in theirs}


def _runs(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _middle(runs: list[dict]) -> tuple[float, dict]:
    """The median fit time and the run that took it (the upper middle of an even count)."""
    ordered = sorted(runs, key=lambda r: r["fit_s"])
    return statistics.median(r["fit_s"] for r in runs), ordered[len(ordered) // 2]


def _scale(run: Path, label: str) -> dict | None:
    """The figures of one phase (``full``, ``full-1t``, ``small``), None if not measured."""
    ours, theirs = _runs(run / f"kept_{label}.jsonl"), _runs(run / f"lifetimes_{label}.jsonl")
    if not ours:
        return None
    median, middle = _middle(ours)
    out = {"rows": ours[0]["rows"], "runs": ours, "median": median, "kept": middle}
    data = _load(str(run), ours[0]["rows"])
    x, t_x, T, m = data["frequency"], data["recency"], data["T"], data["monetary"]
    out["kept_ll"] = {
        "bgnbd": bgnbd_ll(middle["bgnbd"], x, t_x, T),
        "gamma_gamma": gamma_gamma_ll(middle["gamma_gamma"], x, m),
    }
    if theirs:
        peer_median, peer = _middle(theirs)
        out.update(peer_runs=theirs, peer_median=peer_median, peer=peer)
        out["peer_ll"] = {
            "bgnbd": bgnbd_ll(peer["bgnbd"], x, t_x, T),
            "gamma_gamma": gamma_gamma_ll(peer["gamma_gamma"], x, m),
        }
        out["rel"] = {
            "bgnbd": _relative(middle["bgnbd"], peer["bgnbd"]),
            "gamma_gamma": _relative(middle["gamma_gamma"], peer["gamma_gamma"]),
        }
    return out


PHASES = {
    "full": "default threads (OpenBLAS's own choice: 2 on this machine)",
    "full-1t": "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 for both",
    "small": "default threads",
}


def report(run_dir: str) -> None:
    """The figures of a run, as lines for BENCHMARKS.md."""
    run = Path(run_dir)
    meta = json.loads((run / "meta.json").read_text())
    facts = json.loads((run / "truth.json").read_text())
    lines = [
        f"P4 run {meta['date']} (commit {meta['commit']}; {meta['host']}; {meta['versions']})",
        f"command: {meta['command']}",
        f"load average before: {meta['load_before']}; after: {meta['load_after']}; "
        f"idle share before each phase: {meta['idle']}",
        f"book: {facts['customers']:,} customers (seed {facts['seed']}, T ~ U(0, "
        f"{facts['weeks']:g}) weeks), {facts['repeat_buyers']:,} repeat buyers, mean frequency "
        f"{facts['mean_frequency']:.3f}, max {facts['max_frequency']}; generated in "
        f"{facts['seconds']} s",
        "",
    ]
    for label, how in PHASES.items():
        scale = _scale(run, label)
        if scale is None:
            continue
        peer, median, k = scale.get("peer"), scale["median"], scale["kept"]
        each = ", ".join(f"{r['fit_s']:.3f}" for r in scale["runs"])
        lines += [
            f"### {scale['rows']:,} customers, {how}",
            "",
            "| what | Kept (kept.value.clv) | lifetimes 0.11.3 |",
            "| --- | --- | --- |",
        ]
        theirs = ""
        if peer:
            peer_each = ", ".join(f"{r['fit_s']:.2f}" for r in scale["peer_runs"])
            theirs = (
                f"**{scale['peer_median']:.2f} s** median of {len(scale['peer_runs'])} "
                f"({peer_each})"
            )
        lines.append(
            f"| BG/NBD + Gamma–Gamma fit, wall | **{median:.3f} s** median of "
            f"{len(scale['runs'])} fresh processes ({each}) | {theirs} |"
        )

        def row(title, fmt, *keys, k=k, peer=peer, lines=lines):
            mine = " / ".join(fmt.format(k[key]) for key in keys)
            other = " / ".join(fmt.format(peer[key]) for key in keys) if peer else ""
            lines.append(f"| {title} (the median run) | {mine} | {other} |")

        row("of which BG/NBD / Gamma–Gamma, s", "{:.3f}", "bgnbd_s", "gamma_gamma_s")
        row("CPU time of the fits, s", "{:.3f}", "fit_cpu_s")
        row(
            "fresh process: load the arrays / import the library, s", "{:.3f}", "load_s", "import_s"
        )
        row("peak RSS, MB", "{:.0f}", "peak_rss_mb")
        for model in ("bgnbd", "gamma_gamma"):
            names = list(TRUTH[model])
            truth = ", ".join(f"{n} {TRUTH[model][n]:g}" for n in names)
            ours = ", ".join(f"{n} {k[model][n]:.6g}" for n in names)
            other = ", ".join(f"{n} {peer[model][n]:.6g}" for n in names) if peer else ""
            title = "BG/NBD" if model == "bgnbd" else "Gamma–Gamma"
            lines.append(f"| {title} estimates (truth: {truth}) | {ours} | {other} |")
            other_ll = f"{scale['peer_ll'][model]:.3f}" if peer else ""
            lines.append(
                f"| {title} log-likelihood (the bench's own formula) | "
                f"{scale['kept_ll'][model]:.3f} | {other_ll} |"
            )
        lines.append("")
        if peer:
            worst = {m: max(scale["rel"][m].values()) for m in scale["rel"]}
            detail = "; ".join(
                f"{n} {v:.1e}" for m in scale["rel"] for n, v in scale["rel"][m].items()
            )
            ratio = scale["peer_median"] / median
            same = max(worst.values()) <= TARGET_REL
            lines += [
                f"- ratio lifetimes / Kept (median fit wall times): **{ratio:.1f}×** — target "
                f"≥ {TARGET_RATIO:g}×: {'MET' if ratio >= TARGET_RATIO else 'NOT MET'}",
                f"- largest relative difference of the estimates: BG/NBD "
                f"{worst['bgnbd']:.1e}, Gamma–Gamma {worst['gamma_gamma']:.1e} ({detail}) — "
                f"target ≤ {TARGET_REL:g}: {'MET' if same else 'NOT MET'}",
                "- log-likelihood, Kept − lifetimes: BG/NBD "
                f"{scale['kept_ll']['bgnbd'] - scale['peer_ll']['bgnbd']:+.3g}, Gamma–Gamma "
                f"{scale['kept_ll']['gamma_gamma'] - scale['peer_ll']['gamma_gamma']:+.3g}",
            ]
        lines.append(
            f"- Kept ≤ {TARGET_SECONDS:g} s: "
            f"{'MET' if median <= TARGET_SECONDS else 'NOT MET'} ({median:.3f} s median)"
        )
        lines.append("")
    for label in ("full", "full-1t"):
        path = run / f"profile_{label}.txt"
        if path.exists():
            lines += [f"profile of one Kept fit ({PHASES[label]}):", path.read_text(), ""]
    print("\n".join(lines))  # noqa: T201


def profile(run_dir: str, rows: str, label: str) -> None:
    """Where one Kept fit's time goes: each optimisation (scipy's minimize as kept.value.clv
    calls it, wrapped from outside) with its rows, evaluations and seconds, then cProfile's
    top functions. Written to RUN_DIR/profile_LABEL.txt."""
    import cProfile  # noqa: PLC0415
    import io  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    from kept.value import clv  # noqa: PLC0415

    data = _load(run_dir, int(rows))
    calls = []

    def wrap(real):
        def timed(fun, x0, *args, **kwargs):
            started = time.perf_counter()
            done = real(fun, x0, *args, **kwargs)
            took = time.perf_counter() - started
            arrays = vars(fun).values() if hasattr(fun, "__dict__") else ()
            size = max((len(v) for v in arrays if isinstance(v, np.ndarray) and v.ndim), default=0)
            method = kwargs.get("method") or "default"
            calls.append((type(fun).__name__, method, size, done.nfev, done.nit, took))
            return done

        return timed

    # scipy's minimize wherever kept.value's modules call it from (wrapped here, src/ unchanged)
    for name in ("kept.value.clv", "kept.value.fitting"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "minimize"):
            module.minimize = wrap(module.minimize)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    clv.fit_bgnbd(data["frequency"], data["recency"], data["T"])
    clv.fit_gamma_gamma(data["frequency"], data["monetary"])
    profiler.disable()
    took = time.perf_counter() - started
    out = io.StringIO()
    out.write(f"one fit under the profiler: {took:.3f} s\n")
    for name, method, size, nfev, nit, secs in calls:
        per = secs / max(nfev, 1) * 1000
        out.write(
            f"  minimize({name}, {method}, {size:,} rows at most): {nit} iterations, "
            f"{nfev} evaluations, {secs:.3f} s ({per:.2f} ms each)\n"
        )
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(12)
    text = "\n".join(
        line for line in out.getvalue().splitlines() if line.strip() and "Ordered by" not in line
    )
    (Path(run_dir) / f"profile_{label}.txt").write_text(text)
    print(text)  # noqa: T201


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    commands = {"generate": generate, "kept": kept, "idle": idle, "profile": profile, "say": say}
    {**commands, "report": report}[command](*args)
