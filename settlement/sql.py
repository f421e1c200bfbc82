"""The hand-written SQL of settlement: the statements that build a month's settlement statements from the receipt
lines (`write_range`, planned by `hospital_pairs`) and record price adjustments of settled lines
(`price_adjustments`). Composed with `psycopg.sql`, tables named from the models' `_meta`, values passed as named
parameters; run with `execute`. The rules the amounts follow are in `settlement.generation`'s docstring.

Amounts are numeric throughout and rounded once, half away from zero (PostgreSQL's ROUND of a numeric), to the fen.
"""

from __future__ import annotations

from psycopg import sql

from accounts.models import Organization, Region
from catalog.models import Product
from procurement.models import GoodsReturnLine, ReceiptLine

from .models import (
    FundAccount,
    PriceAdjustment,
    PriceCorrection,
    SettledReturn,
    SettlementLine,
    SettlementRun,
    SettlementStatement,
)

# The parameters every statement's scope takes: `end` (the first day after the month), and optionally `region` (a
# pooling region), `after` and `upto` (a range of hospital ids, open below, closed above).


def _tables() -> dict[str, sql.Identifier]:
    models = {
        "organization": Organization,
        "region": Region,
        "product": Product,
        "receipt_line": ReceiptLine,
        "return_line": GoodsReturnLine,
        "fund": FundAccount,
        "price_adjustment": PriceAdjustment,
        "price_correction": PriceCorrection,
        "settled_return": SettledReturn,
        "settlement_line": SettlementLine,
        "run": SettlementRun,
        "statement": SettlementStatement,
    }
    return {name: sql.Identifier(model._meta.db_table) for name, model in models.items()}


def execute(cursor, statement: sql.Composable, params: dict | None = None) -> None:
    """Run a statement on a Django cursor."""
    cursor.execute(statement.as_string(cursor.cursor), params)


def _format(template: str, **fragments) -> sql.Composed:
    return sql.SQL(template).format(**_tables(), **fragments)


# A line's payment deadline is its day (receipt, return, adjustment) plus the payment term, in days
# (`common.rules.settlement().payment_term_days`, passed by the caller).
PAYMENT_TERM = sql.SQL("CAST(%(payment_term_days)s AS integer)")

# The price a settled receipt line stands at: its latest price adjustment's (`pa`, joined by `_latest_adjustment`),
# else the price it was settled at (`sl`, its receipt settlement line).
SETTLED_PRICE = sql.SQL("COALESCE(pa.unit_price, sl.settled_unit_price)")


def _latest_adjustment(receipt_line: str) -> sql.Composed:
    """A join `pa`: the latest price adjustment of the receipt line `receipt_line` (an aliased column), if any."""
    return _format(
        "LEFT JOIN {price_adjustment} pa ON pa.receipt_line_id = {rid} AND NOT EXISTS ("
        "SELECT 1 FROM {price_adjustment} pa2 WHERE pa2.receipt_line_id = pa.receipt_line_id AND pa2.id > pa.id)",
        rid=sql.SQL(receipt_line),
    )


def _scope(*, region: bool, after: bool, upto: bool) -> tuple[sql.Composed, sql.Composable]:
    """Joins from a row's hospital (alias `rl`; a hospital, never a pharmacy) to its pooling region's active fund `f`, and the conditions of the
    run: the pooling region `%(region)s`, the hospitals after `%(after)s` and up to `%(upto)s`, each if asked for."""
    pool = sql.SQL("COALESCE(rg.parent_id, rg.id)")
    # Direct settlement is the hospitals' (DESIGN §10): a pharmacy's receipts are paid by the pharmacy itself and never
    # enter a statement (docs/pharmacies.md).
    joins = _format(
        "JOIN {organization} o ON o.id = rl.hospital_id AND o.kind = {hospital} JOIN {region} rg ON rg.id = o.region_id "
        "JOIN {fund} f ON f.region_id = {pool} AND f.is_active",
        pool=pool,
        hospital=sql.Literal(Organization.Kind.HOSPITAL.value),
    )
    conditions = []
    if region:
        conditions.append(sql.SQL(" AND {pool} = %(region)s").format(pool=pool))
    if after:
        conditions.append(sql.SQL(" AND rl.hospital_id > %(after)s"))
    if upto:
        conditions.append(sql.SQL(" AND rl.hospital_id <= %(upto)s"))
    return joins, sql.Composed(conditions)


def _receipt_lines(joins: sql.Composable, where: sql.Composable) -> sql.Composed:
    """Every unsettled receipt line of a settled product — on an award, or negotiated on the receipt date when the
    fund includes negotiated products — received before `%(end)s`, with its returns before `%(end)s` not yet
    accounted for, the latest price correction covering its listing on the receipt date, and its amounts:
    correction = round((corrected − frozen price) × (accepted − returned units), 2), net = gross − returned +
    correction, due the payment term (`%(payment_term_days)s` days) after receipt. The "no later correction" test is evaluated only for the few receipt lines
    a correction covers."""
    return _format(
        """
    SELECT f.id AS fund, rl.hospital_id AS h, rl.manufacturer_id AS m, rl.id AS rid, rl.product_id AS product_id,
           rl.received_on AS received_on, rl.accepted_min_units AS units, COALESCE(r.units, 0) AS r_units,
           rl.unit_price AS unit_price, COALESCE(pc.unit_price, rl.unit_price) AS settled_price, pc.id AS pc_id,
           rl.amount AS gross, COALESCE(r.amount, 0) AS r_amount, {correction} AS corr,
           rl.amount - COALESCE(r.amount, 0) + {correction} AS net, rl.received_on + {term} AS due
    FROM {receipt_line} rl {joins}
    LEFT JOIN (
        SELECT g.receipt_line_id AS rid, SUM(g.min_units) AS units, SUM(g.amount) AS amount
        FROM {return_line} g
        WHERE g.returned_on < %(end)s
          AND NOT EXISTS (SELECT 1 FROM {settled_return} sr WHERE sr.return_line_id = g.id)
        GROUP BY g.receipt_line_id
    ) r ON r.rid = rl.id
    LEFT JOIN {price_correction} pc ON pc.listing_id = rl.listing_id
        AND pc.effective_from <= rl.received_on AND (pc.effective_to IS NULL OR pc.effective_to >= rl.received_on)
        AND NOT EXISTS (SELECT 1 FROM {price_correction} c WHERE c.listing_id = pc.listing_id
            AND c.id > pc.id AND c.effective_from <= rl.received_on
            AND (c.effective_to IS NULL OR c.effective_to >= rl.received_on))
    WHERE rl.received_on < %(end)s
      AND (rl.award_id IS NOT NULL OR (f.include_negotiated AND EXISTS (
          SELECT 1 FROM {product} p WHERE p.id = rl.product_id AND p.negotiated
            AND (p.negotiated_from IS NULL OR p.negotiated_from <= rl.received_on)
            AND (p.negotiated_to IS NULL OR p.negotiated_to >= rl.received_on))))
      AND rl.accepted_min_units > 0{where}
      AND NOT EXISTS (SELECT 1 FROM {settlement_line} x
                      WHERE x.receipt_line_id = rl.id AND x.received_on = rl.received_on AND x.kind = 'receipt')
""",
        joins=joins,
        where=where,
        term=PAYMENT_TERM,
        correction=sql.SQL(
            "ROUND((COALESCE(pc.unit_price, rl.unit_price) - rl.unit_price)"
            " * (rl.accepted_min_units - COALESCE(r.units, 0)), 2)"
        ),
    )


def _adjustments(joins: sql.Composable, where: sql.Composable) -> sql.Composed:
    """Adjustments of receipt lines settled in an earlier statement (so received before `%(end)s`, a bound that keeps
    the plan to the months before it): their returns before `%(end)s` not yet accounted for, reversed at the price the line stands at (net = −(amount + round((standing − frozen price) × units, 2)), due
    the payment term after the return), and their price adjustments not yet in a statement, recorded against a statement of a
    month before `%(month)s` (due the payment term after being recorded)."""
    correction = sql.SQL("ROUND(({settled} - g.unit_price) * g.min_units, 2)").format(settled=SETTLED_PRICE)
    return _format(
        """
    SELECT 'return_adjustment' AS kind, f.id AS fund, g.hospital_id AS h, g.manufacturer_id AS m, g.id AS gid,
           CAST(NULL AS BIGINT) AS aid, g.receipt_line_id AS rid, g.product_id AS product_id, g.returned_on AS day,
           0 AS units, g.min_units AS r_units, g.unit_price AS unit_price, {settled} AS settled_price,
           COALESCE(pa.correction_id, sl.correction_id) AS pc_id, g.amount AS r_amount, -{correction} AS corr,
           -g.amount - {correction} AS net, g.returned_on + {term} AS due
    FROM {return_line} g
    JOIN {receipt_line} rl ON rl.id = g.receipt_line_id {joins}
    JOIN {settlement_line} sl ON sl.receipt_line_id = g.receipt_line_id AND sl.received_on = rl.received_on
        AND sl.kind = 'receipt'
    {latest_adjustment}
    WHERE g.returned_on < %(end)s AND rl.received_on < %(end)s{where}
      AND NOT EXISTS (SELECT 1 FROM {settled_return} sr WHERE sr.return_line_id = g.id)
    UNION ALL
    SELECT 'price_adjustment', f.id, rl.hospital_id, rl.manufacturer_id, NULL, pa.id, rl.id, rl.product_id,
           rl.received_on, pa.units, 0, pa.previous_unit_price, pa.unit_price, pa.correction_id, 0, pa.amount,
           pa.amount, pa.recorded_on + {term}
    FROM {price_adjustment} pa
    JOIN {receipt_line} rl ON rl.id = pa.receipt_line_id {joins}
    JOIN {statement} os ON os.id = pa.statement_id
    WHERE os.period < %(month)s AND rl.received_on < %(end)s{where}
      AND NOT EXISTS (SELECT 1 FROM {settlement_line} x WHERE x.price_adjustment_id = pa.id)
""",
        joins=joins,
        where=where,
        term=PAYMENT_TERM,
        settled=SETTLED_PRICE,
        correction=correction,
        latest_adjustment=_latest_adjustment("g.receipt_line_id"),
    )


def hospital_pairs(*, region: bool) -> sql.Composed:
    """Per hospital with receipt lines received from `%(start)s` to before `%(end)s` (in the pooling region
    `%(region)s`, if asked for), the number of manufacturers it received from — the statements it will have, about —
    in hospital order."""
    in_region = NOTHING
    if region:
        in_region = _format(
            " AND EXISTS (SELECT 1 FROM {organization} o JOIN {region} rg ON rg.id = o.region_id"
            " WHERE o.id = rl.hospital_id AND COALESCE(rg.parent_id, rg.id) = %(region)s)"
        )
    return _format(
        """
    SELECT rl.hospital_id, COUNT(DISTINCT rl.manufacturer_id) FROM {receipt_line} rl
    WHERE rl.received_on >= %(start)s AND rl.received_on < %(end)s{in_region}
    GROUP BY rl.hospital_id ORDER BY rl.hospital_id
""",
        in_region=in_region,
    )


NOTHING = sql.SQL("")


def write_range(*, region: bool, after: bool, upto: bool) -> sql.Composed:
    """Builds the month's statements of a range of hospitals (see `_scope`) in one statement, and returns how many
    statements and lines it wrote. `lines`, computed once: the receipt lines to settle and the adjustments of lines
    settled earlier (`_receipt_lines`, `_adjustments`). `pairs`: per manufacturer × hospital without a statement for
    the period starting `%(month)s` (its last day `%(period_last)s`), its totals and first due date. Then,
    data-modifying CTEs: the statements (number JS + `%(period_code)s` + region code + hospital and manufacturer ids padded to six digits, claims due
    `%(claim_due)s`, payment due `%(payment_term_days)s` days after the earliest line's day, of the run `%(run)s`, created `%(now)s`), their lines, and the return lines they account for
    (those netted by a receipt line, and those of return adjustments)."""
    joins, where = _scope(region=region, after=after, upto=upto)
    return _format(
        """
    WITH lines AS MATERIALIZED (
        SELECT 'receipt' AS kind, fund, h, m, CAST(NULL AS BIGINT) AS gid, CAST(NULL AS BIGINT) AS aid, rid,
               product_id, received_on AS day, units, r_units, unit_price, settled_price, pc_id, gross,
               r_amount, corr, net, due
        FROM ({receipt_lines}) x
        UNION ALL
        SELECT kind, fund, h, m, gid, aid, rid, product_id, day, units, r_units, unit_price, settled_price,
               pc_id, 0, r_amount, corr, net, due
        FROM ({adjustments}) y
    ),
    pairs AS (
        SELECT u.fund, u.h, u.m, COUNT(*) AS n, SUM(u.gross) AS gross, SUM(u.r_amount) AS returned,
               SUM(u.corr) AS corr, SUM(u.net) AS net, MIN(u.due) AS due
        FROM lines u
        WHERE NOT EXISTS (SELECT 1 FROM {statement} s
                          WHERE s.manufacturer_id = u.m AND s.hospital_id = u.h AND s.period = %(month)s)
        GROUP BY u.fund, u.h, u.m
    ),
    statements AS (
        INSERT INTO {statement}
          (number, fund_id, manufacturer_id, hospital_id, period, status, line_count, gross_amount,
           returned_amount, correction_amount, amount, disputed_amount, approved_amount, paid_amount,
           invoice_numbers, claim_due_on, claimed_late, auto_confirmed, payment_due_on, overdue, due_soon,
           run_id, version, created_at, period_end)
        SELECT 'JS' || %(period_code)s || rg.code || lpad(p.h::text, GREATEST(6, length(p.h::text)), '0')
                   || lpad(p.m::text, GREATEST(6, length(p.m::text)), '0'),
               p.fund, p.m, p.h, %(month)s, 'draft', p.n, p.gross, p.returned, p.corr, p.net, 0, 0, 0, '[]',
               %(claim_due)s, false, false, p.due, false, false, (SELECT r.id FROM {run} r WHERE r.id = %(run)s), 1,
               %(now)s, %(period_last)s
        FROM pairs p JOIN {fund} f ON f.id = p.fund JOIN {region} rg ON rg.id = f.region_id
        JOIN {organization} om ON om.id = p.m JOIN {organization} oh ON oh.id = p.h
        ORDER BY p.h, p.m
        RETURNING id, manufacturer_id AS m, hospital_id AS h, line_count
    ),
    written_lines AS (
        INSERT INTO {settlement_line}
          (statement_id, kind, receipt_line_id, return_line_id, price_adjustment_id, product_id, received_on,
           min_units, returned_min_units, unit_price, settled_unit_price, correction_id, gross_amount,
           returned_amount, correction_amount, amount, due_on, overdue, disputed, dispute_reason, response)
        SELECT s.id, t.kind, t.rid, t.gid, t.aid, t.product_id, t.day, t.units, t.r_units, t.unit_price,
               t.settled_price, t.pc_id, t.gross, t.r_amount, t.corr, t.net, t.due, false, false, '', ''
        FROM lines t JOIN statements s ON s.h = t.h AND s.m = t.m
        ORDER BY s.id
    ),
    settled_returns AS (
        INSERT INTO {settled_return} (return_line_id, statement_id, receipt_line_id)
        SELECT g.id, s.id, g.receipt_line_id
        FROM lines t JOIN statements s ON s.h = t.h AND s.m = t.m
        JOIN {return_line} g ON g.receipt_line_id = t.rid
        WHERE t.kind = 'receipt' AND g.returned_on < %(end)s
          AND NOT EXISTS (SELECT 1 FROM {settled_return} sr WHERE sr.return_line_id = g.id)
        UNION ALL
        SELECT t.gid, s.id, t.rid FROM lines t JOIN statements s ON s.h = t.h AND s.m = t.m
        WHERE t.gid IS NOT NULL
    )
    SELECT COUNT(*), COALESCE(SUM(line_count), 0) FROM statements
""",
        receipt_lines=_receipt_lines(joins, where),
        adjustments=_adjustments(joins, where),
    )


def price_adjustments() -> sql.Composed:
    """Records, for the price correction `%(correction)s`, one price adjustment per settled receipt line it covers
    (the listing, received in its period) whose price it changes: units still settled = accepted − returns
    accounted for; previous price = the line's latest adjustment's, else its settled price; amount =
    round((corrected − previous) × units, 2); recorded on `%(recorded_on)s`, created `%(now)s`. Lines already at the
    corrected price, or with nothing left settled, get nothing."""
    return _format(
        """
    INSERT INTO {price_adjustment} (correction_id, receipt_line_id, statement_id, units, previous_unit_price,
                                    unit_price, amount, recorded_on, created_at)
    SELECT u.cid, u.rid, u.sid, u.units, u.price, u.new_price, ROUND((u.new_price - u.price) * u.units, 2),
           %(recorded_on)s, %(now)s
    FROM (
        SELECT c.id AS cid, c.unit_price AS new_price, rl.id AS rid, sl.statement_id AS sid,
               rl.accepted_min_units - COALESCE((
                   SELECT SUM(g.min_units) FROM {return_line} g
                   WHERE g.receipt_line_id = rl.id
                     AND EXISTS (SELECT 1 FROM {settled_return} sr WHERE sr.return_line_id = g.id)
               ), 0) AS units,
               {settled} AS price
        FROM {price_correction} c
        JOIN {receipt_line} rl ON rl.listing_id = c.listing_id AND rl.received_on >= c.effective_from
             AND (c.effective_to IS NULL OR rl.received_on <= c.effective_to)
        JOIN {settlement_line} sl ON sl.receipt_line_id = rl.id AND sl.received_on = rl.received_on AND sl.kind = 'receipt'
        {latest_adjustment}
        WHERE c.id = %(correction)s
    ) u
    WHERE u.units > 0 AND u.price <> u.new_price
""",
        settled=SETTLED_PRICE,
        latest_adjustment=_latest_adjustment("rl.id"),
    )


def refresh_statistics() -> sql.Composed:
    """Samples the tables the run's anti-joins read (settled lines and returns, statements) for the planner."""
    t = _tables()
    return sql.SQL("ANALYZE {}").format(sql.SQL(", ").join([t["settlement_line"], t["settled_return"], t["statement"]]))
