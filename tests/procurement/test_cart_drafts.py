"""The cart keeps one draft order per hospital × distributor, whichever way the first draft was made."""

import pytest

from procurement.models import PurchaseOrder
from procurement.services import orders as svc

from .ordering import build_world

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status


def test_cart_add_joins_a_draft_created_with_an_idempotency_key():
    w = build_world()
    keyed = svc.order_create(
        by=w.buyer, distributor=w.distributor, lines=[{"listing": w.listing.pk, "packs": 2}], idempotency_key="K-1"
    )
    draft = svc.cart_add(by=w.buyer, listing=w.listing2, distributor=w.distributor, packs=1)
    assert draft.pk == keyed.pk
    drafts = PurchaseOrder.objects.filter(hospital=w.hospital, distributor=w.distributor, status=S.DRAFT)
    assert drafts.count() == 1
    assert sorted(draft.lines.values_list("listing_id", "packs")) == sorted([(w.listing.pk, 2), (w.listing2.pk, 1)])


def test_cart_page_shows_one_draft_per_distributor(client):
    w = build_world()
    svc.order_create(
        by=w.buyer, distributor=w.distributor, lines=[{"listing": w.listing.pk, "packs": 2}], idempotency_key="K-2"
    )
    client.force_login(w.buyer)
    response = client.post(
        "/orders/cart/add/", {"listing": w.listing2.pk, "distributor": w.distributor.pk, "packs": "3"}
    )
    assert response.status_code == 302
    page = client.get("/orders/cart/").content.decode()
    assert page.count('data-order="') == 1


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/phish", "//evil.example/phish", "http://evil.example/", "javascript:alert(1)"],
)
def test_cart_add_never_redirects_to_another_site(client, next_url):
    w = build_world()
    client.force_login(w.buyer)
    response = client.post(
        "/orders/cart/add/",
        {"listing": w.listing.pk, "distributor": w.distributor.pk, "packs": "1", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == "/orders/cart/"
    assert PurchaseOrder.objects.filter(hospital=w.hospital, status=S.DRAFT).count() == 1


def test_cart_add_returns_to_the_page_it_was_posted_from(client):
    w = build_world()
    client.force_login(w.buyer)
    response = client.post(
        "/orders/cart/add/",
        {
            "listing": w.listing.pk,
            "distributor": w.distributor.pk,
            "packs": "1",
            "next": "/orders/search/?q=abc&page=2",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/orders/search/?q=abc&page=2"
