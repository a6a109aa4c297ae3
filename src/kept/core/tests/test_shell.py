"""The UI shell: nothing loads from another host; htmx comes from django-htmx's copy."""

import re
from pathlib import Path

from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def test_no_template_loads_anything_from_another_host():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if EXTERNAL.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_pages_load_htmx_and_styles_locally(client_as, staff):
    body = client_as(staff).get(reverse("home")).content.decode()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', body)
    assert scripts and all(src.startswith("/static/") for src in scripts)
    assert any("htmx" in src for src in scripts)
    assert '<link rel="stylesheet" href="/static/kept/kept.css">' in body
    assert 'name="viewport"' in body


def test_static_htmx_is_served(client, db):
    response = client.get("/static/django_htmx/htmx-2.min.js")
    assert response.status_code == 200


def test_home_shows_only_what_the_role_may_see(client_as, warehouse, staff):
    warehouse_home = client_as(warehouse).get(reverse("home")).content.decode()
    assert "active customers" not in warehouse_home and "receipts expected" in warehouse_home
    staff_home = client_as(staff).get(reverse("home")).content.decode()
    assert "active customers" in staff_home


def test_nul_characters_are_refused_not_a_server_error(api_as, staff):
    client = api_as(staff)
    response = client.get("/api/v1/orders", {"customer": "a\x00b"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert client.get("/api/v1/promises/at-risk?sku=%00").status_code == 400


def test_a_nul_in_a_json_body_is_refused_not_a_server_error(api_as, staff):
    # found by schemathesis on PostgreSQL: a NUL in a text field reached the database
    client = api_as(staff)
    escaped = client.post(
        "/api/v1/customers", '{"code": "C9", "name": "a\\u0000b"}', content_type="application/json"
    )
    raw = client.post(
        "/api/v1/customers", b'{"code": "C9", "name": "a\x00b"}', content_type="application/json"
    )
    fine = client.post(
        "/api/v1/customers", {"code": "C9", "name": "ab"}, content_type="application/json"
    )
    assert escaped.status_code == raw.status_code == 400
    assert escaped.json()["code"] == "invalid"
    assert fine.status_code == 201
