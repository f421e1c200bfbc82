"""How every page shows money, quantities and dates: one filter each, used by all templates.

{{ order.total_amount|money }}            ¥1,234.56      (amounts, 2 places, ROUND_HALF_UP)
{{ line.unit_price|money:4 }}             ¥0.1234        (unit prices per minimum unit)
{{ rules.discount_from_max|percent }}     50.00 %        (a rate kept as a fraction: 0.4523 → 45.23 %)
{{ line.packs|qty:product.pack_unit }}    1,200 盒
{{ day|ymd }}                             2026-03-01
{{ due_on|due_in }}                       剩余 3 天 / 今天到期 / 逾期 31 天
{{ org.name|zh }}                         <span lang="zh">…</span>  (data people typed or that names things)
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from common.dosage_forms import dosage_form_label
from common.markup import mark_data
from common.messages import is_message, render
from common.units import unit_label

register = template.Library()
register.filter("zh", mark_data)
register.filter(
    "unit", unit_label
)  # {{ product.min_unit|unit }}: the unit in the reader's language (common.units)  # common.markup: names and typed data keep their language in English pages

EMPTY = "—"


@register.filter
def form(value):
    """{{ product.dosage_form|form }}: a dosage form in the reader's language; one not known, as stored (marked)."""
    label = dosage_form_label(value)
    return mark_data(value) if label is None else label


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def format_money(value, places: int = 2) -> str:
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    places = int(places)
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.{places}f}"


def format_percent(value, places: int = 2) -> str:
    """A rate kept as a fraction (0.4523) in words: 45.23 % (ROUND_HALF_UP, thousands separated)."""
    rate = _decimal(value)
    if rate is None:
        return EMPTY
    places = int(places)
    percent = (rate * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{percent:,.{places}f} %"


def format_quantity(value, unit: str = "") -> str:
    number = _decimal(value)
    if number is None:
        return EMPTY
    text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number.normalize():,f}"
    count = int(number) if number == number.to_integral_value() else 2
    return f"{text} {unit_label(unit, count)}".strip() if unit else text


@register.filter
def money(value, places=2) -> str:
    """¥1,234.56 — the one way an amount of money is shown."""
    return format_money(value, places)


@register.filter
def percent(value, places=2) -> str:
    """45.23 % — a rate kept as a fraction, the one way a rate is shown."""
    return format_percent(value, places)


@register.filter
def message(value) -> str:
    """A stored message ({"text", "params"}, common.messages) in the reader's language; a plain text as it is."""
    return render(value, "") if is_message(value) else str(value)


@register.filter
def qty(value, unit="") -> str:
    """1,200 盒 — a quantity with thousands separators and its unit."""
    return format_quantity(value, unit)


@register.filter
def ymd(value) -> str:
    if value in (None, ""):
        return EMPTY
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


@register.filter
def due_in(value, today=None) -> str:
    """A deadline as people say it: 剩余 3 天, 今天到期, 逾期 31 天 (never "剩余 -31 天")."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    days = (value - (today or timezone.localdate())).days
    if days < 0:
        return ngettext("逾期 %(n)s 天", "逾期 %(n)s 天", -days) % {"n": -days}
    if days == 0:
        return gettext("今天到期")
    return ngettext("剩余 %(n)s 天", "剩余 %(n)s 天", days) % {"n": days}
