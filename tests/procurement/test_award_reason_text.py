"""The evaluation's reasons and notes say prices with ¥ and separators and rates in per cent, in the reader's
language: they are stored as what they mean (a message and its parameters, common.messages), not as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from common.templatetags.display import format_percent
from procurement.evaluation import (
    BidInput,
    LotEvaluation,
    LotInput,
    PatentMedicineRules,
    evaluate_lot,
    evaluate_patent_lot,
)
from procurement.evaluation.inputs import Reason
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding
from tests.utils import client_as


def test_a_rate_is_shown_in_per_cent():
    assert format_percent(Decimal("0.4523")) == "45.23 %"
    assert format_percent("0.5") == "50.00 %" and format_percent(None) == "—"


def test_reasons_keep_their_meaning_through_storage():
    lot = LotInput(lot_id=1, max_price=Decimal("1234.5000"))
    bid = BidInput(
        bid_id=1,
        manufacturer_id=1,
        product_id=1,
        comparison_price=Decimal("676.1781"),
        supply_capacity=1,
        submitted_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    result = evaluate_patent_lot(lot, [bid], PatentMedicineRules())
    first = result.outcome(1).reasons[0]
    assert first == "降幅 45.23 %（单价 ¥676.1781，最高有效申报价 ¥1,234.5000）≥ 基准降幅 20.00 %"
    stored = result.to_dict()["outcomes"][0]["reasons"][0]
    assert stored["text"] == "降幅 %(reduction)s（单价 %(price)s，最高有效申报价 %(max)s）%(op)s 基准降幅 %(min)s"
    assert stored["params"]["reduction"] == "45.23 %"
    chemical = evaluate_lot(lot, [bid])  # stored and read back (LotEvaluation.from_dict reads the chemical rules)
    again = LotEvaluation.from_dict(chemical.to_dict())
    assert again.outcome(1).reasons == chemical.outcome(1).reasons and isinstance(again.outcome(1).reasons[0], Reason)
    assert "最高有效申报价 ¥1,234.5000 × (1 − 50.00 %) = ¥617.2500" in again.outcome(1).reasons[1]
    # a reason stored as text before reasons were messages is read as it is
    legacy = chemical.to_dict()
    legacy["outcomes"][0]["reasons"] = ["单位可比价 0.4523"]
    assert LotEvaluation.from_dict(legacy).outcome(1).reasons == ("单位可比价 0.4523",)


@pytest.mark.django_db
def test_the_evaluation_and_bid_pages_say_the_reduction_in_per_cent_in_either_language(world):
    official = world["official"]
    svc.tender_set_rules(
        tender=world["tender"], rules={"rule_set": "patent_medicine", "min_reduction": "0.50"}, by=official
    )
    to_bidding(world)
    lot, reps, products = world["lot"], world["reps"], world["products"]  # max price 1.2000
    svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=10**6, by=reps[0])  # 58.33 %
    svc.bid_submit(lot=lot, product=products[1], price="1.1000", supply_capacity=10**6, by=reps[1])  # 8.33 %
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=world["tender"], by=official)
    svc.tender_evaluate(tender=world["tender"], by=official)
    url = f"/tenders/{world['tender'].pk}/evaluation/"
    zh = client_as(official).get(url).content.decode()
    assert "降幅 58.33 %（单价 ¥0.5000，最高有效申报价 ¥1.2000）≥ 基准降幅 50.00 %" in zh
    assert "降幅 8.33 %" in zh and "0.5833" not in zh and "58.33%" not in zh
    en = client_as(official, "en").get(url).content.decode()
    assert "reduction of 58.33 % (unit price ¥0.5000, max valid price ¥1.2000) ≥ the base reduction of 50.00 %" in en
    assert "降幅" not in en
    svc.tender_award(tender=world["tender"], by=official)
    mine = client_as(reps[0], "en").get(f"/tenders/{world['tender'].pk}/my-bids/").content.decode()
    assert "reduction of 58.33 %" in mine


@pytest.mark.django_db
def test_the_public_announcement_says_the_rules_rate_in_per_cent_and_prices_in_yuan(world):
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    url = f"/public/tenders/{world['tender'].pk}/"
    en = client_as(None, "en").get(url).content.decode()
    assert "or at least 50.00 % below the max valid price" in en and "¥1.2000" in en and "¥0.1000" in en
    zh = client_as(None).get(url).content.decode()
    assert "或比最高有效申报价降幅不低于 50.00 %" in zh and "降幅不低于 0.5" not in zh
