"""The `kept` command: serve, demo, migrate, users, tokens, import and export, reports, the
plan, the background worker and the CLV fits.

Anything else is passed to Django's management commands (`kept check --deploy`).
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kept.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kept", *args])


def cmd_serve(args) -> int:
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    options = ["runserver", args.address]
    if not args.reload:
        options.append("--noreload")
    if not settings.DEBUG:
        options.append("--insecure")  # whitenoise serves static files; runserver must not refuse
    _manage(*options)
    return 0


def cmd_migrate(args) -> int:
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    _manage("migrate", "--no-input", *(["-v", "0"] if args.quiet else []))
    return 0


def cmd_demo(args) -> int:
    from kept.demo import DemoError, build_demo, has_demo_data

    if args.if_empty and has_demo_data():
        print("Demo data is already loaded.")  # noqa: T201
        _print_logins()
        return 0
    try:
        summary = build_demo(
            args.seed, reset=args.reset, progress=lambda line: print(line, flush=True)
        )  # noqa: T201
    except DemoError as error:
        print(error, file=sys.stderr)  # noqa: T201
        return 2
    print(summary)  # noqa: T201
    _print_logins()
    return 0


def _print_logins() -> None:
    from kept.demo import DEMO_LOGINS, DEMO_PASSWORD

    for login in DEMO_LOGINS:
        print(f"  {login.role:<10} {login.username:<10} password {DEMO_PASSWORD}")  # noqa: T201
    print("Log in at http://127.0.0.1:8000/ (demo passwords: never use them in production).")  # noqa: T201


def cmd_user(args) -> int:
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from kept.core import actions

    if args.user_command == "create":
        password = args.password or os.environ.get("KEPT_PASSWORD")
        if not password:
            print(
                "Give the password with --password or the KEPT_PASSWORD environment variable.",  # noqa: T201
                file=sys.stderr,
            )
            return 2
        try:
            user = actions.create_user(args.name, password, args.role, email=args.email)
        except ValidationError as error:
            print("; ".join(error.messages), file=sys.stderr)  # noqa: T201
            return 2
        print(f"Created {user.username} ({args.role}).")  # noqa: T201
        return 0
    user = get_user_model().objects.filter(username=args.name).first()
    if user is None:
        print(f"No user named {args.name}.", file=sys.stderr)  # noqa: T201
        return 2
    actions.set_role(user, args.role, actor=None, reason=args.reason or "kept user set-role")
    print(f"{user.username} is now {args.role}.")  # noqa: T201
    return 0


def cmd_token(args) -> int:
    from django.contrib.auth import get_user_model

    from kept.core import actions
    from kept.core.actions import TOKEN_PREFIX
    from kept.core.models import ApiToken

    if args.token_command == "create":  # noqa: S105
        user = get_user_model().objects.filter(username=args.user, is_active=True).first()
        if user is None:
            print(f"No active user named {args.user}.", file=sys.stderr)  # noqa: T201
            return 2
        _token, raw = actions.create_token(user, name=args.name)
        print(raw)  # noqa: T201
        return 0
    if args.token_command == "list":  # noqa: S105
        for token in ApiToken.objects.filter(user__username=args.user):
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            created = f"created {token.created_at:%Y-%m-%d}"
            print(f"{TOKEN_PREFIX}{token.prefix}  {token.name or '-'}  {created}  {state}")  # noqa: T201
        return 0
    # The list shows ``kept_`` before the prefix, as the token itself starts: a prefix may begin
    # with "-", which the command line would take for an option without it.
    prefix = args.prefix.removeprefix(TOKEN_PREFIX)
    tokens = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)
    if tokens.count() != 1:
        print(
            "No single active token has that prefix (see `kept token list USER`).", file=sys.stderr
        )  # noqa: T201
        return 2
    actions.revoke_token(tokens.get(), reason="kept token revoke")
    print("Revoked.")  # noqa: T201
    return 0


def cmd_import(args) -> int:
    from kept.core.transfer import import_file

    with open(args.file, "rb") as handle:
        data = handle.read()
    report = import_file(
        args.entity, data, os.path.basename(args.file), dry_run=args.dry_run, actor=None
    )
    for error in report.errors:
        print(error, file=sys.stderr)  # noqa: T201
    if not report.ok:
        print(f"Nothing was imported: {len(report.errors)} problem(s).", file=sys.stderr)  # noqa: T201
        return 1
    verb = "Would import" if args.dry_run else "Imported"
    print(f"{verb} {report.rows_total} rows: {report.created} new, {report.updated} updated.")  # noqa: T201
    return 0


def cmd_export(args) -> int:
    from django.contrib.auth import get_user_model

    from kept.core.transfer import export_entity

    fmt = args.format or ("xlsx" if args.file.endswith(".xlsx") else "csv")
    # The command line runs with the operator's full rights, as a manager would.
    user = get_user_model()(is_superuser=True, is_active=True)
    data, _content_type, _name = export_entity(args.entity, fmt, user=user)
    if args.file == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.file, "wb") as handle:
            handle.write(data)
    return 0


def cmd_report(args) -> int:
    from datetime import date, timedelta

    from django.utils import timezone

    from kept.fulfilment.report import service_level_report

    today = timezone.localdate()
    try:
        end = date.fromisoformat(args.to) if args.to else today
        start = date.fromisoformat(args.start) if args.start else end - timedelta(days=365)
    except ValueError as error:
        print(f"kept report: {error} (dates are YYYY-MM-DD)", file=sys.stderr)  # noqa: T201
        return 2
    if start > end:
        print("kept report: --from is after --to", file=sys.stderr)  # noqa: T201
        return 2
    text = service_level_report(
        start, end, by=args.by, against=args.against, today=today, fmt=args.format
    )
    sys.stdout.write(text)
    return 0


def _date_arg(value: str | None, name: str):
    from datetime import date

    from django.utils import timezone

    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        print(f"kept: {name} must be a date (YYYY-MM-DD), not {value!r}", file=sys.stderr)  # noqa: T201
        return None


def cmd_plan(args) -> int:
    from kept.replenishment.report import plan_report
    from kept.replenishment.tasks import enqueue_nightly_plan

    day = _date_arg(args.date, "--date")
    if day is None:
        return 2
    if args.enqueue:
        run = enqueue_nightly_plan(day)
        print(f"Plan run {run.pk} for {day} is {run.status}; `kept worker` computes it.")  # noqa: T201
        return 0
    sys.stdout.write(plan_report(day, args.format))
    return 0


def cmd_worker(args) -> int:
    """Run the configured tasks backend's worker: the database backend's ``db_worker``, or
    an RQ worker on the queues of ``RQ_QUEUES``."""
    from django.conf import settings

    if settings.KEPT_TASKS_BACKEND == "rq":
        options = ["rqworker", "--job-class", "django_tasks_rq.Job", *settings.RQ_QUEUES]
        _manage(*options, *(["--burst"] if args.once else []))
        return 0
    options = ["db_worker", "--reload" if args.reload else "--no-reload"]
    _manage(*options, *(["--batch", "--no-startup-delay"] if args.once else []))
    return 0


def cmd_backtest(args) -> int:
    from kept.replenishment.report import backtest_report

    day = _date_arg(args.until, "--until")
    if day is None:
        return 2
    sys.stdout.write(backtest_report(day, fmt=args.format))
    return 0


def cmd_rescore(args) -> int:
    from time import perf_counter

    from kept.fulfilment import scores

    started = perf_counter()
    cleared = scores.rebuild() if args.all else scores.refresh()
    what = "every line" if args.all else f"{cleared} queued order changes"
    print(f"Scored {what} in {perf_counter() - started:.1f} s.")  # noqa: T201
    return 0


def cmd_sla(args) -> int:
    """The SLA watch: evaluate every open ticket, store its state, warn once per target."""
    from kept.servicedesk import tasks

    if args.enqueue:
        print(f"SLA watch queued as {tasks.enqueue_watch()}; `kept worker` runs it.")  # noqa: T201
        return 0
    done = tasks.watch()
    print(f"Checked {done['tickets']} open tickets, sent {done['warnings']} warnings.")  # noqa: T201
    return 0


def cmd_funnel(args) -> int:
    """The funnel check: alert the managers to each stage below its target (daily)."""
    from kept.pipeline import tasks

    if args.enqueue:
        print(f"Funnel check queued as {tasks.enqueue_check()}; `kept worker` runs it.")  # noqa: T201
        return 0
    done = tasks.check_funnel()
    print(  # noqa: T201
        f"{done['below_target']} stages below target; {done['alerts']} new alerts to the managers."
    )
    return 0


def cmd_clv(args) -> int:
    """Fit a CLV model to a transaction file and print its parameters."""
    import json

    from kept.value.report import fit_report

    end = _date_arg(args.calibration_end, "--calibration-end")
    if end is None:
        return 2
    try:
        body = fit_report(
            args.file,
            model=args.model,
            unit=args.unit,
            calibration_end=end,
            customer_column=args.customer_col,
            date_column=args.date_col,
            value_column=args.value_col,
        )
    except ValueError as error:
        print(f"kept clv: {error}", file=sys.stderr)  # noqa: T201
        return 2
    print(json.dumps(body, indent=2))  # noqa: T201
    return 0


def cmd_clv_refit(args) -> int:
    """Refit every customer's value from the database (the nightly job), here or queued."""
    from kept.value.refit import NotEnoughHistory, as_of_default
    from kept.value.tasks import enqueue_refit, run_refit

    as_of = _date_arg(args.as_of, "--as-of") if args.as_of else as_of_default(_date_arg("", ""))
    if as_of is None:
        return 2
    if args.enqueue:
        run = enqueue_refit(as_of)
        print(f"Value refit {run.pk} as of {as_of} is {run.status}; `kept worker` runs it.")  # noqa: T201
        return 0
    try:
        run = run_refit(as_of)
    except NotEnoughHistory as error:
        print(f"kept clv refit: not enough history: {error}", file=sys.stderr)  # noqa: T201
        return 2
    print(f"Value refit {run.pk} as of {as_of}: {run.customers} customers.")  # noqa: T201
    return 0


def cmd_backup(args) -> int:
    """Write the whole database to one file (a consistent snapshot; progress on stderr)."""
    from time import perf_counter

    from kept.core.backup import BackupError, write_backup

    started = perf_counter()
    try:
        counts = write_backup(args.file, progress=lambda line: print(line, file=sys.stderr))  # noqa: T201
    except (BackupError, OSError) as error:
        print(f"kept backup: {error}", file=sys.stderr)  # noqa: T201
        return 1
    rows = sum(count.rows for count in counts)
    print(  # noqa: T201
        f"Backed up {rows} rows of {len(counts)} tables to {args.file} "
        f"in {perf_counter() - started:.1f} s."
    )
    return 0


def cmd_restore(args) -> int:
    """Load a backup into this database, all or nothing, and print the counts."""
    from time import perf_counter

    from kept.core.backup import BackupError
    from kept.core.restore import restore_backup

    started = perf_counter()
    try:
        counts = restore_backup(args.file, force=args.force)
    except (BackupError, OSError) as error:
        print(f"kept restore: {error}", file=sys.stderr)  # noqa: T201
        return 1
    for count in counts:
        print(f"{count.rows:>8}  {count.label}")  # noqa: T201
    rows = sum(count.rows for count in counts)
    print(f"Restored {rows} rows of {len(counts)} tables in {perf_counter() - started:.1f} s.")  # noqa: T201
    return 0


def build_parser() -> argparse.ArgumentParser:
    from kept.core.choices import Role

    parser = argparse.ArgumentParser(prog="kept", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the web app and API")
    serve.add_argument("address", nargs="?", default="127.0.0.1:8000", help="ADDR:PORT")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="create or upgrade the database")
    migrate.add_argument("--quiet", action="store_true")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="build the demo business")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--reset", action="store_true", help="delete existing data first")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if data exists")
    demo.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create a user in a role")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=Role.values)
    create.add_argument("--password", help="default: $KEPT_PASSWORD")
    create.add_argument("--email", default="")
    set_role = user.add_parser("set-role", help="move a user to another role (audited)")
    set_role.add_argument("name")
    set_role.add_argument("role", choices=Role.values)
    set_role.add_argument("--reason", default="")
    for p in (create, set_role):
        p.set_defaults(func=cmd_user)

    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True
    )
    token_create = token.add_parser("create", help="create a token; prints only the token")
    token_create.add_argument("user")
    token_create.add_argument("--name", default="")
    token_list = token.add_parser("list", help="list a user's tokens")
    token_list.add_argument("user")
    token_revoke = token.add_parser("revoke", help="revoke a token by its prefix")
    token_revoke.add_argument("prefix", help="as `kept token list` shows it, e.g. kept_Ab3dEf9h")
    for p in (token_create, token_list, token_revoke):
        p.set_defaults(func=cmd_token)

    from kept.core.transfer import ENTITIES

    entities = sorted(ENTITIES)
    imp = sub.add_parser("import", help="import a CSV or XLSX file (all or nothing)")
    imp.add_argument("entity", choices=entities)
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="check and preview, write nothing")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="export to CSV or XLSX")
    exp.add_argument("entity", choices=entities)
    exp.add_argument("file", help="output file, or - for standard output")
    exp.add_argument("--format", choices=["csv", "xlsx"])
    exp.set_defaults(func=cmd_export)

    from kept.fulfilment.choices import Against, GroupBy

    report = sub.add_parser("report", help="reports").add_subparsers(dest="report", required=True)
    level = report.add_parser("service-level", help="service level against promise or request")
    level.add_argument("--from", dest="start", help="first date (default: a year before --to)")
    level.add_argument("--to", help="last date (default: today)")
    level.add_argument("--by", choices=GroupBy.values, default=GroupBy.MONTH)
    level.add_argument("--against", choices=Against.values, default=Against.PROMISE)
    level.add_argument("--format", choices=["json", "csv"], default="json")
    level.set_defaults(func=cmd_report)
    plan = sub.add_parser("plan", help="today's plan: the containers to refill")
    plan.add_argument("--date", help="the plan's date (default: today)")
    plan.add_argument("--format", choices=["json", "csv"], default="json")
    plan.add_argument(
        "--enqueue", action="store_true", help="compute it in the background (kept worker)"
    )
    plan.set_defaults(func=cmd_plan)
    worker = sub.add_parser("worker", help="run background jobs (the nightly plan)")
    worker.add_argument("--once", action="store_true", help="run what is queued, then exit")
    worker.add_argument("--reload", action="store_true", help="restart on code changes")
    worker.set_defaults(func=cmd_worker)
    backtest = sub.add_parser("backtest", help="replay history to test a forecast")
    backtest.add_argument("what", choices=["replenishment"])
    backtest.add_argument("--until", help="history up to this date (default: today)")
    backtest.add_argument("--format", choices=["json", "csv"], default="json")
    backtest.set_defaults(func=cmd_backtest)
    rescore = sub.add_parser(
        "rescore", help="bring the stored service-level scores up to date (reports do it too)"
    )
    rescore.add_argument(
        "--all", action="store_true", help="score every line again (after a bulk load)"
    )
    rescore.set_defaults(func=cmd_rescore)
    sla = sub.add_parser(
        "sla", help="the SLA watch: store each open ticket's state and warn (every few minutes)"
    )
    sla.add_argument("--enqueue", action="store_true", help="run it in the background")
    sla.set_defaults(func=cmd_sla)
    funnel = sub.add_parser("funnel", help="the funnel").add_subparsers(
        dest="funnel_command", required=True
    )
    check = funnel.add_parser("check", help="alert the managers to stages below target (daily)")
    check.add_argument("--enqueue", action="store_true", help="run it in the background")
    check.set_defaults(func=cmd_funnel)
    _add_clv(sub)
    backup = sub.add_parser("backup", help="write the whole database to one file")
    backup.add_argument("file", help="e.g. kept-2026-12-07.jsonl.gz")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore", help="load a backup into a new database (kept migrate first)"
    )
    restore.add_argument("file")
    restore.add_argument("--force", action="store_true", help="replace everything in the database")
    restore.set_defaults(func=cmd_restore)
    return parser


def _add_clv(sub) -> None:
    from kept.value.report import MODELS
    from kept.value.summary import UNIT_DAYS

    clv = sub.add_parser("clv", help="customer lifetime value").add_subparsers(
        dest="clv_command", required=True
    )
    fit = clv.add_parser(
        "fit",
        help="fit BG/NBD, Pareto/NBD or Gamma–Gamma to a transaction file",
        description="CSV with a header (columns by name) or the raw whitespace layout of "
        "the CDNOW data (columns by 1-based position; detected when not given).",
    )
    fit.add_argument("file")
    fit.add_argument("--customer-col", help="customer column: name, or position without header")
    fit.add_argument("--date-col", help="date column (YYYY-MM-DD or YYYYMMDD)")
    fit.add_argument("--value-col", help="transaction value column (needed for gg)")
    fit.add_argument("--unit", required=True, choices=list(UNIT_DAYS), help="the time unit")
    fit.add_argument(
        "--calibration-end", required=True, help="last day of the calibration (YYYY-MM-DD)"
    )
    fit.add_argument("--model", choices=list(MODELS), default="bgnbd")
    fit.add_argument("--format", choices=["json"], default="json")
    fit.set_defaults(func=cmd_clv)
    refit = clv.add_parser(
        "refit", help="refit every customer's value from the database (the nightly job)"
    )
    refit.add_argument("--as-of", help="purchases up to this date (default: yesterday)")
    refit.add_argument("--enqueue", action="store_true", help="run it in the background")
    refit.set_defaults(func=cmd_clv_refit)


KEPT_COMMANDS = {
    "serve",
    "migrate",
    "demo",
    "user",
    "token",
    "import",
    "export",
    "report",
    "rescore",
    "plan",
    "backtest",
    "worker",
    "sla",
    "funnel",
    "clv",
    "backup",
    "restore",
    "-h",
    "--help",
}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    _setup()
    if argv and argv[0] not in KEPT_COMMANDS:
        _manage(*argv)  # any Django management command
        return
    args = build_parser().parse_args(argv)
    sys.exit(args.func(args))
