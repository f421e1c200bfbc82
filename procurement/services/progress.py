"""完成进度: every commitment's purchases against its agreed volume, per month and cycle to date.

The heavy part is set-based SQL (`procurement.sql.progress`): receipt lines minus return lines of the hospital,
grouped by commitment × month, for the selected product and for its substitutes — the other products of the same
lot (same generic name, a dosage form of the lot) and any product an order line bought as `substitution_for` the
commitment — then a month skeleton per commitment, running sums (window functions) and the status, written
into `CommitmentProgress` by the database itself. Nothing is loaded into Python, so memory does not grow with the lines.

Figures of a row (period end = month end, or the computation date / cycle end for the cycle row):

- received = accepted minimum units of the selected product received in the period − those returned in it;
- expected (pro-rata) = agreed × (days from cycle start to period end, inclusive) ÷ cycle days, rounded down;
- completion = cumulative received ÷ agreed (empty when agreed is 0);
- substitution ratio = cumulative substitutes ÷ (cumulative selected + cumulative substitutes);
- projected = cumulative + (received over the last RATE_WINDOW_MONTHS months ÷ their days) × days left, rounded down;
- status, first that applies: over (cumulative > agreed, or anything received against 0), completed
  (cumulative ≥ agreed), on_track inside the grace days, at_risk (projected < AT_RISK_SHARE × agreed),
  behind (cumulative < BEHIND_SHARE × expected), on_track.

A full run computes the whole table, a hospital's refresh that hospital's rows, the refresh of a day's changes
(`progress_refresh_changed`) the rows of the commitments that day's receipts and returns count in, and each writes
only what differs from the stored rows (`_write_progress`); each in one transaction, under a lock (a session advisory lock) so runs never
overlap, and both go through the same statement, so a refresh gives exactly the rows a full run would. A run killed
half-way rolls back; the next one gives the same table.

The table is dense — every month of the cycle so far, zeros included — because each month row carries figures of
its own (pro-rata at its end, pace, status), read by the chart, the API's month list and its status filter: a
month without flows is still a month in which a commitment can fall behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organization
from common.models import Notification, OutboxMessage
from common.notifications import mail_notifications
from common.outbox import enqueue
from common.sql import array_text

from .. import hooks
from ..errors import TenderError, ValidationFailed
from ..models import Commitment, CommitmentProgress, GoodsReturn, ProgressRun, Receipt
from ..sql import progress as sql
from ..sql.progress import Thresholds

logger = logging.getLogger(__name__)

REFRESH_TASK = "procurement.refresh_commitment_progress"
FULL_TASK = "procurement.compute_commitment_progress"
# Advisory lock key ("CMPR"): one progress run at a time.
LOCK_KEY = 0x434D5052

Progress = Callable[[int, int, str], None]


def _commitment_link_prefix() -> str:
    """/progress/commitments/ — a reminder links to its commitment's live page (the SQL appends the id)."""
    return reverse("progress:commitment", args=[1]).removesuffix("1/")


def _thresholds() -> Thresholds:
    cfg = settings.COMMITMENT_PROGRESS
    return Thresholds(
        behind_bp=round(cfg["BEHIND_SHARE"] * 10000),
        at_risk_bp=round(cfg["AT_RISK_SHARE"] * 10000),
        window_months=max(int(cfg["RATE_WINDOW_MONTHS"]), 1),
        grace_days=max(int(cfg["GRACE_DAYS"]), 0),
        lag_bp=round(cfg["DELIVERY_LAG_SHARE"] * 10000),
        due_days=max(int(cfg["DELIVERY_DUE_DAYS"]), 0),
    )


def _mail_progress_alerts(stamp) -> None:
    """The progress reminders inserted in SQL are mailed like every other notification."""
    mail_notifications(
        Notification.objects.filter(kind="commitment_progress", created_at=stamp).values_list("pk", flat=True)
    )


# --- runs -------------------------------------------------------------------------------------------------------------


@contextmanager
def _run_lock(*, wait: bool) -> Iterator[bool]:
    """One progress run at a time: a session advisory lock, held from before the run is recorded until it is
    finished, and released by the server if the process dies."""
    with connection.cursor() as cur:
        if wait:
            cur.execute("SELECT pg_advisory_lock(%(key)s)", {"key": LOCK_KEY})
        else:
            cur.execute("SELECT pg_try_advisory_lock(%(key)s)", {"key": LOCK_KEY})
        got = wait or bool(cur.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%(key)s)", {"key": LOCK_KEY})


def _finish(run: ProgressRun, status: str, **fields) -> ProgressRun:
    run.status = status
    run.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["status", "finished_at", *fields])
    return run


@dataclass(frozen=True)
class Outcome:
    rows: int  # progress rows of the run's scope (of a day's changes: the rows recomputed)
    written: int  # of which changed, added or removed
    alerts: int


@dataclass(frozen=True)
class Written:
    rows: int  # progress rows of the run's scope (of a day's changes: the rows recomputed)
    written: int  # of which changed, added or removed
    # the commitments whose cycle row's status changed (a day's changes): the only ones whose reminders and last
    # status seen can change, every run leaving the last status seen of its commitments at their status; None: all
    status_changed: list[int] | None = None


def _write_progress(cur, *, scoped: str | None, window_months: int, params: dict) -> Written:
    """The scope's rows as computed. Into an empty scope (the first run, a new hospital) the computed rows are
    inserted straight away. Otherwise they are compared with the stored rows and only the differences are written
    (`sql.create_diff`): a nightly run rewrites the current month and cycle rows, not every month of every
    commitment; an unchanged table is not written at all. The commitments a day changed (`sql.COMMITMENTS`) are
    recomputed from the month of `%(month)s` on where their stored rows allow it (`sql.create_stored`)."""
    recomputed = None
    with _hash_joins(cur, not scoped):
        # The flows first, into a temporary table the planner then knows the size of (the statement below reads them
        # next to the month skeleton, whose size it cannot estimate).
        cur.execute(sql.drop_temporary(sql.FLOWS))
        if scoped == sql.COMMITMENTS:
            for table in (sql.STORED, sql.TOUCHED):
                cur.execute(sql.drop_temporary(table))
            # read whole by the statements after (hash joins, an aggregate): no statistics needed
            cur.execute(sql.create_stored(), params)
            cur.execute(sql.create_touched(window_months=window_months))
            cur.execute(sql.analyze_temporary(sql.TOUCHED))
            cur.execute(sql.touched_summary())
            flows_from, recomputed = cur.fetchone()
            if flows_from is None:  # nothing the day's lines count in can change
                _drop(cur, sql.STORED, sql.TOUCHED)
                return Written(rows=0, written=0, status_changed=[])
        else:
            cur.execute(sql.flows_start(scoped=scoped), params)
            flows_from = cur.fetchone()[0]
        params = {**params, "flows_from": flows_from or params["as_of"]}
        cur.execute(sql.create_flows_table(scoped=scoped), params)
        if scoped != sql.COMMITMENTS:  # a day's flows: one row per touched commitment, as their table says
            cur.execute(sql.analyze_temporary(sql.FLOWS))
        cur.execute(sql.scope_has_rows(scoped=scoped), params)
        if cur.fetchone() is None:
            cur.execute(sql.insert_computed(scoped=scoped, window_months=window_months), params)
            inserted = cur.rowcount
            _drop(cur, sql.FLOWS, sql.STORED, sql.TOUCHED)
            return Written(rows=inserted, written=inserted)
        cur.execute(sql.drop_temporary(sql.DIFF))
        cur.execute(sql.create_diff(scoped=scoped, window_months=window_months), params)
    if scoped != sql.COMMITMENTS:
        # a day's diff is read whole or by its rows' places (`update_changed`): its size, estimated from its pages,
        # is all its plans need
        cur.execute(sql.analyze_temporary(sql.DIFF))
    cur.execute(sql.count_diff())
    written = cur.fetchone()[0]
    status_changed = None
    if scoped == sql.COMMITMENTS:
        cur.execute(sql.status_changed())
        status_changed = [row[0] for row in cur.fetchall()]
    cur.execute(sql.delete_gone())
    cur.execute(sql.update_changed(scoped=scoped))
    cur.execute(sql.insert_new())
    _drop(cur, sql.DIFF, sql.FLOWS, sql.STORED, sql.TOUCHED)
    if recomputed is None:
        cur.execute(sql.count_rows(scoped=scoped), params)
        recomputed = cur.fetchone()[0]
    return Written(rows=recomputed, written=written, status_changed=status_changed)


def _drop(cur, *tables) -> None:
    for table in tables:
        cur.execute(sql.drop_temporary(table))


@contextmanager
def _hash_joins(cur, on: bool) -> Iterator[None]:
    """For a full run: every receipt line meets the commitments once, so hash joins over one pass of each table. The
    planner, which cannot see how (hospital, product) pairs correlate, underestimates the join and would walk the
    receipt lines in index order (a random heap read per line). A hospital's refresh keeps its index lookups."""
    if on:
        cur.execute("SET LOCAL enable_mergejoin = off")
        cur.execute("SET LOCAL enable_nestloop = off")
    try:
        yield
    finally:
        if on:
            cur.execute("SET LOCAL enable_mergejoin = DEFAULT")
            cur.execute("SET LOCAL enable_nestloop = DEFAULT")


def _compute(
    *,
    hospital_id: int | None,
    as_of: date,
    progress: Progress | None,
    with_manufacturers: bool,
    since: date | None = None,
) -> Outcome:
    t = _thresholds()
    scoped = sql.COMMITMENTS if since is not None else (sql.HOSPITAL if hospital_id is not None else None)
    params = sql.run_params(t, as_of=as_of, hospital_id=hospital_id)
    if since is not None:
        with connection.cursor() as cur:
            cur.execute(sql.changed_commitments(), {**params, "since": since})
            params["commitment_ids"] = array_text(row[0] for row in cur.fetchall())
        params["month"] = since.replace(day=1)
    steps = 3 + (1 if with_manufacturers else 0)

    def step(n: int, label: str) -> None:
        if progress:
            progress(n, steps, label)

    with connection.cursor() as cur:
        # The month skeleton and running sums sort every commitment-month: keep the sorts in memory. The statement is
        # compiled once a night: compiling it to machine code (JIT) costs more than it saves.
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL jit = off")
        step(0, "汇总入库、退货与替代品")
        written = _write_progress(cur, scoped=scoped, window_months=t.window_months, params=params)
        step(1, "进度提醒")
        alerts = 0
        if written.status_changed is not None:
            params = {**params, "commitment_ids": array_text(written.status_changed)}
        if written.status_changed != []:
            stamp = timezone.now()
            cur.execute(
                sql.insert_alerts(scoped=scoped),
                {**params, **sql.alert_messages(), "now": stamp, "link": _commitment_link_prefix()},
            )
            alerts = cur.rowcount
            if alerts:
                transaction.on_commit(lambda: _mail_progress_alerts(stamp))
            step(2, "记录提醒状态")
            cur.execute(sql.delete_changed_alert_states(scoped=scoped), params)
            cur.execute(sql.insert_new_alert_states(scoped=scoped), params)
        if with_manufacturers:
            step(3, "生产企业执行与配送滞后")
            # Orders submitted before this moment are due: the delivery days have passed by the end of as_of.
            due_before = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min)) - timedelta(
                days=t.due_days
            )
            cur.execute(sql.delete_manufacturer_progress())
            cur.execute(sql.insert_manufacturer_progress(), {**params, "due_before": due_before})
        step(steps, "完成")
    return Outcome(rows=written.rows, written=written.written, alerts=alerts)


def _covered(*, hospital_id: int, as_of: date, requested_at: datetime) -> bool:
    """A successful run of this hospital (or of everyone) for the same day started after the request: it has
    already counted the receipt or return that asked for this refresh."""
    return ProgressRun.objects.filter(
        Q(kind=ProgressRun.Kind.FULL) | Q(kind=ProgressRun.Kind.HOSPITAL, hospital_id=hospital_id),
        status=ProgressRun.Status.SUCCEEDED,
        as_of=as_of,
        started_at__gt=requested_at,
    ).exists()


def _skipped(*, kind: str, hospital_id: int | None, as_of: date, reason: str) -> ProgressRun:
    now = timezone.now()
    return ProgressRun.objects.create(
        kind=kind,
        hospital_id=hospital_id,
        as_of=as_of,
        started_at=now,
        finished_at=now,
        status=ProgressRun.Status.SKIPPED,
        error=reason,
    )


def _run(
    *,
    kind: str,
    hospital_id: int | None,
    as_of: date | None,
    progress: Progress | None,
    requested_at: datetime | None = None,
    since: date | None = None,
) -> ProgressRun:
    as_of = as_of or timezone.localdate()
    with _run_lock(wait=kind == ProgressRun.Kind.HOSPITAL) as got:
        if not got:
            return _skipped(
                kind=kind, hospital_id=hospital_id, as_of=as_of, reason=gettext_noop("另一次进度计算正在运行")
            )
        if requested_at and hospital_id and _covered(hospital_id=hospital_id, as_of=as_of, requested_at=requested_at):
            return _skipped(
                kind=kind, hospital_id=hospital_id, as_of=as_of, reason=gettext_noop("已包含在之后开始的运行中")
            )
        # Holding the lock, any run still marked running has died (killed worker): record it as interrupted.
        ProgressRun.objects.filter(status=ProgressRun.Status.RUNNING).update(
            status=ProgressRun.Status.ABANDONED, finished_at=timezone.now(), error="运行中断（进程退出），结果未写入"
        )
        run = ProgressRun.objects.create(kind=kind, hospital_id=hospital_id, as_of=as_of, started_at=timezone.now())
        try:
            with transaction.atomic():
                outcome = _compute(
                    hospital_id=hospital_id,
                    as_of=as_of,
                    progress=progress,
                    with_manufacturers=kind == ProgressRun.Kind.FULL,
                    since=since,
                )
        except Exception as exc:
            _finish(run, ProgressRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        run = _finish(run, ProgressRun.Status.SUCCEEDED, rows=outcome.rows, alerts=outcome.alerts)
        run.written = outcome.written  # not stored: what the run changed in the table (reported by the benchmark)
        return run


def progress_compute_all(*, as_of: date | None = None, progress: Progress | None = None) -> ProgressRun:
    """Recompute every commitment's progress (the nightly job and `manage.py compute_commitments`). Skipped, and
    recorded as such, while another run holds the lock. Commits on its own: call it outside a transaction."""
    return _run(kind=ProgressRun.Kind.FULL, hospital_id=None, as_of=as_of, progress=progress)


def progress_refresh_hospital(
    *, hospital_id: int, as_of: date | None = None, requested_at: datetime | None = None
) -> ProgressRun:
    """Recompute one hospital's commitments (after its receipts or returns). Waits for a running full run. With
    `requested_at` (when the receipt or return asking for it was committed), a run that started later has already
    counted it, and this one is recorded as skipped: a burst of receipts costs one or two refreshes."""
    if not Organization.objects.filter(pk=hospital_id, kind=Organization.Kind.HOSPITAL).exists():
        raise ValidationFailed(
            _("医疗机构 %(hospital_id)s 不存在") % {"hospital_id": hospital_id},
            field="hospital_id",
            code=TenderError.UNKNOWN_HOSPITAL,
        )
    return _run(
        kind=ProgressRun.Kind.HOSPITAL, hospital_id=hospital_id, as_of=as_of, progress=None, requested_at=requested_at
    )


def progress_refresh_changed(*, since: date, as_of: date | None = None) -> ProgressRun:
    """Recompute the commitments whose figures the receipts and returns of the days `since` to `as_of` count in (the
    night after a day of receipts, for the same computation date as the table's: the rows a full run as of `as_of`
    would give them). A table computed as of an earlier date still needs the full run: every cycle row's pro-rata
    moves with the date. Skipped, and recorded as such, while another run holds the lock."""
    as_of = as_of or timezone.localdate()
    if since > as_of:
        raise ValidationFailed(
            _("起始日期 %(since)s 晚于计算日期 %(as_of)s") % {"since": since, "as_of": as_of},
            field="since",
            code=TenderError.SINCE_AFTER_AS_OF,
        )
    return _run(kind=ProgressRun.Kind.CHANGED, hospital_id=None, as_of=as_of, progress=None, since=since)


def progress_rows_for_commitment(commitment_id: int):
    return CommitmentProgress.objects.filter(commitment_id=commitment_id)


def progress_ensure_current(*, as_of: date | None = None) -> ProgressRun | None:
    """A full run unless today's table is already current: a successful full run for the same day, every receipt
    or return since then refreshed for its hospital (or its refresh waiting in the outbox or on the broker), and
    every started commitment present. Used by the demo data, so seeding twice changes nothing."""
    as_of = as_of or timezone.localdate()
    last = (
        ProgressRun.objects.filter(kind=ProgressRun.Kind.FULL, status=ProgressRun.Status.SUCCEEDED, as_of=as_of)
        .order_by("-started_at")
        .first()
    )
    if last is not None:
        fresh = _refreshed_since(last.started_at)
        started = Commitment.objects.filter(cycle_start__lte=as_of).count()
        present = CommitmentProgress.objects.filter(period_kind=CommitmentProgress.PeriodKind.CYCLE).count()
        if fresh and started == present:
            return None
    return progress_compute_all(as_of=as_of)


def _refreshed_since(moment) -> bool:
    """Every receipt or return since `moment` is counted by a later successful refresh of its hospital, or will be:
    its refresh is pending in the outbox or was sent to the broker after it (a worker runs it)."""
    latest: dict[int, object] = {}
    for rows in (
        Receipt.objects.filter(received_at__gte=moment).values("hospital_id").annotate(at=Max("received_at")),
        GoodsReturn.objects.filter(returned_at__gte=moment).values("hospital_id").annotate(at=Max("returned_at")),
    ):
        for row in rows:
            latest[row["hospital_id"]] = max(row["at"], latest.get(row["hospital_id"], row["at"]))

    def covered(hospital_id: int, at) -> bool:
        queued = OutboxMessage.objects.filter(dedupe_key=_dedupe_key(hospital_id), task=REFRESH_TASK).filter(
            Q(status=OutboxMessage.Status.PENDING) | Q(status=OutboxMessage.Status.SENT, sent_at__gte=at)
        )
        return (
            queued.exists()
            or ProgressRun.objects.filter(
                kind=ProgressRun.Kind.HOSPITAL,
                hospital_id=hospital_id,
                started_at__gte=at,
                status=ProgressRun.Status.SUCCEEDED,
            ).exists()
        )

    return all(covered(hospital_id, at) for hospital_id, at in latest.items())


# --- after receipts and returns -------------------------------------------------------------------------------------


def enqueue_hospital_refresh(hospital_id: int) -> None:
    """One pending refresh per hospital: a burst of receipts coalesces into it (outbox dedupe key)."""
    enqueue(
        REFRESH_TASK,
        kwargs={"hospital_id": hospital_id, "requested_at": timezone.now().isoformat()},
        dedupe_key=_dedupe_key(hospital_id),
    )


def _dedupe_key(hospital_id: int) -> str:
    return f"commitment-progress:{hospital_id}"


def _on_receipt(receipt_id: int) -> None:
    hospital_id = Receipt.objects.filter(pk=receipt_id).values_list("hospital_id", flat=True).first()
    if hospital_id is not None:
        enqueue_hospital_refresh(hospital_id)


def _on_return(return_id: int) -> None:
    hospital_id = GoodsReturn.objects.filter(pk=return_id).values_list("hospital_id", flat=True).first()
    if hospital_id is not None:
        enqueue_hospital_refresh(hospital_id)


def register_hooks() -> None:
    hooks.register_receipt_committed(_on_receipt)
    hooks.register_return_committed(_on_return)
