"""seed_demo refuses to run outside development and the tests unless told to: its users share a published password
(admin / Demo@2026 is a superuser)."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organization, User
from tests.test_deploy_check import PRODUCTION_ENV, ROOT


@pytest.mark.django_db
def test_refused_with_debug_off_and_nothing_is_loaded(settings):
    settings.DEBUG, settings.DEMO_DATA_ALLOWED = False, False
    users, organizations = User.objects.count(), Organization.objects.count()
    with pytest.raises(CommandError, match="--allow-production-demo"):
        call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert (User.objects.count(), Organization.objects.count()) == (users, organizations)
    assert not User.objects.filter(username="admin").exists()


def test_refused_under_the_production_settings():
    """`manage.py seed_demo` with the production settings stops before touching the database (which the documented
    environment names but this machine does not have)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "DEBUG is off" in result.stderr and "--allow-production-demo" in result.stderr


def test_local_settings_keep_debug_on_for_make_run():
    """`make run` seeds the demo with the default settings (config.settings.local), where DEBUG is on."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG)"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
