"""Today's queue: tickets of the last working hours, placed in business time before the real
now so that the queue shows every state when the demo is opened: breached, at risk, on
track, waiting (the clock stopped), a reopened ticket, and a few resolved today.

These moments follow the clock, not the seed: they are left out of the demo's digest.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from kept.customers.models import Customer
from kept.demo.complaints import quality_voice
from kept.demo.desk_texts import ASK_PHOTO, FIRST_REPLY, REOPEN_SAID
from kept.demo.handoffs import person
from kept.demo.tickets import COMPLAINT, NOTE, REPLY, SAID, STATUS, Planner, Story, business_before
from kept.fulfilment.models import Delivery
from kept.servicedesk.choices import Channel, Priority, TicketKind, TicketStatus

H = timedelta(hours=1)
M = timedelta(minutes=1)

# (key, customer group or department asking, department asked, kind, priority, business time
# before now, subject, the customer's words, steps: (business time after creation, what,
# text or status; None: one of the usual first replies))
SHORT_REDELIVERED = {"root_cause": "short", "remedy": "redeliver", "remedy_cost": Decimal("15.00")}
# fmt: off
SCRIPTS = (
    ("damaged", "household", None, TicketKind.COMPLAINT, Priority.NORMAL, 21 * H,
     "米袋破了，撒了一地", "刚送来的米袋子破了个口子，撒了一地米，照片发到微信上了。",
     ((H, REPLY, None), (3 * H, NOTE, "跟仓库核对了，同一批东北大米 10 kg 破袋比较多。"))),
    ("more_bags", "restaurant", None, TicketKind.REQUEST, Priority.HIGH, 2 * H + 45 * M,
     "下周开始每天多送两袋", "下周我们店搞活动，每天多送两袋 25 kg 的丝苗米，能不能安排？", ()),
    ("lunch", "restaurant", None, TicketKind.COMPLAINT, Priority.URGENT, 3 * H + 20 * M,
     "午市用的米还没到",
     "说好上午 10 点前送到，现在还没到，11 点就开档了！",
     ((12 * M, REPLY, "马上查，车在路上，我让司机先给您打电话。"),
      (30 * M, NOTE, "已转配送车队加急，司机说堵在二环高架上。"))),
    ("new_rice", "household", None, TicketKind.QUESTION, Priority.NORMAL, 3 * H + 30 * M,
     "新米什么时候到", "今年的新米什么时候有？去年的东北米挺好吃，想提前订两袋。", ()),
    ("small_bags", "household", None, TicketKind.QUESTION, Priority.LOW, 40 * M,
     "有没有小包装的米", "家里就两个人，10 kg 吃不完，有没有小包装？", ()),
    ("invoice", "restaurant", None, TicketKind.REQUEST, Priority.NORMAL, 15 * M,
     "开增值税专用发票", "这个月的货款要开专票，开票信息发到你们邮箱了。", ()),
    ("short", "restaurant", None, TicketKind.COMPLAINT, Priority.HIGH, H + 40 * M,
     "大豆油少了两桶", "今天的货点了一下，大豆油少了两桶，送货单上写的是六桶。晚市要用，"
     "麻烦尽快补上。",
     ((20 * M, REPLY, "抱歉！查了出库单确实少拣了两桶，下午第一趟给您补上。"),)),
    ("photo", "household", None, TicketKind.COMPLAINT, Priority.NORMAL, 5 * H,
     "油桶漏油", "送来的花生油桶底在渗油，厨房地上一滩油。",
     ((40 * M, REPLY, None), (50 * M, REPLY, ASK_PHOTO[1]),
      (51 * M, STATUS, TicketStatus.WAITING_CUSTOMER))),
    ("old_rice", "restaurant", None, TicketKind.RETURN, Priority.NORMAL, 9 * H,
     "陈米想退", "这批米是去年的陈米，我们要当季新米，袋子上的日期照片发你了。",
     ((H, REPLY, "抱歉，我马上跟仓库和米厂核实批次。"),
      (2 * H, NOTE, "已发函米厂，等米厂确认批次后换货。"),
      (2 * H + M, STATUS, TicketStatus.WAITING_THIRD_PARTY))),
    ("repick", "INT-DELIVERY", "INT-WAREHOUSE", TicketKind.HANDOFF, Priority.NORMAL, 6 * H + 45 * M,
     "成华 CH-2 线装车少了 4 袋东北大米 10 kg", "明早 CH-2 线的货少了 4 袋东北大米 10 kg，"
     "请今天补拣。",
     ((15 * M, REPLY, "收到，下午补拣。"),)),
    ("thin_bags", "INT-WAREHOUSE", "INT-PURCHASING", TicketKind.HANDOFF, Priority.NORMAL, 11 * H,
     "东北大米 10 kg 新包装袋太薄", "换了新袋子以后破袋多了，这周又破了 9 袋，"
     "请跟米厂交涉换回厚袋。",
     ((H + 30 * M, REPLY, "收到，在联系米厂。"),)),
    ("kitchen_oil", "INT-KITCHEN", "INT-WAREHOUSE", TicketKind.HANDOFF, Priority.LOW, 30 * M,
     "下周领油改到周二", "下周三厨房检修，领油改到周二上午。", ()),
    ("reopened", "household", None, TicketKind.COMPLAINT, Priority.NORMAL, 13 * H,
     "少送了一袋米", "订了两袋东北大米 10 kg，只送来一袋，剩下的什么时候送？",
     ((45 * M, REPLY, None), (7 * H - M, COMPLAINT, SHORT_REDELIVERED),
      (7 * H, REPLY, "已安排补送，今天下午送到。"),
      (7 * H + M, STATUS, TicketStatus.RESOLVED), (11 * H, STATUS, TicketStatus.OPEN),
      (11 * H + M, SAID, REOPEN_SAID[0]))),
    ("paused_delivery", "household", None, TicketKind.REQUEST, Priority.NORMAL, 4 * H,
     "下周暂停一次送货", "下周回老家，家里没人，这次先别送了。",
     ((20 * M, REPLY, "好的，已经帮您把下周的送货取消了。"),
      (2 * H + 30 * M, STATUS, TicketStatus.RESOLVED))),
    ("brand", "household", None, TicketKind.QUESTION, Priority.LOW, 6 * H,
     "五常米是不是正宗的", "你们的五常稻花香有没有溯源码？",
     ((H, REPLY, "有的，每袋都有防伪溯源码，扫码能查到产地。"),
      (H + 5 * M, STATUS, TicketStatus.RESOLVED))),
)
# fmt: on


def todays_stories(planner: Planner, departments: dict[str, Customer]) -> list[Story]:
    """The scripts above, each placed its business time before now; the two damage
    complaints are about real damaged deliveries of the last days when there are some."""
    recent = _recent_damage(planner)
    stories = []
    for script in SCRIPTS:
        key, asking, asked, kind, priority, before, subject, said, steps = script
        story = _story(planner, departments, asking, asked, kind, priority, before, subject, said)
        if kind == TicketKind.COMPLAINT and key in ("damaged", "photo"):
            _about_delivery(planner, story, _take(recent, story))
        for after, do, text in steps:
            at = planner.calendar.add_business_time(story.created_at, after)
            if text is None:
                text = planner.rng.choice(FIRST_REPLY).format(name="")
            details = {STATUS: {"status": text}, COMPLAINT: {"values": text}}.get(
                do, {"text": text}
            )
            story.add(at, do, story.assignee, **details)
        Planner.cut(story, planner.now)
        stories.append(story)
    return stories


def _story(planner, departments, asking, asked, kind, priority, before, subject, said) -> Story:
    created = business_before(planner.calendar, planner.now, before)
    if asked:  # a hand-off: one department asks another
        return Story(
            customer=departments[asking],
            kind=kind,
            priority=priority,
            channel=Channel.INTERNAL,
            subject=subject,
            description=said,
            created_at=created,
            assignee=person(planner, asked),
            actor=person(planner, asking),
            department=departments[asked],
        )
    customer = planner.rng.choice(planner.customers((asking,)))
    assignee = planner.assignee_of(customer)
    complaint = None
    if kind == TicketKind.COMPLAINT:
        complaint = {"what_happened": f"客户反映：{subject}", "customer_wants": ""}
    return Story(
        customer=customer,
        kind=kind,
        priority=priority,
        channel=planner.channel(customer),
        subject=subject,
        description=said,
        created_at=created,
        assignee=assignee,
        actor=assignee,
        complaint=complaint,
    )


def _about_delivery(planner: Planner, story: Story, delivery: Delivery | None) -> None:
    """The complaint is about a real damaged delivery of the last days, in the words that fit
    it, when there is one."""
    if delivery is None:
        return
    story.delivery, story.customer = delivery, delivery.line.order.customer
    story.assignee = story.actor = planner.assignee_of(story.customer)
    voice, words = quality_voice(planner.rng, delivery)
    story.subject, story.description = voice.subject.format(**words), voice.said.format(**words)
    story.complaint = {
        "what_happened": f"{delivery.delivered_on:%m-%d} 送货时登记：{delivery.note}",
        "customer_wants": voice.wants,
    }


def _recent_damage(planner: Planner) -> list[Delivery]:
    """Damaged deliveries to households in the last days, newest first."""
    since = planner.ctx.today - timedelta(days=10)
    return list(
        Delivery.objects.filter(
            delivered_on__gte=since,
            quality_ok=False,
            line__order__customer__group__code="household",
            line__order__customer__is_active=True,
            line__order__customer__language="zh-hans",
        )
        .select_related(
            "line__order__customer__group", "line__order__customer__owner", "line__product"
        )
        .order_by("-delivered_at", "-pk")
    )


def _take(recent: list[Delivery], story: Story) -> Delivery | None:
    """The newest damaged delivery made well before the call (a delivery of today's date,
    when today is ahead of the clock, has not happened yet)."""
    for index, delivery in enumerate(recent):
        if delivery.delivered_at < story.created_at - timedelta(hours=1):
            return recent.pop(index)
    return None
