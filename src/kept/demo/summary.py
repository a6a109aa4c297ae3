"""What a demo build reports back, and the error it raises when it must not run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _


class DemoError(Exception):
    """The demo cannot be built here (the database holds data, or the options are wrong)."""


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    scale: float
    today: date
    users: int
    households: int
    restaurants: int
    institutions: int
    departments: int
    contacts: int
    interactions: int
    products: int
    movements: int
    receipts: int
    seconds: float
    policies: int = 0
    orders: int = 0
    current_orders: int = 0
    promise_versions: int = 0
    invoices: int = 0
    payments: int = 0
    at_risk: int = 0
    deliveries: int = 0
    late_deliveries: int = 0
    not_ok_deliveries: int = 0
    undelivered_lines: int = 0
    tolerances: int = 0
    jars: int = 0
    tickets: int = 0
    open_tickets: int = 0
    breached_tickets: int = 0
    complaints: int = 0
    handoffs: int = 0
    surveys: int = 0
    survey_answers: int = 0
    churned_customers: int = 0
    ticket_hours: int = 0
    reminders: int = 0
    vip_services: int = 0
    spend_months: int = 0
    valued: int = 0
    churned: int = 0
    lapsing: int = 0
    scoring_periods: int = 0
    scores: int = 0
    score_notes: int = 0
    leads: int = 0
    leads_won: int = 0
    leads_lost: int = 0
    lead_notes: int = 0
    funnel_alerts: int = 0

    @property
    def customers(self) -> int:
        return (
            self.households
            + self.restaurants
            + self.institutions
            + self.departments
            + self.leads_won
        )

    def __str__(self) -> str:
        customers = _(
            "Demo built in %(seconds).1f s (seed %(seed)d): %(users)d users, "
            "%(customers)d customers (%(households)d households, %(restaurants)d restaurants, "
            "%(institutions)d canteens and institutions, %(departments)d internal departments), "
            "%(contacts)d contacts, "
            "%(interactions)d interactions, %(products)d products, %(movements)d stock movements, "
            "%(receipts)d receipts."
        ) % {**self.__dict__, "customers": self.customers}
        orders = (
            _(
                "%(orders)d orders (%(current_orders)d of them this week), %(promise_versions)d "
                "promise versions, %(invoices)d invoices, %(payments)d payments, %(policies)d "
                "promise policies; %(at_risk)d promises at risk after a late receipt."
            )
            % self.__dict__
        )
        deliveries = (
            _(
                "%(deliveries)d deliveries (%(late_deliveries)d after the promised date, "
                "%(not_ok_deliveries)d not OK; %(undelivered_lines)d promised lines never "
                "delivered), %(tolerances)d service-level tolerances."
            )
            % self.__dict__
        )
        jars = _("%(jars)d rice jars followed for proactive refills.") % self.__dict__
        desk = (
            _(
                "%(tickets)d tickets (%(complaints)d complaints, %(handoffs)d hand-offs between "
                "departments; %(open_tickets)d open, %(breached_tickets)d with a breached SLA "
                "target), %(surveys)d surveys sent, %(survey_answers)d answered."
            )
            % self.__dict__
        )
        value = (
            _(
                "%(churned_customers)d customers stopped buying during the history; "
                "%(ticket_hours)d hours on tickets, %(reminders)d payment reminders, "
                "%(vip_services)d VIP services, %(spend_months)d months of marketing spend; "
                "%(valued)d customers valued: %(churned)d churned, %(lapsing)d lapsing."
            )
            % self.__dict__
        )
        team = (
            _(
                "%(scores)d value-scorecard scores over %(scoring_periods)d months "
                "(%(score_notes)d with a note)."
            )
            % self.__dict__
        )
        funnel = (
            _(
                "%(leads)d leads (%(leads_won)d won and now customers, %(leads_lost)d lost); "
                "%(funnel_alerts)d funnel stage below its target."
            )
            % self.__dict__
        )
        return f"{customers} {orders} {deliveries} {jars} {desk} {value} {team} {funnel}"
