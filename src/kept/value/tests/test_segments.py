"""RFM quintiles (ties kept together) and the four quadrants."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kept.value.segments import Quadrant, quadrant, quadrants, quintiles, rfm


def test_ten_customers_make_two_per_quintile():
    assert quintiles(range(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # recency: fewer days since the last purchase is better
    assert quintiles(range(10), higher_is_better=False).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_ties_share_a_score():
    scores = quintiles([1, 1, 1, 1, 1, 1, 2, 3, 4, 5])
    assert scores.tolist() == [2, 2, 2, 2, 2, 2, 4, 4, 5, 5]  # the six at their mid-rank


def test_rfm_rows_and_bad_input():
    scores = rfm([3, 30, 300], [12, 3, 1], [900, 200, 50])
    assert scores.tolist() == [[5, 5, 5], [3, 3, 3], [1, 1, 1]]  # three spread over 1–5
    with pytest.raises(ValueError):
        quintiles([1, float("nan")])
    assert quintiles([]).size == 0


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=300))
def test_scores_are_1_to_5_and_never_reverse_the_order(values):
    scores = quintiles(values)
    assert scores.min() >= 1 and scores.max() <= 5
    order = np.argsort(values, kind="stable")
    assert (np.diff(scores[order]) >= 0).all()


def test_the_quadrants():
    assert quadrant(True, True) is Quadrant.PARTNERS
    assert quadrant(True, False) is Quadrant.AT_RISK_VALUE
    assert quadrant(False, True) is Quadrant.LOYAL_SMALL
    assert quadrant(False, False) is Quadrant.TRANSACTIONAL
    assert quadrants([10, 1, 10, 1], [9, 9, 1, 1]) == [
        Quadrant.PARTNERS, Quadrant.LOYAL_SMALL, Quadrant.AT_RISK_VALUE, Quadrant.TRANSACTIONAL,
    ]  # fmt: skip
