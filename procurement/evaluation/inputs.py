"""What the selection reads and writes: a lot, its bids after opening, each bid's outcome, the lot's evaluation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext, gettext_noop

from common.messages import Message, is_message

from ._values import _opt_decimal, _opt_str, _to_decimal, _to_int
from .rules import SelectionRules


class Reason(str):
    """A reason for a bid's outcome, or a note on a lot: its Chinese text (the string itself, as the evaluation always
    gave it) and what it means — `message`, the source text and its parameters (prices with ¥, rates in per cent),
    stored as that message so a page shows it in the reader's language (`display.message`)."""

    __slots__ = ("_stored", "message")

    def __new__(cls, text: str, /, **params) -> Reason:
        """A parameter may be a message (rendered in the reader's language too) or a Reason (its text already made:
        a lot's threshold line, shared by every bid's reason, stored once made)."""
        source = {k: _source_text(v) if isinstance(v, Message) else v for k, v in params.items()}
        reason = super().__new__(cls, text % source if params else text)
        reason.message = Message(text, params)
        reason._stored = None
        return reason

    def stored(self) -> dict:
        """The message as JSON (common.messages: text and parameters), made once."""
        if self._stored is None:
            self._stored = _stored(self.message)
        return self._stored

    @classmethod
    def read(cls, stored) -> Reason | str:
        """A stored reason back: the message as a Reason; a text stored before reasons were kept as messages, as is."""
        if not is_message(stored):
            return stored
        params = {k: cls.read(v) if is_message(v) else v for k, v in (stored.get("params") or {}).items()}
        return cls(stored["text"], **params)


def _source_text(message: Message) -> str:
    params = {k: _source_text(v) if isinstance(v, Message) else v for k, v in message.params.items()}
    return message.text % params if params else message.text


def _stored(value):
    if isinstance(value, Reason):
        return value.stored()
    if isinstance(value, Message):
        return {"text": value.text, "params": {k: _stored(v) for k, v in value.params.items()}}
    return value


def stored_reasons(reasons) -> list:
    return [r.stored() if isinstance(r, Reason) else r for r in reasons]


class OutcomeStatus(StrEnum):
    SELECTED = "selected"  # 中选
    NOT_SELECTED = "not_selected"  # 未中选
    INVALID = "invalid"  # 无效报价


class Criterion(StrEnum):
    """Which of the eligibility (入围) criteria a valid bid met."""

    RATIO_TO_LOWEST = "ratio_to_lowest"  # ≤ 1.8 × lowest
    DISCOUNT_FROM_MAX = "discount_from_max"  # ≤ max × (1 − 50%)
    FLOOR_PRICE = "floor_price"  # ≤ ¥0.10
    AVERAGE_REDUCTION = "average_reduction"  # patent medicines: reduction ≥ the lot's average (patent_medicine)


INVALID_NOT_POSITIVE = gettext_noop("报价须大于零")
INVALID_ABOVE_MAX = gettext_noop("报价高于最高有效申报价")


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
    """What the evaluation decided for one bid, and why (``reasons``, each a `Reason`, in order of the rules).

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
            "reasons": stored_reasons(self.reasons),
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
            reasons=tuple(Reason.read(r) for r in data["reasons"]),
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
            "notes": stored_reasons(self.notes),
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
            notes=tuple(Reason.read(n) for n in data["notes"]),
            rules=SelectionRules.from_dict(data["rules"]),
        )
