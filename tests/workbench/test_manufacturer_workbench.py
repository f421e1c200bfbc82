"""The manufacturer's workbench on the home page: to-dos with counts and links, its own rows only, and a number of
queries that does not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from procurement.models import ListingApplication
from tests.factories import (
    HospitalFactory,
    ListingFactory,
    ManufacturerFactory,
    ProductFactory,
    QualificationFactory,
    UserFactory,
)
from workbench import selectors

pytestmark = pytest.mark.django_db


def _application(product, status, by):
    return ListingApplication.objects.create(
        manufacturer=product.manufacturer,
        product=product,
        unit_price="0.5000",
        pack_price="6.00",
        valid_from=timezone.localdate(),
        status=status,
        created_by=by,
    )


def _rows(maker, n: int):
    """A user of the maker, and n returned applications, n applied listings and n registration certificates ending within 60 days."""
    user = UserFactory(organization=maker)
    for i in range(n):
        product = ProductFactory(manufacturer=maker, nhsa_code=f"XA01ABD075A002{maker.pk % 100000:05d}{i:04d}")
        ListingFactory(product=product)
        _application(product, ListingApplication.Status.RETURNED, user)
        QualificationFactory(
            organization=maker,
            product=product,
            kind="drug_approval",
            number=f"WB{maker.pk}-{i}",
            valid_to=timezone.localdate() + timedelta(days=20 + i),
        )
    return user


def _todo_counts(user) -> dict[str, int]:
    return {t.key: t.count for t in selectors.todos(user)}


def test_todos_count_own_rows_and_link_to_their_pages():
    maker, other = ManufacturerFactory(), ManufacturerFactory()
    user = _rows(maker, 2)
    _rows(other, 3)
    counts = _todo_counts(user)
    assert counts["applications_returned"] == 2
    assert counts["licences_expiring"] == 2
    assert counts["contracts_to_confirm"] == 0
    assert counts["statements_to_claim"] == 0
    links = {t.key: t.url for t in selectors.todos(user)}
    assert links["applications_returned"] == "/listings/applications/?status=returned"
    assert links["statements_to_claim"] == "/settlement/?status=draft"
    summary = selectors.listing_summary(user)
    assert summary == {"active": 2, "suspended": 0, "withdrawn": 0, "through_applications": 2}


def test_home_page_shows_the_workbench_to_a_manufacturer_only(client):
    maker = ManufacturerFactory()
    client.force_login(_rows(maker, 1))
    page = client.get("/").content.decode()
    assert 'data-workbench="manufacturer"' in page
    assert 'data-todo="applications_returned" class="todo-open"' in page
    assert "/listings/applications/?status=returned" in page

    client.force_login(UserFactory(organization=HospitalFactory()))
    page = client.get("/").content.decode()
    assert 'data-workbench="manufacturer"' not in page


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_workbench_queries_do_not_grow_with_rows(client):
    few, many = ManufacturerFactory(), ManufacturerFactory()
    user_few, user_many = _rows(few, 1), _rows(many, 6)
    _queries(client, user_few)  # warm caches (roles, navigation)
    assert _queries(client, user_few) == _queries(client, user_many)
    with CaptureQueriesContext(connection) as ctx:
        selectors.manufacturer_workbench(user_many)
    assert len(ctx.captured_queries) <= 14
