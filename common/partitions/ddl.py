"""The statements that partition a table by month and maintain its partitions.

Used by the migrations that partition the flow tables (procurement's, pricing's, settlement's and common's squashed migrations) and by
`common.partitions.services`. Every statement is composed with `psycopg.sql`; bounds are literals (DDL takes no
parameters, and the platform binds parameters on the server).

Naming: the month partitions of `t` are `t_pYYYY_MM`, the default partition `t_default`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from psycopg.sql import SQL, Identifier, Literal

DEFAULT_SUFFIX = "_default"


@dataclass(frozen=True)
class Partitioned:
    """A table partitioned by range on one date or timestamp column."""

    table: str
    column: str
    type: str  # 'date' or 'timestamp with time zone'


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months(first: date, last: date) -> list[date]:
    """The first days of the months from `first`'s to `last`'s, both included."""
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month.year:04d}_{month.month:02d}"


def default_name(table: str) -> str:
    return f"{table}{DEFAULT_SUFFIX}"


def bound(part: Partitioned, month: date) -> Literal:
    """The partition bound of a month: the day for a date column, midnight in the platform's time zone (the months
    people settle and report) for a timestamp column."""
    if part.type == "date":
        return Literal(month)
    return Literal(datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)))


def partitioned_tables(cursor) -> list[Partitioned]:
    """Every table of the current schema partitioned by range on a single column."""
    cursor.execute(
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
           FROM pg_partitioned_table p
           JOIN pg_class c ON c.oid = p.partrelid
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]
           WHERE p.partstrat = 'r' AND p.partnatts = 1 AND c.relnamespace = current_schema()::regnamespace
           ORDER BY c.relname"""
    )
    return [Partitioned(*row) for row in cursor.fetchall()]


def existing_months(cursor, table: str) -> set[date]:
    """The months that have a partition of their own (attached), read from the partitions' names."""
    cursor.execute(
        """SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = %s::regclass""",
        [table],
    )
    prefix = f"{table}_p"
    found = set()
    for (name,) in cursor.fetchall():
        if name.startswith(prefix):
            year, month = name[len(prefix) :].split("_")
            found.add(date(int(year), int(month), 1))
    return found


def create_month(cursor, part: Partitioned, month: date) -> bool:
    """Add the month's partition unless it exists. Rows of that month already in the DEFAULT partition (a month
    that was missing) are moved into it first: the new table is filled, then attached, in the caller's
    transaction. Returns whether a partition was made."""
    if month in existing_months(cursor, part.table):
        return False
    name = partition_name(part.table, month)
    names = {
        "parent": Identifier(part.table),
        "part": Identifier(name),
        "default": Identifier(default_name(part.table)),
        "column": Identifier(part.column),
        "start": bound(part, month),
        "end": bound(part, add_months(month, 1)),
    }
    if _has_default(cursor, part.table) and _default_has_rows(cursor, part, month):
        cursor.execute(
            SQL("CREATE TABLE {part} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").format(**names)
        )
        # a row moving to its month is not a deletion: the row triggers (the settled receipt line's delete guard)
        # stay out of it. ALTER TABLE refuses a table with deferred checks pending, so this transaction's run now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(SQL("ALTER TABLE {default} DISABLE TRIGGER USER").format(**names))
        cursor.execute(
            SQL(
                "WITH moved AS (DELETE FROM {default} WHERE {column} >= {start} AND {column} < {end} RETURNING *) "
                "INSERT INTO {part} SELECT * FROM moved"
            ).format(**names)
        )
        cursor.execute(SQL("ALTER TABLE {default} ENABLE TRIGGER USER").format(**names))
        cursor.execute(
            SQL("ALTER TABLE {parent} ATTACH PARTITION {part} FOR VALUES FROM ({start}) TO ({end})").format(**names)
        )
    else:
        cursor.execute(
            SQL("CREATE TABLE {part} PARTITION OF {parent} FOR VALUES FROM ({start}) TO ({end})").format(**names)
        )
    return True


def create_default(cursor, table: str) -> None:
    cursor.execute(
        SQL("CREATE TABLE {part} PARTITION OF {parent} DEFAULT").format(
            part=Identifier(default_name(table)), parent=Identifier(table)
        )
    )


def _has_default(cursor, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [default_name(table)])
    return cursor.fetchone()[0]


def _default_has_rows(cursor, part: Partitioned, month: date) -> bool:
    cursor.execute(
        SQL("SELECT EXISTS (SELECT 1 FROM {default} WHERE {column} >= {start} AND {column} < {end})").format(
            default=Identifier(default_name(part.table)),
            column=Identifier(part.column),
            start=bound(part, month),
            end=bound(part, add_months(month, 1)),
        )
    )
    return cursor.fetchone()[0]


def default_rows(cursor, table: str) -> int:
    """Rows in the table's DEFAULT partition: each is a month without a partition of its own."""
    if not _has_default(cursor, table):
        return 0
    cursor.execute(SQL("SELECT count(*) FROM {}").format(Identifier(default_name(table))))
    return cursor.fetchone()[0]


def detach(cursor, table: str, month: date, *, schema: str) -> str | None:
    """Detach the month's partition and move it to `schema` (still a table, queryable there). Returns its name, or
    None when the month has no partition."""
    name = partition_name(table, month)
    if month not in existing_months(cursor, table):
        return None
    cursor.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(schema)))
    cursor.execute(SQL("ALTER TABLE {} DETACH PARTITION {}").format(Identifier(table), Identifier(name)))
    cursor.execute(SQL("ALTER TABLE {} SET SCHEMA {}").format(Identifier(name), Identifier(schema)))
    return name
