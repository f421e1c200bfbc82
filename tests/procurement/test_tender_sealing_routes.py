"""Before opening no route shows a bid's price: API, pages, results and exports, admin (lists, change pages, history,
search), evaluation, audit events, history rows, error messages and the OCDS package."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from common.models import AuditEvent
from ocds.builder import build
from ocds.packaging import to_json
from procurement.models import Bid
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding
from tests.utils import api_as

PRICE = "0.4567"


@pytest.mark.django_db
def test_no_route_shows_a_sealed_price_before_opening(world, platform_admin):
    to_bidding(world)
    tender, rep, official = world["tender"], world["reps"][0], world["official"]
    bid = svc.bid_submit(lot=world["lot"], product=world["products"][0], price=PRICE, supply_capacity=10, by=rep)
    platform_admin.is_superuser = True
    platform_admin.save()
    seen = []
    for user in (rep, official, platform_admin):
        api = api_as(user)
        for path in (
            "/api/v1/bids/",
            f"/api/v1/bids/{bid.pk}/",
            "/api/v1/tenders/",
            f"/api/v1/tenders/{tender.pk}/",
            f"/api/v1/tenders/{tender.pk}/results/",
            f"/api/v1/tenders/{tender.pk}/evaluation/",
            f"/api/v1/tenders/{tender.pk}/opening-record/",
            f"/api/v1/tenders/{tender.pk}/my-bids/",
            f"/api/v1/bids/?price={PRICE}",
            f"/api/v1/bids/?search={PRICE}",
        ):
            seen.append((user.username, path, api.get(path).content.decode()))
        page = Client()
        page.force_login(user)
        for path in (
            "/tenders/",
            f"/tenders/{tender.pk}/",
            f"/tenders/{tender.pk}/results/",
            f"/tenders/{tender.pk}/results.xlsx",
            f"/tenders/{tender.pk}/evaluation/",
            f"/tenders/{tender.pk}/opening/",
            f"/tenders/{tender.pk}/my-bids/",
        ):
            response = page.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            seen.append((user.username, path, body.decode("utf-8", "replace")))
    admin = Client()
    admin.force_login(platform_admin)
    # searching by the price finds nothing (the search box repeats what was typed, nothing else)
    searched = admin.get(f"/admin/procurement/bid/?q={PRICE}").content.decode()
    assert bid.seal_hash not in searched and bid.seal_hash in admin.get("/admin/procurement/bid/").content.decode()
    for path in (
        "/admin/procurement/bid/",
        f"/admin/procurement/bid/{bid.pk}/change/",
        f"/admin/procurement/bid/{bid.pk}/history/",
        f"/admin/procurement/tender/{tender.pk}/change/",
        f"/admin/procurement/tender/{tender.pk}/history/",
        "/admin/common/auditevent/",
    ):
        response = admin.get(path)
        seen.append(("admin", path, response.content.decode()))
    # a refused second bid and a refused opening do not echo it either
    refused = api_as(rep).post(
        "/api/v1/bids/",
        {"lot": world["lot"].pk, "product": world["products"][0].pk, "price": PRICE, "supply_capacity": 10},
        format="json",
    )
    seen.append(("rep", "second bid", refused.content.decode()))
    seen.append(("official", "open", api_as(official).post(f"/api/v1/tenders/{tender.pk}/open-bids/").content.decode()))
    seen.append(("ocds", "releases", to_json({"releases": [b.content for b in build(tender)]})))
    seen.append(
        (
            "audit",
            "events",
            json.dumps(list(AuditEvent.objects.values("data", "note")), ensure_ascii=False, default=str),
        )
    )
    seen.append(("history", "bid", str(list(Bid.history.values_list("price", "comparison_price")))))
    seen.append(("row", "bid", str(Bid.objects.values_list("price", "comparison_price", "sealed_price").get())))
    leaks = [(who, path) for who, path, body in seen if PRICE in body]
    assert leaks == []
    assert Bid.objects.get().price is None
    # after opening the same routes show it
    shift(tender, bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=tender, by=official)
    assert api_as(rep).get(f"/api/v1/bids/{bid.pk}/").json()["price"] == PRICE
