"""The objection pages: a bidder files and appeals, the official answers from the queue, the supervisor decides."""

import pytest
from django.test import Client

from transparency.models import Appeal, Objection

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bidder_official_supervisor_pages(noticed, supervisor):
    tender, rep = noticed["tender"], noticed["reps"][0]
    bidder = signed_in(rep)
    page = bidder.get("/transparency/objections/").content.decode()
    assert tender.code in page and 'name="grounds"' in page
    response = bidder.post("/transparency/objections/new/", {"tender": tender.pk, "grounds": "排序有误"})
    objection = Objection.objects.get()
    assert response.status_code == 302 and response.url == f"/transparency/objections/{objection.pk}/"
    # filing twice: the message, nothing new
    response = bidder.post("/transparency/objections/new/", {"tender": tender.pk, "grounds": "再次"}, follow=True)
    assert "已对该中选候选结果提出过异议" in response.content.decode() and Objection.objects.count() == 1

    official = signed_in(noticed["official"])
    queue = official.get("/transparency/objections/queue/").content.decode()
    assert f"/transparency/objections/{objection.pk}/" in queue
    assert 'id="answer-form"' in official.get(f"/transparency/objections/{objection.pk}/").content.decode()
    official.post(f"/transparency/objections/{objection.pk}/answer/", {"outcome": "rejected", "answer": "无误"})
    objection.refresh_from_db()
    assert objection.status == "rejected"

    page = bidder.get(f"/transparency/objections/{objection.pk}/").content.decode()
    assert "无误" in page and 'id="appeal-form"' in page
    bidder.post(f"/transparency/objections/{objection.pk}/appeal/", {"grounds": "不服"})
    assert Appeal.objects.filter(objection=objection, status="filed").exists()

    chief = signed_in(supervisor)
    assert f"/transparency/objections/{objection.pk}/" in chief.get("/transparency/appeals/").content.decode()
    chief.post(f"/transparency/objections/{objection.pk}/decide-appeal/", {"outcome": "upheld", "decision": "成立"})
    assert Appeal.objects.get().status == "upheld"
    assert tender.evaluations.get(is_current=True).run_no == 2


def test_pages_refuse_other_roles_and_companies(noticed):
    objection_page = "/transparency/objections/queue/"
    assert signed_in(noticed["buyers"][0]).get("/transparency/objections/").status_code == 403
    assert signed_in(noticed["reps"][0]).get(objection_page).status_code == 403
    signed_in(noticed["reps"][0]).post(
        "/transparency/objections/new/", {"tender": noticed["tender"].pk, "grounds": "排序有误"}
    )
    pk = Objection.objects.get().pk
    assert signed_in(noticed["reps"][1]).get(f"/transparency/objections/{pk}/").status_code == 404
    response = signed_in(noticed["reps"][1]).post(
        f"/transparency/objections/{pk}/answer/", {"outcome": "upheld", "answer": "x"}
    )
    assert response.status_code == 403 and Objection.objects.get().status == "filed"  # not an official
