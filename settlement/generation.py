"""Statement generation, set-based, one statement period at a time (a month by default; half a month or a week with
`SETTLEMENT_CYCLE`, see `settlement.cycle` — "M" below is the period).

For a period M and a pooling region, every manufacturer × hospital pair with unsettled receipt lines of settled
products received before the end of M (M's receipts, plus earlier ones released from a statement after a dispute),
or with returns of already-settled receipts, gets one statement for M. Statements are written in chunks of pairs,
each chunk in one transaction with all its lines: a crash leaves whole statements or none, and a rerun skips the
pairs that already have a statement for M and builds the rest. Generating a month twice creates nothing new.

Two runs never overlap: a lease (`JobLock`) is taken for the whole run, and a session lock that frees the lease of a
killed run at once. Even without it, `SettlementLine`'s unique
constraint on the receipt line makes a racing chunk fail and roll back whole rather than settle a receipt twice.

Amounts, per receipt line: gross = the receipt line's amount (frozen order price × accepted units);
returned = Σ its return lines' amounts; correction = round((corrected price − frozen price) × (accepted − returned
units), 2) when a `PriceCorrection` covers the listing on the receipt date (the latest one wins);
net = gross − returned + correction. A return of a receipt settled in an earlier statement becomes a
return-adjustment line of −(its amount + the correction on its units), at the price the line stands at (its latest
price adjustment's). A price correction of a receipt line settled earlier (`PriceAdjustment`, recorded by
`record_price_adjustments`) becomes a price-adjustment line of the pair's next statement (a later month than the
original), once.

One hospital's statements (`generate_hospital_statements`: after a late receipt or return, or lines a dispute
released) are the range of that hospital alone, through the same statement: exactly what the month's run gives it,
reading only that hospital's lines.

Each chunk — a range of hospitals — is one statement straight from the receipt lines (`settlement.sql.write_range`:
a materialised CTE of the range's lines, data-modifying CTEs writing statements, lines and settled returns).
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organization, Region
from common import locks, rules
from common.faults import checkpoint

from . import cycle, sql
from .errors import ConflictError, SettlementError, ValidationFailed
from .models import FundAccount, JobLock, SettlementRun

logger = logging.getLogger(__name__)

LOCK_NAME = "settlement-generate"
LEASE = timedelta(minutes=10)
CHUNK = 25_000
WORK_MEM = "256MB"


def parse_month(value) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise ValidationFailed(
            gettext("月份“%(value)s”格式应为 YYYY-MM") % {"value": value},
            field="month",
            code=SettlementError.INVALID_MONTH,
        ) from None


def parse_period(value, cycle_name: str | None = None) -> cycle.Period:
    """The statement period a value names under the cycle: a date or YYYY-MM-DD (the period containing that day) or
    YYYY-MM (the period containing the month's first day — for the monthly cycle, the month)."""
    if isinstance(value, date):
        return cycle.period_containing(value, cycle_name)
    text = str(value or "").strip()
    if text.count("-") == 2:
        try:
            return cycle.period_containing(date.fromisoformat(text), cycle_name)
        except ValueError:
            raise ValidationFailed(
                gettext("结算周期“%(value)s”格式应为 YYYY-MM 或 YYYY-MM-DD") % {"value": value},
                field="month",
                code=SettlementError.INVALID_MONTH,
            ) from None
    return cycle.period_containing(parse_month(text), cycle_name)


def ended_period(value) -> cycle.Period:
    """The period `value` names (`parse_period`), which must have ended: statements are built only for past periods."""
    period = parse_period(value)
    if period.end > timezone.localdate():
        raise ValidationFailed(
            gettext("%(period)s 尚未结束，只能生成已结束结算周期的结算单") % {"period": period.label},
            field="month",
            code=SettlementError.MONTH_NOT_ENDED,
        )
    return period


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def fund_for_region(region: Region) -> FundAccount:
    region = region.pooling_region
    fund = FundAccount.objects.filter(region=region).first()
    if fund is None:
        fund, _ = FundAccount.objects.get_or_create(region=region, defaults={"name": f"{region.name}医疗保障基金"})
    return fund


def fund_for_hospital(hospital) -> FundAccount:
    if hospital.region_id is None:
        raise ValidationFailed(
            gettext("医疗机构“%(hospital)s”没有所在地区，无法确定统筹区") % {"hospital": hospital},
            field="hospital",
            code=SettlementError.HOSPITAL_WITHOUT_REGION,
        )
    return fund_for_region(hospital.region)


# --- the lease --------------------------------------------------------------------------------------------------


def acquire_lock(name: str = LOCK_NAME, lease: timedelta = LEASE) -> str:
    """Take the lease. The run also holds a session lock (`common.locks`) that dies with its worker: a lease whose
    holder's session is gone is taken over at once instead of being waited out."""
    token = uuid.uuid4().hex
    JobLock.objects.get_or_create(name=name)  # another run creating it at the same moment is fine
    holder_gone = locks.take(name)
    if holder_gone is False and not locks.held_here(name):
        # another live run holds the session lock: it may not have written its lease yet, so a free lease proves
        # nothing (both runs would go on and collide on the settled lines)
        raise ConflictError(
            gettext("另一个结算单生成任务正在运行，请稍后再试"), code=SettlementError.GENERATION_RUNNING
        )
    now = timezone.now()
    lease_free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    taken = (
        JobLock.objects.filter(name=name)
        .filter(Q() if holder_gone else lease_free)
        .update(token=token, locked_until=now + lease)
    )
    if not taken:
        if holder_gone:
            locks.release(name)
        raise ConflictError(
            gettext("另一个结算单生成任务正在运行，请稍后再试"), code=SettlementError.GENERATION_RUNNING
        )
    return token


def renew_lock(token: str, name: str = LOCK_NAME, lease: timedelta = LEASE) -> None:
    JobLock.objects.filter(name=name, token=token).update(locked_until=timezone.now() + lease)


def release_lock(token: str, name: str = LOCK_NAME) -> None:
    if JobLock.objects.filter(name=name, token=token).update(token="", locked_until=None):
        locks.release(name)


def record_price_adjustments(correction, *, recorded_on: date) -> int:
    """For a new price correction, one `PriceAdjustment` per settled receipt line it covers (the listing, received in
    its period) whose price it changes, in one INSERT … SELECT: units still settled = accepted − returns accounted
    for; previous price = the line's latest adjustment's, else its settled price; amount = round((corrected −
    previous) × units, 2). Lines already at the corrected price, or with nothing left settled, get nothing.
    Returns the number recorded."""
    with connection.cursor() as cursor:
        sql.execute(
            cursor,
            sql.price_adjustments(),
            {"correction": correction.pk, "recorded_on": recorded_on, "now": timezone.now()},
        )
        return cursor.rowcount


def hold_off_generation() -> None:
    """Inside the caller's transaction: refuse while a generation run is under way, and keep one from starting until
    the transaction ends (a starting run waits on the lease row locked here). Used by writes that change what a run
    computes from settled lines (price corrections)."""
    JobLock.objects.get_or_create(name=LOCK_NAME)
    lease = JobLock.objects.select_for_update().get(name=LOCK_NAME)
    if lease.locked_until is not None and lease.locked_until > timezone.now():
        holder_gone = locks.take(LOCK_NAME)  # the run holding the lease may have been killed
        if holder_gone:
            locks.release(LOCK_NAME)
        else:
            raise ConflictError(
                gettext("结算单生成任务正在运行，请在其完成后再操作"), code=SettlementError.GENERATION_RUNNING
            )


# --- each chunk one statement straight from the receipt lines ------------------------------------------------


def plan_chunks(
    period: cycle.Period, *, region_id: int | None = None, chunk_size: int = CHUNK
) -> list[tuple[int, int | None, int | None]]:
    """Hospital id ranges of about `chunk_size` statements each, as (number, after hospital, up to hospital): from the
    month's receipt lines, the manufacturers per hospital (an estimate — a range simply holds whatever pairs its
    hospitals have). The ranges are contiguous and open at both ends, so every hospital falls in exactly one."""
    with connection.cursor() as cursor:
        sql.execute(
            cursor,
            sql.hospital_pairs(region=region_id is not None),
            {"start": period.start, "end": period.end, "region": region_id},
        )
        rows = cursor.fetchall()
    cuts, size = [], 0
    for hospital_id, pairs in rows:
        size += pairs
        if size >= chunk_size:
            cuts.append(hospital_id)
            size = 0
    if cuts and cuts[-1] == rows[-1][0]:
        cuts.pop()  # the last range is open above
    bounds = [None, *cuts, None]
    return [(k, bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]


def write_range(
    period: cycle.Period,
    chunk: tuple[int, int | None, int | None],
    run: SettlementRun | None,
    *,
    region_id: int | None = None,
    one_hospital: bool = False,
) -> tuple[int, int]:
    """Build the statements of one range of hospitals in one transaction, with one statement
    (`settlement.sql.write_range`): the range's lines computed once (receipt lines, return and price adjustments),
    then the statements of the pairs without one for the month, their lines and the settled returns. Returns
    (statements, lines).

    A pair or line taken meanwhile by another run (possible only without the lease) makes a unique constraint fail
    and the whole range rolls back: nothing is settled twice, and the totals always match the lines written."""
    _, after, upto = chunk
    terms = rules.settlement()
    statement = sql.write_range(region=region_id is not None, after=after is not None, upto=upto is not None)
    params = {
        "end": period.end,
        "month": period.start,
        "period_last": period.last_day,
        "region": region_id,
        "after": after,
        "upto": upto,
        "period_code": period.code,
        "claim_due": period.claim_due(terms.claim_day),
        "payment_term_days": terms.payment_term_days,
        "run": run.pk if run else None,
        "now": timezone.now(),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # Hash joins, never a nested loop re-scanning a table whose statistics are stale (the lines and statements
        # earlier chunks wrote); the range's grouping and sorting in memory. One hospital's few lines are found by
        # index (hash joins would read every line of the months).
        if not one_hospital:
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])  # SET takes no parameter
        sql.execute(cursor, statement, params)
        statements, lines = cursor.fetchone()
    return statements, lines


def refresh_statistics() -> None:
    """PostgreSQL plans the anti-joins against settled lines from table statistics: refreshed once before a run
    computes what is left to settle (ANALYZE samples, it does not scan everything)."""
    with connection.cursor() as cursor:
        sql.execute(cursor, sql.refresh_statistics())


def _after_chunk(chunk_no: int) -> None:
    """Called after each committed chunk (progress logging; tests use it to simulate a crash mid-batch)."""
    logger.debug("settlement chunk %s committed", chunk_no)
    checkpoint(f"settlement:chunk:{chunk_no}")


def generate_statements(
    *, month, region: Region | None = None, chunk_size: int | None = None, progress=None
) -> SettlementRun:
    """Build the statements of the period `month` names (`parse_period`: for the monthly cycle, YYYY-MM) for one
    pooling region, or for all of them. `progress(done, total, label)` hears of each committed chunk (the page's
    progress bar)."""
    chunk_size = chunk_size or getattr(settings, "SETTLEMENT_CHUNK_STATEMENTS", CHUNK)
    period = ended_period(month)
    if region is not None:
        regions = [region.pooling_region]
    else:
        regions = list(Region.objects.filter(level=Region.Level.LEAGUE_CITY).order_by("code"))
    token = acquire_lock()
    # Holding the lease, a run still marked running was killed: its committed chunks stand, this run builds the rest.
    SettlementRun.objects.filter(status=SettlementRun.Status.RUNNING).update(
        status=SettlementRun.Status.FAILED, finished_at=timezone.now(), error="运行中断（进程退出），已提交的结算单保留"
    )
    run = SettlementRun.objects.create(period=period.start, region=regions[0] if region is not None else None)
    try:
        refresh_statistics()
        for reg in regions:  # every pooling region has its fund before the lines are matched to funds
            fund_for_region(reg)
        region_id = regions[0].pk if region is not None else None
        chunks = plan_chunks(period, region_id=region_id, chunk_size=chunk_size)
        if progress:
            progress(0, len(chunks), period.label)
        for chunk_no, chunk in enumerate(chunks, start=1):
            statements, lines = write_range(period, chunk, run, region_id=region_id)
            run.statements_created += statements
            run.lines_created += lines
            SettlementRun.objects.filter(pk=run.pk).update(
                statements_created=run.statements_created, lines_created=run.lines_created
            )
            renew_lock(token)
            _after_chunk(chunk_no)
            if progress:
                progress(chunk_no, len(chunks), period.label)
        run.status = SettlementRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at", "statements_created", "lines_created"])
        return run
    except BaseException as exc:
        SettlementRun.objects.filter(pk=run.pk).update(
            status=SettlementRun.Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    finally:
        release_lock(token)


def generate_hospital_statements(*, month, hospital_id: int) -> SettlementRun:
    """Build the statements of the period `month` names for one hospital: its pairs without a statement for the
    period get one, from the same statement as the month's run (`write_range` over the range holding only this
    hospital), so the result is what the whole month's run gives that hospital. Under the same lease."""
    period = ended_period(month)
    hospital = (
        Organization.objects.filter(pk=hospital_id, kind=Organization.Kind.HOSPITAL).select_related("region").first()
    )
    if hospital is None:
        raise ValidationFailed(
            gettext("医疗机构 %(hospital)s 不存在") % {"hospital": hospital_id},
            field="hospital",
            code=SettlementError.HOSPITAL_UNKNOWN,
        )
    fund_for_hospital(hospital)  # its pooling region has its fund before the lines are matched to funds
    token = acquire_lock()
    SettlementRun.objects.filter(status=SettlementRun.Status.RUNNING).update(
        status=SettlementRun.Status.FAILED, finished_at=timezone.now(), error="运行中断（进程退出），已提交的结算单保留"
    )
    run = SettlementRun.objects.create(period=period.start, region=hospital.region.pooling_region)
    try:
        statements, lines = write_range(period, (1, hospital.pk - 1, hospital.pk), run, one_hospital=True)
        run.statements_created, run.lines_created = statements, lines
        run.status = SettlementRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at", "statements_created", "lines_created"])
        return run
    except BaseException as exc:
        SettlementRun.objects.filter(pk=run.pk).update(
            status=SettlementRun.Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    finally:
        release_lock(token)
