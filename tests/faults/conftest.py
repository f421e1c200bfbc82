"""Fault-injection fixtures: a Redis server of the test's own (started and stopped at will, never the shared one),
the Celery app pointed at it, and real worker processes that can be killed."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import require_service
from tests.utils import database_url

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    """A redis-server on a free port with no persistence; `stop()` is a broker outage, `start()` its end."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tempfile.mkdtemp(prefix="faults-redis-")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("throwaway redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def queue_length(self, queue: str = "celery") -> int:
        import redis

        return redis.Redis.from_url(self.url).llen(queue)


@pytest.fixture
def redis_server():
    require_service("redis-server binary", shutil.which("redis-server") is not None)
    server = ThrowawayRedis()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture
def celery_on(redis_server, settings):
    """Point the platform's Celery app (and the health check) at the throwaway Redis; tasks are not eager."""
    from config.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}

    def reset_pools():  # connections and result backend made for another broker must not be reused
        app._pool = None
        app.amqp._producer_pool = None
        app._local.__dict__.pop("backend", None)

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_server.url
    settings.HEALTH_BROKER_TIMEOUT = 0.5
    app.conf.update(broker_url=redis_server.url, result_backend=redis_server.url, task_always_eager=False)
    reset_pools()
    yield app
    app.conf.update(saved)
    reset_pools()


class Worker:
    """A real `celery worker` process on the throwaway Redis and the test database (PostgreSQL)."""

    def __init__(self, broker_url: str, log_path: Path):
        self.broker_url = broker_url
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, **extra_env: str) -> None:
        """Start the worker (its own process group, so a kill takes everything it started); `extra_env` adds settings
        from the environment, e.g. FAULT_CHECKPOINTS or CELERY_VISIBILITY_TIMEOUT."""
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FAULT_CHECKPOINTS")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=database_url(connection.settings_dict),
            CELERY_BROKER_URL=self.broker_url,
            CELERY_RESULT_BACKEND=self.broker_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            **extra_env,
        )
        self.log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=faults-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the worker's process group: no cleanup, no ack — the crash a lost machine or the OOM killer
        causes."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, condition, *, timeout: float = 60, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.proc is not None and self.proc.poll() is not None:
                pytest.fail(f"worker exited while waiting for {what}:\n{self.output()[-4000:]}")
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}:\n{self.output()[-4000:]}")


@pytest.fixture
def worker(celery_on, redis_server, tmp_path):
    w = Worker(redis_server.url, tmp_path / "worker.log")
    yield w
    w.stop()
