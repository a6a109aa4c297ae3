"""The role backend answers exactly what Django's model backend answers, in one query."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from kept.core.auth import RoleBackend

pytestmark = pytest.mark.django_db


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize("role", ["manager", "staff", "warehouse", "viewer"])
def test_same_permissions_as_model_backend(make_user, role):
    user = make_user(role, username=f"r-{role}")
    user.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    expected = ModelBackend().get_all_permissions(_fresh(user))
    assert expected  # every role has some, plus the one given to the person
    assert RoleBackend().get_all_permissions(_fresh(user)) == expected


def test_one_query_then_cached(make_user, django_assert_num_queries):
    user = _fresh(make_user("staff", username="r-one"))
    with django_assert_num_queries(1):
        assert user.has_perm("promising.add_order")
        assert user.has_perms(["customers.view_customer", "promising.add_order"])
        assert not user.has_perm("promising.approve_hold")


def test_inactive_and_superuser(make_user):
    user = make_user("manager", username="r-gone")
    user.is_active = False
    assert RoleBackend().get_all_permissions(user) == set()
    root = get_user_model().objects.create_superuser("r-root", password="x")  # noqa: S106
    assert RoleBackend().get_all_permissions(_fresh(root)) == {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
