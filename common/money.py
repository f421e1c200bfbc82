"""Money is Decimal: yuan amounts with 2 places, unit prices per minimum unit with 4.

One rounding rule everywhere: ROUND_HALF_UP (四舍五入), as the fund's statements use.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .numbers import parse_decimal

AMOUNT_PLACES = Decimal("0.01")
UNIT_PRICE_PLACES = Decimal("0.0001")


# Without a column of its own, a number has at most this many digits before the point (an amount column's 14, with
# room for sums): `quantize` then always succeeds.
DEFAULT_MAX_DIGITS = 16


def to_decimal(value, *, field: str = "金额", label=None, column=None, form: bool = False) -> Decimal:
    """Parse a user-supplied number into a Decimal, never through float: common.numbers.parse_decimal's rules (plain
    ASCII decimals; in forms full-width digits folded and thousands separators in their places), bounded by the
    digits before the point of the column it is written to (`column=`, a DecimalField) or by DEFAULT_MAX_DIGITS digits before the point."""
    # Only the digits before the point are checked against the column here: the callers refuse excess places with
    # their own rule (a price's 4, an amount's 2) or round them.
    whole = DEFAULT_MAX_DIGITS if column is None else column.max_digits - column.decimal_places
    return parse_decimal(value, field=field, label=label, max_digits=whole, form=form)


def quantize_amount(value: Decimal) -> Decimal:
    return Decimal(value).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP)


def quantize_unit_price(value: Decimal) -> Decimal:
    return Decimal(value).quantize(UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)
