"""The objection and appeal API: the flow and its refusals' `{code, detail, field}`."""

import pytest
from rest_framework.test import APIClient

from transparency.models import Objection

from .conftest import end_notice

pytestmark = pytest.mark.django_db


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_file_answer_appeal_decide_through_the_api(noticed, supervisor):
    rep = as_user(noticed["reps"][0])
    response = rep.post("/api/v1/objections/", {"tender": noticed["tender"].pk, "grounds": "排序有误"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    official = as_user(noticed["official"])
    assert official.get(f"/api/v1/objections/{pk}/").json()["allowed_actions"] == ["answer"]
    response = official.post(f"/api/v1/objections/{pk}/answer/", {"outcome": "rejected", "answer": "无误"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert rep.get(f"/api/v1/objections/{pk}/").json()["allowed_actions"] == ["appeal"]
    response = rep.post(f"/api/v1/objections/{pk}/appeal/", {"grounds": "不服"}, format="json")
    assert response.status_code == 201 and response.json()["appeal"]["status"] == "filed"
    response = as_user(supervisor).post(
        f"/api/v1/objections/{pk}/decide-appeal/", {"outcome": "rejected", "decision": "维持"}, format="json"
    )
    assert response.status_code == 200 and response.json()["appeal"]["status"] == "rejected"
    # another company does not see it
    assert as_user(noticed["reps"][1]).get(f"/api/v1/objections/{pk}/").status_code == 404


def test_refusals_name_code_and_field(noticed):
    rep = as_user(noticed["reps"][0])
    response = rep.post("/api/v1/objections/", {"tender": noticed["tender"].pk, "grounds": ""}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "grounds_required"
    assert response.json()["field"] == "grounds"
    response = as_user(noticed["reps"][2]).post(
        "/api/v1/objections/", {"tender": noticed["tender"].pk, "grounds": "x"}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "not_a_bidder"
    end_notice(noticed["tender"])
    response = rep.post("/api/v1/objections/", {"tender": noticed["tender"].pk, "grounds": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_in_notice_period"
    assert not Objection.objects.exists()
