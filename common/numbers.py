"""The one parser for numbers people and systems send: integers, ids, quantities and money.

Every API field, query filter, header, form and page that reads a number goes through `parse_int` or
`parse_decimal` (directly, or through the DRF fields of `common.serializers`, the filters of `common.filters` and the
form fields of `common.forms`). The rules (docs/security.md):

- Text is ASCII digits only: an optional sign, digits, for a decimal an optional point and digits. Arabic-Indic
  (١٢), superscript (²), full-width (１２) and other Unicode digits are refused, not converted — Python's `int()` and
  `Decimal()` would convert some and crash on others. No exponents (1e400), no thousands separators, no spaces inside.
- Pages (`form=True`) first fold what Chinese input methods type — full-width digits, point, comma, signs and the
  ideographic space (１２３．５) — to ASCII, then parse just as strictly; there, thousands separators are accepted in
  their proper places only (1,234.50, never 0,02 or 12,34).
- Every value is checked against the column it is written to or compared with (`column=` a model field, or explicit
  bounds): a 32-bit integer column takes at most 2,147,483,647, a DecimalField(max_digits=16, decimal_places=2) at
  most 14 digits before the point and 2 after. Without a column, an integer is bounded by a 64-bit column (ids).
- A bad value raises `ValidationFailed` naming the field (400); nothing reaches the database or `quantize`.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal

from django.db import connection
from django.db.models import Field
from django.utils.translation import gettext as _

from .errors import CommonError, ValidationFailed

# Longer text is refused before any regex or conversion (a 5,000-digit number costs nothing to refuse).
MAX_NUMBER_TEXT = 64
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1

# Precision for checking places: enough for any number `MAX_NUMBER_TEXT` lets through, whatever the context.
_WIDE = Context(prec=4 * MAX_NUMBER_TEXT)

_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
# forms only: groups of three digits after the first group of one to three
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")

# What Chinese input methods type in full-width mode: digits, point, comma, signs, the ideographic space.
_FULLWIDTH = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "．": ".", "，": ",", "－": "-", "＋": "+", "\u3000": " "}
)


def fold_fullwidth(text: str) -> str:
    """Full-width digits and number punctuation as ASCII; every other character unchanged (never NFKC, which would
    turn ² into 2)."""
    return text.translate(_FULLWIDTH)


def integer_range(column: Field) -> tuple[int, int]:
    """The values an integer column holds: its type's range on the database (a relation: its target's), narrowed by
    the column's own MinValue/MaxValue validators."""
    target = column.target_field if column.is_relation else column
    low, high = connection.ops.integer_field_range(target.get_internal_type())
    low = BIGINT_MIN if low is None else low
    high = BIGINT_MAX if high is None else high
    for validator in column.validators:
        kind = type(validator).__name__
        if kind == "MinValueValidator" and isinstance(validator.limit_value, int):
            low = max(low, validator.limit_value)
        elif kind == "MaxValueValidator" and isinstance(validator.limit_value, int):
            high = min(high, validator.limit_value)
    return low, high


def _fail(message: str, field: str | None, code: CommonError):
    raise ValidationFailed(message, field=field, code=code)


def _label(field: str | None, label) -> str:
    """What the message calls the value: its label; a field's code name (`amount`, `lines[2].packs`) is for the
    `field` of the error, never for people, who read a neutral word instead."""
    if label:
        return str(label)
    if field and not field.isascii():
        return field
    return str(_("数值"))


def _text(value, *, field, label, form: bool) -> str:
    text = value.strip()
    if form:
        text = fold_fullwidth(text).strip()
    if not text:
        _fail(_("请填写%(label)s") % {"label": _label(field, label)}, field, CommonError.REQUIRED)
    if len(text) > MAX_NUMBER_TEXT:
        _fail(
            _("%(label)s过长（最多 %(limit)s 个字符）") % {"label": _label(field, label), "limit": MAX_NUMBER_TEXT},
            field,
            CommonError.OUT_OF_RANGE,
        )
    return text


def _not_a_number(value, *, field, label, whole: bool):
    shown = value if isinstance(value, str) and len(value) <= MAX_NUMBER_TEXT else type(value).__name__
    message = (
        _("%(label)s“%(value)s”不是整数（只接受半角数字 0-9）")
        if whole
        else _("%(label)s“%(value)s”不是有效的数字（只接受半角数字 0-9 和小数点，不接受科学计数法和千位分隔符）")
    )
    _fail(message % {"label": _label(field, label), "value": shown}, field, CommonError.INVALID_NUMBER)


def _check_range(number, low, high, *, field, label):
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            message = _("%(label)s超出允许范围（%(low)s 至 %(high)s）")
        elif low is not None:
            message = _("%(label)s不能小于 %(low)s")
        else:
            message = _("%(label)s不能大于 %(high)s")
        _fail(message % {"label": _label(field, label), "low": low, "high": high}, field, CommonError.OUT_OF_RANGE)


def parse_int(
    value,
    *,
    field: str | None,
    label=None,
    column: Field | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
    form: bool = False,
) -> int:
    """A whole number from an int, an integral Decimal (a JSON number) or ASCII text, within the column's range and
    min_value..max_value. Refuses bools, floats, fractions and everything `_INT` does not match."""
    low, high = integer_range(column) if column is not None else (BIGINT_MIN, BIGINT_MAX)
    if min_value is not None:
        low = max(low, min_value)
    if max_value is not None:
        high = min(high, max_value)
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        _not_a_number(value, field=field, label=label, whole=True)
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            _not_a_number(str(value), field=field, label=label, whole=True)
        _check_range(value, low, high, field=field, label=label)  # compared as a Decimal: 1E+999999 is never built
        return int(value)
    if isinstance(value, str):
        text = _text(value, field=field, label=label, form=form)
        if form and _GROUPED.fullmatch(text) and "." not in text:
            text = text.replace(",", "")
        if not _INT.fullmatch(text):
            _not_a_number(value, field=field, label=label, whole=True)
        value = int(text)
    _check_range(value, low, high, field=field, label=label)
    return value


def parse_id(value, *, field: str | None, label=None, column: Field | None = None, form: bool = False) -> int:
    """An object id: a positive integer an id column can hold (a bigint unless `column` says otherwise)."""
    return parse_int(value, field=field, label=label, column=column, min_value=1, form=form)


def decimal_bounds(column: Field) -> tuple[int, int]:
    """(digits before the point, digits after) a DecimalField holds."""
    return column.max_digits - column.decimal_places, column.decimal_places


def parse_decimal(
    value,
    *,
    field: str | None,
    label=None,
    column: Field | None = None,
    max_digits: int | None = None,
    decimal_places: int | None = None,
    form: bool = False,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
) -> Decimal:
    """A plain decimal from a Decimal, an int or ASCII text ("12", "-0.5", "1234.50"; in forms also "1,234.50"),
    with at most as many digits before and after the point as the column (or max_digits/decimal_places) holds.
    Floats are refused: money never passes through binary floating point."""
    if column is not None:
        max_digits, decimal_places = column.max_digits, column.decimal_places
    number = _as_decimal(value, field=field, label=label, form=form)
    number = _within_digits(number, value, max_digits, decimal_places, field=field, label=label)
    _check_range(number, min_value, max_value, field=field, label=label)
    return number


def _as_decimal(value, *, field, label, form: bool) -> Decimal:
    """The Decimal that `value` (a Decimal, an int or ASCII text) writes; anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        if isinstance(value, float):
            _fail(
                _("%(label)s不能以浮点数传入，请使用字符串或 Decimal") % {"label": _label(field, label)},
                field,
                CommonError.INVALID_NUMBER,
            )
        _not_a_number(value, field=field, label=label, whole=False)
    if isinstance(value, str):
        text = _text(value, field=field, label=label, form=form)
        if form and _GROUPED.fullmatch(text):
            text = text.replace(",", "")
        if not _DECIMAL.fullmatch(text):
            _not_a_number(value, field=field, label=label, whole=False)
        return Decimal(text)
    if isinstance(value, int):
        if abs(value) >= 10**MAX_NUMBER_TEXT:
            _not_a_number(str(value)[:MAX_NUMBER_TEXT], field=field, label=label, whole=False)
        return Decimal(value)
    if not value.is_finite():
        _not_a_number(str(value), field=field, label=label, whole=False)
    return value


def _within_digits(number: Decimal, value, max_digits, decimal_places, *, field, label) -> Decimal:
    """`number` with no more whole digits and places than the column holds (trailing zeros beyond its places are
    dropped: "12.500" for 2 places is 12.50)."""
    _sign, digits, exponent = number.as_tuple()
    places = max(-exponent, 0)
    whole_digits = len(digits) + exponent if number else 0  # 0.05 → 0, 120 → 3, 1E+3 → 4
    limit = MAX_NUMBER_TEXT if max_digits is None else max_digits - (decimal_places or 0)
    if whole_digits > limit:
        _fail(
            _("%(label)s超出允许范围（整数部分最多 %(limit)s 位）") % {"label": _label(field, label), "limit": limit},
            field,
            CommonError.OUT_OF_RANGE,
        )
    if decimal_places is None or places <= decimal_places:
        return number
    trimmed = number.quantize(Decimal(1).scaleb(-decimal_places), context=_WIDE)
    if trimmed != number:
        _fail(
            _("%(label)s最多 %(places)s 位小数（收到 %(value)s）")
            % {"label": _label(field, label), "places": decimal_places, "value": value},
            field,
            CommonError.TOO_MANY_DECIMALS,
        )
    return trimmed


def param_id(params, name: str, *, label=None, form: bool = False, column: Field | None = None) -> int | None:
    """The id in query parameter (or form value) `name`: None when absent or blank, else parsed by `parse_id` —
    `?hospital=²` is a 400 naming `hospital`, never a crash nor a silently ignored filter. Pages pass form=True."""
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_id(value, field=name, label=label or name, column=column, form=form)


def param_ids(params, name: str, *, form: bool = False) -> list[int]:
    """Every id of a repeated query parameter or form field (`getlist`), each parsed by `parse_id`."""
    return [parse_id(value, field=name, label=name, form=form) for value in params.getlist(name) if value.strip()]
