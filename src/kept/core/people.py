"""How a person of the team is named on a page: their full name in their own language's
order, else their username."""

from __future__ import annotations

import re

# CJK ideographs (and the compatibility block): a Chinese name reads family name first,
# with no space (陈建华), where a Western one reads given name first (Anna Kim).
_IDEOGRAPH = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def person_name(user) -> str:
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if _IDEOGRAPH.search(first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip() or user.get_username()
