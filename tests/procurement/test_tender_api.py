from datetime import timedelta

import pytest

from procurement.services import tenders as svc
from tests.procurement.test_tender_services import shift, to_bidding, world  # noqa: F401 - fixture
from tests.utils import api_as


@pytest.mark.django_db
def test_bids_through_the_api_stay_sealed_and_scoped(world, official):  # noqa: F811
    to_bidding(world)
    rep, other = world["reps"][0], world["reps"][1]
    client = api_as(rep)
    response = client.post("/api/v1/bids/", {"lot": world["lot"].pk, "product": world["products"][0].pk,
                                             "price": "0.4321", "supply_capacity": 1000}, format="json")
    assert response.status_code == 201, response.content
    bid_id = response.json()["id"]
    assert response.json()["price"] is None and len(response.json()["seal_hash"]) == 64
    for user in (rep, official):
        body = api_as(user).get("/api/v1/bids/").content.decode() + api_as(user).get(f"/api/v1/bids/{bid_id}/").content.decode()
        assert "0.4321" not in body
    assert api_as(other).get(f"/api/v1/bids/{bid_id}/").status_code == 404
    assert api_as(other).get("/api/v1/bids/").json()["results"] == []
    bad = client.post("/api/v1/bids/", {"lot": world["lot"].pk, "product": world["products"][0].pk,
                                        "price": "0.5", "supply_capacity": 1000}, format="json")
    assert bad.status_code == 409 and "已有有效申报" in bad.json()["detail"]
    assert api_as(world["buyers"][0]).post("/api/v1/bids/", {}, format="json").status_code == 403
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=world["tender"], by=official)
    assert api_as(official).get(f"/api/v1/bids/{bid_id}/").json()["price"] == "0.4321"


@pytest.mark.django_db
def test_tenders_are_listed_with_their_lots(world):  # noqa: F811
    data = api_as(world["buyers"][0]).get("/api/v1/tenders/").json()["results"]
    assert data[0]["code"] == "NMG-T-01" and data[0]["lots"][0]["generic_name"] == "阿托伐他汀钙片"
