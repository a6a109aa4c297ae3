"""The demo team: one login per role, all with the same, published password.

``DEMO_PASSWORD`` is for the demo only. It is printed by ``kept demo`` and written in
the docs, so a database built by the demo must never be exposed as a real system.
"""

from __future__ import annotations

from typing import NamedTuple

# For the demo only: public, printed on the console. Never use it for a real user.
DEMO_PASSWORD = "kept-demo-2026"  # noqa: S105

DEMO_EMAIL_DOMAIN = "kept-demo.example"


class DemoLogin(NamedTuple):
    username: str
    role: str
    last_name: str
    first_name: str
    title: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("manager", "manager", "陈", "建华", "经理"),
    DemoLogin("staff1", "staff", "李", "娜", "客户专员"),
    DemoLogin("staff2", "staff", "王", "磊", "客户专员"),
    DemoLogin("staff3", "staff", "张", "敏", "客户专员"),
    DemoLogin("staff4", "staff", "刘", "洋", "客户专员"),
    DemoLogin("warehouse", "warehouse", "赵", "强", "仓库主管"),
    DemoLogin("viewer", "viewer", "周", "婷", "财务助理"),
)

DEMO_USERNAMES = [login.username for login in DEMO_LOGINS]
STAFF_USERNAMES = [login.username for login in DEMO_LOGINS if login.role == "staff"]


def create_team() -> dict:
    """Create every demo login through the normal action; returns {username: user}."""
    from kept.core.actions import create_user

    users = {}
    for login in DEMO_LOGINS:
        users[login.username] = create_user(
            login.username,
            DEMO_PASSWORD,
            login.role,
            email=f"{login.username}@{DEMO_EMAIL_DOMAIN}",
            first_name=login.first_name,
            last_name=login.last_name,
        )
    return users


def display_name(login: DemoLogin) -> str:
    return f"{login.last_name}{login.first_name}"
