"""The selection of one lot (validity, eligibility, the highest-price rule, ranking, winners) and of a tender."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext, gettext_noop

from common.messages import Message

from ._values import _fmt_plain, _money, _percent
from .inputs import (
    INVALID_ABOVE_MAX,
    INVALID_NOT_POSITIVE,
    BidInput,
    BidOutcome,
    Criterion,
    LotEvaluation,
    LotInput,
    OutcomeStatus,
    Reason,
)
from .rules import SelectionRules, default_rules, max_winners


def _rank_key(bid: BidInput) -> tuple[Decimal, int, datetime, int]:
    """Ranking: lower comparison price first; on a tie, larger supply capacity, then earlier
    submission, then smaller bid id — a total order, so the result never depends on input order."""
    return (bid.comparison_price, -bid.supply_capacity, bid.submitted_at, bid.bid_id)


def evaluate_lot(lot: LotInput, bids: Sequence[BidInput], rules: SelectionRules | None = None) -> LotEvaluation:
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
    rules = rules or default_rules()
    _check_unique_bids(lot, bids)
    max_price = lot.max_price
    valid, invalid_outcomes = _split_by_validity(bids, max_price)
    if not valid:
        return _no_valid_bids(lot, rules, invalid_outcomes)

    valid.sort(key=_rank_key)
    lines = _Thresholds.of(lot, valid[0].comparison_price, rules)
    valid_bidders = len({b.manufacturer_id for b in valid})
    n_max = max_winners(rules, valid_bidders)
    price_counts = Counter(b.comparison_price for b in valid)
    criteria = [lines.criteria_met(b.comparison_price) for b in valid]

    notes = [
        Reason(gettext_noop("有效申报企业 %(bidders)s 家，最多中选 %(n)s 家"), bidders=valid_bidders, n=n_max),
        Reason(
            gettext_noop(
                "最低有效单位可比价 %(lowest)s；入围条件：不高于%(ratio_line)s，或不高于%(discount_line)s，或不高于 %(floor)s"
            ),
            lowest=_money(lines.lowest),
            ratio_line=lines.ratio_line,
            discount_line=lines.discount_line,
            floor=_money(lines.floor),
        ),
    ]
    # Never empty: ratio_to_lowest ≥ 1, so the lowest valid bid always meets the ratio criterion.
    eligible_prices = [b.comparison_price for b, met in zip(valid, criteria, strict=True) if met]
    highest_excluded = _highest_excluded(rules, eligible_prices, price_counts, notes)
    outcomes, winner_ids = _rank_and_select(valid, criteria, lines, price_counts, highest_excluded, n_max)
    notes.append(Reason(gettext_noop("中选 %(n)s 家"), n=len(winner_ids)))

    return LotEvaluation(
        lot_id=lot.lot_id,
        max_price=max_price,
        lowest_price=lines.lowest,
        ratio_threshold=lines.ratio_threshold,
        discount_threshold=lines.discount_threshold,
        floor_price=lines.floor,
        highest_excluded_price=highest_excluded,
        valid_bidders=valid_bidders,
        max_winners=n_max,
        winner_ids=tuple(winner_ids),
        outcomes=tuple(outcomes + invalid_outcomes),
        notes=tuple(notes),
        rules=rules,
    )


def _check_unique_bids(lot: LotInput, bids: Sequence[BidInput]) -> None:
    seen: set[int] = set()
    for bid in bids:
        if bid.bid_id in seen:
            raise ValueError(
                gettext("品种 %(lot_id)s 中报价编号 %(bid_id)s 重复") % {"lot_id": lot.lot_id, "bid_id": bid.bid_id}
            )
        seen.add(bid.bid_id)


def _split_by_validity(bids: Sequence[BidInput], max_price: Decimal) -> tuple[list[BidInput], list[BidOutcome]]:
    """Step 1: the valid bids (in input order) and the outcomes of the invalid ones."""
    valid: list[BidInput] = []
    invalid_outcomes: list[BidOutcome] = []
    for bid in bids:
        outcome = _invalid_outcome(bid, max_price)
        if outcome is None:
            valid.append(bid)
        else:
            invalid_outcomes.append(outcome)
    return valid, invalid_outcomes


def _invalid_outcome(bid: BidInput, max_price: Decimal) -> BidOutcome | None:
    """The outcome of an invalid bid — the caller's reason, a price ≤ 0, a price above the lot's max — or None."""
    price = bid.comparison_price
    reasons: list[str] = []
    if bid.invalid_reason:
        reasons.append(Reason(gettext_noop("无效报价：%(reason)s"), reason=bid.invalid_reason))
    if price <= 0:
        reasons.append(
            Reason(
                gettext_noop("单位可比价 %(price)s ≤ 0，%(why)s，无效报价"),
                price=_money(price),
                why=Message(INVALID_NOT_POSITIVE),
            )
        )
    elif price > max_price:
        reasons.append(
            Reason(
                gettext_noop("单位可比价 %(price)s > 最高有效申报价 %(max)s，%(why)s，无效报价"),
                price=_money(price),
                max=_money(max_price),
                why=Message(INVALID_ABOVE_MAX),
            )
        )
    if not reasons:
        return None
    if bid.invalid_reason:
        invalid_reason = bid.invalid_reason
    else:
        invalid_reason = INVALID_NOT_POSITIVE if price <= 0 else INVALID_ABOVE_MAX
    return BidOutcome(
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


def _no_valid_bids(lot: LotInput, rules: SelectionRules, invalid_outcomes: list[BidOutcome]) -> LotEvaluation:
    return LotEvaluation(
        lot_id=lot.lot_id,
        max_price=lot.max_price,
        lowest_price=None,
        ratio_threshold=None,
        discount_threshold=lot.max_price * (Decimal(1) - rules.discount_from_max),
        floor_price=rules.floor_price,
        highest_excluded_price=None,
        valid_bidders=0,
        max_winners=0,
        winner_ids=(),
        outcomes=tuple(invalid_outcomes),
        notes=(Reason(gettext_noop("无有效申报，本品种无中选企业")),),
        rules=rules,
    )


@dataclass(frozen=True)
class _Thresholds:
    """Step 2's three eligibility lines of a lot (exact, never rounded), and their text for the reasons."""

    lowest: Decimal
    ratio_threshold: Decimal
    discount_threshold: Decimal
    floor: Decimal
    ratio_line: Reason
    discount_line: Reason

    @classmethod
    def of(cls, lot: LotInput, lowest: Decimal, rules: SelectionRules) -> _Thresholds:
        ratio_threshold = lowest * rules.ratio_to_lowest
        discount_threshold = lot.max_price * (Decimal(1) - rules.discount_from_max)
        return cls(
            lowest=lowest,
            ratio_threshold=ratio_threshold,
            discount_threshold=discount_threshold,
            floor=rules.floor_price,
            ratio_line=Reason(
                gettext_noop("最低价 %(lowest)s × %(ratio)s = %(line)s"),
                lowest=_money(lowest),
                ratio=_fmt_plain(rules.ratio_to_lowest),
                line=_money(ratio_threshold),
            ),
            discount_line=Reason(
                gettext_noop("最高有效申报价 %(max)s × (1 − %(discount)s) = %(line)s"),
                max=_money(lot.max_price),
                discount=_percent(rules.discount_from_max),
                line=_money(discount_threshold),
            ),
        )

    def criteria_met(self, price: Decimal) -> tuple[Criterion, ...]:
        met: list[Criterion] = []
        if price <= self.ratio_threshold:
            met.append(Criterion.RATIO_TO_LOWEST)
        if price <= self.discount_threshold:
            met.append(Criterion.DISCOUNT_FROM_MAX)
        if price <= self.floor:
            met.append(Criterion.FLOOR_PRICE)
        return tuple(met)

    def comparison_reasons(self, price: Decimal, met: tuple[Criterion, ...]) -> list[str]:
        p = _money(price)
        text = gettext_noop("单位可比价 %(price)s %(op)s %(line)s")
        return [
            Reason(text, price=p, op="≤" if Criterion.RATIO_TO_LOWEST in met else ">", line=self.ratio_line),
            Reason(text, price=p, op="≤" if Criterion.DISCOUNT_FROM_MAX in met else ">", line=self.discount_line),
            Reason(text, price=p, op="≤" if Criterion.FLOOR_PRICE in met else ">", line=_money(self.floor)),
        ]


def _highest_excluded(
    rules: SelectionRules, eligible_prices: list[Decimal], price_counts: Counter, notes: list[str]
) -> Decimal | None:
    """Step 3: the highest eligible price, which may not win (None when the rule does not apply); notes why."""
    if not rules.exclude_highest or not eligible_prices:
        return None
    if len(eligible_prices) == 1:
        notes.append(Reason(gettext_noop("仅 1 个入围报价，不适用“入围报价中的最高价不予中选”规则")))
        return None
    if len(set(eligible_prices)) == 1:
        notes.append(Reason(gettext_noop("入围报价全部相同，不适用“入围报价中的最高价不予中选”规则")))
        return None
    highest = eligible_prices[-1]  # valid bids are sorted by price
    tied = price_counts[highest]
    notes.append(
        Reason(gettext_noop("入围报价中的最高价 %(price)s（共 %(n)s 个报价）不予中选"), price=_money(highest), n=tied)
        if tied > 1
        else Reason(gettext_noop("入围报价中的最高价 %(price)s 不予中选"), price=_money(highest))
    )
    return highest


def _rank_and_select(
    valid: list[BidInput],
    criteria: list[tuple[Criterion, ...]],
    lines: _Thresholds,
    price_counts: Counter,
    highest_excluded: Decimal | None,
    n_max: int,
) -> tuple[list[BidOutcome], list[int]]:
    """Step 4: every valid bid's outcome in rank order, and the winners' bid ids (at most ``n_max``)."""
    outcomes: list[BidOutcome] = []
    winner_ids: list[int] = []
    for rank, (bid, met) in enumerate(zip(valid, criteria, strict=True), start=1):
        price = bid.comparison_price
        reasons = lines.comparison_reasons(price, met)
        if price_counts[price] > 1:
            reasons.append(
                Reason(
                    gettext_noop(
                        "与其他 %(n)s 个报价单位可比价相同，依次按供应能力（大者在前）、递交时间（早者在前）、报价编号排序"
                    ),
                    n=price_counts[price] - 1,
                )
            )
        status, winner_rank = _decide(rank, met, price, highest_excluded, len(winner_ids), n_max, reasons)
        if winner_rank is not None:
            winner_ids.append(bid.bid_id)
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
    return outcomes, winner_ids


def _decide(
    rank: int,
    met: tuple[Criterion, ...],
    price: Decimal,
    highest_excluded: Decimal | None,
    winners_so_far: int,
    n_max: int,
    reasons: list[str],
) -> tuple[OutcomeStatus, int | None]:
    """One valid bid's status and winner rank (None unless selected); appends the reason."""
    if not met:
        reasons.append(Reason(gettext_noop("不符合任一入围条件，不予中选")))
        return OutcomeStatus.NOT_SELECTED, None
    reasons.append(Reason(gettext_noop("符合入围条件")))
    if highest_excluded is not None and price == highest_excluded:
        reasons.append(Reason(gettext_noop("为入围报价中的最高价，不予中选")))
        return OutcomeStatus.NOT_SELECTED, None
    if winners_so_far < n_max:
        winner_rank = winners_so_far + 1
        reasons.append(
            Reason(
                gettext_noop("有效报价排名第 %(rank)s，中选（中选顺位第 %(winner_rank)s）"),
                rank=rank,
                winner_rank=winner_rank,
            )
        )
        return OutcomeStatus.SELECTED, winner_rank
    reasons.append(
        Reason(gettext_noop("有效报价排名第 %(rank)s，超出本品种最多中选企业数 %(n)s，不予中选"), rank=rank, n=n_max)
    )
    return OutcomeStatus.NOT_SELECTED, None


def evaluate_tender(
    lots: Iterable[LotInput],
    bids_by_lot: Mapping[int, Sequence[BidInput]],
    rules: SelectionRules | None = None,
) -> dict[int, LotEvaluation]:
    """Evaluate every lot of a tender under one set of rules: lot id → ``LotEvaluation``.

    A lot without bids gets an evaluation with no winners; bids keyed by a lot not in ``lots`` are an
    error (they would otherwise be silently dropped).
    """
    rules = rules or default_rules()
    lots = list(lots)
    lot_ids = [lot.lot_id for lot in lots]
    if len(set(lot_ids)) != len(lot_ids):
        raise ValueError(gettext("品种编号重复"))
    unknown = sorted(set(bids_by_lot) - set(lot_ids))
    if unknown:
        raise ValueError(gettext("报价所属品种不在本次采购中：%(items)s") % {"items": ", ".join(map(str, unknown))})
    return {lot.lot_id: evaluate_lot(lot, bids_by_lot.get(lot.lot_id, ()), rules) for lot in lots}
