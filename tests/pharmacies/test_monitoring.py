"""谈判药监测: per negotiated drug, where it is listed, which hospitals and pharmacies stocked it, volumes by month,
the leagues with none and the agreement's end — two statements whatever the number of drugs; the page with its
filters and CSV/xlsx export, the API, and bad filters answered 400 naming the field."""

import csv
import io

import pytest
from django.utils import timezone

from pharmacies import selectors
from tests.factories import DistributionAuthorizationFactory, ListingFactory, ProductFactory, league
from tests.utils import api_as, client_as, error_field, xlsx_rows

from .world import build_pharmacy_world, order_through_receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = build_pharmacy_world()
    order_through_receipt(world, world.pharmacist, world.negotiated, packs=4)
    order_through_receipt(world, world.base.buyer, world.negotiated, packs=6)
    return world


def _report(**params):
    return selectors.monitoring(selectors.monitoring_filters(params))


def _row(report, listing):
    return next(r for r in report.drugs if r["id"] == listing.product_id)


def test_each_negotiated_drug_with_its_listings_buyers_volumes_and_gaps(w):
    report = _report()
    assert {r["id"] for r in report.drugs} == {w.negotiated.product_id, w.expired.product_id}
    row = _row(report, w.negotiated)
    assert row["listings"] == 1 and row["min_price"] == w.negotiated.unit_price
    assert (row["hospitals"], row["pharmacies"]) == (1, 1)
    assert (row["units"], row["pharmacy_units"]) == (10, 4)
    assert row["amount"] == w.negotiated.unit_price * 10
    assert row["expiring"]  # ends in 30 days, within NEGOTIATED_EXPIRING_DAYS
    assert "呼和浩特市" not in row["regions_without"] and "包头市" in row["regions_without"]
    assert len(row["regions_without"]) == 11
    stale = _row(report, w.expired)
    assert stale["units"] == 0 and len(stale["regions_without"]) == 12
    month = timezone.localdate().replace(day=1)
    assert [(m["product_id"], m["month"], m["hospital_units"], m["pharmacy_units"]) for m in report.months] == [
        (w.negotiated.product_id, month, 6, 4)
    ]


def test_filters(w):
    assert [r["id"] for r in _report(only="unstocked").drugs] == [w.expired.product_id]
    assert [r["id"] for r in _report(q="司库").drugs] == [w.negotiated.product_id]
    baotou = _report(region=str(league("150200").pk))
    assert _row(baotou, w.negotiated)["units"] == 0 and _row(baotou, w.negotiated)["regions_without"] == ["包头市"]
    assert _report(only="unlisted").drugs == []


def test_a_non_negotiated_product_is_not_in_the_report(w):
    assert w.plain.product_id not in {r["id"] for r in _report().drugs}


def test_two_statements_whatever_the_number_of_drugs(w, django_assert_num_queries):
    for n in range(5):
        product = ProductFactory(generic_name=f"谈判药{n}", negotiated=True, manufacturer=w.base.manufacturer)
        ListingFactory(product=product)
        DistributionAuthorizationFactory(product=product, distributor=w.base.distributor)
    with django_assert_num_queries(2):
        report = _report()
    assert len(report.drugs) == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_from": "2026-06-01", "date_to": "2026-01-01"}, "date_to"),
        ({"region": "abc"}, "region"),
        ({"region": "999999"}, "region"),
        ({"only": "everything"}, "only"),
    ],
)
def test_bad_filters_are_400_naming_the_field(w, params, field):
    response = api_as(w.official).get("/api/v1/negotiated-monitoring/", params)
    assert response.status_code == 400 and error_field(response) == field
    assert client_as(w.official).get("/pharmacies/negotiated/", params).status_code == 400


def test_the_api(w):
    data = api_as(w.official).get("/api/v1/negotiated-monitoring/").json()
    row = next(r for r in data["drugs"] if r["id"] == w.negotiated.product_id)
    assert row["pharmacies"] == 1 and "包头市" in row["regions_without"]
    assert data["months"][0]["pharmacy_units"] == 4
    assert api_as(w.pharmacist).get("/api/v1/negotiated-monitoring/").status_code == 403
    assert api_as(w.base.buyer).get("/api/v1/negotiated-monitoring/").status_code == 403


def test_the_page_and_its_exports(w):
    client = client_as(w.fund)
    page = client.get("/pharmacies/negotiated/")
    body = page.content.decode()
    assert page.status_code == 200 and "司库奇尤单抗注射液" in body and "包头市" in body and "即将到期" in body
    exported = client.get("/pharmacies/negotiated/", {"export": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][1] == "通用名" and any(r and r[1] == "司库奇尤单抗注射液" for r in rows[1:])
    xlsx = client.get("/pharmacies/negotiated/", {"export": "xlsx", "q": "司库"})
    table = xlsx_rows(xlsx)
    assert table[0][1] == "通用名" and table[1][1] == "司库奇尤单抗注射液"
    assert client_as(w.pharmacist).get("/pharmacies/negotiated/").status_code == 403
