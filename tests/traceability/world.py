"""Deliveries to record codes on: the ordering world (tests/procurement/ordering.py), one accepted order shipped."""

from datetime import timedelta

from django.utils import timezone

from procurement.services import deliveries as delivery_svc
from procurement.services import orders as order_svc


def shipped(w, packs=3, packs2=2):
    """An order of the world's hospital, accepted and shipped in one delivery of two lines."""
    order = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(packs, packs2), submit=True)
    order = order_svc.order_accept(order=order, by=w.dist_rep)
    expiry = (timezone.localdate() + timedelta(days=700)).isoformat()
    lines = list(order.lines.order_by("line_no"))
    items = [
        {"order_line": lines[0].pk, "packs": packs, "batch_number": "A1", "expiry_date": expiry},
        {"order_line": lines[1].pk, "packs": packs2, "batch_number": "B1", "expiry_date": expiry},
    ]
    delivery = delivery_svc.delivery_create(order=order, by=w.dist_rep, invoice_number="INV-T", lines=items)
    return delivery, list(delivery.lines.order_by("pk"))


def code(n: int, prefix: str = "8100001") -> str:
    """A 20-digit code: a 7-digit product identifier and a 13-digit serial part."""
    return f"{prefix}{n:013d}"
