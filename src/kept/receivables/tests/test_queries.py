"""Credit position, ageing, DSO and the lists, against figures worked out by hand."""

from datetime import timedelta
from decimal import Decimal

from kept.receivables import queries
from kept.receivables.queries import CreditPosition


def test_credit_position_by_hand(hand_case, customer, today):
    position = queries.credit_position(customer, today)

    assert position == CreditPosition(
        open_balance=Decimal("1300.00"),
        overdue_amount=Decimal("1000.00"),
        oldest_overdue_days=45,
        unallocated_credit=Decimal("50.00"),
    )
    assert position.net_exposure == Decimal("1250.00")


def test_credit_position_moves_with_the_date(hand_case, customer, today):
    # 21 days on, B (due in 20 days) is overdue by 1 day too; A is 66 days overdue.
    later = queries.credit_position(customer, today + timedelta(days=21))

    assert later.overdue_amount == Decimal("1300.00")
    assert later.oldest_overdue_days == 66


def test_credit_position_of_a_clean_customer_is_zero(make_customer, today):
    assert queries.credit_position(make_customer(), today) == CreditPosition(
        Decimal("0"), Decimal("0"), 0, Decimal("0")
    )


def test_paid_invoice_is_not_overdue(customer, issue, pay, today):
    issue(customer, "80.00", 100)
    pay(customer, "80.00")

    position = queries.credit_position(customer, today)

    assert (position.open_balance, position.overdue_amount, position.oldest_overdue_days) == (
        0,
        0,
        0,
    )


def test_bulk_credit_positions_match_one_by_one(
    hand_case, customer, make_customer, issue, today, django_assert_num_queries
):
    other, clean = make_customer(), make_customer()
    issue(other, "70.00", 40)  # due 10 days ago

    with django_assert_num_queries(2):
        positions = queries.credit_positions([customer, other, clean.pk], today)

    assert positions[customer.pk] == queries.credit_position(customer, today)
    assert positions[other.pk] == CreditPosition(Decimal("70.00"), Decimal("70.00"), 10, 0)
    assert positions[clean.pk] == CreditPosition()


def test_ageing_report_by_hand(hand_case, customer, make_customer, issue, today):
    other = make_customer("ZHAO", name="Zhao's shop")
    issue(other, "10.00", 30)  # due today: current
    issue(other, "20.00", 31)  # 1 day overdue
    issue(other, "40.00", 120)  # 90 days overdue
    issue(other, "80.00", 121)  # 91 days overdue

    report = queries.ageing_report(today)

    wang, zhao = report.rows
    assert (wang.code, wang.amounts, wang.total) == (
        "WANG",
        [Decimal("300.00"), 0, Decimal("1000.00"), 0, 0],
        Decimal("1300.00"),
    )
    assert wang.oldest_overdue_days == 45
    assert zhao.amounts == [
        Decimal("10.00"),
        Decimal("20.00"),
        0,
        Decimal("40.00"),
        Decimal("80.00"),
    ]
    assert zhao.overdue == Decimal("140.00")
    assert report.totals.amounts == [
        Decimal("310.00"),
        Decimal("20.00"),
        Decimal("1000.00"),
        Decimal("40.00"),
        Decimal("80.00"),
    ]
    assert report.totals.total == Decimal("1450.00")


def test_ageing_filters_by_group_and_owner(customer, make_customer, make_user, issue, today):
    from kept.customers.models import CustomerGroup

    horeca = CustomerGroup.objects.create(code="HORECA", name="Restaurants")
    owner = make_user("staff")
    mine = make_customer(group=horeca, owner=owner)
    issue(mine, "5.00")
    issue(customer, "7.00")

    by_group = queries.ageing_report(today, group="HORECA")
    by_owner = queries.ageing_report(today, owner=owner.pk)

    assert [row.code for row in by_group.rows] == [mine.code]
    assert by_group.totals.total == Decimal("5.00")
    assert [row.code for row in by_owner.rows] == [mine.code]


def test_dso_by_hand(customer, make_customer, issue, pay, today):
    # Sales in the last 90 days: 600 + 300 = 900. Paying 700 oldest due first clears the
    # 300 from 200 days ago and the 300 from 89 days ago, and 100 of the 600: 500 stays open.
    issue(customer, "300.00", 200)  # outside the period, still unpaid
    issue(customer, "600.00", 60)
    issue(customer, "300.00", 89)  # first day of the 90-day period
    pay(customer, "700.00")
    figure = queries.dso(today, days=90)

    assert figure.credit_sales == Decimal("900.00")
    assert figure.receivables == Decimal("500.00")
    assert figure.value == Decimal("50.0")  # 500 / 900 × 90
    assert figure.first_day == today - timedelta(days=89)


def test_dso_without_sales(db, today):
    figure = queries.dso(today)

    assert (figure.receivables, figure.credit_sales, figure.value) == (0, 0, None)


def test_invoice_list_status_filters(hand_case, customer, issue, pay, today):
    paid = issue(customer, "10.00", 1)
    from kept.receivables import actions

    payment = pay(customer, "10.00", allocate=None)
    actions.allocate_payment(payment, paid, Decimal("10.00"))

    def numbers(status):
        filters = queries.InvoiceFilters(status=status)
        return {invoice.number for invoice in queries.invoice_list(filters, today)}

    assert numbers("overdue") == {hand_case["overdue"].number}
    assert numbers("open") == {hand_case["partly_paid"].number}
    assert numbers("unpaid") == {hand_case["overdue"].number, hand_case["partly_paid"].number}
    assert numbers("paid") == {paid.number}
    statuses = {i.number: i.status for i in queries.invoice_list(today=today)}
    assert statuses == {
        hand_case["overdue"].number: "overdue",
        hand_case["partly_paid"].number: "open",
        paid.number: "paid",
    }


def test_invoice_list_filters_by_customer_and_dates(hand_case, make_customer, issue, today):
    other = issue(make_customer("LI"), "5.00", 3)

    by_customer = queries.invoice_list(queries.InvoiceFilters(customer="LI"), today)
    recent = queries.invoice_list(
        queries.InvoiceFilters(date_from=today - timedelta(days=10), date_to=today), today
    )

    assert list(by_customer) == [other]
    assert {i.number for i in recent} == {other.number, hand_case["partly_paid"].number}


def test_invoice_totals(hand_case, today):
    totals = queries.invoice_totals(queries.invoice_list(today=today), today)

    assert totals == queries.InvoiceTotals(
        count=2,
        amount=Decimal("1500.00"),
        open_amount=Decimal("1300.00"),
        overdue_amount=Decimal("1000.00"),
    )


def test_payment_list_shows_what_is_unallocated(hand_case, customer):
    payments = list(queries.payment_list(queries.PaymentFilters(customer=customer.code)))

    assert [(p.amount, p.allocated_amount, p.unallocated_amount) for p in payments] == [
        (Decimal("50.00"), 0, Decimal("50.00")),
        (Decimal("200.00"), Decimal("200.00"), 0),
    ]


def test_bulk_credit_positions_from_a_queryset(
    hand_case, customer, make_customer, today, django_assert_num_queries
):
    from kept.customers.models import Customer

    clean = make_customer()

    with django_assert_num_queries(3):
        positions = queries.credit_positions(Customer.objects.all(), today)

    assert positions[customer.pk].open_balance == Decimal("1300.00")
    assert positions[clean.pk] == CreditPosition()
    assert len(positions) == 2


def test_running_sums_are_consistent_for_the_hand_case(hand_case):
    assert queries.total_drift() == queries.Drift([], [])
