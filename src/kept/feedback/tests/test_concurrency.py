"""Answers and triggers racing: one answer per link, one survey per quiet period."""

import threading

import pytest
from django.db import connection

from kept.customers.models import Customer
from kept.feedback import actions
from kept.feedback.models import Survey

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")


def _run_at_once(target, arguments: list[tuple]) -> list:
    barrier, outcomes = threading.Barrier(len(arguments)), []

    def run(*args):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            outcomes.append(target(*args))
        except Exception as error:  # the outcome is what the test checks
            outcomes.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_of_answers_posted_at_once_exactly_one_is_kept():
    _needs_postgres()
    customer = Customer.objects.create(code="RACE", name="Race", email="race@example.com")
    _survey, token = actions.send_survey(customer, trigger="manual")

    def answer(score):
        return actions.answer(token, csat=score, comment=f"answer {score}").pk

    outcomes = _run_at_once(answer, [(score,) for score in range(1, 6)])
    kept = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, actions.InvalidSurveyLink)]
    assert (len(kept), len(refused)) == (1, 4), outcomes
    survey = Survey.objects.get()
    assert survey.comment == f"answer {survey.csat}"  # one answer whole, not a mix


def test_triggers_at_once_send_one_survey_in_the_quiet_period():
    _needs_postgres()
    customer = Customer.objects.create(code="RACE", name="Race", email="race@example.com")

    def send(trigger):
        return actions.send_survey(customer, trigger=trigger)

    outcomes = _run_at_once(send, [("delivery",), ("ticket",), ("manual",), ("delivery",)])
    assert sum(1 for o in outcomes if isinstance(o, tuple)) == 1, outcomes
    assert Survey.objects.count() == 1
