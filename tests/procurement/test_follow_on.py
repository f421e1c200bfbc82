"""接续采购: a follow-on tender pre-filled from an ended batch — its lots, the demand carried over, the price caps of
the renewal rule — and refused (409 cycle_not_ended) while the cycle runs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from common.errors import ConflictError, ValidationFailed
from procurement.models import DemandReport, Tender
from procurement.services import tenders as svc
from tests.procurement.test_batch_results import good_rows, results, run


@pytest.fixture
def ended(world):
    tender = run(world, results(world, *good_rows(world))).tender
    lot = tender.lots.get()
    for i, buyer in enumerate(world["buyers"]):
        svc.demand_report(lot=lot, by=buyer, annual_volume=1000 * (i + 1))
    svc.imported_results_confirm(tender=tender, by=world["official"])
    return tender


def end_cycle(tender):
    Tender.objects.filter(pk=tender.pk).update(cycle_start=date(2024, 1, 1), cycle_end=date(2025, 12, 31))
    tender.refresh_from_db()


def follow(world, tender, **extra):
    now = timezone.now()
    return svc.tender_follow_on_create(
        tender=tender,
        by=world["official"],
        code="GJ-10-JX",
        name="第十批接续采购",
        demand_start=now,
        demand_end=now + timedelta(days=7),
        bid_deadline=now + timedelta(days=8),
        opening_at=now + timedelta(days=8),
        cycle_start=date(2026, 1, 1),
        cycle_end=date(2027, 12, 31),
        **extra,
    )


def test_follow_on_is_prefilled_with_lots_demand_and_the_capped_price(world, ended):
    end_cycle(ended)
    new = follow(world, ended)
    assert (new.origin, new.follows, new.status, new.level) == ("follow_on", ended, "draft", "national")
    lot = new.lots.get()
    # not above the expiring awarded price: the lot's highest awarded unit comparison price (0.80, below the 1.20 max)
    assert (lot.number, lot.generic_name, lot.max_price) == ("1", "阿托伐他汀钙片", Decimal("0.8000"))
    carried = DemandReport.objects.filter(tender=new).order_by("annual_volume")
    assert [d.annual_volume for d in carried] == [1000, 2000, 3000, 4000]
    assert all(d.reported_by is None for d in carried)
    assert sorted(new.origin_detail["former_winners"]) == sorted(m.pk for m in world["makers"][:2])


@pytest.mark.parametrize(
    ("cap", "factor", "expected"),
    [("lowest_awarded", None, "0.6000"), ("max_price", None, "1.2000"), ("highest_awarded", "0.9", "0.7200")],
)
def test_the_cap_rule_is_the_tenders(world, ended, cap, factor, expected):
    end_cycle(ended)
    assert follow(world, ended, cap=cap, cap_factor=factor).lots.get().max_price == Decimal(expected)


def test_a_cycle_that_has_not_ended_is_refused_with_nothing_written(world, ended):
    with pytest.raises(ConflictError) as exc:
        follow(world, ended)
    assert exc.value.code == "cycle_not_ended"
    assert not Tender.objects.filter(code="GJ-10-JX").exists()


def test_an_unknown_cap_rule_is_refused(world, ended):
    end_cycle(ended)
    with pytest.raises(ValidationFailed) as exc:
        follow(world, ended, cap="cheapest")
    assert (exc.value.code, exc.value.field) == ("invalid_follow_on_cap", "cap")
    assert not Tender.objects.filter(code="GJ-10-JX").exists()


def test_api_answers_409_with_the_code(world, ended):
    client = APIClient()
    client.force_authenticate(world["official"])
    now = timezone.now()
    body = {
        "code": "GJ-10-JX",
        "name": "第十批接续采购",
        "demand_start": now.isoformat(),
        "demand_end": (now + timedelta(days=7)).isoformat(),
        "bid_deadline": (now + timedelta(days=8)).isoformat(),
        "opening_at": (now + timedelta(days=8)).isoformat(),
        "cycle_start": "2026-01-01",
        "cycle_end": "2027-12-31",
    }
    response = client.post(f"/api/v1/tenders/{ended.pk}/follow-on/", body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "cycle_not_ended"
    end_cycle(ended)
    response = client.post(f"/api/v1/tenders/{ended.pk}/follow-on/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["origin"] == "follow_on" and response.json()["lots"][0]["max_price"] == "0.8000"


def to_bidding(tender, official):
    svc.tender_start_demand_collection(tender=tender, by=official)
    now = timezone.now()
    Tender.objects.filter(pk=tender.pk).update(
        demand_start=now - timedelta(hours=2), demand_end=now - timedelta(seconds=1)
    )
    svc.tender_refresh(tender=tender)
    tender.refresh_from_db()
    assert tender.status == "bidding"


def test_a_former_winner_is_capped_at_its_own_awarded_price_a_new_entrant_at_the_lots(world, ended):
    end_cycle(ended)
    new = follow(world, ended)
    lot = new.lots.get()
    to_bidding(new, world["official"])
    reps, products = world["reps"], world["products"]
    with pytest.raises(ValidationFailed) as exc:  # makers[1] won at 0.60: 0.70 is above its own price
        svc.bid_submit(lot=lot, product=products[1], price="0.7000", supply_capacity=1000, by=reps[1])
    assert (exc.value.code, exc.value.field) == ("price_above_max", "price")
    assert svc.bid_submit(lot=lot, product=products[1], price="0.6000", supply_capacity=1000, by=reps[1])
    # a new entrant may bid up to the lot's cap (0.80)
    assert svc.bid_submit(lot=lot, product=products[2], price="0.7000", supply_capacity=1000, by=reps[2])
    with pytest.raises(ValidationFailed) as exc:  # nobody above the lot's cap
        svc.bid_submit(lot=lot, product=products[0], price="0.8100", supply_capacity=1000, by=reps[0])
    assert (exc.value.code, exc.value.field) == ("price_above_max", "price")


def test_the_own_price_cap_can_be_turned_off(world, ended):
    end_cycle(ended)
    assert follow(world, ended, own_cap=False).origin_detail["own_caps"] == {}
