"""Monthly statement generation, set-based.

For a month M and a pooling region, every manufacturer × hospital pair with unsettled receipt lines of settled
products received before the end of M (M's receipts, plus earlier ones released from a statement after a dispute),
or with returns of already-settled receipts, gets one statement for M. Statements are written in chunks of pairs,
each chunk in one transaction with all its lines: a crash leaves whole statements or none, and a rerun skips the
pairs that already have a statement for M and builds the rest. Generating a month twice creates nothing new.

Two runs never overlap: a lease (`JobLock`) is taken for the whole run. Even without it, `SettlementLine`'s unique
constraint on the receipt line makes a racing chunk fail and roll back whole rather than settle a receipt twice.

Amounts, per receipt line: gross = the receipt line's amount (frozen order price × accepted units);
returned = Σ its return lines' amounts; correction = round((corrected price − frozen price) × (accepted − returned
units), 2) when a `PriceCorrection` covers the listing on the receipt date (the latest one wins);
net = gross − returned + correction. A return of a receipt settled in an earlier statement becomes a
return-adjustment line of −(its amount + the correction on its units).
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Region
from common.errors import ConflictError, ValidationFailed

from .models import FundAccount, JobLock, SettlementRun, SettlementStatement

logger = logging.getLogger(__name__)

LOCK_NAME = "settlement-generate"
LEASE = timedelta(minutes=10)
CHUNK = 1000


def parse_month(value) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise ValidationFailed(f"月份“{value}”格式应为 YYYY-MM", field="month") from None


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
        raise ValidationFailed(f"医疗机构“{hospital}”没有所在地区，无法确定统筹区", field="hospital")
    return fund_for_region(hospital.region)


# --- the lease --------------------------------------------------------------------------------------------------


def acquire_lock(name: str = LOCK_NAME, lease: timedelta = LEASE) -> str:
    token = uuid.uuid4().hex
    if not JobLock.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                JobLock.objects.create(name=name)
        except Exception:  # another run created it at the same moment
            pass
    now = timezone.now()
    taken = JobLock.objects.filter(name=name).filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now)).update(
        token=token, locked_until=now + lease
    )
    if not taken:
        raise ConflictError("另一个结算单生成任务正在运行，请稍后再试", code="run_in_progress")
    return token


def renew_lock(token: str, name: str = LOCK_NAME, lease: timedelta = LEASE) -> None:
    JobLock.objects.filter(name=name, token=token).update(locked_until=timezone.now() + lease)


def release_lock(token: str, name: str = LOCK_NAME) -> None:
    JobLock.objects.filter(name=name, token=token).update(token="", locked_until=None)


# --- SQL pieces (PostgreSQL computes in numeric; SQLite in integer ten-thousandths of a yuan, so both are exact) ---


def _sql(vendor: str) -> dict[str, str]:
    if vendor == "postgresql":
        return {
            "false": "false",
            "due_rl": "rl.received_on + 30",
            "due_g": "g.returned_on + 30",
            "corr": "ROUND((COALESCE(pc.unit_price, rl.unit_price) - rl.unit_price)"
                    " * (rl.accepted_min_units - COALESCE(r.units, 0)), 2)",
            "net": "rl.amount - COALESCE(r.amount, 0) + ROUND((COALESCE(pc.unit_price, rl.unit_price) - rl.unit_price)"
                   " * (rl.accepted_min_units - COALESCE(r.units, 0)), 2)",
            "adj_corr": "-ROUND((sl.settled_unit_price - g.unit_price) * g.min_units, 2)",
            "adj_net": "-g.amount - ROUND((sl.settled_unit_price - g.unit_price) * g.min_units, 2)",
        }

    def cents4(expr: str) -> str:  # a price as an integer number of 1/10000 yuan
        return f"CAST(ROUND(({expr}) * 10000) AS INTEGER)"

    def fen(expr: str) -> str:  # an amount as an integer number of fen
        return f"CAST(ROUND(({expr}) * 100) AS INTEGER)"

    def half_up(x: str) -> str:  # 1/10000 yuan → fen, ROUND_HALF_UP (away from zero), integer arithmetic
        return f"(CASE WHEN ({x}) >= 0 THEN (({x}) + 50) / 100 ELSE -((-({x}) + 50) / 100) END)"

    corr = half_up(
        f"({cents4('COALESCE(pc.unit_price, rl.unit_price)')} - {cents4('rl.unit_price')})"
        " * (rl.accepted_min_units - COALESCE(r.units, 0))"
    )
    adj = half_up(f"({cents4('sl.settled_unit_price')} - {cents4('g.unit_price')}) * g.min_units")
    return {
        "false": "0",
        "due_rl": "date(rl.received_on, '+30 days')",
        "due_g": "date(g.returned_on, '+30 days')",
        "corr": f"({corr}) / 100.0",
        "net": f"({fen('rl.amount')} - {fen('COALESCE(r.amount, 0)')} + {corr}) / 100.0",
        "adj_corr": f"(-{adj}) / 100.0",
        "adj_net": f"(-{fen('g.amount')} - {adj}) / 100.0",
    }


def _settled_products(include_negotiated: bool, alias: str = "rl") -> str:
    """Receipt lines of settled products: awarded ones; negotiated drugs within their agreement when configured."""
    settled = f"{alias}.award_id IS NOT NULL"
    if include_negotiated:
        settled = (
            f"({settled} OR EXISTS (SELECT 1 FROM catalog_product p WHERE p.id = {alias}.product_id AND p.negotiated"
            f" AND (p.negotiated_from IS NULL OR p.negotiated_from <= {alias}.received_on)"
            f" AND (p.negotiated_to IS NULL OR p.negotiated_to >= {alias}.received_on)))"
        )
    return f"{settled} AND {alias}.accepted_min_units > 0"


UNSETTLED = (
    "NOT EXISTS (SELECT 1 FROM settlement_settlementline x WHERE x.receipt_line_id = rl.id AND x.kind = 'receipt')"
)


NEGOTIATED = (
    "EXISTS (SELECT 1 FROM catalog_product p WHERE p.id = rl.product_id AND p.negotiated"
    " AND (p.negotiated_from IS NULL OR p.negotiated_from <= rl.received_on)"
    " AND (p.negotiated_to IS NULL OR p.negotiated_to >= rl.received_on))"
)


def candidates(period: date, region_id: int | None = None) -> dict[int, list[tuple[int, int, date]]]:
    """Per pooling region: (manufacturer, hospital, earliest date) pairs with something to settle — unsettled receipt
    lines of settled products received before the end of the month, or returns of settled receipts not yet accounted
    for — and no statement for the month yet. One query for all regions (or one region)."""
    end = next_month(period)
    pool = "COALESCE(rg.parent_id, rg.id)"
    joins = (
        "JOIN accounts_organization o ON o.id = rl.hospital_id JOIN accounts_region rg ON rg.id = o.region_id"
        f" JOIN settlement_fundaccount f ON f.region_id = {pool} AND f.is_active"
    )
    settled = f"(rl.award_id IS NOT NULL OR (f.include_negotiated AND {NEGOTIATED})) AND rl.accepted_min_units > 0"
    only = f" AND {pool} = %s" if region_id else ""
    region_params = [region_id] if region_id else []
    sql = f"""
        SELECT {pool}, rl.manufacturer_id, rl.hospital_id, MIN(rl.received_on)
        FROM procurement_receiptline rl {joins}
        WHERE rl.received_on < %s AND {settled} AND {UNSETTLED}{only}
        GROUP BY {pool}, rl.manufacturer_id, rl.hospital_id
        UNION ALL
        SELECT {pool}, g.manufacturer_id, g.hospital_id, MIN(g.returned_on)
        FROM procurement_goodsreturnline g JOIN procurement_receiptline rl ON rl.id = g.receipt_line_id {joins}
        WHERE g.returned_on < %s{only}
          AND NOT EXISTS (SELECT 1 FROM settlement_settledreturn sr WHERE sr.return_line_id = g.id)
          AND EXISTS (SELECT 1 FROM settlement_settlementline x WHERE x.receipt_line_id = g.receipt_line_id AND x.kind = 'receipt')
        GROUP BY {pool}, g.manufacturer_id, g.hospital_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [end, *region_params, end, *region_params])
        rows = cursor.fetchall()
    existing = SettlementStatement.objects.filter(period=period)
    if region_id:
        existing = existing.filter(fund__region_id=region_id)
    have = set(existing.values_list("manufacturer_id", "hospital_id"))
    by_region: dict[int, dict[tuple[int, int], date]] = {}
    for region, manufacturer_id, hospital_id, first in rows:
        if (manufacturer_id, hospital_id) in have:
            continue
        if isinstance(first, str):
            first = date.fromisoformat(first)
        pairs = by_region.setdefault(region, {})
        key = (manufacturer_id, hospital_id)
        pairs[key] = min(first, pairs.get(key, first))
    # By hospital, so that a chunk touches few hospitals and reads their lines through the (hospital, …) index.
    return {region: sorted(((m, h, d) for (m, h), d in pairs.items()), key=lambda p: (p[1], p[0]))
            for region, pairs in by_region.items()}


def candidate_pairs(fund: FundAccount, period: date) -> list[tuple[int, int, date]]:
    return candidates(period, fund.region_id).get(fund.region_id, [])


def _ids_sql(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


LINES = "settlement_run_lines"
RETURNS = "settlement_run_returns"


def prepare_lines(fund: FundAccount, period: date, hospitals: list[int] | None = None) -> None:
    """Compute, once, every unsettled receipt line of the fund's pooling region to settle for the month (or of these
    hospitals), with its amounts, into a temporary table indexed by (hospital, manufacturer); and the returns those
    lines net. Chunks then only copy their pairs' slice: the work per chunk no longer depends on how many lines the run
    has already settled. A line settled meanwhile by a run without the lease still cannot be settled twice: the
    partial unique index on the receipt line makes that chunk fail and roll back whole."""
    vendor = connection.vendor
    q = _sql(vendor)
    end = next_month(period)
    if hospitals is None:
        pool = "COALESCE(rg.parent_id, rg.id)"
        where = (f"rl.hospital_id IN (SELECT o.id FROM accounts_organization o JOIN accounts_region rg"
                 f" ON rg.id = o.region_id WHERE {pool} = %s)")
        params: list = [fund.region_id]
    else:
        where = f"rl.hospital_id IN ({_ids_sql(hospitals) or 'NULL'})"
        params = []
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            # One pass over everything: hash joins, never a nested loop re-scanning the settled lines per receipt line
            # (what the planner picks when the statistics of a freshly emptied or fast-growing table are stale).
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(f"DROP TABLE IF EXISTS {RETURNS}")
        cursor.execute(f"DROP TABLE IF EXISTS {LINES}")
        cursor.execute(f"""
            CREATE TEMPORARY TABLE {LINES} AS
            SELECT rl.hospital_id AS h, rl.manufacturer_id AS m, rl.id AS rid, rl.product_id AS product_id,
                   rl.received_on AS received_on, rl.accepted_min_units AS units, COALESCE(r.units, 0) AS r_units,
                   rl.unit_price AS unit_price, COALESCE(pc.unit_price, rl.unit_price) AS settled_price,
                   pc.id AS pc_id, rl.amount AS gross, COALESCE(r.amount, 0) AS r_amount, {q['corr']} AS corr,
                   {q['net']} AS net, {q['due_rl']} AS due
            FROM procurement_receiptline rl
            LEFT JOIN (
                SELECT g.receipt_line_id AS rid, SUM(g.min_units) AS units, SUM(g.amount) AS amount
                FROM procurement_goodsreturnline g
                WHERE g.returned_on < %s
                  AND NOT EXISTS (SELECT 1 FROM settlement_settledreturn sr WHERE sr.return_line_id = g.id)
                GROUP BY g.receipt_line_id
            ) r ON r.rid = rl.id
            LEFT JOIN settlement_pricecorrection pc ON pc.id = (
                SELECT MAX(c.id) FROM settlement_pricecorrection c
                WHERE c.listing_id = rl.listing_id AND c.effective_from <= rl.received_on
                  AND (c.effective_to IS NULL OR c.effective_to >= rl.received_on)
            )
            WHERE rl.received_on < %s AND {where} AND {_settled_products(fund.include_negotiated)} AND {UNSETTLED}
        """, [end, end, *params])
        cursor.execute(f"CREATE INDEX {LINES}_pair ON {LINES} (h, m)")
        cursor.execute(f"""
            CREATE TEMPORARY TABLE {RETURNS} AS
            SELECT t.h AS h, t.m AS m, g.id AS gid, g.receipt_line_id AS rid
            FROM procurement_goodsreturnline g JOIN {LINES} t ON t.rid = g.receipt_line_id
            WHERE g.returned_on < %s
              AND NOT EXISTS (SELECT 1 FROM settlement_settledreturn sr WHERE sr.return_line_id = g.id)
        """, [end])
        cursor.execute(f"CREATE INDEX {RETURNS}_pair ON {RETURNS} (h, m)")
        if vendor == "postgresql":  # temporary tables are never analysed automatically
            cursor.execute(f"ANALYZE {LINES}")
            cursor.execute(f"ANALYZE {RETURNS}")


def drop_lines() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RETURNS}")
        cursor.execute(f"DROP TABLE IF EXISTS {LINES}")


def build_chunk(fund: FundAccount, period: date, pairs: list[tuple[int, int, date]], run: SettlementRun | None,
                *, prepared: bool = False) -> tuple[int, int]:
    """Create the statements of these pairs with all their lines, in one transaction. Returns (statements, lines).
    Reads the lines from `prepare_lines` (computed here for the pairs' hospitals unless `prepared`)."""
    vendor = connection.vendor
    q = _sql(vendor)
    end = next_month(period)
    claim_due = end.replace(day=5)
    region_code = fund.region.code
    hospitals = _ids_sql(sorted({h for _, h, _ in pairs}))
    makers = _ids_sql(sorted({m for m, _, _ in pairs}))
    with transaction.atomic():
        if not prepared:
            prepare_lines(fund, period, sorted({h for _, h, _ in pairs}))
        if vendor == "postgresql":
            # A chunk lost to a database crash right after commit is rebuilt whole by the rerun; no fsync wait per chunk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        statements = SettlementStatement.objects.bulk_create([
            SettlementStatement(
                number=f"JS{period:%Y%m}{region_code}{h:06d}{m:06d}", fund=fund, manufacturer_id=m, hospital_id=h,
                period=period, claim_due_on=claim_due, payment_due_on=first + timedelta(days=30), run=run,
            )
            for m, h, first in pairs
        ])
        ids = [s.pk for s in statements]
        if not ids or None in ids:  # databases that do not return ids from bulk inserts
            ids = list(SettlementStatement.objects.filter(
                fund=fund, period=period, number__in=[s.number for s in statements]).values_list("pk", flat=True))
        in_ids = _ids_sql(ids)
        # The chunk's statements as a small literal table (hospital, manufacturer) → statement id, joined below.
        rows = SettlementStatement.objects.filter(pk__in=ids).values_list("hospital_id", "manufacturer_id", "pk")
        pairs_map = ", ".join(f"({int(h)}, {int(m)}, {int(pk)})" for h, m, pk in rows)
        with connection.cursor() as cursor:
            # Returns netted by the receipt lines about to be settled: claimed with the lines, in the same transaction.
            cursor.execute(f"""
                INSERT INTO settlement_settledreturn (return_line_id, statement_id, receipt_line_id)
                WITH cm(h, m, sid) AS (VALUES {pairs_map})
                SELECT t.gid, s.sid, t.rid FROM {RETURNS} t JOIN cm s ON s.h = t.h AND s.m = t.m
            """)
            cursor.execute(f"""
                INSERT INTO settlement_settlementline
                  (statement_id, kind, receipt_line_id, return_line_id, product_id, received_on, min_units,
                   returned_min_units, unit_price, settled_unit_price, correction_id, gross_amount, returned_amount,
                   correction_amount, amount, due_on, overdue, disputed, dispute_reason, response)
                WITH cm(h, m, sid) AS (VALUES {pairs_map})
                SELECT s.sid, 'receipt', t.rid, NULL, t.product_id, t.received_on, t.units, t.r_units, t.unit_price,
                       t.settled_price, t.pc_id, t.gross, t.r_amount, t.corr, t.net, t.due,
                       {q['false']}, {q['false']}, '', ''
                FROM {LINES} t JOIN cm s ON s.h = t.h AND s.m = t.m
            """)
            lines = cursor.rowcount
            # Returns of receipts settled in earlier statements: negative adjustment lines, then claimed.
            cursor.execute(f"""
                INSERT INTO settlement_settlementline
                  (statement_id, kind, receipt_line_id, return_line_id, product_id, received_on, min_units,
                   returned_min_units, unit_price, settled_unit_price, correction_id, gross_amount, returned_amount,
                   correction_amount, amount, due_on, overdue, disputed, dispute_reason, response)
                WITH cm(h, m, sid) AS (VALUES {pairs_map})
                SELECT s.sid, 'return_adjustment', g.receipt_line_id, g.id, g.product_id, g.returned_on, 0, g.min_units,
                       g.unit_price, sl.settled_unit_price, sl.correction_id, 0, g.amount, {q['adj_corr']}, {q['adj_net']},
                       {q['due_g']}, {q['false']}, {q['false']}, '', ''
                FROM procurement_goodsreturnline g
                JOIN settlement_settlementline sl ON sl.receipt_line_id = g.receipt_line_id AND sl.kind = 'receipt'
                JOIN cm s ON s.h = g.hospital_id AND s.m = g.manufacturer_id
                WHERE g.returned_on < %s AND g.hospital_id IN ({hospitals}) AND g.manufacturer_id IN ({makers})
                  AND NOT EXISTS (SELECT 1 FROM settlement_settledreturn sr WHERE sr.return_line_id = g.id)
            """, [end])
            lines += cursor.rowcount
            cursor.execute(f"""
                INSERT INTO settlement_settledreturn (return_line_id, statement_id, receipt_line_id)
                SELECT l.return_line_id, l.statement_id, l.receipt_line_id FROM settlement_settlementline l
                WHERE l.statement_id IN ({in_ids}) AND l.kind = 'return_adjustment'
            """)
            cursor.execute(f"""
                UPDATE settlement_settlementstatement SET
                  line_count = a.n, gross_amount = a.gross, returned_amount = a.returned,
                  correction_amount = a.correction, amount = a.net, payment_due_on = a.due
                FROM (
                    SELECT statement_id, COUNT(*) AS n, SUM(gross_amount) AS gross, SUM(returned_amount) AS returned,
                           SUM(correction_amount) AS correction, SUM(amount) AS net, MIN(due_on) AS due
                    FROM settlement_settlementline WHERE statement_id IN ({in_ids}) GROUP BY statement_id
                ) a
                WHERE settlement_settlementstatement.id = a.statement_id
            """)
            # A pair whose lines were taken meanwhile (only possible without the lease) leaves no empty statement.
            cursor.execute(f"DELETE FROM settlement_settlementstatement WHERE id IN ({in_ids}) AND line_count = 0")
            created = len(ids) - cursor.rowcount
    return created, lines




def refresh_statistics() -> None:
    """PostgreSQL plans the anti-joins against settled lines from table statistics: refreshed once before a run
    computes what is left to settle (ANALYZE samples, it does not scan everything)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE settlement_settlementline, settlement_settledreturn, settlement_settlementstatement")


def _after_chunk(chunk_no: int) -> None:
    """Called after each committed chunk (progress logging; tests use it to simulate a crash mid-batch)."""
    logger.debug("settlement chunk %s committed", chunk_no)


def generate_statements(*, month, region: Region | None = None, chunk_size: int = CHUNK,
                        progress=None) -> SettlementRun:
    """Build the month's statements for one pooling region, or for all of them. `progress(done, total, label)` hears
    of each committed chunk (the page's progress bar)."""
    period = parse_month(month)
    if period >= timezone.localdate().replace(day=1):
        raise ValidationFailed(f"{period:%Y-%m} 尚未结束，只能生成已结束月份的结算单", field="month")
    if region is not None:
        regions = [region.pooling_region]
    else:
        regions = list(Region.objects.filter(level=Region.Level.LEAGUE_CITY).order_by("code"))
    token = acquire_lock()
    run = SettlementRun.objects.create(period=period, region=regions[0] if region is not None else None)
    try:
        chunk_no = 0
        refresh_statistics()
        funds = [fund_for_region(reg) for reg in regions]
        by_region = candidates(period, regions[0].pk if region is not None else None)
        total_chunks = sum(-(-len(by_region.get(f.region_id, [])) // chunk_size) for f in funds)
        if progress:
            progress(0, total_chunks, f"{period:%Y-%m}")
        for fund in funds:
            pairs = by_region.get(fund.region_id, [])
            if not pairs:
                continue
            prepare_lines(fund, period)
            for start in range(0, len(pairs), chunk_size):
                statements, lines = build_chunk(fund, period, pairs[start:start + chunk_size], run, prepared=True)
                run.statements_created += statements
                run.lines_created += lines
                SettlementRun.objects.filter(pk=run.pk).update(
                    statements_created=run.statements_created, lines_created=run.lines_created
                )
                renew_lock(token)
                chunk_no += 1
                _after_chunk(chunk_no)
                if progress:
                    progress(chunk_no, total_chunks, f"{fund.region} {period:%Y-%m}")
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
        drop_lines()
        release_lock(token)
