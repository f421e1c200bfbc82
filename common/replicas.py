"""Report reads on a read replica (docs/scale-out.md, "Read replicas").

With `DATABASE_REPLICA_URL` set, the settings add a `replica` database (a streaming replica of the primary) and
`ReplicaRouter`. Reads made inside `report_reads()` — the portals' reports, which tolerate the replica's lag of
seconds — go to it: the ORM's through the router, the hand-written SQL through `report_connection()`. Every other
read and every write stays on `default`, so a request always reads what it has just written. Without a replica
everything is `default`, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"

_reports: ContextVar[bool] = ContextVar("report_reads", default=False)


@contextmanager
def report_reads() -> Iterator[None]:
    """Reads in this block are reports: the replica's when there is one."""
    token = _reports.set(True)
    try:
        yield
    finally:
        _reports.reset(token)


def report_alias() -> str:
    """The database a report reads now: `replica` inside `report_reads()` when one is configured, else `default`."""
    return REPLICA if _reports.get() and REPLICA in settings.DATABASES else "default"


def report_connection():
    """The connection for a report's hand-written SQL (`with report_connection().cursor() as cursor`)."""
    return connections[report_alias()]


class ReplicaRouter:
    """Report reads to the replica; everything else, and every write and migration, to `default`."""

    def db_for_read(self, model, **hints) -> str:
        return report_alias()

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database: the replica is a copy of `default`

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"
