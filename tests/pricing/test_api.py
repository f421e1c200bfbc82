"""The pricing API: scoping, the review actions with versions (409 on a stale one), imports, credit, shortage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pricing.models import CreditRecord, Inquiry, PriceAlert, PriceObservation
from pricing.services.scan import price_scan_run


@pytest.fixture
def alert(peer_world):
    price_scan_run(full=True)
    return PriceAlert.objects.get()


def test_only_officials_see_alerts(api, alert, official, purchaser, manufacturer_rep):
    for user in (purchaser, manufacturer_rep):
        api.force_authenticate(user)
        assert api.get("/api/v1/price-alerts/").status_code == 403
        assert api.get(f"/api/v1/price-alerts/{alert.pk}/").status_code == 403
    api.force_authenticate(official)
    body = api.get("/api/v1/price-alerts/?status=active&kind=peer_outlier&sort=amount").json()
    assert body["count"] == 1 and "同品种价格离群" in body["results"][0]["kind_labels"]
    assert api.get("/api/v1/price-alerts/?status=resolved").json()["count"] == 0
    detail = api.get(f"/api/v1/price-alerts/{alert.pk}/").json()
    peer = next(s for s in detail["signals"] if s["kind"] == "peer_outlier")
    assert peer["evidence"]["peers"] == 8 and detail["version"] == 1
    assert set(detail["peer_hospitals"]) == {str(d["hospital_id"]) for d in peer["evidence"]["distribution"]}


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=nonsense", "status"),
        ("kind=nonsense", "kind"),
        ("severity=9", "severity"),
        ("sort=sideways", "sort"),
        ("min_amount=lots", "min_amount"),
        ("period_from=2025-13", "period_from"),
    ],
)
def test_unknown_filter_values_are_refused_naming_the_filter(api, alert, official, query, field):
    api.force_authenticate(official)
    r = api.get(f"/api/v1/price-alerts/?{query}")
    assert r.status_code == 400 and r.json()["field"] == field


def test_review_through_the_api_with_a_conflict(api, alert, official, manufacturer, manufacturer_rep, purchaser):
    api.force_authenticate(official)
    url = f"/api/v1/price-alerts/{alert.pk}/"
    r = api.post(url + "assign/", {"assignee": official.pk, "version": 1}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "in_review" and r.json()["version"] == 2
    stale = api.post(url + "dismiss/", {"reason": "重复", "version": 1}, format="json")
    assert stale.status_code == 409 and "已被他人处理" in stale.json()["detail"]
    no_reason = api.post(url + "dismiss/", {"reason": "", "version": 2}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    r = api.post(
        url + "inquiry/",
        {"recipient": manufacturer.pk, "letter": "请说明", "reply_due": due, "version": 2},
        format="json",
    )
    assert r.status_code == 201
    inquiry_id = r.json()["id"]
    # the manufacturer answers in its portal, with a file
    api.force_authenticate(manufacturer_rep)
    assert api.get("/api/v1/price-inquiries/").json()["count"] == 1
    r = api.post(
        f"/api/v1/price-inquiries/{inquiry_id}/reply/",
        {"reply": "运输成本上升", "reply_file": SimpleUploadedFile("说明.pdf", b"%PDF-1.4 test")},
        format="multipart",
    )
    assert r.status_code == 200 and r.json()["replied_at"]
    api.force_authenticate(purchaser)
    assert api.get("/api/v1/price-inquiries/").json()["count"] == 0
    assert api.post(f"/api/v1/price-inquiries/{inquiry_id}/reply/", {"reply": "x"}, format="json").status_code == 404
    api.force_authenticate(official)
    r = api.post(url + "resolve/", {"disposition": "justified", "note": "理由充分", "version": 3}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    history = api.get(url + "history/").json()
    assert [e["action"] for e in history] == ["start_review", "send_inquiry", "inquiry_replied", "resolve"]
    assert Inquiry.objects.get().reply_file.name.endswith(".pdf")


def test_bulk_actions(api, alert, official):
    api.force_authenticate(official)
    r = api.post("/api/v1/price-alerts/bulk-assign/", {"alerts": [alert.pk], "assignee": official.pk}, format="json")
    assert r.status_code == 200 and r.json()[0]["status"] == "in_review"
    r = api.post("/api/v1/price-alerts/bulk-dismiss/", {"alerts": [alert.pk], "reason": ""}, format="json")
    assert r.status_code == 400
    r = api.post("/api/v1/price-alerts/bulk-dismiss/", {"alerts": [alert.pk], "reason": "核实无误"}, format="json")
    assert r.status_code == 200 and r.json()[0]["status"] == "dismissed"


def test_observation_import_endpoint(api, official, product, hospital):
    api.force_authenticate(official)
    bad = (
        f"产品代码,来源,日期,单价,单位,医疗机构\n{product.nhsa_code},医疗机构线下采购,2026-03-01,0,片,{hospital.uscc}\n"
    )
    r = api.post(
        "/api/v1/price-observations/import/", {"file": SimpleUploadedFile("o.csv", bad.encode())}, format="multipart"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["row"] == 2
    good = bad.replace(",0,", ",1.5,")
    r = api.post(
        "/api/v1/price-observations/import/", {"file": SimpleUploadedFile("o.csv", good.encode())}, format="multipart"
    )
    assert r.status_code == 200 and r.json()["counts"] == {"new": 1}
    assert PriceObservation.objects.count() == 1
    assert api.get("/api/v1/price-observations/").json()["count"] == 1


def test_credit_records_api(api, official, manufacturer, manufacturer_rep):
    api.force_authenticate(official)
    payload = {
        "organization": manufacturer.pk,
        "behaviour": "bribery",
        "level": "general",
        "amount": "20000",
        "evidence": "判决书",
        "start": "2026-01-01",
    }
    bad = api.post("/api/v1/credit-records/", {**payload, "level": "huge"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "level"
    bad = api.post("/api/v1/credit-records/", {**payload, "end": "2025-01-01"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "end"
    assert not CreditRecord.objects.exists()
    r = api.post("/api/v1/credit-records/", payload, format="json")
    assert r.status_code == 201 and r.json()["level_name"] == "一般"
    api.force_authenticate(manufacturer_rep)
    assert api.get("/api/v1/credit-records/").json()["count"] == 1
    assert api.post("/api/v1/credit-records/", payload, format="json").status_code == 403


def test_scan_request_is_queued(api, official, peer_world, purchaser, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # as without a broker, also when the suite runs with Redis
    api.force_authenticate(purchaser)
    assert api.post("/api/v1/price-scans/", {}, format="json").status_code == 403
    api.force_authenticate(official)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/price-scans/", {"full": True}, format="json")
    assert r.status_code == 202
    # without a broker the task runs in-process after commit
    assert PriceAlert.objects.count() == 1
    assert api.get("/api/v1/price-scans/").json()["count"] == 1


def test_observation_filters_are_checked(api, official, peer_world):
    api.force_authenticate(official)
    r = api.get("/api/v1/price-observations/?observed_on__gte=garbage")
    assert r.status_code == 400
    r = api.get("/api/v1/price-observations/?observed_since=2025-01-01")
    assert r.status_code == 400 and r.json()["field"] == "observed_since"
    assert api.get("/api/v1/price-observations/?observed_on__gte=2000-01-01").status_code == 200
