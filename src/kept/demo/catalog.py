"""Rice and cooking oil (and rice bins), their opening stock, adjustments and receipts.

Stock is written only through the catalog actions, so the ledger is the same as if the
warehouse had typed it in: on hand always equals the sum of the movements.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from kept.catalog.actions import (
    cancel_receipt,
    create_product,
    receive_receipt,
    record_manual_movement,
    schedule_receipt,
)
from kept.catalog.choices import MovementReason
from kept.catalog.models import Receipt
from kept.demo.context import DemoContext


class Item(NamedTuple):
    sku: str
    name: str
    unit: str
    price: str
    cost: str
    grade: str
    delivery_lead_days: int
    replenishment_lead_days: int | None
    consumable: bool
    opening: int
    supplier: str


NE, WC, SM = "一级 粳米 GB/T 1354", "特级 稻花香2号 地理标志产品", "一级 籼米 增城丝苗"
PEANUT, SOY, RAPE = "压榨一级 GB/T 1534", "一级 GB/T 1535 非转基因", "压榨一级 GB/T 1536 川西菜籽"
BIN = "食品级 PP，密封防虫，带量杯"

HLJ, WC_COOP, ZC, SICHUAN = "黑龙江粮库", "五常稻香合作社", "增城粮油", "四川粮油批发中心"
THAI, GLUTINOUS, PEANUT_MILL = "泰国香米进口代理", "本地糯米合作社", "山东花生油厂"
SOY_MILL, RAPE_MILL, HOMEWARE = "黑龙江大豆油厂", "川西菜籽油厂", "义乌家居用品"

# fmt: off
ITEMS = (
    Item("RICE-NE-5", "东北大米 5 kg", "袋", "32.00", "25.50", NE, 1, 7, True, 240, HLJ),
    Item("RICE-NE-10", "东北大米 10 kg", "袋", "62.00", "49.00", NE, 1, 7, True, 420, HLJ),
    Item("RICE-NE-25", "东北大米 25 kg 餐饮装", "袋", "148.00", "119.00", "二级 粳米",
         1, 7, True, 160, HLJ),
    Item("RICE-WC-5", "五常稻花香 5 kg", "袋", "79.00", "58.00", WC, 1, 10, True, 120, WC_COOP),
    Item("RICE-WC-10", "五常稻花香 10 kg", "袋", "152.00", "112.00", WC, 1, 10, True, 80, WC_COOP),
    Item("RICE-SM-10", "丝苗米 10 kg", "袋", "58.00", "45.00", SM, 1, 5, True, 200, ZC),
    Item("RICE-SM-25", "丝苗米 25 kg 餐饮装", "袋", "138.00", "110.00", SM, 1, 5, True, 150, ZC),
    Item("RICE-ZX-25", "早籼米 25 kg 餐饮装", "袋", "105.00", "86.00", "三级 早籼米",
         1, 5, True, 180, SICHUAN),
    Item("RICE-TH-5", "泰国茉莉香米 5 kg", "袋", "65.00", "50.00", "进口 泰国香米 Hom Mali",
         1, 21, True, 90, THAI),
    Item("RICE-GL-2.5", "圆糯米 2.5 kg", "袋", "24.00", "17.50", "一级 圆糯米",
         1, None, True, 60, GLUTINOUS),
    Item("OIL-PN-1.8", "压榨花生油 1.8 L", "瓶", "52.00", "39.00", PEANUT, 1, 4, True, 150,
         PEANUT_MILL),
    Item("OIL-PN-5", "压榨花生油 5 L", "桶", "138.00", "106.00", PEANUT, 1, 4, True, 120,
         PEANUT_MILL),
    Item("OIL-SB-5", "一级大豆油 5 L", "桶", "62.00", "48.00", SOY, 1, 3, True, 160, SOY_MILL),
    Item("OIL-SB-20", "一级大豆油 20 L 餐饮桶", "桶", "235.00", "192.00", SOY, 1, 3, True, 60,
         SOY_MILL),
    Item("OIL-RS-5", "浓香菜籽油 5 L", "桶", "85.00", "64.00", RAPE, 1, 3, True, 220, RAPE_MILL),
    Item("OIL-RS-20", "浓香菜籽油 20 L 餐饮桶", "桶", "318.00", "256.00", RAPE, 1, 3, True, 80,
         RAPE_MILL),
    Item("BIN-15", "密封米桶 15 kg", "个", "68.00", "38.00", BIN, 2, 14, False, 40, HOMEWARE),
    Item("BIN-25", "密封米桶 25 kg", "个", "89.00", "52.00", BIN, 2, 14, False, 25, HOMEWARE),
)
# fmt: on

DAMAGE_NOTES = ("搬运时破袋", "仓库漏雨，受潮结块", "老鼠咬破包装", "油桶渗漏", "叉车碰破外包装")
COUNT_NOTES = ("月末盘点差异", "季度盘点：账实不符，已复核", "抽盘差异，按实盘调整")
CANCEL_REASON = "供应商缺货，改从其他渠道采购"


def create_products(ctx: DemoContext) -> int:
    manager = ctx.users["manager"]
    for item in ITEMS:
        data = {
            "sku": item.sku,
            "name": item.name,
            "unit": item.unit,
            "price": Decimal(item.price),
            "cost": Decimal(item.cost),
            "grade": item.grade,
            "sellable": True,
            "delivery_lead_days": item.delivery_lead_days,
            "replenishment_lead_days": item.replenishment_lead_days,
            "consumable": item.consumable,
        }
        ctx.products[item.sku] = create_product(data, actor=manager)
    return len(ITEMS)


def build_stock(ctx: DemoContext) -> tuple[int, int]:
    """Opening balances, damage and count corrections, receipts. Returns (movements, receipts)."""
    rng, clerk = ctx.rng("stock"), ctx.users["warehouse"]
    for item in ITEMS:
        record_manual_movement(
            ctx.products[item.sku],
            Decimal(item.opening),
            MovementReason.OPENING,
            actor=clerk,
            note="期初库存（系统上线盘点）",
        )
    movements = len(ITEMS) + _adjustments(ctx, rng, clerk)
    orders = _PurchaseOrders(ctx, rng)
    received = orders.received(clerk)
    orders.scheduled()
    orders.cancelled(clerk)
    return movements + received, orders.count


def _adjustments(ctx: DemoContext, rng: random.Random, clerk) -> int:
    consumables = [item for item in ITEMS if item.consumable]
    for item in rng.sample(consumables, 4):
        note = rng.choice(DAMAGE_NOTES[3:] if item.sku.startswith("OIL") else DAMAGE_NOTES[:3])
        record_manual_movement(
            ctx.products[item.sku],
            Decimal(-rng.randint(1, 3)),
            MovementReason.DAMAGE,
            actor=clerk,
            note=note,
        )
    for item in rng.sample(ITEMS, 3):
        record_manual_movement(
            ctx.products[item.sku],
            Decimal(rng.choice([-2, -1, 1, 2])),
            MovementReason.COUNT,
            actor=clerk,
            note=rng.choice(COUNT_NOTES),
        )
    return 7


class _PurchaseOrders:
    """Receipts with purchase-order references numbered in the order they are raised."""

    def __init__(self, ctx: DemoContext, rng: random.Random) -> None:
        self.ctx, self.rng, self.count = ctx, rng, 0

    def _schedule(self, item: Item, days_ahead: int, share: float) -> Receipt:
        self.count += 1
        quantity = max(1, round(item.opening * share))
        reference = f"PO{self.ctx.today:%y}{self.count:04d} {item.supplier}"
        expected = self.ctx.today + timedelta(days=days_ahead)
        return schedule_receipt(
            self.ctx.products[item.sku],
            Decimal(quantity),
            expected,
            reference=reference,
            actor=self.ctx.users["manager"],
        )

    def received(self, clerk) -> int:
        """Two deliveries that arrived today: one in full, one short by a tenth."""
        first, second = self.rng.sample([item for item in ITEMS if item.consumable], 2)
        receive_receipt(self._schedule(first, 0, 0.5), actor=clerk)
        receipt = self._schedule(second, 0, 0.6)
        short = (receipt.quantity * Decimal("0.9")).to_integral_value()
        receive_receipt(receipt, quantity=short, actor=clerk)
        return 2

    def scheduled(self) -> None:
        """One to three open receipts per product over the coming five weeks."""
        for item in ITEMS:
            visits = 1 if not item.consumable else self.rng.randint(1, 3)
            for days_ahead in sorted(self.rng.sample(range(2, 36), visits)):
                self._schedule(item, days_ahead, self.rng.uniform(0.5, 1.0))

    def cancelled(self, clerk) -> None:
        imported = next(item for item in ITEMS if item.sku == "RICE-TH-5")
        receipt = self._schedule(imported, self.rng.randint(8, 15), 1.0)
        cancel_receipt(receipt, actor=clerk, reason=CANCEL_REASON)
