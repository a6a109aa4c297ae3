import pytest
from django.utils import timezone


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def team(make_user):
    """A manager, three staff and the warehouse keeper: five members who score and are
    scored; a viewer who is not on the team."""
    return {
        "boss": make_user("manager", "boss"),
        "ann": make_user("staff", "ann"),
        "bob": make_user("staff", "bob"),
        "cai": make_user("staff", "cai"),
        "keeper": make_user("warehouse", "keeper"),
        "watcher": make_user("viewer", "watcher"),
    }


@pytest.fixture
def items(db):
    from kept.team.models import BehaviourItem

    return list(BehaviourItem.objects.active())


@pytest.fixture
def period(db, today):
    from kept.team.actions import open_period

    return open_period(today)


@pytest.fixture
def give(period):
    """give(rater, person, {item: value}, note="") → the rater's scores in the period."""
    from kept.team.actions import Entry, submit_scores

    def make(rater, person, values: dict, note: str = "", at=None):
        entries = [Entry(person.pk, item.pk, value, note) for item, value in values.items()]
        return submit_scores(rater, at or period, entries)

    return make
