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


def production_settings(names: list[str]) -> dict:
    """Values of settings as the production module computes them (in a fresh interpreter)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(PRODUCTION_ENV)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: repr(getattr(s, n)) for n in {names!r}}}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_login_is_throttled():
    values = production_settings(
        [
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SECURE_SSL_REDIRECT",
            "DEBUG",
            "AXES_ENABLED",
            "AXES_FAILURE_LIMIT",
            "AXES_LOCKOUT_PARAMETERS",
            "AXES_RESET_ON_SUCCESS",
            "AUTHENTICATION_BACKENDS",
            "MIDDLEWARE",
            "AUTH_PASSWORD_VALIDATORS",
        ]
    )
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT"):
        assert values[name] == "True", name
    assert values["DEBUG"] == "False"
    assert values["AXES_ENABLED"] == "True" and values["AXES_RESET_ON_SUCCESS"] == "True"
    assert values["AXES_LOCKOUT_PARAMETERS"] == "[['username', 'ip_address']]"
    assert 0 < int(values["AXES_FAILURE_LIMIT"]) <= 10
    assert "axes.backends.AxesStandaloneBackend" in values["AUTHENTICATION_BACKENDS"]
    assert "axes.middleware.AxesMiddleware" in values["MIDDLEWARE"]
    for validator in (
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
        "UserAttributeSimilarityValidator",
    ):
        assert validator in values["AUTH_PASSWORD_VALIDATORS"], validator


def test_the_lockout_limit_comes_from_the_environment():
    env = dict(PRODUCTION_ENV, LOGIN_FAILURE_LIMIT="7", LOGIN_LOCKOUT_MINUTES="30")
    saved = dict(PRODUCTION_ENV)
    PRODUCTION_ENV.update(env)
    try:
        values = production_settings(["AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME"])
    finally:
        PRODUCTION_ENV.clear()
        PRODUCTION_ENV.update(saved)
    assert values["AXES_FAILURE_LIMIT"] == "7"
    assert values["AXES_COOLOFF_TIME"] == "datetime.timedelta(seconds=1800)"


def test_production_keeps_database_connections_and_prepares_statements():
    values = production_settings(["DATABASES"])
    assert "'CONN_MAX_AGE': 60" in values["DATABASES"]
    assert "'CONN_HEALTH_CHECKS': True" in values["DATABASES"]
    assert "'server_side_binding': True" in values["DATABASES"] and "'prepare_threshold': 5" in values["DATABASES"]
