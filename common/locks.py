"""Job locks that die with their holder: PostgreSQL session advisory locks.

A lock is held by a database session; when the process holding it dies (a killed worker), the server ends the session
and the lock is free again — no lease to wait out. Each job that must never overlap with itself names one lock.
"""

from __future__ import annotations

import zlib

from django.db import connection

NAMESPACE = 0x4A4F4253  # "JOBS": the first key of every job lock, so they never collide with other advisory locks


def key_of(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def held_here(name: str) -> bool:
    """This session holds the lock already (a job calling itself, or a test holding it)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s"
            " AND objsubid = 2 AND granted AND pid = pg_backend_pid())",
            [NAMESPACE, key_of(name)],
        )
        return bool(cur.fetchone()[0])


def take(name: str) -> bool:
    """Try to hold the lock for this session. True: held now, and no live session held it before — whatever a
    previous holder left marked as running has died. False: a live session holds it (this one included)."""
    if held_here(name):
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [NAMESPACE, key_of(name)])
        return bool(cur.fetchone()[0])


def wait(name: str) -> None:
    """Hold the lock, waiting for a live holder to finish."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, key_of(name)])


def release(name: str) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(%s, %s)", [NAMESPACE, key_of(name)])


def wait_in_transaction(name: str) -> None:
    """Hold the lock until the current transaction ends, waiting for a live holder: serialises a find-or-create that
    has no row to lock yet (two requests adding to a cart that has no draft must not make two drafts)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [NAMESPACE, key_of(name)])
