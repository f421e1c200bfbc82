"""The hand-written SQL of price monitoring, one module per capability: `detectors` (the scan's statements),
`history` (an alert's monthly prices), `parts` (the products of a part of a full scan), `shortage` (the shortage
watch's quiet hospitals). Statements are composed with `psycopg.sql`, tables named from the models' `_meta`, values
passed as named parameters.

This module holds what they share: the fragments every statement reads prices with, and `fetch`, which runs one.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from psycopg import sql

# What hospitals paid (platform receipts, off-platform purchases); other-province and retail prices are references.
PRICED_SOURCES = ("platform_receipt", "off_platform")


def table(model) -> sql.Identifier:
    return sql.Identifier(model._meta.db_table)


def priced_sources(alias: str) -> sql.Composed:
    """The condition: an observation `alias` of a price a hospital paid."""
    return sql.SQL("{source} IN ({sources})").format(
        source=sql.Identifier(alias, "source"), sources=sql.SQL(", ").join(map(sql.Literal, PRICED_SOURCES))
    )


def month_of(column: sql.Composable) -> sql.Composed:
    """The first day of the month of a date column, as a date."""
    return sql.SQL("CAST(date_trunc('month', {column}) AS date)").format(column=column)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    year, month = divmod(day.year * 12 + day.month, 12)
    return date(year, month + 1, 1)


def months_later(expression: sql.Composable, months: int) -> sql.Composed:
    """The date `months` months after (before, when negative) a date expression."""
    return sql.SQL("CAST({expression} + make_interval(months => {months}) AS date)").format(
        expression=expression, months=sql.Literal(int(months))
    )


def weighted_price(alias: str) -> sql.Composed:
    """An aggregate over observations `alias`: the quantity-weighted mean unit price (the plain mean when no
    quantity is known)."""
    price, quantity = sql.Identifier(alias, "unit_price"), sql.Identifier(alias, "quantity")
    return sql.SQL(
        "CASE WHEN SUM({quantity}) > 0 THEN SUM({price} * {quantity}) / SUM({quantity}) ELSE AVG({price}) END"
    ).format(price=price, quantity=quantity)


# The memory each sort and hash of an incremental scan's statements may take (SET LOCAL): they read a day's
# hospital-months and product-months — at a province's scale a few hundred thousand cells, the sudden change's
# province-wide figures four months of the touched products — and with the server's default (4 MB) their sorts went
# to disk (external merges of 2–10 MB at scale 0.3). A full scan keeps the server's setting: its sorts over every
# month would need hundreds of megabytes each.
INCREMENTAL_WORK_MEM = "64MB"


def fetch(statement: sql.Composable, params: dict, *, jit: bool = True, work_mem: str | None = None) -> list[dict]:
    """Run a monitoring query; its rows as dicts. Nested-loop joins are turned off for it (SET LOCAL, this transaction
    only): the planner cannot estimate the row counts of the aggregated CTEs, and a nested loop chosen on a guess of
    one row over tens of thousands turns seconds into minutes; every join here is a large set join, where hash and
    merge joins are right. `jit=False` turns PostgreSQL's JIT compilation off for a statement whose estimated cost is
    far above the work it does (compiling it took longer than running it); `work_mem` sets the memory of its sorts and
    hashes (`INCREMENTAL_WORK_MEM`)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        if not jit:
            cursor.execute("SET LOCAL jit = off")
        if work_mem:
            cursor.execute(sql.SQL("SET LOCAL work_mem = {}").format(sql.Literal(work_mem)).as_string(cursor.cursor))
        cursor.execute(statement.as_string(cursor.cursor), params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def parse_json_rows(text: str) -> list:
    """Rows gathered by `json_agg(json_build_array(…))::text`, numbers read as Decimal (a numeric is written exactly)."""
    return json.loads(text, parse_float=Decimal)


def as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value
