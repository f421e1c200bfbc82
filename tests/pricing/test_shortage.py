"""Shortage watch: hospitals that usually buy a product stop receiving it."""

from __future__ import annotations

from datetime import date

import pytest

from common.errors import ValidationFailed
from pricing.models import ShortageAlert
from pricing.services.shortage import shortage_alert_close, shortage_watch_run
from tests.fixtures.prices import observe

TODAY = date(2026, 9, 30)


def test_usual_buyers_without_receipts_raise_one_alert(hospitals, product, official):
    product.shortage = True
    product.save()
    for month in (3, 4, 5, 6, 7):
        for h in hospitals[:3]:
            observe(product, h, date(2026, month, 10), "1.00")
    observe(product, hospitals[2], date(2026, 9, 20), "1.00")  # still supplied
    observe(product, hospitals[5], date(2026, 7, 1), "1.00")  # not a usual buyer
    assert shortage_watch_run(today=TODAY) == {"opened": 1, "updated": 0}
    alert = ShortageAlert.objects.get()
    assert alert.on_shortage_list and alert.reason == "no_receipts"
    assert set(alert.hospitals.values_list("pk", flat=True)) == {hospitals[0].pk, hospitals[1].pk}
    assert shortage_watch_run(today=TODAY) == {"opened": 0, "updated": 1}
    with pytest.raises(ValidationFailed):
        shortage_alert_close(alert=alert, note="", by=official)
    shortage_alert_close(alert=alert, note="企业已恢复供应", by=official)
    assert ShortageAlert.objects.get().status == "closed"


def test_products_neither_on_the_list_nor_listed_are_not_watched(hospitals, product):
    for month in (3, 4, 5, 6, 7):
        for h in hospitals[:3]:
            observe(product, h, date(2026, month, 10), "1.00")
    assert shortage_watch_run(today=TODAY) == {"opened": 0, "updated": 0}
