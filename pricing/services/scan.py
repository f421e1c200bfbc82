"""The price scan: run every detector over the observations, open new alerts and update the open ones.

- Incremental (the nightly default): the product-months with observations recorded since the previous successful
  scan's watermark (less `PRICE_SCAN_OVERLAP_MINUTES`, so an observation committed late by a slow transaction is not
  missed — reading it twice is harmless). Full (`--full`): everything.
- No duplicates: one open case per product × subject (a hospital, or the province), whatever the detector or month;
  each finding is a signal on it (one per kind and month, refreshed by a rescan). A finding inside the period of a
  resolved or dismissed case is suppressed (the officials' decision stands); otherwise — including a later period
  after the closure — a new case is opened, unless the finding is informational.
- Runs are recorded (`PriceScan`) and never overlap: a session lock on PostgreSQL (free again as soon as a killed
  worker's session ends), and a partial unique index allowing one running scan.
- Crash-safe: alerts are written detector by detector, each in one transaction with the scan's record of that
  detector. A run killed half-way is resumed by the next one (at once on PostgreSQL, once older than
  `PRICE_SCAN_STALE_MINUTES` elsewhere): same window, same time, only the detectors not yet recorded — the alerts end
  exactly as after an uninterrupted run. A run that failed (an error) keeps the watermark where it was, so the next
  run reads the same observations again.
- A full scan in parts (`parts=N`): the products cut into N parts by the hash of their peer group
  (`pricing.sql.parts`), each part × detector one step committed with the scan's record of it, so that what a step
  holds (its findings) is bounded by a part and a run killed half-way resumes at the next step. The union of the
  parts' results is the full scan's: every figure belongs to one product or one peer group, and a group stays in one
  part. `part=(k, N)` runs the steps of part k alone (of the scan in N parts running, or of a new one); the scan stays
  running, its watermark unmoved, until the call that records its last step.
"""

from __future__ import annotations

import logging
import time
from calendar import monthrange
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from psycopg import sql

from accounts.models import Organization
from catalog.models import Product
from common import locks, rules
from common.errors import ConflictError
from common.faults import checkpoint
from common.messages import Message
from common.notifications import notify_kind

from ..detectors import Finding, Scope, registry, severity_for
from ..errors import PricingError
from ..models import PriceAlert, PriceObservation, PriceScan, Signal
from ..sql.detectors import touched_subjects
from ..sql.parts import part_products
from .scan_steps import keep_monthly_prices, record_step, scan_parts, step_done

logger = logging.getLogger(__name__)


LOCK = "pricing.price-scan"


def _start(full: bool, now: datetime, parts: int) -> PriceScan:
    """The scan to run: the one a killed worker left running, resumed, or a new one. PostgreSQL: the scan holds a
    session lock (`common.locks`) while it runs, so a running scan nobody holds has died and is taken over at once;
    elsewhere, once older than PRICE_SCAN_STALE_MINUTES."""
    alone = locks.take(LOCK)
    if alone is False:
        raise ConflictError(_("已有价格扫描正在运行，请稍后再试"), field="scan", code=PricingError.SCAN_RUNNING)
    try:
        return _resume_or_create(full, now, alone, parts)
    except BaseException:
        if alone:
            locks.release(LOCK)
        raise


def _resume_or_create(full: bool, now: datetime, alone: bool | None, parts: int) -> PriceScan:
    running = PriceScan.objects.filter(status=PriceScan.Status.RUNNING)
    if not alone:
        running = running.filter(started_at__lt=now - timedelta(minutes=rules.prices().scan_stale_minutes))
    dead = running.order_by("-pk").first()
    if dead is not None:
        logger.warning("price scan %s was interrupted: resumed", dead.pk)
        return dead
    last = PriceScan.objects.filter(status=PriceScan.Status.SUCCEEDED).order_by("-until", "-pk").first()
    since = None
    if not full and last is not None and last.until is not None:
        since = last.until - timedelta(minutes=rules.prices().scan_overlap_minutes)
    try:
        with transaction.atomic():
            findings = {"_parts": parts} if parts > 1 else {}
            return PriceScan.objects.create(full=full or since is None, since=since, until=now, findings=findings)
    except IntegrityError:
        raise ConflictError(
            _("已有价格扫描正在运行，请稍后再试"), field="scan", code=PricingError.SCAN_RUNNING
        ) from None


def upsert_alerts(findings: list[Finding], *, now: datetime) -> dict[str, int]:
    """Turn one detector's findings into signals on cases, in one transaction; returns the counts.

    One open case per product × subject: a finding for a subject with an open case becomes (or refreshes) its signal
    of that kind and month — a rescan of the same data changes nothing but the detection time; a finding inside the
    period of a resolved or dismissed case is suppressed (the decision stands); any other finding opens a new case,
    unless it is informational (legitimate by design), which only informs an open case."""
    counts = {"opened": 0, "updated": 0, "suppressed": 0, "informational": 0}
    unique = {f.key: f for f in findings}
    if not unique:
        return counts
    groups: dict[tuple, list[Finding]] = defaultdict(list)
    for f in sorted(unique.values(), key=lambda f: (f.informational, f.period_start, f.detector)):
        groups[(f.product_id, f.subject_key)].append(f)
    with transaction.atomic():
        open_by_key, closed_ranges = _existing_cases(groups)
        signals = _existing_signals(open_by_key.values(), unique.values())
        new_cases, pending = _route(groups, open_by_key, closed_ranges, counts, now)
        if new_cases:
            _fill_regions(list(new_cases.values()))
            _fill_manufacturers(list(new_cases.values()))
            PriceAlert.objects.bulk_create(list(new_cases.values()), batch_size=500)
        cases = {**open_by_key, **new_cases}
        created, changed, redetected = [], [], []
        for key, f in pending:
            case = cases[key]
            signal = signals.get((case.pk, f.detector, f.period_start))
            if signal is None:
                signal = Signal(alert=case, kind=f.detector, month=f.period_start, first_detected_at=now)
                signals[(case.pk, f.detector, f.period_start)] = signal
                created.append(signal)
            before = _figures(signal, SIGNAL_FIELDS) if signal.pk is not None else None
            _fill_signal(signal, f, now)
            if before is not None:
                (redetected if _figures(signal, SIGNAL_FIELDS) == before else changed).append(signal)
        Signal.objects.bulk_create(created, batch_size=500)
        if changed:
            _write_back(Signal, changed, SIGNAL_FIELDS)
        _mark_detected(Signal, redetected, now)
        touched = {cases[key].pk for key, _f in pending}
        _refresh_cases([c for c in cases.values() if c.pk in touched], now)
        counts["opened"] = len(new_cases)
        counts["updated"] = len(touched - {c.pk for c in new_cases.values()})
    return counts


def _route(groups: dict, open_by_key: dict, closed_ranges: dict, counts: dict, now: datetime) -> tuple[dict, list]:
    """Where each finding goes: suppressed (inside a closed case's period), dropped (informational, no open case),
    or onto the subject's open case — a new one when there is none. Returns the new cases and (key, finding) pairs."""
    new_cases: dict[tuple, PriceAlert] = {}
    pending: list[tuple[tuple, Finding]] = []
    for key, group in groups.items():
        for f in group:
            has_case = key in open_by_key or key in new_cases
            if any(start <= f.period_end and f.period_start <= end for start, end in closed_ranges.get(key, ())):
                counts["suppressed"] += 1
            elif not has_case and f.informational:
                counts["informational"] += 1
            else:
                if not has_case:
                    new_cases[key] = _new_case(f, now)
                pending.append((key, f))
    return new_cases, pending


SIGNAL_FIELDS = [
    "informational",
    "deviation",
    "strength",
    "score",
    "amount_at_stake",
    "observed_value",
    "reference_value",
    "summary",
    "summary_message",
    "evidence",
    "last_detected_at",
]
CASE_FIELDS = [
    "kinds",
    "period_start",
    "period_end",
    "months",
    "severity",
    "score",
    "deviation",
    "amount_at_stake",
    "observed_price",
    "reference_value",
    "summary",
    "summary_message",
    "last_detected_at",
]


def _existing_cases(groups: dict) -> tuple[dict[tuple, PriceAlert], dict[tuple, list[tuple]]]:
    """The open case of each subject (locked), and the periods of its closed ones."""
    products = {k[0] for k in groups}
    subjects = {k[1] for k in groups}
    open_by_key: dict[tuple, PriceAlert] = {}
    closed_ranges: dict[tuple, list[tuple]] = defaultdict(list)
    existing = (
        PriceAlert.objects.select_for_update().filter(product_id__in=products, subject_key__in=subjects).order_by("pk")
    )
    for case in existing:
        key = (case.product_id, case.subject_key)
        if key not in groups:
            continue
        if case.is_open:
            open_by_key[key] = case
        else:
            closed_ranges[key].append((case.period_start, case.period_end))
    return open_by_key, closed_ranges


def _existing_signals(cases, findings) -> dict[tuple, Signal]:
    """The signals of the open cases that the findings can be (their kinds and months): only those are compared and
    written, and a case's other signals — with their evidence, the peers' list of each month — need not be read."""
    ids = [c.pk for c in cases]
    kinds, months = {f.detector for f in findings}, {f.period_start for f in findings}
    existing = Signal.objects.filter(alert_id__in=ids, kind__in=kinds, month__in=months)
    return {(s.alert_id, s.kind, s.month): s for s in existing}


def _new_case(f: Finding, now: datetime) -> PriceAlert:
    return PriceAlert(
        product_id=f.product_id,
        subject_key=f.subject_key,
        hospital_id=f.hospital_id,
        region_id=f.region_id,
        period_start=f.period_start,
        period_end=f.period_end,
        summary=f.summary_text,
        summary_message=f.summary_message,
        last_detected_at=now,
    )


def _fill_signal(signal: Signal, f: Finding, now: datetime) -> None:
    signal.informational = f.informational
    signal.deviation = f.deviation
    signal.strength = f.strength
    signal.score = f.score
    signal.amount_at_stake = f.amount_at_stake
    signal.observed_value = f.observed_price
    signal.reference_value = f.reference_value
    signal.summary, signal.summary_message = f.summary_text, f.summary_message
    signal.evidence = f.evidence
    signal.last_detected_at = now


def case_aggregate(case: PriceAlert, signals: list[Signal]) -> None:
    """A case's numbers from its signals: its months (those with a signal that is not informational), the money at
    stake summed over them (per month the largest of its signals, so two detectors seeing one excess count it once),
    and the score — the best month's best signal, raised by a quarter for each other kind corroborating that month."""
    main = [s for s in signals if not s.informational] or signals
    by_month: dict = defaultdict(list)
    for s in main:
        by_month[s.month].append(s)
    best = Decimal("0")
    for month_signals in by_month.values():
        top = max(s.score for s in month_signals)
        corroborating = len({s.kind for s in month_signals}) - 1
        best = max(best, top * (1 + Decimal("0.25") * corroborating))
    top = max(main, key=lambda s: (s.score, s.month))
    last = max(by_month)
    case.kinds = sorted({s.kind for s in signals})
    case.period_start = min(by_month)
    case.period_end = last.replace(day=monthrange(last.year, last.month)[1])
    case.months = len(by_month)
    case.score = best.quantize(Decimal("0.01"))
    case.severity = severity_for(case.score)
    case.amount_at_stake = sum((max(s.amount_at_stake for s in ms) for ms in by_month.values()), Decimal("0"))
    case.deviation = top.deviation
    case.observed_price = top.observed_value if top.kind != "volume_spike" else case.observed_price
    case.reference_value = top.reference_value if top.kind != "volume_spike" else case.reference_value
    case.summary, case.summary_message = top.summary, top.summary_message


def _figures(row, fields: list[str]) -> tuple:
    """A signal's or a case's stored figures, all but the detection time."""
    return tuple(getattr(row, name) for name in fields if name != "last_detected_at")


def _write_back(model, rows: list, fields: list[str], *, batch_size: int = 500) -> None:
    """Rows whose figures changed, written back with their new values: one UPDATE … FROM (VALUES …) per batch, each
    value cast to its column's type. Django's bulk_update builds a CASE expression per field and row; resolving them
    was most of the Python time of an incremental scan's writing."""
    if not rows:
        return
    meta = model._meta
    pk, columns = meta.pk, [meta.get_field(name) for name in fields]
    names = sql.SQL(", ").join(sql.Identifier(field.column) for field in [pk, *columns])
    row = sql.SQL("({})").format(
        sql.SQL(", ").join(
            sql.SQL("%s::{}").format(
                sql.SQL(field.rel_db_type(connection) if field is pk else field.db_type(connection))
            )
            for field in [pk, *columns]
        )
    )
    sets = sql.SQL(", ").join(
        sql.SQL("{column} = v.{column}").format(column=sql.Identifier(field.column)) for field in columns
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            params = []
            for obj in batch:
                params.append(obj.pk)
                params.extend(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns)
            statement = sql.SQL(
                "UPDATE {table} AS t SET {sets} FROM (VALUES {rows}) AS v({names}) WHERE t.{pk} = v.{pk}"
            )
            cursor.execute(
                statement.format(
                    table=sql.Identifier(meta.db_table),
                    sets=sets,
                    rows=sql.SQL(", ").join([row] * len(batch)),
                    names=names,
                    pk=sql.Identifier(pk.column),
                ).as_string(cursor.cursor),
                params,
            )


def _mark_detected(model, rows: list, now: datetime) -> None:
    """Rows found again with the same figures (most of a rescan's): their detection time only, in one statement —
    writing every field of each row back through CASE expressions took most of an incremental scan's writing."""
    for row in rows:
        row.last_detected_at = now
    if rows:
        model.objects.filter(pk__in=[row.pk for row in rows]).update(last_detected_at=now)


def _refresh_cases(cases: list[PriceAlert], now: datetime) -> None:
    by_case: dict[int, list[Signal]] = defaultdict(list)
    for signal in Signal.objects.filter(alert_id__in=[c.pk for c in cases]).defer("evidence"):
        by_case[signal.alert_id].append(signal)
    changed, redetected = [], []
    for case in cases:
        before = _figures(case, CASE_FIELDS)
        case_aggregate(case, by_case[case.pk])
        case.last_detected_at = now
        (redetected if _figures(case, CASE_FIELDS) == before else changed).append(case)
    # Not `version`: a scan refreshing the numbers must not make an official's pending action a conflict.
    _write_back(PriceAlert, changed, CASE_FIELDS)
    _mark_detected(PriceAlert, redetected, now)


def _fill_manufacturers(cases: list[PriceAlert]) -> None:
    makers = _manufacturers({c.product_id for c in cases})
    for case in cases:
        case.manufacturer_id = makers.get(case.product_id)


def _manufacturers(product_ids: set[int]) -> dict[int, int]:
    return dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "manufacturer_id"))


def _fill_regions(alerts: list[PriceAlert]) -> None:
    missing = {a.hospital_id for a in alerts if a.hospital_id and not a.region_id}
    if not missing:
        return
    regions = dict(Organization.objects.filter(pk__in=missing).values_list("pk", "region_id"))
    for alert in alerts:
        if alert.hospital_id and not alert.region_id:
            alert.region_id = regions.get(alert.hospital_id)


def price_scan_run(
    *,
    full: bool = False,
    now: datetime | None = None,
    only: list[str] | None = None,
    parts: int = 1,
    part: tuple[int, int] | None = None,
) -> PriceScan:
    """Run the detectors (all, or those named in `only`) and record the run. Raises ConflictError when another
    scan is running. Summaries are stored in the platform's language, whoever triggered the run.

    A full scan may be cut into `parts` parts (each part × detector a step), or run one part `part=(k, n)` of a scan
    in `n` parts: the steps of part k (those of `only`), the scan finished — succeeded, its watermark moved — by the
    call that records its last step. A scan interrupted (or left unfinished by `part`) is resumed in its own parts by
    the next run; asking for a part of another cut then is a conflict."""
    if part is not None:
        index, parts = part
        if not 1 <= index <= parts:
            raise ValueError(f"part {index} of {parts}: a part is numbered from 1 to the number of parts")
    if parts < 1:
        raise ValueError(f"{parts} parts: a scan has at least one")
    if parts > 1 and not full:
        raise ValueError("only a full scan is cut into parts (an incremental one reads what was touched)")
    with translation.override(settings.LANGUAGE_CODE):
        scan = _run(full=full, now=now, only=only, parts=parts, part=part)
    if scan.alerts_opened and scan.status == PriceScan.Status.SUCCEEDED:
        notify_kind(
            "agency",
            "price_alert",
            Message(gettext_noop("价格监测新增 %(opened)s 条预警"), {"opened": scan.alerts_opened}),
            level="warning",
            body=Message(
                gettext_noop("本次扫描新增 %(opened)s 条、更新 %(updated)s 条预警，请在预警工作台处理。"),
                {"opened": scan.alerts_opened, "updated": scan.alerts_updated},
            ),
            link=reverse("pricing:alert-list") + "?status=open",
            topic=f"price_scan:{scan.pk}",
        )
    return scan


def _run(*, full: bool, now: datetime | None, only: list[str] | None, parts: int, part: tuple | None) -> PriceScan:
    scan = _start(full, now or timezone.now(), parts)
    try:
        if part is not None and scan_parts(scan) != part[1]:
            logger.warning("price scan %s runs in %s parts: part %s/%s refused", scan.pk, scan_parts(scan), *part)
            raise ConflictError(_("已有价格扫描正在运行，请稍后再试"), field="scan", code=PricingError.SCAN_RUNNING)
        return _detect(scan, only, part=None if part is None else part[0])
    finally:
        locks.release(LOCK)


def _detect(scan: PriceScan, only: list[str] | None, *, part: int | None = None) -> PriceScan:
    """Each detector's alerts (of one part, when the scan is cut) are committed together with the scan's record of
    that step; a resumed scan skips the steps it has recorded and works with its own window and time, so it ends
    exactly as an uninterrupted one would. With `part`, only that part's steps run, and the scan is finished only
    when every step of every detector is recorded."""
    now = scan.until
    scope = Scope(full=scan.full, since=scan.since, until=scan.until)
    if not scan.full:
        # what the new observations touched: the hospital-months of a product with a price a hospital paid (an
        # other province's or a retail price is shown, never judged: it changes no figure), and their product-months
        subjects = touched_subjects(scope)
        touched = tuple(sorted({(product, month) for product, _hospital, month in subjects}))
        scope = Scope(full=False, since=scan.since, until=scan.until, touched=touched, subjects=subjects)
    parts = scan_parts(scan)
    done = dict(scan.findings or {})
    detectors = registry()
    try:
        scope = keep_monthly_prices(scan, scope)
        observations = PriceObservation.objects.filter(created_at__lte=now)
        if not scan.full:
            observations = observations.filter(created_at__gt=scan.since)
        scan.observations = observations.count()
        for index in [part] if part is not None else range(1, parts + 1):
            steps = [
                (name, detector)
                for name, detector in detectors.items()
                if not (only and name not in only) and not step_done(done, name, index)
            ]
            if not steps:
                continue
            # a part: every month of the products of its peer groups, the full scan's statements narrowed to them
            part_scope = scope if parts == 1 else replace(scope, products=part_products(index, parts))
            for name, detector in steps:
                started = time.monotonic()
                found = detector.find(part_scope) if detector.has_work(part_scope, scan.observations) else []
                finished = time.monotonic()
                with transaction.atomic():
                    counts = upsert_alerts(found, now=now)
                    record_step(done, name, index, parts, len(found))
                    done["_suppressed"] = done.get("_suppressed", 0) + counts["suppressed"]
                    scan.findings = done
                    scan.alerts_opened += counts["opened"]
                    scan.alerts_updated += counts["updated"]
                    scan.save(update_fields=["findings", "alerts_opened", "alerts_updated", "observations"])
                written = time.monotonic()
                step = f"{name} (part {index}/{parts})" if parts > 1 else name
                logger.info(
                    "price scan %s: %s, %s findings in %.2f s, written in %.2f s",
                    scan.pk,
                    step,
                    len(found),
                    finished - started,
                    written - finished,
                    extra={"scan_step": step, "find_seconds": finished - started, "write_seconds": written - finished},
                )
                del found  # a step's findings are not held past it
                checkpoint("price-scan:detector")
    except Exception as exc:
        logger.exception("price scan %s failed", scan.pk)
        scan.status = PriceScan.Status.FAILED
        scan.error = f"{type(exc).__name__}: {exc}"[:2000]
        scan.finished_at = timezone.now()
        scan.save(update_fields=["status", "error", "finished_at", "observations"])
        raise
    if part is not None and not all(name in done for name in detectors):
        return scan  # other parts' steps are left: the scan stays running, resumed by the next run
    scan.status = PriceScan.Status.SUCCEEDED
    scan.finished_at = timezone.now()
    done.setdefault("_suppressed", 0)
    scan.findings = done
    scan.save(update_fields=["status", "finished_at", "findings", "observations"])
    return scan
