"""Model instances from the rows of a hand-written SELECT, for the few hot reads where building and compiling an ORM
query costs more than running it (e.g. the listings an order is placed for).

A `Columns` names some concrete fields of a model; `select()` writes them as a SELECT list for a table (or alias),
and `make()` turns the matching slice of a result row into an instance exactly as the ORM would: the fields'
database converters applied (SQLite's decimals, booleans and dates, JSON), then `Model.from_db`, so the fields not
read are deferred and load on access like `.only()`'s. `attach()` caches a related instance on a foreign key, as
`select_related` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection as default_connection
from django.db.models import Model


class Columns:
    def __init__(self, model: type[Model], names: Iterable[str] | None = None):
        wanted = None if names is None else set(names)
        self.model = model
        # in the model's field order, which Model.from_db expects; the primary key is always read
        self.fields = [f for f in model._meta.concrete_fields
                       if wanted is None or f.primary_key or f.name in wanted or f.attname in wanted]
        if wanted is not None:
            unknown = wanted - {f.name for f in self.fields} - {f.attname for f in self.fields}
            if unknown:
                raise ValueError(f"{model.__name__} has no concrete field {', '.join(sorted(unknown))}")
        self.attnames = frozenset(f.attname for f in self.fields)
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def select(self, table: str, connection=default_connection) -> str:
        """`table.col1, table.col2, …` (quoted) for a SELECT list."""
        qn = connection.ops.quote_name
        prefix = qn(table) if table == self.model._meta.db_table else table
        return ", ".join(f"{prefix}.{qn(f.column)}" for f in self.fields)

    def _converters_for(self, connection) -> list:
        found = self._converters.get(connection.vendor)
        if found is None:
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.model._meta.db_table)
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if converters:
                    found.append((i, col, converters))
            self._converters[connection.vendor] = found
        return found

    def make(self, row: Sequence, start: int = 0, connection=default_connection) -> Model:
        """The instance read from `row[start:start + len(self)]`."""
        values = list(row[start:start + len(self.fields)])
        for i, col, converters in self._converters_for(connection):
            value = values[i]
            for converter in converters:
                value = converter(value, col, connection)
            values[i] = value
        return self.model.from_db(connection.alias, self.attnames, values)


def attach(instance: Model, field_name: str, related: Model | None) -> None:
    """Cache `related` as the object of the foreign key `field_name` of `instance` (as select_related does)."""
    instance._meta.get_field(field_name).set_cached_value(instance, related)
