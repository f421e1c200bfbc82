"""Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"): one rule for every write that takes one.

A key is stored with a fingerprint of the request that first used it: the operation (what the endpoint does — the API's
method and path, and any page or command that does the same, are one operation), the user and the canonical body (the
validated fields, key order and defaults ignored, the key itself left out). Then:

- the same key and the same fingerprint answer the first result (a retry is safe);
- the same key with another fingerprint (another body, or another user of the same organisation) is refused with 422
  and code `idempotency_key_reused` — the platform never answers a request with the result of a different one;
- the same key while the first request is still running is refused with 409 and code `idempotency_key_in_flight`.

"Running" is a PostgreSQL transaction-scoped advisory lock on (scope, key), taken (`hold`) before the key is looked up
and released by its commit or rollback — also when the process dies — so there is no in-flight marker to go stale.
The key itself stays stored with what it created (see docs/security.md for how long keys are honoured).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.db import connection, models
from django.utils.translation import gettext

from .errors import ConflictError, DomainError

NAMESPACE = 0x4944454D  # "IDEM": the first key of every idempotency lock, apart from the job locks (common.locks)
FIELD = "idempotency_key"


class KeyReused(DomainError):
    status_code = 422
    default_code = "idempotency_key_reused"


class KeyInFlight(ConflictError):
    default_code = "idempotency_key_in_flight"


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not part of a canonical body: {type(value).__name__}")


def fingerprint(*, operation: str, user_id: int, body: dict) -> str:
    """SHA-256 of the operation (e.g. "order.create" for POST /api/v1/orders/), the user and the body as canonical JSON (sorted keys,
    model instances as their id); the idempotency key is not part of the body."""
    body = {k: v for k, v in body.items() if k != FIELD}
    text = json.dumps(
        [operation, user_id, body], sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
    )
    return hashlib.sha256(text.encode()).hexdigest()


def hold(scope: str, key: str) -> None:
    """Take the key's transaction lock, or refuse with 409 while another transaction holding it runs (the lock is
    released by that transaction's commit or rollback). One statement of its own: the ORM has no advisory locks.
    Taken before the key's stored row is read, so that read (a later statement, a later snapshot) sees what a twin
    that finished first committed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [NAMESPACE, f"{scope}\x1f{key}"])
        (taken,) = cursor.fetchone()
    if not taken:
        raise KeyInFlight(gettext("使用同一幂等键的请求正在处理中，请稍后重试"), field=FIELD)


def ensure_same(stored: str, current: str) -> None:
    """Refuse a key first used for another request. A key stored before fingerprints existed (empty) replays."""
    if stored and stored != current:
        raise KeyReused(
            gettext("该幂等键已用于另一个请求（内容、接口或用户不同）；新的请求请使用新的幂等键"), field=FIELD
        )
