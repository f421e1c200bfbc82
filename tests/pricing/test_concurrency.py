"""Concurrency on PostgreSQL: two officials acting on one alert at once — one wins, the other gets a clear conflict;
two scans started at once — one runs, the other is refused."""

from datetime import date

import pytest

from common.errors import ConflictError
from common.models import events_for
from pricing.models import PriceAlert, PriceScan
from pricing.services import alerts as svc
from pricing.services.scan import price_scan_run
from tests.factories import AgencyFactory, HospitalFactory, ProductFactory, UserFactory
from tests.fixtures.prices import observe
from tests.utils import run_together

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _world():
    product = ProductFactory()
    for i, price in enumerate(["1.00", "1.02", "0.98", "1.01", "0.99", "1.03", "0.97", "2.60"]):
        observe(product, HospitalFactory(name=f"并发测试医院{i}"), date(2026, 3, 10), price)
    agency = AgencyFactory()
    return [
        UserFactory(username=f"conc_official{i}", organization=agency, roles=["pricing_official"]) for i in range(2)
    ]


def test_two_officials_on_one_alert():
    first, second = _world()
    price_scan_run(full=True)
    alert = PriceAlert.objects.get()
    results = run_together(
        [
            lambda: svc.alert_assign(alert=alert, assignee=first, by=first, expected_version=1).status,
            lambda: svc.alert_dismiss(alert=alert, reason="重复数据", by=second, expected_version=1).status,
        ]
    )
    winners = [r for r in results.values() if not isinstance(r, Exception)]
    losers = [r for r in results.values() if isinstance(r, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "已被他人处理" in losers[0].message
    alert = PriceAlert.objects.get()
    assert alert.status == winners[0] and alert.version == 2
    assert events_for(alert).count() == 1


def test_two_scans_at_once():
    _world()
    results = run_together([lambda: price_scan_run(full=True).pk, lambda: price_scan_run(full=True).pk])
    done = [r for r in results.values() if isinstance(r, int)]
    refused = [r for r in results.values() if isinstance(r, ConflictError)]
    # either they overlapped (one refused) or one finished before the other began (both ran): never two at once,
    # and never a duplicate alert
    assert len(done) + len(refused) == 2 and done, results
    assert PriceAlert.objects.count() == 1
    assert not PriceScan.objects.filter(status="running").exists()
