"""History rows for set-based writes.

django-simple-history records a row when a model instance is saved or deleted; a set-based write (``update()``,
``bulk_create``, raw SQL) bypasses that. Services that change many tracked rows at once call ``record_history`` right
after, in the same transaction: one ``INSERT … SELECT`` copies the current state of the affected rows into the
historical table, with who, when and why — so the audit trail has no gaps, whatever the size of the change.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

_HISTORY_COLUMNS = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")


def history_columns(model) -> list[str]:
    """The columns a tracked model's historical table copies from the model's table (its own bookkeeping columns
    left out), for a statement that writes the history itself (`INSERT … SELECT … FROM` the rows it wrote)."""
    historical = model.history.model
    return [f.column for f in historical._meta.concrete_fields if f.column not in _HISTORY_COLUMNS]


def history_table(model) -> str:
    """The name of a tracked model's historical table."""
    return model.history.model._meta.db_table


def record_history(queryset: QuerySet, *, history_type: str = "~", by=None, reason: str = "") -> int:
    """Snapshot every row of ``queryset`` into its model's historical table; returns the number of rows written.

    ``history_type`` is simple-history's: ``+`` created, ``~`` changed, ``-`` deleted.
    """
    if history_type not in ("+", "~", "-"):
        raise ValueError(f"unknown history type {history_type!r}")
    model = queryset.model
    historical = model.history.model
    columns = history_columns(model)
    pk_sql, pk_params = queryset.values("pk").query.sql_with_params()
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(c) for c in columns)
    sql = (
        f"INSERT INTO {quote(historical._meta.db_table)} ({column_list}, history_date, history_change_reason, "
        f"history_type, history_user_id) "
        f"SELECT {column_list}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} IN ({pk_sql})"
    )
    user_id = getattr(by, "pk", None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), reason or None, history_type, user_id, *pk_params])
        return cursor.rowcount
