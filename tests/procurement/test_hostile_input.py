"""Hostile input to tenders: bad demand files through the service and the page (clear error, nothing written),
injection strings in tender names and remarks stored as text and shown escaped."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from procurement.models import DemandReport, Tender
from procurement.services.tender_demand_import import demand_import
from tests.hostile import BAD_FILES, IMG, SCRIPT, SQL
from tests.procurement.test_tender_demand_import import csv
from tests.utils import api_as


def good_file(w) -> bytes:
    h = w["hospitals"][0]
    return csv(f"NMG-T-01,01,{h.uscc},{h.name},12000,")


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_the_demand_import_refuses_a_hostile_file_and_writes_nothing(collecting, settings, case):
    name, build, overrides, words = BAD_FILES[case]
    for key, value in overrides.items():
        setattr(settings, key, value)
    from common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        demand_import(
            tender=collecting["tender"], by=collecting["official"], content=build(good_file(collecting)), filename=name
        )
    assert words in error.value.message and error.value.field == "file"
    assert not DemandReport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["oversized", "zip-bomb", "not-utf8"])
def test_the_demand_import_page_shows_the_error(collecting, settings, case):
    name, build, overrides, words = BAD_FILES[case]
    for key, value in overrides.items():
        setattr(settings, key, value)
    client = Client()
    client.force_login(collecting["official"])
    response = client.post(
        f"/tenders/{collecting['tender'].pk}/demand/import/",
        {"file": SimpleUploadedFile(name, build(good_file(collecting)))},
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not DemandReport.objects.exists()


@pytest.mark.django_db
def test_injection_strings_in_a_tender_name_are_escaped(collecting):
    tender = collecting["tender"]
    Tender.objects.filter(pk=tender.pk).update(name=f"{SCRIPT}{SQL}{IMG}")
    client = Client()
    client.force_login(collecting["official"])
    for url in ("/tenders/", f"/tenders/{tender.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "&lt;script&gt;alert(" in html, url
        assert SCRIPT not in html and "<img src=x" not in html, url
    data = api_as(collecting["official"]).get("/api/v1/tenders/").json()
    assert f"{SCRIPT}{SQL}{IMG}" in [t["name"] for t in data["results"]]
    assert Tender.objects.filter(pk=tender.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("volume", "code"),
    [
        ("²", "invalid_number"),
        ("١٢", "invalid_number"),
        ("１２", "invalid_number"),
        (str(10**19), "out_of_range"),
        ("9" * 5000, "out_of_range"),
        ("1e3", "invalid_number"),
        ("-5", "volume_negative"),
    ],
)
def test_demand_reports_refuse_hostile_volumes_through_the_api(collecting, volume, code):
    response = api_as(collecting["buyers"][0]).post(
        "/api/v1/demand-reports/", {"lot": collecting["lot"].pk, "annual_volume": volume}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "annual_volume", response.content
    assert response.json()["code"] == code, response.content
    assert not DemandReport.objects.exists()
