"""完成进度: every commitment's purchases against its agreed volume, per month and cycle to date.

The heavy part is one set-based SQL statement (`_progress_sql`): receipt lines minus return lines of the hospital,
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

A full run computes the whole table, a hospital's refresh that hospital's rows, and writes only what differs from the
stored rows (`_write_progress`); both in one transaction, under a lock (PostgreSQL advisory lock) so runs never
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
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.outbox import enqueue

from .. import hooks
from ..errors import ValidationFailed
from ..models import CommitmentProgress, GoodsReturn, ProgressRun, Receipt

logger = logging.getLogger(__name__)

REFRESH_TASK = "procurement.refresh_commitment_progress"
FULL_TASK = "procurement.compute_commitment_progress"
# Advisory lock key ("CMPR"): one progress run at a time.
LOCK_KEY = 0x434D5052

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Thresholds:
    behind_bp: int
    at_risk_bp: int
    window_months: int
    grace_days: int
    lag_bp: int
    due_days: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        cfg = settings.COMMITMENT_PROGRESS
        return cls(
            behind_bp=round(cfg["BEHIND_SHARE"] * 10000), at_risk_bp=round(cfg["AT_RISK_SHARE"] * 10000),
            window_months=max(int(cfg["RATE_WINDOW_MONTHS"]), 1), grace_days=max(int(cfg["GRACE_DAYS"]), 0),
            lag_bp=round(cfg["DELIVERY_LAG_SHARE"] * 10000), due_days=max(int(cfg["DELIVERY_DUE_DAYS"]), 0),
        )


# --- SQL, in the two dialects the platform runs on ------------------------------------------------------------------


class _Dialect:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"

    def param_date(self, name: str) -> str:
        return f"CAST(%({name})s AS date)" if self.pg else f"%({name})s"

    def date_value(self, d: date):
        return d if self.pg else d.isoformat()

    def month(self, expr: str) -> str:
        return f"CAST(date_trunc('month', {expr}) AS date)" if self.pg else f"date({expr}, 'start of month')"

    def next_month(self, expr: str) -> str:
        return f"CAST({expr} + INTERVAL '1 month' AS date)" if self.pg else f"date({expr}, '+1 month')"

    def months_before(self, expr: str, n: int) -> str:
        return f"CAST({expr} - INTERVAL '{n} month' AS date)" if self.pg else f"date({expr}, '-{n} month')"

    def bigint(self, expr: str) -> str:
        """Unit sums as 64-bit integers (PostgreSQL sums bigints as NUMERIC, slower in the running sums)."""
        return f"CAST({expr} AS BIGINT)" if self.pg else expr

    def month_end(self, expr: str) -> str:
        return (f"CAST({expr} + INTERVAL '1 month' - INTERVAL '1 day' AS date)" if self.pg
                else f"date({expr}, '+1 month', '-1 day')")

    def days(self, start: str, end: str) -> str:
        """Whole days from start to end."""
        return f"({end} - {start})" if self.pg else f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"

    def least(self, *args: str) -> str:
        return f"{'LEAST' if self.pg else 'min'}({', '.join(args)})"

    def greatest(self, *args: str) -> str:
        return f"{'GREATEST' if self.pg else 'max'}({', '.join(args)})"

    def ratio(self, num: str, den: str) -> str:
        return f"ROUND(CAST({num} AS NUMERIC) / {den}, 4)" if self.pg else f"ROUND(CAST({num} AS REAL) / {den}, 4)"

    def floordiv(self, num: str, den: str) -> str:
        """Integer division rounding down (sums are NUMERIC on PostgreSQL; SQLite truncates towards zero)."""
        if self.pg:
            return f"CAST(FLOOR(CAST({num} AS NUMERIC) / ({den})) AS BIGINT)"
        return f"(CASE WHEN ({num}) >= 0 THEN ({num}) / ({den}) ELSE -((-({num}) + ({den}) - 1) / ({den})) END)"

    def fence(self) -> str:
        """Ends a subquery PostgreSQL must not merge into the query reading it (which would evaluate each of its
        expressions once per reference)."""
        return "OFFSET 0" if self.pg else ""

    def temp(self, table: str) -> str:
        """A temporary table of this connection, never a permanent one of the same name."""
        return f"pg_temp.{table}" if self.pg else f"temp.{table}"

    def distinct(self, a: str, b: str) -> str:
        """a and b differ, NULL counting as a value."""
        return f"{a} IS DISTINCT FROM {b}" if self.pg else f"{a} IS NOT {b}"

    def form_match(self, lot: str, product: str) -> str:
        """The product's dosage form is one of the lot's (a lot listing none takes every form) — `_lot_matches`."""
        if self.pg:
            return (f"(jsonb_array_length({lot}.dosage_forms) = 0 "
                    f"OR {lot}.dosage_forms @> jsonb_build_array({product}.dosage_form))")
        return (f"(json_array_length({lot}.dosage_forms) = 0 OR EXISTS (SELECT 1 FROM json_each({lot}.dosage_forms) j "
                f"WHERE j.value = {product}.dosage_form))")

    def month_skeleton(self, columns: str) -> str:
        """`months`: the commitment's `columns` (of `c`) and `m`, every month from the cycle's first to the month of
        `upto`, per commitment in `c` (generated in commitment, month order)."""
        if self.pg:
            return (f"months AS (SELECT {', '.join(f'c.{x}' for x in columns.split(', '))}, CAST(g.m AS date) AS m "
                    "FROM c CROSS JOIN LATERAL generate_series(date_trunc('month', c.cycle_start), c.upto, "
                    "INTERVAL '1 month') AS g(m))")
        return (f"months({columns}, m) AS (SELECT {columns}, date(cycle_start, 'start of month') FROM c UNION ALL "
                f"SELECT {columns}, date(m, '+1 month') FROM months WHERE date(m, '+1 month') <= upto)")


SKELETON_COLUMNS = ("id, tender_id, lot_id, hospital_id, manufacturer_id, region_id, agreed_volume, cycle_start, "
                    "cycle_end, upto, total_days")

PROGRESS_COLUMNS = (
    "commitment_id", "tender_id", "lot_id", "hospital_id", "manufacturer_id", "region_id", "period_kind",
    "period_start", "period_end", "agreed_volume", "expected_units", "received_units", "received_amount",
    "returned_units", "substitute_units", "substitute_amount", "cumulative_units", "cumulative_amount",
    "cumulative_substitute_units", "completion_rate", "substitution_ratio", "projected_units", "status",
)


def _flows_sql(d: _Dialect, t: Thresholds, *, scoped: bool) -> str:
    """The flows per commitment × month (`b` of `_progress_sql`): one aggregation of the receipt and return lines."""
    return _progress_sql(d, t, scoped=scoped, flows_only=True)


def _progress_sql(d: _Dialect, t: Thresholds, *, scoped: bool, flows_table: str | None = None,
                  flows_only: bool = False) -> str:
    """`WITH …, computed AS (…)`: the rows of the table (of one hospital when scoped), columns PROGRESS_COLUMNS;
    the caller adds the statement that reads `computed`. With `flows_table`, the flows per commitment × month
    (`b`) are read from that table instead of being aggregated here."""
    scope = "AND c.hospital_id = %(hospital_id)s" if scoped else ""
    as_of = d.param_date("as_of")
    m = d.month
    pos_sel, pos_sub = d.greatest("cum_units", "0"), d.greatest("cum_sub", "0")
    # The first month of the pace window: the skeleton has every month, so no window function is needed for it.
    recent_month = d.months_before("m", t.window_months - 1)
    # The pace window's receipts: this month's and the previous months' (LAG over the same window as the running
    # sums, so one pass over the sorted months computes both).
    recent = " + ".join(["COALESCE(b.sel_units, 0)"] + [f"COALESCE(LAG(b.sel_units, {n}) OVER w, 0)"
                                                         for n in range(1, t.window_months)])
    commitments = f"""
WITH c AS (
    SELECT c.id, c.tender_id, c.lot_id, c.hospital_id, c.product_id, c.manufacturer_id,
           COALESCE(r.parent_id, r.id) AS region_id, c.agreed_volume, c.cycle_start, c.cycle_end,
           {d.least("c.cycle_end", as_of)} AS upto,
           {d.days("c.cycle_start", "c.cycle_end")} + 1 AS total_days
    FROM procurement_commitment c
    JOIN accounts_organization h ON h.id = c.hospital_id
    LEFT JOIN accounts_region r ON r.id = h.region_id
    WHERE c.cycle_start <= {as_of} {scope}
)
"""
    if flows_table:  # the flows were aggregated beforehand (`_flows_sql`)
        flows = f"b AS (SELECT * FROM {flows_table})"
    else:
        flows = f"""lp AS (
    SELECT DISTINCT l.id AS lot_id, p.id AS product_id
    FROM procurement_lot l JOIN catalog_product p ON p.generic_name = l.generic_name
    WHERE l.id IN (SELECT lot_id FROM c) AND {d.form_match("l", "p")}
),
k AS (
    SELECT c.id AS cid, c.hospital_id, c.product_id, 1 AS selected, c.cycle_start, c.upto FROM c
    UNION ALL
    SELECT c.id, c.hospital_id, lp.product_id, 0, c.cycle_start, c.upto
    FROM c JOIN lp ON lp.lot_id = c.lot_id AND lp.product_id <> c.product_id
),
named AS (
    SELECT c.id AS cid, ol.id AS order_line_id, c.cycle_start, c.upto
    FROM c JOIN procurement_purchaseorderline ol ON ol.substitution_for_id = c.id
    WHERE ol.substitution_for_id IS NOT NULL AND ol.product_id <> c.product_id
      AND NOT EXISTS (SELECT 1 FROM lp WHERE lp.lot_id = c.lot_id AND lp.product_id = ol.product_id)
),
flows AS (
    SELECT k.cid, k.selected, x.received_on AS day, x.accepted_min_units AS units, x.amount, 0 AS ret
    FROM k JOIN procurement_receiptline x ON x.hospital_id = k.hospital_id AND x.product_id = k.product_id
     AND x.received_on BETWEEN k.cycle_start AND k.upto
    UNION ALL
    SELECT k.cid, k.selected, x.returned_on, -x.min_units, -x.amount, x.min_units
    FROM k JOIN procurement_goodsreturnline x ON x.hospital_id = k.hospital_id AND x.product_id = k.product_id
     AND x.returned_on BETWEEN k.cycle_start AND k.upto
    UNION ALL
    SELECT n.cid, 0, x.received_on, x.accepted_min_units, x.amount, 0
    FROM named n JOIN procurement_receiptline x ON x.order_line_id = n.order_line_id
     AND x.received_on BETWEEN n.cycle_start AND n.upto
    UNION ALL
    SELECT n.cid, 0, x.returned_on, -x.min_units, -x.amount, 0
    FROM named n JOIN procurement_goodsreturnline x ON x.order_line_id = n.order_line_id
     AND x.returned_on BETWEEN n.cycle_start AND n.upto
),
b AS (
    -- One aggregation of the lines, as the plain GROUP BY would do it.
    SELECT cid, {m("day")} AS m,
           {d.bigint("SUM(CASE WHEN selected = 1 THEN units ELSE 0 END)")} AS sel_units,
           SUM(CASE WHEN selected = 1 THEN amount ELSE 0 END) AS sel_amount,
           {d.bigint("SUM(CASE WHEN selected = 1 THEN ret ELSE 0 END)")} AS ret_units,
           {d.bigint("SUM(CASE WHEN selected = 0 THEN units ELSE 0 END)")} AS sub_units,
           SUM(CASE WHEN selected = 0 THEN amount ELSE 0 END) AS sub_amount
    FROM flows GROUP BY cid, {m("day")}
)"""
    if flows_only:
        return f"{commitments},\n{flows}\nSELECT * FROM b"
    return f"""{commitments},
{flows},
{d.month_skeleton(SKELETON_COLUMNS)},
mm AS (
    SELECT months.id AS cid, tender_id, lot_id, hospital_id, manufacturer_id, region_id, agreed_volume,
           cycle_start, cycle_end, upto, total_days, months.m,
           {d.greatest("months.m", "cycle_start")} AS period_start,
           {d.least(d.month_end("months.m"), "upto")} AS period_end,
           CASE WHEN months.m = {m("upto")} THEN 1 ELSE 0 END AS is_last,
           COALESCE(b.sel_units, 0) AS sel_units, COALESCE(b.sel_amount, 0) AS sel_amount,
           COALESCE(b.ret_units, 0) AS ret_units, COALESCE(b.sub_units, 0) AS sub_units,
           COALESCE(b.sub_amount, 0) AS sub_amount,
           {d.bigint("SUM(COALESCE(b.sel_units, 0)) OVER w")} AS cum_units,
           SUM(COALESCE(b.sel_amount, 0)) OVER w AS cum_amount,
           {d.bigint("SUM(COALESCE(b.ret_units, 0)) OVER w")} AS cum_ret,
           {d.bigint("SUM(COALESCE(b.sub_units, 0)) OVER w")} AS cum_sub,
           SUM(COALESCE(b.sub_amount, 0)) OVER w AS cum_sub_amount,
           {recent} AS recent_units
    FROM months LEFT JOIN b ON b.cid = months.id AND b.m = months.m
    WINDOW w AS (PARTITION BY months.id ORDER BY months.m ROWS UNBOUNDED PRECEDING)
),
figures AS (
    SELECT mm.*,
           {d.days("cycle_start", "period_end")} + 1 AS elapsed_days,
           agreed_volume * ({d.days("cycle_start", "period_end")} + 1) / total_days AS expected_units,
           cum_units + {d.floordiv(f'recent_units * {d.days("period_end", "cycle_end")}',
                                   f'({d.days(d.greatest(recent_month, "cycle_start"), "period_end")} + 1)')}
               AS projected_units
    FROM mm {d.fence()}
),
judged AS (
    SELECT figures.*,
           CASE WHEN agreed_volume = 0 THEN NULL ELSE {d.ratio("cum_units", "agreed_volume")} END AS completion_rate,
           CASE WHEN {pos_sel} + {pos_sub} > 0 THEN {d.ratio(pos_sub, f"({pos_sel} + {pos_sub})")} ELSE NULL END
               AS substitution_ratio,
           CASE
               WHEN agreed_volume = 0 THEN CASE WHEN cum_units > 0 THEN 'over' ELSE 'completed' END
               WHEN cum_units > agreed_volume THEN 'over'
               WHEN cum_units = agreed_volume THEN 'completed'
               WHEN elapsed_days <= {t.grace_days} THEN 'on_track'
               WHEN projected_units * 10000 < agreed_volume * {t.at_risk_bp} THEN 'at_risk'
               WHEN cum_units * 10000 < expected_units * {t.behind_bp} THEN 'behind'
               ELSE 'on_track'
           END AS status
    FROM figures {d.fence()}
),
kinds(kind) AS (SELECT 'month' UNION ALL SELECT 'cycle'),
computed AS (
    -- Each month row, and the last month's figures once more as the cycle row (cycle-to-date flows): one pass.
    SELECT cid AS commitment_id, tender_id, lot_id, hospital_id, manufacturer_id, region_id, kind AS period_kind,
           CASE WHEN kind = 'month' THEN period_start ELSE cycle_start END AS period_start, period_end,
           agreed_volume, expected_units,
           CASE WHEN kind = 'month' THEN sel_units ELSE cum_units END AS received_units,
           CASE WHEN kind = 'month' THEN sel_amount ELSE cum_amount END AS received_amount,
           CASE WHEN kind = 'month' THEN ret_units ELSE cum_ret END AS returned_units,
           CASE WHEN kind = 'month' THEN sub_units ELSE cum_sub END AS substitute_units,
           CASE WHEN kind = 'month' THEN sub_amount ELSE cum_sub_amount END AS substitute_amount,
           cum_units AS cumulative_units, cum_amount AS cumulative_amount, cum_sub AS cumulative_substitute_units,
           completion_rate, substitution_ratio, projected_units, status
    FROM judged JOIN kinds ON kind = 'month' OR is_last = 1
)
"""


def _alerts_sql(*, scoped: bool) -> str:
    scope = "AND p.hospital_id = %(hospital_id)s" if scoped else ""
    return f"""
INSERT INTO common_notification (organization_id, kind, level, title, body, link, topic, created_at, read_at)
SELECT p.hospital_id, 'commitment_progress', 'warning',
       '约定采购量' || CASE p.status WHEN 'at_risk' THEN '难以完成' ELSE '进度滞后' END || '：'
           || l.number || ' ' || l.generic_name,
       '累计入库 ' || p.cumulative_units || '，按进度应完成 ' || p.expected_units || '，约定采购量 '
           || p.agreed_volume || '（截至 ' || p.period_end || '）',
       %(link)s, 'commitment:' || p.commitment_id || ':' || p.status, %(now)s, NULL
FROM procurement_commitmentprogress p
JOIN procurement_lot l ON l.id = p.lot_id
LEFT JOIN procurement_commitmentalertstate s ON s.commitment_id = p.commitment_id
WHERE p.period_kind = 'cycle' AND p.status IN ('behind', 'at_risk')
  AND (s.status IS NULL OR s.status <> p.status) {scope}
"""


def _mail_progress_alerts(stamp) -> None:
    """The progress reminders inserted in SQL are mailed like every other notification."""
    from common.models import Notification
    from common.notifications import mail_notifications

    mail_notifications(Notification.objects.filter(kind="commitment_progress", created_at=stamp)
                       .values_list("pk", flat=True))


def _manufacturer_sql(d: _Dialect, t: Thresholds) -> str:
    due_before = "%(due_before)s"
    return f"""
INSERT INTO procurement_manufacturerprogress (manufacturer_id, tender_id, agreed_volume, ordered_units, due_units,
                                              shipped_units, received_units, received_amount, delivery_lag)
SELECT a.manufacturer_id, a.tender_id, a.agreed, COALESCE(o.ordered, 0), COALESCE(o.due, 0),
       COALESCE(o.shipped, 0), COALESCE(r.received, 0), COALESCE(r.amount, 0),
       CASE WHEN COALESCE(o.due, 0) > 0 AND COALESCE(o.shipped_due, 0) * 10000 < o.due * {t.lag_bp}
            THEN {"TRUE" if d.pg else "1"} ELSE {"FALSE" if d.pg else "0"} END
FROM (SELECT manufacturer_id, tender_id, SUM(agreed_volume) AS agreed FROM procurement_commitment
      GROUP BY manufacturer_id, tender_id) a
LEFT JOIN (
    SELECT aw.manufacturer_id, aw.tender_id, SUM(ol.min_units) AS ordered,
           SUM(CASE WHEN o.submitted_at < {due_before} THEN ol.min_units ELSE 0 END) AS due,
           SUM(ol.packs_shipped * ol.pack_size) AS shipped,
           SUM(CASE WHEN o.submitted_at < {due_before} THEN {d.least("ol.packs_shipped", "ol.packs")} * ol.pack_size
                    ELSE 0 END) AS shipped_due
    FROM procurement_purchaseorderline ol
    JOIN procurement_purchaseorder o ON o.id = ol.order_id
    JOIN procurement_award aw ON aw.id = ol.award_id
    WHERE o.status NOT IN ('draft', 'cancelled', 'rejected')
    GROUP BY aw.manufacturer_id, aw.tender_id
) o ON o.manufacturer_id = a.manufacturer_id AND o.tender_id = a.tender_id
LEFT JOIN (
    SELECT manufacturer_id, tender_id, SUM(cumulative_units) AS received, SUM(cumulative_amount) AS amount
    FROM procurement_commitmentprogress WHERE period_kind = 'cycle' GROUP BY manufacturer_id, tender_id
) r ON r.manufacturer_id = a.manufacturer_id AND r.tender_id = a.tender_id
"""


# --- runs -------------------------------------------------------------------------------------------------------------


@contextmanager
def _run_lock(*, wait: bool) -> Iterator[bool]:
    """One progress run at a time: a PostgreSQL session advisory lock, held from before the run is recorded until
    it is finished, and released by the server if the process dies. SQLite serialises writers on its own."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cur:
        cur.execute(f"SELECT {'pg_advisory_lock' if wait else 'pg_try_advisory_lock'}(%s)", [LOCK_KEY])
        got = wait or bool(cur.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _finish(run: ProgressRun, status: str, **fields) -> ProgressRun:
    run.status = status
    run.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["status", "finished_at", *fields])
    return run


@dataclass(frozen=True)
class Outcome:
    rows: int  # progress rows of the run's scope
    written: int  # of which changed, added or removed
    alerts: int


def _write_progress(cur, d: _Dialect, t: Thresholds, *, scoped: bool, params: dict) -> tuple[int, int]:
    """The scope's rows as computed; returns (rows, rows changed, added or removed). Into an empty scope (the first run, a new
    hospital) the statement inserts straight away. Otherwise it is compared with the stored rows in one full
    join, and only the differences are written: rows that changed are updated in place (their ids stay), new ones
    inserted, those no longer computed (a commitment deleted, an earlier date) deleted. A nightly run rewrites the
    current month and cycle rows, not every month of every commitment; an unchanged table is not written at all."""
    scope = "WHERE hospital_id = %(hospital_id)s" if scoped else ""
    columns = ", ".join(PROGRESS_COLUMNS)
    with _hash_joins(cur, d.pg and not scoped):
        # The flows first, into a temporary table the planner then knows the size of (the statement below reads them
        # next to the month skeleton, whose size it cannot estimate).
        cur.execute(f"DROP TABLE IF EXISTS {d.temp('progress_flows')}")
        cur.execute(f"CREATE TEMPORARY TABLE progress_flows AS {_flows_sql(d, t, scoped=scoped)}", params)
        if d.pg:
            cur.execute("ANALYZE progress_flows")
        computed = _progress_sql(d, t, scoped=scoped, flows_table=d.temp("progress_flows"))
        cur.execute(f"SELECT 1 FROM procurement_commitmentprogress {scope} LIMIT 1", params)
        if cur.fetchone() is None:
            cur.execute(f"INSERT INTO procurement_commitmentprogress ({columns}) {computed} "
                        f"SELECT {columns} FROM computed", params)
            inserted = cur.rowcount
            cur.execute(f"DROP TABLE {d.temp('progress_flows')}")
            return inserted, inserted
        key = ("commitment_id", "period_kind", "period_start")
        changed = " OR ".join(d.distinct(f"n.{c}", f"o.{c}") for c in PROGRESS_COLUMNS if c not in key)
        cur.execute(f"DROP TABLE IF EXISTS {d.temp('progress_diff')}")
        cur.execute(f"""
CREATE TEMPORARY TABLE progress_diff AS {computed}
SELECT o.id AS old_id, {", ".join(f"n.{c}" for c in PROGRESS_COLUMNS)}
FROM computed n
FULL JOIN (SELECT * FROM procurement_commitmentprogress {scope}) o
  ON {" AND ".join(f"o.{c} = n.{c}" for c in key)}
WHERE o.id IS NULL OR n.commitment_id IS NULL OR {changed}""", params)
    if d.pg:  # a temporary table has no statistics until analysed: the plans below need its size
        cur.execute("ANALYZE progress_diff")
    cur.execute("SELECT count(*) FROM progress_diff")
    written = cur.fetchone()[0]  # each row of the diff is one row changed, added or removed
    cur.execute("DELETE FROM procurement_commitmentprogress WHERE id IN "
                "(SELECT old_id FROM progress_diff WHERE commitment_id IS NULL)")
    # Changed rows are updated in place: a row keeps its id (the API exposes it), and an update that leaves the
    # indexed columns alone stays on its page (the table keeps free space for it) without touching any index.
    values = [c for c in PROGRESS_COLUMNS if c not in key]
    cur.execute(f"""UPDATE procurement_commitmentprogress SET {", ".join(f"{c} = d.{c}" for c in values)}
FROM progress_diff d WHERE procurement_commitmentprogress.id = d.old_id AND d.commitment_id IS NOT NULL""")
    cur.execute(f"INSERT INTO procurement_commitmentprogress ({columns}) SELECT {columns} FROM progress_diff "
                "WHERE old_id IS NULL")
    cur.execute(f"DROP TABLE {d.temp('progress_diff')}")
    cur.execute(f"DROP TABLE {d.temp('progress_flows')}")
    cur.execute(f"SELECT count(*) FROM procurement_commitmentprogress {scope}", params)
    return cur.fetchone()[0], written


@contextmanager
def _hash_joins(cur, on: bool) -> Iterator[None]:
    """For a full run on PostgreSQL: every receipt line meets the commitments once, so hash joins over one pass of
    each table. The planner, which cannot see how (hospital, product) pairs correlate, underestimates the join and
    would walk the receipt lines in index order (a random heap read per line). A hospital's refresh keeps its
    index lookups."""
    if on:
        cur.execute("SET LOCAL enable_mergejoin = off")
        cur.execute("SET LOCAL enable_nestloop = off")
    try:
        yield
    finally:
        if on:
            cur.execute("SET LOCAL enable_mergejoin = DEFAULT")
            cur.execute("SET LOCAL enable_nestloop = DEFAULT")


def _write_alert_states(cur, *, scoped: bool, params: dict) -> None:
    """The last status seen per commitment := its cycle row's status, writing only the states that changed."""
    scope = "AND hospital_id = %(hospital_id)s" if scoped else ""
    # The cycle row is found by commitment (the unique index), never by status: one lookup per state.
    cur.execute(f"""
DELETE FROM procurement_commitmentalertstate
WHERE {"commitment_id IN (SELECT id FROM procurement_commitment WHERE hospital_id = %(hospital_id)s) AND" if scoped else ""}
  status <> COALESCE((SELECT p.status FROM procurement_commitmentprogress p WHERE p.period_kind = 'cycle'
                      AND p.commitment_id = procurement_commitmentalertstate.commitment_id), '')""", params)
    cur.execute(f"""
INSERT INTO procurement_commitmentalertstate (commitment_id, status)
SELECT commitment_id, status FROM procurement_commitmentprogress p
WHERE period_kind = 'cycle' {scope}
  AND NOT EXISTS (SELECT 1 FROM procurement_commitmentalertstate s WHERE s.commitment_id = p.commitment_id)""", params)


def _compute(*, hospital_id: int | None, as_of: date, progress: Progress | None,
             with_manufacturers: bool) -> Outcome:
    d = _Dialect(connection.vendor)
    t = Thresholds.from_settings()
    scoped = hospital_id is not None
    params = {"as_of": d.date_value(as_of), "hospital_id": hospital_id}
    steps = 3 + (1 if with_manufacturers else 0)

    def step(n: int, label: str) -> None:
        if progress:
            progress(n, steps, label)

    with connection.cursor() as cur:
        if d.pg:
            # The month skeleton and running sums sort every commitment-month: keep the sorts in memory. The
            # statement is compiled once a night: compiling it to machine code (JIT) costs more than it saves.
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SET LOCAL jit = off")
        step(0, "汇总入库、退货与替代品")
        rows, written = _write_progress(cur, d, t, scoped=scoped, params=params)
        step(1, "进度提醒")
        stamp = timezone.now()
        now = connection.ops.adapt_datetimefield_value(stamp)
        cur.execute(_alerts_sql(scoped=scoped), {"hospital_id": hospital_id, "now": now,
                                                 "link": reverse("progress:hospital")})
        alerts = cur.rowcount
        if alerts:
            transaction.on_commit(lambda: _mail_progress_alerts(stamp))
        step(2, "记录提醒状态")
        _write_alert_states(cur, scoped=scoped, params=params)
        if with_manufacturers:
            step(3, "生产企业执行与配送滞后")
            # Orders submitted before this moment are due: the delivery days have passed by the end of as_of.
            due_before = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min)) - timedelta(
                days=t.due_days)
            cur.execute("DELETE FROM procurement_manufacturerprogress")
            cur.execute(_manufacturer_sql(d, t), {"due_before": connection.ops.adapt_datetimefield_value(due_before)})
        step(steps, "完成")
    return Outcome(rows=rows, written=written, alerts=alerts)


def _covered(*, hospital_id: int, as_of: date, requested_at: datetime) -> bool:
    """A successful run of this hospital (or of everyone) for the same day started after the request: it has
    already counted the receipt or return that asked for this refresh."""
    return ProgressRun.objects.filter(
        Q(kind=ProgressRun.Kind.FULL) | Q(kind=ProgressRun.Kind.HOSPITAL, hospital_id=hospital_id),
        status=ProgressRun.Status.SUCCEEDED, as_of=as_of, started_at__gt=requested_at,
    ).exists()


def _skipped(*, kind: str, hospital_id: int | None, as_of: date, reason: str) -> ProgressRun:
    now = timezone.now()
    return ProgressRun.objects.create(kind=kind, hospital_id=hospital_id, as_of=as_of, started_at=now,
                                      finished_at=now, status=ProgressRun.Status.SKIPPED, error=reason)


def _run(*, kind: str, hospital_id: int | None, as_of: date | None, progress: Progress | None,
         requested_at: datetime | None = None) -> ProgressRun:
    as_of = as_of or timezone.localdate()
    with _run_lock(wait=kind == ProgressRun.Kind.HOSPITAL) as got:
        if not got:
            return _skipped(kind=kind, hospital_id=hospital_id, as_of=as_of, reason="另一次进度计算正在运行")
        if requested_at and hospital_id and _covered(hospital_id=hospital_id, as_of=as_of, requested_at=requested_at):
            return _skipped(kind=kind, hospital_id=hospital_id, as_of=as_of, reason="已包含在之后开始的运行中")
        # Holding the lock, any run still marked running has died (killed worker): record it as interrupted.
        ProgressRun.objects.filter(status=ProgressRun.Status.RUNNING).update(
            status=ProgressRun.Status.ABANDONED, finished_at=timezone.now(), error="运行中断（进程退出），结果未写入"
        )
        run = ProgressRun.objects.create(kind=kind, hospital_id=hospital_id, as_of=as_of, started_at=timezone.now())
        try:
            with transaction.atomic():
                outcome = _compute(hospital_id=hospital_id, as_of=as_of, progress=progress,
                                   with_manufacturers=kind == ProgressRun.Kind.FULL)
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


def progress_refresh_hospital(*, hospital_id: int, as_of: date | None = None,
                              requested_at: datetime | None = None) -> ProgressRun:
    """Recompute one hospital's commitments (after its receipts or returns). Waits for a running full run. With
    `requested_at` (when the receipt or return asking for it was committed), a run that started later has already
    counted it, and this one is recorded as skipped: a burst of receipts costs one or two refreshes."""
    from accounts.models import Organization

    if not Organization.objects.filter(pk=hospital_id, kind=Organization.Kind.HOSPITAL).exists():
        raise ValidationFailed(_("医疗机构 %(hospital_id)s 不存在") % {"hospital_id": hospital_id}, field="hospital_id")
    return _run(kind=ProgressRun.Kind.HOSPITAL, hospital_id=hospital_id, as_of=as_of, progress=None,
                requested_at=requested_at)


def progress_rows_for_commitment(commitment_id: int):
    return CommitmentProgress.objects.filter(commitment_id=commitment_id)


def progress_ensure_current(*, as_of: date | None = None) -> ProgressRun | None:
    """A full run unless today's table is already current: a successful full run for the same day, every receipt
    or return since then refreshed for its hospital (or its refresh waiting in the outbox or on the broker), and
    every started commitment present. Used by the demo data, so seeding twice changes nothing."""
    from ..models import Commitment

    as_of = as_of or timezone.localdate()
    last = ProgressRun.objects.filter(kind=ProgressRun.Kind.FULL, status=ProgressRun.Status.SUCCEEDED,
                                      as_of=as_of).order_by("-started_at").first()
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
    from django.db.models import Max

    from common.models import OutboxMessage

    latest: dict[int, object] = {}
    for rows in (Receipt.objects.filter(received_at__gte=moment).values("hospital_id").annotate(at=Max("received_at")),
                 GoodsReturn.objects.filter(returned_at__gte=moment).values("hospital_id").annotate(at=Max("returned_at"))):
        for row in rows:
            latest[row["hospital_id"]] = max(row["at"], latest.get(row["hospital_id"], row["at"]))

    def covered(hospital_id: int, at) -> bool:
        queued = OutboxMessage.objects.filter(dedupe_key=_dedupe_key(hospital_id), task=REFRESH_TASK).filter(
            Q(status=OutboxMessage.Status.PENDING) | Q(status=OutboxMessage.Status.SENT, sent_at__gte=at))
        return queued.exists() or ProgressRun.objects.filter(
            kind=ProgressRun.Kind.HOSPITAL, hospital_id=hospital_id, started_at__gte=at,
            status=ProgressRun.Status.SUCCEEDED,
        ).exists()

    return all(covered(hospital_id, at) for hospital_id, at in latest.items())


# --- after receipts and returns -------------------------------------------------------------------------------------


def enqueue_hospital_refresh(hospital_id: int) -> None:
    """One pending refresh per hospital: a burst of receipts coalesces into it (outbox dedupe key)."""
    enqueue(REFRESH_TASK, kwargs={"hospital_id": hospital_id, "requested_at": timezone.now().isoformat()},
            dedupe_key=_dedupe_key(hospital_id))


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
