"""R3, for every importable entity: a broken file writes nothing anywhere in the database.

Parametrized over ``ENTITIES`` itself: an entity added to the registry without a case here
fails ``test_every_entity_has_a_broken_file_case``. Each case is a file in the entity's real
columns with several good rows and one bad row (a bad reference, number, date or a rule that
the saving action enforces). The census is a fingerprint of every table of the database
(row count and contents), so a stray write anywhere, not only in the entity's table, shows.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from kept.core.transfer import ENTITIES, import_file

pytestmark = pytest.mark.usefixtures("english")


@dataclass(frozen=True)
class Case:
    header: list[str]
    good: list[list[str]]
    bad: list[str]
    #: The column the bad row's error names, and a piece of its message.
    column: str
    problem: str
    #: Optional columns that a rule requires in the bad row (a lead needs a phone or email).
    keep: tuple[str, ...] = ()


@pytest.fixture
def world(db, manager):
    """What the files refer to: customers, internal departments, products with stock, groups,
    regions, an order with a promised line of 10 bags, the funnel's stages (a migration's)."""
    from kept.catalog import actions as catalog
    from kept.customers.models import Customer, CustomerGroup, Region
    from kept.promising import actions as promising
    from kept.promising.engine import LineInput
    from kept.promising.queries import business_today

    CustomerGroup.objects.create(code="RETAIL", name="零售")
    Region.objects.create(code="EAST", name="东区")
    customers = [Customer.objects.create(code=f"C{n}", name=f"客户{n}") for n in (1, 2, 3, 4)]
    Customer.objects.create(code="D-CS", name="客服", kind="internal")
    Customer.objects.create(code="D-WH", name="仓库", kind="internal")
    rice = catalog.create_product(
        {"sku": "RICE5", "name": "大米", "unit": "bag", "price": Decimal(40), "cost": Decimal(30)}
    )
    catalog.record_movement(rice, Decimal(100), "opening")
    catalog.create_product(
        {"sku": "OIL1", "name": "油", "unit": "bottle", "price": Decimal(25), "cost": Decimal(18)}
    )
    today = business_today()
    order, _evaluation = promising.promise_order(
        customers[0], [LineInput(rice, Decimal(10), today + timedelta(days=1))]
    )
    return {"order": order.number, "today": today}


def case_of(entity: str, world: dict) -> Case:
    today = world["today"]
    soon = (today + timedelta(days=7)).isoformat()
    past = (today - timedelta(days=3)).isoformat()
    line = f"{world['order']}/1"
    cases = {
        "customers": Case(
            ["code", "name", "group", "region", "credit_limit"],
            [
                ["C1", "客户一 (renamed)", "RETAIL", "EAST", "500"],  # an update
                ["N1", "新客户1", "RETAIL", "", "1000"],
                ["N2", "新客户2", "", "EAST", ""],
            ],
            ["N3", "新客户3", "RETAIL", "EAST", "lots"],
            "credit_limit",
            "'lots' is not a number.",
        ),
        "contacts": Case(
            ["customer", "name", "role", "phone"],
            [["C1", "王经理", "采购", "13800000001"], ["C2", "小李", "", ""], ["C3", "张", "", ""]],
            ["C404", "查无此人", "", ""],
            "customer",
            "There is no customer with code 'C404'.",
        ),
        "products": Case(
            ["sku", "name", "unit", "price", "cost"],
            [
                ["RICE5", "大米 5kg (renamed)", "bag", "41", "30"],  # an update
                ["SALT1", "盐", "bag", "3.50", "2"],
                ["SUGAR1", "糖", "bag", "6", "4.20"],
            ],
            ["TEA1", "茶", "box", "12.345", "8"],
            "price",
            "Ensure that there are no more than 2 decimal places.",
        ),
        "stock_movements": Case(
            ["product", "quantity", "reason", "note"],
            [
                ["RICE5", "-5", "damage", "破袋"],
                ["RICE5", "3", "return", ""],
                ["OIL1", "20", "opening", ""],
            ],
            # 98 on hand by then: the action refuses to take stock below zero
            ["RICE5", "-500", "adjustment", ""],
            "quantity",
            "on hand; cannot take out 500",
        ),
        "receipts": Case(
            ["product", "quantity", "expected_date", "reference"],
            [["RICE5", "10", soon, "PO-1"], ["OIL1", "5", soon, ""], ["RICE5", "2", soon, ""]],
            ["OIL1", "5", "2025-02-30", ""],
            "expected_date",
            "'2025-02-30' is not a date",
        ),
        "invoices": Case(
            ["customer", "issue_date", "amount", "note"],
            [["C1", past, "120.50", ""], ["C2", past, "80", "补开"], ["C1", past, "10", ""]],
            ["C3", "31/12/2025", "99", ""],
            "issue_date",
            "'31/12/2025' is not a date",
        ),
        "payments": Case(
            ["customer", "received_on", "amount", "method", "reference"],
            [
                ["C1", past, "100", "cash", ""],
                ["C2", past, "50", "bank_transfer", "BT-1"],
                ["C1", past, "5", "wechat_pay", ""],
            ],
            ["C3", past, "20", "bitcoin", ""],
            "method",
            "'bitcoin' is not one of",
        ),
        "deliveries": Case(
            ["line", "quantity", "delivered_at", "quality_ok", "defect", "note"],
            [
                [line, "3", f"{past} 09:30", "yes", "", ""],
                [line, "2", past, "no", "damaged", "湿了"],
                [line, "1", "", "", "", ""],
            ],
            # 4 left on the line: the action refuses to over-deliver
            [line, "5", "", "", "", ""],
            "quantity",
            "is left to deliver",
        ),
        "subscriptions": Case(
            ["customer", "product", "capacity", "people", "fill_policy", "fixed_quantity"],
            [
                ["C1", "RICE5", "15", "3", "", ""],
                ["C2", "RICE5", "10", "", "", ""],
                ["C3", "OIL1", "5", "", "fixed", "5"],
            ],
            ["C4", "NOPE", "5", "", "", ""],
            "product",
            "There is no product with SKU 'NOPE'.",
        ),
        "tickets": Case(
            ["customer", "subject", "kind", "priority", "department"],
            [
                ["C1", "米袋破了", "complaint", "urgent", ""],
                ["C2", "改送货时间", "request", "", ""],
                ["D-CS", "补货", "handoff", "", "D-WH"],
            ],
            # the action: only an internal department takes a hand-off
            ["D-CS", "转给客户?", "handoff", "", "C1"],
            "department",
            "Only an internal department can handle a hand-off.",
        ),
        "leads": Case(
            ["name", "phone", "channel", "stage", "created_at"],
            [
                ["周女士", "13500000001", "referral", "Visit", f"{past} 10:00"],
                ["Mr Wu", "13500000002", "", "", ""],
                ["陈先生", "13500000003", "walk_in", "", past],
            ],
            ["林女士", "13500000004", "", "", "last tuesday"],
            "created_at",
            "'last tuesday' is not a date",
            keep=("phone",),
        ),
    }
    return cases.get(entity)


def census() -> dict[str, tuple[int, str]]:
    """Every table of the database: its row count and a digest of its contents."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def as_file(rows: list[list], kind: str, make_csv, make_xlsx) -> tuple[bytes, str]:
    return (make_csv(rows), "data.csv") if kind == "csv" else (make_xlsx(rows), "data.xlsx")


def written_nothing(entity, data, filename, actor, *, dry_run=False):
    """Import; assert the whole database is as before; return the report."""
    before = census()
    report = import_file(entity, data, filename, dry_run=dry_run, actor=actor)
    assert census() == before, "a failed import or a dry run must write nothing"
    assert not report.written
    return report


@pytest.fixture
def case(request, world):
    entity = request.param
    found = case_of(entity, world)
    if found is None:
        pytest.fail(f"{entity!r} has no broken-file case: add one to case_of()")
    return found


every_entity = pytest.mark.parametrize(
    ("entity", "case"), [(name, name) for name in ENTITIES], indirect=["case"], ids=list(ENTITIES)
)


def test_every_entity_has_a_broken_file_case(world):
    missing = [name for name in ENTITIES if case_of(name, world) is None]
    assert not missing, f"no broken-file case for {missing}"


@every_entity
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_good_rows_pass_and_a_dry_run_writes_nothing(
    entity, case, kind, manager, make_csv, make_xlsx
):
    """The good rows really are good: they pass a dry run (which writes nothing), then import."""
    data, filename = as_file([case.header, *case.good], kind, make_csv, make_xlsx)

    dry = written_nothing(entity, data, filename, manager, dry_run=True)
    assert dry.ok, dry.errors
    assert dry.created + dry.updated == len(case.good)

    report = import_file(entity, data, filename, dry_run=False, actor=manager)
    assert report.ok and report.written, report.errors
    assert (report.created, report.updated) == (dry.created, dry.updated)


@every_entity
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry_run"])
def test_one_bad_row_after_good_rows_writes_nothing(
    entity, case, kind, dry_run, manager, make_csv, make_xlsx
):
    data, filename = as_file([case.header, *case.good, case.bad], kind, make_csv, make_xlsx)

    report = written_nothing(entity, data, filename, manager, dry_run=dry_run)

    assert not report.ok
    assert (report.created, report.updated) == (0, 0)
    bad_row = len(case.good) + 2  # the header is row 1
    assert [(error.row, error.column) for error in report.errors] == [(bad_row, case.column)]
    assert case.problem in report.errors[0].problem
    assert str(report.errors[0]).startswith(f"Row {bad_row}, column {case.column}: ")


@every_entity
def test_blank_optional_cells_add_no_error_to_a_bad_row(entity, case, manager, make_csv):
    """Only the bad cell is reported: a blank optional cell (which the saving action fills
    in) is not called empty when the row is checked for its report."""
    required = ENTITIES[entity].required
    bad = [
        value if name in (*required, *case.keep, case.column) else ""
        for name, value in zip(case.header, case.bad, strict=True)
    ]
    data = make_csv([case.header, *case.good, bad])

    report = written_nothing(entity, data, "data.csv", manager)

    assert [(error.row, error.column) for error in report.errors] == [
        (len(case.good) + 2, case.column)
    ]


@every_entity
def test_a_misspelt_required_column_writes_nothing(entity, case, manager, make_csv):
    required = ENTITIES[entity].required[0]
    header = [f"{name}x" if name == required else name for name in case.header]
    data = make_csv([header, *case.good])

    report = written_nothing(entity, data, "data.csv", manager)

    assert not report.ok and report.rows_total == 0
    assert {error.row for error in report.errors} == {1}
    assert {error.column for error in report.errors} == {"", f"{required}x"}
    missing = next(error for error in report.errors if not error.column)
    assert missing.problem.startswith("Missing columns: ") and required in missing.problem


@every_entity
def test_a_file_without_its_header_row_writes_nothing(entity, case, manager, make_csv):
    """The first good row is taken for the header: unknown columns, or unnamed ones."""
    data = make_csv(case.good)

    report = written_nothing(entity, data, "data.csv", manager)

    assert not report.ok and report.rows_total == 0
    assert report.errors and {error.row for error in report.errors} == {1}


def _zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@every_entity
@pytest.mark.parametrize("damage", ["truncated", "garbage", "zip_of_text", "scrambled"])
def test_a_broken_workbook_writes_nothing(entity, case, damage, manager, make_xlsx):
    workbook = make_xlsx([case.header, *case.good])
    data = {
        "truncated": workbook[: len(workbook) // 2],
        "garbage": b"PK\x03\x04" + bytes(range(256)) * 8,
        "zip_of_text": _zip_of_text(),
        # the zip's directory intact, the compressed sheets inside it corrupted
        "scrambled": workbook[:200] + bytes(b ^ 0x5A for b in workbook[200:-400]) + workbook[-400:],
    }[damage]

    report = written_nothing(entity, data, "data.xlsx", manager)

    assert not report.ok
    assert [(error.row, error.column) for error in report.errors] == [(None, "")]
    assert "Excel workbook" in report.errors[0].problem


def test_the_census_sees_a_write_in_any_table(world):
    """The census is not blind: an update of one row of an unrelated table changes it."""
    from kept.customers.models import CustomerGroup

    before = census()
    CustomerGroup.objects.filter(code="RETAIL").update(name="批发")
    after = census()
    assert {table for table in before if before[table] != after[table]} == {
        CustomerGroup._meta.db_table
    }
