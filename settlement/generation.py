"""Monthly statement generation, set-based.

For a month M and a pooling region, every manufacturer × hospital pair with unsettled receipt lines of settled
products received before the end of M (M's receipts, plus earlier ones released from a statement after a dispute),
or with returns of already-settled receipts, gets one statement for M. Statements are written in chunks of pairs,
each chunk in one transaction with all its lines: a crash leaves whole statements or none, and a rerun skips the
pairs that already have a statement for M and builds the rest. Generating a month twice creates nothing new.

Two runs never overlap: a lease (`JobLock`) is taken for the whole run, and on PostgreSQL a session lock that frees
the lease of a killed run at once. Even without it, `SettlementLine`'s unique
constraint on the receipt line makes a racing chunk fail and roll back whole rather than settle a receipt twice.

Amounts, per receipt line: gross = the receipt line's amount (frozen order price × accepted units);
returned = Σ its return lines' amounts; correction = round((corrected price − frozen price) × (accepted − returned
units), 2) when a `PriceCorrection` covers the listing on the receipt date (the latest one wins);
net = gross − returned + correction. A return of a receipt settled in an earlier statement becomes a
return-adjustment line of −(its amount + the correction on its units), at the price the line stands at (its latest
price adjustment's). A price correction of a receipt line settled earlier (`PriceAdjustment`, recorded by
`record_price_adjustments`) becomes a price-adjustment line of the pair's next statement (a later month than the
original), once.

On PostgreSQL each chunk — a range of hospitals — is one statement straight from the receipt lines (`write_range`:
a materialised CTE of the range's lines, data-modifying CTEs writing statements, lines and settled returns). SQLite
has no data-modifying CTEs: there the month's lines go through temporary tables first (`prepare_lines`,
`write_chunk`), which the concurrency tests also use to race two chunks computed from the same snapshot.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Region
from common import locks
from common.errors import ConflictError, ValidationFailed
from common.faults import checkpoint

from .models import FundAccount, JobLock, SettlementRun

logger = logging.getLogger(__name__)

LOCK_NAME = "settlement-generate"
LEASE = timedelta(minutes=10)
CHUNK = 25_000
TEMP_BUFFERS = "512MB"
WORK_MEM = "256MB"


def parse_month(value) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise ValidationFailed(gettext("月份“%(value)s”格式应为 YYYY-MM") % {"value": value}, field="month") from None


def ended_month(value) -> date:
    """The first day of month `value` (YYYY-MM), which must have ended: statements are built only for past months."""
    period = parse_month(value)
    if period >= timezone.localdate().replace(day=1):
        raise ValidationFailed(gettext("%(period)s 尚未结束，只能生成已结束月份的结算单") % {"period": f'{period:%Y-%m}'}, field="month")
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
        raise ValidationFailed(gettext("医疗机构“%(hospital)s”没有所在地区，无法确定统筹区") % {"hospital": hospital}, field="hospital")
    return fund_for_region(hospital.region)


# --- the lease --------------------------------------------------------------------------------------------------


def acquire_lock(name: str = LOCK_NAME, lease: timedelta = LEASE) -> str:
    """Take the lease. On PostgreSQL the run also holds a session lock (`common.locks`) that dies with its worker: a
    lease whose holder's session is gone is taken over at once instead of being waited out."""
    token = uuid.uuid4().hex
    if not JobLock.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                JobLock.objects.create(name=name)
        except Exception:  # another run created it at the same moment
            pass
    holder_gone = locks.take(name)
    if holder_gone is False and not locks.held_here(name):
        # another live run holds the session lock: it may not have written its lease yet, so a free lease proves
        # nothing (both runs would go on and collide on the settled lines)
        raise ConflictError(gettext("另一个结算单生成任务正在运行，请稍后再试"), code="run_in_progress")
    now = timezone.now()
    lease_free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    taken = JobLock.objects.filter(name=name).filter(Q() if holder_gone else lease_free).update(
        token=token, locked_until=now + lease
    )
    if not taken:
        if holder_gone:
            locks.release(name)
        raise ConflictError(gettext("另一个结算单生成任务正在运行，请稍后再试"), code="run_in_progress")
    return token


def renew_lock(token: str, name: str = LOCK_NAME, lease: timedelta = LEASE) -> None:
    JobLock.objects.filter(name=name, token=token).update(locked_until=timezone.now() + lease)


def release_lock(token: str, name: str = LOCK_NAME) -> None:
    if JobLock.objects.filter(name=name, token=token).update(token="", locked_until=None):
        locks.release(name)


# --- SQL pieces (PostgreSQL computes in numeric; SQLite in integer ten-thousandths of a yuan, so both are exact) ---


# The price a settled receipt line stands at: its latest price adjustment's, else the price it was settled at (alias
# `pa` joined by `LATEST_ADJUSTMENT` for the receipt line `rid`, `sl` its receipt settlement line).
SETTLED = "COALESCE(pa.unit_price, sl.settled_unit_price)"
LATEST_ADJUSTMENT = (
    "LEFT JOIN settlement_priceadjustment pa ON pa.receipt_line_id = {rid} AND NOT EXISTS ("
    "SELECT 1 FROM settlement_priceadjustment pa2 WHERE pa2.receipt_line_id = pa.receipt_line_id AND pa2.id > pa.id)"
)


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
            "adj_corr": f"-ROUND(({SETTLED} - g.unit_price) * g.min_units, 2)",
            "adj_net": f"-g.amount - ROUND(({SETTLED} - g.unit_price) * g.min_units, 2)",
            "due_pa": "pa.recorded_on + 30",
            "pa_amount": "ROUND((u.new_price - u.price) * u.units, 2)",
            # Statement ids drawn beforehand, so that lines are written without reading the statements back.
            "sid": "nextval(pg_get_serial_sequence('settlement_settlementstatement', 'id'))",
            "sid_column": "id, ",
            "sid_value": "p.sid, ",
            "pad_h": "lpad(p.h::text, GREATEST(6, length(p.h::text)), '0')",
            "pad_m": "lpad(p.m::text, GREATEST(6, length(p.m::text)), '0')",
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
    adj = half_up(f"({cents4(SETTLED)} - {cents4('g.unit_price')}) * g.min_units")
    pa_amount = half_up(f"({cents4('u.new_price')} - {cents4('u.price')}) * u.units")
    return {
        "false": "0",
        "due_rl": "date(rl.received_on, '+30 days')",
        "due_g": "date(g.returned_on, '+30 days')",
        "corr": f"({corr}) / 100.0",
        "net": f"({fen('rl.amount')} - {fen('COALESCE(r.amount, 0)')} + {corr}) / 100.0",
        "adj_corr": f"(-{adj}) / 100.0",
        "adj_net": f"(-{fen('g.amount')} - {adj}) / 100.0",
        "due_pa": "date(pa.recorded_on, '+30 days')",
        "pa_amount": f"({pa_amount}) / 100.0",
        "sid": "NULL",
        "sid_column": "",
        "sid_value": "",
        "pad_h": "printf('%%06d', p.h)",
        "pad_m": "printf('%%06d', p.m)",
    }


NEGOTIATED = (
    "EXISTS (SELECT 1 FROM catalog_product p WHERE p.id = rl.product_id AND p.negotiated"
    " AND (p.negotiated_from IS NULL OR p.negotiated_from <= rl.received_on)"
    " AND (p.negotiated_to IS NULL OR p.negotiated_to >= rl.received_on))"
)

# The run's working set, computed once per run in temporary tables (never WAL-logged, dropped at the end):
LINES = "settlement_run_lines"  # every unsettled receipt line to settle, with its amounts
RETURNS = "settlement_run_returns"  # the return lines those receipt lines net
ADJUSTMENTS = "settlement_run_adjustments"  # returns and price adjustments of receipts settled earlier
PAIRS = "settlement_run_pairs"  # manufacturer × hospital pairs without a statement for the month: totals and chunk
TEMP_TABLES = (PAIRS, ADJUSTMENTS, RETURNS, LINES)


def _ids_sql(ids) -> str:
    return ",".join(str(int(i)) for i in ids)


def _scope(region_id: int | None, hospitals: list[int] | None) -> tuple[str, str, list]:
    """Joins from a row's hospital (alias rl) to its pooling region's active fund `f`, and the filter of the run."""
    pool = "COALESCE(rg.parent_id, rg.id)"
    joins = (
        "JOIN accounts_organization o ON o.id = rl.hospital_id JOIN accounts_region rg ON rg.id = o.region_id"
        f" JOIN settlement_fundaccount f ON f.region_id = {pool} AND f.is_active"
    )
    where, params = "", []
    if region_id is not None:
        where, params = f" AND {pool} = %s", [region_id]
    if hospitals is not None:
        where += f" AND rl.hospital_id IN ({_ids_sql(hospitals) or 'NULL'})"
    return joins, where, params


SETTLED_LINE = f"(rl.award_id IS NOT NULL OR (f.include_negotiated AND {NEGOTIATED})) AND rl.accepted_min_units > 0"


def _receipt_lines_sql(q: dict, joins: str, where: str, settled: str = SETTLED_LINE) -> str:
    """Every unsettled receipt line of a settled product received before the month's end, with its returns not yet
    accounted for, its price correction and amounts (parameters: end, end, the scope's). The latest price correction
    covering the listing on the receipt date is a join, with the "no later one" test evaluated only for the few
    receipt lines a correction covers."""
    return f"""
            SELECT f.id AS fund, rl.hospital_id AS h, rl.manufacturer_id AS m, rl.id AS rid, rl.product_id AS product_id,
                   rl.received_on AS received_on, rl.accepted_min_units AS units, COALESCE(r.units, 0) AS r_units,
                   rl.unit_price AS unit_price, COALESCE(pc.unit_price, rl.unit_price) AS settled_price,
                   pc.id AS pc_id, rl.amount AS gross, COALESCE(r.amount, 0) AS r_amount, {q['corr']} AS corr,
                   {q['net']} AS net, {q['due_rl']} AS due
            FROM procurement_receiptline rl {joins}
            LEFT JOIN (
                SELECT g.receipt_line_id AS rid, SUM(g.min_units) AS units, SUM(g.amount) AS amount
                FROM procurement_goodsreturnline g
                WHERE g.returned_on < %s
                  AND NOT EXISTS (SELECT 1 FROM settlement_settledreturn sr WHERE sr.return_line_id = g.id)
                GROUP BY g.receipt_line_id
            ) r ON r.rid = rl.id
            LEFT JOIN settlement_pricecorrection pc ON pc.listing_id = rl.listing_id
                AND pc.effective_from <= rl.received_on AND (pc.effective_to IS NULL OR pc.effective_to >= rl.received_on)
                AND NOT EXISTS (SELECT 1 FROM settlement_pricecorrection c WHERE c.listing_id = pc.listing_id
                    AND c.id > pc.id AND c.effective_from <= rl.received_on
                    AND (c.effective_to IS NULL OR c.effective_to >= rl.received_on))
            WHERE rl.received_on < %s AND {settled}{where}
              AND NOT EXISTS (SELECT 1 FROM settlement_settlementline x WHERE x.receipt_line_id = rl.id AND x.kind = 'receipt')
    """


def _adjustments_sql(q: dict, joins: str, where: str) -> str:
    """Adjustments of receipt lines settled in an earlier statement: returns not yet accounted for (reversed at the
    price the line stands at), and price adjustments recorded since, not yet in a statement and of an earlier month's
    statement (parameters: end, the scope's, the month, the scope's)."""
    return f"""
            SELECT 'return_adjustment' AS kind, f.id AS fund, g.hospital_id AS h, g.manufacturer_id AS m, g.id AS gid,
                   CAST(NULL AS BIGINT) AS aid, g.receipt_line_id AS rid, g.product_id AS product_id, g.returned_on AS day,
                   0 AS units, g.min_units AS r_units, g.unit_price AS unit_price, {SETTLED} AS settled_price,
                   COALESCE(pa.correction_id, sl.correction_id) AS pc_id, g.amount AS r_amount, {q['adj_corr']} AS corr,
                   {q['adj_net']} AS net, {q['due_g']} AS due
            FROM procurement_goodsreturnline g
            JOIN procurement_receiptline rl ON rl.id = g.receipt_line_id {joins}
            JOIN settlement_settlementline sl ON sl.receipt_line_id = g.receipt_line_id AND sl.kind = 'receipt'
            {LATEST_ADJUSTMENT.format(rid="g.receipt_line_id")}
            WHERE g.returned_on < %s{where}
              AND NOT EXISTS (SELECT 1 FROM settlement_settledreturn sr WHERE sr.return_line_id = g.id)
            UNION ALL
            SELECT 'price_adjustment', f.id, rl.hospital_id, rl.manufacturer_id, NULL, pa.id, rl.id, rl.product_id,
                   rl.received_on, pa.units, 0, pa.previous_unit_price, pa.unit_price, pa.correction_id, 0, pa.amount,
                   pa.amount, {q['due_pa']}
            FROM settlement_priceadjustment pa
            JOIN procurement_receiptline rl ON rl.id = pa.receipt_line_id {joins}
            JOIN settlement_settlementstatement os ON os.id = pa.statement_id
            WHERE os.period < %s{where}
              AND NOT EXISTS (SELECT 1 FROM settlement_settlementline x WHERE x.price_adjustment_id = pa.id)
    """


def prepare_lines(period: date, *, region_id: int | None = None, hospitals: list[int] | None = None,
                  pairs: list[tuple[int, int, date]] | None = None, chunk_size: int = CHUNK) -> list[tuple[int, int, int]]:
    """Compute, in one pass per table, everything the month's statements will hold — for all pooling regions, one
    region, or some hospitals (and only these pairs) — into temporary tables: the lines with their amounts, the
    netted returns, the return adjustments, and per manufacturer × hospital pair without a statement for the month
    its totals and its chunk (pairs ordered by hospital, `chunk_size` a chunk). Returns the chunks as
    (number, first hospital, last hospital). Nothing is written to the real tables here."""
    vendor = connection.vendor
    q = _sql(vendor)
    end = next_month(period)
    joins, where, params = _scope(region_id, hospitals)
    settled = SETTLED_LINE
    if vendor == "postgresql":
        _temp_buffers()
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            # One pass over everything: hash joins, never a nested loop re-scanning the settled lines per receipt line
            # (what the planner picks when the statistics of a freshly emptied or fast-growing table are stale); the
            # month's grouping and sorting in memory.
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])  # SET takes no parameter
        for table in TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {LINES} AS {_receipt_lines_sql(q, joins, where, settled)}"
                       " ORDER BY h, m", [end, end, *params])
        cursor.execute(f"""
            CREATE TEMPORARY TABLE {RETURNS} AS
            SELECT t.h AS h, t.m AS m, g.id AS gid, g.receipt_line_id AS rid
            FROM procurement_goodsreturnline g JOIN {LINES} t ON t.rid = g.receipt_line_id
            WHERE g.returned_on < %s
              AND NOT EXISTS (SELECT 1 FROM settlement_settledreturn sr WHERE sr.return_line_id = g.id)
        """, [end])
        cursor.execute(f"CREATE TEMPORARY TABLE {ADJUSTMENTS} AS {_adjustments_sql(q, joins, where)}",
                       [end, *params, connection.ops.adapt_datefield_value(period), *params])
        only = ""
        if pairs is not None:
            only = " AND (u.h, u.m) IN (VALUES " + ", ".join(f"({int(h)}, {int(m)})" for m, h, _ in pairs) + ")"
            if not pairs:
                only = " AND 1 = 0"
        cursor.execute(f"""
            CREATE TEMPORARY TABLE {PAIRS} AS
            SELECT a.*, (ROW_NUMBER() OVER (ORDER BY a.h, a.m) - 1) / {int(chunk_size)} AS k, {q['sid']} AS sid
            FROM (
                SELECT u.fund AS fund, u.h AS h, u.m AS m, COUNT(*) AS n, SUM(u.gross) AS gross,
                       SUM(u.r_amount) AS returned, SUM(u.corr) AS corr, SUM(u.net) AS net, MIN(u.due) AS due
                FROM (SELECT fund, h, m, gross, r_amount, corr, net, due FROM {LINES}
                      UNION ALL SELECT fund, h, m, 0, r_amount, corr, net, due FROM {ADJUSTMENTS}) u
                WHERE NOT EXISTS (SELECT 1 FROM settlement_settlementstatement s
                                  WHERE s.manufacturer_id = u.m AND s.hospital_id = u.h AND s.period = %s){only}
                GROUP BY u.fund, u.h, u.m
            ) a
        """, [connection.ops.adapt_datefield_value(period)])
        for table in (LINES, RETURNS, ADJUSTMENTS):
            cursor.execute(f"CREATE INDEX {table}_pair ON {table} (h, m)")
        if vendor == "postgresql":  # temporary tables are never analysed automatically
            for table in TEMP_TABLES:
                cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT k, MIN(h), MAX(h) FROM {PAIRS} GROUP BY k ORDER BY k")
        return [tuple(row) for row in cursor.fetchall()]


def _temp_buffers() -> None:
    """Room for the run's temporary tables in memory (PostgreSQL's default is 8 MB: a month's lines would go through
    it to disk and back on every chunk). Only possible before the connection's first temporary table; a connection
    that already had one keeps its setting."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('temp_buffers', %s, false)", [TEMP_BUFFERS])
    except DatabaseError:
        logger.debug("temp_buffers already fixed for this connection")


def drop_lines() -> None:
    with connection.cursor() as cursor:
        for table in TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def pending_pairs() -> list[tuple[int, int, date]]:
    """The (manufacturer, hospital, first due date − 30 days) pairs `prepare_lines` found."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT m, h, due FROM {PAIRS} ORDER BY h, m")
        rows = cursor.fetchall()
    return [(m, h, (date.fromisoformat(d) if isinstance(d, str) else d) - timedelta(days=30)) for m, h, d in rows]


def candidate_pairs(fund: FundAccount, period: date) -> list[tuple[int, int, date]]:
    """The fund's pairs with something to settle for the month and no statement yet."""
    prepare_lines(period, region_id=fund.region_id)
    try:
        return pending_pairs()
    finally:
        drop_lines()


def record_price_adjustments(correction, *, recorded_on: date) -> int:
    """For a new price correction, one `PriceAdjustment` per settled receipt line it covers (the listing, received in
    its period) whose price it changes, in one INSERT … SELECT: units still settled = accepted − returns accounted
    for; previous price = the line's latest adjustment's, else its settled price; amount = round((corrected −
    previous) × units, 2). Lines already at the corrected price, or with nothing left settled, get nothing.
    Returns the number recorded."""
    q = _sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO settlement_priceadjustment (correction_id, receipt_line_id, statement_id, units,
              previous_unit_price, unit_price, amount, recorded_on, created_at)
            SELECT u.cid, u.rid, u.sid, u.units, u.price, u.new_price, {q['pa_amount']}, %s, %s
            FROM (
                SELECT c.id AS cid, c.unit_price AS new_price, rl.id AS rid, sl.statement_id AS sid,
                       rl.accepted_min_units - COALESCE((
                           SELECT SUM(g.min_units) FROM procurement_goodsreturnline g
                           WHERE g.receipt_line_id = rl.id
                             AND EXISTS (SELECT 1 FROM settlement_settledreturn sr WHERE sr.return_line_id = g.id)
                       ), 0) AS units,
                       {SETTLED} AS price
                FROM settlement_pricecorrection c
                JOIN procurement_receiptline rl ON rl.listing_id = c.listing_id AND rl.received_on >= c.effective_from
                     AND (c.effective_to IS NULL OR rl.received_on <= c.effective_to)
                JOIN settlement_settlementline sl ON sl.receipt_line_id = rl.id AND sl.kind = 'receipt'
                {LATEST_ADJUSTMENT.format(rid="rl.id")}
                WHERE c.id = %s
            ) u
            WHERE u.units > 0 AND u.price <> u.new_price
        """, [connection.ops.adapt_datefield_value(recorded_on), connection.ops.adapt_datetimefield_value(timezone.now()),
              correction.pk])
        return cursor.rowcount


def hold_off_generation() -> None:
    """Inside the caller's transaction: refuse while a generation run is under way, and keep one from starting until
    the transaction ends (a starting run waits on the lease row locked here). Used by writes that change what a run
    computes from settled lines (price corrections)."""
    JobLock.objects.get_or_create(name=LOCK_NAME)
    lease = JobLock.objects.select_for_update().get(name=LOCK_NAME)
    if lease.locked_until is not None and lease.locked_until > timezone.now():
        holder_gone = locks.take(LOCK_NAME)  # PostgreSQL: the run holding the lease may have been killed
        if holder_gone:
            locks.release(LOCK_NAME)
        else:
            raise ConflictError(gettext("结算单生成任务正在运行，请在其完成后再操作"), code="run_in_progress")


def write_chunk(period: date, chunk: tuple[int, int, int], run: SettlementRun | None) -> tuple[int, int]:
    """Write one chunk of the prepared pairs — statements with their totals, then their lines, return adjustments and
    settled returns, each one INSERT … SELECT — in one transaction. Returns (statements, lines).

    A pair or line taken meanwhile by another run (possible only without the lease) makes a unique constraint fail —
    statement per manufacturer × hospital × month, receipt line settled once, return line accounted once — and the
    whole chunk rolls back: nothing is settled twice, and the totals always match the lines written."""
    vendor = connection.vendor
    q = _sql(vendor)
    k, first_h, last_h = chunk
    ops = connection.ops
    month = ops.adapt_datefield_value(period)
    claim_due = ops.adapt_datefield_value(next_month(period).replace(day=5))
    now = ops.adapt_datetimefield_value(timezone.now())
    slice_ = "p.k = %s AND t.h BETWEEN %s AND %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO settlement_settlementstatement
              ({q['sid_column']}number, fund_id, manufacturer_id, hospital_id, period, status, line_count, gross_amount,
               returned_amount, correction_amount, amount, disputed_amount, approved_amount, paid_amount,
               invoice_numbers, claim_due_on, claimed_late, auto_confirmed, payment_due_on, overdue, due_soon, run_id,
               version, created_at)
            SELECT {q['sid_value']}'JS' || %s || rg.code || {q['pad_h']} || {q['pad_m']}, p.fund, p.m, p.h, %s, 'draft',
                   p.n, p.gross, p.returned, p.corr, p.net, 0, 0, 0, '[]', %s, {q['false']}, {q['false']}, p.due,
                   {q['false']}, {q['false']}, (SELECT r.id FROM settlement_settlementrun r WHERE r.id = %s), 1, %s
            FROM {PAIRS} p JOIN settlement_fundaccount f ON f.id = p.fund JOIN accounts_region rg ON rg.id = f.region_id
            JOIN accounts_organization om ON om.id = p.m JOIN accounts_organization oh ON oh.id = p.h
            WHERE p.k = %s
        """, [f"{period:%Y%m}", month, claim_due, run.pk if run else None, now, k])
        statements = cursor.rowcount
        if vendor != "postgresql":  # no sequence to draw ids from beforehand: read them back
            cursor.execute(f"""
                UPDATE {PAIRS} SET sid = (SELECT s.id FROM settlement_settlementstatement s
                    WHERE s.manufacturer_id = {PAIRS}.m AND s.hospital_id = {PAIRS}.h AND s.period = %s)
                WHERE k = %s
            """, [month, k])
        cursor.execute(f"""
            INSERT INTO settlement_settlementline
              (statement_id, kind, receipt_line_id, return_line_id, price_adjustment_id, product_id, received_on,
               min_units, returned_min_units, unit_price, settled_unit_price, correction_id, gross_amount,
               returned_amount, correction_amount, amount, due_on, overdue, disputed, dispute_reason, response)
            SELECT p.sid, 'receipt', t.rid, NULL, NULL, t.product_id, t.received_on, t.units, t.r_units, t.unit_price,
                   t.settled_price, t.pc_id, t.gross, t.r_amount, t.corr, t.net, t.due, {q['false']}, {q['false']}, '', ''
            FROM {LINES} t JOIN {PAIRS} p ON p.h = t.h AND p.m = t.m
            WHERE {slice_}
            UNION ALL
            SELECT p.sid, t.kind, t.rid, t.gid, t.aid, t.product_id, t.day, t.units, t.r_units, t.unit_price,
                   t.settled_price, t.pc_id, 0, t.r_amount, t.corr, t.net, t.due, {q['false']}, {q['false']}, '', ''
            FROM {ADJUSTMENTS} t JOIN {PAIRS} p ON p.h = t.h AND p.m = t.m
            WHERE {slice_}
        """, [k, first_h, last_h, k, first_h, last_h])
        lines = cursor.rowcount
        cursor.execute(f"""
            INSERT INTO settlement_settledreturn (return_line_id, statement_id, receipt_line_id)
            SELECT t.gid, p.sid, t.rid FROM {RETURNS} t JOIN {PAIRS} p ON p.h = t.h AND p.m = t.m WHERE {slice_}
            UNION ALL
            SELECT t.gid, p.sid, t.rid FROM {ADJUSTMENTS} t JOIN {PAIRS} p ON p.h = t.h AND p.m = t.m
            WHERE {slice_} AND t.gid IS NOT NULL
        """, [k, first_h, last_h, k, first_h, last_h])
    return statements, lines


# --- PostgreSQL: each chunk one statement straight from the receipt lines ---------------------------------------


def plan_chunks(period: date, *, region_id: int | None = None, chunk_size: int = CHUNK) -> list[tuple[int, int | None, int | None]]:
    """Hospital id ranges of about `chunk_size` statements each, as (number, after hospital, up to hospital): from the
    month's receipt lines, the manufacturers per hospital (an estimate — a range simply holds whatever pairs its
    hospitals have). The ranges are contiguous and open at both ends, so every hospital falls in exactly one."""
    end = next_month(period)
    region = ""
    params: list = [period, end]
    if region_id is not None:
        region = (" AND EXISTS (SELECT 1 FROM accounts_organization o JOIN accounts_region rg ON rg.id = o.region_id"
                  " WHERE o.id = rl.hospital_id AND COALESCE(rg.parent_id, rg.id) = %s)")
        params.append(region_id)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT rl.hospital_id, COUNT(DISTINCT rl.manufacturer_id) FROM procurement_receiptline rl
            WHERE rl.received_on >= %s AND rl.received_on < %s{region}
            GROUP BY rl.hospital_id ORDER BY rl.hospital_id
        """, params)
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


def write_range(period: date, chunk: tuple[int, int | None, int | None], run: SettlementRun | None, *,
                region_id: int | None = None) -> tuple[int, int]:
    """Build the statements of one range of hospitals in one transaction, with one statement: the range's lines
    computed once (receipt lines, return and price adjustments, as in `prepare_lines`), then, through data-modifying
    CTEs, the statements of the pairs without one for the month (ids returned), their lines and the settled returns.
    Nothing is copied to a temporary table. Returns (statements, lines).

    A pair or line taken meanwhile by another run (possible only without the lease) makes a unique constraint fail
    and the whole range rolls back: nothing is settled twice, and the totals always match the lines written."""
    q = _sql("postgresql")
    _, after, upto = chunk
    joins, where, params = _scope(region_id, None)
    if after is not None:
        where += " AND rl.hospital_id > %s"
        params = [*params, after]
    if upto is not None:
        where += " AND rl.hospital_id <= %s"
        params = [*params, upto]
    end = next_month(period)
    ops = connection.ops
    month = ops.adapt_datefield_value(period)
    claim_due = ops.adapt_datefield_value(end.replace(day=5))
    now = ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        # Hash joins, never a nested loop re-scanning a table whose statistics are stale (the lines and statements
        # earlier chunks wrote); the range's grouping and sorting in memory.
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])  # SET takes no parameter
        cursor.execute(f"""
            WITH lines AS MATERIALIZED (
                SELECT 'receipt' AS kind, fund, h, m, CAST(NULL AS BIGINT) AS gid, CAST(NULL AS BIGINT) AS aid, rid,
                       product_id, received_on AS day, units, r_units, unit_price, settled_price, pc_id, gross,
                       r_amount, corr, net, due
                FROM ({_receipt_lines_sql(q, joins, where)}) x
                UNION ALL
                SELECT kind, fund, h, m, gid, aid, rid, product_id, day, units, r_units, unit_price, settled_price,
                       pc_id, 0, r_amount, corr, net, due
                FROM ({_adjustments_sql(q, joins, where)}) y
            ),
            pairs AS (
                SELECT u.fund, u.h, u.m, COUNT(*) AS n, SUM(u.gross) AS gross, SUM(u.r_amount) AS returned,
                       SUM(u.corr) AS corr, SUM(u.net) AS net, MIN(u.due) AS due
                FROM lines u
                WHERE NOT EXISTS (SELECT 1 FROM settlement_settlementstatement s
                                  WHERE s.manufacturer_id = u.m AND s.hospital_id = u.h AND s.period = %s)
                GROUP BY u.fund, u.h, u.m
            ),
            statements AS (
                INSERT INTO settlement_settlementstatement
                  (number, fund_id, manufacturer_id, hospital_id, period, status, line_count, gross_amount,
                   returned_amount, correction_amount, amount, disputed_amount, approved_amount, paid_amount,
                   invoice_numbers, claim_due_on, claimed_late, auto_confirmed, payment_due_on, overdue, due_soon,
                   run_id, version, created_at)
                SELECT 'JS' || %s || rg.code || {q['pad_h']} || {q['pad_m']}, p.fund, p.m, p.h, %s,
                       'draft', p.n, p.gross, p.returned, p.corr, p.net, 0, 0, 0, '[]', %s, false, false,
                       p.due, false, false, (SELECT r.id FROM settlement_settlementrun r WHERE r.id = %s), 1,
                       %s
                FROM pairs p JOIN settlement_fundaccount f ON f.id = p.fund JOIN accounts_region rg ON rg.id = f.region_id
                JOIN accounts_organization om ON om.id = p.m JOIN accounts_organization oh ON oh.id = p.h
                ORDER BY p.h, p.m
                RETURNING id, manufacturer_id AS m, hospital_id AS h, line_count
            ),
            written_lines AS (
                INSERT INTO settlement_settlementline
                  (statement_id, kind, receipt_line_id, return_line_id, price_adjustment_id, product_id, received_on,
                   min_units, returned_min_units, unit_price, settled_unit_price, correction_id, gross_amount,
                   returned_amount, correction_amount, amount, due_on, overdue, disputed, dispute_reason, response)
                SELECT s.id, t.kind, t.rid, t.gid, t.aid, t.product_id, t.day, t.units, t.r_units, t.unit_price,
                       t.settled_price, t.pc_id, t.gross, t.r_amount, t.corr, t.net, t.due, false, false, '', ''
                FROM lines t JOIN statements s ON s.h = t.h AND s.m = t.m
                ORDER BY s.id
            ),
            settled_returns AS (
                INSERT INTO settlement_settledreturn (return_line_id, statement_id, receipt_line_id)
                SELECT g.id, s.id, g.receipt_line_id
                FROM lines t JOIN statements s ON s.h = t.h AND s.m = t.m
                JOIN procurement_goodsreturnline g ON g.receipt_line_id = t.rid
                WHERE t.kind = 'receipt' AND g.returned_on < %s
                  AND NOT EXISTS (SELECT 1 FROM settlement_settledreturn sr WHERE sr.return_line_id = g.id)
                UNION ALL
                SELECT t.gid, s.id, t.rid FROM lines t JOIN statements s ON s.h = t.h AND s.m = t.m
                WHERE t.gid IS NOT NULL
            )
            SELECT COUNT(*), COALESCE(SUM(line_count), 0) FROM statements
        """, [end, end, *params, end, *params, month, *params, month, f"{period:%Y%m}", month, claim_due,
              run.pk if run else None, now, end])
        statements, lines = cursor.fetchone()
    return statements, lines


def build_chunk(fund: FundAccount, period: date, pairs: list[tuple[int, int, date]], run: SettlementRun | None) -> tuple[int, int]:
    """Create the statements of these pairs of the fund with all their lines, in one transaction (on its own: computes
    the pairs' lines first). Returns (statements, lines)."""
    chunks = prepare_lines(period, region_id=fund.region_id, hospitals=sorted({h for _, h, _ in pairs}), pairs=pairs,
                           chunk_size=max(len(pairs), 1))
    try:
        return write_chunk(period, chunks[0], run) if chunks else (0, 0)
    finally:
        drop_lines()


def refresh_statistics() -> None:
    """PostgreSQL plans the anti-joins against settled lines from table statistics: refreshed once before a run
    computes what is left to settle (ANALYZE samples, it does not scan everything)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE settlement_settlementline, settlement_settledreturn, settlement_settlementstatement")


def _after_chunk(chunk_no: int) -> None:
    """Called after each committed chunk (progress logging; tests use it to simulate a crash mid-batch)."""
    logger.debug("settlement chunk %s committed", chunk_no)
    checkpoint(f"settlement:chunk:{chunk_no}")


def generate_statements(*, month, region: Region | None = None, chunk_size: int | None = None,
                        progress=None) -> SettlementRun:
    """Build the month's statements for one pooling region, or for all of them. `progress(done, total, label)` hears
    of each committed chunk (the page's progress bar)."""
    chunk_size = chunk_size or getattr(settings, "SETTLEMENT_CHUNK_STATEMENTS", CHUNK)
    period = ended_month(month)
    if region is not None:
        regions = [region.pooling_region]
    else:
        regions = list(Region.objects.filter(level=Region.Level.LEAGUE_CITY).order_by("code"))
    token = acquire_lock()
    # Holding the lease, a run still marked running was killed: its committed chunks stand, this run builds the rest.
    SettlementRun.objects.filter(status=SettlementRun.Status.RUNNING).update(
        status=SettlementRun.Status.FAILED, finished_at=timezone.now(), error="运行中断（进程退出），已提交的结算单保留")
    run = SettlementRun.objects.create(period=period, region=regions[0] if region is not None else None)
    try:
        refresh_statistics()
        for reg in regions:  # every pooling region has its fund before the lines are matched to funds
            fund_for_region(reg)
        region_id = regions[0].pk if region is not None else None
        if connection.vendor == "postgresql":  # each chunk one statement from the receipt lines, nothing copied
            chunks = plan_chunks(period, region_id=region_id, chunk_size=chunk_size)

            def write(chunk):
                return write_range(period, chunk, run, region_id=region_id)
        else:  # no data-modifying CTEs: the month's lines computed once into temporary tables
            chunks = prepare_lines(period, region_id=region_id, chunk_size=chunk_size)

            def write(chunk):
                return write_chunk(period, chunk, run)
        if progress:
            progress(0, len(chunks), f"{period:%Y-%m}")
        for chunk_no, chunk in enumerate(chunks, start=1):
            statements, lines = write(chunk)
            run.statements_created += statements
            run.lines_created += lines
            SettlementRun.objects.filter(pk=run.pk).update(
                statements_created=run.statements_created, lines_created=run.lines_created
            )
            renew_lock(token)
            _after_chunk(chunk_no)
            if progress:
                progress(chunk_no, len(chunks), f"{period:%Y-%m}")
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
