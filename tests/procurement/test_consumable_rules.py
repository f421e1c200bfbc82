"""The consumable selection rules (procurement.evaluation.consumables), each batch's published rule reproduced on a
worked example: the national coronary stent batch (GH-HD2020-1), the national artificial joint batch's groups A/B
(GH-HD2021-1) and the national spine batch's "40 % of the max price" line. Sources: docs/consumables.md."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from procurement.evaluation.consumables import (
    PRESETS,
    PRICE_LINE,
    RATIO,
    REVIVAL,
    SHARE_OF_MAX,
    Bidder,
    ConsumableBidInput,
    ConsumableLotInput,
    ConsumableRules,
    evaluate_consumable_lot,
    split_ab,
)

T0 = datetime(2020, 11, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _chinese():
    """The messages are asserted in Chinese, whatever language an earlier test in this process left active."""
    with translation.override("zh-hans"):
        yield


def bid(n, price, *, maker=None, volume=0, qualified=True, revival=False, reason=None):
    return ConsumableBidInput(
        bid_id=n,
        manufacturer_id=maker or 100 + n,
        product_id=200 + n,
        price=Decimal(price),
        volume=volume,
        submitted_at=T0,
        qualified_for_a=qualified,
        accepts_revival=revival,
        invalid_reason=reason,
    )


def statuses(evaluation):
    return {o.bid_id: (str(o.status), o.criteria) for o in evaluation.outcomes}


def test_stent_batch_1_8_times_lowest_or_below_2850():
    """GH-HD2020-1: selectable if the bid ≤ 1.8 × the lowest product bid, or above that but below ¥2,850.

    Lowest 469 → the ratio line is 844.20 (inclusive); 2,849.99 is below the price line, 2,850.00 is not."""
    rules = ConsumableRules.from_preset("national_stent_2020")
    prices = ["469", "590", "645", "798", "844.20", "844.21", "848", "2849.99", "2850", "3000"]
    result = evaluate_consumable_lot(
        ConsumableLotInput(1, Decimal("10000")), [bid(i + 1, p) for i, p in enumerate(prices)], rules
    )
    got = statuses(result)
    assert got[1] == ("selected", (RATIO, PRICE_LINE))
    assert got[5] == ("selected", (RATIO, PRICE_LINE))  # exactly 1.8 × 469 = 844.20
    assert got[6] == ("selected", (PRICE_LINE,))  # above the ratio line, below 2,850
    assert got[8] == ("selected", (PRICE_LINE,))
    assert got[9] == ("not_selected", ())  # "低于 2850" is strict
    assert got[10] == ("not_selected", ())
    assert result.winner_ids == (1, 2, 3, 4, 5, 6, 7, 8)
    assert result.awarded_prices[5] == Decimal("844.20")


def test_joint_batch_groups_a_and_b_by_intended_volume():
    """GH-HD2021-1: rank the bidders by intended volume; those covered by the first 85 % of the cumulative volume
    and meeting the other conditions form group A, topped up in volume order to 7; the rest form group B.

    Volumes 300, 200, 150, 100, 80, 60, 40, 30, 25, 15 (total 1,000, line 850): the first six are covered (the
    sixth's 830 → 890 crosses the line). D does not commit to supply every region, so A has five covered bidders
    and is topped up with G and H; D, I and J are in group B."""
    names = "ABCDEFGHIJ"
    volumes = [300, 200, 150, 100, 80, 60, 40, 30, 25, 15]
    bidders = [Bidder(i + 1, v, qualified_for_a=names[i] != "D") for i, v in enumerate(volumes)]
    rules = ConsumableRules.from_preset("national_joint_2021")
    groups = split_ab(bidders, share=rules.group_a_share, minimum=rules.group_a_min)
    label = {i + 1: n for i, n in enumerate(names)}
    assert sorted(label[m] for m in groups.covered) == list("ABCDEF")
    assert sorted(label[m] for m in groups.a) == list("ABCEFGH")
    assert sorted(label[m] for m in groups.topped_up) == list("GH")
    assert sorted(label[m] for m in groups.b) == list("DIJ")


def test_joint_batch_group_a_not_topped_up_past_the_qualified():
    """Fewer than 7 qualified bidders: all of them are in A, no further top-up."""
    bidders = [Bidder(1, 500), Bidder(2, 300), Bidder(3, 100, False), Bidder(4, 50), Bidder(5, 50, False)]
    groups = split_ab(bidders, share=Decimal("0.85"), minimum=7)
    assert groups.a == {1, 2, 4}
    assert groups.b == {3, 5}


def test_groups_compete_separately_in_the_evaluation():
    rules = ConsumableRules.from_preset("national_joint_2021", group_a_min=2)
    bids = [
        bid(1, "5000", volume=600),
        bid(2, "9500", volume=300),  # A: 9,500 > 1.8 × 5,000 = 9,000 → not selected
        bid(3, "7000", volume=60),  # B's lowest
        bid(4, "12000", volume=40),  # B: 12,000 ≤ 1.8 × 7,000 = 12,600 → selected in B
    ]
    result = evaluate_consumable_lot(ConsumableLotInput(1, Decimal("20000")), bids, rules)
    assert result.groups == {101: "A", 102: "A", 103: "B", 104: "B"}
    assert result.winner_ids == (1, 3, 4)
    assert result.outcome(2).reason == "未满足任一中选条件"


def test_spine_batch_forty_percent_of_the_max_price():
    """National spine batch: a bid at ≤ 40 % of the max valid price (打四折) is selected."""
    rules = ConsumableRules.from_preset("national_spine_2022")
    result = evaluate_consumable_lot(
        ConsumableLotInput(1, Decimal("10000")), [bid(1, "3900"), bid(2, "4000"), bid(3, "4000.01")], rules
    )
    got = statuses(result)
    assert got[1] == ("selected", (SHARE_OF_MAX,))
    assert got[2] == ("selected", (SHARE_OF_MAX,))  # exactly 40 %
    assert got[3] == ("not_selected", ())


def test_revival_selects_at_the_groups_highest_selected_price():
    rules = ConsumableRules(ratio_to_lowest="1.8", revival=True)
    bids = [bid(1, "100"), bid(2, "150"), bid(3, "200", revival=True), bid(4, "250")]
    result = evaluate_consumable_lot(ConsumableLotInput(1, Decimal("1000")), bids, rules)
    assert result.winner_ids == (1, 2, 3)
    revived = result.outcome(3)
    assert revived.revived and revived.criteria == (REVIVAL,)
    assert revived.awarded_price == Decimal("150")  # not its own 200
    assert result.outcome(4).status == "not_selected"
    # Off by default: the same bids without the revival rule.
    plain = evaluate_consumable_lot(
        ConsumableLotInput(1, Decimal("1000")), bids, ConsumableRules(ratio_to_lowest="1.8")
    )
    assert plain.winner_ids == (1, 2)


def test_group_b_capped_by_group_a_and_winner_cap():
    rules = ConsumableRules(grouping="ab_by_volume", group_a_min=1, group_a_share="0.5", b_capped_by_a=True)
    bids = [bid(1, "100", volume=900), bid(2, "160", volume=50), bid(3, "140", volume=50)]
    result = evaluate_consumable_lot(ConsumableLotInput(1, Decimal("1000")), bids, rules)
    assert result.groups[101] == "A"
    # B (bids 2 and 3) would select both within 1.8 × 140, but A's highest selected price is 100: both are refused.
    assert result.winner_ids == (1,)
    assert "高于A组最高中选价 ¥100.0000" in result.outcome(3).reason
    capped = ConsumableRules(ratio_to_lowest="1.8", max_winners=2)
    three = evaluate_consumable_lot(
        ConsumableLotInput(1, Decimal("1000")), [bid(1, "10"), bid(2, "11"), bid(3, "12")], capped
    )
    assert three.winner_ids == (1, 2)
    assert "最多中选数 2" in three.outcome(3).reason


def test_invalid_bids_and_no_drug_floor():
    rules = ConsumableRules(ratio_to_lowest="1.8")
    bids = [bid(1, "0.05"), bid(2, "1001"), bid(3, "0.09", reason="注册证无效")]
    result = evaluate_consumable_lot(ConsumableLotInput(1, Decimal("1000")), bids, rules)
    assert result.winner_ids == (1,)
    assert result.outcome(2).reason == "报价高于最高有效申报价"
    assert result.outcome(3).status == "invalid"
    # A ¥0.09 bid is not selected for being under ¥0.10: consumables have no floor criterion at all.
    assert "floor_price" not in ConsumableRules().to_dict()


def test_rules_round_trip_and_bad_rules():
    rules = ConsumableRules.from_preset("national_joint_2021")
    assert ConsumableRules.from_dict(rules.to_dict()) == rules
    assert rules.preset == "national_joint_2021"
    with pytest.raises(ValueError, match="未知的耗材评审规则项"):
        ConsumableRules.from_dict({"floor_price": "0.1"})
    with pytest.raises(ValueError, match="至少应设置一项中选条件"):
        ConsumableRules(ratio_to_lowest=None)
    with pytest.raises(ValueError, match="不能小于 1"):
        ConsumableRules(ratio_to_lowest="0.9")
    with pytest.raises(ValueError, match="未知的分组方式"):
        ConsumableRules(grouping="abc")
    for preset in PRESETS.values():
        assert preset.source and preset.label
