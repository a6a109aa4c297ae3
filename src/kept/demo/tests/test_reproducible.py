import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kept.customers.models import Customer, CustomerGroup
from kept.demo import DemoError, build_demo, has_demo_data
from kept.demo.build import STEPS
from kept.demo.digest import demo_digest, demo_tables

pytestmark = pytest.mark.django_db


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(today):
    build_demo(seed=3, scale=0.05, today=today)
    first = demo_digest()
    tables = demo_tables()
    names = ("orders", "lines", "versions", "commitments", "invoices", "payments")
    value = ("vip_services", "marketing_spend", "customer_values")
    for name in (*names, "deliveries", "tolerances", *value):
        assert tables[name], name
    build_demo(seed=3, scale=0.05, today=today, reset=True)
    assert demo_digest() == first
    build_demo(seed=4, scale=0.05, today=today, reset=True)
    assert demo_digest() != first


def test_it_refuses_a_database_that_is_not_empty(small_demo, today):
    with pytest.raises(DemoError):
        build_demo(seed=7, scale=0.05, today=today)
    assert Customer.objects.count() == small_demo.customers


def test_reset_never_deletes_data_the_demo_did_not_build(db, today):
    CustomerGroup.objects.create(code="wholesale", name="Wholesale")
    assert not has_demo_data()
    with pytest.raises(DemoError):
        build_demo(scale=0.05, today=today)
    with pytest.raises(DemoError):
        build_demo(scale=0.05, today=today, reset=True)
    assert list(CustomerGroup.objects.values_list("code", flat=True)) == ["wholesale"]


def test_a_taken_demo_username_counts_as_not_empty(make_user, today):
    make_user("staff", "staff1")
    with pytest.raises(DemoError):
        build_demo(scale=0.05, today=today)


def test_reset_keeps_users_who_are_not_demo_logins(make_user, today):
    boss = make_user("manager", "boss")
    assert not has_demo_data()
    build_demo(scale=0.05, today=today)
    assert has_demo_data()
    build_demo(scale=0.05, today=today, reset=True)
    User = get_user_model()
    assert User.objects.filter(pk=boss.pk).exists()
    assert User.objects.filter(username="manager").count() == 1


def test_progress_gets_one_line_per_step(db, today):
    lines = []
    summary = build_demo(scale=0.05, today=today, progress=lines.append)
    assert len(lines) == STEPS
    assert lines[0].startswith(f"[1/{STEPS}] ") and lines[-1].startswith(f"[{STEPS}/{STEPS}] ")
    assert "100" in lines[2]
    assert str(summary).startswith("Demo built in")
    lines.clear()
    build_demo(scale=0.05, today=today, reset=True, progress=lines.append)
    assert lines[0].startswith(f"[1/{STEPS + 1}] ") and lines[-1].startswith(f"[{STEPS + 1}/")


def test_bad_options_are_refused(db):
    with pytest.raises(DemoError):
        build_demo(scale=0)
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    with pytest.raises(DemoError):
        build_demo(scale=0.05, today=yesterday)
    assert not Customer.objects.exists()
