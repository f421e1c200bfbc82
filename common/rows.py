"""Model instances from the rows of a hand-written SELECT, for the few hot reads where building and compiling an ORM
query costs more than running it (e.g. the listings an order is placed for).

A `Columns` names some concrete fields of a model; `select()` writes them as a SELECT list for a table (or alias),
and `make()` turns the matching slice of a result row into an instance exactly as the ORM would: the fields'
database converters applied (JSON, for one), then `Model.from_db`, so the fields not
read are deferred and load on access like `.only()`'s. `attach()` caches a related instance on a foreign key, as
`select_related` does. `read_by_id()` puts these together for the common case: rows by id, one related object,
some SQL expressions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection as default_connection
from django.db.models import Model
from django.db.models.expressions import RawSQL

BIGINT_LIMIT = 2**63


class Columns:
    def __init__(self, model: type[Model], names: Iterable[str] | None = None):
        wanted = None if names is None else set(names)
        self.model = model
        # in the model's field order, which Model.from_db expects; the primary key is always read
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if wanted is None or f.primary_key or f.name in wanted or f.attname in wanted
        ]
        if wanted is not None:
            unknown = wanted - {f.name for f in self.fields} - {f.attname for f in self.fields}
            if unknown:
                raise ValueError(f"{model.__name__} has no concrete field {', '.join(sorted(unknown))}")
        self.attnames = frozenset(f.attname for f in self.fields)
        self._converters: list | None = None  # found on first use

    def __len__(self) -> int:
        return len(self.fields)

    def select(self, table: str, connection=default_connection) -> str:
        """`table.col1, table.col2, …` (quoted) for a SELECT list."""
        qn = connection.ops.quote_name
        prefix = qn(table) if table == self.model._meta.db_table else table
        return ", ".join(f"{prefix}.{qn(f.column)}" for f in self.fields)

    def _converters_for(self, connection) -> list:
        if self._converters is None:
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.model._meta.db_table)
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if converters:
                    found.append((i, col, converters))
            self._converters = found
        return self._converters

    def make(self, row: Sequence, start: int = 0, connection=default_connection) -> Model:
        """The instance read from `row[start:start + len(self)]`."""
        values = list(row[start : start + len(self.fields)])
        for i, col, converters in self._converters_for(connection):
            value = values[i]
            for converter in converters:
                value = converter(value, col, connection)
            values[i] = value
        return self.model.from_db(connection.alias, self.attnames, values)


def attach(instance: Model, field_name: str, related: Model | None) -> None:
    """Cache `related` as the object of the foreign key `field_name` of `instance` (as select_related does)."""
    instance._meta.get_field(field_name).set_cached_value(instance, related)


def read_by_id(
    columns: Columns,
    ids: Iterable[int],
    *,
    related: tuple[str, Columns] | None = None,
    extra: dict[str, RawSQL] | None = None,
    connection=default_connection,
) -> dict[int, Model]:
    """The instances of `columns.model` with these ids, by id, in one query: each with the object of the foreign key
    `related` (its name and the Columns to read of its model; None when the key is empty) and the `extra` SQL
    expressions as attributes, converted as the ORM converts an annotation of their output field.

    The ids are one array parameter, so the statement is the same (and prepared once) for any number of ids."""
    # an id no 64-bit integer column can hold names no row (and could not be sent as a bigint array)
    ids = sorted({i for i in ids if -BIGINT_LIMIT <= i < BIGINT_LIMIT})
    if not ids:
        return {}
    qn = connection.ops.quote_name
    table = columns.model._meta.db_table
    selected, joins = [columns.select(table, connection)], ""
    if related is not None:
        name, rel_columns = related
        key = columns.model._meta.get_field(name)
        rel_table = rel_columns.model._meta.db_table
        selected.append(rel_columns.select(rel_table, connection))
        joins = (
            f" LEFT OUTER JOIN {qn(rel_table)} ON {qn(rel_table)}.{qn(key.target_field.column)} = "
            f"{qn(table)}.{qn(key.column)}"
        )
        rel_pk = next(i for i, f in enumerate(rel_columns.fields) if f.primary_key)
    expressions = list((extra or {}).items())
    selected += [f"{expression.sql} AS {qn(name)}" for name, expression in expressions]
    params = [p for _, expression in expressions for p in expression.params]
    where = f"{qn(table)}.{qn(columns.model._meta.pk.column)} = ANY(%s)"
    params.append(ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selected)} FROM {qn(table)}{joins} WHERE {where}", params)
        rows = cursor.fetchall()
    converters = [connection.ops.get_db_converters(e) + e.get_db_converters(connection) for _, e in expressions]
    start = len(columns) + (len(related[1]) if related else 0)
    found = {}
    for row in rows:
        item = columns.make(row, 0, connection)
        if related is not None:
            present = row[len(columns) + rel_pk] is not None
            attach(item, related[0], rel_columns.make(row, len(columns), connection) if present else None)
        for k, (name, expression) in enumerate(expressions):
            value = row[start + k]
            for converter in converters[k]:
                value = converter(value, expression, connection)
            setattr(item, name, value)
        found[item.pk] = item
    return found
