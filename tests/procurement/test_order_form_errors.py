"""The cart, ship and receive forms report all their errors at once, each beside its own input (after the redirect,
with the first focused and a summary on top), and write nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from common.errors import ValidationFailed
from procurement.models import Delivery, PurchaseOrder, Receipt
from procurement.services import deliveries as delivery_svc
from procurement.services import orders as svc

from .ordering import build_world

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _errors(html: str, form: str) -> dict[str, str]:
    return dict(re.findall(rf'<p class="field-error" id="{form}-([\w-]+)-error" role="alert">(.*?)</p>', html))


@pytest.fixture
def w():
    return build_world()


@pytest.fixture
def accepted(w):
    order = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(packs=10, packs2=5), submit=True)
    svc.order_accept(order=order, by=w.dist_rep)
    order.refresh_from_db()
    return order


def test_cart_reports_every_bad_quantity_on_its_line(w):
    svc.cart_add(by=w.buyer, listing=w.listing, distributor=w.distributor, packs=1)
    order = svc.cart_add(by=w.buyer, listing=w.listing2, distributor=w.distributor, packs=1)
    first, second = order.lines.order_by("line_no")
    page = (
        _client(w.buyer)
        .post(
            "/orders/cart/",
            {
                "order": order.pk,
                "version": order.version,
                f"packs-{first.pk}": "abc",
                f"packs-{second.pk}": "-3",
                "remarks": "x" * 5000,
                "action": "save",
            },
            follow=True,
        )
        .content.decode()
    )
    errors = _errors(page, f"cart-{order.pk}")
    assert {f"packs-{first.pk}", f"packs-{second.pk}", "remarks"} <= set(errors), errors
    assert page.count(" autofocus") == 1 and "处需要修改" in page
    assert sorted(order.lines.values_list("packs", flat=True)) == [1, 1]  # nothing changed


def test_ship_form_reports_invoice_and_every_line_at_once(w, accepted):
    first, second = accepted.lines.order_by("line_no")
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = (
        _client(w.dist_rep)
        .post(
            f"/orders/{accepted.pk}/",
            {
                "action": "ship",
                "version": accepted.version,
                "invoice_number": "",
                f"ship-{first.pk}-packs": "25",  # 10 ordered: over-shipment
                f"ship-{first.pk}-batch": "B1",
                f"ship-{first.pk}-expiry": (timezone.localdate() + timedelta(days=400)).isoformat(),
                f"ship-{second.pk}-packs": "2",
                f"ship-{second.pk}-batch": "",
                f"ship-{second.pk}-expiry": past,
            },
            follow=True,
        )
        .content.decode()
    )
    errors = _errors(page, "ship")
    expected = {"invoice_number", f"ship-{first.pk}-packs", f"ship-{second.pk}-batch", f"ship-{second.pk}-expiry"}
    assert expected <= set(errors), errors
    assert page.count(" autofocus") == 1 and "4 处需要修改" in page
    assert 'value="25"' in page  # what was typed is kept
    assert not Delivery.objects.exists()
    accepted.refresh_from_db()
    assert accepted.status == PurchaseOrder.Status.ACCEPTED


def test_receive_form_reports_every_line_at_once(w, accepted):
    first, second = accepted.lines.order_by("line_no")
    expiry = timezone.localdate() + timedelta(days=400)
    delivery = delivery_svc.delivery_create(
        order=accepted,
        by=w.dist_rep,
        invoice_number="INV1",
        lines=[
            {"order_line": first.pk, "packs": 10, "batch_number": "B1", "expiry_date": expiry},
            {"order_line": second.pk, "packs": 5, "batch_number": "B2", "expiry_date": expiry},
        ],
    )
    accepted.refresh_from_db()
    dl1, dl2 = delivery.lines.order_by("pk")
    page = (
        _client(w.buyer)
        .post(
            f"/orders/{accepted.pk}/",
            {
                "action": "receive",
                "mode": "lines",
                "delivery": delivery.pk,
                "version": accepted.version,
                f"recv-{dl1.pk}-accepted": "11",  # more than the 10 delivered
                f"recv-{dl2.pk}-accepted": "3",  # 2 short, no reason
                f"recv-{dl2.pk}-rejected": "0",
            },
            follow=True,
        )
        .content.decode()
    )
    errors = _errors(page, "recv")
    assert {f"recv-{dl1.pk}-accepted", f"recv-{dl2.pk}-reason"} <= set(errors), errors
    assert not Receipt.objects.exists()


def test_the_services_refuse_every_line_together_first_first(w, accepted):
    first, second = accepted.lines.order_by("line_no")
    with pytest.raises(ValidationFailed) as caught:
        delivery_svc.delivery_create(
            order=accepted,
            by=w.dist_rep,
            invoice_number="INV1",
            lines=[
                {"order_line": first.pk, "packs": 11, "batch_number": "B1", "expiry_date": "2099-01-01"},
                {"order_line": second.pk, "packs": "x", "batch_number": "", "expiry_date": "nope"},
            ],
        )
    fields = [e.field for e in caught.value.all_errors]
    assert fields == ["lines[0].packs", "lines[1].packs", "lines[1].batch_number", "lines[1].expiry_date"]
    with pytest.raises(ValidationFailed) as caught:
        svc.order_create(
            by=w.buyer,
            distributor=w.distributor,
            lines=[{"listing": w.listing.pk, "packs": 0}, {"listing": w.listing2.pk, "packs": "two"}],
        )
    assert [e.field for e in caught.value.all_errors] == ["lines[0].packs", "lines[1].packs"]
