"""Hand-offs between departments: each department is the customer of the step before it
(SPEC 0.8, 2.6). The fleet asks the warehouse to re-pick, the warehouse asks purchasing to
take thin bags up with the mill, customer service asks the fleet to redeliver what a
complaint was promised. They run under the internal SLA policy."""

from __future__ import annotations

from kept.customers.models import Customer
from kept.demo.desk_texts import CS_REDELIVER, CS_REPICK, HANDOFFS
from kept.demo.places import DISTRICTS
from kept.demo.tickets import MINUTE, Planner, Run, Story
from kept.servicedesk.choices import Channel, Priority, TicketKind

ROUTINE = 18  # in six months; not scaled: the departments are whole at any scale
# who answers for a department, and who writes its requests (None: a staff member)
PEOPLE = {
    "INT-WAREHOUSE": "warehouse",
    "INT-DELIVERY": "warehouse",
    "INT-PURCHASING": "manager",
    "INT-KITCHEN": "manager",
    "INT-CS": None,
}
PRODUCTS = (
    "东北大米 10 kg",
    "丝苗米 25 kg 餐饮装",
    "东北大米 25 kg 餐饮装",
    "一级大豆油 20 L 餐饮桶",
)


def handoff_stories(
    planner: Planner, departments: dict[str, Customer], complaints: list[Story]
) -> list[Story]:
    """Routine hand-offs, then those the complaints asked for (played after them)."""
    stories = [_routine(planner, departments) for _ in range(ROUTINE)]
    for complaint in complaints:
        for what, words in complaint.handoffs:
            stories.append(_for_complaint(planner, departments, complaint, what, words))
    return stories


def person(planner: Planner, code: str):
    """Who answers for (or writes for) a department."""
    username = PEOPLE[code]
    return planner.ctx.users[username] if username else planner.rng.choice(planner.staff)


def _routine(planner: Planner, departments: dict[str, Customer]) -> Story:
    rng = planner.rng
    asking, asked, priority, subject, description, ack, done = rng.choice(HANDOFFS)
    restaurants = planner.customers(("restaurant",))
    words = {
        "route": rng.choice(rng.choice(DISTRICTS).route_codes()),
        "missing": rng.randint(2, 6),
        "product": rng.choice(PRODUCTS),
        "customer": rng.choice(restaurants).name if restaurants else "客户",
    }
    story = Story(
        customer=departments[asking],
        kind=TicketKind.HANDOFF,
        priority=priority,
        channel=Channel.INTERNAL,
        subject=subject.format(**words),
        description=description.format(**words),
        created_at=planner.moment(planner.history_day(), office=0.9),
        assignee=person(planner, asked),
        actor=person(planner, asking),
        department=departments[asked],
    )
    planner.flow(story, first=ack.format(**words), done=done.format(**words))
    return story


def _for_complaint(
    planner: Planner, departments: dict[str, Customer], complaint: Story, what: str, words: dict
) -> Story:
    """Customer service asks the warehouse to re-pick or the fleet to redeliver, soon after
    answering the complaint. The description quotes the complaint's number, known once it is
    played (``{ticket}``)."""
    subject, description, ack, done = CS_REPICK if what == "repick" else CS_REDELIVER
    asked = "INT-WAREHOUSE" if what == "repick" else "INT-DELIVERY"
    line = complaint.delivery.line
    words = {**words, "customer": complaint.customer.name, "order": line.order.number}
    answered = complaint.steps[0].at if complaint.steps else complaint.created_at
    run = Run(planner.calendar, answered)
    story = Story(
        customer=departments["INT-CS"],
        kind=TicketKind.HANDOFF,
        priority=Priority.HIGH
        if complaint.priority in (Priority.URGENT, Priority.HIGH)
        else Priority.NORMAL,
        channel=Channel.INTERNAL,
        subject=subject.format(ticket="{ticket}", **words),
        description=description.format(ticket="{ticket}", **words),
        created_at=run.work(planner.rng.randint(5, 40) * MINUTE),
        assignee=person(planner, asked),
        actor=complaint.assignee,
        department=departments[asked],
        made_for=complaint,
    )
    planner.flow(story, first=ack, done=done)
    return story
