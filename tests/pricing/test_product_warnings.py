"""Lower-level credit records put a warning on the company's products: catalog page, ordering search, product API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.hooks import product_warnings
from pricing.services import credit as credit_svc
from procurement.models import Listing
from tests.procurement.ordering import build_world


@pytest.fixture
def w(db):
    return build_world()


def _record(w, official, level="medium", **kw):
    return credit_svc.credit_record_create(
        organization=w.manufacturer,
        behaviour="bribery",
        level=level,
        amount="150000",
        evidence="判决书",
        start=timezone.localdate(),
        by=official,
        **kw,
    )


def test_a_medium_record_warns_on_every_product_of_the_company_until_repaired(w, official, client, api):
    assert product_warnings([w.listing.product_id, w.listing2.product_id]) == {}
    record = _record(w, official)
    warnings = product_warnings([w.listing.product_id, w.listing2.product_id])
    assert set(warnings) == {w.listing.product_id, w.listing2.product_id}
    [message] = warnings[w.listing.product_id]
    assert w.manufacturer.name in message and "中等" in message and "商业贿赂" in message
    # nothing is suspended for a lower level
    assert set(Listing.objects.values_list("status", flat=True)) == {"active"}

    # pages show it with the company's name marked as data (lang="zh"); the API, as plain text
    [shown] = product_warnings([w.listing.product_id], html=True)[w.listing.product_id]
    assert f'<span lang="zh">{w.manufacturer.name}</span>' in shown
    client.force_login(w.buyer)
    page = client.get(reverse("catalog:product-detail", args=[w.listing.product_id])).content.decode()
    assert shown in page
    search = client.get(reverse("orders:search")).content.decode()
    assert search.count(shown) == 2
    api.force_authenticate(w.buyer)
    detail = api.get(f"/api/v1/products/{w.listing.product_id}/").json()
    assert detail["warnings"] == [message]

    credit_svc.credit_record_repair(record=record, note="已整改", by=official)
    assert product_warnings([w.listing.product_id]) == {}
    assert message not in client.get(reverse("catalog:product-detail", args=[w.listing.product_id])).content.decode()
    assert api.get(f"/api/v1/products/{w.listing.product_id}/").json()["warnings"] == []


def test_serious_records_suspend_rather_than_warn_and_other_companies_are_untouched(w, official):
    credit_svc.credit_record_create(
        organization=w.manufacturer,
        behaviour="bribery",
        level="serious",
        amount="400000",
        evidence="判决书",
        start=timezone.localdate(),
        products=[w.listing.product],
        by=official,
    )
    assert product_warnings([w.listing.product_id, w.listing2.product_id]) == {}
