"""Writing a batch of checked products, with one history row each, inside the import's transaction.

Two writers produce the same rows:
- ``OrmWriter`` — django-simple-history's ``bulk_create_with_history`` / ``bulk_update_with_history``; any database.
- ``CopyWriter`` — PostgreSQL ``COPY``: products and their history rows streamed in one round trip each, ids
  taken from the table's sequence up front, updates staged in a temporary table and applied with one
  ``UPDATE … FROM``. Building ORM INSERT statements costs several times what PostgreSQL needs to store the rows
  (each value goes through ``get_db_prep_save``), and ``bulk_update`` is a CASE per field and row; COPY skips
  both. History rows carry what simple_history writes: the tracked fields, the date, the user, the reason and
  the type (``+`` created, ``~`` changed).

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

HISTORY = Product.history.model
_PRODUCT_COLUMNS = [(f.attname, f.column) for f in Product._meta.concrete_fields]
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
            products, Product, batch_size=self.batch_size, default_user=self.user,
            default_change_reason=self.reason, default_date=now,
        )

    def update(self, rows: list[dict], fields: set[str]) -> None:
        now = timezone.now()
        products = []
        for row in rows:
            product = Product(**row)
            product.updated_at = now
            products.append(product)
        bulk_update_with_history(
            products, Product, sorted(fields | {"updated_at"}), batch_size=self.batch_size,
            default_user=self.user, default_change_reason=self.reason, default_date=now,
        )


class CopyWriter:
    STAGE = "catalog_import_stage"

    def __init__(self, *, user=None, reason: str, batch_size: int):
        self.user_id = getattr(user, "pk", None)
        self.reason = reason
        self.staged = False
        self.product_table = Product._meta.db_table
        self.history_table = HISTORY._meta.db_table

    def _copy(self, cursor, table: str, columns: list[str], rows) -> None:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def _history(self, cursor, rows: list[dict], kind: str, now) -> None:
        columns = [c for _, c in _HISTORY_TRACKED] + ["history_date", "history_change_reason", "history_type",
                                                       "history_user_id"]
        tail = (now, self.reason, kind, self.user_id)
        self._copy(
            cursor, self.history_table, columns,
            (values + tail for values in _rows_for([a for a, _ in _HISTORY_TRACKED], rows)),
        )

    def create(self, rows: list[dict]) -> None:
        now = timezone.now()
        with connection.cursor() as wrapper:
            # Ids up front from the table's own sequence, so the history rows can name their product.
            wrapper.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.product_table, len(rows)],
            )
            for row, (pk,) in zip(rows, wrapper.fetchall(), strict=True):
                row["id"] = pk
                row["created_at"] = row["updated_at"] = now
            cursor = wrapper.cursor  # the psycopg cursor: Django's wrapper has no copy()
            columns = [c for _, c in _PRODUCT_COLUMNS]
            self._copy(cursor, self.product_table, columns, _rows_for([a for a, _ in _PRODUCT_COLUMNS], rows))
            self._history(cursor, rows, "+", now)

    def update(self, rows: list[dict], fields: set[str]) -> None:
        now = timezone.now()
        quote = connection.ops.quote_name
        fields = set(fields) | {"updated_at"}
        changed = [(a, c) for a, c in _PRODUCT_COLUMNS if a in fields]
        with connection.cursor() as wrapper:
            if not self.staged:
                # Lives until the end of the import's transaction; emptied after each batch.
                # Same columns without the NOT NULLs: only the key and the changed columns are filled.
                wrapper.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.STAGE} ON COMMIT DROP AS "
                    f"SELECT * FROM {quote(self.product_table)} WITH NO DATA"
                )
                wrapper.execute(f"TRUNCATE {self.STAGE}")
                self.staged = True
            for row in rows:
                row["updated_at"] = now
            cursor = wrapper.cursor
            self._copy(cursor, self.STAGE, ["id"] + [c for _, c in changed],
                       _rows_for(["id"] + [a for a, _ in changed], rows))
            assignments = ", ".join(f"{quote(c)} = s.{quote(c)}" for _, c in changed)
            wrapper.execute(
                f"UPDATE {quote(self.product_table)} AS p SET {assignments} FROM {self.STAGE} AS s WHERE p.id = s.id"
            )
            wrapper.execute(f"TRUNCATE {self.STAGE}")
            self._history(cursor, rows, "~", now)


def writer_for(kind: str = "auto", **kwargs):
    """COPY on PostgreSQL, the ORM elsewhere; ``kind`` forces one ("orm" / "copy")."""
    if kind == "auto":
        kind = "copy" if connection.vendor == "postgresql" else "orm"
    return (CopyWriter if kind == "copy" else OrmWriter)(**kwargs)
