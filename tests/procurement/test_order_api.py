"""The ordering API: scoped per organisation, idempotent creation, each step, errors rendered with the field."""

import json
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from procurement.models import Delivery, GoodsReturn, PurchaseOrder, Receipt
from tests.factories import AgencyFactory, UserFactory
from tests.utils import api_as, error_field

from .ordering import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _expiry():
    return (timezone.localdate() + timedelta(days=500)).isoformat()


def _create(w, client=None, **extra):
    body = {"distributor": w.distributor.pk, "lines": w.lines(), "submit": True, **extra}
    return (client or api_as(w.buyer)).post("/api/v1/orders/", body, format="json")


def test_create_with_idempotency_key_header_returns_the_same_order(w):
    client = api_as(w.buyer)
    first = client.post(
        "/api/v1/orders/",
        {"distributor": w.distributor.pk, "lines": w.lines(), "submit": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="HIS-1",
    )
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "submitted" and len(first.json()["lines"]) == 2
    again = client.post(
        "/api/v1/orders/",
        {"distributor": w.distributor.pk, "lines": w.lines(), "submit": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="HIS-1",
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert PurchaseOrder.objects.count() == 1


def test_orders_are_scoped_per_organisation(w):
    order_id = _create(w).json()["id"]
    draft_id = _create(w, submit=False).json()["id"]
    assert api_as(w.other_buyer).get(f"/api/v1/orders/{order_id}/").status_code == 404
    assert api_as(w.other_buyer).get("/api/v1/orders/").json()["count"] == 0
    assert api_as(w.other_dist_rep).get(f"/api/v1/orders/{order_id}/").status_code == 404
    dist_ids = [o["id"] for o in api_as(w.dist_rep).get("/api/v1/orders/").json()["results"]]
    assert dist_ids == [order_id]  # a distributor never sees the hospital's drafts
    assert api_as(w.dist_rep).get(f"/api/v1/orders/{draft_id}/").status_code == 404
    official = UserFactory(organization=AgencyFactory(), roles=["pricing_official"])
    assert api_as(official).get("/api/v1/orders/").json()["count"] == 1
    # another hospital cannot act on it either
    assert api_as(w.other_buyer).post(f"/api/v1/orders/{order_id}/cancel/", {"reason": "x"}).status_code == 404


def test_bad_inputs_answer_400_with_the_field_and_write_nothing(w):
    client = api_as(w.buyer)
    response = client.post(
        "/api/v1/orders/",
        {"distributor": w.distributor.pk, "lines": [{"listing": w.listing.pk, "packs": 1.5}]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "lines[0].packs"
    response = client.post(
        "/api/v1/orders/", {"distributor": w.other_distributor.pk, "lines": w.lines()}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "distributor_not_authorized")
    response = client.post(
        "/api/v1/orders/",
        {"distributor": w.distributor.pk, "hospital": w.other_hospital.pk, "lines": w.lines()},
        format="json",
    )
    assert response.status_code == 403
    assert (
        api_as(w.dist_rep)
        .post("/api/v1/orders/", {"distributor": w.distributor.pk, "lines": w.lines()}, format="json")
        .status_code
        == 403
    )
    lines = w.lines()
    lines[1]["remarks"] = "加急\u0000"  # a NUL byte in a line's remarks (PostgreSQL cannot store it)
    response = client.post(
        "/api/v1/orders/", {"distributor": w.distributor.pk, "lines": lines, "submit": True}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "lines[1].remarks"
    assert "U+0000" in response.json()["detail"]
    assert PurchaseOrder.objects.count() == 0


def test_ids_beyond_the_database_range_are_not_found_not_a_server_error(w):
    """Order creation reads the parties and listings by hand-written queries (array parameters): an id no integer
    column can hold is simply not found."""
    client = api_as(w.buyer)
    for huge in (2**63, 10**20):
        response = client.post("/api/v1/orders/", {"distributor": huge, "lines": w.lines()}, format="json")
        assert response.status_code == 400 and error_field(response) == "distributor", response.content
        lines = [{"listing": w.listing.pk, "packs": 1}, {"listing": huge, "packs": 1}]
        response = client.post("/api/v1/orders/", {"distributor": w.distributor.pk, "lines": lines}, format="json")
        assert response.status_code == 400 and response.json()["field"] == "lines[1].listing", response.content
    assert PurchaseOrder.objects.count() == 0


def test_whole_path_through_the_api(w):
    order = _create(w).json()
    dist = api_as(w.dist_rep)
    response = dist.post(
        "/api/v1/deliveries/",
        {
            "order": order["id"],
            "invoice_number": "I-1",
            "lines": [
                {"order_line": order["lines"][0]["id"], "packs": 1, "batch_number": "B", "expiry_date": _expiry()}
            ],
        },
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "order_wrong_status")  # ship before accept
    assert "须先接单" in response.json()["detail"]
    stale = order["version"]
    accepted = dist.post(f"/api/v1/orders/{order['id']}/accept/", {"reason": "已备货"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    response = api_as(w.dist_rep2).post(
        f"/api/v1/orders/{order['id']}/reject/", {"reason": "缺货"}, HTTP_IF_MATCH=str(stale)
    )
    assert response.status_code == 409 and response.json()["code"] == "stale"
    delivery = dist.post(
        "/api/v1/deliveries/",
        {
            "order": order["id"],
            "invoice_number": "I-1",
            "lines": [
                {"order_line": line["id"], "packs": line["packs"], "batch_number": "B", "expiry_date": _expiry()}
                for line in order["lines"]
            ],
        },
        format="json",
    )
    assert delivery.status_code == 201, delivery.content
    assert (
        api_as(w.other_dist_rep)
        .post("/api/v1/deliveries/", {"order": order["id"], "invoice_number": "X", "lines": []}, format="json")
        .status_code
        == 404
    )
    buyer = api_as(w.buyer)
    assert [d["id"] for d in buyer.get("/api/v1/deliveries/?received=false").json()["results"]] == [
        delivery.json()["id"]
    ]
    line = delivery.json()["lines"][0]
    too_many = buyer.post(
        "/api/v1/receipts/",
        {
            "delivery": delivery.json()["id"],
            "lines": [{"delivery_line": line["id"], "accepted_packs": line["packs"] + 1}],
        },
        format="json",
    )
    assert too_many.status_code == 400 and too_many.json()["field"] == "lines[0].accepted_packs"
    receipt = buyer.post("/api/v1/receipts/", {"delivery": delivery.json()["id"]}, format="json")
    assert receipt.status_code == 201 and receipt.json()["accepted_amount"] == "183.45"
    twice = buyer.post("/api/v1/receipts/", {"delivery": delivery.json()["id"]}, format="json")
    assert twice.status_code == 409
    rl = receipt.json()["lines"][0]
    too_big = buyer.post(
        "/api/v1/returns/",
        {
            "order": order["id"],
            "reason": "破损",
            "lines": [{"receipt_line": rl["id"], "packs": rl["accepted_packs"] + 1}],
        },
        format="json",
    )
    assert too_big.status_code == 400 and GoodsReturn.objects.count() == 0
    ret = buyer.post(
        "/api/v1/returns/",
        {"order": order["id"], "reason": "破损", "lines": [{"receipt_line": rl["id"], "packs": 1}]},
        format="json",
    )
    assert ret.status_code == 201 and ret.json()["amount"] == "6.00"
    closed = buyer.post(f"/api/v1/orders/{order['id']}/close/", {}, format="json")
    assert closed.json()["status"] == "closed"
    detail = buyer.get(f"/api/v1/orders/{order['id']}/").json()
    assert [e["action"] for e in detail["events"]][-3:] == ["receipt", "returned", "closed"]
    assert (Delivery.objects.count(), Receipt.objects.count()) == (1, 1)


def test_listing_search_and_authorisations(w):
    client = api_as(w.buyer)
    names = [x["generic_name"] for x in client.get("/api/v1/listings/?q=阿托伐他汀").json()["results"]]
    assert names == ["阿托伐他汀钙片"]
    assert client.post(f"/api/v1/listings/{w.listing.pk}/suspend/", {"reason": "x"}).status_code == 403
    auths = client.get("/api/v1/distribution-authorizations/").json()["results"]
    assert {a["distributor"] for a in auths} == {w.distributor.pk}
    rep = UserFactory(organization=w.manufacturer, roles=["manufacturer_rep"])
    body = {
        "product": w.listing.product_id,
        "distributor": w.other_distributor.pk,
        "regions": ["150100"],
        "valid_from": str(timezone.localdate()),
    }
    created = api_as(rep).post("/api/v1/distribution-authorizations/", body, format="json")
    assert created.status_code == 201, created.content
    only_first = [{"listing": w.listing.pk, "packs": 2}]
    assert _create(w, distributor=w.other_distributor.pk, lines=only_first).status_code == 201  # now authorised
    other_rep = UserFactory(organization=AgencyFactory(name="别的局"), roles=["manufacturer_rep"])
    assert api_as(other_rep).post("/api/v1/distribution-authorizations/", body, format="json").status_code == 403


def test_submitting_a_new_order_takes_few_round_trips(w, django_assert_max_num_queries):
    """A new order, created and submitted with an idempotency key, in plain ORM statements: the token with the user's
    organisation and roles; the transaction's begin and end (a savepoint here, inside the test's transaction); the
    hospital and distributor with their regions; the key's lock, then the key's order (none); the listings' share
    lock, then the listings with their products, authorisation and commitment flags; the order, its number (from its
    id), its lines and its events (one INSERT each) — 12, none per line. The lines go in through UNNEST (one array
    per column, the same statement text for any number of lines), not one placeholder per value."""
    from rest_framework.test import APIClient

    from accounts.services import token_sign_in
    from procurement.models import OrderEvent

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_sign_in(user=w.buyer)[1]}")
    body = {"distributor": w.distributor.pk, "lines": w.lines(), "submit": True}
    with django_assert_max_num_queries(12) as captured:
        response = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="HIS-Q")
    assert response.status_code == 201, response.content
    (lines_insert,) = [
        q["sql"] for q in captured.captured_queries if 'INTO "procurement_purchaseorderline"' in q["sql"]
    ]
    assert "UNNEST" in lines_insert and "DEFAULT" not in lines_insert
    data = response.json()
    order = PurchaseOrder.objects.get()
    assert data["id"] == order.pk and data["number"] == order.number
    assert order.number == f"PO{timezone.localdate():%Y%m%d}{order.pk:08d}"
    assert (order.status, order.version, order.line_count, str(order.total_amount)) == ("submitted", 2, 2, "183.45")
    assert data["status"] == "submitted" and data["version"] == 2 and data["total_amount"] == "183.45"
    assert [line["amount"] for line in data["lines"]] == ["60.00", "123.45"]
    assert order.lines.filter(price_frozen_at__isnull=False).count() == 2
    assert list(OrderEvent.objects.filter(order=order).order_by("pk").values_list("action", flat=True)) == [
        "created",
        "submitted",
    ]
    again = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="HIS-Q")
    assert again.status_code == 200 and again.json()["id"] == order.pk and PurchaseOrder.objects.count() == 1


def test_a_new_order_is_answered_as_it_was_written(w):
    """The answer to a new order is rendered from the objects just written; a replay of its key renders the rows
    read back: both give the same, and what the stored order's serializer gives."""
    from procurement.api.orders import OrderWithLinesSerializer

    client = api_as(w.buyer)
    body = {"distributor": w.distributor.pk, "lines": w.lines(), "submit": True, "remarks": "急用"}
    created = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="HIS-R")
    replayed = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="HIS-R")
    assert (created.status_code, replayed.status_code) == (201, 200)
    assert created.json() == replayed.json()
    order = PurchaseOrder.objects.get()
    order.late_response = order.late_delivery = False
    assert created.json() == json.loads(json.dumps(OrderWithLinesSerializer(order).data, cls=DjangoJSONEncoder))
    assert [line["id"] for line in created.json()["lines"]] == list(
        order.lines.order_by("line_no").values_list("pk", flat=True)
    )
