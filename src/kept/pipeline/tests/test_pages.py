"""The funnel pages by role: managers and staff work leads, viewers read, the warehouse sees
nothing; managers set the stages; query counts stay bounded."""

import pytest
from django.urls import reverse

from kept.customers.models import Customer
from kept.pipeline.models import Lead, Stage

pytestmark = pytest.mark.django_db


def test_the_warehouse_sees_no_funnel(client_as, warehouse, make_lead):
    lead = make_lead()
    client = client_as(warehouse)
    for url in [reverse("pipeline:funnel"), reverse("pipeline:leads"),
                reverse("pipeline:lead", args=[lead.pk]), reverse("pipeline:lead_create"),
                reverse("pipeline:stages")]:  # fmt: skip
        assert client.get(url).status_code == 403, url


def test_a_viewer_reads_but_cannot_write(client_as, viewer, make_lead, stages):
    lead = make_lead()
    client = client_as(viewer)
    page = client.get(reverse("pipeline:lead", args=[lead.pk]))
    assert page.status_code == 200 and b'id="lead-actions"' not in page.content
    assert client.get(reverse("pipeline:funnel")).status_code == 200
    assert client.get(reverse("pipeline:lead_create")).status_code == 403
    moved = client.post(reverse("pipeline:lead_move", args=[lead.pk]),
                        {"stage": stages["Visit"].pk})  # fmt: skip
    assert moved.status_code == 403 and client.get(reverse("pipeline:stages")).status_code == 403
    lead.refresh_from_db()
    assert lead.stage.name == "Inquiry"


def test_staff_create_move_and_win_a_lead(client_as, staff, stages):
    client = client_as(staff)
    created = client.post(reverse("pipeline:lead_create"), {
        "name": "Zhao <b>", "phone": "13700001234", "channel": "event",
        "stage": stages["Inquiry"].pk, "note": "",
    })  # fmt: skip
    lead = Lead.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("pipeline:lead", args=[lead.pk])
    page = client.get(created["Location"])
    assert b"Zhao &lt;b&gt;" in page.content and b'id="lead-actions"' in page.content
    client.post(reverse("pipeline:lead_move", args=[lead.pk]), {"stage": stages["Visit"].pk})
    back = client.post(reverse("pipeline:lead_move", args=[lead.pk]),
                       {"stage": stages["Inquiry"].pk}, follow=True)  # fmt: skip
    assert b"only moves forward" in back.content
    won = client.post(reverse("pipeline:lead_win", args=[lead.pk]), {"code": ""})
    customer = Customer.objects.get()
    assert won["Location"] == reverse("customers:notebook", args=[customer.code])
    assert client.get(won["Location"]).status_code == 200


def test_staff_lose_a_lead_with_a_reason(client_as, staff, make_lead):
    lead = make_lead("Visit")
    client = client_as(staff)
    client.post(reverse("pipeline:lead_lose", args=[lead.pk]), {"reason": "Too far away"})
    lead.refresh_from_db()
    assert lead.lost_reason == "Too far away"
    page = client.get(reverse("pipeline:lead", args=[lead.pk]))
    assert b'id="lead-lost"' in page.content


def test_the_funnel_page_shows_the_counts_and_groups(client_as, manager, make_lead):
    make_lead("Inquiry", channel="online")
    make_lead("Visit", channel="referral")
    make_lead("Purchase", channel="referral")
    page = client_as(manager).get(reverse("pipeline:funnel"), {"by": "channel"})
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body
    assert 'id="funnel-overall">33 %<' in body
    assert "WeChat / online" in body and "Referral" in body
    bad = client_as(manager).get(reverse("pipeline:funnel"), {"start": "2026-05-01",
                                                              "end": "2026-01-01"})  # fmt: skip
    assert bad.status_code == 400


def test_staff_cannot_set_the_stages_but_managers_can(client_as, staff, manager, stages):
    assert client_as(staff).get(reverse("pipeline:stages")).status_code == 403
    client = client_as(manager)
    page = client.get(reverse("pipeline:stages"))
    assert page.status_code == 200
    ordered = list(Stage.objects.order_by("position"))
    data = {"form-TOTAL_FORMS": 5, "form-INITIAL_FORMS": 4, "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000}  # fmt: skip
    for i, stage in enumerate(ordered):
        data |= {f"form-{i}-id": stage.pk, f"form-{i}-name": stage.name,
                 f"form-{i}-position": stage.position,
                 f"form-{i}-monthly_target": stage.monthly_target or "",
                 f"form-{i}-target_percent": stage.target_percent or ""}  # fmt: skip
        if stage.is_won:
            data[f"form-{i}-is_won"] = "on"
    # swap visit and purchase positions and lower the visit target
    data["form-1-position"], data["form-2-position"] = 30, 20
    data["form-1-target_percent"] = "65"
    saved = client.post(reverse("pipeline:stages"), data)
    assert saved.status_code == 302
    assert [s.name for s in Stage.objects.order_by("position")][:3] == [
        "Inquiry", "Purchase", "Visit"
    ]  # fmt: skip
    assert Stage.objects.get(name="Visit").target_percent == 65
    # the won flag moves to the visit stage
    data["form-1-is_won"], data["form-2-is_won"] = "on", ""
    assert client.post(reverse("pipeline:stages"), data).status_code == 302
    assert Stage.objects.get(is_won=True).name == "Visit"
    # two won stages are refused
    data["form-0-is_won"] = "on"
    refused = client.post(reverse("pipeline:stages"), data)
    assert refused.status_code == 400 and b"exactly one stage" in refused.content


def test_list_and_detail_pages_have_bounded_queries(
    client_as, staff, make_lead, django_assert_max_num_queries
):
    for number in range(12):
        make_lead(["Inquiry", "Visit", "Purchase"][number % 3], channel="phone")
    lead = Lead.objects.filter(customer__isnull=False).first()
    client = client_as(staff)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("pipeline:leads"), {"q": "Lead"})
    assert page.content.count(b"data-lead=") == 12
    with django_assert_max_num_queries(16):
        assert client.get(reverse("pipeline:lead", args=[lead.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("pipeline:funnel"), {"by": "owner"}).status_code == 200


def test_default_stages_read_in_the_readers_language_until_renamed(
    client_as, manager, make_lead, stages
):
    from django.utils import translation

    from kept.core import notifications

    lead = make_lead("Visit")
    Stage.objects.filter(pk=stages["Purchase"].pk).update(name="成交")
    client = client_as(manager)
    client.cookies["django_language"] = "zh-hans"
    funnel = client.get(reverse("pipeline:funnel")).content.decode()
    assert "咨询" in funnel and "到访" in funnel and "成交" in funnel
    assert ">Inquiry<" not in funnel and "Visit" not in funnel
    assert "到访" in client.get(reverse("pipeline:lead", args=[lead.pk])).content.decode()
    with translation.override("zh-hans"):
        text = notifications.render("funnel.below_target", {"stage": "Visit", "measured": 40,
                                                            "target": 70, "days": 30})  # fmt: skip
    assert "到访" in text and "Visit" not in text
    assert client.get("/api/v1/leads").json()["items"][0]["stage"] == "Visit"  # the stored name
