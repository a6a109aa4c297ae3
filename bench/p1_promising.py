"""Helper for bench/p1_promising.sh (P1: promise decisions through the HTTP API).

    prepare OUT_DIR      stock up the demo business, pick the customers, write the wrk data
    queries RUN_DIR      SQL queries and in-process time per request, by kind of request
    cpu GUNICORN_PID     CPU ticks so far: gunicorn (master + workers), this database's
                         PostgreSQL backends, other PostgreSQL processes, the whole machine
    idle SECONDS         share of the machine's CPU left idle over SECONDS
    report RUN_DIR       the summary block for BENCHMARKS.md

Runs with the same KEPT_* environment as the server (the bench database).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

STOCK_BOOST = Decimal(30_000)  # per product: ample for every run, so most lines commit
HUGE_QUANTITY = 60_000  # more than any product will ever have: a counter (or no supply)
BENCH_USER = "staff1"  # a demo staff user: may promise


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kept.settings")
    import django

    django.setup()


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lua_list(values) -> str:
    return "{" + ", ".join(_lua_string(v) for v in values) + "}"


def prepare(out_dir: str) -> None:
    """Stock up every product (a real, audited stock movement), pick the customers and, for
    each, the SKUs the rules let them order without a manager; write data.lua for wrk."""
    _django()
    from django.contrib.auth import get_user_model

    from kept.catalog.actions import record_manual_movement
    from kept.catalog.choices import MovementReason
    from kept.catalog.models import Product
    from kept.core.actions import create_token
    from kept.promising.queries import business_today

    warehouse = get_user_model().objects.get(username="warehouse")
    products = list(Product.objects.filter(sellable=True).order_by("sku"))
    for product in products:
        record_manual_movement(
            product,
            STOCK_BOOST,
            MovementReason.ADJUSTMENT,
            actor=warehouse,
            note="P1 benchmark: stock for the load test",
        )
    today = business_today()
    lead = max(p.delivery_lead_days for p in products)
    dates = [(today + timedelta(days=d)).isoformat() for d in range(lead, lead + 28)]
    eligible = _eligible(products, today + timedelta(days=lead))
    _token, raw = create_token(get_user_model().objects.get(username=BENCH_USER), name="P1 bench")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    customers = ",\n    ".join(
        "{" + _lua_string(code) + ", {" + ", ".join(str(i + 1) for i in skus) + "}}"
        for code, skus in eligible
    )
    (out / "data.lua").write_text(
        "return {\n"
        f"  token = {_lua_string(raw)},\n"
        f"  skus = {_lua_list(p.sku for p in products)},\n"
        f"  -- {{customer code, {{indexes of the SKUs its rules let it order}}}}\n"
        f"  customers = {{\n    {customers}\n  }},\n"
        f"  dates = {_lua_list(dates)},\n"
        f"  early_date = {_lua_string(today.isoformat())},\n"
        f"  huge_quantity = {HUGE_QUANTITY},\n"
        "}\n"
    )
    (out / "customers.json").write_text(
        json.dumps([[code, [products[i].sku for i in skus]] for code, skus in eligible])
    )
    (out / "token").write_text(raw)
    mean_skus = sum(len(skus) for _c, skus in eligible) / max(len(eligible), 1)
    print(
        f"prepared: {len(products)} products (+{STOCK_BOOST} each); {len(eligible)} customers "
        f"(their rules allow {mean_skus:.1f} SKUs on average); dates {dates[0]}..{dates[-1]} "
        f"(business today {today})"
    )


def _eligible(products, first_date) -> list[tuple[str, list[int]]]:
    """Customers a shop would promise to without a manager (active, not blocked, no credit
    limit for the benchmark's own commitments to run into, no hold for overdue invoices),
    each with the SKUs that commit for 5 units on the first date (a dry evaluation: the
    group's excluded products, minimum margins and lead times are the engine's business)."""
    from decimal import Decimal

    from kept.customers.models import Customer
    from kept.promising import queries as promising_queries
    from kept.promising.engine import LineInput, evaluate

    candidates = (
        Customer.objects.filter(is_active=True, is_blocked=False, credit_limit__isnull=True)
        .exclude(kind="internal")
        .order_by("code")
    )
    original, cache = promising_queries.timelines, {}

    def timelines(product_ids, today=None):  # stock does not move while we probe
        key = (frozenset(product_ids), today)
        if key not in cache:
            cache[key] = original(product_ids, today)
        return dict(cache[key])

    promising_queries.timelines = timelines
    try:
        eligible = []
        for customer in candidates:
            lines = [LineInput(p, Decimal(5), first_date) for p in products]
            result = evaluate(customer, lines)
            skus = [i for i, line in enumerate(result.lines) if line.decision == "commit"]
            if skus:
                eligible.append((customer.code, skus))
    finally:
        promising_queries.timelines = original
    if not eligible:
        raise SystemExit("no customer can order anything without a manager: check the demo")
    return eligible


# --------------------------------------------------------------------------- queries


def _body(customer, skus, dates, *, dry_run=False, early=False, huge=False):
    return {
        "customer": customer,
        "ship_complete": False,
        "dry_run": dry_run,
        "lines": [
            {
                "sku": sku,
                "quantity": str(HUGE_QUANTITY if huge and i == 0 else 2 + i),
                "requested_date": dates[0] if early and i == 0 else dates[1 + i],
                "accept_partial": i == 0,
            }
            for i, sku in enumerate(skus)
        ],
    }


def queries(run_dir: str) -> None:
    """Run each kind of request through the whole Django stack (test client, no HTTP server)
    and count its SQL queries; then time a batch of them in-process."""
    _django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kept.core.actions import create_token
    from kept.promising.queries import business_today

    _token, raw = create_token(get_user_model().objects.get(username=BENCH_USER), name="P1 q")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")
    # the commonest set of SKUs prepare found orderable, and the customers it holds for
    eligible = json.loads((Path(run_dir) / "customers.json").read_text())
    common = Counter(tuple(skus) for _code, skus in eligible).most_common(1)[0][0]
    customers = [code for code, skus in eligible if tuple(skus) == common][:400]
    skus = list(common)
    today = business_today()
    dates = [(today + timedelta(days=d)).isoformat() for d in range(0, 30)]
    dates = [dates[0]] + dates[3:]  # today (before the lead time), then feasible dates

    def post(body):
        return client.post("/api/v1/orders", json.dumps(body), content_type="application/json")

    post(_body(customers[0], skus[:1], dates))  # warm caches (permissions, translations, URLs)
    kinds = {
        "commit, 1 line": {"skus": skus[:1]},
        "commit, 2 lines": {"skus": skus[1:3]},
        "commit, 3 lines": {"skus": skus[3:6]},
        "counter (lead time), 1 line": {"skus": skus[:1], "early": True},
        "counter (quantity), 1 line": {"skus": skus[2:3], "huge": True},
        "dry run, 1 line": {"skus": skus[:1], "dry_run": True},
        "dry run, 2 lines": {"skus": skus[1:3], "dry_run": True},
    }
    print("SQL queries per request (test client through the whole stack, bench database):")
    for n, (label, spec) in enumerate(kinds.items()):
        with CaptureQueriesContext(connection) as captured:
            response = post(_body(customers[1 + n], dates=dates, **spec))
        decision = json.loads(response.content).get("decision")
        sql = [q["sql"] for q in captured.captured_queries]
        print(f"  {label:<30} {len(sql):>3} queries  -> HTTP {response.status_code} {decision}")
        if os.environ.get("P1_SHOW_SQL") and label in ("commit, 2 lines", "dry run, 1 line"):
            for q in sql:
                print("      " + re.sub(r"\s+", " ", q)[:160])
    # Grouped by table/kind for the 2-line commit (where the queries go).
    with CaptureQueriesContext(connection) as captured:
        post(_body(customers[20], skus[6:8], dates))
    groups = Counter(_classify(q["sql"]) for q in captured.captured_queries)
    print("  2-line commit, by statement:")
    for key, count in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"      {count:>3}  {key}")

    # In-process, one request at a time: CPU time (this thread) and queries by step.
    steps = _Steps()
    print("In-process, one request at a time (test client, 300 each, 1-3 lines, 1.67 mean):")
    print("  CPU ms of the Python thread, exclusive of the steps nested in it; wall ms; queries")
    with steps.patched(), connection.execute_wrapper(steps.execute):
        for label, dry in (("commit", False), ("dry run", True)):
            steps.reset()
            for i in range(300):
                chosen = [skus[(i + k * 5) % len(skus)] for k in range(1 + i % 3)]
                body = _body(customers[30 + i % 300], chosen, dates, dry_run=dry)
                steps.enter("framework: middleware, ninja parse/validate/render, customer")
                try:
                    post(body)
                finally:
                    steps.leave()
            steps.show(label, 300)


STEPS = [  # (module, attribute, label): the functions the step profiler times
    ("kept.core.auth", "RoleBackend.get_all_permissions", "auth: permissions"),
    ("kept.core.api_support", "Needs.__call__", "auth: token, user"),
    ("kept.promising.api", "_inputs", "products by SKU"),
    ("kept.promising.actions", "promise_new_order", "transaction: order insert, commit"),
    ("kept.promising.actions", "_lock_stock", "lock: stock rows"),
    ("kept.promising.actions", "check_order", "dry run: check_order"),
    ("kept.promising.actions", "evaluate", "evaluate: rules and ATP (Python)"),
    ("kept.promising.queries", "policy_for", "evaluate: policy"),
    ("kept.promising.queries", "promise_subject", "lock customer; it, override, credit facts"),
    ("kept.promising.queries", "timelines", "evaluate: timelines"),
    ("kept.promising.actions", "record_new_lines", "record lines, versions, commitments"),
    ("kept.promising.api", "new_order_answer", "answer: from what was written"),
    ("kept.promising.api", "evaluation_answer", "answer: dry run"),
]


class _Steps:
    """A small exclusive-time profiler over the functions in STEPS (monkeypatched)."""

    def __init__(self) -> None:
        self.stack: list[list] = []
        self.reset()

    def reset(self) -> None:
        self.cpu: Counter = Counter()
        self.wall: Counter = Counter()
        self.queries: Counter = Counter()

    def enter(self, label: str) -> None:
        self.stack.append([label, time.thread_time(), time.perf_counter(), 0.0, 0.0])

    def leave(self) -> None:
        label, cpu0, wall0, child_cpu, child_wall = self.stack.pop()
        cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
        self.cpu[label] += cpu - child_cpu
        self.wall[label] += wall - child_wall
        if self.stack:
            self.stack[-1][3] += cpu
            self.stack[-1][4] += wall

    def execute(self, execute, sql, params, many, context):
        if self.stack:
            self.queries[self.stack[-1][0]] += 1
        return execute(sql, params, many, context)

    def _wrap(self, label, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            self.enter(label)
            try:
                return func(*args, **kwargs)
            finally:
                self.leave()

        return wrapper

    def patched(self):
        import contextlib
        import importlib

        @contextlib.contextmanager
        def manager():
            saved = []
            for module_name, attribute, label in STEPS:
                owner = importlib.import_module(module_name)
                *path, name = attribute.split(".")
                for part in path:
                    owner = getattr(owner, part)
                saved.append((owner, name, getattr(owner, name)))
                setattr(owner, name, self._wrap(label, getattr(owner, name)))
            try:
                yield
            finally:
                for owner, name, original in reversed(saved):
                    setattr(owner, name, original)

        return manager()

    def show(self, title: str, requests: int) -> None:
        cpu, wall = sum(self.cpu.values()), sum(self.wall.values())
        count = sum(self.queries.values())
        print(
            f"  {title}: {cpu / requests * 1000:.2f} ms CPU, {wall / requests * 1000:.2f} ms "
            f"wall, {count / requests:.1f} queries per request"
        )
        for label, seconds in self.cpu.most_common():
            ms_cpu, ms_wall = seconds / requests * 1000, self.wall[label] / requests * 1000
            print(
                f"    {ms_cpu:6.2f} ms CPU {ms_wall:6.2f} ms wall "
                f"{self.queries[label] / requests:5.1f} q  {label}"
            )


def _classify(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql.strip())
    verb = sql.split(" ", 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
        return verb
    table = re.search(r'(?:FROM|INTO|UPDATE) "([a-z_]+)"', sql)
    lock = " FOR UPDATE" if "FOR UPDATE" in sql else ""
    return f"{verb} {table.group(1) if table else '?'}{lock}"


# --------------------------------------------------------------------------- CPU


def _proc_stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, command name, utime + stime in clock ticks) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), name, int(fields[11]) + int(fields[12])


def _machine_ticks() -> tuple[int, int]:
    """(busy, idle) clock ticks of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]) - idle, idle


def cpu(gunicorn_pid: int) -> None:
    """Print a snapshot: CPU ticks used so far by each process, by group, and the machine's."""
    import psycopg

    with psycopg.connect(os.environ["KEPT_DATABASE_URL"]) as conn:
        backends = {
            row[0]
            for row in conn.execute(
                "select pid from pg_stat_activity where datname = current_database() "
                "and pid <> pg_backend_pid()"
            )
        }
    procs = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat is not None:
                procs[int(entry.name)] = stat
    tree, changed = ({gunicorn_pid} if gunicorn_pid else set()), True
    while changed:
        children = {pid for pid, (ppid, _n, _t) in procs.items() if ppid in tree} - tree
        tree |= children
        changed = bool(children)
    me = {os.getpid(), os.getppid()}
    groups: dict[str, dict[str, int]] = {
        "gunicorn": {},
        "pg_bench": {},
        "pg_other": {},
        "other": {},
    }
    for pid, (_ppid, name, used) in procs.items():
        if pid in tree:
            group = "gunicorn"
        elif pid in backends:
            group = "pg_bench"
        elif name == "postgres":
            group = "pg_other"
        elif pid in me or name in ("wrk", "pgbench", "psql"):
            continue  # the benchmark's own tools: wrk is timed by the shell
        else:
            group = "other"
        groups[group][str(pid)] = used
    busy, idle_ticks = _machine_ticks()
    print(json.dumps({**groups, "busy": busy, "idle": idle_ticks, "hz": os.sysconf("SC_CLK_TCK")}))


def _cpu_delta(run: Path, name: str) -> dict[str, float]:
    """CPU seconds by group between the snapshots around a phase. A process alive at both
    ends counts its difference, a new one all it used; one that ended is lost (its CPU
    shows in "unattributed", with the kernel's)."""
    before = json.loads((run / f"cpu_{name}_before.json").read_text())
    after = json.loads((run / f"cpu_{name}_after.json").read_text())
    hz = after["hz"]
    delta = {
        group: sum(used - before[group].get(pid, 0) for pid, used in after[group].items()) / hz
        for group in ("gunicorn", "pg_bench", "pg_other", "other")
    }
    delta["busy"] = (after["busy"] - before["busy"]) / hz
    delta["idle"] = (after["idle"] - before["idle"]) / hz
    timed = run / f"wrk_{name}.txt.time"
    delta["wrk"] = sum(float(v) for v in timed.read_text().split()) if timed.exists() else 0.0
    return delta


def idle(seconds: float) -> None:
    busy0, idle0 = _machine_ticks()
    time.sleep(seconds)
    busy1, idle1 = _machine_ticks()
    print(f"{(idle1 - idle0) / max(busy1 - busy0 + idle1 - idle0, 1):.3f}")


# --------------------------------------------------------------------------- report


def _wrk(path: Path) -> dict:
    values = {}
    for line in path.read_text().splitlines():
        if line.startswith("P1 "):
            for pair in line[3:].split():
                key, _, value = pair.partition("=")
                values[key] = float(value)
    return values


def _rate_line(label: str, w: dict) -> list[str]:
    total = w["requests"]
    ok = w.get("s2xx", 0)
    bad = total - ok
    decisions = {k[2:]: int(v) for k, v in w.items() if k.startswith("d_")}
    mix = ", ".join(
        f"{name} {decisions.get(name, 0) / max(ok, 1):.1%}"
        for name in ("commit", "counter", "hold", "decline")
    )
    return [
        f"{label}: {w['rate']:.0f} /s  ({int(total)} requests in {w['seconds']:.1f} s, "
        f"{w['lines'] / max(w['generated'], 1):.2f} lines/request)",
        f"  latency ms: p50 {w['p50'] / 1000:.1f}  p90 {w['p90'] / 1000:.1f}  "
        f"p99 {w['p99'] / 1000:.1f}  p99.9 {w['p999'] / 1000:.1f}  max {w['max'] / 1000:.1f}",
        f"  non-2xx: {int(bad)} ({bad / max(total, 1):.2%}); socket errors: "
        f"{int(w['e_connect'] + w['e_read'] + w['e_write'] + w['e_timeout'])}",
        f"  order decisions (from the answers): {mix}",
    ]


def _cpu_lines(run: Path, name: str, w: dict) -> list[str]:
    """CPU per request by process group over the measured window (ms of one core), the
    ceiling it implies, and how much of the machine other people's processes took."""
    d = _cpu_delta(run, name)
    per = 1000 / max(w["requests"], 1)
    ours = d["gunicorn"] + d["pg_bench"] + d["wrk"]
    capacity = d["busy"] + d["idle"]
    unattributed = max(d["busy"] - ours - d["pg_other"] - d["other"], 0.0)
    cores = os.cpu_count() or 1
    others = (d["pg_other"] + d["other"] + unattributed) / max(capacity, 1e-9)
    return [
        f"  CPU ms per request: gunicorn (Python) {d['gunicorn'] * per:.1f}, PostgreSQL "
        f"backends {d['pg_bench'] * per:.1f}, wrk {d['wrk'] * per:.1f}: {ours * per:.1f} in all "
        f"-> CPU-bound ceiling {cores} cores / {ours * per:.1f} ms = "
        f"{cores * 1000 / max(ours * per, 1e-9):.0f} /s",
        f"  other processes took {others:.0%} of the CPUs (other PostgreSQL "
        f"{d['pg_other'] / capacity:.0%}, other programs {d['other'] / capacity:.0%}, "
        f"unattributed {unattributed / capacity:.0%}); idle {d['idle'] / capacity:.0%}"
        + ("  ** DISTURBED: rerun on a quiet machine **" if others > 0.10 else ""),
    ]


def _pgbench_disturbance(run: Path) -> str:
    d = _cpu_delta(run, "pgbench")
    capacity = d["busy"] + d["idle"]
    share = d["other"] / max(capacity, 1e-9)
    return f"other programs took {share:.0%} of the CPUs" + (
        "  ** DISTURBED **" if share > 0.10 else ""
    )


def report(run_dir: str) -> None:
    run = Path(run_dir)
    meta = json.loads((run / "meta.json").read_text())
    real = _wrk(run / "wrk_real.txt")
    dry = _wrk(run / "wrk_dry.txt")
    pgbench = (run / "pgbench.txt").read_text()
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", pgbench)
    tps = float(match.group(1)) if match else float("nan")
    latency = re.search(r"latency average = ([0-9.]+) ms", pgbench)
    db = " ".join((run / "db_counts.txt").read_text().split())
    target_ok = (
        real["rate"] >= 300 and real["p99"] / 1000 < 100 and real["s2xx"] == real["requests"]
    )
    out = [
        "=" * 78,
        f"P1 promising — {meta['date']}  commit {meta['commit']}  host: {meta['host']}",
        f"gunicorn {meta['gunicorn']}",
        f"wrk -t{meta['wrk_threads']} -c{meta['clients']} -d{meta['duration']} "
        f"(after a {meta['warmup']} warm-up); PostgreSQL {meta['pg_version']} "
        f"({meta['pg_settings']})",
        "-" * 78,
        *_rate_line("Decisions (real: written orders)", real),
        *_cpu_lines(run, "real", real),
        f"  written during the measured run: {db}",
        *_rate_line("Dry runs (decision, nothing written)", dry),
        *_cpu_lines(run, "dry", dry),
        "-" * 78,
        f"pgbench -N -c 8 -j 2 -T {meta['pgbench_seconds']} (scale 10): {tps:.0f} TPS"
        + (f", latency avg {latency.group(1)} ms" if latency else "")
        + f"; {_pgbench_disturbance(run)}",
        f"ratio decisions/s : pgbench TPS = {real['rate'] / tps:.3f}  "
        f"(dry runs : pgbench = {dry['rate'] / tps:.3f})",
        "target (>= 300 decisions/s, p99 < 100 ms, 0 errors): "
        + ("MET" if target_ok else "NOT MET"),
        "=" * 78,
    ]
    print("\n".join(out))


def main(argv: list[str]) -> int:
    if len(argv) < 1:
        print(__doc__)
        return 2
    command, args = argv[0], argv[1:]
    if command == "prepare":
        prepare(args[0])
    elif command == "queries":
        queries(args[0])
    elif command == "cpu":
        cpu(int(args[0]))
    elif command == "idle":
        idle(float(args[0]))
    elif command == "report":
        report(args[0])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
