"""The price detectors' statements: each detector is one set-based query (CTEs) over the price observations, built
here for a scan's `Scope` and run with `pricing.sql.fetch`; `pricing.detectors.price` shapes the few rows they return
into findings. Medians are `percentile_cont(0.5)`.

A full scan reads every observation. An incremental one reads the products with new prices hospitals paid
(`touched`, `subjects`) and recomputes every figure a new observation can change, so that it ends exactly as a full
scan of the same data would: the peer detectors the touched product-months (and the touched groups' months), the
reference and non-selected detectors the touched hospital-months alone (each is judged on its own), the sudden change
the touched months and the `lookback_months` after them (a later month's baseline and market move read a touched
one), from `lookback_months` before; the volume spike every complete month of the products touched in a complete month
(a hospital's usual level is its median over all its months, and its baseline is two-sided).

Within a scan (`Scope.cells`) the hospital-months (`hp`) are read from the monthly prices the scan keeps
(`pricing.sql.monthly`: the same aggregate, rebuilt by a full scan and refreshed by an incremental one), and the
sudden change reads each month's baseline stored with it: its market move is the median over every hospital of a
product-month, whose baselines an incremental scan no longer recomputes from months of observations. Called on their
own (a `Scope` without `cells`), the statements read the observations.

The volume spike reads complete months only (`volume_scope`): a month's quantity means something once the month has
closed — a month in progress compared with whole months is a dip, and in a baseline it biases it low. The month of the
scan's time and any later one are left out of its statement altogether (its figures, its baselines, the market's
levels, the pooled spreads), so new observations in the month in progress give it nothing to do; the first scan after
a month closes runs it in full, which judges the month that has just closed.

Over 500 lines on purpose: the six detectors' statements share the `Scope` fragments (touched products, subjects,
complete months) built here, and each statement is one long CTE with its docstring; one module per detector would
scatter those fragments or import them back from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from psycopg import sql

from catalog.models import Product
from common.sql import array_text
from payment_standards import sql as payment_standard_sql
from procurement.models import Listing

from ..models import MonthlyPrice, PriceObservation, ReferencePrice
from . import (
    INCREMENTAL_WORK_MEM,
    as_date,
    fetch,
    month_of,
    months_later,
    next_month,
    priced_sources,
    table,
)
from .monthly import baseline_key, hospital_month_prices

NOTHING = sql.SQL("")
OBSERVED_ON = sql.SQL("o.observed_on")


@dataclass(frozen=True)
class Scope:
    """Which observations a run looks at: all of them (full), or the months of the products that received new
    observations between the two watermarks (incremental). Detectors still read every observation of those
    product-months — and the months before them that they compare with — so a peer median is always complete."""

    full: bool
    since: datetime | None = None
    until: datetime | None = None
    # the touched product-months, when the scan has found them once (`touched_product_months`): the statements then
    # carry them as values, and the months they read as constants the planner prunes the monthly partitions by
    touched: tuple[tuple[int, date], ...] | None = None
    # the touched subjects, (product, hospital, month) with a new price a hospital paid (`touched_subjects`): what the
    # detectors judging each hospital-month on its own (the references, the non-selected premium) re-read
    subjects: tuple[tuple[int, int, date], ...] | None = None
    # a full scan of one part: only these products (whole peer groups, `pricing.sql.parts`), every month of them
    products: tuple[int, ...] | None = None
    # when the monthly prices (`MonthlyPrice`) are current for the scan (`pricing.sql.monthly`), the sudden change's
    # baseline parameters they were kept with (`monthly.baseline_key`): the detectors then read a hospital's month
    # from them instead of aggregating the observations, and the sudden change its baseline when the parameters are
    # its own
    cells: tuple[int, int] | None = None


def run_settings(scope: Scope) -> dict:
    """How a statement for the scope is run (`pricing.sql.fetch`): a full scan's as the server is set, JIT compiled
    (it aggregates every month). An incremental scan's statements read a day's hospital-months and product-months, a
    few hundred thousand cells at a province's scale: without JIT — the planner's estimates of their CTEs (with nested
    loops off) exceed PostgreSQL's JIT threshold from about scale 0.3 on, and compiling took 0.1–0.3 s a statement,
    more than running it — and with `INCREMENTAL_WORK_MEM` for their sorts."""
    if scope.full:
        return {"jit": True, "work_mem": None}
    return {"jit": False, "work_mem": INCREMENTAL_WORK_MEM}


def month_in_progress(scope: Scope) -> date:
    """The first day of the month of the scan's time (`until`; today when the scope has none), in the platform's time
    zone: the month in progress, which the volume spike does not judge yet."""
    moment = scope.until or timezone.now()
    return timezone.localtime(moment).date().replace(day=1)


def month_closed(scope: Scope) -> bool:
    """Whether a month has closed since the previous scan's watermark (the first scan of a month, or the first
    ones: the watermark less the overlap may still fall in the previous month)."""
    if scope.full or scope.since is None:
        return False
    return timezone.localtime(scope.since).date().replace(day=1) < month_in_progress(scope)


def volume_scope(scope: Scope) -> Scope | None:
    """What the volume spike reads for a scan's scope, complete months only: the full scope as it is; on the first
    scan after a month closed, everything (a full scope: the month that has just closed is judged, and it enters every
    other month's baseline and every product's level, whether or not a new observation touched it); otherwise the
    touched product-months in complete months (observations arriving late into a closed month), or None — nothing to
    do — when every touched month is still in progress."""
    if scope.full:
        return scope
    if month_closed(scope):
        return Scope(full=True, until=scope.until, cells=scope.cells)
    if scope.touched is None:
        return scope
    open_month = month_in_progress(scope)
    closed = tuple((product, month) for product, month in scope.touched if month < open_month)
    if not closed:
        return None
    return Scope(full=False, since=scope.since, until=scope.until, touched=closed, cells=scope.cells)


def touched_product_months(scope: Scope) -> tuple[tuple[int, date], ...]:
    """The product-months with observations recorded between the scope's watermarks (one index probe by
    `created_at` in every monthly partition), found once for all the detectors of an incremental scan."""
    statement = sql.SQL("WITH {touched}x AS (SELECT 1) SELECT product_id, m FROM touched ORDER BY product_id, m")
    cte, params = _touched(Scope(full=False, since=scope.since, until=scope.until), _tables())
    return tuple((row["product_id"], as_date(row["m"])) for row in fetch(statement.format(touched=cte), params))


def touched_subjects(scope: Scope) -> tuple[tuple[int, int, date], ...]:
    """The hospital-months of a product with a price a hospital paid recorded between the scope's watermarks (one
    index probe by `created_at` in every monthly partition), found once for all the detectors of an incremental
    scan."""
    t = _tables()
    conditions, params = [sql.SQL("o.hospital_id IS NOT NULL"), priced_sources("o")], {}
    if scope.since is not None:
        conditions.append(sql.SQL("o.created_at > %(since)s"))
        params["since"] = scope.since
    if scope.until is not None:
        conditions.append(sql.SQL("o.created_at <= %(until)s"))
        params["until"] = scope.until
    statement = sql.SQL(
        "SELECT DISTINCT o.product_id, o.hospital_id, {month} AS m FROM {obs} o WHERE {conditions} "
        "ORDER BY o.product_id, o.hospital_id, m"
    ).format(month=month_of(sql.SQL("o.observed_on")), obs=t["obs"], conditions=sql.SQL(" AND ").join(conditions))
    rows = fetch(statement, params, jit=False)  # an index probe a partition: nothing to compile
    return tuple((row["product_id"], row["hospital_id"], as_date(row["m"])) for row in rows)


def _tables() -> dict[str, sql.Identifier]:

    return {
        "obs": table(PriceObservation),
        "ref": table(ReferencePrice),
        "product": table(Product),
        "listing": table(Listing),
        "cells": table(MonthlyPrice),
    }


def _day(scope: Scope) -> sql.Composable:
    """The column an hp narrowing compares months with: the observation's day, or the cell's month (`Scope.cells`);
    the narrowings compare it with the first day of a month, so either gives the same rows."""
    return OBSERVED_ON if scope.cells is None else sql.SQL("o.month")


def _touched(scope: Scope, t: dict) -> tuple[sql.Composable, dict]:
    """`touched(product_id, m)`, the first CTE of an incremental scan: the product-months with observations recorded
    between the watermarks. Nothing on a full scan (but the products of its part, as a value)."""
    if scope.full:
        return NOTHING, ({} if scope.products is None else {"part_products": array_text(scope.products)})
    if scope.touched is not None:
        params = {
            "touched_products": array_text(p for p, _m in scope.touched),
            "touched_months": array_text(m for _p, m in scope.touched),
            "touched_ids": array_text(sorted({p for p, _m in scope.touched})),
        }
        cte = sql.SQL(
            "touched AS (SELECT * FROM unnest(%(touched_products)s::bigint[], %(touched_months)s::date[]) "
            "AS t(product_id, m)), "
        )
        return cte, params
    conditions, params = [], {}
    if scope.since is not None:
        conditions.append(sql.SQL("created_at > %(since)s"))
        params["since"] = scope.since
    if scope.until is not None:
        conditions.append(sql.SQL("created_at <= %(until)s"))
        params["until"] = scope.until
    where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else NOTHING
    cte = sql.SQL("touched AS (SELECT DISTINCT product_id, {month} AS m FROM {obs}{where}), ").format(
        month=month_of(sql.SQL("observed_on")), obs=t["obs"], where=where
    )
    return cte, params


def _touched_products(
    scope: Scope, *, lookback_months: int | None, day: sql.Composable = OBSERVED_ON
) -> sql.Composable:
    """Narrows an incremental scan's observations (or cells) `o` to the touched products, from `lookback_months`
    before the first touched month (the months a detector compares with; None: every month), `day` their date. A full
    scan of a part: its products."""
    if scope.full:
        return NOTHING if scope.products is None else sql.SQL(" AND o.product_id = ANY(%(part_products)s::bigint[])")
    products = sql.SQL(" AND o.product_id IN (SELECT product_id FROM touched)")
    if scope.touched is not None:
        products = sql.SQL(" AND o.product_id = ANY(%(touched_ids)s::bigint[])")
    if lookback_months is None:
        return products
    return products + sql.SQL(" AND {day} >= {start}").format(day=day, start=_first_month(scope, lookback_months))


def _first_month(scope: Scope, lookback_months: int) -> sql.Composable:
    """`lookback_months` before the first touched month: a constant when the scope carries its touched months."""
    if scope.touched:
        first = min(m for _p, m in scope.touched)
        year, month = divmod(first.year * 12 + first.month - 1 - lookback_months, 12)
        return sql.Literal(date(year, month + 1, 1))
    return months_later(sql.SQL("(SELECT min(m) FROM touched)"), -lookback_months)


def _in_touched_months(scope: Scope, alias: str, *, months_after: int = 0) -> sql.Composable:
    """A join keeping only rows `alias` in a touched product-month or in one of the `months_after` months after one
    (the months whose figures compare with a touched one)."""
    if scope.full:
        return NOTHING
    if months_after == 0:
        months = sql.SQL("touched")
    else:
        months = sql.SQL(
            "(SELECT DISTINCT product_id, {later} AS m FROM touched CROSS JOIN generate_series(0, {n}) AS k(k))"
        ).format(later=sql.SQL("CAST(m + make_interval(months => k) AS date)"), n=sql.Literal(int(months_after)))
    return sql.SQL(" JOIN {months} tt ON tt.product_id = {alias}.product_id AND tt.m = {alias}.m").format(
        months=months, alias=sql.Identifier(alias)
    )


def _subject_months(scope: Scope, alias: str) -> tuple[sql.Composable, sql.Composable, dict]:
    """For the detectors judging each hospital-month on its own: on an incremental scope that carries its touched
    subjects, `subjects(product_id, hospital_id, m)` (a CTE of values) and a join keeping only the observations
    `alias` of those hospital-months (in the touched months, constants the partitions are pruned by): no
    other hospital-month's figures can change. Otherwise nothing (the product-months' narrowing applies)."""
    if scope.full or scope.subjects is None:
        return NOTHING, NOTHING, {}
    params = {
        "subject_products": array_text(p for p, _h, _m in scope.subjects),
        "subject_hospitals": array_text(h for _p, h, _m in scope.subjects),
        "subject_months": array_text(m for _p, _h, m in scope.subjects),
    }
    cte = sql.SQL(
        "subjects AS (SELECT * FROM unnest(%(subject_products)s::bigint[], %(subject_hospitals)s::bigint[], "
        "%(subject_months)s::date[]) AS s(product_id, hospital_id, m)), "
    )
    first = min((m for _p, _h, m in scope.subjects), default=date(1, 1, 1))
    end = next_month(max((m for _p, _h, m in scope.subjects), default=date(1, 1, 1)))
    join = sql.SQL(
        " JOIN subjects s ON s.product_id = {a}.product_id AND s.hospital_id = {a}.hospital_id AND s.m = {month}"
        " AND {a}.observed_on >= {first} AND {a}.observed_on < {end}"
    ).format(
        a=sql.Identifier(alias),
        month=month_of(sql.Identifier(alias, "observed_on")),
        first=sql.Literal(first),
        end=sql.Literal(end),
    )
    return cte, join, params


def _target_months(scope: Scope, alias: str, *, months_after: int) -> tuple[sql.Composable, sql.Composable]:
    """The rows `alias` whose figures an incremental scan recomputes: those of the touched product-months and the
    `months_after` months after them. Returns a join (when the touched months are not known as values) and a
    condition for a join's ON clause (when they are: the months from the first touched one to `months_after` after
    the last, constants — on the touched products, which the statement reads alone. Any other product-month in
    between is recomputed from the same rows a full scan reads, so it changes nothing; a join with the touched
    set's values instead misleads the planner's estimates into plans several times slower)."""
    if scope.full:
        return NOTHING, NOTHING
    if not scope.touched:
        return _in_touched_months(scope, alias, months_after=months_after), NOTHING
    first, last = min(m for _p, m in scope.touched), max(m for _p, m in scope.touched)
    year, month = divmod(last.year * 12 + last.month - 1 + months_after, 12)
    condition = sql.SQL(" AND {column} BETWEEN {first} AND {last}").format(
        column=sql.Identifier(alias, "m"), first=sql.Literal(first), last=sql.Literal(date(year, month + 1, 1))
    )
    return NOTHING, condition


def _hospital_month_prices(t: dict, narrow: sql.Composable, scope: Scope) -> sql.Composed:
    """`hp(product_id, hospital_id, m, price, qty, region_id)`: what a hospital paid for a product in a month — the
    quantity-weighted mean price — over the observations (or, `Scope.cells`, the monthly prices) `narrow` leaves
    (its dates compared through `_day`). Only what the detectors read: every column is carried through their
    sorts."""
    if scope.cells is not None:
        return sql.SQL(
            "hp AS (SELECT o.product_id, o.hospital_id, o.month AS m, o.price, o.quantity AS qty, o.region_id "
            "FROM {cells} o WHERE true{narrow})"
        ).format(cells=t["cells"], narrow=narrow)
    return sql.SQL("hp AS ({select})").format(select=hospital_month_prices(narrow))


def peer_outliers(scope: Scope, params: dict, *, distribution_limit: int) -> tuple[sql.Composed, dict]:
    """Hospital-months whose price is far from the median of their peers' prices — the other hospitals buying the
    product (`by_group`: any product of the same generic name, dosage form and specification, in groups of two or
    more products) that month. Each flagged row carries the unit's group `gk`, month `m`, price, quantity, region,
    the group-month's median `med`, peer count `n`, median absolute deviation `mad`, robust z-score `z`, and
    `distribution`: the group-month's cheapest `distribution_limit` units as JSON rows [rank, hospital, product,
    price (rounded half up to a unit price's 4 places, as the evidence shows it), quantity]."""
    t = _tables()
    touched, values = _touched(scope, t)
    if params["by_group"]:
        # the group of a product: the smallest id among the products of its generic name, form and strength (an
        # integer key, so the planner estimates the joins well)
        groups = sql.SQL(
            "pgk AS (SELECT id AS product_id, MIN(id) OVER (PARTITION BY generic_name, dosage_form, "
            "specification) AS gk FROM {product}), "
        ).format(product=t["product"])
        units = sql.SQL(
            "u AS (SELECT pgk.gk, hp.* FROM hp JOIN pgk ON pgk.product_id = hp.product_id), "
            "gp AS (SELECT gk, m FROM u GROUP BY gk, m HAVING COUNT(DISTINCT product_id) >= 2), "
            "u2 AS (SELECT u.* FROM u JOIN gp ON gp.gk = u.gk AND gp.m = u.m{in_touched_groups})"
        )
        if scope.full:
            hp = _hospital_month_prices(t, _touched_products(scope, lookback_months=None), scope)
            units = units.format(in_touched_groups=NOTHING)
        else:
            groups += sql.SQL(
                "tg AS (SELECT DISTINCT pgk.gk, t.m FROM touched t JOIN pgk ON pgk.product_id = t.product_id), "
            )
            # the products of touched groups, from the first touched month
            hp = _hospital_month_prices(
                t,
                sql.SQL(
                    " AND o.product_id IN (SELECT product_id FROM pgk WHERE gk IN (SELECT gk FROM tg))"
                    " AND {day} >= {first}"
                ).format(day=_day(scope), first=_first_month(scope, 0)),
                scope,
            )
            units = units.format(in_touched_groups=sql.SQL(" JOIN tg ON tg.gk = u.gk AND tg.m = u.m"))
        touched += groups
    else:
        hp = _hospital_month_prices(t, _touched_products(scope, lookback_months=0, day=_day(scope)), scope)
        units = sql.SQL("u2 AS (SELECT hp.product_id AS gk, hp.* FROM hp{in_touched})").format(
            in_touched=_in_touched_months(scope, "hp")
        )
    statement = sql.SQL("""WITH {touched}{hp}, {units},
st AS (SELECT gk, m, percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS med, count(*) AS n FROM u2 GROUP BY gk, m),
dev AS (SELECT u2.gk, u2.m, abs(u2.price - st.med) AS d FROM u2 JOIN st ON st.gk = u2.gk AND st.m = u2.m),
md AS (SELECT gk, m, percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS med FROM dev GROUP BY gk, m),
-- a small table, one row per group-month: each unit is scored by one hash join with it, not by sorting the units to
-- merge them with the medians
stats AS MATERIALIZED (SELECT st.gk, st.m, st.med, st.n, md.med AS mad FROM st JOIN md ON md.gk = st.gk AND md.m = st.m
                       WHERE st.n >= %(min_group)s AND st.med > 0),
scored AS (SELECT u2.gk, u2.product_id, u2.hospital_id, u2.m, u2.price, u2.qty, u2.region_id, s.med, s.n, s.mad,
                  CASE WHEN s.mad > 0 THEN 0.6745 * (u2.price - s.med) / s.mad ELSE NULL END AS z
           FROM u2 JOIN stats s ON s.gk = u2.gk AND s.m = u2.m),
flagged AS (SELECT * FROM scored
            WHERE (price / med - 1 >= %(min_deviation)s OR (%(low_side)s AND 1 - price / med >= %(min_deviation)s))
            AND ((n >= %(min_peers)s AND mad > 0 AND (z > %(z)s OR (%(low_side)s AND z < -%(z)s)))
                 OR ((n < %(min_peers)s OR mad = 0)
                     AND (price / med >= %(ratio)s OR (%(low_side)s AND price / med <= %(inverse_ratio)s))))),
-- the peers are the evidence: the units of each flagged group-month, ranked cheapest first and gathered into one JSON
-- value per group-month, rather than sent back one row each
ranked AS (SELECT u2.gk, u2.m, u2.hospital_id, u2.product_id, u2.price, u2.qty,
                  row_number() OVER (PARTITION BY u2.gk, u2.m ORDER BY u2.price, u2.hospital_id, u2.product_id) AS rk
           FROM u2 JOIN (SELECT DISTINCT gk, m FROM flagged) fg ON fg.gk = u2.gk AND fg.m = u2.m),
peers AS (SELECT gk, m,
                 CAST(json_agg(json_build_array(rk, hospital_id, product_id, round(price, 4), qty)) AS text)
                 AS distribution
          FROM ranked WHERE rk <= {limit} GROUP BY gk, m)
SELECT f.*, peers.distribution FROM flagged f JOIN peers ON peers.gk = f.gk AND peers.m = f.m""").format(
        touched=touched, hp=hp, units=units, limit=sql.Literal(int(distribution_limit))
    )
    values.update(
        min_group=params["min_group"],
        min_deviation=params["min_deviation"],
        min_peers=params["min_peers"],
        z=params["z"],
        ratio=params["ratio"],
        inverse_ratio=1 / params["ratio"],
        low_side=bool(params["low_side"]),
    )
    return statement, values


def sudden_changes(scope: Scope, params: dict) -> tuple[sql.Composed, dict]:
    """Hospital-months whose price rose at least (1 + `rise`) × a robust baseline — the median of the hospital's
    prices in its last `baseline_months` months with purchases (empty months skipped, none older than
    `lookback_months`; at least `min_history` of them) — both on its own and net of the market's move that month
    (the median over the product's hospitals of their own price ÷ baseline, when at least `min_market` hospitals
    have a baseline; otherwise no move): a province-wide change is not a hospital's anomaly. With `province_wide`,
    also the product's median over hospitals against its own baseline of earlier months (`province_rise`).

    Each row: `level` ('h' hospital, 'p' province), product, hospital, region, month `m`, `price` (the month's
    weighted price, or the province median), `base`, the baseline months `k`, quantity `qty`, `own` (price ÷ base),
    `market` (the market's move) and `market_n` (hospitals behind it)."""
    t = _tables()
    touched, values = _touched(scope, t)
    lookback, baseline = int(params["lookback_months"]), int(params["baseline_months"])
    hospital_targets = _target_months(scope, "cur", months_after=lookback)
    if scope.cells is not None and scope.cells == baseline_key(params):
        statement = _sudden_changes_from_cells(scope, t, touched, hospital_targets, baseline)
    else:
        statement = _sudden_changes_from_observations(scope, t, touched, hospital_targets, lookback, baseline)
    if params["province_wide"]:
        province_targets = _target_months(scope, "cur", months_after=baseline)
        statement += sql.SQL("""
UNION ALL
SELECT 'p', pb.product_id, NULL, NULL, pb.m, pb.med, pb.base, pb.k, pb.qty, pb.med / pb.base, 1, pb.n
FROM (SELECT cur.product_id, cur.m, cur.med, cur.n, cur.qty,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY prev.med) AS base, count(*) AS k
      FROM pm cur{in_targets} JOIN pm prev
        ON prev.product_id = cur.product_id AND prev.m < cur.m AND prev.m >= {first_month}{target_months}
      GROUP BY cur.product_id, cur.m, cur.med, cur.n, cur.qty HAVING count(*) >= %(min_history)s) pb
WHERE pb.base > 0 AND pb.n >= %(min_market)s AND pb.med >= pb.base * %(province_factor)s""").format(
            first_month=months_later(sql.SQL("cur.m"), -baseline),
            in_targets=province_targets[0],
            target_months=province_targets[1],
        )
    values.update(
        factor=1 + params["rise"],
        province_factor=1 + params["province_rise"],
        baseline_months=int(params["baseline_months"]),
        min_history=int(params["min_history"]),
        min_market=int(params["min_market"]),
    )
    return statement, values


# the product's month in the province (its median over hospitals, their number and quantity): what the province-wide
# figures compare, each month's read once as a month judged and as an earlier month of a baseline
_MARKET = """pm AS (SELECT product_id, m, percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS med, count(*) AS n,
                  SUM(qty) AS qty FROM hp GROUP BY product_id, m),
market AS (SELECT product_id, m, percentile_cont(0.5) WITHIN GROUP (ORDER BY own) AS move, count(*) AS n
           FROM moves GROUP BY product_id, m)
SELECT 'h' AS level, mv.product_id, mv.hospital_id, mv.region_id, mv.m, mv.price, mv.base, mv.k, mv.qty, mv.own,
       CASE WHEN mk.n >= %(min_market)s THEN mk.move ELSE 1 END AS market, mk.n AS market_n
FROM moves mv JOIN market mk ON mk.product_id = mv.product_id AND mk.m = mv.m
WHERE mv.own >= %(factor)s
  AND mv.own / (CASE WHEN mk.n >= %(min_market)s AND mk.move > 0 THEN mk.move ELSE 1 END) >= %(factor)s"""


def _sudden_changes_from_observations(
    scope: Scope, t: dict, touched: sql.Composable, targets: tuple, lookback: int, baseline: int
) -> sql.Composed:
    """The sudden change's hospital rows (and `hp` for the province's), each baseline computed from the months of
    the observations: every hospital's months ranked, each joined with the `baseline_months` before it."""
    return sql.SQL(
        """WITH {touched}{hp},
ranked AS (SELECT hp.*, row_number() OVER (PARTITION BY product_id, hospital_id ORDER BY m) AS rn FROM hp),
base AS (SELECT cur.product_id, cur.hospital_id, cur.m, cur.price, cur.qty, cur.region_id,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY prev.price) AS base, count(*) AS k
         FROM ranked cur{in_targets} JOIN ranked prev ON prev.product_id = cur.product_id AND prev.hospital_id = cur.hospital_id
              AND prev.rn < cur.rn AND prev.rn >= cur.rn - %(baseline_months)s AND prev.m >= {first_month}{target_months}
         GROUP BY cur.product_id, cur.hospital_id, cur.m, cur.price, cur.qty, cur.region_id
         HAVING count(*) >= %(min_history)s),
moves AS (SELECT base.*, price / base AS own FROM base WHERE base > 0),
"""
        + _MARKET
    ).format(
        touched=touched,
        hp=_hospital_month_prices(t, _touched_products(scope, lookback_months=max(lookback, baseline)), scope),
        first_month=months_later(sql.SQL("cur.m"), -lookback),
        in_targets=targets[0],
        target_months=targets[1],
    )


def _sudden_changes_from_cells(
    scope: Scope, t: dict, touched: sql.Composable, targets: tuple, baseline: int
) -> sql.Composed:
    """The sudden change's hospital rows (and `hp` for the province's) from the monthly prices, each baseline as
    stored with its month (`pricing.sql.monthly`, kept with this detector's parameters): an incremental scan reads
    the cells of the touched products' target months alone — every hospital of them, which the market's move is the
    median over — and, for the province's figures, the touched products' months from `baseline_months` before."""
    return sql.SQL(
        """WITH {touched}{hp},
moves AS (SELECT cur.*, cur.price / cur.base AS own
          FROM (SELECT o.product_id, o.hospital_id, o.month AS m, o.price, o.quantity AS qty, o.region_id, o.base,
                       CAST(o.base_months AS bigint) AS k
                FROM {cells} o WHERE o.base_months >= %(min_history)s AND o.base > 0{narrow}) cur{in_targets}
          WHERE true{target_months}),
"""
        + _MARKET
    ).format(
        touched=touched,
        hp=_hospital_month_prices(t, _touched_products(scope, lookback_months=baseline, day=_day(scope)), scope),
        cells=t["cells"],
        narrow=_touched_products(scope, lookback_months=0, day=sql.SQL("o.month")),
        in_targets=targets[0],
        target_months=targets[1],
    )


REFERENCE_KINDS = ("national_lowest", "payment_standard")


def _payment_standard_references(t: dict) -> sql.Composed:
    """The payment standards as reference rows: the published standards of the payment_standards app (a calendar
    year each, `payment_standards.sql.published_references`), and, for a product and day no published standard
    covers, the imported reference prices of kind `payment_standard` (the prices the platform had before it derived
    standards itself). The fallback is decided per observation in `hits` (`fallback`)."""
    return sql.SQL(
        "SELECT product_id, kind, ref, valid_from, valid_to, false AS fallback FROM ({published}) published "
        "UNION ALL SELECT product_id, kind, unit_price, valid_from, valid_to, true FROM {ref} "
        "WHERE kind = 'payment_standard'"
    ).format(published=payment_standard_sql.published_references(), ref=t["ref"])


def above_reference(scope: Scope, params: dict) -> tuple[sql.Composed, dict] | None:
    """Hospital-months that paid more than (1 + `tolerance`) × a reference price in force on the day: the platform's
    listed price (`listed`) and the reference prices of the kinds turned on. The payment standard is the published
    standard of the payment_standards app where the product has one for that day, else the imported reference price
    of kind `payment_standard` (`_payment_standard_references`). One row per hospital, product, month and reference
    kind: the highest price paid `price`, the reference `ref`, the excess amount, quantity, observation count `n`
    and region. None when every reference is turned off."""
    t = _tables()
    touched, values = _touched(scope, t)
    references = []
    if params["national_lowest"]:
        references.append(
            sql.SQL(
                "SELECT product_id, kind, unit_price AS ref, valid_from, valid_to, false AS fallback FROM {ref} "
                "WHERE kind = 'national_lowest'"
            ).format(ref=t["ref"])
        )
    if params["payment_standard"]:
        references.append(_payment_standard_references(t))
    if params["listed"]:
        references.append(
            sql.SQL(
                "SELECT product_id, 'listed' AS kind, unit_price AS ref, valid_from, valid_to, false AS fallback "
                "FROM {listing}"
            ).format(listing=t["listing"])
        )
    if not references:
        return None
    subjects, in_subjects, subject_values = _subject_months(scope, "o")
    if subject_values:
        # each hospital-month is judged on its own: only the touched ones are read
        touched, values = subjects, subject_values
    statement = sql.SQL("""WITH {touched}refs AS ({references}),
published AS ({published}),
hits AS (SELECT o.product_id, o.hospital_id, {month} AS m, r.kind, o.unit_price, r.ref, o.quantity, o.region_id
         FROM {obs} o{in_subjects} JOIN refs r ON r.product_id = o.product_id AND o.observed_on >= r.valid_from
              AND (r.valid_to IS NULL OR o.observed_on <= r.valid_to)
         WHERE o.hospital_id IS NOT NULL AND {priced} AND o.unit_price > r.ref * %(factor)s{narrow}
           AND NOT (r.fallback AND EXISTS (SELECT 1 FROM published ps WHERE ps.product_id = o.product_id
                                           AND o.observed_on BETWEEN ps.valid_from AND ps.valid_to))),
agg AS (SELECT product_id, hospital_id, m, kind, MAX(unit_price) AS price, MIN(ref) AS ref,
               SUM((unit_price - ref) * quantity) AS excess, SUM(quantity) AS qty, COUNT(*) AS n,
               MAX(region_id) AS region_id
        FROM hits GROUP BY product_id, hospital_id, m, kind)
SELECT agg.* FROM agg{in_touched}""").format(
        touched=touched,
        references=sql.SQL(" UNION ALL ").join(references),
        published=payment_standard_sql.published_references(),
        month=month_of(sql.SQL("o.observed_on")),
        obs=t["obs"],
        in_subjects=in_subjects,
        priced=priced_sources("o"),
        narrow=NOTHING if subject_values else _touched_products(scope, lookback_months=0),
        in_touched=NOTHING if subject_values else _in_touched_months(scope, "agg"),
    )
    values["factor"] = 1 + params["tolerance"]
    return statement, values


def non_selected_premiums(scope: Scope, params: dict) -> tuple[sql.Composed, dict]:
    """Hospital-months that bought a product not selected in a tendered lot at more than `factor` × the lot's
    awarded price (reference prices of kind VBP awarded with `selected = false`). One row per hospital, product and
    month: the highest price paid `price`, the awarded price `ref`, the excess amount, quantity, observation count
    `n`, region and lot."""
    t = _tables()
    touched, values = _touched(scope, t)
    subjects, in_subjects, subject_values = _subject_months(scope, "o")
    if subject_values:
        # each hospital-month is judged on its own: only the touched ones are read
        touched, values = subjects, subject_values
    statement = sql.SQL("""WITH {touched}hits AS (
    SELECT o.product_id, o.hospital_id, {month} AS m, o.unit_price, r.unit_price AS ref, o.quantity, o.region_id,
           r.lot_label
    FROM {obs} o{in_subjects} JOIN {ref} r ON r.product_id = o.product_id AND r.kind = 'vbp_awarded' AND r.selected = %(selected)s
         AND o.observed_on >= r.valid_from AND (r.valid_to IS NULL OR o.observed_on <= r.valid_to)
    WHERE o.hospital_id IS NOT NULL AND {priced} AND o.unit_price > r.unit_price * %(factor)s{narrow}),
agg AS (SELECT product_id, hospital_id, m, MAX(unit_price) AS price, MIN(ref) AS ref,
               SUM((unit_price - ref) * quantity) AS excess, SUM(quantity) AS qty, COUNT(*) AS n,
               MAX(region_id) AS region_id, MAX(lot_label) AS lot_label
        FROM hits GROUP BY product_id, hospital_id, m)
SELECT agg.* FROM agg{in_touched}""").format(
        touched=touched,
        month=month_of(sql.SQL("o.observed_on")),
        obs=t["obs"],
        ref=t["ref"],
        in_subjects=in_subjects,
        priced=priced_sources("o"),
        narrow=NOTHING if subject_values else _touched_products(scope, lookback_months=0),
        in_touched=NOTHING if subject_values else _in_touched_months(scope, "agg"),
    )
    values.update(selected=False, factor=params["factor"])
    return statement, values


def volume_spikes(scope: Scope, params: dict) -> tuple[sql.Composed, dict]:
    """Hospital-months whose quantity of a product is far above what that hospital usually buys, on a log scale,
    in complete months: the month of the scope's time and later ones are read by no figure (`volume_scope` narrows
    an incremental scope to the touched complete months first). Each month's log quantity is first taken net of the
    market's level that month (the median, over the product's
    hospitals, of their month against their own median level, when at least `min_market` hospitals bought —
    seasonality and province-wide shifts). The baseline is the hospital's other months with purchases within
    `window_months` before or after (at least `min_history`): their mean with the highest and the lowest left out
    when there are five or more (one unusual month moves it little; it is steadier than a median), else their
    median. The spread combines three noises: the months' own (1.4826 × their median absolute deviation — a few
    months say little about it, so it is shrunk towards the product's spread, the median over its hospitals buying
    at least `pool_min_quantity` units in a median month, at least `pool_min_hospitals` of them, weighed as
    `pool_weight` months —, at least `min_scale`), the baseline's (that spread over the number of months) and, for small counts, Poisson's (a
    hospital that uses 2 units a month buys 5 in some months: 1 / the expected count on the log scale). Flagged
    when the net excess is at least log(`factor`) (relative), at least `z` spreads (robust), and the extra units at
    the month's price are worth at least `min_excess_amount` yuan (absolute); for products priced at least
    `min_unit_price` a unit, or 高值耗材.

    Each row: product, hospital, region, month `m`, quantity `qty`, weighted `price`, the baseline `base` (log, net
    of the market), baseline months `k`, `spread`, the net excess `r` (log) and the `market` level that month
    (log)."""
    t = _tables()
    touched, values = _touched(scope, t)
    window = int(params["window_months"])
    # complete months only: the month in progress (and any later one) is read by no figure
    complete = sql.SQL(" AND {day} < {open_month}").format(
        day=_day(scope), open_month=sql.Literal(month_in_progress(scope))
    )
    statement = sql.SQL("""WITH {touched}{hp},
lq0 AS (SELECT product_id, hospital_id, m, qty, price, region_id, ln(qty) AS l FROM hp WHERE qty > 0),
hl AS (SELECT product_id, hospital_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY l) AS hl
       FROM lq0 GROUP BY product_id, hospital_id),
market AS (SELECT lq0.product_id, lq0.m,
                  CASE WHEN count(*) >= %(min_market)s
                       THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY lq0.l - hl.hl) ELSE 0 END AS move
           FROM lq0 JOIN hl ON hl.product_id = lq0.product_id AND hl.hospital_id = lq0.hospital_id
           GROUP BY lq0.product_id, lq0.m),
-- each month's log quantity net of the market's level that month (seasonality, province-wide shifts)
lq AS (SELECT lq0.product_id, lq0.hospital_id, lq0.m, lq0.qty, lq0.price, lq0.region_id, lq0.l - mk.move AS l,
              mk.move
       FROM lq0 JOIN market mk ON mk.product_id = lq0.product_id AND mk.m = lq0.m),
pairs AS (SELECT cur.product_id, cur.hospital_id, cur.m, other.l AS ol
          FROM lq cur JOIN lq other ON other.product_id = cur.product_id AND other.hospital_id = cur.hospital_id
               AND other.m <> cur.m AND other.m >= {first_month} AND other.m <= {last_month}),
bl AS (SELECT product_id, hospital_id, m, count(*) AS k, percentile_cont(0.5) WITHIN GROUP (ORDER BY ol) AS med,
              CASE WHEN count(*) >= 5 THEN (sum(ol) - max(ol) - min(ol)) / (count(*) - 2)
                   ELSE percentile_cont(0.5) WITHIN GROUP (ORDER BY ol) END AS base, array_agg(ol) AS ols
       FROM pairs GROUP BY product_id, hospital_id, m HAVING count(*) >= %(min_history)s),
-- the months' own spread, 1.4826 × their MAD, from the baseline's months gathered in `bl` (a dozen values each):
-- joining the pairs with `bl` again and sorting them all a second time took half as long again
own AS (SELECT bl.product_id, bl.hospital_id, bl.m,
               1.4826 * (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(x.ol - bl.med))
                         FROM unnest(bl.ols) AS x(ol)) AS s
        FROM bl),
-- the product's own month-to-month spread: the median over its hospitals that buy enough for Poisson's noise not
-- to count (median month ≥ pool_min_quantity units, ≥ min_history + 1 months) of their months' 1.4826 × MAD
cell AS (SELECT product_id, hospital_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY l) AS med
         FROM lq GROUP BY product_id, hospital_id
         HAVING count(*) > %(min_history)s
            AND percentile_cont(0.5) WITHIN GROUP (ORDER BY qty) >= %(pool_min_quantity)s),
cell_spread AS (SELECT lq.product_id, lq.hospital_id,
                       1.4826 * percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(lq.l - cell.med)) AS s
                FROM lq JOIN cell ON cell.product_id = lq.product_id AND cell.hospital_id = lq.hospital_id
                GROUP BY lq.product_id, lq.hospital_id),
pooled AS (SELECT product_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS s FROM cell_spread
           GROUP BY product_id HAVING count(*) >= %(pool_min_hospitals)s),
-- the hospital's spread: its own months' shrunk towards the product's, weighing the product's as pool_weight months
sc AS (SELECT own.product_id, own.hospital_id, own.m,
              greatest(CASE WHEN pooled.s IS NULL THEN own.s
                            ELSE sqrt((bl.k * own.s * own.s + %(pool_weight)s * pooled.s * pooled.s)
                                      / (bl.k + %(pool_weight)s)) END, %(min_scale)s) AS s
       FROM own JOIN bl ON bl.product_id = own.product_id AND bl.hospital_id = own.hospital_id AND bl.m = own.m
       LEFT JOIN pooled ON pooled.product_id = own.product_id),
r AS (SELECT lq.product_id, lq.hospital_id, lq.m, lq.qty, lq.price, lq.region_id, bl.base, bl.k,
             sqrt(sc.s * sc.s * (1 + 1.0 / bl.k) + 1 / greatest(exp(bl.base + lq.move), 0.5)) AS spread,
             lq.l - bl.base AS r, lq.move AS market
      FROM lq JOIN bl ON bl.product_id = lq.product_id AND bl.hospital_id = lq.hospital_id AND bl.m = lq.m
      JOIN sc ON sc.product_id = lq.product_id AND sc.hospital_id = lq.hospital_id AND sc.m = lq.m)
SELECT r.* FROM r JOIN {product} g ON g.id = r.product_id
WHERE r.r >= ln(%(factor)s)
  AND r.r / r.spread >= %(z)s
  AND (r.qty - exp(r.base + r.market)) * r.price >= %(min_excess_amount)s
  AND (r.price >= %(min_unit_price)s OR g.high_value = %(high_value)s)""").format(
        touched=touched,
        # every complete month of the touched products: a hospital's usual level (`hl`) is its median over all its
        # months, so one new month moves the market's level — and every figure — in any month of the product
        hp=_hospital_month_prices(t, _touched_products(scope, lookback_months=None, day=_day(scope)) + complete, scope),
        first_month=months_later(sql.SQL("cur.m"), -window),
        last_month=months_later(sql.SQL("cur.m"), window),
        product=t["product"],
    )
    values.update(
        min_history=int(params["min_history"]),
        min_market=int(params["min_market"]),
        factor=float(params["factor"]),
        min_scale=float(params["min_scale"]),
        pool_weight=float(params["pool_weight"]),
        pool_min_quantity=float(params["pool_min_quantity"]),
        pool_min_hospitals=int(params["pool_min_hospitals"]),
        z=float(params["z"]),
        min_excess_amount=float(params["min_excess_amount"]),
        min_unit_price=float(params["min_unit_price"]),
        high_value=True,
    )
    return statement, values
