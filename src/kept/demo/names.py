"""Believable Chinese names with their pinyin, and unique mainland phone numbers.

Name tables are data, not UI: they are never translated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (family name, pinyin, weight ≈ share in ‰ of the population)
# fmt: off
FAMILY_NAMES: list[tuple[str, str, float]] = [
    ("王", "Wang", 71), ("李", "Li", 70), ("张", "Zhang", 66), ("刘", "Liu", 54),
    ("陈", "Chen", 45), ("杨", "Yang", 31), ("黄", "Huang", 22), ("赵", "Zhao", 20),
    ("吴", "Wu", 20), ("周", "Zhou", 19), ("徐", "Xu", 13), ("孙", "Sun", 12),
    ("马", "Ma", 12), ("朱", "Zhu", 11), ("胡", "Hu", 10), ("郭", "Guo", 10),
    ("何", "He", 9), ("林", "Lin", 9), ("罗", "Luo", 9), ("高", "Gao", 9),
    ("郑", "Zheng", 7), ("梁", "Liang", 7), ("谢", "Xie", 6), ("宋", "Song", 5),
    ("唐", "Tang", 5), ("许", "Xu", 5), ("韩", "Han", 5), ("冯", "Feng", 5),
    ("邓", "Deng", 5), ("曹", "Cao", 5), ("彭", "Peng", 5), ("曾", "Zeng", 5),
    ("肖", "Xiao", 4), ("田", "Tian", 4), ("董", "Dong", 4), ("袁", "Yuan", 4),
    ("潘", "Pan", 4), ("蒋", "Jiang", 4), ("蔡", "Cai", 4), ("余", "Yu", 4),
    ("杜", "Du", 4), ("叶", "Ye", 4), ("程", "Cheng", 4), ("魏", "Wei", 4),
    ("苏", "Su", 4), ("吕", "Lyu", 3), ("丁", "Ding", 3), ("任", "Ren", 3),
    ("沈", "Shen", 3), ("姚", "Yao", 3), ("卢", "Lu", 3), ("钟", "Zhong", 3),
    ("欧阳", "Ouyang", 0.5), ("司马", "Sima", 0.1),
]
# fmt: on

# Given names by the era the person was born in, with pinyin.
# fmt: off
GIVEN_NAMES: dict[str, list[tuple[str, str]]] = {
    "elder": [
        ("建国", "Jianguo"), ("秀英", "Xiuying"), ("桂兰", "Guilan"), ("玉兰", "Yulan"),
        ("淑珍", "Shuzhen"), ("志强", "Zhiqiang"), ("国华", "Guohua"), ("建华", "Jianhua"),
        ("德明", "Deming"), ("凤英", "Fengying"), ("秀兰", "Xiulan"), ("桂英", "Guiying"),
        ("永红", "Yonghong"), ("文华", "Wenhua"), ("素芬", "Sufen"), ("长林", "Changlin"),
        ("福生", "Fusheng"), ("春梅", "Chunmei"), ("兰芳", "Lanfang"), ("振华", "Zhenhua"),
    ],
    "middle": [
        ("丽", "Li"), ("伟", "Wei"), ("静", "Jing"), ("敏", "Min"), ("军", "Jun"),
        ("勇", "Yong"), ("磊", "Lei"), ("艳", "Yan"), ("涛", "Tao"), ("明", "Ming"),
        ("超", "Chao"), ("娟", "Juan"), ("海燕", "Haiyan"), ("晓东", "Xiaodong"),
        ("红梅", "Hongmei"), ("丽华", "Lihua"), ("志刚", "Zhigang"), ("雪梅", "Xuemei"),
        ("建军", "Jianjun"), ("小红", "Xiaohong"), ("海涛", "Haitao"), ("丽娟", "Lijuan"),
    ],
    "young": [
        ("婷", "Ting"), ("浩", "Hao"), ("宇", "Yu"), ("欣怡", "Xinyi"), ("子轩", "Zixuan"),
        ("梓涵", "Zihan"), ("雨萱", "Yuxuan"), ("浩然", "Haoran"), ("思远", "Siyuan"),
        ("佳琪", "Jiaqi"), ("一鸣", "Yiming"), ("诗涵", "Shihan"), ("俊杰", "Junjie"),
        ("雨桐", "Yutong"), ("博文", "Bowen"), ("可馨", "Kexin"), ("晨", "Chen"), ("悦", "Yue"),
    ],
}
# fmt: on

# fmt: off
ENGLISH_NAMES = [
    "Lily", "Kevin", "Amy", "Jack", "Grace", "Leo", "Vivian", "Eric", "Cindy", "Tony",
    "Sherry", "David", "Coco", "Frank", "Echo", "Jason", "Wendy", "Michael",
]
# fmt: on

# A few foreign residents, who prefer English.
# fmt: off
FOREIGN_FIRST = [
    "Emily", "Lukas", "Sophie", "Daniel", "Anna", "James", "Yuki", "Marco", "Priya", "Oliver",
    "Hannah", "Mateo", "Chloe", "Noah", "Ingrid",
]
# fmt: on
# fmt: off
FOREIGN_LAST = [
    "Carter", "Becker", "Martin", "Kim", "Kowalska", "O'Brien", "Tanaka", "Rossi", "Sharma",
    "Smith", "Dubois", "Garcia", "Novak", "Jensen",
]
# fmt: on

# fmt: off
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "191", "198", "199",
]
# fmt: on

# Reserved names (RFC 2606): the demo mails replies and surveys, and must never reach a real
# mailbox, even on a server with KEPT_EMAIL_HOST set.
EMAIL_DOMAINS = ["qq.example", "163.example", "126.example", "sina.example", "outlook.example"]


@dataclass(frozen=True)
class PersonName:
    family: str
    given: str
    family_pinyin: str
    given_pinyin: str
    era: str

    @property
    def name(self) -> str:
        return self.family + self.given

    @property
    def pinyin(self) -> str:
        """Family name first, as written in China: "Wang Xiuying"."""
        return f"{self.family_pinyin} {self.given_pinyin}"


_FAMILY_WEIGHTS = [weight for _name, _pinyin, weight in FAMILY_NAMES]


def person_name(rng: random.Random, era: str | None = None) -> PersonName:
    era = era or rng.choices(["elder", "middle", "young"], weights=[25, 50, 25])[0]
    family, family_pinyin, _weight = rng.choices(FAMILY_NAMES, weights=_FAMILY_WEIGHTS)[0]
    given, given_pinyin = rng.choice(GIVEN_NAMES[era])
    return PersonName(family, given, family_pinyin, given_pinyin, era)


def relative_name(
    rng: random.Random, person: PersonName, era: str, same_family: bool
) -> PersonName:
    """A family member: a child keeps the family name, a spouse or helper has their own."""
    other = person_name(rng, era)
    if not same_family:
        return other
    return PersonName(person.family, other.given, person.family_pinyin, other.given_pinyin, era)


def foreign_name(rng: random.Random) -> str:
    return f"{rng.choice(FOREIGN_FIRST)} {rng.choice(FOREIGN_LAST)}"


def alias_for(rng: random.Random, person: PersonName) -> str:
    """An other name for some people: pinyin, or an English name for the younger ones."""
    roll = rng.random()
    if roll < 0.22:
        return person.pinyin
    if roll < 0.32 and person.era != "elder":
        return f"{rng.choice(ENGLISH_NAMES)} {person.family_pinyin}"
    return ""


def email_for(rng: random.Random, person: PersonName) -> str:
    local = (person.family_pinyin + person.given_pinyin).lower()
    return f"{local}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}"


class PhoneBook:
    """Hands out unique numbers: 11-digit mainland mobiles and 028 (Chengdu) landlines."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        while True:
            number = make()
            if number not in self.used:
                self.used.add(number)
                return number

    def mobile(self) -> str:
        return self._unique(
            lambda: self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
        )

    def landline(self) -> str:
        return self._unique(lambda: f"028-{self.rng.choice('868')}{self.rng.randrange(10**7):07d}")
