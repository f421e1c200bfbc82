"""Public pages and API without sign-in: what each state publishes, drafts not found, nothing sealed or internal."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from procurement.models import Bid, Listing, Tender
from procurement.services import tenders as svc
from tests.fixtures.tenders import to_bidding
from transparency.services import objections as objection_svc

from .conftest import end_notice

pytestmark = pytest.mark.django_db

SECRET_NOTE = "内部备注-不得公开-7f3a"


def public_urls(tender) -> list[str]:
    pk = tender.pk
    return [
        "/public/",
        f"/public/?status={tender.status}",
        f"/public/tenders/{pk}/",
        "/public/listings/",
        "/api/v1/public/tenders/",
        f"/api/v1/public/tenders/{pk}/",
        f"/api/v1/public/tenders/{pk}/opening/",
        f"/api/v1/public/tenders/{pk}/candidates/",
        f"/api/v1/public/tenders/{pk}/results/",
        "/api/v1/public/listings/",
    ]


def walk(client, tenders) -> str:
    """Every public page and API response for the tenders, in both languages, as one text."""
    bodies = []
    for language in ("zh-hans", "en"):
        for tender in tenders:
            for url in public_urls(tender):
                response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                assert response.status_code in (200, 404), (url, response.status_code)
                bodies.append(response.content.decode())
    return "\n".join(bodies)


def price_forms(price) -> set[str]:
    text = format(price, "f")
    return {text, text.rstrip("0").rstrip("."), f"{price:.2f}"}


def test_nothing_sealed_or_internal_leaks(world, client):
    """A tender in bidding with sealed bids beside an opened one: no price, ciphertext or digest of a sealed bid, no
    draft, no internal note appears in any public page or API answer."""
    to_bidding(world)
    lot, reps, products = world["lot"], world["reps"], world["products"]
    sealed = [
        svc.bid_submit(lot=lot, product=products[0], price="0.4321", supply_capacity=500000, by=reps[0]),
        svc.bid_submit(lot=lot, product=products[1], price="0.5678", supply_capacity=500000, by=reps[1]),
    ]
    sealed = list(Bid.objects.filter(pk__in=[b.pk for b in sealed]))
    draft = svc.tender_create(
        by=world["official"],
        code="NMG-DRAFT-SECRET",
        name="未公开的草稿批次",
        demand_start=world["tender"].demand_start,
        demand_end=world["tender"].demand_end,
        bid_deadline=world["tender"].bid_deadline,
        opening_at=world["tender"].opening_at,
        cycle_start=world["tender"].cycle_start,
        cycle_end=world["tender"].cycle_end,
    )
    Bid.objects.filter(pk=sealed[0].pk).update(invalid_reason=SECRET_NOTE)
    body = walk(client, [world["tender"], draft])
    for bid in sealed:
        assert bid.seal_hash not in body
        assert bid.sealed_price[:40] not in body
    for price in ("0.4321", "0.5678"):
        assert price not in body and price.rstrip("0") not in body
    assert reps[0].organization.name not in body  # who bid is not published before the opening
    assert "NMG-DRAFT-SECRET" not in body and "未公开的草稿批次" not in body
    assert SECRET_NOTE not in body
    assert client.get(f"/public/tenders/{draft.pk}/").status_code == 404
    response = client.get(f"/api/v1/public/tenders/{draft.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/v1/public/tenders/?status=draft").status_code == 404
    response = client.get("/api/v1/public/tenders/?status=nonsense")
    assert response.status_code == 400 and response.json()["field"] == "status"
    assert client.get(f"/api/v1/public/tenders/{world['tender'].pk}/opening/").status_code == 404


def test_opened_tender_publishes_bidders_digests_and_candidates(noticed, client):
    tender, bids = noticed["tender"], list(Bid.objects.filter(tender=noticed["tender"]).order_by("pk"))
    Bid.objects.filter(pk=bids[0].pk).update(invalid_reason=SECRET_NOTE)
    objection_svc.objection_file(by=noticed["reps"][1], tender=tender, grounds=SECRET_NOTE + "理由")
    page = client.get(f"/public/tenders/{tender.pk}/").content.decode()
    for bid in bids:
        assert bid.seal_hash in page and bid.manufacturer.name in page
    assert "中选候选结果公示" in page and "公示中" in page
    assert SECRET_NOTE not in page
    opening = client.get(f"/api/v1/public/tenders/{tender.pk}/opening/").json()
    assert {row["digest"] for row in opening} == {b.seal_hash for b in bids}
    candidates = client.get(f"/api/v1/public/tenders/{tender.pk}/candidates/").json()
    assert candidates["notice_running"] and candidates["open_objections"] == 1
    assert candidates["lots"][0]["candidates"][0]["rank"] == 1
    assert SECRET_NOTE not in str(candidates) + str(opening)
    assert client.get(f"/api/v1/public/tenders/{tender.pk}/results/").status_code == 404


def test_awarded_tender_publishes_awards_with_agreed_volumes(noticed, client):
    tender = noticed["tender"]
    end_notice(tender)
    awards = svc.tender_award(tender=tender, by=noticed["official"])
    results = client.get(f"/api/v1/public/tenders/{tender.pk}/results/").json()
    rows = results[0]["awards"]
    assert [r["rank"] for r in rows] == [a.rank for a in awards]
    assert sum(r["agreed_volume"] for r in rows) == results[0]["agreed_volume"] > 0
    assert rows[0]["awarded_price"] == format(awards[0].awarded_price, "f")
    page = client.get(f"/public/tenders/{tender.pk}/").content.decode()
    assert "中选结果" in page and client.get(f"/api/v1/public/tenders/{tender.pk}/candidates/").status_code == 404
    Listing.objects.filter(award__tender=tender).update(valid_from=timezone.localdate())
    listings = client.get("/api/v1/public/listings/").json()
    assert listings["count"] == len(awards)
    assert {row["unit_price"] for row in listings["results"]} == {format(a.awarded_price, "f") for a in awards}


def test_english_and_announcement(world, client):
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    response = client.get(f"/public/tenders/{world['tender'].pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    assert "1.2000" in text and "阿托伐他汀钙片" in text  # the lot and its max valid price
    data = client.get(f"/api/v1/public/tenders/{world['tender'].pk}/").json()
    assert data["stage"] == "announcement" and data["lots"][0]["max_price"] == "1.2000"
    assert data["rules"]["ratio_to_lowest"] == "1.8"


def test_public_api_is_throttled(world, client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "2/minute"},
    }
    codes = [client.get("/public/listings/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_public_pages_need_no_sign_in_and_bad_ids_are_not_found(client):
    assert Client().get(reverse("public:index")).status_code == 200
    assert client.get("/public/tenders/99999999999999999999/").status_code == 404
    assert client.get("/api/v1/public/tenders/99999999/").status_code == 404
    assert re.search(r"带量采购信息公开", client.get("/public/").content.decode())
    assert Tender.objects.count() == 0
