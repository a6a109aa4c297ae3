"""How one spreadsheet cell becomes a Python value on import, and back on export.

Every ``clean`` raises ``ValueError`` with a plain, translated sentence about the
value; the engine places it beside the row and column. A blank cell cleans to
``None`` so the field's default applies (or, for text, to "").

``render`` gives text for CSV; with ``force_native_type`` (XLSX) it gives numbers,
dates and booleans that Excel shows as such.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets
from openpyxl.utils.datetime import from_excel

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})([:：](\d{2}))?$")
_LIST_SEPARATORS = re.compile(r"[,，;；、/\s]+")
# Excel stores dates as day numbers; five digits cover 1927-05-18 to 2173-10-14.
_EXCEL_DAY_NUMBER = re.compile(r"^\d{5}$")
# A cell starting like this is a formula to Excel; +/- only when not simply a number or phone.
_FORMULA_START = re.compile(r"^(?:[=@\t\r]|[+-](?![\d\s().,+-]*$))")
_ESCAPED_FORMULA = re.compile(r"^'(?=[=@\t\r+-])")
_TRUE = {"1", "true", "yes", "y", "t", "是", "对", "真", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "f", "否", "错", "假", "×", "✗"}


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
    """A cell as text; Excel turns codes like 1001 into numbers, this turns them back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def brief(value, limit: int = 40) -> str:
    """A cell's value for a message: long text is cut short."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_formula(text: str) -> str:
    """Put an apostrophe before text a spreadsheet would run as a formula (CSV export)."""
    return "'" + text if _FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    """Undo ``escape_formula``, so export → import gives back the same text."""
    return _ESCAPED_FORMULA.sub("", text, count=1)


def _normal(value) -> str:
    # NFKC turns full-width digits and punctuation typed with a Chinese IME into ASCII.
    return unicodedata.normalize("NFKC", as_text(value)).replace(" ", "")


def parse_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("'%(value)s' is not a number.") % {"value": brief(value)})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(_("'%(value)s' is not a number.") % {"value": brief(value)})
        # Excel keeps 15 significant digits; more would be binary noise (0.1 + 0.2).
        return Decimal(format(value, ".15g"))
    text = _normal(value)
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise ValueError(_("'%(value)s' is not a number.") % {"value": brief(value)})
    return Decimal(text)


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 2958466:
        return from_excel(value).date()
    text = unicodedata.normalize("NFKC", as_text(value))
    if _EXCEL_DAY_NUMBER.match(text):
        return from_excel(int(text)).date()
    match = _DATE.match(text) or _DATE_TIME.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(
        _("'%(value)s' is not a date; write it as YYYY-MM-DD, e.g. 2025-03-31.")
        % {"value": brief(value)}
    )


def parse_time(value) -> time:
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, float) and 0 <= value < 1:  # Excel keeps a time as a fraction of a day
        minutes = min(round(value * 24 * 60), 24 * 60 - 1)
        return time(minutes // 60, minutes % 60)
    match = _TIME.match(unicodedata.normalize("NFKC", as_text(value)))
    if match and int(match[1]) < 24 and int(match[2]) < 60 and int(match[4] or 0) < 60:
        return time(int(match[1]), int(match[2]), int(match[4] or 0))
    raise ValueError(
        _("'%(value)s' is not a time of day; write it as HH:MM, e.g. 09:30.")
        % {"value": brief(value)}
    )


class TextWidget(widgets.CharWidget):
    def hint(self) -> str:
        return _("text")

    def clean(self, value, row=None, **kwargs):
        return "" if is_blank(value) else unescape_formula(as_text(value))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DecimalWidget(widgets.NumberWidget):
    def hint(self) -> str:
        return _("a number, e.g. 12.50")

    def clean(self, value, row=None, **kwargs):
        return None if is_blank(value) else parse_decimal(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else format(value, "f")


class IntegerWidget(widgets.NumberWidget):
    def hint(self) -> str:
        return _("a whole number")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        number = parse_decimal(value)
        if number != number.to_integral_value():
            raise ValueError(_("'%(value)s' is not a whole number.") % {"value": brief(value)})
        try:
            return int(number)
        except (OverflowError, InvalidOperation) as error:
            raise ValueError(_("'%(value)s' is not a number.") % {"value": brief(value)}) from error

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else str(value)


class BooleanWidget(widgets.Widget):
    def hint(self) -> str:
        return _("yes or no (1 or 0)")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, bool):
            return value
        text = _normal(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(
            _("'%(value)s' is not yes or no; write yes or no.") % {"value": brief(value)}
        )

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type") or value is None:
            return value
        return "yes" if value else "no"


class DateWidget(widgets.Widget):
    def hint(self) -> str:
        return _("a date, YYYY-MM-DD")

    def clean(self, value, row=None, **kwargs):
        return None if is_blank(value) else parse_date(value)

    def render(self, value, obj=None, **kwargs):
        if value is None or kwargs.get("force_native_type"):
            return value
        return value.isoformat()


class DateTimeWidget(widgets.DateTimeWidget):
    """Export only (when a movement was recorded), in the business time zone."""

    def __init__(self):
        super().__init__(format="%Y-%m-%d %H:%M:%S")

    def hint(self) -> str:
        return _("date and time")


class TimeWidget(widgets.Widget):
    def hint(self) -> str:
        return _("a time of day, HH:MM")

    def clean(self, value, row=None, **kwargs):
        return None if is_blank(value) else parse_time(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.strftime("%H:%M")


class ChoiceWidget(widgets.Widget):
    """One of a TextChoices' values; the label in either language is accepted too."""

    def __init__(self, choices, allowed=None):
        super().__init__()
        self.values = [str(value) for value in (allowed or choices.values)]
        self.choices = choices
        self._known: dict[str, str] | None = None

    def hint(self) -> str:
        return _("one of: %(choices)s") % {"choices": ", ".join(self.values)}

    def _names(self) -> dict[str, str]:
        if self._known is None:
            self._known = {value.lower(): value for value in self.values}
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    for value in self.values:
                        self._known.setdefault(str(self.choices(value).label).lower(), value)
        return self._known

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        found = self._names().get(as_text(value).lower())
        if found is None:
            raise ValueError(
                _("'%(value)s' is not one of: %(choices)s.")
                % {"value": brief(value), "choices": ", ".join(self.values)}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class LookupWidget(widgets.ForeignKeyWidget):
    """A reference by a unique code (customer code, product SKU, group code…)."""

    def __init__(self, model, field):
        super().__init__(model, field)
        self._cache: dict[str, object] = {}

    def hint(self) -> str:
        meta = self.model._meta
        return _("the %(field)s of an existing %(thing)s") % {
            "field": meta.get_field(self.field).verbose_name,
            "thing": meta.verbose_name,
        }

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        key = as_text(value)
        if key not in self._cache:
            self._cache[key] = self.model._default_manager.filter(**{self.field: key}).first()
        if self._cache[key] is None:
            raise ValueError(self.unknown_message(key))
        return self._cache[key]

    def unknown_message(self, key: str) -> str:
        meta = self.model._meta
        return _("There is no %(thing)s with %(field)s '%(value)s'.") % {
            "thing": meta.verbose_name,
            "field": meta.get_field(self.field).verbose_name,
            "value": brief(key),
        }

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field))


class WeekdaysWidget(widgets.Widget):
    """Days as numbers 1 (Monday) to 7 (Sunday), e.g. "1,3,5"; day names work too."""

    def __init__(self, weekdays):
        super().__init__()
        self.weekdays = weekdays

    def hint(self) -> str:
        return _("days as numbers 1 (Monday) to 7 (Sunday), e.g. 1,3,5")

    def _day(self, word: str) -> int:
        if word.isdigit() and int(word) in self.weekdays.values:
            return int(word)
        for language in ("en", "zh-hans"):
            with translation.override(language):
                for day in self.weekdays:
                    if str(day.label).lower() == word.lower():
                        return day.value
        raise ValueError(
            _("'%(value)s' is not a weekday; use 1 (Monday) to 7 (Sunday).")
            % {"value": brief(word)}
        )

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return []
        text = unicodedata.normalize("NFKC", as_text(value))
        words = [word for word in _LIST_SEPARATORS.split(text) if word]
        return [self._day(word) for word in words]

    def render(self, value, obj=None, **kwargs):
        return ",".join(str(day) for day in value or [])


class NameListWidget(widgets.ManyToManyWidget):
    """Names separated by commas (tags). Missing names are created when allowed."""

    def __init__(self, model, field="name", *, create_missing=False):
        super().__init__(model, separator=",", field=field)
        self.create_missing = create_missing

    def hint(self) -> str:
        return _("names separated by commas")

    def names(self, value) -> list[str]:
        if is_blank(value):
            return []
        names = [name.strip() for name in re.split(r"[,，;；、]", as_text(value))]
        names = list(dict.fromkeys(name for name in names if name))
        limit = self.model._meta.get_field(self.field).max_length
        for name in names:
            if len(name) > limit:
                raise ValueError(
                    _("'%(value)s' is longer than %(limit)s characters.")
                    % {"value": brief(name), "limit": limit}
                )
        if not self.create_missing:
            self._check_known(names)
        return names

    def _check_known(self, names: list[str]) -> None:
        known = set(
            self.model._default_manager.filter(**{f"{self.field}__in": names}).values_list(
                self.field, flat=True
            )
        )
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(
                _("Unknown %(thing)s: %(names)s.")
                % {"thing": self.model._meta.verbose_name, "names": ", ".join(unknown)}
            )

    def clean(self, value, row=None, **kwargs):
        manager = self.model._default_manager
        return [manager.get_or_create(**{self.field: name})[0] for name in self.names(value)]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(sorted(str(getattr(item, self.field)) for item in value.all()))
