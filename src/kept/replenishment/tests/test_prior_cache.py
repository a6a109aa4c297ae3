"""The notebook's container outlook keeps each product's population prior per process: the
figures are the ones a fresh fit gives, and a change to the product's data fits it again."""

from decimal import Decimal

import pytest

from kept.replenishment import queries


@pytest.fixture
def jars(fill, make_product, db):
    """Five households' 15 kg jars of one rice, refilled every 8 to 12 days for two months."""
    from kept.customers.models import Customer
    from kept.replenishment.actions import save_subscription

    rice = make_product("RICE-5", on_hand="500", unit="kg")
    found = []
    for n in range(5):
        household = Customer.objects.create(code=f"H{n}", name=f"Household {n}")
        jar = save_subscription(household, {"product": rice, "capacity": 15, "people": 2 + n % 3})
        for days_ago in range(60, 0, -(8 + n)):
            fill(jar, days_ago, 10)
        found.append(jar)
    queries._PRIORS.clear()
    return found


def _rate_of_a_fresh_fit(jar, today):
    book = queries.load(today, product_id=jar.product_id)
    return round(float(book.belief[[book.index(jar.pk)]].mean[0]), 3)


def test_the_kept_prior_gives_the_figures_of_a_fresh_fit(jars, today):
    for jar in jars:
        first = queries.outlook(jar, today)
        again = queries.outlook(jar, today)  # from the kept prior
        assert first == again
        assert again.rate_per_day == _rate_of_a_fresh_fit(jar, today)


def test_a_new_delivery_fits_the_prior_again(jars, today, fill):
    kept = queries.product_prior(jars[0].product_id, today)
    assert queries.product_prior(jars[0].product_id, today) is kept
    fill(jars[1], 1, 14)  # a big fill yesterday: the population uses more
    refitted = queries.product_prior(jars[0].product_id, today)
    assert refitted is not kept and refitted != kept
    assert queries.outlook(jars[0], today).rate_per_day == _rate_of_a_fresh_fit(jars[0], today)


def test_a_change_the_state_misses_reaches_the_prior_within_prior_seconds(jars, today, monkeypatch):
    from kept.fulfilment.models import Delivery

    kept = queries.product_prior(jars[0].product_id, today)
    Delivery.objects.filter(line__order__customer=jars[1].customer).update(
        quantity=Decimal("14")
    )  # an edit outside the app: no new id
    assert queries.product_prior(jars[0].product_id, today) is kept
    later = queries.time.monotonic() + queries.PRIOR_SECONDS + 1
    monkeypatch.setattr(queries.time, "monotonic", lambda: later)
    assert queries.product_prior(jars[0].product_id, today) != kept


def test_a_moved_subscription_fits_the_prior_again(jars, today):
    from kept.customers.models import Customer

    kept = queries.product_prior(jars[0].product_id, today)
    jars[2].customer = Customer.objects.create(code="H9", name="Moved")
    jars[2].save(update_fields=["customer"])
    assert queries.product_prior(jars[0].product_id, today) is not kept
