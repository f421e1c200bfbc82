"""The database: PostgreSQL ≥ 15 (a system check and the connection refuse older servers), a schema that is the
migrations', trigram search on Chinese, and the embedded server (config.database.embedded) that serves when
DATABASE_URL is unset: created, started on first connection, shared by processes starting at once, stopped."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import NotSupportedError, connection, connections
from django.db.migrations.executor import MigrationExecutor

from config.database.base import DatabaseWrapper
from config.database.embedded import MAX_SOCKET_PATH, EmbeddedServer
from tests.utils import database_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_the_server_is_supported_and_the_check_passes():
    assert connection.server_version() >= (15, 0)
    assert connection.validation.check() == []


@pytest.mark.django_db
def test_the_system_check_refuses_a_server_older_than_15(monkeypatch):
    monkeypatch.setattr(connection, "server_version", lambda: (14, 12))
    issues = connection.validation.check()
    assert [(type(i), i.id) for i in issues] == [(Error, "database.E001")]
    assert "PostgreSQL 14.12 is too old" in issues[0].msg and "PostgreSQL 15 or later" in issues[0].msg
    with pytest.raises(SystemCheckError, match="database.E001"):
        call_command("check", "--database", "default", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_a_connection_to_a_server_older_than_15_is_refused(monkeypatch):
    monkeypatch.setattr(connection, "get_database_version", lambda: (14, 12))
    with pytest.raises(NotSupportedError, match=r"PostgreSQL 15 or later is required \(found 14.12\)"):
        connection.check_database_version_supported()


@pytest.mark.django_db
def test_the_schema_is_the_migrations_and_they_are_complete():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []  # every migration applied
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())  # and no model change without one


@pytest.mark.django_db
def test_trigram_similarity_works_on_chinese():
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity('阿托伐他汀钙片', '阿托伐他汀'), show_trgm('阿托伐他汀')")
        similarity, trigrams = cursor.fetchone()
    assert similarity > 0.5 and len(trigrams) == 6


def database_settings_in_subprocess(**env: str) -> subprocess.CompletedProcess:
    """settings.DATABASES["default"] as a fresh process computes it (JSON on the last line of stdout)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def last_json_line(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_database_url_the_embedded_server_is_the_database_and_with_it_nothing_embedded():
    embedded = last_json_line(database_settings_in_subprocess())
    assert embedded["ENGINE"] == "config.database"
    assert embedded["EMBEDDED_DATA_DIR"] == str(ROOT / "var" / "postgres")
    assert embedded["HOST"] == str(EmbeddedServer().socket_dir) and embedded["NAME"] == "yaoxie"
    external = last_json_line(database_settings_in_subprocess(DATABASE_URL="postgres://u:p@db.internal:5433/x"))
    assert external["ENGINE"] == "config.database" and "EMBEDDED_DATA_DIR" not in external
    assert (external["HOST"], external["PORT"], external["NAME"]) == ("db.internal", 5433, "x")
    refused = database_settings_in_subprocess(DATABASE_URL="mysql://u:p@db.internal/x")
    assert refused.returncode != 0 and "DATABASE_URL must name a PostgreSQL server" in refused.stderr


def test_a_socket_path_too_long_to_bind_moves_to_a_short_private_directory():
    short = EmbeddedServer(Path("/work/project/var/postgres"))
    assert short.socket_dir == short.data_dir
    deep = EmbeddedServer(Path("/work/" + "a-very-long-folder-name/" * 5 + "var/postgres"))
    assert deep.socket_dir != deep.data_dir and deep.socket_dir.name.startswith("yaoxie-pg-")
    assert len(os.fsencode(deep.socket_dir / ".s.PGSQL.5432")) <= MAX_SOCKET_PATH
    assert EmbeddedServer(Path(str(deep.data_dir))).socket_dir == deep.socket_dir  # the same every time


def test_database_urls_for_a_worker_keep_the_socket_directory_or_the_host():
    socket = {
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "/srv/my project/var/postgres",
        "PORT": "5432",
        "NAME": "test_yaoxie_gw0",
    }
    parsed = environ.Env.db_url_config(database_url(socket))
    assert parsed["NAME"] == "test_yaoxie_gw0"
    assert parsed["OPTIONS"] == {"host": "/srv/my project/var/postgres", "port": 5432}
    tcp = {"USER": "yx", "PASSWORD": "p@ss/word", "HOST": "127.0.0.1", "PORT": 5432, "NAME": "test_x"}
    parsed = environ.Env.db_url_config(database_url(tcp))
    assert (parsed["USER"], parsed["PASSWORD"], parsed["HOST"], parsed["PORT"]) == (
        "yx",
        "p@ss/word",
        "127.0.0.1",
        5432,
    )


@pytest.fixture
def other_server():
    """A second embedded server of the test's own, its data directory deep enough that its socket moves to /tmp."""
    base = ROOT / "var" / f"test-embedded-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    shutil.rmtree(base, ignore_errors=True)
    server = EmbeddedServer(base / ("deep-folder-" * 6) / "postgres")
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)
    shutil.rmtree(server.socket_dir, ignore_errors=True)


def start_at_once(server: EmbeddedServer, processes: int) -> list[str]:
    code = (
        "import sys; from pathlib import Path; from config.database.embedded import EmbeddedServer; "
        "print(EmbeddedServer(Path(sys.argv[1])).ensure_running())"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(server.data_dir)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    return sorted(out.strip() for out, _ in outputs)


@pytest.mark.slow
def test_the_embedded_server_starts_on_first_connection_once_for_many_processes_and_stops(
    other_server, django_db_blocker, monkeypatch
):
    # A database alias of the test's own for that server, as Django completes a DATABASES entry.
    settings = connections.configure_settings({"default": other_server.database_settings("postgres")})["default"]
    monkeypatch.setitem(connections.settings, "other", settings)
    wrapper = connections["other"]
    assert isinstance(wrapper, DatabaseWrapper)
    with django_db_blocker.unblock():  # a server of the test's own, not the test database
        try:
            with wrapper.cursor() as cursor:  # nothing there yet: the connection creates the cluster and starts it
                cursor.execute(
                    "SELECT current_setting('server_version_num')::int, datctype FROM pg_database "
                    "WHERE datname = current_database()"
                )
                version, ctype = cursor.fetchone()
        finally:
            wrapper.close()
            del connections["other"]
    assert version >= 150000 and ctype == "C.UTF-8"
    assert other_server.is_running() and other_server.socket_dir != other_server.data_dir
    assert "yaoxie" in other_server.status()["databases"]

    assert other_server.stop() is True and not other_server.is_running()
    assert start_at_once(other_server, 3) == ["False", "False", "True"]  # one process started it, two found it up
    assert other_server.is_running()
    assert other_server.stop() is True and other_server.stop() is False
