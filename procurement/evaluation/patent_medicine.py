"""The rule set of patent-medicine rounds (中成药 / 蒙成药): price reductions, not the chemical-drug rules.

Provincial practice, not a national rule: the inter-provincial 中成药 alliance rounds (e.g. the Hubei-led alliance,
2021–2023) and the provinces that followed them do not compare patent medicines by the chemical-drug rules of the
national batches (≤ 1.8 × the lowest unit comparison price, ≤ ¥0.10, 差比价 by strength): a patent medicine has no
single active ingredient whose strength converts one product into another, and the rounds group products by
prescription and dosage form instead. They rank bids by their **price reduction** (降幅) from the lot's reference
price and select those that cut far enough. The exact thresholds vary by round, so every number below is a rule of the
tender (``PatentMedicineRules``, stored in the tender's rules with ``"rule_set": "patent_medicine"``); the defaults
are settings (``common.rules.patent_medicine_defaults()``, docs/rules.md).

1. Validity as in the chemical rules: the caller's invalid reason, a price ≤ 0, a price above the 最高有效申报价.
2. Comparison price = the bid's price per minimum unit (no strength conversion: the caller's factor is 1 for lots
   without a reference strength).
3. Reduction r = 1 − price / 最高有效申报价. A valid bid is eligible (入围) if r ≥ ``min_reduction`` (基准降幅, 20 %),
   or — with ``at_least_average_reduction`` — r ≥ the average reduction of the lot's valid bids (i.e. its price is at
   most their mean price; compared exactly, price × n ≤ Σ prices).
4. Ranking as in the chemical rules (price, then larger capacity, earlier submission, smaller id); at most
   ⌈valid bidders × ``winner_share``⌉ winners (70 %; at least one), capped by ``max_winners_cap``. There is no
   “highest eligible price may not win” rule and no ¥0.10 floor.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, gettext_noop

from common import rules as platform_rules

from ._values import _money, _percent, _positive_int, _share, _table, _to_bool, _to_decimal
from .inputs import BidInput, BidOutcome, Criterion, LotEvaluation, LotInput, OutcomeStatus, Reason
from .selection import _check_unique_bids, _rank_key, _split_by_validity

PATENT_MEDICINE = "patent_medicine"


def _default(name: str):
    return field(default_factory=lambda: getattr(platform_rules.patent_medicine_defaults(), name))


@dataclass(frozen=True)
class PatentMedicineRules:
    """A patent-medicine round's rules. ``agreed_share_table`` and ``respect_supply_capacity`` mean what they mean in
    ``SelectionRules`` (the allocation after the selection is the same)."""

    rule_set: str = PATENT_MEDICINE
    min_reduction: Decimal = _default("min_reduction")
    at_least_average_reduction: bool = True
    winner_share: Decimal = _default("winner_share")
    max_winners_cap: int = 10
    agreed_share_table: tuple[tuple[int, Decimal], ...] = field(
        default_factory=lambda: platform_rules.selection_defaults().agreed_share_table
    )
    respect_supply_capacity: bool = True

    def __post_init__(self) -> None:
        if self.rule_set != PATENT_MEDICINE:
            raise ValueError(gettext("rule_set 须为 %(name)s") % {"name": PATENT_MEDICINE})
        reduction = _to_decimal(self.min_reduction, "min_reduction")
        if not Decimal(0) <= reduction < Decimal(1):
            raise ValueError(gettext("min_reduction（基准降幅）%(value)s 须在 0 与 1 之间") % {"value": reduction})
        set_ = object.__setattr__
        set_(self, "min_reduction", reduction)
        set_(
            self, "at_least_average_reduction", _to_bool(self.at_least_average_reduction, "at_least_average_reduction")
        )
        set_(self, "winner_share", _share(self.winner_share))
        set_(self, "max_winners_cap", _positive_int(self.max_winners_cap, "max_winners_cap"))
        set_(self, "agreed_share_table", _table(self.agreed_share_table, "agreed_share_table", _share))
        set_(self, "respect_supply_capacity", _to_bool(self.respect_supply_capacity, "respect_supply_capacity"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_set": self.rule_set,
            "min_reduction": str(self.min_reduction),
            "at_least_average_reduction": self.at_least_average_reduction,
            "winner_share": str(self.winner_share),
            "max_winners_cap": self.max_winners_cap,
            "agreed_share_table": [[k, str(v)] for k, v in self.agreed_share_table],
            "respect_supply_capacity": self.respect_supply_capacity,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PatentMedicineRules:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(gettext("未知的评审规则项：%(items)s") % {"items": ", ".join(unknown)})
        return cls(**dict(data))


def patent_max_winners(rules: PatentMedicineRules, valid_bidders: int) -> int:
    """⌈valid bidders × winner_share⌉, at least one, at most the cap (none without valid bidders)."""
    if valid_bidders < 1:
        return 0
    return min(max(1, math.ceil(valid_bidders * rules.winner_share)), rules.max_winners_cap)


def _reduction_text(price: Decimal, max_price: Decimal) -> str:
    """The price's reduction from the lot's max valid price in per cent: 45.23 %."""
    return _percent(Decimal(1) - price / max_price)


def _no_valid_bids(lot: LotInput, rules: PatentMedicineRules, invalid: list[BidOutcome]) -> LotEvaluation:
    return LotEvaluation(
        lot_id=lot.lot_id,
        max_price=lot.max_price,
        lowest_price=None,
        ratio_threshold=None,
        discount_threshold=lot.max_price * (Decimal(1) - rules.min_reduction),
        floor_price=Decimal(0),
        highest_excluded_price=None,
        valid_bidders=0,
        max_winners=0,
        winner_ids=(),
        outcomes=tuple(invalid),
        notes=(Reason(gettext_noop("无有效申报，本品种无中选企业")),),
        rules=rules,  # type: ignore[arg-type]
    )


def evaluate_patent_lot(lot: LotInput, bids: Sequence[BidInput], rules: PatentMedicineRules) -> LotEvaluation:
    """Evaluate one lot of a patent-medicine round (module docstring). Pure; O(n log n)."""
    _check_unique_bids(lot, bids)
    valid, invalid_outcomes = _split_by_validity(bids, lot.max_price)
    if not valid:
        return _no_valid_bids(lot, rules, invalid_outcomes)
    valid.sort(key=_rank_key)
    total = sum((b.comparison_price for b in valid), Decimal(0))
    count = len(valid)
    line = lot.max_price * (Decimal(1) - rules.min_reduction)
    valid_bidders = len({b.manufacturer_id for b in valid})
    n_max = patent_max_winners(rules, valid_bidders)
    mean = total / count
    notes = [
        Reason(
            gettext_noop(
                "中成药（蒙成药）规则：有效申报企业 %(bidders)s 家，最多中选 %(n)s 家（有效企业数 × %(share)s，向上取整）"
            ),
            bidders=valid_bidders,
            n=n_max,
            share=_percent(rules.winner_share),
        ),
        Reason(
            gettext_noop(
                "入围条件：降幅不低于基准降幅 %(min)s（单价不高于 %(line)s），或降幅不低于本品种有效报价的平均降幅 %(mean)s"
            )
            if rules.at_least_average_reduction
            else gettext_noop("入围条件：降幅不低于基准降幅 %(min)s（单价不高于 %(line)s）"),
            min=_percent(rules.min_reduction),
            line=_money(line),
            mean=_reduction_text(mean, lot.max_price),
        ),
    ]
    outcomes: list[BidOutcome] = []
    winner_ids: list[int] = []
    for rank, bid in enumerate(valid, start=1):
        price = bid.comparison_price
        met: list[Criterion] = []
        if price <= line:
            met.append(Criterion.DISCOUNT_FROM_MAX)
        if rules.at_least_average_reduction and price * count <= total:
            met.append(Criterion.AVERAGE_REDUCTION)
        reasons = [
            Reason(
                gettext_noop("降幅 %(reduction)s（单价 %(price)s，最高有效申报价 %(max)s）%(op)s 基准降幅 %(min)s"),
                reduction=_reduction_text(price, lot.max_price),
                price=_money(price),
                max=_money(lot.max_price),
                op="≥" if Criterion.DISCOUNT_FROM_MAX in met else "<",
                min=_percent(rules.min_reduction),
            )
        ]
        if rules.at_least_average_reduction:
            reasons.append(
                Reason(
                    gettext_noop("单价 %(price)s %(op)s 有效报价平均价 %(mean)s"),
                    price=_money(price),
                    op="≤" if Criterion.AVERAGE_REDUCTION in met else ">",
                    mean=_money(mean),
                )
            )
        status, winner_rank = OutcomeStatus.NOT_SELECTED, None
        if not met:
            reasons.append(Reason(gettext_noop("不符合任一入围条件，不予中选")))
        elif len(winner_ids) < n_max:
            winner_rank = len(winner_ids) + 1
            winner_ids.append(bid.bid_id)
            status = OutcomeStatus.SELECTED
            reasons.append(
                Reason(
                    gettext_noop("符合入围条件，有效报价排名第 %(rank)s，中选（中选顺位第 %(winner_rank)s）"),
                    rank=rank,
                    winner_rank=winner_rank,
                )
            )
        else:
            reasons.append(
                Reason(
                    gettext_noop("符合入围条件，有效报价排名第 %(rank)s，超出本品种最多中选企业数 %(n)s，不予中选"),
                    rank=rank,
                    n=n_max,
                )
            )
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
                criteria_met=tuple(met),
                rank=rank,
                winner_rank=winner_rank,
                reasons=tuple(reasons),
            )
        )
    notes.append(Reason(gettext_noop("中选 %(n)s 家"), n=len(winner_ids)))
    return LotEvaluation(
        lot_id=lot.lot_id,
        max_price=lot.max_price,
        lowest_price=valid[0].comparison_price,
        ratio_threshold=None,
        discount_threshold=line,
        floor_price=Decimal(0),
        highest_excluded_price=None,
        valid_bidders=valid_bidders,
        max_winners=n_max,
        winner_ids=tuple(winner_ids),
        outcomes=tuple(outcomes + invalid_outcomes),
        notes=tuple(notes),
        rules=rules,  # type: ignore[arg-type]
    )


def evaluate_patent_tender(
    lots: Iterable[LotInput], bids_by_lot: Mapping[int, Sequence[BidInput]], rules: PatentMedicineRules
) -> dict[int, LotEvaluation]:
    lots = list(lots)
    unknown = sorted(set(bids_by_lot) - {lot.lot_id for lot in lots})
    if unknown:
        raise ValueError(gettext("报价所属品种不在本次采购中：%(items)s") % {"items": ", ".join(map(str, unknown))})
    return {lot.lot_id: evaluate_patent_lot(lot, bids_by_lot.get(lot.lot_id, ()), rules) for lot in lots}
