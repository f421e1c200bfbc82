"""Turning a table Django created into one partitioned by month, keeping its name, columns, identity sequence,
check constraints, indexes (by name), foreign keys and triggers — for the migrations that partition the flow tables.

PostgreSQL requires every unique key of a partitioned table to include the partition column. The primary key becomes
`(id, column)`; `id` still comes from the table's one identity sequence, so it stays unique and Django keeps it as
the model's primary key. Each other unique key must be named in `widen` (old name → new name) and becomes the same
columns plus the partition column, as a constraint or, when it was a partial unique index, as a partial unique index.
A foreign key *into* the table cannot remain (it would need a unique key on `id` alone): the conversion refuses to
run while one exists, so that each is decided (and dropped) by the migration of the referencing app.

Existing rows are copied into the new table, whose months then cover every month that has rows, so a migration of a
database in use leaves the DEFAULT partition empty. On a large table run it at a quiet hour: the copy rewrites it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.migrations import RunPython
from psycopg.sql import SQL, Composed, Identifier, Literal

from .ddl import Partitioned, add_months, create_default, create_month, month_start, months

OLD_SUFFIX = "__unpartitioned"


@dataclass(frozen=True)
class _Index:
    name: str
    unique: bool
    constraint: bool  # backs a UNIQUE constraint (else a plain or unique index)
    method: str
    columns: list[str]
    opclasses: list[str]  # '' for the column type's default
    predicate: str | None


def _referencing_keys(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
        [table],
    )
    return cursor.fetchall()


def _indexes(cursor, table: str) -> list[_Index]:
    """The table's indexes but the primary key's, with their key columns (expressions and non-default operator
    classes are not supported: none of the flow tables has one)."""
    cursor.execute(
        """SELECT ic.relname, x.indisunique, con.oid IS NOT NULL, am.amname, x.indnkeyatts,
                  ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n),
                  pg_get_expr(x.indpred, x.indrelid), x.indexprs IS NOT NULL,
                  ARRAY(SELECT CASE WHEN o.opcdefault THEN '' ELSE o.opcname END
                        FROM unnest(x.indclass::oid[]) WITH ORDINALITY c(oid, n) JOIN pg_opclass o ON o.oid = c.oid
                        ORDER BY c.n)
           FROM pg_index x
           JOIN pg_class ic ON ic.oid = x.indexrelid
           JOIN pg_am am ON am.oid = ic.relam
           LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.contype = 'u'
           WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
           ORDER BY ic.relname""",
        [table],
    )
    out = []
    for name, unique, constraint, method, nkeys, columns, predicate, expressions, opclasses in cursor.fetchall():
        if expressions or len(columns) != nkeys:
            raise ValueError(f"index {name} of {table}: expressions and INCLUDE columns are not supported")
        out.append(_Index(name, unique, constraint, method, list(columns), list(opclasses), predicate))
    return out


def _foreign_keys(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
        "ORDER BY conname",
        [table],
    )
    return cursor.fetchall()


# pg_trigger.tgtype bits
_ROW, _BEFORE, _INSERT, _DELETE, _UPDATE, _TRUNCATE, _INSTEAD = 1, 2, 4, 8, 16, 32, 64


def _triggers(cursor, table: str) -> list[tuple[str, int, str]]:
    cursor.execute(
        """SELECT t.tgname, t.tgtype, p.oid::regprocedure::text, t.tgnargs, t.tgqual IS NOT NULL, t.tgattr::text
           FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
           WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal ORDER BY t.tgname""",
        [table],
    )
    out = []
    for name, kind, function, nargs, qual, columns in cursor.fetchall():
        if nargs or qual or columns.strip() or kind & (_TRUNCATE | _INSTEAD) or not kind & _ROW:
            raise ValueError(f"trigger {name} of {table}: only plain row triggers without arguments are supported")
        out.append((name, kind, function.split("(")[0]))
    return out


def _trigger_sql(table: str, name: str, kind: int, function: str) -> Composed:
    events = [e for bit, e in ((_INSERT, "INSERT"), (_UPDATE, "UPDATE"), (_DELETE, "DELETE")) if kind & bit]
    return SQL("CREATE TRIGGER {name} {when} {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()").format(
        name=Identifier(name),
        when=SQL("BEFORE" if kind & _BEFORE else "AFTER"),
        events=SQL(" OR ".join(events)),
        table=Identifier(table),
        function=Identifier(*function.split(".")),
    )


def _index_sql(table: str, index: _Index, *, column: str, widen: dict[str, str]) -> Composed:
    keys = list(zip(index.columns, index.opclasses, strict=True))
    name = index.name
    if index.unique and column not in index.columns:
        if name not in widen:
            raise ValueError(f"unique key {name} of {table} lacks {column}: name it in `widen`")
        keys, name = [*keys, (column, "")], widen[name]
    cols = SQL(", ").join(
        SQL("{} {}").format(Identifier(c), Identifier(opclass)) if opclass else Identifier(c) for c, opclass in keys
    )
    if index.constraint:
        return SQL("ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({cols})").format(
            table=Identifier(table), name=Identifier(name), cols=cols
        )
    return SQL("CREATE {unique}INDEX {name} ON {table} USING {method} ({cols}){where}").format(
        unique=SQL("UNIQUE " if index.unique else ""),
        name=Identifier(name),
        table=Identifier(table),
        method=SQL(index.method),
        cols=cols,
        where=SQL(" WHERE {}").format(SQL(index.predicate)) if index.predicate else SQL(""),
    )


def partition_by_month(
    cursor, *, table: str, column: str, first: date, last: date, widen: dict[str, str] | None = None
) -> None:
    """Make `table` a table partitioned by month on `column`: a partition for every month from `first`'s to
    `last`'s and every month that has rows, and a DEFAULT partition. The rows are copied over."""
    widen = widen or {}
    referencing = _referencing_keys(cursor, table)
    if referencing:
        raise ValueError(f"{table} is referenced by foreign keys {referencing}: drop them first")
    old = table + OLD_SUFFIX
    indexes, foreign_keys, triggers = _indexes(cursor, table), _foreign_keys(cursor, table), _triggers(cursor, table)
    unknown = set(widen) - {i.name for i in indexes}
    if unknown:
        raise ValueError(f"{table} has no unique keys {sorted(unknown)}")
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table])
    (pkey,) = cursor.fetchone()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    ident = {"table": Identifier(table), "old": Identifier(old), "column": Identifier(column)}

    # the old table gives up its name and the names of its indexes and key (they are the schema's)
    cursor.execute(SQL("ALTER TABLE {table} RENAME TO {old}").format(**ident))
    for name, _kind, _function in triggers:
        cursor.execute(SQL("DROP TRIGGER {} ON {old}").format(Identifier(name), **ident))
    cursor.execute(SQL("ALTER TABLE {old} DROP CONSTRAINT {}").format(Identifier(pkey), **ident))
    for index in indexes:
        if index.constraint:
            cursor.execute(SQL("ALTER TABLE {old} DROP CONSTRAINT {}").format(Identifier(index.name), **ident))
        else:
            cursor.execute(SQL("DROP INDEX {}").format(Identifier(index.name)))
    cursor.execute(
        SQL(
            "CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
            "INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({column})"
        ).format(**ident)
    )
    cursor.execute(
        SQL("ALTER TABLE {table} ADD CONSTRAINT {pkey} PRIMARY KEY (id, {column})").format(
            pkey=Identifier(pkey), **ident
        )
    )
    cursor.execute(SQL("SELECT min({column}), max({column}), max(id) FROM {old}").format(**ident))
    low, high, max_id = cursor.fetchone()
    cursor.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
        [table, column],
    )
    part = Partitioned(table, column, cursor.fetchone()[0])
    first = min(first, month_start(low)) if low else first
    last = max(last, month_start(high)) if high else last
    for month in months(first, last):
        create_month(cursor, part, month)
    create_default(cursor, table)
    for index in indexes:
        cursor.execute(_index_sql(table, index, column=column, widen=widen))
    cursor.execute(SQL("INSERT INTO {table} SELECT * FROM {old}").format(**ident))
    if max_id is not None:
        cursor.execute(SQL("ALTER TABLE {table} ALTER COLUMN id RESTART WITH {}").format(Literal(max_id + 1), **ident))
    for name, definition in foreign_keys:
        cursor.execute(
            SQL("ALTER TABLE {table} ADD CONSTRAINT {} {}").format(Identifier(name), SQL(definition), **ident)
        )
    for name, kind, function in triggers:
        cursor.execute(_trigger_sql(table, name, kind, function))
    cursor.execute(SQL("DROP TABLE {old}").format(**ident))
    # the new identity sequence took a suffixed name while the old one existed; give it the old name back
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (new_sequence,) = cursor.fetchone()
    if sequence and new_sequence != sequence:
        cursor.execute(
            SQL("ALTER SEQUENCE {} RENAME TO {}").format(
                Identifier(*new_sequence.split(".")), Identifier(sequence.split(".")[-1])
            )
        )


def migration_operation(*tables: tuple[str, str, dict[str, str]]):
    """A `RunPython` partitioning each `(table, column, widen)` by month: the months from January of last year to
    three months ahead (the beat job `common.ensure_partitions` keeps adding them), and every month with rows.
    Not reversible: going back would be a copy into a plain table, which no deployment has needed."""

    def forwards(apps, schema_editor):
        today = date.today()
        with schema_editor.connection.cursor() as cursor:
            for table, column, widen in tables:
                partition_by_month(
                    cursor,
                    table=table,
                    column=column,
                    first=date(today.year - 1, 1, 1),
                    last=add_months(month_start(today), 3),
                    widen=widen,
                )

    return RunPython(forwards, elidable=False)
