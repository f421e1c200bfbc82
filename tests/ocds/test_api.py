"""The public OCDS endpoints: open without sign-in, paginated and filtered by date, cached and throttled; a bad date or
page is a 400 naming the parameter; nothing is published for a draft (404)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from ocds.models import OcdsRelease
from ocds.schema import record_package_errors, release_package_errors
from ocds.services import releases_publish
from procurement.services import tenders as svc
from tests.fixtures.tenders import to_bidding

pytestmark = pytest.mark.django_db

OCID = "ocds-nmgyx1-NMG-T-01"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(world):
    """The test tender published twice (demand collection, then bidding), a day apart."""
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    releases_publish(tender=world["tender"], now=timezone.now() - timedelta(days=1))
    to_bidding(world)
    releases_publish(tender=world["tender"])
    assert OcdsRelease.objects.count() == 2
    return world


def get(path, **params):
    return Client().get(path, params)


def test_releases_are_open_to_anyone_and_valid(published):
    response = get("/api/ocds/releases/")
    assert response.status_code == 200
    package = response.json()
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"]]
    assert release_package_errors(package) == []
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]


def test_releases_by_page_and_by_date(published):
    first = get("/api/ocds/releases/", page_size=1).json()
    assert len(first["releases"]) == 1 and "page=2" in first["links"]["next"] and "prev" not in first["links"]
    second = get("/api/ocds/releases/", page_size=1, page=2).json()
    assert second["releases"][0]["tag"] == ["tender"] and "next" not in second["links"]
    today = timezone.localdate().isoformat()
    assert [r["tag"] for r in get("/api/ocds/releases/", date_from=today).json()["releases"]] == [["tender"]]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert [r["tag"] for r in get("/api/ocds/releases/", date_to=yesterday).json()["releases"]] == [["planning"]]
    assert len(get("/api/ocds/releases/", ocid=OCID).json()["releases"]) == 2
    assert get("/api/ocds/releases/", ocid="ocds-nmgyx1-NOPE").json()["releases"] == []


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"date_from": "2026-13-01"}, "date_from", "ocds_invalid_date"),
        ({"date_from": "yesterday"}, "date_from", "ocds_invalid_date"),
        ({"date_to": "2026-12-01T25:00"}, "date_to", "ocds_invalid_date"),
        ({"date_from": "2026-12-02", "date_to": "2026-12-01"}, "date_to", "ocds_dates_out_of_order"),
        ({"page": "0"}, "page", "ocds_invalid_page"),
        ({"page": "-1"}, "page", "ocds_invalid_page"),
        ({"page": "２"}, "page", "ocds_invalid_page"),
        ({"page": "abc"}, "page", "ocds_invalid_page"),
        ({"page": "3"}, "page", "ocds_invalid_page"),  # past the last page
        ({"page_size": "501"}, "page_size", "ocds_invalid_page"),
    ],
)
def test_a_bad_date_or_page_is_a_400_naming_it(published, params, field, code):
    before = OcdsRelease.objects.count()
    response = get("/api/ocds/releases/", **params)
    assert response.status_code == 400
    assert response.json()["field"] == field and response.json()["code"] == code
    assert OcdsRelease.objects.count() == before


def test_the_record_of_an_ocid(published):
    response = get(f"/api/ocds/records/{OCID}/")
    assert response.status_code == 200
    package = response.json()
    assert record_package_errors(package) == []
    [record] = package["records"]
    assert [r["tag"] for r in record["releases"]] == [["planning"], ["tender"]]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["tender"]["status"] == "active"
    assert package["publishedDate"] == record["releases"][-1]["date"]


def test_a_draft_is_not_found(world):
    releases_publish(tender=world["tender"])  # a draft: nothing is stored
    for ocid in (OCID, "no-such-ocid"):
        response = get(f"/api/ocds/records/{ocid}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert get("/api/ocds/releases/").json()["releases"] == []


def test_the_package_of_a_year(published):
    year = timezone.localdate().year
    response = get(f"/api/ocds/packages/{year}.json")
    assert response.status_code == 200
    package = response.json()
    assert len(package["releases"]) == 2 and release_package_errors(package) == []
    assert get(f"/api/ocds/packages/{year - 1}.json").json()["releases"] == []
    assert get("/api/ocds/packages/1999.json").status_code == 404
    assert get("/api/ocds/packages/20x6.json").status_code == 404


def test_answers_are_cached(published):
    first = get("/api/ocds/releases/").json()
    releases_publish(tender=published["tender"], now=timezone.now() + timedelta(hours=1))  # nothing changed
    OcdsRelease.objects.filter(sequence=2).delete()
    assert get("/api/ocds/releases/").json() == first  # served from the cache
    cache.clear()
    assert len(get("/api/ocds/releases/").json()["releases"]) == 1


def test_requests_are_throttled_per_address(published, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ocds": "2/minute"},
    }
    statuses = [get("/api/ocds/releases/", page=n % 2 + 1, page_size=1).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    response = get(f"/api/ocds/records/{OCID}/")
    assert response.status_code == 429 and response.json()["code"] == "throttled" and response["Retry-After"]
