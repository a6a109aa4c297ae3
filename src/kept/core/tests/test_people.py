"""A person is named in their own language's order."""

from types import SimpleNamespace

import pytest

from kept.core.people import person_name


def person(first: str, last: str, username: str = "someone"):
    return SimpleNamespace(first_name=first, last_name=last, get_username=lambda: username)


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        ("建华", "陈", "陈建华"),  # family name first, no space
        ("Anna", "Kim", "Anna Kim"),
        ("Anna", "", "Anna"),
        ("", "陈", "陈"),
        ("", "", "someone"),  # no name: the username
    ],
)
def test_names_read_in_their_own_order(first, last, shown):
    assert person_name(person(first, last)) == shown


def test_the_scorecards_page_shows_chinese_names_family_name_first(client_as, manager, staff):
    staff.first_name, staff.last_name = "建华", "陈"
    staff.save()
    page = client_as(manager).get("/team/").content.decode()
    assert "陈建华" in page and "建华 陈" not in page
