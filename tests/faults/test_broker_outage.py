"""Broker down: with Redis stopped, submitting an order, a receipt and a bid still succeed; the follow-up jobs wait in
the outbox; `/healthz` names the broker that is down (503); once Redis is back the drain publishes them and a real
worker runs each exactly once. The Redis here is the test's own, never the shared one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from common.models import OutboxMessage
from common.outbox import drain
from pricing.models import PriceObservation
from procurement.models import Bid, ProgressRun, PurchaseOrder, Receipt, ReceiptLine
from procurement.services import deliveries as delivery_svc
from procurement.services import orders as order_svc
from procurement.services import receipts as receipt_svc
from procurement.services import tenders as tender_svc
from tests.fixtures.tenders import to_bidding
from tests.procurement.ordering import build_world, make_commitment

# the receipt's two, and the OCDS publishing of the tender that moved to bidding
FOLLOW_UPS = {"procurement.refresh_commitment_progress", "pricing.record_receipt", "ocds.publish_tender"}


def _expiry():
    return (timezone.localdate() + timedelta(days=700)).isoformat()


def receive_an_order(w):
    """Order → accept → ship → receive, through the services, exactly as the pages and the API do."""
    order = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True)
    order = order_svc.order_accept(order=order, by=w.dist_rep)
    lines = list(order.lines.order_by("line_no"))
    delivery = delivery_svc.delivery_create(
        order=order,
        by=w.dist_rep,
        invoice_number="INV-OUT-1",
        lines=[
            {"order_line": line.pk, "packs": line.packs, "batch_number": f"B{line.pk}", "expiry_date": _expiry()}
            for line in lines
        ],
    )
    return order, receipt_svc.receipt_create(delivery=delivery, by=w.buyer)


def submit_a_bid(tender_world):
    to_bidding(tender_world)
    return tender_svc.bid_submit(
        lot=tender_world["lot"],
        product=tender_world["products"][0],
        price="0.5000",
        supply_capacity=500000,
        by=tender_world["reps"][0],
    )


def observations_of(receipt):
    line_ids = ReceiptLine.objects.filter(receipt=receipt).values_list("pk", flat=True)
    return PriceObservation.objects.filter(receipt_line_id__in=list(line_ids))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_the_work_is_done_and_the_follow_ups_wait(redis_server, celery_on, world):
    w = build_world()
    make_commitment(hospital=w.hospital, selected_product=w.listing.product, agreed_volume=10000)
    redis_server.stop()  # the outage

    health = Client().get("/healthz")
    assert health.status_code == 503
    broker = health.json()["broker"]
    assert broker["ok"] is False and f"127.0.0.1:{redis_server.port}" in broker["url"], broker

    order, receipt = receive_an_order(w)
    bid = submit_a_bid(world)
    assert PurchaseOrder.objects.get(pk=order.pk).status == "received"
    assert Receipt.objects.filter(pk=receipt.pk).exists()
    assert Bid.objects.get(pk=bid.pk).status == "submitted"

    pending = OutboxMessage.objects.filter(status="pending")
    assert set(pending.values_list("task", flat=True)) == FOLLOW_UPS
    assert all("Error" in m.last_error for m in pending)
    assert drain() == 0  # still down: nothing sent, nothing lost
    assert pending.count() == 3
    assert not PriceObservation.objects.exists()

    redis_server.start()  # the outage ends
    assert Client().get("/healthz").status_code == 200
    assert drain() == 3
    assert not OutboxMessage.objects.filter(status="pending").exists()
    assert redis_server.queue_length() == 3  # on the broker, waiting for a worker
    assert drain() == 0  # a second drain publishes nothing twice
    assert redis_server.queue_length() == 3


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_the_outage_a_real_worker_runs_each_follow_up_exactly_once(redis_server, celery_on, worker):
    w = build_world()
    make_commitment(hospital=w.hospital, selected_product=w.listing.product, agreed_volume=10000)
    redis_server.stop()
    order, receipt = receive_an_order(w)
    assert OutboxMessage.objects.filter(status="pending").count() == 2

    redis_server.start()
    worker.start()
    assert drain() == 2, list(OutboxMessage.objects.values_list("last_error", flat=True))
    lines = ReceiptLine.objects.filter(receipt=receipt, accepted_min_units__gt=0).count()
    worker.wait_for(
        lambda: (
            observations_of(receipt).count() == lines
            and ProgressRun.objects.filter(hospital=w.hospital, status="succeeded").exists()
        ),
        what="the follow-up jobs",
    )
    # Once more through the drain and the beat job: nothing is published or run twice.
    assert drain() == 0
    from common.tasks import drain_outbox

    drain_outbox.apply_async(ignore_result=True)
    worker.wait_for(lambda: redis_server.queue_length() == 0, what="the queue to empty")
    assert observations_of(receipt).count() == lines
    assert ProgressRun.objects.filter(hospital=w.hospital).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_does_not_depend_on_the_result_backend(redis_server, celery_on, monkeypatch):
    """After a long outage Celery's Redis result backend gives up for good ("must be restarted"); the outbox never
    subscribes to results, so publishing goes on working in the same process."""
    from django.db import transaction

    from common.outbox import enqueue

    def broken(*args, **kwargs):
        raise RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store backend.")

    monkeypatch.setattr(celery_on.backend, "on_task_call", broken)
    with transaction.atomic():
        enqueue("common.ping", dedupe_key="ping")
    assert OutboxMessage.objects.get().status == "sent"
    assert redis_server.queue_length() == 1
