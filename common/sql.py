"""Names for hand-written SQL, taken from the models' `_meta`, as `psycopg.sql` identifiers.

The set-based statements of each app live in one module per capability (`procurement/sql/progress.py`, …), written
as `psycopg.sql.SQL` texts whose tables are `{placeholders}` filled from here; values are named parameters
(`%(name)s`), never text pasted into the statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Model
from psycopg.sql import SQL, Composed, Identifier


def table(model: type[Model]) -> Identifier:
    """The model's table."""
    return Identifier(model._meta.db_table)


def tables(**models: type[Model]) -> dict[str, Identifier]:
    """`{name: table}` for `SQL.format`: `SQL("… FROM {lot} …").format(**tables(lot=Lot))`."""
    return {name: table(model) for name, model in models.items()}


def column_names(model: type[Model], names: Iterable[str] | None = None) -> list[str]:
    """The columns of the model's concrete fields (`names`: field names, in that order), the primary key left out
    when all are taken."""
    if names is None:
        return [f.column for f in model._meta.concrete_fields if not f.primary_key]
    return [model._meta.get_field(name).column for name in names]


def column_list(columns: Iterable[str], prefix: str | None = None) -> Composed:
    """`a, b, c` or, with a prefix (a table alias), `p.a, p.b, p.c`."""
    return SQL(", ").join(Identifier(prefix, c) if prefix else Identifier(c) for c in columns)


def array_text(values: Iterable[int | date]) -> str:
    """Integers or dates as the text of a PostgreSQL array, `{1,2,3}`, for a parameter the statement casts
    (`%(ids)s::bigint[]`). psycopg dumps a list element by element in Python: an incremental scan's touched
    hospital-months — 20,000 at a province's scale, three arrays in each of five statements — took a tenth of a
    second per array and statement (twice with DEBUG on, which renders every statement once more); the text is one
    join."""
    return "{" + ",".join(map(str, values)) + "}"
