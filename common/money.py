"""Money is Decimal: yuan amounts with 2 places, unit prices per minimum unit with 4.

One rounding rule everywhere: ROUND_HALF_UP (四舍五入), as the fund's statements use.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

AMOUNT_PLACES = Decimal("0.01")
UNIT_PRICE_PLACES = Decimal("0.0001")


def to_decimal(value, *, field: str = "金额") -> Decimal:
    """Parse a user-supplied number into a Decimal, never through float."""
    from .errors import ValidationFailed

    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, float):
        raise ValidationFailed(_("%(field)s不能以浮点数传入，请使用字符串或 Decimal") % {"field": field}, field=field)
    else:
        try:
            result = Decimal(str(value).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            raise ValidationFailed(_("%(field)s“%(value)s”不是有效的数字") % {"field": field, "value": value}, field=field) from None
    if not result.is_finite():
        raise ValidationFailed(_("%(field)s“%(value)s”不是有效的数字") % {"field": field, "value": value}, field=field)
    return result


def quantize_amount(value: Decimal) -> Decimal:
    return Decimal(value).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP)


def quantize_unit_price(value: Decimal) -> Decimal:
    return Decimal(value).quantize(UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)
