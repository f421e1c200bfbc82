"""API rate limits: per user, per address for anonymous requests and, stricter, for sign-ins; over the rate the API
answers 429 with Retry-After in the platform's error body. Rates come from the settings."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.utils import api_as

PASSWORD = "Correct-Horse-7"


@pytest.fixture(autouse=True)
def fresh_counts(settings):
    """Throttles count in the cache, which outlives a test: every test counts from zero in a cache of its own. Never
    clear the configured cache: with REDIS_URL it is the Redis database the Celery broker and results share (and the
    other test processes' job progress), and a FLUSHDB there loses their messages."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-throttling-tests"}
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "1000/minute", "sign_in": "1000/minute", **rates},
        }

    return set_rates


def assert_throttled(response):
    assert response.status_code == 429, response.content
    assert 0 < int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["code"] == "throttled" and str(response["Retry-After"]) in body["detail"]


@pytest.mark.django_db
def test_a_user_over_the_rate_gets_429_with_retry_after_and_others_do_not(rates, purchaser, other_purchaser):
    rates(user="3/minute")
    client = api_as(purchaser)
    for _ in range(3):
        assert client.get("/api/v1/users/me/").status_code == 200
    assert_throttled(client.get("/api/v1/users/me/"))
    assert api_as(other_purchaser).get("/api/v1/users/me/").status_code == 200


@pytest.mark.django_db
def test_sign_ins_are_limited_per_address_whoever_signs_in(rates, hospital):
    rates(sign_in="2/minute")
    UserFactory(username="buyer1", organization=hospital, roles=["purchaser"], password=PASSWORD)
    body = {"username": "buyer1", "password": PASSWORD}
    client = APIClient(REMOTE_ADDR="10.0.0.5")
    for _ in range(2):
        assert client.post("/api/v1/auth/token/", body, format="json").status_code == 200
    assert_throttled(client.post("/api/v1/auth/token/", body, format="json"))
    # A forged X-Forwarded-For does not make a new address; another real address is not limited.
    forged = APIClient(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert_throttled(forged.post("/api/v1/auth/token/", body, format="json"))
    assert APIClient(REMOTE_ADDR="10.0.0.6").post("/api/v1/auth/token/", body, format="json").status_code == 200


@pytest.mark.django_db
def test_anonymous_requests_are_limited_per_address(rates):
    rates(anon="2/minute")
    client = APIClient(REMOTE_ADDR="10.0.0.7")
    for _ in range(2):
        assert client.post("/api/v1/auth/token/", {}, format="json").status_code == 400
    assert_throttled(client.post("/api/v1/auth/token/", {}, format="json"))


def test_the_default_rates_come_from_the_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", "API_THROTTLE_USER": "77/minute"})
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    )
    root = Path(__file__).resolve().parent.parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "'user': '77/minute'" in result.stdout and "'anon': '60/minute'" in result.stdout
