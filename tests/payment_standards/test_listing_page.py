"""The payment standard on the 挂网采购 page: shown beside each listing with what the patient pays above it, loaded for
the whole page in one query (the page's queries do not grow with its rows)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import DistributionAuthorizationFactory, ListingFactory, ProductFactory
from tests.payment_standards.world import published
from tests.procurement.ordering import build_world

pytestmark = pytest.mark.django_db


def _search_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/orders/search/")
    assert page.status_code == 200
    return len(queries), page.content.decode()


def test_the_listing_page_shows_standards_without_a_query_per_row():
    w = build_world()
    year = timezone.localdate().year
    published(w.listing.product, year, "0.4000")  # the listing sells at 0.5000: the patient pays 0.1000 above
    client = Client()
    client.force_login(w.buyer)
    few, html = _search_queries(client)
    assert "0.4000" in html and "0.1000" in html

    for n in range(4):
        product = ProductFactory(manufacturer=w.listing.product.manufacturer, generic_name=f"测试品种{n}片")
        ListingFactory(product=product, unit_price=Decimal("2.0000"), pack_price=Decimal("24.00"))
        DistributionAuthorizationFactory(product=product, distributor=w.distributor)
        published(product, year, "1.5000")
    many, html = _search_queries(client)
    assert html.count("1.5000") >= 4
    assert many <= few + 1  # same queries whatever the number of rows (one may be a cached lookup's first use)
