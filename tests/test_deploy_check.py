"""Production settings pass `manage.py check --deploy` with the environment documented in the README."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k3Vq9-production-secret-that-is-long-and-random-enough-XyZ-0123456789-abcdef",
    "BID_SEALING_KEY": "Jm2HmWZ0xJ9bq3yP6S7Kqk0c6Rj5rX1xF2m8v9b0cQ4=",
    "ALLOWED_HOSTS": "yaoxie.example.gov.cn",
    "DATABASE_URL": "postgres://yaoxie@db.internal:5432/yaoxie",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def run_check(extra_env: dict) -> subprocess.CompletedProcess:
    dropped = ("DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_documented_environment():
    result = run_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    env.pop("SECRET_KEY")
    result = run_check(env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
