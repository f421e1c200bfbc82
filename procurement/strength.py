"""Strengths and the 差比价 (price-difference ratio) rule that makes bids on different strengths comparable.

A lot names a reference strength (e.g. 20 mg). A bid on a 10 mg tablet is converted to the price a 20 mg tablet
would have under the rule "doubling the strength multiplies the price by 1.7" (the national 含量差比价 rule):

    comparison price = unit price × ratio ^ log2(reference strength / product strength)
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

from django.utils.translation import gettext as _

from common.money import quantize_unit_price

_UNITS = {
    "g": Decimal(1000),
    "mg": Decimal(1),
    "μg": Decimal("0.001"),
    "ug": Decimal("0.001"),
    "mcg": Decimal("0.001"),
    "ml": Decimal(1),
    "iu": Decimal(1),
    "u": Decimal(1),
    "单位": Decimal(1),
    "万单位": Decimal(10000),
    "万iu": Decimal(10000),
}
_MASS = {"g", "mg", "μg", "ug", "mcg"}
_PATTERN = re.compile(r"(\d+(?:\.\d+)?)\s*(万单位|万iu|单位|mcg|μg|ug|mg|g|ml|iu|u)", re.IGNORECASE)


def parse_strength(specification: str) -> tuple[Decimal, str] | None:
    """The first strength in a specification, in mg (mass), ml or units; None when there is none.

    "0.25g" → (250, "mg"); "10mg" → (10, "mg"); "3ml:300单位" → (300, "单位") — for a solution the active
    content, not the volume, is the strength, so a unit amount after a colon wins over the volume.
    """
    text = (specification or "").replace("（", "(").replace("）", ")")
    matches = _PATTERN.findall(text)
    if not matches:
        return None
    if ":" in text or "：" in text:
        after = _PATTERN.findall(re.split(r"[:：]", text, maxsplit=1)[1])
        if after:
            matches = after
    value, unit = matches[0]
    unit = unit.lower()
    kind = "mg" if unit in _MASS else ("单位" if unit in ("单位", "万单位", "iu", "u", "万iu") else "ml")
    return Decimal(value) * _UNITS[unit], kind


def strength_factor(*, product_strength: Decimal, reference_strength: Decimal, ratio: Decimal) -> Decimal:
    if product_strength <= 0 or reference_strength <= 0:
        raise ValueError(_("含量必须大于零"))
    if product_strength == reference_strength:
        return Decimal(1)
    with localcontext() as ctx:
        ctx.prec = 28
        exponent = (reference_strength / product_strength).ln() / Decimal(2).ln()
        return (ratio.ln() * exponent).exp().quantize(Decimal("0.000001"))


def comparison_unit_price(unit_price: Decimal, factor: Decimal) -> Decimal:
    return quantize_unit_price(unit_price * factor)
