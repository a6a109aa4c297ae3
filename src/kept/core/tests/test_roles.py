from django.contrib.auth.models import Group

from kept.core.roles import ROLE_PERMISSIONS, can_see_financials, missing_permissions, role_of


def test_every_role_permission_exists(db):
    assert missing_permissions() == set()


def test_groups_hold_exactly_their_role_permissions(db):
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert held == set(names)


def test_only_managers_see_financials(manager, staff, warehouse, viewer):
    assert can_see_financials(manager)
    assert not any(can_see_financials(user) for user in (staff, warehouse, viewer))


def test_role_of(manager, staff, warehouse, viewer):
    assert [role_of(u) for u in (manager, staff, warehouse, viewer)] == [
        "manager",
        "staff",
        "warehouse",
        "viewer",
    ]


def test_warehouse_cannot_see_customers_and_viewer_cannot_write(warehouse, viewer):
    assert not warehouse.has_perm("customers.view_customer")
    assert warehouse.has_perm("catalog.add_stockmovement")
    assert viewer.has_perm("customers.view_customer")
    assert not any(
        p.split(".")[1].startswith(("add_", "change_", "delete_"))
        for p in ROLE_PERMISSIONS["viewer"]
    )


def test_role_change_in_admin_is_audited(client, manager, staff):
    from kept.core.models import AuditEntry

    client.force_login(manager)
    viewer_group = Group.objects.get(name="viewer")
    response = client.post(
        f"/admin/auth/user/{staff.pk}/change/",
        {
            "username": staff.username,
            "is_active": "on",
            "groups": [viewer_group.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="user.permissions")
    assert entry.actor == manager
    assert entry.changes["access"][0]["groups"] == ["staff"]
    assert entry.changes["access"][1]["groups"] == ["viewer"]
