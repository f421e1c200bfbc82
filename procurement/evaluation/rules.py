"""A tender's selection and allocation rules (SelectionRules), the winners allowed per lot, the comparison price."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from common import rules as platform_rules
from common.money import quantize_unit_price

from ._values import _lookup, _positive_int, _share, _table, _to_bool, _to_decimal

#: Example of a sliding scale in the style of the national batches, where the number of winners grows
#: with the number of valid bidders (1 → 1, 2–3 → 2, 4 → 3, 5–6 → 4, 7 → 5, 8 → 6, 9 → 7, 10 → 8,
#: 11 → 9, 12+ → 10). Illustrative only: copy the table of the tender's own document into its rules.
EXAMPLE_SLIDING_MAX_WINNERS_TABLE: tuple[tuple[int, int], ...] = (
    (1, 1),
    (2, 2),
    (4, 3),
    (5, 4),
    (7, 5),
    (8, 6),
    (9, 7),
    (10, 8),
    (11, 9),
    (12, 10),
)


def _default(name: str):
    """A field whose default is read from the platform's rules (common.rules.selection_defaults) when a
    ``SelectionRules`` is made, so settings (and a test's override_settings) apply to new tenders."""
    return field(default_factory=lambda: getattr(platform_rules.selection_defaults(), name))


@dataclass(frozen=True)
class SelectionRules:
    """A tender's selection and allocation rules; the defaults come from ``common.rules.selection_defaults()``
    (the 7th national batch's, docs/rules.md); a tender's stored rules override them key by key.

    * ``ratio_to_lowest`` — eligible if price ≤ this × the lowest valid price of the lot (1.8).
    * ``discount_from_max`` — eligible if price ≤ max valid price × (1 − this) (0.50, i.e. "≥ 50% below").
    * ``floor_price`` — eligible if price ≤ this, in yuan per minimum unit (0.1000).
    * ``exclude_highest`` — the highest price among the eligible bids may not win (see ``evaluate_lot``).
    * ``max_winners_table`` — pairs ``(min_valid_bidders, max_winners)``; the row with the largest
      ``min_valid_bidders`` not above the number of valid bidders applies. Default: any → 10.
      ``EXAMPLE_SLIDING_MAX_WINNERS_TABLE`` shows a national-style sliding scale.
    * ``max_winners_cap`` — absolute cap applied on top of the table (10).
    * ``agreed_share_table`` — pairs ``(min_winners, share)``; default 1 → 0.50, 2 → 0.60, 3 → 0.70, 4+ → 0.80.
    * ``respect_supply_capacity`` — in the region picks, a winner whose allocated volume has reached its
      declared supply capacity is skipped (see ``pick_regions``).

    Tables are stored as tuples of pairs (hashable, frozen); lists or mappings are accepted and normalised.
    """

    ratio_to_lowest: Decimal = _default("ratio_to_lowest")
    discount_from_max: Decimal = _default("discount_from_max")
    floor_price: Decimal = _default("floor_price")
    exclude_highest: bool = True
    max_winners_table: tuple[tuple[int, int], ...] = _default("max_winners_table")
    max_winners_cap: int = 10
    agreed_share_table: tuple[tuple[int, Decimal], ...] = _default("agreed_share_table")
    respect_supply_capacity: bool = True

    def __post_init__(self) -> None:
        ratio = _to_decimal(self.ratio_to_lowest, "ratio_to_lowest")
        if ratio < 1:
            raise ValueError(gettext("ratio_to_lowest（最低价倍数）%(ratio)s 不能小于 1") % {"ratio": ratio})
        discount = _to_decimal(self.discount_from_max, "discount_from_max")
        if not Decimal(0) <= discount < Decimal(1):
            raise ValueError(
                gettext("discount_from_max（低于最高有效申报价的幅度）%(discount)s 须在 0 与 1 之间")
                % {"discount": discount}
            )
        floor = _to_decimal(self.floor_price, "floor_price")
        if floor < 0:
            raise ValueError(gettext("floor_price（单位可比价下限）%(floor)s 不能为负") % {"floor": floor})
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "ratio_to_lowest", ratio)
        set_(self, "discount_from_max", discount)
        set_(self, "floor_price", floor)
        set_(self, "exclude_highest", _to_bool(self.exclude_highest, "exclude_highest"))
        set_(self, "max_winners_cap", _positive_int(self.max_winners_cap, "max_winners_cap"))
        set_(
            self,
            "max_winners_table",
            _table(self.max_winners_table, "max_winners_table", lambda v: _positive_int(v, "最多中选数")),
        )
        set_(self, "agreed_share_table", _table(self.agreed_share_table, "agreed_share_table", _share))
        set_(self, "respect_supply_capacity", _to_bool(self.respect_supply_capacity, "respect_supply_capacity"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ratio_to_lowest": str(self.ratio_to_lowest),
            "discount_from_max": str(self.discount_from_max),
            "floor_price": str(self.floor_price),
            "exclude_highest": self.exclude_highest,
            "max_winners_table": [[k, v] for k, v in self.max_winners_table],
            "max_winners_cap": self.max_winners_cap,
            "agreed_share_table": [[k, str(v)] for k, v in self.agreed_share_table],
            "respect_supply_capacity": self.respect_supply_capacity,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SelectionRules:
        """Read stored rules; a missing key takes its default (rules stored before it existed still load)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(gettext("未知的评审规则项：%(items)s") % {"items": ", ".join(unknown)})
        return cls(**dict(data))


def default_rules() -> SelectionRules:
    """The rules a new tender starts from (read from settings now, not at import)."""
    return SelectionRules()


def max_winners(rules: SelectionRules, valid_bidders: int) -> int:
    """Most winners allowed in a lot with ``valid_bidders`` valid bidders: table value, capped."""
    if valid_bidders < 1:
        return 0
    return min(_lookup(rules.max_winners_table, valid_bidders), rules.max_winners_cap)


def comparison_price(unit_price: Decimal, factor: Decimal) -> Decimal:
    """单位可比价: a product's price per its own minimum unit, converted to the lot's reference.

    ``factor`` converts one minimum unit of the bid product (its strength and pack) into the lot's
    reference strength by the 差比价 rules: comparison price = unit price × factor, quantized to
    4 places ROUND_HALF_UP. E.g. a 10 mg tablet in a lot whose reference is 20 mg, where the 含量差比
    rule prices a double strength at 1.7×, has factor 1.7; a 40 mg tablet in the same lot has 1/1.7.
    A product of the reference strength has factor 1.
    """
    price = _to_decimal(unit_price, "unit_price")
    factor = _to_decimal(factor, "factor")
    if factor <= 0:
        raise ValueError(gettext("差比价系数 %(factor)s 须大于 0") % {"factor": factor})
    return quantize_unit_price(price * factor)
