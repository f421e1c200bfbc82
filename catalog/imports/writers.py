"""Writing a batch of checked products, with one history row each, inside the import's transaction.

The import stores through ``CopyWriter``: each batch is ``COPY``ed into a temporary staging table, and ``flush``
(once, after the whole file was checked) stores everything with one ``INSERT … SELECT`` for the new products and one
  ``UPDATE … FROM`` for the changed ones, each statement also writing the history rows from its ``RETURNING``.
  Building ORM INSERT statements costs several times what PostgreSQL needs to store the rows, ``bulk_update`` is a
  CASE per field and row, and a thousand small writes into a table with five trigram indexes cost far more than
  one big one; the staging table skips all three. History rows carry what simple_history writes: the tracked
  fields, the date, the user, the reason and the type (``+`` created, ``~`` changed).

Rows are dicts of ``Product`` attribute names (``manufacturer_id``, not ``manufacturer``), complete for creates,
and with ``id`` for updates.
"""

from __future__ import annotations

import enum
from operator import itemgetter

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import Product
from . import sql

HISTORY = Product.history.model
_PRODUCT_COLUMNS = [(f.attname, f.column) for f in Product._meta.concrete_fields if not f.generated]
_HISTORY_TRACKED = [(f.attname, f.column) for f in HISTORY.tracked_fields]
_CHOICE_FIELDS = [f.attname for f in Product._meta.concrete_fields if f.choices]


def _rows_for(attnames: list[str], rows: list[dict]):
    """Tuples in column order. psycopg writes a Python enum by its name, so a TextChoices member that slipped
    into a choice field is turned into its value first."""
    for row in rows:
        for name in _CHOICE_FIELDS:
            if isinstance(row.get(name), enum.Enum):
                row[name] = row[name].value
    getter = itemgetter(*attnames)
    if len(attnames) == 1:
        return ((getter(row),) for row in rows)
    return map(getter, rows)


class OrmWriter:
    def __init__(self, *, user=None, reason: str, batch_size: int):
        self.user = user
        self.reason = reason
        self.batch_size = batch_size

    def create(self, rows: list[dict]) -> None:
        now = timezone.now()
        products = [Product(**row) for row in rows]
        bulk_create_with_history(
            products,
            Product,
            batch_size=self.batch_size,
            default_user=self.user,
            default_change_reason=self.reason,
            default_date=now,
        )

    def update(self, rows: list[dict], fields: set[str]) -> None:
        now = timezone.now()
        products = []
        for row in rows:
            product = Product(**row)
            product.updated_at = now
            products.append(product)
        bulk_update_with_history(
            products,
            Product,
            sorted(fields | {"updated_at"}),
            batch_size=self.batch_size,
            default_user=self.user,
            default_change_reason=self.reason,
            default_date=now,
        )

    def flush(self) -> None:
        """Nothing left to store: each batch was written as it came."""


class CopyWriter:
    """Each batch is COPYed into a temporary staging table (no WAL, no index); ``flush`` then stores the whole file
    with one ``INSERT … SELECT`` (new products, in code order) and one ``UPDATE … FROM`` (changed ones), each feeding
    its ``RETURNING`` rows straight into the history table in the same statement."""

    CREATED = [(a, c) for a, c in _PRODUCT_COLUMNS if a not in ("id", "created_at", "updated_at")]

    def __init__(self, *, user=None, reason: str, batch_size: int):
        self.user_id = getattr(user, "pk", None)
        self.reason = reason
        self.staged = False
        self.creates = 0
        self.update_fields: set[str] = set()

    def _stage(self, wrapper) -> None:
        if self.staged:
            return
        for table in (sql.NEW, sql.CHANGED):  # lives until the end of the import's transaction
            for statement in sql.stage(table):
                sql.execute(wrapper, statement)
        self.staged = True

    def _copy(self, wrapper, table, columns: list[tuple[str, str]], rows) -> None:
        cursor = wrapper.cursor  # psycopg's cursor: Django's wrapper has no copy()
        with cursor.copy(sql.copy_into(table, [c for _, c in columns])) as copy:
            for row in _rows_for([a for a, _ in columns], rows):
                copy.write_row(row)

    def create(self, rows: list[dict]) -> None:
        with connection.cursor() as wrapper:
            self._stage(wrapper)
            self._copy(wrapper, sql.NEW, self.CREATED, rows)
        self.creates += len(rows)

    def update(self, rows: list[dict], fields: set[str]) -> None:
        """``rows`` are whole products (the stored one with its changes); ``fields`` the ones that changed."""
        self.update_fields |= set(fields)
        with connection.cursor() as wrapper:
            self._stage(wrapper)
            self._copy(wrapper, sql.CHANGED, _PRODUCT_COLUMNS, rows)

    def flush(self) -> None:
        """Store what was staged: called once, after every row of the file has been checked."""
        if not self.staged:
            return
        tracked = [c for _, c in _HISTORY_TRACKED]
        params = {"now": timezone.now(), "reason": self.reason, "user": self.user_id}
        with connection.cursor() as cursor:
            # The new rows are sorted by code in memory rather than in temporary files (until the import commits).
            cursor.execute("SET LOCAL work_mem = '64MB'")
            if self.creates:
                sql.execute(cursor, sql.insert_new([c for _, c in self.CREATED], tracked), {**params, "kind": "+"})
            if self.update_fields:
                changed = [c for a, c in _PRODUCT_COLUMNS if a in self.update_fields]
                sql.execute(cursor, sql.update_changed(changed, tracked), {**params, "kind": "~"})


def writer_for(kind: str = "auto", **kwargs):
    """The COPY writer (``auto``, ``copy``), or the reference it is tested against (``orm``)."""
    return (OrmWriter if kind == "orm" else CopyWriter)(**kwargs)
