from contextlib import contextmanager
from urllib.parse import quote

from rest_framework.test import APIClient


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_field(response) -> str | None:
    """The field a 400 names: a domain error's `field`, or the one key of a serializer's field errors."""
    body = response.json()
    if "field" in body:
        return body["field"]
    keys = [k for k in body if k not in ("detail", "code")]
    return keys[0] if len(keys) == 1 else None


def client_as(user=None, language: str | None = None):
    """A page client signed in as `user` (anonymous when None), in `language` when given (the language cookie)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def run_together(workers):
    """Start every callable at the same instant (a barrier), each in its own thread with its own database connection;
    return {index: result or the exception it raised}, for the concurrency tests to inspect."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(workers))
    results: dict[int, object] = {}

    def run(index, work):
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@contextmanager
def job_lock_held_elsewhere(name: str):
    """A live run holding the job lock `name` (common.locks) in another database session, as a worker running the job
    would."""
    from django.db import connections

    from common.locks import NAMESPACE, key_of

    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, key_of(name)])
        yield
    finally:
        other.close()


def xlsx_rows(response) -> list[tuple]:
    """The rows of an .xlsx download (header first)."""
    from io import BytesIO

    from openpyxl import load_workbook

    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database of `settings_dict` (the test database), for a process the test starts (a real
    Celery worker). A Unix-socket directory (the embedded server) goes in the query string, where the URL parser
    keeps it."""
    auth = quote(settings_dict["USER"], safe="") + (
        f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict.get("PASSWORD") else ""
    )
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or "5432"
    if host.startswith("/"):
        return f"postgres://{auth}@/{settings_dict['NAME']}?host={quote(host)}&port={port}"
    return f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"
