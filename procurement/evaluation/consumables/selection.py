"""The selection of one consumable lot: validity, groups A/B, eligibility in each group, the cap, revival (复活).

Pure: plain frozen dataclasses in and out (Decimal prices per unit or per product system, as the lot prices them),
each with ``to_dict()`` so a service stores inputs and outcome side by side. The outcome's dictionary has the
``winner_ids`` the award step reads, and ``awarded_prices`` (a revived bid is awarded the revival price, not its own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from .._values import _money
from ..inputs import INVALID_ABOVE_MAX, INVALID_NOT_POSITIVE, OutcomeStatus, Reason, stored_reasons
from .grouping import Bidder, Groups, split_ab
from .rules import ConsumableRules, Grouping

RATIO = "ratio_to_lowest"
PRICE_LINE = "price_line"
SHARE_OF_MAX = "share_of_max"
REVIVAL = "revival"


@dataclass(frozen=True)
class ConsumableLotInput:
    lot_id: int
    max_price: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"lot_id": self.lot_id, "max_price": str(self.max_price)}


@dataclass(frozen=True)
class ConsumableBidInput:
    """One opened bid: its price (per unit or per system), the hospitals' intended volume for the bidder's products
    in the lot, whether the bidder meets group A's other conditions, and whether it accepts the revival price."""

    bid_id: int
    manufacturer_id: int
    product_id: int
    price: Decimal
    volume: int
    submitted_at: datetime
    qualified_for_a: bool = True
    accepts_revival: bool = False
    invalid_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "bid_id": self.bid_id,
            "manufacturer_id": self.manufacturer_id,
            "product_id": self.product_id,
            "price": str(self.price),
            "volume": self.volume,
            "submitted_at": self.submitted_at.isoformat(),
            "qualified_for_a": self.qualified_for_a,
            "accepts_revival": self.accepts_revival,
            "invalid_reason": self.invalid_reason,
        }


CRITERION_TEXT = {
    RATIO: gettext_noop("不高于最低有效报价的倍数线"),
    PRICE_LINE: gettext_noop("低于价格线"),
    SHARE_OF_MAX: gettext_noop("不高于最高有效申报价的规定比例"),
    REVIVAL: gettext_noop("接受复活价格"),
}


@dataclass(frozen=True)
class ConsumableOutcome:
    """One bid's outcome. Its dictionary has the keys the evaluation page reads for drug lots too (``comparison_price``,
    ``criteria_met``, ``winner_rank``, ``reasons``); the consumable criteria are in ``criteria`` and, for people, in
    the reasons."""

    bid: ConsumableBidInput
    status: str
    group: str = ""
    rank: int | None = None
    criteria: tuple[str, ...] = ()
    revived: bool = False
    awarded_price: Decimal | None = None
    winner_rank: int | None = None
    reason: str = ""

    @property
    def bid_id(self) -> int:
        return self.bid.bid_id

    def reasons(self) -> list[str]:
        out = [Reason(gettext_noop("%(group)s组"), group=self.group)] if self.group else []
        out += [Reason(CRITERION_TEXT[c]) for c in self.criteria]
        if self.revived:
            out.append(Reason(gettext_noop("按复活价格 %(price)s 中选"), price=_money(self.awarded_price)))
        if self.reason:
            out.append(self.reason)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "bid_id": self.bid.bid_id,
            "manufacturer_id": self.bid.manufacturer_id,
            "product_id": self.bid.product_id,
            "comparison_price": str(self.bid.price),
            "status": str(self.status),
            "invalid_reason": self.reason if self.status == OutcomeStatus.INVALID else None,
            "group": self.group,
            "rank": self.rank,
            "winner_rank": self.winner_rank,
            "criteria": list(self.criteria),
            "criteria_met": [],
            "revived": self.revived,
            "awarded_price": None if self.awarded_price is None else str(self.awarded_price),
            "reasons": stored_reasons(self.reasons()),
        }


@dataclass(frozen=True)
class ConsumableLotEvaluation:
    lot_id: int
    winner_ids: tuple[int, ...]
    outcomes: tuple[ConsumableOutcome, ...]
    notes: tuple[str, ...] = ()
    groups: Mapping[int, str] = field(default_factory=dict)

    def outcome(self, bid_id: int) -> ConsumableOutcome:
        return next(o for o in self.outcomes if o.bid_id == bid_id)

    @property
    def awarded_prices(self) -> dict[int, Decimal]:
        return {o.bid_id: o.awarded_price for o in self.outcomes if o.awarded_price is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "lot_id": self.lot_id,
            "winner_ids": list(self.winner_ids),
            "awarded_prices": {str(k): str(v) for k, v in self.awarded_prices.items()},
            "groups": {str(k): v for k, v in self.groups.items()},
            "outcomes": [o.to_dict() for o in self.outcomes],
            "notes": stored_reasons(self.notes),
        }


def _invalid(bid: ConsumableBidInput, max_price: Decimal) -> str | None:
    if bid.invalid_reason:
        return bid.invalid_reason
    if bid.price <= 0:
        return Reason(INVALID_NOT_POSITIVE)
    if bid.price > max_price:
        return Reason(INVALID_ABOVE_MAX)
    return None


def _rank_key(bid: ConsumableBidInput) -> tuple:
    """Lower price first; on a tie the larger intended volume (as the 京津冀 alliance ranks), then earlier, then id."""
    return (bid.price, -bid.volume, bid.submitted_at, bid.bid_id)


def _groups(valid: Sequence[ConsumableBidInput], rules: ConsumableRules) -> Groups | None:
    if rules.grouping != Grouping.AB_BY_VOLUME:
        return None
    volume: dict[int, int] = {}
    qualified: dict[int, bool] = {}
    for bid in valid:
        volume[bid.manufacturer_id] = volume.get(bid.manufacturer_id, 0) + bid.volume
        qualified[bid.manufacturer_id] = qualified.get(bid.manufacturer_id, False) or bid.qualified_for_a
    bidders = [Bidder(m, v, qualified[m]) for m, v in volume.items()]
    return split_ab(bidders, share=rules.group_a_share, minimum=rules.group_a_min)


def _criteria(price: Decimal, lowest: Decimal, max_price: Decimal, rules: ConsumableRules) -> tuple[str, ...]:
    met = []
    if rules.ratio_to_lowest is not None and price <= rules.ratio_to_lowest * lowest:
        met.append(RATIO)
    if rules.price_line is not None and price < rules.price_line:
        met.append(PRICE_LINE)
    if rules.share_of_max is not None and price <= rules.share_of_max * max_price:
        met.append(SHARE_OF_MAX)
    return tuple(met)


@dataclass
class _GroupResult:
    outcomes: list[ConsumableOutcome]
    winners: list[int]
    highest_selected: Decimal | None


def _select_group(
    name: str,
    bids: list[ConsumableBidInput],
    lot: ConsumableLotInput,
    rules: ConsumableRules,
    cap: Decimal | None,
) -> _GroupResult:
    """Rank one group (竞价单元), select the eligible bids in rank order up to the cap, then revive."""
    bids = sorted(bids, key=_rank_key)
    lowest = bids[0].price
    selected: dict[int, tuple[int, tuple[str, ...]]] = {}
    refused: dict[int, tuple[int, tuple[str, ...], str]] = {}
    for rank, bid in enumerate(bids, start=1):
        met = _criteria(bid.price, lowest, lot.max_price, rules)
        if cap is not None and bid.price > cap:
            refused[bid.bid_id] = (rank, met, Reason(gettext_noop("高于A组最高中选价 %(price)s"), price=_money(cap)))
        elif not met:
            refused[bid.bid_id] = (rank, met, Reason(gettext_noop("未满足任一中选条件")))
        elif rules.max_winners is not None and len(selected) >= rules.max_winners:
            refused[bid.bid_id] = (
                rank,
                met,
                Reason(gettext_noop("已达本组最多中选数 %(n)s"), n=rules.max_winners),
            )
        else:
            selected[bid.bid_id] = (rank, met)
    highest = max((b.price for b in bids if b.bid_id in selected), default=None)
    outcomes = [
        ConsumableOutcome(bid, OutcomeStatus.SELECTED, name, rank, met, awarded_price=bid.price)
        for bid in bids
        if bid.bid_id in selected
        for rank, met in [selected[bid.bid_id]]
    ]
    winners = [o.bid_id for o in outcomes]
    for bid in bids:
        if bid.bid_id not in refused:
            continue
        rank, met, reason = refused[bid.bid_id]
        if _revivable(bid, met, highest, rules, len(winners)):
            outcomes.append(ConsumableOutcome(bid, OutcomeStatus.SELECTED, name, rank, (REVIVAL,), True, highest))
            winners.append(bid.bid_id)
        else:
            outcomes.append(ConsumableOutcome(bid, OutcomeStatus.NOT_SELECTED, name, rank, met, reason=reason))
    return _GroupResult(outcomes, winners, highest)


def _revivable(
    bid: ConsumableBidInput, met: tuple[str, ...], highest: Decimal | None, rules: ConsumableRules, count: int
) -> bool:
    """复活: a bid that met no criterion, whose bidder accepts the group's highest selected price, while room is left."""
    if not (rules.revival and bid.accepts_revival) or met or highest is None:
        return False
    return rules.max_winners is None or count < rules.max_winners


def evaluate_consumable_lot(
    lot: ConsumableLotInput, bids: Sequence[ConsumableBidInput], rules: ConsumableRules
) -> ConsumableLotEvaluation:
    """Evaluate one consumable lot's opened bids under the tender's rules (see ``ConsumableRules``)."""
    valid: list[ConsumableBidInput] = []
    outcomes: list[ConsumableOutcome] = []
    for bid in bids:
        reason = _invalid(bid, lot.max_price)
        if reason:
            outcomes.append(ConsumableOutcome(bid, OutcomeStatus.INVALID, reason=reason))
        else:
            valid.append(bid)
    if not valid:
        return ConsumableLotEvaluation(lot.lot_id, (), tuple(outcomes), (Reason(gettext_noop("无有效申报")),))
    groups = _groups(valid, rules)
    notes = [Reason(gettext_noop("有效申报 %(n)s 个"), n=len(valid))]
    winners: list[int] = []
    group_of: dict[int, str] = {}
    if groups is None:
        parts = [("", valid)]
    else:
        parts = [(g, [b for b in valid if groups.of(b.manufacturer_id) == g]) for g in ("A", "B")]
        group_of = {m: groups.of(m) for m in groups.a | groups.b}
        notes.append(
            Reason(
                gettext_noop("A组 %(a)s 家（累计意向采购量覆盖 %(covered)s 家，递补 %(topped_up)s 家），B组 %(b)s 家"),
                a=len(groups.a),
                covered=len(groups.covered),
                topped_up=len(groups.topped_up),
                b=len(groups.b),
            )
        )
    cap = None
    for name, group_bids in parts:
        if not group_bids:
            continue
        result = _select_group(name, group_bids, lot, rules, cap if name == "B" else None)
        outcomes.extend(result.outcomes)
        winners.extend(result.winners)
        if name == "A" and rules.b_capped_by_a:
            cap = result.highest_selected
        lowest = _money(min(b.price for b in group_bids))
        notes.append(
            Reason(
                gettext_noop("%(group)s组中选 %(n)s 个，最低有效报价 %(price)s"),
                group=name,
                n=len(result.winners),
                price=lowest,
            )
            if name
            else Reason(
                gettext_noop("本品种中选 %(n)s 个，最低有效报价 %(price)s"), n=len(result.winners), price=lowest
            )
        )
    ranks = {bid_id: n for n, bid_id in enumerate(winners, start=1)}
    outcomes = [replace(o, winner_rank=ranks.get(o.bid_id)) for o in outcomes]
    return ConsumableLotEvaluation(lot.lot_id, tuple(winners), tuple(outcomes), tuple(notes), group_of)


def evaluate_consumable_tender(
    lots: Sequence[ConsumableLotInput],
    bids_by_lot: Mapping[int, Sequence[ConsumableBidInput]],
    rules: ConsumableRules,
) -> dict[int, ConsumableLotEvaluation]:
    return {lot.lot_id: evaluate_consumable_lot(lot, bids_by_lot.get(lot.lot_id, ()), rules) for lot in lots}
