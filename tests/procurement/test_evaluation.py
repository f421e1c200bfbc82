"""Tender evaluation and agreed-volume allocation (procurement.evaluation): pure functions, no database.

Each test is a worked example of one rule; prices are 单位可比价 per minimum unit of the reference strength.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from procurement.evaluation import (
    EXAMPLE_SLIDING_MAX_WINNERS_TABLE,
    INVALID_ABOVE_MAX,
    INVALID_NOT_POSITIVE,
    Allocation,
    BidInput,
    Criterion,
    Demand,
    LotEvaluation,
    LotInput,
    OutcomeStatus,
    SelectionRules,
    Winner,
    agreed_share,
    agreed_volume,
    allocate,
    comparison_price,
    evaluate_lot,
    evaluate_tender,
    max_winners,
    pick_regions,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
D = Decimal


def bid(
    bid_id: int,
    price: str,
    *,
    capacity: int = 1000,
    minutes: int = 0,
    manufacturer: int | None = None,
    invalid: str | None = None,
) -> BidInput:
    return BidInput(
        bid_id=bid_id,
        manufacturer_id=manufacturer if manufacturer is not None else 100 + bid_id,
        product_id=200 + bid_id,
        comparison_price=D(price),
        supply_capacity=capacity,
        submitted_at=T0 + timedelta(minutes=minutes),
        invalid_reason=invalid,
    )


def lot(max_price: str = "1.0000", lot_id: int = 1) -> LotInput:
    return LotInput(lot_id=lot_id, max_price=D(max_price))


# --- comparison price ---------------------------------------------------------------------------------


def test_comparison_price_applies_factor_and_rounds_half_up_to_4_places():
    assert comparison_price(D("0.12345"), D(1)) == D("0.1235")
    # a 10 mg tablet in a 20 mg reference lot: 含量差比 1.7 for a double strength
    assert comparison_price(D("0.5000"), D("1.7")) == D("0.8500")
    # a 40 mg tablet in the same lot
    assert comparison_price(D("0.5000"), D(1) / D("1.7")) == D("0.2941")


def test_comparison_price_rejects_float_and_non_positive_factor():
    with pytest.raises(TypeError):
        comparison_price(0.5, D(1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="差比价系数"):
        comparison_price(D("0.5"), D(0))


# --- eligibility boundaries ---------------------------------------------------------------------------


def test_worked_example_reason_for_ratio_criterion():
    result = evaluate_lot(lot("1.0000"), [bid(1, "0.1500"), bid(2, "0.2300"), bid(3, "0.2000")])
    outcome = result.outcome(2)
    assert "单位可比价 ¥0.2300 ≤ 最低价 ¥0.1500 × 1.8 = ¥0.2700" in outcome.reasons
    assert "单位可比价 ¥0.2300 ≤ 最高有效申报价 ¥1.0000 × (1 − 50.00 %) = ¥0.5000" in outcome.reasons
    assert "单位可比价 ¥0.2300 > ¥0.1000" in outcome.reasons
    assert outcome.criteria_met == (Criterion.RATIO_TO_LOWEST, Criterion.DISCOUNT_FROM_MAX)
    # 0.2300 is the highest of the three eligible prices
    assert outcome.status == OutcomeStatus.NOT_SELECTED
    assert outcome.reasons[-1] == "为入围报价中的最高价，不予中选"
    assert result.winner_ids == (1, 3)


def test_exactly_1_8_times_lowest_is_eligible_and_above_is_not():
    # max 0.5000 → the 50% line is 0.2500, so only the 1.8× line (0.2700) decides here
    bids = [bid(1, "0.1500"), bid(2, "0.2000"), bid(3, "0.2700"), bid(4, "0.2701"), bid(5, "0.2800")]
    result = evaluate_lot(lot("0.5000"), bids)

    assert result.lowest_price == D("0.1500")
    assert result.ratio_threshold == D("0.2700")
    at_line, just_above, one_fen_above = result.outcome(3), result.outcome(4), result.outcome(5)
    assert at_line.eligible and at_line.criteria_met == (Criterion.RATIO_TO_LOWEST,)
    assert "单位可比价 ¥0.2700 ≤ 最低价 ¥0.1500 × 1.8 = ¥0.2700" in at_line.reasons
    for outcome in (just_above, one_fen_above):
        assert not outcome.eligible
        assert outcome.criteria_met == ()
        assert outcome.status == OutcomeStatus.NOT_SELECTED
        assert outcome.reasons[-1] == "不符合任一入围条件，不予中选"
    assert "单位可比价 ¥0.2800 > 最低价 ¥0.1500 × 1.8 = ¥0.2700" in one_fen_above.reasons
    # 0.2700 is eligible but the highest eligible price, so it does not win
    assert result.winner_ids == (1, 2)
    assert result.highest_excluded_price == D("0.2700")

    relaxed = evaluate_lot(lot("0.5000"), bids, SelectionRules(exclude_highest=False))
    assert relaxed.winner_ids == (1, 2, 3)


def test_threshold_is_exact_not_rounded():
    # 0.1236 × 1.8 = 0.22248: 0.2225 is above the line although the line rounds to 0.2225
    result = evaluate_lot(lot("0.4000"), [bid(1, "0.1236"), bid(2, "0.2224"), bid(3, "0.2225")])
    assert result.ratio_threshold == D("0.22248")
    assert result.outcome(2).eligible
    assert not result.outcome(3).eligible
    assert "单位可比价 ¥0.2225 > 最低价 ¥0.1236 × 1.8 = ¥0.22248" in result.outcome(3).reasons


def test_floor_price_boundary_0_10_yuan():
    # lowest 0.0400 → 1.8× line 0.0720; max 0.1900 → 50% line 0.0950; so only the ¥0.10 floor lets 0.1000 in
    bids = [bid(1, "0.0400"), bid(2, "0.1000"), bid(3, "0.1001")]
    result = evaluate_lot(lot("0.1900"), bids, SelectionRules(exclude_highest=False))

    assert result.outcome(2).eligible
    assert result.outcome(2).criteria_met == (Criterion.FLOOR_PRICE,)
    assert "单位可比价 ¥0.1000 ≤ ¥0.1000" in result.outcome(2).reasons
    assert not result.outcome(3).eligible
    assert "单位可比价 ¥0.1001 > ¥0.1000" in result.outcome(3).reasons
    assert result.winner_ids == (1, 2)


def test_fifty_percent_below_max_boundary():
    # max 2.0000 → 50% line 1.0000; lowest 0.5000 → 1.8× line 0.9000
    bids = [bid(1, "0.5000"), bid(2, "1.0000"), bid(3, "1.0001")]
    result = evaluate_lot(lot("2.0000"), bids)

    assert result.discount_threshold == D("1.0000")
    assert result.outcome(2).eligible
    assert result.outcome(2).criteria_met == (Criterion.DISCOUNT_FROM_MAX,)
    assert "单位可比价 ¥1.0000 ≤ 最高有效申报价 ¥2.0000 × (1 − 50.00 %) = ¥1.0000" in result.outcome(2).reasons
    assert not result.outcome(3).eligible
    # two eligible at different prices: the higher one (1.0000) is excluded, the lowest wins alone
    assert result.winner_ids == (1,)


def test_custom_rules_change_the_lines():
    rules = SelectionRules(ratio_to_lowest=D("1.5"), discount_from_max=D("0.4"), floor_price=D("0.05"))
    result = evaluate_lot(lot("1.0000"), [bid(1, "0.2000"), bid(2, "0.3000"), bid(3, "0.3001")], rules)
    assert result.ratio_threshold == D("0.3000")
    assert result.discount_threshold == D("0.6000")
    assert "单位可比价 ¥0.3000 ≤ 最低价 ¥0.2000 × 1.5 = ¥0.3000" in result.outcome(2).reasons
    assert "单位可比价 ¥0.3001 ≤ 最高有效申报价 ¥1.0000 × (1 − 40.00 %) = ¥0.6000" in result.outcome(3).reasons


# --- the highest eligible price, special lots ---------------------------------------------------------


def test_all_prices_equal_nobody_is_excluded():
    bids = [bid(1, "0.5000", capacity=100), bid(2, "0.5000", capacity=300), bid(3, "0.5000", capacity=200)]
    result = evaluate_lot(lot(), bids)

    assert result.highest_excluded_price is None
    assert all(o.status == OutcomeStatus.SELECTED for o in result.outcomes)
    assert result.winner_ids == (2, 3, 1)  # equal prices: larger supply capacity first
    assert "入围报价全部相同，不适用“入围报价中的最高价不予中选”规则" in result.notes


def test_single_bidder_wins():
    result = evaluate_lot(lot(), [bid(1, "0.9000")])

    outcome = result.outcome(1)
    assert outcome.status == OutcomeStatus.SELECTED
    assert (outcome.rank, outcome.winner_rank) == (1, 1)
    assert result.winner_ids == (1,)
    assert "仅 1 个入围报价，不适用“入围报价中的最高价不予中选”规则" in result.notes


def test_lowest_bid_is_the_only_eligible_one_and_wins():
    # max 3.0000 → 50% line 1.5000; lowest 1.0000 → 1.8× line 1.8000; 2.0000 and 2.5000 meet neither
    result = evaluate_lot(lot("3.0000"), [bid(1, "2.0000"), bid(2, "1.0000"), bid(3, "2.5000")])

    assert result.winner_ids == (2,)
    assert result.highest_excluded_price is None
    assert [o.bid_id for o in result.outcomes] == [2, 1, 3]
    assert [o.rank for o in result.outcomes] == [1, 2, 3]
    assert not result.outcome(1).eligible and not result.outcome(3).eligible


def test_several_bids_sharing_the_highest_eligible_price_are_all_excluded():
    bids = [bid(1, "0.3000"), bid(2, "0.4000"), bid(3, "0.5000"), bid(4, "0.5000")]
    result = evaluate_lot(lot(), bids)

    assert result.highest_excluded_price == D("0.5000")
    assert result.winner_ids == (1, 2)
    for bid_id in (3, 4):
        assert result.outcome(bid_id).eligible
        assert result.outcome(bid_id).status == OutcomeStatus.NOT_SELECTED
        assert "为入围报价中的最高价，不予中选" in result.outcome(bid_id).reasons
    assert "入围报价中的最高价 ¥0.5000（共 2 个报价）不予中选" in result.notes


def test_ties_ranked_by_capacity_then_submission_time_then_bid_id():
    bids = [
        bid(2, "0.5400"),
        bid(10, "0.5000", capacity=100),
        bid(11, "0.5000", capacity=200, minutes=5),
        bid(13, "0.5000", capacity=200),
        bid(12, "0.5000", capacity=200),
        bid(1, "0.3000"),
    ]
    result = evaluate_lot(lot(), bids)

    assert [o.bid_id for o in result.outcomes] == [1, 12, 13, 11, 10, 2]
    assert [o.rank for o in result.outcomes] == [1, 2, 3, 4, 5, 6]
    assert result.winner_ids == (1, 12, 13, 11, 10)  # 0.5400 = 1.8 × 0.3000 is the highest eligible price
    assert [o.winner_rank for o in result.outcomes] == [1, 2, 3, 4, 5, None]
    assert (
        "与其他 3 个报价单位可比价相同，依次按供应能力（大者在前）、递交时间（早者在前）、报价编号排序"
        in result.outcome(12).reasons
    )
    # the result does not depend on the order the bids came in
    assert evaluate_lot(lot(), list(reversed(bids))) == result


# --- invalid bids -------------------------------------------------------------------------------------


def test_bid_above_max_price_is_invalid_and_equal_to_max_is_valid():
    result = evaluate_lot(lot("0.5000"), [bid(1, "0.3000"), bid(2, "0.5000"), bid(3, "0.5001")])

    above = result.outcome(3)
    assert above.status == OutcomeStatus.INVALID
    assert above.invalid_reason == INVALID_ABOVE_MAX == "报价高于最高有效申报价"
    assert above.reasons == ("单位可比价 ¥0.5001 > 最高有效申报价 ¥0.5000，报价高于最高有效申报价，无效报价",)
    assert (above.rank, above.eligible) == (None, False)
    assert result.outcome(2).status != OutcomeStatus.INVALID
    assert result.valid_bidders == 2


@pytest.mark.parametrize("price", ["0", "0.0000", "-0.1000"])
def test_zero_or_negative_price_is_invalid_and_does_not_set_the_lowest(price):
    result = evaluate_lot(lot(), [bid(1, price), bid(2, "0.4000"), bid(3, "0.6000")])

    assert result.outcome(1).status == OutcomeStatus.INVALID
    assert result.outcome(1).invalid_reason == INVALID_NOT_POSITIVE
    assert result.lowest_price == D("0.4000")
    assert result.winner_ids == (2,)


def test_caller_marked_invalid_keeps_its_reason_and_takes_no_part():
    barred = bid(1, "0.0100", invalid="信用评价为严重失信，暂停投标资格")
    result = evaluate_lot(lot(), [barred, bid(2, "0.4000"), bid(3, "0.6000")])

    outcome = result.outcome(1)
    assert outcome.status == OutcomeStatus.INVALID
    assert outcome.invalid_reason == "信用评价为严重失信，暂停投标资格"
    assert outcome.reasons == ("无效报价：信用评价为严重失信，暂停投标资格",)
    assert result.lowest_price == D("0.4000")  # not the barred 0.0100
    assert result.valid_bidders == 2
    assert [o.bid_id for o in result.outcomes] == [2, 3, 1]  # invalid bids come last


def test_caller_reason_and_own_reason_are_both_shown():
    result = evaluate_lot(lot("0.5000"), [bid(1, "0.9000", invalid="产品不属于本品种"), bid(2, "0.3000")])
    outcome = result.outcome(1)
    assert outcome.invalid_reason == "产品不属于本品种"
    assert len(outcome.reasons) == 2 and INVALID_ABOVE_MAX in outcome.reasons[1]


def test_no_valid_bids():
    result = evaluate_lot(lot("0.5000"), [bid(1, "0.6000"), bid(2, "0", invalid=None)])

    assert result.winner_ids == ()
    assert result.lowest_price is None and result.ratio_threshold is None
    assert (result.valid_bidders, result.max_winners) == (0, 0)
    assert result.notes == ("无有效申报，本品种无中选企业",)
    assert all(o.status == OutcomeStatus.INVALID for o in result.outcomes)

    empty = evaluate_lot(lot(), [])
    assert empty.outcomes == () and empty.winner_ids == ()


def test_duplicate_bid_id_is_an_error():
    with pytest.raises(ValueError, match="报价编号 1 重复"):
        evaluate_lot(lot(), [bid(1, "0.3000"), bid(1, "0.4000")])


def test_naive_submission_time_is_rejected():
    with pytest.raises(ValueError, match="带时区"):
        BidInput(1, 1, 1, D("0.3"), 10, datetime(2025, 3, 1, 9, 0))


# --- number of winners --------------------------------------------------------------------------------


def test_at_most_ten_winners_by_default():
    # twelve valid bids 1.00 … 1.11, all within 1.8 × 1.00; 1.11 is the highest eligible price
    bids = [bid(i, f"1.{i - 1:02d}") for i in range(1, 13)]
    result = evaluate_lot(lot("2.0000"), bids)

    assert result.max_winners == 10
    assert result.winner_ids == tuple(range(1, 11))
    assert result.outcome(11).status == OutcomeStatus.NOT_SELECTED
    assert result.outcome(11).reasons[-1] == "有效报价排名第 11，超出本品种最多中选企业数 10，不予中选"
    assert result.outcome(12).reasons[-1] == "为入围报价中的最高价，不予中选"


def test_max_winners_table_and_cap():
    assert max_winners(SelectionRules(), 0) == 0
    assert [max_winners(SelectionRules(), n) for n in (1, 3, 40)] == [10, 10, 10]
    sliding = SelectionRules(max_winners_table=EXAMPLE_SLIDING_MAX_WINNERS_TABLE)
    assert [max_winners(sliding, n) for n in (1, 2, 3, 4, 5, 6, 7, 11, 12, 40)] == [1, 2, 2, 3, 4, 4, 5, 9, 10, 10]
    capped = SelectionRules(max_winners_table=EXAMPLE_SLIDING_MAX_WINNERS_TABLE, max_winners_cap=5)
    assert max_winners(capped, 40) == 5


def test_sliding_table_limits_winners_by_valid_bidders():
    sliding = SelectionRules(max_winners_table=EXAMPLE_SLIDING_MAX_WINNERS_TABLE)
    bids = [bid(i, f"1.{i:02d}") for i in range(1, 6)]  # 5 valid bidders → at most 4 winners
    result = evaluate_lot(lot("2.0000"), bids, sliding)
    assert result.max_winners == 4
    assert result.winner_ids == (1, 2, 3, 4)  # 1.05 is excluded as the highest anyway


def test_valid_bidders_are_distinct_manufacturers():
    sliding = SelectionRules(max_winners_table=EXAMPLE_SLIDING_MAX_WINNERS_TABLE)
    bids = [bid(1, "0.3000", manufacturer=7), bid(2, "0.3000", manufacturer=7)]
    result = evaluate_lot(lot(), bids, sliding)
    assert result.valid_bidders == 1
    assert result.winner_ids == (1,)


# --- storage --------------------------------------------------------------------------------------------


def test_rules_round_trip_and_defaults():
    rules = SelectionRules(
        ratio_to_lowest=D("1.5"),
        max_winners_table=[[1, 1], [4, 3]],
        agreed_share_table={"1": "0.5", "4": "0.8"},
        respect_supply_capacity=False,
    )
    assert rules.max_winners_table == ((1, 1), (4, 3))
    assert rules.agreed_share_table == ((1, D("0.5")), (4, D("0.8")))
    stored = json.loads(json.dumps(rules.to_dict()))
    assert stored["ratio_to_lowest"] == "1.5"
    assert SelectionRules.from_dict(stored) == rules
    assert SelectionRules.from_dict({}) == SelectionRules()
    assert SelectionRules().to_dict()["agreed_share_table"] == [[1, "0.50"], [2, "0.60"], [3, "0.70"], [4, "0.80"]]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"ratio_to_lowest": 1.8}, TypeError),
        ({"ratio_to_lowest": D("0.9")}, ValueError),
        ({"discount_from_max": D("1")}, ValueError),
        ({"floor_price": D("-0.01")}, ValueError),
        ({"max_winners_cap": 0}, ValueError),
        ({"max_winners_table": [(2, 3)]}, ValueError),
        ({"max_winners_table": []}, ValueError),
        ({"agreed_share_table": [(1, "1.2")]}, ValueError),
        ({"exclude_highest": "yes"}, TypeError),
    ],
)
def test_bad_rules_are_rejected(kwargs, error):
    with pytest.raises(error):
        SelectionRules(**kwargs)


def test_unknown_rule_key_is_rejected():
    with pytest.raises(ValueError, match="未知的评审规则项：ratio"):
        SelectionRules.from_dict({"ratio": "1.8"})


def test_evaluation_round_trips_through_json():
    bids = [bid(1, "0.1500"), bid(2, "0.2300"), bid(3, "0.2000"), bid(4, "0.9000"), bid(5, "1.2000")]
    result = evaluate_lot(lot(), bids)
    stored = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))

    assert stored["lowest_price"] == "0.1500"
    assert stored["outcomes"][0]["comparison_price"] == "0.1500"
    assert stored["outcomes"][0]["criteria_met"] == ["ratio_to_lowest", "discount_from_max"]
    assert stored["outcomes"][-1]["status"] == "invalid"
    assert LotEvaluation.from_dict(stored) == result

    stored_bid = json.loads(json.dumps(bids[0].to_dict()))
    assert stored_bid["submitted_at"] == "2025-03-01T09:00:00+08:00"
    assert BidInput.from_dict(stored_bid) == bids[0]
    assert LotInput.from_dict(lot().to_dict()) == lot()


# --- many lots --------------------------------------------------------------------------------------------


def test_evaluate_tender_maps_each_lot():
    lots = [lot("1.0000", 1), lot("0.5000", 2), lot("2.0000", 3)]
    results = evaluate_tender(lots, {1: [bid(1, "0.3000"), bid(2, "0.4000")], 2: [bid(3, "0.6000")]})

    assert list(results) == [1, 2, 3]
    assert results[1].winner_ids == (1,)
    assert results[2].winner_ids == ()  # the only bid is above max
    assert results[3].outcomes == ()  # no bids


def test_evaluate_tender_rejects_bids_for_an_unknown_lot():
    with pytest.raises(ValueError, match="不在本次采购中：9"):
        evaluate_tender([lot(lot_id=1)], {9: [bid(1, "0.3000")]})


# --- agreed share and volume --------------------------------------------------------------------------


@pytest.mark.parametrize(("winners", "share"), [(1, "0.50"), (2, "0.60"), (3, "0.70"), (4, "0.80"), (10, "0.80")])
def test_agreed_share_by_number_of_winners(winners, share):
    assert agreed_share(SelectionRules(), winners) == D(share)


def test_agreed_share_custom_table_and_zero_winners():
    flat = SelectionRules(agreed_share_table=[(1, D("0.60")), (4, D("0.80"))])
    assert [agreed_share(flat, n) for n in (1, 3, 4, 7)] == [D("0.60"), D("0.60"), D("0.80"), D("0.80")]
    with pytest.raises(ValueError):
        agreed_share(SelectionRules(), 0)


@pytest.mark.parametrize(
    ("reported", "share", "agreed"),
    [
        (5, "0.50", 3),
        (3, "0.50", 2),
        (1, "0.50", 1),
        (7, "0.70", 5),
        (9, "0.60", 5),
        (1001, "0.70", 701),
        (0, "0.80", 0),
    ],
)
def test_agreed_volume_rounds_half_up(reported, share, agreed):
    assert agreed_volume(reported, D(share)) == agreed


# --- allocation -----------------------------------------------------------------------------------------

W1 = Winner(manufacturer_id=101, product_id=201, awarded_price=D("0.1500"))
W2 = Winner(manufacturer_id=102, product_id=202, awarded_price=D("0.1800"))
W3 = Winner(manufacturer_id=103, product_id=203, awarded_price=D("0.2000"))
FULL_SHARE = SelectionRules(agreed_share_table=[(1, D("1"))])  # agreed = reported: volumes easy to follow


def test_region_picks_three_winners_five_regions():
    # 3 winners → 70%; agreed volumes: region 1: 700, 2: 3500, 3: 2100, 4: 2800, 5: 1400
    demands = [
        Demand(hospital_id=1, region_id=1, reported_volume=1000),
        Demand(hospital_id=2, region_id=2, reported_volume=5000),
        Demand(hospital_id=3, region_id=3, reported_volume=3000),
        Demand(hospital_id=4, region_id=4, reported_volume=4000),
        Demand(hospital_id=5, region_id=5, reported_volume=2000),
    ]
    allocations = allocate(7, [W1, W2, W3], demands)

    by_region = {a.region_id: a.manufacturer_id for a in allocations}
    # round 1: W1 takes the largest (2), W2 the next (4), W3 the next (3); round 2: W1 takes 5, W2 takes 1
    assert by_region == {2: 101, 4: 102, 3: 103, 5: 101, 1: 102}
    assert [a.agreed_volume for a in allocations] == [700, 3500, 2100, 2800, 1400]
    assert all(a.lot_id == 7 and a.share == D("0.70") for a in allocations)
    assert allocations[0].reason == (
        "未指定产品，由本统筹区主供企业供应（第 2 轮由中选顺位第 2 的企业选定本统筹区）；"
        "约定采购量 = 报量 1000 × 70%，四舍五入取整 = 700"
    )

    picks = pick_regions([W1, W2, W3], {1: 700, 2: 3500, 3: 2100, 4: 2800, 5: 1400})
    assert [(p.round_no, p.winner_rank, p.region_id) for p in picks] == [
        (1, 1, 2),
        (1, 2, 4),
        (1, 3, 3),
        (2, 1, 5),
        (2, 2, 1),
    ]


def test_region_volume_ties_go_to_the_smaller_region_id():
    picks = pick_regions([W1, W2], {5: 100, 3: 100, 4: 50})
    assert [(p.winner_rank, p.region_id) for p in picks] == [(1, 3), (2, 5), (1, 4)]


def test_named_winning_brand_gets_that_product():
    demands = [
        Demand(hospital_id=1, region_id=1, reported_volume=100, named_product_id=202),
        Demand(hospital_id=2, region_id=1, reported_volume=300),
    ]
    allocations = allocate(7, [W1, W2], demands)

    assert (allocations[0].product_id, allocations[0].manufacturer_id) == (202, 102)
    assert allocations[0].agreed_volume == 60  # 2 winners → 60%
    assert allocations[0].reason.startswith("指定中选产品，由该产品供应")
    assert (allocations[1].product_id, allocations[1].manufacturer_id) == (201, 101)  # region 1 picked by W1


def test_named_losing_brand_is_supplied_by_the_regions_primary_winner():
    demands = [
        Demand(hospital_id=1, region_id=1, reported_volume=1000),
        Demand(hospital_id=2, region_id=2, reported_volume=800),
        Demand(hospital_id=3, region_id=2, reported_volume=55, named_product_id=999),  # 999 did not win
    ]
    allocations = allocate(7, [W1, W2], demands)

    losing = allocations[2]
    assert (losing.product_id, losing.manufacturer_id) == (202, 102)  # region 2's primary winner is W2
    assert losing.reason.startswith("指定产品未中选，由本统筹区主供企业供应")
    assert losing.agreed_volume == 33  # 55 × 60% = 33
    assert allocations[1].manufacturer_id == 102


def test_named_volume_does_not_count_as_unassigned_region_demand():
    # region 1 has 1000 reported, but 900 of it names W2's product: 100 unassigned → region 2 (500) goes first
    demands = [
        Demand(hospital_id=1, region_id=1, reported_volume=900, named_product_id=202),
        Demand(hospital_id=2, region_id=1, reported_volume=100),
        Demand(hospital_id=3, region_id=2, reported_volume=500),
    ]
    allocations = allocate(7, [W1, W2], demands, FULL_SHARE)
    assert [a.manufacturer_id for a in allocations] == [102, 102, 101]


def test_supply_capacity_skips_a_full_winner_in_later_picks():
    small = Winner(manufacturer_id=101, product_id=201, awarded_price=D("0.15"), supply_capacity=1000)
    large = Winner(manufacturer_id=102, product_id=202, awarded_price=D("0.18"), supply_capacity=None)
    volumes = {1: 1000, 2: 800, 3: 600, 4: 100}

    picks = pick_regions([small, large], volumes, FULL_SHARE)
    # round 1: small takes region 1 and is at capacity; then large takes every other region
    assert [(p.round_no, p.winner_rank, p.region_id) for p in picks] == [(1, 1, 1), (1, 2, 2), (2, 2, 3), (3, 2, 4)]

    ignored = pick_regions([small, large], volumes, SelectionRules(respect_supply_capacity=False))
    assert [(p.winner_rank, p.region_id) for p in ignored] == [(1, 1), (2, 2), (1, 3), (2, 4)]


def test_named_volume_counts_toward_capacity():
    small = Winner(manufacturer_id=101, product_id=201, awarded_price=D("0.15"), supply_capacity=100)
    demands = [
        Demand(hospital_id=1, region_id=1, reported_volume=100, named_product_id=201),
        Demand(hospital_id=2, region_id=2, reported_volume=500),
    ]
    allocations = allocate(7, [small, W2], demands, FULL_SHARE)
    assert [a.manufacturer_id for a in allocations] == [101, 102]


def test_when_every_winner_is_full_regions_are_still_picked_in_rank_order():
    a = Winner(manufacturer_id=101, product_id=201, awarded_price=D("0.15"), supply_capacity=500)
    b = Winner(manufacturer_id=102, product_id=202, awarded_price=D("0.18"), supply_capacity=500)
    demands = [Demand(1, 1, 1000), Demand(2, 2, 800), Demand(3, 3, 600)]
    allocations = allocate(7, [a, b], demands, FULL_SHARE)

    assert [a.manufacturer_id for a in allocations] == [101, 102, 101]
    assert (
        "第 2 轮由中选顺位第 1 的企业选定本统筹区（各中选企业均已达申报供应能力，仍按顺位选择）"
        in allocations[2].reason
    )


def test_zero_volume_demand_keeps_an_allocation_of_zero():
    demands = [Demand(1, 1, 1000), Demand(2, 2, 0)]
    allocations = allocate(7, [W1, W2], demands)

    zero = allocations[1]
    assert zero.agreed_volume == 0
    assert zero.manufacturer_id == 102  # region 2 with only zero demand is still picked, last
    assert zero.reason.endswith("（报量为 0，约定采购量为 0）")


def test_allocation_errors():
    with pytest.raises(ValueError, match="无中选企业"):
        allocate(7, [], [Demand(1, 1, 10)])
    assert allocate(7, [], []) == []
    with pytest.raises(ValueError, match="医疗机构 1 报量重复"):
        allocate(7, [W1], [Demand(1, 1, 10), Demand(1, 2, 10)])
    with pytest.raises(ValueError, match="不能为负"):
        Demand(1, 1, -5)


def test_allocation_round_trips_through_json():
    (allocation,) = allocate(7, [W1], [Demand(1, 1, 11)])
    stored = json.loads(json.dumps(allocation.to_dict(), ensure_ascii=False))
    assert stored["share"] == "0.50" and stored["agreed_volume"] == 6  # 5.5 → 6
    assert Allocation.from_dict(stored) == allocation


def test_from_evaluation_to_allocation():
    result = evaluate_lot(lot(), [bid(1, "0.3000", capacity=5000), bid(2, "0.4000"), bid(3, "0.5000")])
    winners = [Winner.from_outcome(o, awarded_price=o.comparison_price) for o in result.winners]
    assert [w.product_id for w in winners] == [201, 202]
    allocations = allocate(1, winners, [Demand(1, 1, 100), Demand(2, 2, 200, named_product_id=203)])
    # 203 (bid 3) was excluded as the highest eligible price: its hospital goes to region 2's primary winner
    assert [(a.product_id, a.agreed_volume) for a in allocations] == [(202, 60), (201, 120)]


def test_defaults_come_from_the_platform_rules_and_a_tenders_own_rules_override_them(settings):
    """New rules start from common.rules.selection_defaults() (settings, read when made); stored keys win."""
    settings.TENDER_RATIO_TO_LOWEST = "1.5"
    settings.TENDER_DISCOUNT_FROM_MAX = "0.40"
    settings.TENDER_FLOOR_PRICE = "0.0500"
    settings.TENDER_MAX_WINNERS_TABLE = [(1, 2), (5, 4)]
    settings.TENDER_AGREED_SHARE_TABLE = [(1, "0.70")]
    fresh = SelectionRules()
    assert (fresh.ratio_to_lowest, fresh.discount_from_max, fresh.floor_price) == (D("1.5"), D("0.40"), D("0.0500"))
    assert fresh.max_winners_table == ((1, 2), (5, 4))
    assert agreed_share(fresh, 3) == D("0.70")
    stored = SelectionRules.from_dict({"ratio_to_lowest": "1.8", "agreed_share_table": [[1, "0.50"]]})
    assert stored.ratio_to_lowest == D("1.8")  # the tender's own value
    assert agreed_share(stored, 3) == D("0.50")
    assert stored.floor_price == D("0.0500")  # a key the tender did not store takes today's default
