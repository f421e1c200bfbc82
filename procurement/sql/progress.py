"""完成进度 in SQL: the statements of a progress run (`procurement.services.progress` runs them, in this order).

0. For the commitments a day changed only: `create_stored` — which of them to recompute, from which month, and the
   stored rows that recomputation reads (the pace window's months before it, the cycle row) and compares, into the
   temporary table `progress_stored`; `create_touched` — per commitment its bounds and the running sums before them
   (`progress_touched`).
1. `create_flows` — the receipt and return lines of the scope, aggregated once per commitment × month into the
   temporary table `progress_flows` (the planner then knows its size).
2. `scope_has_rows`; then either `insert_computed` (an empty scope: the computed rows go straight in) or
   `create_diff` + `delete_gone` + `update_changed` + `insert_new` (only the rows that differ are written).
3. `insert_alerts`, `delete_changed_alert_states`, `insert_new_alert_states` — reminders for commitments that fell
   behind or at risk, once per status change.
4. `insert_manufacturer_progress` (full runs) — per manufacturer and tender: ordered, due, shipped, received.

A statement takes `scoped` where the run can be a partial one: `HOSPITAL` (one hospital's refresh,
`%(hospital_id)s`) or `COMMITMENTS` (the commitments a day's receipts and returns changed, `%(commitment_ids)s`
as an array's text, `common.sql.array_text`, found by `changed_commitments`); the full run and the partial ones go through the same statements, so a partial run
gives exactly the rows a full run would for its commitments. A commitment a day changed is recomputed from the
month of the day on (`%(month)s`), its running sums started from the stored rows before it: the same figures, as
the lines of the months before have not changed (`create_stored`). The figures are defined in
`procurement.services.progress`; the thresholds are parameters (`params`).

Kept as one module (about 780 lines): the statements above are read in the order a run executes them, and they share
the temporary tables, the scope filters (`_scope`, `_COMMITMENTS`, `_c_parts`) and the computed figures
(`_COMPUTED`); split, a reader would follow one run across several files for text that is mostly SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_noop
from psycopg.sql import SQL, Composed, Identifier, Literal

from accounts.models import Organization, Region
from catalog.models import Product
from common.models import Notification
from common.sql import array_text, column_list, column_names, tables

from ..models import (
    Award,
    Commitment,
    CommitmentAlertState,
    CommitmentProgress,
    GoodsReturnLine,
    Lot,
    ManufacturerProgress,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceiptLine,
)

FLOWS = Identifier("pg_temp", "progress_flows")
DIFF = Identifier("pg_temp", "progress_diff")
TOUCHED = Identifier("pg_temp", "progress_touched")
STORED = Identifier("pg_temp", "progress_stored")


@dataclass(frozen=True)
class Sum:
    """A running sum of the flows: `flow` a month's (`progress_flows`), `stored` the month row's column holding it
    (the cycle row's holds the sum of the cycle so far), `cumulative` the running sum in `_COMPUTED`, `base` the sum
    of the months before the first one a touched commitment's running sums start from (`create_touched`)."""

    flow: str
    stored: str
    cumulative: str
    base: str
    type: str


SUMS = (
    Sum("sel_units", "received_units", "cum_units", "base_units", "BIGINT"),
    Sum("sel_amount", "received_amount", "cum_amount", "base_amount", "NUMERIC"),
    Sum("ret_units", "returned_units", "cum_ret", "base_returned_units", "BIGINT"),
    Sum("sub_units", "substitute_units", "cum_sub", "base_substitute_units", "BIGINT"),
    Sum("sub_amount", "substitute_amount", "cum_sub_amount", "base_substitute_amount", "NUMERIC"),
)
BASE = tuple(s.base for s in SUMS)

#: The progress table's columns, all written by the statements (the id aside).
COLUMNS = column_names(CommitmentProgress)
#: A row of the table is one commitment's period.
KEY = ("commitment_id", "period_kind", "period_start")

NAMES = tables(
    commitment=Commitment,
    organization=Organization,
    region=Region,
    lot=Lot,
    product=Product,
    order_line=PurchaseOrderLine,
    order=PurchaseOrder,
    award=Award,
    receipt_line=ReceiptLine,
    return_line=GoodsReturnLine,
    progress=CommitmentProgress,
    alert_state=CommitmentAlertState,
    manufacturer_progress=ManufacturerProgress,
    notification=Notification,
)


@dataclass(frozen=True)
class Thresholds:
    """The rules' numbers (settings.COMMITMENT_PROGRESS), shares in basis points."""

    behind_bp: int
    at_risk_bp: int
    window_months: int
    grace_days: int
    lag_bp: int
    due_days: int


#: The scopes of a partial run (`scoped`); a full run passes None.
HOSPITAL = "hospital"
COMMITMENTS = "commitments"


def run_params(t: Thresholds, *, as_of: date, hospital_id: int | None, commitment_ids: list[int] | None = None) -> dict:
    """The named parameters of the progress statements."""
    return {
        "as_of": as_of,
        "hospital_id": hospital_id,
        "commitment_ids": array_text(commitment_ids or []),
        "behind_bp": t.behind_bp,
        "at_risk_bp": t.at_risk_bp,
        "grace_days": t.grace_days,
        # the pace window: this month and the months before it
        "pace_months_before": t.window_months - 1,
        "lag_bp": t.lag_bp,
    }


def _format(text: str, **parts) -> Composed:
    return SQL(text).format(**NAMES, **parts)


def _scope(scoped: str | None, column: str, commitment: str) -> Composed:
    """`AND column = %(hospital_id)s` for a hospital's refresh, `AND commitment = ANY(%(commitment_ids)s)` for the
    commitments a day changed, nothing for a full run."""
    if not scoped:
        return Composed([])
    if scoped == COMMITMENTS:
        return SQL("AND {} = ANY(%(commitment_ids)s::bigint[])").format(Identifier(*commitment.split(".")))
    return SQL("AND {} = %(hospital_id)s").format(Identifier(*column.split(".")))


_COMMITMENTS = """
WITH c AS (
    -- the commitments started by as_of: the cycle so far (upto) and its length in days
    SELECT c.id, c.tender_id, c.lot_id, c.hospital_id, c.product_id, c.manufacturer_id,
           COALESCE(r.parent_id, r.id) AS region_id, c.agreed_volume, c.cycle_start, c.cycle_end,
           LEAST(c.cycle_end, %(as_of)s::date) AS upto,
           (c.cycle_end - c.cycle_start) + 1 AS total_days {touched_columns}
    FROM {commitment} c
    JOIN {organization} h ON h.id = c.hospital_id
    LEFT JOIN {region} r ON r.id = h.region_id {touched_join}
    WHERE c.cycle_start <= %(as_of)s::date {scope}
)"""


def _c_parts(scoped: str | None) -> dict:
    """The parts of `_COMMITMENTS` (and of the statements reading `c`) that differ for the commitments a day
    changed: there `c` is the commitments of `progress_touched` (`create_touched`), each with the month its rows are
    recomputed from (`rows_from`), the day its lines are read from (`reads_from`), the sums of the months before
    `rows_from` (`base_*`) and the selected units of the pace window's months before it (`prior_units`); elsewhere a
    commitment is recomputed from the first month of its cycle."""
    if scoped != COMMITMENTS:
        return {
            "touched_columns": Composed([]),
            "touched_join": Composed([]),
            "scope": _scope(scoped, "c.hospital_id", "c.id"),
            "reads_from": SQL("c.cycle_start"),
        }
    columns = ("rows_from", "reads_from", "prior_units", *BASE)
    return {
        "touched_columns": SQL(", ").join([Composed([]), *(Identifier("s", name) for name in columns)]),
        "touched_join": SQL("JOIN {} s ON s.cid = c.id").format(TOUCHED),
        # also by the ids: the commitments are then looked up by their key, not read whole to join
        "scope": _scope(scoped, "c.hospital_id", "c.id"),
        "reads_from": SQL("c.reads_from"),
    }


# The same window as constants, so that the plan reads only the monthly partitions of the receipt and return lines
# from the earliest cycle's start (`%(flows_from)s`, `flows_start`) to as_of: bounds that come from the joined
# commitments alone would prune nothing.
_WINDOW = "AND x.{} BETWEEN %(flows_from)s::date AND %(as_of)s::date"


def flows_start(*, scoped: str | None) -> Composed:
    """The first day any flow can count on: the earliest start of the cycles started by `%(as_of)s` (of the hospital
    `%(hospital_id)s` when scoped); NULL when there is none."""
    return _format(
        "SELECT MIN(cycle_start) FROM {commitment} WHERE cycle_start <= %(as_of)s::date {scope}",
        scope=_scope(scoped, "hospital_id", "id"),
    )


def create_flows(*, scoped: str | None) -> Composed:
    """`progress_flows` (cid, m, sel_units, sel_amount, ret_units, sub_units, sub_amount): per commitment and month
    of the cycle so far, the accepted minimum units and amount received of the selected product minus those
    returned, the units returned, and the same received for its substitutes — the other products of the lot (same
    generic name, a dosage form of the lot, or any when the lot lists none) and any product an order line bought as
    `substitution_for` the commitment. Months without flows have no row.

    For the commitments a day changed (`COMMITMENTS`, `progress_touched`), the lines of each are read from its
    `reads_from` on (the month of the day for a commitment with its rows stored: one monthly partition, as
    `%(flows_from)s` is the earliest of them); the months before it are its stored rows' (`create_touched`)."""
    return _format(
        _COMMITMENTS
        + """,
lp AS (
    -- the products of each lot: its generic name, one of its dosage forms (every form when it lists none)
    SELECT DISTINCT l.id AS lot_id, p.id AS product_id
    FROM {lot} l JOIN {product} p ON p.generic_name = l.generic_name
    WHERE l.id IN (SELECT lot_id FROM c)
      AND (jsonb_array_length(l.dosage_forms) = 0 OR l.dosage_forms @> jsonb_build_array(p.dosage_form))
),
k AS (
    -- the products counted per commitment: its own (selected = 1) and the lot's others
    SELECT c.id AS cid, c.hospital_id, c.product_id, 1 AS selected, {reads_from} AS reads_from, c.upto FROM c
    UNION ALL
    SELECT c.id, c.hospital_id, lp.product_id, 0, {reads_from}, c.upto
    FROM c JOIN lp ON lp.lot_id = c.lot_id AND lp.product_id <> c.product_id
),
named AS (
    -- order lines bought as a substitute for the commitment, of a product outside the lot
    SELECT c.id AS cid, ol.id AS order_line_id, {reads_from} AS reads_from, c.upto
    FROM c JOIN {order_line} ol ON ol.substitution_for_id = c.id
    WHERE ol.substitution_for_id IS NOT NULL AND ol.product_id <> c.product_id
      AND NOT EXISTS (SELECT 1 FROM lp WHERE lp.lot_id = c.lot_id AND lp.product_id = ol.product_id)
),
flows AS (
    SELECT k.cid, k.selected, x.received_on AS day, x.accepted_min_units AS units, x.amount, 0 AS ret
    FROM k JOIN {receipt_line} x ON x.hospital_id = k.hospital_id AND x.product_id = k.product_id
     AND x.received_on BETWEEN k.reads_from AND k.upto {received}
    UNION ALL
    SELECT k.cid, k.selected, x.returned_on, -x.min_units, -x.amount, x.min_units
    FROM k JOIN {return_line} x ON x.hospital_id = k.hospital_id AND x.product_id = k.product_id
     AND x.returned_on BETWEEN k.reads_from AND k.upto {returned}
    UNION ALL
    SELECT n.cid, 0, x.received_on, x.accepted_min_units, x.amount, 0
    FROM named n JOIN {receipt_line} x ON x.order_line_id = n.order_line_id
     AND x.received_on BETWEEN n.reads_from AND n.upto {received}
    UNION ALL
    SELECT n.cid, 0, x.returned_on, -x.min_units, -x.amount, 0
    FROM named n JOIN {return_line} x ON x.order_line_id = n.order_line_id
     AND x.returned_on BETWEEN n.reads_from AND n.upto {returned}
)
SELECT cid, CAST(date_trunc('month', day) AS date) AS m,
       -- unit sums as 64-bit integers (PostgreSQL sums bigints as NUMERIC, slower in the running sums)
       CAST(SUM(CASE WHEN selected = 1 THEN units ELSE 0 END) AS BIGINT) AS sel_units,
       SUM(CASE WHEN selected = 1 THEN amount ELSE 0 END) AS sel_amount,
       CAST(SUM(CASE WHEN selected = 1 THEN ret ELSE 0 END) AS BIGINT) AS ret_units,
       CAST(SUM(CASE WHEN selected = 0 THEN units ELSE 0 END) AS BIGINT) AS sub_units,
       SUM(CASE WHEN selected = 0 THEN amount ELSE 0 END) AS sub_amount
FROM flows GROUP BY cid, CAST(date_trunc('month', day) AS date)""",
        **_c_parts(scoped),
        received=SQL(_WINDOW).format(Identifier("received_on")),
        returned=SQL(_WINDOW).format(Identifier("returned_on")),
    )


def create_stored() -> Composed:
    """`progress_stored` (cid, cycle_start_day, upto, first_month, kept, rows_from, stored_from, and the stored
    row's columns and place, `row_ctid`, empty when it has none): of the commitments `%(commitment_ids)s` started by `%(as_of)s`, those to
    recompute, where from, and the stored rows the recomputation reads and compares — looked up commitment by
    commitment by the unique index (a join would read the whole table: a day touches a fifth of the commitments,
    whose rows are spread over every page).

    A commitment whose stored rows count every day before `%(month)s` (its cycle row's period end is at least the
    day before; its rows were written together, the cycle row's flows the sums of the month rows') is `kept`: it is
    recomputed from the month `%(month)s` on (`rows_from`), as the months before it cannot change (the lines of
    those days have not). Its stored rows from `stored_from` are read: the months of the pace window before
    `rows_from` (`%(pace_months_before)s`, or from the cycle's first month), whose received units the pace of the
    months recomputed reads (`create_touched`), the months to recompute and the cycle row. A commitment whose cycle ended before
    `%(month)s` and whose rows count it to its end is left out: nothing of it can change. Any other — no rows
    stored (a commitment added since), or rows of a computation that stopped earlier — is recomputed whole from its
    lines, every stored row of it read and compared."""
    return _format(
        """CREATE TEMPORARY TABLE progress_stored AS
WITH c AS (
    SELECT c.id AS cid, c.cycle_start AS cycle_start_day, LEAST(c.cycle_end, %(as_of)s::date) AS upto,
           CAST(date_trunc('month', c.cycle_start) AS date) AS first_month, y.period_end AS stored_end
    FROM {commitment} c
    LEFT JOIN LATERAL (
        SELECT y.period_end FROM {progress} y
        WHERE y.commitment_id = c.id AND y.period_kind = 'cycle' AND y.period_start = c.cycle_start OFFSET 0
    ) y ON TRUE
    WHERE c.id = ANY(%(commitment_ids)s::bigint[]) AND c.cycle_start <= %(as_of)s::date
),
kept AS (
    SELECT cid, cycle_start_day, upto, first_month,
           COALESCE(stored_end >= %(month)s::date - 1 AND upto >= %(month)s::date, FALSE) AS kept
    FROM c
    -- a cycle ended before the month, its rows counting it to its end: left out
    WHERE stored_end IS DISTINCT FROM upto OR upto >= %(month)s::date
),
bounds AS (
    SELECT kept.*, CASE WHEN kept THEN GREATEST(%(month)s::date, first_month) ELSE first_month END AS rows_from
    FROM kept
),
touched AS (
    SELECT bounds.*,
           CASE WHEN kept
                THEN GREATEST(first_month, CAST(rows_from - make_interval(months => %(pace_months_before)s) AS date))
                ELSE DATE '-infinity' END AS stored_from
    FROM bounds
)
SELECT touched.*, p.*
FROM touched
LEFT JOIN LATERAL (
    -- two ranges of the unique index (commitment, kind, start): the cycle rows, and the month rows from stored_from;
    -- one condition on the commitment alone would fetch every month row of the cycle to drop most of them
    SELECT *, ctid AS row_ctid FROM {progress} p
    WHERE p.commitment_id = touched.cid AND p.period_kind = 'cycle'
    UNION ALL
    SELECT *, ctid AS row_ctid FROM {progress} p
    WHERE p.commitment_id = touched.cid AND p.period_kind = 'month' AND p.period_start >= touched.stored_from
) p ON TRUE"""
    )


def create_touched(*, window_months: int) -> Composed:
    """`progress_touched` (cid, rows_from, reads_from, prior_units, base_*, recomputed): per commitment of
    `progress_stored`, the first month recomputed (`rows_from`), the first day its lines are read from
    (`reads_from`), the selected units received in each of the `window_months - 1` months before `rows_from`
    (`prior_units[j]`: the stored month row of `rows_from` less j months, its received units; the pace of the
    months recomputed reads them), the sums of the months before `rows_from` (`base_*`: the stored cycle row's less
    the stored month rows from `rows_from`, the month rows carrying no cumulative returns nor substitute amount) and
    the number of rows recomputed (the months from `rows_from` and the cycle row). A commitment recomputed whole
    has no prior units and no base."""
    sums = SQL(",\n           ").join(
        SQL(
            "SUM({0}) FILTER (WHERE period_kind = 'cycle' AND period_start = cycle_start_day) AS {1}, "
            "SUM({0}) FILTER (WHERE period_kind = 'month' AND period_start >= rows_from) AS {2}"
        ).format(Identifier(s.stored), Identifier("cycle_" + s.stored), Identifier("months_" + s.stored))
        for s in SUMS
    )
    bases = SQL(",\n       ").join(
        SQL("CAST(CASE WHEN kept THEN COALESCE({0}, 0) - COALESCE({1}, 0) ELSE 0 END AS {2}) AS {3}").format(
            Identifier("cycle_" + s.stored), Identifier("months_" + s.stored), SQL(s.type), Identifier(s.base)
        )
        for s in SUMS
    )
    prior = SQL(", ").join(
        SQL(
            "CAST(SUM(received_units) FILTER (WHERE period_kind = 'month' AND period_start < rows_from AND "
            "date_trunc('month', period_start) = rows_from - make_interval(months => {})) AS BIGINT)"
        ).format(Literal(j))
        for j in range(1, window_months)
    )
    return SQL(
        """CREATE TEMPORARY TABLE progress_touched AS
SELECT cid, rows_from, GREATEST(cycle_start_day, rows_from) AS reads_from,
       CASE WHEN kept THEN prior_units END AS prior_units,
       {bases},
       CAST((EXTRACT(YEAR FROM upto) - EXTRACT(YEAR FROM rows_from)) * 12
            + EXTRACT(MONTH FROM upto) - EXTRACT(MONTH FROM rows_from) + 2 AS integer) AS recomputed
FROM (
    -- grouped by the commitment alone: the other columns are the commitment's, the same on each of its rows
    SELECT cid, MIN(cycle_start_day) AS cycle_start_day, MIN(upto) AS upto, bool_and(kept) AS kept,
           MIN(rows_from) AS rows_from, CAST(ARRAY[{prior}] AS BIGINT[]) AS prior_units, {sums}
    FROM {stored} GROUP BY cid
) s"""
    ).format(bases=bases, sums=sums, prior=prior, stored=STORED)


def touched_summary() -> Composed:
    """The touched commitments' first day of lines to read (NULL when there are none) and rows recomputed."""
    return SQL("SELECT MIN(reads_from), COALESCE(SUM(recomputed), 0) FROM {}").format(TOUCHED)


def changed_commitments() -> Composed:
    """The commitments (started by `%(as_of)s`) whose figures the receipt and return lines of the days `%(since)s` to
    `%(as_of)s` count in: of the line's hospital, for its product as the selected one or as one of the lot's
    products (a substitute), and the commitment an order line bought as `substitution_for`. The lines are read by
    their day alone, so the plan reads only those days' monthly partitions; the commitments by hospital."""
    return _format(
        """
WITH x AS (
    SELECT DISTINCT hospital_id, product_id, order_line_id FROM (
        SELECT hospital_id, product_id, order_line_id FROM {receipt_line}
        WHERE received_on BETWEEN %(since)s::date AND %(as_of)s::date
        UNION ALL
        SELECT hospital_id, product_id, order_line_id FROM {return_line}
        WHERE returned_on BETWEEN %(since)s::date AND %(as_of)s::date
    ) lines
),
pairs AS (SELECT DISTINCT hospital_id, product_id FROM x)
SELECT c.id FROM {commitment} c JOIN pairs ON pairs.hospital_id = c.hospital_id AND pairs.product_id = c.product_id
WHERE c.cycle_start <= %(as_of)s::date
UNION
SELECT c.id
FROM pairs
JOIN {product} p ON p.id = pairs.product_id
JOIN {lot} l ON l.generic_name = p.generic_name
 AND (jsonb_array_length(l.dosage_forms) = 0 OR l.dosage_forms @> jsonb_build_array(p.dosage_form))
JOIN {commitment} c ON c.hospital_id = pairs.hospital_id AND c.lot_id = l.id
WHERE c.cycle_start <= %(as_of)s::date
UNION
SELECT ol.substitution_for_id
FROM x JOIN {order_line} ol ON ol.id = x.order_line_id
JOIN {commitment} c ON c.id = ol.substitution_for_id
WHERE ol.substitution_for_id IS NOT NULL AND c.cycle_start <= %(as_of)s::date"""
    )


# `OFFSET 0` ends a subquery PostgreSQL must not merge into the query reading it (which would evaluate each of its
# expressions once per reference).
_COMPUTED = (
    _COMMITMENTS
    + """,
months AS (
    -- every month from the cycle's first to the month of upto, per commitment (dense: a month without flows is
    -- still a month in which a commitment can fall behind)
    SELECT c.*, CAST(g.m AS date) AS m
    FROM c CROSS JOIN LATERAL generate_series({months_from}, c.upto, INTERVAL '1 month') AS g(m)
),
mm AS (
    SELECT months.id AS cid, tender_id, lot_id, hospital_id, manufacturer_id, region_id, agreed_volume,
           cycle_start, cycle_end, upto, total_days, months.m,
           GREATEST(months.m, cycle_start) AS period_start,
           LEAST(CAST(months.m + INTERVAL '1 month' - INTERVAL '1 day' AS date), upto) AS period_end,
           months.m = CAST(date_trunc('month', upto) AS date) AS is_last,
           COALESCE(b.sel_units, 0) AS sel_units, COALESCE(b.sel_amount, 0) AS sel_amount,
           COALESCE(b.ret_units, 0) AS ret_units, COALESCE(b.sub_units, 0) AS sub_units,
           COALESCE(b.sub_amount, 0) AS sub_amount,
           {base_units}CAST(SUM(COALESCE(b.sel_units, 0)) OVER running AS BIGINT) AS cum_units,
           {base_amount}SUM(COALESCE(b.sel_amount, 0)) OVER running AS cum_amount,
           {base_returned_units}CAST(SUM(COALESCE(b.ret_units, 0)) OVER running AS BIGINT) AS cum_ret,
           {base_substitute_units}CAST(SUM(COALESCE(b.sub_units, 0)) OVER running AS BIGINT) AS cum_sub,
           {base_substitute_amount}SUM(COALESCE(b.sub_amount, 0)) OVER running AS cum_sub_amount,
           -- received over the pace window: this month and the months before it (the skeleton has every month),
           -- read with LAG from the running sums' window: one window pass computes both
           {recent_units} AS recent_units,
           GREATEST(CAST(months.m - make_interval(months => %(pace_months_before)s) AS date), cycle_start) AS pace_start
    FROM months LEFT JOIN {flows} b ON b.cid = months.id AND b.m = months.m
    WINDOW running AS (PARTITION BY months.id ORDER BY months.m ROWS UNBOUNDED PRECEDING)
),
figures AS (
    SELECT mm.*,
           (period_end - cycle_start) + 1 AS elapsed_days,
           -- pro rata: agreed × days elapsed ÷ cycle days, rounded down
           agreed_volume * ((period_end - cycle_start) + 1) / total_days AS expected_units,
           -- cumulative + the pace (received in the window ÷ its days) × days left, rounded down
           cum_units + CAST(FLOOR(CAST(recent_units * (cycle_end - period_end) AS NUMERIC)
                                  / ((period_end - pace_start) + 1)) AS BIGINT) AS projected_units
    FROM mm OFFSET 0
),
judged AS (
    SELECT figures.*,
           CASE WHEN agreed_volume = 0 THEN NULL
                ELSE ROUND(CAST(cum_units AS NUMERIC) / agreed_volume, 4) END AS completion_rate,
           CASE WHEN GREATEST(cum_units, 0) + GREATEST(cum_sub, 0) > 0
                THEN ROUND(CAST(GREATEST(cum_sub, 0) AS NUMERIC) / (GREATEST(cum_units, 0) + GREATEST(cum_sub, 0)), 4)
           END AS substitution_ratio,
           CASE
               WHEN agreed_volume = 0 THEN CASE WHEN cum_units > 0 THEN 'over' ELSE 'completed' END
               WHEN cum_units > agreed_volume THEN 'over'
               WHEN cum_units = agreed_volume THEN 'completed'
               WHEN elapsed_days <= %(grace_days)s THEN 'on_track'
               WHEN projected_units * 10000 < agreed_volume * %(at_risk_bp)s THEN 'at_risk'
               WHEN cum_units * 10000 < expected_units * %(behind_bp)s THEN 'behind'
               ELSE 'on_track'
           END AS status
    FROM figures OFFSET 0
),
computed AS (
    -- each month row, and the last month's figures once more as the cycle row (cycle-to-date flows): one pass
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
    FROM judged JOIN (VALUES ('month'), ('cycle')) AS kinds(kind) ON kind = 'month' OR is_last
)
"""
)


def _recent_units(window_months: int, *, prior: bool) -> Composed:
    """This month's selected units and those of the `window_months - 1` months before it, each `LAG` over the
    running sums' window (integer additions, no aggregate). A frame of its own (`ROWS BETWEEN n PRECEDING`) is a
    second window pass over every commitment-month, summing as NUMERIC: about 8 % more server CPU for the computed
    rows of bench.commitment_progress's year.

    With `prior` (the commitments a day changed, recomputed from `rows_from`), a month before the first one
    computed is read from the stored rows: `prior_units[j]` is the month `rows_from` less j months, so the month n
    before the row at position k (0 for `rows_from`) is `prior_units[n - k]`, `LAG`'s value past the window's
    start."""
    if prior:
        position = SQL(
            "(CAST(EXTRACT(YEAR FROM months.m) AS integer) * 12 + CAST(EXTRACT(MONTH FROM months.m) AS integer)"
            " - CAST(EXTRACT(YEAR FROM rows_from) AS integer) * 12 - CAST(EXTRACT(MONTH FROM rows_from) AS integer))"
        )
        lags = [
            SQL("LAG(COALESCE(b.sel_units, 0), {0}, COALESCE(prior_units[{0} - {1}], 0)) OVER running").format(
                Literal(n), position
            )
            for n in range(1, window_months)
        ]
    else:
        lags = [
            SQL("COALESCE(LAG(b.sel_units, {}) OVER running, 0)").format(Literal(n)) for n in range(1, window_months)
        ]
    return SQL(" + ").join([SQL("COALESCE(b.sel_units, 0)"), *lags])


def _computed(scoped: str | None, window_months: int) -> Composed:
    """`WITH …, computed AS (…)`: the rows of the table (of one hospital, or of the touched commitments when
    scoped), columns `COLUMNS`, from the flows in `progress_flows`: per commitment a row per month of the cycle so
    far and one for the cycle to date, with the running sums, pro-rata, pace (over `window_months`) and status; the
    statement reading `computed` follows. A touched commitment (`progress_touched`) gets the months from its
    `rows_from` and the cycle row, its running sums started there from its `base_*` sums, its pace reading the
    stored months before it (`prior_units`)."""
    parts = _c_parts(scoped)
    if scoped == COMMITMENTS:
        touched = {
            "months_from": SQL("c.rows_from"),
            **{base: SQL("{} + ").format(Identifier("months", base)) for base in BASE},
        }
    else:
        touched = {
            "months_from": SQL("date_trunc('month', c.cycle_start)"),
            **{base: Composed([]) for base in BASE},
        }
    recent_units = _recent_units(window_months, prior=scoped == COMMITMENTS)
    return _format(_COMPUTED, flows=FLOWS, recent_units=recent_units, **parts, **touched)


def drop_temporary(name: Identifier) -> Composed:
    """Drops a temporary table of this connection (never a permanent one of the same name)."""
    return SQL("DROP TABLE IF EXISTS {}").format(name)


def analyze_temporary(name: Identifier) -> Composed:
    """A temporary table has no statistics until analysed: the plans reading it need its size."""
    return SQL("ANALYZE {}").format(name)


def create_flows_table(*, scoped: str | None) -> Composed:
    """`progress_flows` := `create_flows`, a temporary table of this connection."""
    return SQL("CREATE TEMPORARY TABLE {} AS {}").format(Identifier("progress_flows"), create_flows(scoped=scoped))


def scope_has_rows(*, scoped: str | None) -> Composed:
    """One row when the scope already has progress rows, none otherwise."""
    return _format(
        "SELECT 1 FROM {progress} WHERE TRUE {scope} LIMIT 1", scope=_scope(scoped, "hospital_id", "commitment_id")
    )


def count_rows(*, scoped: str | None) -> Composed:
    """The number of progress rows of the scope."""
    return _format(
        "SELECT count(*) FROM {progress} WHERE TRUE {scope}", scope=_scope(scoped, "hospital_id", "commitment_id")
    )


def insert_computed(*, scoped: str | None, window_months: int) -> Composed:
    """Inserts every computed row of the scope (into a scope with no rows)."""
    return SQL("{computed} INSERT INTO {progress} ({columns}) SELECT {columns} FROM computed").format(
        computed=_computed(scoped, window_months), progress=NAMES["progress"], columns=column_list(COLUMNS)
    )


def create_diff(*, scoped: str | None, window_months: int) -> Composed:
    """`progress_diff` (old_id, old_status, old_ctid for the touched commitments, COLUMNS): the computed rows of the scope compared with the stored ones by
    (commitment, period kind, period start) in one full join — a row computed and not stored (old_id empty), stored
    and no longer computed (commitment_id empty: a commitment deleted, an earlier date), or both and differing in
    any column (NULL counting as a value). Each row is one row changed, added or removed. For the touched
    commitments the stored rows compared are those read into `progress_stored`: the cycle rows and the month rows
    from each one's `rows_from` (every row of one recomputed whole); the earlier ones are not recomputed."""
    if scoped == COMMITMENTS:
        stored = SQL(
            "SELECT * FROM {} WHERE id IS NOT NULL AND (NOT kept OR period_kind = 'cycle' OR period_start >= rows_from)"
        ).format(STORED)
    else:
        stored = _format(
            "SELECT * FROM {progress} WHERE TRUE {scope}", scope=_scope(scoped, "hospital_id", "commitment_id")
        )
    changed = SQL(" OR ").join(
        SQL("{} IS DISTINCT FROM {}").format(Identifier("n", c), Identifier("o", c)) for c in COLUMNS if c not in KEY
    )
    same_key = SQL(" AND ").join(SQL("{} = {}").format(Identifier("o", c), Identifier("n", c)) for c in KEY)
    return SQL("""CREATE TEMPORARY TABLE {diff} AS {computed}
SELECT o.id AS old_id, o.status AS old_status{old_ctid}, {new_columns}
FROM computed n
FULL JOIN ({stored}) o ON {same_key}
WHERE o.id IS NULL OR n.commitment_id IS NULL OR {changed}""").format(
        diff=Identifier("progress_diff"),
        computed=_computed(scoped, window_months),
        new_columns=column_list(COLUMNS, "n"),
        stored=stored,
        old_ctid=SQL(", o.row_ctid AS old_ctid" if scoped == COMMITMENTS else ""),
        same_key=same_key,
        changed=changed,
    )


def status_changed() -> Composed:
    """The commitments whose cycle row is new or has another status (`progress_diff`)."""
    return SQL(
        "SELECT commitment_id FROM {} WHERE period_kind = 'cycle' AND status IS DISTINCT FROM old_status"
    ).format(DIFF)


def count_diff() -> Composed:
    """The rows changed, added or removed."""
    return SQL("SELECT count(*) FROM {}").format(DIFF)


def delete_gone() -> Composed:
    """Deletes the stored rows no longer computed."""
    return _format(
        "DELETE FROM {progress} WHERE id IN (SELECT old_id FROM {diff} WHERE commitment_id IS NULL)", diff=DIFF
    )


def update_changed(*, scoped: str | None = None) -> Composed:
    """Updates the changed rows in place: a row keeps its id (the API exposes it), and an update that leaves the
    indexed columns alone stays on its page (the table keeps free space for it) without touching any index. For the
    commitments a day changed, a row is found by its place (`old_ctid`, read in this transaction, which holds the
    run's lock: no other run moves it), and fetched by it: the planner would otherwise read the whole table to join
    the tens of thousands of changed rows by id or by place."""
    values = SQL(", ").join(SQL("{} = {}").format(Identifier(c), Identifier("d", c)) for c in COLUMNS if c not in KEY)
    if scoped == COMMITMENTS:
        # the places also as one array: the plan fetches exactly those rows (a TID scan) and joins them to the diff
        key = _format(
            "p.ctid = d.old_ctid AND p.ctid = ANY(ARRAY(SELECT old_ctid FROM {diff} WHERE commitment_id IS NOT NULL))",
            diff=DIFF,
        )
    else:
        key = SQL("p.id = d.old_id")
    return _format(
        "UPDATE {progress} AS p SET {values} FROM {diff} d WHERE {key} AND d.commitment_id IS NOT NULL",
        values=values,
        diff=DIFF,
        key=key,
    )


def insert_new() -> Composed:
    """Inserts the computed rows not stored before."""
    return _format(
        "INSERT INTO {progress} ({columns}) SELECT {columns} FROM {diff} WHERE old_id IS NULL",
        columns=column_list(COLUMNS),
        diff=DIFF,
    )


# The reminder's messages (common.messages): stored with their parameters, shown in the reader's language.
PROGRESS_AT_RISK = gettext_noop("约定采购量难以完成：%(lot)s")
PROGRESS_BEHIND = gettext_noop("约定采购量进度滞后：%(lot)s")
# the body carries no quantities: they change with every receipt, and a number stored in a reminder goes stale
# beside the live table; the reminder's link leads to the live figures
PROGRESS_AT_RISK_BODY = gettext_noop(
    "按采购周期进度核对，本品种的入库量难以在周期内完成约定采购量。最新完成情况见本通知的链接。"
)
PROGRESS_BEHIND_BODY = gettext_noop("按采购周期进度核对，本品种的入库量落后于进度。最新完成情况见本通知的链接。")


def alert_messages() -> dict:
    """The parameters `at_risk`, `behind`, `at_risk_body` and `behind_body` of `insert_alerts`: the messages' source
    texts."""
    return {
        "at_risk": PROGRESS_AT_RISK,
        "behind": PROGRESS_BEHIND,
        "at_risk_body": PROGRESS_AT_RISK_BODY,
        "behind_body": PROGRESS_BEHIND_BODY,
    }


def insert_alerts(*, scoped: str | None) -> Composed:
    """A reminder to the hospital for each commitment whose cycle row is behind or at risk and whose last status
    seen (`alert_state`) was another; parameters `link` (the commitment pages' prefix: the link ends with the
    commitment's id), `now`, and the messages (`alert_messages()`): the title and body are stored as messages with
    their parameters, and rendered in Chinese (the source language) as the stored text. The body carries no
    quantities: they change with every receipt, and a number stored in a reminder goes stale beside the live table;
    the link leads to the live figures."""
    return _format(
        """
INSERT INTO {notification} (organization_id, kind, level, title, body, message, link, topic, created_at, read_at)
SELECT p.hospital_id, 'commitment_progress', 'warning',
       replace(CASE p.status WHEN 'at_risk' THEN %(at_risk)s::text ELSE %(behind)s::text END, '%%(lot)s',
               l.number || ' ' || l.generic_name),
       CASE p.status WHEN 'at_risk' THEN %(at_risk_body)s::text ELSE %(behind_body)s::text END,
       jsonb_build_object(
           'title', jsonb_build_object('text', CASE p.status WHEN 'at_risk' THEN %(at_risk)s::text ELSE %(behind)s::text END,
                                       'params', jsonb_build_object('lot', l.number || ' ' || l.generic_name)),
           'body', jsonb_build_object('text', CASE p.status WHEN 'at_risk' THEN %(at_risk_body)s::text
                                                ELSE %(behind_body)s::text END,
                                      'params', jsonb_build_object())),
       %(link)s || p.commitment_id || '/', 'commitment:' || p.commitment_id || ':' || p.status, %(now)s, NULL
FROM {progress} p
JOIN {lot} l ON l.id = p.lot_id
LEFT JOIN {alert_state} s ON s.commitment_id = p.commitment_id
WHERE p.period_kind = 'cycle' AND p.status IN ('behind', 'at_risk')
  AND (s.status IS NULL OR s.status <> p.status) {scope}""",
        scope=_scope(scoped, "p.hospital_id", "p.commitment_id"),
    )


def delete_changed_alert_states(*, scoped: str | None) -> Composed:
    """Forgets the last status seen of the commitments (of the scope) whose cycle row's status is another now. The
    cycle row is found by commitment (the unique index), never by status: one lookup per state."""
    if scoped == COMMITMENTS:
        scope = SQL("commitment_id = ANY(%(commitment_ids)s::bigint[]) AND")
    elif scoped:
        scope = _format("commitment_id IN (SELECT id FROM {commitment} WHERE hospital_id = %(hospital_id)s) AND")
    else:
        scope = Composed([])
    return _format(
        """
DELETE FROM {alert_state} s
WHERE {scope} status <> COALESCE((SELECT p.status FROM {progress} p WHERE p.period_kind = 'cycle'
                                  AND p.commitment_id = s.commitment_id), '')""",
        scope=scope,
    )


def insert_new_alert_states(*, scoped: str | None) -> Composed:
    """The last status seen := the cycle row's status, for the commitments (of the scope) without one."""
    return _format(
        """
INSERT INTO {alert_state} (commitment_id, status)
SELECT commitment_id, status FROM {progress} p
WHERE period_kind = 'cycle' {scope}
  AND NOT EXISTS (SELECT 1 FROM {alert_state} s WHERE s.commitment_id = p.commitment_id)""",
        scope=_scope(scoped, "hospital_id", "commitment_id"),
    )


def delete_manufacturer_progress() -> Composed:
    """Empties the manufacturers' table (a full run rewrites it)."""
    return _format("DELETE FROM {manufacturer_progress}")


def insert_manufacturer_progress() -> Composed:
    """Per manufacturer and tender: the agreed volume of its commitments; the minimum units ordered of its awards
    (orders submitted and not cancelled or rejected), those due (submitted before `%(due_before)s`), shipped, and
    shipped of the due ones (no more than ordered per line); received units and amount (the cycle rows); delivery
    lag when the due ones shipped fall short of `%(lag_bp)s` basis points of the due."""
    return _format("""
INSERT INTO {manufacturer_progress} (manufacturer_id, tender_id, agreed_volume, ordered_units, due_units,
                                     shipped_units, received_units, received_amount, delivery_lag)
SELECT a.manufacturer_id, a.tender_id, a.agreed, COALESCE(o.ordered, 0), COALESCE(o.due, 0),
       COALESCE(o.shipped, 0), COALESCE(r.received, 0), COALESCE(r.amount, 0),
       COALESCE(o.due, 0) > 0 AND COALESCE(o.shipped_due, 0) * 10000 < o.due * %(lag_bp)s
FROM (SELECT manufacturer_id, tender_id, SUM(agreed_volume) AS agreed FROM {commitment}
      GROUP BY manufacturer_id, tender_id) a
LEFT JOIN (
    SELECT aw.manufacturer_id, aw.tender_id, SUM(ol.min_units) AS ordered,
           SUM(CASE WHEN o.submitted_at < %(due_before)s THEN ol.min_units ELSE 0 END) AS due,
           SUM(ol.packs_shipped * ol.pack_size) AS shipped,
           SUM(CASE WHEN o.submitted_at < %(due_before)s THEN LEAST(ol.packs_shipped, ol.packs) * ol.pack_size
                    ELSE 0 END) AS shipped_due
    FROM {order_line} ol
    JOIN {order} o ON o.id = ol.order_id
    JOIN {award} aw ON aw.id = ol.award_id
    WHERE o.status NOT IN ('draft', 'cancelled', 'rejected')
    GROUP BY aw.manufacturer_id, aw.tender_id
) o ON o.manufacturer_id = a.manufacturer_id AND o.tender_id = a.tender_id
LEFT JOIN (
    SELECT manufacturer_id, tender_id, SUM(cumulative_units) AS received, SUM(cumulative_amount) AS amount
    FROM {progress} WHERE period_kind = 'cycle' GROUP BY manufacturer_id, tender_id
) r ON r.manufacturer_id = a.manufacturer_id AND r.tender_id = a.tender_id""")
