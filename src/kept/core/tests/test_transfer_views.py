"""The import/export pages: what each role sees, the check-then-confirm flow, downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kept.core.models import AuditEntry
from kept.customers.models import Customer


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def upload(client, entity, data, name="data.csv", **extra):
    url = reverse("transfer:upload", args=[entity])
    return client.post(url, {"file": SimpleUploadedFile(name, data)}, **extra)


def confirm(client, entity, token, **extra):
    return client.post(reverse("transfer:confirm", args=[entity]), {"token": token}, **extra)


EVERY_EXPORT = {
    "customers",
    "contacts",
    "products",
    "stock_movements",
    "receipts",
    "invoices",
    "payments",
    "deliveries",
    "subscriptions",
    "tickets",
    "leads",
}


@pytest.mark.parametrize(
    ("role", "imports", "exports"),
    [
        ("manager", EVERY_EXPORT, EVERY_EXPORT),
        ("staff", {"customers", "contacts", "subscriptions", "tickets", "leads"}, EVERY_EXPORT),
        (
            "warehouse",
            {"stock_movements", "receipts", "deliveries", "tickets"},
            {"products", "stock_movements", "receipts", "deliveries", "subscriptions", "tickets"},
        ),
        ("viewer", set(), EVERY_EXPORT),
    ],
)
def test_index_shows_only_what_the_role_may_use(client_as, make_user, role, imports, exports):
    response = client_as(make_user(role)).get(reverse("transfer:index"))

    assert response.status_code == 200
    rows = {row.entity.name: row for row in response.context["rows"]}
    assert {name for name, row in rows.items() if row.may_import} == imports
    assert {name for name, row in rows.items() if row.may_export} == exports
    page = response.content.decode()
    for name in rows:
        assert (reverse("transfer:upload", args=[name]) in page) == (name in imports)
        assert (reverse("transfer:export", args=[name, "xlsx"]) in page) == (name in exports)


def test_check_then_confirm(client_as, staff, make_csv, uploads_in_tmp):
    client = client_as(staff)
    data = make_csv([["code", "name"], ["C1", "张三米店"], ["C2", "李四"]])

    checked = upload(client, "customers", data, "客户.csv")

    assert checked.status_code == 200
    assert Customer.objects.count() == 0, "checking writes nothing"
    report, token = checked.context["report"], checked.context["token"]
    assert report.ok and report.created == 2
    assert "张三米店" in checked.content.decode()
    assert list(uploads_in_tmp.glob("imports/*.upload")) != []

    done = confirm(client, "customers", token)

    assert done.status_code == 200
    assert done.context["report"].written
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["张三米店", "李四"]
    assert AuditEntry.objects.filter(action="import.customers").count() == 1
    assert "客户.csv: 2 added, 0 updated." in done.content.decode()
    assert list(uploads_in_tmp.glob("imports/*")) == [], "the kept file is deleted"


def test_confirming_twice_imports_once(client_as, warehouse, rice, make_csv):
    client = client_as(warehouse)
    data = make_csv([["product", "quantity", "reason"], ["RICE5", "5", "adjustment"]])
    token = upload(client, "stock_movements", data).context["token"]

    confirm(client, "stock_movements", token)
    again = confirm(client, "stock_movements", token)

    assert "expired or was already imported" in again.content.decode()
    assert rice.movements.count() == 2  # the opening balance and one import


def test_file_with_problems_shows_every_error_and_no_confirm_button(client_as, staff, make_csv):
    data = make_csv([["code", "name", "size"], ["C1", "张三", "many"], ["C2", "", "2"]])

    response = upload(client_as(staff), "customers", data)

    page = response.content.decode()
    errors = response.context["report"].errors
    assert [(error.row, error.column) for error in errors] == [(2, "size"), (3, "name")]
    assert "&#x27;many&#x27; is not a number." in page
    assert 'class="bad"' in page
    assert reverse("transfer:confirm", args=["customers"]) not in page
    assert response.context["token"] == ""


def test_a_forged_or_foreign_token_imports_nothing(client_as, staff, make_user, make_csv):
    data = make_csv([["code", "name"], ["C1", "张三"]])
    token = upload(client_as(staff), "customers", data).context["token"]
    other = Client()
    other.force_login(make_user("staff"))
    other.cookies["django_language"] = "en"

    for client, value in (
        (other, token),
        (client_as(staff), "../../kept.sqlite3"),
        (client_as(staff), "x" * 43),
    ):
        response = confirm(client, "customers", value)
        assert response.status_code == 200
        assert "expired" in response.content.decode()
    assert Customer.objects.count() == 0


def test_token_is_bound_to_its_entity(client_as, manager, make_csv):
    client = client_as(manager)
    token = upload(client, "customers", make_csv([["code", "name"], ["C1", "x"]])).context["token"]

    response = confirm(client, "contacts", token)

    assert "expired" in response.content.decode()
    assert Customer.objects.count() == 0


def test_warehouse_cannot_import_customers(client_as, warehouse, make_csv):
    client = client_as(warehouse)
    data = make_csv([["code", "name"], ["C1", "张三"]])

    assert client.get(reverse("transfer:upload", args=["customers"])).status_code == 403
    assert upload(client, "customers", data).status_code == 403
    assert confirm(client, "customers", "x" * 43).status_code == 403
    assert client.get(reverse("transfer:template", args=["customers", "csv"])).status_code == 403
    assert client.get(reverse("transfer:export", args=["customers", "csv"])).status_code == 403
    assert Customer.objects.count() == 0


def test_staff_export_has_no_cost(client_as, staff, rice):
    response = client_as(staff).get(reverse("transfer:export", args=["products", "csv"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="products-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert b"cost" not in response.content.splitlines()[0]


def test_template_download(client_as, manager):
    response = client_as(manager).get(reverse("transfer:template", args=["products", "xlsx"]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="products-template.xlsx"'
    assert response.content.startswith(b"PK")


@pytest.mark.parametrize(
    "url",
    [
        "/data/orders/export/csv/",
        "/data/customers/export/pdf/",
        "/data/orders/import/",
        "/data/customers/template/doc/",
    ],
)
def test_unknown_entity_or_format_is_404(client_as, manager, url):
    assert client_as(manager).get(url).status_code == 404


def test_upload_page_lists_the_columns(client_as, staff):
    response = client_as(staff).get(reverse("transfer:upload", args=["customers"]))

    assert response.status_code == 200
    names = [column.name for column in response.context["columns"]]
    assert names[:2] == ["code", "name"]
    assert "credit_limit" in names


def test_product_columns_for_a_manager_include_cost(client_as, manager):
    response = client_as(manager).get(reverse("transfer:upload", args=["products"]))

    assert "cost" in [column.name for column in response.context["columns"]]


def test_missing_file_is_shown_again(client_as, staff):
    response = client_as(staff).post(reverse("transfer:upload", args=["customers"]), {})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_too_large_a_file_is_refused_before_reading(client_as, staff, settings, make_csv):
    settings.KEPT_IMPORT_MAX_BYTES = 100
    data = make_csv([["code", "name"], *[[f"C{n}", "x" * 20] for n in range(20)]])

    response = upload(client_as(staff), "customers", data)

    assert response.status_code == 422
    assert "the most allowed is 100" in response.content.decode().replace("\xa0", " ")


def test_htmx_gets_only_the_report(client_as, staff, make_csv):
    data = make_csv([["code", "name"], ["C1", "张三"]])

    response = upload(client_as(staff), "customers", data, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert reverse("transfer:confirm", args=["customers"]) in page


def test_posts_need_the_csrf_token(staff, make_csv):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = upload(client, "customers", make_csv([["code", "name"], ["C1", "x"]]))

    assert response.status_code == 403
    assert Customer.objects.count() == 0


def test_anonymous_is_sent_to_login(client):
    for url in (reverse("transfer:index"), reverse("transfer:upload", args=["customers"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_stale_uploads_are_removed(client_as, staff, make_csv, uploads_in_tmp):
    import os

    stale = uploads_in_tmp / "imports" / "old.upload"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"x")
    os.utime(stale, (0, 0))

    upload(client_as(staff), "customers", make_csv([["code", "name"], ["C1", "x"]]))

    assert not Path(stale).exists()
