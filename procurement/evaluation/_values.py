"""Reading and showing the evaluation's values: Decimals never from float, step tables, prices for the reasons."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext

from common.errors import ValidationFailed
from common.money import DEFAULT_MAX_DIGITS
from common.numbers import parse_decimal, parse_int
from common.templatetags.display import format_percent


def _to_decimal(value: Any, name: str) -> Decimal:
    """Read a Decimal from a Decimal, an int or a string (as stored by ``to_dict``); never from float."""
    if isinstance(value, bool | float):
        raise TypeError(f"{name} 须为 Decimal、整数或字符串，不能为 {type(value).__name__}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:  # plain ASCII decimals only (common.numbers): no Unicode digits, no exponents
            result = parse_decimal(value, field=None, label=name, max_digits=DEFAULT_MAX_DIGITS)
        except ValidationFailed as exc:
            raise ValueError(exc.message) from None
    else:
        raise TypeError(f"{name} 须为 Decimal、整数或字符串，不能为 {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(gettext("%(name)s“%(value)s”不是有效的数字") % {"name": name, "value": value})
    return result


def _to_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} 须为整数，不能为 {type(value).__name__}")
    return value


def _to_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} 须为 true/false，不能为 {type(value).__name__}")
    return value


def _table(raw: Any, name: str, read_value: Callable[[Any], Any]) -> tuple[tuple[int, Any], ...]:
    """Normalise a step table given as pairs ``(from_count, value)`` or a mapping ``{from_count: value}``.

    The entry with the largest ``from_count`` not above a count applies; the first entry must start at 1
    so that every positive count is covered.
    """
    pairs = raw.items() if isinstance(raw, Mapping) else raw
    try:
        rows = [
            (
                _to_int(parse_int(k, field=None, label=name) if isinstance(k, str) else k, f"{name} 的起始数"),
                read_value(v),
            )
            for k, v in pairs
        ]
    except (TypeError, ValueError, ValidationFailed) as exc:
        raise ValueError(gettext("%(name)s 格式有误：%(exc)s") % {"name": name, "exc": exc}) from None
    rows.sort(key=lambda row: row[0])
    if not rows:
        raise ValueError(gettext("%(name)s 不能为空") % {"name": name})
    if rows[0][0] != 1:
        raise ValueError(gettext("%(name)s 的第一行须从 1 开始") % {"name": name})
    if len({k for k, _ in rows}) != len(rows):
        raise ValueError(gettext("%(name)s 的起始数不能重复") % {"name": name})
    return tuple(rows)


def _lookup(table: tuple[tuple[int, Any], ...], count: int) -> Any:
    keys = [k for k, _ in table]
    return table[bisect_right(keys, count) - 1][1]


def _positive_int(value: Any, name: str) -> int:
    value = _to_int(value, name)
    if value < 1:
        raise ValueError(gettext("%(name)s 须至少为 1") % {"name": name})
    return value


def _share(value: Any) -> Decimal:
    share = _to_decimal(value, "约定采购比例")
    if not Decimal(0) < share <= Decimal(1):
        raise ValueError(gettext("约定采购比例 %(share)s 须大于 0 且不超过 1") % {"share": share})
    return share


def _fmt(value: Decimal) -> str:
    """A price for people: 4 places, or every digit when more (thresholds are exact, never rounded)."""
    value = value.normalize()
    if value.as_tuple().exponent >= -4:  # type: ignore[operator]
        return format(value.quantize(Decimal("0.0001")), "f")
    return format(value, "f")


def _fmt_plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


@lru_cache(maxsize=4096)  # equal Decimals give the same text (normalised first); a lot's lines recur in every reason
def _money(value: Decimal) -> str:
    """A price in a reason: ¥ and thousands separators, 4 places or every digit when more (`_fmt`)."""
    whole, _, fraction = _fmt(abs(value)).partition(".")
    return f"{'-' if value < 0 else ''}¥{int(whole):,}" + (f".{fraction}" if fraction else "")


def _percent(rate: Decimal) -> str:
    """A rate kept as a fraction, in a reason: 0.4523 → 45.23 % (common.templatetags.display)."""
    return format_percent(rate)


def _opt_decimal(value: Any, name: str) -> Decimal | None:
    return None if value is None else _to_decimal(value, name)


def _opt_str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
