"""Pricing on top of ordering: observations from receipts, corrected prices on listings, credit consequences on
listings (and their lifting), and the shortage signals from orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import DomainError
from pricing.models import PriceAlert, PriceObservation, ShortageAlert
from pricing.services import alerts as alert_svc
from pricing.services import credit as credit_svc
from pricing.services.observations import observations_backfill_receipts, observations_record_receipt
from pricing.services.shortage import shortage_watch_run
from procurement.models import Listing, PurchaseOrder
from procurement.services import deliveries as delivery_svc
from procurement.services import orders as order_svc
from procurement.services import receipts as receipt_svc
from tests.factories import ListingFactory, ProductFactory
from tests.procurement.ordering import build_world


@pytest.fixture
def w(db):
    return build_world()


def _receive(w, packs=10, packs2=5):
    order = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(packs, packs2), submit=True)
    order = order_svc.order_accept(order=order, by=w.dist_rep)
    expiry = (timezone.localdate() + timedelta(days=700)).isoformat()
    items = [
        {"order_line": line.pk, "packs": line.packs, "batch_number": "B1", "expiry_date": expiry}
        for line in order.lines.order_by("line_no")
    ]
    delivery = delivery_svc.delivery_create(order=order, by=w.dist_rep, invoice_number="INV-9", lines=items)
    return receipt_svc.receipt_create(delivery=delivery, by=w.buyer)


def test_a_receipt_becomes_one_observation_per_line_once(w, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = (
        True  # the follow-up runs in-process after commit, also when the suite has Redis
    )
    with django_capture_on_commit_callbacks(execute=True):
        receipt = _receive(w)
    rows = {o.product_id: o for o in PriceObservation.objects.all()}
    assert len(rows) == 2
    first = rows[w.listing.product_id]
    assert (first.source, first.unit_price, first.quantity, first.amount) == (
        "platform_receipt",
        Decimal("0.5000"),
        120,
        Decimal("60.00"),
    )
    assert first.hospital == w.hospital and first.region == w.hospital.region
    assert first.observed_on == timezone.localdate() and first.receipt_line_id is not None
    # the task again, and the nightly catch-up: nothing more
    assert observations_record_receipt(receipt_id=receipt.pk) == 0
    assert observations_backfill_receipts() == 0
    assert PriceObservation.objects.count() == 2


def test_the_catch_up_writes_receipts_whose_task_was_lost(w, monkeypatch):
    from procurement import hooks

    monkeypatch.setattr(hooks, "receipt_committed_handlers", [])
    _receive(w)
    assert PriceObservation.objects.count() == 0
    assert observations_backfill_receipts(batch=1) == 2
    assert PriceObservation.objects.filter(source="platform_receipt").count() == 2


def _alert_for(product, hospital):
    return PriceAlert.objects.create(
        kinds=["above_listed"],
        product=product,
        subject_key=f"h:{hospital.pk}",
        hospital=hospital,
        manufacturer=product.manufacturer,
        period_start=timezone.localdate().replace(day=1),
        period_end=timezone.localdate(),
        summary="测试",
        last_detected_at=timezone.now(),
    )


def test_resolving_as_corrected_changes_the_listing_price(w, official):
    alert = _alert_for(w.listing.product, w.hospital)
    alert_svc.alert_assign(alert=alert, assignee=official, by=official)
    alert_svc.alert_resolve(
        alert=alert, disposition="corrected", corrected_price="0.4500", note="企业同意降价", by=official
    )
    listing = Listing.objects.get(pk=w.listing.pk)
    assert listing.unit_price == Decimal("0.4500") and listing.pack_price == Decimal("5.40")
    assert listing.history.first().history_change_reason.startswith(f"价格预警 #{alert.pk}")


def test_a_correction_the_listing_refuses_changes_nothing(w, official):
    from common.errors import ValidationFailed

    alert = _alert_for(w.listing.product, w.hospital)
    alert_svc.alert_assign(alert=alert, assignee=official, by=official)
    with pytest.raises(ValidationFailed, match="相同"):
        alert_svc.alert_resolve(alert=alert, disposition="corrected", corrected_price="0.5", note="同价", by=official)
    assert PriceAlert.objects.get(pk=alert.pk).status == "in_review"


def test_serious_record_suspends_the_products_involved_and_repair_restores_them(w, official):
    record = credit_svc.credit_record_create(
        organization=w.manufacturer,
        behaviour="bribery",
        level="serious",
        amount="400000",
        evidence="判决书",
        start=timezone.localdate(),
        products=[w.listing.product],
        by=official,
    )
    statuses = dict(Listing.objects.values_list("pk", "status"))
    assert statuses == {w.listing.pk: "suspended", w.listing2.pk: "active"}
    assert record.suspended_listing_ids == [w.listing.pk]
    with pytest.raises(DomainError):  # a suspended listing cannot be ordered
        order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=[{"listing": w.listing.pk, "packs": 1}])
    credit_svc.credit_record_repair(record=record, note="已整改", by=official)
    assert set(Listing.objects.values_list("status", flat=True)) == {"active"}


def test_very_serious_record_suspends_everything_and_another_record_keeps_its_hold(w, official):
    serious = credit_svc.credit_record_create(
        organization=w.manufacturer,
        behaviour="bribery",
        level="serious",
        amount="400000",
        evidence="判决书一",
        start=timezone.localdate(),
        products=[w.listing.product],
        by=official,
    )
    extra = ListingFactory(product=ProductFactory(manufacturer=w.manufacturer))
    very = credit_svc.credit_record_create(
        organization=w.manufacturer,
        behaviour="bribery",
        scheme="2025",
        level="very_serious",
        amount="1500000",
        evidence="判决书二",
        start=timezone.localdate(),
        by=official,
    )
    assert sorted(very.suspended_listing_ids) == sorted([w.listing2.pk, extra.pk])  # the first was already suspended
    assert set(Listing.objects.values_list("status", flat=True)) == {"suspended"}
    credit_svc.credit_record_repair(record=very, note="整改完成", by=official)
    statuses = dict(Listing.objects.values_list("pk", "status"))
    assert statuses == {w.listing.pk: "suspended", w.listing2.pk: "active", extra.pk: "active"}
    credit_svc.credit_record_repair(record=serious, note="整改完成", by=official)
    assert set(Listing.objects.values_list("status", flat=True)) == {"active"}


def test_a_record_that_ends_lifts_its_suspension(w, official):
    today = timezone.localdate()
    credit_svc.credit_record_create(
        organization=w.manufacturer,
        behaviour="breach",
        level="very_serious",
        amount="0",
        evidence="断供",
        start=today - timedelta(days=10),
        end=today - timedelta(days=1),
        by=official,
    )
    assert set(Listing.objects.values_list("status", flat=True)) == {"suspended"}
    assert credit_svc.credit_records_maintain(today=today)["ended"] == 1
    assert set(Listing.objects.values_list("status", flat=True)) == {"active"}


def test_orders_unfilled_past_their_deadline_and_stock_out_rejections(w):
    late = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(2, 2), submit=True)
    PurchaseOrder.objects.filter(pk=late.pk).update(delivery_overdue=True)
    for _ in range(2):
        order = order_svc.order_create(
            by=w.buyer, distributor=w.distributor, lines=[{"listing": w.listing2.pk, "packs": 1}], submit=True
        )
        order_svc.order_reject(order=order, by=w.dist_rep, reason="厂家断货，暂无库存")
    order = order_svc.order_create(
        by=w.buyer, distributor=w.distributor, lines=[{"listing": w.listing.pk, "packs": 1}], submit=True
    )
    order_svc.order_reject(order=order, by=w.dist_rep, reason="超出配送范围")
    result = shortage_watch_run(min_hospitals=1)
    alerts = {(a.product_id, a.reason) for a in ShortageAlert.objects.all()}
    assert alerts == {
        (w.listing.product_id, "unfilled"),
        (w.listing2.product_id, "unfilled"),
        (w.listing2.product_id, "stock_out"),
    }
    assert result["opened"] == 3
    stock_out = ShortageAlert.objects.get(reason="stock_out")
    assert list(stock_out.hospitals.all()) == [w.hospital]
    assert all("断货" in r["reason"] for r in stock_out.evidence["rows"])
