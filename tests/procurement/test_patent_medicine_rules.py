"""The patent-medicine rule set (中成药 / 蒙成药): price reductions from the 最高有效申报价, never the chemical-drug
1.8× / ¥0.10 / highest-excluded rules; chosen per tender by its stored rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from procurement.evaluation import (
    BidInput,
    Criterion,
    LotInput,
    OutcomeStatus,
    PatentMedicineRules,
    SelectionRules,
    describe_rules,
    evaluate_lot,
    evaluate_patent_lot,
    rules_from_dict,
)
from procurement.models import Bid
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding

T0 = datetime(2026, 3, 1, tzinfo=UTC)
LOT = LotInput(lot_id=1, max_price=Decimal("10.0000"))


def _bid(i: int, price: str) -> BidInput:
    return BidInput(
        bid_id=i,
        manufacturer_id=100 + i,
        product_id=200 + i,
        comparison_price=Decimal(price),
        supply_capacity=1000,
        submitted_at=T0 + timedelta(minutes=i),
    )


def test_reduction_or_average_makes_eligible_and_a_share_of_bidders_wins():
    # reductions 40 %, 25 %, 15 %, 5 %; average price 7.75 (22.5 %)
    bids = [_bid(1, "6.0000"), _bid(2, "7.5000"), _bid(3, "8.5000"), _bid(4, "9.5000")]
    result = evaluate_patent_lot(LOT, bids, PatentMedicineRules(min_reduction="0.20", winner_share="0.70"))
    by_id = {o.bid_id: o for o in result.outcomes}
    assert result.max_winners == 3  # ⌈4 × 0.7⌉
    assert by_id[1].criteria_met == (Criterion.DISCOUNT_FROM_MAX, Criterion.AVERAGE_REDUCTION)
    assert by_id[2].criteria_met == (Criterion.DISCOUNT_FROM_MAX, Criterion.AVERAGE_REDUCTION)
    assert by_id[3].criteria_met == () and by_id[3].status == OutcomeStatus.NOT_SELECTED
    assert by_id[4].criteria_met == ()
    assert result.winner_ids == (1, 2)  # bid 2 is the highest eligible price and still wins: no such rule here
    assert any("降幅 40.00 %" in r for r in by_id[1].reasons)


def test_the_chemical_rules_would_decide_otherwise():
    """The same bids under the chemical-drug rules: 1.8 × lowest makes 3 eligible and the highest of them loses."""
    bids = [_bid(1, "6.0000"), _bid(2, "7.5000"), _bid(3, "8.5000"), _bid(4, "9.5000")]
    chemical = evaluate_lot(LOT, bids, SelectionRules())
    patent = evaluate_patent_lot(LOT, bids, PatentMedicineRules())
    assert chemical.winner_ids != patent.winner_ids


def test_average_reduction_alone_when_no_bid_reaches_the_minimum():
    bids = [_bid(1, "9.0000"), _bid(2, "9.6000")]  # 10 % and 4 %: below 20 %; average 9.3
    result = evaluate_patent_lot(LOT, bids, PatentMedicineRules())
    assert result.winner_ids == (1,)
    assert result.outcome(1).criteria_met == (Criterion.AVERAGE_REDUCTION,)
    off = evaluate_patent_lot(LOT, bids, PatentMedicineRules(at_least_average_reduction=False))
    assert off.winner_ids == ()


def test_invalid_bids_take_no_part_and_no_valid_bid_means_no_winner():
    result = evaluate_patent_lot(LOT, [_bid(1, "12.0000"), _bid(2, "0")], PatentMedicineRules())
    assert result.winner_ids == () and {o.status for o in result.outcomes} == {OutcomeStatus.INVALID}


@pytest.mark.parametrize(
    "bad",
    [{"min_reduction": "1.2"}, {"winner_share": "0"}, {"ratio_to_lowest": "1.8"}, {"min_reduction": 0.2}],
)
def test_bad_patent_rules_are_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        rules_from_dict({"rule_set": "patent_medicine", **bad})


def test_rule_sets_by_name_and_defaults_from_settings():
    assert isinstance(rules_from_dict({}), SelectionRules)
    assert isinstance(rules_from_dict({"rule_set": "chemical"}), SelectionRules)
    with pytest.raises(ValueError):
        rules_from_dict({"rule_set": "unknown"})
    with override_settings(TENDER_PATENT_MIN_REDUCTION="0.35"):
        assert rules_from_dict({"rule_set": "patent_medicine"}).min_reduction == Decimal("0.35")
    described = describe_rules({"rule_set": "patent_medicine"})
    assert described["rule_set"] == "patent_medicine" and not any("1.8" in line for line in described["lines"])


@pytest.mark.django_db
def test_a_patent_medicine_tender_is_evaluated_and_awarded_by_its_rule_set(world):
    svc.tender_set_rules(
        tender=world["tender"], rules={"rule_set": "patent_medicine", "min_reduction": "0.50"}, by=world["official"]
    )
    to_bidding(world)
    lot, reps, products = world["lot"], world["reps"], world["products"]  # max price 1.2000
    a = svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=10**6, by=reps[0])  # 58 %
    b = svc.bid_submit(lot=lot, product=products[1], price="1.1000", supply_capacity=10**6, by=reps[1])  # 8 %
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=world["tender"], by=world["official"])
    run = svc.tender_evaluate(tender=world["tender"], by=world["official"])
    assert run.rules["rule_set"] == "patent_medicine"
    assert run.outputs[str(lot.pk)]["winner_ids"] == [a.pk]
    svc.tender_award(tender=world["tender"], by=world["official"])
    assert Bid.objects.get(pk=a.pk).status == "selected" and Bid.objects.get(pk=b.pk).status == "not_selected"
    assert Bid.objects.get(pk=a.pk).award.awarded_price == Decimal("0.5000")


@pytest.mark.django_db
def test_officials_choose_the_rule_set_on_the_tender_page(world, client):
    tender = world["tender"]
    client.force_login(world["official"])
    form = {
        "rules-rule_set": "patent_medicine",
        "rules-ratio_to_lowest": "1.8",
        "rules-discount_from_max": "0.5",
        "rules-floor_price": "0.1",
        "rules-max_winners_cap": "5",
        "rules-min_reduction": "0.3",
        "rules-winner_share": "0.6",
    }
    assert client.post(f"/tenders/{tender.pk}/do/rules/", form).status_code == 302
    tender.refresh_from_db()
    assert tender.rules["rule_set"] == "patent_medicine" and tender.rules["min_reduction"] == "0.3"
    assert "ratio_to_lowest" not in tender.rules and tender.rules["max_winners_cap"] == 5
    page = client.get(f"/tenders/{tender.pk}/").content.decode()
    assert 'value="patent_medicine" selected' in page
    # a bad share is refused naming the rules, and nothing changes
    response = client.post(f"/tenders/{tender.pk}/do/rules/", {**form, "rules-winner_share": "1.5"})
    assert response.status_code == 400
    tender.refresh_from_db()
    assert tender.rules["winner_share"] == "0.6"
    # back to the chemical rules
    assert client.post(f"/tenders/{tender.pk}/do/rules/", {**form, "rules-rule_set": "chemical"}).status_code == 302
    tender.refresh_from_db()
    assert "rule_set" not in tender.rules and tender.rules["ratio_to_lowest"] == "1.8"
