"""Writing a batch of checked products, with one history row each, inside the import's transaction.

The import stores through ``CopyWriter``: each batch's new products are ``COPY``ed straight into the product table,
with ids drawn from its sequence, and their history rows are written from the stored rows by one ``INSERT … SELECT``
— by a thread of the import's own, while the process checks the next batch. Changed products are ``COPY``ed into a
temporary staging table and ``flush`` (once, after the whole file was checked) stores them with one ``UPDATE … FROM``
that also writes their history rows from its ``RETURNING``. Building ORM INSERT statements costs several times what
PostgreSQL needs to store the rows, and ``bulk_update`` is a CASE per field and row; COPY skips both. History rows
carry what simple_history writes: the tracked fields, the date, the user, the reason and the type (``+`` created,
``~`` changed).

A file with an error stores nothing: the import runs in one transaction, rolled back at the end, and no batch is
written once a bad row has been seen (the batches before it are undone with the rest).

Rows are dicts of ``Product`` attribute names (``manufacturer_id``, not ``manufacturer``), complete for creates,
and with ``id`` for updates.
"""

from __future__ import annotations

import enum
from concurrent.futures import Future, ThreadPoolExecutor, wait
from operator import itemgetter

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import Product
from . import sql

HISTORY = Product.history.model
_PRODUCT_COLUMNS = [(f.attname, f.column) for f in Product._meta.concrete_fields if not f.generated]
_HISTORY_TRACKED = [(f.attname, f.column) for f in HISTORY.tracked_fields]
_PRODUCT_ATTNAMES = [a for a, _ in _PRODUCT_COLUMNS]
_PRODUCT_DB_COLUMNS = [c for _, c in _PRODUCT_COLUMNS]
_NEW_ATTNAMES = [a for a in _PRODUCT_ATTNAMES if a != "id"]  # a new product's id comes from the column's default
_NEW_DB_COLUMNS = [c for a, c in _PRODUCT_COLUMNS if a != "id"]
_HISTORY_OF_NEW = sql.history_of_new([c for _, c in _HISTORY_TRACKED])
_CHOICE_FIELDS = [f.attname for f in Product._meta.concrete_fields if f.choices]


def _plain_choices(rows: list[dict]) -> None:
    """psycopg writes a Python enum by its name, so a TextChoices member that slipped into a choice field is turned
    into its value."""
    for row in rows:
        for name in _CHOICE_FIELDS:
            if isinstance(row.get(name), enum.Enum):
                row[name] = row[name].value


def _rows_for(attnames: list[str], rows: list[dict]):
    """Tuples in column order."""
    getter = itemgetter(*attnames)
    if len(attnames) == 1:
        return ((getter(row),) for row in rows)
    return map(getter, rows)


class _Writer:
    """A batch is stored inside a savepoint of its own: ``start`` begins storing it, ``settle`` waits until it is
    stored and the savepoint released — or rolled back, raising the database error and leaving the transaction
    usable — and ``flush``, once every row was checked, stores what was kept for the end."""

    def __init__(self, *, user=None, reason: str, batch_size: int):
        self.user = user
        self.reason = reason
        self.batch_size = batch_size
        self.savepoint: str | None = None

    def start(self, creates: list[dict], updates: list[dict], fields: set[str]) -> None:
        """``creates`` are new products (every field but the id and timestamps), ``updates`` whole products (the
        stored one with its changes) and ``fields`` the ones that changed."""
        self.savepoint = transaction.savepoint()
        try:
            self._start(creates, updates, fields)
        except DatabaseError:
            self._roll_back()
            raise

    def settle(self) -> None:
        if self.savepoint is None:
            return
        try:
            self._wait()
        except DatabaseError:
            self._roll_back()
            raise
        transaction.savepoint_commit(self.savepoint)
        self.savepoint = None

    def _roll_back(self) -> None:
        transaction.savepoint_rollback(self.savepoint)
        self.savepoint = None

    def _start(self, creates: list[dict], updates: list[dict], fields: set[str]) -> None:
        raise NotImplementedError

    def _wait(self) -> None:
        """Nothing to wait for: ``_start`` stored the batch."""

    def flush(self) -> None:
        """Nothing left to store: each batch was stored as it came."""

    def close(self) -> None:
        """Nothing left running."""


class OrmWriter(_Writer):
    """django-simple-history's bulk helpers, batch by batch: the reference the COPY writer is tested against."""

    def _start(self, creates: list[dict], updates: list[dict], fields: set[str]) -> None:
        now = timezone.now()
        if creates:
            bulk_create_with_history(
                [Product(**row) for row in creates],
                Product,
                batch_size=self.batch_size,
                default_user=self.user,
                default_change_reason=self.reason,
                default_date=now,
            )
        if updates:
            products = []
            for row in updates:
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


class CopyWriter(_Writer):
    """New products are COPYed batch by batch straight into the product table — their ids drawn from the table's
    sequence by the column's default as the rows go in, in code order — and their history rows written from the
    stored rows, by a thread of the import's own, on the import's connection (shared between the two threads; the
    import touches the database again only after ``settle``), so the server stores one batch while the process checks
    the next. Changed products are COPYed into a temporary staging table (no WAL, no index) and ``flush`` stores them
    with one ``UPDATE … FROM`` feeding its ``RETURNING`` rows into the history table in the same statement. Every row
    of one import carries the same time (created, updated, history)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.user_id = getattr(self.user, "pk", None)
        self.staged = False
        self.now = None
        self.update_fields: set[str] = set()
        self.thread: ThreadPoolExecutor | None = None
        self.copying: Future | None = None

    def _now(self):
        if self.now is None:
            self.now = timezone.now()
        return self.now

    def _start(self, creates: list[dict], updates: list[dict], fields: set[str]) -> None:
        if updates:
            self.update_fields |= set(fields)
            _plain_choices(updates)
        if creates:
            creates.sort(key=itemgetter("nhsa_code"))  # the code's indexes then take each batch in order
            _plain_choices(creates)
            now = self._now()
            for row in creates:
                row["created_at"] = row["updated_at"] = now
        if self.thread is None:
            self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-import")
            connection.inc_thread_sharing()  # until close(): the thread uses this thread's connection
        # this thread's wrapper itself (``connection`` names the calling thread's, whichever thread that is)
        self.copying = self.thread.submit(self._store, connections[DEFAULT_DB_ALIAS], creates, updates)

    def _store(self, db, creates: list[dict], updates: list[dict]) -> None:
        """In the storing thread, on the import's connection ``db`` (its Django wrapper, so the statements go through
        its wrappers and errors), inside the batch's savepoint: the changed products staged, the new ones COPYed and
        their history rows written."""
        with db.cursor() as cursor:
            if updates:
                self._stage_updates(cursor, updates)
            if creates:
                _copy(cursor.cursor, sql.PRODUCTS, _NEW_DB_COLUMNS, _rows_for(_NEW_ATTNAMES, creates))
                codes = sql.SEP.join(row["nhsa_code"] for row in creates)
                params = {"codes": codes, "sep": sql.SEP, "now": self.now, "reason": self.reason}
                sql.execute(cursor, _HISTORY_OF_NEW, {**params, "user": self.user_id})

    def _wait(self) -> None:
        copying, self.copying = self.copying, None
        if copying is not None:
            with connection.wrap_database_errors:  # psycopg's error (from the COPY) → Django's
                copying.result()

    def _stage_updates(self, cursor, rows: list[dict]) -> None:
        if not self.staged:  # lives until the end of the import's transaction
            for statement in sql.stage(sql.CHANGED):
                sql.execute(cursor, statement)
            self.staged = True
        _copy(cursor.cursor, sql.CHANGED, _PRODUCT_DB_COLUMNS, _rows_for(_PRODUCT_ATTNAMES, rows))

    def flush(self) -> None:
        """Store the staged changes: called once, after every row of the file has been checked."""
        if not self.update_fields:
            return
        tracked = [c for _, c in _HISTORY_TRACKED]
        params = {"now": self._now(), "reason": self.reason, "user": self.user_id, "kind": "~"}
        changed = [c for a, c in _PRODUCT_COLUMNS if a in self.update_fields]
        with connection.cursor() as cursor:
            sql.execute(cursor, sql.update_changed(changed, tracked), params)

    def close(self) -> None:
        """Wait for a batch still being stored (the import failed otherwise) and end the thread."""
        if self.copying is not None:
            wait([self.copying])
            self.copying = None
        if self.thread is not None:
            self.thread.shutdown()
            self.thread = None
            connection.dec_thread_sharing()


def _copy(cursor, table, columns: list[str], rows) -> None:
    """COPY ``rows`` (tuples) into ``columns`` of ``table`` with a psycopg cursor (Django's wrapper has no copy())."""
    with cursor.copy(sql.copy_into(table, columns)) as copy:
        for row in rows:
            copy.write_row(row)


def writer_for(kind: str = "auto", **kwargs) -> _Writer:
    """The COPY writer (``auto``, ``copy``), or the reference it is tested against (``orm``)."""
    return (OrmWriter if kind == "orm" else CopyWriter)(**kwargs)
