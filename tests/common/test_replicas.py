"""The database router sends the reports' reads to the replica when `DATABASE_REPLICA_URL` configures one."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.db import router
from django.test import override_settings

from common.replicas import REPLICA, ReplicaRouter, report_alias, report_reads
from procurement.models import ReceiptLine

WITH_REPLICA = {**settings.DATABASES, REPLICA: {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}}


def test_the_router_is_installed():
    assert "common.replicas.ReplicaRouter" in settings.DATABASE_ROUTERS


@override_settings(DATABASES=WITH_REPLICA)
def test_report_reads_go_to_the_replica_when_one_is_configured():
    with report_reads():
        assert router.db_for_read(ReceiptLine) == REPLICA
        assert report_alias() == REPLICA
        assert router.db_for_write(ReceiptLine) == "default"  # writes never
    assert router.db_for_read(ReceiptLine) == "default"  # other reads stay on the primary
    assert ReplicaRouter().allow_migrate(REPLICA, "procurement") is False


def test_without_a_replica_reports_read_the_primary():
    assert REPLICA not in settings.DATABASES
    with report_reads():
        assert router.db_for_read(ReceiptLine) == "default"
        assert report_alias() == "default"


def test_database_replica_url_adds_the_replica_alias():
    env = {**os.environ, "DATABASE_REPLICA_URL": "postgres://reader@replica.example:5432/yaoxie"}
    code = (
        "import django; django.setup(); from django.conf import settings; r = settings.DATABASES['replica']; "
        "print(r['HOST'], r['NAME'], r['ENGINE'], r['TEST']['MIRROR'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    assert out.stdout.split() == ["replica.example", "yaoxie", "config.database", "default"]
