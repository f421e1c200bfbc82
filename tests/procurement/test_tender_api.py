from datetime import timedelta

import pytest

from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding
from tests.utils import api_as


@pytest.mark.django_db
def test_bids_through_the_api_stay_sealed_and_scoped(world, official):
    to_bidding(world)
    rep, other = world["reps"][0], world["reps"][1]
    client = api_as(rep)
    response = client.post(
        "/api/v1/bids/",
        {"lot": world["lot"].pk, "product": world["products"][0].pk, "price": "0.4321", "supply_capacity": 1000},
        format="json",
    )
    assert response.status_code == 201, response.content
    bid_id = response.json()["id"]
    assert response.json()["price"] is None and len(response.json()["seal_hash"]) == 64
    for user in (rep, official):
        body = (
            api_as(user).get("/api/v1/bids/").content.decode()
            + api_as(user).get(f"/api/v1/bids/{bid_id}/").content.decode()
        )
        assert "0.4321" not in body
    assert api_as(other).get(f"/api/v1/bids/{bid_id}/").status_code == 404
    assert api_as(other).get("/api/v1/bids/").json()["results"] == []
    bad = client.post(
        "/api/v1/bids/",
        {"lot": world["lot"].pk, "product": world["products"][0].pk, "price": "0.5", "supply_capacity": 1000},
        format="json",
    )
    assert bad.status_code == 409 and bad.json()["code"] == "live_bid_exists"
    assert "已有有效申报" in bad.json()["detail"]
    assert api_as(world["buyers"][0]).post("/api/v1/bids/", {}, format="json").status_code == 403
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=world["tender"], by=official)
    assert api_as(official).get(f"/api/v1/bids/{bid_id}/").json()["price"] == "0.4321"


@pytest.mark.django_db
def test_tenders_are_listed_with_their_lots(world):
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])  # announced: no longer a draft
    data = api_as(world["buyers"][0]).get("/api/v1/tenders/").json()["results"]
    assert data[0]["code"] == "NMG-T-01" and data[0]["lots"][0]["generic_name"] == "阿托伐他汀钙片"


TENDER = {
    "code": "NMG-API-01",
    "name": "接口新建批次",
    "demand_start": "2027-03-01T09:00:00+08:00",
    "demand_end": "2027-03-10T17:00:00+08:00",
    "bid_deadline": "2027-03-20T17:00:00+08:00",
    "opening_at": "2027-03-21T09:00:00+08:00",
    "cycle_start": "2027-06-01",
    "cycle_end": "2029-05-31",
    "rules": {"max_winners_cap": 6},
    "lots": [
        {
            "number": "01",
            "generic_name": "阿托伐他汀钙片",
            "max_price": "1.2",
            "dosage_forms": ["片剂"],
            "reference_specification": "20mg",
        },
        {"number": "02", "generic_name": "盐酸二甲双胍片", "max_price": "0.25"},
    ],
}


@pytest.mark.django_db
def test_official_creates_a_tender_with_lots_and_bad_input_creates_nothing(official, manufacturer_rep):
    from procurement.models import Lot, Tender

    client = api_as(official)
    for changes, code, field in (
        ({"bid_deadline": "2027-03-05T17:00:00+08:00"}, "dates_out_of_order", "bid_deadline"),
        ({"rules": {"ratio_to_lowest": "0.9"}}, "invalid_rules", "rules"),
        ({"rules": {"no_such_rule": 1}}, "invalid_rules", "rules"),
        (
            {"lots": [TENDER["lots"][0], {**TENDER["lots"][1], "max_price": "-1"}]},
            "price_not_positive",
            "lots[1].max_price",
        ),
        ({"lots": [TENDER["lots"][0], {**TENDER["lots"][1], "number": "01"}]}, "lot_number_taken", "lots[1].number"),
    ):
        response = client.post("/api/v1/tenders/", {**TENDER, **changes}, format="json")
        assert response.status_code == 400, changes
        assert (response.json()["code"], response.json()["field"]) == (code, field), response.content
    assert "第 2 个品种" in response.json()["detail"]  # the lot is named by its position
    assert not Tender.objects.exists() and not Lot.objects.exists()
    response = client.post("/api/v1/tenders/", TENDER, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [lot["number"] for lot in body["lots"]] == ["01", "02"] and body["rules"]["max_winners_cap"] == 6
    assert api_as(manufacturer_rep).post("/api/v1/tenders/", {**TENDER, "code": "X"}, format="json").status_code == 403
    tender_id = body["id"]
    lot = client.post(
        f"/api/v1/tenders/{tender_id}/lots/",
        {"number": "03", "generic_name": "氯吡格雷片", "max_price": "2.6"},
        format="json",
    )
    assert lot.status_code == 201
    rules = client.post(f"/api/v1/tenders/{tender_id}/rules/", {"rules": {"ratio_to_lowest": "1.5"}}, format="json")
    assert rules.status_code == 200 and rules.json()["rules"]["ratio_to_lowest"] == "1.5"
    started = client.post(f"/api/v1/tenders/{tender_id}/start-demand-collection/")
    assert started.status_code == 200 and started.json()["status"] == "demand_collection"
    again = client.post(f"/api/v1/tenders/{tender_id}/start-demand-collection/")
    assert again.status_code == 409 and again.json()["code"] == "wrong_status"
    bad_cancel = client.post(f"/api/v1/tenders/{tender_id}/cancel/", {"reason": ""}, format="json")
    assert bad_cancel.status_code == 400 and Tender.objects.get().status == "demand_collection"
    cancelled = client.post(f"/api/v1/tenders/{tender_id}/cancel/", {"reason": "并入国家集采"}, format="json")
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancel_reason"] == "并入国家集采"


@pytest.mark.django_db
def test_demand_reports_crud_in_the_window_and_coverage(world, official):
    from procurement.models import DemandReport

    tender, lot = world["tender"], world["lot"]
    buyer, other_buyer = world["buyers"][0], world["buyers"][1]
    client = api_as(buyer)
    # before demand collection the tender is a draft, not found by a hospital; nothing written
    early = client.post("/api/v1/demand-reports/", {"lot": lot.pk, "annual_volume": "100"}, format="json")
    assert early.status_code == 404 and not DemandReport.objects.exists()
    svc.tender_start_demand_collection(tender=tender, by=official)
    for volume, code in (("-1", "volume_negative"), ("1.5", "invalid_number"), ("many", "invalid_number")):
        response = client.post("/api/v1/demand-reports/", {"lot": lot.pk, "annual_volume": volume}, format="json")
        assert response.status_code == 400 and response.json()["code"] == code, response.content
    wrong = client.post(
        "/api/v1/demand-reports/",
        {"lot": lot.pk, "annual_volume": "10", "named_product": world["other_generic"].pk},
        format="json",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "named_product_not_in_lot"
    foreign = client.post(
        "/api/v1/demand-reports/",
        {"lot": lot.pk, "annual_volume": "10", "hospital": other_buyer.organization_id},
        format="json",
    )
    assert foreign.status_code == 403 and foreign.json()["code"] == "not_own_hospital"
    assert not DemandReport.objects.exists()
    created = client.post(
        "/api/v1/demand-reports/",
        {"lot": lot.pk, "annual_volume": "5000", "named_product": world["products"][0].pk},
        format="json",
    )
    assert created.status_code == 201
    report_id = created.json()["id"]
    assert api_as(other_buyer).get(f"/api/v1/demand-reports/{report_id}/").status_code == 404
    assert api_as(world["reps"][0]).get("/api/v1/demand-reports/").json()["results"] == []
    changed = client.patch(f"/api/v1/demand-reports/{report_id}/", {"annual_volume": "7000"}, format="json")
    assert (
        changed.status_code == 200
        and changed.json()["annual_volume"] == 7000
        and changed.json()["named_product"] is None
    )
    # an official reports for a named hospital
    by_official = api_as(official).post(
        "/api/v1/demand-reports/",
        {"lot": lot.pk, "annual_volume": "900", "hospital": other_buyer.organization_id},
        format="json",
    )
    assert by_official.status_code == 201 and by_official.json()["hospital"] == other_buyer.organization_id
    coverage = api_as(official).get(f"/api/v1/tenders/{tender.pk}/coverage/").json()
    assert coverage["lots"][0]["reported_volume"] == 7900 and coverage["lots"][0]["hospitals"] == 2
    assert coverage["expected"] == 4 and len(coverage["missing"]) == 2
    assert api_as(buyer).get(f"/api/v1/tenders/{tender.pk}/coverage/").status_code == 403
    assert client.delete(f"/api/v1/demand-reports/{report_id}/").status_code == 204
    # after the window: no change, no delete
    remaining = DemandReport.objects.get()
    shift(tender, demand_start=timedelta(hours=-2), demand_end=timedelta(seconds=-1))
    late = api_as(other_buyer).patch(f"/api/v1/demand-reports/{remaining.pk}/", {"annual_volume": "1"}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "outside_window"
    assert api_as(other_buyer).delete(f"/api/v1/demand-reports/{remaining.pk}/").status_code == 409
    assert DemandReport.objects.get().annual_volume == 900


@pytest.mark.django_db
def test_official_opens_evaluates_reruns_awards_and_reads_results_through_the_api(world, official):
    to_bidding(world)
    tender, lot, reps, products = world["tender"], world["lot"], world["reps"], world["products"]
    svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=500000, by=reps[0])
    svc.bid_submit(lot=lot, product=products[1], price="0.8000", supply_capacity=500000, by=reps[1])
    client = api_as(official)
    early = client.post(f"/api/v1/tenders/{tender.pk}/open-bids/")
    assert early.status_code == 409 and "0.5000" not in early.content.decode()
    assert early.json()["code"] == "opening_not_due"
    for user in (official, reps[0]):
        assert api_as(user).get(f"/api/v1/tenders/{tender.pk}/results/").status_code == 404
    assert client.get(f"/api/v1/tenders/{tender.pk}/evaluation/").status_code == 404
    assert client.post(f"/api/v1/tenders/{tender.pk}/evaluate/").status_code == 409
    shift(tender, bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    assert client.post(f"/api/v1/tenders/{tender.pk}/open-bids/").json()["status"] == "opened"
    first = client.post(f"/api/v1/tenders/{tender.pk}/evaluate/")
    assert first.status_code == 201 and first.json()["run_no"] == 1
    assert client.post(f"/api/v1/tenders/{tender.pk}/evaluate/").status_code == 200  # no-op
    rerun = client.post(f"/api/v1/tenders/{tender.pk}/evaluate/", {"rerun_reason": "复核"}, format="json")
    assert rerun.status_code == 201 and rerun.json()["run_no"] == 2 and rerun.json()["reason"] == "复核"
    stored = client.get(f"/api/v1/tenders/{tender.pk}/evaluation/").json()
    outcomes = stored["outputs"][str(lot.pk)]["outcomes"]
    assert {o["status"] for o in outcomes} == {"selected", "not_selected"} and all(o["reasons"] for o in outcomes)
    assert api_as(reps[0]).get(f"/api/v1/tenders/{tender.pk}/evaluation/").status_code == 403
    provisional = client.get(f"/api/v1/tenders/{tender.pk}/results/").json()
    assert provisional[0]["provisional"] and provisional[0]["winners"][0]["price"] == "0.5000"
    assert api_as(reps[1]).get(f"/api/v1/tenders/{tender.pk}/results/").status_code == 404
    assert client.post(f"/api/v1/tenders/{tender.pk}/award/").json()["status"] == "awarded"
    assert client.post(f"/api/v1/tenders/{tender.pk}/award/").status_code == 409
    public = api_as(reps[1]).get(f"/api/v1/tenders/{tender.pk}/results/").json()
    assert public[0]["valid_bidders"] == 2 and not public[0]["provisional"]
    assert [w["rank"] for w in public[0]["winners"]] == [1] and len(public[0]["digests"]) == 2
