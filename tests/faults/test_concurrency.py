"""Concurrency on PostgreSQL (threads, one connection each): 50 simultaneous order submissions on one listing and
hospital, while the listing's price changes; two officials acting on one price alert at once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from common.errors import ConflictError
from pricing.models import PriceAlert
from pricing.services.alerts import alert_assign, alert_dismiss
from pricing.services.scan import price_scan_run
from procurement.models import Listing, OrderEvent, PurchaseOrder, PurchaseOrderLine
from procurement.services import listings as listing_svc
from procurement.services import orders as svc
from tests.factories import UserFactory
from tests.procurement.ordering import build_world
from tests.utils import run_together

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]

ORDERS = 50


def test_fifty_simultaneous_orders_on_one_listing_and_hospital(official):
    w = build_world()
    buyers = [w.buyer, w.buyer2]
    old_price, new_price = w.listing.unit_price, Decimal("0.5500")

    def submit(index):
        return lambda: (
            svc.order_create(
                by=buyers[index % 2],
                distributor=w.distributor,
                submit=True,
                lines=[{"listing": w.listing.pk, "packs": 1 + index % 7}],
            ).pk
        )

    def change_price():
        listing_svc.listing_change_price(
            listing=Listing.objects.get(pk=w.listing.pk), by=official, unit_price=new_price, reason="联动调价"
        )
        return "price"

    results = run_together([submit(i) for i in range(ORDERS)] + [change_price])
    failures = {k: v for k, v in results.items() if isinstance(v, Exception)}
    assert not failures, failures
    orders = PurchaseOrder.objects.filter(hospital=w.hospital)
    assert orders.count() == ORDERS
    assert orders.values("number").distinct().count() == ORDERS  # numbers never collide
    assert set(orders.values_list("status", flat=True)) == {"submitted"}
    lines = PurchaseOrderLine.objects.filter(order__in=orders)
    assert lines.count() == ORDERS
    for line in lines:  # each line frozen at one price, and its amount computed from it
        assert line.unit_price in (old_price, new_price), line.unit_price
        assert line.amount == line.pack_price * line.packs
    for order in orders:
        assert order.total_amount == sum(x.amount for x in order.lines.all())
    assert OrderEvent.objects.filter(order__in=orders, action="submitted").count() == ORDERS


def test_two_officials_on_one_alert_one_wins_the_other_gets_a_conflict(peer_world, agency):
    price_scan_run(full=True)
    alert = PriceAlert.objects.get()
    first = UserFactory(username="official_a", organization=agency, roles=["pricing_official"])
    second = UserFactory(username="official_b", organization=agency, roles=["pricing_official"])
    version = alert.version
    history = alert.history.count()
    results = run_together(
        [
            lambda: (
                alert_assign(
                    alert=PriceAlert.objects.get(pk=alert.pk), assignee=first, by=first, expected_version=version
                ).status
            ),
            lambda: (
                alert_dismiss(
                    alert=PriceAlert.objects.get(pk=alert.pk), reason="价格合理", by=second, expected_version=version
                ).status
            ),
        ]
    )
    outcomes = list(results.values())
    conflicts = [r for r in outcomes if isinstance(r, ConflictError)]
    winners = [r for r in outcomes if not isinstance(r, Exception)]
    assert len(conflicts) == 1 and len(winners) == 1, outcomes
    assert conflicts[0].message  # a clear message, shown to the loser
    alert = PriceAlert.objects.get(pk=alert.pk)
    assert alert.status == winners[0]
    assert alert.version == version + 1
    assert alert.history.count() == history + 1  # exactly one change recorded
