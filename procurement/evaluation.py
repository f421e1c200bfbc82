"""带量采购评审（开标后确定中选）与约定采购量分配 — pure functions, no ORM, no I/O.

Everything here takes and returns plain frozen dataclasses (Decimal, int, str, datetime), each with
``to_dict()`` / ``from_dict()``, so a service can store the inputs and the result side by side and an
official can later read, for every bid, why it was or was not selected.

Sources (DESIGN.md §10; the tender's own document may change any number, hence ``SelectionRules``):

* 7th national batch (第七批国家组织药品集采) selection rules:
  a valid bid may be selected (入围) if its unit comparison price (单位可比价) is
  ≤ 1.8 × the lowest unit comparison price of the lot, or ≥ 50% below the highest valid filing price
  (最高有效申报价), or ≤ ¥0.10 per unit; the highest price among the eligible bids may not win; at most
  10 winners per lot. Winners choose supply regions in rank order, lowest price first, one per round.
* Agreed volume (约定采购量): a share of the volume hospitals report, 50/60/70/80% by the number of
  winners in the earlier batches *(practice)*; a named brand that loses is supplied by the region's
  primary winner.

Prices are compared per minimum unit of the lot's reference strength; the caller converts each product's
price with its 差比价 factor first (see ``comparison_price``). Quantities are integers in minimum units.

Public API
----------
Selection: ``SelectionRules``, ``LotInput``, ``BidInput``, ``BidOutcome``, ``LotEvaluation``,
``comparison_price``, ``max_winners``, ``evaluate_lot``, ``evaluate_tender``.
Allocation: ``Winner``, ``Demand``, ``RegionPick``, ``Allocation``, ``agreed_share``, ``agreed_volume``,
``pick_regions``, ``allocate``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext

from common.errors import ValidationFailed
from common.money import DEFAULT_MAX_DIGITS, quantize_unit_price
from common.numbers import parse_decimal, parse_int

# ---------------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------------

#: Default: whatever the number of valid bidders, at most 10 winners (7th national batch).
DEFAULT_MAX_WINNERS_TABLE: tuple[tuple[int, int], ...] = ((1, 10),)

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

#: Agreed share of the reported volume by number of winners: 1 → 50%, 2 → 60%, 3 → 70%, 4+ → 80%
#: (earlier national batches, *practice*; the 11th batch uses generally 80%, lower with ≤ 3 winners).
DEFAULT_AGREED_SHARE_TABLE: tuple[tuple[int, Decimal], ...] = (
    (1, Decimal("0.50")),
    (2, Decimal("0.60")),
    (3, Decimal("0.70")),
    (4, Decimal("0.80")),
)


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


@dataclass(frozen=True)
class SelectionRules:
    """A tender's selection and allocation rules; the defaults are the 7th national batch's.

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

    ratio_to_lowest: Decimal = Decimal("1.8")
    discount_from_max: Decimal = Decimal("0.50")
    floor_price: Decimal = Decimal("0.1000")
    exclude_highest: bool = True
    max_winners_table: tuple[tuple[int, int], ...] = DEFAULT_MAX_WINNERS_TABLE
    max_winners_cap: int = 10
    agreed_share_table: tuple[tuple[int, Decimal], ...] = DEFAULT_AGREED_SHARE_TABLE
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


DEFAULT_RULES = SelectionRules()


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


# ---------------------------------------------------------------------------------------------------
# Selection: inputs and outputs
# ---------------------------------------------------------------------------------------------------


class OutcomeStatus(StrEnum):
    SELECTED = "selected"  # 中选
    NOT_SELECTED = "not_selected"  # 未中选
    INVALID = "invalid"  # 无效报价


class Criterion(StrEnum):
    """Which of the eligibility (入围) criteria a valid bid met."""

    RATIO_TO_LOWEST = "ratio_to_lowest"  # ≤ 1.8 × lowest
    DISCOUNT_FROM_MAX = "discount_from_max"  # ≤ max × (1 − 50%)
    FLOOR_PRICE = "floor_price"  # ≤ ¥0.10


INVALID_NOT_POSITIVE = "报价须大于零"
INVALID_ABOVE_MAX = "报价高于最高有效申报价"


def _fmt(value: Decimal) -> str:
    """A price for people: 4 places, or every digit when more (thresholds are exact, never rounded)."""
    value = value.normalize()
    if value.as_tuple().exponent >= -4:  # type: ignore[operator]
        return format(value.quantize(Decimal("0.0001")), "f")
    return format(value, "f")


def _fmt_plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _opt_decimal(value: Any, name: str) -> Decimal | None:
    return None if value is None else _to_decimal(value, name)


def _opt_str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class LotInput:
    """A lot (品种/采购组) as the evaluation sees it: its id and 最高有效申报价 per comparison unit."""

    lot_id: int
    max_price: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "lot_id", _to_int(self.lot_id, "lot_id"))
        max_price = _to_decimal(self.max_price, "max_price")
        if max_price <= 0:
            raise ValueError(
                gettext("品种 %(lot_id)s 的最高有效申报价 %(max_price)s 须大于 0")
                % {"lot_id": self.lot_id, "max_price": max_price}
            )
        object.__setattr__(self, "max_price", max_price)

    def to_dict(self) -> dict[str, Any]:
        return {"lot_id": self.lot_id, "max_price": str(self.max_price)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LotInput:
        return cls(lot_id=data["lot_id"], max_price=data["max_price"])


@dataclass(frozen=True)
class BidInput:
    """One sealed bid after opening.

    ``comparison_price`` is per minimum unit of the lot's reference strength (``comparison_price()``
    applied by the caller). ``supply_capacity`` is in minimum units for the cycle. ``submitted_at`` is an
    aware datetime. ``invalid_reason`` is set by the caller for what it checks before (product not in
    the lot, credit-barred, quality tier not met); such a bid stays invalid with that reason.
    """

    bid_id: int
    manufacturer_id: int
    product_id: int
    comparison_price: Decimal
    supply_capacity: int
    submitted_at: datetime
    invalid_reason: str | None = None

    def __post_init__(self) -> None:
        for name in ("bid_id", "manufacturer_id", "product_id", "supply_capacity"):
            _to_int(getattr(self, name), name)
        if self.supply_capacity < 0:
            raise ValueError(
                gettext("报价 %(bid_id)s 的供应能力 %(supply_capacity)s 不能为负")
                % {"bid_id": self.bid_id, "supply_capacity": self.supply_capacity}
            )
        object.__setattr__(self, "comparison_price", _to_decimal(self.comparison_price, "comparison_price"))
        if not isinstance(self.submitted_at, datetime) or self.submitted_at.utcoffset() is None:
            raise ValueError(gettext("报价 %(bid_id)s 的递交时间须为带时区的 datetime") % {"bid_id": self.bid_id})
        if self.invalid_reason is not None and not self.invalid_reason.strip():
            object.__setattr__(self, "invalid_reason", None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bid_id": self.bid_id,
            "manufacturer_id": self.manufacturer_id,
            "product_id": self.product_id,
            "comparison_price": str(self.comparison_price),
            "supply_capacity": self.supply_capacity,
            "submitted_at": self.submitted_at.isoformat(),
            "invalid_reason": self.invalid_reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BidInput:
        return cls(
            bid_id=data["bid_id"],
            manufacturer_id=data["manufacturer_id"],
            product_id=data["product_id"],
            comparison_price=data["comparison_price"],
            supply_capacity=data["supply_capacity"],
            submitted_at=datetime.fromisoformat(data["submitted_at"]),
            invalid_reason=data.get("invalid_reason"),
        )


@dataclass(frozen=True)
class BidOutcome:
    """What the evaluation decided for one bid, and why (``reasons``, in Chinese, in order of the rules).

    ``rank`` numbers every valid bid 1..m by the ranking rule (``None`` when invalid); ``winner_rank``
    numbers the selected bids 1..k (``None`` otherwise). ``criteria_met`` lists ``Criterion`` values.
    """

    bid_id: int
    manufacturer_id: int
    product_id: int
    comparison_price: Decimal
    supply_capacity: int
    status: OutcomeStatus
    invalid_reason: str | None
    eligible: bool
    criteria_met: tuple[Criterion, ...]
    rank: int | None
    winner_rank: int | None
    reasons: tuple[str, ...]

    @property
    def selected(self) -> bool:
        return self.status == OutcomeStatus.SELECTED

    def to_dict(self) -> dict[str, Any]:
        return {
            "bid_id": self.bid_id,
            "manufacturer_id": self.manufacturer_id,
            "product_id": self.product_id,
            "comparison_price": str(self.comparison_price),
            "supply_capacity": self.supply_capacity,
            "status": self.status._value_,  # plain attribute: `.value` is a slow descriptor on enums
            "invalid_reason": self.invalid_reason,
            "eligible": self.eligible,
            "criteria_met": [c._value_ for c in self.criteria_met],
            "rank": self.rank,
            "winner_rank": self.winner_rank,
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BidOutcome:
        return cls(
            bid_id=data["bid_id"],
            manufacturer_id=data["manufacturer_id"],
            product_id=data["product_id"],
            comparison_price=_to_decimal(data["comparison_price"], "comparison_price"),
            supply_capacity=data["supply_capacity"],
            status=OutcomeStatus(data["status"]),
            invalid_reason=data["invalid_reason"],
            eligible=data["eligible"],
            criteria_met=tuple(Criterion(c) for c in data["criteria_met"]),
            rank=data["rank"],
            winner_rank=data["winner_rank"],
            reasons=tuple(data["reasons"]),
        )


@dataclass(frozen=True)
class LotEvaluation:
    """The result for one lot: thresholds used, one ``BidOutcome`` per bid, winners in rank order.

    ``outcomes`` lists the valid bids in rank order, then the invalid ones in input order.
    ``ratio_threshold`` = lowest × ratio and ``discount_threshold`` = max × (1 − discount) are exact
    (not rounded). ``highest_excluded_price`` is the price excluded by the highest-price rule, if any.
    ``notes`` explain lot-level decisions in Chinese. ``rules`` are the rules applied, stored with it.
    """

    lot_id: int
    max_price: Decimal
    lowest_price: Decimal | None
    ratio_threshold: Decimal | None
    discount_threshold: Decimal
    floor_price: Decimal
    highest_excluded_price: Decimal | None
    valid_bidders: int
    max_winners: int
    winner_ids: tuple[int, ...]
    outcomes: tuple[BidOutcome, ...]
    notes: tuple[str, ...]
    rules: SelectionRules

    def outcome(self, bid_id: int) -> BidOutcome:
        for outcome in self.outcomes:
            if outcome.bid_id == bid_id:
                return outcome
        raise KeyError(bid_id)

    @property
    def winners(self) -> tuple[BidOutcome, ...]:
        """Selected bids in rank order (``winner_rank`` 1..k)."""
        by_id = {o.bid_id: o for o in self.outcomes}
        return tuple(by_id[bid_id] for bid_id in self.winner_ids)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lot_id": self.lot_id,
            "max_price": str(self.max_price),
            "lowest_price": _opt_str(self.lowest_price),
            "ratio_threshold": _opt_str(self.ratio_threshold),
            "discount_threshold": str(self.discount_threshold),
            "floor_price": str(self.floor_price),
            "highest_excluded_price": _opt_str(self.highest_excluded_price),
            "valid_bidders": self.valid_bidders,
            "max_winners": self.max_winners,
            "winner_ids": list(self.winner_ids),
            "outcomes": [o.to_dict() for o in self.outcomes],
            "notes": list(self.notes),
            "rules": self.rules.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LotEvaluation:
        return cls(
            lot_id=data["lot_id"],
            max_price=_to_decimal(data["max_price"], "max_price"),
            lowest_price=_opt_decimal(data["lowest_price"], "lowest_price"),
            ratio_threshold=_opt_decimal(data["ratio_threshold"], "ratio_threshold"),
            discount_threshold=_to_decimal(data["discount_threshold"], "discount_threshold"),
            floor_price=_to_decimal(data["floor_price"], "floor_price"),
            highest_excluded_price=_opt_decimal(data["highest_excluded_price"], "highest_excluded_price"),
            valid_bidders=data["valid_bidders"],
            max_winners=data["max_winners"],
            winner_ids=tuple(data["winner_ids"]),
            outcomes=tuple(BidOutcome.from_dict(o) for o in data["outcomes"]),
            notes=tuple(data["notes"]),
            rules=SelectionRules.from_dict(data["rules"]),
        )


# ---------------------------------------------------------------------------------------------------
# Selection: the rules
# ---------------------------------------------------------------------------------------------------


def _rank_key(bid: BidInput) -> tuple[Decimal, int, datetime, int]:
    """Ranking: lower comparison price first; on a tie, larger supply capacity, then earlier
    submission, then smaller bid id — a total order, so the result never depends on input order."""
    return (bid.comparison_price, -bid.supply_capacity, bid.submitted_at, bid.bid_id)


def evaluate_lot(lot: LotInput, bids: Sequence[BidInput], rules: SelectionRules = DEFAULT_RULES) -> LotEvaluation:
    """Evaluate one lot's bids after opening. Pure; O(n log n) in the number of bids.

    1. Validity. A bid is invalid with the caller's ``invalid_reason`` if given; the evaluation itself
       marks a comparison price ≤ 0 (“报价须大于零”) and a price above the lot's max valid price
       (“报价高于最高有效申报价”; equal to it is valid). Invalid bids take no further part: they do not
       set the lowest price and do not count as valid bidders.
    2. Eligibility (入围). With L the lowest valid price and M the max valid price, a valid bid is eligible
       if price ≤ ratio × L (1.8), or price ≤ M × (1 − discount) (≥ 50% below M), or price ≤ floor (¥0.10).
       Boundaries are inclusive and thresholds exact, so a price of exactly 1.8 × L is eligible and
       one 0.0001 above is not. Every criterion met is recorded.
    3. Highest price (``exclude_highest``). When more than one bid is eligible and their prices are not
       all equal, the highest eligible price may not win. If several bids share that highest price all
       of them are excluded — the reading of the national rule “入围企业中报价最高的不得中选” applied to
       each bid at that price. A single eligible bid, or eligible bids all at one price, lose nothing.
    4. Ranking and number of winners. Valid bids are ranked by ``_rank_key`` (price ascending; ties by
       larger supply capacity, earlier ``submitted_at``, smaller bid id). The remaining eligible bids
       are selected in rank order up to ``max_winners(rules, valid_bidders)``, where valid bidders are
       the distinct manufacturers with a valid bid.
    """
    seen: set[int] = set()
    for bid in bids:
        if bid.bid_id in seen:
            raise ValueError(
                gettext("品种 %(lot_id)s 中报价编号 %(bid_id)s 重复") % {"lot_id": lot.lot_id, "bid_id": bid.bid_id}
            )
        seen.add(bid.bid_id)

    max_price = lot.max_price
    discount_threshold = max_price * (Decimal(1) - rules.discount_from_max)
    floor = rules.floor_price

    valid: list[BidInput] = []
    invalid_outcomes: list[BidOutcome] = []
    for bid in bids:
        price = bid.comparison_price
        reasons: list[str] = []
        if bid.invalid_reason:
            reasons.append(f"无效报价：{bid.invalid_reason}")
        if price <= 0:
            reasons.append(f"单位可比价 {_fmt(price)} ≤ 0，{INVALID_NOT_POSITIVE}，无效报价")
        elif price > max_price:
            reasons.append(
                f"单位可比价 {_fmt(price)} > 最高有效申报价 {_fmt(max_price)}，{INVALID_ABOVE_MAX}，无效报价"
            )
        if not reasons:
            valid.append(bid)
            continue
        if bid.invalid_reason:
            invalid_reason = bid.invalid_reason
        else:
            invalid_reason = INVALID_NOT_POSITIVE if price <= 0 else INVALID_ABOVE_MAX
        invalid_outcomes.append(
            BidOutcome(
                bid_id=bid.bid_id,
                manufacturer_id=bid.manufacturer_id,
                product_id=bid.product_id,
                comparison_price=price,
                supply_capacity=bid.supply_capacity,
                status=OutcomeStatus.INVALID,
                invalid_reason=invalid_reason,
                eligible=False,
                criteria_met=(),
                rank=None,
                winner_rank=None,
                reasons=tuple(reasons),
            )
        )

    if not valid:
        return LotEvaluation(
            lot_id=lot.lot_id,
            max_price=max_price,
            lowest_price=None,
            ratio_threshold=None,
            discount_threshold=discount_threshold,
            floor_price=floor,
            highest_excluded_price=None,
            valid_bidders=0,
            max_winners=0,
            winner_ids=(),
            outcomes=tuple(invalid_outcomes),
            notes=("无有效申报，本品种无中选企业",),
            rules=rules,
        )

    valid.sort(key=_rank_key)
    lowest = valid[0].comparison_price
    ratio_threshold = lowest * rules.ratio_to_lowest
    valid_bidders = len({b.manufacturer_id for b in valid})
    n_max = max_winners(rules, valid_bidders)
    price_counts = Counter(b.comparison_price for b in valid)

    # the three lines, formatted once per lot for the reasons
    ratio_line = f"最低价 {_fmt(lowest)} × {_fmt_plain(rules.ratio_to_lowest)} = {_fmt(ratio_threshold)}"
    discount_line = (
        f"最高有效申报价 {_fmt(max_price)} × (1 − {_fmt_plain(rules.discount_from_max * 100)}%) "
        f"= {_fmt(discount_threshold)}"
    )
    floor_line = f"{_fmt(floor)} 元"

    criteria: list[tuple[Criterion, ...]] = []
    for bid in valid:
        price = bid.comparison_price
        met: list[Criterion] = []
        if price <= ratio_threshold:
            met.append(Criterion.RATIO_TO_LOWEST)
        if price <= discount_threshold:
            met.append(Criterion.DISCOUNT_FROM_MAX)
        if price <= floor:
            met.append(Criterion.FLOOR_PRICE)
        criteria.append(tuple(met))

    # Never empty: ratio_to_lowest ≥ 1, so the lowest valid bid always meets the ratio criterion.
    eligible_prices = [b.comparison_price for b, met in zip(valid, criteria, strict=True) if met]
    notes = [f"有效申报企业 {valid_bidders} 家，最多中选 {n_max} 家"]
    notes.append(
        f"最低有效单位可比价 {_fmt(lowest)}；入围条件：不高于{ratio_line}，或不高于{discount_line}，或不高于 {floor_line}"
    )
    highest_excluded: Decimal | None = None
    if rules.exclude_highest and eligible_prices:
        if len(eligible_prices) == 1:
            notes.append("仅 1 个入围报价，不适用“入围报价中的最高价不予中选”规则")
        elif len(set(eligible_prices)) == 1:
            notes.append("入围报价全部相同，不适用“入围报价中的最高价不予中选”规则")
        else:
            highest_excluded = eligible_prices[-1]  # valid is sorted by price
            tied = price_counts[highest_excluded]
            notes.append(
                f"入围报价中的最高价 {_fmt(highest_excluded)}（共 {tied} 个报价）不予中选"
                if tied > 1
                else f"入围报价中的最高价 {_fmt(highest_excluded)} 不予中选"
            )

    outcomes: list[BidOutcome] = []
    winner_ids: list[int] = []
    candidates_seen = 0
    for rank, (bid, met) in enumerate(zip(valid, criteria, strict=True), start=1):
        price = bid.comparison_price
        p = _fmt(price)
        reasons = [
            f"单位可比价 {p} {'≤' if Criterion.RATIO_TO_LOWEST in met else '>'} {ratio_line}",
            f"单位可比价 {p} {'≤' if Criterion.DISCOUNT_FROM_MAX in met else '>'} {discount_line}",
            f"单位可比价 {p} {'≤' if Criterion.FLOOR_PRICE in met else '>'} {floor_line}",
        ]
        if price_counts[price] > 1:
            reasons.append(
                f"与其他 {price_counts[price] - 1} 个报价单位可比价相同，"
                "依次按供应能力（大者在前）、递交时间（早者在前）、报价编号排序"
            )
        winner_rank: int | None = None
        if not met:
            status = OutcomeStatus.NOT_SELECTED
            reasons.append("不符合任一入围条件，不予中选")
        else:
            reasons.append("符合入围条件")
            if highest_excluded is not None and price == highest_excluded:
                status = OutcomeStatus.NOT_SELECTED
                reasons.append("为入围报价中的最高价，不予中选")
            else:
                candidates_seen += 1
                if candidates_seen <= n_max:
                    status = OutcomeStatus.SELECTED
                    winner_rank = candidates_seen
                    winner_ids.append(bid.bid_id)
                    reasons.append(f"有效报价排名第 {rank}，中选（中选顺位第 {winner_rank}）")
                else:
                    status = OutcomeStatus.NOT_SELECTED
                    reasons.append(f"有效报价排名第 {rank}，超出本品种最多中选企业数 {n_max}，不予中选")
        outcomes.append(
            BidOutcome(
                bid_id=bid.bid_id,
                manufacturer_id=bid.manufacturer_id,
                product_id=bid.product_id,
                comparison_price=price,
                supply_capacity=bid.supply_capacity,
                status=status,
                invalid_reason=None,
                eligible=bool(met),
                criteria_met=met,
                rank=rank,
                winner_rank=winner_rank,
                reasons=tuple(reasons),
            )
        )
    notes.append(f"中选 {len(winner_ids)} 家")

    return LotEvaluation(
        lot_id=lot.lot_id,
        max_price=max_price,
        lowest_price=lowest,
        ratio_threshold=ratio_threshold,
        discount_threshold=discount_threshold,
        floor_price=floor,
        highest_excluded_price=highest_excluded,
        valid_bidders=valid_bidders,
        max_winners=n_max,
        winner_ids=tuple(winner_ids),
        outcomes=tuple(outcomes + invalid_outcomes),
        notes=tuple(notes),
        rules=rules,
    )


def evaluate_tender(
    lots: Iterable[LotInput],
    bids_by_lot: Mapping[int, Sequence[BidInput]],
    rules: SelectionRules = DEFAULT_RULES,
) -> dict[int, LotEvaluation]:
    """Evaluate every lot of a tender under one set of rules: lot id → ``LotEvaluation``.

    A lot without bids gets an evaluation with no winners; bids keyed by a lot not in ``lots`` are an
    error (they would otherwise be silently dropped).
    """
    lots = list(lots)
    lot_ids = [lot.lot_id for lot in lots]
    if len(set(lot_ids)) != len(lot_ids):
        raise ValueError(gettext("品种编号重复"))
    unknown = sorted(set(bids_by_lot) - set(lot_ids))
    if unknown:
        raise ValueError(gettext("报价所属品种不在本次采购中：%(items)s") % {"items": ", ".join(map(str, unknown))})
    return {lot.lot_id: evaluate_lot(lot, bids_by_lot.get(lot.lot_id, ()), rules) for lot in lots}


# ---------------------------------------------------------------------------------------------------
# Agreed volumes and allocation
# ---------------------------------------------------------------------------------------------------


def agreed_share(rules: SelectionRules, winners: int) -> Decimal:
    """约定采购比例 for a lot with ``winners`` winners, from ``rules.agreed_share_table``
    (default 1 → 0.50, 2 → 0.60, 3 → 0.70, 4 or more → 0.80)."""
    if isinstance(winners, bool) or not isinstance(winners, int) or winners < 1:
        raise ValueError(gettext("中选企业数 %(winners)s 须至少为 1") % {"winners": winners})
    return _lookup(rules.agreed_share_table, winners)


def agreed_volume(reported_volume: int, share: Decimal) -> int:
    """Agreed volume = reported volume × share, rounded half-up to a whole minimum unit (2.5 → 3)."""
    return int((Decimal(reported_volume) * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Winner:
    """A selected bid as the allocation needs it, in rank order. ``supply_capacity`` in minimum units for
    the cycle; ``None`` means not declared (never skipped for capacity)."""

    manufacturer_id: int
    product_id: int
    awarded_price: Decimal
    supply_capacity: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "awarded_price", _to_decimal(self.awarded_price, "awarded_price"))

    @classmethod
    def from_outcome(cls, outcome: BidOutcome, *, awarded_price: Decimal) -> Winner:
        """The awarded price is per the product's own minimum unit, which the caller knows (the outcome
        only holds the comparison price)."""
        return cls(outcome.manufacturer_id, outcome.product_id, awarded_price, outcome.supply_capacity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "manufacturer_id": self.manufacturer_id,
            "product_id": self.product_id,
            "awarded_price": str(self.awarded_price),
            "supply_capacity": self.supply_capacity,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Winner:
        return cls(data["manufacturer_id"], data["product_id"], data["awarded_price"], data.get("supply_capacity"))


@dataclass(frozen=True)
class Demand:
    """报量: a hospital's reported annual volume for the lot (minimum units), optionally naming a product."""

    hospital_id: int
    region_id: int
    reported_volume: int
    named_product_id: int | None = None

    def __post_init__(self) -> None:
        _to_int(self.reported_volume, "reported_volume")
        if self.reported_volume < 0:
            raise ValueError(
                gettext("医疗机构 %(hospital_id)s 的报量 %(reported_volume)s 不能为负")
                % {"hospital_id": self.hospital_id, "reported_volume": self.reported_volume}
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "hospital_id": self.hospital_id,
            "region_id": self.region_id,
            "reported_volume": self.reported_volume,
            "named_product_id": self.named_product_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Demand:
        return cls(data["hospital_id"], data["region_id"], data["reported_volume"], data.get("named_product_id"))


@dataclass(frozen=True)
class RegionPick:
    """One region chosen by a winner: in round ``round_no``, the winner ranked ``winner_rank`` took
    ``region_id`` with ``volume`` unassigned agreed volume. ``capacity_waived`` is True when every winner
    had reached its capacity and the pick went on in rank order regardless."""

    region_id: int
    round_no: int
    winner_rank: int
    manufacturer_id: int
    product_id: int
    volume: int
    capacity_waived: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "region_id": self.region_id,
            "round_no": self.round_no,
            "winner_rank": self.winner_rank,
            "manufacturer_id": self.manufacturer_id,
            "product_id": self.product_id,
            "volume": self.volume,
            "capacity_waived": self.capacity_waived,
        }


@dataclass(frozen=True)
class Allocation:
    """约定采购量 of one hospital for the lot: which product, from which manufacturer, how much, and why."""

    hospital_id: int
    product_id: int
    manufacturer_id: int
    agreed_volume: int
    reason: str
    lot_id: int
    region_id: int
    reported_volume: int
    share: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "hospital_id": self.hospital_id,
            "product_id": self.product_id,
            "manufacturer_id": self.manufacturer_id,
            "agreed_volume": self.agreed_volume,
            "reason": self.reason,
            "lot_id": self.lot_id,
            "region_id": self.region_id,
            "reported_volume": self.reported_volume,
            "share": str(self.share),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Allocation:
        return cls(**{**data, "share": _to_decimal(data["share"], "share")})


def pick_regions(
    winners: Sequence[Winner],
    region_volumes: Mapping[int, int],
    rules: SelectionRules = DEFAULT_RULES,
    already_allocated: Sequence[int] | None = None,
) -> list[RegionPick]:
    """Winners choose supply regions in rank order, as in the national batches (lowest price first).

    Round-robin: in each round every winner, in rank order, takes one region, until every region is
    taken. Each takes the unpicked region with the largest unassigned volume (ties: smaller region id) —
    the platform's stand-in for the winner's own choice. A region with only zero-volume demand is still
    picked (last), so every hospital has a primary winner.

    With ``rules.respect_supply_capacity``, a winner whose allocated volume (``already_allocated`` —
    named-product volume — plus regions picked so far) has reached its declared capacity is skipped
    in later picks; reached rather than exceeded, since any further region would take it over. If every
    winner is skipped, the remaining regions are still picked in rank order (someone must supply them),
    marked ``capacity_waived``.
    """
    if not winners:
        raise ValueError(gettext("无中选企业，无法选择供应统筹区"))
    allocated = list(already_allocated) if already_allocated is not None else [0] * len(winners)
    if len(allocated) != len(winners):
        raise ValueError(gettext("already_allocated 须与中选企业一一对应"))
    order = sorted(region_volumes, key=lambda region_id: (-region_volumes[region_id], region_id))

    def at_capacity(i: int) -> bool:
        capacity = winners[i].supply_capacity
        return rules.respect_supply_capacity and capacity is not None and allocated[i] >= capacity

    picks: list[RegionPick] = []
    next_region = 0
    round_no = 0
    waived = False
    while next_region < len(order):
        round_no += 1
        picked = False
        for i, winner in enumerate(winners):
            if next_region >= len(order):
                break
            if not waived and at_capacity(i):
                continue
            region_id = order[next_region]
            next_region += 1
            volume = region_volumes[region_id]
            allocated[i] += volume
            picks.append(
                RegionPick(region_id, round_no, i + 1, winner.manufacturer_id, winner.product_id, volume, waived)
            )
            picked = True
        if not picked:  # everybody is at capacity: redo this round without the capacity rule
            round_no -= 1
            waived = True
    return picks


#: The parts of an allocation's reason; the set-based writer of commitments (procurement.services) builds the
#: same text in SQL from them, so both paths explain an allocation in the same words.
REASON_NAMED_WON = "指定中选产品，由该产品供应"
REASON_NAMED_LOST = "指定产品未中选，由本统筹区主供企业供应"
REASON_UNNAMED = "未指定产品，由本统筹区主供企业供应"
REASON_ZERO = "（报量为 0，约定采购量为 0）"


def share_percent_text(share: Decimal) -> str:
    return f"{_fmt_plain(share * 100)}%"


def region_pick_text(pick: RegionPick) -> str:
    how = f"第 {pick.round_no} 轮由中选顺位第 {pick.winner_rank} 的企业选定本统筹区"
    if pick.capacity_waived:
        how += "（各中选企业均已达申报供应能力，仍按顺位选择）"
    return how


def allocate(
    lot_id: int,
    winners: Sequence[Winner],
    demands: Sequence[Demand],
    rules: SelectionRules = DEFAULT_RULES,
) -> list[Allocation]:
    """约定采购量 of each hospital for one lot; one ``Allocation`` per demand, in the order of ``demands``.

    * Share: ``agreed_share(rules, len(winners))``; agreed volume = reported × share rounded half-up to
      an integer (``agreed_volume``), per hospital.
    * A hospital that named a winning product gets that product.
    * Every other hospital (no product named, or a losing product named) is supplied by its region's
      primary winner, chosen by ``pick_regions`` over the regions' unassigned agreed volume; a named
      losing product gets the reason “指定产品未中选，由本统筹区主供企业供应”.
    * A zero reported volume gives an allocation of 0 (kept, not skipped: the hospital took part and its
      commitment row, with its product, is still recorded).
    * ``winners`` must be in rank order (``LotEvaluation.winner_ids``); capacity is used only to skip
      winners in the region picks, never to cut a named hospital's volume.
    """
    if not winners:
        if demands:
            raise ValueError(gettext("品种 %(lot_id)s 无中选企业，无法分配约定采购量") % {"lot_id": lot_id})
        return []
    rank_by_product: dict[int, int] = {}
    for i, winner in enumerate(winners):
        if winner.product_id in rank_by_product:
            raise ValueError(
                gettext("品种 %(lot_id)s 的中选产品 %(product_id)s 重复")
                % {"lot_id": lot_id, "product_id": winner.product_id}
            )
        rank_by_product[winner.product_id] = i
    hospitals: set[int] = set()
    for demand in demands:
        if demand.hospital_id in hospitals:
            raise ValueError(
                gettext("品种 %(lot_id)s 中医疗机构 %(hospital_id)s 报量重复")
                % {"lot_id": lot_id, "hospital_id": demand.hospital_id}
            )
        hospitals.add(demand.hospital_id)

    share = agreed_share(rules, len(winners))
    share_text = share_percent_text(share)
    volumes = [agreed_volume(d.reported_volume, share) for d in demands]

    named_allocated = [0] * len(winners)
    region_volumes: dict[int, int] = {}
    for demand, volume in zip(demands, volumes, strict=True):
        if demand.named_product_id is not None and demand.named_product_id in rank_by_product:
            named_allocated[rank_by_product[demand.named_product_id]] += volume
        else:
            region_volumes[demand.region_id] = region_volumes.get(demand.region_id, 0) + volume
    picks = {pick.region_id: pick for pick in pick_regions(winners, region_volumes, rules, named_allocated)}

    allocations: list[Allocation] = []
    for demand, volume in zip(demands, volumes, strict=True):
        if demand.named_product_id is not None and demand.named_product_id in rank_by_product:
            winner = winners[rank_by_product[demand.named_product_id]]
            reason = REASON_NAMED_WON
        else:
            pick = picks[demand.region_id]
            winner = winners[pick.winner_rank - 1]
            how = region_pick_text(pick)
            if demand.named_product_id is not None:
                reason = f"{REASON_NAMED_LOST}（{how}）"
            else:
                reason = f"{REASON_UNNAMED}（{how}）"
        reason += f"；约定采购量 = 报量 {demand.reported_volume} × {share_text}，四舍五入取整 = {volume}"
        if demand.reported_volume == 0:
            reason += REASON_ZERO
        allocations.append(
            Allocation(
                hospital_id=demand.hospital_id,
                product_id=winner.product_id,
                manufacturer_id=winner.manufacturer_id,
                agreed_volume=volume,
                reason=reason,
                lot_id=lot_id,
                region_id=demand.region_id,
                reported_volume=demand.reported_volume,
                share=share,
            )
        )
    return allocations
