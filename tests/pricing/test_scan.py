"""The scan: one case per product and subject, its signals refreshed (never duplicated) by later runs, incremental by
watermark, runs never overlapping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from common.errors import ConflictError
from pricing.models import PriceAlert, PriceObservation, PriceScan, Signal
from pricing.services.scan import LOCK as SCAN_LOCK
from pricing.services.scan import price_scan_run
from tests.fixtures.prices import observe
from tests.utils import job_lock_held_elsewhere


def test_full_scan_opens_one_alert_and_a_second_run_updates_it(peer_world, product):
    first = price_scan_run(full=True)
    assert first.status == PriceScan.Status.SUCCEEDED and first.alerts_opened == 1
    alert = PriceAlert.objects.get(kinds__contains=["peer_outlier"])
    assert alert.hospital == peer_world and alert.product == product and alert.status == "open"
    assert alert.manufacturer_id == product.manufacturer_id and alert.region_id == peer_world.region_id
    assert alert.signals.get(kind="peer_outlier").evidence["peers"] == 8
    signals = list(Signal.objects.values_list("pk", "kind", "month", "score"))
    second = price_scan_run(full=True)
    assert second.alerts_opened == 0 and second.alerts_updated == 1
    alert = PriceAlert.objects.get(pk=alert.pk)
    # the same data scanned again: the same signals, one month, one case
    assert list(Signal.objects.values_list("pk", "kind", "month", "score")) == signals
    assert alert.months == 1 and PriceAlert.objects.count() == 1


def test_incremental_scan_reads_only_new_product_months(peer_world, product, hospitals, manufacturer):
    # recorded an hour ago: outside the overlap the incremental scan re-reads behind its watermark
    PriceObservation.objects.update(created_at=timezone.now() - timedelta(hours=1))
    price_scan_run(full=True)
    assert PriceAlert.objects.count() == 1
    # nothing new: the incremental run reads no observation and changes nothing
    quiet = price_scan_run()
    assert not quiet.full and quiet.observations == 0 and quiet.alerts_updated == 0
    # a new month with its own outlier: only it is read, the old alert is not touched
    prices = ["1.00", "1.01", "0.99", "1.00", "1.02", "0.98", "1.00", "1.00"]
    for h, p in zip(hospitals, prices, strict=True):
        observe(product, h, date(2026, 4, 10), p)
    observe(product, hospitals[0], date(2026, 4, 20), "9.00", quantity=500)
    later = price_scan_run(now=timezone.now() + timedelta(minutes=1))
    assert not later.full and later.observations == 9
    # April at hospital 0: far from its peers — one case; March's case is about hospital 7, another subject, and is
    # not touched
    assert later.alerts_opened == 1 and later.alerts_updated == 0
    april = PriceAlert.objects.get(period_start=date(2026, 4, 1))
    assert april.subject_key == f"h:{hospitals[0].pk}" and "peer_outlier" in april.kinds
    assert PriceAlert.objects.get(period_start=date(2026, 3, 1)).signals.count() == 1


def _april_outlier(product, hospitals):
    """Hospital 7, March's outlier, again far above its peers in April."""
    prices = ["1.00", "1.01", "0.99", "1.00", "1.02", "0.98", "1.00", "2.70"]
    for h, p in zip(hospitals, prices, strict=True):
        observe(product, h, date(2026, 4, 10), p)


def test_one_open_case_per_product_subject_across_periods_and_detectors(peer_world, product, hospitals):
    _april_outlier(product, hospitals)
    scan = price_scan_run(full=True, only=["peer_outlier"])
    # March and April found in the same run: one case covering both, two months
    assert scan.findings["peer_outlier"] == 2 and scan.alerts_opened == 1
    alert = PriceAlert.objects.get()
    assert (alert.period_start, alert.period_end) == (date(2026, 3, 1), date(2026, 4, 30))
    assert alert.months == 2
    again = price_scan_run(full=True)
    # every detector: the others' findings for the same hospital and product are signals on the same case
    assert again.alerts_opened == 0 and PriceAlert.objects.count() == 1
    alert = PriceAlert.objects.get()
    assert alert.months == 2 and alert.signals.filter(kind="peer_outlier").count() == 2
    # the amount at stake sums the months (each month's largest signal, counted once)
    by_month = {}
    for s in alert.signals.filter(informational=False):
        by_month[s.month] = max(by_month.get(s.month, 0), s.amount_at_stake)
    assert alert.amount_at_stake == sum(by_month.values())


def test_an_informational_signal_never_opens_a_case(hospitals, product):
    from pricing.models import ReferencePrice

    ReferencePrice.objects.create(
        product=product, kind="payment_standard", unit_price="0.90", valid_from=date(2026, 1, 1), source="测试"
    )
    for h in hospitals:
        observe(product, h, date(2026, 3, 10), "1.00")
    scan = price_scan_run(full=True)
    assert PriceAlert.objects.count() == 0 and scan.findings["above_reference"] == 8


def test_a_later_period_after_closure_opens_a_new_alert(peer_world, product, hospitals, official):
    from pricing.services.alerts import alert_dismiss

    price_scan_run(full=True, only=["peer_outlier"])
    march = PriceAlert.objects.get()
    alert_dismiss(alert=march, reason="医院提供发票，属急救临时采购", by=official)
    _april_outlier(product, hospitals)
    scan = price_scan_run(full=True, only=["peer_outlier"])
    # March stays dismissed (suppressed), April opens a new alert
    assert scan.alerts_opened == 1 and scan.findings["_suppressed"] == 1
    april = PriceAlert.objects.get(status="open")
    assert (april.period_start, april.period_end) == (date(2026, 4, 1), date(2026, 4, 30))
    march = PriceAlert.objects.get(pk=march.pk)
    assert march.status == "dismissed" and march.period_end == date(2026, 3, 31)


def test_a_dismissed_alert_is_not_reopened_for_the_same_period(peer_world, official):
    from pricing.services.alerts import alert_dismiss

    price_scan_run(full=True)
    alert = PriceAlert.objects.get()
    alert_dismiss(alert=alert, reason="医院提供发票，属急救临时采购", by=official)
    again = price_scan_run(full=True)
    assert again.alerts_opened == 0 and again.findings["_suppressed"] == 1
    assert PriceAlert.objects.count() == 1


def test_overlapping_runs_are_refused_and_a_killed_run_is_resumed(peer_world):
    running = PriceScan.objects.create(full=True, until=timezone.now())
    with job_lock_held_elsewhere(SCAN_LOCK), pytest.raises(ConflictError, match="正在运行"):
        price_scan_run(full=True)  # a live run holds the lock
    assert PriceAlert.objects.count() == 0
    scan = price_scan_run(full=True)  # the holder is gone: its scan is resumed, in its own window
    assert scan.pk == running.pk and scan.status == "succeeded" and scan.until == running.until
    assert scan.alerts_opened == 1 and PriceScan.objects.count() == 1


def test_a_failing_detector_marks_the_run_failed_and_keeps_the_watermark(peer_world, monkeypatch):
    from pricing.detectors.price import SuddenChange

    price_scan_run(full=True)

    def boom(self, scope):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(SuddenChange, "find", boom)
    with pytest.raises(RuntimeError):
        price_scan_run()
    failed = PriceScan.objects.order_by("-pk").first()
    assert failed.status == "failed" and "磁盘已满" in failed.error
    monkeypatch.undo()
    nxt = price_scan_run()
    assert nxt.since == PriceScan.objects.filter(status="succeeded").order_by("pk").first().until - timedelta(
        minutes=10
    )


def test_scan_prices_command(peer_world, capsys):
    call_command("scan_prices", "--full")
    out = capsys.readouterr().out
    assert "全量" in out and "新开预警 1" in out


def test_nightly_schedule_is_installed(db):
    from django_celery_beat.models import PeriodicTask

    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"pricing.scan_prices", "pricing.shortage_watch", "pricing.credit_maintenance"} <= tasks


def test_task_runs_the_scan(peer_world):
    from pricing.tasks import scan_prices

    result = scan_prices.apply().get()
    assert result["opened"] == 1
    PriceScan.objects.create(full=True, until=timezone.now())
    with job_lock_held_elsewhere(SCAN_LOCK):
        assert scan_prices.apply().get() == {"skipped": "running"}
