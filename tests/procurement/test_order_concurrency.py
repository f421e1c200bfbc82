"""Concurrency on PostgreSQL: simultaneous submissions with one idempotency key make exactly one order, and two
distributor users answering one order at once — one wins, the other gets a clear conflict."""

import pytest

from common.errors import ConflictError
from common.idempotency import KeyInFlight
from procurement.models import OrderEvent, PurchaseOrder, PurchaseOrderLine
from procurement.services import orders as svc
from tests.utils import run_together

from .ordering import build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_concurrent_submissions_with_one_idempotency_key_make_one_order():
    """Each twin gets the one order (it came after the first committed) or 409 (it came while the first ran)."""
    w = build_world()

    def submit():
        return svc.order_create(
            by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True, idempotency_key="HIS-20261123-0001"
        ).pk

    results = run_together([submit] * 8)
    assert len(results) == 8
    orders = {r for r in results.values() if isinstance(r, int)}
    in_flight = [r for r in results.values() if isinstance(r, KeyInFlight)]
    assert len(orders) == 1 and len(orders) + len(in_flight) <= 8
    assert len(in_flight) + sum(isinstance(r, int) for r in results.values()) == 8, results
    order = PurchaseOrder.objects.get()
    assert order.status == PurchaseOrder.Status.SUBMITTED
    assert PurchaseOrderLine.objects.filter(order=order).count() == 2
    assert OrderEvent.objects.filter(order=order, action="submitted").count() == 1


def test_two_distributor_users_answer_at_once_one_wins():
    w = build_world()
    order = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True)
    results = run_together(
        [
            lambda: svc.order_accept(order=order, by=w.dist_rep).status,
            lambda: svc.order_reject(order=order, by=w.dist_rep2, reason="缺货").status,
        ]
    )
    outcomes = sorted(type(r).__name__ if isinstance(r, Exception) else r for r in results.values())
    assert len(outcomes) == 2 and "ConflictError" in outcomes, outcomes
    winner = next(r for r in results.values() if not isinstance(r, Exception))
    loser = next(r for r in results.values() if isinstance(r, ConflictError))
    assert "当前状态为" in loser.message
    order.refresh_from_db()
    assert order.status == winner
    assert OrderEvent.objects.filter(order=order, action__in=["accepted", "rejected"]).count() == 1
