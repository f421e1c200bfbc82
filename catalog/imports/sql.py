"""The hand-written SQL of the catalog import: the codes a file has shown so far (`SeenCodes` in ``seen``), the
products holding a batch's codes, and the COPY writer's COPYs, staging table and final update
(``writers``).
Composed with `psycopg.sql`, tables and columns named from the models' `_meta`; run on a Django cursor with
`execute`.
"""

from __future__ import annotations

from psycopg import sql

from ..models import Product

HISTORY = Product.history.model
SEEN = sql.Identifier("catalog_import_seen")  # the import transaction's temporary tables
CHANGED = sql.Identifier("catalog_import_changed")
PRODUCTS = sql.Identifier(Product._meta.db_table)
HISTORIES = sql.Identifier(HISTORY._meta.db_table)
CODE = sql.Identifier(Product._meta.get_field("nhsa_code").column)
SEP = "\x1f"  # joins codes sent as one string; normalize_code strips it (it is whitespace to Python)


def execute(cursor, statement: sql.Composable, params=None) -> None:
    """Run a statement on a Django cursor."""
    cursor.execute(statement.as_string(cursor.cursor), params)


def _columns(columns: list[str], alias: str | None = None) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(alias, c) if alias else sql.Identifier(c) for c in columns)


# --- the codes seen so far ----------------------------------------------------------------------------------------

CREATE_SEEN = sql.SQL(
    'CREATE TEMPORARY TABLE IF NOT EXISTS {seen} (code varchar(40) COLLATE "C" PRIMARY KEY, '
    "first_row integer NOT NULL) ON COMMIT DROP"
).format(seen=SEEN)
"""Creates the table of the codes a file has shown and the row each first appeared on, for the import's
transaction. Its key compares bytes (``COLLATE "C"``): a code is only ever looked up by equality, which is the same
in every deterministic collation, and the database's own collation costs about 15 % more per code recorded."""

EMPTY_SEEN = sql.SQL("DELETE FROM {seen}").format(seen=SEEN)
"""Forgets the codes of an earlier file of the same transaction."""

FIRST_ROWS = sql.SQL(
    "SELECT s.code, s.first_row FROM unnest(%(codes)s::varchar[]) AS batch(code) "
    "CROSS JOIN LATERAL (SELECT code, first_row FROM {seen} WHERE code = batch.code LIMIT 1) AS s"
).format(seen=SEEN)
"""The first rows of the codes `codes` (a list): a batch's own row for a code it brought, an earlier batch's for one it
repeats — one look-up through the primary key per code (see ``add_seen_holding`` for why LATERAL … LIMIT 1)."""


def add_seen_holding(columns: list[str]) -> sql.Composed:
    """Records a batch's codes (`%(codes)s`, joined by `%(sep)s`) with their first rows (`%(rows)s`, comma-separated,
    in the same order) among the codes seen, and reads the `columns` of the products holding those codes, in one
    statement (one round trip a batch, the batch's codes split once). The first column of every row is the number of
    codes that were new to the file (all of them, unless a code repeats an earlier batch's); the others are a
    product's, or all NULL in the one row returned when no product holds any of the codes.

    Two strings split by the server: psycopg would dump a list parameter element by element in Python. The insert
    goes through the seen table's primary key (ON CONFLICT), so it costs the same on the thousandth batch as on the
    first, whatever the statistics of a table created in this very transaction say. The products are read one
    look-up through the code's unique index per code, written as a LATERAL subquery with LIMIT 1 (a code is unique,
    so the limit changes nothing) because that cannot be planned as anything but one index look-up per code. The
    plain ``code = ANY(…)`` is planned from the statistics the table had before the import's transaction began: on a
    catalog that was empty then they say "empty", and as the import fills it the planner still reads the whole table
    for every batch (a sequential scan, or a full scan of an index) — time growing with the square of the file
    (50,000 rows into a new database: 3 minutes instead of 10 s)."""
    return sql.SQL(
        "WITH batch AS MATERIALIZED (SELECT * FROM unnest(string_to_array(%(codes)s, %(sep)s)::varchar[], "
        "string_to_array(%(rows)s, ',')::integer[]) AS b(code, first_row)), "
        "added AS (INSERT INTO {seen} (code, first_row) SELECT code, first_row FROM batch "
        "ON CONFLICT (code) DO NOTHING RETURNING 1) "
        "SELECT (SELECT count(*) FROM added), {picked} FROM (SELECT) AS one LEFT JOIN (batch "
        "CROSS JOIN LATERAL (SELECT {columns} FROM {products} WHERE {code} = batch.code LIMIT 1) AS p) ON true"
    ).format(seen=SEEN, picked=_columns(columns, "p"), columns=_columns(columns), products=PRODUCTS, code=CODE)


# --- the COPY writer ------------------------------------------------------------------------------------------------


def stage(table: sql.Identifier) -> list[sql.Composed]:
    """Creates (for the import's transaction) and empties a staging table `table` with the product table's columns
    and no constraints."""
    return [
        sql.SQL(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {table} ON COMMIT DROP AS SELECT * FROM {products} WITH NO DATA"
        ).format(table=table, products=PRODUCTS),
        sql.SQL("TRUNCATE {table}").format(table=table),
    ]


def copy_into(table: sql.Identifier, columns: list[str]) -> sql.Composed:
    """Copies rows of `columns` into the table `table` (the products, their history, or a staging table)."""
    return sql.SQL("COPY {table} ({columns}) FROM STDIN").format(table=table, columns=_columns(columns))


SEQUENCE = "SELECT pg_get_serial_sequence(%(table)s, %(column)s)"
"""The sequence behind the column `column` of the table `table` (its name, for ``NEW_IDS``)."""

NEW_IDS = (
    "SELECT string_agg(id::text, ',' ORDER BY id) "
    "FROM (SELECT nextval(%(sequence)s::regclass) AS id FROM generate_series(1, %(count)s)) AS ids"
)
"""`count` new ids drawn from the sequence `sequence`, ascending, as one comma-separated text (the digits a COPY
sends): the ids the column's default would have given the same rows, drawn before the rows are sent so their history
rows can be COPYed with them."""


def _with_history(write: sql.Composable, alias: str, tracked: list[str]) -> sql.Composed:
    """`write` (an INSERT or UPDATE of products `alias`), also writing one history row per product it wrote from its
    RETURNING rows: the tracked columns, `%(now)s`, the reason `%(reason)s`, the type `%(kind)s` and the user
    `%(user)s` — what simple_history writes."""
    return sql.SQL(
        "WITH stored AS ({write} RETURNING {returned}) INSERT INTO {histories} ({tracked}, history_date, "
        "history_change_reason, history_type, history_user_id) "
        "SELECT {tracked}, %(now)s, %(reason)s, %(kind)s, %(user)s FROM stored"
    ).format(write=write, returned=_columns(tracked, alias), histories=HISTORIES, tracked=_columns(tracked))


def update_changed(columns: list[str], tracked: list[str]) -> sql.Composed:
    """Writes the changed `columns` of the staged changed products, updated `%(now)s`, with their history rows."""
    assignments = sql.SQL(", ").join(
        sql.SQL("{column} = {staged}").format(column=sql.Identifier(c), staged=sql.Identifier("s", c)) for c in columns
    )
    update = sql.SQL(
        "UPDATE {products} AS p SET {assignments}, updated_at = %(now)s FROM {changed} AS s WHERE p.id = s.id"
    ).format(products=PRODUCTS, assignments=assignments, changed=CHANGED)
    return _with_history(update, "p", tracked)
