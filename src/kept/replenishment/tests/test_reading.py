"""The events read through COPY (PostgreSQL) equal those read through the cursor."""

from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from kept.replenishment import actions, queries, reading
from kept.replenishment.choices import ReadingSource

pytestmark = pytest.mark.django_db


def test_copy_and_cursor_give_the_same_events(fill, jar, today):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: COPY is how the plan reads there; SQLite uses the cursor")
    from kept.fulfilment.models import Delivery

    for n in range(6, 0, -1):
        fill(jar, n * 9, 10)
    short = fill(jar, 3, 6)
    at = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
    Delivery.objects.create(line=short.line, quantity=4, delivered_at=at, delivered_on=today)
    actions.record_reading(jar, 3, day=today - timedelta(days=20))
    actions.record_reading(jar, 5, day=today - timedelta(days=4), source=ReadingSource.FEEDBACK)
    fill(jar, 1, 40)  # more than the jar holds
    rows, only, params = queries._subscriptions(None)
    ids = np.array([row[0] for row in rows])
    capacity = np.array([float(row[2]) for row in rows])
    copied = reading.events(ids, capacity, today, only, params, rows=None)
    cursor = reading._cursor(*queries._events(today, only, params))
    position = {int(pk): i for i, pk in enumerate(ids)}
    cursor = (
        np.array([position[int(i)] for i in cursor[0]]),
        cursor[1],
        cursor[2],
        np.minimum(cursor[3], capacity[[position[int(i)] for i in cursor[0]]]),
    )

    def ordered(events):
        keys = np.lexsort((events[3], events[2], events[1], events[0]))
        return [np.asarray(part)[keys] for part in events]

    for mine, theirs in zip(ordered(copied), ordered(cursor), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert len(copied[0]) == 10  # 8 fills (one per line) and 2 readings
    assert copied[3].max() == 15  # the big delivery fills the jar and no more
