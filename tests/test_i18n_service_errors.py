"""A service's error reaches the user in the language they chose: Chinese by default, English after switching,
on a page, in the API and in an import's row report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement.models import PurchaseOrder
from tests.procurement.ordering import build_world
from tests.utils import api_as, client_as

pytestmark = pytest.mark.django_db


def _client(user, language=None):
    return client_as(user, language)


def _ship_without_invoice(client, order):
    line = order.lines.get()
    expiry = (timezone.localdate() + timedelta(days=400)).isoformat()
    return client.post(
        f"/orders/{order.pk}/",
        {
            "action": "ship",
            "version": order.version,
            "invoice_number": "",
            f"ship-{line.pk}-packs": "1",
            f"ship-{line.pk}-batch": "B1",
            f"ship-{line.pk}-expiry": expiry,
        },
        follow=True,
    ).content.decode()


def _accepted_order(w):
    buyer, dist = _client(w.buyer), _client(w.dist_rep)
    buyer.post("/orders/cart/add/", {"listing": w.listing.pk, "distributor": w.distributor.pk, "packs": "2"})
    order = PurchaseOrder.objects.get()
    buyer.post(
        "/orders/cart/",
        {"order": order.pk, "version": order.version, f"packs-{order.lines.get().pk}": "2", "action": "submit"},
    )
    order.refresh_from_db()
    dist.post(f"/orders/{order.pk}/", {"action": "accept", "version": order.version})
    order.refresh_from_db()
    return order


def test_a_service_error_on_a_page_follows_the_language():
    w = build_world()
    order = _accepted_order(w)
    assert "请填写发票号" in _ship_without_invoice(_client(w.dist_rep), order)
    english = _ship_without_invoice(_client(w.dist_rep, "en"), order)
    assert "Enter the invoice number" in english and "请填写发票号" not in english


def test_a_service_error_in_the_api_follows_the_language():
    w = build_world()
    body = {"distributor": w.distributor.pk, "lines": [{"listing": w.listing.pk, "packs": 0}], "submit": True}
    chinese = api_as(w.buyer).post("/api/v1/orders/", body, format="json")
    assert chinese.status_code == 400 and "采购数量必须大于零" in chinese.json()["detail"]
    english = api_as(w.buyer).post("/api/v1/orders/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert english.json()["detail"] == "Quantity ordered must be greater than zero", english.json()
    assert not PurchaseOrder.objects.exists()


def test_a_state_error_names_the_action_in_english():
    w = build_world()
    order = _accepted_order(w)
    response = api_as(w.dist_rep).post(
        f"/api/v1/orders/{order.pk}/accept/", {"version": order.version}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409, response.content
    assert response.json()["detail"].endswith("it cannot be accepted"), response.json()
