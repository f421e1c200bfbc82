"""Consumable tenders through the REST API: rules from a preset, a system lot, intended volumes per brand, a sealed
system bid, and the bad inputs answering 4xx {code, detail, field} with nothing written."""

import pytest

from procurement.models import Bid, BidComponent, ConsumableDemand, ConsumableLot
from tests.fixtures.consumables import HIP_ROLES, hc_to_bidding
from tests.utils import api_as


@pytest.mark.django_db
def test_official_sets_rules_and_a_system_lot(hc_world):
    w = hc_world
    client = api_as(w["official"])
    response = client.post(
        "/api/v1/consumable-rules/",
        {"tender": w["tender"].pk, "preset": "national_joint_2021", "overrides": {"group_a_min": 3}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["rules"]["group_a_share"] == "0.85" and response.json()["rules"]["group_a_min"] == 3
    bad = client.post("/api/v1/consumable-rules/", {"tender": w["tender"].pk, "overrides": {"x": 1}}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_rules" and bad.json()["field"] == "rules"
    for overrides in ([1, 2], "1.8", {"preset": 5}, {"max_winners": [1]}, {"grouping": "abc"}):
        bad = client.post(
            "/api/v1/consumable-rules/", {"tender": w["tender"].pk, "overrides": overrides}, format="json"
        )
        assert bad.status_code == 400 and bad.json()["code"] == "invalid_rules", (overrides, bad.content)
    response = client.post(
        "/api/v1/consumable-lots/",
        {
            "lot": w["hip"].pk,
            "consumable_class": "骨科关节类",
            "bid_unit": "system",
            "price_basis": "system",
            "components": [{"role": r} for r in HIP_ROLES],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert ConsumableLot.objects.get(lot=w["hip"]).required_roles == HIP_ROLES
    assert api_as(w["reps"][0]).post("/api/v1/consumable-rules/", {"tender": w["tender"].pk}).status_code == 403


@pytest.mark.django_db
def test_demand_and_system_bid_through_the_api(hc_world):
    w = hc_world
    hc_to_bidding(w)
    assert ConsumableDemand.objects.count() == 5
    listed = api_as(w["buyers"][1]).get("/api/v1/consumable-demands/").json()["results"]
    assert {row["hospital"] for row in listed} == {w["hospitals"][1].pk}  # its own only
    rep = api_as(w["reps"][1])
    body = {
        "lot": w["hip"].pk,
        "components": [{"role": r, "product": w["parts"][r].pk} for r in HIP_ROLES[:3]],
        "price": "6000",
        "supply_capacity": 100,
    }
    missing = rep.post("/api/v1/consumable-bids/", body, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "system_component_missing" and missing.json()["field"] == "components"
    assert not Bid.objects.exists() and not BidComponent.objects.exists()
    body["components"].append({"role": HIP_ROLES[3], "product": w["parts"][HIP_ROLES[3]].pk})
    response = rep.post("/api/v1/consumable-bids/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["price"] is None
    assert BidComponent.objects.filter(bid_id=response.json()["id"]).count() == 4
    filed = api_as(w["reps"][0]).post(
        "/api/v1/consumable-bids/",
        {"lot": w["lot"].pk, "product": w["filed"].pk, "price": "500", "supply_capacity": 10},
        format="json",
    )
    assert filed.status_code == 400 and filed.json()["code"] == "registration_invalid"
    assert Bid.objects.count() == 1
