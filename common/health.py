"""Liveness of the platform's dependencies: the database and the Celery broker."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connections
from kombu import Connection
from kombu.exceptions import KombuError
from kombu.utils.url import maybe_sanitize_url
from redis.exceptions import RedisError


def check_database(alias: str = "default") -> dict:
    started = time.monotonic()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, InterfaceError) as exc:  # any driver error means "down"; the message says which
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    version = connections[alias].pg_version  # e.g. 150010
    return {
        "ok": True,
        "server": f"PostgreSQL {version // 10000}.{version % 10000}",
        "ms": round((time.monotonic() - started) * 1000, 1),
    }


def check_broker() -> dict:
    """Connect to the broker named in settings. Eager mode (no broker configured) counts as up."""
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER and url.startswith("memory://"):
        return {"ok": True, "mode": "eager"}
    named = {"mode": "broker", "url": maybe_sanitize_url(url)}  # which broker, without its password
    started = time.monotonic()
    timeout = settings.HEALTH_BROKER_TIMEOUT
    try:
        with Connection(url, connect_timeout=timeout, transport_options={"socket_timeout": timeout}) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            if conn.transport_cls in ("redis", "rediss"):
                conn.default_channel.client.ping()
    except (OSError, KombuError, RedisError) as exc:  # unreachable, refused, timed out, or refused by the broker
        return {"ok": False, **named, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, **named, "ms": round((time.monotonic() - started) * 1000, 1)}


def health_report() -> tuple[bool, dict]:
    db = check_database()
    broker = check_broker()
    ok = db["ok"] and broker["ok"]
    return ok, {"status": "ok" if ok else "unavailable", "database": db, "broker": broker}
