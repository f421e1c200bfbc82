"""The price scan: run every detector over the observations, open new alerts and update the open ones.

- Incremental (the nightly default): the product-months with observations recorded since the previous successful
  scan's watermark (less `PRICE_SCAN_OVERLAP_MINUTES`, so an observation committed late by a slow transaction is not
  missed — reading it twice is harmless). Full (`--full`): everything.
- No duplicates: one open alert per detector × product × subject. A finding for a subject with an open alert updates
  it (its period widened to cover both, evidence, numbers, severity, detections); a finding inside the period of a
  resolved or dismissed alert is suppressed (the officials' decision stands); otherwise — including a later period
  after the closure — a new alert is opened.
- Runs are recorded (`PriceScan`) and never overlap: a session lock on PostgreSQL (free again as soon as a killed
  worker's session ends), and a partial unique index allowing one running scan.
- Crash-safe: alerts are written detector by detector, each in one transaction with the scan's record of that
  detector. A run killed half-way is resumed by the next one (at once on PostgreSQL, once older than
  `PRICE_SCAN_STALE_MINUTES` elsewhere): same window, same time, only the detectors not yet recorded — the alerts end
  exactly as after an uninterrupted run. A run that failed (an error) keeps the watermark where it was, so the next
  run reads the same observations again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common import locks
from common.errors import ConflictError
from common.faults import checkpoint

from ..detectors import Finding, Scope, registry
from ..models import PriceAlert, PriceObservation, PriceScan

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


LOCK = "pricing.price-scan"


def _start(full: bool, now: datetime) -> PriceScan:
    """The scan to run: the one a killed worker left running, resumed, or a new one. PostgreSQL: the scan holds a
    session lock (`common.locks`) while it runs, so a running scan nobody holds has died and is taken over at once;
    elsewhere, once older than PRICE_SCAN_STALE_MINUTES."""
    alone = locks.take(LOCK)
    if alone is False:
        raise ConflictError(_("已有价格扫描正在运行，请稍后再试"), field="scan")
    try:
        return _resume_or_create(full, now, alone)
    except BaseException:
        if alone:
            locks.release(LOCK)
        raise


def _resume_or_create(full: bool, now: datetime, alone: bool | None) -> PriceScan:
    running = PriceScan.objects.filter(status=PriceScan.Status.RUNNING)
    if not alone:
        running = running.filter(started_at__lt=now - timedelta(minutes=_setting("PRICE_SCAN_STALE_MINUTES", 180)))
    dead = running.order_by("-pk").first()
    if dead is not None:
        logger.warning("price scan %s was interrupted: resumed", dead.pk)
        return dead
    last = PriceScan.objects.filter(status=PriceScan.Status.SUCCEEDED).order_by("-until", "-pk").first()
    since = None
    if not full and last is not None and last.until is not None:
        since = last.until - timedelta(minutes=_setting("PRICE_SCAN_OVERLAP_MINUTES", 10))
    try:
        with transaction.atomic():
            return PriceScan.objects.create(full=full or since is None, since=since, until=now)
    except IntegrityError:
        raise ConflictError(_("已有价格扫描正在运行，请稍后再试"), field="scan") from None


def upsert_alerts(findings: list[Finding], *, now: datetime) -> dict[str, int]:
    """Open or update the alerts of one detector's findings, in one transaction; returns the counts.

    One open alert per detector × product × subject: a finding for a subject that has one widens its period and
    refreshes its numbers; a finding inside the period of a resolved or dismissed alert is suppressed; any other
    finding opens a new alert (which later findings of the same batch then update)."""
    counts = {"opened": 0, "updated": 0, "suppressed": 0}
    if not findings:
        return counts
    unique: dict[tuple, Finding] = {}
    for finding in findings:
        unique[finding.key] = finding
    groups: dict[tuple, list[Finding]] = {}
    for f in sorted(unique.values(), key=lambda f: f.period_start):
        groups.setdefault((f.detector, f.product_id, f.subject_key), []).append(f)
    detectors = {k[0] for k in groups}
    products = {k[1] for k in groups}
    subjects = {k[2] for k in groups}
    with transaction.atomic():
        existing = (
            PriceAlert.objects.select_for_update()
            .filter(detector__in=detectors, product_id__in=products, subject_key__in=subjects)
            .order_by("pk")
        )
        open_by_key: dict[tuple, PriceAlert] = {}
        closed_ranges: dict[tuple, list[tuple]] = {}
        for alert in existing:
            key = (alert.detector, alert.product_id, alert.subject_key)
            if alert.status in PriceAlert.OPEN_STATUSES:
                open_by_key[key] = alert
            else:
                closed_ranges.setdefault(key, []).append((alert.period_start, alert.period_end))
        new: list[PriceAlert] = []
        changed: dict[int, PriceAlert] = {}
        manufacturers = _manufacturers(products)
        for key, group in groups.items():
            for f in group:
                if any(start <= f.period_end and f.period_start <= end for start, end in closed_ranges.get(key, ())):
                    counts["suppressed"] += 1
                    continue
                alert = open_by_key.get(key)
                if alert is None:
                    alert = PriceAlert(
                        detector=f.detector,
                        product_id=f.product_id,
                        subject_key=f.subject_key,
                        hospital_id=f.hospital_id,
                        region_id=f.region_id,
                        manufacturer_id=manufacturers.get(f.product_id),
                        period_start=f.period_start,
                        period_end=f.period_end,
                        severity=f.severity,
                        deviation=f.deviation,
                        amount_at_stake=f.amount_at_stake,
                        observed_price=f.observed_price,
                        reference_value=f.reference_value,
                        summary=f.summary[:300],
                        evidence={**f.evidence, "periods": [f.period_start.isoformat()]},
                        last_detected_at=now,
                    )
                    open_by_key[key] = alert
                    new.append(alert)
                    continue
                periods = set(alert.evidence.get("periods") or [alert.period_start.isoformat()])
                periods.add(f.period_start.isoformat())
                alert.evidence = {**f.evidence, "periods": sorted(periods)}
                alert.period_start = min(alert.period_start, f.period_start)
                alert.period_end = max(alert.period_end, f.period_end)
                alert.deviation = f.deviation
                alert.amount_at_stake = f.amount_at_stake
                alert.observed_price = f.observed_price
                alert.reference_value = f.reference_value
                alert.summary = f.summary[:300]
                alert.severity = max(alert.severity, f.severity)
                alert.last_detected_at = now
                alert.detections += 1
                if alert.pk is not None:
                    changed[alert.pk] = alert
        if changed:
            # Not `version`: a scan refreshing the numbers must not make an official's pending action a conflict.
            PriceAlert.objects.bulk_update(
                list(changed.values()),
                [
                    "evidence",
                    "period_start",
                    "period_end",
                    "deviation",
                    "amount_at_stake",
                    "observed_price",
                    "reference_value",
                    "summary",
                    "severity",
                    "last_detected_at",
                    "detections",
                ],
                batch_size=500,
            )
        if new:
            _fill_regions(new)
            PriceAlert.objects.bulk_create(new, batch_size=500)
        counts["opened"] = len(new)
        counts["updated"] = len(changed)
    return counts


def _manufacturers(product_ids: set[int]) -> dict[int, int]:
    from catalog.models import Product

    return dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "manufacturer_id"))


def _fill_regions(alerts: list[PriceAlert]) -> None:
    from accounts.models import Organization

    missing = {a.hospital_id for a in alerts if a.hospital_id and not a.region_id}
    if not missing:
        return
    regions = dict(Organization.objects.filter(pk__in=missing).values_list("pk", "region_id"))
    for alert in alerts:
        if alert.hospital_id and not alert.region_id:
            alert.region_id = regions.get(alert.hospital_id)


def price_scan_run(*, full: bool = False, now: datetime | None = None, only: list[str] | None = None) -> PriceScan:
    """Run the detectors (all, or those named in `only`) and record the run. Raises ConflictError when another
    scan is running. Summaries are stored in the platform's language, whoever triggered the run."""
    with translation.override(settings.LANGUAGE_CODE):
        scan = _run(full=full, now=now, only=only)
    if scan.alerts_opened:
        from django.urls import reverse

        from common.notifications import notify_kind

        notify_kind(
            "agency",
            "price_alert",
            f"价格监测新增 {scan.alerts_opened} 条预警",
            level="warning",
            body=f"本次扫描新增 {scan.alerts_opened} 条、更新 {scan.alerts_updated} 条预警，请在预警工作台处理。",
            link=reverse("pricing:alert-list") + "?status=open",
            topic=f"price_scan:{scan.pk}",
        )
    return scan


def _run(*, full: bool, now: datetime | None, only: list[str] | None) -> PriceScan:
    scan = _start(full, now or timezone.now())
    try:
        return _detect(scan, only)
    finally:
        locks.release(LOCK)


def _detect(scan: PriceScan, only: list[str] | None) -> PriceScan:
    """Each detector's alerts are committed together with the scan's record of it; a resumed scan skips the detectors
    it has recorded and works with its own window and time, so it ends exactly as an uninterrupted one would."""
    now = scan.until
    scope = Scope(full=scan.full, since=scan.since, until=scan.until)
    done = dict(scan.findings or {})
    try:
        observations = PriceObservation.objects.filter(created_at__lte=now)
        if not scan.full:
            observations = observations.filter(created_at__gt=scan.since)
        scan.observations = observations.count()
        for name, detector in registry().items():
            if (only and name not in only) or name in done:
                continue
            findings = detector.find(scope) if scan.observations else []
            with transaction.atomic():
                counts = upsert_alerts(findings, now=now)
                done[name] = len(findings)
                done["_suppressed"] = done.get("_suppressed", 0) + counts["suppressed"]
                scan.findings = done
                scan.alerts_opened += counts["opened"]
                scan.alerts_updated += counts["updated"]
                scan.save(update_fields=["findings", "alerts_opened", "alerts_updated", "observations"])
            checkpoint("price-scan:detector")
    except Exception as exc:
        logger.exception("price scan %s failed", scan.pk)
        scan.status = PriceScan.Status.FAILED
        scan.error = f"{type(exc).__name__}: {exc}"[:2000]
        scan.finished_at = timezone.now()
        scan.save(update_fields=["status", "error", "finished_at", "observations"])
        raise
    scan.status = PriceScan.Status.SUCCEEDED
    scan.finished_at = timezone.now()
    done.setdefault("_suppressed", 0)
    scan.findings = done
    scan.save(update_fields=["status", "finished_at", "findings", "observations"])
    return scan
