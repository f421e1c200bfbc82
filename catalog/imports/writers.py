"""Writing a batch of checked products, with one history row each, inside the import's transaction.

The import stores through ``CopyWriter``: each batch's new products are ``COPY``ed straight into the product table,
with ids drawn from its sequence beforehand (one statement), and their history rows ``COPY``ed from the same text —
by a thread of the import's own, while the process checks the next batch. Changed products are ``COPY``ed into a
temporary staging table and ``flush`` (once, after the whole file was checked) stores them with one ``UPDATE … FROM``
that also writes their history rows from its ``RETURNING``. Building ORM INSERT statements costs several times what
PostgreSQL needs to store the rows, and ``bulk_update`` is a CASE per field and row; COPY skips both. History rows
carry what simple_history writes: the tracked fields, the date, the user, the reason and the type (``+`` created,
``~`` changed).

A file with an error stores nothing: the import runs in one transaction, rolled back at the end, and no batch is
written once a bad row has been seen (the batches before it are undone with the rest).

New products come as columns (``Product`` attribute name → one value per product, every field but the id and the
timestamps; ``new_columns``), changed ones as dicts of attribute names (``manufacturer_id``, not ``manufacturer``) with
``id``. The COPY of new products is one buffer per batch, each column's distinct values dumped once (``_Dump.column``, ``_copy_text``):
a batch repeats its forms, units, makers and flags on every row, and psycopg's ``write_row`` would dump every cell of
every row.
"""

from __future__ import annotations

import enum
import re
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from operator import itemgetter

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from psycopg.adapt import PyFormat, Transformer
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
_ID = Product._meta.pk.column
# A new product's COPY line is its history row's tracked columns, in the history table's order, then the columns
# only the product table has: the tracked part of each line is made once and sent in both COPYs.
_TRACKED_DB_COLUMNS = [c for _, c in _HISTORY_TRACKED]
_UNTRACKED_DB_COLUMNS = [c for c in [_ID, *_NEW_DB_COLUMNS] if c not in _TRACKED_DB_COLUMNS]
_COPY_NEW = sql.copy_into(sql.PRODUCTS, [*_TRACKED_DB_COLUMNS, *_UNTRACKED_DB_COLUMNS])
_HISTORY_EXTRA = ["history_date", "history_change_reason", "history_type", "history_user_id"]  # after the tracked
_COPY_HISTORY = sql.copy_into(sql.HISTORIES, [*_TRACKED_DB_COLUMNS, *_HISTORY_EXTRA])
_CHOICE_FIELDS = [f.attname for f in Product._meta.concrete_fields if f.choices]
_STAMPS = frozenset({"created_at", "updated_at"})
NEW_FIELDS = tuple(a for a in _NEW_ATTNAMES if a not in _STAMPS)  # the columns of a batch's new products
NEW_DEFAULTS = {f.attname: f.get_default() for f in Product._meta.concrete_fields if f.attname in NEW_FIELDS}


def _plain_choices(rows: list[dict]) -> None:
    """psycopg writes a Python enum by its name, so a TextChoices member that slipped into a choice field is turned
    into its value."""
    for row in rows:
        for name in _CHOICE_FIELDS:
            if isinstance(row.get(name), enum.Enum):
                row[name] = row[name].value


def _plain_choice_column(values: list) -> list:
    """A choice column with its TextChoices members (if any slipped in) turned into their values."""
    if set(map(type, values)) <= {str}:
        return values
    return [v.value if isinstance(v, enum.Enum) else v for v in values]


def new_columns(rows: list[dict]) -> dict[str, list]:
    """New products given as dicts (every field in ``NEW_FIELDS``) → the columns ``start`` takes."""
    if not rows:
        return {}
    return dict(zip(NEW_FIELDS, map(list, zip(*map(itemgetter(*NEW_FIELDS), rows), strict=True)), strict=True))


def new_products(parts: list[tuple[int, dict[str, list]]]) -> dict[str, list]:
    """A batch's new products, given in parts (how many, their cleaned columns — the fields a part has not: the
    field's default), as the columns ``start`` takes, every field in ``NEW_FIELDS``; {} for none."""
    parts = [(count, columns) for count, columns in parts if count]
    if len(parts) == 1:
        count, columns = parts[0]
        return {name: columns.get(name) or [NEW_DEFAULTS[name]] * count for name in NEW_FIELDS}
    merged: dict[str, list] = {name: [] for name in NEW_FIELDS} if parts else {}
    for count, columns in parts:
        for name, values in merged.items():
            values += columns.get(name) or [NEW_DEFAULTS[name]] * count
    return merged


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

    def start(self, creates: dict[str, list], updates: list[dict], fields: set[str]) -> None:
        """``creates`` are new products as columns (``NEW_FIELDS`` → one value per product; {} for none),
        ``updates`` whole products (the stored one with its changes) and ``fields`` the ones that changed."""
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

    def _start(self, creates: dict[str, list], updates: list[dict], fields: set[str]) -> None:
        raise NotImplementedError

    def _wait(self) -> None:
        """Nothing to wait for: ``_start`` stored the batch."""

    def flush(self) -> None:
        """Nothing left to store: each batch was stored as it came."""

    def close(self) -> None:
        """Nothing left running."""


class OrmWriter(_Writer):
    """django-simple-history's bulk helpers, batch by batch: the reference the COPY writer is tested against."""

    def _start(self, creates: dict[str, list], updates: list[dict], fields: set[str]) -> None:
        now = timezone.now()
        if creates:
            names = tuple(creates)
            bulk_create_with_history(
                [Product(**dict(zip(names, values, strict=True))) for values in zip(*creates.values(), strict=True)],
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
    sequence first (``sql.NEW_IDS``), ascending in code order, as the column's default would give them — and their
    history rows COPYed from the same column texts (no second look-up of the stored rows), by a thread of the import's
    own, on the import's connection (shared between the two threads; the
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
        self.texts: dict[int, str] = {}  # id of a module-level statement → its text
        self.sequence: str | None = None  # of the product table's ids

    def _now(self):
        if self.now is None:
            self.now = timezone.now()
        return self.now

    def _start(self, creates: dict[str, list], updates: list[dict], fields: set[str]) -> None:
        if updates:
            self.update_fields |= set(fields)
            _plain_choices(updates)
        if creates:
            with connection.wrap_database_errors:  # psycopg's error (a text it cannot dump) → Django's
                creates = self._new_copies(self._in_code_order(creates))
        if self.thread is None:
            self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-import")
            connection.inc_thread_sharing()  # until close(): the thread uses this thread's connection
            _quick_hand_over(True)
        # this thread's wrapper itself (``connection`` names the calling thread's, whichever thread that is)
        self.copying = self.thread.submit(self._store, connections[DEFAULT_DB_ALIAS], creates, updates)

    def _in_code_order(self, creates: dict[str, list]) -> list[list]:
        """The new products' columns in ``_NEW_ATTNAMES`` order, the products sorted by code (the code's indexes then
        take each batch in order; the ids follow it), the choice fields plain, both timestamps the import's time."""
        codes = creates["nhsa_code"]
        count = len(codes)
        order = sorted(range(count), key=codes.__getitem__)
        reorder = order != list(range(count))
        now = [self._now()] * count
        columns = []
        for name in _NEW_ATTNAMES:
            if name in _STAMPS:
                columns.append(now)
                continue
            values = creates[name]
            if reorder:
                values = list(map(values.__getitem__, order))
            columns.append(_plain_choice_column(values) if name in _CHOICE_FIELDS else values)
        return columns

    def _store(self, db, creates: list[tuple[str, str]], updates: list[dict]) -> None:
        """In the storing thread, on the import's connection ``db`` (its Django wrapper, so the statements go through
        its wrappers and errors), inside the batch's savepoint: the changed products staged, and the new ones and
        their history rows COPYed (``creates``: COPY statement, its buffer — made by ``_new_copies``)."""
        with db.cursor() as cursor:
            if updates:
                self._stage_updates(cursor, updates)
            for statement, buffer in creates:
                with cursor.cursor.copy(statement) as copy:
                    copy.write(buffer)  # encoded as the connection's text

    def _new_copies(self, creates: list[list]) -> list[tuple[str, str]]:
        """New products (columns in ``_NEW_ATTNAMES`` order, in code order) with ids drawn for them, and their history
        rows from the same lines (the tracked columns, then the import's time, reason, "+" and user), as two COPY statements
        and their buffers. Made by the import's own thread: the storing thread then only sends them, and needs the
        interpreter's lock (held by the import while it checks the next batch) the fewest times."""
        with connection.cursor() as cursor:
            if self.sequence is None:
                cursor.execute(sql.SEQUENCE, {"table": Product._meta.db_table, "column": _ID})
                self.sequence = cursor.fetchone()[0]
            cursor.execute(sql.NEW_IDS, {"sequence": self.sequence, "count": len(creates[0])})
            dump = _Dump(cursor.cursor)
            texts = dict(zip(_NEW_DB_COLUMNS, map(dump.column, creates), strict=True))
            texts[_ID] = cursor.fetchone()[0].split(",")
            extra = [texts["created_at"][0], dump.value(self.reason), "+", dump.value(self.user_id)]
            tracked = list(map("\t".join, zip(*[texts[c] for c in _TRACKED_DB_COLUMNS], strict=True)))
            products = _copy_text([tracked, *(texts[c] for c in _UNTRACKED_DB_COLUMNS)])
            histories = _copy_text([tracked], "\t".join(extra))
            return [(self._text(cursor, _COPY_NEW), products), (self._text(cursor, _COPY_HISTORY), histories)]

    def _text(self, cursor, statement) -> str:
        """A statement of every batch as text, composed once per import."""
        text = self.texts.get(id(statement))
        if text is None:
            text = self.texts[id(statement)] = statement.as_string(cursor.cursor)
        return text

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
            _quick_hand_over(False)


HAND_OVER_SECONDS = 0.0002  # the interpreter's switch interval while a storing thread runs (Python's default: 5 ms)
_hand_over = {"threads": 0, "interval": None}
_hand_over_lock = threading.Lock()


def _quick_hand_over(starting: bool) -> None:
    """While a storing thread runs, the interpreter hands its lock over within ``HAND_OVER_SECONDS`` rather than 5 ms.

    The storing thread needs the lock a few times per COPY (the statement answered, the socket ready for more data,
    the result in) while the import's thread holds it checking the next batch; at the default interval each of those
    waits up to 5 ms, the server sitting idle meanwhile (about 0.05 s per 10,000 rows). The interval is the process's:
    set by the first storing thread to start, put back when the last one ends."""
    with _hand_over_lock:
        if starting:
            if not _hand_over["threads"]:
                _hand_over["interval"] = sys.getswitchinterval()
                sys.setswitchinterval(min(HAND_OVER_SECONDS, _hand_over["interval"]))
            _hand_over["threads"] += 1
        else:
            _hand_over["threads"] -= 1
            if not _hand_over["threads"]:
                sys.setswitchinterval(_hand_over["interval"])


def _copy(cursor, table, columns: list[str], rows) -> None:
    """COPY ``rows`` (tuples) into ``columns`` of ``table`` with a psycopg cursor (Django's wrapper has no copy())."""
    with cursor.copy(sql.copy_into(table, columns)) as copy:
        for row in rows:
            copy.write_row(row)


_ESCAPED = re.compile("[\b\t\n\v\f\r\\\\]")  # what psycopg's text COPY escapes, as it escapes them
_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\\": "\\\\"}
_SPECIAL = re.compile("[\x00\b\t\n\v\f\r\\\\]")  # … and NUL, which its text dumper refuses
_TEXT = [PyFormat.TEXT]


def _copy_text(texts: list[list[str]], tail: str = "") -> str:
    """The COPY text of rows given as columns of COPY text (``texts``); ``tail`` (COPY text of the last columns, the
    same for every row), if given, ends every row."""
    end = "\t" + tail + "\n" if tail else "\n"
    if len(texts) == 1:  # one column: its cells are the lines
        return end.join(texts[0]) + end
    return end.join(map("\t".join, zip(*texts, strict=True))) + end


class _Dump:
    """Values as COPY text: a text as it stands (psycopg's text dumper only encodes it, as ``Copy.write`` encodes
    the buffer, and refuses a NUL), a whole number by its digits, a flag t/f, anything else by the connection's own
    dumpers (``Transformer``); then escaped as psycopg's text COPY escapes."""

    def __init__(self, cursor):
        self.transformer = Transformer(cursor)
        self.encoding = cursor.connection.info.encoding

    def value(self, value) -> str:
        kind = value.__class__
        if value is None:
            return "\\N"
        if kind is str and "\x00" not in value:
            text = value
        elif kind is bool:
            return "t" if value else "f"
        elif kind is int:
            return str(value)
        else:  # raises psycopg's own error for what it cannot dump (a text holding a NUL)
            text = bytes(self.transformer.dump_sequence([value], _TEXT)[0]).decode(self.encoding)
        return _ESCAPED.sub(_escape, text) if _ESCAPED.search(text) else text

    def column(self, values: list) -> list[str]:
        """One column's cells."""
        kinds = set(map(type, values))
        if kinds == {str} and not _SPECIAL.search("".join(values)):
            return values
        dump = self.value
        if len(kinds - {type(None)}) > 1:  # 1, 1.0 and True are equal keys: mixed types one by one
            return list(map(dump, values))
        try:
            dumped = dict.fromkeys(values)  # each distinct value dumped once
        except TypeError:  # an unhashable value
            return list(map(dump, values))
        for value in dumped:
            dumped[value] = dump(value)
        return list(map(dumped.__getitem__, values))


def _escape(match: re.Match) -> str:
    return _ESCAPES[match.group(0)]


def writer_for(kind: str = "auto", **kwargs) -> _Writer:
    """The COPY writer (``auto``, ``copy``), or the reference it is tested against (``orm``)."""
    return (OrmWriter if kind == "orm" else CopyWriter)(**kwargs)
