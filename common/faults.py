"""Checkpoints where the crash tests hold a long job mid-way, to kill its worker there.

Off unless the FAULT_CHECKPOINTS setting names the checkpoint (never set in production: the call is one membership
test). When named, the job waits at the checkpoint for an advisory lock the test holds, inside whatever
transaction the job has open; the test sees it waiting in `pg_locks`, kills the worker and releases the lock.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from .locks import key_of

NAMESPACE = 0x46415554  # "FAUT": apart from the job locks


def checkpoint(name: str) -> None:
    if name not in settings.FAULT_CHECKPOINTS:
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, key_of(name)])
        cur.execute("SELECT pg_advisory_unlock(%s, %s)", [NAMESPACE, key_of(name)])
