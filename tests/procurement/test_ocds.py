import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from procurement.ocds import release_package, schema_dir, to_json, validate_package
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding


@pytest.fixture(autouse=True)
def _schemas():
    if not (schema_dir() / "release-schema.json").exists():
        pytest.skip("the OCDS schemas (../shared/ocds) are not beside the project")


@pytest.mark.django_db
def test_package_is_valid_at_every_stage_and_hides_bids_until_opening(world):
    agency = world["official"].organization
    package = release_package(world["tender"], publisher=agency)
    assert validate_package(package) == []
    to_bidding(world)
    svc.bid_submit(
        lot=world["lot"], product=world["products"][0], price="0.5123", supply_capacity=10, by=world["reps"][0]
    )
    sealed = to_json(release_package(world["tender"], publisher=agency))
    assert "0.5123" not in sealed and "tenderers" not in sealed and world["makers"][0].name not in sealed
    svc.bid_submit(
        lot=world["lot"], product=world["products"][1], price="0.6000", supply_capacity=10, by=world["reps"][1]
    )
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=world["tender"], by=world["official"])
    svc.tender_evaluate(tender=world["tender"], by=world["official"])
    svc.tender_award(tender=world["tender"], by=world["official"])
    world["tender"].refresh_from_db()
    package = release_package(world["tender"], publisher=agency)
    assert validate_package(package) == []
    release = package["releases"][0]
    assert release["tag"] == ["award"] and release["tender"]["numberOfTenderers"] == 2
    supplier = release["awards"][0]["suppliers"][0]
    party = next(p for p in release["parties"] if p["id"] == supplier["id"])
    assert party["identifier"] == {
        "scheme": "CN-USCC",
        "id": world["makers"][0].uscc,
        "legalName": world["makers"][0].name,
    }
    assert "supplier" in party["roles"]


@pytest.mark.django_db
def test_an_invalid_package_is_reported():
    errors = validate_package({"version": "1.1", "releases": [{"id": "x"}]})
    assert any("ocid" in e for e in errors)


@pytest.mark.django_db
def test_export_command_writes_the_package(world):
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])  # a draft is not published
    out = io.StringIO()
    call_command("export_ocds", world["tender"].code, stdout=out)
    package = json.loads(out.getvalue())
    assert package["releases"][0]["ocid"] == "ocds-nmgyx1-NMG-T-01"
