"""The log says what needs attention: no version banner on every command, no traceback for a refused request."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import pytest
from django.conf import settings

from tests.factories import UserFactory


@pytest.fixture
def console_output():
    """What the console handler (the one every logger writes through) prints during the test."""
    handler = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_refused_admin_page_logs_one_line_and_no_traceback(client, console_output, agency):
    admin = UserFactory(username="root", organization=agency, is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get("/admin/settlement/payment/add/")  # payments are recorded through their service only
    assert response.status_code == 403
    printed = console_output.getvalue()
    assert "Forbidden" in printed and "/admin/settlement/payment/add/" in printed
    assert "Traceback" not in printed


def test_a_server_error_keeps_its_traceback():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", None, None)
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    handler = logging.StreamHandler(io.StringIO())
    for log_filter in logging.getLogger("django").handlers[0].filters:
        handler.addFilter(log_filter)
    handler.handle(record)
    assert "Traceback" in handler.stream.getvalue()


def test_manage_py_does_not_announce_axes():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "AXES: BEGIN" not in result.stdout + result.stderr
