"""SQL pieces the detectors share, written once per database.

PostgreSQL computes medians with `percentile_cont(0.5) WITHIN GROUP (ORDER BY …)`. SQLite has no percentile
aggregate; there the median is computed with window functions — rank the values of each group, count them,
and average the middle one (odd count) or the middle two (even count) — which gives exactly the same value
as `percentile_cont(0.5)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def month_of(column: str) -> str:
    """The first day of the month of a date column, as a date."""
    if is_postgres():
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def add_months(expr: str, months: int) -> str:
    if is_postgres():
        return f"CAST({expr} + interval '{int(months)} months' AS date)"
    return f"date({expr}, '{int(months):+d} months')"


def month_end(expr: str) -> str:
    if is_postgres():
        return f"CAST({expr} + interval '1 month' - interval '1 day' AS date)"
    return f"date({expr}, '+1 month', '-1 day')"


def weighted_mean(value: str, weight: str) -> str:
    """An aggregate: the `weight`-weighted mean of `value` (the plain mean when no weight is known). SQLite stores a
    whole-number decimal as an INTEGER and INTEGER / INTEGER truncates, so there the sum is divided as a REAL."""
    total = f"SUM({value} * {weight})"
    if not is_postgres():
        total = f"CAST({total} AS REAL)"
    return f"CASE WHEN SUM({weight}) > 0 THEN {total} / SUM({weight}) ELSE AVG({value}) END"


def median_ctes(name: str, source: str, keys: list[str], value: str) -> str:
    """CTE text (without the leading WITH) defining `name(keys…, med, n)` from the relation `source`."""
    key_list = ", ".join(keys)
    if is_postgres():
        return (
            f"{name} AS (SELECT {key_list}, percentile_cont(0.5) WITHIN GROUP (ORDER BY {value}) AS med, "
            f"count(*) AS n FROM {source} GROUP BY {key_list})"
        )
    return (
        f"{name}__r AS (SELECT {key_list}, {value} AS v, "
        f"row_number() OVER (PARTITION BY {key_list} ORDER BY {value}) AS rn, "
        f"count(*) OVER (PARTITION BY {key_list}) AS cnt FROM {source}), "
        f"{name} AS (SELECT {key_list}, avg(v) AS med, max(cnt) AS n FROM {name}__r "
        f"WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY {key_list})"
    )


def json_rows(columns: list[str], *, decimals: tuple[str, ...] = ()) -> str:
    """An aggregate: the group's rows as JSON text — an array of arrays of `columns`, in no particular order. Read it
    with `parse_json_rows`. `decimals` are the columns PostgreSQL computes as numeric and SQLite as REAL."""
    if is_postgres():  # a numeric is written exactly
        return f"CAST(json_agg(json_build_array({', '.join(columns)})) AS text)"
    # SQLite's JSON writes a REAL with 15 significant digits; with 17 it reads back as the very same float
    values = [f"json(printf('%%!.17g', {c}))" if c in decimals else c for c in columns]
    return f"json_group_array(json_array({', '.join(values)}))"


def parse_json_rows(text: str) -> list:
    """The rows of `json_rows`, their numbers of the type the database driver returns for the columns themselves
    (Decimal for a PostgreSQL numeric, float for a SQLite REAL), so they convert and round the same way."""
    return json.loads(text, parse_float=Decimal if is_postgres() else float)


def param(value):
    """Adapt a date or datetime for a raw query the way the ORM stores it."""
    ops = connection.ops
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return ops.adapt_datefield_value(value)
    return value


def fetch(sql: str, params: list | tuple = ()) -> list[dict]:
    """Run a detector query. On PostgreSQL nested-loop joins are turned off for it (SET LOCAL, this transaction
    only): the planner cannot estimate the row counts of the aggregated CTEs, and a nested loop chosen on a guess of
    one row over tens of thousands turns seconds into minutes; every join here is a large set join, where hash and
    merge joins are right."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, [param(p) for p in params])
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Scope:
    """Which observations a run looks at: all of them (full), or the months of the products that received new
    observations between the two watermarks (incremental). Detectors still read every observation of those
    product-months — and the months before them that they compare with — so a peer median is always complete."""

    full: bool
    since: datetime | None = None
    until: datetime | None = None

    def touched_cte(self, table: str) -> tuple[str, list]:
        """`touched(product_id, m)`: the product-months with new observations (every one on a full scan)."""
        month = month_of("observed_on")
        conditions, params = [], []
        if not self.full and self.since is not None:
            conditions.append("created_at > %s")
            params.append(self.since)
        if self.until is not None:
            conditions.append("created_at <= %s")
            params.append(self.until)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"touched AS (SELECT DISTINCT product_id, {month} AS m FROM {table} {where})", params
