"""kept clv fit: the published CDNOW estimates from the raw file and from CSV, and the
errors an operator can make."""

import json
from pathlib import Path

import numpy as np
import pytest

from kept.cli import main

CDNOW = str(Path(__file__).parent / "data" / "CDNOW_sample.txt")
CALIBRATION = ["--unit", "week", "--calibration-end", "1997-09-30"]


def _run(capsys, *args):
    with pytest.raises(SystemExit) as done:
        main(["clv", "fit", *args])
    return done.value.code, capsys.readouterr()


def test_the_raw_cdnow_file_gives_the_published_bgnbd_estimates(capsys):
    code, out = _run(capsys, CDNOW, *CALIBRATION, "--model", "bgnbd", "--format", "json")

    body = json.loads(out.out)
    assert code == 0 and body["model"] == "bgnbd" and body["customers"] == 2357
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert body["params"] == pytest.approx(published, abs=0.005)
    assert body["log_likelihood"] == pytest.approx(-9582.43, abs=0.05)
    assert body["unit"] == "week"


def test_columns_by_position_give_the_published_spend_and_pareto_estimates(capsys):
    positions = ["--customer-col", "2", "--date-col", "3", "--value-col", "5"]

    code, out = _run(capsys, CDNOW, *positions, *CALIBRATION, "--model", "gg")
    spend = json.loads(out.out)
    code_pnbd, out = _run(capsys, CDNOW, *positions[:4], *CALIBRATION, "--model", "pnbd")
    pareto = json.loads(out.out)

    assert code == code_pnbd == 0 and spend["customers"] == 946
    assert spend["params"] == pytest.approx({"p": 6.25, "q": 3.74, "gamma": 15.44}, abs=0.02)
    assert spend["log_likelihood"] == pytest.approx(-4055.92, abs=0.05)
    published = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    assert pareto["params"] == pytest.approx(published, abs=0.01)


def test_a_csv_with_a_header_reads_columns_by_name(capsys, tmp_path):
    rows = np.loadtxt(CDNOW, dtype=str)
    lines = ["order;client;day;amount"] + [
        f"{n};C{row[1]};{row[2][:4]}-{row[2][4:6]}-{row[2][6:]};{row[4]}"
        for n, row in enumerate(rows)
    ]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n")
    names = ["--customer-col", "client", "--date-col", "day", "--value-col", "amount"]

    code, out = _run(capsys, str(path), *names, *CALIBRATION)

    body = json.loads(out.out)
    assert code == 0 and body["customers"] == 2357
    assert body["log_likelihood"] == pytest.approx(-9582.43, abs=0.05)


def test_clear_errors_for_a_missing_column_a_bad_date_and_an_empty_file(capsys, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("customer,date,value\nA,2024-01-02,10\nA,2024-02-03,12\n")
    bad_date = tmp_path / "bad.csv"
    bad_date.write_text("customer,date,value\n\nA,2024-01-02,10\nB,2024-02-30,12\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    columns = ["--customer-col", "customer", "--date-col", "date"]

    missing = _run(
        capsys, str(good), "--customer-col", "client", "--date-col", "date", *CALIBRATION
    )
    wrong_day = _run(capsys, str(bad_date), *columns, *CALIBRATION)
    nothing = _run(capsys, str(empty), *columns, *CALIBRATION)
    no_values = _run(capsys, str(good), *columns, *CALIBRATION, "--model", "gg")
    bad_end = _run(capsys, str(good), *columns, "--unit", "week", "--calibration-end", "soon")

    assert missing[0] == 2 and "no column 'client'" in missing[1].err
    assert wrong_day[0] == 2 and "line 4: bad date '2024-02-30'" in wrong_day[1].err
    assert nothing[0] == 2 and "empty" in nothing[1].err
    assert no_values[0] == 2 and "--value-col" in no_values[1].err
    assert bad_end[0] == 2 and "YYYY-MM-DD" in bad_end[1].err
    assert all(run[1].out == "" for run in (missing, wrong_day, nothing, no_values, bad_end))


def _refit(capsys, *args):
    with pytest.raises(SystemExit) as done:
        main(["clv", "refit", *args])
    return done.value.code, capsys.readouterr()


@pytest.mark.django_db
def test_refit_without_history_says_so_and_records_the_failed_run(capsys):
    from kept.value.models import ValueRun

    code, out = _refit(capsys, "--as-of", "2026-11-30")

    assert code == 2 and "not enough history" in out.err
    run = ValueRun.objects.get()
    assert run.status == "failed" and "0 customers" in run.error


@pytest.mark.django_db
def test_refit_enqueue_queues_one_run_and_a_bad_date_is_refused(
    capsys, django_capture_on_commit_callbacks
):
    from kept.value.models import ValueRun

    with django_capture_on_commit_callbacks(execute=False):
        code, out = _refit(capsys, "--enqueue", "--as-of", "2026-11-30")
        again, _out = _refit(capsys, "--enqueue")
    bad, out_bad = _refit(capsys, "--as-of", "30/11/2026")

    assert code == 0 and again == 0 and "queued" in out.out
    assert ValueRun.objects.count() == 1  # the second asked while the first waits
    assert bad == 2 and "--as-of must be a date" in out_bad.err
