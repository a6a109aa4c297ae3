"""Each rule of SPEC 2.3 with its boundary, and the decision it leads to (pure core)."""

from datetime import date, timedelta
from decimal import Decimal as D

from kept.promising.atp import Timeline
from kept.promising.rules import (
    CustomerFacts,
    LineRequest,
    Policy,
    decide_line,
    order_decision,
    order_reasons,
    resolve_policy,
)

TODAY = date(2026, 3, 2)
PLENTY = Timeline(TODAY, D(1000))


def day(n):
    return TODAY + timedelta(days=n)


def line(**changes):
    values = {
        "sku": "RICE",
        "quantity": D(10),
        "requested_date": day(3),
        "unit_price": D(50),
        "unit_cost": D(40),
    }
    return LineRequest(**{**values, **changes})


def codes(reasons):
    return [r.code for r in reasons]


def test_blocked_declines():
    reasons = order_reasons(CustomerFacts(is_blocked=True, blocked_reason="unpaid"), Policy(), D(0))
    assert codes(reasons) == ["BLOCKED"] and reasons[0].details == {"reason": "unpaid"}
    assert decide_line(line(), PLENTY, Policy(), TODAY, reasons).decision == "decline"


def test_out_of_scope_not_sellable_or_excluded_for_the_group():
    assert (
        decide_line(line(sellable=False), PLENTY, Policy(), TODAY).reasons[0].code == "OUT_OF_SCOPE"
    )
    excluded = Policy(excluded_skus=frozenset({"RICE"}))
    assert decide_line(line(), PLENTY, excluded, TODAY).decision == "decline"
    assert decide_line(line(sku="OIL"), PLENTY, excluded, TODAY).decision == "commit"


def test_credit_limit_boundary_is_allowed_one_cent_over_holds():
    facts = CustomerFacts(
        credit_limit=D("1000"), open_receivables=D("300"), open_commitments=D("200")
    )
    assert order_reasons(facts, Policy(), D("500")) == []
    [reason] = order_reasons(facts, Policy(), D("500.01"))
    assert reason.code == "CREDIT_LIMIT" and reason.effect == "hold"
    assert reason.details == {
        "credit_limit": "1000.00",
        "open_receivables": "300.00",
        "open_orders": "200.00",
        "this_order": "500.01",
        "total": "1000.01",
        "over_by": "0.01",
    }
    assert decide_line(line(), PLENTY, Policy(), TODAY, [reason]).decision == "hold"
    assert (
        decide_line(
            line(), PLENTY, Policy(), TODAY, [reason], waived=frozenset({"CREDIT_LIMIT"})
        ).decision
        == "commit"
    )


def test_no_credit_limit_means_no_check():
    assert order_reasons(CustomerFacts(open_receivables=D("1e9")), Policy(), D("1e9")) == []


def test_overdue_amount_and_days_boundaries_and_action():
    policy = Policy(overdue_amount_limit=D("100"), overdue_days_limit=30, overdue_action="decline")
    assert (
        order_reasons(CustomerFacts(overdue_amount=D("100"), oldest_overdue_days=30), policy, D(0))
        == []
    )
    [by_amount] = order_reasons(CustomerFacts(overdue_amount=D("100.01")), policy, D(0))
    assert by_amount.code == "OVERDUE" and by_amount.effect == "decline"
    [by_days] = order_reasons(CustomerFacts(oldest_overdue_days=31), policy, D(0))
    assert by_days.details["oldest_overdue_days"] == 31
    held = Policy(overdue_days_limit=0)
    assert order_reasons(CustomerFacts(oldest_overdue_days=1), held, D(0))[0].effect == "hold"


def test_below_margin_boundary():
    policy = Policy(min_margin_percent=D("25"))
    assert decide_line(line(unit_price=D("50.00")), PLENTY, policy, TODAY).decision == "commit"
    decision = decide_line(line(unit_price=D("49.99")), PLENTY, policy, TODAY)
    assert decision.decision == "hold" and decision.reasons[0].code == "BELOW_MARGIN"
    assert decision.reasons[0].details["lowest_price"] == "50.00"


def test_lead_time_boundary_counters_with_the_earliest_date():
    policy = Policy(min_lead_days=2)
    assert decide_line(line(requested_date=day(2)), PLENTY, policy, TODAY).decision == "commit"
    decision = decide_line(line(requested_date=day(1)), PLENTY, policy, TODAY)
    assert decision.decision == "counter" and codes(decision.reasons) == ["LEAD_TIME"]
    assert decision.offers == (((D(10), day(2), False),),)
    # the product's own lead time counts too
    assert decide_line(
        line(requested_date=day(1), delivery_lead_days=3), PLENTY, Policy(), TODAY
    ).offers[0][0][1] == day(3)


def test_max_quantity_boundary_counter_or_hold():
    counter = Policy(max_quantity=D(10))
    assert decide_line(line(quantity=D(10)), PLENTY, counter, TODAY).decision == "commit"
    capped = decide_line(line(quantity=D("10.001")), PLENTY, counter, TODAY)
    assert capped.decision == "counter" and capped.offers == (((D(10), day(3), False),),)
    held = decide_line(
        line(quantity=D(11)), PLENTY, Policy(max_quantity=D(10), max_quantity_action="hold"), TODAY
    )
    assert held.decision == "hold" and codes(held.reasons) == ["MAX_QUANTITY"]


def test_no_supply_declines_but_replenishment_counters():
    empty = Timeline(TODAY, D(4))
    decision = decide_line(line(), empty, Policy(), TODAY)
    assert decision.decision == "decline" and codes(decision.reasons) == ["NO_SUPPLY"]
    assert decision.reasons[0].details["most_available"] == "4"
    procure = decide_line(line(replenishment_lead_days=7), empty, Policy(), TODAY)
    assert procure.decision == "counter"
    assert procure.offers == (((D(10), day(7), True),),)


def test_counter_offers_full_later_and_partial_now():
    timeline = Timeline(TODAY, D(6), receipts=[(day(8), D(20))])
    decision = decide_line(line(accept_partial=True), timeline, Policy(), TODAY)
    assert decision.decision == "counter"
    assert decision.offers == (
        ((D(10), day(8), False),),
        ((D(6), day(3), False), (D(4), day(8), False)),
    )
    assert codes(decision.reasons) == ["NOT_ENOUGH_ON_DATE"]
    assert len(decide_line(line(accept_partial=False), timeline, Policy(), TODAY).offers) == 1


def test_exactly_enough_commits():
    decision = decide_line(line(quantity=D(6)), Timeline(TODAY, D(6)), Policy(), TODAY)
    assert decision.decision == "commit" and decision.parts == ((D(6), day(3), False),)


def test_policy_layers_customer_over_group_over_default():
    policy = resolve_policy(
        {"max_quantity": D(5), "min_lead_days": None},
        {"max_quantity": D(50), "min_lead_days": 2, "overdue_action": ""},
        {"min_lead_days": 9, "overdue_action": "decline"},
        excluded_skus=["X"],
    )
    assert policy.max_quantity == D(5) and policy.min_lead_days == 2
    assert policy.overdue_action == "decline" and policy.excluded_skus == frozenset({"X"})


def test_order_decision():
    assert order_decision(["commit", "commit"]) == "commit"
    assert order_decision(["decline", "decline"]) == "decline"
    assert order_decision(["commit", "hold", "counter"]) == "hold"
    assert order_decision(["commit", "decline"]) == "counter"
