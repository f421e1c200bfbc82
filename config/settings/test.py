"""Test suite: fast password hashing, no real mail; database and broker from the environment."""

from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, REDIS_URL, env

DEBUG = False
DEMO_DATA_ALLOWED = True  # the suite loads the demo province (seed_demo) with DEBUG off
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECRET_KEY = env("SECRET_KEY", default="test-secret-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = ["*"]
# One folder per xdist worker (gw0, gw1, …): workers never clean up each other's files.
MEDIA_ROOT = env.path(
    "MEDIA_ROOT", default=BASE_DIR / "var" / "test-media" / env("PYTEST_XDIST_WORKER", default="main")
)
# The platform's backend with test databases cloned from a migrated template and a faster flush between
# transactional tests (tests/backend/base.py).
DATABASES["default"]["ENGINE"] = "tests.backend"
# The suite commits a great deal (transactional tests flush every table after each test): no session waits for the
# WAL to reach the disk at commit. A crash can lose the last commits of a test database, which is thrown away anyway.
# No JIT compilation: the set-based jobs turn nested loops off with SET LOCAL, which in a test lasts to the end of the
# test's transaction; every later query of the test then has a cost above jit_above_cost and spent 0.1-0.3 s
# compiling itself (tables of a few rows). In production SET LOCAL ends with the job's own transaction.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off -c jit=off"
# The suite (the API fuzzing above all) sends far more requests a minute than any client: rates it never reaches. The
# throttling tests set their own low rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/minute",
        "user": "100000/minute",
        "sign_in": "100000/minute",
        "ocds": "100000/minute",
        "public": "100000/minute",
    },
}
# The tests of tenders award right after evaluating; the tests of the public notice, objections and appeals
# (tests/transparency) set the notice period they need.
TENDER_NOTICE_DAYS = 0
# With Redis, each test process keeps its cache in a Redis database of its own, next to the broker's: a test's
# `cache.clear()` (FLUSHDB) empties only its own process's throttle counters and job progress, never the Celery queues
# on REDIS_URL's database or another process's cache. A real Celery worker started by a test inherits the process's
# PYTEST_XDIST_WORKER and so the same cache.
if REDIS_URL:
    _url = urlsplit(REDIS_URL)
    _broker_db = int(_url.path.strip("/") or 0)
    _worker = env("PYTEST_XDIST_WORKER", default="gw0").removeprefix("gw")
    _n = int(_worker) if _worker.isdigit() else 0
    _cache_db = _broker_db - 1 - _n if _broker_db > _n else _broker_db + 1 + _n
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": urlunsplit(_url._replace(path=f"/{_cache_db % 16}")),
        }
    }
