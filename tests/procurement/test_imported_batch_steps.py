"""An imported national/alliance batch is the nation's results, not the province's tender: the steps of the
platform's own tendering (lots, rules, cancel, bids, opening, evaluation, awards) are refused with 409
`imported_batch_immutable` and write nothing, in any status; the province's own steps (demand, agreed volumes,
listings, the follow-on tender) still work, and the tender page and the API offer only those."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from common.errors import ConflictError
from common.models import AuditEvent
from procurement.models import Bid, Commitment, Lot, Tender, TenderEvaluation
from procurement.selectors.tender_actions import tender_allowed_actions
from procurement.services import tenders as svc
from procurement.services.tenders.consumables import consumable_lot_configure, consumable_rules_set
from tests.procurement.test_batch_results import good_rows, results, run
from tests.procurement.test_follow_on import follow


@pytest.fixture
def imported(world):
    report = run(world, results(world, *good_rows(world)))
    assert report.ok, report.lines()
    return report.tender


def snapshot(tender):
    tender.refresh_from_db()
    return (
        tender.status,
        tender.rules,
        tender.cancel_reason,
        list(Lot.objects.filter(tender=tender).values_list("pk", "number", "consumable_class")),
        list(Bid.objects.filter(tender=tender).order_by("pk").values_list("pk", "status")),
        TenderEvaluation.objects.filter(tender=tender).count(),
        AuditEvent.objects.count(),
    )


def refused(tender, call) -> None:
    before = snapshot(tender)
    with pytest.raises(ConflictError) as exc:
        call()
    assert exc.value.code == "imported_batch_immutable"
    assert "导入的国家/联盟集采中选结果" in str(exc.value.message)
    assert snapshot(tender) == before


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["demand_collection", "draft", "bidding", "opened"])
def test_the_own_tendering_steps_are_refused_and_write_nothing(world, imported, status):
    official, rep = world["official"], world["reps"][0]
    Tender.objects.filter(pk=imported.pk).update(status=status)  # whatever state it is found in
    imported.refresh_from_db()
    lot = imported.lots.get()
    selected = Bid.objects.filter(tender=imported, manufacturer=world["makers"][0]).get()
    steps = [
        lambda: svc.lot_add(tender=imported, by=official, number="9", generic_name="阿司匹林肠溶片", max_price="1"),
        lambda: svc.tender_set_rules(tender=imported, rules={}, by=official),
        lambda: svc.tender_cancel(tender=imported, reason="不再采购", by=official),
        lambda: svc.tender_start_demand_collection(tender=imported, by=official),
        lambda: svc.bid_submit(
            lot=lot, product=world["products"][0], price="0.5000", supply_capacity=1000, by=world["reps"][2]
        ),
        lambda: svc.bid_replace(bid=selected, price="0.5000", supply_capacity=1000, by=rep),
        lambda: svc.bid_withdraw(bid=selected, by=rep),
        lambda: svc.tender_open_bids(tender=imported, by=official, now=timezone.now()),
        lambda: svc.tender_evaluate(tender=imported, by=official),
        lambda: svc.tender_evaluate(tender=imported, by=official, rerun_reason="复核"),
        lambda: svc.tender_award(tender=imported, by=official),
        lambda: consumable_rules_set(tender=imported, by=official, preset=""),
        lambda: consumable_lot_configure(lot=lot, by=official, consumable_class="骨科"),
    ]
    for step in steps:
        refused(imported, step)


@pytest.mark.django_db
def test_the_api_answers_409_with_the_code(world, imported):
    client = APIClient()
    client.force_authenticate(world["official"])
    response = client.post(f"/api/v1/tenders/{imported.pk}/cancel/", {"reason": "不再采购"}, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "imported_batch_immutable"
    imported.refresh_from_db()
    assert imported.status == "demand_collection"


@pytest.mark.django_db
def test_the_provinces_own_steps_still_work(world, imported):
    official = world["official"]
    lot = imported.lots.get()
    report = svc.demand_report(lot=lot, by=world["buyers"][0], annual_volume=1000)
    svc.demand_withdraw(report=report, by=world["buyers"][0])
    svc.demand_report(lot=lot, by=world["buyers"][1], annual_volume=2000)
    svc.imported_results_confirm(tender=imported, by=official)
    imported.refresh_from_db()
    assert imported.status == "awarded" and Commitment.objects.filter(tender=imported).exists()
    # the cycle ended: a follow-on tender (接续采购) of the imported batch, a tender of the province's own
    Tender.objects.filter(pk=imported.pk).update(cycle_start=date(2020, 1, 1), cycle_end=date(2021, 1, 1))
    imported.refresh_from_db()
    follow_on = follow(world, imported)
    assert follow_on.origin == "follow_on"
    svc.tender_cancel(tender=follow_on, reason="测试", by=official)  # the follow-on is the province's to run


@pytest.mark.django_db
def test_pages_and_the_api_offer_only_the_provinces_steps(world, imported):
    official, rep, buyer = world["official"], world["reps"][0], world["buyers"][0]
    assert set(tender_allowed_actions(official, imported).names()) == {
        "manage",
        "view_coverage",
        "import_demand",
        "confirm_results",
    }
    Tender.objects.filter(pk=imported.pk).update(status="bidding")
    imported.refresh_from_db()
    assert not tender_allowed_actions(rep, imported).bid
    assert set(tender_allowed_actions(official, imported).names()) == {"manage", "view_coverage"}
    Tender.objects.filter(pk=imported.pk).update(status="opened")
    imported.refresh_from_db()
    assert set(tender_allowed_actions(official, imported).names()) == {"manage", "view_results"}
    Tender.objects.filter(pk=imported.pk).update(status="demand_collection")
    api = APIClient()
    api.force_authenticate(official)
    body = api.get(f"/api/v1/tenders/{imported.pk}/").json()
    assert "cancel" not in body["allowed_actions"] and "confirm_results" in body["allowed_actions"]
    client = Client()
    client.force_login(official)
    html = client.get(f"/tenders/{imported.pk}/").content.decode()
    assert "按导入结果确定约定采购量" in html
    assert f"/tenders/{imported.pk}/do/cancel/" not in html
    client.force_login(buyer)
    assert client.get(f"/tenders/{imported.pk}/").status_code == 200
