"""Where the demo business delivers: districts of Chengdu, their routes and addresses."""

from __future__ import annotations

import random
from dataclasses import dataclass

CITY = "成都市"


@dataclass(frozen=True)
class District:
    code: str
    name: str
    short: str
    routes: int
    weight: int
    owner: str
    streets: tuple[str, ...]

    def route_codes(self) -> list[str]:
        return [f"{self.short}-{number}" for number in range(1, self.routes + 1)]


# weight: share of households; owner: the staff member who covers the district.
# fmt: off
DISTRICTS: tuple[District, ...] = (
    District("cd-jinjiang", "锦江区", "JJ", 2, 15, "staff1",
             ("东大街", "水井坊街", "莲桂南路", "静康路", "三官堂街")),
    District("cd-qingyang", "青羊区", "QY", 2, 14, "staff1",
             ("长顺上街", "西御街", "光华大道", "青华路", "文翁路")),
    District("cd-jinniu", "金牛区", "JN", 3, 18, "staff2",
             ("抚琴西路", "营门口路", "沙湾路", "金府路", "交大路")),
    District("cd-chenghua", "成华区", "CH", 2, 16, "staff2",
             ("建设路", "双林路", "府青路", "二仙桥北路", "东林三路")),
    District("cd-wuhou", "武侯区", "WH", 3, 20, "staff3",
             ("玉林北路", "科华北路", "龙腾中路", "武侯大道", "紫荆西路")),
    District("cd-gaoxin", "高新区", "GX", 3, 17, "staff4",
             ("天府大道中段", "益州大道", "吉泰路", "锦城大道", "天府三街")),
)
# fmt: on

# fmt: off
COMPOUNDS = (
    "锦绣花园", "阳光小区", "翠苑", "金色家园", "和平里", "幸福小区", "南苑", "怡心园",
    "望江苑", "百花里", "芙蓉小区", "蓝光花园", "时代广场公寓", "银杏苑", "桂花园",
    "滨江花园", "民生小区", "教师新村", "电力宿舍", "铁路新村", "华润二十四城", "万科城",
)
# fmt: on


def pick_district(rng: random.Random) -> District:
    return rng.choices(DISTRICTS, weights=[d.weight for d in DISTRICTS])[0]


def home_address(rng: random.Random, district: District) -> tuple[str, int]:
    """A flat in a compound, and its floor (old walk-ups are 1–7, new towers up to 32)."""
    street = rng.choice(district.streets)
    floor = rng.choices(range(1, 33), weights=[8] * 7 + [3] * 25)[0]
    address = (
        f"{CITY}{district.name}{street}{rng.randint(1, 300)}号"
        f"{rng.choice(COMPOUNDS)}{rng.randint(1, 18)}栋{rng.randint(1, 4)}单元"
        f"{floor}{rng.randint(1, 6):02d}室"
    )
    return address, floor


def shop_address(rng: random.Random, district: District) -> str:
    street = rng.choice(district.streets)
    return f"{CITY}{district.name}{street}{rng.randint(1, 500)}号 临街商铺{rng.randint(1, 3)}楼"
