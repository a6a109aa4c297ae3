"""The peer of bench/p4_clv.sh: lifetimes 0.11.3 on the same customers, in its own venv.

    python bench/p4_lifetimes.py RUN_DIR ROWS

Loads RUN_DIR/customers.npz (the first ROWS customers), fits BetaGeoFitter on all of them and
GammaGammaFitter on the repeat buyers (frequency > 0, as lifetimes asks), both with their
defaults (penalizer_coef=0, tol=1e-7: BFGS with autograd's gradient, then autograd's Hessian
for the standard errors, which is part of lifetimes' fit), and prints JSON with the times and
the estimates, lifetimes' alpha and v renamed to Kept's alpha and gamma.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import warnings
from pathlib import Path


def main(run_dir: str, rows: str) -> None:
    process_started = time.perf_counter()
    import numpy as np  # noqa: PLC0415

    with np.load(Path(run_dir) / "customers.npz") as data:
        arrays = {name: np.ascontiguousarray(data[name][: int(rows)]) for name in data.files}
    loaded = time.perf_counter()
    warnings.filterwarnings("ignore")  # pkg_resources' deprecation notice on import
    import lifetimes  # noqa: PLC0415
    from lifetimes import BetaGeoFitter, GammaGammaFitter  # noqa: PLC0415

    imported = time.perf_counter()
    frequency, recency, T = arrays["frequency"], arrays["recency"], arrays["T"]
    repeat = frequency > 0
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0).fit(frequency, recency, T)
    t1 = time.perf_counter()
    ggf = GammaGammaFitter(penalizer_coef=0.0).fit(frequency[repeat], arrays["monetary"][repeat])
    t2 = time.perf_counter()
    cpu1 = time.process_time()
    bg, gg = bgf.params_, ggf.params_
    print(  # noqa: T201
        json.dumps(
            {
                "version": lifetimes.__version__,
                "numpy": np.__version__,
                "rows": len(frequency),
                "bgnbd_s": t1 - t0,
                "gamma_gamma_s": t2 - t1,
                "fit_s": t2 - t0,
                "fit_cpu_s": cpu1 - cpu0,
                "load_s": loaded - process_started,
                "import_s": imported - loaded,
                "bgnbd": {k: float(bg[k]) for k in ("r", "alpha", "a", "b")},
                "gamma_gamma": {"p": float(gg["p"]), "q": float(gg["q"]), "gamma": float(gg["v"])},
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
