"""The monthly prices the price scan keeps (`MonthlyPrice`): what each hospital paid for each product in a month — the
quantity-weighted mean of the month's priced observations — with the sudden change's baseline of that month (the
median of the hospital's prices in its last `baseline_months` months with purchases, none older than
`lookback_months`, and how many months that is).

A full scan rebuilds them from every observation (`rebuild`); an incremental one recomputes the hospital-months its
new observations touched and the baselines they enter — the same hospital's months up to `lookback_months` later
(`refresh`). The scan's detectors then read these cells (`Scope.cells`) instead of aggregating the observations again,
and the sudden change reads each month's baseline as stored: the market's move of a product-month is the median over
all its hospitals, and without the stored baselines an incremental scan re-read six months of every hospital of each
touched product to recompute it.

The cells are exactly what the detectors' own aggregation gives (`hospital_month_prices`, one expression; the price
and quantity kept as `numeric` without a precision), and each baseline is the median of the same months' prices, so
a detector reading them finds what it finds reading the observations.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from psycopg import sql

from common.sql import array_text

from ..models import MonthlyPrice, PriceObservation
from . import (
    INCREMENTAL_WORK_MEM,
    month_of,
    months_later,
    next_month,
    priced_sources,
    table,
    weighted_price,
)

NOTHING = sql.SQL("")


def baseline_params(params: dict) -> dict:
    """The sudden change's parameters a baseline depends on (what `PriceScan.monthly_prices` records)."""
    return {"baseline_months": int(params["baseline_months"]), "lookback_months": int(params["lookback_months"])}


def baseline_key(params: dict) -> tuple[int, int]:
    """The same parameters as a value (`Scope.cells`): (baseline_months, lookback_months)."""
    return (int(params["baseline_months"]), int(params["lookback_months"]))


def hospital_month_prices(narrow: sql.Composable) -> sql.Composed:
    """`SELECT product_id, hospital_id, m, price, qty, region_id`: what a hospital paid for a product in a month — the
    quantity-weighted mean price — over the observations `o` that `narrow` (conditions, each starting with AND)
    leaves."""
    month = month_of(sql.SQL("o.observed_on"))
    return sql.SQL(
        "SELECT o.product_id, o.hospital_id, {month} AS m, {price} AS price, SUM(o.quantity) AS qty, "
        "MAX(o.region_id) AS region_id FROM {obs} o WHERE o.hospital_id IS NOT NULL AND {priced}{narrow} "
        "GROUP BY o.product_id, o.hospital_id, {month}"
    ).format(
        month=month, price=weighted_price("o"), obs=table(PriceObservation), priced=priced_sources("o"), narrow=narrow
    )


def _execute(statement: sql.Composable, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(cursor.cursor), params)
        return cursor.rowcount


def rebuild(params: dict) -> int:
    """Every cell from every observation, with its baseline (the months ranked per hospital and product, each joined
    with the `baseline_months` before it, none older than `lookback_months`); the table is emptied first and analyzed
    after. Returns the cells written."""
    cells = table(MonthlyPrice)
    with transaction.atomic():
        _execute(sql.SQL("TRUNCATE {cells}").format(cells=cells), {})
        statement = sql.SQL("""INSERT INTO {cells} (product_id, hospital_id, month, price, quantity, region_id, base,
            base_months)
WITH hp AS ({hp}),
ranked AS (SELECT product_id, hospital_id, m, price, row_number() OVER (PARTITION BY product_id, hospital_id ORDER BY m)
                  AS rn FROM hp),
base AS (SELECT cur.product_id, cur.hospital_id, cur.m,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY prev.price) AS base, count(*) AS k
         FROM ranked cur JOIN ranked prev ON prev.product_id = cur.product_id AND prev.hospital_id = cur.hospital_id
              AND prev.rn < cur.rn AND prev.rn >= cur.rn - %(baseline_months)s AND prev.m >= {first_month}
         GROUP BY cur.product_id, cur.hospital_id, cur.m)
SELECT hp.product_id, hp.hospital_id, hp.m, hp.price, hp.qty, hp.region_id, base.base, COALESCE(base.k, 0)
FROM hp LEFT JOIN base ON base.product_id = hp.product_id AND base.hospital_id = hp.hospital_id AND base.m = hp.m""").format(
            cells=cells,
            hp=hospital_month_prices(NOTHING),
            first_month=months_later(sql.SQL("cur.m"), -int(params["lookback_months"])),
        )
        with connection.cursor() as cursor:
            # a join of every month with the months before it: hash and merge joins, never a nested loop on a guess
            cursor.execute("SET LOCAL enable_nestloop = off")
        written = _execute(statement, baseline_params(params))
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("ANALYZE {cells}").format(cells=cells).as_string(cursor.cursor))
    return written


def _baseline(cell: str, lookback_months: int) -> sql.Composed:
    """A LATERAL subquery: the baseline `base` of the cell `cell` (its product, hospital and month `m`) and its months
    `k` — the median of the hospital's prices in its last `baseline_months` months with purchases before `m`, none
    older than `lookback_months` — from the cells, through the (product, hospital, month) key."""
    return sql.SQL("""LATERAL (
          SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY before.price) AS base, count(*) AS k
          FROM (SELECT p.price FROM {cells} p
                WHERE p.product_id = {cell}.product_id AND p.hospital_id = {cell}.hospital_id AND p.month < {cell}.m
                  AND p.month >= {first_month}
                ORDER BY p.month DESC LIMIT %(baseline_months)s) before)""").format(
        cells=table(MonthlyPrice),
        cell=sql.Identifier(cell),
        first_month=months_later(sql.SQL("{cell}.m").format(cell=sql.Identifier(cell)), -lookback_months),
    )


def refresh(subjects: tuple[tuple[int, int, date], ...], params: dict) -> int:
    """The touched hospital-months (`subjects`: product, hospital, month) recomputed from their observations, then
    the baselines they enter: each touched hospital's months of the product from its first touched month to
    `lookback_months` after its last (a month's baseline reads its last `baseline_months` months with purchases
    before it, none older than `lookback_months`), read from the cells through the (product, hospital, month) key.
    A pair's first touched month gets its baseline as it is written (the months before it are untouched); its later
    months are updated once every touched month is written. Returns the cells recomputed.

    A touched cell is written in place (`ON CONFLICT … DO UPDATE`): its key and the indexed columns stay, so the new
    version goes on the same page when there is room (the table keeps a tenth of each page free, migration 0005) and
    no index is written — a delete and an insert of each cell wrote all three indexes and walked the key twice. Every
    touched hospital-month has an observation (a new one: `touched_subjects`), so none loses its cell."""
    if not subjects:
        return 0
    cells = table(MonthlyPrice)
    lookback = int(params["lookback_months"])
    values = {
        "subject_products": array_text(p for p, _h, _m in subjects),
        "subject_hospitals": array_text(h for _p, h, _m in subjects),
        "subject_months": array_text(m for _p, _h, m in subjects),
        **baseline_params(params),
    }
    touched = sql.SQL(
        "WITH subjects AS (SELECT * FROM unnest(%(subject_products)s::bigint[], %(subject_hospitals)s::bigint[], "
        "%(subject_months)s::date[]) AS s(product_id, hospital_id, m)), "
        "pairs AS (SELECT product_id, hospital_id, min(m) AS first, max(m) AS last FROM subjects "
        "GROUP BY product_id, hospital_id) "
    )
    # the touched months as constants, the observations' monthly partitions outside them pruned when planned (each
    # later one, empty or not, was otherwise scanned once per touched hospital-month)
    first, end = min(m for _p, _h, m in subjects), next_month(max(m for _p, _h, m in subjects))
    with transaction.atomic():
        # a day's hospital-months, by index: estimated above the JIT threshold from about scale 0.3, compiling the
        # insert took longer than running it; its aggregate of the day's hospital-months in memory
        _execute(sql.SQL("SET LOCAL jit = off"), {})
        _execute(sql.SQL("SET LOCAL work_mem = {}").format(sql.Literal(INCREMENTAL_WORK_MEM)), {})
        written = _execute(
            touched
            + sql.SQL("""INSERT INTO {cells} (product_id, hospital_id, month, price, quantity, region_id, base, base_months)
SELECT hp.product_id, hp.hospital_id, hp.m, hp.price, hp.qty, hp.region_id, b.base, b.k
FROM ({hp}) hp CROSS JOIN {baseline} b
ON CONFLICT (product_id, hospital_id, month) DO UPDATE SET price = excluded.price, quantity = excluded.quantity,
    region_id = excluded.region_id, base = excluded.base, base_months = excluded.base_months""").format(
                cells=cells,
                hp=hospital_month_prices(
                    sql.SQL(
                        " AND o.observed_on >= {first} AND o.observed_on < {end} AND EXISTS (SELECT 1 FROM subjects s "
                        "WHERE s.product_id = o.product_id AND s.hospital_id = o.hospital_id AND s.m = {month})"
                    ).format(first=sql.Literal(first), end=sql.Literal(end), month=month_of(sql.SQL("o.observed_on")))
                ),
                baseline=_baseline("hp", lookback),
            ),
            values,
        )
        _execute(
            touched
            + sql.SQL("""UPDATE {cells} c SET base = b.base, base_months = b.k
FROM (SELECT cur.id, prev.base, prev.k
      FROM pairs JOIN (SELECT id, product_id, hospital_id, month AS m FROM {cells}) cur
           ON cur.product_id = pairs.product_id AND cur.hospital_id = pairs.hospital_id
           AND cur.m > pairs.first AND cur.m <= {last}
      CROSS JOIN {baseline} prev) b
WHERE c.id = b.id""").format(
                cells=cells,
                last=months_later(sql.SQL("pairs.last"), lookback),
                baseline=_baseline("cur", lookback),
            ),
            values,
        )
    return written
