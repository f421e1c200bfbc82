import os
import re

import pytest
from django.test import Client


@pytest.mark.django_db
def test_health_up_with_the_configured_broker():
    response = Client().get("/healthz")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "ok" and data["database"]["ok"] and data["broker"]["ok"]
    assert re.fullmatch(r"PostgreSQL \d+\.\d+", data["database"]["server"])  # the server's version: PostgreSQL 15.10
    if os.environ.get("REDIS_URL"):
        assert data["broker"]["mode"] == "broker"


@pytest.mark.django_db
def test_health_503_when_the_broker_is_unreachable(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.HEALTH_BROKER_TIMEOUT = 0.5
    response = Client().get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "unavailable" and data["broker"]["ok"] is False and data["database"]["ok"] is True


@pytest.mark.django_db
def test_health_503_when_the_database_is_unreachable(monkeypatch):
    from django.db import OperationalError, connections

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "OperationalError: connection refused"}
