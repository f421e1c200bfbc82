"""The API and the pages: distributors upload (file or scanner text), hospitals receive by scan and see their stock,
officials see the flags; errors come back as {code, detail, field} with nothing written; other organisations 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import AgencyFactory, UserFactory
from tests.procurement.ordering import build_world
from tests.utils import api_as
from traceability.models import DeliveryCode, TraceFlag

from .world import code, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def test_upload_file_then_receive_by_scan_and_see_stock(w):
    delivery, (l1, l2) = shipped(w, packs=2, packs2=1)
    case = code(900, "8100009")
    csv = f"配送明细,追溯码,上级码\n{l1.pk},{case},\n{l1.pk},{code(1)},{case}\n{l1.pk},{code(2)},{case}\n{l2.pk},{code(3)},\n"
    upload = SimpleUploadedFile("codes.csv", csv.encode(), content_type="text/csv")
    r = api_as(w.dist_rep).post(
        f"/api/v1/traceability/deliveries/{delivery.pk}/codes/", {"file": upload}, format="multipart"
    )
    assert r.status_code == 201, r.content
    assert r.json() == {"recorded": 4, "packs": 3, "wrong_product": 0}
    r = api_as(w.buyer).post(
        f"/api/v1/traceability/deliveries/{delivery.pk}/receive/", {"text": f"{case}\n{code(3)}\n"}, format="json"
    )
    assert r.status_code == 200 and r.json()["received"] == 4 and r.json()["count_mismatch"] == []
    r = api_as(w.buyer).get("/api/v1/traceability/stock/")
    assert sorted((row["product"], row["stock"]) for row in r.json()) == sorted(
        [(l1.order_line.product_id, 2), (l2.order_line.product_id, 1)]
    )
    r = api_as(w.buyer).get(f"/api/v1/traceability/deliveries/{delivery.pk}/codes/")
    assert [line["received"] for line in r.json()["lines"]] == [2, 1]


def test_api_bad_input_answers_the_field_and_writes_nothing(w):
    delivery, (l1, _l2) = shipped(w, packs=1, packs2=1)
    url = f"/api/v1/traceability/deliveries/{delivery.pk}/codes/"
    client = api_as(w.dist_rep)
    for body, code_, field in (
        ({"delivery_line": l1.pk, "text": "123456"}, "trace_code_wrong_length", "rows[0].code"),
        ({"delivery_line": l1.pk, "text": f"{code(1)}\n{code(1)}"}, "trace_code_duplicate_in_delivery", "rows[1].code"),
        ({"delivery_line": l1.pk, "text": f"{code(1)}\n{code(2)}"}, "more_codes_than_packs", "rows"),
        (
            {"rows": [{"delivery_line": 999999, "code": code(1)}]},
            "delivery_line_not_in_delivery",
            "rows[0].delivery_line",
        ),
    ):
        r = client.post(url, body, format="json")
        assert r.status_code == 400 and r.json()["code"] == code_ and r.json()["field"] == field, r.content
    assert not DeliveryCode.objects.exists()


def test_other_organisations_get_404(w):
    delivery, (l1, _l2) = shipped(w)
    r = api_as(w.other_dist_rep).post(
        f"/api/v1/traceability/deliveries/{delivery.pk}/codes/",
        {"delivery_line": l1.pk, "text": code(1)},
        format="json",
    )
    assert r.status_code == 404
    assert api_as(w.other_buyer).get(f"/api/v1/traceability/deliveries/{delivery.pk}/codes/").status_code == 404
    assert (
        api_as(w.other_buyer)
        .post(f"/api/v1/traceability/deliveries/{delivery.pk}/receive/", {"codes": [code(1)]}, format="json")
        .status_code
        == 404
    )
    assert not DeliveryCode.objects.exists()


def test_pages_scan_receive_and_flags(w):
    delivery, (l1, _l2) = shipped(w, packs=1, packs2=1)
    dist, buyer = Client(), Client()
    dist.force_login(w.dist_rep)
    buyer.force_login(w.buyer)
    url = f"/traceability/deliveries/{delivery.pk}/"
    r = dist.post(url, {"action": "record", "delivery_line": l1.pk, "codes": "12345"})
    assert r.status_code == 400 and "20" in r.content.decode() and not DeliveryCode.objects.exists()
    r = dist.post(url, {"action": "record", "delivery_line": l1.pk, "codes": code(1)})
    assert r.status_code == 200 and DeliveryCode.objects.count() == 1
    r = buyer.post(url, {"action": "receive", "codes": code(1), "complete": "1"})
    assert r.status_code == 200 and DeliveryCode.objects.filter(received_at__isnull=False).count() == 1
    assert TraceFlag.objects.filter(kind="count_mismatch").count() == 1  # the second line has no codes
    assert buyer.get("/traceability/stock/").status_code == 200
    official = Client()
    official.force_login(UserFactory(username="t_off", organization=AgencyFactory(), roles=["fund_officer"]))
    r = official.get("/traceability/flags/")
    assert r.status_code == 200 and delivery.number in r.content.decode()
    outsider = Client()
    outsider.force_login(w.other_buyer)
    assert outsider.get(url).status_code == 404


def test_hostile_input_is_a_clear_4xx_never_a_500(w):
    delivery, (l1, _l2) = shipped(w, packs=1, packs2=1)
    client = api_as(w.dist_rep)
    url = f"/api/v1/traceability/deliveries/{delivery.pk}/codes/"
    for body in (
        {"delivery_line": l1.pk, "text": "(01)06901234567892(21)A\x00B"},
        {"delivery_line": l1.pk, "text": "ABC\x00DEF123"},
        {"delivery_line": "9" * 30, "text": code(1)},
        {"rows": "not a list"},
        {"rows": [{"delivery_line": l1.pk, "code": {"x": 1}}]},
    ):
        r = client.post(url, body, format="json")
        assert r.status_code == 400, (body, r.content)
    assert client.get("/api/v1/traceability/deliveries/99999999999999999999/codes/").status_code == 404
    assert not DeliveryCode.objects.exists()


def test_another_hospitals_empty_scan_is_404_not_400(w):
    delivery, _lines = shipped(w)
    r = api_as(w.other_buyer).post(f"/api/v1/traceability/deliveries/{delivery.pk}/receive/", {}, format="json")
    assert r.status_code == 404
