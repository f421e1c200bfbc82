"""After the opening: the receipt given at submission, the opening record, the bidder's own outcome and the check of a
bid's digest — pages and API. Before the opening every one of them gives nothing; a mismatch says so and changes
nothing; another maker's bid is not found."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from common.models import AuditEvent
from procurement import sealing
from procurement.models import Bid
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding
from tests.utils import api_as


def _bids(world):
    """Three bids on the lot (rep0 at 0.4500, rep1 at 0.8000, rep2 a half-strength product at 0.3000)."""
    to_bidding(world)
    lot, reps, products = world["lot"], world["reps"], world["products"]
    own = svc.bid_submit(lot=lot, product=products[0], price="0.45", supply_capacity=600000, by=reps[0])
    other = svc.bid_submit(lot=lot, product=products[1], price="0.8000", supply_capacity=500000, by=reps[1])
    half = svc.bid_submit(lot=lot, product=world["half"], price="0.3000", supply_capacity=500000, by=reps[2])
    return own, other, half


def _open(world):
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=world["tender"], by=world["official"])
    world["tender"].refresh_from_db()


def _snapshot():
    return (
        list(Bid.objects.order_by("pk").values_list("pk", "status", "seal_hash", "price")),
        AuditEvent.objects.count(),
        Bid.history.count(),
    )


@pytest.mark.django_db
def test_the_receipt_holds_every_input_of_the_digest(world):
    own, _, _ = _bids(world)
    receipt = own.receipt
    assert receipt["price"] == "0.45" and len(receipt["nonce"]) == 32
    assert sealing.receipt_digest(receipt) == own.seal_hash == receipt["digest"]
    # the nonce is kept only inside the sealed price: no column, event or history row holds it in clear
    stored = json.dumps(list(Bid.objects.filter(pk=own.pk).values()), default=str)
    events = json.dumps(list(AuditEvent.objects.values("data", "note")), default=str)
    assert receipt["nonce"] not in stored and receipt["nonce"] not in events


@pytest.mark.django_db
def test_api_submission_answers_with_the_receipt(world):
    to_bidding(world)
    response = api_as(world["reps"][0]).post(
        "/api/v1/bids/",
        {"lot": world["lot"].pk, "product": world["products"][0].pk, "price": "0.4500", "supply_capacity": 10},
        format="json",
    )
    assert response.status_code == 201, response.content
    receipt = response.json()["receipt"]
    bid = Bid.objects.get(pk=response.json()["id"])
    assert receipt["bid"] == bid.pk and receipt["digest"] == bid.seal_hash
    assert sealing.receipt_digest(receipt) == bid.seal_hash
    # a plain read of the bid never carries the receipt
    assert "receipt" not in api_as(world["reps"][0]).get(f"/api/v1/bids/{bid.pk}/").json()


@pytest.mark.django_db
def test_before_opening_every_after_opening_route_gives_nothing(world):
    own, other, _ = _bids(world)
    rep = world["reps"][0]
    api = api_as(rep)
    tender = world["tender"]
    before = _snapshot()
    for path in (f"/api/v1/tenders/{tender.pk}/opening-record/", f"/api/v1/tenders/{tender.pk}/my-bids/"):
        response = api.get(path)
        assert response.status_code == 409 and response.json()["code"] == "not_yet_opened"
        assert own.seal_hash not in response.content.decode() and other.seal_hash not in response.content.decode()
    official = api_as(world["official"]).get(f"/api/v1/tenders/{tender.pk}/opening-record/")
    assert official.status_code == 409 and other.seal_hash not in official.content.decode()
    verify = api.post("/api/v1/bids/verify/", {"receipt": own.receipt}, format="json")
    assert verify.status_code == 409 and verify.json()["code"] == "not_yet_opened"
    assert "0.45" not in verify.content.decode()
    page = Client()
    page.force_login(rep)
    for path in (f"/tenders/{tender.pk}/opening/", f"/tenders/{tender.pk}/my-bids/"):
        body = page.get(path).content.decode()
        assert "not-opened" in body and own.seal_hash not in body and other.seal_hash not in body
    body = page.post(f"/tenders/{tender.pk}/opening/", {"receipt": json.dumps(own.receipt)}).content.decode()
    assert "verify-ok" not in body and own.seal_hash not in body
    assert _snapshot() == before


@pytest.mark.django_db
def test_opening_record_publishes_every_digest_and_bidder_at_opening(world):
    own, other, half = _bids(world)
    _open(world)
    hospital_user = world["buyers"][0]
    for user in (world["reps"][0], world["reps"][1], world["official"], hospital_user):
        response = api_as(user).get(f"/api/v1/tenders/{world['tender'].pk}/opening-record/")
        assert response.status_code == 200
        (lot,) = response.json()
        digests = {b["bid"]: b["seal_hash"] for b in lot["bids"]}
        assert digests == {own.pk: own.seal_hash, other.pk: other.seal_hash, half.pk: half.seal_hash}
        assert "0.8000" not in response.content.decode()  # the record carries no price
    page = Client()
    page.force_login(world["reps"][1])
    body = page.get(f"/tenders/{world['tender'].pk}/opening/").content.decode()
    assert own.seal_hash in body and world["makers"][0].name in body


@pytest.mark.django_db
def test_verify_with_the_receipt_or_price_and_nonce_matches(world):
    own, _, _ = _bids(world)
    receipt = own.receipt
    _open(world)
    api = api_as(world["reps"][0])
    before = _snapshot()
    response = api.post("/api/v1/bids/verify/", {"receipt": receipt}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "matches": True,
        "bid": own.pk,
        "digest": own.seal_hash,
        "published_digest": own.seal_hash,
        "opened_price_matches": True,
    }
    # the receipt as text (a file's content) and the bid with its price and nonce, the price written either way
    assert api.post("/api/v1/bids/verify/", {"receipt": json.dumps(receipt)}, format="json").status_code == 200
    for price in ("0.45", "0.4500"):
        response = api.post(
            "/api/v1/bids/verify/", {"bid": own.pk, "price": price, "nonce": receipt["nonce"]}, format="json"
        )
        assert response.status_code == 200 and response.json()["matches"] is True
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"nonce": "0" * 32}, "nonce", "digest_mismatch"),
        ({"price": "0.4400"}, "nonce", "digest_mismatch"),
        ({"nonce": "not-a-nonce"}, "nonce", "receipt_malformed"),
        ({"price": "abc"}, "price", "invalid_number"),
    ],
)
def test_verify_a_wrong_price_or_nonce_says_so_and_changes_nothing(world, change, field, code):
    own, _, _ = _bids(world)
    nonce = own.receipt["nonce"]
    _open(world)
    before = _snapshot()
    body = {"bid": own.pk, "price": "0.45", "nonce": nonce, **change}
    response = api_as(world["reps"][0]).post("/api/v1/bids/verify/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code and response.json()["field"] == field
    if code == "digest_mismatch":
        assert "核对不一致" in response.json()["detail"] and own.seal_hash in response.json()["detail"]
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("edit", "code"),
    [
        ({"nonce": "f" * 32}, "digest_mismatch"),
        ({"price": "0.40"}, "digest_mismatch"),
        ({"supply_capacity": 1}, "receipt_mismatch"),
        ({"submitted_at": "2020-01-01T00:00:00+00:00"}, "receipt_mismatch"),
        ({"format": "something-else"}, "receipt_malformed"),
    ],
)
def test_verify_an_edited_receipt_says_so_and_changes_nothing(world, edit, code):
    own, _, _ = _bids(world)
    receipt = {**own.receipt, **edit}
    _open(world)
    before = _snapshot()
    response = api_as(world["reps"][0]).post("/api/v1/bids/verify/", {"receipt": receipt}, format="json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert response.json()["field"] == "receipt"
    assert _snapshot() == before


@pytest.mark.django_db
def test_verify_not_json_receipt_is_refused(world):
    own, _, _ = _bids(world)
    _open(world)
    response = api_as(world["reps"][0]).post("/api/v1/bids/verify/", {"receipt": "{not json"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "receipt_malformed"


@pytest.mark.django_db
def test_verify_another_makers_bid_is_not_found(world):
    own, other, _ = _bids(world)
    their_receipt = other.receipt
    _open(world)
    before = _snapshot()
    api = api_as(world["reps"][0])
    # with the other maker's own (correct) receipt, and by id with its price and nonce: the same 404
    for body in (
        {"receipt": their_receipt},
        {"bid": other.pk, "price": "0.8000", "nonce": their_receipt["nonce"]},
    ):
        response = api.post("/api/v1/bids/verify/", body, format="json")
        assert response.status_code == 404, response.content
        assert other.seal_hash not in response.content.decode()
    # a hospital or an official verifies nothing (not a bidder)
    for user in (world["buyers"][0], world["official"]):
        assert api_as(user).post("/api/v1/bids/verify/", {"receipt": their_receipt}, format="json").status_code in (
            403,
            404,
        )
    page = Client()
    page.force_login(world["reps"][0])
    response = page.post(f"/tenders/{world['tender'].pk}/opening/", {"receipt": json.dumps(their_receipt)})
    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.django_db
def test_verify_a_replaced_bid_says_it_was_not_opened(world):
    to_bidding(world)
    first = svc.bid_submit(
        lot=world["lot"], product=world["products"][0], price="0.5", supply_capacity=10, by=world["reps"][0]
    )
    svc.bid_replace(bid=first, price="0.4", supply_capacity=10, by=world["reps"][0])
    _open(world)
    response = api_as(world["reps"][0]).post("/api/v1/bids/verify/", {"receipt": first.receipt}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "bid_not_opened"


@pytest.mark.django_db
def test_verify_page_with_file_paste_and_fields(world):
    own, _, _ = _bids(world)
    receipt = own.receipt
    _open(world)
    page = Client()
    page.force_login(world["reps"][0])
    url = f"/tenders/{world['tender'].pk}/opening/"
    before = _snapshot()
    upload = SimpleUploadedFile("r.json", json.dumps(receipt).encode(), content_type="application/json")
    for data in (
        {"receipt_file": upload},
        {"receipt": json.dumps(receipt)},
        {"bid": own.pk, "price": "0.45", "nonce": receipt["nonce"]},
    ):
        response = page.post(url, data)
        assert response.status_code == 200
        assert f'data-verified="{own.pk}"' in response.content.decode()
    response = page.post(url, {"bid": own.pk, "price": "0.45", "nonce": "a" * 32})
    body = response.content.decode()
    assert response.status_code == 400 and "核对不一致" in body and "verify-ok" not in body
    assert _snapshot() == before


@pytest.mark.django_db
def test_receipt_download_returns_the_receipt_and_refuses_an_edited_one(world):
    own, other, _ = _bids(world)
    page = Client()
    page.force_login(world["reps"][0])
    url = f"/tenders/{world['tender'].pk}/receipt/"
    response = page.post(url, {"receipt": json.dumps(own.receipt)})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert json.loads(response.content) == own.receipt
    assert page.post(url, {"receipt": json.dumps({**own.receipt, "price": "0.10"})}).status_code == 400
    assert page.post(url, {"receipt": json.dumps(other.receipt)}).status_code == 404


@pytest.mark.django_db
def test_own_outcome_after_awards_shows_prices_rules_rank_and_reasons(world):
    own, other, half = _bids(world)
    _open(world)
    api = api_as(world["reps"][0])
    url = f"/api/v1/tenders/{world['tender'].pk}/my-bids/"
    # opened, not yet published: price and comparison price, no rank
    data = api.get(url).json()
    assert data["published"] is False and data["rules"]["rule_set"] == "chemical"
    (row,) = data["bids"]
    assert row["price"] == "0.4500" and row["rank"] is None and row["reasons"] == []
    svc.tender_evaluate(tender=world["tender"], by=world["official"])
    svc.tender_award(tender=world["tender"], by=world["official"])
    data = api.get(url).json()
    assert data["published"] is True
    assert any("1.8" in line for line in data["rules"]["lines"])
    (row,) = data["bids"]
    assert row["bid"] == own.pk and row["status"] == "selected" and row["winner_rank"] is not None
    assert "ratio_to_lowest" in row["criteria_met"] and row["reasons"]
    # the half-strength product: its comparison price converted by 差比价 (factor 1.7)
    rep2 = api_as(world["reps"][2]).get(url).json()["bids"][0]
    assert rep2["factor"] == "1.7000" and rep2["comparison_price"] == "0.5100"
    # only its own bids
    assert {b["bid"] for b in api_as(world["reps"][1]).get(url).json()["bids"]} == {other.pk}
    page = Client()
    page.force_login(world["reps"][0])
    body = page.get(f"/tenders/{world['tender'].pk}/my-bids/").content.decode()
    assert "0.4500" in body and "0.8000" not in body and "评审理由" in body
