"""The organisations a catalog file names: manufacturers by name (created when the platform does not know them yet)
and preparing hospitals (which must already be in the directory).

A manufacturer first met in a catalog file is known by name only, until it registers (USCC, region). The names a
batch brings are created together by one statement, which also writes their history rows — what
``simple_history.utils.bulk_create_with_history`` writes (every tracked field, the time, the user, the reason and the
type ``+``) without building a model instance and a historical instance per name in the process.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from accounts.models import Organization

from .sources import FileProblem
from .sql import execute

HISTORY = Organization.history.model
_TRACKED = [f.column for f in HISTORY.tracked_fields]
_GIVEN = ("id", "kind", "name", "created_at", "updated_at")


def _defaults() -> list[tuple[str, object]]:
    """Every other column of a new organisation with its default, as the database stores it."""
    blank = Organization()
    return [
        (f.column, f.get_db_prep_save(getattr(blank, f.attname), connection))
        for f in Organization._meta.concrete_fields
        if f.attname not in _GIVEN and f.column not in _GIVEN
    ]


def _create_statement(defaults: list[tuple[str, object]]) -> sql.Composed:
    """Inserts one manufacturer per name of ``%(names)s`` (in that order), each with its history row; returns the
    names with their ids and kinds."""
    columns = ["kind", "name", "created_at", "updated_at", *(c for c, _ in defaults)]
    values = [
        sql.Placeholder("kind"),
        sql.Identifier("n", "name"),
        sql.Placeholder("now"),
        sql.Placeholder("now"),
        *(sql.Placeholder(f"d{i}") for i in range(len(defaults))),
    ]
    return sql.SQL(
        "WITH created AS (INSERT INTO {organizations} ({columns}) SELECT {values} "
        "FROM unnest(%(names)s::text[]) WITH ORDINALITY AS n(name, position) ORDER BY n.position "
        "RETURNING {tracked}), "
        "history AS (INSERT INTO {histories} ({tracked}, history_date, history_change_reason, history_type, "
        "history_user_id) SELECT {tracked}, %(now)s, %(reason)s, '+', %(user)s FROM created ORDER BY id) "
        "SELECT name, id, kind FROM created"
    ).format(
        organizations=sql.Identifier(Organization._meta.db_table),
        histories=sql.Identifier(HISTORY._meta.db_table),
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        values=sql.SQL(", ").join(values),
        tracked=sql.SQL(", ").join(map(sql.Identifier, _TRACKED)),
    )


def create_manufacturers(names: list[str], *, user=None, reason: str) -> list[tuple[str, int, str]]:
    """Create manufacturers known by name only; (name, id, kind) of each. A name created meanwhile by another
    transaction (another import) fails the file."""
    defaults = _defaults()
    params = {
        "names": list(names),
        "kind": Organization.Kind.MANUFACTURER.value,
        "now": timezone.now(),
        "reason": reason,
        "user": getattr(user, "pk", None),
        **{f"d{i}": value for i, (_, value) in enumerate(defaults)},
    }
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            execute(cursor, _create_statement(defaults), params)
            return cursor.fetchall()
    except IntegrityError:
        raise FileProblem(
            _("生产企业“%(items)s”等正被同时创建（可能有另一个导入在运行），请稍后重试")
            % {"items": "、".join(names[:3])}
        )
