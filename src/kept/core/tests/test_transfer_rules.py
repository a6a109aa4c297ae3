"""Who may import and export what, dry runs, the audit entry, encodings and upserts."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kept.catalog.models import Product
from kept.core.models import AuditEntry
from kept.core.transfer import ENTITIES, RowError, export_entity, import_file, template_file
from kept.core.transfer.reading import read_sheet
from kept.customers import actions as customers
from kept.customers.models import Contact, Customer

pytestmark = pytest.mark.usefixtures("english")


def header_of(data: bytes) -> list[str]:
    return data.decode("utf-8-sig").splitlines()[0].split(",")


def test_dry_run_writes_nothing_but_reports_what_would_happen(manager, lookups, census, make_csv):
    Customer.objects.create(code="C1", name="旧名字")
    data = make_csv([["code", "name", "tags"], ["C1", "新名字", "VIP"], ["C2", "李四", "新标签"]])
    before = census()

    report = import_file("customers", data, "c.csv", dry_run=True, actor=manager)

    assert report.ok and not report.written
    assert (report.rows_total, report.created, report.updated) == (2, 1, 1)
    assert [(row.row, row.action) for row in report.preview] == [(2, "update"), (3, "new")]
    assert [cell.value for cell in report.preview[0].cells] == ["C1", "新名字", "VIP"]
    assert census() == before
    assert not AuditEntry.objects.filter(action__startswith="import.").exists()


def test_real_import_writes_one_audit_entry(manager, lookups, make_csv):
    data = make_csv([["code", "name"], ["C1", "张三"], ["C2", "李四"]])

    report = import_file("customers", data, "客户.csv", dry_run=False, actor=manager)

    assert report.written
    entry = AuditEntry.objects.get(action="import.customers")
    assert entry.actor == manager
    assert entry.changes == {"file": "客户.csv", "rows": 2, "created": 2, "updated": 0}
    assert AuditEntry.objects.filter(action__startswith="import.").count() == 1


def test_failed_import_writes_no_audit_entry(manager, make_csv):
    import_file(
        "customers", make_csv([["code", "name"], ["C1", ""]]), "c.csv", dry_run=False, actor=manager
    )

    assert not AuditEntry.objects.filter(action__startswith="import.").exists()


def test_staff_cannot_export_cost(staff, manager, rice):
    staff_export, _type, _name = export_entity("products", "csv", user=staff)
    manager_export, _type, _name = export_entity("products", "csv", user=manager)

    assert "cost" not in header_of(staff_export)
    assert "30.00" not in staff_export.decode("utf-8-sig")
    assert "cost" in header_of(manager_export)
    assert "30.00" in manager_export.decode("utf-8-sig")


def test_staff_template_and_workbook_have_no_cost(staff, rice):
    import io

    import openpyxl

    data, _type, _name = export_entity("products", "xlsx", user=staff)
    headers = next(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))

    assert "cost" not in headers and "price" in headers


def test_cost_column_is_refused_from_someone_without_financials(staff, make_csv, monkeypatch):
    # No role today may import products without seeing cost; guard the rule anyway.
    monkeypatch.setitem(
        ENTITIES, "products", dataclasses.replace(ENTITIES["products"], import_permissions=())
    )
    data = make_csv([["sku", "name", "unit", "price", "cost"], ["X", "x", "kg", "1", "1"]])

    report = import_file("products", data, "p.csv", dry_run=True, actor=staff)

    assert report.errors == [RowError(1, "cost", "You may not import this column; remove it.")]


@pytest.mark.parametrize(
    ("role", "entity"),
    [
        ("warehouse", "customers"),
        ("warehouse", "contacts"),
        ("staff", "products"),
        ("staff", "stock_movements"),
        ("viewer", "customers"),
        ("viewer", "receipts"),
    ],
)
def test_import_needs_the_permissions(make_user, census, make_csv, role, entity):
    user = make_user(role)
    before = census()

    with pytest.raises(PermissionDenied):
        import_file(entity, make_csv([["code"], ["x"]]), "x.csv", dry_run=False, actor=user)
    with pytest.raises(PermissionDenied):
        template_file(entity, "csv", user=user)
    assert census() == before


def test_export_needs_the_view_permission(warehouse):
    with pytest.raises(PermissionDenied):
        export_entity("customers", "csv", user=warehouse)


def test_gbk_encoded_chinese_imports_correctly(manager, lookups, make_csv):
    data = make_csv(
        [["code", "name", "address"], ["C1", "张三米店", "北京市朝阳区"]], encoding="gbk"
    )

    report = import_file("customers", data, "gbk.csv", dry_run=False, actor=manager)

    assert report.ok, report.errors
    customer = Customer.objects.get(code="C1")
    assert (customer.name, customer.address) == ("张三米店", "北京市朝阳区")


def test_gb18030_only_characters_import_correctly(manager, make_csv):
    data = make_csv([["code", "name"], ["C1", "𠮷野家 €"]], encoding="gb18030")

    report = import_file("customers", data, "gb.csv", dry_run=False, actor=manager)

    assert report.ok, report.errors
    assert Customer.objects.get(code="C1").name == "𠮷野家 €"


def test_utf8_with_bom_imports_correctly_and_the_bom_leaves_the_header(manager, make_csv):
    data = make_csv([["code", "name"], ["C1", "王五粮油"]], encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")

    report = import_file("customers", data, "bom.csv", dry_run=False, actor=manager)

    assert report.ok, report.errors
    assert read_sheet(data, "bom.csv").headers == ["code", "name"]
    assert report.columns[0] == "code"
    assert Customer.objects.get(code="C1").name == "王五粮油"


def test_headers_are_matched_loosely_and_semicolons_work(manager, make_csv):
    data = make_csv([[" Code ", "NAME", "Payment Terms Days"], ["C1", "张三", "30"]], delimiter=";")

    report = import_file("customers", data, "c.csv", dry_run=False, actor=manager)

    assert report.ok, report.errors
    assert Customer.objects.get(code="C1").payment_terms_days == 30


def test_customers_are_updated_by_code_not_duplicated(manager, lookups, make_csv):
    customers.create_customer({"code": "C1", "name": "旧", "phone": "1"}, actor=manager)
    data = make_csv([["code", "name"], ["C1", "新"]])

    report = import_file("customers", data, "c.csv", dry_run=False, actor=manager)

    assert (report.created, report.updated) == (0, 1)
    customer = Customer.objects.get()
    assert (customer.name, customer.phone) == ("新", "1"), (
        "columns not in the file stay as they were"
    )


def test_contacts_are_updated_by_customer_and_name(staff, make_csv):
    customer = customers.create_customer({"code": "C1", "name": "张三"}, actor=staff)
    customers.save_contact(customer, {"name": "王经理", "phone": "111"})
    data = make_csv([["customer", "name", "phone"], ["C1", "王经理", "222"], ["C1", "小李", "333"]])

    report = import_file("contacts", data, "c.csv", dry_run=False, actor=staff)

    assert (report.created, report.updated) == (1, 1)
    assert dict(Contact.objects.values_list("name", "phone")) == {"王经理": "222", "小李": "333"}


def test_products_are_updated_by_sku_and_price_changes_are_audited(manager, rice, make_csv):
    data = make_csv(
        [["sku", "name", "unit", "price", "cost"], ["RICE5", "大米", "bag", "42", "30"]]
    )

    report = import_file("products", data, "p.csv", dry_run=False, actor=manager)

    assert (report.created, report.updated) == (0, 1)
    assert Product.objects.get().price == Decimal("42")
    entry = AuditEntry.objects.get(action="product.update")
    assert entry.changes["price"] == ["40.00", "42"]


def test_staff_may_not_change_credit_by_import(staff, make_csv, census):
    Customer.objects.create(code="C1", name="张三", credit_limit=Decimal("500"))
    data = make_csv(
        [
            ["code", "name", "credit_limit", "is_blocked"],
            ["C1", "张三", "9000", "no"],
            ["C2", "新客户", "", "yes"],
        ]
    )
    before = census()

    report = import_file("customers", data, "c.csv", dry_run=False, actor=staff)

    assert report.errors == [
        RowError(2, "credit_limit", "Only a manager may change this."),
        RowError(3, "is_blocked", "Only a manager may change this."),
    ]
    assert census() == before


def test_staff_may_import_credit_columns_unchanged(staff, make_csv):
    Customer.objects.create(code="C1", name="张三", credit_limit=Decimal("500"))
    data = make_csv([["code", "name", "credit_limit"], ["C1", "张三丰", "500.00"]])

    report = import_file("customers", data, "c.csv", dry_run=False, actor=staff)

    assert report.ok, report.errors


def test_formula_like_text_is_made_inert_in_csv(manager):
    Customer.objects.create(code="C1", name="=1+1", phone="+86 138 0000 0000")

    text = export_entity("customers", "csv", user=manager)[0].decode("utf-8-sig")

    assert "'=1+1" in text
    assert ",+86 138 0000 0000," in text, "phone numbers are left alone"


def test_preview_shows_at_most_twenty_rows_and_marks_bad_cells(manager, make_csv):
    rows = [[f"C{number}", f"客户{number}", ""] for number in range(30)]
    rows[4][2] = "x"
    data = make_csv([["code", "name", "size"], *rows])

    report = import_file("customers", data, "c.csv", dry_run=True, actor=manager)

    assert len(report.preview) == 20
    bad_row = report.preview[4]
    assert (bad_row.row, bad_row.action) == (6, "error")
    assert [cell.bad for cell in bad_row.cells] == [False, False, True]
    assert report.rows_total == 30


def test_read_only_columns_of_an_export_are_accepted_and_ignored(manager, make_csv):
    data = make_csv([["code", "name", "is_active"], ["C1", "张三", "no"]])

    report = import_file("customers", data, "c.csv", dry_run=False, actor=manager)

    assert report.ok, report.errors
    assert "is_active" not in report.columns
    assert Customer.objects.get().is_active is True


def test_command_line_import_has_no_actor(lookups, make_csv):
    data = make_csv([["code", "name", "credit_limit"], ["C1", "张三", "100"]])

    report = import_file("customers", data, "c.csv", dry_run=False, actor=None)

    assert report.written
    assert AuditEntry.objects.get(action="import.customers").actor is None


def test_unknown_entity_and_format(manager):
    with pytest.raises(ValueError, match="Unknown kind of data"):
        import_file("orders", b"x", "x.csv", dry_run=True, actor=manager)
    with pytest.raises(ValueError, match="Unknown file format"):
        export_entity("customers", "pdf", user=manager)
