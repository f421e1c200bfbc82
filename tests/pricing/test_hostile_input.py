"""Hostile input to price monitoring: bad observation and reference-price files through the API (clear error,
nothing written), and injection strings in review notes stored and returned as plain JSON text."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pricing.models import PriceObservation, ReferencePrice
from tests.hostile import BAD_FILES, SCRIPT, SQL
from tests.pricing.test_imports import csv
from tests.utils import api_as

ENDPOINTS = {
    "observations": ("/api/v1/price-observations/import/", PriceObservation),
    "reference-prices": ("/api/v1/reference-prices/import/", ReferencePrice),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_hostile_file_is_refused_with_a_clear_error(good_rows, official, settings, case, endpoint):
    name, build, overrides, words = BAD_FILES[case]
    for key, value in overrides.items():
        setattr(settings, key, value)
    url, model = ENDPOINTS[endpoint]
    response = api_as(official).post(
        url, {"file": SimpleUploadedFile(name, build(csv(*good_rows)))}, format="multipart"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert words in body["detail"] and body.get("field") == "file", body
    assert not model.objects.exists()


@pytest.mark.django_db
def test_an_oversized_multipart_body_is_refused_before_it_is_read(official, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    response = api_as(official).post(
        "/api/v1/price-observations/import/",
        {"file": SimpleUploadedFile("f.csv", b"x" * (3 * 1024 * 1024))},
        format="multipart",
    )
    assert response.status_code == 413
    assert "文件不能超过" in response.json()["detail"]
    assert not PriceObservation.objects.exists()


@pytest.mark.django_db
def test_injection_strings_in_a_search_or_filter_are_harmless(official, product):
    client = api_as(official)
    for query in (SQL, SCRIPT, "' OR '1'='1"):
        for url in ("/api/v1/price-alerts/", "/api/v1/credit-records/", "/api/v1/price-observations/"):
            response = client.get(url, {"search": query, "ordering": query})
            assert response.status_code in (200, 400), (url, response.status_code)
            assert response["Content-Type"].startswith("application/json")
